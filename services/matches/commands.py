"""``sunshine matches``: learn the ranking weights from outcomes, rematch the stored top-k, show the weights."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from matching.features import FEATURES

app = typer.Typer(help="岗位匹配：从推荐结局学习权重、重算匹配结果", no_args_is_help=True)
console = Console()


@app.command("learn")
def learn(
    holdout: Annotated[float, typer.Option(help="留出评估的毕业生比例")] = 0.25,
    min_gain: Annotated[float, typer.Option(help="学到的权重须比现行权重至少高出的 NDCG@10")] = 0.005,
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出")] = False,
) -> None:
    """Fit the weights on recommended pairs and their outcomes, evaluate on held-out graduates (NDCG@10) and
    store the decision; the index of every process picks up adopted weights on its next use."""
    from services.db import session_scope
    from services.matches import learning

    if not 0 < holdout < 1:
        console.print("[red]--holdout 应在 0 和 1 之间[/red]")
        raise typer.Exit(2)
    with session_scope() as session:
        result = learning.learn_weights(session, holdout_fraction=holdout, min_gain=min_gain)
    out = {
        "weights_id": result.weights_id,
        "adopted": result.adopted,
        "reason": result.reason,
        "figures": result.figures,
    }
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    console.print(
        f"推荐样本 {result.figures['pairs']} 条（训练 {result.figures['train_pairs']}，"
        f"留出 {result.figures['holdout_pairs']}）"
    )
    if "current" in result.figures:
        table = Table(title="留出集评估")
        table.add_column("权重")
        for metric in result.figures["current"]:
            table.add_column(metric)
        table.add_row("现行", *(f"{v:.4f}" for v in result.figures["current"].values()))
        table.add_row("学习所得", *(f"{v:.4f}" for v in result.figures["learned"].values()))
        console.print(table)
    console.print(("[green]已采用新权重[/green]：" if result.adopted else "保持现行权重：") + result.reason)


@app.command("weights")
def weights(limit: Annotated[int, typer.Option(help="显示最近几次决定")] = 10) -> None:
    """Show the active weights and the latest decisions with their figures."""
    from services.db import session_scope
    from services.matches import learning

    with session_scope() as session:
        rows = learning.weights_history(session, limit=limit)
        if not rows:
            console.print("尚无权重决定记录，使用默认权重")
            return
        for row in rows:
            state = "（启用中）" if row.active else ""
            values = " ".join(f"{name}={row.weights.get(name, 0.0):.3f}" for name in FEATURES)
            typer.echo(f"#{row.id} {row.decided_at:%Y-%m-%d %H:%M} {row.decision}{state}\n  {values}\n  {row.note}")


@app.command("rematch")
def rematch(
    chunk_size: Annotated[int, typer.Option(help="每个任务的毕业生人数")] = 200,
    stale_only: Annotated[bool, typer.Option(help="只重算岗位库或权重变化后已过期的毕业生")] = False,
) -> None:
    """Queue the rematch of the stored top-k (all graduates, or only stale ones) in chunks."""
    from services.db import session_scope
    from services.matches import stored
    from services.queue import send_now

    with session_scope() as session:
        ids = stored.stale_graduate_ids(session) if stale_only else None
        chunks = stored.graduate_id_chunks(session, size=chunk_size, ids=ids)
    for chunk in chunks:
        send_now("sunshine.matches.rematch_chunk", chunk, not stale_only)
    console.print(f"已提交 {len(chunks)} 个任务，共 {sum(len(c) for c in chunks)} 名毕业生")


@app.command("backfill-occupations")
def backfill_occupations(
    batch: Annotated[int, typer.Option(help="每批处理的岗位数")] = 500,
) -> None:
    """Suggest CSCO occupations (from title and description) for every position that has none yet."""
    from services.catalog.api import bump_version
    from services.db import session_scope
    from services.matches import occupations

    with session_scope() as session:
        done = occupations.backfill(session, batch=batch)
        if done:
            bump_version(session)
    console.print(f"已为 {done} 个岗位推断职业分类（待发布方确认）")
