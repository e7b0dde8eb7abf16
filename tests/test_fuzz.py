"""Property-based fuzzing of every public entry point of ``helpers`` (issue 22).

Every public function, class and method of the package is listed once in :data:`CASES` (or, for a
plain record that only a helper builds, in :data:`RECORDS` with the reason);
``test_every_public_entry_point_is_listed`` fails when a new one is not.

Each case names the arguments of one entry point. For each example Hypothesis picks one argument
and gives it a value of one of three kinds, the other arguments keeping a valid default:

* ``good``: a valid value (including zero, negatives, huge numbers and empty arrays where they are
  valid). The call must return, with no NaN in the result (finite input, finite output), and the
  case's ``check`` must hold: an independent property of the right answer where the test can know it.
* ``bad_type``: a value of the wrong type (a string, ``None``, a bool for a number, a float for a
  count, an array of strings, a ragged list...): the call must raise ``TypeError`` naming the argument.
* ``bad_value``: a value of the right type that is wrong (NaN, ±inf, negative or zero counts,
  out-of-range numbers, empty or mis-shaped arrays, unknown options): ``ValueError`` naming it.

Never another exception. The checkers of ``helpers.check`` get a fourth kind, ``answer``: junk
answers (functions that raise or return NaN, strings, ``None``, arrays of the wrong shape; values
of the wrong type): a checker must return a failing ``Verdict``, never raise.

Entry points that train or execute (TensorFlow, a notebook kernel) are fuzzed with bad values only:
those must be refused before any work starts. Examples are drawn from a fixed seed
(``derandomize``), so the run is repeatable; ``FUZZ_EXAMPLES=500`` draws more per case.
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import os
import pkgutil
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import helpers
from helpers import _args, book, data, explore, nn, params, plots, runtime, text
from helpers.check import _core, concepts, optim

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
NAN, INF = float("nan"), float("inf")


# ------------------------------------------------------------------------------------------------
# What an argument accepts and refuses
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Arg:
    default: object
    good: st.SearchStrategy | None = None
    bad_type: st.SearchStrategy | None = None
    bad_value: st.SearchStrategy | None = None
    #: the word the error message must contain (default: the argument's name)
    named: str | None = None
    #: exceptions accepted for a bad value (a missing file is FileNotFoundError, as Python says)
    value_errors: tuple[type[BaseException], ...] = (ValueError,)


class Lazy:
    """A default made on first use (a trained model, a data split): ``Lazy(make)``; ``fresh=True``
    makes a new one for every call (a blank matplotlib Axes)."""

    def __init__(self, make, fresh: bool = False):
        self.make, self.fresh, self.box = make, fresh, []

    def __call__(self):
        if self.fresh:
            return self.make()
        if not self.box:
            self.box.append(self.make())
        return self.box[0]


def _int_or_numpy(v: int):
    return st.sampled_from([v, np.int64(v)]) if abs(v) < 2**62 else st.just(v)


#: Values no number, count or array may be.
JUNK = st.one_of(st.none(), st.text(max_size=4), st.binary(max_size=3), st.just(object()), st.just({"a": 1}),
                 st.complex_numbers(allow_nan=False, allow_infinity=False, max_magnitude=10).filter(lambda c: c.imag))
#: ... nor any single number (lists, 1-element arrays).
SCALAR_JUNK = JUNK | st.lists(st.integers(0, 3), min_size=1, max_size=2) | st.just(np.array([1.0]))
HUGE = 10**30


def Int(default, low: int = 1, high: int | None = None, *, good_high: int | None = None, named=None) -> Arg:
    """A whole number from ``low`` to ``high``; valid draws go up to ``good_high`` (default: ``high``,
    or 10**30 when there is no upper bound and the value only enters arithmetic)."""
    top = good_high if good_high is not None else (high if high is not None else HUGE)
    good = st.integers(low, top).flatmap(_int_or_numpy)
    bad_type = SCALAR_JUNK | st.booleans() | st.floats(allow_nan=True, allow_infinity=True)
    bad_value = st.integers(low - HUGE, low - 1).flatmap(_int_or_numpy)
    if high is not None:
        bad_value = bad_value | st.integers(high + 1, high + HUGE).flatmap(_int_or_numpy)
    return Arg(default, good, bad_type, bad_value, named)


def Seed(default=0) -> Arg:
    return Int(default, 0, 2**32 - 1)


def Real(default, low: float | None = None, high: float | None = None, *, above: float | None = None,
         good_low: float | None = None, good_high: float | None = None, named=None) -> Arg:
    """A finite number in ``[low, high]`` (``> above``); valid draws within ``[good_low, good_high]``."""
    lo = good_low if good_low is not None else (above if above is not None else low)
    hi = good_high if good_high is not None else high
    lo = -1e300 if lo is None else lo
    hi = 1e300 if hi is None else hi
    good = st.floats(lo, hi, exclude_min=good_low is None and above is not None, allow_nan=False,
                     allow_infinity=False)
    ints = (math.ceil(lo) + (1 if good_low is None and above is not None and float(above).is_integer() else 0),
            math.floor(hi))
    if ints[0] <= ints[1]:
        good = good | st.integers(max(ints[0], -HUGE), min(ints[1], HUGE))
    bad_type = SCALAR_JUNK | st.booleans()
    bad_value = st.sampled_from([NAN, INF, -INF, np.float64(NAN)])
    floor = above if above is not None else low
    if floor is not None:
        bad_value = bad_value | st.floats(-1e300, floor, exclude_max=above is None, allow_nan=False, allow_infinity=False)
    if high is not None:
        bad_value = bad_value | st.floats(high, 1e300, exclude_min=True, allow_nan=False, allow_infinity=False)
    return Arg(default, good, bad_type, bad_value, named)


def Flag(default=True, *, none: bool = False, named=None) -> Arg:
    good = st.booleans() | st.booleans().map(np.bool_)
    if none:
        good = good | st.none()
    bad_type = (JUNK.filter(lambda v: v is not None) if none else JUNK) | st.integers(0, 1) | st.floats(0, 1)
    return Arg(default, good, bad_type, None, named)


def Choice(default, options, *, named=None) -> Arg:
    options = tuple(options)
    return Arg(default, st.sampled_from(options),
               st.none() | st.integers() | st.floats() | st.lists(st.sampled_from(options), min_size=1, max_size=2),
               st.text(max_size=12).filter(lambda s: s not in options), named)


def Text(default, *, empty: bool = True, named=None) -> Arg:
    good = st.text(max_size=40, min_size=0 if empty else 1)
    return Arg(default, good, st.none() | st.integers() | st.floats() | st.binary(max_size=3) | st.lists(st.text(), max_size=2),
               None if empty else st.just(""), named)


def Obj(default, *, named=None, extra_bad: st.SearchStrategy | None = None) -> Arg:
    """An object of a given kind (a model, an rng, a dict of parameters): junk is a TypeError."""
    return Arg(default, None, SCALAR_JUNK if extra_bad is None else SCALAR_JUNK | extra_bad, None, named)


def Fn(default, *, named=None) -> Arg:
    return Arg(default, None, SCALAR_JUNK, None, named)


def Path_(default, *, named=None) -> Arg:
    return Arg(default, None, st.none() | st.integers() | st.floats() | st.just(object()) | st.lists(st.integers(), min_size=1),
               st.just(Path("/nonexistent/fuzz/missing.ipynb")), named, (ValueError, FileNotFoundError))


def _shape(shape, n):
    return tuple(n if s is None else s for s in shape)


def Arr(default, shape, *, low=-1e6, high=1e6, values=None, empty_ok=False, infinite=False, nan_ok=False,
        ints=False, named=None, max_n=8, any_shape=False) -> Arg:
    """An array of numbers of ``shape`` (``None``: any length, from 1 or 0 when ``empty_ok``)."""
    lo_n = 0 if empty_ok else 1
    if values is not None:
        elements = st.sampled_from(tuple(values))
    elif ints:
        elements = st.integers(int(low), int(high))
    else:
        elements = st.floats(low, high, allow_nan=False, allow_infinity=False)
        if infinite:
            elements = elements | st.sampled_from([INF, -INF])

    def arrays(n_low, n_high):
        return st.integers(n_low, n_high).flatmap(
            lambda n: st.lists(elements, min_size=math.prod(_shape(shape, n)), max_size=math.prod(_shape(shape, n)))
            .map(lambda v, n=n: np.array(v, dtype=np.int64 if ints or (values is not None and all(
                float(x).is_integer() for x in values)) else np.float64).reshape(_shape(shape, n))))

    good = arrays(lo_n, max_n)
    good = good | good.map(lambda a: a.tolist())
    bad_type = (JUNK | st.just(np.array(["a", "b"])) | st.just([[1.0, 2.0], [3.0]])
                | st.just(np.array([1 + 2j, 3j])))
    nonfinite = []
    if not nan_ok:
        nonfinite.append(NAN)
    if not infinite:
        nonfinite.append(INF)
    bad = []
    if nonfinite:
        bad.append(arrays(1, max_n).flatmap(lambda a: st.sampled_from(nonfinite).map(
            lambda v, a=a: _poison(a, v))))
    if not empty_ok and None in shape:
        bad.append(st.just(np.zeros(_shape(shape, 0))))
    if not any_shape:
        bad.append(arrays(1, 3).map(lambda a: a[..., None]))  # one axis too many
    if len(shape) > 1 and not any_shape:
        bad.append(arrays(1, 3).map(lambda a: a.reshape(-1)[:1] if a.ndim > 1 else a))  # too few axes
    if values is not None:
        outside = int(max(values)) + 1
        bad.append(arrays(1, max_n).map(lambda a: _poison(a, outside)))
    return Arg(default, good, bad_type, st.one_of(*bad), named)


def _poison(a: np.ndarray, v) -> np.ndarray:
    out = np.array(a, dtype=np.float64 if not isinstance(v, int) else a.dtype)
    if out.size:
        out.flat[0] = v
    return out


# ------------------------------------------------------------------------------------------------
# Junk answers for the checkers
# ------------------------------------------------------------------------------------------------
def _raiser(exc):
    def fn(*args, **kwargs):
        raise exc
    return fn


def _returns(value):
    return lambda *args, **kwargs: value


JUNK_VALUES = st.one_of(
    st.none(), st.text(max_size=6), st.just(NAN), st.just(INF), st.just(-INF), st.just(True),
    st.just(np.array([NAN, 1.0])), st.just(np.array(["a", "b"])), st.just(np.zeros((0,))),
    st.just(np.zeros((3, 4, 5))), st.just([None, 1]), st.just({"a": NAN}), st.just(1 + 2j), st.just(object()),
    st.just(10**400), st.just(np.array([[1, 2], [3]], dtype=object)), st.just(-1e300),
)
JUNK_ANSWERS = st.one_of(
    JUNK_VALUES, JUNK_VALUES.map(_returns),
    st.sampled_from([NotImplementedError, ZeroDivisionError("x"), TypeError("y"), RecursionError(),
                     KeyError("k"), IndexError(), MemoryError(), OverflowError(), FloatingPointError()]).map(_raiser),
)


# ------------------------------------------------------------------------------------------------
# Cases
# ------------------------------------------------------------------------------------------------
@dataclass
class Case:
    call: Callable[..., object]
    args: dict[str, Arg] = field(default_factory=dict)
    check: Callable[..., None] | None = None  # check(result, **kwargs): the right answer's properties
    modes: tuple[str, ...] = ("good", "bad_type", "bad_value")
    nan_ok: bool = False
    examples: int | None = None
    answer: str | None = None  # a checker's answer argument: junk answers must fail, never raise


CASES: dict[str, Case] = {}


def case(name: str, call, args: dict | None = None, **kw) -> None:
    assert name not in CASES, name
    CASES[name] = Case(call, args or {}, **kw)


def checker(name: str, call, answer: str = "fn", args: dict | None = None, **kw) -> None:
    """A checker: junk answers get a failing Verdict; its other (author's) arguments are fuzzed too."""
    case(name, call, {answer: Arg(_returns(None)), **(args or {})}, answer=answer, **kw)


#: Plain records that only helpers build (their fields are checked where they are built), with
#: where their methods are tested.
RECORDS: dict[str, str] = {}


def record(name: str, why: str) -> None:
    RECORDS[name] = why


def _lazy(make):
    """A value made once, on first use (a trained model, a notebook on disk)."""
    box = []

    def get():
        if not box:
            box.append(make())
        return box[0]
    return get


def _close(a, b, rtol=1e-9, atol=0.0):
    return np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


# --- helpers._args ----------------------------------------------------------------------------
def _is_int(out, value):
    assert type(out) is int and out == int(value)


case("helpers._args.whole", lambda value: _args.whole("count", value, 2, 50),
     {"value": Int(3, 2, 50, named="count")}, check=_is_int)
case("helpers._args.number", lambda value: _args.number("rate", value, -5, 5),
     {"value": Real(1.0, -5, 5, named="rate")}, check=lambda out, value: (type(out) is float and out == float(value)))
case("helpers._args.seed", lambda value: _args.seed("seed", value), {"value": dataclasses.replace(Seed(), named="seed")},
     check=_is_int)
case("helpers._args.flag", lambda value: _args.flag("bias", value), {"value": Flag(named="bias")},
     check=lambda out, value: type(out) is bool and out == bool(value))
case("helpers._args.choice", lambda value: _args.choice("kind", value, ("a", "bb")),
     {"value": Choice("a", ("a", "bb"), named="kind")}, check=lambda out, value: out == value)
case("helpers._args.finite_array", lambda value: _args.finite_array("x", value, shape=(None, 2)),
     {"value": Arr([[0.0, 1.0]], (None, 2), named="x")},
     check=lambda out, value: out.dtype == np.float64 and _close(out, np.asarray(value, float)))

# --- helpers.nn -------------------------------------------------------------------------------
PARAMS = nn.init_two_layer(3, 4, seed=1)
X3 = np.linspace(-1, 1, 15).reshape(5, 3)
Y5 = np.array([0, 1, 1, 0, 1.0])
BAD_PARAMS = st.sampled_from([{"W1": PARAMS["W1"]}, {**PARAMS, "b1": np.zeros(5)}, {**PARAMS, "W2": np.full((4, 1), NAN)},
                              {**PARAMS, "W1": np.zeros((2, 4))}])


def _sigmoid_check(out, z):
    z = np.asarray(z, float)
    assert out.shape == z.shape and np.all((out >= 0) & (out <= 1))
    assert _close(nn.sigmoid(-z), 1 - out, atol=1e-15)  # symmetric
    with np.errstate(over="ignore"):
        assert _close(out, 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-300)


def _bce_check(out, z, y):
    z, y = np.ravel(np.asarray(z, float)), np.ravel(np.asarray(y, float))
    assert out >= 0
    small = np.abs(z) < 30
    if small.all():  # the textbook formula is exact enough there
        p = 1 / (1 + np.exp(-z))
        assert _close(out, -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rtol=1e-9, atol=1e-12)


def _grad_check(out, params, x, y, hidden):
    num = nn.numerical_gradients(lambda p: nn.two_layer_loss(p, x, y, hidden), params)
    for k in nn.PARAM_NAMES:
        assert out[k].shape == np.shape(params[k])
        assert np.allclose(out[k], num[k], atol=1e-6), k


case("helpers.nn.sigmoid", nn.sigmoid, {"z": Arr([0.0], (None,), low=-1e308, high=1e308, infinite=True, empty_ok=True,
                                             any_shape=True)},
     check=_sigmoid_check)
case("helpers.nn.bce_from_logits", nn.bce_from_logits,
     {"z": Arr(np.zeros(5), (5,), low=-1e300, high=1e300, any_shape=True),
      "y": Arr(Y5, (5,), values=(0, 1, 0.5), any_shape=True)}, check=_bce_check)
case("helpers.nn.init_two_layer", nn.init_two_layer,
     {"n_in": Int(3, 1, 10_000, good_high=40), "n_hidden": Int(4, 1, 10_000, good_high=40), "seed": Seed()},
     check=lambda out, n_in, n_hidden, seed: out["W1"].shape == (n_in, n_hidden) and out["W2"].shape == (n_hidden, 1))
FWD = {"params": Arg(PARAMS, None, SCALAR_JUNK.filter(lambda v: not isinstance(v, dict)), BAD_PARAMS), "x": Arr(X3, (None, 3), low=-10, high=10),
       "hidden": Choice("tanh", nn.HIDDEN)}
case("helpers.nn.two_layer_forward", nn.two_layer_forward, FWD,
     check=lambda out, params, x, hidden: np.all((out["p"] >= 0) & (out["p"] <= 1)) and out["p"].shape == (len(x), 1))
XY = {**FWD, "x": Arr(X3, (5, 3), low=-10, high=10), "y": Arr(Y5, (5,), values=(0, 1), any_shape=True)}
case("helpers.nn.two_layer_loss", nn.two_layer_loss, XY, check=lambda out, **kw: _bce_check(
    nn.two_layer_forward(kw["params"], kw["x"], kw["hidden"])["z2"].ravel(), kw["y"], out) if False else out >= 0)
case("helpers.nn.two_layer_gradients", nn.two_layer_gradients, XY, check=_grad_check, examples=15)


def _numgrad_check(out, loss, params, eps):
    if eps >= 1e-7:
        for k, v in params.items():
            assert np.allclose(out[k], 2 * np.asarray(v, float), atol=1e-3 + 1e-6 * np.abs(v).max(initial=0))


case("helpers.nn.numerical_gradients", nn.numerical_gradients,
     {"loss": Fn(lambda p: float(sum(np.sum(np.asarray(v) ** 2) for v in p.values()))),
      "params": Arg({"w": np.array([0.5, -2.0])}, st.dictionaries(st.sampled_from("abc"), Arr(None, (None,), low=-100, high=100,
                                                                                                max_n=3).good, max_size=2),
                    SCALAR_JUNK.filter(lambda v: not isinstance(v, dict)),
                    st.just({"w": np.array([NAN])})),
      "eps": Real(1e-6, 1e-12, 1.0)}, check=_numgrad_check)
case("helpers.nn.relative_error", nn.relative_error,
     {"a": Arr(np.ones(4), (4,)), "b": Arr(np.ones(4), (4,))},
     check=lambda out, a, b: 0 <= out <= 1 and (out == 0) == np.array_equal(np.asarray(a, float), np.asarray(b, float)))

# --- helpers.params -----------------------------------------------------------------------------
COUNT = dict(good_high=HUGE)


def _dense_check(out, inputs, units, bias):
    assert type(out) is int and out == params.dense_params(inputs, units, False) + (units if bias else 0)
    assert params.dense_params(inputs, units, False) == params.embedding_params(inputs, units)


case("helpers.params.dense_params", params.dense_params,
     {"inputs": Int(3, 1), "units": Int(2, 1), "bias": Flag()}, check=_dense_check)
case("helpers.params.conv2d_params", params.conv2d_params,
     {"in_channels": Int(3, 1), "filters": Int(8, 1),
      "kernel_size": Arg(3, st.integers(1, 99) | st.tuples(st.integers(1, 9), st.integers(1, 9)),
                         st.none() | st.floats() | st.text(max_size=2) | st.tuples(st.floats(), st.floats()),
                         st.integers(-5, 0) | st.tuples(st.integers(1, 3), st.integers(-3, 0))),
      "bias": Flag()},
     check=lambda out, in_channels, filters, kernel_size, bias: out == params.dense_params(
         in_channels * math.prod((kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size), filters, bias))
case("helpers.params.embedding_params", params.embedding_params, {"vocab": Int(10, 1), "dim": Int(4, 1)},
     check=lambda out, vocab, dim: out == int(vocab) * int(dim))
case("helpers.params.layer_norm_params", params.layer_norm_params, {"dim": Int(8, 1)},
     check=lambda out, dim: out == 2 * int(dim))
case("helpers.params.attention_params", params.attention_params,
     {"d_model": Arg(64, st.sampled_from([8, 64, 768, 12288]), Int(64).bad_type, Int(64).bad_value),
      "heads": Arg(8, st.sampled_from([1, 2, 4, 8]), Int(8).bad_type, Int(8).bad_value | st.just(3)), "bias": Flag()},
     check=lambda out, d_model, heads, bias: out == 4 * d_model * d_model + (4 * d_model if bias else 0))
SIZES = st.lists(st.integers(1, 10**6), min_size=2, max_size=5)
case("helpers.params.mlp_params", params.mlp_params,
     {"sizes": Arg([2, 16, 1], SIZES | SIZES.map(tuple), st.none() | st.integers() | st.text() | st.lists(st.floats(), min_size=2),
                   st.lists(st.integers(1, 9), max_size=1) | st.lists(st.integers(-9, 0), min_size=2, max_size=3),
                   named="sizes"),
      "bias": Flag()},
     check=lambda out, sizes, bias: out == sum(params.dense_params(a, b, bias) for a, b in zip(sizes[:-1], sizes[1:])))


def _width_check(out, inputs, outputs, hidden_layers, budget):
    def count(w):
        return params.mlp_params([inputs] + [w] * hidden_layers + [outputs])
    assert count(out) <= budget < count(out + 1)


case("helpers.params.width_for_budget", params.width_for_budget,
     {"inputs": Int(2, 1, good_high=100), "outputs": Int(1, 1, good_high=100), "hidden_layers": Int(2, 1, 64),
      "budget": Arg(10**6, st.integers(10**6, 10**15), Int(1).bad_type, st.integers(-10, 6))}, check=_width_check)
case("helpers.params.transformer_block_params", params.transformer_block_params,
     {"d_model": Arg(64, st.sampled_from([8, 64, 768, 12288]), Int(1).bad_type, Int(1).bad_value),
      "heads": Arg(8, st.sampled_from([1, 2, 4, 8]), Int(1).bad_type, Int(1).bad_value),
      "d_ff": Arg(None, st.none() | st.integers(1, 10**6), Int(1).bad_type.filter(lambda v: v is not None), Int(1).bad_value)},
     check=lambda out, d_model, heads, d_ff: d_ff is not None or out == 12 * d_model**2 + 13 * d_model)
TF_ARGS = {"layers": Int(2, 1, 1000), "d_model": Arg(64, st.sampled_from([8, 64, 768]), Int(1).bad_type, Int(1).bad_value),
           "heads": Arg(8, st.sampled_from([1, 2, 8]), Int(1).bad_type, Int(1).bad_value),
           "vocab": Int(1000, 1, good_high=10**6), "context": Int(128, 1, good_high=10**6),
           "d_ff": Arg(None, st.none() | st.integers(1, 10**5), Int(1).bad_type.filter(lambda v: v is not None),
                       Int(1).bad_value),
           "tied_embeddings": Flag(), "kind": Choice("decoder", ("decoder", "encoder")),
           "segments": Int(2, 1, good_high=10), "pretraining_heads": Flag()}


def _breakdown_check(out, **kw):
    assert all(type(v) is int and v >= 0 for v in out.values())
    assert sum(out.values()) == params.transformer_params(**kw)
    blocks = kw["layers"] * params.transformer_block_params(kw["d_model"], kw["heads"], kw["d_ff"])
    assert sum(out.values()) >= blocks + kw["vocab"] * kw["d_model"]


case("helpers.params.transformer_breakdown", params.transformer_breakdown, TF_ARGS, check=_breakdown_check)
case("helpers.params.transformer_params", params.transformer_params, TF_ARGS,
     check=lambda out, **kw: out == sum(params.transformer_breakdown(**kw).values()))
DTYPES = tuple(params.BYTES_PER_VALUE)
MEM = {"params": Int(10**6, 1), "dtype": Choice("fp32", DTYPES), "optimizer": Choice("adam", tuple(params.OPTIMIZER_STATES)),
       "master_weights": Flag(None, none=True)}


def _memory_check(out, **kw):
    assert out.total == sum(out.as_dict().values()) == params.training_memory_bytes(**kw)
    assert out.weights == kw["params"] * params.BYTES_PER_VALUE[kw["dtype"]]


case("helpers.params.training_memory", params.training_memory, MEM, check=_memory_check)
case("helpers.params.training_memory_bytes", params.training_memory_bytes, MEM,
     check=lambda out, **kw: out >= params.inference_memory_bytes(kw["params"], kw["dtype"]))
case("helpers.params.inference_memory_bytes", params.inference_memory_bytes,
     {"params": Int(10**6, 1), "dtype": Choice("bf16", DTYPES)},
     check=lambda out, params, dtype: out == int(params) * helpers.params.BYTES_PER_VALUE[dtype])
MEMORY = params.training_memory(10**6)
case("helpers.params.Memory.total", lambda: MEMORY.total, check=lambda out: out == 16 * 10**6)
case("helpers.params.Memory.as_dict", lambda: MEMORY.as_dict(), check=lambda out: sum(out.values()) == 16 * 10**6)
record("helpers.params.Memory", "built by training_memory; total and as_dict are cases")
record("helpers.params.Published", "a published model's row in params.PUBLISHED, written by hand with its source")

# --- helpers.text ---------------------------------------------------------------------------------
FULL = len(text.corpus())
case("helpers.text.corpus", text.corpus,
     {"max_chars": Arg(None, st.none() | st.integers(1000, 10**30), Int(1).bad_type.filter(lambda v: v is not None),
                       st.integers(-10**30, 999))},
     check=lambda out, max_chars: len(out) == (FULL if max_chars is None else min(max_chars, FULL)))
VOCAB = text.CharVocab.from_text("hello, world")
ALPHA = st.text(alphabet="helo, wrd", max_size=30)
case("helpers.text.CharVocab", text.CharVocab,
     {"chars": Arg("abc", st.text(max_size=20).map(lambda s: "".join(dict.fromkeys(s))), Text("a").bad_type,
                   st.text(min_size=1, max_size=5).map(lambda s: s + s[0]))},
     check=lambda out, chars: out.size == len(chars))
case("helpers.text.CharVocab.from_text", text.CharVocab.from_text, {"text": Text("ab", empty=False)},
     check=lambda out, text: out.decode(out.encode(text)) == text and out.size == len(set(text)))
case("helpers.text.CharVocab.size", lambda: VOCAB.size, check=lambda out: out == len(set("hello, world")))
case("helpers.text.CharVocab.encode", VOCAB.encode,
     {"text": Arg("hello", ALPHA, Text("").bad_type, st.text(min_size=1, max_size=5).filter(lambda s: set(s) - set(VOCAB.chars)))},
     check=lambda out, text: VOCAB.decode(out) == text and out.dtype.kind == "i")
case("helpers.text.CharVocab.decode", VOCAB.decode,
     {"ids": Arg([0, 1], st.lists(st.integers(0, VOCAB.size - 1), max_size=20).flatmap(lambda v: st.sampled_from([v, np.array(v, np.int64)])),
                 JUNK.filter(lambda v: not isinstance(v, dict)) | st.just([1.5, 2.0]) | st.just(np.array([0.0])),
                 st.lists(st.integers(0, 100), min_size=1, max_size=3).map(lambda v: v + [-1]) | st.just([VOCAB.size]))},
     check=lambda out, ids: VOCAB.encode(out).tolist() == list(np.asarray(ids, int).ravel()))
CHARS = _lazy(lambda: text.char_data(max_chars=4000))
case("helpers.text.char_data", text.char_data,
     {"max_chars": Arg(4000, st.integers(1000, 6000), Int(1).bad_type.filter(lambda v: v is not None), st.integers(-5, 999)),
      "val_fraction": Real(0.1, 0.01, 0.5)},
     check=lambda out, max_chars, val_fraction: len(out.train) + len(out.val) == max_chars)


def _batch_check(out, rng, batch_size, context, split):
    x, y = out
    assert x.shape == y.shape == (batch_size, context)
    assert np.array_equal(x[:, 1:], y[:, :-1])


case("helpers.text.CharData.batch", lambda **kw: CHARS().batch(**kw),
     {"rng": Obj(np.random.default_rng(0), extra_bad=st.just(np.random.RandomState(0))),
      "batch_size": Int(4, 1, 100_000, good_high=64), "context": Int(8, 1, None, good_high=300),
      "split": Choice("train", ("train", "val"))}, check=_batch_check)
record("helpers.text.CharData", "built by char_data; its batch method is a case")
SAMPLE = "the cat sat on the mat; the cat ate the rat"
BPE = text.train_bpe(SAMPLE, 12)
case("helpers.text.train_bpe", text.train_bpe, {"text": Text(SAMPLE, empty=False), "merges": Int(12, 0, 5000, good_high=40)},
     check=lambda out, text, merges: out.decode(out.encode(text)) == text and out.vocab_size <= 256 + merges
     and len(out.encode(text)) <= len(text.encode("utf-8")))
case("helpers.text.BPE", text.BPE,
     {"merges": Arg(((116, 104),), st.just(BPE.merges) | st.just(()), st.none() | st.integers() | st.text(max_size=3),
                    st.just(((1, 300),)) | st.just(((1,),)) | st.just(((-1, 2),)))},
     check=lambda out, merges: out.decode(out.encode(SAMPLE)) == SAMPLE)
case("helpers.text.BPE.vocab_size", lambda: BPE.vocab_size, check=lambda out: out == 256 + 12)
case("helpers.text.BPE.token_bytes", BPE.token_bytes, {"token": Int(260, 0, BPE.vocab_size - 1)},
     check=lambda out, token: BPE.encode(out.decode("latin-1")).tolist() == [token] if token < 128 or token >= 256 and out.isascii()
     else isinstance(out, bytes))
case("helpers.text.BPE.encode", BPE.encode, {"text": Text("the cat")},
     check=lambda out, text: BPE.decode(out) == text)
case("helpers.text.BPE.decode", BPE.decode,
     {"ids": Arg([1, 2], st.lists(st.integers(0, 127), max_size=20), Text("").bad_type.filter(lambda v: not isinstance(v, list))
                 | st.just([1.5]), st.just([BPE.vocab_size]) | st.just([-1]))},
     check=lambda out, ids: out == bytes(ids).decode("ascii"))

# --- helpers.data -----------------------------------------------------------------------------------
X8 = np.arange(16.0).reshape(8, 2)
Y8 = np.array([0, 1] * 4, float)


def _toy_check(out, name, n, noise, seed):
    x, y = out
    assert x.shape == (n, 2) and y.shape == (n,) and x.dtype == y.dtype == np.float32
    assert set(np.unique(y)) <= {0.0, 1.0}
    assert name == "xor" or abs(int(y.sum()) * 2 - n) <= 1  # balanced classes (xor labels by quadrant)
    assert np.array_equal(x, data.toy(name, n, noise, seed)[0])  # the same seed, the same points


case("helpers.data.toy", data.toy,
     {"name": Choice("moons", data.TOY_DATASETS), "n": Int(40, 4, 100_000, good_high=500), "noise": Real(0.1, 0.0, 1.0),
      "seed": Seed()}, check=_toy_check)


def _split_check(out, x, y, train_fraction, seed):
    assert len(out.x_train) + len(out.x_val) == len(x) and len(out.x_train) >= 1 and len(out.x_val) >= 1
    rows = sorted(map(tuple, np.concatenate([out.x_train, out.x_val]).tolist()))
    assert rows == sorted(map(tuple, np.asarray(x, float).tolist()))


case("helpers.data.split", data.split,
     {"x": Arr(X8, (8, 2), any_shape=True), "y": Arr(Y8, (8,), any_shape=True),
      "train_fraction": Real(0.5, 0.05, 0.95), "seed": Seed()}, check=_split_check)
record("helpers.data.Split", "built by data.split")


def _standardise_check(out, train, other):
    train = np.asarray(train, float)
    assert len(out) == 2 and out[0].shape == train.shape and out[1].shape == np.shape(other)
    spread = train.std(axis=0) > 1e-3 * np.abs(train).max(initial=1.0)
    assert np.allclose(out[0].mean(axis=0), 0, atol=1e-3)
    assert np.allclose(out[0].std(axis=0)[spread], 1, atol=1e-3)


case("helpers.data.standardise", lambda train, other: data.standardise(train, other),
     {"train": Arr(X8, (None, 2), low=-1e3, high=1e3), "other": Arr(X8[:3], (None, 2), named="others")}, check=_standardise_check)

# --- helpers.plots ----------------------------------------------------------------------------------
def _ax():
    from matplotlib.figure import Figure
    return Figure().subplots()


AX = Arg(Lazy(_ax, fresh=True), None, SCALAR_JUNK, None)


def OPTIONAL(arg: Arg) -> Arg:
    """An argument for which None means "leave it out"."""
    return dataclasses.replace(arg, bad_type=arg.bad_type.filter(lambda v: v is not None))
case("helpers.plots.grid", plots.grid, {"limit": Real(1.5, 1e-6, 1e6), "size": Int(60, 2, 2000, good_high=80)},
     check=lambda out, limit, size: out[2].shape == (size * size, 2) and _close(out[2].min(), -limit, 1e-6)
     and _close(out[2].max(), limit, 1e-6))
case("helpers.plots.scatter_classes", lambda ax, **kw: plots.scatter_classes(ax, **kw),
     {"ax": AX, "x": Arr(X8, (8, 2)), "y": Arr(Y8, (8,), values=(0, 1), any_shape=True), "size": Real(12, above=0, good_high=1e3),
      "edge": Flag()}, check=lambda out, **kw: len(out.get_offsets()) == 8)
case("helpers.plots.decision_boundary", lambda ax, **kw: plots.decision_boundary(ax, **kw),
     {"ax": AX, "predict": Arg(lambda p: nn.sigmoid(p[:, 0]), st.just(np.full((10, 10), 0.3)),
                               SCALAR_JUNK.filter(lambda v: not isinstance(v, np.ndarray)),
                               st.sampled_from([np.zeros((3, 3)), np.full((10, 10), 2.0), lambda p: p, lambda p: p[:, 0] * 5])),
      "x": OPTIONAL(Arr(X8, (8, 2))), "y": OPTIONAL(Arr(Y8, (8,), values=(0, 1), any_shape=True)),
      "limit": Real(1.5, 1e-6, 1e6),
      "size": Arg(10, None, Int(1).bad_type, st.integers(-5, 1))},
     check=lambda out, **kw: out.get_array().shape == (10, 10))
case("helpers.plots.loss_curves", lambda ax, **kw: plots.loss_curves(ax, **kw),
     {"ax": AX, "curves": Arg({"train": [1.0, 0.5]}, st.dictionaries(st.text(max_size=3), Arr(None, (None,), empty_ok=True,
                                                                                                 nan_ok=True, infinite=True).good, max_size=3),
                              st.none() | st.lists(st.floats(), max_size=2) | st.just({"a": "text"}),
                              st.just({"a": [[1.0, 2.0]]})),
      "log": Flag(False), "xlabel": Text("epoch")},
     check=lambda out, curves, **kw: len(out.lines) == len(curves))

# --- helpers.runtime ----------------------------------------------------------------------------------
case("helpers.runtime.import_tensorflow", runtime.import_tensorflow, check=lambda out: hasattr(out, "constant"))
case("helpers.runtime.apply_style", runtime.apply_style,
     check=lambda out: __import__("matplotlib").rcParams["axes.grid"] is True)
case("helpers.runtime.device_name", runtime.device_name, check=lambda out: isinstance(out, str) and out)
case("helpers.runtime.gpu_memory_share", runtime.gpu_memory_share,
     {"share": Arg(None, st.none() | st.floats(1e-6, 1.0), Real(0.5).bad_type.filter(lambda v: v is not None),
                   Real(0.5, high=1, above=0).bad_value, named="gpu_memory_share")}, check=lambda out, share: out == share or share is None)
case("helpers.runtime.current", runtime.current, check=lambda out: out is None or isinstance(out, runtime.Runtime))
case("helpers.runtime.setup", runtime.setup,
     {"seed": Seed(), "deterministic": Flag(None, none=True), "logical_cpus": Arg(None, None, Int(2).bad_type.filter(
         lambda v: v is not None), st.integers(-5, 1) | st.integers(17, 100)), "quiet": Flag(True)},
     modes=("bad_type", "bad_value"))
RT = runtime.Runtime(seed=0, device="GPU", device_name="NVIDIA H100", gpus=2, deterministic=True, tensorflow="2.21")
case("helpers.runtime.Runtime.summary", lambda: RT.summary, check=lambda out: "H100" in out and "2 GPU" in out)
record("helpers.runtime.Runtime", "built by setup; summary is a case")
_AGG = ("Matplotlib's canvas and renderer interface, which Matplotlib calls with its own arguments: "
        "tests/test_widgets.py::test_glyph_cache_draws_matplotlibs_pixels compares its pixels with Matplotlib's, "
        "test_text_metrics_are_matplotlibs its text metrics")
for _name in ("GlyphCachingCanvas", "GlyphCachingCanvas.get_renderer", "GlyphCachingRenderer",
              "GlyphCachingRenderer.draw_text", "GlyphCachingRenderer.draw_mathtext",
              "GlyphCachingRenderer.get_text_width_height_descent", "GlyphCachingRenderer.prepare_text"):
    record(f"helpers.widgets._agg.{_name}", _AGG)
for _name in ("record", "replay"):
    record(f"helpers.widgets._agg.{_name}", "the explorers' drawing of static artists, called by Explorer.png only: "
           "tests/test_widgets.py::test_live_frames_are_full_draws_pixel_for_pixel")

# --- helpers.book -----------------------------------------------------------------------------------
_NB_DIR = Path(tempfile.mkdtemp(prefix="fuzz-nb-"))


def _tiny_notebook() -> Path:
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1", execution_count=1, outputs=[
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)])])
    path = _NB_DIR / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


