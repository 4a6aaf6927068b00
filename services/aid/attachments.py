"""Required attachments per application kind (the notice's list of paper materials) and their file storage.

Files live on the file system under ``<data_dir>/aid/attachments/<application id>/``, encrypted with the PII keys
and bound to their storage path (mode 0600, ``services.security.private_files.write_sealed``); they are opened
only for a download the application's scope allows. Only PDF, JPEG and PNG are taken, recognised by their first
bytes (a renamed .exe is refused whatever its name says).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from services.aid.models import ApplicationKind
from services.config import get_settings
from services.errors import NotFound, PayloadTooLarge, ValidationFailed
from services.security.private_files import SEALED_SUFFIX, SealedFileGone, read_sealed, write_sealed

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

ATTACHMENT_NAMES: dict[str, str] = {
    "application_form": "申请表（附件1或附件2，一式两份）",
    "archive_form": "困难职工或农民工档案表（附件3或附件4）",
    "worker_id_card": "职工身份证图片",
    "family_id_copies": "职工本人及家庭成员身份证复印件或户口簿复印件",
    "income_proof": "近12个月工资卡银行流水或单位盖章工资单",
    "labour_contract": "职工劳动合同复印件或社保缴费证明",
    "tuition_receipt": "因学费用凭证（学费发票）",
    "score_slip": "分数条",
    "admission_notice": "录取通知书复印件（一式两份）",
    "student_card_transcript": "学生证及本年度考试合格成绩单（或荣誉证书、品学兼优证明）",
    "social_security_card": "职工本人社保卡复印件",
    "authorisation": "家庭经济状况核对承诺授权书（附件5）",
    "unit_notice": "职工在本单位的公示情况（附件6）",
}

_COMMON = (
    "application_form",
    "archive_form",
    "worker_id_card",
    "family_id_copies",
    "income_proof",
    "labour_contract",
    "tuition_receipt",
    "social_security_card",
    "authorisation",
    "unit_notice",
)

REQUIRED: dict[str, tuple[str, ...]] = {
    ApplicationKind.NEW_ENROLMENT: (*_COMMON, "score_slip", "admission_notice"),
    ApplicationKind.IN_SCHOOL: (*_COMMON, "student_card_transcript"),
}

_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


@dataclass(frozen=True, slots=True)
class StoredFile:
    storage_path: str  # relative to the data directory
    content_type: str
    size: int
    sha256: str


def sniff(content: bytes) -> tuple[str, str]:
    """(content type, extension) from the file's first bytes; ValidationFailed for anything else."""
    for magic, content_type, ext in _MAGIC:
        if content.startswith(magic):
            return content_type, ext
    raise ValidationFailed("只接受 PDF、JPG 或 PNG 文件（按文件内容识别，不看扩展名）", field="file")


def limit() -> int:
    return min(MAX_ATTACHMENT_BYTES, get_settings().max_upload_bytes)


def store(*, application_id: int, content: bytes) -> StoredFile:
    if not content:
        raise ValidationFailed("上传的文件是空的", field="file")
    if len(content) > limit():
        raise PayloadTooLarge(f"单个附件不得超过 {limit() // (1024 * 1024)} MB", field="file")
    content_type, ext = sniff(content)
    relative = Path("aid") / "attachments" / str(application_id) / f"{uuid.uuid4().hex}{ext}{SEALED_SUFFIX}"
    write_sealed(get_settings().data_dir / relative, content, binding=_binding(relative.as_posix()))
    return StoredFile(
        storage_path=relative.as_posix(),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _binding(storage_path: str) -> str:
    return f"aid_attachment:{storage_path}"


def read(storage_path: str) -> bytes:
    """The plaintext of a stored attachment; the caller has checked the application's scope."""
    root = get_settings().data_dir.resolve()
    path = (root / storage_path).resolve()
    if root not in path.parents:
        raise ValidationFailed("附件路径无效", field="storage_path")
    try:
        return read_sealed(path, binding=_binding(storage_path))
    except SealedFileGone as exc:
        raise NotFound(f"附件文件无法读取（{exc}），请重新上传") from exc
