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


def test_matmul_rate_against_the_cpu_peak_and_devices():
    rate = scale.matmul_flops_per_second(256, repeats=3)
    peak = scale.cpu_peak_flops()
    # A measured rate can never beat the nominal peak by more than turbo clocks allow (x1.6 is generous),
    # and a 256x256 float32 product reaches at least a thousandth of it on any CPU with vector units.
    if peak.flops is not None:
        assert peak.flops / 1000 < rate < 1.6 * peak.flops
    with pytest.raises(ValueError, match="n must be"):
        scale.matmul_flops_per_second(3)
    with pytest.raises(ValueError, match="does not exist on this machine"):
        scale.matmul_flops_per_second(64, repeats=1, device="/GPU:7")
    with pytest.raises(ValueError, match="device must look like"):
        scale.matmul_flops_per_second(64, repeats=1, device="gpu")
    with pytest.raises(ValueError, match="repeats"):
        scale.matmul_flops_per_second(64, repeats=0)


CPUINFO = """processor\t: 0
flags\t\t: fpu sse sse2 avx avx2 fma avx512f
cpu MHz\t\t: 2500.000
siblings\t: 4
cpu cores\t: 2
"""


def test_cpu_peak_from_cpuinfo():
    peak = scale.cpu_peak_flops(CPUINFO, cores=2)
    assert peak.flops_per_cycle == 16 * 2 * 2
    if peak.clock_hz == 2.5e9:  # no cpufreq files: the cpu MHz line is used
        assert peak.flops == 2 * 2.5e9 * 64
    assert scale.cpu_peak_flops(CPUINFO.replace(" avx512f", ""), cores=1).flops_per_cycle == 32
    assert scale.cpu_peak_flops("flags : sse2\n", cores=1).flops_per_cycle == 16
    with pytest.raises(TypeError, match="cpuinfo"):
        scale.cpu_peak_flops(3)


def test_datasheet_peaks():
    assert scale.datasheet_peak("NVIDIA H200", "bf16") == ("H200", 989e12)
    assert scale.datasheet_peak("NVIDIA A100-SXM4-80GB", "tf32") == ("A100", 156e12)
    assert scale.datasheet_peak("NVIDIA H100 PCIe", "bf16") is None
    assert scale.datasheet_peak("Tesla T4", "fp32") is None
    # On the tensor cores of all three, dense tf32 runs at half the bf16 rate (the data sheets round it).
    for gpu in ("A100", "H100", "H200"):
        assert scale.PEAK_FLOPS[(gpu, "tf32")] == pytest.approx(scale.PEAK_FLOPS[(gpu, "bf16")] / 2, rel=2e-3)
        assert gpu in scale.PEAK_SOURCES
    with pytest.raises(ValueError, match="precision"):
        scale.datasheet_peak("NVIDIA H200", "fp8")
    assert scale.matmul_precision("bfloat16", "CPU") == "bf16" and scale.matmul_precision("float32", "CPU") == "fp32"


def test_bootstrap_interval_covers_the_true_exponent():
    rng = np.random.default_rng(0)
    x = np.geomspace(1e3, 1e6, 6)
    y = 5.0 * x[:, None] ** -0.3 * np.exp(rng.normal(0, 0.02, (6, 5)))
    fit = scale.bootstrap_power_law(x, y, resamples=500)
    assert fit.low < -0.3 < fit.high and fit.low < fit.exponent < fit.high
    assert fit.high - fit.low < 0.05
    noiseless = scale.bootstrap_power_law(x, np.repeat((5.0 * x ** -0.3)[:, None], 3, 1), resamples=200)
    assert noiseless.low == pytest.approx(-0.3) and noiseless.high == pytest.approx(-0.3)
    floor = scale.bootstrap_power_law(x, y, resamples=200,
                                      statistic=lambda a, b: scale.fit_power_law_with_floor(a, b).exponent)
    assert floor.exponent == scale.fit_power_law_with_floor(x, y.mean(axis=1)).exponent
    assert floor.low <= floor.exponent <= floor.high and floor.law == fit.law
    with pytest.raises(ValueError, match="at least 2 seeds"):
        scale.bootstrap_power_law(x, y[:, :1])
    with pytest.raises(ValueError, match="one row per x"):
        scale.bootstrap_power_law(x, y[:4])
    with pytest.raises(ValueError, match="y"):
        scale.bootstrap_power_law(x, np.full((6, 3), np.nan))


