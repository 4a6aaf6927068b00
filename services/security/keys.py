"""Key rotation for the protected columns (run by ``sunshine keys rotate``).

After a new Fernet key is put first in SUNSHINE_PII_KEYS (the old ones kept after it), ``sunshine keys rotate``
re-encrypts every protected column (every ``*_enc`` column of every table) under the newest key, in batches of
rows each committed on its own, so a long run can be stopped and started again, and every sealed file under the
data directory (aid attachments, generated reports). When it has finished, the old keys can be removed from
SUNSHINE_PII_KEYS.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Column, Table, select, update

from services import db as dbmod
from services.config import get_settings
from services.security import audit, pii, private_files


@dataclass(frozen=True, slots=True)
class Protected:
    table: Table
    columns: tuple[Column[str], ...]


def protected_columns() -> list[Protected]:
    """Every table holding ciphertext, with its ``*_enc`` columns (the house convention for sealed values), among
    the tables registered on the metadata (the caller imports ``services.models`` first)."""
    out = []
    for table in dbmod.Base.metadata.sorted_tables:
        columns = tuple(c for c in table.columns if c.name.endswith("_enc"))
        if columns:
            out.append(Protected(table, columns))
    return out


def _batches(item: Protected, batch_size: int) -> Iterator[int]:
    """Re-encrypt one table in keyset pages by id; yields the number of values rewritten per page."""
    (key,) = item.table.primary_key.columns
    after = None
    while True:
        with dbmod.get_sessionmaker().begin() as session:
            stmt = select(key, *item.columns).order_by(key).limit(batch_size)
            if after is not None:
                stmt = stmt.where(key > after)
            rows = session.execute(stmt).all()
            if not rows:
                return
            rewritten = 0
            for row in rows:
                values = {c.name: pii.rotate(row[i + 1]) for i, c in enumerate(item.columns) if row[i + 1]}
                if values:
                    session.execute(update(item.table).where(key == row[0]).values(**values))
                    rewritten += len(values)
            after = rows[-1][0]
        yield rewritten


def rotate_all(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every protected value and sealed file under the newest key; returns values rewritten per table
    (and the number of files under ``sealed_files``)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    pii.reset_keys()
    done: dict[str, int] = {}
    for item in protected_columns():
        done[item.table.name] = sum(_batches(item, batch_size))
    files = private_files.rotate_sealed(get_settings().data_dir)
    with dbmod.get_sessionmaker().begin() as session:
        audit.record(
            session,
            action="rotate_keys",
            target_type="database",
            purpose="重新加密全部受保护字段",
            detail={"values": sum(done.values()), "tables": len(done), "files": files},
        )
    return {**done, "sealed_files": files}
