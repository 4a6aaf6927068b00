"""Files the service writes: readable and writable by the service's own account only.

A file is created with mode 0600 (never wider, whatever the umask) and its folders with 0700, then replaced
atomically, so another account on the machine never gets to read what the service keeps on disk.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def make_private_dir(folder: Path) -> Path:
    """Create ``folder`` (and missing parents) with mode 0700; an existing folder keeps its mode."""
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return folder


def write_private(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` with mode 0600, through a temporary file renamed into place."""
    make_private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
