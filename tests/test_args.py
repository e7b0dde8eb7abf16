"""Unit tests of helpers._args (the argument checks every public helper uses) and of the answer
conversions of helpers.check._core (as_array, as_number, as_int)."""
import math

import numpy as np
import pytest

from helpers import _args as A
from helpers.check._core import Verdict, _AnswerProblem, _run, as_array, as_int, as_number, call_answer


# -- whole ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [1, 5, 10, np.int64(7), np.uint8(3), np.int32(10)])
def test_whole_accepts_python_and_numpy_integers_in_range(value):
    got = A.whole("steps", value, 1, 10)
    assert got == int(value) and type(got) is int


@pytest.mark.parametrize("value, message", [
    (0, "steps must be from 1 to 10, got 0"),
    (11, "steps must be from 1 to 10, got 11"),
    (-(10**30), "steps must be from 1 to 10, got -1000000000000000000000000000000"),
])
def test_whole_out_of_range_is_a_value_error_naming_the_range(value, message):
    with pytest.raises(ValueError) as err:
        A.whole("steps", value, 1, 10)
    assert str(err.value) == message


@pytest.mark.parametrize("value", [2.0, 2.5, "3", True, False, np.bool_(True), None, [1], np.array(3), 1 + 0j])
def test_whole_wrong_type_is_a_type_error_naming_the_argument_and_range(value):
    with pytest.raises(TypeError) as err:
        A.whole("steps", value, 1, 10)
    assert str(err.value).startswith("steps must be a whole number from 1 to 10, got ")


def test_whole_bounds_are_inclusive_and_high_is_optional():
    assert A.whole("n", 1, 1, 1) == 1
    assert A.whole("n", 10**30, 1) == 10**30
    assert A.whole("n", 0, 0) == 0
    with pytest.raises(ValueError, match=r"^n must be at least 1, got 0$"):
        A.whole("n", 0)
    with pytest.raises(TypeError, match=r"^n must be a whole number at least 1, got 'x'$"):
        A.whole("n", "x")


# -- number ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0.5, 1, np.float32(0.25), np.float64(1.0), np.int64(1), np.array(0.75)])
def test_number_accepts_reals_and_returns_a_float(value):
    got = A.number("lr", value, 0.0, 1.0)
    assert type(got) is float and got == float(value)


@pytest.mark.parametrize("value", [True, np.bool_(False), "1e6", b"1", None, [0.5], np.array([0.5]), 1j,
                                   np.array(True), object()])
def test_number_refuses_non_numbers_with_a_type_error(value):
    with pytest.raises(TypeError) as err:
        A.number("lr", value, 0.0, 1.0)
    assert str(err.value).startswith("lr must be a number from 0 to 1, got ")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan"), 10**400, -(10**400)])
def test_number_refuses_non_finite_and_huge_values(value):
    with pytest.raises(ValueError, match="^x must be a finite number, got "):
        A.number("x", value)


@pytest.mark.parametrize("kwargs, value, message", [
    (dict(low=0, high=10), -1, "x must be from 0 to 10, got -1"),
    (dict(low=0, high=10), 10.5, "x must be from 0 to 10, got 10.5"),
    (dict(low=0), -0.5, "x must be at least 0, got -0.5"),
    (dict(high=2), 3, "x must be at most 2, got 3"),
    (dict(above=0), 0, "x must be greater than 0, got 0"),
    (dict(above=0, high=100), 101, "x must be greater than 0 and at most 100, got 101"),
    (dict(above=0), np.float64(-2.5), "x must be greater than 0, got -2.5"),
    (dict(low=0, high=1), 10**400, "x must be from 0 to 1, got 1000000000000000000000000000000000000..."),
])
def test_number_out_of_range_messages(kwargs, value, message):
    with pytest.raises(ValueError) as err:
        A.number("x", value, **kwargs)
    assert str(err.value) == message


def test_number_bounds():
    assert A.number("x", 0, 0, 1) == 0.0 and A.number("x", 1, 0, 1) == 1.0  # inclusive
    assert A.number("x", 1e-300, above=0) == 1e-300  # strictly above
    assert A.number("x", -1e300) == -1e300  # no bounds: any finite number
    assert A.number("x", 100, above=0, high=100) == 100.0
    with pytest.raises(ValueError):
        A.number("x", 100.0001, above=0, high=100)


