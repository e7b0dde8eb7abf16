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
