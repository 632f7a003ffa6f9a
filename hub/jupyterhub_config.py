# JupyterHub for a class on one machine, in the style of The Littlest JupyterHub.
#
# Every learner logs in, gets their own Jupyter server, and lands in the student copies: the
# default URL goes through nbgitpuller, which clones the learner repo (`make handout-repo` builds it;
# push it somewhere the hub can reach) into ~/forecasting-failures on first login and merges new
# versions in later without overwriting the learner's edits.
#
# Install:    make hub-env (the course with its [hub] extra: JupyterHub, nbgitpuller; the kernel)
# Start it:   COURSE_REPO=<the learner repo's URL> HUB_ADMINS=<instructor> HUB_ALLOWED_GROUPS=<class group> \
#               .venv/bin/jupyterhub -f hub/jupyterhub_config.py
# Who gets in: the system users (PAM) named in HUB_ALLOWED_USERS or in a system group named in
# HUB_ALLOWED_GROUPS (comma-separated), and the admins. No one else: HUB_ALLOW_ALL=1 lets every
# system user in, and says so in the log.
# Sizes below come from `make hub-test` (README, "Serving the course to a class").
import logging
import os
import shutil
from urllib.parse import urlencode

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
