import numpy as np
import pytest

from helpers import check


def test_gd_step_checker():
    assert check.gd_step(lambda t, g, lr: np.asarray(t) - lr * np.asarray(g))
    assert "uphill" in str(check.gd_step(lambda t, g, lr: t + lr * g))
    assert "learning rate" in str(check.gd_step(lambda t, g, lr: t - g))

    def in_place(t, g, lr):
        t -= lr * g
        return t

    assert "changed the arrays" in str(check.gd_step(in_place))
    assert "NotImplementedError" in str(check.gd_step(lambda t, g, lr: (_ for _ in ()).throw(NotImplementedError)))


def test_soft_threshold_checker():
    assert check.soft_threshold(lambda w, t: np.sign(w) * np.maximum(np.abs(w) - t, 0))
    assert "cross zero" in str(check.soft_threshold(lambda w, t: w - t * np.sign(w)))
    assert "hard thresholding" in str(check.soft_threshold(lambda w, t: np.where(np.abs(w) > t, w, 0.0)))
    assert "forget `return`" in str(check.soft_threshold(lambda w, t: None))


def test_stable_rate_accepts_one_third_and_names_the_usual_mistakes():
    assert check.stable_rate(1 / 3)
    assert check.stable_rate(0.3333)
    for wrong, words in [(2 / 3, "twice the coefficient"), (2.0, "flat direction"), (1 / 6, "1/L"),
                         (0.5, "not the limit"), ("1/3", "should be a number"), (None, "None")]:
        verdict = check.stable_rate(wrong)
        assert not verdict and words in str(verdict), (wrong, str(verdict))


def test_scaled_rate_accepts_the_linear_rule_written_several_ways():
    assert check.scaled_rate(lambda lr, b, nb: lr * nb / b)
    assert check.scaled_rate(lambda lr, b, nb: lr * (nb / b))
    assert check.scaled_rate(lambda lr, b, nb: np.float32(lr) / b * nb)  # float32 rounding is accepted
    assert check.scaled_rate(lambda lr, b, nb: np.array(lr * nb / b))


@pytest.mark.parametrize("answer, words", [
    (lambda lr, b, nb: lr * b / nb, "upside down"),
    (lambda lr, b, nb: lr * np.sqrt(nb / b), "square-root rule"),
    (lambda lr, b, nb: lr, "does not change"),
    (lambda lr, b, nb: lr * (nb // b), "integer division"),
    (lambda lr, b, nb: lr * nb / b + 0.01, "expected 1"),
    (lambda lr, b, nb: None, "forget `return`"),
    (lambda lr, b, nb: "1.0", "should be a number"),
])
def test_scaled_rate_rejects_wrong_rules_with_a_reason(answer, words):
    verdict = check.scaled_rate(answer)
    assert not verdict and words in str(verdict), str(verdict)


def _global_clip(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * min(1.0, max_norm / norm) for g in grads]


def test_clip_global_norm_accepts_the_rule_and_tensorflow():
    assert check.clip_global_norm(_global_clip)

    def with_tf(grads, max_norm):
        import tensorflow as tf
        return [g.numpy() for g in tf.clip_by_global_norm([tf.constant(g) for g in grads], max_norm)[0]]

    assert check.clip_global_norm(with_tf)


@pytest.mark.parametrize("answer, words", [
    (lambda gs, m: [g * min(1.0, m / np.linalg.norm(g)) for g in gs], "its own norm"),
    (lambda gs, m: [np.clip(g, -m, m) for g in gs], "each entry"),
    (lambda gs, m: [g * m / np.sqrt(sum(np.sum(h ** 2) for h in gs)) for g in gs], "shorter already"),
    (lambda gs, m: gs, "not the gradients times"),
    (lambda gs, m: np.concatenate([g.ravel() for g in gs]), "list of 2 arrays"),
    (lambda gs, m: [g.ravel() for g in gs], "shape"),
])
def test_clip_global_norm_rejects_wrong_clipping_with_a_reason(answer, words):
    verdict = check.clip_global_norm(answer)
    assert not verdict and words in str(verdict), str(verdict)
