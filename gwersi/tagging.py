"""Tagging service: build the configured tagger once, suggest standards for passages, record
panel decisions, and retrain from them.

Fitted tagger parts (embedding prototypes/thresholds, supervised models) are saved under
``DATA_DIR/models/<fingerprint>/`` where the fingerprint covers the training data, the taxonomy
version and the encoder, so a process start loads them instead of refitting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sqlalchemy import or_, select

from gwersi import audit
from gwersi.context import AppContext
from index.db import transaction
from index.orm import Passage, Section, Tag
from index.store import decode_embedding
from index.tags_store import add_panel_tag, decide_tag, labelled_examples, replace_suggestions
from taxonomy.models import Suggestion, TagInput
from taxonomy.standards import TAXONOMY_VERSION, Taxonomy, load_taxonomy
from taxonomy.training import LabelledExample, training_examples

MODEL_TAGGERS = ("embedding", "supervised", "ensemble")
TAG_BATCH = 256


def taxonomy() -> Taxonomy:
    """The packaged taxonomy (cached by the taxonomy package)."""
    return load_taxonomy()


def panel_examples(ctx: AppContext) -> list[LabelledExample]:
    """Panel decisions as training examples (confirmed standards positive, rejected negative)."""
    with ctx.sessions() as session:
        rows = labelled_examples(session=session)
    return [
        LabelledExample(
            text=r.text,
            standards=r.positives,
            source="panel",
            rejected=r.negatives,
            id=f"passage:{r.passage_id}",
        )
        for r in rows
    ]


def _fingerprint(name: str, examples: Sequence[LabelledExample], model_id: str) -> str:
    digest = hashlib.sha256(f"{name}|{TAXONOMY_VERSION}|{model_id}".encode())
    for ex in examples:
        digest.update(json.dumps([ex.text, sorted(ex.standards), sorted(ex.rejected)]).encode())
    return digest.hexdigest()[:16]


def _training(ctx: AppContext) -> list[LabelledExample]:
    folder = ctx.settings.training_dir
    return training_examples(folder if folder.is_dir() else None, taxonomy(), panel_examples(ctx))


def build_tagger(ctx: AppContext, name: str | None = None, *, refit: bool = False) -> Any:
    """The tagger named in settings (or ``name``), loaded from saved parts when they match."""
    from taxonomy.registry import make_tagger

    name = name or ctx.settings.tagger
    cache = ctx.tagger_cache()
    if name in cache and not refit:
        return cache[name]
    if name not in MODEL_TAGGERS:
        tagger = make_tagger(name, taxonomy=taxonomy())
        cache[name] = tagger
        return tagger
    encoder = ctx.encoder
    training = _training(ctx)
    folder = ctx.settings.data_dir / "models" / _fingerprint(name, training, encoder.model_id)
    parts = {"embedding": folder / "embedding.npz", "supervised": folder / "supervised.joblib"}
    needed = ("embedding", "supervised") if name == "ensemble" else (name,)
    deps: dict[str, Any] = {"taxonomy": taxonomy(), "encoder": encoder}
    if not refit and all(parts[p].exists() for p in needed):
        members = {p: make_tagger(p, **deps, model_path=str(parts[p])) for p in needed}
    else:
        vectors = encoder.encode([ex.text for ex in training], batch_size=ctx.settings.embed_batch_size)
        deps.update(training=training, training_vectors=vectors)
        members = {p: make_tagger(p, **deps) for p in needed}
        folder.mkdir(parents=True, exist_ok=True)
        for p in needed:
            members[p].save(parts[p])  # type: ignore[attr-defined]
    if name == "ensemble":
        members = {"rule": make_tagger("rule", taxonomy=deps["taxonomy"]), **members}
        tagger = make_tagger("ensemble", taxonomy=deps["taxonomy"], members=members)
    else:
        tagger = members[name]
    cache[name] = tagger
    return tagger


def _source(tagger_name: str) -> Literal["rule", "model"]:
    return "model" if tagger_name in MODEL_TAGGERS else "rule"


def tagged_marker(tagger_name: str) -> str:
    """What a passage's ``tagged_with`` records: tagger and taxonomy version."""
    return f"{tagger_name}@{TAXONOMY_VERSION}"


