"""The recommendations tracker: every recommendation with its action-plan rows, normalised
(agencies, due date, status), mapped to standards by the configured tagger, linked to
near-duplicates in other reviews, and counted by standard, agency, board and status.

See :mod:`gwersi.recommendation_fields` for the normalising rules and
:mod:`gwersi.recommendation_links` for the near-duplicate rule and its cache.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select

from gwersi.context import AppContext
from gwersi.recommendation_fields import (
    addressee_part,
    canonical_agencies,
    combine_statuses,
    due_date,
    latest_due,
    normalise_status,
)
from gwersi.recommendation_links import LINK_COSINE, LINK_OVERLAP, Link, derived, near_duplicates
from index.orm import ActionPlanRow, RecommendationRow, Review, TagDecision
from index.store import text_sha1


@dataclass(frozen=True)
class ActionView:
    """An action-plan row under its recommendation."""

    ordinal: int
    recommendation: str | None
    action: str
    lead_agency: str | None
    agencies: list[str]
    timescale: str | None
    due: str | None
    status: str | None
    status_normalised: str


@dataclass(frozen=True)
class RepeatLink:
    """A near-duplicate recommendation in another review."""

    recommendation_id: int
    review_id: int
    reference: str | None
    year: int | None
    number: str
    similarity: float
    overlap: float
    relation: str
    """``before`` (the other review is older), ``after`` or ``same_year``."""
    note: str


@dataclass(frozen=True)
class StandardScore:
    """A standard the tagger suggests for a recommendation."""

    standard: str
    score: float


@dataclass(frozen=True)
class TrackedRecommendation:
    """A recommendation as the tracker shows it."""

    id: int
    review_id: int
    reference: str | None
    review_title: str
    review_type: str | None
    board: str | None
    year: int | None
    number: str
    text: str
    addressee: str | None
    agencies: list[str]
    timescale: str | None
    due: str | None
    status: str
    status_raw: str | None
    status_source: str
    """``panel`` (recorded status), ``action_plan`` (from its rows) or ``none``."""
    standards: list[StandardScore]
    actions: list[ActionView]
    links: list[RepeatLink]
    repeat_note: str | None

    @property
    def repeated(self) -> bool:
        """True when a near-duplicate exists in another review."""
        return bool(self.links)


@dataclass(frozen=True)
class TrackerReport:
    """The tracker: recommendations, counts, and the near-duplicate links between them."""

    recommendations: list[TrackedRecommendation]
    total: int
    repeated: int
    links: int
    unmatched_actions: int
    by_standard: dict[str, int]
    by_agency: dict[str, int]
    by_board: dict[str, int]
    by_status: dict[str, int]
    thresholds: dict[str, float] = field(default_factory=dict)


def _action_key(number: str | None) -> str:
    return re.sub(r"[^0-9a-z]", "", (number or "").lower()).lstrip("r") or "?"


def track(
    ctx: AppContext,
    *,
    repeated_only: bool = False,
    standard: str | None = None,
    agency: str | None = None,
    board: str | None = None,
    status: str | None = None,
) -> TrackerReport:
    """All recommendations, normalised and linked; filters apply to the list, counts to the whole."""
    with ctx.sessions() as session:
        rows = [
            (rec, review)
            for rec, review in session.execute(
                select(RecommendationRow, Review)
                .join(Review, RecommendationRow.review_id == Review.id)
                .order_by(Review.year.nulls_last(), Review.id, RecommendationRow.ordinal)
            ).all()
        ]
        actions = list(
            session.scalars(select(ActionPlanRow).order_by(ActionPlanRow.review_id, ActionPlanRow.ordinal))
        )
        decisions = session.scalar(select(func.count(TagDecision.id))) or 0
    vectors, standards = derived(ctx, [rec.text for rec, _ in rows], decisions)
    by_number: dict[tuple[int, str], list[ActionPlanRow]] = {}
    for a in actions:
        by_number.setdefault((a.review_id, _action_key(a.recommendation)), []).append(a)
    matched: set[int] = set()
    tracked: list[TrackedRecommendation] = []
    for rec, review in rows:
        own = by_number.get((review.id, _action_key(rec.number)), [])
        matched.update(a.id for a in own)
        tracked.append(_tracked(rec, review, own, standards.get(text_sha1(rec.text), [])))
    links = near_duplicates(
        [(t.review_id, t.text) for t in tracked], [vectors[text_sha1(t.text)] for t in tracked]
    )
    tracked = _with_links(tracked, links)
    counts = _counts(tracked)
    shown = [
        t
        for t in tracked
        if (not repeated_only or t.repeated)
        and (standard is None or standard.upper() in {s.standard for s in t.standards})
        and (agency is None or any(agency.lower() in a.lower() for a in t.agencies))
        and (board is None or t.board == board)
        and (status is None or t.status == status)
    ]
    return TrackerReport(
        recommendations=shown,
        total=len(tracked),
        repeated=sum(1 for t in tracked if t.repeated),
        links=len(links),
        unmatched_actions=len(actions) - len(matched),
        thresholds={"cosine": LINK_COSINE, "overlap": LINK_OVERLAP},
        **counts,
    )


def _tracked(
    rec: RecommendationRow, review: Review, own: list[ActionPlanRow], standards: list[tuple[str, float]]
) -> TrackedRecommendation:
    actions = [
        ActionView(
            ordinal=a.ordinal,
            recommendation=a.recommendation,
            action=a.action,
            lead_agency=a.lead_agency,
            agencies=canonical_agencies([a.lead_agency], review.board),
            timescale=a.timescale,
            due=due_date(a.timescale),
            status=a.status,
            status_normalised=normalise_status(a.status),
        )
        for a in own
    ]
    if rec.status:
        status, raw, source = normalise_status(rec.status), rec.status, "panel"
    elif any(a.status for a in own):
        status = combine_statuses(a.status_normalised for a in actions)
        raw, source = "; ".join(dict.fromkeys(a.status for a in own if a.status)), "action_plan"
    else:
        status, raw, source = "unknown", None, "none"
    addressed = [rec.addressee or addressee_part(rec.text)] + [a.lead_agency for a in own]
    timescales = list(dict.fromkeys(a.timescale for a in own if a.timescale))
    return TrackedRecommendation(
        id=rec.id,
        review_id=review.id,
        reference=review.reference,
        review_title=review.title,
        review_type=review.review_type,
        board=review.board,
        year=review.year,
        number=rec.number,
        text=rec.text,
        addressee=rec.addressee,
        agencies=canonical_agencies(addressed, review.board),
        timescale="; ".join(timescales) or None,
        due=latest_due(timescales),
        status=status,
        status_raw=raw,
        status_source=source,
        standards=[StandardScore(sid, score) for sid, score in standards],
        actions=actions,
        links=[],
        repeat_note=None,
    )


def _relation(this: TrackedRecommendation, other: TrackedRecommendation) -> str:
    if this.year is None or other.year is None or this.year == other.year:
        return "same_year"
    return "before" if other.year < this.year else "after"


def _with_links(tracked: list[TrackedRecommendation], links: list[Link]) -> list[TrackedRecommendation]:
    found: dict[int, list[RepeatLink]] = {}
    for a, b, cos, jac in links:
        for this, other in ((tracked[a], tracked[b]), (tracked[b], tracked[a])):
            relation = _relation(this, other)
            where = f"{other.reference or other.review_title}, {other.year or 'year unknown'}"
            verb = {"before": "recommended before in", "after": "recommended again in"}.get(
                relation, "also recommended in"
            )
            found.setdefault(this.id, []).append(
                RepeatLink(other.id, other.review_id, other.reference, other.year, other.number, cos, jac,
                           relation, f"{verb} {where}")
            )
    out = []
    for t in tracked:
        own = sorted(found.get(t.id, []), key=lambda r: (r.relation != "before", r.year or 0, -r.similarity))
        earlier = [r for r in own if r.relation == "before"]
        note = None
        if earlier:
            places = dict.fromkeys(r.note.removeprefix("recommended before in ") for r in earlier)
            note = "recommended before in " + "; ".join(list(places)[:3])
        elif own:
            note = own[0].note
        out.append(replace(t, links=own, repeat_note=note))
    return out


def _counts(tracked: list[TrackedRecommendation]) -> dict[str, dict[str, int]]:
    by_standard: Counter[str] = Counter(s.standard for t in tracked for s in t.standards)
    by_agency: Counter[str] = Counter(a for t in tracked for a in t.agencies)
    by_board: Counter[str] = Counter(t.board or "unknown" for t in tracked)
    by_status: Counter[str] = Counter(t.status for t in tracked)

    def ordered(c: Counter[str]) -> dict[str, int]:
        return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))

    return {
        "by_standard": dict(sorted(by_standard.items())),
        "by_agency": ordered(by_agency),
        "by_board": ordered(by_board),
        "by_status": ordered(by_status),
    }
