"""JupyterHub for a class on one machine: `make hub` runs `jupyterhub -f hub/jupyterhub_config.py`.

Everything is set from environment variables, so the same file serves `make hub`, the smoke test
(tests/test_hub.py) and the load test (`make classroom-bench`):

  HUB_ADMIN_PASSWORD  required, 32 characters or more: the admin's password. There is no default.
  HUB_PASSWORD        the class password (8 characters or more) students sign in with; unset: nobody
                      but the admin can sign in with a password.
  HUB_ADMIN           the admin's user name (default: teacher).
  HUB_STUDENTS        the class list: user names separated by commas or spaces, or @FILE for a file
                      with one name a line. Only these names (and users the admin adds) can sign in.
  HUB_IP, HUB_PORT    where students connect (default 127.0.0.1:8000).
  HUB_STATE_DIR       the hub's database, cookie secret and the students' home folders
                      (default build/hub).
  HUB_REPO, HUB_BRANCH  what nbgitpuller pulls into each home (default: this repository, its
                      current branch; the committed state, not uncommitted edits).
  HUB_CULL_IDLE       seconds after which an idle server is stopped (default 3600).
  HUB_MEM_LIMIT, HUB_CPU_LIMIT  per-user limits (advisory with this spawner, see below).
  HUB_MAX_SERVERS     at most this many running servers (0: no limit).
  HUB_KERNEL_MEM_LIMIT  hard cap on each process's address space in a student's server (e.g. 16G;
                      default: none).
  BOOK_GPU_MEMORY_SHARE  passed to every kernel: helpers.setup() caps each kernel's GPU memory at
                      this share of the GPU (e.g. 0.1), with memory growth.

Authenticator: JupyterHub's built-in SharedPasswordAuthenticator. A local class needs no accounts
on the machine and no sign-up: the teacher writes the class list and gives out one class password;
the admin has a separate, long password. Its limit, stated by JupyterHub itself: anyone who knows
the class password can sign in as any student on the list. For a class whose students must be kept
apart from each other, use an authenticator with a password per person (e.g. NativeAuthenticator,
or the school's OAuth/LDAP) and the Kubernetes chart (hub/values.yaml).

Spawner: SimpleLocalProcessSpawner (built in): every student's server runs as the Unix user who runs
the hub, with its home in HUB_STATE_DIR/home/<name>. It needs no root and no accounts, which is why a
teacher can start it from a laptop; it does not isolate students' files from each other's code.

Limits. Enforced: the class list (no open sign-up), the number of running servers
(HUB_MAX_SERVERS), the idle culler (jupyterhub-idle-culler stops servers idle for HUB_CULL_IDLE
seconds), idle kernels shut down inside each server after the same time, and, when set, a hard
address-space limit per process (HUB_KERNEL_MEM_LIMIT, RLIMIT_AS: a kernel that allocates more gets a
MemoryError instead of taking the machine's memory). Advisory only: HUB_MEM_LIMIT and HUB_CPU_LIMIT;
the local spawner does not enforce mem_limit/cpu_limit (only the systemd, Docker and Kubernetes
spawners do), it passes them to the server as MEM_LIMIT and CPU_LIMIT.
"""
import os
import resource
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
c = get_config()  # noqa: F821  (JupyterHub's config loader provides it)


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _bytes(name: str) -> int | None:
    """A size like 16G, 512M or 1000000 (bytes) from the environment variable ``name``."""
    value = _env(name).upper().removesuffix("B").removesuffix("I")
    if not value:
        return None
    factor = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(value[-1:], 1)
    try:
        number = float(value[:-1] if factor > 1 else value)
    except ValueError:
        raise SystemExit(f"{name} must be a size such as 16G or 512M, not {os.environ[name]!r}") from None
    if number <= 0:
        raise SystemExit(f"{name} must be positive, not {os.environ[name]!r}")
    return int(number * factor)


def _students(spec: str) -> set[str]:
    if spec.startswith("@"):
        spec = Path(spec[1:]).read_text(encoding="utf-8")
    return {name for name in spec.replace(",", " ").split() if not name.startswith("#")}


