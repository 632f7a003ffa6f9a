"""Learners per node, from the hub test's measured memory peaks, with headroom.

``python -m tools.hub_sizing [build/hub_load.json]`` prints the table the instructors' guide gives;
``make hub-test`` (``tools.hub_load``) stores the same sizing in ``build/hub_load.json``.

A learner's guarantee is what the scheduler reserves for them on a node (Kubernetes' requests):
memory, the largest measured peak (server plus one lesson's kernel, both frameworks imported) with
25% headroom, rounded up to half a gigabyte; CPU, half a core, since each kernel computes on one
core and a lesson may take twice its time alone when the whole class runs cells at once. A node
offers only its allocatable share, about 90% of its nominal size (the kubelet, the system and the
chart's own pods keep the rest). Learners per node: the fewer of memory and CPU.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from tools import BUILD

ALLOCATABLE = 0.9  # the share of a node's nominal cores and memory that pods can be given
HEADROOM = 1.25  # memory guarantee over the largest measured peak
CPU_GUARANTEE = 0.5  # cores per learner: a lesson takes at most about twice its time alone
NODES = ((4, 16), (8, 32), (16, 64), (32, 128))  # (cores, GB) of common node shapes


def memory_guarantee_gb(peak_gb: float) -> float:
    """The memory to reserve per learner: the measured peak with headroom, rounded up to 0.5 GB."""
    return math.ceil(peak_gb * HEADROOM * 2) / 2


def sizing(result: dict, learners: int = 200, nodes: tuple = NODES) -> dict:
    """Guarantees per learner from the measured peaks, and learners and nodes per node shape."""
    peak = max(r["peak_mb"] for r in result["rows"]) / 1024
    memory = memory_guarantee_gb(peak)
    rows = []
    for cores, gb in nodes:
        by_memory = math.floor(round(ALLOCATABLE * gb / memory, 6))
        by_cpu = math.floor(round(ALLOCATABLE * cores / CPU_GUARANTEE, 6))
        per_node = max(1, min(by_memory, by_cpu))
        rows.append({"node": f"{cores} cores / {gb} GB", "by_memory": by_memory, "by_cpu": by_cpu,
                     "learners_per_node": per_node, f"nodes_for_{learners}": -(-learners // per_node)})
    return {"peak_gb_per_learner": round(peak, 2), "memory_guarantee_gb": memory,
            "cpu_guarantee": CPU_GUARANTEE, "allocatable": ALLOCATABLE, "nodes": rows}


def table(size: dict) -> str:
    """The sizing as the guide's markdown table."""
    nodes_key = next(k for k in size["nodes"][0] if k.startswith("nodes_for_"))
    head = ["node (nominal)", "allocatable (90%)", "by memory", "by CPU", "learners per node",
            nodes_key.replace("_", " ")]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in size["nodes"]:
        cores, gb = (float(x.split()[0]) for x in row["node"].split(" / "))
        alloc = f"{ALLOCATABLE * cores:g} cores / {ALLOCATABLE * gb:g} GB"
        cells = [row["node"], alloc, row["by_memory"], row["by_cpu"], row["learners_per_node"],
                 row[nodes_key]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the guarantees and the table from a load test's results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="?", default=BUILD / "hub_load.json")
    parser.add_argument("--learners", type=int, default=200)
    args = parser.parse_args(argv)
    if not args.results.exists():
        parser.error(f"{args.results} not found: run `make hub-test` first")
    size = sizing(json.loads(args.results.read_text()), args.learners)
    print(f"largest measured peak {size['peak_gb_per_learner']} GB per learner: guarantee "
          f"{size['memory_guarantee_gb']:g} GB and {CPU_GUARANTEE} CPU each")
    print(table(size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
