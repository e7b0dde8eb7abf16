"""The server as a separate process, for a notebook or a test: start it, use it, stop it."""
from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Server:
    """A running ``python -m serving`` process; ``url`` is its address, ``stop()`` ends it."""

    def __init__(self, process: subprocess.Popen, url: str):
        self.process, self.url = process, url

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20) -> int:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout`` seconds); return its exit code."""
        if self.running():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_background(model_dir, host: str = "127.0.0.1", port: int | None = None,
                     timeout: float = 120) -> Server:
    """Start the server on ``model_dir`` in its own process, wait until ``/health`` answers, and
    return a :class:`Server`. It is stopped at the latest when this Python process exits."""
    import httpx

    port = port or free_port(host)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "serving", "--model", str(model_dir), "--host", host,
                                "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    server = Server(process, f"http://{host}:{port}")
    atexit.register(server.stop)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.running():
            err = process.stderr.read()[-2000:]
            raise RuntimeError(f"the server exited with code {process.returncode}: {err}")
        try:
            if httpx.get(server.url + "/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise TimeoutError(f"the server did not answer /health within {timeout} s")