TINY = _tiny_notebook()
case("helpers.book.toc_files", lambda root: book.toc_files(root),
     {"root": Path_(ROOT)}, check=lambda out, root: all(p.exists() for p in out) and len(out) > 3)
case("helpers.book.toc_notebooks", lambda root: book.toc_notebooks(root),
     {"root": Path_(ROOT)}, check=lambda out, root: all(p.suffix == ".ipynb" for p in out))
case("helpers.book.normalise", book.normalise,
     {"nb": Arg(Lazy(lambda: __import__("nbformat").read(TINY, 4)), None, JUNK | st.integers(), None)})
case("helpers.book.notebook_problems", book.notebook_problems,
     {"path": Path_(TINY)}, check=lambda out, path: out == [])
case("helpers.book.execute_notebook", book.execute_notebook,
     {"path": Path_(TINY), "timeout": Int(60, 1, 86_400), "kernel": Text("python3", empty=False),
      "store": Flag(), "memory": Arg(None, None, SCALAR_JUNK.filter(lambda v: v is not None and not isinstance(v, dict)), None)},
     modes=("bad_type", "bad_value"), examples=15)

# --- helpers.explore ----------------------------------------------------------------------------------
REGIMES = {"too small", "good", "oscillating", "on the edge", "diverging"}
case("helpers.explore.quadratic_regime", explore.quadratic_regime,
     {"lr": Real(0.1, above=0, good_low=1e-6, good_high=1e6), "curvature": Real(10.0, above=0, good_low=1e-6, good_high=1e6),
      "smallest_curvature": Arg(None, st.none() | st.floats(1e-6, 10), Real(1).bad_type.filter(lambda v: v is not None),
                                Real(1, above=0).bad_value)},
     check=lambda out, lr, curvature, smallest_curvature: out in REGIMES
     and (out == "diverging") == (lr * curvature > 2 + 1e-12))


