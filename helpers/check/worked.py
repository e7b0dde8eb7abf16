"""Checkers for the worked example's exercises (book/worked/)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Verdict, _run, as_array, call_answer

__all__ = ["standardiser", "malignant_precision_recall", "source_param_counts", "small_network",
           "random_search_draws", "range_guard"]


def standardiser(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Verdict:
    """Check ``fn(x_train, x_other) -> x_other`` standardised with the training columns' mean and std.

    Both arguments have shape ``(n, d)``; the answer must have the shape of ``x_other``.
    """

    def check() -> Verdict:
        rng = np.random.default_rng(0)
        x_train = rng.normal(loc=[5.0, -2.0, 100.0], scale=[2.0, 0.5, 30.0], size=(40, 3))
        x_other = rng.normal(loc=[6.0, -1.0, 80.0], scale=[1.0, 1.0, 10.0], size=(7, 3))
        expected = (x_other - x_train.mean(axis=0)) / x_train.std(axis=0)
        got = as_array(call_answer(fn, x_train.copy(), x_other.copy(), name="your standardise function"),
                       "what your function returned")
        if got.shape != x_other.shape:
            if got.shape == x_train.shape:
                return Verdict(False, "it returned an array shaped like x_train: "
                                      "return the standardised x_other.")
            return Verdict(False, f"it returned shape {got.shape}, but x_other has shape {x_other.shape}.")
        if np.allclose(got, expected, atol=1e-6):
            return Verdict(True, "x_other is rescaled with the training mean and standard deviation "
                                 "of each column.")
        own = (x_other - x_other.mean(axis=0)) / x_other.std(axis=0)
        if np.allclose(got, own, atol=1e-6):
            return Verdict(False, "it uses the statistics of x_other itself; use those of x_train (no leak).")
        sample = (x_other - x_train.mean(axis=0)) / x_train.std(axis=0, ddof=1)
        if np.allclose(got, sample, atol=1e-6):
            return Verdict(True, "right idea; note you divide by the sample standard deviation (n - 1), "
                                 "the book and scikit-learn's StandardScaler use n. The difference is tiny.")
        overall = (x_other - x_train.mean()) / x_train.std()
        if np.allclose(got, overall, atol=1e-6):
            return Verdict(False, "it uses one mean and std over all columns; "
                                  "compute them per column (axis=0).")
        if np.allclose(got, x_other - x_train.mean(axis=0), atol=1e-6):
            return Verdict(False, "it subtracts the mean but does not divide by the standard deviation.")
        return Verdict(False, "the values differ from (x_other - mean of x_train) / std of x_train, "
                              "column by column.")

    return _run(check)


def malignant_precision_recall(fn: Callable[[np.ndarray, np.ndarray], tuple[float, float]]) -> Verdict:
    """Check ``fn(labels, predictions) -> (precision, recall)`` for the *malignant* class (label 0).

    Both arguments have shape ``(n,)`` with 0 (malignant) or 1 (benign).
    """

    def check() -> Verdict:
        labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        preds = np.array([0, 0, 0, 1, 0, 0, 1, 1, 1, 1])
        # malignant: predicted 0 at 5 places, 3 of them truly 0; 4 truly malignant, 3 found.
        expected = (3 / 5, 3 / 4)
        got = call_answer(fn, labels.copy(), preds.copy(), name="your function")
        pair = as_array(got, "your (precision, recall)")
        if pair.shape != (2,):
            return Verdict(False, f"it should return two numbers, (precision, recall), but returned shape {pair.shape}.")
        precision, recall = (float(v) for v in pair)
        if np.allclose((precision, recall), expected):
            return Verdict(True, "precision = found malignant / predicted malignant, "
                                 "recall = found malignant / truly malignant.")
        if np.allclose((precision, recall), expected[::-1]):
            return Verdict(False, "precision and recall are swapped.")
        if np.allclose((precision, recall), (4 / 5, 4 / 6)):
            return Verdict(False, "these are precision and recall of the benign class (label 1); "
                                  "the question asks about malignant tumours (label 0).")
        return Verdict(False, f"for labels {labels.tolist()} and predictions {preds.tolist()} it returned "
                              f"({precision:g}, {recall:g}); expected ({expected[0]:g}, {expected[1]:g}).")

    return _run(check)


def _not_answered(value, name: str) -> None:
    """Raise the "not yet" problem if ``value`` (or one of its entries) is still ``None``."""
    from ._core import _AnswerProblem

    if value is None or (isinstance(value, (list, tuple)) and any(v is None for v in value)):
        raise _AnswerProblem(f"{name} still holds None: replace it with your answer.")


def source_param_counts(counts) -> Verdict:
    """Check the three counts of "Count the parameters" (book/worked/model.ipynb): the source's
    network ``Dense(128) - Dense(128) - Dense(1)`` with 30 inputs, with 60 inputs, and with 30 inputs
    and both hidden layers 256 wide. ``counts``: three whole numbers in that order."""
    from ..params import mlp_params
    from ._core import _AnswerProblem, as_array, as_int

    cases = (("30 inputs", [30, 128, 128, 1]), ("60 inputs", [60, 128, 128, 1]),
             ("256-wide hidden layers", [30, 256, 256, 1]))

    def check() -> Verdict:
        _not_answered(counts, "counts")
        values = as_array(counts, "counts").ravel()
        if values.shape != (3,):
            raise _AnswerProblem(f"counts should be three numbers (30 inputs, 60 inputs, 256-wide hidden "
                                 f"layers), but has {values.size}.")
        got = [as_int(v, f"counts[{i}]") for i, v in enumerate(values)]
        for (what, sizes), value in zip(cases, got):
            expected = mlp_params(sizes)
            if value == expected:
                continue
            weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
            if value == weights:
                return Verdict(False, f"for {what} you count only the weights ({value}); every neuron also "
                                      "has a bias.")
            if value == mlp_params(sizes[:-1]):
                return Verdict(False, f"for {what} you left out the output layer (one neuron: "
                                      f"{sizes[-2]} weights and a bias).")
            if value == mlp_params(sizes[1:]):
                return Verdict(False, f"for {what} you left out the first layer, the one the inputs feed.")
            if what == "60 inputs" and value == 2 * mlp_params(cases[0][1]):
                return Verdict(False, "doubling the inputs does not double the network: only the first layer "
                                      "(inputs × 128 weights) grows.")
            if what == "256-wide hidden layers" and value == 2 * mlp_params(cases[0][1]):
                return Verdict(False, "doubling the width does not just double the count: the middle layer "
                                      "has width × width weights, so it grows four times.")
            return Verdict(False, f"for {what} you have {value}; count each layer as inputs × units weights "
                                  "plus units biases and add the three layers.")
        return Verdict(True, f"{got[0]}, {got[1]} and {got[2]}: the inputs touch only the first layer, "
                             "while the middle layer grows with the square of the width.")

    return _run(check)


def small_network(model) -> Verdict:
    """Check the model of "Too small a network" (book/first_model.ipynb): a Keras model for 2 inputs
    with a single hidden ``Dense`` layer of 2 ``tanh`` neurons and a 1-neuron sigmoid output,
    trained (its optimizer has taken steps). Sequential and functional models are both accepted."""
    from ._core import _AnswerProblem

    def activation_name(fn) -> str:
        return getattr(fn, "__name__", str(fn))

    def check() -> Verdict:
        _not_answered(model, "model")
        try:
            import keras
        except ImportError:  # pragma: no cover - the book always has Keras
            raise _AnswerProblem("Keras is needed to check a model.") from None
        if not isinstance(model, keras.Model):
            raise _AnswerProblem(f"pass the Keras model you built and trained, not {type(model).__name__}.")
        # Each Dense layer with its activation; an Activation layer right after a linear Dense counts.
        dense: list[list] = []
        for layer in model.layers:
            if isinstance(layer, keras.layers.Dense):
                dense.append([layer, activation_name(layer.activation)])
            elif isinstance(layer, keras.layers.Activation) and dense and dense[-1][1] == "linear":
                dense[-1][1] = activation_name(layer.activation)
        try:
            inputs = model.inputs[0].shape[-1]
        except (AttributeError, IndexError, ValueError):
            inputs = None
        if inputs not in (None, 2):
            return Verdict(False, f"the model takes {inputs} inputs; the moons have 2 features.")
        if not dense:
            return Verdict(False, "the model has no Dense layers.")
        hidden, (out, out_act) = dense[:-1], dense[-1]
        if out.units != 1 or out_act != "sigmoid":
            return Verdict(False, f"the output layer should be 1 neuron with a sigmoid (the probability of "
                                  f"class 1), but it has {out.units} with {out_act}.")
        if len(hidden) == 0:
            return Verdict(False, "there is no hidden layer: that is logistic regression, a straight-line "
                                  "boundary. Keep one hidden layer of 2 neurons.")
        if len(hidden) > 1:
            return Verdict(False, f"it has {len(hidden)} hidden layers ({[h.units for h, _ in hidden]} neurons); "
                                  "the exercise keeps a single hidden layer of 2 neurons.")
        (layer, act), = hidden
        if layer.units != 2:
            return Verdict(False, f"the hidden layer has {layer.units} neurons; the exercise asks for 2.")
        if act != "tanh":
            return Verdict(False, f"the hidden layer uses {act}; keep tanh as on the page, so that only the "
                                  "size changes.")
        iterations = getattr(getattr(model, "optimizer", None), "iterations", None)
        if iterations is None or int(np.asarray(iterations)) == 0:
            return Verdict(False, "the model has not been trained yet: compile it and call model.fit as on the "
                                  "page.")
        return Verdict(True, f"one hidden layer of 2 tanh neurons ({model.count_params()} parameters), trained. "
                             "Now compare its test accuracy and boundary with the page's.")

    return _run(check)


def random_search_draws(fn: Callable[[int, int], tuple], lr_exponents=(-3.5, -0.5),
                        l2_exponents=(-5.0, -1.0)) -> Verdict:
    """Check ``fn(n, seed) -> (lrs, l2s)`` of "Random instead of grid" (book/worked/optimisation.ipynb):
    ``n`` learning rates with log10 uniform in ``lr_exponents`` and ``n`` L2 strengths with log10
    uniform in ``l2_exponents``, drawn independently. Tested on 4000 draws."""
    from scipy import stats

    from ._core import _AnswerProblem, as_array

    n = 4000

    def check() -> Verdict:
        out = call_answer(fn, n, 0, name="your draw function")
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise _AnswerProblem("draw should return two arrays, (learning rates, L2 strengths).")
        small = call_answer(fn, 5, 1, name="your draw function")
        if not isinstance(small, (tuple, list)) or len(small) != 2 or any(np.size(a) != 5 for a in small):
            return Verdict(False, "draw(5, seed) should return two arrays of 5 values each: use n.")
        named = (("learning rates", lr_exponents), ("L2 strengths", l2_exponents))
        logs = []
        for (what, (low, high)), values in zip(named, out):
            arr = as_array(values, f"the {what}").ravel()
            if arr.shape != (n,):
                return Verdict(False, f"draw({n}, seed) returned {arr.size} {what}; it should return {n}.")
            if np.any(arr <= 0):
                return Verdict(False, f"some {what} are 0 or negative: draw the exponent, then take 10 ** exponent.")
            e = np.log10(arr)
            if len(np.unique(arr)) < n // 2:
                return Verdict(False, f"the {what} repeat a few values ({len(np.unique(arr))} distinct in {n}): "
                                      "that is a grid; draw each value at random.")
            if e.min() < low - 1e-9 or e.max() > high + 1e-9:
                other = l2_exponents if what == "learning rates" else lr_exponents
                if other[0] - 1e-9 <= e.min() and e.max() <= other[1] + 1e-9:
                    return Verdict(False, "the ranges are swapped: learning rates from "
                                          f"10^{lr_exponents[0]:g} to 10^{lr_exponents[1]:g}, L2 strengths "
                                          f"from 10^{l2_exponents[0]:g} to 10^{l2_exponents[1]:g}.")
                return Verdict(False, f"the {what} run from {arr.min():.3g} to {arr.max():.3g}, outside "
                                      f"10^{low:g} to 10^{high:g} (use powers of 10, not of e).")
            ks = stats.kstest((e - low) / (high - low), "uniform").statistic
            if ks > 0.05:
                if np.mean(e > high - 1) > 0.8:
                    return Verdict(False, f"most {what} land in the top decade: they are uniform, not "
                                          "log-uniform. Draw the exponent uniformly, then take 10 ** exponent.")
                return Verdict(False, f"the exponents (log10) of the {what} are not uniform from {low:g} to "
                                      f"{high:g}.")
            logs.append(e)
        r = float(np.corrcoef(logs[0], logs[1])[0, 1])
        if abs(r) > 0.1:
            return Verdict(False, f"the two exponents move together (correlation {r:.2f}): draw them "
                                  "independently, so the pairs cover the whole plane, not a line across it.")
        return Verdict(True, "independent, log-uniform draws in both ranges: every one of them is a new "
                             "learning rate and a new L2 strength.")

    return _run(check)


def range_guard(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], object], limit: float = 10.0) -> Verdict:
    """Check ``fn(x, mean, std)`` of "Inputs that look fine" (book/worked/deployment.ipynb): it raises
    ``ValueError`` when any feature of any row of ``x`` (one row ``(d,)`` or a batch ``(n, d)``) lies
    more than ``limit`` standard deviations (its own column's ``std``) from ``mean``, and returns
    normally otherwise (whatever it returns)."""
    from ._core import _AnswerProblem

    mean = np.array([10.0, -2.0, 300.0])
    std = np.array([2.0, 0.5, 50.0])
    rng = np.random.default_rng(0)
    ordinary = mean + std * rng.uniform(-3, 3, size=(6, 3))

    def refuses(x) -> bool:
        if not callable(fn):
            raise _AnswerProblem(f"your check should be a function, but got {type(fn).__name__}.")
        try:
            fn(np.array(x, dtype=float), mean.copy(), std.copy())
        except NotImplementedError:
            raise _AnswerProblem("your check still raises NotImplementedError: replace it with your code.") from None
        except ValueError:
            return True
        except Exception as exc:
            raise _AnswerProblem(f"your check raised {type(exc).__name__}: {exc} (refuse with ValueError, and "
                                 "only for values too far out).") from None
        return False

    def at(sd: float, row: int = 0, col: int = 2, rows=None):
        x = ordinary.copy() if rows is None else ordinary[:rows].copy()
        x[row, col] = mean[col] + sd * std[col]
        return x

    def check() -> Verdict:
        if refuses(ordinary):
            return Verdict(False, "it refuses ordinary inputs, all within 3 standard deviations of the mean.")
        if refuses(ordinary[0]):
            return Verdict(False, "it refuses one ordinary row given alone, shape (d,): accept one row or a batch.")
        raw = ordinary.copy()
        raw[0, 2] = mean[2] + 8 * std[2]  # 400 units away, but only 8 of that feature's standard deviations
        if refuses(raw):
            return Verdict(False, "it refuses a value 8 standard deviations out that is far in raw units: measure "
                                  "the distance in standard deviations, (x - mean) / std.")
        if refuses(at(9.5)):
            return Verdict(False, f"it refuses a value 9.5 standard deviations out; the limit is {limit:g}.")
        if not refuses(at(10.5)):
            return Verdict(False, f"it accepts a value 10.5 standard deviations above the mean; it should refuse "
                                  f"anything beyond {limit:g}.")
        if not refuses(at(-10.5)):
            return Verdict(False, "it accepts a value 10.5 standard deviations *below* the mean: compare the "
                                  "absolute value, np.abs(z).")
        if not refuses(at(12, row=4)):
            return Verdict(False, "it misses a far value in the fifth row of a batch: check every row.")
        one = ordinary[0].copy()
        one[2] = mean[2] - 11 * std[2]
        if not refuses(one):
            return Verdict(False, "it misses a far value in a single row given alone, shape (d,).")
        wide = at(10.5, col=0)  # 10.5 of feature 0's std (2), well under one of the largest std (50)
        if not refuses(wide):
            return Verdict(False, "it misses a value 10.5 standard deviations out in a feature with a small "
                                  "spread: divide each column by its own std.")
        return Verdict(True, f"it refuses any feature more than {limit:g} standard deviations out, in either "
                             "direction and in any row, and lets ordinary inputs through.")

    return _run(check)
