"""helpers.efficiency (the "Smarter algorithms" page) and its exercise checkers."""
import numpy as np
import pytest

from helpers import check, efficiency as ef


def test_digit_splits_are_stratified_and_disjoint():
    s = ef.load_digits_splits()
    assert len(s.x_train) + len(s.x_val) + len(s.x_test) == 1797
    assert s.x_train.max() <= 1.0 and s.x_train.min() >= 0.0
    for y in (s.y_train, s.y_val, s.y_test):
        assert set(np.unique(y)) == set(range(10))
    rows = {r.tobytes() for r in s.x_test}
    assert len(rows & {r.tobytes() for r in s.x_train}) <= 5  # a few digits repeat pixel for pixel


@pytest.mark.parametrize("t,block", [(1, 4), (37, 8), (256, 64), (300, 128)])
def test_chunked_attention_is_exactly_softmax_attention(t, block):
    rng = np.random.default_rng(t)
    q, k, v = (rng.standard_normal((t, 16)).astype(np.float32) * 3 for _ in range(3))
    scores = q @ k.T / 4.0
    weights = np.exp(scores - scores.max(1, keepdims=True))
    want = (weights / weights.sum(1, keepdims=True)) @ v
    np.testing.assert_allclose(ef.naive_attention(q, k, v), want, atol=1e-5)
    np.testing.assert_allclose(ef.chunked_attention(q, k, v, block), want, atol=1e-5)


@pytest.mark.parametrize("queries,keys,block", [(1, 6, 2), (3, 40, 8), (40, 3, 8)])
def test_chunked_attention_reads_every_key_when_queries_and_keys_differ_in_number(queries, keys, block):
    rng = np.random.default_rng(keys)
    q = rng.standard_normal((queries, 16)).astype(np.float32)
    k, v = (rng.standard_normal((keys, 16)).astype(np.float32) for _ in range(2))
    np.testing.assert_allclose(ef.chunked_attention(q, k, v, block), ef.naive_attention(q, k, v), atol=1e-5)


def test_naive_attention_holds_the_score_matrix_and_chunked_does_not():
    t = 1024
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((t, 64)).astype(np.float32) for _ in range(3))
    naive, _ = ef.peak_bytes(ef.naive_attention, q, k, v)
    chunked, _ = ef.peak_bytes(ef.chunked_attention, q, k, v, 128)
    assert naive >= 4 * t * t
    assert chunked < 4 * t * t / 4


def test_attention_checks_its_inputs_without_copying_them():
    q = np.random.default_rng(0).standard_normal((256, 64)).astype(np.float32)
    checked, _ = ef.peak_bytes(ef._qkv, q, q, q)
    assert checked < q.nbytes / 4  # no float64 copy of q, k or v: peak_bytes measures the attention itself
    nan = q.copy()
    nan[3, 5] = np.nan
    with pytest.raises(ValueError, match="q must hold only finite"):
        ef.naive_attention(nan, q, q)
    with pytest.raises(ValueError, match="k must have as many columns as q"):
        ef.chunked_attention(q, q[:, :32], q)
    with pytest.raises(TypeError, match="fn must be a function"):
        ef.peak_bytes(None)


def test_moe_counts_match_keras_and_the_checker_formula():
    tokens = np.random.default_rng(0).standard_normal((64, 32)).astype(np.float32)
    dense = ef.moe_ffn(ef.MoEConfig(width=32, hidden=64))
    moe = ef.moe_ffn(ef.MoEConfig(width=32, hidden=64, experts=4, top_k=1))
    moe2 = ef.moe_ffn(ef.MoEConfig(width=32, hidden=64, experts=4, top_k=2))
    assert dense.count_params() == 32 * 64 + 64 + 64 * 32 + 32
    assert moe.count_params() == 4 * dense.count_params() + 32 * 4
    f_dense, f1, f2 = (ef.matmul_flops(m, tokens) for m in (dense, moe, moe2))
    assert f_dense == 64 * 2 * (32 * 64 + 64 * 32)
    assert f1 == f_dense + 64 * 2 * 32 * 4  # top-1: one expert per token, plus the router
    assert f2 == 2 * f_dense + 64 * 2 * 32 * 4
    assert moe(tokens).shape == (64, 32)


def test_moe_top1_output_is_the_gated_chosen_expert():
    cfg = ef.MoEConfig(width=8, hidden=16, experts=3, top_k=1)
    model = ef.moe_ffn(cfg)
    layer = model.layers[-1]
    x = np.random.default_rng(1).standard_normal((10, 8)).astype(np.float32)
    logits = x @ layer.router.numpy()
    gates = np.exp(logits - logits.max(1, keepdims=True))
    gates /= gates.sum(1, keepdims=True)
    w1, b1, w2, b2 = (p.numpy() for p in (layer.w1, layer.b1, layer.w2, layer.b2))
    want = np.stack([gates[i, e] * (np.maximum(x[i] @ w1[e] + b1[e], 0) @ w2[e] + b2[e])
                     for i, e in enumerate(gates.argmax(1))])
    np.testing.assert_allclose(model(x).numpy(), want, atol=1e-5)


