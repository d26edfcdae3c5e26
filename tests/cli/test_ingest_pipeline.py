"""The batch ingest: parsing in worker processes gives what a serial parse gives, and the streaming
pipeline (store in order, embed and tag as passages arrive, index once) leaves the same catalogue."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from gwersi.context import AppContext
from gwersi.ingesting import parse_files
from gwersi.pipeline import ingest_and_process
from gwersi.settings import Settings
from ingest.timing import StageTimes
from tests.conftest import SAMPLES

NAMES = ("cpr_ctmsb_2020_08.pdf", "cpr_cysur_2019_04.docx", "cpr_ctmsb_2023_02.md", "owhr_wgsb_2025.md")

pytestmark = pytest.mark.skipif(not (SAMPLES / NAMES[0]).exists(), reason="no built samples in data/samples")


@pytest.fixture()
def corpus(tmp_path: Path) -> list[Path]:
    """Four samples and two bad files between them, in a fixed order."""
    folder = tmp_path / "in"
    folder.mkdir()
    files = [folder / name for name in NAMES]
    for path in files:
        shutil.copy(SAMPLES / path.name, path)
    (folder / "empty.md").write_bytes(b"")
    (folder / "fake.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return [files[0], folder / "empty.md", files[1], files[2], folder / "fake.pdf", files[3]]


def _context(tmp_path: Path, name: str, workers: int, **extra: Any) -> AppContext:
    settings = Settings(
        data_dir=tmp_path / name, encoder="hashing", ingest_workers=workers, **({"tagger": "rule"} | extra)
    )
    return AppContext(settings)


def test_workers_parse_exactly_what_a_serial_parse_gives(tmp_path: Path, corpus: list[Path]) -> None:
    serial_ctx, pool_ctx = _context(tmp_path, "serial", 0), _context(tmp_path, "pool", 2)
    times = StageTimes()
    serial = list(parse_files(serial_ctx, corpus))
    pooled = list(parse_files(pool_ctx, corpus, times=times))
    assert [p for p, _, _ in pooled] == corpus  # the order given
    for (_, review_a, error_a), (_, review_b, error_b) in zip(serial, pooled, strict=True):
        assert review_a == review_b
        assert (error_a is None) == (error_b is None)
        if error_a is not None and error_b is not None:
            assert (error_b.path, error_b.reason, error_b.code) == (error_a.path, error_a.reason, error_a.code)
    assert {"sniff", "parse", "structure", "metadata"} <= set(times.as_dict())  # sent back by the workers


def _catalogue(ctx: AppContext) -> list[tuple[Any, ...]]:
    from sqlalchemy import select

    from index.orm import Passage, Review, Tag

    with ctx.sessions() as session:
        reviews = [(r.source_name, r.sha256, r.reference) for r in session.scalars(select(Review).order_by(Review.id))]
        passages = [
            (p.review_id, p.ordinal, p.text, p.char_start, p.char_end, p.embedding is not None, p.tagged_with)
            for p in session.scalars(select(Passage).order_by(Passage.id))
        ]
        tags = sorted(session.execute(select(Tag.passage_id, Tag.standard_id, Tag.status)).all())
    return [*reviews, *passages, *tags]


@pytest.mark.parametrize("tagger", ["rule", "embedding"])  # "embedding" reads the vectors: tagged once stored
def test_streaming_ingest_matches_the_serial_ingest(
    tmp_path: Path, corpus: list[Path], monkeypatch: pytest.MonkeyPatch, tagger: str
) -> None:
    import gwersi.embedding
    import gwersi.pipeline

    monkeypatch.setattr(gwersi.pipeline, "EMBED_EVERY", 40)  # embed and tag several times mid-batch
    monkeypatch.setattr(gwersi.embedding, "ROUND_MAX", 64)  # and in capped rounds at the end
    serial_ctx = _context(tmp_path, "serial", 0, tagger=tagger)
    stream_ctx = _context(tmp_path, "stream", 2, tagger=tagger)
    serial_results, _ = ingest_and_process(serial_ctx, corpus)
    times = StageTimes()
    results, report = ingest_and_process(stream_ctx, corpus, times=times)

    assert [r.as_json() for r in results] == [r.as_json() for r in serial_results]
    assert [r.status for r in results] == ["ingested", "failed", "ingested", "ingested", "failed", "ingested"]
    assert [r.code for r in results if r.status == "failed"] == ["empty_file", "mislabelled_file"]
    assert _catalogue(stream_ctx) == _catalogue(serial_ctx)
    assert report is not None and report.embedded == report.tagged == report.indexed > 0
    assert {"store", "embed", "tag", "index"} <= set(times.as_dict())

    again, report_again = ingest_and_process(stream_ctx, corpus)
    assert [r.status for r in again if r.status != "failed"] == ["unchanged"] * 4
    assert report_again is None
    assert stream_ctx.search_engine_or_none() is not None


def test_an_ingest_with_nothing_new_finishes_what_a_stopped_run_left(tmp_path: Path, corpus: list[Path]) -> None:
    from sqlalchemy import func, select

    from index.orm import Passage

    ctx = _context(tmp_path, "stopped", 0)
    _, none = ingest_and_process(ctx, corpus, process=False)  # as a run stopped after storing
    assert none is None

    def waiting() -> int:
        with ctx.sessions() as session:
            return int(session.scalar(
                select(func.count(Passage.id)).where((Passage.embedding.is_(None)) | (Passage.tagged_with.is_(None)))
            ) or 0)

    stored = waiting()
    assert stored > 0
    results, report = ingest_and_process(ctx, corpus)
    assert [r.status for r in results if r.status != "failed"] == ["unchanged"] * 4
    assert report is not None and report.embedded == report.tagged == report.indexed == stored
    assert waiting() == 0
    assert ctx.search_engine_or_none() is not None and len(ctx.search_engine_or_none()) == stored

    _, report_again = ingest_and_process(ctx, corpus)  # now nothing is left: nothing to do
    assert report_again is None
