"""The label comparison against a control: χ² of homogeneity, Cramér's V and its interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from densitylab.diagnostics import compare_labels


def test_statistics_match_scipy_and_the_definitions():
    rng = np.random.default_rng(0)
    a = rng.choice(10, size=800, p=np.r_[np.full(9, 0.1), 0.1])
    b = rng.choice(10, size=300)
    result = compare_labels(a, b)
    table = np.stack([np.bincount(a, minlength=10), np.bincount(b, minlength=10)])
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    assert result.chi2 == pytest.approx(chi2, rel=1e-12) and result.dof == dof == 9
    assert result.p_value == pytest.approx(p, rel=1e-12)
    assert result.cramers_v == pytest.approx(np.sqrt(chi2 / 1100), rel=1e-12)
    pa, pb = table[0] / 800, table[1] / 300
    assert result.tvd == pytest.approx(0.5 * np.abs(pa - pb).sum(), rel=1e-12)


def test_the_interval_inverts_the_noncentral_law():
    rng = np.random.default_rng(1)
    a = np.concatenate([rng.choice(10, 900), np.full(150, 3)])
    b = rng.choice(10, 400)
    r = compare_labels(a, b)
    n = 1450
    assert r.v_low < r.cramers_v < r.v_high
    # At the interval's ends the observed χ² sits exactly in a 2.5 % tail.
    assert stats.ncx2.sf(r.chi2, r.dof, r.v_low**2 * n) == pytest.approx(0.025, abs=1e-6)
    assert stats.ncx2.sf(r.chi2, r.dof, r.v_high**2 * n) == pytest.approx(0.975, abs=1e-6)


def test_no_significant_difference_puts_the_lower_end_at_zero():
    rng = np.random.default_rng(2)
    r = compare_labels(rng.choice(10, 500), rng.choice(10, 500))
    assert r.p_value > 0.05 and r.v_low == 0.0 and r.v_high > r.cramers_v


def test_coverage_of_the_interval_for_a_known_difference():
    # True proportions differ by a fixed amount; the 95 % interval of V should hold the
    # population V in about 95 % of 200 seeded draws: 190 ± 3·sqrt(200·0.05·0.95) ≈ 190 ± 9.
    p = np.full(10, 0.1)
    q = np.r_[np.full(9, 0.09), 0.19]
    n_a, n_b = 1000, 400
    w = np.array([n_a, n_b]) / (n_a + n_b)
    mix = w[0] * p + w[1] * q
    v_true = np.sqrt(sum(w[i] * ((x - mix) ** 2 / mix).sum() for i, x in enumerate((p, q))))
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(200):
        r = compare_labels(rng.choice(10, n_a, p=p), rng.choice(10, n_b, p=q))
        hits += r.v_low <= v_true <= r.v_high
    assert 178 <= hits <= 200


def test_bad_labels_are_refused():
    with pytest.raises(ValueError, match="labels must lie in"):
        compare_labels([0, 12], [0, 1])
    with pytest.raises(ValueError, match="integer class labels"):
        compare_labels([0.5, 1.0], [0, 1])


def test_corrected_v_is_the_moment_estimate_and_zero_below_the_degrees_of_freedom():
    rng = np.random.default_rng(4)
    a = np.concatenate([rng.choice(10, 900), np.full(150, 3)])
    b = rng.choice(10, 400)
    r = compare_labels(a, b)
    assert r.cramers_v_corrected == pytest.approx(np.sqrt((r.chi2 - r.dof) / 1450), rel=1e-12)
    even = np.repeat(np.arange(10), 50)
    same = compare_labels(even, even)
    assert same.chi2 == 0 and same.cramers_v_corrected == 0.0


def test_corrected_v_always_lies_in_its_interval():
    # The plain V = sqrt(χ²/N) can lie above the interval when χ² < dof (pure noise);
    # the corrected V never leaves it, over many random tables of all kinds.
    rng = np.random.default_rng(5)
    plain_outside = 0
    for _ in range(400):
        n_classes = int(rng.integers(2, 11))
        n_a, n_b = int(rng.integers(20, 2000)), int(rng.integers(20, 500))
        p = rng.dirichlet(np.full(n_classes, 5.0))
        q = p if rng.random() < 0.5 else rng.dirichlet(np.full(n_classes, 5.0))
        r = compare_labels(
            rng.choice(n_classes, n_a, p=p), rng.choice(n_classes, n_b, p=q), n_classes=n_classes
        )
        assert r.v_low - 1e-9 <= r.cramers_v_corrected <= r.v_high + 1e-9
        plain_outside += not (r.v_low <= r.cramers_v <= r.v_high)
    assert plain_outside > 0  # the reason for the correction: the plain V does leave it
