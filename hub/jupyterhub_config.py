# JupyterHub for a class on one machine, in the style of The Littlest JupyterHub.
#
# Every learner logs in, gets their own Jupyter server, and lands in the student copies: the
# default URL goes through nbgitpuller, which clones the learner repo (`make handout-repo` builds it;
# push it somewhere the hub can reach) into ~/forecasting-failures on first login and merges new
# versions in later without overwriting the learner's edits.
#
# Install:    make hub-env (the course with its [hub] extra: JupyterHub, nbgitpuller; the kernel)
# Start it:   COURSE_REPO=<the learner repo's URL> HUB_ADMINS=<instructor> HUB_ALLOWED_GROUPS=<class group> \
#               CHECKER_COURSE=<the instructor's checkout, chmod 700> \
#               .venv/bin/jupyterhub -f hub/jupyterhub_config.py
# Who gets in: the system users (PAM) named in HUB_ALLOWED_USERS or in a system group named in
# HUB_ALLOWED_GROUPS (comma-separated), and the admins. No one else: HUB_ALLOW_ALL=1 lets every
# system user in, and says so in the log.
# Sizes below come from `make hub-test` (README, "Serving the course to a class").
import logging
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlencode

import lessons_lib
from lessons_lib.seeding import THREAD_ENV  # the course is installed in the hub's environment

c = get_config()  # noqa: F821  (JupyterHub provides it)

COURSE_REPO = os.environ.get("COURSE_REPO", "https://github.com/your-org/forecasting-failures-learner")
COURSE_BRANCH = os.environ.get("COURSE_BRANCH", "main")
TARGET = "forecasting-failures"

c.JupyterHub.bind_url = os.environ.get("HUB_BIND_URL", "http://:8000")
c.Spawner.default_url = "/git-pull?" + urlencode(
    {"repo": COURSE_REPO, "branch": COURSE_BRANCH, "targetpath": TARGET, "urlpath": f"lab/tree/{TARGET}"}
)

# One math thread per kernel and passive OpenMP waiting: the course's models are small, and many
# threads per kernel spin against each other once learners share the cores.
c.Spawner.environment = dict(THREAD_ENV)  # the course's setting (lessons_lib.seeding)

# Per-learner limits, from `make hub-test`: one kernel with both frameworks imported peaks near
# 1.4 GB while a lesson runs; 2 GB leaves room for a second kernel, 3 GB is the hard limit.
# LocalProcessSpawner ignores all four. systemdspawner (what TLJH uses) enforces the limits
# (systemd's MemoryMax and CPUQuota) and ignores the guarantees: on one machine, leave the memory the
# guarantees add up to free (docs/instructors.md, "Sizing"). KubeSpawner makes the guarantees
# requests, which the scheduler reserves on a node, and the limits limits.
c.Spawner.mem_guarantee = "2G"
c.Spawner.mem_limit = "3G"
c.Spawner.cpu_guarantee = 0.5
c.Spawner.cpu_limit = 1.0
# Importing TensorFlow and PyTorch makes the first start slow on a busy machine.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120

if shutil.which("systemd-run") and os.environ.get("HUB_SPAWNER", "systemd") == "systemd":
    try:
        import systemdspawner  # noqa: F401

        c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
        c.SystemdSpawner.isolate_tmp = True
        c.SystemdSpawner.isolate_devices = True
    except ImportError:  # plain LocalProcessSpawner: system users, no enforced limits
        pass


def _names(var: str) -> set[str]:
    """The comma-separated names in environment variable ``var``."""
    return {name.strip() for name in os.environ.get(var, "").split(",") if name.strip()}


# Instructors (comma-separated user names) can see and stop every learner's server.
c.Authenticator.admin_users = _names("HUB_ADMINS")
# Only the class gets in: users and system groups named here (PAM), or everyone by explicit opt-in.
log = logging.getLogger("JupyterHub")  # the hub's own log
c.Authenticator.allowed_users = _names("HUB_ALLOWED_USERS")
c.LocalAuthenticator.allowed_groups = _names("HUB_ALLOWED_GROUPS")
c.Authenticator.allow_all = os.environ.get("HUB_ALLOW_ALL", "0") == "1"
if c.Authenticator.allow_all:
    log.warning("HUB_ALLOW_ALL=1: every user who can log in here gets a server, not only the class")
