"""The report's typography: exact strings for numbers, shares, intervals, p-values, words.

Every expected string is written out with its special characters named: ``M`` is the
minus sign U+2212, ``S`` the no-break space U+00A0, ``N`` the narrow no-break space
U+202F. The maths of :func:`setting` must render both in matplotlib (checked here) and in
MathJax (checked in the built book of ``test_report_book.py``).
"""

from __future__ import annotations

import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib import font_manager, ft2font
from matplotlib.figure import Figure

from densitylab.report.typography import (
    FAMILY_NAMES,
    SYMBOLS,
    axis_label,
    count_word,
    family,
    interval,
    join,
    number,
    p_value,
    percent,
    plural,
    setting,
    to_tex,
)

M, S, N = "\u2212", "\u00a0", "\u202f"


def sci(mantissa: str, exponent: str) -> str:
    return f"{mantissa}{S}×{S}10{exponent}"


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        (0.5, 2, "0.50"),  # trailing zeros kept to the significant digits
        (0.25, 2, "0.25"),
        (3.14159, 3, "3.14"),
        (0.001, 2, "0.0010"),  # the lower edge of fixed notation
        (9.96e-4, 2, "0.0010"),  # rounds up across 10⁻³: fixed, as the rounded value
        (9.94e-4, 2, sci("9.9", "⁻⁴")),
        (4.2e-4, 2, sci("4.2", "⁻⁴")),
        (-7.7e-4, 2, sci(M + "7.7", "⁻⁴")),
        (-0.25, 2, M + "0.25"),
        (1.1e-8, 2, sci("1.1", "⁻⁸")),
        (1234.5, 2, "1200"),  # two significant digits, no false precision
        (1234.5, 4, "1234"),  # half to even on the exact binary value
        (9999.4, 4, "9999"),
        (9999.6, 2, sci("1.0", "⁴")),  # rounds up across 10⁴: scientific
        (12345.0, 3, sci("1.23", "⁴")),  # a float is rounded, even if integral
        (2.5e12, 2, sci("2.5", "¹²")),
        (-3.0e-300, 2, sci(M + "3.0", "⁻³⁰⁰")),
        (0.0, 2, "0"),
        (-0.0, 2, "0"),
        (float("inf"), 2, "∞"),
        (float("-inf"), 2, M + "∞"),
        (float("nan"), 2, "n/a"),
        (np.float32(0.1), 2, "0.10"),
        (np.float64(-2.5e-5), 2, sci(M + "2.5", "⁻⁵")),
    ],
)
def test_number_floats(x, digits, expected):
    assert number(x, digits) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (1347, "1347"),
        (9999, "9999"),
        (10_000, f"10{N}000"),
        (20_000, f"20{N}000"),
        (-123_456, f"{M}123{N}456"),
        (1_234_567, f"1{N}234{N}567"),
        (10**20, N.join(["100"] + ["000"] * 6)),
        (np.int64(2000), "2000"),
        (np.int32(-45000), f"{M}45{N}000"),
    ],
)
def test_number_integers_are_exact_and_grouped(n, expected):
    assert number(n) == expected
    assert number(n, digits=1) == expected  # digits do not round integers


def test_number_trim_drops_trailing_zeros_only():
    assert number(0.05, 3, trim=True) == "0.05"
    assert number(0.0075, 3, trim=True) == "0.0075"
    assert number(2.0, 3, trim=True) == "2"
    assert number(1200.0, 2, trim=True) == "1200"
    assert number(1e-5, 3, trim=True) == sci("1", "⁻⁵")


@pytest.mark.parametrize("bad", [True, False, np.bool_(True), "0.5", None, [1.0]])
def test_number_refuses_non_numbers(bad):
    with pytest.raises(TypeError):
        number(bad)


@pytest.mark.parametrize("digits", [0, -1, 1.5, True])
def test_number_refuses_bad_digits(digits):
    with pytest.raises(ValueError, match="digits"):
        number(0.5, digits)


def test_no_hyphen_minus_anywhere():
    texts = [number(-x) for x in (1e-9, 1e-4, 0.5, 12.0, 1e6)] + [
        interval(-7.7e-4, 2e-4),
        interval(-0.5, 0.1),
    ]
    assert all("-" not in t and M in t for t in texts)


@pytest.mark.parametrize(
    ("share", "digits", "expected"),
    [
        (0, 2, f"0{S}%"),
        (0.0, 2, f"0{S}%"),
        (1, 2, f"100{S}%"),
        (1.0, 2, f"100{S}%"),
        (0.5, 2, f"50{S}%"),
        (0.123, 2, f"12{S}%"),
        (0.123, 3, f"12.3{S}%"),
        (0.05, 2, f"5.0{S}%"),
        (0.0012, 2, f"0.12{S}%"),
        (0.0005, 2, f"0.050{S}%"),  # one generated point in 2000: never "0 %"
        (0.00001, 2, f"0.0010{S}%"),
        (0.000009, 2, f"<{S}0.001{S}%"),
        (1e-12, 2, f"<{S}0.001{S}%"),
        (0.994, 2, f"99{S}%"),
        (0.996, 2, f">{S}99{S}%"),  # rounds to 100 % although a share is missing
        (0.9996, 3, f">{S}99.9{S}%"),
        (0.99996, 4, f">{S}99.99{S}%"),
        (float("nan"), 2, "n/a"),
    ],
)
def test_percent(share, digits, expected):
    assert percent(share, digits) == expected


