import numpy as np
import pytest

from helpers import check, nn
from test_check_concepts import bpe_merge_reference
from test_check_math import mlp


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


# ---- Issue 15: the worked example's checkers ------------------------------------------------------------
def test_source_param_counts_accepts_the_counts_in_any_numeric_form():
    assert check.source_param_counts((20609, 24449, 73985))
    assert check.source_param_counts([20609.0, np.int64(24449), 73985])
    assert check.source_param_counts(np.array([20609, 24449, 73985]))


@pytest.mark.parametrize("counts, reason", [
    ((20480, 24449, 73985), "output layer"),          # forgot Dense(1)
    ((20352, 24449, 73985), "only the weights"),      # no biases
    ((20609, 41218, 73985), "only the first layer"),  # doubled everything for 60 inputs
    ((20609, 24449, 41218), "grows four times"),      # doubled everything for width 256
    ((20609, 24449, 73984), "for 256-wide hidden layers you have 73984"),
    ((20609, 24449), "three numbers"),
    ((None, None, None), "None"),
    ((20609.5, 24449, 73985), "whole number"),
])
def test_source_param_counts_names_the_mistake(counts, reason):
    verdict = check.source_param_counts(counts)
    assert not verdict and reason in str(verdict), str(verdict)


def _draw(n, seed):
    rng = np.random.default_rng(seed)
    return 10 ** rng.uniform(-3.5, -0.5, n), 10 ** rng.uniform(-5, -1, n)


def test_random_search_draws_accepts_other_correct_implementations():
    assert check.random_search_draws(_draw)
    assert check.random_search_draws(lambda n, s: (np.power(10.0, np.random.uniform(-3.5, -0.5, size=n)).tolist(),
                                                   np.exp(np.log(10) * np.random.uniform(-5, -1, size=n))))
    assert check.random_search_draws(lambda n, s: [10 ** u for u in -3.5 + 3 * np.random.default_rng(s).random((2, n))
                                                   * np.array([[1], [4 / 3]]) - np.array([[0], [1.5]])])


@pytest.mark.parametrize("fn, reason", [
    (lambda n, s: (np.random.uniform(10 ** -3.5, 10 ** -0.5, n), _draw(n, s)[1]), "top decade"),
    (lambda n, s: _draw(n, s)[::-1], "swapped"),
    (lambda n, s: (np.exp(np.random.uniform(-3.5, -0.5, n)), _draw(n, s)[1]), "not of e"),
    (lambda n, s: (np.resize([1e-3, 1e-2, 3e-2], n), _draw(n, s)[1]), "grid"),
    (lambda n, s: (10 ** (-3.5 + 3 * np.linspace(0, 1, n)), 10 ** (-5 + 4 * np.linspace(0, 1, n))), "together"),
    (lambda n, s: _draw(30, s), "use n"),
    (lambda n, s: _draw(n, s)[0], "two arrays"),
])
def test_random_search_draws_names_the_mistake(fn, reason):
    verdict = check.random_search_draws(fn)
    assert not verdict and reason in str(verdict), str(verdict)


def _guard(x, mean, std):
    z = (np.asarray(x, dtype=float) - mean) / std
    if np.abs(z).max() > 10:
        raise ValueError(f"feature {int(np.abs(np.atleast_2d(z)).max(axis=0).argmax())} is too far out")


def test_range_guard_accepts_other_correct_implementations():
    assert check.range_guard(_guard)

    def returns_labels(x, mean, std):  # a guard that also returns something
        bad = np.abs((np.atleast_2d(x) - mean) / std) > 10
        if bad.any():
            raise ValueError(np.argwhere(bad).tolist())
        return np.atleast_2d(x)

    assert check.range_guard(returns_labels)
    assert check.range_guard(lambda x, m, s: [_guard(row, m, s) for row in np.atleast_2d(x)])


@pytest.mark.parametrize("fn, reason", [
    (lambda x, m, s: None if ((np.asarray(x) - m) / s).max() <= 10 else 1 / 0, "ZeroDivisionError"),
    (lambda x, m, s: _guard(np.abs(x), np.abs(m), s) if False else
     (_ for _ in ()).throw(ValueError()) if ((np.asarray(x) - m) / s).max() > 10 else None, "below"),
    (lambda x, m, s: _guard(np.atleast_2d(x)[0], m, s), "every row"),
    (lambda x, m, s: (_ for _ in ()).throw(ValueError()) if np.abs(np.asarray(x) - m).max() > 10 * s.mean() else None,
     "raw units"),
    (lambda x, m, s: (_ for _ in ()).throw(ValueError()), "ordinary inputs"),
    (lambda x, m, s: _guard(x, m, s.max()), "own std"),
    (lambda x, m, s: None, "10.5 standard deviations above"),
])
def test_range_guard_names_the_mistake(fn, reason):
    verdict = check.range_guard(fn)
    assert not verdict and reason in str(verdict), str(verdict)


def _moons_model(hidden, activation="tanh", train=True, functional=False):
    import keras

    keras.utils.set_random_seed(0)
    if functional:
        inputs = keras.Input(shape=(2,))
        h = inputs
        for units in hidden:
            h = keras.layers.Dense(units)(h)
            h = keras.layers.Activation(activation)(h)
        model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(h))
    else:
        model = keras.Sequential([keras.Input(shape=(2,))] + [keras.layers.Dense(u, activation=activation)
                                                               for u in hidden]
                                 + [keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    if train:
        model.fit(np.zeros((8, 2)), np.zeros(8), epochs=1, verbose=0)
    return model


def test_small_network_accepts_sequential_and_functional_models():
    assert check.small_network(_moons_model([2]))
    assert check.small_network(_moons_model([2], functional=True))


@pytest.mark.parametrize("kwargs, reason", [
    ({"hidden": [2, 16]}, "2 hidden layers"),
    ({"hidden": [16]}, "has 16 neurons"),
    ({"hidden": []}, "no hidden layer"),
    ({"hidden": [2], "activation": "relu"}, "keep tanh"),
    ({"hidden": [2], "train": False}, "not been trained"),
])
def test_small_network_names_the_mistake(kwargs, reason):
    verdict = check.small_network(_moons_model(**kwargs))
    assert not verdict and reason in str(verdict), str(verdict)


def test_small_network_refuses_what_is_not_a_model():
    assert "still holds None" in str(check.small_network(None))
    assert "Keras model" in str(check.small_network(lambda x: x))


# ---- Issue 16: the clipping checker tries several bounds ------------------------------------------------
def _clip(g, c):
    n = np.linalg.norm(g, axis=1, keepdims=True)
    return g * np.minimum(1.0, c / np.maximum(n, 1e-12))


def test_clip_checker_accepts_the_right_answer_in_any_form():
    assert check.clip_per_example(_clip)
    assert check.clip_per_example(lambda g, c: np.where(np.linalg.norm(g, axis=1, keepdims=True) > c,
                                                        c * g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True),
                                                                           1e-12), g).tolist())