elif not (c.Authenticator.allowed_users or c.LocalAuthenticator.allowed_groups):
    log.warning("no HUB_ALLOWED_USERS or HUB_ALLOWED_GROUPS: only the admins (HUB_ADMINS) can log in")
if "COURSE_REPO" not in os.environ:
    log.warning("COURSE_REPO is not set: learners' servers pull %s, a placeholder", COURSE_REPO)

# The course's checker (tools/grading/serve.py) as a JupyterHub service: `grader.check` in a learner's
# kernel sends that question's answers to it and gets each public check's verdict back; the expected
# values, the masters and the hidden tests stay with it. It runs from the instructor's checkout
# (CHECKER_COURSE: the course's repository with build/otter and build/fresh built by `make student`),
# as the hub's own user: make that checkout unreadable to learners (owned by the hub's user,
# `chmod 700`). Learners reach only its routes, with their server's token: api/plan, api/check and
# their own api/records; the class view (`/services/checker/class`) is for instructors.
CHECKER_COURSE = os.environ.get("CHECKER_COURSE") or str(Path(lessons_lib.__file__).resolve().parents[1])
if not (Path(CHECKER_COURSE) / "tools" / "grading" / "serve.py").is_file():
    log.warning("CHECKER_COURSE=%s is not the course's repository: the checker service will not start",
                CHECKER_COURSE)
elif (CHECKER_MODE := Path(CHECKER_COURSE).stat().st_mode & 0o777) & 0o077:
    log.warning("CHECKER_COURSE=%s is open to other users (mode %o), and it holds every answer: the "
                "masters, the autograders, the hidden tests. Learners who log in to this machine could "
                "read them: make it the hub's user's alone (chmod 700 %s)", CHECKER_COURSE,
                CHECKER_MODE, CHECKER_COURSE)
CHECKER_PORT = int(os.environ.get("CHECKER_PORT", "10101"))
CHECKER_URL = f"http://127.0.0.1:{CHECKER_PORT}"
CLASS_SCOPE = "custom:forecasting-failures:class-view"  # tools.grading.serve.CLASS_SCOPE
INSTRUCTOR_GROUP = os.environ.get("HUB_INSTRUCTOR_GROUP", "instructors")
c.JupyterHub.services = [
    {
        "name": "checker",
        "url": CHECKER_URL,
        # --warm: every lesson's master runs once at start (20-70 s each), not at a learner's first check
        "command": [sys.executable, "-m", "tools.grading.serve", "--hub", "--warm",
                    "--course", CHECKER_COURSE],
        "cwd": CHECKER_COURSE,
        "environment": {"HUB_INSTRUCTOR_GROUP": INSTRUCTOR_GROUP,
                        **{k: os.environ[k] for k in ("CHECKER_STATE", "CHECKER_BURST", "CHECKER_RATE")
                           if k in os.environ}},
        # a browser's login to the class view may carry the instructors' scope; no confirmation page
        "oauth_client_allowed_scopes": [CLASS_SCOPE],
        "oauth_no_confirm": True,
        "display": False,
    }
]
c.JupyterHub.custom_scopes = {
    CLASS_SCOPE: {"description": "Read the course checker's live class view (every learner's checks)"},
}
c.JupyterHub.load_roles = [
    # every learner may use the checker (its routes check who asks; a learner sees their own records)
    {"name": "user", "scopes": ["self", "access:services!service=checker"]},
    {"name": "instructor", "description": "The course's instructors: the checker's class view",
     "scopes": [CLASS_SCOPE, "access:services!service=checker"],
     "users": sorted(_names("HUB_ADMINS")), "groups": [INSTRUCTOR_GROUP]},
    # the checker reads the hub's user list: the class view's "not started"
    # (the class: users neither admins nor in the instructors' group)
    {"name": "checker", "scopes": ["list:users", "read:users:name", "read:users:groups"],
     "services": ["checker"]},
]
# A learner's server token (JUPYTERHUB_API_TOKEN, inherited by its kernels) may call the checker:
# JupyterHub's default for this token (the `server` role) plus access to that one service.
c.Spawner.server_token_scopes = [
    "users:activity!user", "access:servers!server", "access:services!service=checker",
]
c.Spawner.environment["COURSE_CHECKER_URL"] = f"{CHECKER_URL}/services/checker/"
