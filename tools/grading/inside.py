"""Runs INSIDE the sandbox: execute one submission with the course kernel, then the grader's cell.

``python inside.py SPEC.json`` (the spec is written by the grader, read-only in the sandbox).
Sets the resource limits (inherited by the kernel and everything it starts), executes the notebook
with nbclient (errors allowed, like otter), appends the grader's export cell, and writes
``status.json`` into the output folder: which limit was hit, if any. The answers themselves are
written by the export cell (answers.json + .npy). Only the standard library, nbformat and nbclient.
"""

import json
import os
import resource
import signal
import sys

#: Each limit a run can hit, in the words of the grades CSV: the ``violation`` this runner writes into
#: status.json, and ``wall``, which the grader itself enforces from outside the sandbox.
LIMIT_WORDS = {
    "wall": "wall-clock limit",
    "memory": "memory limit",
    "processes": "process limit",
    "cpu": "CPU time limit",
    "output": "output size limit",
    "file": "file size limit",
    "died": "kernel died",
    "unreadable": "unreadable notebook",
}


def set_limits(lim: dict) -> None:
    """Set this process's rlimits from the spec's ``limits``: the kernel and all it starts inherit them."""
    mem = int(lim["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_DATA, (mem, mem))
    if lim.get("address_space_bytes"):
        a = int(lim["address_space_bytes"])
        resource.setrlimit(resource.RLIMIT_AS, (a, a))
    resource.setrlimit(resource.RLIMIT_CPU, (int(lim["cpu_seconds"]), int(lim["cpu_seconds"]) + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(lim["file_bytes"]), int(lim["file_bytes"])))
    if int(lim["processes"]) > 0:  # 0: no cap (a run outside the sandbox: the cap is per user there)
        nproc = int(lim["processes"]) + int(lim.get("processes_base", 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _violation_in_outputs(nb) -> tuple[str, str] | None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            name, value = out.get("ename", ""), str(out.get("evalue", ""))
            if name == "MemoryError" or "Unable to allocate" in value or "Cannot allocate memory" in value:
                return "memory", f"{name}: {value[:120]}"
            if name == "BlockingIOError" or "Resource temporarily unavailable" in value:
                return "processes", f"{name}: {value[:120]}"
            if "File too large" in value:
                return "file", f"{name}: {value[:120]}"
    return None


def _write_status(out_dir: str, status: dict) -> None:
    tmp = os.path.join(out_dir, "status.json.tmp")
    with open(tmp, "w") as fh:
        json.dump(status, fh)
    os.replace(tmp, os.path.join(out_dir, "status.json"))


def _client(nb, spec: dict):
    """nbclient's client for ``nb``, counting the outputs against the limit and keeping the kernel's
    process (its exit signal says which limit killed it)."""
    from nbclient import NotebookClient

    out_limit = int(spec["limits"]["output_bytes"])

    class Client(NotebookClient):
        seen = 0
        kernel_process = None

        async def async_start_new_kernel(self, **kwargs):
            await super().async_start_new_kernel(**kwargs)
            Client.kernel_process = getattr(self.km.provisioner, "process", None)

        def output(self, outs, msg, display_id, cell_index):
            Client.seen += len(json.dumps(msg.get("content", {})))
            if Client.seen > out_limit:
                raise OverflowError("output")
            if len(outs) > 50:  # keep memory flat: later outputs are counted, not kept
                return None
            return super().output(outs, msg, display_id, cell_index)

    return Client(nb, kernel_name=spec["kernel"], allow_errors=True, timeout=None, startup_timeout=120,
                  resources={"metadata": {"path": spec["cwd"]}},
                  shutdown_kernel="immediate")  # the export cell has written; no wait for the exit


def _execute(client, status: dict, out_limit: int) -> None:
    """Run the notebook; put into ``status`` whether it finished, else which limit stopped it."""
    from nbclient.exceptions import DeadKernelError

    try:
        client.execute()
        status["finished"] = True
    except OverflowError:
        status.update(violation="output", detail=f"the notebook wrote over {out_limit >> 20} MB of output")
    except DeadKernelError as exc:
        code = None
        try:
            code = type(client).kernel_process.wait(timeout=10)
        except Exception:  # noqa: BLE001
            pass
        why = {
            -signal.SIGXCPU: ("cpu", "the kernel used up its CPU seconds (SIGXCPU)"),
            -signal.SIGKILL: ("cpu", "the kernel was killed (SIGKILL: CPU hard limit or out of memory)"),
            -signal.SIGXFSZ: ("file", "the kernel wrote a file over the size limit (SIGXFSZ)"),
        }.get(code, ("died", f"the kernel died (exit {code}): {str(exc)[:120]}"))
        status.update(violation=why[0], detail=why[1])
    except Exception as exc:  # noqa: BLE001
        status.update(violation="died", detail=f"{type(exc).__name__}: {str(exc)[:200]}")


def main() -> int:
    """Run the notebook the spec (argv[1]) names under its limits, write status.json; exit 3 if unreadable."""
    spec = json.loads(open(sys.argv[1]).read())
    status = {"violation": None, "detail": "", "finished": False}
    _write_status(spec["out_dir"], status)
    set_limits(spec["limits"])
    import nbformat

    try:
        nb = nbformat.read(spec["notebook"], as_version=4)
    except Exception as exc:  # noqa: BLE001
        status.update(violation="unreadable", detail=f"{type(exc).__name__}: {str(exc)[:200]}")
        _write_status(spec["out_dir"], status)
        return 3
    nb.cells = [c for c in nb.cells if c.cell_type in ("code", "markdown", "raw")]
    nb.cells.append(nbformat.v4.new_code_cell(open(spec["extract_cell"]).read()))
    nb.metadata["kernelspec"] = {"name": spec["kernel"], "display_name": spec["kernel"], "language": "python"}
    _execute(_client(nb, spec), status, int(spec["limits"]["output_bytes"]))
    found = _violation_in_outputs(nb)
    if found and not status["violation"]:
        status.update(violation=found[0], detail=found[1])
    _write_status(spec["out_dir"], status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
