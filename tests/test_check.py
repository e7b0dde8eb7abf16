import numpy as np
import pytest

from helpers import check


def right(p, y):
    return float(np.mean((np.asarray(p) > 0.5) == np.asarray(y)))


def test_a_right_answer_passes():
    verdict = check.accuracy_function(right)
    assert verdict and str(verdict).startswith("Correct:")


def test_unfinished_answers_get_a_hint_not_a_crash():
    def todo(p, y):
        raise NotImplementedError

    def forgot_return(p, y):
        np.mean(p)

    def broken(p, y):
        return 1 / 0

    assert "NotImplementedError" in str(check.accuracy_function(todo))
    assert "forget `return`" in str(check.accuracy_function(forgot_return))
    assert "ZeroDivisionError" in str(check.accuracy_function(broken))
    assert "should be a function" in str(check.accuracy_function(3))


def test_common_mistakes_are_named():
    assert "percentage" in str(check.accuracy_function(lambda p, y: 100 * right(p, y)))
    wrong = check.accuracy_function(lambda p, y: float(np.mean((np.asarray(p) >= 0.6) == y)))
    assert not wrong and "returned" in str(wrong)


# ---- Issue 22: checkers never raise on a strange answer, and never truncate a wrong count -------------
def test_linear_predict_rejects_strings_without_raising():
    verdict = check.linear_predict(lambda x, w, b: np.array(["a"] * len(x)))
    assert not verdict and "array of numbers" in str(verdict)


def test_gpt_block_params_does_not_truncate():
    assert check.gpt_block_params(lambda d: 12 * d * d + 13 * d)
    assert check.gpt_block_params(lambda d: float(12 * d * d + 13 * d))
    verdict = check.gpt_block_params(lambda d: 12 * d * d + 13 * d + 0.5)
    assert not verdict and "whole number" in str(verdict)


def _ig(rule):
    def ig(grad, x, base, steps):
        if rule == "trapezoid":
            t = np.linspace(0, 1, steps + 1)
            w = np.full(steps + 1, 1 / steps)
            w[[0, -1]] /= 2
            return (x - base) * sum(wi * grad(base + ti * (x - base)) for wi, ti in zip(w, t))
        t = {"left": np.arange(steps) / steps, "right": np.arange(1, steps + 1) / steps,
             "midpoint": (np.arange(steps) + 0.5) / steps}[rule]
        return (x - base) * np.mean([grad(base + ti * (x - base)) for ti in t], axis=0)
    return ig


@pytest.mark.parametrize("rule", ["left", "right", "midpoint", "trapezoid"])
def test_integrated_gradients_checker_accepts_every_riemann_rule(rule):
    assert check.integrated_gradients_function(_ig(rule))


def test_integrated_gradients_checker_rejects_wrong_answers_and_strings():
    assert not check.integrated_gradients_function(lambda g, x, b, m: g(x))  # saliency
    assert not check.integrated_gradients_function(lambda g, x, b, m: 1.05 * _ig("midpoint")(g, x, b, m))
    assert not check.integrated_gradients_function(lambda g, x, b, m: _ig("right")(g, x, b, 5))  # too few steps
    calls = []

    def strings_second_time(g, x, b, m):
        calls.append(1)
        return _ig("midpoint")(g, x, b, m) if len(calls) == 1 else np.array(["x", "y", "z"])

    verdict = check.integrated_gradients_function(strings_second_time)
    assert not verdict and "array of numbers" in str(verdict)
