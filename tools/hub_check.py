"""Refuse Kubernetes values that would let anyone in or still hold a placeholder.

``python -m tools.hub_check VALUES`` (``make hub-values`` runs it on what it writes) reads the
class's values for Zero to JupyterHub, merges them with the chart's defaults (``tools.hub_chart``)
and names each setting to change: an authenticator that takes any name and password (``dummy``,
the chart's default, or ``tmp``), ``allow_all``, no instructors, no one named as the class, a
``postStart`` pull that crash-loops the pod when it fails, and any placeholder left in.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from tools.hub_chart import CHART_VERSION, merged

#: Authenticators under which anyone gets in (any name; any or no password).
OPEN_AUTHENTICATORS = {"dummy", "jupyterhub.auth.DummyAuthenticator", "tmp",
                       "tmpauthenticator.TmpAuthenticator"}
#: Settings that name who may log in, per authenticator (LTI 1.3: the LMS's tool registration).
ALLOW_KEYS = ("allowed_users", "allowed_groups", "allowed_organizations", "allowed_google_groups")
#: What the guides, the template and examples write where a class's own name belongs.
PLACEHOLDER = re.compile(r"@[A-Z_]+@|your-org|/you/|\bexample\.(org|com|edu)\b|changeme|REPLACE", re.I)


def placeholders(values: object, path: str = "") -> list[str]:
    """``path: value`` for every string in ``values`` that is a placeholder, not a real name."""
    if isinstance(values, dict):
        return [hit for key, value in values.items()
                for hit in placeholders(value, f"{path}.{key}".lstrip("."))]
    if isinstance(values, list):
        return [hit for i, value in enumerate(values) for hit in placeholders(value, f"{path}[{i}]")]
    if isinstance(values, str) and PLACEHOLDER.search(values):
        return [f"{path} is {values!r}, a placeholder: put the class's real name there "
                "(make hub-values IMAGE=... COURSE_REPO=... HUB_URL=... ADMINS=... ALLOWED=...)"]
    return []


def auth_problems(config: dict) -> list[str]:
    """What in ``hub.config`` (merged with the chart's defaults) lets anyone in or names no one."""
    found = []
    auth = config.get("JupyterHub", {}).get("authenticator_class")
    if auth is None or auth in OPEN_AUTHENTICATORS:
        found.append(
            f"hub.config.JupyterHub.authenticator_class is {auth!r} (set, or left to the chart's default): "
            "anyone logs in with any name and any password. Set it to github, google or lti13 and "
            "configure that authenticator (hub/values.yaml shows each)."
        )
    sections = {name: cfg for name, cfg in config.items() if isinstance(cfg, dict)}
    for name, cfg in sections.items():
        if cfg.get("allow_all"):
            found.append(
                f"hub.config.{name}.allow_all is true: every account the authenticator accepts gets in. "
                "Remove it and name the class: allowed_organizations (GitHub org or org:team), "
                "allowed_google_groups (Google) or allowed_users."
            )
    if not any(cfg.get("admin_users") for cfg in sections.values()):
        found.append("hub.config.Authenticator.admin_users names no one: list the instructors (ADMINS=...).")
    lms = sections.get("LTI13Authenticator", {}).get("client_id")
    if not lms and not any(cfg.get(key) for cfg in sections.values() for key in ALLOW_KEYS):
        found.append(
            f"no setting under hub.config names who may log in ({', '.join(ALLOW_KEYS)}; "
            "LTI13Authenticator.client_id for LTI 1.3): "
            "name the class (ALLOWED=org:team for GitHub), or no one but the admins gets in."
        )
    return found


def problems(values: dict, version: str = CHART_VERSION) -> list[str]:
    """Every reason to refuse ``values`` (the class's, before the chart's defaults), one line each."""
    full = merged(values, version)
    found = auth_problems(full.get("hub", {}).get("config") or {})
    hook = (full.get("singleuser", {}).get("lifecycleHooks") or {}).get("postStart") or {}
    command = " ".join(map(str, (hook.get("exec") or {}).get("command") or []))
    if "gitpuller" in command and "|| true" not in command:
        found.append(
            "singleuser.lifecycleHooks.postStart runs gitpuller: when the pull fails, Kubernetes kills "
            "the container, and a wrong repository is a crash loop. Pull through singleuser.defaultUrl "
            "(/git-pull?repo=...) instead, as make hub-values writes it."
        )
    return found + placeholders(values)


def main(argv: list[str] | None = None) -> int:
    """Print each refusal for the values file; exit 1 if there is any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("values", type=Path, help="the class's values for the chart (YAML)")
    parser.add_argument("--chart", default=CHART_VERSION, help="the chart version they are deployed with")
    args = parser.parse_args(argv)
    found = problems(yaml.safe_load(args.values.read_text()) or {}, args.chart)
    for line in found:
        print(f"refused: {line}")
    if not found:
        print(f"{args.values}: a real authenticator, instructors and the class named, no placeholders")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
