"""The concepts chapter's checkers accept the solution and name at least two wrong answers each."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import check, data
from helpers import params as P


@pytest.fixture(scope="module")
def ring():
    x, y = data.toy("circle", n=400, noise=0.05, seed=0)
    return data.split(x, y, train_fraction=0.75, seed=0)


def _fails(verdict, *words):
    assert not verdict, verdict
    for word in words:
        assert word in verdict.message, verdict.message


def test_trend_extrapolation():
    rate = 2.49
    assert check.trend_extrapolation(540e9 * rate ** 8, per_year=rate)
    _fails(check.trend_extrapolation(540e9 * rate ** 7, per_year=rate), "7 years")
    _fails(check.trend_extrapolation(540e9 * rate * 8, per_year=rate), "compounds")
    _fails(check.trend_extrapolation(540 * rate ** 8, per_year=rate), "billions")
    _fails(check.trend_extrapolation("lots", per_year=rate), "number")
    _fails(check.trend_extrapolation(None, per_year=rate), "None")


def test_gamma_accuracies(ring):
    from sklearn.svm import SVC

    fit = {g: SVC(kernel="rbf", C=1.0, gamma=g).fit(ring.x_train, ring.y_train) for g in (0.01, 200)}
    right = {g: m.score(ring.x_val, ring.y_val) for g, m in fit.items()}
    assert check.gamma_accuracies(right, ring)
    _fails(check.gamma_accuracies({g: m.score(ring.x_train, ring.y_train) for g, m in fit.items()}, ring), "training")
    _fails(check.gamma_accuracies({0.01: right[0.01]}, ring), "gamma=200")
    _fails(check.gamma_accuracies({0.01: 0.9, 200: right[200]}, ring), "gamma=0.01")
    _fails(check.gamma_accuracies([0.5, 0.9], ring), "dict")


def test_identity_network_accuracy(ring):
    from sklearn.neural_network import MLPClassifier

    net = MLPClassifier((16, 16), activation="identity", max_iter=2000, random_state=0).fit(ring.x_train, ring.y_train)
    assert check.identity_network_accuracy(net.score(ring.x_val, ring.y_val), ring)
    _fails(check.identity_network_accuracy(net.score(ring.x_train, ring.y_train), ring), "training")
    relu = MLPClassifier((16, 16), max_iter=2000, random_state=0).fit(ring.x_train, ring.y_train)
    _fails(check.identity_network_accuracy(relu.score(ring.x_val, ring.y_val), ring), "ReLU")
    _fails(check.identity_network_accuracy(None, ring), "None")


def test_budget_width():
    def right(depth, budget):
        width = 1
        while P.mlp_params([2] + [width + 1] * depth + [1]) <= budget:
            width += 1
        return width

    def weights_only(depth, budget):
        width = 1
        while P.mlp_params([2] + [width + 1] * depth + [1], bias=False) <= budget:
            width += 1
        return width

    assert check.budget_width(right)
    _fails(check.budget_width(lambda d, b: right(d, b) + 1), "more than the budget")
    _fails(check.budget_width(weights_only), "bias")
    _fails(check.budget_width(lambda d, b: right(d, b) - 1), "widest")


def test_context_param_count():
    vocab = 102

    def right(t):
        return vocab * 16 + (t * 16 * 256 + 256) + (256 * vocab + vocab)

    assert check.context_param_count(right, vocab)
    _fails(check.context_param_count(lambda t: right(t) - vocab * 16, vocab), "embedding")
    _fails(check.context_param_count(lambda t: right(t) - 256 - vocab, vocab), "biases")
    _fails(check.context_param_count(lambda t: right(16), vocab), "parameters")


def test_temperature_softmax():
    def right(logits, t):
        z = np.asarray(logits) / t
        e = np.exp(z - z.max())
        return e / e.sum()

    def naive(logits, t):
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(np.asarray(logits) / t)
            return e / e.sum()

    assert check.temperature_softmax(right)
    _fails(check.temperature_softmax(lambda z, t: right(np.asarray(z) * t * t, t)), "multiply")
    _fails(check.temperature_softmax(lambda z, t: np.exp(np.asarray(z) / t)), "sum")
    _fails(check.temperature_softmax(naive), "overflow")


class _Pixel:
    """A stand-in classifier: the class is the column of the brightest pixel in the first row."""

    def predict(self, images, verbose=0, batch_size=None):
        scores = np.asarray(images)[:, 0, :, 0]
        return np.concatenate([scores, np.zeros((len(scores), 2))], axis=1)


def test_shifted_accuracies():
    rng = np.random.default_rng(0)
    x = rng.random((50, 8, 8, 1))
    y = np.argmax(x[:, 0, :, 0], axis=1)
    models = {"cnn": _Pixel(), "dense": _Pixel()}
    acc = lambda images: float(np.mean(np.argmax(_Pixel().predict(images), 1) == y))
    shifted = acc(np.roll(x, 1, axis=2))
    assert check.shifted_accuracies({"cnn": shifted, "dense": shifted}, models, x, y)
    _fails(check.shifted_accuracies({"cnn": 1.0, "dense": 1.0}, models, x, y), "original")
    _fails(check.shifted_accuracies({"cnn": shifted}, models, x, y), "'dense'")
    _fails(check.shifted_accuracies({"cnn": acc(np.roll(x, 1, axis=1)), "dense": shifted}, models, x, y), "down")


def test_conv_output_size():
    assert check.conv_output_size(lambda n, k, p, s: (n + 2 * p - k) // s + 1)
    _fails(check.conv_output_size(lambda n, k, p, s: (n + p - k) // s + 1), "both sides")
    _fails(check.conv_output_size(lambda n, k, p, s: (n + 2 * p - k) // s), "+1")
    _fails(check.conv_output_size(lambda n, k, p, s: -(-(n + 2 * p - k) // s) + 1), "round down")


def bpe_merge_reference(ids, pair, new_id):
    """A right answer to the BPE merge exercise, written apart from the checker's own reference."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == tuple(pair):
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def test_bpe_merge():
    right = bpe_merge_reference

    def overlapping(ids, pair, new_id):
        out = list(ids)
        for i in range(len(ids) - 1):
            if (ids[i], ids[i + 1]) == tuple(pair):
                out[i] = new_id
        return out

    assert check.bpe_merge(right)
    _fails(check.bpe_merge(lambda ids, pair, new_id: list(ids)), "nothing was merged")
    _fails(check.bpe_merge(overlapping), "expected")
    _fails(check.bpe_merge(lambda ids, pair, new_id: None), "return")


