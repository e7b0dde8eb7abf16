"""helpers: the small package behind *Building Large Models — an interactive book*.

Importing it quiets TensorFlow's C++ logs and fixes its CPU kernels, so it must be
imported before TensorFlow. Notebooks start with::

    import helpers
    helpers.setup()
"""
from __future__ import annotations

import os as _os
import sys as _sys

if "tensorflow" in _sys.modules:  # too late to quiet it: say how to fix it
    import warnings as _warnings

    _warnings.warn(
        "helpers was imported after tensorflow, so TensorFlow's C++ logs are not silenced and CPU "
        "results may differ; restart the kernel and run `import helpers` first.",
        stacklevel=2,
    )

# These two must be set before TensorFlow is imported (see FACTS.md): the first
# silences the C++ log lines that would otherwise land in a notebook's stderr,
# the second selects the same CPU kernels everywhere, so stored outputs repeat.
_os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
_os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from . import check  # noqa: E402
from .runtime import Runtime, setup  # noqa: E402

__all__ = ["Runtime", "check", "setup"]
__version__ = "0.1.0"
