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
