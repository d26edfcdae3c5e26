"""Tagging service: build the configured tagger once per process, suggest standards for passages,
record panel decisions, and retrain from them.

The embeddings of the training passages are cached under ``DATA_DIR/models/`` by a fingerprint of
the training data, the taxonomy version and the encoder, so a process start does not re-embed them.
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
from index.tags_store import add_panel_tag, decide_tag, labelled_examples, replace_suggestions_many
from taxonomy.decision import MAX_RANKED
from taxonomy.models import Suggestion, TagInput
from taxonomy.scoring import ranked_suggestions
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


def training_for_eval(ctx: AppContext) -> list[LabelledExample]:
    """The board's own labels: panel decisions and imported examples (``gwersi learn``), one per text."""
    from gwersi.learning import learned_examples, merge_by_text

    return merge_by_text(panel_examples(ctx) + learned_examples(ctx))


def _training(ctx: AppContext) -> list[LabelledExample]:
    from taxonomy.heldout import heldout_training_examples

    folder = ctx.settings.training_dir
    return training_examples(folder if folder.is_dir() else None, taxonomy(), training_for_eval(ctx),
                             heldout_training_examples(heldout_path()))


SHIPPED_CALIBRATION = Path(__file__).resolve().parent.parent / "taxonomy" / "data" / "ensemble-calibration.json"
"""The ensemble calibration for the shipped training data and default encoder, chosen out of fold
by ``tools/ship_calibration.py``; used only while its fingerprint matches the training data other
than a board's own labels (see :func:`_calibration`)."""


def calibration_fingerprint(ctx: AppContext, training: Sequence[LabelledExample]) -> str:
    """What an ensemble calibration depends on: training texts and labels (a board's own labels left
    out), taxonomy, encoder and the members and weights it chose among."""
    from taxonomy.calibration import CALIBRATION_RECIPE, is_board_label

    return _fingerprint(f"calibration|{CALIBRATION_RECIPE}", [ex for ex in training if not is_board_label(ex)],
                        ctx.encoder.model_id)


def _calibration(ctx: AppContext, training: Sequence[LabelledExample], *, refit: bool) -> tuple[Path, Any]:
    """The ensemble's cached out-of-fold calibration (path, and the calibration or ``None``).

    Looked up in the data folder's cache, then in the shipped file, by a fingerprint that leaves a
    board's own labels out: choosing fusion weights and the decision policy out of fold takes minutes
    on the shipped training data, so a panel's decisions refit the members at the next start but reuse
    the calibration (the learning curve measured recalibrating as no better); ``refit`` (``gwersi
    retrain``) chooses it afresh with the board's labels, and that choice is then the cached one.
    """
    from taxonomy.calibration import calibration_from_json

    fingerprint = calibration_fingerprint(ctx, training)
    path = ctx.settings.data_dir / "models" / f"ensemble-calibration-{fingerprint}.json"
    if refit:
        return path, None
    for candidate in (path, SHIPPED_CALIBRATION):
        try:
            data = json.loads(candidate.read_text(encoding="utf-8"))
            if candidate == SHIPPED_CALIBRATION:
                if data.get("fingerprint") != fingerprint:
                    continue
                data = data["calibration"]
            return path, calibration_from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return path, None


SHIPPED_VECTORS = SHIPPED_CALIBRATION.with_name("training-vectors.npz")
"""Embeddings of the shipped training passages by the default encoder, keyed by a hash of each text
(written by ``tools/ship_calibration.py``); rows are used only for the encoder that made them."""