def _path_check(out, lr, curvatures, start, steps):
    assert out.points.shape[1] == len(out.curvatures)
    edge = lr * max(out.curvatures)
    if edge < 1.999:  # |1 - lr L| < 1 along every axis: converges from any start
        assert out.diverged_at is None and len(out.losses) == steps + 1
        assert out.losses[-1] <= out.losses[0] * (1 + 1e-12)
    if out.diverged_at is None:
        assert np.all(np.isfinite(out.losses))


case("helpers.explore.quadratic_path", explore.quadratic_path,
     {"lr": Real(0.1, above=0, high=1000.0), "curvatures": Arg((1.0, 10.0), st.lists(st.floats(1e-3, 1e3), min_size=1, max_size=2),
                                                             st.none() | st.text(max_size=2) | st.integers() | st.just([1.0, "a"]),
                                                             st.just([]) | st.just([1.0, 2.0, 3.0]) | st.just([1.0, -1.0]) | st.just([NAN])),
      "start": Arg(None, st.tuples(st.floats(-1e100, 1e100), st.floats(-1e100, 1e100)), st.text(max_size=2) | st.just(["a", "b"]),
                   st.just((1.0, 2.0, 3.0)) | st.just((NAN, 0.0)) | st.just((1e101, 0.0))),
      "steps": Int(40, 1, 10_000, good_high=300)}, check=_path_check)