def test_frequency_bin():
    assert check.frequency_bin(lambda f, rate, n: round(f * n / rate))
    _fails(check.frequency_bin(lambda f, rate, n: round(f * rate / n)), "spacing")
    _fails(check.frequency_bin(lambda f, rate, n: int(f * n / rate)), "round")
    _fails(check.frequency_bin(lambda f, rate, n: "bin 3"), "number")


def test_embedding_balance_width():
    exact = ((50257 + 1024) / 12 - 13) / 12
    assert check.embedding_balance_width(355)
    assert check.embedding_balance_width(exact)
    _fails(check.embedding_balance_width((50257 + 1024) / 144), "13 d")
    _fails(check.embedding_balance_width(((50257 + 1024) - 13) / 12), "one block")
    _fails(check.embedding_balance_width(None), "None")


def test_compute_optimal_size():
    budget = 1e11 * 86400
    n = np.sqrt(budget / 120)
    assert check.compute_optimal_size(n, budget)
    assert check.compute_optimal_size(8.5e6, budget)
    _fails(check.compute_optimal_size(20 * n, budget), "tokens")
    _fails(check.compute_optimal_size(np.sqrt(budget / 6), budget), "120")
    _fails(check.compute_optimal_size(budget / 120, budget), "square root")


# ---- Issue 22: answers a little off are rejected; every verdict explains itself ----------------------------
def _explained(verdict, passed):
    assert verdict.passed is passed and bool(verdict) is passed, verdict
    assert isinstance(verdict.message, str) and verdict.message.strip(), repr(verdict.message)


