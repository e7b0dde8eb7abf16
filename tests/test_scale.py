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


# ---- Issue 22: the CPU peak from fake /proc/cpuinfo, cpufreq files and CPU affinity ---------------------------
_MAX_FREQ = "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"
_BASE_FREQ = "/sys/devices/system/cpu/cpu0/cpufreq/base_frequency"


@pytest.fixture
def fake_files(monkeypatch):
    """Replace the files helpers.scale reads by a dict {path: text}: a path not in it does not exist."""
    import io

    files: dict[str, str] = {}

    def fake_open(path, *args, **kwargs):
        if path not in files:
            raise FileNotFoundError(2, "No such file or directory", path)
        return io.StringIO(files[path])

    monkeypatch.setattr(scale, "open", fake_open, raising=False)
    return files


@pytest.mark.parametrize("files, clock, where", [
    ({_MAX_FREQ: "3500000\n", _BASE_FREQ: "2100000\n"}, 3.5e9, "cpufreq maximum"),  # kHz, as Linux writes them
    ({_BASE_FREQ: "2100000\n"}, 2.1e9, "cpufreq base"),
    ({_MAX_FREQ: "unknown\n", _BASE_FREQ: "2100000\n"}, 2.1e9, "cpufreq base"),  # an unreadable value is skipped
    ({}, 2.5e9, "'cpu MHz' of /proc/cpuinfo"),
])
def test_cpu_clock_comes_from_cpufreq_then_from_cpu_mhz(fake_files, files, clock, where):
    fake_files.update(files)
    peak = scale.cpu_peak_flops(CPUINFO, cores=2)  # CPUINFO's "cpu MHz" line (2500) is on its third line
    assert peak.clock_hz == pytest.approx(clock, rel=1e-12)
    assert peak.flops == pytest.approx(2 * clock * 64, rel=1e-12)
    assert where in peak.note and f"{clock / 1e9:.2f} GHz" in peak.note


@pytest.mark.parametrize("mhz, clock", [("0.000", None), ("0.5", 5e5), ("3000", 3e9)])
def test_cpu_mhz_of_zero_means_no_clock(fake_files, mhz, clock):
    peak = scale.cpu_peak_flops(f"processor\t: 0\ncpu MHz\t\t: {mhz}\nflags\t\t: sse2\n", cores=1)
    assert peak.clock_hz == clock
    if clock is None:
        assert peak.flops is None and "no clock reported" in peak.note and "? (" in peak.note
    else:
        assert peak.flops == pytest.approx(clock * 16)


def test_cpu_peak_reads_proc_cpuinfo_by_default(fake_files):
    fake_files["/proc/cpuinfo"] = CPUINFO
    peak = scale.cpu_peak_flops(cores=3)
    assert (peak.flops_per_cycle, peak.clock_hz, peak.flops) == (64, 2.5e9, 3 * 2.5e9 * 64)
    assert "AVX-512" in peak.note and "3 cores" in peak.note
    # Without /proc/cpuinfo (not Linux): no flags, so SSE's 4 lanes, and no clock.
    del fake_files["/proc/cpuinfo"]
    bare = scale.cpu_peak_flops(cores=3)
    assert (bare.flops_per_cycle, bare.clock_hz, bare.flops) == (16, None, None) and "SSE" in bare.note
    with pytest.raises(TypeError, match="cpuinfo must be the text of /proc/cpuinfo, got int"):
        scale.cpu_peak_flops(3)


def test_cpu_peak_counts_the_physical_cores_this_process_may_use(fake_files, monkeypatch):
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 32)  # the machine's; the affinity is what this process gets
    # siblings / cpu cores = 2 hardware threads per core: 8 logical CPUs are 4 cores.
    assert scale.cpu_peak_flops(CPUINFO).cores == 4
    assert scale.cpu_peak_flops(CPUINFO).flops == 4 * 2.5e9 * 64
    # No siblings line: one thread per core.
    assert scale.cpu_peak_flops("flags : avx\ncpu MHz : 1000\n").cores == 8
    # Where the affinity is unknown (macOS, Windows), every CPU of the machine; at least one core.
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    assert scale.cpu_peak_flops(CPUINFO).cores == 16
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert scale.cpu_peak_flops("flags : avx\n").cores == 1


def test_flops_per_token_refuses_a_transformer_without_layers_context_or_width():
    for name in ("layers", "context", "d_model"):
        sizes = dict(layers=2, context=8, d_model=4) | {name: 0}
        with pytest.raises(ValueError, match=f"^{name} must be at least 1, got 0"):
            scale.flops_per_token(100, **sizes)