def test_percent_trim_for_tick_labels():
    assert percent(0.05, trim=True) == f"5{S}%"
    assert percent(0.0012, trim=True) == f"0.12{S}%"


@pytest.mark.parametrize("share", [-0.01, 1.01, 12.0, float("inf")])
def test_percent_outside_unit_interval_is_refused(share):
    with pytest.raises(ValueError, match=r"share must lie in \[0, 1\]"):
        percent(share)


@pytest.mark.parametrize(
    ("mean", "se", "digits", "expected"),
    [
        (0.01234, 0.00456, 2, f"0.0123{S}±{S}0.0046"),
        (0.25, 0.031, 2, f"0.250{S}±{S}0.031"),
        (4.2e-4, 3e-5, 1, f"(4.2{S}±{S}0.3){S}×{S}10⁻⁴"),
        (4.2e-4, 3e-5, 2, f"(4.20{S}±{S}0.30){S}×{S}10⁻⁴"),
        (-7.7e-4, 2.1e-4, 2, f"({M}7.7{S}±{S}2.1){S}×{S}10⁻⁴"),
        (1.9e-4, 2.0e-4, 2, f"(1.9{S}±{S}2.0){S}×{S}10⁻⁴"),
        (1e-6, 3e-4, 2, f"(0.0{S}±{S}3.0){S}×{S}10⁻⁴"),  # the se sets the scale
        (-1e-4, 0.3, 2, f"0.00{S}±{S}0.30"),  # no "−0.00"
        (4567.0, 1234.0, 2, f"4600{S}±{S}1200"),
        (12345.6, 78.0, 2, f"(1.2346{S}±{S}0.0078){S}×{S}10⁴"),
        (0.0996, 0.00996, 2, f"0.100{S}±{S}0.010"),  # se rounds up across 10⁻²: so does the mean
        (5.0, 0.0, 2, f"5.0{S}±{S}0"),
        (0.25, float("nan"), 2, "0.25"),  # one repeat: the caller says why
        (float("nan"), 0.1, 2, "n/a"),
    ],
)
def test_interval(mean, se, digits, expected):
    assert interval(mean, se, digits) == expected


def test_interval_refuses_negative_se():
    with pytest.raises(ValueError, match="se must be >= 0"):
        interval(1.0, -0.1)


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0321, f"p{S}={S}0.032"),
        (0.5, f"p{S}={S}0.50"),
        (0.0012, f"p{S}={S}0.0012"),
        (9.9e-4, f"p{S}={S}" + sci("9.9", "⁻⁴")),
        (3.14e-8, f"p{S}={S}" + sci("3.1", "⁻⁸")),
        (0.9949, f"p{S}={S}0.99"),
        (0.996, f"p{S}>{S}0.99"),
        (1.0, f"p{S}={S}1"),
        (0.0, f"p{S}≈{S}0"),
    ],
)
def test_p_value(p, expected):
    assert p_value(p) == expected


def test_p_value_for_a_table_column_has_no_label():
    assert p_value(0.5, label="") == "0.50"
    assert p_value(0.999, label="") == f">{S}0.99"
    assert p_value(0.9996, digits=3, label="q") == f"q{S}>{S}0.999"


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_p_value_outside_unit_interval_is_refused(p):
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\]"):
        p_value(p)


def test_join():
    assert join(["a"]) == "a"
    assert join(["a", "b"]) == "a and b"
    assert join(["a", "b", "c"]) == "a, b and c"
    assert join(iter(["x", "y", "z"]), "or") == "x, y or z"
    with pytest.raises(ValueError, match="at least one"):
        join([])
    with pytest.raises(TypeError, match="format numbers first"):
        join([1, 2])


def test_plural_and_count_word():
    assert plural(1, "fit") == "1 fit"
    assert plural(3, "fit") == "3 fits"
    assert plural(0, "fit") == "0 fits"
    assert plural(2.0, "repeat") == "2 repeats"
    assert plural(2, "child", "children") == "2 children"
    assert plural(20_000, "point") == f"20{N}000 points"
    assert [count_word(n) for n in (0, 1, 2, 10, 11)] == ["no", "one", "two", "ten", "11"]
    with pytest.raises(ValueError, match="whole number"):
        plural(1.5, "fit")
    with pytest.raises(ValueError, match=">= 0"):
        count_word(-1)


