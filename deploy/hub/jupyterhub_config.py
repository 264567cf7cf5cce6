"""JupyterHub configuration for a safetyrater course on one machine.

Every person has a local (Unix) account; JupyterHub's LocalProcessSpawner runs
each one's Jupyter server as that account, so the operating system's file
permissions keep learners apart and keep the instructor's course (answer keys,
submissions, gradebook) private. nbgrader's exchange, a folder everyone can
write to, carries released exercises, submissions and feedback between them.

The settings come from a JSON file named by $SAFETYRATER_HUB_SETTINGS
(``safetyrater hub up`` writes one for a trial; deploy/README.md lists the keys):

    instructor    the account that runs nbgrader's formgrader
    course_dir    the instructor's course checkout (private to the instructor)
    learners      the learner accounts
    kit           the learner kit (``safetyrater hub kit``): lessons without keys
    exchange      nbgrader's exchange folder (mode 1777)
    state_dir     JupyterHub's database, cookie secret and proxy pid (mode 700)
    course_id     nbgrader course id (default "safetyrater")
    ip, port      where the hub listens (default 127.0.0.1:8000)
    hub_port, proxy_api_port   internal ports (default 8081, 8001)
    api_token_file  optional: a token for a service with admin rights (scripts, tests)
    jupyter_config  optional: where the roles' Jupyter configuration is (default: jupyter/ here)
    proxy, singleuser  optional: commands for configurable-http-proxy and jupyterhub-singleuser

Run it as root: ``SAFETYRATER_HUB_SETTINGS=hub.json jupyterhub -f deploy/hub/jupyterhub_config.py``.
"""

import json
import os
import pwd
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

here = Path(__file__).resolve().parent
settings_file = os.environ.get("SAFETYRATER_HUB_SETTINGS")
if not settings_file:
    sys.exit("jupyterhub_config.py: set SAFETYRATER_HUB_SETTINGS to the course's hub settings (JSON)")
settings = json.loads(Path(settings_file).read_text(encoding="utf-8"))

instructor = settings["instructor"]
learners = list(settings["learners"])
course_id = settings.get("course_id", "safetyrater")
state_dir = Path(settings["state_dir"])
env_bin = Path(sys.executable).parent

# --- the hub and its proxy: on one address, state kept private --------------------------
c.JupyterHub.bind_url = f"http://{settings.get('ip', '127.0.0.1')}:{settings.get('port', 8000)}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(settings.get("hub_port", 8081))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.get('proxy_api_port', 8001)}"
c.ConfigurableHTTPProxy.command = [settings.get("proxy", str(here / "node" / "node_modules" / ".bin" / "configurable-http-proxy"))]
c.ConfigurableHTTPProxy.pid_file = str(state_dir / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state_dir / "jupyterhub_cookie_secret")
# stopping the hub stops every server it started, and its proxy
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- who may log in: local accounts, each with its own password -------------------------
# PAM checks the account's own password, so a learner cannot log in as another
# learner (a shared-password authenticator would let them, and then no file
# permission would keep their work apart).
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = {instructor, *learners}
c.Authenticator.admin_users = set(settings.get("admin_users", []))

# A service with admin rights for scripts (and the trial's test): its token is
# read from a root-only file, never written into this configuration.
token_file = settings.get("api_token_file")
if token_file:
    c.JupyterHub.services = [{"name": "course-admin", "api_token": Path(token_file).read_text().strip()}]
    c.JupyterHub.load_roles = [
        {
            "name": "course-admin",
            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "list:users", "read:users"],
            "services": ["course-admin"],
        }
    ]

# --- each person's server: their own account, their own home ------------------------------
c.JupyterHub.spawner_class = "localprocess"
# the single-user environment: one every account can run (``safetyrater hub env``)
singleuser = Path(settings.get("singleuser", env_bin / "jupyterhub-singleuser"))
c.Spawner.cmd = [str(singleuser)]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
# JupyterLab starts slowly on a busy machine
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120


def pre_spawn_hook(spawner):
    """Give each server the Jupyter configuration and course files of its role."""
    name = spawner.user.name
    role = "instructor" if name == instructor else "learner"
    env = spawner.environment
    # nbgrader's extensions and settings for the role, before the environment's own
    env["JUPYTER_CONFIG_PATH"] = str(Path(settings.get("jupyter_config", here / "jupyter")) / role)
    env["PATH"] = os.pathsep.join([str(singleuser.parent), "/usr/local/bin", "/usr/bin", "/bin"])
    env["SAFETYRATER_EXCHANGE"] = settings["exchange"]
    env["SAFETYRATER_COURSE_ID"] = course_id
    if role == "instructor":
        # the full course, with its keys: readable by the instructor only
        env["SAFETYRATER_ROOT"] = settings["course_dir"]
    else:
        # the learner kit: lessons and public exercise cases, no keys
        env["SAFETYRATER_ROOT"] = settings["kit"]
        _give_lessons(name, Path(settings["kit"]) / "course")


def _give_lessons(name, lessons):
    """Copy the lesson notebooks into a learner's home once: answers are saved beside them."""
    account = pwd.getpwnam(name)
    target = Path(account.pw_dir) / "course"
    if target.exists():
        return
    shutil.copytree(lessons, target)
    for path in [target, *target.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid)
        path.chmod(0o700 if path.is_dir() else 0o600)


c.Spawner.pre_spawn_hook = pre_spawn_hook