def test_fit_power_law_says_why_it_cannot_fit():
    with pytest.raises(ValueError, match="at least 2 points"):
        scale.fit_power_law([1.0], [2.0])
    with pytest.raises(ValueError, match="x"):
        scale.fit_power_law([1.0, np.nan], [2.0, 1.0])


def test_checkers_of_the_chapter():
    from helpers import check

    assert check.power_law_exponent(lambda x, y: float(np.polyfit(np.log(x), np.log(y), 1)[0]))
    assert "sign" in str(check.power_law_exponent(lambda x, y: 0.25))
    assert "NotImplementedError" in str(check.power_law_exponent(lambda x, y: (_ for _ in ()).throw(NotImplementedError)))
    assert check.training_flops(lambda n, d: 6 * n * d)
    assert "forward" in str(check.training_flops(lambda n, d: 2 * n * d))
    assert not check.training_flops(lambda n, d: "six")


def test_checkers_params_for_loss_and_chinchilla_bill():
    from helpers import check

    assert check.params_for_loss(lambda law, loss: (loss / law.coefficient) ** (1 / law.exponent))
    assert check.params_for_loss(lambda law, loss: np.exp(np.log(loss / law.coefficient) / law.exponent))
    assert "sign" in str(check.params_for_loss(lambda law, loss: (loss / law.coefficient) ** (-1 / law.exponent)))
    assert "flipped" in str(check.params_for_loss(lambda law, loss: (law.coefficient / loss) ** (1 / law.exponent)))
    assert "reaches that loss" in str(check.params_for_loss(lambda law, loss: (loss / law.coefficient) ** law.exponent))
    assert not check.params_for_loss(lambda law, loss: loss)
    flops = 6 * 70e9 * 1.4e12
    assert check.chinchilla_bill(flops, flops / (0.4 * 989e12) / 3600)
    assert check.chinchilla_bill(5.9e23, 4.1e5)  # rounded answers
    assert "backward" in str(check.chinchilla_bill(flops / 3, 1.0))
    assert "seconds" in str(check.chinchilla_bill(flops, flops / (0.4 * 989e12)))
    assert "full peak" in str(check.chinchilla_bill(flops, flops / 989e12 / 3600))
    assert "fp32" in str(check.chinchilla_bill(flops, flops / (0.4 * 67e12) / 3600))
    assert not check.chinchilla_bill(None, None)


def test_floor_fit_recovers_a_known_law():
    x = np.geomspace(1e3, 1e6, 7)
    fit = scale.fit_power_law_with_floor(x, 1.5 + 20.0 * x ** -0.35)
    assert fit.floor == pytest.approx(1.5, rel=1e-3) and fit.exponent == pytest.approx(-0.35, rel=1e-3)
    assert fit(x[0]) == pytest.approx(1.5 + 20.0 * x[0] ** -0.35, rel=1e-4) and fit.r2 > 0.9999
    # No floor in the data: the fit finds (close to) none, and the exponent of the pure law.
    pure = scale.fit_power_law_with_floor(x, 5.0 * x ** -0.3)
    assert pure.floor < 0.01 and pure.exponent == pytest.approx(-0.3, rel=1e-2)
    with pytest.raises(ValueError, match="at least 3 points"):
        scale.fit_power_law_with_floor([1.0, 2.0], [2.0, 1.0])


# Points that no power law fits well: in log space lx = 0, 1, 2, 3 and ly = 0, 0.5, 0, 0.5 (a zigzag),
# whose least-squares fit is worked out by hand below.
_ZIGZAG_X = np.exp([0.0, 1.0, 2.0, 3.0])
_ZIGZAG_Y = np.exp([0.0, 0.5, 0.0, 0.5])


def test_power_law_fit_of_an_imperfect_line_matches_the_hand_computed_fit():
    # Centred lx: -1.5, -0.5, 0.5, 1.5 (sum of squares 5); centred ly: -0.25, 0.25, -0.25, 0.25, whose
    # products with lx sum to 0.5: slope 0.1, intercept 0.25 - 0.1 * 1.5 = 0.1. Total sum of squares
    # 4 * 0.0625 = 0.25; residuals -0.1, 0.3, -0.3, 0.1 (squares 0.2): R² = 1 - 0.2 / 0.25 = 0.2.
    law = scale.fit_power_law(_ZIGZAG_X, _ZIGZAG_Y)
    assert law.exponent == pytest.approx(0.1) and law.coefficient == pytest.approx(np.exp(0.1))
    assert law.r2 == pytest.approx(0.2)
    # A constant y lies exactly on a flat law: exponent 0, coefficient the constant, a perfect fit.
    flat = scale.fit_power_law([1.0, 2.0, 4.0], [3.0, 3.0, 3.0])
    assert flat.exponent == pytest.approx(0.0, abs=1e-12) and flat.coefficient == pytest.approx(3.0)
    assert flat.r2 == 1.0