def text_key(text: str) -> str:
    """The key a training text's embedding is kept under."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def shipped_vectors(model_id: str, dimension: int) -> dict[str, np.ndarray]:
    """The shipped training embeddings by text key, or nothing if they were made by another encoder."""
    try:
        with np.load(SHIPPED_VECTORS, allow_pickle=False) as data:
            if str(data["model_id"]) != model_id:
                return {}
            keys, vectors = [str(k) for k in data["keys"]], np.asarray(data["vectors"], dtype=np.float32)
    except (OSError, KeyError, ValueError):
        return {}
    if vectors.ndim != 2 or vectors.shape[1] != dimension or len(keys) != len(vectors):
        return {}
    return dict(zip(keys, vectors, strict=True))


def _training_vectors(ctx: AppContext, training: Sequence[LabelledExample], *, refit: bool) -> np.ndarray:
    """Embeddings of the training passages, cached on disk by a fingerprint of texts, labels and model.

    Texts the shipped embeddings cover are not encoded again (a fresh install encodes only a board's
    own labelled passages).
    """
    encoder = ctx.encoder
    path = ctx.settings.data_dir / "models" / f"training-{_fingerprint('vectors', training, encoder.model_id)}.npy"
    if path.exists() and not refit:
        vectors = np.load(path)
        if vectors.shape == (len(training), encoder.dimension):
            return vectors
    known = shipped_vectors(encoder.model_id, encoder.dimension)
    keys = [text_key(ex.text) for ex in training]
    missing = sorted({ex.text for ex, key in zip(training, keys, strict=True) if key not in known})
    if missing:
        encoded = encoder.encode(missing, batch_size=ctx.settings.embed_batch_size)
        known = {**known, **{text_key(t): encoded[i] for i, t in enumerate(missing)}}
    vectors = np.vstack([known[key] for key in keys]).astype(np.float32) if keys else np.zeros(
        (0, encoder.dimension), dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(path)
    return vectors


SHIPPED_CUES = SHIPPED_CALIBRATION.with_name("rule-cue-reliability.json")
"""The rule tagger's cue reliabilities learned on the shipped training data (written by
``tools/ship_calibration.py``); used only while its fingerprint matches."""


def cue_fingerprint(training: Sequence[LabelledExample]) -> str:
    """What the rule tagger's learned cue weights depend on: the focused-label training passages and
    the taxonomy (no encoder)."""
    from taxonomy.calibration import in_calibration_pool

    return _fingerprint("rule-cues", [ex for ex in training if in_calibration_pool(ex)], "")


def _cue_reliability(ctx: AppContext, training: Sequence[LabelledExample]) -> dict[str, float]:
    """The rule tagger's cue reliabilities: from the data folder's cache, else the shipped file, else
    learned here (spaCy over every training passage, a few seconds) and cached."""
    from taxonomy.calibration import fit_rule

    fingerprint = cue_fingerprint(training)
    path = ctx.settings.data_dir / "models" / f"rule-cues-{fingerprint}.json"
    for candidate in (path, SHIPPED_CUES):
        try:
            data = json.loads(candidate.read_text(encoding="utf-8"))
            if data.get("fingerprint") == fingerprint:
                return {str(k): float(v) for k, v in data["cue_reliability"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    learned = fit_rule(training, taxonomy()).cue_reliability
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"fingerprint": fingerprint, "cue_reliability": learned}), encoding="utf-8")
    tmp.replace(path)
    return learned


SHIPPED_MEMBERS = SHIPPED_CALIBRATION.with_name("ensemble-members.pkl.gz")
"""The ensemble's members fitted on the shipped training data with the default encoder (written by
``tools/ship_calibration.py``); used only while its fingerprint matches."""


def members_fingerprint(ctx: AppContext, training: Sequence[LabelledExample]) -> str:
    """What the fitted members depend on: training data, taxonomy, encoder, the fit recipe and the
    scikit-learn version that fitted them (read from the package metadata: importing scikit-learn
    costs seconds, and loading saved members never needs it)."""
    from importlib.metadata import version

    from taxonomy.supervised import FIT_RECIPE

    return _fingerprint(f"members|sklearn {version('scikit-learn')}|{FIT_RECIPE}", training, ctx.encoder.model_id)


def saved_members(
    ctx: AppContext, training: Sequence[LabelledExample], *, only: Sequence[str] | None = None
) -> dict[str, Any] | None:
    """The ensemble's members fitted on ``training`` for this encoder, if already fitted: from the
    data folder's cache, else the shipped file; ``None`` if neither matches (nothing is fitted).
    ``only`` names the members wanted (default all)."""
    return _saved_members(ctx, members_fingerprint(ctx, training), only)


def _saved_members(ctx: AppContext, fingerprint: str, only: Sequence[str] | None = None) -> dict[str, Any] | None:
    from taxonomy.members import load_members

    for candidate in (_members_path(ctx, fingerprint), SHIPPED_MEMBERS):
        members = load_members(candidate, fingerprint, ctx.encoder, taxonomy(), only=only)
        if members is not None:
            return members
    return None


def _members_path(ctx: AppContext, fingerprint: str) -> Path:
    return ctx.settings.data_dir / "models" / f"ensemble-members-{fingerprint}.pkl.gz"


def _members(ctx: AppContext, training: Sequence[LabelledExample], vectors: np.ndarray, *,
             refit: bool) -> dict[str, Any]:
    """The ensemble's fitted members: from the data folder's cache, else the shipped file, else fitted
    (and cached) here."""
    from taxonomy.calibration import fit_members
    from taxonomy.members import save_members

    fingerprint = members_fingerprint(ctx, training)
    if not refit:
        members = _saved_members(ctx, fingerprint)
        if members is not None:
            return members
    path = _members_path(ctx, fingerprint)
    members = fit_members(training, vectors, taxonomy(), ctx.encoder)
    save_members(members, path, fingerprint)
    return members


def build_tagger(ctx: AppContext, name: str | None = None, *, refit: bool = False) -> Any:
    """The tagger named in settings (or ``name``), fitted on the training data and panel decisions.

    It is built exactly as ``gwersi eval tagging`` builds it (same registry, same training data), so
    the evaluated tagger is the one in production. Training embeddings are cached on disk; fitting
    itself takes a few seconds and happens once per process.
    """
    from taxonomy.registry import make_tagger

    name = name or ctx.settings.tagger
    cache = ctx.tagger_cache()
    if name in cache and not refit:
        return cache[name]
    training = _training(ctx)
    deps: dict[str, Any] = {"taxonomy": taxonomy(), "training": training}
    if name in MODEL_TAGGERS:
        deps["encoder"] = ctx.encoder
        deps["training_vectors"] = _training_vectors(ctx, training, refit=refit)
    if name == "rule":
        deps["cue_reliability"] = _cue_reliability(ctx, training)
    calibration_path = None
    if name == "ensemble":
        calibration_path, deps["calibration"] = _calibration(ctx, training, refit=refit)
        deps["members"] = _members(ctx, training, deps["training_vectors"], refit=refit)
    tagger = make_tagger(name, **deps)
    chosen = getattr(tagger, "calibration", None)
    if calibration_path is not None and chosen is not None and deps.get("calibration") is None:
        from taxonomy.calibration import calibration_to_json

        calibration_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = calibration_path.with_name(calibration_path.name + ".tmp")
        tmp.write_text(json.dumps(calibration_to_json(chosen)), encoding="utf-8")
        tmp.replace(calibration_path)
    cache[name] = tagger
    return tagger


def _source(tagger_name: str) -> Literal["rule", "model"]:
    return "model" if tagger_name in MODEL_TAGGERS else "rule"


def tagged_marker(tagger_name: str) -> str:
    """What a passage's ``tagged_with`` records: tagger and taxonomy version."""
    return f"{tagger_name}@{TAXONOMY_VERSION}"