def _adam_check(out, grad, m, v, t):
    step, m_new, v_new = out
    grad, m, v = (np.asarray(a, float) for a in (grad, m, v))
    assert np.allclose(m_new, 0.9 * m + 0.1 * grad) and np.allclose(v_new, 0.999 * v + 0.001 * grad**2)
    if t == 1 and not m.any() and not v.any():  # the first step from zero moments: g / (|g| + eps), about ±1
        assert np.allclose(step, grad / (np.abs(grad) + 1e-7), rtol=1e-12)


G3 = np.array([0.5, -2.0, 0.0])
case("helpers.explore.adam_step", explore.adam_step,
     {"grad": Arr(G3, (3,), low=-1e100, high=1e100), "m": Arr(np.zeros(3), (3,), low=-1e100, high=1e100),
      "v": Arg(np.zeros(3), Arr(G3, (3,), low=0, high=1e100).good, Arr(G3, (3,)).bad_type,
               Arr(G3, (3,)).bad_value | st.just(np.array([-1.0, 0, 0]))),
      "t": Int(1, 1, good_high=10**6)}, check=_adam_check)
PATH = explore.quadratic_path(0.1)
case("helpers.explore.QuadraticPath.regime", lambda: PATH.regime, check=lambda out: out == "good")
record("helpers.explore.QuadraticPath", "built by quadratic_path; regime is a case")
case("helpers.explore.MLPConfig", explore.MLPConfig,
     {"hidden": Arg((16, 16), st.lists(st.integers(1, 256), max_size=6).map(tuple), st.none() | st.text(max_size=2) | st.integers()
                    | st.just((2.5,)), st.just((0,)) | st.just((1,) * 7) | st.just((300,)), named="hidden"),
      "activation": Choice("tanh", explore.ACTIVATIONS), "optimizer": Choice("sgd", explore.OPTIMIZERS),
      "steps": Int(300, 1, 5000), "batch_size": Arg(None, st.none() | st.integers(1, 100_000), Int(1).bad_type.filter(
          lambda v: v is not None), Int(1, 1, 100_000).bad_value), "inputs": Int(2, 1, 10_000)},
     check=lambda out, **kw: out.n_params == params.mlp_params(list(out.sizes)))