@pytest.mark.parametrize("answer, reason", [
    (lambda g, c: _clip(g, 1.0), "use the bound"),                        # ignores c: right only for c = 1
    (lambda g, c: g * min(1.0, c / np.linalg.norm(g)), "whole batch"),
    (lambda g, c: c * g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-12), "small gradients"),
    (lambda g, c: g * np.minimum(1.0, c / np.maximum(np.linalg.norm(g, axis=1, keepdims=True) ** 2, 1e-12)),
     "squared norm"),
    (lambda g, c: g / np.linalg.norm(g, axis=1, keepdims=True)
     * np.minimum(np.linalg.norm(g, axis=1, keepdims=True), c), "NaN"),   # 0 / 0 on the zero row
    (lambda g, c: _clip(g, c)[:, 0], "shape"),
    (lambda g, c: _clip(g, c) if c in (1.0, 0.25) else g, "clip 2.5"),   # right for small bounds only
])
def test_clip_checker_names_the_mistake(answer, reason):
    with np.errstate(invalid="ignore", divide="ignore"):
        verdict = check.clip_per_example(answer)
    assert not verdict and reason in str(verdict), str(verdict)


# ---- Issue 16: the batch-size arithmetic of data parallelism (distributed) ------------------------------
@pytest.mark.parametrize("batch, steps", [(256, 4000), (256.0, 4000.0), (np.int64(256), np.float32(4000))])
def test_data_parallel_batch_accepts_the_answer_in_any_numeric_form(batch, steps):
    assert check.data_parallel_batch(batch, steps)


@pytest.mark.parametrize("batch, steps, reason", [
    (32, 32000, "per-GPU batch"),                 # the per-replica batch passed to fit
    (4, 256000, "divides 32"),
    (512, 2000, "global batch"),
    (256, 32000, "per-GPU batch"),                # steps from the per-replica batch
    (256, 500, "replicas twice"),
    (256, 4001, "examples / global batch"),
    (None, 4000, "None"),
    (256, "4000", "string"),
])
def test_data_parallel_batch_names_the_mistake(batch, steps, reason):
    verdict = check.data_parallel_batch(batch, steps)
    assert not verdict and reason in str(verdict), str(verdict)


def test_power_law_exponent_checker_rejects_an_answer_that_ignores_the_data():
    # Returning the exponent of the first example, whatever the points, is not a fit.
    assert not check.power_law_exponent(lambda x, y: -0.25)


def test_chinchilla_bill_checker_rejects_hours_off_by_a_factor():
    # 6 x 70e9 x 1.4e12 = 5.88e23 FLOPs; at 0.4 x 989e12 FLOP/s that is 1.486e9 s, about 412,900 hours.
    assert check.chinchilla_bill(5.88e23, 412_900)
    for hours in (2 * 412_900, 412_900 / 2, 1.2 * 412_900):
        assert not check.chinchilla_bill(5.88e23, hours)


def test_standardiser_checker_rejects_values_shifted_by_half_a_standard_deviation():
    assert check.standardiser(lambda a, b: (b - a.mean(axis=0)) / a.std(axis=0))
    assert not check.standardiser(lambda a, b: (b - a.mean(axis=0)) / a.std(axis=0) + 0.5)


def test_int8_checker_rejects_a_scale_that_wastes_half_the_range():
    # Rounding to max|w| / 63 is accurate to half a step, but uses only -63..63 of int8's -127..127:
    # twice the step that max|w| / 127 gives.
    def seven_bit(w):
        scale = float(np.abs(w).max() / 63)
        return np.rint(w / scale).astype(np.int8), scale

    assert not check.int8_symmetric(seven_bit)


# ---- Issue 22: every checker accepts a right answer, rejects a wrong one, and always explains itself --------


