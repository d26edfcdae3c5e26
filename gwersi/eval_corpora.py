"""Corpora for search evaluation: each ingested into a throwaway catalogue with the real encoder.

A corpus is a list of review files plus the query set judged on them. Every run ingests the files
afresh (so a parser change shows in the figures) into a temporary catalogue, embeds the passages
through an on-disk cache keyed by model and passage text (so re-runs and re-renderings cost no
encoding), and builds a :class:`~index.engine.SearchEngine` directly from the stored records.

Corpora:
- ``samples``: ``data/samples`` with ``data/eval/search_queries.jsonl`` (in-distribution).
- ``samples-bold-plain`` / ``samples-renamed``: the sample Markdown sources re-rendered as DOCX
  so that ingest misreads the sections (see :func:`render_misread`); same queries
  (out-of-distribution for layout).
- ``heldout-<part>-<fmt>``: the independently written corpus in ``data/heldout`` (DOCX and PDF
  built by ``tools/build_heldout.py``, one corpus per format) with ``data/heldout/queries.jsonl``;
  queries are split by the part they name. ``dev``, ``test``, ``test11`` and ``test12`` are
  tunable; ``test10`` (queries written apart and frozen) is report only.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from gwersi.concepts import concept_model
from gwersi.context import AppContext
from index.encoder import Encoder

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
SAMPLE_SOURCES = REPO / "data" / "sample-sources"
SAMPLE_QUERIES = REPO / "data" / "eval" / "search_queries.jsonl"
HELDOUT = REPO / "data" / "heldout"
HELDOUT_QUERIES = HELDOUT / "queries.jsonl"


@dataclass(frozen=True)
class Corpus:
    """Review files and the queries judged on them (``doc`` names are file stems)."""

    name: str
    files: tuple[Path, ...]
    queries: tuple[dict[str, Any], ...]
    in_distribution: bool = False
    tunable: bool = True
    """May the ranking policy be chosen on it (out of fold)? ``False``: frozen, report only."""


@dataclass
class Encoded:
    """Encoding cost seen while preparing a corpus."""

    passages_encoded: int = 0
    seconds: float = 0.0


@dataclass
class Prepared:
    """A corpus indexed and its judgments mapped to passage ids."""

    corpus: Corpus
    engine: Any
    qrels: dict[str, dict[int, int]]
    unmapped: int
    passages: int
    sections_unclassified: float
    """Share of passages in ``front_matter`` or ``other`` sections (how badly ingest read the layout)."""
    encoded: Encoded = field(default_factory=Encoded)


def read_queries(path: Path) -> list[dict[str, Any]]:
    """A JSONL query set: ``{"id", "query", "judgments": [{"doc", "quote", "grade"}], ...}``."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def squash(text: str) -> str:
    """Text compared whitespace-, case- and ligature-insensitively."""
    text = text.replace("\u00ad", "").replace("ﬁ", "fi").replace("ﬂ", "fl")
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


# ----------------------------------------------------------------- misread-layout rendering
_EMPHASIS = re.compile(r"(\*\*|\*|__|_(?=\w)|(?<=\w)_)")


def _plain(text: str) -> str:
    return _EMPHASIS.sub("", text)


LESSON_HEADING = re.compile(r"learning|lesson|analysis|findings|good practice|conclusion", re.IGNORECASE)
MisreadStyle = Literal["bold-plain", "renamed"]


