"""Drive the class hub (hub/jupyterhub_config.py) the way students' browsers do.

Used by the smoke test (tests/test_hub.py) and the load test (hub/classroom_bench.py):

- :func:`running_hub` starts JupyterHub on free loopback ports in a scratch folder, with a service
  token for the REST API, and stops it again (SIGINT, as Ctrl-C does), reporting any process of
  its tree that outlived the stop;
- :class:`Hub` creates users, tokens and servers through the hub's REST API and pulls the book into
  a user's home with nbgitpuller's API;
- :class:`Kernel` talks to a kernel through the hub's proxy over the kernel websocket (the Jupyter
  messaging protocol, as JupyterLab does): it runs cells, keeps the state of the widgets the kernel
  opens, and moves a slider by sending the widget's ``update`` comm message.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "hub" / "jupyterhub_config.py"
BIN = Path(sys.executable).parent
TARGET = "building-large-models"  # the folder nbgitpuller pulls the book into (as in the config)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[psutil.Process]:
    """The process ``pid`` and all its descendants (empty when it is gone)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def alive(processes: list[psutil.Process]) -> list[str]:
    """``"pid command"`` for every process of the list still running (zombies count as gone)."""
    left = []
    for p in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{p.pid} {' '.join(p.cmdline())[:120]}")
    return left


@dataclass
class Hub:
    """A running hub: its public URL, the service token, the process and its log."""

    url: str
    token: str
    process: subprocess.Popen
    state: Path
    log: Path
    repo: str
    branch: str
    survivors: list[str] = field(default_factory=list)

    # -- REST API ------------------------------------------------------------------------------
    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kwargs)

    def create_users(self, names: list[str]) -> None:
        """Create the users among ``names`` that do not exist yet (those on the class list do)."""
        existing = {u["name"] for u in self.api("GET", "/users").json()}
        names = [n for n in names if n not in existing]
        if not names:
            return
        r = self.api("POST", "/users", json={"usernames": names})
        if r.status_code != 201:
            raise RuntimeError(f"creating users failed: {r.status_code} {r.text[:300]}")

    def user_token(self, name: str) -> str:
        r = self.api("POST", f"/users/{name}/tokens", json={"expires_in": 6 * 3600, "note": "classroom"})
        if r.status_code != 201:
            raise RuntimeError(f"token for {name} failed: {r.status_code} {r.text[:300]}")
        return r.json()["token"]

    def spawn(self, name: str, timeout: float = 180) -> float:
        """Start ``name``'s server and wait until the hub says it is ready; returns seconds."""
        start = time.perf_counter()
        r = self.api("POST", f"/users/{name}/server")
        if r.status_code not in (201, 202):
            raise RuntimeError(f"spawning {name} failed: {r.status_code} {r.text[:300]}")
        while time.perf_counter() - start < timeout:
            server = self.api("GET", f"/users/{name}").json().get("servers", {}).get("")
            if server and server.get("ready"):
                return time.perf_counter() - start
            time.sleep(0.1)
        raise TimeoutError(f"{name}'s server was not ready after {timeout} s")

    async def aspawn(self, name: str, timeout: float = 180) -> float:
        return await asyncio.to_thread(self.spawn, name, timeout)

    def pull(self, name: str, token: str, timeout: float = 120) -> float:
        """Pull the book into ``name``'s home with nbgitpuller's API (what its link does); seconds."""
        query = urlencode({"repo": self.repo, "branch": self.branch, "targetpath": TARGET})
        start = time.perf_counter()
        with requests.get(f"{self.url}/user/{name}/git-pull/api?{query}", stream=True, timeout=timeout,
                          headers={"Authorization": f"token {token}"}) as r:
            if r.status_code != 200:
                raise RuntimeError(f"nbgitpuller for {name}: {r.status_code} {r.text[:300]}")
            for line in r.iter_lines(decode_unicode=True):
                if not line or not line.startswith("data:"):
                    continue
                event = json.loads(line[5:])
                if event.get("phase") == "finished":
                    return time.perf_counter() - start
                if event.get("phase") == "error":
                    raise RuntimeError(f"nbgitpuller for {name}: {event.get('message')}\n{event.get('output')}")
        raise RuntimeError(f"nbgitpuller for {name} ended without finishing")

    def session(self, name: str, token: str, path: str) -> str:
        """Open ``path`` (relative to the user's home) as JupyterLab does; returns the kernel id."""
        r = requests.post(f"{self.url}/user/{name}/api/sessions", timeout=120,
                          headers={"Authorization": f"token {token}"},
                          json={"path": path, "name": Path(path).name, "type": "notebook",
                                "kernel": {"name": "python3"}})
        if r.status_code != 201:
            raise RuntimeError(f"opening {path} for {name}: {r.status_code} {r.text[:300]}")
        return r.json()["kernel"]["id"]

    def ws_url(self, name: str, kernel_id: str) -> str:
        return (f"ws{self.url.removeprefix('http')}/user/{name}/api/kernels/{kernel_id}/channels"
                f"?session_id={uuid.uuid4().hex}")

    # -- processes -----------------------------------------------------------------------------
    def processes(self) -> list[psutil.Process]:
        return tree(self.process.pid)

    def kernel_pid(self, kernel_id: str) -> int | None:
        for p in self.processes():
            with contextlib.suppress(psutil.NoSuchProcess):
                if any(f"kernel-{kernel_id}.json" in part for part in p.cmdline()):
                    return p.pid
        return None

    def stop(self, timeout: float = 60) -> list[str]:
        """Stop the hub as Ctrl-C does (SIGINT), wait, and return the processes of its tree that
        were still running after that (then killed, so nothing is left behind either way)."""
        processes = self.processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 10
        while alive(processes) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.survivors = alive(processes)
        for p in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        return self.survivors

    def log_tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