# -- seed, flag, choice ---------------------------------------------------------------------------
def test_seed_is_a_whole_number_numpy_and_tensorflow_accept():
    assert A.seed("seed", 0) == 0 and A.seed("seed", 2**32 - 1) == 2**32 - 1
    assert A.seed("seed", np.int64(3)) == 3
    for bad in (-1, 2**32):
        with pytest.raises(ValueError, match=r"^seed must be from 0 to 4294967295, got "):
            A.seed("seed", bad)
    for bad in ("a", 1.0, True, None):
        with pytest.raises(TypeError, match=r"^seed must be a whole number from 0 to 4294967295, got "):
            A.seed("seed", bad)


def test_flag_accepts_only_real_bools():
    assert A.flag("bias", True) is True and A.flag("bias", np.bool_(False)) is False
    for bad in ("no", "False", 0, 1, None, [], np.array([True])):
        with pytest.raises(TypeError, match=r"^bias must be True or False, got "):
            A.flag("bias", bad)


def test_choice_names_the_options():
    assert A.choice("split", "val", ("train", "val")) == "val"
    assert A.choice("split", "train", iter(["train", "val"])) == "train"  # any iterable of options
    with pytest.raises(ValueError) as err:
        A.choice("split", "valdation", ("train", "val"))
    assert str(err.value) == "split must be one of 'train', 'val', got 'valdation'"
    with pytest.raises(TypeError, match=r"^split must be one of 'train', 'val', got 5$"):
        A.choice("split", 5, ("train", "val"))
    with pytest.raises(ValueError):
        A.choice("split", "Train", ("train", "val"))  # case matters


# -- finite_array ---------------------------------------------------------------------------------
def test_finite_array_converts_and_checks_shape():
    got = A.finite_array("x", [[1, 2], [3, 4]], shape=(None, 2))
    assert got.dtype == np.float64 and got.shape == (2, 2)
    assert A.finite_array("x", [True, False], values=(0, 1)).tolist() == [1.0, 0.0]
    assert A.finite_array("y", np.arange(3, dtype=np.int8), ndim=1, dtype=np.float32).dtype == np.float32
    assert A.finite_array("x", [], min_size=0).shape == (0,)
    assert A.finite_array("x", 5.0).shape == ()  # no ndim given: a scalar is an array too