# -- where -----------------------------------------------------------------------------------------
TARGET = "building-large-models"  # the folder in each home that nbgitpuller pulls the book into
STATE = Path(_env("HUB_STATE_DIR") or ROOT / "build" / "hub").resolve()
STATE.mkdir(parents=True, exist_ok=True)
c.JupyterHub.ip = _env("HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(_env("HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(_env("HUB_INTERNAL_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server ...
c.JupyterHub.cleanup_proxy = True  # ... and the proxy: nothing keeps running after Ctrl-C

# The proxy: configurable-http-proxy, pinned in package.json / package-lock.json (`make assets`).
proxy = _env("HUB_PROXY_CMD") or str(ROOT / "build" / "npm" / "node_modules" / ".bin" / "configurable-http-proxy")
if not Path(proxy).exists():
    raise SystemExit(f"configurable-http-proxy is not installed at {proxy}: run `make assets` (npm ci) first.")
c.ConfigurableHTTPProxy.command = [proxy]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(_env('HUB_PROXY_API_PORT', '8001'))}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# -- who -------------------------------------------------------------------------------------------
admin = _env("HUB_ADMIN", "teacher")
if len(_env("HUB_ADMIN_PASSWORD")) < 32:
    raise SystemExit(
        "Set HUB_ADMIN_PASSWORD to a password of 32 characters or more for the admin account "
        f"({admin!r}); there is no default. For example:\n"
        "  export HUB_ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.admin_users = {admin}
c.SharedPasswordAuthenticator.admin_password = _env("HUB_ADMIN_PASSWORD")
if _env("HUB_PASSWORD"):
    c.SharedPasswordAuthenticator.user_password = _env("HUB_PASSWORD")
c.Authenticator.allow_all = False  # no open sign-up: only the class list and users the admin adds
c.Authenticator.allowed_users = _students(_env("HUB_STUDENTS"))
c.Authenticator.allow_existing_users = True

# A service token for scripts that drive the hub (the load test); only when one is given.
if _env("HUB_SERVICE_TOKEN"):
    c.JupyterHub.services = [{"name": "classroom", "api_token": _env("HUB_SERVICE_TOKEN")}]
    c.JupyterHub.load_roles = [{"name": "classroom", "services": ["classroom"],
                                "scopes": ["admin:users", "admin:servers", "tokens", "access:servers",
                                           "read:users", "list:users"]}]
else:
    c.JupyterHub.services = []
    c.JupyterHub.load_roles = []

# -- the students' servers -------------------------------------------------------------------------
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
# Stopping: JupyterHub's defaults (SIGINT, 10 s, SIGTERM, 5 s, SIGKILL) leave a server time to shut
# its kernels down; with 16 students on 2 busy cores, 5 s + 3 s left one kernel behind.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
cull = int(_env("HUB_CULL_IDLE", "3600"))
c.Spawner.args = [
    # idle kernels inside a server are shut down too (a student with five chapters open)
    f"--MappingKernelManager.cull_idle_timeout={cull}",
    "--MappingKernelManager.cull_interval=60",
    "--MappingKernelManager.cull_connected=True",
]
if os.geteuid() == 0:  # CI and containers run as root; jupyter_server refuses that unless told
    c.Spawner.args.append("--ServerApp.allow_root=True")
c.Spawner.environment = {
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
    "TF_FORCE_GPU_ALLOW_GROWTH": "true",  # memory growth even before helpers.setup() runs
    "BOOK_GPU_MEMORY_SHARE": _env("BOOK_GPU_MEMORY_SHARE"),
    "NBGITPULLER_APP": "lab",
    # Kernels import `helpers` from the student's own copy of the book (nbgitpuller's), so the
    # notebooks and their package always come from the same commit.
    "PYTHONPATH": lambda spawner: str(Path(spawner.home_dir) / TARGET),
}
if _env("HUB_MEM_LIMIT"):
    c.Spawner.mem_limit = _env("HUB_MEM_LIMIT")  # advisory: passed on as MEM_LIMIT
if _env("HUB_CPU_LIMIT"):
    c.Spawner.cpu_limit = float(_env("HUB_CPU_LIMIT"))  # advisory: passed on as CPU_LIMIT
c.JupyterHub.active_server_limit = int(_env("HUB_MAX_SERVERS", "0"))

address_space = _bytes("HUB_KERNEL_MEM_LIMIT")
if address_space:
    from jupyterhub.spawner import SimpleLocalProcessSpawner

    class LimitedSpawner(SimpleLocalProcessSpawner):
        """SimpleLocalProcessSpawner whose server, and every kernel it starts, has RLIMIT_AS set."""

        def make_preexec_fn(self, name):
            make_home = super().make_preexec_fn(name)

            def preexec():
                make_home()
                resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

            return preexec

    c.JupyterHub.spawner_class = LimitedSpawner

# nbgitpuller: every student's server opens on a link that pulls the book into their home folder
# (a clone the first time, a merge that keeps the student's edits afterwards), then opens the book.
repo = _env("HUB_REPO") or ROOT.as_uri()
branch = _env("HUB_BRANCH") or subprocess.run(
    ["git", "-C", str(ROOT), "rev-parse", "--abbrev-ref", "HEAD"], capture_output=True, text=True
).stdout.strip() or "main"
c.Spawner.default_url = (f"/git-pull?repo={repo}&branch={branch}&targetpath={TARGET}"
                         f"&urlpath=lab/tree/{TARGET}/book/first_model.ipynb")

# -- the idle culler: a service the hub starts and stops with itself --------------------------------
c.JupyterHub.services.append({
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={cull}", "--cull-every=60"],
})
c.JupyterHub.load_roles.append({
    "name": "idle-culler", "services": ["idle-culler"],
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
})

print(f"hub/jupyterhub_config.py: http://{c.JupyterHub.ip}:{c.JupyterHub.port}/ admin {admin!r}, "
      f"{len(c.Authenticator.allowed_users)} students on the class list, state in {STATE}, "
      f"book from {shlex.quote(repo)} ({branch}), idle servers culled after {cull} s", file=sys.stderr)
