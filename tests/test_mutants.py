"""tools/mutants.py (mutation testing): the confidence interval of a sampled score."""
import pytest

from tools import mutants


@pytest.mark.parametrize("killed, n, low, high", [
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics in
    # Medicine 17, table I, method 3 (the Wilson score interval without continuity correction).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_published_values(killed, n, low, high):
    got = mutants.wilson_interval(killed, n)
    assert got == pytest.approx((low, high), abs=6e-5)


def test_wilson_interval_edges_and_arguments():
    low, high = mutants.wilson_interval(400, 400)
    assert high == pytest.approx(1.0) and 0.99 < low < 1.0  # all killed: the interval still has width
    assert mutants.wilson_interval(0, 0) == (0.0, 1.0)  # nothing sampled: nothing known
    # The interval narrows as 1/sqrt(n): four times the sample, about half the width.
    w100 = mutants.wilson_interval(90, 100)
    w400 = mutants.wilson_interval(360, 400)
    assert (w400[1] - w400[0]) / (w100[1] - w100[0]) == pytest.approx(0.5, abs=0.03)
    for killed, n in ((5, 4), (-1, 4)):
        with pytest.raises(ValueError, match="killed"):
            mutants.wilson_interval(killed, n)


def test_sample_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        mutants.main(["params", "--sample", "0"])
    assert "--sample must be at least 1" in capsys.readouterr().err
