"""Paper sizes of PDF exports: ``A4`` landscape by default, or as chosen
(``--page-size A3``, ``letter portrait``, ``portrait``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DEFAULT_PAGE_SIZE", "PAGE_SIZES", "PageSize", "parse_page_size"]

#: Width and height in millimetres, portrait.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A3": (297.0, 420.0),
    "A4": (210.0, 297.0),
    "A5": (148.0, 210.0),
    "Letter": (215.9, 279.4),
    "Legal": (215.9, 355.6),
    "Tabloid": (279.4, 431.8),
}
#: The margin on each side of a page, in millimetres.
MARGIN_MM = 10.0
_CSS_PX_PER_MM = 96 / 25.4
_ORIENTATIONS = ("landscape", "portrait")


@dataclass(frozen=True)
class PageSize:
    """A sheet of paper, oriented."""

    name: str
    landscape: bool = True

    @property
    def millimetres(self) -> tuple[float, float]:
        """Width and height, as oriented."""
        short, long = PAGE_SIZES[self.name]
        return (long, short) if self.landscape else (short, long)

    @property
    def content_pixels(self) -> tuple[int, int]:
        """The printable area inside the margins, in CSS pixels (96 per inch):
        the page is laid out at this width, so charts size to the paper."""
        width, height = self.millimetres
        return (
            int((width - 2 * MARGIN_MM) * _CSS_PX_PER_MM),
            int((height - 2 * MARGIN_MM) * _CSS_PX_PER_MM),
        )

    def __str__(self) -> str:
        return f"{self.name} {'landscape' if self.landscape else 'portrait'}"


DEFAULT_PAGE_SIZE = PageSize("A4", landscape=True)


def parse_page_size(text: str) -> PageSize:
    """``"A4"``, ``"a3-portrait"``, ``"Letter landscape"``, ``"portrait"``
    (A4): a size, an orientation or both (landscape unless said).

    :raises ValueError: naming the sizes and orientations there are.
    """
    words = [word for word in re.split(r"[\s,:/_-]+", text.strip()) if word]
    sizes = {name.lower(): name for name in PAGE_SIZES}
    name, landscape = DEFAULT_PAGE_SIZE.name, DEFAULT_PAGE_SIZE.landscape
    seen_size = seen_orientation = False
    for word in words:
        lower = word.lower()
        if lower in sizes and not seen_size:
            name, seen_size = sizes[lower], True
        elif lower in _ORIENTATIONS and not seen_orientation:
            landscape, seen_orientation = lower == "landscape", True
        else:
            words = []
            break
    if not words:
        raise ValueError(
            f"{text!r} is not a page size: give one of {', '.join(PAGE_SIZES)},"
            " optionally with 'portrait' or 'landscape' (such as 'A4 portrait';"
            " default A4 landscape)."
        )
    return PageSize(name, landscape)
