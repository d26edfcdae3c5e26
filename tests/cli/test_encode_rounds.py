"""Embedding rounds on a thread: each passage is encoded once, vectors land in the catalogue, and
the torch thread count of the encoding thread can change without touching the caller's."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, select

from gwersi.context import AppContext
from gwersi.embedding import EncodeRounds
from gwersi.ingesting import store_parsed
from gwersi.settings import Settings
from index.db import transaction
from index.encoder import thread_intra_op_threads
from index.orm import Passage
from tests.factories import parsed_review


@pytest.fixture()
def ctx(tmp_path: Path) -> AppContext:
    context = AppContext(Settings(data_dir=tmp_path / "data", encoder="hashing", tagger="rule"))
    store_parsed(context, parsed_review(name="a.md", reference="CPR CTMSB 1/2020"), "a.md")
    store_parsed(context, parsed_review(name="b.md", reference="CPR CTMSB 2/2020", salt="b"), "b.md")
    return context


def _vectors(ctx: AppContext) -> dict[int, bytes | None]:
    with ctx.sessions() as session:
        return {p.id: p.embedding for p in session.scalars(select(Passage).order_by(Passage.id))}


def test_rounds_encode_each_passage_once_longest_first_and_store_the_vectors(ctx: AppContext) -> None:
    seen: list[float] = []
    rounds = EncodeRounds(ctx, on_seconds=seen.append)
    try:
        assert not rounds.in_flight()
        assert rounds.start(limit=4) == 4  # capped: the four longest
        assert rounds.in_flight()
        with pytest.raises(RuntimeError):
            rounds.start()
        assert rounds.finish() == 4
        stored = _vectors(ctx)
        assert sum(v is not None for v in stored.values()) == 4
        with ctx.sessions() as session:
            lengths = {p.id: len(p.text) for p in session.scalars(select(Passage))}
        done = sorted((i for i, v in stored.items() if v is not None), key=lambda i: -lengths[i])
        waiting = [i for i, v in stored.items() if v is None]
        assert min(lengths[i] for i in done) >= max(lengths[i] for i in waiting)
        assert rounds.start() == len(waiting)  # only the rest: nothing is encoded twice
        rounds.wait()
        assert rounds.finish() == len(waiting)
        assert rounds.start() == 0 and not rounds.in_flight() and rounds.finish() == 0
    finally:
        rounds.close()
    vectors = [np.frombuffer(v, dtype=np.float32) for v in _vectors(ctx).values() if v is not None]
    assert len(vectors) == 6 and all(v.shape == (ctx.encoder.dimension,) for v in vectors)
    assert len(seen) == 4  # two rounds: encoding and storing each


def test_a_passage_deleted_while_its_round_encodes_is_skipped(ctx: AppContext) -> None:
    rounds = EncodeRounds(ctx)
    try:
        assert rounds.start() == 6
        rounds.wait()
        with transaction(ctx.sessions) as session:
            gone = session.scalars(select(Passage.id).order_by(Passage.id)).first()
            session.execute(delete(Passage).where(Passage.id == gone))
        assert rounds.finish() == 5
    finally:
        rounds.close()
    assert gone not in _vectors(ctx)


def test_the_encoding_threads_count_is_its_own() -> None:
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    seen: list[int | None] = []
    worker = threading.Thread(target=lambda: seen.append(thread_intra_op_threads(1)))
    worker.start()
    worker.join()
    assert seen == [1]
    assert torch.get_num_threads() == before  # the calling thread keeps its count


def test_closing_stops_a_round_between_batches_and_stores_nothing(ctx: AppContext) -> None:
    started, release = threading.Event(), threading.Event()
    encode = ctx.encoder.encode

    def slow(texts: list[str], **kwargs: object) -> np.ndarray:
        started.set()
        release.wait(5)
        return encode(texts, **kwargs)

    ctx.settings.embed_batch_size = 2  # three batches for the six passages
    rounds = EncodeRounds(ctx)
    ctx.encoder.encode = slow  # type: ignore[method-assign]
    assert rounds.start() == 6
    assert started.wait(5)
    closer = threading.Thread(target=rounds.close)
    closer.start()  # an interrupted ingest: close while the first batch encodes
    while not rounds._closing:
        pass
    release.set()
    closer.join(5)
    assert not closer.is_alive()
    with pytest.raises(RuntimeError, match="interrupted"):
        rounds.finish()
    assert all(v is None for v in _vectors(ctx).values())


def test_rounds_in_an_encoder_process_store_the_same_vectors(ctx: AppContext) -> None:
    rounds = EncodeRounds(ctx, own_process=True)
    try:
        rounds.load()
        assert rounds._process is not None
        assert rounds.start() == 6
        rounds.set_threads(1)
        assert rounds.finish() == 6
    finally:
        rounds.close()
    assert rounds._process is None
    stored = _vectors(ctx)
    with ctx.sessions() as session:
        texts = {p.id: p.text for p in session.scalars(select(Passage))}
    expected = ctx.encoder.encode([texts[i] for i in stored])
    got = np.stack([np.frombuffer(stored[i] or b"", dtype=np.float32) for i in stored])
    np.testing.assert_array_equal(got, expected)


def test_tail_rounds_shrink_to_half_of_what_waits(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    import gwersi.embedding

    monkeypatch.setattr(gwersi.embedding, "TAIL_ROUND", 1)
    rounds = EncodeRounds(ctx)
    sizes = []
    try:
        while started := rounds.start(tail=True):
            sizes.append(started)
            rounds.finish()
    finally:
        rounds.close()
    assert sizes == [3, 2, 1]
    monkeypatch.setattr(gwersi.embedding, "TAIL_ROUND", 256)
    with transaction(ctx.sessions) as session:
        for p in session.scalars(select(Passage)):
            p.embedding = None
    rounds = EncodeRounds(ctx)
    try:
        assert rounds.start(tail=True) == 6  # never fewer than TAIL_ROUND while that many wait
        rounds.finish()
    finally:
        rounds.close()


def test_a_round_goes_to_the_encoder_longest_in_tokens_first_and_each_vector_lands_on_its_passage(
    ctx: AppContext,
) -> None:
    """Batches follow the encoder's own token counts, not characters; the vectors are put back in
    the round's order, so each passage gets its own text's vector."""
    inner = ctx.encoder.inner  # type: ignore[attr-defined]
    counts = {}  # a stand-in token count the passages' character order disagrees with

    def token_counts(texts: list[str]) -> list[int]:
        return [counts.setdefault(t, (len(t) * 7919) % 101) for t in texts]

    batches: list[list[str]] = []
    encode = inner.encode

    def recording(texts: list[str], **kwargs: object) -> np.ndarray:
        batches.append(list(texts))
        return encode(texts, **kwargs)

    inner.token_counts = token_counts
    inner.encode = recording
    ctx.settings.embed_batch_size = 2
    rounds = EncodeRounds(ctx)
    try:
        assert rounds.start() == 6
        assert rounds.finish() == 6
    finally:
        rounds.close()
    sent = [counts[t] for batch in batches for t in batch]
    assert len(batches) == 3 and sent == sorted(sent, reverse=True)
    stored = _vectors(ctx)
    with ctx.sessions() as session:
        texts = {p.id: p.text for p in session.scalars(select(Passage))}
    for pid, blob in stored.items():
        np.testing.assert_array_equal(np.frombuffer(blob or b"", dtype=np.float32), encode([texts[pid]])[0])
