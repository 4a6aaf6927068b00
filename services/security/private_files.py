"""Files the service writes: readable and writable by the service's own account only.

A file is created with mode 0600 (never wider, whatever the umask) and its folders with 0700, then replaced
atomically, so another account on the machine never gets to read what the service keeps on disk. A file holding
personal data (aid attachments, generated reports) is also encrypted with the PII keys (:func:`write_sealed`,
names ending in ``.sealed``), bound to the record it belongs to, and opened only by :func:`read_sealed` on an
authorised download; :func:`rotate_sealed` re-encrypts them when the keys rotate.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

from cryptography.fernet import InvalidToken

from services.security import pii

FILE_MODE = 0o600
DIR_MODE = 0o700
SEALED_SUFFIX = ".sealed"
log = logging.getLogger(__name__)


class SealedFileGone(ValueError):
    """A sealed file that cannot be read: deleted, another record's, or under a key no longer configured."""


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


def write_sealed(path: Path, content: bytes, *, binding: str) -> Path:
    """Write ``content`` encrypted for the record ``binding`` (mode 0600); ``path`` ends in ``.sealed``."""
    if path.suffix != SEALED_SUFFIX:
        raise ValueError(f"a sealed file's name ends in {SEALED_SUFFIX}: {path.name}")
    return write_private(path, pii.encrypt_bytes(content, binding=binding))


def read_sealed(path: Path, *, binding: str) -> bytes:
    """The plaintext of a file written by :func:`write_sealed` for ``binding``."""
    try:
        sealed = path.read_bytes()
    except FileNotFoundError as exc:
        raise SealedFileGone("文件已被清理") from exc
    try:
        return pii.decrypt_bytes(sealed, binding=binding)
    except ValueError as exc:
        raise SealedFileGone(str(exc)) from exc


def rotate_sealed(root: Path) -> int:
    """Re-encrypt every sealed file under ``root`` with the newest PII key; returns how many were rewritten. A file
    that no configured key opens is left as it is and logged (it was unreadable before the rotation too)."""
    if not root.is_dir():
        return 0
    done = 0
    for path in sorted(root.rglob(f"*{SEALED_SUFFIX}")):
        try:
            rotated = pii.rotate_bytes(path.read_bytes())
        except InvalidToken:
            log.warning("sealed file %s opens with no configured key; left as it is", path)
            continue
        write_private(path, rotated)
        done += 1
    return done
