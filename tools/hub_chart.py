"""The Zero to JupyterHub chart the class's values are deployed with: its defaults and its schema.

``hub/z2jh-<version>/`` keeps the chart's ``values.yaml`` and ``values.schema.yaml`` verbatim (its
SOURCE.md says from where). ``merged`` combines the class's values with the chart's defaults as helm
does; ``schema_errors`` validates the result against the chart's schema, as ``helm install`` would.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import jsonschema
import yaml

from tools import ROOT

#: The chart version the guide's helm command pins and the tests check against.
CHART_VERSION = "4.4.0"


def chart_dir(version: str = CHART_VERSION) -> Path:
    """The folder holding the chart's defaults and schema for ``version``; a clear error if none is kept."""
    folder = ROOT / "hub" / f"z2jh-{version}"
    if not folder.is_dir():
        kept = sorted(p.name.removeprefix("z2jh-") for p in (ROOT / "hub").glob("z2jh-*"))
        raise SystemExit(
            f"CHART={version}: no schema of that chart version is kept under hub/ (kept: {kept}). "
            f"Use CHART={CHART_VERSION}, or add hub/z2jh-{version}/ "
            f"as hub/z2jh-{CHART_VERSION}/SOURCE.md says."
        )
    return folder


@cache
def _load(version: str, name: str) -> dict:
    """One of the chart's YAML files, read once per run (the schema is 130 kB of YAML)."""
    return yaml.safe_load((chart_dir(version) / name).read_text())


def merge(defaults: dict, values: dict) -> dict:
    """``values`` over ``defaults`` as helm coalesces them: maps merge, a null deletes the key."""
    out = dict(defaults)
    for key, value in values.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def merged(values: dict, version: str = CHART_VERSION) -> dict:
    """The class's values merged with the chart's defaults: what the chart's templates see."""
    return merge(copy.deepcopy(_load(version, "values.yaml")), values)


def schema_errors(values: dict, version: str = CHART_VERSION) -> list[str]:
    """Each way the merged values break the chart's schema, as ``path: message``; empty when valid."""
    validator = jsonschema.Draft7Validator(_load(version, "values.schema.yaml"))
    errors = sorted(validator.iter_errors(merged(values, version)), key=lambda e: list(e.path))
    return [f"{'.'.join(str(p) for p in e.path) or '(top)'}: {e.message}" for e in errors]
