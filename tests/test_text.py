import numpy as np
import pytest

from helpers import text


def test_corpus_is_offline_and_stable():
    a = text.corpus()
    assert len(a) > 400_000 and a == text.corpus()
    assert text.corpus(max_chars=5000) == a[:5000]
    with pytest.raises(ValueError, match="max_chars"):
        text.corpus(max_chars=10)


def test_vocab_round_trip_and_unknown_character():
    vocab = text.CharVocab.from_text("hello world")
    ids = vocab.encode("hold")
    assert ids.dtype == np.int32 and vocab.decode(ids) == "hold"
    with pytest.raises(ValueError, match="'z' is not in the vocabulary"):
        vocab.encode("zz")


def test_batches_are_shifted_windows():
    d = text.char_data(max_chars=20_000)
    x, y = d.batch(np.random.default_rng(0), 4, 16)
    assert x.shape == y.shape == (4, 16)
    assert np.array_equal(x[:, 1:], y[:, :-1])
    assert len(d.train) + len(d.val) == 20_000
