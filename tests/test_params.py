"""Unit tests of helpers.params (parameter counting, memory) and the concepts chapter's checkers."""
import numpy as np
import pytest

from helpers import check
from helpers import params as P


def test_known_layer_sizes():
    # Well-known counts: Keras's summary of Dense(128) on MNIST, VGG-16's first convolution,
    # a BERT-base attention layer (4 x (768 x 768 + 768)), a GPT-2 small block.
    assert P.dense_params(784, 128) == 100_480
    assert P.conv2d_params(3, 64, 3) == 1_792
    assert P.attention_params(768, 12) == 2_362_368
    assert P.transformer_block_params(768, 12) == 7_087_872
    assert P.layer_norm_params(768) == 1_536
    assert P.mlp_params([784, 128, 10]) == 101_770  # Keras's classic MNIST MLP
    assert P.mlp_params([784, 128, 10], bias=False) == 101_632
    assert P.conv2d_params(3, 64, [3, 3], bias=False) == 1_728
    assert P.attention_params(768, 12, bias=False) == 4 * 768 * 768


def test_layer_formulas():
    assert P.dense_params(2, 16) == 48
    assert P.dense_params(2, 16, bias=False) == 32
    assert P.conv2d_params(1, 8, 3) == 80
    assert P.conv2d_params(3, 4, (1, 5)) == 64
    assert P.embedding_params(100, 8) == 800
    assert P.layer_norm_params(10) == 20
    assert P.attention_params(64, 8) == 4 * (64 * 64 + 64)
    assert P.mlp_params([2, 16, 16, 1]) == 337
    assert P.transformer_block_params(768, 12) == 12 * 768**2 + 13 * 768


@pytest.mark.parametrize("name", list(P.PUBLISHED))
def test_calculator_reproduces_published_counts(name):
    entry = P.PUBLISHED[name]
    got = P.transformer_params(**entry.config)
    # BERT-large: the paper's "340M" is rounded; the released checkpoint holds 336.2M.
    tolerance = 0.012 if name == "BERT-large" else 0.01
    assert abs(got / entry.published - 1) < tolerance, (name, got)


def test_exact_counts_of_released_checkpoints():
    assert P.transformer_params(12, 768, 12, 50257, 1024) == 124_439_808  # GPT-2 small
    assert P.transformer_params(48, 1600, 25, 50257, 1024) == 1_557_611_200  # GPT-2 XL
    # BERT-base without the pre-training heads: the usual encoder-only count.
    assert P.transformer_params(12, 768, 12, 30522, 512, kind="encoder", pretraining_heads=False) == 109_482_240


def test_breakdown_matches_the_released_checkpoints_part_by_part():
    # Counts of the released checkpoints' tensors (Hugging Face `transformers`, summed per module).
    assert P.transformer_breakdown(12, 768, 12, 50257, 1024) == {  # GPT-2 small
        "token embedding": 38_597_376,  # wte 50257 x 768
        "position embedding": 786_432,  # wpe 1024 x 768
        "blocks": 85_054_464,  # 12 x 7,087,872 per block
        "final layer norm": 1_536,  # ln_f
    }
    assert P.transformer_breakdown(12, 768, 12, 30522, 512, kind="encoder") == {  # BERT-base
        "token embedding": 23_440_896,
        "position embedding": 393_216,
        "segment embedding": 1_536,
        "embedding layer norm": 1_536,  # embeddings in all: 23,837,184
        "blocks": 85_054_464,
        "pooler": 590_592,
        # cls.predictions (dense 590,592 + layer norm 1,536 + bias 30,522) + cls.seq_relationship (1,538)
        "pre-training heads": 624_188,
    }
    # BertForPreTraining holds 110,106,428 parameters.
    assert P.transformer_params(12, 768, 12, 30522, 512, kind="encoder") == 110_106_428


def test_untied_output_adds_one_vocab_by_width_matrix():
    parts = P.transformer_breakdown(2, 16, 4, 50, 8, tied_embeddings=False)
    assert parts["output projection"] == 800  # 50 x 16, no bias
    assert "output projection" not in P.transformer_breakdown(2, 16, 4, 50, 8)
    assert P.transformer_params(2, 16, 4, 50, 8, tied_embeddings=False) == P.transformer_params(2, 16, 4, 50, 8) + 800


