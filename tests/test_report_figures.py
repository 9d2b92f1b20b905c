"""Report figures: sized for the book's column, readable fonts, deterministic 2× PNGs."""

from __future__ import annotations

import struct
import zlib

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from densitylab.report.figures import (
    FIGURE_WIDTH_PX,
    FONT_PX,
    PX_PER_INCH,
    figure_image,
    figure_png,
    new_figure,
    number_formatter,
    percent_formatter,
)
from densitylab.report.typography import number, percent


def png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length : at + 12 + length])[0] == (
            zlib.crc32(kind + data)
        )
        chunks.append((kind, data))
        at += 12 + length
    return chunks


def png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def displayed_px(fig: Figure, points: float, width_px: int = FIGURE_WIDTH_PX) -> float:
    """CSS px of a font of ``points`` when ``fig`` is shown ``width_px`` wide."""
    return points / 72 * width_px / fig.get_figwidth()


def busy_figure():
    fig, axes = new_figure(1, 2)
    rng = np.random.default_rng(0)
    for ax in axes.flat:
        ax.scatter(*rng.normal(size=(2, 200)), s=3, label="generated")
        ax.set_xlabel("number of components $K$")
        ax.set_ylabel("MMD²")
        ax.legend()
    axes[0, 0].set_title("SE kernel")
    return fig


def test_the_designed_width_is_the_measured_column():
    # The image box of a figure in the main column at a 1280-px window (see figures.py).
    assert FIGURE_WIDTH_PX == 672
    assert PX_PER_INCH == 96


def test_new_figure_is_pyplot_free_with_a_2d_grid_of_axes():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig, axes = new_figure(2, 3, sharex=True)
    assert axes.shape == (2, 3)
    assert fig.get_figwidth() * PX_PER_INCH == pytest.approx(FIGURE_WIDTH_PX)
    assert fig.get_figheight() == pytest.approx(fig.get_figwidth() / 3 * 0.75 * 2)
    assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    assert plt.get_fignums() == before
    _, one = new_figure()
    assert one.shape == (1, 1)
    narrow, _ = new_figure(width=400, aspect=1.0)
    assert narrow.get_figwidth() * PX_PER_INCH == pytest.approx(400)


@pytest.mark.parametrize("kwargs", [{"n_rows": 0}, {"n_cols": 1.5}, {"width": -1}, {"aspect": 0}])
def test_new_figure_refuses_bad_sizes(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        new_figure(**kwargs)


def test_fonts_are_readable_at_the_column_width():
    fig = busy_figure()
    figure_png(fig)  # draw: every tick label exists
    ax = fig.axes[0]
    ticks = [t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert min(displayed_px(fig, size) for size in ticks) >= 11
    assert displayed_px(fig, ax.xaxis.label.get_fontsize()) >= 12
    assert displayed_px(fig, ax.title.get_fontsize()) >= 12
    legend = ax.get_legend().get_texts()[0].get_fontsize()
    assert displayed_px(fig, legend) >= 11
    assert displayed_px(fig, ticks[0]) == pytest.approx(FONT_PX["tick"])


def test_png_is_twice_the_displayed_width_and_deterministic():
    fig = busy_figure()
    png = figure_png(fig)
    assert png_size(png)[0] == 2 * FIGURE_WIDTH_PX
    assert png == figure_png(fig) == figure_png(busy_figure())
    kinds = [kind for kind, _ in png_chunks(png)]
    assert b"tIME" not in kinds  # no timestamp
    texts = b"".join(data for kind, data in png_chunks(png) if kind in {b"tEXt", b"iTXt"})
    assert b"Matplotlib" not in texts  # no software version either
    assert png_size(figure_png(fig, width_px=500, scale=3))[0] == 1500


@pytest.mark.parametrize("width", [333, 500, 671, 672, 800])
def test_png_width_is_exact_for_any_width(width):
    fig, _ = new_figure(width=width)
    assert png_size(figure_png(fig))[0] == 2 * min(width, FIGURE_WIDTH_PX)


def test_the_png_has_an_opaque_white_background():
    fig, _ = new_figure()
    fig.set_facecolor("none")
    import io

    from matplotlib.image import imread

    pixels = imread(io.BytesIO(figure_png(fig)))
    assert pixels.shape[2] == 4 and np.all(pixels[0, 0] == 1.0)  # white, alpha 1


def test_figure_image_is_shown_at_the_column_width():
    image = figure_image(busy_figure(), alt="Two scatter plots of generated points.")
    assert image.width == FIGURE_WIDTH_PX
    assert png_size(image.data)[0] == 2 * FIGURE_WIDTH_PX
    assert image.alt == "Two scatter plots of generated points."
    # A figure wider than the column is shown at the column's width, not overflowing it.
    wide = Figure(figsize=(10, 3))
    assert figure_image(wide, min_font_px=None).width == FIGURE_WIDTH_PX


def test_figure_image_refuses_text_too_small_to_read():
    fig, axes = new_figure()
    axes[0, 0].text(0.5, 0.5, "footnote", fontsize=6)
    with pytest.raises(ValueError, match=r"'footnote' \(8\.0 px\)"):
        figure_image(fig)
    assert figure_image(fig, min_font_px=None).width == FIGURE_WIDTH_PX
    # The first draft's style: 8-pt ticks on a 7.2-in figure, shown 672 px wide: 10.4 px.
    old = Figure(figsize=(7.2, 2.8))
    old.subplots().tick_params(labelsize=8)
    with pytest.raises(ValueError, match=r"smaller than 11.0 px: '0\.0' \(10\.4 px\)"):
        figure_image(old)


def test_figure_image_checks_its_arguments():
    fig, _ = new_figure()
    with pytest.raises(ValueError, match="alt"):
        figure_image(fig, alt="  ")
    with pytest.raises(ValueError, match="width_px"):
        figure_image(fig, width_px=0)
    with pytest.raises(ValueError, match="scale"):
        figure_image(fig, scale=1.5)


def test_tick_formatters_agree_with_the_text():
    numbers, percents = number_formatter(), percent_formatter()
    for value in (-7.7e-4, 0.25, 12_000.0, 0.0):
        assert numbers(value, 0) == number(value, trim=True)
    for share in (0.0, 0.0012, 0.05, 0.5, 1.0):
        assert percents(share, 0) == percent(share, trim=True)
    assert percents(-0.1, 0) == "" and percents(1.2, 0) == ""
    assert percents(1 + 1e-15, 0) == percent(1.0)  # floating-point tick positions
    assert percent_formatter(2, trim=False)(0.05, 0) == percent(0.05)
