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
    assert counts["total"] - counts["non_embedding"] == (data.vocab.size + 16) * 16
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