def test_heads_do_not_change_the_count():
    assert P.transformer_params(2, 64, 1, 50, 8) == P.transformer_params(2, 64, 8, 50, 8)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: P.transformer_params(0, 64, 8, 50, 8), "layers must be from 1"),
        (lambda: P.transformer_params(2, 64, 6, 50, 8), "heads must divide d_model"),
        (lambda: P.transformer_params(2, 64, 8, 50, 8, kind="seq2seq"), "kind must be one of"),
        (lambda: P.transformer_params(2, 64, 8, 50, 8, d_ff=0), "d_ff must be"),
        (lambda: P.dense_params(2.5, 3), "inputs must be a whole number"),
        (lambda: P.conv2d_params(1, 2, (3, 3, 3)), "kernel_size must be"),
        (lambda: P.mlp_params([3]), "sizes must list"),
        (lambda: P.width_for_budget(2, 1, 2, 3), "budget must be at least"),
        (lambda: P.training_memory(10, dtype="fp8"), "dtype must be one of"),
        (lambda: P.training_memory(10, optimizer="lion"), "optimizer must be one of"),
        (lambda: P.inference_memory_bytes(-1), "params must be at least 1"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: P.dense_params(2, 3, bias="no"), "bias must be True or False, got 'no'"),
        (lambda: P.conv2d_params(1, 2, 3, bias=1), "bias must be True or False"),
        (lambda: P.attention_params(8, 2, bias=None), "bias must be True or False"),
        (lambda: P.mlp_params([2, 3], bias="False"), "bias must be True or False"),
        (lambda: P.mlp_params(5), "sizes must be a list of whole numbers"),
        (lambda: P.mlp_params("2,3"), "sizes must be a list of whole numbers"),
        (lambda: P.mlp_params([2, 3.5]), r"sizes\[1\] must be a whole number"),
        (lambda: P.transformer_params(2, 64, 8, 50, 8, tied_embeddings="no"), "tied_embeddings must be True or False"),
        (lambda: P.transformer_params(2, 64, 8, 50, 8, kind="encoder", pretraining_heads=0),
         "pretraining_heads must be True or False"),
        (lambda: P.transformer_params(2, 64, 8, 50, 8, kind=1), "kind must be one of 'decoder', 'encoder', got 1"),
        (lambda: P.transformer_params(2.5, 64, 8, 50, 8), "layers must be a whole number from 1 to 1000"),
        (lambda: P.training_memory(10, dtype=4), "dtype must be one of fp32, bf16, fp16, int8"),
        (lambda: P.training_memory(10, optimizer=None), "optimizer must be one of sgd, momentum, adam"),
        (lambda: P.training_memory(10, master_weights="yes"), "master_weights must be True or False"),
        (lambda: P.inference_memory_bytes(10, dtype=2), "dtype must be one of"),
    ],
)
def test_wrong_types_are_type_errors_naming_the_argument(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_width_for_budget_is_the_largest_that_fits():
    for depth in (1, 2, 4):
        w = P.width_for_budget(2, 1, depth, 1000)
        assert P.mlp_params([2] + [w] * depth + [1]) <= 1000 < P.mlp_params([2] + [w + 1] * depth + [1])


def test_memory_per_parameter():
    assert P.training_memory_bytes(1, "fp32", "adam") == 16
    assert P.training_memory_bytes(1, "bf16", "adam") == 16  # 2 + 2 + 8 + 4 master copy
    assert P.training_memory_bytes(1, "bf16", "adam", master_weights=False) == 12
    assert P.training_memory_bytes(1, "fp32", "sgd") == 8
    assert P.training_memory_bytes(1, "bfloat16", "AdamW") == P.training_memory_bytes(1, "bf16", "adam")
    assert P.inference_memory_bytes(175_000_000_000, "bf16") == 350_000_000_000
    m = P.training_memory(10, "fp32", "momentum")
    assert m.as_dict() == {"weights": 40, "gradients": 40, "optimizer state": 40, "fp32 master weights": 0}


def test_checkers_pass_right_answers_and_explain_wrong_ones():
    assert check.linear_predict(lambda x, w, b: (x @ w + b > 0).astype(int))
    assert "bias" in str(check.linear_predict(lambda x, w, b: (x @ w > 0).astype(int)))
    assert "swapped" in str(check.linear_predict(lambda x, w, b: (x @ w + b <= 0).astype(int)))
    assert check.gpt_block_params(lambda d: 12 * d * d + 13 * d)
    assert "biases" in str(check.gpt_block_params(lambda d: 12 * d * d))
    assert "layer norms" in str(check.gpt_block_params(lambda d: 12 * d * d + 9 * d))
    assert check.mlp_param_count(lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:])))
    assert "bias" in str(check.mlp_param_count(lambda s: sum(a * b for a, b in zip(s[:-1], s[1:]))))


def test_checkers_never_crash_on_unfinished_answers():
    def todo(*args):
        raise NotImplementedError

    for checker in (check.linear_predict, check.gpt_block_params, check.mlp_param_count):
        verdict = checker(todo)
        assert not verdict and "NotImplementedError" in str(verdict)
        assert not checker(lambda *a: None)
        assert not checker(lambda *a: np.array(["x"]))


def test_width_for_budget_at_exact_budgets():
    # A budget of exactly the count of width w must give w (<=, not <), and one less gives w - 1.
    def count(w):
        return P.mlp_params([3, w, w, 2])

    for w in (1, 2, 37, 100):
        assert P.width_for_budget(3, 2, 2, count(w)) == w
        assert P.width_for_budget(3, 2, 2, count(w + 1) - 1) == w
    with pytest.raises(ValueError, match=f"budget must be at least {count(1)} for 2 hidden layer"):
        P.width_for_budget(3, 2, 2, count(1) - 1)
    assert P.width_for_budget(3, 2, 64, P.mlp_params([3] + [1] * 64 + [2])) == 1
    with pytest.raises(ValueError, match="hidden_layers must be from 1 to 64, got 65"):
        P.width_for_budget(3, 2, 65, 10**9)


def test_defaults_and_messages_of_the_counts():
    assert P.attention_params(3) == 4 * 9 + 4 * 3  # one head by default: 3 is not divisible by 2
    assert P.inference_memory_bytes(10) == 20  # bf16 by default: 2 bytes a value
    assert P.training_memory(10).total == 160  # fp32 Adam: weights 4, gradients 4, two moments 8
    assert P.training_memory_bytes(10) == 160
    d = 64
    custom = P.transformer_breakdown(2, d, 4, 100, 10, d_ff=100)["blocks"]
    assert custom == 2 * P.transformer_block_params(d, 4, d_ff=100) != 2 * P.transformer_block_params(d, 4)
    with pytest.raises(TypeError, match="heads must be a whole number"):
        P.transformer_params(2, d, "4", 100, 10)
    with pytest.raises(ValueError, match=r"dtype must be one of fp32, bf16, fp16, int8 \(or float32"):
        P.training_memory(10, dtype="fp64")
    with pytest.raises(ValueError, match=r"optimizer must be one of sgd, momentum, adam \(or adamw\)"):
        P.training_memory(10, optimizer="lion")
