"""Setting up the embedded demo: the reference catalogs with the program rule sets, and the printed logins.

Shared by ``sunshine demo``, ``sunshine refdata load`` and the benchmarks that build a demo world.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from services.demo.logins import DEMO_PASSWORD, DEMO_USERS
from services.refdata.service import LoadResult

console = Console()


def load_reference_data(data_dir: Path | None = None) -> list[LoadResult]:
    """Load every reference catalog (refdata) and the initial program rule sets (catalog) in one transaction and
    print what changed (the demo calls this too)."""
    from services.catalog import service as catalog
    from services.db import session_scope
    from services.refdata import service

    started = time.perf_counter()
    with session_scope() as session:
        results = service.load_all(session, data_dir=data_dir)
        rules_added = catalog.seed_rule_sets(session)
        if rules_added or any(r.inserted or r.updated for r in results):
            catalog.bump_version(session)
        rules_total = catalog.count_rule_sets(session)
    elapsed = time.perf_counter() - started
    table = Table(title=f"参考目录已载入（{elapsed:.1f} 秒）")
    for column in ("目录", "条数", "新增", "更新", "未变"):
        table.add_column(column, justify="left" if column == "目录" else "right")
    for r in results:
        table.add_row(r.title, str(r.rows), str(r.inserted), str(r.updated), str(r.unchanged))
    table.add_row("基层服务项目资格规则", str(rules_total), str(rules_added), "0", str(rules_total - rules_added))
    console.print(table)
    return results


def ensure_demo_users() -> list[tuple[str, str, str]]:
    """Create the printed logins (one per role) and link them to records of the world: (username, role, linked)."""
    from services.db import session_scope
    from services.demo import logins

    with session_scope() as session:
        made = logins.ensure_logins(session, password=DEMO_PASSWORD, specs=DEMO_USERS)
        return [(login.username, login.role, login.linked) for login in made]
