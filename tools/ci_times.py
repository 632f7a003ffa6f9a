"""CI's time table: each step's minutes and the total, checked against the committed reference.

``python -m tools.ci_times build/ci-times.tsv [--reference tests/ci_times_reference.json]``

``.ci/run`` appends one line per step to the TSV (``name<TAB>seconds<TAB>exit status``); this
prints the table, writes ``build/ci-times.json`` beside the TSV, and warns, naming the step, when
a step took more than 1.5 times its reference. Standard library only: it runs before any venv.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from tools import ROOT

REFERENCE = ROOT / "tests" / "ci_times_reference.json"
#: A step may grow by this factor over its reference before the table warns.
GROWTH = 1.5


@dataclass
class Step:
    """One step of a CI run: its name, wall-clock seconds and exit status."""

    name: str
    seconds: int
    status: int


def read_steps(tsv: Path) -> list[Step]:
    """The steps in the order they ran."""
    rows = (line.split("\t") for line in tsv.read_text().splitlines() if line.strip())
    return [Step(name, int(seconds), int(status)) for name, seconds, status in rows]


def warnings(steps: list[Step], reference: dict[str, float]) -> list[str]:
    """One line per step that grew by more than ``GROWTH`` times its reference seconds."""
    return [
        f"WARNING: step {s.name} took {s.seconds / 60:.1f} min, more than {GROWTH:g} x its "
        f"reference {reference[s.name] / 60:.1f} min ({REFERENCE.name}): find what grew."
        for s in steps
        if reference.get(s.name) and s.seconds > GROWTH * reference[s.name]
    ]


def table(steps: list[Step]) -> str:
    """The time table: one row per step (minutes, status), then the total."""
    lines = [f"{'step':<22} {'minutes':>8}  status"]
    for s in steps:
        status = "ok" if s.status == 0 else f"FAILED ({s.status})"
        lines.append(f"{s.name:<22} {s.seconds / 60:>8.1f}  {status}")
    lines.append(f"{'total':<22} {sum(s.seconds for s in steps) / 60:>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table and the warnings; write the JSON. Exit 0: the table never fails a run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", type=Path)
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    args = parser.parse_args(argv)
    if not args.tsv.exists():
        print(f"no step times in {args.tsv}", file=sys.stderr)
        return 0
    steps = read_steps(args.tsv)
    reference = json.loads(args.reference.read_text())["seconds"] if args.reference.exists() else {}
    out = args.tsv.with_name(f"{args.tsv.stem}.json")
    total = sum(s.seconds for s in steps)
    out.write_text(json.dumps({"steps": [asdict(s) for s in steps], "total_seconds": total}, indent=1) + "\n")
    print("\nCI time table (" + str(out) + ")\n" + table(steps))
    for line in warnings(steps, reference):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