def render_misread(source: Path, target: Path, style: MisreadStyle) -> Path:
    """Render a sample Markdown source as a DOCX that ingest is likely to misread.

    ``bold-plain``: headings are bold ``Normal`` paragraphs (no heading or list styles), what many
    boards' Word files look like. ``renamed``: real Heading styles, but the top-level headings of
    the learning, analysis and conclusion sections say only "Part N", so ingest cannot tell their
    kind while it still reads the process sections. Tables stay tables; bullets become "• "
    paragraphs.
    """
    from docx import Document
    from docx.shared import Pt

    document = Document()
    lines = source.read_text(encoding="utf-8").splitlines()
    parts = 0
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip() or line.lstrip().startswith("<!--"):
            continue
        heading = re.match(r"^(#{1,4})\s+(.*)$", line)
        if heading:
            level, text = len(heading.group(1)), _plain(heading.group(2))
            if style == "bold-plain":
                run = document.add_paragraph().add_run(text)
                run.bold = True
                run.font.size = Pt(14 if level <= 2 else 12)
                continue
            if level == 2 and LESSON_HEADING.search(text):
                parts += 1
                text = f"Part {parts}"
            document.add_heading(text, level=min(level, 3))
            continue
        if line.startswith("|"):
            rows = [line]
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i].rstrip())
                i += 1
            cells = [
                [_plain(c.strip()).replace("<br>", "\n") for c in r.strip("|").split("|")]
                for r in rows
                if not re.fullmatch(r"\|[\s:|-]+\|?", r)
            ]
            width = max(len(r) for r in cells)
            table = document.add_table(rows=len(cells), cols=width)
            for r, row in enumerate(cells):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
            continue
        bullet = re.match(r"^\s*[-*]\s+(.*)$", line)
        document.add_paragraph(_plain("• " + bullet.group(1) if bullet else line))
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))
    return target


# ----------------------------------------------------------------- corpora
def _queries_for(queries: Sequence[dict[str, Any]], docs: set[str]) -> tuple[dict[str, Any], ...]:
    """Queries restricted to their judgments on ``docs`` (queries with none there are dropped)."""
    out = []
    for q in queries:
        judged = [j for j in q["judgments"] if j["doc"] in docs]
        if judged:
            out.append({**q, "judgments": judged})
    return tuple(out)


def sample_corpora(queries_path: Path, work: Path) -> list[Corpus]:
    """``samples`` (in-distribution), then the same reviews re-rendered so ingest misreads them."""
    queries = read_queries(queries_path)
    samples = tuple(sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".docx", ".md", ".txt")))
    out = [Corpus("samples", samples, tuple(queries), in_distribution=True)]
    styles: tuple[MisreadStyle, ...] = ("bold-plain", "renamed")
    for style in styles:
        files = tuple(
            render_misread(src, work / f"samples-{style}" / f"{src.stem}.docx", style)
            for src in sorted(SAMPLE_SOURCES.glob("*.md"))
        )
        out.append(Corpus(f"samples-{style}", files, _queries_for(queries, {p.stem for p in files})))
    return out


SEARCH_PARTS: tuple[tuple[str, bool], ...] = (
    ("dev", True), ("test", True), ("test11", True), ("test12", True), ("test10", False), ("test9", False),
)
"""Held-out parts with judged queries, and whether ranking choices may be made on them. ``test10``
and ``test9`` hold queries written apart by two more people and frozen before any search ran on
them (see ``data/heldout/README.md``): report only. ``test11`` and ``test12`` were frozen the same
way and read once, then became tunable."""


def heldout_corpora(
    root: Path = HELDOUT,
    queries_path: Path | None = None,
    formats: Sequence[str] = ("docx", "pdf"),
    *,
    frozen: bool = True,
) -> list[Corpus]:
    """``heldout-<part>-<format>`` for every part of :data:`SEARCH_PARTS` whose built files and queries
    exist; one corpus per part and built format, so choices are fitted on both formats. ``frozen=False``
    leaves the frozen parts out (for work in progress that must not look at them)."""
    queries_path = queries_path or root / "queries.jsonl"
    if not queries_path.is_file():
        return []
    queries = read_queries(queries_path)
    out = []
    for part, tunable in SEARCH_PARTS:
        if not tunable and not frozen:
            continue
        mine = [q for q in queries if q.get("part", part) == part]  # a query may name its part
        for fmt in formats:
            files = tuple(sorted((root / part / "built").glob(f"*.{fmt}")))
            judged = _queries_for(mine, {p.stem for p in files})
            if files and judged:
                out.append(Corpus(f"heldout-{part}-{fmt}", files, judged, tunable=tunable))
    return out


