# JupyterHub for a class on one machine, in the style of The Littlest JupyterHub.
#
# Every learner logs in, gets their own Jupyter server, and lands in the student copies: the
# default URL goes through nbgitpuller, which clones the learner repo (`make handout-repo` builds it;
# push it somewhere the hub can reach) into ~/forecasting-failures on first login and merges new
# versions in later without overwriting the learner's edits.
#
# Install:    make hub-env (the course with its [hub] extra: JupyterHub, nbgitpuller; the kernel)
# Start it:   COURSE_REPO=https://github.com/you/ff-learner .venv/bin/jupyterhub -f hub/jupyterhub_config.py
# Sizes below come from `make hub-test` (README, "Serving the course to a class").
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
# LocalProcessSpawner ignores them; systemdspawner (what TLJH uses) and KubeSpawner enforce them.
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

# Instructors (comma-separated user names) can see and stop every learner's server.
admins = {name for name in os.environ.get("HUB_ADMINS", "").split(",") if name}
if admins:
    c.Authenticator.admin_users = admins
c.Authenticator.allow_all = os.environ.get("HUB_ALLOW_ALL", "1") == "1"
