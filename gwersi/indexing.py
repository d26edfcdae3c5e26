"""Build, save, load and check the search index from the catalogue.

Index files live in generations: ``INDEX_DIR/gen-<n>/`` holds the FAISS and BM25 files and their
manifest, and ``INDEX_DIR/CURRENT`` (replaced atomically) names the live one. A build writes a new
generation completely before switching, so a crash at any point leaves the previous index usable.
Builds in different processes are serialised by an exclusive lock on ``INDEX_DIR/.build.lock``; the
previous generation is kept after a switch (only older ones are removed), so a reader in another
process that has just read ``CURRENT`` still finds its files, and a reader that loses the race retries.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gwersi.context import AppContext
from index.atomic import atomic_write_text
from index.errors import IndexMismatchError, IndexMissingError
from index.store import load_passage_records
from taxonomy.standards import TAXONOMY_VERSION

CURRENT = "CURRENT"


def current_generation(root: Path) -> Path | None:
    """The live generation folder, or ``None`` if no index was ever built."""
    pointer = root / CURRENT
    if not pointer.exists():
        return None
    folder = root / pointer.read_text(encoding="utf-8").strip()
    return folder if folder.is_dir() else None


def _next_generation(root: Path) -> Path:
    numbers = [int(p.name.split("-", 1)[1]) for p in root.glob("gen-*") if p.name.split("-", 1)[1].isdigit()]
    return root / f"gen-{max(numbers, default=0) + 1:06d}"


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Exclusive inter-process lock for index builds (released when the holder exits, even on kill -9)."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".build.lock").open("a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _records(ctx: AppContext, *, vectors: bool = True) -> tuple[list[Any], Any]:
    with ctx.sessions() as session:
        return load_passage_records(session=session, dimension=ctx.encoder.dimension, vectors=vectors)


def build_index(ctx: AppContext) -> Any:
    """Index every embedded passage of the catalogue (no re-embedding), save it as a new generation,
    switch to it, and make it the context's live engine."""
    from index.engine import SearchEngine

    root = ctx.settings.index_dir
    with build_lock(root):
        records, vectors = _records(ctx)
        engine = SearchEngine.build(
            records,
            vectors,
            ctx.encoder,
            taxonomy_version=TAXONOMY_VERSION,
            ann_threshold=ctx.settings.ann_threshold,
        )
        previous = current_generation(root)
        folder = _next_generation(root)
        engine.save(folder)
        atomic_write_text(root / CURRENT, folder.name)
        keep = {folder, previous}
        for old in root.glob("gen-*"):
            if old not in keep:
                shutil.rmtree(old, ignore_errors=True)
    ctx.set_search_engine(engine)
    return engine


def load_index(ctx: AppContext, *, attempts: int = 3) -> Any:
    """Open the live generation for the catalogue as it is now; raises if missing or stale.

    If another process switches generations while this one is opening files, it tries again.
    """
    from index.engine import SearchEngine

    for attempt in range(attempts):
        folder = current_generation(ctx.settings.index_dir)
        if folder is None:
            raise IndexMissingError(f"no search index in {ctx.settings.index_dir}; run `gwersi index build`")
        records, _none = _records(ctx, vectors=False)
        try:
            engine = SearchEngine.load(
                folder,
                records,
                ctx.encoder,
                taxonomy_version=TAXONOMY_VERSION,
                ann_threshold=ctx.settings.ann_threshold,
            )
        except (IndexMissingError, FileNotFoundError, RuntimeError):
            if attempt == attempts - 1 or current_generation(ctx.settings.index_dir) == folder:
                raise
            continue
        ctx.set_search_engine(engine)
        return engine
    raise IndexMissingError(f"the search index in {ctx.settings.index_dir} kept changing; try again")


def get_engine(ctx: AppContext, *, rebuild_if_stale: bool = True) -> Any:
    """The live engine: already loaded, else loaded from disk, else (if allowed) rebuilt."""
    engine = ctx.search_engine_or_none()
    if engine is not None:
        return engine
    try:
        return load_index(ctx)
    except (IndexMissingError, IndexMismatchError):
        if not rebuild_if_stale:
            raise
        return build_index(ctx)


@dataclass(frozen=True)
class IndexCheck:
    """Whether the saved index matches the catalogue, and what to do if not."""

    ok: bool
    passages_in_catalogue: int
    passages_embedded: int
    message: str


def check_index(ctx: AppContext) -> IndexCheck:
    """Compare the saved index with the catalogue without changing anything."""
    from sqlalchemy import func, select

    from index.orm import Passage

    with ctx.sessions() as session:
        total = session.scalar(select(func.count(Passage.id))) or 0
        embedded = (
            session.scalar(
                select(func.count(Passage.id)).where(Passage.embedding_model == ctx.encoder.model_id)
            )
            or 0
        )
    try:
        engine = load_index(ctx)
    except (IndexMissingError, IndexMismatchError) as exc:
        return IndexCheck(False, int(total), int(embedded), str(exc))
    if embedded < total:
        return IndexCheck(
            False,
            int(total),
            int(embedded),
            f"{total - embedded} passages have no embedding yet; run `gwersi index build`",
        )
    return IndexCheck(
        True, int(total), int(embedded), f"index matches the catalogue ({len(engine)} passages)"
    )