# ----------------------------------------------------------------- embedding cache
class EmbeddingCache:
    """Vectors by passage-text sha1 for one model, in ``<folder>/<model>.npz``."""

    def __init__(self, folder: Path, model_id: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9_.@-]+", "_", model_id)
        self.path = folder / f"{safe}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.is_file():
            with np.load(self.path) as data:
                self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self._dirty = False

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def encode(self, encoder: Encoder, texts: list[str], batch_size: int, cost: Encoded) -> np.ndarray:
        """Rows for ``texts``, encoding only those not cached (their cost is added to ``cost``)."""
        keys = [self.key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items())
        if missing:
            started = time.perf_counter()
            vectors = encoder.encode([t for _, t in missing], batch_size=batch_size)
            cost.seconds += time.perf_counter() - started
            cost.passages_encoded += len(missing)
            self._vectors.update(zip((k for k, _ in missing), vectors, strict=True))
            self._dirty = True
        if not texts:
            return np.zeros((0, encoder.dimension), np.float32)
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self._vectors))
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=np.stack([self._vectors[k] for k in keys.tolist()]))
        tmp.replace(self.path)
        self._dirty = False


# ----------------------------------------------------------------- preparing a corpus
def prepare(ctx: AppContext, corpus: Corpus, cache: EmbeddingCache) -> Prepared:
    """Ingest ``corpus`` into a throwaway catalogue, embed (cached), index, map the judgments."""
    from sqlalchemy import select

    from gwersi.ingesting import ingest_files
    from index.db import transaction
    from index.engine import SearchEngine
    from index.orm import Passage, Review
    from index.store import load_passage_records, set_embeddings

    encoder = ctx.encoder
    cost = Encoded()
    with tempfile.TemporaryDirectory(prefix=f"gwersi-eval-{corpus.name}-") as tmp:
        settings = ctx.settings.model_copy(update={"data_dir": Path(tmp), "database_url": None})
        ectx = AppContext(settings)
        try:
            results = ingest_files(ectx, list(corpus.files))
            failed = [r for r in results if r.status == "failed"]
            if failed:
                raise RuntimeError(
                    f"{corpus.name}: files failed to ingest: " + "; ".join(f"{r.path}: {r.error}" for r in failed)
                )
            with transaction(ectx.sessions) as session:
                passages = list(session.scalars(select(Passage).order_by(Passage.id)))
                vectors = cache.encode(encoder, [p.text for p in passages], ctx.settings.embed_batch_size, cost)
                set_embeddings(session=session, passages=passages, vectors=vectors, model_id=encoder.model_id)
            with ectx.sessions() as session:
                records, matrix = load_passage_records(session=session, dimension=encoder.dimension)
                sources = dict(session.execute(select(Review.id, Review.source_name)).all())
        finally:
            ectx.close()
    cache.save()
    engine = SearchEngine.build(records, matrix, encoder, concepts=concept_model(ctx))
    by_doc: dict[str, list[tuple[int, str]]] = {}
    for r in records:
        by_doc.setdefault(Path(sources[r.review_id]).stem, []).append((r.passage_id, squash(r.text)))
    qrels, unmapped = _map_judgments(corpus.queries, by_doc)
    unclassified = sum(r.section_kind in ("front_matter", "other") for r in records) / max(1, len(records))
    return Prepared(corpus, engine, qrels, unmapped, len(records), unclassified, cost)


def _map_judgments(
    queries: Sequence[dict[str, Any]], by_doc: dict[str, list[tuple[int, str]]]
) -> tuple[dict[str, dict[int, int]], int]:
    """``{query id: {passage id: grade}}`` plus how many quotes no passage contains.

    A quote is found in the passage containing it (whitespace-insensitive); one straddling a
    passage split is found by either half.
    """
    qrels: dict[str, dict[int, int]] = {}
    unmapped = 0
    for q in queries:
        graded: dict[int, int] = {}
        for j in q["judgments"]:
            quote = squash(j["quote"])
            candidates = by_doc.get(j["doc"], [])
            pid = next((p for p, t in candidates if quote in t), None)
            if pid is None:
                half = len(quote) // 2
                pid = next((p for p, t in candidates if quote[:half] in t or quote[half:] in t), None)
            if pid is None:
                unmapped += 1
                continue
            graded[pid] = max(graded.get(pid, 0), int(j["grade"]))
        qrels[q["id"]] = graded
    return qrels, unmapped