CONFIG = explore.MLPConfig(hidden=(4,), steps=5)
case("helpers.explore.MLPConfig.sizes", lambda: CONFIG.sizes, check=lambda out: out == (2, 4, 1))
case("helpers.explore.MLPConfig.n_params", lambda: CONFIG.n_params, check=lambda out: out == 17)
case("helpers.explore.init_params", explore.init_params,
     {"sizes": Arg((2, 4, 1), st.lists(st.integers(1, 50), min_size=2, max_size=4).map(tuple), st.none() | st.text(max_size=2)
                   | st.integers() | st.just((1,)), st.just((0, 1)) | st.just((2, -1))), "seed": Seed()},
     check=lambda out, sizes, seed: [p.shape for p in out[0::2]] == list(zip(sizes[:-1], sizes[1:]))
     and all(not b.any() for b in out[1::2]))
XT, YT = data.toy("gauss", 40, seed=1)
GRID = plots.grid(1.0, 3)[2]
TRAINER_ARGS = {"config": Obj(CONFIG), "x_train": Arr(XT, (None, 2), low=-5, high=5, max_n=12),
                "y_train": Arr(YT, (40,), values=(0, 1), any_shape=True),
                "grid": Arr(GRID, (None, 2)), "seed": Seed(), "jit": Flag(False)}
NOT_NONE = lambda v: v is not None  # noqa: E731  (None means "no validation data", "no grid")
TRAINER_ARGS["grid"] = Arg(GRID, Arr(GRID, (None, 2)).good, Arr(GRID, (None, 2)).bad_type.filter(NOT_NONE),
                           Arr(GRID, (None, 2)).bad_value)
TRAINER_ARGS["x_val"] = Arg(XT[:10], Arr(XT[:10], (10, 2)).good, Arr(XT, (10, 2)).bad_type.filter(NOT_NONE),
                            Arr(XT, (10, 2)).bad_value
                            | st.just(np.zeros((10, 3))))
TRAINER_ARGS["y_val"] = Arg(YT[:10], Arr(YT[:10], (10,), values=(0, 1)).good, Arr(YT, (10,)).bad_type.filter(NOT_NONE),
                            Arr(YT, (10,), values=(0, 1), any_shape=True).bad_value | st.just(np.zeros(9)))
TRAINER_ARGS["x_train"] = Arg(XT, Arr(XT, (40, 2), low=-5, high=5).good, Arr(XT, (40, 2)).bad_type,
                              Arr(XT, (40, 2)).bad_value | st.just(np.zeros((40, 3))))
case("helpers.explore.MLPTrainer", explore.MLPTrainer, TRAINER_ARGS,
     check=lambda out, **kw: [p.shape for p in out.init] == [(2, 4), (4,), (4, 1), (1,)])
def RATE(arg: Arg) -> Arg:
    """A rate for MLPTrainer.train: a list of rates is valid too (one model per rate)."""
    return dataclasses.replace(arg, bad_type=JUNK | st.booleans() | st.just([True, False]))


TRAINER = _lazy(lambda: explore.MLPTrainer(CONFIG, XT, YT, XT[:10], YT[:10], GRID, jit=False))
case("helpers.explore.MLPTrainer.train", lambda **kw: TRAINER().train(**kw),
     {"lr": RATE(Real(0.1, above=0, high=100.0)), "l1": RATE(Real(0.0, 0.0, 10.0)), "l2": RATE(Real(0.0, 0.0, 10.0)),
      "start": Arg(None, None, st.just("a") | st.just(5), st.just([np.zeros((1, 2, 4))] * 4) | st.just([np.zeros(3)]) | st.just(
          [np.full((1, 2, 4), NAN), np.zeros((1, 4)), np.zeros((1, 4, 1)), np.zeros((1, 1))])),
      "step0": Int(0, 0)}, modes=("bad_type", "bad_value"))
case("helpers.explore.MLPTrainer.train_in_two", lambda **kw: TRAINER().train_in_two(**kw),
     {"lr": RATE(Real(0.1, above=0, high=100.0)), "l1": RATE(Real(0.0, 0.0, 10.0)), "l2": RATE(Real(0.0, 0.0, 10.0)),
      "step0": Int(0, 0)}, modes=("bad_type", "bad_value"))
RESULT = _lazy(lambda: TRAINER().train([0.1, 0.5]))
case("helpers.explore.MLPResult.setting", lambda k: RESULT().setting(k), {"k": Int(0, 0, 1)},
     check=lambda out, k: out.train_loss.shape[0] == 1 and np.array_equal(out.train_loss[0], RESULT().train_loss[k]))


def _predict_check(out, x, activation, k):
    assert out.shape == (len(x),) and np.all((out >= 0) & (out <= 1))
    if activation == "tanh" and len(x) == 9 and np.array_equal(np.asarray(x), GRID):
        assert np.allclose(out, RESULT().grid_probs[k], atol=1e-4)  # NumPy and the TensorFlow loop agree


case("helpers.explore.MLPResult.predict", lambda **kw: RESULT().predict(**kw),
     {"x": Arg(GRID, Arr(GRID, (None, 2), low=-10, high=10).good | st.just(GRID), Arr(GRID, (None, 2)).bad_type,
               Arr(GRID, (None, 2), empty_ok=True).bad_value | st.just(np.zeros((3, 3)))),
      "activation": Choice("tanh", explore.ACTIVATIONS), "k": Int(0, 0, 1)}, check=_predict_check)
case("helpers.explore.MLPResult.weights", lambda k: RESULT().weights(k), {"k": Int(0, 0, 1)},
     check=lambda out, k: out.shape == (12,))
record("helpers.explore.MLPResult", "built by MLPTrainer.train; setting, predict and weights are cases")

# --- helpers.check (mine: _core, concepts, optim) -------------------------------------------------------
PROBLEM = _core._AnswerProblem


def _answer_problem(call, value):
    """Call ``call(value)``: a result, or the checker's own _AnswerProblem; nothing else."""
    try:
        return call(value)
    except PROBLEM:
        return None


case("helpers.check._core.call_answer", lambda fn: _answer_problem(lambda f: _core.call_answer(f, 1.0), fn),
     {"fn": Arg(_returns(1), JUNK_ANSWERS, None, None)}, nan_ok=True)
for _name in ("as_array", "as_number", "as_int"):
    case(f"helpers.check._core.{_name}", lambda out, _f=getattr(_core, _name): _answer_problem(lambda v: _f(v, "it"), out),
         {"out": Arg(1, JUNK_VALUES | st.integers() | st.floats() | st.lists(st.floats(), max_size=3), None, None)},
         nan_ok=_name == "as_array",
         check=lambda res, out, _n=_name: res is None or (_n != "as_number" or math.isfinite(res))
         and (_n != "as_int" or type(res) is int and res == out))
record("helpers.check._core.Verdict", "what every checker returns; each checker case asserts it")
checker("helpers.check._core.accuracy_function", _core.accuracy_function)
for _name in ("linear_predict", "gpt_block_params", "mlp_param_count", "budget_width", "temperature_softmax",
              "conv_output_size", "bpe_merge", "frequency_bin"):
    checker(f"helpers.check.concepts.{_name}", getattr(concepts, _name))
checker("helpers.check.concepts.trend_extrapolation", concepts.trend_extrapolation, "value",
        {"per_year": Real(2.0, above=0, good_high=100.0), "start": Real(540e9, above=0, good_high=1e15),
         "years": Int(8, 1, 100)})
checker("helpers.check.concepts.context_param_count",
        lambda fn, **kw: concepts.context_param_count(fn, **kw), "fn",
        {"vocab_size": Int(65, 1, good_high=10**6), "embed": Int(16, 1, good_high=10**4), "hidden": Int(256, 1, good_high=10**4)})
checker("helpers.check.concepts.embedding_balance_width", concepts.embedding_balance_width, "value",
        {"layers": Int(12, 1, good_high=1000), "vocab": Int(50257, 1, good_high=10**7), "context": Int(1024, 1, good_high=10**7)})
checker("helpers.check.concepts.compute_optimal_size", concepts.compute_optimal_size, "value",
        {"flops": Real(1e21, above=0, good_high=1e40)})
