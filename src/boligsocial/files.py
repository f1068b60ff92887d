"""Writing a file so that a reader sees the old content or the new, never half of either.

One way for every layer: write a temporary file beside the target, flush it to disk, optionally
check it, and rename it into place (a rename within a folder is atomic). On any error the target
is untouched and the temporary file is removed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["write_atomically"]


def write_atomically(
    path: Path,
    content: bytes | Callable[[IO[bytes]], None],
    *,
    verify: Callable[[Path], None] | None = None,
    keep_mode: bool = False,
    create_folder: bool = False,
) -> None:
    """Write `content` (bytes, or a function writing to a binary stream) to `path` atomically.

    `verify` is called with the written temporary file (it keeps `path`'s suffix, so readers that
    go by the suffix can read it) and may raise to keep `path` as it was. With `keep_mode` an
    existing file keeps its permission bits. A missing folder is an error (OSError) unless
    `create_folder` says to make it."""
    if create_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if keep_mode and path.exists() else None
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp{path.suffix}")
    try:
        with temporary.open("xb") as stream:
            if isinstance(content, bytes):
                stream.write(content)
            else:
                content(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        if verify is not None:
            verify(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
