"""The class hub (hub/jupyterhub_config.py, `make hub`): a real JupyterHub with two students on
loopback. Short enough for `make test`; the load test is `make classroom-bench`."""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
import requests

from conftest import _exclusive, _run_shared_dir, skip_or_fail
from helpers import book

ROOT = book.ROOT
sys.path.insert(0, str(ROOT / "hub"))
import classroom  # noqa: E402  (hub/classroom.py: the hub driver the load test uses too)

NOTEBOOK = "book/math/losses.ipynb"  # one of the shortest chapters (about 8 s alone)
PASSWORD = "class-password-for-the-test"


@pytest.fixture(scope="module")
def proxy_installed(tmp_path_factory):
    """configurable-http-proxy from package-lock.json, installed by `make assets` (npm ci) under the
    same lock as the site build's, so two pytest workers never run npm in build/npm at once."""
    stamp = "build/.site-assets-installed"
    up_to_date = lambda: subprocess.run(["make", "-q", stamp], cwd=ROOT).returncode == 0  # noqa: E731
    if not up_to_date():
        if not shutil.which("npm"):
            skip_or_fail("the hub's proxy needs npm (Debian/Ubuntu: apt-get install nodejs npm)")
        with _exclusive(_run_shared_dir(tmp_path_factory) / "site-build.lock"):
            if not up_to_date():
                run = subprocess.run(["make", "-s", "assets"], cwd=ROOT, capture_output=True, text=True, timeout=600)
                if run.returncode != 0:
                    skip_or_fail(f"`make assets` failed, so the hub has no proxy:\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
    return ROOT / "build" / "npm" / "node_modules" / ".bin" / "configurable-http-proxy"


def test_hub_refuses_to_start_without_an_admin_password(tmp_path, proxy_installed):
    env = classroom.hub_env(tmp_path, port=classroom.free_port(), token="x" * 64)
    env["HUB_ADMIN_PASSWORD"] = "too-short"
    run = subprocess.run([str(classroom.BIN / "jupyterhub"), "-f", str(classroom.CONFIG)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "HUB_ADMIN_PASSWORD" in run.stdout + run.stderr
    assert not (tmp_path / "jupyterhub.sqlite").exists()  # it stopped before starting anything


def test_a_class_of_two(tmp_path, proxy_installed):
    """Two students sign in, get a server each with the book pulled in by nbgitpuller, and run a
    chapter at the same time; bad requests are refused; stopping the hub stops every process."""
    students = ["alice", "bob"]
    with classroom.running_hub(tmp_path, students=students, password=PASSWORD) as hub:
        # Signing in: the class password works for a student on the list, nothing else does.
        assert classroom.login(hub.url, "alice", PASSWORD).status_code == 302
        assert classroom.login(hub.url, "alice", PASSWORD + "x").status_code == 403
        assert classroom.login(hub.url, "mallory", PASSWORD).status_code == 403  # not on the class list
        assert classroom.login(hub.url, "teacher", PASSWORD).status_code == 403  # the admin has their own

        tokens = {name: hub.user_token(name) for name in students}
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(hub.spawn, students))
            list(pool.map(lambda n: hub.pull(n, tokens[n]), students))
        pulled = [tmp_path / "home" / name / classroom.TARGET / NOTEBOOK for name in students]
        assert all(path.is_file() for path in pulled)
        # the committed chapter, as nbgitpuller gave it to the students
        cells = [c.source for c in nbformat.read(pulled[0], as_version=4).cells if c.cell_type == "code"]

        # Alice cannot reach Bob's server, his user record, or start/stop his server.
        as_alice = {"Authorization": f"token {tokens['alice']}"}
        assert requests.get(f"{hub.url}/user/bob/api/contents", headers=as_alice, timeout=30).status_code == 403
        assert requests.get(f"{hub.url}/user/alice/api/contents", headers=as_alice, timeout=30).status_code == 200
        assert hub.api("GET", "/users/bob", token=tokens["alice"]).status_code in (403, 404)
        assert hub.api("DELETE", "/users/bob/server", token=tokens["alice"]).status_code in (403, 404)
        assert hub.api("GET", "/users/bob").json()["servers"][""]["ready"]  # still running

        async def run(name):
            kernel_id = hub.session(name, tokens[name], f"{classroom.TARGET}/{NOTEBOOK}")
            async with classroom.Kernel(hub.ws_url(name, kernel_id), tokens[name]) as kernel:
                for source in cells:  # hidden test cells included: the page's claims hold
                    await kernel.execute(source, timeout=120)
                # the kernel runs beside the student's copy and imports that copy's helpers
                await kernel.execute("import os, helpers; home = os.path.expanduser('~/building-large-models'); "
                                     "assert os.getcwd() == home + '/book/math', os.getcwd(); "
                                     "assert helpers.__file__.startswith(home + '/helpers/'), helpers.__file__")
            return kernel_id

        async def both():
            return await asyncio.gather(*(run(name) for name in students))

        # In a fresh thread: under xdist another test may have left an event loop running in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            kernel_ids = pool.submit(asyncio.run, both()).result()
        assert all(hub.kernel_pid(k) for k in kernel_ids)  # the kernels are the hub's descendants
        processes = hub.processes()
        # hub, proxy, idle culler, 2 servers, 2 kernels
        assert len(processes) >= 7, [p.name() for p in processes]
    assert hub.survivors == [], f"still running after the hub stopped: {hub.survivors}"
    assert classroom.alive(processes) == []


# -- each kernel's share of a GPU (helpers.setup reads BOOK_GPU_MEMORY_SHARE, which the hub passes on) --
from types import SimpleNamespace  # noqa: E402

from helpers import runtime  # noqa: E402


def test_gpu_memory_share_setting(monkeypatch):
    monkeypatch.delenv(runtime.GPU_SHARE_ENV, raising=False)
    assert runtime.gpu_memory_share() is None
    monkeypatch.setenv(runtime.GPU_SHARE_ENV, " ")
    assert runtime.gpu_memory_share() is None
    monkeypatch.setenv(runtime.GPU_SHARE_ENV, "0.25")
    assert runtime.gpu_memory_share() == 0.25
    assert runtime.gpu_memory_share(1) == 1.0  # the argument wins over the environment
    for bad in ("0", "1.5", "-0.1", "nan", "a tenth"):
        monkeypatch.setenv(runtime.GPU_SHARE_ENV, bad)
        with pytest.raises(ValueError, match=runtime.GPU_SHARE_ENV):
            runtime.gpu_memory_share()
    with pytest.raises(TypeError, match="gpu_memory_share"):
        runtime.gpu_memory_share(True)
    with pytest.raises(ValueError, match="gpu_memory_share"):
        runtime.gpu_memory_share(0.0)


def test_setup_on_the_cpu_checks_the_share_and_sets_no_cap(monkeypatch, capsys):
    monkeypatch.setenv(runtime.GPU_SHARE_ENV, "0.5")
    rt = runtime.setup(quiet=True)
    assert rt.device == "CPU" and rt.gpu_memory_limit_mib is None
    monkeypatch.setenv(runtime.GPU_SHARE_ENV, "2")
    with pytest.raises(ValueError, match=runtime.GPU_SHARE_ENV):
        runtime.setup(quiet=True)  # refused on the CPU too, so a wrong hub setting shows at once
    monkeypatch.delenv(runtime.GPU_SHARE_ENV)
    with pytest.raises(ValueError, match="gpu_memory_share"):
        runtime.setup(quiet=True, gpu_memory_share=0)


class _FakeConfig:
    """Records what _share_gpus asks of tf.config (the GPU path, without a GPU)."""

    def __init__(self, used=False):
        self.growth, self.virtual, self.used = [], [], used
        self.experimental = SimpleNamespace(set_memory_growth=self._growth)
        self.LogicalDeviceConfiguration = lambda memory_limit: ("limit", memory_limit)

    def _growth(self, gpu, on):
        if self.used:
            raise RuntimeError("Physical devices cannot be modified after being initialized")
        self.growth.append((gpu, on))

    def set_logical_device_configuration(self, gpu, configs):
        self.virtual.append((gpu, configs))


def test_share_gpus_caps_each_gpu_at_its_share_with_growth(monkeypatch, capsys):
    monkeypatch.delenv("TF_FORCE_GPU_ALLOW_GROWTH", raising=False)
    monkeypatch.setattr(runtime, "_gpu_memory_mib", lambda: [143771, 81559])  # an H200 and an 80 GB card
    tf = SimpleNamespace(config=_FakeConfig())
    assert runtime._share_gpus(tf, ["gpu0", "gpu1"], 0.1) == 8155  # the smaller cap of the two
    assert tf.config.virtual == [("gpu0", [("limit", 14377)]), ("gpu1", [("limit", 8155)])]
    assert tf.config.growth == [] and os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"

    tf = SimpleNamespace(config=_FakeConfig())
    assert runtime._share_gpus(tf, ["gpu0"], None) is None  # no share: growth only, no cap
    assert tf.config.growth == [("gpu0", True)] and tf.config.virtual == []

    monkeypatch.setattr(runtime, "_gpu_memory_mib", lambda: [])  # no nvidia-smi: growth, and it says so
    tf = SimpleNamespace(config=_FakeConfig())
    assert runtime._share_gpus(tf, ["gpu0"], 0.1) is None
    assert tf.config.growth == [("gpu0", True)] and "not applied" in capsys.readouterr().err

    tf = SimpleNamespace(config=_FakeConfig(used=True))  # TensorFlow already ran on the GPU
    assert runtime._share_gpus(tf, ["gpu0"], None) is None
    assert "restart the kernel" in capsys.readouterr().err


def test_the_summary_states_the_cap():
    rt = runtime.Runtime(seed=0, device="GPU", device_name="NVIDIA H200", gpus=1, deterministic=False,
                         tensorflow="2.21.0", gpu_memory_limit_mib=14377)
    assert "memory growth on, at most 14377 MiB" in rt.summary


# -- the Kubernetes route: hub/values.yaml (Zero to JupyterHub) and hub/Dockerfile ------------------------
import re  # noqa: E402

import yaml  # noqa: E402


def _pins() -> dict[str, str]:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    return {m[0].lower(): m[1] for m in re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", text, re.M)}


#: Zero to JupyterHub chart releases and the JupyterHub their hub runs (the chart's changelog).
Z2JH_HUB = {"4.4.0": "5.5.0"}


def _chart() -> str:
    text = (ROOT / "hub" / "values.yaml").read_text(encoding="utf-8")
    return re.search(r"--version (\d+\.\d+\.\d+)", text).group(1)


def test_dockerfile_installs_the_pinned_versions():
    pins, text = _pins(), (ROOT / "hub" / "Dockerfile").read_text(encoding="utf-8")
    args = dict(re.findall(r"^ARG (\w+)=(\S+)", text, re.M))
    for package in ("jupyterlab", "nbgitpuller", "tensorflow", "keras", "ipywidgets"):
        assert args[f"{package.upper()}_VERSION"] == pins[package], package
        assert f"'{package}': '${package.upper()}_VERSION'" in text  # the build checks what pip installed
    # jupyterhub: the chart hub's version, installed over the lock's and checked after the build.
    assert args["CHART_JUPYTERHUB_VERSION"] == Z2JH_HUB[_chart()]
    assert "'jupyterhub': '$CHART_JUPYTERHUB_VERSION'" in text
    assert 'pip install --no-cache-dir --no-deps "jupyterhub==$CHART_JUPYTERHUB_VERSION"' in text
    python = (ROOT / "runtime.txt").read_text().strip().removeprefix("python-")
    assert args["PYTHON_VERSION"] == python
    assert re.search(r"^FROM python:\$\{PYTHON_VERSION\}-", text, re.M)
    assert re.search(r"pip install --no-cache-dir -r /opt/book/requirements\.txt", text)
    assert "requirements-gpu.txt" in text and "git" in text.split("apt-get install")[1].split("&&")[0]
    assert text.strip().splitlines()[-1] == 'CMD ["jupyterhub-singleuser"]'


def test_values_yaml_names_the_pinned_image_a_gpu_profile_and_limits():
    pins = _pins()
    values = yaml.safe_load((ROOT / "hub" / "values.yaml").read_text(encoding="utf-8"))
    single = values["singleuser"]
    tag = f"tf{pins['tensorflow']}-jupyterhub{Z2JH_HUB[_chart()]}"
    assert single["image"]["tag"] == tag
    gpu = [p for p in single["profileList"] if "GPU" in p["display_name"]]
    assert len(gpu) == 1 and not gpu[0].get("default")
    override = gpu[0]["kubespawner_override"]
    assert override["image"] == f"{single['image']['name']}:{tag}-gpu"
    assert override["extra_resource_limits"]["nvidia.com/gpu"] == "1"
    assert 0 < runtime.gpu_memory_share(float(override["environment"]["BOOK_GPU_MEMORY_SHARE"])) <= 1
    assert values["hub"]["config"]["Authenticator"]["allow_all"] is False
    assert values["cull"]["enabled"] is True
    assert single["defaultUrl"].startswith("/git-pull?repo=")
    # The memory limit holds the largest kernel the book measured (book/kernel_memory.json).
    memory = json.loads((ROOT / "book" / "kernel_memory.json").read_text())["notebooks"]
    limit_mib = int(single["memory"]["limit"].removesuffix("G")) * 1024
    assert limit_mib > max(info["peak_rss_mib"] for info in memory.values())
