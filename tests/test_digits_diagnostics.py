"""Label balance, balanced batch and digit plots (the digits sections of
``densitylab.diagnostics`` and ``densitylab.plotting``)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import stats
from sklearn.ensemble import RandomForestClassifier

from densitylab.data import load_digits_split
from densitylab.diagnostics import (
    BalancedBatch,
    LabelBalance,
    balanced_batch,
    label_balance,
    predicted_label_balance,
)
from densitylab.plotting import (
    plot_digit_grid,
    plot_label_shares,
    plot_labelled_digit_grid,
)
from densitylab.plotting.digits import _digit_canvas
from densitylab.report.figures import new_figure

# --- label_balance -------------------------------------------------------------------


def test_uniform_labels_are_perfectly_balanced():
    lb = label_balance(np.tile(np.arange(10), 37))
    assert isinstance(lb, LabelBalance)
    np.testing.assert_array_equal(lb.counts, np.full(10, 37))
    np.testing.assert_allclose(lb.proportions, 0.1)
    assert lb.kl_to_uniform == pytest.approx(0.0, abs=1e-15)
    assert lb.chi2 == pytest.approx(0.0, abs=1e-12)
    assert lb.p_value == pytest.approx(1.0)
    assert lb.n_samples == 370


def test_one_class_is_maximally_unbalanced():
    lb = label_balance(np.full(500, 7))
    assert lb.counts[7] == 500 and lb.counts.sum() == 500
    # KL(δ ‖ uniform over K) = log K, the largest possible value.
    assert lb.kl_to_uniform == pytest.approx(np.log(10))
    # χ² = Σ (n_c − n/K)² / (n/K) = (450² + 9·50²) / 50 = 4500.
    assert lb.chi2 == pytest.approx(4500.0)
    assert lb.p_value < 1e-300


def test_label_balance_matches_direct_formulas():
    rng = np.random.default_rng(3)
    labels = rng.choice(10, size=1000, p=np.r_[0.2, np.full(8, 0.09), 0.08])
    lb = label_balance(labels)
    counts = np.bincount(labels, minlength=10)
    p = counts / counts.sum()
    kl = np.sum(p * np.log(10 * p))
    expected = counts.sum() / 10
    chi2 = np.sum((counts - expected) ** 2 / expected)
    assert lb.kl_to_uniform == pytest.approx(kl, rel=1e-12)
    assert lb.chi2 == pytest.approx(chi2, rel=1e-12)
    assert lb.p_value == pytest.approx(stats.chi2.sf(chi2, df=9), rel=1e-9)


def test_absent_classes_count_as_zero():
    # Classes 5–9 never occur: half the mass is missing, KL = log 2.
    lb = label_balance(np.tile(np.arange(5), 20))
    np.testing.assert_array_equal(lb.counts, [20] * 5 + [0] * 5)
    assert lb.kl_to_uniform == pytest.approx(np.log(2))


def test_integral_float_labels_are_accepted():
    assert label_balance(np.array([0.0, 1.0, 2.0]), n_classes=3).chi2 == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("labels", "n_classes", "match"),
    [
        ([0, 1, 10], 10, "n_classes"),
        ([-1, 0], 10, r"\[0, 10\)"),
        ([0.5, 1.0], 10, "integer"),
        ([], 10, "empty"),
        ([[0, 1]], 10, "one-dimensional"),
        ([0, 1], 1, "n_classes"),
    ],
)
def test_label_balance_rejects_bad_labels(labels, n_classes, match):
    with pytest.raises(ValueError, match=match):
        label_balance(labels, n_classes=n_classes)


@pytest.mark.parametrize(
    ("labels", "shown"),
    [([1e20], "1e+20"), (np.array([2**63], dtype=np.uint64), "9223372036854775808")],
)
def test_out_of_range_labels_are_quoted_as_given(labels, shown):
    """Not as the wrapped int64 a cast would make of them (-9223372036854775808)."""
    with pytest.raises(ValueError, match=r"\[0, 10\)") as info:
        label_balance(labels)
    assert f"from {shown} to {shown}" in str(info.value)
    assert "-9223372036854775808" not in str(info.value)


def test_predicted_label_balance_uses_the_classifier():
    split = load_digits_split(0.25, random_state=0)
    clf = RandomForestClassifier(n_estimators=20, random_state=0).fit(split.X_train, split.y_train)
    predicted, lb = predicted_label_balance(clf, split.X_test)
    np.testing.assert_array_equal(predicted, clf.predict(split.X_test))
    np.testing.assert_array_equal(lb.counts, np.bincount(predicted, minlength=10))
    # The held-out digits are stratified (≈45 per class) and a 20-tree forest
    # classifies them well, so the predicted labels are close to balanced.
    assert lb.kl_to_uniform < 0.01
    assert lb.p_value > 0.01


# --- balanced_batch ------------------------------------------------------------------


def _pool(counts, n_features=3, seed=0):
    """Rows whose first feature is a unique id and whose label is known."""
    labels = np.repeat(np.arange(len(counts)), counts)
    rng = np.random.default_rng(seed)
    order = rng.permutation(labels.size)
    labels = labels[order]
    X = np.column_stack([np.arange(labels.size), rng.normal(size=(labels.size, n_features - 1))])
    return X, labels


def test_balanced_batch_has_equal_counts_of_true_members():
    X, labels = _pool([30, 12, 50, 25, 11, 40, 13, 60, 20, 15])
    batch = balanced_batch(X, labels, 10, random_state=1)
    assert isinstance(batch, BalancedBatch)
    np.testing.assert_array_equal(np.bincount(batch.labels, minlength=10), np.full(10, 10))
    # Ordered by class, each row really is a member of the class it is listed under.
    np.testing.assert_array_equal(batch.labels, np.repeat(np.arange(10), 10))
    ids = batch.X[:, 0].astype(int)
    np.testing.assert_array_equal(labels[ids], batch.labels)
    np.testing.assert_array_equal(X[ids], batch.X)
    # Every class had ≥ 10 members: drawn without replacement, no repeats.
    assert np.unique(ids).size == ids.size
    assert not batch.with_replacement.any()
    assert batch.missing.size == 0
    np.testing.assert_array_equal(batch.available, np.bincount(labels, minlength=10))


def test_balanced_batch_is_seeded():
    X, labels = _pool([30] * 10)
    a = balanced_batch(X, labels, 5, random_state=7)
    b = balanced_batch(X, labels, 5, random_state=7)
    c = balanced_batch(X, labels, 5, random_state=8)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)


def test_short_classes_are_drawn_with_replacement_and_flagged():
    X, labels = _pool([30, 3, 30, 30, 1, 30, 30, 30, 30, 30])
    batch = balanced_batch(X, labels, 10, random_state=0)
    np.testing.assert_array_equal(np.bincount(batch.labels, minlength=10), np.full(10, 10))
    np.testing.assert_array_equal(np.flatnonzero(batch.with_replacement), [1, 4])
    ids = batch.X[:, 0].astype(int)
    np.testing.assert_array_equal(labels[ids], batch.labels)
    # Class 1 has 3 members, so its 10 rows repeat; class 4's single member fills all 10.
    assert np.unique(ids[batch.labels == 1]).size <= 3
    assert np.unique(ids[batch.labels == 4]).size == 1


def test_missing_classes_are_reported_not_invented():
    X, labels = _pool([20, 20, 0, 20, 20, 20, 0, 20, 20, 20])
    batch = balanced_batch(X, labels, 4, random_state=0)
    np.testing.assert_array_equal(batch.missing, [2, 6])
    assert set(np.unique(batch.labels)) == set(range(10)) - {2, 6}
    assert batch.X.shape == (8 * 4, X.shape[1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"per_class": 0}, "per_class"),
        ({"per_class": 2.5}, "per_class"),
        ({"per_class": 2, "n_classes": 1}, "n_classes"),
    ],
)
def test_balanced_batch_rejects_bad_parameters(kwargs, match):
    X, labels = _pool([5] * 10)
    with pytest.raises(ValueError, match=match):
        balanced_batch(X, labels, **kwargs)


def test_balanced_batch_rejects_mismatched_labels():
    X, labels = _pool([5] * 10)
    with pytest.raises(ValueError, match="labels"):
        balanced_batch(X, labels[:-1], 2)


# --- plots ---------------------------------------------------------------------------


def _renders(fig):
    fig.savefig(io.BytesIO(), format="png")


def test_digit_canvas_places_clipped_images_row_major():
    rng = np.random.default_rng(0)
    X = rng.normal(8.0, 10.0, size=(7, 64))  # values well outside 0–16
    canvas = _digit_canvas(X, 2, 4)
    assert canvas.shape == (2 * 9 + 1, 4 * 9 + 1)
    for k in range(7):
        i, j = divmod(k, 4)
        tile = canvas[1 + 9 * i : 9 + 9 * i, 1 + 9 * j : 9 + 9 * j]
        np.testing.assert_array_equal(tile, np.clip(X[k].reshape(8, 8), 0, 16))
    # The 8th tile has no image and the gaps between tiles are empty (NaN).
    assert np.isnan(canvas[10:18, 28:36]).all()
    assert np.isnan(canvas[0]).all() and np.isnan(canvas[:, 9]).all()


def test_digit_canvas_leaves_room_above_each_image_for_a_label():
    X = np.arange(2 * 64, dtype=float).reshape(2, 64) % 16
    canvas = _digit_canvas(X, 2, 1, top=3)
    assert canvas.shape == (2 * 12 + 1, 10)
    np.testing.assert_array_equal(canvas[4:12, 1:9], X[0].reshape(8, 8))
    np.testing.assert_array_equal(canvas[16:24, 1:9], X[1].reshape(8, 8))
    assert np.isnan(canvas[12:16]).all()  # gap + label band between the two images


def test_plot_digit_grid_shows_a_gray_grid_and_returns_its_figure():
    X = np.tile(np.arange(64.0) / 4.0, (150, 1))
    fig = plot_digit_grid(X, title="grid")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    (image,) = ax.get_images()
    data = np.ma.filled(image.get_array(), np.nan)
    assert data.shape == (4 * 9 + 1, 10 * 9 + 1)  # default 4 rows of 10
    assert image.get_cmap().name.startswith("gray")
    assert image.get_clim() == (0.0, 16.0)
    assert np.nanmax(data) == 15.75 and np.nanmin(data) == 0.0
    assert ax.get_title() == "grid"
    _renders(fig)


def test_plot_digit_grid_draws_into_a_given_axes():
    fig, axes = new_figure(1, 2)
    assert plot_digit_grid(np.zeros((20, 64)), ax=axes[0, 1], n_rows=2) is fig
    assert axes[0, 1].get_images() and not axes[0, 0].get_images()
    with pytest.raises(ValueError, match="64"):
        plot_digit_grid(np.zeros((10, 63)))
    with pytest.raises(ValueError, match="n_rows"):
        plot_digit_grid(np.zeros((10, 64)), n_rows=0)


def test_labelled_grid_writes_every_label_above_its_image():
    X = np.zeros((30, 64))
    labels = np.repeat([3, 1, 4], 10)
    fig = plot_labelled_digit_grid(X, labels, n_cols=10, title="batch")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == [str(v) for v in labels]
    # Tile k (row k // 10, column k % 10) spans x in [1 + 9j, 9 + 9j) and its image
    # y in [4 + 12i, 12 + 12i); the label sits above the image, in the band [12i, 4 + 12i).
    for k in (0, 25, 29):
        i, j = divmod(k, 10)
        x, y = ax.texts[k].get_position()
        assert 1 + 9 * j <= x < 9 + 9 * j
        assert 12 * i < y < 4 + 12 * i
    assert ax.get_title() == "batch"
    _renders(fig)
    with pytest.raises(ValueError, match="labels"):
        plot_labelled_digit_grid(X, labels[:-1])


def test_label_shares_bars_are_the_shares_and_the_control_markers_its_shares():
    counts = np.array([40, 10, 20, 20, 20, 20, 20, 20, 20, 10])
    control = label_balance(np.repeat(np.arange(10), [44, 46, 45, 45, 45, 45, 45, 45, 45, 45]))
    fig = plot_label_shares(counts, control=control)
    ax = fig.axes[0]
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, counts / counts.sum(), rtol=1e-15)
    markers = [line for line in ax.get_lines() if line.get_gid() == "control"][0]
    np.testing.assert_allclose(markers.get_ydata(), control.counts / control.counts.sum())
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["generated digits", "held-out digits", "equal shares (10\xa0% each)"]
    assert ax.get_xlabel() == "predicted class"
    assert ax.get_title() == "predicted classes of the generated digits"
    _renders(fig)
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "0\xa0%" in ticks and "10\xa0%" in ticks
    # The legend is outside the data area.
    assert not fig.legends[0].get_window_extent().overlaps(ax.get_window_extent())


def test_label_shares_accepts_a_label_balance_and_checks_the_control():
    balance = label_balance(np.tile(np.arange(10), 3))
    fig = plot_label_shares(balance, title="")
    np.testing.assert_allclose([p.get_height() for p in fig.axes[0].patches], 0.1)
    with pytest.raises(ValueError, match="one count per class"):
        plot_label_shares(balance, control=[1, 2, 3])
    with pytest.raises(ValueError, match="positive total"):
        plot_label_shares(np.zeros(10))
