import numpy as np

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
