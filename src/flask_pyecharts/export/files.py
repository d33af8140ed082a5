"""Writing an export: whole or not at all.

A failed write (a full disk, a file-size limit) must not leave a truncated
file in place of the previous export: the bytes go to a temporary file in the
output's folder, renamed over the output once complete.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .page import ExportError

__all__ = ["write_file"]


def write_file(output: Path, data: bytes) -> None:
    """Write ``data`` to ``output`` atomically (a device or a pipe, such as
    ``/dev/stdout``, is written in place: it cannot be renamed over; a
    symbolic link's target is replaced, not the link).

    :raises ExportError: saying why the file cannot be written; the previous
        file, if any, is left as it was.
    """
    if output.exists() and not output.is_file():
        try:
            with open(output, "wb") as file:
                file.write(data)
        except OSError as error:
            raise ExportError(_why(output, error)) from None
        return
    target = Path(os.path.realpath(output))
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as error:
        raise ExportError(_why(output, error)) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, _mode(target))
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ExportError(_why(output, error)) from None


def _mode(output: Path) -> int:
    """The previous file's permissions, else what a new file gets (umask)."""
    try:
        return output.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _why(output: Path, error: OSError) -> str:
    if error.errno == errno.ENOENT and not output.parent.is_dir():
        return (
            f"Cannot write {output}: the folder {output.parent} does not exist;"
            " create it or choose another path."
        )
    kept = " (the previous file is left as it was)" if output.is_file() else ""
    reason = error.strerror or type(error).__name__
    return f"Cannot write {output}: {reason}{kept}."
