"""The application context: settings plus the long-lived resources built from them.

One context per process (CLI run or API server). Heavy parts (the encoder, the taggers, the search
engine) are built on first use, never at import.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gwersi.settings import Settings
from index.db import make_engine, migrate, session_factory
from ingest.limits import Limits

if TYPE_CHECKING:
    from index.encoder import Encoder


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
        """The passage/query encoder chosen in settings (loaded once)."""
        from index.encoder import make_encoder

        return make_encoder(self.settings.encoder, self.settings.embedding_model)

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
