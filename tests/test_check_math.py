import warnings

import numpy as np
import pytest

from helpers import check, nn


def todo(*args):
    raise NotImplementedError


def forgot_return(*args):
    np.zeros(1)


def _no_warnings(verdict_fn, answer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return verdict_fn(answer)


@pytest.mark.parametrize(
    "checker", [check.sigmoid, check.dense_layer, check.mlp_forward, check.backprop_gradients, check.stable_bce]
)
def test_unfinished_answers_get_a_hint_not_a_crash(checker):
    assert "NotImplementedError" in str(checker(todo))
    assert "forget `return`" in str(checker(forgot_return))
    assert "should be a function" in str(checker(None))
    assert not checker(lambda *a: "text")


def test_sigmoid():
    assert _no_warnings(check.sigmoid, nn.sigmoid)
    naive = _no_warnings(check.sigmoid, lambda z: 1 / (1 + np.exp(-z)))
    assert not naive and "overflow" in str(naive)
    assert "sigmoid(-z)" in str(check.sigmoid(lambda z: 1 / (1 + np.exp(z))))
    assert "shape" in str(check.sigmoid(lambda z: nn.sigmoid(z).sum()))
    assert not check.sigmoid(lambda z: np.tanh(z))


def relu_dense(x, w, b):
    return np.maximum(x @ w + b, 0)


def test_dense_layer():
    assert check.dense_layer(relu_dense)
    assert "ReLU" in str(check.dense_layer(lambda x, w, b: x @ w + b))
    assert "bias is missing" in str(check.dense_layer(lambda x, w, b: np.maximum(x @ w, 0)))
    assert "after the ReLU" in str(check.dense_layer(lambda x, w, b: np.maximum(x @ w, 0) + b))
    assert "x @ W" in str(check.dense_layer(lambda x, w, b: np.maximum(w.T @ x.T, 0)))
    assert "raised ValueError" in str(check.dense_layer(lambda x, w, b: w @ x))


def mlp(x, layers):
    a = x
    for i, (w, b) in enumerate(layers):
        a = a @ w + b
        if i < len(layers) - 1:
            a = np.maximum(a, 0)
    return a


def test_mlp_forward():
    assert check.mlp_forward(mlp)

    def relu_everywhere(x, layers):
        for w, b in layers:
            x = np.maximum(x @ w + b, 0)
        return x

    def linear(x, layers):
        for w, b in layers:
            x = x @ w + b
        return x

    def three_only(x, layers):
        if len(layers) != 3:
            return np.zeros((len(x), 3))
        return mlp(x, layers)

    assert "raw logits" in str(check.mlp_forward(relu_everywhere))
    assert "no activation" in str(check.mlp_forward(linear))
    assert "single layer" in str(check.mlp_forward(three_only))
    assert "expected (8, 3)" in str(check.mlp_forward(lambda x, layers: x))


def test_backprop_gradients():
    assert check.backprop_gradients(lambda p, x, y: nn.two_layer_gradients(p, x, y, "relu"))
    assert check.backprop_gradients(lambda p, x, y: nn.two_layer_gradients(p, x, y), hidden="tanh")
    tanh_for_relu = check.backprop_gradients(lambda p, x, y: nn.two_layer_gradients(p, x, y, "tanh"))
    assert not tanh_for_relu and "tanh hidden layer" in str(tanh_for_relu)

    def wrong_derivative(p, x, y):
        g = nn.two_layer_gradients(p, x, y, "relu")
        g["W1"] = g["W1"] * 1.5
        return g

    assert "derivative" in str(check.backprop_gradients(wrong_derivative))

    def summed(p, x, y):
        return {k: v * len(x) for k, v in nn.two_layer_gradients(p, x, y, "relu").items()}

    assert "divide by n" in str(check.backprop_gradients(summed))
    assert "no b2" in str(check.backprop_gradients(lambda p, x, y: {k: p[k] for k in ("W1", "b1", "W2")}))
    assert "shape" in str(check.backprop_gradients(lambda p, x, y: {k: np.zeros(7) for k in p}))
    assert "dict" in str(check.backprop_gradients(lambda p, x, y: [1, 2]))

    def flat_b2(p, x, y):
        g = nn.two_layer_gradients(p, x, y, "relu")
        g["b2"] = float(g["b2"][0])
        return g

    assert check.backprop_gradients(flat_b2)
    nan = check.backprop_gradients(lambda p, x, y: {k: np.full(v.shape, np.nan) for k, v in p.items()})
    assert not nan
    with pytest.raises(ValueError, match="hidden must be one of"):
        check.backprop_gradients(flat_b2, hidden="gelu")


def test_stable_bce():
    assert _no_warnings(check.stable_bce, nn.bce_from_logits)

    def naive(z, y):
        p = 1 / (1 + np.exp(-z))
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    verdict = _no_warnings(check.stable_bce, naive)
    assert not verdict and "±1000" in str(verdict)
    assert "sum" in str(check.stable_bce(lambda z, y: nn.bce_from_logits(z, y) * len(z)))
    assert "flipped" in str(check.stable_bce(lambda z, y: nn.bce_from_logits(-z, y)))
    assert "one number" in str(check.stable_bce(lambda z, y: np.maximum(z, 0) - z * y))

    def warns(z, y):
        return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))) + 0 * np.exp(-z).sum()

    verdict = _no_warnings(check.stable_bce, warns)
    assert not verdict


