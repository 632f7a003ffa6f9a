"""The command line of the course's grading: ``python -m tools.grading VERB``; wiring only.

- ``build``, ``status``, ``refresh``: the student copies (``copies``).
- ``score``: the learner's self-check of their own copies (``selfcheck``, no sandbox).
- ``grade DIR``: the instructor's grading of untrusted submissions (``grade``, one ``bwrap``
  sandbox each, checks in the trusted ``checker``), then the class report; ``report`` rebuilds
  that report alone (``report``).
The course kernel is ``python -m tools.kernel``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools import BUILD
from tools.grading import bwrap, copies, grade, report, selfcheck
from tools.grading.results import GRADES


def parser() -> argparse.ArgumentParser:
    """The verbs and their options."""
    parser = argparse.ArgumentParser(description="Student copies and local grading with otter-grader.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="student copies and autograders into build/")
    b.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    g = sub.add_parser("grade", help="grade a folder of submissions, each in its own sandbox, into one CSV")
    g.add_argument("submissions", type=Path)
    g.add_argument("--out", type=Path, default=GRADES)
    g.add_argument("--notebooks", type=Path, default=Path("notebooks"), help="the masters (trusted values)")
    lim = bwrap.Limits()  # the defaults, defined there once
    g.add_argument("--timeout", type=float, default=lim.wall_seconds, help="wall seconds per submission")
    g.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: cores)")
    g.add_argument("--memory-gb", type=float, default=lim.memory_bytes / (1 << 30),
                   help="memory per process in the sandbox")
    g.add_argument("--cpu-seconds", type=int, default=lim.cpu_seconds, help="CPU seconds per process")
    g.add_argument("--processes", type=int, default=lim.processes, help="processes and threads per sandbox")
    g.add_argument(
        "--unsandboxed",
        action="store_true",
        help="no sandbox (a self-check of notebooks you trust; never for submissions)",
    )
    rp = sub.add_parser("report", help="the class report (HTML) from a grades CSV, without grading again")
    rp.add_argument("grades", type=Path, nargs="?", default=GRADES)
    rp.add_argument("--out", type=Path, default=None, help="default: beside the CSV, as .html")
    sc = sub.add_parser("score", help="grade your own copies in build/student")
    sc.add_argument("--jobs", type=int, default=2)
    sc.add_argument("--notebooks", type=Path, default=Path("notebooks"),
                    help="the masters (their checker's values)")
    for name, text in (
        ("status", "say which of your copies are older than their master"),
        ("refresh", "bring in new copies; keep your old ones beside them"),
    ):
        sp = sub.add_parser(name, help=text)
        sp.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one verb; its exit status (2: a clear error on stderr)."""
    args = parser().parse_args(argv)
    if args.command == "build":
        written = copies.build(args.notebooks)
        print(f"student copies in {BUILD / 'student'} ({len(written)} new); autograders in {BUILD / 'otter'}")
    elif args.command == "status":
        copies.status(args.notebooks)
    elif args.command == "refresh":
        moved = copies.refresh(args.notebooks)
        for kept, new in moved:
            print(f"{new}: new copy; your old one is kept as {kept}")
        if not moved:
            print("your copies are up to date")
    elif args.command == "score":
        selfcheck.score(notebooks=args.notebooks, jobs=args.jobs)
    elif args.command == "report":
        try:
            print(f"class report: {report.write(args.grades, args.out)}")
        except (FileNotFoundError, ValueError) as exc:
            print(exc, file=sys.stderr)
            return 2
    else:
        limits = bwrap.Limits(memory_bytes=int(args.memory_gb * (1 << 30)), cpu_seconds=args.cpu_seconds,
                              processes=args.processes, wall_seconds=args.timeout)
        try:
            grade.grade_folder(args.submissions, args.out, BUILD, args.notebooks, args.jobs, limits,
                               unsandboxed=args.unsandboxed)
        except grade.GradingError as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
