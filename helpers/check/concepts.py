"""Checkers for the exercises of the chapter "Background and core concepts" (book/concepts/)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._args import number, whole
from ._core import Verdict, _AnswerProblem, _run, as_array, as_int, as_number, call_answer

__all__ = ["linear_predict", "gpt_block_params", "mlp_param_count", "trend_extrapolation", "gamma_accuracies",
           "identity_network_accuracy", "budget_width", "context_param_count", "temperature_softmax",
           "shifted_accuracies", "conv_output_size", "bpe_merge", "frequency_bin", "embedding_balance_width",
           "compute_optimal_size"]


def linear_predict(fn: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> Verdict:
    """Check ``fn(x, w, b) -> labels``: class 1 where ``x @ w + b > 0``, else 0.

    ``x`` has shape ``(n, d)``, ``w`` shape ``(d,)``, ``b`` is a number; labels have shape ``(n,)``.
    """

    def check() -> Verdict:
        rng = np.random.default_rng(3)
        for d in (2, 5):
            x = rng.normal(size=(12, d))
            w = rng.normal(size=d)
            b = 0.3
            expected = (x @ w + b > 0).astype(int)
            got = as_array(call_answer(fn, x, w, b, name="your predict function"), "your predict function")
            if got.shape != expected.shape:
                return Verdict(False, f"for {len(x)} points it returned shape {got.shape}; expected one label "
                                      f"per point, shape {expected.shape}.")
            if np.array_equal(got, 1 - expected):
                return Verdict(False, "the labels are swapped: class 1 is where x @ w + b is positive.")
            if np.array_equal(got, (x @ w > 0).astype(int)) and not np.array_equal(got, expected):
                return Verdict(False, "it ignores the bias b: add it before comparing with 0.")
            if not np.array_equal(got, expected):  # exact 0/1 labels (bools count as 0/1), no rounding
                wrong = int(np.sum(got != expected))
                return Verdict(False, f"{wrong} of {len(x)} labels differ from 1 where x @ w + b > 0, else 0.")
        return Verdict(True, "a linear classifier only asks on which side of the plane x @ w + b = 0 a point lies.")

    return _run(check)


def gpt_block_params(fn: Callable[[int], int]) -> Verdict:
    """Check ``fn(d_model) -> int``: the parameters of one GPT-2 block with ``d_ff = 4 * d_model``."""
    from ..params import transformer_block_params

    def check() -> Verdict:
        for d in (8, 64, 768, 1600):
            expected = transformer_block_params(d, 1)
            got = as_int(call_answer(fn, d, name="your block_params function"), "your answer")
            if got == expected:
                continue
            if got == 12 * d * d:
                return Verdict(False, f"for d_model={d} you count only the weight matrices (12 d²); add the biases "
                                      "and the two layer norms (13 d).")
            if got == expected - 4 * d:
                return Verdict(False, f"for d_model={d} you are {4 * d} short: did you forget the two layer norms "
                                      "(a scale and an offset each)?")
            return Verdict(False, f"for d_model={d} it returned {got:,}, but the block has {expected:,} parameters.")
        return Verdict(True, "12 d² weights (4 d² attention, 8 d² MLP) plus 13 d biases and layer-norm values.")

    return _run(check)


def mlp_param_count(fn: Callable[[list[int]], int]) -> Verdict:
    """Check ``fn(sizes) -> int``: parameters of dense layers with the given sizes, inputs first."""
    from ..params import mlp_params

    def check() -> Verdict:
        for sizes in ([2, 16, 16, 1], [30, 1], [64, 128, 10], [3, 5, 7, 9, 11]):
            expected = mlp_params(sizes)
            got = as_int(call_answer(fn, list(sizes), name="your count function"), "the count")
            if got == expected:
                continue
            weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
            if got == weights:
                return Verdict(False, f"for {sizes} you count only the weights ({got}); each neuron also has a bias.")
            return Verdict(False, f"for {sizes} it returned {got}, but those layers have {expected} parameters.")
        return Verdict(True, "each layer has inputs × units weights plus units biases.")

    return _run(check)


def _number(out, name: str) -> float:
    """``as_number``, with a plain "not answered yet" for ``None`` (which NumPy would turn into NaN)."""
    if out is None:
        raise _AnswerProblem(f"{name} is still None: replace it with your answer.")
    return as_number(out, name)


def trend_extrapolation(value, per_year: float, start: float = 540e9, years: int = 8) -> Verdict:
    """Check a predicted parameter count: ``start`` grown by the factor ``per_year`` for ``years`` years."""
    # The book's own numbers (not the reader's answer): a mistake there is an error, not a verdict.
    per_year, start = number("per_year", per_year, above=0, high=100), number("start", start, above=0, high=1e20)
    years = whole("years", years, 1, 100)

    def check() -> Verdict:
        got = _number(value, "your prediction")
        expected = start * per_year ** years
        if np.isclose(got, expected, rtol=0.01):
            return Verdict(True, f"about {expected:.2e} parameters: {years} years of growth by x{per_year:.2f} a year.")
        for k in (years - 1, years + 1):
            if np.isclose(got, start * per_year ** k, rtol=0.01):
                return Verdict(False, f"that is {k} years of growth; from 2022 to 2030 is {years}.")
        if np.isclose(got, start * per_year * years, rtol=0.01) or np.isclose(got, start + start * (per_year - 1) * years,
                                                                             rtol=0.01):
            return Verdict(False, "the growth compounds: multiply by the yearly factor once per year (a power), "
                                  "do not multiply by the number of years.")
        if np.isclose(got * 1e9, expected, rtol=0.01):
            return Verdict(False, "the number is right in billions; give it as a plain parameter count.")
        return Verdict(False, f"{got:.3g} is not {start:.3g} grown by x{per_year:.2f} a year for {years} years.")

    return _run(check)


def _svm_accuracies(parts, gamma: float) -> tuple[float, float]:
    from sklearn.svm import SVC

    model = SVC(kernel="rbf", C=1.0, gamma=gamma).fit(parts.x_train, parts.y_train)
    return model.score(parts.x_train, parts.y_train), model.score(parts.x_val, parts.y_val)


def gamma_accuracies(answer, parts, gammas=(0.01, 200)) -> Verdict:
    """Check ``answer = {gamma: validation accuracy}`` of an RBF SVM (``C=1``) fitted on ``parts``."""

    def check() -> Verdict:
        if answer is None:
            raise _AnswerProblem("your answer is still None: replace it with a dict {gamma: accuracy}.")
        if not isinstance(answer, dict):
            raise _AnswerProblem(f"your answer should be a dict {{gamma: accuracy}}, but is {type(answer).__name__}.")
        for gamma in gammas:
            if gamma not in answer:
                return Verdict(False, f"there is no entry for gamma={gamma}; the keys are {sorted(answer)}.")
            got = _number(answer[gamma], f"the accuracy for gamma={gamma}")
            train, val = _svm_accuracies(parts, gamma)
            if np.isclose(got, val, atol=1e-6):
                continue
            if np.isclose(got, train, atol=1e-6):
                return Verdict(False, f"for gamma={gamma} that is the accuracy on the training points; score the "
                                      "held-out (validation) points.")
            if np.isclose(got, 100 * val, atol=1e-4):
                return Verdict(False, "give accuracies as fractions between 0 and 1, not percentages.")
            return Verdict(False, f"for gamma={gamma} the SVM's validation accuracy is not {got:g}: refit "
                                  f"SVC(kernel='rbf', C=1.0, gamma={gamma}) on the training points.")
        return Verdict(True, "a tiny gamma makes every bump nearly flat (close to a linear model); a huge one makes "
                             "islands around the training points.")

    return _run(check)


def identity_network_accuracy(value, parts) -> Verdict:
    """Check the validation accuracy of ``MLPClassifier((16, 16), activation="identity")`` fitted on ``parts``."""

    def check() -> Verdict:
        from sklearn.neural_network import MLPClassifier

        got = _number(value, "your accuracy")
        net = MLPClassifier((16, 16), activation="identity", max_iter=2000, random_state=0)
        net.fit(parts.x_train, parts.y_train)
        expected = net.score(parts.x_val, parts.y_val)
        if np.isclose(got, expected, atol=1e-6):
            return Verdict(True, f"{expected:.2f}: a stack of linear layers is one linear map, no better than a "
                                 "straight line.")
        if np.isclose(got, net.score(parts.x_train, parts.y_train), atol=1e-6):
            return Verdict(False, "that is the accuracy on the training points; score the held-out (validation) points.")
        relu = MLPClassifier((16, 16), max_iter=2000, random_state=0).fit(parts.x_train, parts.y_train)
        if np.isclose(got, relu.score(parts.x_val, parts.y_val), atol=1e-6):
            return Verdict(False, "that is the network with its default ReLU activation; pass activation='identity'.")
        return Verdict(False, f"{got:g} is not the validation accuracy of the identity-activation network.")

    return _run(check)


def budget_width(fn: Callable[[int, int], int]) -> Verdict:
    """Check ``fn(depth, budget) -> width``: the widest equal-width 2-input, 1-output dense network with
    ``depth`` hidden layers whose parameter count (weights and biases) stays within ``budget``."""
    from ..params import mlp_params, width_for_budget

    def check() -> Verdict:
        for depth, budget in ((1, 200), (2, 200), (4, 200), (8, 200), (1, 1000), (4, 1000), (8, 1000), (3, 5000)):
            expected = width_for_budget(2, 1, depth, budget)
            got = as_int(call_answer(fn, depth, budget, name="your widest function"), "the width")
            if got == expected:
                continue
            if got < 1:
                return Verdict(False, f"for depth {depth} and budget {budget} it returned width {got}; a layer needs "
                                      "at least one unit.")
            if mlp_params([2] + [got] * depth + [1], bias=False) <= budget < mlp_params([2] + [got + 1] * depth + [1],
                                                                                      bias=False):
                return Verdict(False, f"for depth {depth} and budget {budget} you seem to count only the weights; "
                                      "every unit also has a bias.")
            params = mlp_params([2] + [got] * depth + [1])
            if params > budget:
                return Verdict(False, f"for depth {depth} and budget {budget}, width {got} needs {params} parameters, "
                                      "more than the budget.")
            return Verdict(False, f"for depth {depth} and budget {budget} the widest network that fits has width "
                                  f"{expected}, not {got}.")
        return Verdict(True, "the widest equal-width stack whose weights and biases fit the budget.")

    return _run(check)


def context_param_count(fn: Callable[[int], int], vocab_size: int, embed: int = 16, hidden: int = 256) -> Verdict:
    """Check ``fn(T) -> int``: parameters of the page's next-character model with a context of ``T`` characters
    (embedding ``V x embed``, a dense layer of ``hidden`` ReLU units on the ``T * embed`` inputs, ``V`` logits)."""
    vocab_size, embed, hidden = whole("vocab_size", vocab_size), whole("embed", embed), whole("hidden", hidden)

    def check() -> Verdict:
        for context in (4, 16, 32, 100):
            embedding = vocab_size * embed
            first = context * embed * hidden + hidden
            out = hidden * vocab_size + vocab_size
            expected = embedding + first + out
            got = as_int(call_answer(fn, context, name="your count function"), "the count")
            if got == expected:
                continue
            if got == first + out:
                return Verdict(False, f"for T={context} you left out the embedding table ({embedding} parameters).")
            if got == expected - hidden - vocab_size:
                return Verdict(False, f"for T={context} the biases of the two dense layers are missing.")
            if got == first:
                return Verdict(False, f"for T={context} that is only the first dense layer; add the embedding and "
                                      "the output layer.")
            return Verdict(False, f"for T={context} the model has {expected:,} parameters, not {got:,}.")
        return Verdict(True, f"only the first dense layer grows with T, by {embed * hidden:,} weights per character "
                             "of context.")

    return _run(check)


def temperature_softmax(fn: Callable[[np.ndarray, float], np.ndarray]) -> Verdict:
    """Check ``fn(logits, temperature) -> probabilities``: ``softmax(logits / temperature)``."""

    def check() -> Verdict:
        cases = [(np.array([2.0, 1.0, 0.0]), 1.0), (np.array([2.0, 1.0, 0.0]), 0.2),
                 (np.array([3.0, -1.0, 0.5, 0.5]), 1.5), (np.array([1000.0, 999.0]), 0.5)]
        for logits, t in cases:
            z = logits / t
            expected = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
            got = as_array(call_answer(fn, logits.copy(), t, name="your function"), "your function")
            if got.shape != expected.shape:
                return Verdict(False, f"for {len(logits)} logits it returned shape {got.shape}; expected "
                                      f"{expected.shape}, one probability per token.")
            if np.allclose(got, expected, atol=1e-9):
                continue
            if not np.all(np.isfinite(got)):
                return Verdict(False, f"for logits {logits.tolist()} it returned {got.tolist()}: exp overflows; "
                                      "subtract the largest scaled logit before exponentiating.")
            zt = logits * t
            if np.allclose(got, np.exp(zt - zt.max()) / np.exp(zt - zt.max()).sum(), atol=1e-9):
                return Verdict(False, "divide the logits by the temperature, do not multiply.")
            if not np.isclose(got.sum(), 1.0):
                return Verdict(False, f"the probabilities sum to {got.sum():g}, not 1: normalise them.")
            return Verdict(False, f"for logits {logits.tolist()} and temperature {t} it returned "
                                  f"{np.round(got, 4).tolist()}, expected {np.round(expected, 4).tolist()}.")
        return Verdict(True, "a low temperature sharpens the distribution, a high one flattens it.")

    return _run(check)


def shifted_accuracies(answer, models: dict, x_test: np.ndarray, y_test: np.ndarray) -> Verdict:
    """Check ``answer = {name: accuracy}`` for each model in ``models`` on ``np.roll(x_test, 1, axis=2)``.

    Each model is a Keras classifier that returns one logit per class.
    """

    def accuracy(model, images) -> float:
        logits = model.predict(images, verbose=0, batch_size=1024)
        return float(np.mean(np.argmax(logits, axis=1) == y_test))

    def check() -> Verdict:
        if answer is None:
            raise _AnswerProblem("your answer is still None: replace it with a dict {name: accuracy}.")
        if not isinstance(answer, dict):
            raise _AnswerProblem(f"your answer should be a dict {{name: accuracy}}, but is {type(answer).__name__}.")
        shifted = np.roll(x_test, 1, axis=2)
        for name, model in models.items():
            if name not in answer:
                return Verdict(False, f"there is no entry {name!r}; the keys should be {sorted(models)}.")
            got = _number(answer[name], f"the accuracy of {name!r}")
            expected = accuracy(model, shifted)
            if np.isclose(got, expected, atol=1e-6):
                continue
            if np.isclose(got, accuracy(model, x_test), atol=1e-6):
                return Verdict(False, f"{name!r}: that is the accuracy on the original images; evaluate on the "
                                      "shifted ones.")
            if np.isclose(got, accuracy(model, np.roll(x_test, 1, axis=1)), atol=1e-6):
                return Verdict(False, f"{name!r}: that shifts the images down (axis 1 is the rows); "
                                      "shift along axis 2, the columns.")
            return Verdict(False, f"{name!r}: the accuracy on the shifted images is not {got:g}.")
        return Verdict(True, "each network scored on the same test images shifted one pixel to the right.")

    return _run(check)


def conv_output_size(fn: Callable[[int, int, int, int], int]) -> Verdict:
    """Check ``fn(n, k, padding, stride) -> int``: the output width of a convolution over ``n`` pixels with a
    ``k``-wide filter, ``padding`` zeros on each side and the given stride."""

    def check() -> Verdict:
        for n, k, p, s in ((8, 3, 0, 1), (8, 3, 1, 1), (28, 5, 2, 2), (7, 3, 0, 2), (224, 16, 0, 16), (32, 3, 1, 2)):
            expected = (n + 2 * p - k) // s + 1
            got = as_int(call_answer(fn, n, k, p, s, name="your output_size function"), "the output size")
            if got == expected:
                continue
            if got == (n + p - k) // s + 1:
                return Verdict(False, f"for n={n}, k={k}, padding={p}, stride={s}: the padding is added on both sides "
                                      "(2 p).")
            if got == (n + 2 * p - k) // s:
                return Verdict(False, f"for n={n}, k={k}, padding={p}, stride={s}: count the first position too (+1).")
            if got == -(-(n + 2 * p - k) // s) + 1:
                return Verdict(False, f"for n={n}, k={k}, padding={p}, stride={s}: a filter that would overhang the "
                                      "edge is not applied, so round down.")
            return Verdict(False, f"for n={n}, k={k}, padding={p}, stride={s} the output has {expected} positions, "
                                  f"not {got}.")
        return Verdict(True, "floor((n + 2p - k) / s) + 1 positions.")

    return _run(check)


def bpe_merge(fn: Callable[[list, tuple, int], list]) -> Verdict:
    """Check ``fn(ids, pair, new_id) -> list``: every occurrence of ``pair`` replaced by ``new_id``, scanning
    from the left without overlaps."""

    def reference(ids, pair, new_id):
        out, i = [], 0
        while i < len(ids):
            if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
                out.append(new_id)
                i += 2
            else:
                out.append(ids[i])
                i += 1
        return out

    def check() -> Verdict:
        cases = [([1, 2, 3, 1, 2], (1, 2), 9), ([5, 5, 5], (5, 5), 7), ([1, 2], (2, 1), 4), ([], (0, 1), 3),
                 ([4, 1, 2, 1, 2, 1], (1, 2), 8)]
        for ids, pair, new_id in cases:
            expected = reference(ids, pair, new_id)
            got = call_answer(fn, list(ids), pair, new_id, name="your merge function")
            if not isinstance(got, (list, tuple, np.ndarray)):
                return Verdict(False, f"it should return a list of ids, but returned {type(got).__name__}.")
            got = [as_int(v, "each id") for v in got]
            if got == expected:
                continue
            if got == list(ids):
                return Verdict(False, f"for {ids} and pair {pair} nothing was merged.")
            return Verdict(False, f"merge({ids}, {pair}, {new_id}) returned {got}, expected {expected} (scan left to "
                                  "right; a merged pair is not reused).")
        return Verdict(True, "each occurrence of the pair becomes one new token, left to right.")

    return _run(check)


def frequency_bin(fn: Callable[[float, int, int], int]) -> Verdict:
    """Check ``fn(frequency, sample_rate, n_fft) -> int``: the FFT bin nearest to ``frequency`` (Hz)."""

    def check() -> Verdict:
        for f, rate, n in ((300.0, 8000, 256), (440.0, 8000, 256), (1000.0, 16000, 400), (3000.0, 8000, 512), (0.0, 8000, 256)):
            expected = int(round(f * n / rate))
            got = as_int(call_answer(fn, f, rate, n, name="your frequency_bin function"), "the bin")
            if got == expected:
                continue
            if f and got == int(round(f * rate / n)):
                return Verdict(False, "bins are rate / n_fft Hz apart, so divide the frequency by that spacing.")
            if got == int(f * n / rate) and got != expected:
                return Verdict(False, f"for {f} Hz round to the nearest bin instead of truncating.")
            return Verdict(False, f"a {f} Hz tone at {rate} samples/s with n_fft={n} lands in bin {expected}, not {got}.")
        return Verdict(True, "bin k holds the frequency k * rate / n_fft.")

    return _run(check)


def embedding_balance_width(value, layers: int = 12, vocab: int = 50257, context: int = 1024) -> Verdict:
    """Check the width ``d`` at which ``layers`` GPT blocks (``12 d^2 + 13 d`` each) hold as many parameters
    as the token and position embeddings (``(vocab + context) d``), to the nearest whole number."""
    layers, vocab, context = whole("layers", layers), whole("vocab", vocab), whole("context", context)

    def check() -> Verdict:
        got = _number(value, "your width")
        exact = ((vocab + context) / layers - 13) / 12
        if abs(got - exact) <= 0.51:
            return Verdict(True, f"d = {exact:.1f}: below it the embeddings hold most of the parameters.")
        if abs(got - (vocab + context) / layers / 12) <= 0.51:
            return Verdict(False, "you left out the 13 d biases and layer-norm values of each block.")
        if abs(got - ((vocab + context) - 13) / 12) <= 0.51:
            return Verdict(False, f"that balances one block against the embeddings; there are {layers} blocks.")
        if abs(got - (vocab / layers - 13) / 12) <= 0.51:
            return Verdict(False, "count the position embedding (context x d) with the token embedding.")
        return Verdict(False, f"{got:g} does not solve {layers} (12 d² + 13 d) = ({vocab} + {context}) d.")

    return _run(check)


def compute_optimal_size(value, flops: float) -> Verdict:
    """Check a compute-optimal parameter count for a budget of ``flops``: ``sqrt(flops / 120)``
    (C = 6 N D with D = 20 N), within 2 %."""
    flops = number("flops", flops, above=0)

    def check() -> Verdict:
        got = _number(value, "your parameter count")
        expected = np.sqrt(flops / 120)
        if np.isclose(got, expected, rtol=0.02):
            return Verdict(True, f"about {expected:.2g} parameters, trained on about {20 * expected:.2g} tokens.")
        if np.isclose(got, 20 * expected, rtol=0.02):
            return Verdict(False, "that is the number of tokens, D = 20 N; the parameters are twenty times fewer.")
        if np.isclose(got, np.sqrt(flops / 6), rtol=0.02):
            return Verdict(False, "with C = 6 N D and D = 20 N, C = 120 N²: divide by 120, not 6.")
        if np.isclose(got, flops / 120, rtol=0.02):
            return Verdict(False, "take the square root: C = 120 N², so N = sqrt(C / 120).")
        return Verdict(False, f"{got:.3g} is not sqrt({flops:.3g} / 120) = {expected:.3g}.")

    return _run(check)
