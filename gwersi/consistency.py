"""`gwersi check`: is the catalogue whole and does the index describe it? Repair what can be.

Checks: the schema is at the newest migration; every passage's offsets slice its review's text to
the passage text; every passage has an embedding from the current model; the live index matches
the catalogue (manifest and ids); no stray temporary files. Repair embeds what is missing and
rebuilds the index from stored embeddings; it never deletes a review, tag or decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from gwersi.context import AppContext
from gwersi.indexing import check_index
from index.db import current_revision
from index.orm import Passage, Review


@dataclass
class CheckReport:
    """Problems found (and what repair did)."""

    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong (after repair, if repair ran)."""
        return not self.problems


def _offset_problems(ctx: AppContext) -> list[str]:
    problems = []
    with ctx.sessions() as session:
        for review in session.scalars(select(Review)):
            rows = session.execute(
                select(Passage.id, Passage.text, Passage.char_start, Passage.char_end).where(
                    Passage.review_id == review.id
                )
            ).all()
            bad = [pid for pid, t, s, e in rows if review.text[s:e] != t]
            if bad:
                problems.append(f"review {review.id}: {len(bad)} passages whose offsets do not match the text")
    return problems


def _stray_files(ctx: AppContext) -> list[Path]:
    root = ctx.settings.index_dir
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.name.endswith(".tmp") or p.name.endswith(".old")]


def run_check(ctx: AppContext, *, repair: bool = False) -> CheckReport:
    """Check everything; with ``repair`` fix what can be fixed from the catalogue, then re-check."""
    report = CheckReport()
    from index.db import migrate

    head = current_revision(ctx.engine)
    if head is None:
        report.problems.append("the catalogue schema was never created")
    if repair:
        migrate(ctx.engine)
    report.problems += _offset_problems(ctx)
    strays = _stray_files(ctx)
    if strays:
        report.problems.append(f"{len(strays)} temporary files left by an interrupted write")
    status = check_index(ctx)
    if not status.ok:
        report.problems.append(status.message)
    if repair and report.problems:
        import shutil

        from gwersi.embedding import embed_pending
        from gwersi.indexing import build_index
        from gwersi.tagging import tag_passages

        for stray in strays:
            if stray.is_dir():
                shutil.rmtree(stray, ignore_errors=True)
            else:
                stray.unlink(missing_ok=True)
        embedded = embed_pending(ctx)
        tagged = tag_passages(ctx)
        engine = build_index(ctx)
        report.repaired.append(
            f"embedded {embedded}, tagged {tagged}, rebuilt the index ({len(engine)} passages) from the catalogue"
        )
        again = run_check(ctx, repair=False)
        report.problems = again.problems
    return report


def catalogue_counts(ctx: AppContext) -> dict[str, int]:
    """Row counts of the main tables (for reports and tests)."""
    from index.orm import RecommendationRow, Tag, TagDecision

    with ctx.sessions() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("reviews", Review),
                ("passages", Passage),
                ("tags", Tag),
                ("decisions", TagDecision),
                ("recommendations", RecommendationRow),
            )
        }
