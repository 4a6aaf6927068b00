"""The bank side of payments: an interface, and the batch-file implementation a clerk uses with online banking.

The clerk downloads the batch file (CSV, UTF-8 with BOM so that Excel opens it) and uploads it to the bank's
corporate online banking as a salary/bulk transfer; the bank answers with a result file (回盘文件) that the clerk
imports. Every line carries the payment reference (付款流水号), so a line the bank has already processed is
never paid twice on its side either.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from services.config import get_settings
from services.errors import ValidationFailed
from services.security.private_files import write_private

EXPORT_HEADER = ("付款流水号", "收款人姓名", "收款账号", "开户银行", "金额（元）", "用途")
RESULT_HEADER = ("付款流水号", "金额（元）", "处理结果", "说明")


class BankOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the bank has no definitive answer yet


@dataclass(frozen=True, slots=True)
class Instruction:
    reference: str
    payee_name: str
    card_number: str
    bank_name: str
    amount: Decimal
    purpose: str


@dataclass(frozen=True, slots=True)
class BankResult:
    reference: str
    amount: Decimal
    outcome: BankOutcome
    message: str


@dataclass(frozen=True, slots=True)
class Submission:
    filename: str
    content: bytes


class BankGateway(Protocol):
    """What the payment engine needs from a bank."""

    def submit(self, *, batch_reference: str, instructions: Sequence[Instruction]) -> Submission:
        """Hand a batch to the bank; returns the document that went out (a file, or a receipt)."""
        ...

    def query(self, *, reference: str) -> BankResult | None:
        """The bank's answer for one payment reference, or None when the bank knows nothing of it."""
        ...


_SUCCESS_WORDS = {"成功", "已入账", "success", "succeeded", "ok"}
_FAILURE_WORDS = {"失败", "退回", "failed", "failure", "rejected"}


def _outcome(word: str) -> BankOutcome:
    value = word.strip().lower()
    if value in _SUCCESS_WORDS:
        return BankOutcome.SUCCEEDED
    if value in _FAILURE_WORDS:
        return BankOutcome.FAILED
    if value in {"处理中", "未知", "unknown", "pending"}:
        return BankOutcome.UNKNOWN
    raise ValueError(word)


def parse_results(content: bytes) -> list[BankResult]:
    """Read a result file (CSV, UTF-8 or GBK). Every bad line is reported with its line number."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationFailed("回盘文件编码无法识别", field="file")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(c.strip() for c in rows[0][:4]) != RESULT_HEADER:
        raise ValidationFailed("回盘文件表头应为：" + "，".join(RESULT_HEADER), field="file")
    results: list[BankResult] = []
    problems: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            problems.append(f"第{number}行：列数不足")
            continue
        reference, amount_text, word = row[0].strip(), row[1].strip(), row[2].strip()
        message = row[3].strip() if len(row) > 3 else ""
        try:
            amount = Decimal(amount_text)
        except InvalidOperation:
            problems.append(f"第{number}行：金额“{amount_text}”不是数字")
            continue
        try:
            outcome = _outcome(word)
        except ValueError:
            problems.append(f"第{number}行：处理结果“{word}”无法识别（应为 成功/失败/处理中）")
            continue
        results.append(BankResult(reference=reference, amount=amount, outcome=outcome, message=message[:300]))
    if problems:
        raise ValidationFailed("；".join(problems[:20]), field="file")
    return results


def render_batch(instructions: Iterable[Instruction]) -> bytes:
    """The batch file the bank's online banking takes (CSV, UTF-8 with BOM), one line per payment."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    for item in instructions:
        writer.writerow(
            [item.reference, item.payee_name, item.card_number, item.bank_name, f"{item.amount:.2f}", item.purpose]
        )
    return out.getvalue().encode("utf-8-sig")


def render_results(results: Iterable[BankResult]) -> bytes:
    """A result file in the layout :func:`parse_results` reads (what the bank sends back)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_HEADER)
    words = {BankOutcome.SUCCEEDED: "成功", BankOutcome.FAILED: "失败", BankOutcome.UNKNOWN: "处理中"}
    for r in results:
        writer.writerow([r.reference, f"{r.amount:.2f}", words[r.outcome], r.message])
    return out.getvalue().encode("utf-8-sig")


class FileBankGateway:
    """Produces the batch file on demand, in memory, for the clerk to download: a file with full card numbers is
    never left on disk. Result files (references, amounts and outcomes, no card numbers) are kept under
    ``<data_dir>/aid/bank/results`` with mode 0600 and answer later queries."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or get_settings().data_dir / "aid" / "bank"

    def submit(self, *, batch_reference: str, instructions: Sequence[Instruction]) -> Submission:
        return Submission(filename=f"{batch_reference}.csv", content=render_batch(instructions))

    def keep_results(self, *, name: str, content: bytes) -> None:
        write_private(self.root / "results" / name, content)

    def query(self, *, reference: str) -> BankResult | None:
        folder = self.root / "results"
        if not folder.is_dir():
            return None
        answer: BankResult | None = None
        for path in sorted(folder.glob("*.csv")):
            for result in parse_results(path.read_bytes()):
                if result.reference == reference and result.outcome != BankOutcome.UNKNOWN:
                    answer = result
        return answer
