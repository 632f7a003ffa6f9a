"""The class's Kubernetes values, written from its real names: ``make hub-values``.

``python -m tools.hub_values --image REGISTRY/NAME:TAG --course-repo URL --hub-url https://HOST
--admins a,b --allowed ORG[:TEAM] [--chart 4.4.0]`` fills ``hub/values.yaml`` (the template) with
them and writes ``build/hub/values.yaml``. It refuses a name that is empty or a placeholder (naming
the make variable), then the values ``tools.hub_check`` refuses and those the chart's schema rejects
(``tools.hub_chart``), and prints the helm command with the chart version pinned.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlencode

import yaml

from tools import BUILD, ROOT
from tools.hub_chart import CHART_VERSION, chart_dir, schema_errors
from tools.hub_check import PLACEHOLDER, problems

TEMPLATE = ROOT / "hub" / "values.yaml"
TARGET = "forecasting-failures"  # the folder in each learner's home, as on the one-machine hub


def pull_url(repo: str, branch: str = "main") -> str:
    """The default URL that pulls the learner repo with nbgitpuller, then opens the course in JupyterLab."""
    return "/git-pull?" + urlencode(
        {"repo": repo, "branch": branch, "targetpath": TARGET, "urlpath": f"lab/tree/{TARGET}"}
    )


def refused_names(names: dict[str, str]) -> list[str]:
    """Each make variable that is empty, a placeholder or malformed, with what to pass instead."""
    found = []
    for var, value in names.items():
        if not value.strip():
            found.append(f"{var} is empty: pass the class's own (make hub-values {var}=...)")
        elif PLACEHOLDER.search(value):
            found.append(f"{var}={value!r} is a placeholder: pass the class's real one")
        elif any(c in value for c in "\"\\ "):
            found.append(f"{var}={value!r} holds a space, quote or backslash: pass a plain name or address")
    image = names["IMAGE"].rsplit("/", 1)[-1]
    if image and (":" not in image or image.endswith((":", ":latest"))):
        found.append(f"IMAGE={names['IMAGE']!r} has no fixed tag: pass registry/name:tag, the tag you pushed")
    for var in ("COURSE_REPO", "HUB_URL"):
        if names[var] and not names[var].startswith("https://"):
            found.append(f"{var}={names[var]!r} is not an https:// address")
    return found


def render(names: dict[str, str], template: str | None = None) -> str:
    """The template with the class's names in: image, pull URL, hub address, instructors, the class."""
    text = TEMPLATE.read_text() if template is None else template
    name, tag = names["IMAGE"].rsplit(":", 1)
    for key in ("ADMINS", "ALLOWED"):  # YAML lists, written as JSON
        listed = [x.strip() for x in names[key].split(",") if x.strip()]
        text = text.replace(f'"@{key}@"', json.dumps(listed))
    fills = {"IMAGE_NAME": name, "IMAGE_TAG": tag, "DEFAULT_URL": pull_url(names["COURSE_REPO"]),
             "HUB_URL": names["HUB_URL"].rstrip("/")}
    for key, value in fills.items():
        text = text.replace(f"@{key}@", value)
    header = "# Written by `make hub-values` (tools/hub_values.py) from hub/values.yaml: edit that one.\n"
    return header + text


def main(argv: list[str] | None = None) -> int:
    """Write the values from the class's names; exit 1 with each refusal if any name or setting is wrong."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in ("image", "course-repo", "hub-url", "admins", "allowed"):
        parser.add_argument(f"--{flag}", default="")
    parser.add_argument("--chart", default=CHART_VERSION, help="the chart version to deploy with (pinned)")
    parser.add_argument("--out", type=Path, default=BUILD / "hub" / "values.yaml")
    args = parser.parse_args(argv)
    names = {"IMAGE": args.image, "COURSE_REPO": args.course_repo, "HUB_URL": args.hub_url,
             "ADMINS": args.admins, "ALLOWED": args.allowed}
    chart_dir(args.chart or CHART_VERSION)
    found = refused_names(names)
    if not found:
        values = yaml.safe_load(render(names))
        found = problems(values, args.chart) + schema_errors(values, args.chart)
    if found:
        print("hub values refused, nothing written:\n  " + "\n  ".join(found), file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(names))
    print(f"{args.out}: checked against chart {args.chart}'s schema. Deploy it with\n"
          f"  helm upgrade --install ff jupyterhub/jupyterhub --version {args.chart} --namespace ff "
          f"--create-namespace --values {args.out} --values hub-secrets.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
