"""An uploaded sheet at rest: encrypted with the PII keys (MultiFernet, so keys rotate) and bound to its job.

The ciphertext names the job it belongs to inside the encrypted part, so the bytes of one job's upload copied
onto another job do not open there. A job's upload is deleted when the job ends (a dry run's when it is run for
real, or after ``import_upload_retention_hours``; a failed job's after the same retention, so that the clerk can
download its error workbook meanwhile).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from services.config import get_settings


class UploadGone(ValueError):
    """The upload cannot be read: deleted, or sealed for another job or under a key no longer configured."""


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def _binding(job_id: int) -> bytes:
    return f"registry_import_job:{job_id}\n".encode()


def seal(job_id: int, content: bytes) -> bytes:
    return _fernet(get_settings().pii_keys).encrypt(_binding(job_id) + content)


def open_sealed(job_id: int, sealed: bytes | None) -> bytes:
    if sealed is None:
        raise UploadGone("上传的文件已删除")
    try:
        plain = _fernet(get_settings().pii_keys).decrypt(sealed)
    except InvalidToken as exc:
        raise UploadGone("上传的文件无法解密") from exc
    binding = _binding(job_id)
    if not plain.startswith(binding):
        raise UploadGone("上传的文件不属于该导入任务")
    return plain[len(binding) :]