_PARTS = _lazy(lambda: data.split(*data.toy("gauss", 40, seed=0)))
checker("helpers.check.concepts.gamma_accuracies", lambda answer: concepts.gamma_accuracies(answer, _PARTS()), "answer")
checker("helpers.check.concepts.identity_network_accuracy",
        lambda value: concepts.identity_network_accuracy(value, _PARTS()), "value", examples=2)
checker("helpers.check.concepts.shifted_accuracies",
        lambda answer: concepts.shifted_accuracies(answer, {"m": _returns(np.zeros((4, 10)))}, np.zeros((4, 8, 8)),
                                                   np.zeros(4, int)), "answer")
for _name in ("gd_step", "soft_threshold"):
    checker(f"helpers.check.optim.{_name}", getattr(optim, _name))
checker("helpers.check.optim.stable_rate", optim.stable_rate, "value")
if hasattr(optim, "scaled_rate"):
    checker("helpers.check.optim.scaled_rate", optim.scaled_rate)

# --- modules other helpers own: fuzzed the same way; failures are xfail(strict) with the reason --------

#: Checkers that train a model on each answer: fewer examples.
SLOW_CHECKERS = {"helpers.check.worked.small_network": 3}
for _info in pkgutil.iter_modules(helpers.check.__path__, "helpers.check."):  # every other checker, new ones too
    _mod = importlib.import_module(_info.name)
    for _name, _fn in vars(_mod).items():
        _key = f"{_mod.__name__}.{_name}"
        if _name.startswith("_") or not inspect.isfunction(_fn) or _fn.__module__ != _mod.__name__ or _key in CASES:
            continue
        _params = list(inspect.signature(_fn).parameters)
        if _key == "helpers.check.trends.chinchilla_bill":
            checker(_key, _fn, "flops", {"h100_hours": Arg(1e6)})
        elif _key == "helpers.check.trends.data_parallel_batch":
            checker(_key, _fn, "batch_size", {"steps_per_epoch": Arg(100)})
        elif _params and _params[0] in ("fn", "value", "row", "answer", "model", "counts"):
            checker(_key, _fn, _params[0], examples=SLOW_CHECKERS.get(_key))


def _other(name: str, call, args=None, **kw):
    case(name, call, args, **kw)


from helpers import efficiency, interpret, lm, privacy, scale, student, worked  # noqa: E402

# scale
POS = dict(above=0, good_low=1.0, good_high=1e30)
_other("helpers.scale.train_flops", scale.train_flops, {"n_params": Real(1e9, **POS), "n_tokens": Real(2e10, **POS)},
       check=lambda out, n_params, n_tokens: _close(out, 6 * n_params * n_tokens))
_other("helpers.scale.flops_per_token", scale.flops_per_token,
       {"n_params": Real(1e9, **POS), "layers": Int(12, 1, good_high=1000), "context": Int(1024, 1, good_high=10**6),
        "d_model": Int(768, 1, good_high=10**5), "training": Flag()},
       check=lambda out, n_params, training, **kw: out >= 2 * n_params)
_other("helpers.scale.gpu_hours", scale.gpu_hours,
       {"flops": Real(1e21, **POS), "peak_flops_per_s": Real(1e15, **POS), "utilisation": Real(0.4, above=0, high=1)},
       check=lambda out, flops, peak_flops_per_s, utilisation: _close(out, flops / peak_flops_per_s / utilisation / 3600))
XS = np.array([1.0, 2.0, 4.0, 8.0])
_X = Arr(XS, (4,), low=0.01, high=1e6, any_shape=True)
DISTINCT = Arg(XS, _X.good.filter(lambda a: len(np.unique(a)) == 4), _X.bad_type, _X.bad_value)
_other("helpers.scale.fit_power_law", scale.fit_power_law,
       {"x": DISTINCT, "y": Arr(3 * XS**-0.5, (4,), low=0.01, high=1e6, any_shape=True)})
_other("helpers.scale.bootstrap_power_law", scale.bootstrap_power_law,
       {"x": DISTINCT, "y": Arr(np.outer(XS, [1.0, 1.1]), (4, 2), low=0.5, high=100),
        "resamples": Int(100, 100, 1_000_000, good_high=200), "level": Real(0.9, above=0, high=0.999), "seed": Seed()},
       examples=10)
_other("helpers.scale.matmul_precision", scale.matmul_precision,
       {"dtype": Choice("float32", ("float32", "float16", "bfloat16")), "device": Choice("GPU", ("GPU", "CPU"))})
_other("helpers.scale.datasheet_peak", scale.datasheet_peak,
       {"device_name": Text("NVIDIA H100 80GB HBM3"), "precision": Choice("bf16", ("bf16", "fp16", "tf32", "fp32"))})
_other("helpers.scale.cpu_peak_flops", scale.cpu_peak_flops,
       {"cpuinfo": Arg(None, st.none() | st.text(max_size=60), st.integers() | st.binary(max_size=2), None),
        "cores": Arg(None, st.none() | st.integers(1, 512), Int(1).bad_type.filter(lambda v: v is not None), Int(1).bad_value)})
_other("helpers.scale.matmul_flops_per_second", scale.matmul_flops_per_second,
       {"n": Int(16, 16, 32768), "dtype": Choice("float32", ("float32", "float16", "bfloat16")), "repeats": Int(1, 1, 10_000),
        "device": Arg(None, None, SCALAR_JUNK.filter(lambda v: v is not None and not isinstance(v, str)),
                      st.just("/GPU:7") | st.just("gpu"))}, modes=("bad_type", "bad_value"))
_FIT = _lazy(lambda: scale.bootstrap_power_law(XS, np.outer(XS**-0.5, [1.0, 1.1]), resamples=100))
_other("helpers.scale.PowerLaw.__call__", lambda x: scale.fit_power_law(XS, 3 * XS**-0.5)(x),
       {"x": Arr(2.0, (None,), low=1e-3, high=1e6)})
_other("helpers.scale.BootstrapFit.exponent", lambda: _FIT().exponent)
for _r in ("PowerLaw", "BootstrapFit", "CPUPeak"):
    record(f"helpers.scale.{_r}", "built by scale's fitting and peak functions")

# privacy
_PRIV = _lazy(lambda: privacy.init_mlp(2, 4))
_other("helpers.privacy.init_mlp", privacy.init_mlp,
       {"n_in": Int(2, 1, good_high=30), "hidden": Int(4, 0, good_high=30), "seed": Seed()})
_other("helpers.privacy.mlp_logits", lambda x: privacy.mlp_logits(_PRIV(), x), {"x": Arr(X8, (None, 2))})
# grads is a list of per-example gradient tensors, each (n, ...): one (3, 4) tensor here. Any shape with
# a first axis is valid, so only types are fuzzed; NaN and ragged lists: tests/test_privacy.py.
_other("helpers.privacy.clip_per_example", lambda grads, clip: privacy.clip_per_example([grads], clip),
       {"grads": Arr(np.ones((3, 4)), (3, 4)), "clip": Real(1.0, above=0, good_high=1e6)},
       modes=("bad_type",))
_other("helpers.privacy.per_example_gradients", lambda x, y: privacy.per_example_gradients(_PRIV(), x, y),
       {"x": Arr(X8, (8, 2)), "y": Arr(Y8, (8,), values=(0, 1))})
_other("helpers.privacy.train_dp", privacy.train_dp,
       {"x": Arr(X8, (8, 2)), "y": Arr(Y8, (8,), values=(0, 1)), "hidden": Int(4, 0), "steps": Int(5, 1),
        "lr": Real(0.01, above=0, high=1), "clip": Real(1.0, above=0), "noise_multiplier": Real(0.0, 0.0), "seed": Seed()},
       modes=("bad_type", "bad_value"), examples=15)
_other("helpers.privacy.per_example_losses", lambda x, y: privacy.per_example_losses(_PRIV(), x, y),
       {"x": Arr(X8, (8, 2)), "y": Arr(Y8, (8,), values=(0, 1))})
_other("helpers.privacy.accuracy", lambda x, y: privacy.accuracy(_PRIV(), x, y),
       {"x": Arr(X8, (8, 2)), "y": Arr(Y8, (8,), values=(0, 1))})
_other("helpers.privacy.gaussian_epsilon", privacy.gaussian_epsilon,
       {"noise_multiplier": Real(1.0, 0.0, good_low=0.1, good_high=100), "steps": Int(100, 1, good_high=10**6),
        "delta": Real(1e-5, above=0, high=0.999)}, check=lambda out, **kw: out >= 0)
_other("helpers.privacy.loss_threshold_attack", privacy.loss_threshold_attack,
       {"member_losses": Arr(np.ones(4), (None,)), "nonmember_losses": Arr(np.ones(4), (None,))},
       check=lambda out, **kw: 0 <= out.auc <= 1)
record("helpers.privacy.AttackResult", "built by loss_threshold_attack")

# interpret
_W3 = np.array([1.0, -2.0, 0.5])
_LINEAR = lambda x: (x @ _W3[:, None])[:, 0]  # noqa: E731  (a matrix product: works on arrays and tensors)
_other("helpers.interpret.saliency", lambda f, x: interpret.saliency(f, x),
       {"f": Fn(_LINEAR), "x": Arr(X3, (None, 3))})
_other("helpers.interpret.integrated_gradients", lambda f, x, steps: interpret.integrated_gradients(f, x, steps=steps),
       {"f": Fn(_LINEAR), "x": Arr(X3, (None, 3)), "steps": Int(8, 1, 10_000, good_high=64)})
_other("helpers.interpret.rank_correlation", interpret.rank_correlation,
       {"a": Arr(X3, (5, 3)), "b": Arr(X3[::-1], (5, 3))}, modes=("bad_type", "bad_value"))
_other("helpers.interpret.randomise_layers", interpret.randomise_layers,
       {"model": Obj(None), "top": Arg(1), "seed": Arg(0)}, modes=("bad_type",))
_other("helpers.interpret.completeness_gap", lambda x, attributions: interpret.completeness_gap(_LINEAR, x, np.zeros_like(X3), attributions),
       {"x": Arr(X3, (5, 3)), "attributions": Arr(X3, (5, 3))})

