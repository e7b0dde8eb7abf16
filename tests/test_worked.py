import numpy as np
import pytest

from helpers import worked


def test_splits_are_disjoint_stratified_and_standardised_on_train():
    s = worked.load_splits()
    assert len(s.x_train) + len(s.x_val) + len(s.x_test) == 569
    assert s.x_train.shape[1] == 30 and len(s.feature_names) == 30
    assert np.allclose(s.x_train.mean(axis=0), 0, atol=1e-5)
    assert abs(s.y_train.mean() - s.y_test.mean()) < 0.03  # stratified
    assert worked.load_splits().x_test.tobytes() == s.x_test.tobytes()  # repeatable


def test_bad_fractions_are_named():
    with pytest.raises(ValueError, match="test_fraction must be from 0.05 to 0.4"):
        worked.load_splits(test_fraction=0.9)


def test_source_model_has_the_source_architecture_and_repeats_with_its_seed():
    a, b = worked.build_source_model(seed=3), worked.build_source_model(seed=3)
    assert [layer.units for layer in a.layers] == [128, 128, 1]
    assert a.count_params() == 30 * 128 + 128 + 128 * 128 + 128 + 128 + 1
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))
    assert worked.build_source_model(hidden=()).count_params() == 31
    with pytest.raises(ValueError, match="hidden must hold"):
        worked.build_source_model(hidden=(0,))
    with pytest.raises(ValueError, match="seed must be"):
        worked.build_source_model(seed=-1)


def test_train_source_model_learns_and_validates_arguments():
    s = worked.load_splits()
    model, history = worked.train_source_model(s, epochs=2)
    assert "val_loss" in history.history and len(history.history["loss"]) == 2
    p = worked.predict_checked(model, s.x_val)
    assert p.shape == (len(s.x_val),) and np.mean((p > 0.5) == s.y_val) > 0.85
    with pytest.raises(ValueError, match="epochs must be"):
        worked.train_source_model(s, epochs=0)


def test_check_features_names_what_is_wrong():
    good = np.zeros((2, 30))
    assert worked.check_features(good).dtype == np.float32
    assert worked.check_features(np.zeros(30)).shape == (1, 30)
    with pytest.raises(ValueError, match="30 features per example, got 29"):
        worked.check_features(np.zeros((2, 29)))
    bad = good.copy()
    bad[1, 4] = np.nan
    with pytest.raises(ValueError, match=r"x\[1, 4\] is nan"):
        worked.check_features(bad)
    with pytest.raises(ValueError, match="must be numbers"):
        worked.check_features([["a"] * 30])
    with pytest.raises(ValueError, match="empty"):
        worked.check_features(np.zeros((0, 30)))
    with pytest.raises(ValueError, match="shape"):
        worked.check_features(np.zeros((1, 2, 30)))


@pytest.mark.parametrize("junk", [None, "thirty numbers", [["a"] * 30], np.array([1 + 2j] * 30), [[1.0] * 30, [2.0]]])
def test_not_numbers_is_a_type_error_and_the_value_error_the_deployment_page_catches(junk):
    for error in (TypeError, ValueError):
        with pytest.raises(error, match="x must be numbers"):
            worked.check_features(junk)


def test_predict_checked_accepts_functions_and_checks_their_output():
    p = worked.predict_checked(lambda a: a[:, :1] * 0 + 0.25, np.ones((3, 30)))
    assert p.tolist() == [0.25, 0.25, 0.25]
    with pytest.raises(ValueError, match="one probability per example"):
        worked.predict_checked(lambda a: a, np.ones((3, 30)))


def test_standardiser_checker_accepts_right_answers_and_explains_mistakes():
    from helpers import check

    def right(a, b):
        return (b - a.mean(axis=0)) / a.std(axis=0)

    assert check.standardiser(right)
    assert "statistics of x_other" in str(check.standardiser(lambda a, b: (b - b.mean(0)) / b.std(0)))
    assert "per column" in str(check.standardiser(lambda a, b: (b - a.mean()) / a.std()))
    def todo(a, b):
        raise NotImplementedError

    assert "NotImplementedError" in str(check.standardiser(todo))
    assert "shaped like x_train" in str(check.standardiser(lambda a, b: a))