def tag_passages(
    ctx: AppContext,
    *,
    review_ids: Sequence[int] | None = None,
    force: bool = False,
    on_batch: Callable[[int, int], None] | None = None,
) -> int:
    """Store suggestions for passages not yet tagged by the current tagger (all with ``force``)."""
    name = ctx.settings.tagger
    marker = tagged_marker(name)
    with ctx.sessions() as session:
        stmt = select(Passage.id).order_by(Passage.id)
        if review_ids is not None:
            stmt = stmt.where(Passage.review_id.in_(list(review_ids)))
        if not force:
            stmt = stmt.where(or_(Passage.tagged_with.is_(None), Passage.tagged_with != marker))
        ids = list(session.scalars(stmt))
    if not ids:
        return 0
    tagger = build_tagger(ctx)
    dimension = ctx.encoder.dimension if name in MODEL_TAGGERS else 0
    done = 0
    for start in range(0, len(ids), TAG_BATCH):
        chunk = ids[start : start + TAG_BATCH]
        with transaction(ctx.sessions) as session:
            rows = session.execute(
                select(Passage, Section.kind)
                .join(Section, Passage.section_id == Section.id)
                .where(Passage.id.in_(chunk))
                .order_by(Passage.id)
            ).all()
            inputs = [
                TagInput(
                    id=str(p.id),
                    text=p.text,
                    section_kind=kind,
                    embedding=decode_embedding(p.embedding, dimension) if dimension else None,
                )
                for p, kind in rows
            ]
            missing = [i for i, item in enumerate(inputs) if dimension and item.embedding is None]
            if missing:
                vectors = ctx.encoder.encode([inputs[i].text for i in missing])
                for j, i in enumerate(missing):
                    item = inputs[i]
                    inputs[i] = TagInput(item.id, item.text, vectors[j], item.section_kind)
            for (passage, _kind), suggestions in zip(rows, tagger.tag(inputs), strict=True):
                replace_suggestions(
                    session=session,
                    passage_id=passage.id,
                    suggestions=suggestions,
                    source=_source(name),
                    taxonomy_version=TAXONOMY_VERSION,
                )
                passage.tagged_with = marker
        done += len(chunk)
        if on_batch is not None:
            on_batch(done, len(ids))
    return len(ids)


def tag_text(ctx: AppContext, texts: Sequence[str]) -> list[list[Suggestion]]:
    """Suggestions for arbitrary texts, nothing stored."""
    name = ctx.settings.tagger
    tagger = build_tagger(ctx)
    vectors: np.ndarray | None = None
    if name in MODEL_TAGGERS:
        vectors = ctx.encoder.encode(list(texts), batch_size=ctx.settings.embed_batch_size)
    inputs = [TagInput(str(i), t, None if vectors is None else vectors[i]) for i, t in enumerate(texts)]
    return [list(s) for s in tagger.tag(inputs)]


def decide(
    ctx: AppContext,
    tag_id: int,
    decision: str,
    reviewer: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> Tag:
    """Confirm or reject a suggestion; history kept, machine suggestion never overwritten; audited in the
    same transaction."""
    if decision not in ("confirm", "reject"):
        from gwersi.errors import GwersiError

        raise GwersiError("bad_decision", f"decision must be confirm or reject, not {decision!r}", 422)
    with transaction(ctx.sessions) as session:
        tag = decide_tag(
            session=session,
            tag_id=tag_id,
            decision=decision,  # type: ignore[arg-type]
            reviewer=reviewer,
            note=note,
            expected_version=expected_version,
        )
        audit.record(session, reviewer, f"tag.{decision}", f"tag:{tag_id}",
                     {"standard": tag.standard_id, "version": tag.version, "note": note})
        return tag


def add_tag(
    ctx: AppContext,
    passage_id: int,
    standard: str,
    reviewer: str,
    evidence: str = "",
    note: str | None = None,
) -> Tag:
    """A panel member adds a standard to a passage (confirmed at once); audited in the same transaction."""
    tax = taxonomy()
    with transaction(ctx.sessions) as session:
        tag = add_panel_tag(
            session=session,
            passage_id=passage_id,
            standard_id=standard,
            reviewer=reviewer,
            taxonomy_version=tax.version,
            valid_standards=tax.by_id.keys(),
            evidence=evidence,
            note=note,
        )
        audit.record(session, reviewer, "tag.add", f"passage:{passage_id}", {"standard": standard, "tag_id": tag.id})
        return tag


@dataclass(frozen=True)
class RetrainReport:
    """What retraining did and how it changed quality on the dev set."""

    panel_examples: int
    training_examples: int
    before_micro_f1: float | None
    after_micro_f1: float | None
    retagged: int


def retrain(ctx: AppContext, *, dev_path: Path | None = None) -> RetrainReport:
    """Refit the model taggers including panel decisions, re-tag, and measure the change."""
    before = _dev_micro_f1(ctx, dev_path)
    panel = panel_examples(ctx)
    ctx.tagger_cache().clear()
    build_tagger(ctx, refit=True)
    after = _dev_micro_f1(ctx, dev_path)
    retagged = tag_passages(ctx, force=True)
    return RetrainReport(len(panel), len(_training(ctx)), before, after, retagged)


def _dev_micro_f1(ctx: AppContext, dev_path: Path | None) -> float | None:
    if dev_path is None or not dev_path.exists():
        return None
    from taxonomy.evaluation import evaluate
    from taxonomy.training import load_jsonl

    dev = load_jsonl(dev_path, taxonomy())
    vectors = ctx.encoder.encode([ex.text for ex in dev])
    inputs = [TagInput(ex.id, ex.text, vectors[i], ex.section_kind) for i, ex in enumerate(dev)]
    tagger = build_tagger(ctx)
    report = evaluate(dev, {ctx.settings.tagger: tagger}, inputs=inputs)
    return float(report.tagger(ctx.settings.tagger).micro_f1)


def dev_set_path() -> Path:
    """The packaged labelled development set."""
    return Path(__file__).resolve().parent.parent / "data" / "eval" / "tagging_dev.jsonl"
