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
    with pytest.raises(ValueError, match="text holds the character 'z', which is not in the vocabulary"):
        vocab.encode("zz")


def test_batches_are_shifted_windows():
    d = text.char_data(max_chars=20_000)
    x, y = d.batch(np.random.default_rng(0), 4, 16)
    assert x.shape == y.shape == (4, 16)
    assert np.array_equal(x[:, 1:], y[:, :-1])
    assert len(d.train) + len(d.val) == 20_000


def test_bpe_merges_the_most_frequent_pair_and_round_trips():
    bpe = text.train_bpe("abababab cd", 2)
    assert bpe.merges[0] == (ord("a"), ord("b"))
    assert bpe.merges[1] == (256, 256)                      # "ab ab" is then the most frequent pair
    assert bpe.token_bytes(257) == b"abab"
    ids = bpe.encode("abababab cd")
    assert ids.tolist()[:2] == [257, 257] and len(ids) == 5
    sample = text.corpus(5000)
    big = text.train_bpe(sample, 50)
    assert big.vocab_size == 306
    assert big.decode(big.encode(sample)) == sample
    assert len(big.encode(sample)) < 0.8 * len(sample.encode("utf-8"))


def test_bpe_merge_does_not_overlap_and_handles_unicode():
    bpe = text.BPE(((ord("a"), ord("a")),))
    assert bpe.encode("aaa").tolist() == [256, ord("a")]
    assert bpe.decode(bpe.encode("naïve – “quoted”")) == "naïve – “quoted”"


def test_bpe_arguments_are_checked():
    with pytest.raises(TypeError, match="merges"):
        text.train_bpe("abc", 2.5)
    with pytest.raises(ValueError, match="merges"):
        text.train_bpe("abc", -1)
    with pytest.raises(ValueError, match="text"):
        text.train_bpe("", 3)
    with pytest.raises(ValueError, match="token"):
        text.BPE(()).token_bytes(300)


@pytest.mark.parametrize("call, error, message", [
    (lambda d: d.batch(np.random.default_rng(0), 2, 8, split="valdation"), ValueError,
     "split must be one of 'train', 'val', got 'valdation'"),
    (lambda d: d.batch(0, 2, 8), TypeError, "rng must be a numpy.random.Generator"),
    (lambda d: d.batch(np.random.default_rng(0), 0, 8), ValueError, "batch_size must be from 1"),
    (lambda d: d.batch(np.random.default_rng(0), 2, 8.0), TypeError, "context must be a whole number"),
    (lambda d: d.batch(np.random.default_rng(0), 2, len(d.val) - 1, split="val"), ValueError,
     "context must be from 1 to"),
    (lambda d: d.vocab.decode([0, -1]), ValueError, "ids must be from 0 to"),
    (lambda d: d.vocab.decode([0.0]), TypeError, "ids must hold whole numbers"),
    (lambda d: d.vocab.encode(["a"]), TypeError, "text must be a string"),
])
def test_char_data_refuses_bad_arguments(call, error, message):
    data = text.char_data(max_chars=2000)
    with pytest.raises(error, match=message):
        call(data)


def test_longest_context_fits_and_validation_split_is_used():
    data = text.char_data(max_chars=2000)
    x, y = data.batch(np.random.default_rng(0), 3, len(data.val) - 2, split="val")
    assert x.shape == (3, len(data.val) - 2)
    assert np.array_equal(x[0], data.val[:-2]) and np.array_equal(y[0], data.val[1:-1])
    assert text.char_data(2000, val_fraction=0.5).val.size == 1000
    with pytest.raises(TypeError, match="val_fraction must be a number"):
        text.char_data(2000, val_fraction="0.1")


@pytest.mark.parametrize("make, error, message", [
    (lambda: text.CharVocab(None), TypeError, "chars must be a string"),
    (lambda: text.CharVocab("abca"), ValueError, "chars must hold each character once, got 'a' twice"),
    (lambda: text.BPE(None), TypeError, "merges must be a tuple"),
    (lambda: text.BPE(((1,),)), ValueError, r"merges\[0\] must be a \(left, right\) pair"),
    (lambda: text.BPE(((97, 98), (256, 257))), ValueError, r"merges\[1\] must be from 0 to 256, got 257"),
    (lambda: text.BPE(((97, 98.0),)), TypeError, r"merges\[0\] must be a whole number"),
    (lambda: text.CharVocab("ab").decode(1), TypeError, "ids must be a sequence of whole numbers"),
])
def test_records_refuse_inconsistent_contents(make, error, message):
    # A vocabulary with a repeated character would encode it to one id and decode another; a merge
    # naming a token not yet made would make token_bytes recurse into nothing.
    with pytest.raises(error, match=message):
        make()
