"""A horizontal bar chart drawn as a PNG for both renderers, so the DOCX and the PDF show the same
picture: Pillow's ImageDraw with the document font (FreeType). Pillow is already there for
reportlab; matplotlib drew the same 34-bar chart in 0,56 s of CPU (1,6 ms of text layout for
each of its 74 texts), which alone took most of the DOCX's one-second budget (README.md,
"Official documents")."""

from __future__ import annotations

import io
import math
import threading

from PIL import Image, ImageDraw, ImageFont

from .fonts import font_files
from .model import LAYOUT, BarChart
from .numbers import vn_number

WIDTH_IN = (LAYOUT.page_width_mm - LAYOUT.margin_left_mm - LAYOUT.margin_right_mm) / 25.4
DPI = 200  # the resolution Annex I asks of scans; sharp in print
FONT_PT = 9
BAR = (31, 78, 121)  # #1f4e79
INK = (0, 0, 0)
GRID = (200, 200, 200)
KEEP = 8  # drawings kept: the DOCX and the PDF of one report share one

_lock = threading.Lock()
_drawn: dict[tuple, bytes] = {}
_fonts: dict[int, ImageFont.FreeTypeFont] = {}


def _px(points: float) -> int:
    return round(points / 72 * DPI)


def _font(points: float) -> ImageFont.FreeTypeFont:
    size = _px(points)
    with _lock:
        if size not in _fonts:
            _fonts[size] = ImageFont.truetype(str(font_files().regular), size)
        return _fonts[size]


def chart_height_in(chart: BarChart) -> float:
    """The drawing's height: room for every bar's label."""
    return max(2.5, 0.2 * len(chart.labels) + 0.9)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top`: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-12:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _decimals(ticks: list[float]) -> int:
    """The fewest decimals that write the ticks' step exactly (0,25 → 2; 2.500 → 0)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    return next((d for d in range(7) if abs(round(step, d) - step) < 1e-9), 6)


def bar_chart_png(chart: BarChart) -> bytes:
    """The chart as a PNG, as wide as the text block, the first bar at the top."""
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
    label_font, value_font = _font(FONT_PT), _font(FONT_PT - 1)
    width, height = round(WIDTH_IN * DPI), round(chart_height_in(chart) * DPI)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    pad = _px(4)
    values = [max(0.0, v) for v in chart.values]
    ticks = nice_ticks(max(values, default=1) * 1.05)
    decimals = _decimals(ticks)
    value_texts = [vn_number(v, 4) for v in chart.values]
    left = pad + max((draw.textlength(label, font=label_font) for label in chart.labels), default=0) + pad
    right = width - pad - max((draw.textlength(t, font=value_font) for t in value_texts), default=0) - pad
    top, bottom = pad, height - _px(FONT_PT * 1.5) - (_px(FONT_PT * 1.5) if chart.value_label else 0) - pad
    span = ticks[-1] or 1

    def x_of(value: float) -> float:
        return left + (right - left) * value / span

    for tick in ticks:  # light vertical lines at the ticks, their values under the axis
        x = x_of(tick)
        draw.line([(x, top), (x, bottom)], fill=GRID, width=1)
        draw.line([(x, bottom), (x, bottom + _px(3))], fill=INK, width=2)
        draw.text((x, bottom + _px(4)), vn_number(tick, decimals), font=label_font, fill=INK, anchor="mt")
    band = (bottom - top) / max(1, len(values))
    for index, (label, value, text) in enumerate(zip(chart.labels, values, value_texts, strict=True)):
        middle = top + band * (index + 0.5)
        draw.rectangle([left, middle - band * 0.35, max(left + 1, x_of(value)), middle + band * 0.35], fill=BAR)
        draw.text((left - pad, middle), label, font=label_font, fill=INK, anchor="rm")
        draw.text((x_of(value) + pad, middle), text, font=value_font, fill=INK, anchor="lm")
    draw.line([(left, top), (left, bottom)], fill=INK, width=2)
    draw.line([(left, bottom), (right, bottom)], fill=INK, width=2)
    if chart.value_label:
        draw.text(((left + right) / 2, height - pad), chart.value_label, font=label_font, fill=INK, anchor="mb")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(DPI, DPI), compress_level=1)
    return out.getvalue()