def _sm(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_mlp = mlp  # the math tests' reference MLP (tests/test_check_math.py)
_bpe = bpe_merge_reference


def _budget_width(depth, budget):  # brute force: the widest equal-width 2-w-...-w-1 net within the budget
    def params(w):
        return 2 * w + w + (depth - 1) * (w * w + w) + w + 1
    w = 0
    while params(w + 1) <= budget:
        w += 1
    return w


def _context(vocab):
    return lambda t: vocab * 16 + t * 16 * 256 + 256 + 256 * vocab + vocab


def _malignant(labels, preds):
    labels, preds = np.asarray(labels), np.asarray(preds)
    tp = np.sum((labels == 0) & (preds == 0))
    return tp / np.sum(preds == 0), tp / np.sum(labels == 0)


def _moe(d, f, e, k):
    expert = 2 * d * f + f + d
    router = d * e if e > 1 else 0
    return e * expert + router, k * expert + router


def _int8(w):
    scale = np.abs(w).max() / 127
    return np.round(w / scale), scale


def _global_clip(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * min(1.0, max_norm / norm) for g in grads]


def _init(fan_in, fan_out, activation):
    return np.sqrt(2 / fan_in) if activation == "relu" else np.sqrt(2 / (fan_in + fan_out))


_BUDGET = 1e11 * 86400

# name -> (a known-right answer's verdict, a known-wrong answer's verdict), each a thunk.
_RIGHT_AND_WRONG = {
    "accuracy_function": (lambda: check.accuracy_function(right),
                          lambda: check.accuracy_function(lambda p, y: 1 - right(p, y))),
    "linear_predict": (lambda: check.linear_predict(lambda x, w, b: (x @ w + b > 0).astype(int)),
                       lambda: check.linear_predict(lambda x, w, b: (x @ w + b > 0.5).astype(int))),
    "gpt_block_params": (lambda: check.gpt_block_params(lambda d: 12 * d * d + 13 * d),
                         lambda: check.gpt_block_params(lambda d: 12 * d * d + 13 * d + 1)),
    "mlp_param_count": (lambda: check.mlp_param_count(lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:]))),
                        lambda: check.mlp_param_count(lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:])) + 1)),
    "trend_extrapolation": (lambda: check.trend_extrapolation(540e9 * 1.5 ** 8, per_year=1.5),
                            lambda: check.trend_extrapolation(1.1 * 540e9 * 1.5 ** 8, per_year=1.5)),
    "budget_width": (lambda: check.budget_width(_budget_width),
                     lambda: check.budget_width(lambda d, b: max(1, _budget_width(d, b) - 1))),
    "context_param_count": (lambda: check.context_param_count(_context(50), 50),
                            lambda: check.context_param_count(lambda t: _context(50)(t) + 1, 50)),
    "temperature_softmax": (lambda: check.temperature_softmax(lambda z, t: _sm(np.asarray(z) / t)),
                            lambda: check.temperature_softmax(lambda z, t: _sm(np.asarray(z) / (2 * t)))),
    "conv_output_size": (lambda: check.conv_output_size(lambda n, k, p, s: (n + 2 * p - k) // s + 1),
                         lambda: check.conv_output_size(lambda n, k, p, s: (n + 2 * p - k) // s + 2)),
    "bpe_merge": (lambda: check.bpe_merge(_bpe), lambda: check.bpe_merge(lambda ids, p, n: _bpe(ids, p, n) + [0])),
    "frequency_bin": (lambda: check.frequency_bin(lambda f, rate, n: round(f * n / rate)),
                      lambda: check.frequency_bin(lambda f, rate, n: round(f * n / rate) + 1)),
    "embedding_balance_width": (lambda: check.embedding_balance_width(355),
                                lambda: check.embedding_balance_width(340)),
    "compute_optimal_size": (lambda: check.compute_optimal_size(np.sqrt(_BUDGET / 120), _BUDGET),
                             lambda: check.compute_optimal_size(1.1 * np.sqrt(_BUDGET / 120), _BUDGET)),
    "attention_score_bytes": (lambda: check.attention_score_bytes(lambda t, h, b, n: b * h * t * t * n),
                              lambda: check.attention_score_bytes(lambda t, h, b, n: 2 * b * h * t * t * n)),
    "int8_symmetric": (lambda: check.int8_symmetric(_int8),
                       lambda: check.int8_symmetric(lambda w: (np.round(w / (np.abs(w).max() / 100)),
                                                               np.abs(w).max() / 100))),
    "moe_parameters": (lambda: check.moe_parameters(_moe),
                       lambda: check.moe_parameters(lambda d, f, e, k: (_moe(d, f, e, k)[0] + 1, _moe(d, f, e, k)[1]))),
    "gd_step": (lambda: check.gd_step(lambda t, g, lr: np.asarray(t) - lr * np.asarray(g)),
                lambda: check.gd_step(lambda t, g, lr: np.asarray(t) - 1.1 * lr * np.asarray(g))),
    "soft_threshold": (lambda: check.soft_threshold(lambda w, t: np.sign(w) * np.maximum(np.abs(w) - t, 0)),
                       lambda: check.soft_threshold(lambda w, t: np.sign(w) * np.maximum(np.abs(w) - 1.1 * t, 0))),
    "stable_rate": (lambda: check.stable_rate(1 / 3), lambda: check.stable_rate(0.4)),
    "scaled_rate": (lambda: check.scaled_rate(lambda lr, b, nb: lr * nb / b),
                    lambda: check.scaled_rate(lambda lr, b, nb: 1.1 * lr * nb / b)),
    "clip_global_norm": (lambda: check.clip_global_norm(_global_clip),
                         lambda: check.clip_global_norm(lambda g, c: [1.1 * a for a in _global_clip(g, c)])),
    "sigmoid": (lambda: check.sigmoid(nn.sigmoid), lambda: check.sigmoid(lambda z: 1.1 * nn.sigmoid(z))),
    "dense_layer": (lambda: check.dense_layer(lambda x, w, b: np.maximum(x @ w + b, 0)),
                    lambda: check.dense_layer(lambda x, w, b: 1.1 * np.maximum(x @ w + b, 0))),
    "mlp_forward": (lambda: check.mlp_forward(_mlp), lambda: check.mlp_forward(lambda x, l: 1.1 * _mlp(x, l))),
    "backprop_gradients": (
        lambda: check.backprop_gradients(lambda p, x, y: nn.two_layer_gradients(p, x, y, "relu")),
        lambda: check.backprop_gradients(lambda p, x, y: {k: 1.1 * np.asarray(v) for k, v in
                                                          nn.two_layer_gradients(p, x, y, "relu").items()})),
    "stable_bce": (lambda: check.stable_bce(nn.bce_from_logits),
                   lambda: check.stable_bce(lambda z, y: 1.1 * np.asarray(nn.bce_from_logits(z, y)))),
    "stable_softmax": (lambda: check.stable_softmax(lambda z: _sm(z, axis=1)),
                       lambda: check.stable_softmax(lambda z: _sm(1.1 * np.asarray(z), axis=1))),
    "softmax_overflow": (lambda: check.softmax_overflow([100.0, 101.0]), lambda: check.softmax_overflow([1.0, 2.0])),
    "init_std": (lambda: check.init_std(_init), lambda: check.init_std(lambda i, o, a: 1.1 * _init(i, o, a))),
    "perplexity": (lambda: check.perplexity(lambda p: 2 ** (-np.mean(np.log2(p)))),
                   lambda: check.perplexity(lambda p: 1.1 * 2 ** (-np.mean(np.log2(p))))),
    "power_law_exponent": (
        lambda: check.power_law_exponent(lambda x, y: float(np.polyfit(np.log(x), np.log(y), 1)[0])),
        lambda: check.power_law_exponent(lambda x, y: 1.1 * float(np.polyfit(np.log(x), np.log(y), 1)[0]))),
    "training_flops": (lambda: check.training_flops(lambda n, d: 6 * n * d),
                       lambda: check.training_flops(lambda n, d: 8 * n * d)),
    "params_for_loss": (
        lambda: check.params_for_loss(lambda law, loss: (loss / law.coefficient) ** (1 / law.exponent)),
        lambda: check.params_for_loss(lambda law, loss: 1.1 * (loss / law.coefficient) ** (1 / law.exponent))),
    "chinchilla_bill": (lambda: check.chinchilla_bill(5.88e23, 412_900), lambda: check.chinchilla_bill(5.88e23, 5e5)),
    "clip_per_example": (lambda: check.clip_per_example(_clip),
                         lambda: check.clip_per_example(lambda g, c: 1.1 * _clip(g, c))),
    "integrated_gradients_function": (lambda: check.integrated_gradients_function(_ig("midpoint")),
                                      lambda: check.integrated_gradients_function(
                                          lambda g, x, b, m: 1.1 * _ig("midpoint")(g, x, b, m))),
    "data_parallel_batch": (lambda: check.data_parallel_batch(256, 4000), lambda: check.data_parallel_batch(256, 4100)),
    "malignant_precision_recall": (lambda: check.malignant_precision_recall(_malignant),
                                   lambda: check.malignant_precision_recall(
                                       lambda l, p: tuple(1.1 * v for v in _malignant(l, p)))),
    "random_search_draws": (lambda: check.random_search_draws(_draw),
                            lambda: check.random_search_draws(lambda n, s: (_draw(n, s)[0], _draw(n, s)[0]))),
    "range_guard": (lambda: check.range_guard(_guard), lambda: check.range_guard(lambda x, m, s: None)),
    "small_network": (lambda: check.small_network(_moons_model([2])),
                      lambda: check.small_network(_moons_model([3]))),
    "source_param_counts": (lambda: check.source_param_counts((20609, 24449, 73985)),
                            lambda: check.source_param_counts((20609, 24449, 73986))),
    "standardiser": (lambda: check.standardiser(lambda a, b: (b - a.mean(axis=0)) / a.std(axis=0)),
                     lambda: check.standardiser(lambda a, b: 1.1 * (b - a.mean(axis=0)) / a.std(axis=0))),
}
# These need data or models; tests/test_check_concepts.py checks them the same way.
_WITH_FIXTURES = {"gamma_accuracies", "identity_network_accuracy", "shifted_accuracies"}


def _explained(verdict, passed):
    assert isinstance(verdict, check.Verdict), verdict
    assert verdict.passed is passed and bool(verdict) is passed, verdict
    assert isinstance(verdict.message, str) and verdict.message.strip(), repr(verdict.message)


def test_every_checker_is_in_the_right_and_wrong_table():
    import inspect

    checkers = {name for name, obj in vars(check).items() if inspect.isfunction(obj) and not name.startswith("_")
                and obj.__module__.startswith("helpers.check.") and name != "call_answer"}
    assert checkers == set(_RIGHT_AND_WRONG) | _WITH_FIXTURES


@pytest.mark.parametrize("name", sorted(_RIGHT_AND_WRONG))
def test_every_checker_accepts_right_rejects_wrong_and_explains(name):
    good, bad = _RIGHT_AND_WRONG[name]
    with np.errstate(all="ignore"):
        _explained(good(), True)
        _explained(bad(), False)


# ---- Issue 22: tolerances are tight enough to reject an answer a little off --------------------------------
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_clip_per_example_rejects_an_answer_five_percent_off(factor):
    assert check.clip_per_example(_clip)
    assert not check.clip_per_example(lambda g, c: factor * _clip(g, c))
    assert not check.clip_per_example(lambda g, c: _clip(g, c) + 0.05 * (np.arange(len(g))[:, None] == 0))


def test_integrated_gradients_rejects_small_errors_in_either_check():
    mid = _ig("midpoint")
    # right on f = sum(x^2), 10 % off on f = sum(sin x) (steps=200 there): completeness fails.
    assert not check.integrated_gradients_function(lambda g, x, b, m: mid(g, x, b, m) * (1.1 if m == 200 else 1.0))
    # 0.05 off on one input of f = sum(x^2) (a 50-step Riemann sum is off by at most x^2 / 50 = 0.005 there).
    assert not check.integrated_gradients_function(lambda g, x, b, m: mid(g, x, b, m) + np.array([0, 0, 0.05]))
    assert check.integrated_gradients_function(mid)


@pytest.mark.parametrize("error", [lambda z: z * 1.05, lambda z: z + 0.05])
def test_standardiser_rejects_values_a_little_off(error):
    good = lambda a, b: (b - a.mean(axis=0)) / a.std(axis=0)  # noqa: E731
    assert check.standardiser(good)
    assert not check.standardiser(lambda a, b: error(good(a, b)))


def _guard_at(limit):
    def guard(x, mean, std):
        if np.abs((np.asarray(x, dtype=float) - mean) / std).max() > limit:
            raise ValueError("too far out")
    return guard


@pytest.mark.parametrize("limit", [9.6, 10.0, 10.4])
def test_range_guard_accepts_limits_between_its_probes(limit):
    # The checker probes 8, 9.5, 10.5, 11 and 12 standard deviations: any limit in (9.5, 10.5) behaves as 10.
    assert check.range_guard(_guard_at(limit))


@pytest.mark.parametrize("limit", [2.0, 7.5, 9.0, 9.4, 10.6, 11.5, 13.0])
def test_range_guard_rejects_a_limit_outside_9_5_to_10_5(limit):
    verdict = check.range_guard(_guard_at(limit))
    assert verdict.passed is False and verdict.message.strip(), verdict


def test_range_guard_rejects_a_guard_that_checks_only_one_feature():
    def first_feature_only(x, mean, std):
        z = (np.atleast_2d(np.asarray(x, dtype=float)) - mean) / std
        if np.abs(z[:, 0]).max() > 10:
            raise ValueError("too far out")

    assert not check.range_guard(first_feature_only)


@pytest.mark.parametrize("fn", [
    lambda n, s: _draw(n + 1, s) if n > 5 else _draw(n, s),       # one draw too many on the big call
    lambda n, s: _draw(n // 2, s) if n > 5 else _draw(n, s),      # half the draws
    lambda n, s: (_draw(n, s)[0], _draw(n - 1, s)[1]),             # one L2 strength short
    lambda n, s: _draw(n, s) + (_draw(n, s)[0],),                  # three arrays
])
def test_random_search_draws_rejects_a_wrong_count(fn):
    verdict = check.random_search_draws(fn)
    assert verdict.passed is False and verdict.message.strip(), verdict


def _untrained(inputs, output_units, output_activation, hidden=(2,)):
    import keras

    layers = [keras.Input(shape=(inputs,))] + [keras.layers.Dense(u, activation="tanh") for u in hidden]
    return keras.Sequential(layers + [keras.layers.Dense(output_units, activation=output_activation)])


@pytest.mark.parametrize("inputs, units, activation", [(3, 1, "sigmoid"), (2, 2, "softmax"), (2, 1, "linear")])
def test_small_network_rejects_wrong_inputs_and_outputs(inputs, units, activation):
    verdict = check.small_network(_untrained(inputs, units, activation))
    assert verdict.passed is False and verdict.message.strip(), verdict


def test_range_guard_rejects_a_guard_that_refuses_every_single_row():
    def batches_only(x, mean, std):
        if np.ndim(x) == 1:
            raise ValueError("expected a batch")
        _guard(x, mean, std)

    verdict = check.range_guard(batches_only)
    assert verdict.passed is False and verdict.message.strip(), verdict


def test_random_search_draws_rejects_exponents_that_are_not_uniform():
    def skewed(n, seed):  # exponents in the right ranges, but with density rising linearly towards the top
        rng = np.random.default_rng(seed)
        u = np.sqrt(rng.random((2, n)))
        return 10 ** (-3.5 + 3 * u[0]), 10 ** (-5 + 4 * u[1])

    verdict = check.random_search_draws(skewed)
    assert verdict.passed is False and verdict.message.strip(), verdict


@pytest.mark.parametrize("verdict_of", [
    lambda: check.sigmoid(lambda z: nn.sigmoid(z).sum()),              # one number instead of one per input
    lambda: check.sigmoid(lambda z: 1 / (1 + np.exp(z))),              # sigmoid(-z)
    lambda: check.dense_layer(lambda x, w, b: x @ w + b),              # no ReLU
])
def test_named_mistakes_give_a_false_verdict_not_just_a_falsy_one(verdict_of):
    with np.errstate(all="ignore"):
        verdict = verdict_of()
    assert verdict.passed is False and verdict.message.strip(), verdict


def test_standardiser_accepts_the_sample_standard_deviation():
    # The ddof=1 std differs from ddof=0 by a factor sqrt(40/39) on 40 rows: the checker accepts it, with a note.
    verdict = check.standardiser(lambda a, b: (b - a.mean(axis=0)) / a.std(axis=0, ddof=1))
    assert verdict.passed is True and verdict.message.strip(), verdict


def test_small_network_rejects_a_model_without_dense_layers():
    import keras

    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Activation("sigmoid")])
    verdict = check.small_network(model)
    assert verdict.passed is False and verdict.message.strip(), verdict


# ---- Issue 22: the power-law, sigmoid and mixture-of-experts checkers, right answers and near misses --------
def _loglog_slope(x, y):
    """The least-squares slope through (log x, log y), written out (no polyfit)."""
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    return float(((lx - lx.mean()) * (ly - ly.mean())).sum() / ((lx - lx.mean()) ** 2).sum())


@pytest.mark.parametrize("answer", [
    _loglog_slope,
    lambda x, y: np.polyfit(np.log10(x), np.log10(y), 1)[0],               # any base: the ratio of logs is the same
    lambda x, y: np.linalg.lstsq(np.stack([np.log(x), np.ones(len(x))], 1), np.log(y), rcond=None)[0][:1],
])
def test_power_law_exponent_accepts_every_least_squares_fit(answer):
    verdict = check.power_law_exponent(answer)
    assert verdict.passed is True and "slope" in verdict.message, verdict


def _rejected_naming(verdict, words):
    """The checker rejected the answer and its message holds each of ``words``."""
    assert verdict.passed is False, verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)