def test_matmul_rate_is_2_n_cubed_over_the_best_time(monkeypatch):
    import types

    # A fake clock: the three timed products take 4, 2 and 3 ms; the rate uses the best, 2 ms.
    ticks = iter([0.0, 0.004, 1.0, 1.002, 2.0, 2.003])
    monkeypatch.setattr(scale, "time", types.SimpleNamespace(perf_counter=lambda: next(ticks)))
    assert scale.matmul_flops_per_second(16, repeats=3) == pytest.approx(2 * 16 ** 3 / 0.002)


def test_matmul_rate_refuses_sizes_and_repeats_just_past_the_limits():
    with pytest.raises(ValueError, match="n must be from 16 to 32768, got 32769"):
        scale.matmul_flops_per_second(32769)
    with pytest.raises(ValueError, match="repeats must be from 1 to 10000, got 10001"):
        scale.matmul_flops_per_second(16, repeats=10001)


def test_device_errors_list_every_device_in_the_short_form(monkeypatch):
    import types

    import tensorflow as tf

    devices = [types.SimpleNamespace(name="/device:CPU:0"), types.SimpleNamespace(name="/device:GPU:0")]
    monkeypatch.setattr(tf.config, "list_logical_devices", lambda *a: devices)
    assert scale._resolve_device("gpu:0") == "/device:GPU:0"
    assert scale._resolve_device("/device:GPU:0") == "/device:GPU:0"
    with pytest.raises(ValueError, match=r"device '/GPU:1' does not exist on this machine; the devices are "
                                         r"/CPU:0, /GPU:0$"):
        scale._resolve_device("/GPU:1")
    with pytest.raises(TypeError, match="device must be a TensorFlow device string"):
        scale._resolve_device(0)


def test_bootstrap_and_fit_name_what_is_too_small():
    with pytest.raises(ValueError, match=r"^x must have at least 2 entries"):
        scale.bootstrap_power_law([1.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="resamples must be from 100 to 1000000, got 1000001"):
        scale.bootstrap_power_law([1.0, 2.0], [[1.0, 2.0], [0.5, 0.6]], resamples=1_000_001)
    with pytest.raises(ValueError, match="^x must hold at least two distinct values$"):
        scale.fit_power_law([2.0, 2.0], [1.0, 3.0])


@pytest.mark.parametrize("x, floor, coefficient, exponent", [
    ([1.0, 4.0, 16.0], 1.0, 2.0, -0.5),
    ([1.0, 3.0, 9.0, 27.0, 81.0], 2.0, 1.0, -1.0),  # a floor 99.4 % of min(y): near the top of the grid
])
def test_floor_fit_finds_an_exact_floor_to_one_step_of_its_fine_grid(x, floor, coefficient, exponent):
    # The floors tried: 400 from 0 to 0.995 min(y), then a grid 200 times finer around the best. On points
    # that lie exactly on a law, the floor found is within one step of that fine grid of the true one.
    y = floor + coefficient * np.asarray(x) ** exponent
    fine_step = 0.995 * y.min() / 399 / 200
    fit = scale.fit_power_law_with_floor(x, y)
    assert abs(fit.floor - floor) <= fine_step


@pytest.mark.parametrize("flags, isa", [("avx512f avx fma", "AVX-512, 16 float32 lanes"), ("avx fma", "AVX, 8 float32 lanes"),
                                        ("sse sse2", "SSE, 4 float32 lanes")])
def test_cpu_peak_note_names_the_vector_unit_and_whole_cores(fake_files, monkeypatch, flags, isa):
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    peak = scale.cpu_peak_flops(f"flags\t\t: {flags}\ncpu MHz\t\t: 2000\nsiblings\t: 4\ncpu cores\t: 2\n")
    assert peak.cores == 4 and isinstance(peak.cores, int)  # a count of cores, not 4.0
    assert peak.note.startswith("4 cores × 2.00 GHz") and f"({isa}, 2 FMA units)" in peak.note, peak.note
    # A siblings line without a "cpu cores" line says nothing about hyper-threading: one thread per core.
    assert scale.cpu_peak_flops(f"flags : {flags}\nsiblings : 4\n").cores == 8


def test_matmul_rate_defaults_to_a_1024_product_timed_ten_times(monkeypatch):
    import types

    ticks = iter(np.arange(20) * 0.5)  # ten timed products of 0.5 s each; an eleventh would find no tick
    monkeypatch.setattr(scale, "time", types.SimpleNamespace(perf_counter=lambda: next(ticks)))
    assert scale.matmul_flops_per_second() == pytest.approx(2 * 1024 ** 3 / 0.5)
    assert next(ticks, None) is None  # all ten were used
