"""CLI commands for standards: tag, tag-text, retrain, eval tagging, bench tagging."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from gwersi.cli import app, context, echo_json, fail
from gwersi.cli_ops import bench_app

eval_app = typer.Typer(help="Quality measurements anyone can rerun.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _suggestion_json(s: object) -> dict[str, object]:
    d = asdict(s)  # type: ignore[call-overload]
    return {
        "standard": d["standard"],
        "score": round(d["score"], 4),
        "polarity": d["polarity"],
        "evidence": d["evidence"],
        "evidence_start": d["evidence_start"],
        "evidence_end": d["evidence_end"],
        "tagger": d["tagger"],
        "below_line": not d.get("accepted", True),
    }


@app.command()
def tag(
    review_id: Annotated[
        int | None, typer.Argument(help="Tag one review (default: untagged passages).")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Re-tag every passage of every review.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Store suggested standards for passages (decided tags are never touched)."""
    from gwersi.indexing import build_index
    from gwersi.tagging import tag_passages
    from index.store import get_review

    ctx = context()
    try:
        if review_id is not None:
            with ctx.sessions() as session:
                get_review(session=session, review_id=review_id)
        count = tag_passages(
            ctx, review_ids=None if review_id is None else [review_id], force=all_ or review_id is not None
        )
        build_index(ctx)
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json({"tagged_passages": count, "tagger": ctx.settings.tagger})
    else:
        typer.echo(f"tagged {count} passages with the {ctx.settings.tagger} tagger")


@app.command("tag-text")
def tag_text_cmd(
    text: Annotated[str | None, typer.Argument(help="Text to tag, or - to read standard input.")] = None,
    jsonl: Annotated[
        Path | None, typer.Option("--jsonl", help='File of {"id","text"} lines; one result line each.')
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Tag arbitrary text without storing anything."""
    from gwersi.tagging import tag_text

    ctx = context()
    try:
        if jsonl is not None:
            rows = [
                json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
            bad = [
                i + 1
                for i, r in enumerate(rows)
                if not isinstance(r, dict) or not isinstance(r.get("text"), str)
            ]
            if bad:
                fail(ValueError(f'{jsonl}: lines {bad[:5]} have no "text" string'), as_json=True)
            results = tag_text(ctx, [r["text"] for r in rows])
            for row, suggestions in zip(rows, results, strict=True):
                typer.echo(
                    json.dumps(
                        {"id": row.get("id"), "suggestions": [_suggestion_json(s) for s in suggestions]},
                        ensure_ascii=False,
                    )
                )
            return
        if text is None or text == "-":
            text = sys.stdin.read()
        if not text.strip():
            fail(ValueError("no text given"), as_json=as_json)
        suggestions = tag_text(ctx, [text])[0]
    except json.JSONDecodeError as exc:
        fail(ValueError(f"{jsonl}: not JSON lines ({exc.msg} at line {exc.lineno})"), as_json=as_json)
    out = [_suggestion_json(s) for s in suggestions]
    if as_json:
        echo_json(out)
    else:
        for s in out:
            line = "   (below the line)" if s["below_line"] else ""
            typer.echo(f"{s['standard']}  {s['score']:.2f}  {s['polarity']:<14} {s['evidence']}{line}")
        if not any(not s["below_line"] for s in out):
            typer.echo("no standard suggested (the tagger abstained)")


@app.command()
def retrain(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Refit the model taggers with the panel's decisions, re-tag, and show the effect on the dev set."""
    from gwersi.indexing import build_index
    from gwersi.tagging import dev_set_path
    from gwersi.tagging import retrain as run_retrain

    ctx = context()
    report = run_retrain(ctx, dev_path=dev_set_path())
    build_index(ctx)
    if as_json:
        echo_json(asdict(report))
        return
    typer.echo(
        f"trained on {report.training_examples} examples ({report.panel_examples} of the board's own: "
        "panel decisions and imported passages)"
    )
    if report.before_micro_f1 is not None and report.after_micro_f1 is not None:
        typer.echo(f"dev-set micro-F1: {report.before_micro_f1:.3f} -> {report.after_micro_f1:.3f}")
    typer.echo(f"re-tagged {report.retagged} passages")


@eval_app.command("tagging")
def eval_tagging(
    dev: Annotated[Path | None, typer.Option(help="Labelled dev set (JSONL).")] = None,
    second: Annotated[Path | None, typer.Option(help="Second labeller's file for Cohen's kappa.")] = None,
    heldout: Annotated[
        Path | None, typer.Option(help="Independent held-out corpus (with dev/ and test/ sources).")
    ] = None,
    leave_one_out: Annotated[
        bool, typer.Option("--loto/--no-loto", help="Leave-one-review-type-out column (about 6 refits).")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """P/R/F1 per standard, micro/macro, for every tagger and the keyword baseline: in-distribution
    (dev set) and out of distribution (leave one review type out; the independent held-out corpus)."""
    from gwersi.tagging import dev_set_path, heldout_path, training_for_eval
    from taxonomy.ood import format_ood_report, run_ood_eval

    ctx = context()
    dev = dev or dev_set_path()
    heldout = heldout or heldout_path()
    second = second or dev.with_name("tagging_dev_second_labeller.jsonl")
    panel = training_for_eval(ctx)
    progress = None if as_json else (lambda message: typer.echo(f"... {message}", err=True))
    report = run_ood_eval(dev, ctx.settings.training_dir, heldout if heldout.is_dir() else None, ctx.encoder,
                          panel=panel, leave_one_out=leave_one_out, progress=progress)
    kappa = _kappa(dev, second) if second.exists() else None
    if as_json:
        echo_json({"report": asdict(report), "kappa": kappa})
        return
    typer.echo(format_ood_report(report))
    if kappa is not None and kappa["overall"] is not None:
        typer.echo(
            f"\nHuman agreement on {kappa['passages']} double-labelled dev passages: Cohen's kappa "
            f"{kappa['overall']:.3f} (pooled over standards); per standard: "
            + ", ".join(f"{k} {v:.2f}" for k, v in kappa["per_standard"].items() if v is not None)
        )


def _kappa(dev: Path, second: Path) -> dict[str, Any]:
    from taxonomy.evaluation import cohen_kappa

    first = {r["id"]: r for r in map(json.loads, dev.read_text(encoding="utf-8").splitlines()) if r}
    rows = [json.loads(line) for line in second.read_text(encoding="utf-8").splitlines() if line.strip()]
    a = [first[r["id"]]["standards"] for r in rows if r["id"] in first]
    b = [r["standards"] for r in rows if r["id"] in first]
    report = cohen_kappa(a, b)
    return {"passages": len(a), "overall": report.overall, "per_standard": report.per_standard}


@bench_app.command("tagging")
def bench_tagging(n: Annotated[int, typer.Option(help="Passages to tag.")] = 2000) -> None:
    """Tagging throughput per tagger with precomputed embeddings (passages/s)."""
    from taxonomy.bench import bench_tagging as run

    run(n)


from gwersi import cli_learn  # noqa: E402,F401  (registers `gwersi learn` and `gwersi eval learning-curve`)