@pytest.mark.parametrize("answer, words", [
    (lambda x, y: -_loglog_slope(x, y), ["sign", "-0.25"]),                       # L falls: k < 0
    (lambda x, y: _loglog_slope(x, y) + 0.01, ["y = 3 x^-0.25", "returned -0.24", "slope"]),
    (lambda x, y: _loglog_slope(x, y) - 0.002, ["returned -0.252"]),               # just past the tolerance
    (lambda x, y: _loglog_slope(x, y) / np.log(10), ["returned -0.1086"]),         # log10 on one axis only
    (lambda x, y: -0.25, ["noisy", "returned -0.25"]),                             # ignores the points
    (lambda x, y: 1.001 * _loglog_slope(x, y), ["noisy", "least-squares slope"]),  # off by 0.1 %
    (lambda x, y: np.polyfit(x, y, 1)[0], ["returned"]),                           # a line through x, y
])
def test_power_law_exponent_rejects_near_misses_and_says_how(answer, words):
    verdict = check.power_law_exponent(answer)
    _rejected_naming(verdict, words)


def test_power_law_exponent_on_noisy_points_shows_the_expected_slope():
    # The checker's noisy points are its own; the expected slope it shows is that of the points it passed.
    seen = {}

    def constant_after_recording(x, y):
        seen["x"], seen["y"] = x.copy(), y.copy()
        return -0.25

    verdict = check.power_law_exponent(constant_after_recording)
    assert not verdict and f"{_loglog_slope(seen['x'], seen['y']):.4g}" in verdict.message, verdict
    assert abs(_loglog_slope(seen["x"], seen["y"]) + 0.25) > 1e-3  # noisy enough to tell a fit from a constant