def hub_env(state: Path, *, port: int, students=(), password: str | None = None, token: str,
            extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update({
        "HUB_STATE_DIR": str(state), "HUB_PORT": str(port), "HUB_IP": "127.0.0.1",
        "HUB_INTERNAL_PORT": str(free_port()), "HUB_PROXY_API_PORT": str(free_port()),
        "HUB_ADMIN": "teacher", "HUB_ADMIN_PASSWORD": secrets.token_urlsafe(32),
        "HUB_STUDENTS": ",".join(students), "HUB_SERVICE_TOKEN": token,
    })
    env.pop("HUB_PASSWORD", None)
    if password:
        env["HUB_PASSWORD"] = password
    env.update(extra or {})
    return env


@contextlib.contextmanager
def running_hub(state: Path, *, students=(), password: str | None = None, extra_env: dict | None = None,
                timeout: float = 60):
    """Start the class hub in ``state`` on free loopback ports; yield a :class:`Hub`; stop it.

    ``extra_env`` adds or overrides the hub's environment variables (see hub/jupyterhub_config.py).
    Raises RuntimeError, with the end of the hub's log, if it does not answer within ``timeout``.
    """
    state = Path(state).resolve()
    state.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(32)
    env = hub_env(state, port=port, students=students, password=password, token=token, extra=extra_env)
    log = state / "jupyterhub.log"
    branch = env.get("HUB_BRANCH") or subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--abbrev-ref", "HEAD"],
                                                    capture_output=True, text=True).stdout.strip()
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(CONFIG)], cwd=state, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    hub = Hub(url=f"http://127.0.0.1:{port}", token=token, process=proc, state=state, log=log,
              repo=env.get("HUB_REPO") or ROOT.as_uri(), branch=branch or "main")
    try:
        start = time.monotonic()
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the hub exited with {proc.returncode}:\n{hub.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if hub.api("GET", "/").status_code == 200 and hub.api("GET", "/users").status_code == 200:
                    break
            if time.monotonic() - start > timeout:
                raise RuntimeError(f"the hub did not answer within {timeout} s:\n{hub.log_tail()}")
            time.sleep(0.2)
        yield hub
    finally:
        hub.stop()


# -- the kernel, over the websocket -------------------------------------------------------------------
def _decode(frame) -> dict:
    """A websocket frame from jupyter_server: JSON text, or binary (parts with offsets) when the
    message carries buffers (a widget's image); only the JSON part is kept."""
    if isinstance(frame, str):
        return json.loads(frame)
    nbufs = struct.unpack("!i", frame[:4])[0]
    offsets = struct.unpack("!" + "I" * nbufs, frame[4:4 * (nbufs + 1)])
    end = offsets[1] if nbufs > 1 else None
    return json.loads(frame[offsets[0]:end].decode("utf8"))


class KernelError(RuntimeError):
    pass


class Kernel:
    """One kernel seen through the hub's proxy. Use ``async with Kernel(url, token) as k``."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.session = uuid.uuid4().hex
        self.comms: dict[str, dict] = {}  # comm id -> widget state, as the front end keeps it
        self._watch: dict[str, asyncio.Future] = {}  # comm id -> future of its next update from the kernel
        self._pending: dict[str, dict] = {}
        self._ws = None
        self._reader = None

    async def __aenter__(self):
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        request = HTTPRequest(self.url, headers={"Authorization": f"token {self.token}"}, request_timeout=60)
        self._ws = await websocket_connect(request, max_message_size=256 * 2**20)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc):
        if self._reader:
            self._reader.cancel()
        if self._ws:
            self._ws.close()

    def _message(self, msg_type: str, content: dict, channel: str = "shell") -> dict:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": msg_type, "username": "student", "session": self.session,
                  "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "version": "5.3"}
        return {"header": header, "parent_header": {}, "metadata": {}, "content": content,
                "channel": channel, "buffers": []}

    async def _read(self):
        while True:
            frame = await self._ws.read_message()
            if frame is None:  # closed: whoever waits learns it
                for pending in self._pending.values():
                    if not pending["done"].done():
                        pending["done"].set_exception(KernelError("the kernel's websocket closed"))
                return
            msg = _decode(frame)
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                self.comms[content["comm_id"]] = dict(content.get("data", {}).get("state", {}))
            elif kind == "comm_msg" and content.get("comm_id") in self.comms:
                data = content.get("data", {})
                if data.get("method") == "update":
                    self.comms[content["comm_id"]].update(data.get("state", {}))
                    watcher = self._watch.pop(content["comm_id"], None)
                    if watcher is not None and not watcher.done():
                        watcher.set_result(time.perf_counter())
            if kind == "status" and content.get("execution_state") in ("restarting", "dead", "autorestarting"):
                for waiting in self._pending.values():  # the kernel died: nothing pending will finish
                    if not waiting["done"].done():
                        waiting["done"].set_exception(KernelError(f"the kernel died ({content['execution_state']})"))
                continue
            pending = self._pending.get(msg.get("parent_header", {}).get("msg_id"))
            if pending is None:
                continue
            if kind == "execute_reply":
                pending["reply"] = content
            elif kind == "error":
                pending["error"] = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                pending["idle"] = True
            if pending["idle"] and (pending["reply"] is not None or not pending["wants_reply"]):
                if not pending["done"].done():
                    pending["done"].set_result(None)

    async def _send(self, msg: dict, wants_reply: bool, timeout: float) -> tuple[float, dict]:
        pending = {"done": asyncio.get_running_loop().create_future(), "reply": None, "error": None,
                   "idle": False, "wants_reply": wants_reply}
        self._pending[msg["header"]["msg_id"]] = pending
        start = time.perf_counter()
        await self._ws.write_message(json.dumps(msg))
        await asyncio.wait_for(pending["done"], timeout)
        self._pending.pop(msg["header"]["msg_id"], None)
        return time.perf_counter() - start, pending

    async def execute(self, code: str, timeout: float = 600) -> float:
        """Run ``code`` as a cell; seconds until the kernel is idle again. KernelError if it fails."""
        msg = self._message("execute_request", {"code": code, "silent": False, "store_history": True,
                                                "user_expressions": {}, "allow_stdin": False,
                                                "stop_on_error": True})
        seconds, pending = await self._send(msg, True, timeout)
        if pending["reply"].get("status") != "ok":
            raise KernelError(pending["error"] or f"cell failed: {pending['reply']}")
        return seconds

    def find_widget(self, model: str, description: str) -> str:
        """The comm id of the newest widget of ``model`` whose description starts with ``description``."""
        found = [cid for cid, s in self.comms.items()
                 if s.get("_model_name") == model and str(s.get("description", "")).startswith(description)]
        if not found:
            raise KernelError(f"no {model} '{description}' among the kernel's {len(self.comms)} widgets")
        return found[-1]

    async def move(self, comm_id: str, state: dict, shown_by: str, timeout: float = 120) -> float:
        """Change a widget's state as a browser does when a student moves it (an ``update`` comm
        message) and wait until the kernel sends the new state of the widget ``shown_by`` (the
        explorer's image: its callbacks may redraw in a thread, after the kernel is idle again);
        returns the seconds between the two, what the student waits for the new figure.
        KernelError (TimeoutError) if the kernel reports an error (sends no new figure)."""
        msg = self._message("comm_msg", {"comm_id": comm_id,
                                         "data": {"method": "update", "state": state, "buffer_paths": []}})
        shown = self._watch[shown_by] = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        _, pending = await self._send(msg, False, timeout)
        if pending["error"]:
            raise KernelError(pending["error"])
        try:
            end = await asyncio.wait_for(shown, timeout)
        except asyncio.TimeoutError:
            raise KernelError(f"moving widget {comm_id} to {state}: no new figure within {timeout} s") from None
        self.comms[comm_id].update(state)
        return end - start


def login(hub_url: str, username: str, password: str) -> requests.Response:
    """Sign in through the hub's login form (with its XSRF token), as a browser does; the response
    of the POST (a redirect when the password was right), with the session on ``.session``."""
    import re

    session = requests.Session()
    page = session.get(f"{hub_url}/hub/login", timeout=30)
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text)
    data = {"username": username, "password": password, **({"_xsrf": xsrf.group(1)} if xsrf else {})}
    response = session.post(f"{hub_url}/hub/login?next={quote('/hub/home')}", data=data, allow_redirects=False,
                            timeout=30)
    response.session = session
    return response
