import numpy as np
import pytest

from helpers import scale


def test_six_nd_and_gpt3():
    assert scale.train_flops(1e6, 2e7) == 6 * 1e6 * 2e7
    assert abs(scale.train_flops(175e9, 300e9) / 3.14e23 - 1) < 0.01
    with pytest.raises(ValueError, match="n_params must be greater than 0"):
        scale.train_flops(0, 10)


def test_flops_per_token_adds_attention_and_triples_for_training():
    fwd = scale.flops_per_token(1000, layers=2, context=8, d_model=4, training=False)
    assert fwd == 2 * 1000 + 2 * 2 * 8 * 4
    assert scale.flops_per_token(1000, layers=2, context=8, d_model=4) == 3 * fwd


def test_gpu_hours():
    assert scale.gpu_hours(3600 * 1e12, 1e12, 1.0) == pytest.approx(1.0)
    assert scale.gpu_hours(3600 * 1e12, 1e12, 0.5) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="utilisation must be from 0 to 1"):
        scale.gpu_hours(1, 1, 1.5)


def test_power_law_fit_recovers_exponent():
    x = np.geomspace(1e3, 1e6, 6)
    law = scale.fit_power_law(x, 5.0 * x ** -0.3)
    assert law.exponent == pytest.approx(-0.3) and law.coefficient == pytest.approx(5.0)
    assert law.r2 == pytest.approx(1.0) and law(1e3) == pytest.approx(5.0 * 1e3 ** -0.3)
    with pytest.raises(ValueError, match="positive"):
        scale.fit_power_law([1, 2], [1, -1])
    with pytest.raises(ValueError, match="distinct"):
        scale.fit_power_law([2, 2], [1, 3])


def test_matmul_rate_is_positive():
    assert scale.matmul_flops_per_second(64, repeats=2) > 0
    with pytest.raises(ValueError, match="n must be"):
        scale.matmul_flops_per_second(3)


def test_checkers_of_the_chapter():
    from helpers import check

    assert check.power_law_exponent(lambda x, y: float(np.polyfit(np.log(x), np.log(y), 1)[0]))
    assert "sign" in str(check.power_law_exponent(lambda x, y: 0.25))
    assert "NotImplementedError" in str(check.power_law_exponent(lambda x, y: (_ for _ in ()).throw(NotImplementedError)))
    assert check.training_flops(lambda n, d: 6 * n * d)
    assert "forward" in str(check.training_flops(lambda n, d: 2 * n * d))
    assert not check.training_flops(lambda n, d: "six")