def _moe_written_out(d, f, e, k):
    expert = d * f + f + f * d + d          # W_in, b_in, W_out, b_out
    router = d * e if e > 1 else 0          # one expert needs no router
    return e * expert + router, k * expert + router


def test_moe_parameters_accepts_right_answers_in_any_form():
    assert check.moe_parameters(_moe_written_out)
    assert check.moe_parameters(lambda d, f, e, k: [float(v) for v in _moe_written_out(d, f, e, k)])  # 12.0 is 12
    assert check.moe_parameters(lambda d, f, e, k: np.array(_moe_written_out(d, f, e, k)))  # an array of two
    assert not check.moe_parameters(lambda d, f, e, k: np.array([_moe_written_out(d, f, e, k)]))  # shape (1, 2)


@pytest.mark.parametrize("answer, words", [
    # No router: named as such, whichever count it is.
    (lambda d, f, e, k: tuple(v - (d * e if e > 1 else 0) for v in _moe_written_out(d, f, e, k)), ["router"]),
    # A router for a single expert too: (16, 64, 1, 1) has 2 128 parameters, not 2 144.
    (lambda d, f, e, k: tuple(v + (d if e == 1 else 0) for v in _moe_written_out(d, f, e, k)),
     ["width=16", "experts=1", "2,128", "2,144", "two biases"]),
    # Biases left out of each expert: (128, 512, 8, 1) has 8 x 131 712 + 1 024 = 1 054 720.
    (lambda d, f, e, k: (e * 2 * d * f + d * e, k * 2 * d * f + d * e), ["total is 1,054,720", "not 1,049,600"]),
    # Every expert active: 131 712 + 1 024 = 132 736 for top_k = 1.
    (lambda d, f, e, k: (_moe_written_out(d, f, e, k)[0],) * 2, ["a token uses 132,736", "top_k"]),
    # top_k = 2 at (64, 256, 4, 2) counted as one expert: 2 x 33 088 + 256 = 66 432.
    (lambda d, f, e, k: (_moe_written_out(d, f, e, k)[0], _moe_written_out(d, f, e, 1)[1]), ["top_k=2", "66,432"]),
    (lambda d, f, e, k: _moe_written_out(d, f, e, k)[0], ["two numbers"]),
    (lambda d, f, e, k: tuple(v + 0.5 for v in _moe_written_out(d, f, e, k)), ["whole number"]),
    (lambda d, f, e, k: (_moe_written_out(d, f, e, k)[0] - 1, _moe_written_out(d, f, e, k)[1]), ["total"]),
    (lambda d, f, e, k: (_moe_written_out(d, f, e, k)[0], _moe_written_out(d, f, e, k)[1] + 1), ["a token uses"]),
])
def test_moe_parameters_rejects_mistakes_naming_the_count(answer, words):
    verdict = check.moe_parameters(answer)
    _rejected_naming(verdict, words)