# ---- issue 17: the accuracy checker pins the convention at p = 0.5 exactly (class 1 only when p > 0.5) ----
def test_accuracy_function_threshold_convention_at_one_half():
    def strict(p, y):
        return float(np.mean((np.asarray(p) > 0.5) == np.asarray(y)))

    def inclusive(p, y):  # counts p = 0.5 as class 1
        return float(np.mean((np.asarray(p) >= 0.5) == np.asarray(y)))

    def rounded(p, y):  # np.round sends 0.5 to 0 (round half to even) and 0.51 to 1: the same rule
        return float(np.mean(np.round(np.asarray(p)) == np.asarray(y)))

    assert check.accuracy_function(strict)
    verdict = check.accuracy_function(inclusive)
    assert not verdict and "exactly 0.5" in str(verdict)
    assert check.accuracy_function(rounded)
    assert not check.accuracy_function(lambda p, y: 0.5)


# ---- issue 17: forward's softmax-overflow exercise ----
@pytest.mark.parametrize("row", [[100.0, 101.0], np.array([89.0, 0.0, -5.0]), [-1000.0, -1001.0],
                                 np.array([500, 500], dtype=np.int64), (1e30, 1.0)])
def test_softmax_overflow_accepts_rows_that_break_the_unshifted_softmax(row):
    verdict = check.softmax_overflow(row)
    assert verdict, str(verdict)
    assert "NaN" in str(verdict) or "nan" in str(verdict)


@pytest.mark.parametrize("row, words", [
    ([1.0, 2.0, 3.0], "fits in float32"),
    ([88.0, 80.0], "fits in float32"),           # e^88 < 3.4e38: just inside
    ([-200.0, 0.0], "fits in float32"),           # one exponential underflows, the sum does not
    ([np.inf, 1.0], "finite"),
    ([np.nan, 1.0], "finite"),
    ([100.0], "at least two"),
    ([[100.0, 101.0]], "1-D"),
    ([1e40, 1.0], "too large to be float32"),
    ("100, 101", "should be an array"),
    (None, "None"),
])
def test_softmax_overflow_rejects_rows_that_do_not_and_says_why(row, words):
    verdict = check.softmax_overflow(row)
    assert not verdict and words in str(verdict), str(verdict)


def test_softmax_overflow_names_overflow_and_underflow():
    assert "overflows" in str(check.softmax_overflow([100.0, 101.0]))
    assert "underflows" in str(check.softmax_overflow([-1000.0, -1001.0]))


def _row_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_stable_softmax_accepts_shifted_versions():
    assert _no_warnings(check.stable_softmax, _row_softmax)

    def via_logsumexp(z):  # another valid form: exp(z - logsumexp(z))
        m = z.max(axis=1, keepdims=True)
        return np.exp(z - (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))))

    assert _no_warnings(check.stable_softmax, via_logsumexp)

    def keras_softmax(z):
        import keras
        return keras.ops.softmax(np.asarray(z, np.float32), axis=-1)

    assert check.stable_softmax(keras_softmax)


def test_stable_softmax_rejects_wrong_answers_with_a_reason():
    naive = _no_warnings(check.stable_softmax, lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))
    assert not naive and "overflows" in str(naive)
    whole = check.stable_softmax(lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum())
    assert not whole and "each row" in str(whole)
    columns = check.stable_softmax(lambda z: _row_softmax(z.T).T)
    assert not columns and "expected" in str(columns)
    assert "shape" in str(check.stable_softmax(lambda z: _row_softmax(z)[:, 0]))
    assert "NotImplementedError" in str(check.stable_softmax(todo))


# ---- issue 17: training_deep_nets' initialisation exercise and losses' perplexity exercise ----
def test_init_std_accepts_he_and_glorot_written_several_ways():
    def rule(fan_in, fan_out, activation):
        return np.sqrt(2 / fan_in) if activation == "relu" else np.sqrt(2 / (fan_in + fan_out))

    assert check.init_std(rule)
    assert check.init_std(lambda i, o, a: (2 / i) ** 0.5 if a == "relu" else (1 / ((i + o) / 2)) ** 0.5)


@pytest.mark.parametrize("answer, words", [
    (lambda i, o, a: 2 / i if a == "relu" else 2 / (i + o), "variance"),
    (lambda i, o, a: np.sqrt(1 / i) if a == "relu" else np.sqrt(2 / (i + o)), "twice the variance"),
    (lambda i, o, a: np.sqrt(2 / (i + o)), "Glorot's rule"),
    (lambda i, o, a: np.sqrt(2 / i), "He's rule for ReLU"),
    (lambda i, o, a: np.sqrt(2 / o), "fan_in sets"),
    (lambda i, o, a: 0.01, "expected"),
    (lambda i, o, a: None, "forget `return`"),
])
def test_init_std_rejects_wrong_scales_with_a_reason(answer, words):
    verdict = check.init_std(answer)
    assert not verdict and words in str(verdict), str(verdict)


def test_perplexity_accepts_equivalent_formulas():
    assert _no_warnings(check.perplexity, lambda p: np.exp(-np.mean(np.log(p))))
    assert _no_warnings(check.perplexity, lambda p: float(np.prod(1 / p) ** (1 / len(p))))
    assert check.perplexity(lambda p: 2 ** (-np.mean(np.log2(p))))


@pytest.mark.parametrize("answer, words", [
    (lambda p: -np.mean(np.log(p)), "cross-entropy in nats"),
    (lambda p: np.exp(-np.sum(np.log(p))), "sum of the log-probabilities"),
    (lambda p: np.mean(1 / p), "geometric mean"),
    (lambda p: np.exp(np.mean(np.log(p))), "minus sign"),
    (lambda p: np.exp(-np.log(p)), "one number"),
    (lambda p: len(p), "expected"),
])
def test_perplexity_rejects_wrong_formulas_with_a_reason(answer, words):
    verdict = check.perplexity(answer)
    assert not verdict and words in str(verdict), str(verdict)
