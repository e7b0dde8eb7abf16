import numpy as np
import pytest

from helpers import lm, text


@pytest.fixture(scope="module")
def data():
    return text.char_data(max_chars=20_000)


def test_config_validates():
    with pytest.raises(ValueError, match="multiple of heads"):
        lm.LMConfig(50, d_model=10, heads=3)
    with pytest.raises(ValueError, match="layers must be"):
        lm.LMConfig(50, layers=0)


def test_model_shapes_params_and_causality(data):
    cfg = lm.LMConfig(data.vocab.size, context=16, d_model=16, layers=1, heads=2)
    model = lm.build_lm(cfg)
    x = np.zeros((2, 16), np.int32)
    assert model(x).shape == (2, 16, data.vocab.size)
    counts = lm.param_counts(model)
    v, d = data.vocab.size, 16
    # Embeddings: token and position tables and the untied output projection (matrix and bias).
    assert counts["embedding"] == (v + 16) * d + d * v + v
    # One pre-norm block (two layer norms, attention with biases, a 4x feed-forward) and the final norm:
    # 2*2d + (4d^2 + 4d) + (8d^2 + 5d) + 2d = 12 d^2 + 15 d.
    assert counts["non_embedding"] == 12 * d * d + 15 * d
    assert counts["total"] == counts["embedding"] + counts["non_embedding"]
    # Changing a later token must not change earlier outputs (causal mask).
    y = x.copy()
    y[:, 10] = 5
    a, b = np.asarray(model(x)), np.asarray(model(y))
    assert np.allclose(a[:, :10], b[:, :10], atol=1e-6) and not np.allclose(a[:, 10:], b[:, 10:])


def test_windows_are_shifted(data):
    x, y = lm.windows(data.train, np.random.default_rng(0), (3, 4), 8)
    assert x.shape == y.shape == (3, 4, 8) and np.array_equal(x[..., 1:], y[..., :-1])


def test_training_lowers_loss_and_is_repeatable(data):
    cfg = lm.LMConfig(data.vocab.size, context=16, d_model=16, layers=1, heads=2)
    runs = []
    for _ in range(2):
        model = lm.build_lm(cfg, seed=0)
        runs.append(lm.train_lm(model, data, steps=40, batch_size=16, lr=1e-2, warmup=10, chunk=20,
                                eval_every=20, jit=False))
    r = runs[0]
    assert r.val_loss[-1] < r.val_loss[0] < np.log(data.vocab.size) + 0.5
    assert r.eval_tokens == [20 * 16 * 16, 40 * 16 * 16]
    assert runs[0].val_loss == runs[1].val_loss
    assert r.tokens_per_second > 0
    with pytest.raises(ValueError, match="eval_every"):
        lm.train_lm(model, data, steps=10, chunk=5, eval_every=7)


def test_generate(data):
    model = lm.build_lm(lm.LMConfig(data.vocab.size, context=8, d_model=8, layers=1, heads=1))
    out = lm.generate(model, data.vocab, "The ", length=20, seed=1)
    assert out.startswith("The ") and len(out) == 24
    assert out == lm.generate(model, data.vocab, "The ", length=20, seed=1)
    with pytest.raises(ValueError, match="prompt"):
        lm.generate(model, data.vocab, "")


def test_whole_split_loss_matches_a_hand_computed_log_softmax(data):
    model = lm.build_lm(lm.LMConfig(data.vocab.size, context=8, d_model=8, layers=1, heads=1))
    ids = data.val[:8 * 5 + 1]
    logits = np.asarray(model(ids[:-1].reshape(5, 8).astype(np.int32)), np.float64)
    logp = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True)) \
        - logits.max(-1, keepdims=True)
    want = -np.take_along_axis(logp, ids[1:].reshape(5, 8, 1), -1).mean()
    assert lm.evaluate_lm(model, ids, context=8) == pytest.approx(want, rel=1e-5)
    with pytest.raises(ValueError, match="more than context"):
        lm.evaluate_lm(model, ids[:5], context=8)


def test_train_to_convergence_cuts_the_rate_then_stops(data):
    small = text.CharData(data.vocab, data.train[:600], data.val[:400])
    model = lm.build_lm(lm.LMConfig(data.vocab.size, context=8, d_model=16, layers=1, heads=2), seed=0)
    run = lm.train_to_convergence(model, small, max_steps=3000, batch_size=16, lr=1e-2, warmup=10, chunk=10,
                                  eval_every=20, patience=2, cuts=1, jit=False)
    # 600 training characters are memorised long before 3000 steps: the validation loss turns up.
    assert run.stopped == "converged" and run.lr_cuts == 1 and run.steps < 3000
    assert run.best_val_loss == min(run.val_loss) and run.val_loss[-1] > run.best_val_loss
    # restore_best leaves the weights that reached the best loss.
    assert lm.evaluate_lm(model, small.val, context=8) == pytest.approx(run.best_val_loss, rel=1e-5)
    capped = lm.train_to_convergence(lm.build_lm(lm.LMConfig(data.vocab.size, context=8, d_model=8, layers=1,
                                                             heads=1)), small, max_steps=40, chunk=10,
                                     eval_every=20, jit=False)
    assert capped.stopped == "max_steps" and capped.steps == 40
    with pytest.raises(ValueError, match="cut_factor"):
        lm.train_to_convergence(model, small, max_steps=10, cut_factor=1.5)


def test_scaling_run_record(data):
    settings = lm.ScalingSettings(context=8, chunk=10, eval_every=20, max_steps=40)
    rec = lm.scaling_run(data, settings, d_model=8, layers=1, seed=0, train_chars=2000)
    assert rec["n"] == 12 * 8 * 8 + 15 * 8 and rec["d"] == 2000 and rec["stopped"] in ("max_steps", "converged")
    assert rec["tokens"] == 40 * settings.batch_size * 8
    with pytest.raises(ValueError, match="train_chars"):
        lm.scaling_run(data, settings, d_model=8, layers=1, seed=0, train_chars=10)
    # The stored runs are matched to the settings through JSON: the round trip must not change them.
    import json
    assert json.loads(json.dumps(settings.to_dict())) == settings.to_dict()
    assert lm.ScalingSettings.from_dict(json.loads(json.dumps(settings.to_dict()))) == settings
    with pytest.raises(ValueError, match="unknown settings: colour"):
        lm.ScalingSettings.from_dict({"colour": 1})
    assert lm.ScalingSettings.for_scale(2).max_steps == 2 * settings.__class__().max_steps
