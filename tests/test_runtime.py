import random

import numpy as np
import pytest

import helpers
from helpers import runtime


def test_import_sets_tensorflow_environment():
    import os

    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"


def test_setup_prints_one_stable_line(capsys):
    first = helpers.setup(seed=3)
    out1 = capsys.readouterr().out
    second = helpers.setup(seed=3)
    out2 = capsys.readouterr().out
    assert out1 == out2
    assert out1.count("\n") == 1
    assert out1.startswith("helpers.setup: seed 3, TensorFlow ")
    assert first == second
    assert first.device in {"CPU", "GPU"}
    if first.device == "CPU":
        assert "no GPU found" in out1 and first.deterministic


def test_setup_seeds_python_numpy_and_tensorflow():
    import tensorflow as tf

    helpers.setup(seed=7, quiet=True)
    a = (random.random(), np.random.rand(), float(tf.random.uniform(())))
    helpers.setup(seed=7, quiet=True)
    b = (random.random(), np.random.rand(), float(tf.random.uniform(())))
    assert a == b


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_setup_rejects_seeds_out_of_range(seed):
    with pytest.raises(ValueError, match=r"^seed must be from 0 to 4294967295, got "):
        helpers.setup(seed=seed)


@pytest.mark.parametrize("seed", [1.5, "0", True, None])
def test_setup_rejects_seeds_of_the_wrong_type(seed):
    with pytest.raises(TypeError, match=r"^seed must be a whole number from 0 to 4294967295, got "):
        helpers.setup(seed=seed)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(deterministic="yes"), TypeError, "deterministic must be True or False"),
    (dict(quiet=1), TypeError, "quiet must be True or False"),
    (dict(logical_cpus=1), ValueError, "logical_cpus must be from 2 to 16, got 1"),
    (dict(logical_cpus=4.0), TypeError, "logical_cpus must be a whole number from 2 to 16"),
])
def test_setup_names_other_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        helpers.setup(**kwargs)


def test_setup_takes_a_numpy_seed_like_the_rest_of_the_api(capsys):
    r = helpers.setup(seed=np.int64(3), quiet=True)
    assert r.seed == 3 and type(r.seed) is int
    assert capsys.readouterr().out == ""  # quiet


def test_setup_applies_the_figure_style():
    import matplotlib as mpl

    helpers.setup(quiet=True)
    assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["figure.dpi"] == runtime.FIGURE_STYLE["figure.dpi"]


def test_device_name_reads_the_first_gpu_or_says_cpu(monkeypatch):
    import tensorflow as tf

    class FakeGPU:
        name = "/physical_device:GPU:0"

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [])
    assert runtime.device_name() == "CPU"
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [FakeGPU(), FakeGPU()])
    monkeypatch.setattr(tf.config.experimental, "get_device_details", lambda d: {"device_name": "NVIDIA H200"})
    assert runtime.device_name() == "NVIDIA H200"
    monkeypatch.setattr(tf.config.experimental, "get_device_details", lambda d: {})
    assert runtime.device_name() == "/physical_device:GPU:0"  # no name in the details: TF's device name


def test_summary_on_a_cpu_says_so():
    r = runtime.Runtime(seed=5, device="CPU", device_name="CPU", gpus=0, deterministic=True, tensorflow="2.21.0")
    assert r.summary == ("helpers.setup: seed 5, TensorFlow 2.21.0 on CPU, deterministic ops "
                         "(no GPU found: everything runs, only slower).")


def test_summary_names_the_gpu():
    r = runtime.Runtime(seed=0, device="GPU", device_name="NVIDIA H200", gpus=1, deterministic=False,
                        tensorflow="2.21.0")
    assert "NVIDIA H200" in r.summary and "memory growth on" in r.summary