# worked
_other("helpers.worked.load_splits", worked.load_splits,
       {"seed": Seed(), "val_fraction": Real(0.2, 0.05, 0.4), "test_fraction": Real(0.2, 0.05, 0.4)}, examples=10)
_other("helpers.worked.build_source_model", worked.build_source_model,
       {"seed": Seed(), "hidden": Arg((8,), None, st.none() | st.text(max_size=2) | st.just((2.5,)), st.just((0,)))},
       modes=("bad_type", "bad_value"))
_other("helpers.worked.train_source_model", worked.train_source_model,
       {"splits": Obj(Lazy(worked.load_splits)), "seed": Seed(), "epochs": Int(1, 1, 1000), "batch_size": Int(32, 1, 4096),
        "callbacks": Arg(None, None, None, None)}, modes=("bad_type", "bad_value"))
_other("helpers.worked.check_features", worked.check_features,
       {"x": Arr(np.zeros((2, 30)), (None, 30)), "n_features": Arg(30, None, None, None)})
_other("helpers.worked.predict_checked", lambda model, x: worked.predict_checked(model, x),
       {"model": Fn(lambda x: np.full((len(x), 1), 0.5, np.float32)), "x": Arr(np.zeros((2, 30)), (None, 30))})
_other("helpers.worked.population_stability", worked.population_stability,
       {"reference": Arr(np.random.default_rng(0).normal(size=(20, 2)), (20, 2)),
        "current": Arr(np.random.default_rng(1).normal(size=(20, 2)), (20, 2)), "bins": Int(10, 2, 100)})
record("helpers.worked.Splits", "built by load_splits")

# efficiency
_other("helpers.efficiency.load_digits_splits", efficiency.load_digits_splits, {"seed": Seed()}, examples=5)
_other("helpers.efficiency.train_teacher", efficiency.train_teacher,
       {"splits": Obj(Lazy(efficiency.load_digits_splits)), "hidden": Int(8, 1, 4096), "epochs": Int(1, 1, 1000), "seed": Seed()},
       modes=("bad_type", "bad_value"))
_other("helpers.efficiency.train_students", efficiency.train_students,
       {"x": Arr(np.zeros((4, 3)), (4, 3)), "y": Arr(np.arange(4), (4,), values=range(10)), "hidden": Int(4, 1, 4096),
        "temperature": Real(4.0, above=0, high=100), "alpha": Real(0.7, 0, 1), "seeds": Int(1, 1, 64),
        "steps": Int(1, 1, 100_000), "lr": Real(0.01, above=0, high=1)}, modes=("bad_type", "bad_value"), examples=4)
_other("helpers.efficiency.student_logits", efficiency.student_logits,
       {"weights": Obj((np.ones((3, 2)), np.zeros(2), np.ones((2, 10)), np.zeros(10))), "x": Arr(np.zeros((4, 3)), (None, 3))})
_other("helpers.efficiency.int8_model", efficiency.int8_model,
       {"model": Obj(None), "representative": Arg(np.zeros((4, 3)))}, modes=("bad_type",))
_other("helpers.efficiency.tflite_accuracy", efficiency.tflite_accuracy,
       {"flatbuffer": Arg(b"", None, SCALAR_JUNK.filter(lambda v: not isinstance(v, bytes)), st.just(b"")),
        "x": Arg(np.zeros((4, 3))), "y": Arg(np.zeros(4))}, modes=("bad_type", "bad_value"))
QKV = np.random.default_rng(0).normal(size=(6, 4))
_other("helpers.efficiency.naive_attention", lambda q: efficiency.naive_attention(q, QKV, QKV), {"q": Arr(QKV, (None, 4))})
_other("helpers.efficiency.chunked_attention", lambda q, block: efficiency.chunked_attention(q, QKV, QKV, block),
       {"q": Arr(QKV, (None, 4)), "block": Int(2, 1, good_high=10)},
       check=lambda out, q, block: _close(out, efficiency.naive_attention(q, QKV, QKV), 1e-6, 1e-9))
_other("helpers.efficiency.peak_bytes", lambda fn: efficiency.peak_bytes(fn), {"fn": Fn(lambda: np.zeros(10))})
_other("helpers.efficiency.MoEConfig", efficiency.MoEConfig,
       {"width": Int(128, 1, 8192), "hidden": Int(512, 1, 65536), "experts": Int(1, 1, 256), "top_k": Int(1, 1, 1)})
_other("helpers.efficiency.moe_ffn", efficiency.moe_ffn, {"config": Obj(efficiency.MoEConfig())},
       modes=("bad_type",))
_other("helpers.efficiency.matmul_flops", efficiency.matmul_flops,
       {"model": Obj(None), "tokens": Arg(np.zeros((2, 4)))}, modes=("bad_type",))
_other("helpers.efficiency.time_per_token", efficiency.time_per_token,
       {"model": Obj(None), "tokens": Arg(np.zeros((2, 4)))}, modes=("bad_type",))
record("helpers.efficiency.DigitSplits", "built by load_digits_splits")

# lm
_other("helpers.lm.LMConfig", lm.LMConfig,
       {"vocab_size": Int(65, 2, good_high=10**4), "context": Int(64, 1, good_high=4096), "d_model": Arg(32, st.sampled_from([8, 32, 64]),
        Int(1).bad_type, Int(1).bad_value), "layers": Int(2, 1, good_high=48), "heads": Arg(2, st.sampled_from([1, 2, 4, 8]),
                                                                                            Int(1).bad_type, Int(1).bad_value),
        "mlp_ratio": Int(4, 1, good_high=16)})
_other("helpers.lm.build_lm", lm.build_lm, {"config": Obj(lm.LMConfig(65)), "seed": Seed(), "mixed_precision": Flag(False)},
       modes=("bad_type",))
_other("helpers.lm.param_counts", lm.param_counts, {"model": Obj(None)}, modes=("bad_type",))
_other("helpers.lm.windows", lm.windows,
       {"ids": Arr(np.arange(50), (50,), ints=True, low=0, high=60), "rng": Obj(np.random.default_rng(0)),
        "shape": Arg((2,), st.just((2,)) | st.just((3, 2)), st.none() | st.text(max_size=2), st.just((-1,))),
        "context": Int(4, 1, good_high=8)})
_other("helpers.lm.evaluate_lm", lm.evaluate_lm,
       {"model": Obj(None), "ids": Arg(np.arange(50)), "context": Arg(4)}, modes=("bad_type",))
_DATA = _lazy(lambda: text.char_data(max_chars=4000))
_TINY_LM = Lazy(lambda: lm.build_lm(lm.LMConfig(_DATA().vocab.size, context=8, d_model=8, layers=1, heads=1)))
_other("helpers.lm.train_lm", lambda **kw: lm.train_lm(_TINY_LM(), _DATA(), **kw),
       {"steps": Int(1, 1), "batch_size": Int(2, 1), "lr": Real(3e-3, above=0, high=1), "warmup": Int(0, 0), "chunk": Int(1, 1),
        "seed": Seed(), "jit": Flag(False)}, modes=("bad_type", "bad_value"))
_other("helpers.lm.train_to_convergence", lambda **kw: lm.train_to_convergence(_TINY_LM(), _DATA(), **kw),
       {"max_steps": Int(1, 1), "batch_size": Int(2, 1), "lr": Real(3e-3, above=0, high=1), "patience": Int(2, 1),
        "cuts": Int(2, 0), "cut_factor": Real(0.25, above=0, high=1), "min_delta": Real(0.002, 0), "seed": Seed(),
        "restore_best": Flag()}, modes=("bad_type", "bad_value"))
_other("helpers.lm.generate", lambda **kw: lm.generate(_TINY_LM(), _DATA().vocab, **kw),
       {"prompt": Text("he", empty=False), "length": Int(5, 0), "temperature": Real(0.8, 0), "seed": Seed()},
       modes=("bad_type", "bad_value"))
_other("helpers.lm.ScalingSettings.for_scale", lm.ScalingSettings.for_scale, {"scale": Int(1, 1, 16)})
_other("helpers.lm.ScalingSettings.from_dict", lm.ScalingSettings.from_dict,
       {"values": Arg(lm.ScalingSettings().to_dict(), None, SCALAR_JUNK.filter(lambda v: not isinstance(v, dict)), None)},
       check=lambda out, values: out == lm.ScalingSettings())
_other("helpers.lm.ScalingSettings.to_dict", lambda: lm.ScalingSettings().to_dict())
_other("helpers.lm.scaling_run", lambda settings, **kw: lm.scaling_run(_DATA(), settings, **kw),
       {"settings": Obj(None), "d_model": Arg(8), "layers": Arg(1), "seed": Arg(0)}, modes=("bad_type",))
_other("helpers.lm.TrainResult.tokens_per_second", lambda: lm.TrainResult(steps=1, tokens=10, seconds=2.0).tokens_per_second,
       check=lambda out: out == 5.0)
for _r in ("ScalingSettings", "TrainResult"):
    record(f"helpers.lm.{_r}", "settings and results records of lm; their methods are cases")

# student
_other("helpers.student.strip_solution_directives", student.strip_solution_directives,
       {"text": Text("a\n:::{solution-start} x\n:::\nb")}, check=lambda out, text: isinstance(out, str))
_other("helpers.student.student_notebook", lambda nb, keep_outputs: student.student_notebook(nb, keep_outputs=keep_outputs),
       {"nb": Obj(Lazy(lambda: __import__("nbformat").read(TINY, 4), fresh=True)), "keep_outputs": Flag(False)})
_other("helpers.student.slides_notebook", student.slides_notebook,
       {"nb": Obj(Lazy(lambda: __import__("nbformat").read(TINY, 4), fresh=True))})
for _w in ("write_slides", "write_edition"):
    _other(f"helpers.student.{_w}", getattr(student, _w),
           {"outdir": Arg(_NB_DIR / "out", None, st.none() | st.integers() | st.just(object()), None),
            "notebooks": Arg([], None, st.integers() | st.text(max_size=2), None),
            "root": Arg(ROOT, None, st.integers() | st.just(object()), None)}, modes=("bad_type",))

# widgets: constructors fuzzed with bad values only (each valid one trains models); the methods of a
# built explorer are driven by tests/test_widgets.py.
from helpers.widgets import hyperparameters as w_hyper, learning_rate as w_lr, playground as w_play  # noqa: E402
from helpers.widgets import regularization as w_reg  # noqa: E402