def not_tagged_by(tagger_name: str) -> Any:
    """SQL condition: the passage has no suggestions from ``tagger_name`` at this taxonomy version."""
    marker = tagged_marker(tagger_name)
    return or_(Passage.tagged_with.is_(None), Passage.tagged_with != marker)


def tag_passages(
    ctx: AppContext,
    *,
    review_ids: Sequence[int] | None = None,
    force: bool = False,
    embedded_only: bool = False,
    on_batch: Callable[[int, int], None] | None = None,
) -> int:
    """Store suggestions for passages not yet tagged by the current tagger (all with ``force``).

    ``embedded_only``: with a tagger that reads embeddings, leave passages whose vector from the
    current model is not stored yet (a batch ingest embeds on a thread while it tags).
    """
    name = ctx.settings.tagger
    marker = tagged_marker(name)
    with ctx.sessions() as session:
        stmt = select(Passage.id).order_by(Passage.id)
        if review_ids is not None:
            stmt = stmt.where(Passage.review_id.in_(list(review_ids)))
        if not force:
            stmt = stmt.where(not_tagged_by(name))
        if embedded_only and name in MODEL_TAGGERS:
            stmt = stmt.where(Passage.embedding.is_not(None), Passage.embedding_model == ctx.encoder.model_id)
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
            accepted = {
                passage.id: [s for s in suggestions if s.accepted]
                for (passage, _kind), suggestions in zip(rows, tagger.tag(inputs), strict=True)
            }
            replace_suggestions_many(session=session, suggestions=accepted, source=_source(name),
                                     taxonomy_version=TAXONOMY_VERSION)
            for passage, _kind in rows:
                passage.tagged_with = marker
        done += len(chunk)
        if on_batch is not None:
            on_batch(done, len(ids))
    return len(ids)


def tag_text(ctx: AppContext, texts: Sequence[str],
             section_kinds: Sequence[str | None] | None = None) -> list[list[Suggestion]]:
    """Ranked suggestions for arbitrary texts, nothing stored: above the line first (``accepted``),
    then lower-confidence ones below it (``accepted=False``)."""
    name = ctx.settings.tagger
    tagger = build_tagger(ctx)
    vectors: np.ndarray | None = None
    if name in MODEL_TAGGERS:
        vectors = ctx.encoder.encode(list(texts), batch_size=ctx.settings.embed_batch_size)
    kinds = list(section_kinds) if section_kinds is not None else [None] * len(texts)
    inputs = [TagInput(str(i), t, None if vectors is None else vectors[i], kinds[i]) for i, t in enumerate(texts)]
    return ranked_suggestions(tagger, inputs, taxonomy(), MAX_RANKED)


def passage_suggestions(ctx: AppContext, passage_id: int) -> list[Suggestion]:
    """The current tagger's ranked suggestions for a stored passage, below-the-line ones included
    (only those above the line are stored as tags)."""
    from index.store import get_passage

    with ctx.sessions() as session:
        passage = get_passage(session=session, passage_id=passage_id)
        text, kind = passage.text, passage.section.kind
    return tag_text(ctx, [text], [kind])[0]


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
    """The board's own labelled passages: panel decisions and imported examples (``gwersi learn``)."""
    training_examples: int
    before_micro_f1: float | None
    after_micro_f1: float | None
    retagged: int


def retrain(ctx: AppContext, *, dev_path: Path | None = None) -> RetrainReport:
    """Refit the model taggers including panel decisions, re-tag, and measure the change."""
    before = _dev_micro_f1(ctx, dev_path)
    panel = training_for_eval(ctx)
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


def heldout_path() -> Path:
    """The independent held-out review corpus (``dev/`` for tuning, ``test/`` frozen)."""
    return Path(__file__).resolve().parent.parent / "data" / "heldout"


def dev_set_path() -> Path:
    """The packaged labelled development set."""
    return Path(__file__).resolve().parent.parent / "data" / "eval" / "tagging_dev.jsonl"