def test_moe_parameters_checks_every_shape_not_just_the_first():
    # Right on the first configuration only: each of the others must be checked too.
    first = (128, 512, 8, 1)
    for bad in [(64, 256, 4, 2), (16, 64, 1, 1), (32, 128, 16, 4)]:
        verdict = check.moe_parameters(
            lambda d, f, e, k, bad=bad: tuple(v + ((d, f, e, k) == bad) for v in _moe_written_out(d, f, e, k)))
        assert verdict.passed is False and f"width={bad[0]}, hidden={bad[1]}" in verdict.message, verdict
    assert check.moe_parameters(lambda d, f, e, k: _moe_written_out(d, f, e, k) if (d, f, e, k) != first else (0, 0)
                                ).passed is False


def test_power_law_exponent_names_a_sign_error_just_off_0_25_and_unfinished_functions():
    verdict = check.power_law_exponent(lambda x, y: -_loglog_slope(x, y) + 5e-4)  # 0.2505: still the sign
    assert not verdict and "sign" in verdict.message, verdict
    assert "your function still raises NotImplementedError" in str(check.power_law_exponent(todo_answer))


def todo_answer(*args):
    raise NotImplementedError


# ---- Issue 22: each named mistake gets its own explanation (surviving mutants of the check sample) ---------
def test_accuracy_function_explains_the_convention_at_exactly_one_half():
    verdict = check.accuracy_function(lambda p, y: float(np.mean((np.asarray(p) >= 0.5) == np.asarray(y))))
    assert verdict.passed is False and "exactly 0.5 is class 0" in verdict.message, verdict


def test_budget_width_checks_every_depth_and_budget_not_only_the_first():
    from helpers import params

    def right(depth, budget):
        return params.width_for_budget(2, 1, depth, budget)

    assert check.budget_width(right)
    # Right for depth 1 (the first case), one unit too narrow for every other depth.
    verdict = check.budget_width(lambda d, b: right(d, b) - (d > 1))
    assert verdict.passed is False and "depth 2" in verdict.message, verdict


def test_compute_optimal_size_names_only_the_mistake_that_was_made():
    budget = 1e11 * 86400
    n = np.sqrt(budget / 120)
    twice = check.compute_optimal_size(2 * n, budget)  # off by 2: no named mistake, the expected value
    assert not twice and "divide by 120" not in twice.message and f"{n:.3g}" in twice.message, twice
    no_root = check.compute_optimal_size(1.01 * budget / 120, budget)  # forgot the root, rounded by 1 %
    assert not no_root and "square root" in no_root.message, no_root
    sixth = check.compute_optimal_size(np.sqrt(budget / 6), budget)
    assert not sixth and "divide by 120, not 6" in sixth.message, sixth