_other("helpers.widgets.learning_rate.LearningRateExplorer", w_lr.LearningRateExplorer,
       {"lr": Real(0.1, above=0), "surface": Choice("valley", w_lr.SURFACES), "curvature": Real(10.0, above=0),
        "quad_steps": Int(40, 1), "mlp_steps": Int(30, 1), "seed": Seed()}, modes=("bad_type", "bad_value"))
_other("helpers.widgets.regularization.RegularizationExplorer", w_reg.RegularizationExplorer,
       {"lam": Real(0.01, 0), "steps": Int(30, 1), "seed": Seed()}, modes=("bad_type", "bad_value"))
_other("helpers.widgets.hyperparameters.HyperparameterExplorer",
       lambda x_train, y_train, x_val, y_val, config: w_hyper.HyperparameterExplorer(x_train, y_train, x_val, y_val, config),
       {"x_train": Arr(XT, (40, 2)), "y_train": Arr(YT, (40,), values=(0, 1), any_shape=True), "x_val": Arr(XT[:10], (10, 2)),
        "y_val": Arr(YT[:10], (10,), values=(0, 1), any_shape=True), "config": Obj(CONFIG)}, modes=("bad_type", "bad_value"),
       examples=8)
_other("helpers.widgets.playground.PlaygroundSettings.from_preset", w_play.PlaygroundSettings.from_preset,
       {"preset": Text("")}, modes=("bad_type",))
_other("helpers.widgets.playground.PlaygroundSettings.to_preset", lambda: w_play.PlaygroundSettings().to_preset(),
       check=lambda out: w_play.PlaygroundSettings.from_preset(out) == w_play.PlaygroundSettings())
_other("helpers.widgets.playground.Playground", lambda preset, hide: w_play.Playground(preset, hide),
       {"preset": Arg("", None, st.integers() | st.floats() | st.none(), None), "hide": Arg((), None, st.integers(), None)},
       modes=("bad_type",))
record("helpers.widgets.playground.PlaygroundSettings", "settings record of the playground; to_preset/from_preset are cases")
record("helpers.widgets.base.Explorer", "the explorers' base class, built through a subclass")
for _cls, _methods in ((("base", "Explorer"), ("invalidate", "last_ms", "png", "prepare", "request", "static_html", "wait",
                                                  "widget")),
                       (("hyperparameters", "HyperparameterExplorer"), ("l2", "lr", "static_html", "update")),
                       (("learning_rate", "LearningRateExplorer"), ("curvatures", "mlp", "path", "precompute", "static_html",
                                                                    "update")),
                       (("playground", "Playground"), ("advance", "preset", "recorded_steps", "reset", "static_html",
                                                      "update")),
                       (("regularization", "RegularizationExplorer"), ("precompute", "result", "static_html", "update"))):
    for _m in _methods:
        record(f"helpers.widgets.{_cls[0]}.{_cls[1]}.{_m}", "a method of a built explorer (each trains models): "
                                                            "driven by tests/test_widgets.py, not fuzzed here")

# newer entry points of other helpers' modules
_other("helpers.privacy.dp_epsilon", privacy.dp_epsilon,
       {"noise_multiplier": Real(1.0, above=0, good_low=0.5, good_high=20), "sampling_rate": Real(0.01, above=0, high=1),
        "steps": Int(100, 1, good_high=10**4), "delta": Real(1e-5, above=0, high=0.999),
        "accountant": Arg("rdp", None, st.none() | st.integers(), st.just("nope"))},
       check=lambda out, **kw: out >= 0, examples=15)
_other("helpers.privacy.noise_for_epsilon", privacy.noise_for_epsilon,
       {"epsilon": Real(1.0, above=0, good_low=0.5, good_high=20), "sampling_rate": Real(0.01, above=0, high=1),
        "steps": Int(100, 1, good_high=10**4), "delta": Real(1e-5, above=0, high=0.999)},
       modes=("bad_type", "bad_value"), examples=15)
_other("helpers.privacy.mean_interval", privacy.mean_interval,
       {"values": Arr([1.0, 2.0, 3.0], (3,), low=-1e6, high=1e6), "level": Real(0.95, above=0, high=0.999)},
       check=lambda out, **kw: out[1] <= out[0] <= out[2] if len(out) == 3 else False)
_other("helpers.scale.fit_power_law_with_floor", scale.fit_power_law_with_floor,
       {"x": DISTINCT, "y": Arr(1 + 3 * XS**-0.5, (4,), low=0.01, high=1e6, any_shape=True)}, examples=15)
_other("helpers.scale.FloorLaw.__call__", lambda x: scale.fit_power_law_with_floor(XS, 1 + 3 * XS**-0.5)(x),
       {"x": Arr(2.0, (None,), low=1e-3, high=1e6)}, examples=10)
record("helpers.scale.FloorLaw", "built by fit_power_law_with_floor")
_other("helpers.worked.build_tuned_model", worked.build_tuned_model,
       {"learning_rate": Real(0.03, above=0), "l2": Real(1e-4, 0), "seed": Seed()}, modes=("bad_type", "bad_value"))
_other("helpers.worked.train_tuned_model", worked.train_tuned_model,
       {"splits": Obj(Lazy(worked.load_splits)), "learning_rate": Real(0.03, above=0), "l2": Real(1e-4, 0), "steps": Int(1, 1), "seed": Seed()},
       modes=("bad_type",))
_other("helpers.worked.save_tuned_model", lambda model: worked.save_tuned_model(
    model, _NB_DIR / "tuned", {"l2": 1e-4, "learning_rate": 0.03, "seed": 0, "steps": 150}),
       {"model": Obj(None)}, modes=("bad_type",))
_other("helpers.worked.tuned_model", lambda splits: worked.tuned_model(splits, _NB_DIR), {"splits": Obj(None)},
       modes=("bad_type",))


# ------------------------------------------------------------------------------------------------
# Which entry points are there?
# ------------------------------------------------------------------------------------------------
def public_entry_points() -> set[str]:
    """Every public function and class of helpers, and the public methods and properties of its classes,
    named where they are defined (``helpers.nn.sigmoid``, ``helpers.text.BPE.encode``)."""
    names = {"helpers"} | {m.name for m in pkgutil.walk_packages(helpers.__path__, "helpers.")}
    found: set[str] = set()
    for name in sorted(names):
        for attr, obj in vars(importlib.import_module(name)).items():
            if attr.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)) or obj.__module__ != name:
                continue
            found.add(f"{name}.{obj.__qualname__}")
            for meth, member in vars(obj).items() if inspect.isclass(obj) else ():
                if (not meth.startswith("_") or meth == "__call__") and (
                        inspect.isfunction(member) or isinstance(member, (property, classmethod, staticmethod))):
                    found.add(f"{name}.{obj.__qualname__}.{meth}")
    return found


def test_every_public_entry_point_is_listed():
    found = public_entry_points()
    listed = set(CASES) | set(RECORDS)
    missing, stale = sorted(found - listed), sorted(listed - found)
    assert not missing, f"public entry points without a fuzz case in tests/test_fuzz.py: {missing}"
    assert not stale, f"fuzz cases for entry points that no longer exist: {stale}"


# ------------------------------------------------------------------------------------------------
# The property
# ------------------------------------------------------------------------------------------------
def _has_nan(value, depth=0) -> bool:
    if depth > 4:
        return False
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc" and bool(np.isnan(value).any())
    if isinstance(value, dict):
        return any(_has_nan(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nan(v, depth + 1) for v in value[:1000])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(_has_nan(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return False


#: Cases that fail in modules other helpers own (not edited by issue 22's fuzzing work, which found
#: them): xfail(strict=True), so a fix makes the test fail until its line here is removed.
XFAIL: dict[str, str] = {f"helpers.{k}": v for k, v in {
}.items()}


def _modes(c: Case) -> list[tuple[str, str]]:
    out = [(c.answer, "answer")] if c.answer else []
    return out + [(name, mode) for name, arg in c.args.items() for mode in c.modes if getattr(arg, mode) is not None]


def _run_one(c: Case, name: str, arg: str | None, mode: str | None, value) -> None:
    kwargs = {k: a.default() if isinstance(a.default, Lazy) else a.default for k, a in c.args.items()}
    if arg is not None:
        kwargs[arg] = value
    if mode == "answer":
        verdict = c.call(**kwargs)
        assert isinstance(verdict, _core.Verdict), f"{name} returned {verdict!r}, not a Verdict"
        assert not verdict.passed, f"{name} passed the junk answer {value!r}"
        assert isinstance(verdict.message, str) and verdict.message
        return
    if mode in (None, "good"):
        out = c.call(**kwargs)
        if not c.nan_ok:
            assert not _has_nan(out), f"{name}({arg}={value!r}) returned NaN from finite input: {out!r}"
        if c.check is not None:
            ok = c.check(out, **kwargs)
            assert ok is None or ok, f"{name}({arg}={value!r}) returned a wrong answer: {out!r}"
        return
    expected = TypeError if mode == "bad_type" else c.args[arg].value_errors
    word = c.args[arg].named or arg
    try:
        c.call(**kwargs)
    except expected as exc:
        # the name as a word: "units", not "XXunitsXX" or "UNITS" (the argument a reader passed)
        named = re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", str(exc))
        assert named or isinstance(exc, FileNotFoundError), (
            f"{name}({arg}={value!r}): the {type(exc).__name__} does not name {word!r}: {exc}")
    else:
        raise AssertionError(f"{name}({arg}={value!r}) did not raise {getattr(expected, '__name__', expected)}")


def _params():
    for name in sorted(CASES):
        reason = XFAIL.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(name, marks=marks, id=name.removeprefix("helpers."))


@pytest.mark.parametrize("name", list(_params()))
def test_fuzz(name):
    c = CASES[name]
    pairs = _modes(c)
    if not pairs:  # no arguments: one call
        _run_one(c, name, None, None, None)
        return

    @settings(max_examples=c.examples or EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate))  # no shrinking: fast
    @given(st.data())
    def run(data_):
        arg, mode = data_.draw(st.sampled_from(pairs), label="argument, kind")
        a = c.args[arg]
        strategy = JUNK_ANSWERS if mode == "answer" else getattr(a, mode)
        value = data_.draw(strategy, label=f"{arg} ({mode})")
        _run_one(c, name, arg, mode, value)

    run()
