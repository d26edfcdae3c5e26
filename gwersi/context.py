"""The application context: settings plus the long-lived resources built from them.

One context per process (CLI run or API server). Heavy parts (the encoder, the taggers, the search
engine) are built on first use, never at import.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gwersi.settings import Settings
from index.db import make_engine, migrate, session_factory
from ingest.limits import Limits

if TYPE_CHECKING:
    from index.encoder import Encoder


class QueryCachingEncoder:
    """Wraps an encoder; single-text calls (search queries) are answered from an LRU cache.

    Batches (passages at ingest) go straight through. Vectors are read-only copies, so a caller
    cannot change a cached one.
    """

    def __init__(self, inner: Encoder, size: int = 2048) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self.model_id = inner.model_id
        self._size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the inner encoder's model now if it loads lazily (see
        :meth:`index.encoder.SentenceTransformerEncoder.load`); raises if it cannot be loaded."""
        from index.encoder import load_now

        load_now(self.inner)

    def token_counts(self, texts: list[str]) -> list[int] | None:
        """The inner encoder's token count of each text (see :func:`index.encoder.length_order`)."""
        counts = getattr(self.inner, "token_counts", None)
        return None if counts is None else counts(texts)

    def encode(self, texts: list[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        """Encode ``texts``; a single text is looked up in (and added to) the cache."""
        if len(texts) != 1:
            return self.inner.encode(texts, batch_size=batch_size, show_progress=show_progress)
        key = texts[0]
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit[None, :]
        vector = np.array(self.inner.encode(texts)[0], dtype=np.float32)
        vector.setflags(write=False)
        with self._lock:
            self._cache[key] = vector
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return vector[None, :]


class AppContext:
    """Settings and the resources derived from them, shared by the CLI and the API."""

    def __init__(self, settings: Settings, *, migrate_schema: bool = True) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = make_engine(settings.sqlalchemy_url)
        if migrate_schema:
            migrate(self.engine)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)
        self._search_lock = threading.RLock()
        self._search_engine: Any = None
        self._taggers: dict[str, Any] = {}

    @property
    def limits(self) -> Limits:
        """Ingest safety caps from settings."""
        s = self.settings
        return Limits(max_bytes=s.max_upload_bytes, max_pages=s.max_pages, max_chars=s.max_chars)

    @cached_property
    def encoder(self) -> Encoder:
        """The passage/query encoder chosen in settings (loaded once), remembering recent single queries."""
        from index.encoder import make_encoder

        inner = make_encoder(self.settings.encoder, self.settings.embedding_model, threads=self.settings.torch_threads)
        return QueryCachingEncoder(inner)

    def search_engine_or_none(self) -> Any:
        """The loaded search engine, or ``None`` before one was built or loaded."""
        with self._search_lock:
            return self._search_engine

    def set_search_engine(self, engine: Any) -> None:
        """Swap in a new search engine; readers holding the old one keep a consistent view."""
        with self._search_lock:
            self._search_engine = engine

    def tagger_cache(self) -> dict[str, Any]:
        """Taggers built so far, by name (the tagging service fills it)."""
        return self._taggers

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()