@pytest.mark.parametrize("error", [0.05, -0.05])
def test_gamma_accuracies_rejects_an_accuracy_off_by_five_points(ring, error):
    from sklearn.svm import SVC

    right = {g: SVC(kernel="rbf", C=1.0, gamma=g).fit(ring.x_train, ring.y_train).score(ring.x_val, ring.y_val)
             for g in (0.01, 200)}
    _explained(check.gamma_accuracies(right, ring), True)
    for g in right:
        _explained(check.gamma_accuracies({**right, g: right[g] + error}, ring), False)


@pytest.mark.parametrize("error", [0.05, -0.05])
def test_identity_network_accuracy_rejects_an_accuracy_off_by_five_points(ring, error):
    from sklearn.neural_network import MLPClassifier

    net = MLPClassifier((16, 16), activation="identity", max_iter=2000, random_state=0).fit(ring.x_train, ring.y_train)
    right = net.score(ring.x_val, ring.y_val)
    _explained(check.identity_network_accuracy(right, ring), True)
    _explained(check.identity_network_accuracy(right + error, ring), False)


def test_shifted_accuracies_gives_a_falsy_verdict_for_a_wrong_accuracy():
    rng = np.random.default_rng(0)
    x = rng.random((50, 8, 8, 1))
    y = np.argmax(x[:, 0, :, 0], axis=1)
    models = {"cnn": _Pixel(), "dense": _Pixel()}
    shifted = float(np.mean(np.argmax(_Pixel().predict(np.roll(x, 1, axis=2)), 1) == y))
    _explained(check.shifted_accuracies({"cnn": shifted, "dense": shifted}, models, x, y), True)
    for wrong in (shifted + 0.05, shifted - 0.05, 0.5):
        _explained(check.shifted_accuracies({"cnn": shifted, "dense": wrong}, models, x, y), False)


@pytest.mark.parametrize("factor, passed", [(1.0, True), (1.01, True), (0.99, True), (1.05, False), (0.95, False),
                                            (1.5, False), (0.5, False)])
def test_compute_optimal_size_is_within_two_percent(factor, passed):
    budget = 1e11 * 86400  # C = 6 N D with D = 20 N gives N = sqrt(C / 120)
    _explained(check.compute_optimal_size(factor * np.sqrt(budget / 120), budget), passed)


def test_gamma_and_identity_checkers_name_only_the_mistake_that_was_made(ring):
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    right = {g: SVC(kernel="rbf", C=1.0, gamma=g).fit(ring.x_train, ring.y_train).score(ring.x_val, ring.y_val)
             for g in (0.01, 200)}
    # An accuracy 5 points off is neither the training accuracy nor a percentage: the plain explanation.
    _fails(check.gamma_accuracies({**right, 0.01: right[0.01] - 0.05}, ring), "gamma=0.01", "refit SVC")
    assert "accuracy on the training points" not in check.gamma_accuracies({**right, 0.01: right[0.01] - 0.05},
                                                                          ring).message
    _fails(check.gamma_accuracies({g: 100 * a for g, a in right.items()}, ring), "percentages")
    net = MLPClassifier((16, 16), activation="identity", max_iter=2000, random_state=0).fit(ring.x_train, ring.y_train)
    off = check.identity_network_accuracy(net.score(ring.x_val, ring.y_val) - 0.05, ring)
    _fails(off, "is not the validation accuracy of the identity-activation network")
    assert "ReLU" not in off.message and "training points" not in off.message
