"""Protected personal data: encryption at rest, blind indexes, masking, and the audited reveal.

Every domain stores a sensitive value as a :class:`Sealed` triple — ciphertext (MultiFernet, keys rotate),
an HMAC blind index for look-ups and uniqueness, and the masked form for display. Plaintext comes back only
through :func:`reveal`, which writes its audit row first: no audit row, no plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from services.config import get_settings


class PiiKind(StrEnum):
    ID_NUMBER = "id_number"
    BANK_CARD = "bank_card"
    PHONE = "phone"
    TEXT = "text"  # incomes, health notes, addresses: encrypted, masked as ****


@dataclass(frozen=True, slots=True)
class Sealed:
    ciphertext: str
    blind_index: str
    masked: str


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in get_settings().pii_keys.split(",") if k.strip()]
    return MultiFernet([Fernet(k.encode()) for k in keys])


def reset_keys() -> None:
    _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:  # pragma: no cover - only with a lost key
        raise ValueError("密文无法解密：密钥不匹配") from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the newest key (run after adding a key in front of SUNSHINE_PII_KEYS)."""
    return _fernet().rotate(ciphertext.encode("ascii")).decode("ascii")


def _bound(binding: str) -> bytes:
    return f"{binding}\n".encode()


def encrypt_bytes(content: bytes, *, binding: str) -> bytes:
    """Encrypt a file's bytes. ``binding`` names the record the file belongs to and is sealed inside the token,
    so that the bytes of one record's file copied onto another's do not open there."""
    return _fernet().encrypt(_bound(binding) + content)


def decrypt_bytes(sealed: bytes, *, binding: str) -> bytes:
    """The bytes :func:`encrypt_bytes` sealed for ``binding``; ValueError for another record's or a lost key."""
    try:
        plain = _fernet().decrypt(sealed)
    except InvalidToken as exc:
        raise ValueError("文件无法解密：密钥不匹配或文件已损坏") from exc
    prefix = _bound(binding)
    if not plain.startswith(prefix):
        raise ValueError("文件不属于该记录")
    return plain[len(prefix) :]


def rotate_bytes(sealed: bytes) -> bytes:
    """Re-encrypt sealed file bytes under the newest key (the binding inside is kept)."""
    return _fernet().rotate(sealed)


def blind_index(kind: PiiKind | str, value: str) -> str:
    key = get_settings().blind_index_key.encode()
    msg = f"{kind}:{value}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def mask(kind: PiiKind | str, value: str) -> str:
    """ID: first 3 + last 4 (never the birth date); card: first 6 + last 4; phone: 3 + **** + 4."""
    if not value:
        return ""
    if kind == PiiKind.ID_NUMBER:
        return value[:3] + "*" * max(len(value) - 7, 4) + value[-4:]
    if kind == PiiKind.BANK_CARD:
        return value[:6] + "*" * max(len(value) - 10, 4) + value[-4:]
    if kind == PiiKind.PHONE:
        return value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"
    return "****"


def seal(kind: PiiKind | str, value: str) -> Sealed:
    """Encrypt, index and mask one value (already validated and normalised by the caller)."""
    return Sealed(ciphertext=encrypt(value), blind_index=blind_index(kind, value), masked=mask(kind, value))
