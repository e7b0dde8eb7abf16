"""Shared test set-up: import helpers first, so TensorFlow is quiet in every test process."""
import helpers  # noqa: F401  (sets TensorFlow's environment before anything imports it)

import contextlib
import functools
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from filelock import FileLock

from helpers import book

ROOT = book.ROOT
# The book the site tests build: this repository (SITE_SOURCE=/path/to/a/scratch/book while
# developing the tests against pages the book does not have yet).
SITE_SOURCE = Path(os.environ.get("SITE_SOURCE", ROOT)).resolve()
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@contextlib.contextmanager
def _exclusive(lock_file: Path):
    """Hold an exclusive lock on ``lock_file`` (shared by every pytest-xdist worker of this run;
    ``filelock`` works on Windows and macOS too)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(lock_file):
        yield


def _run_shared_dir(tmp_path_factory) -> Path:
    """A folder shared by every xdist worker of this test run (pytest's documented recipe)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def skip_or_fail(reason: str) -> None:
    """Skip a test that cannot run here, with the reason; on CI (``CI`` set) fail instead, so a run
    where the browser, the site or its scripts are missing can never pass by skipping."""
    if os.environ.get("CI"):
        pytest.fail(f"cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The website in both languages, built once per test run (all xdist workers share it): a dict with
    ``returncode``, ``log`` (the build's output) and ``html`` (the folder of the pages).

    The site's own scripts (MathJax, require.js, the widget manager) are installed first
    with ``make assets`` (npm ci; a no-op when they are up to date)."""
    shared = _run_shared_dir(tmp_path_factory)
    out = shared / "site-build"
    record = shared / "site-build.json"
    with _exclusive(shared / "site-build.lock"):
        if not record.exists():
            assets = subprocess.run(["make", "-s", "assets"], cwd=ROOT, capture_output=True, text=True,
                                    timeout=600)
            if assets.returncode != 0:
                result = {"returncode": assets.returncode, "log": "make assets failed:\n" + assets.stdout
                          + assets.stderr}
            else:
                shutil.rmtree(out, ignore_errors=True)
                # Both editions (tools/build_site.py): English at the root, the Chinese one in zh/.
                cmd = [sys.executable, "-m", "tools.build_site", "--source", str(SITE_SOURCE), "--out", str(out)]
                build = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=1200)
                result = {"returncode": build.returncode, "log": build.stdout[-8000:] + build.stderr[-4000:]}
            result["html"] = str(out / "_build" / "html")
            record.write_text(json.dumps(result))
    result = json.loads(record.read_text())
    result["html"] = Path(result["html"])
    return result


@pytest.fixture(scope="session")
def site(built_site):
    """The folder of the built website's pages; skips the test if the build failed (the build
    test reports why)."""
    if built_site["returncode"] != 0:
        skip_or_fail("the website did not build: see test_website_builds_without_warnings_and_has_every_page")
    return built_site["html"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="session")
def site_url(site):
    """The built website served over HTTP on 127.0.0.1 (a free port) for the test session."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (no browser download: CHROMIUM or
    /usr/bin/chromium). Skips with the command to install it when it is missing."""
    if not CHROMIUM.exists():
        skip_or_fail(f"browser tests need Chromium at {CHROMIUM}: install it with "
                     "`sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM=/path/to/chromium")
    try:
        from playwright import sync_api
    except ImportError:
        skip_or_fail("browser tests need playwright (requirements.txt)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def block_other_hosts(context_or_page, blocked: list[str]) -> None:
    """Abort every request to a host other than localhost (as offline), noting its URL in ``blocked``."""
    def handle(route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
            blocked.append(url)
            route.abort("internetdisconnected")
        else:
            route.continue_()
    context_or_page.route("**/*", handle)


@pytest.fixture
def offline_page(browser):
    """A fresh browser page that can reach only localhost, with what went wrong on it:
    ``page.problems`` lists console errors, uncaught exceptions, failed and blocked requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    blocked: list[str] = []
    problems: list[str] = []
    block_other_hosts(page, blocked)
    page.on("console", lambda msg: problems.append(
        f"console {msg.type}: {msg.text} ({msg.location.get('url')})") if msg.type == "error" else None)
    page.on("pageerror", lambda err: problems.append(f"uncaught exception: {err}"))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url} ({req.failure})"))
    page.on("response", lambda resp: problems.append(f"HTTP {resp.status}: {resp.url}")
            if resp.status >= 400 else None)
    page.blocked = blocked
    page.problems = problems
    yield page
    context.close()