def test_floor_fit_r2_of_an_imperfect_fit_lies_between_the_pure_fit_and_the_best_monotone_fit():
    # floor + a x^k is monotone in x, so in log space it can do no better than the best monotone fit of
    # the zigzag 0, 0.5, 0, 0.5 (0, 0.25, 0.25, 0.5: squared error 0.125, R² = 1 - 0.125 / 0.25 = 0.5); and
    # no worse than the floor 0 it also tries (the pure power law: R² = 0.2, computed above).
    fit = scale.fit_power_law_with_floor(_ZIGZAG_X, _ZIGZAG_Y)
    assert 0.2 - 1e-9 <= fit.r2 <= 0.5 + 1e-9
    assert 0 <= fit.floor < 1.0  # below min(y)
    # A constant y: a perfect fit whatever the floor.
    assert scale.fit_power_law_with_floor([1.0, 2.0, 4.0], [2.0, 2.0, 2.0]).r2 == 1.0


def test_floor_fit_needs_only_three_points_and_finds_no_floor_where_there_is_none():
    # Three points of 1 + 2 x^-0.5: three parameters, an exact solution.
    three = scale.fit_power_law_with_floor([1.0, 4.0, 16.0], [3.0, 2.0, 1.5])
    assert three.floor == pytest.approx(1.0, rel=1e-3) and three.exponent == pytest.approx(-0.5, rel=1e-2)
    assert three.coefficient == pytest.approx(2.0, rel=1e-2)
    # A pure power law: floor 0 (the first of the floors tried) fits it exactly, any other does worse.
    x = np.geomspace(1e3, 1e6, 7)
    pure = scale.fit_power_law_with_floor(x, 5.0 * x ** -0.3)
    assert pure.floor == 0.0 and pure.exponent == pytest.approx(-0.3, rel=1e-9)
    assert pure.coefficient == pytest.approx(5.0, rel=1e-9)


def test_fitted_laws_refuse_x_where_they_were_not_fitted():
    law = scale.fit_power_law([1.0, 10.0], [2.0, 0.2])
    assert law(10.0) == pytest.approx(0.2) and law([1.0, 100.0]) == pytest.approx([2.0, 0.02])
    floor = scale.fit_power_law_with_floor([1.0, 4.0, 16.0], [3.0, 2.0, 1.5])
    for f in (law, floor):
        for bad, shown in ((0.0, "got 0"), ([3.0, -2.0], "got -2"), ([0.5, -4.0, 2.0], "got -4")):
            with pytest.raises(ValueError, match=f"x must hold only positive values.*{shown}"):
                f(bad)


