"""Read the pixels of PNG files (8-bit, not interlaced, as Chromium writes them)
and of PDF pages (through poppler's pdftoppm), to tell a drawn page from a
blank one."""

from __future__ import annotations

import collections
import re
import struct
import subprocess
import typing as t
import zlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    #: Rows of RGB pixels, 3 bytes each.
    rows: list[bytes]

    def colors(self) -> collections.Counter[tuple[int, int, int]]:
        """How many pixels of each colour."""
        found: collections.Counter[bytes] = collections.Counter()
        for row in self.rows:
            found.update(row[x : x + 3] for x in range(0, len(row), 3))
        return collections.Counter(
            {(c[0], c[1], c[2]): count for c, count in found.items()}
        )

    def ink(self, tolerance: int = 6) -> float:
        """The share of pixels that are neither white nor the dashboard's
        background: what was drawn."""
        blank = ((255, 255, 255), (245, 246, 248))
        drawn = sum(
            count
            for color, count in self.colors().items()
            if not any(_near(color, other, tolerance) for other in blank)
        )
        return drawn / (self.width * self.height)

    def count(self, color: tuple[int, int, int], tolerance: int = 24) -> int:
        """Pixels close to ``color`` (each channel within ``tolerance``)."""
        return sum(
            count
            for pixel, count in self.colors().items()
            if _near(pixel, color, tolerance)
        )

    def differing(self, other: Image, tolerance: int = 8) -> float:
        """The share of pixels that differ from ``other``'s (same size)."""
        assert (self.width, self.height) == (other.width, other.height)
        different = 0
        for mine, theirs in zip(self.rows, other.rows, strict=True):
            if mine != theirs:  # most rows are equal: compare those pixel by pixel
                different += sum(
                    1
                    for x in range(0, len(mine), 3)
                    if not _near(mine[x : x + 3], theirs[x : x + 3], tolerance)
                )
        return different / (self.width * self.height)


def read_png(path: Path) -> Image:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    position, chunks = 8, collections.defaultdict(list)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunks[kind].append(data[position + 8 : position + 8 + length])
        position += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(
        ">IIBBBBB", chunks[b"IHDR"][0]
    )
    assert depth == 8 and interlace == 0 and color in (2, 6), (depth, color)
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, channels)
        if channels == 4:
            rgb = bytearray(width * 3)
            for channel in range(3):
                rgb[channel::3] = line[channel::4]
            rows.append(bytes(rgb))
        else:
            rows.append(bytes(line))
        previous = line
    return Image(width, height, rows)


def _unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> None:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = previous[i]
        corner = previous[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            guess = left + up - corner
            pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
            best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            line[i] = (line[i] + best) & 0xFF


def read_pdf_page(path: Path, resolution: int = 48) -> Image:
    """The first page of a PDF drawn by pdftoppm (poppler-utils)."""
    ppm = subprocess.run(
        ["pdftoppm", "-r", str(resolution), "-f", "1", "-l", "1", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
    assert header, ppm[:20]
    width, height = int(header.group(1)), int(header.group(2))
    pixels = ppm[header.end() :]
    stride = width * 3
    rows = [bytes(pixels[y * stride : (y + 1) * stride]) for y in range(height)]
    return Image(width, height, rows)


def pdf_pages(path: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return int(
        next(line for line in info.splitlines() if line.startswith("Pages:"))[6:]
    )


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _near(a: t.Sequence[int], b: t.Sequence[int], tolerance: int) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))
