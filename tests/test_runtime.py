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


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "0", True])
def test_setup_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="seed must be a whole number"):
        helpers.setup(seed=seed)


def test_setup_applies_the_figure_style():
    import matplotlib as mpl

    helpers.setup(quiet=True)
    assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["figure.dpi"] == runtime.FIGURE_STYLE["figure.dpi"]


def test_device_name_is_cpu_or_a_gpu_name():
    name = runtime.device_name()
    assert isinstance(name, str) and name


def test_summary_names_the_gpu():
    r = runtime.Runtime(seed=0, device="GPU", device_name="NVIDIA H200", gpus=1, deterministic=False,
                        tensorflow="2.21.0")
    assert "NVIDIA H200" in r.summary and "memory growth on" in r.summary