@pytest.mark.parametrize("kwargs,error", [({"experts": 2, "top_k": 3}, ValueError),
                                          ({"width": 0}, ValueError), ({"hidden": 2.5}, TypeError)])
def test_moe_config_refuses_nonsense(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs)) if "top_k" not in kwargs else "top_k"):
        ef.MoEConfig(**kwargs)


def test_students_learn_and_distillation_pulls_them_to_the_teacher():
    s = ef.load_digits_splits()
    teacher_logits = np.eye(10, dtype=np.float32)[s.y_train] * 5.0  # a confident "teacher"
    hard = ef.train_students(s.x_train, s.y_train, 16, seeds=2, steps=200)
    soft = ef.train_students(s.x_train, s.y_train, 16, seeds=2, steps=200, soft_logits=teacher_logits,
                             alpha=1.0)
    for weights in hard + soft:
        assert weights[0].shape == (64, 16) and weights[2].shape == (16, 10)
        acc = (ef.student_logits(weights, s.x_val).argmax(1) == s.y_val).mean()
        assert acc > 0.85


@pytest.mark.parametrize("kwargs,error,name", [
    ({"y": np.full(10, 12)}, ValueError, "y"), ({"hidden": 0}, ValueError, "hidden"),
    ({"temperature": -1.0}, ValueError, "temperature"), ({"alpha": 1.5}, ValueError, "alpha"),
    ({"soft_logits": np.zeros((10, 3))}, ValueError, "soft_logits"), ({"steps": "100"}, TypeError, "steps")])
def test_students_refuse_bad_arguments(kwargs, error, name):
    args = {"x": np.zeros((10, 64)), "y": np.zeros(10, int), "hidden": 4, **kwargs}
    with pytest.raises(error, match=name):
        ef.train_students(args.pop("x"), args.pop("y"), args.pop("hidden"), **args)


def test_int8_model_is_smaller_and_about_as_accurate():
    s = ef.load_digits_splits()
    teacher = ef.train_teacher(s, hidden=64, epochs=5)
    fp32 = ef.int8_model(teacher, s.x_train, quantise=False)
    int8 = ef.int8_model(teacher, s.x_train)
    assert len(int8) < len(fp32) / 2.5
    a32, a8 = (ef.tflite_accuracy(m, s.x_val[:120], s.y_val[:120]) for m in (fp32, int8))
    keras_acc = (teacher.predict(s.x_val[:120], verbose=0).argmax(1) == s.y_val[:120]).mean()
    assert a32 == pytest.approx(keras_acc, abs=1e-9)
    assert abs(a8 - a32) <= 3 / 120


# ---- checkers ----------------------------------------------------------------------------------
def _int8(w):
    scale = np.abs(w).max() / 127
    return np.round(w / scale), scale


def test_int8_checker():
    assert check.int8_symmetric(_int8)
    assert check.int8_symmetric(lambda w: (np.clip(np.rint(w * 127 / np.abs(w).max()), -127, 127).astype(np.int8),
                                           float(np.abs(w).max() / 127)))
    assert not check.int8_symmetric(lambda w: (w / (np.abs(w).max() / 127), np.abs(w).max() / 127))  # no rounding
    assert not check.int8_symmetric(lambda w: (np.round(w / (np.abs(w).max() / 255)), np.abs(w).max() / 255))
    assert not check.int8_symmetric(lambda w: (np.floor(w / (np.abs(w).max() / 127)), np.abs(w).max() / 127))
    assert not check.int8_symmetric(lambda w: np.round(w))
    assert "NotImplementedError" in str(check.int8_symmetric(lambda w: (_ for _ in ()).throw(NotImplementedError)))


def test_attention_bytes_checker():
    assert check.attention_score_bytes(lambda t, h, b, n: b * h * t * t * n)
    assert check.attention_score_bytes(lambda t, h, b, n: float(b * h * t ** 2 * n))
    assert not check.attention_score_bytes(lambda t, h, b, n: b * h * t * n)
    assert not check.attention_score_bytes(lambda t, h, b, n: 8 * b * h * t * t * n)
    assert not check.attention_score_bytes(lambda t, h, b, n: h * t * t * n)
    assert not check.attention_score_bytes(lambda t, h, b, n: b * h * t * t * n + 0.5)


def test_moe_parameters_checker():
    def right(d, f, e, k):
        expert = 2 * d * f + f + d
        router = d * e if e > 1 else 0
        return e * expert + router, k * expert + router

    assert check.moe_parameters(right)
    assert not check.moe_parameters(lambda d, f, e, k: (e * (2 * d * f + f + d), k * (2 * d * f + f + d)))
    assert not check.moe_parameters(lambda d, f, e, k: (right(d, f, e, k)[0], right(d, f, e, k)[0]))
    assert not check.moe_parameters(lambda d, f, e, k: right(d, f, e, k)[0])