@pytest.mark.parametrize(
    ("param", "value", "math", "plain"),
    [
        ("bins", 20, "20 bins", "20 bins"),
        ("bins", 1, "1 bin", "1 bin"),
        ("bins", 20.0, "20 bins", "20 bins"),
        ("n_components", 5, "$K = 5$", f"K{S}={S}5"),
        ("n_components", np.int64(12), "$K = 12$", f"K{S}={S}12"),
        ("bandwidth", 0.05, "$h = 0.05$", f"h{S}={S}0.05"),
        ("bandwidth", 0.0075, "$h = 0.0075$", f"h{S}={S}0.0075"),
        ("bandwidth", 2.0, "$h = 2$", f"h{S}={S}2"),
        ("bandwidth", 0.12345, "$h = 0.123$", f"h{S}={S}0.123"),
        ("bandwidth", 1e-5, r"$h = 1 \times 10^{-5}$", f"h{S}={S}" + sci("1", "⁻⁵")),
        ("bandwidth", "scott", "$h$ by Scott’s rule", "h by Scott’s rule"),
        ("n_min", 10, r"$n_{\min} = 10$", f"nₘᵢₙ{S}={S}10"),
        ("reg_covar", 1e-6, "", ""),
    ],
)
def test_setting(param, value, math, plain):
    assert setting(param, value) == math
    assert setting(param, value, math=False) == plain


def test_setting_refuses_unknown_params_and_fractional_counts():
    with pytest.raises(ValueError, match=r"param must be one of \['bandwidth', 'bins'"):
        setting("max_iter", 100)
    with pytest.raises(ValueError, match="whole number"):
        setting("n_components", 2.5)
    with pytest.raises(ValueError, match="scott"):
        setting("bandwidth", "wide")


def test_axis_labels_are_words_and_symbols():
    assert axis_label("n_components") == "number of components $K$"
    assert axis_label("bandwidth") == "KDE bandwidth $h$"
    assert axis_label("n_min") == r"least points per leaf $n_{\min}$"
    assert axis_label("bins") == "bins per axis"
    assert axis_label("n_min", math=False) == "least points per leaf nₘᵢₙ"
    assert all("_" not in words for _, words in SYMBOLS.values())


def test_family_names():
    assert family("GaussianKDE") == "KDE"
    assert family("Histogram2D") == "histogram"
    assert set(FAMILY_NAMES) == {
        "Histogram2D",
        "SingleGaussian",
        "GMM",
        "GaussianKDE",
        "DensityForest",
    }
    with pytest.raises(ValueError, match="name must be one of"):
        family("KernelDensity")


def test_to_tex():
    assert to_tex(number(-4.2e-5)) == r"-4.2 \times 10^{-5}"
    assert to_tex(number(20_000)) == r"20\,000"
    assert to_tex(number(float("-inf"))) == r"-\infty"


def _every_string():
    values = [number(x) for x in (-7.7e-4, 20_000, float("-inf"), 0.5)]
    values += [percent(0.0012), percent(0.9996), interval(-7.7e-4, 2e-4), p_value(0.999)]
    values += [setting(p, v, math=False) for p, v in [("n_min", 10), ("bandwidth", 0.1)]]
    return values + ["n/a —"]


def test_matplotlib_renders_every_setting_and_label():
    """Each maths string parses in mathtext; each Unicode string draws without error."""
    fig = Figure()
    ax = fig.subplots()
    maths = [setting(p, v) for p, v in [("n_components", 5), ("bandwidth", 1e-5), ("n_min", 10)]]
    maths += [axis_label(p) for p in SYMBOLS]
    for i, text in enumerate(maths + _every_string()):
        ax.text(0, i, text)
    fig.savefig(io.BytesIO(), format="png")  # raises on a mathtext error


def test_the_figure_font_has_every_character_of_the_typography():
    path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    font = ft2font.FT2Font(path)
    characters = set("".join(_every_string()))
    missing = sorted(c for c in characters if font.get_char_index(ord(c)) == 0)
    assert not missing, f"no glyph for {missing}"


def test_models_and_metrics_never_import_the_report():
    code = (
        "import sys\nimport densitylab.models, densitylab.mmd, densitylab.diagnostics\n"
        "print(sorted(m for m in sys.modules if m.startswith('densitylab.report')"
        " or m.startswith('myst_nb')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_typography_imports_no_plotting_or_notebook_library():
    code = (
        "import sys\nimport densitylab.report.typography\n"
        "print(sorted(m for m in ('matplotlib', 'IPython', 'myst_nb') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (-4.4e-4, 0.0013, "−4.4 × 10⁻⁴ to 1.3 × 10⁻³"),  # number() alone mixes the two
        (0.05, 0.12, "0.050 to 0.12"),
        (4.5e-4, 7.3e-4, "4.5 × 10⁻⁴ to 7.3 × 10⁻⁴"),
        (0.0, 3e-4, "0 to 3.0 × 10⁻⁴"),
        (-2.0, 12345.0, "−2.0 × 10⁰ to 1.2 × 10⁴"),
    ],
)
def test_a_span_has_one_number_style(low, high, expected):
    from densitylab.report.typography import span

    text = span(low, high).replace("\u00a0", " ")
    assert text == expected
    ends = text.split(" to ")
    assert len({"×" in end for end in ends if end != "0"}) == 1