def test_precision_recall_checker():
    from helpers import check

    def right(labels, preds):
        tp = np.sum((preds == 0) & (labels == 0))
        return tp / np.sum(preds == 0), tp / np.sum(labels == 0)

    assert check.malignant_precision_recall(right)
    assert "swapped" in str(check.malignant_precision_recall(lambda l, p: right(l, p)[::-1]))
    assert "benign class" in str(check.malignant_precision_recall(lambda l, p: right(1 - l, 1 - p)))
    assert "two numbers" in str(check.malignant_precision_recall(lambda l, p: 0.5))


def test_population_stability_is_zero_for_the_same_data_and_grows_with_a_shift():
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(2000, 3))
    same = worked.population_stability(ref, ref)
    np.testing.assert_allclose(same, 0, atol=1e-12)
    fresh = worked.population_stability(ref, rng.normal(size=(2000, 3)))
    assert np.all(fresh < 0.05)  # sampling noise only
    shifted = rng.normal(size=(2000, 3)) + np.array([0.0, 0.5, 2.0])
    psi = worked.population_stability(ref, shifted)
    assert psi[0] < 0.05 < 0.1 < psi[1] < psi[2]
    # Hand-computed case: 2 bins split at the reference median; all current rows above it.
    two = worked.population_stability(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([[5.0], [6.0]]), bins=2)
    assert two[0] == pytest.approx((1e-4 - 0.5) * np.log(1e-4 / 0.5) + (1 - 0.5) * np.log(1 / 0.5))


def test_population_stability_refuses_bad_input():
    with pytest.raises(ValueError, match="current must have 3 features"):
        worked.population_stability(np.zeros((5, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="bins"):
        worked.population_stability(np.zeros((5, 3)), np.zeros((5, 3)), bins=1)
    with pytest.raises(ValueError, match="reference must hold only finite"):
        worked.population_stability(np.full((5, 3), np.nan), np.zeros((5, 3)))


# ---- Issue 15: the tuned model that step 7 chooses and step 8 ships ---------------------------------------
def test_tuned_model_starts_from_the_search_engines_weights_and_checks_its_arguments():
    from helpers import explore

    model = worked.build_tuned_model(0.03, 1e-4, seed=2)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), explore.init_params((30, 128, 128, 1), 2)))
    assert [layer.units for layer in model.layers] == [128, 128, 1]
    assert all(layer.kernel_regularizer is not None for layer in model.layers)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.03)
    assert all(layer.kernel_regularizer is None for layer in worked.build_tuned_model(1e-3, 0.0).layers)
    with pytest.raises(ValueError, match="learning_rate"):
        worked.build_tuned_model(0.0, 1e-4)
    with pytest.raises(ValueError, match="l2"):
        worked.build_tuned_model(0.01, -1.0)
    with pytest.raises(TypeError, match="splits"):
        worked.train_tuned_model("splits")


def test_tuned_model_is_saved_reloaded_and_retrained_when_missing_or_stale(tmp_path):
    import json

    s = worked.load_splits()
    first = worked.tuned_model(s, tmp_path, {"steps": 2})  # no file yet: trained and saved
    assert json.loads((tmp_path / "tuned.json").read_text()) == {**worked.TUNED, "steps": 2}
    stamp = (tmp_path / "tuned.keras").stat().st_mtime_ns
    again = worked.tuned_model(s, tmp_path, {"steps": 2})  # same settings: loaded, not retrained
    assert (tmp_path / "tuned.keras").stat().st_mtime_ns == stamp
    assert all(np.array_equal(a, b) for a, b in zip(first.get_weights(), again.get_weights()))
    other = worked.tuned_model(s, tmp_path, {"steps": 3})  # other settings: trained again
    assert json.loads((tmp_path / "tuned.json").read_text())["steps"] == 3
    assert not all(np.array_equal(a, b) for a, b in zip(first.get_weights(), other.get_weights()))
    (tmp_path / "tuned.keras").unlink()  # a missing file is rebuilt: the same weights as before
    rebuilt = worked.tuned_model(s, tmp_path, {"steps": 3})
    assert all(np.array_equal(a, b) for a, b in zip(other.get_weights(), rebuilt.get_weights()))
    with pytest.raises(ValueError, match="unknown keys"):
        worked.tuned_model(s, tmp_path, {"lr": 0.1})
    with pytest.raises(ValueError, match="exactly the keys"):
        worked.save_tuned_model(first, tmp_path, {"steps": 2})
