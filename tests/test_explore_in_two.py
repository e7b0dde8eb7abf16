"""MLPTrainer.train_in_two: the validation curve worked out after the training loop, in one batch.

The regularisation explorer trains on 30 points and checks on 200, so the validation losses are
most of a training's work; it draws the decision map and the weights while they are worked out.
These tests check that the curve is the one the loop gives, step by step, and that a batch too big
for memory keeps the loop's way.
"""
import numpy as np
import pytest

from helpers import data, explore
from tests.test_explore import _numpy_bce, _numpy_logits


@pytest.fixture(scope="module")
def split():
    x, y = data.toy("moons", n=120, noise=0.2, seed=3)
    return data.split(x, y, train_fraction=0.25, seed=3)


def _trainer(split, steps=40):
    config = explore.MLPConfig(hidden=(8, 8), activation="relu", optimizer="momentum", steps=steps)
    return explore.MLPTrainer(config, split.x_train, split.y_train, split.x_val, split.y_val, seed=1)


def test_the_validation_curve_after_the_loop_is_the_loops(split, monkeypatch):
    trainer = _trainer(split)
    for lr, l1 in ((0.1, 0.0), (0.5, 0.01), (60.0, 0.0)):  # the last diverges
        first, finish = trainer.train_in_two(lr, l1=l1)
        assert first.val_loss is None and first.train_loss.shape == (1, 41)
        whole = finish()
        assert whole is first and whole.val_loss.shape == (1, 41) and finish() is whole
        monkeypatch.setattr(explore, "VAL_AFTER_BYTES", 0)  # inside the loop, step by step
        loop = _trainer(split).train(lr, l1=l1)
        monkeypatch.undo()
        np.testing.assert_array_equal(np.isnan(whole.val_loss), np.isnan(loop.val_loss))
        np.testing.assert_allclose(whole.val_loss, loop.val_loss, rtol=1e-5, equal_nan=True)
        np.testing.assert_array_equal(whole.train_loss, loop.train_loss)
        assert (whole.diverged_at[0] >= 0) == (lr == 60.0)
    # Independently: the first step's loss is the initial network's, the last the trained one's.
    whole = trainer.train(0.1)
    init = [p[None] for p in trainer.init]
    assert whole.val_loss[0, 0] == pytest.approx(_numpy_bce(_numpy_logits(init, split.x_val, "relu"), split.y_val), rel=1e-5)
    assert whole.val_loss[0, -1] == pytest.approx(
        _numpy_bce(_numpy_logits(whole.params, split.x_val, "relu"), split.y_val), rel=1e-5)


def test_a_batch_too_big_for_memory_keeps_the_validation_losses_in_the_loop(split, monkeypatch):
    trainer = _trainer(split, steps=10)
    monkeypatch.setattr(explore, "VAL_AFTER_BYTES", 1000)  # less than 10 steps of this network's parameters
    first, finish = trainer.train_in_two([0.1, 0.2])
    assert first.val_loss is not None and finish() is first
    monkeypatch.setattr(explore, "VAL_AFTER_BYTES", 16 * 2**20)
    first, finish = trainer.train_in_two([0.1, 0.2])
    assert first.val_loss is None and finish().val_loss.shape == (2, 11)


def test_a_trainer_without_validation_data_has_nothing_left_to_do():
    x, y = data.toy("xor", n=40, noise=0.1, seed=0)
    trainer = explore.MLPTrainer(explore.MLPConfig(hidden=(4,), steps=5), x, y)
    first, finish = trainer.train_in_two(0.1)
    assert first.val_loss is None and first.val_accuracy is None and finish() is first