@pytest.mark.parametrize("answer, words", [
    (lambda t: t * 16 * 256 + 256, ["T=4", "only the first dense layer", "embedding", "output layer"]),
    (lambda t: t * 16 * 256 + 256 + 256 * 50 + 50, ["T=4", "embedding table", "800"]),
    (lambda t: 50 * 16 + t * 16 * 256 + 256 * 50, ["T=4", "biases"]),
])
def test_context_param_count_names_the_missing_part(answer, words):
    verdict = check.context_param_count(answer, 50)
    _rejected_naming(verdict, words)


@pytest.mark.parametrize("width, words", [
    (356, ["left out the 13 d"]),    # 51281 / 144 = 356.1: blocks of 12 d² only
    (348, ["position embedding"]),   # (50257 / 12 - 13) / 12 = 347.9: the token embedding alone
    (4272, ["one block", "12 blocks"]),
    (300, ["300 does not solve", "12 (12 d² + 13 d) = (50257 + 1024) d"]),
])
def test_embedding_balance_width_names_each_mistake(width, words):
    verdict = check.embedding_balance_width(width)
    _rejected_naming(verdict, words)


def test_trend_extrapolation_spots_linear_growth_and_names_bad_values():
    # 540e9 growing by 50 % of the start each year for 8 years: 540e9 x (1 + 0.5 x 8), not compounded.
    verdict = check.trend_extrapolation(540e9 * (1 + 0.5 * 8), per_year=1.5)
    assert not verdict and "compounds" in verdict.message, verdict
    assert "your prediction should be a number" in str(check.trend_extrapolation("lots", per_year=1.5))
    with pytest.raises(ValueError, match="years must be from 1 to 100, got 101"):
        check.trend_extrapolation(1.0, per_year=1.5, years=101)


def test_linear_predict_counts_the_wrong_labels():
    def two_flipped(x, w, b):
        labels = (x @ w + b > 0).astype(int)
        labels[[0, 5]] = 1 - labels[[0, 5]]
        return labels

    verdict = check.linear_predict(two_flipped)
    assert verdict.passed is False and verdict.message.startswith("2 of 12 labels differ"), verdict


def test_int8_symmetric_shows_the_scale_that_uses_the_whole_range():
    seen = []

    def coarse(w):
        seen.append(np.abs(w).max())
        scale = 2 * np.abs(w).max() / 127
        return np.round(w / scale), scale

    verdict = check.int8_symmetric(coarse)
    assert not verdict and "coarser than needed" in verdict.message, verdict
    assert f"max|w| / 127 = {seen[0] / 127:.3g}" in verdict.message, verdict.message


def test_moe_parameters_names_the_count_that_is_not_whole():
    verdict = check.moe_parameters(lambda d, f, e, k: (_moe(d, f, e, k)[0] + 0.5, _moe(d, f, e, k)[1]))
    assert not verdict and "total should be a whole number" in verdict.message, verdict


def test_sigmoid_rejections_show_inputs_and_name_the_right_mistake():
    # tanh is wrong everywhere: the message shows the inputs, what it returned and the expected values.
    tanh = check.sigmoid(np.tanh)
    assert not tanh and "for z = [-2." in tanh.message and "expected [0.1192" in tanh.message, tanh
    assert "sigmoid(-z)" not in tanh.message
    # 10 % too large: a wrong value, not a problem with 2-D inputs.
    big = check.sigmoid(lambda z: 1.1 * nn.sigmoid(z))
    assert not big and "expected" in big.message and "2-D" not in big.message, big
    # Clipping z to [-10, 10] avoids the overflow but gives 0.99995 for z = 50: wrong far out.
    clipped = check.sigmoid(lambda z: nn.sigmoid(np.clip(z, -10, 10)))
    assert not clipped and "no NaN" in clipped.message, clipped


def test_sigmoid_sees_a_division_by_zero_even_where_the_notebook_silenced_it():
    # Right values everywhere, but 1 / e with e = exp(-1000) = 0 divides by zero on the way.
    def divides_by_zero(z):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), 1 / (1 + 1 / e))

    with np.errstate(divide="ignore"):
        verdict = check.sigmoid(divides_by_zero)
    assert verdict.passed is False and "warned" in verdict.message, verdict


def test_softmax_overflow_explains_an_overflow_above_88_7():
    verdict = check.softmax_overflow([0.0, 89.0])  # e^89 = 4.5e38 > float32's largest, 3.4e38
    assert verdict.passed is True and "overflows float32" in verdict.message, verdict
    assert "a single logit" in str(check.softmax_overflow([5.0]))


def test_stable_bce_and_softmax_reject_right_values_that_warn_with_a_false_verdict():
    def bce_both_branches(z, y):  # np.where evaluates both formulas: exp(1000) overflows in the unused one
        z, y = np.asarray(z, float), np.asarray(y, float)
        return float(np.mean(np.where(z >= 0, z - z * y + np.log1p(np.exp(-z)), -z * y + np.log1p(np.exp(z)))))

    verdict = check.stable_bce(bce_both_branches)
    assert verdict.passed is False and "NumPy warned" in verdict.message and "exp(-|z|)" in verdict.message, verdict

    def softmax_with_an_unshifted_look(z):
        z = np.asarray(z, float)
        np.exp(z)  # computed, say, to print it: overflows for large logits
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    verdict = check.stable_softmax(softmax_with_an_unshifted_look)
    assert verdict.passed is False and "NumPy warned" in verdict.message, verdict


def test_false_verdicts_are_false_not_none():
    no_b2 = check.backprop_gradients(lambda p, x, y: {k: v for k, v in
                                                      nn.two_layer_gradients(p, x, y, "relu").items() if k != "b2"})
    assert no_b2.passed is False and "no b2" in no_b2.message, no_b2
    flat = check.gd_step(lambda t, g, lr: np.ravel(np.asarray(t) - lr * np.asarray(g))[:1])
    assert flat.passed is False and "shape" in flat.message, flat


