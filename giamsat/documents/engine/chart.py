"""A bar chart drawn as a PNG for both renderers (matplotlib's Agg canvas, the document font),
so the DOCX and the PDF show the same picture."""

from __future__ import annotations

import io
import threading

from .fonts import font_files
from .model import LAYOUT, BarChart
from .numbers import vn_number

_lock = threading.Lock()  # the font registration happens once per process
_font_ready = False
_drawn: dict[tuple, bytes] = {}
KEEP = 8

WIDTH_IN = (LAYOUT.page_width_mm - LAYOUT.margin_left_mm - LAYOUT.margin_right_mm) / 25.4
DPI = 150  # sharp in print at the text block's width; 200 dpi doubles the drawing time
FONT_PT = 9


def _font_family() -> str:
    global _font_ready
    with _lock:
        if not _font_ready:
            from matplotlib import font_manager

            files = font_files()
            for path in (files.regular, files.bold):
                font_manager.fontManager.addfont(str(path))
            _font_ready = True
    return "Liberation Serif"


def chart_height_in(chart: BarChart) -> float:
    """The drawing's height: room for every bar's label."""
    return max(2.5, 0.2 * len(chart.labels) + 0.9)


def bar_chart_png(chart: BarChart) -> bytes:
    """The chart as a PNG, as wide as the text block. The DOCX and the PDF of one report draw
    the same chart: the last few drawings are kept (keyed by the chart's content)."""
    key = (chart.caption, tuple(chart.labels), tuple(chart.values), chart.value_label)
    with _lock:
        found = _drawn.get(key)
    if found is None:
        found = _draw(chart)
        with _lock:
            _drawn[key] = found
            while len(_drawn) > KEEP:
                _drawn.pop(next(iter(_drawn)))
    return found


def chart_cache_clear() -> None:
    """Forget the drawings kept (benchmarks measure a cold drawing)."""
    with _lock:
        _drawn.clear()


def _draw(chart: BarChart) -> bytes:
    """Draw with a Figure of its own (no pyplot state, so threads may draw at once)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    family = _font_family()
    height = chart_height_in(chart)
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    FigureCanvasAgg(figure)
    longest = max((len(label) for label in chart.labels), default=4)
    left = min(0.45, (0.075 * longest * FONT_PT / 9 + 0.25) / WIDTH_IN)
    bottom = 0.55 / height
    figure.subplots_adjust(left=left, right=0.97, top=1 - 0.15 / height, bottom=bottom)
    axes = figure.add_subplot()
    font = {"family": family, "size": FONT_PT}
    positions = list(range(len(chart.labels)))
    axes.barh(positions, chart.values, color="#1f4e79", height=0.7)
    # Labels as plain texts left of the axis: a tick per bar costs twice the drawing time.
    axes.set_yticks([])
    axes.set_ylim(len(positions) - 0.5, -0.5)  # the first (best) at the top
    for y, label in zip(positions, chart.labels, strict=True):
        axes.text(-0.01, y, label, transform=axes.get_yaxis_transform(), ha="right", va="center", fontdict=font)
    top = max(chart.values, default=1) or 1
    for y, value in zip(positions, chart.values, strict=True):
        axes.text(value + top * 0.01, y, vn_number(value, 4), va="center", fontdict={**font, "size": FONT_PT - 1})
    axes.set_xlim(0, top * 1.15)
    if chart.value_label:
        axes.set_xlabel(chart.value_label, fontdict=font)
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.set_major_locator(MaxNLocator(5))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: vn_number(x, 2)))
    axes.tick_params(axis="x", labelsize=FONT_PT)
    for label in axes.get_xticklabels():
        label.set_fontfamily(family)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return out.getvalue()
