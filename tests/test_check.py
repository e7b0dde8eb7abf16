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