@pytest.mark.parametrize("verdict_of, words", [
    (lambda: check.conv_output_size(lambda n, k, p, s: (n + 2 * p - k) / s + 1.5), ["the output size should be a whole"]),
    (lambda: check.dense_layer(lambda x, w, b: "text"), ["your dense layer should be"]),
    (lambda: check.clip_global_norm(lambda g, c: ["a"] * len(g)), ["a clipped gradient should be"]),
    (lambda: check.scaled_rate(lambda lr, b, nb: 1 / 0), ["your scaled_rate raised ZeroDivisionError"]),
    (lambda: check.stable_rate("0.3"), ["your learning rate should be a number"]),
    (lambda: check.chinchilla_bill(5.88e23, "many"), ["h100_hours should be a number"]),
    (lambda: check.chinchilla_bill(5.88e23 / 3, 1.0), ["2 N D", "6 N D"]),
    (lambda: check.data_parallel_batch(None, 4000), ["batch_size is None"]),
    (lambda: check.gpt_block_params(lambda d: 12 * d * d), ["12 d²", "13 d"]),
    (lambda: check.init_std(lambda i, o, a: np.sqrt(2 / i)), ["He's rule", "Glorot"]),
    (lambda: check.integrated_gradients_function(lambda g, x, b, m: g(x)), ["saliency", "multiply by (x - baseline)"]),
    (lambda: check.range_guard(3), ["your check should be a function, but got int"]),
    (lambda: check.range_guard(lambda x, m, s: len(5)), ["refuse with ValueError", "only for values too far out"]),
    (lambda: check.source_param_counts((30 * 128 + 128 * 128 + 128, 24449, 73985)), ["for 30 inputs", "only the weights"]),
])
def test_rejections_name_the_quantity_and_the_fix(verdict_of, words):
    with np.errstate(all="ignore"):
        verdict = verdict_of()
    _rejected_naming(verdict, words)


def test_range_guard_states_the_limit_it_checks():
    too_strict = check.range_guard(_guard_at(9.0))
    assert not too_strict and "the limit is 10" in too_strict.message, too_strict
    too_loose = check.range_guard(_guard_at(11.0))
    assert not too_loose and "beyond 10" in too_loose.message, too_loose


def test_source_param_counts_repeats_the_three_counts_it_accepted():
    verdict = check.source_param_counts((20609, 24449, 73985))
    assert verdict.passed is True and "20609, 24449 and 73985" in verdict.message, verdict


def test_standardiser_names_a_missing_division_only_when_that_is_the_mistake():
    centred = check.standardiser(lambda a, b: b - a.mean(axis=0))
    assert not centred and "does not divide by the standard deviation" in centred.message, centred
    shifted = check.standardiser(lambda a, b: b - a.mean(axis=0) + 0.5)
    assert not shifted and "does not divide" not in shifted.message, shifted


def test_clip_per_example_shows_the_expected_rows_for_a_value_error():
    verdict = check.clip_per_example(lambda g, c: 1.05 * _clip(g, c))
    assert not verdict and "squared norm" not in verdict.message, verdict
    assert "returned [[0.63, 0.84]" in verdict.message and "expected [[0.6, 0.8]" in verdict.message, verdict.message
    assert "000000" not in verdict.message  # float32 answers shown rounded, without float32 noise
    float32 = check.clip_per_example(lambda g, c: (1.05 * _clip(g, c)).astype(np.float32))
    assert "returned [[0.63, 0.84]" in float32.message and "000000" not in float32.message, float32.message


def test_random_search_names_skewed_exponents_not_uniform_rather_than_top_heavy():
    def skewed(n, seed):  # log10 density rising linearly: 56 % in the top decade, not the 80 % of plain uniform
        rng = np.random.default_rng(seed)
        u = np.sqrt(rng.random((2, n)))
        return 10 ** (-3.5 + 3 * u[0]), 10 ** (-5 + 4 * u[1])

    verdict = check.random_search_draws(skewed)
    assert not verdict and "not uniform from -3.5 to -0.5" in verdict.message, verdict
    assert "top decade" not in verdict.message
    plain = check.random_search_draws(lambda n, s: tuple(np.random.default_rng(s).uniform(lo, hi, n)
                                                         for lo, hi in ((10 ** -3.5, 10 ** -0.5), (1e-5, 0.1))))
    assert not plain and "top decade" in plain.message, plain


def test_bpe_merge_merges_the_pair_in_its_order_only():
    def either_order(ids, pair, new_id):  # also merges (b, a) for the pair (a, b)
        out, i = [], 0
        while i < len(ids):
            if i + 1 < len(ids) and {ids[i], ids[i + 1]} == set(pair) and len(set(pair)) == 2:
                out.append(new_id)
                i += 2
            elif i + 1 < len(ids) and (ids[i], ids[i + 1]) == tuple(pair):
                out.append(new_id)
                i += 2
            else:
                out.append(ids[i])
                i += 1
        return out

    verdict = check.bpe_merge(either_order)
    assert verdict.passed is False and "merge([1, 2], (2, 1), 4) returned [4], expected [1, 2]" in verdict.message, verdict


def test_params_for_loss_does_not_call_a_wrong_order_of_operations_a_flipped_sign():
    # L^(1/k) / a instead of (L / a)^(1/k): 2^-10 / 4 = 0.000244, not the N = 1024 where L = 4 N^-0.1 reaches 2.
    verdict = check.params_for_loss(lambda law, loss: loss ** (1 / law.exponent) / law.coefficient)
    assert verdict.passed is False and "reaches that loss at N = 1024" in verdict.message, verdict
    assert "flipped" not in verdict.message


def test_softmax_overflow_suggests_a_row_that_overflows():
    verdict = check.softmax_overflow([1.0, 2.0])
    assert verdict.passed is False and "e.g. [100, 101]" in verdict.message and "e^88.7" in verdict.message, verdict