@pytest.mark.parametrize("value, kwargs, error, message", [
    ("abc", {}, TypeError, "x must be an array of numbers, got a string"),
    (["a", "b"], {}, TypeError, "x must be an array of numbers, got an array of <U1"),
    ([[1, 2], [3]], {}, TypeError, r"x must be an array of numbers \(all rows the same length\)"),
    ([1 + 1j], {}, TypeError, "got an array of complex128"),
    ([None, 1.0], {}, TypeError, "got an array of object"),
    ([1.0, 2.0], dict(ndim=2), ValueError, r"x must have 2 axes, got shape \(2,\)"),
    ([[1.0, 2.0, 3.0]], dict(shape=(None, 2)), ValueError, r"^x must have shape \(n, 2\), got shape \(1, 3\)$"),
    ([[1.0, 2.0]], dict(shape=(2, None)), ValueError, r"^x must have shape \(2, n\), got shape \(1, 2\)$"),
    ([1.0, 2.0], dict(shape=(None, 2)), ValueError, r"^x must have shape \(n, 2\), got shape \(2,\)$"),
    ([[1.0, 2.0]], dict(shape=(3,)), ValueError, r"^x must have shape \(3,\), got shape \(1, 2\)$"),
    ([], {}, ValueError, r"x must have at least 1 entries, got shape \(0,\)"),
    ([1.0], dict(min_size=2), ValueError, r"x must have at least 2 entries"),
    ([1.0, np.nan], {}, ValueError, r"x must hold only finite numbers \(no NaN or infinity\)"),
    ([1.0, -np.inf], {}, ValueError, r"x must hold only finite numbers"),
    ([0, 1, 2], dict(values=(0, 1)), ValueError, r"x must hold only the values 0, 1, got 2"),
    ([0, 1, 0.5], dict(values=(0, 1)), ValueError, r"got 0.5"),
])
def test_finite_array_errors(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        A.finite_array("x", value, **kwargs)


def test_finite_array_does_not_change_its_input():
    x = np.array([1.0, 2.0])
    A.finite_array("x", x)[0] = 99.0  # float64 in, float64 out: the same buffer may come back ...
    y = np.array([1, 2], dtype=np.int64)
    out = A.finite_array("y", y)
    out[0] = 99.0  # ... but a converted array is a copy
    assert y.tolist() == [1, 2]


# -- the checkers' conversions --------------------------------------------------------------------
def _problem(fn, value):
    with pytest.raises(_AnswerProblem) as err:
        fn(value, "your answer")
    return str(err.value)


@pytest.mark.parametrize("value", [3, 3.0, np.int64(3), np.float32(3), np.array(3.0), np.array([3.0]), [3]])
def test_as_number_accepts_one_real_number(value):
    assert as_number(value, "x") == 3.0


@pytest.mark.parametrize("value, says", [
    (None, "is None: did you forget `return`"),
    (True, "should be a number, but is bool True"),
    (np.array(False), "should be a number, but is ndarray of bool"),
    ("3", "should be a number, but is the string '3'"),
    (np.array(["3"]), "should be a number, but is ndarray of <U1"),
    (2 + 1j, "should be a number, but is complex"),
    ([1.0, 2.0], r"should be one number, but has shape (2,)"),
    (np.nan, "is nan, not a finite number"),
    (-np.inf, "is -inf, not a finite number"),
    (10**400, "should be a number, but is int"),
    ({"a": 1}, "should be a number, but is dict"),
])
def test_as_number_explains_every_wrong_answer(value, says):
    assert _problem(as_number, value).rstrip(".?") == f"your answer {says}"


def test_as_int_is_exact():
    assert as_int(12, "x") == 12 and as_int(12.0, "x") == 12 and as_int(np.float64(-3.0), "x") == -3
    assert as_int(2**70 + 1, "x") == 2**70 + 1  # no detour through float for integers
    assert as_int(np.int64(2**62 + 1), "x") == 2**62 + 1
    assert _problem(as_int, 12.5) == "your answer should be a whole number, but is 12.5."
    assert _problem(as_int, 12 * 64**2 + 13 * 64 + 0.5).endswith("should be a whole number, but is 49984.5.")
    assert "string" in _problem(as_int, "12")
    assert "bool" in _problem(as_int, True)


def test_as_array_accepts_numbers_and_refuses_the_rest():
    assert as_array([1, 2], "x").tolist() == [1.0, 2.0]
    assert as_array(np.array([True, False]), "x").tolist() == [1.0, 0.0]  # 0/1 labels as bools
    assert as_array(np.float32(2.5), "x").dtype == np.float64
    assert "string" in _problem(as_array, "1, 2")
    assert "<U1" in _problem(as_array, ["1", "2"])  # no silent string-to-number conversion
    assert "complex128" in _problem(as_array, np.array([1 + 2j]))
    assert "did you forget" in _problem(as_array, [1.0, None])
    assert "did you forget" in _problem(as_array, None)
    assert "should be an array of numbers, but is list" in _problem(as_array, [[1, 2], [3]])
    assert "object" in _problem(as_array, [1.0, object()])


def test_call_answer_turns_mistakes_into_explanations():
    def todo(x):
        raise NotImplementedError

    def broken(x):
        return x / "a"

    assert call_answer(lambda x: x + 1, 1) == 2
    for fn, says in [(todo, "still raises NotImplementedError"), (broken, "raised TypeError"),
                     (lambda x: None, "returned None"), (42, "should be a function, but got int")]:
        with pytest.raises(_AnswerProblem, match=says):
            call_answer(fn, 1)


def test_run_turns_a_problem_into_a_failed_verdict():
    def check():
        raise _AnswerProblem("nope")

    verdict = _run(check)
    assert verdict == Verdict(False, "nope") and not verdict and str(verdict) == "Not yet: nope"
    assert str(Verdict(True, "yes")) == "Correct: yes" and Verdict(True, "yes")


def test_accuracy_checker_explains_each_mistake():
    from IPython.lib.pretty import pretty

    from helpers.check._core import accuracy_function

    right = accuracy_function(lambda p, y: np.mean((p > 0.5) == y))
    assert right and "averages the hits" in str(right) and pretty(right) == str(right).strip()
    percent = accuracy_function(lambda p, y: 100 * np.mean((p > 0.5) == y))
    assert not percent and "returns a percentage; return a fraction" in str(percent)
    wrong = accuracy_function(lambda p, y: 0.5)
    assert not wrong and "are right." in str(wrong) and "probability > 0.5 means class 1" in str(wrong)
    raising = accuracy_function(lambda p, y: 1 / 0)
    assert not raising and "your accuracy function raised ZeroDivisionError" in str(raising)
    text = accuracy_function(lambda p, y: "0.75")
    assert not text and "the accuracy should be a number" in str(text)
    assert pretty(Verdict(False, "m")) == "Not yet: m"
