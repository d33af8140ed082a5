"""Export a dashboard as one self-contained HTML file that opens offline, or
as the PNG or PDF that Chromium draws of that file.

- :func:`export_dashboard` exports from an app object (:mod:`.app`);
- :func:`export_url` exports what a running server shows, through its JSON
  API (:mod:`.server`);
- :func:`write_image` draws an exported page as PNG or PDF (:mod:`.images`);
- the page itself: :mod:`.page`.
"""

from __future__ import annotations

from .app import export_dashboard as export_dashboard
from .images import FORMATS as FORMATS
from .images import find_chromium as find_chromium
from .images import write_image as write_image
from .page import Export as Export
from .page import ExportError as ExportError
from .server import export_url as export_url

__all__ = [
    "FORMATS",
    "Export",
    "ExportError",
    "export_dashboard",
    "export_url",
    "find_chromium",
    "write_image",
]
