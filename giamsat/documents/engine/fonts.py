"""The document font: Liberation Serif (Debian's fonts-liberation2), metric-compatible with
Times New Roman, so a DOCX opened where Times New Roman is installed paginates as its PDF does.
No silent fallback: a missing font is an error that says how to install it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

FAMILY = "Times New Roman"  # what the DOCX asks for (Annex I); Liberation Serif stands in for it
PDF_FAMILY = "LiberationSerif"
# Debian's fonts-liberation2 first; fonts-liberation (1.07) has the same metrics. DOCUMENT_FONT_DIR
# points elsewhere (a machine without the Debian package).
SEARCH = (
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/liberation",
)
STYLES = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bolditalic": "LiberationSerif-BoldItalic.ttf",
}


class FontMissing(RuntimeError):
    """The document font is not installed."""


@dataclass(frozen=True)
class FontFiles:
    regular: Path
    bold: Path
    italic: Path
    bolditalic: Path


def font_files() -> FontFiles:
    """The four Liberation Serif files; FontMissing with the way to install them if absent."""
    directories = [os.environ["DOCUMENT_FONT_DIR"]] if os.environ.get("DOCUMENT_FONT_DIR") else list(SEARCH)
    for directory in directories:
        paths = {style: Path(directory) / name for style, name in STYLES.items()}
        if all(p.is_file() for p in paths.values()):
            return FontFiles(**paths)
    raise FontMissing(
        "The document font Liberation Serif (metric-compatible with Times New Roman) is not installed: "
        "run `apt-get install fonts-liberation2` (Debian), or set DOCUMENT_FONT_DIR to a folder holding "
        + ", ".join(STYLES.values())
        + f". Looked in: {', '.join(directories)}."
    )