def test_power_law_fit_names_the_argument_that_is_wrong():
    with pytest.raises(ValueError, match="x and y must hold the same number"):
        scale.fit_power_law([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="^x must hold only positive.*got -1"):
        scale.fit_power_law([-1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="^x must hold only positive.*got 0"):
        scale.fit_power_law([0.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="^y must hold only positive.*got -3"):
        scale.fit_power_law([1.0, 2.0, 3.0], [0.5, 2.0, -3.0])


def test_flops_per_token_bounds():
    # One layer, one token of context, one dimension: the smallest transformer is allowed.
    assert scale.flops_per_token(100, layers=1, context=1, d_model=1, training=False) == 2 * 100 + 2
    for bad in (0, -5):
        with pytest.raises(ValueError, match="n_params"):
            scale.flops_per_token(bad, layers=1, context=1, d_model=1)


def test_bootstrap_of_two_seeds_takes_the_three_values_resampling_allows():
    # Row 1 is constant; row 2 has seeds 0.1 and 0.01, so a resample's mean is 0.1 (both draws 0.1,
    # chance 1/4), 0.055 (1/2) or 0.01 (1/4), and the fitted exponent over the decade log10 of it.
    x = [1.0, 10.0]
    y = [[1.0, 1.0], [0.1, 0.01]]
    fit = scale.bootstrap_power_law(x, y)  # default: 2000 resamples, level 0.95, seed 0
    values = np.log10([0.1, 0.055, 0.01])
    assert fit.estimate == pytest.approx(np.log10(0.055)) and fit.law.exponent == pytest.approx(np.log10(0.055))
    assert fit.law.coefficient == pytest.approx(1.0)
    assert fit.samples.shape == (2000,) and fit.level == 0.95
    share = [np.mean(np.isclose(fit.samples, v)) for v in values]
    assert sum(share) == pytest.approx(1.0)
    assert share == pytest.approx([0.25, 0.5, 0.25], abs=0.04)  # binomial sd about 0.01
    assert fit.low == pytest.approx(-2.0) and fit.high == pytest.approx(-1.0)
    # The default seed is 0: the same resamples.
    again = scale.bootstrap_power_law(x, y, resamples=100, seed=0)
    assert np.array_equal(scale.bootstrap_power_law(x, y, resamples=100).samples, again.samples)


def test_bootstrap_interval_is_the_level_percentile_interval_of_its_samples():
    rng = np.random.default_rng(1)
    x = np.geomspace(1e3, 1e6, 5)
    y = 5.0 * x[:, None] ** -0.3 * np.exp(rng.normal(0, 0.05, (5, 6)))
    for level in (0.5, 0.9):
        fit = scale.bootstrap_power_law(x, y, resamples=4000, level=level)
        assert fit.samples.shape == (4000,) and fit.level == level
        tail = (1 - level) / 2
        # A share `tail` of the resampled exponents lies below low and the same share above high.
        assert np.mean(fit.samples < fit.low) == pytest.approx(tail, abs=0.0006)
        assert np.mean(fit.samples > fit.high) == pytest.approx(tail, abs=0.0006)
        assert fit.low < fit.estimate < fit.high
    narrow = scale.bootstrap_power_law(x, y, resamples=4000, level=0.5)
    wide = scale.bootstrap_power_law(x, y, resamples=4000, level=0.9)
    assert wide.low < narrow.low < narrow.high < wide.high


def test_bootstrap_refuses_wrong_options_naming_them():
    x = np.array([1.0, 10.0, 100.0])
    y = np.outer(x ** -0.5, [1.0, 1.1])
    for level in (0, -0.5, 1.0, 1.5):
        with pytest.raises(ValueError, match="level"):
            scale.bootstrap_power_law(x, y, level=level)
    with pytest.raises(ValueError, match="resamples"):
        scale.bootstrap_power_law(x, y, resamples=10 ** 9)  # refused before any allocation
    with pytest.raises(ValueError, match="^x must"):
        scale.bootstrap_power_law([1.0, np.nan, 100.0], y)
    with pytest.raises(ValueError, match="^x must"):
        scale.bootstrap_power_law(x.reshape(1, 3), np.outer(x ** -0.5, [1.0, 1.1]))


def test_matmul_precision_defaults_and_half_precisions():
    # The defaults are float32 on a GPU, where TensorFlow's TF32 execution is on unless switched off.
    assert scale.matmul_precision() == "tf32"
    assert scale.matmul_precision("float16", "CPU") == "fp16" and scale.matmul_precision("float16") == "fp16"
    assert scale.datasheet_peak("NVIDIA H100 80GB HBM3", "bf16") == ("H100", 989e12)
    # The A100 PCIe board has the same dense tensor-core peaks as the SXM4 one (A100 white paper, table 1).
    assert scale.datasheet_peak("NVIDIA A100-PCIE-40GB", "bf16") == ("A100", 312e12)
    assert scale.datasheet_peak("NVIDIA H100 NVL", "bf16") is None


def test_matmul_rate_accepts_every_spelling_of_a_device_and_lists_the_real_ones():
    # TensorFlow's device strings are case-insensitive and may drop the slash or add "device:".
    for device in ("/CPU:0", "cpu:0", "/device:CPU:0", " /cpu:0 "):
        assert scale.matmul_flops_per_second(16, repeats=1, device=device) > 0
    # The error lists the devices in the short form one would type.
    with pytest.raises(ValueError, match=r"the devices are /CPU:0"):
        scale.matmul_flops_per_second(16, repeats=1, device="/CPU:9")


def test_matmul_rate_times_half_precision_products():
    # The three dtypes the docstring names all run (TensorFlow's CPU kernels have them too).
    for dtype in ("float16", "bfloat16"):
        assert scale.matmul_flops_per_second(16, dtype=dtype, repeats=1) > 0
