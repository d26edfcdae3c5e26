"""The manifest written beside the index files: what the index was built from, and with what.

Loading an index compares its manifest with what the catalogue, model and taxonomy say now and
refuses a mismatch with a message naming each difference and the command that fixes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from index.atomic import atomic_write_text
from index.errors import IndexMismatchError, IndexMissingError

MANIFEST_FILE = "manifest.json"
REBUILD_HINT = "run `gwersi index build`"
# Fields that must agree for an index to be usable; versions and times are informative only.
CHECKED_FIELDS = ("model_id", "dimension", "taxonomy_version", "passage_count", "corpus_hash")


def package_version(name: str) -> str:
    """Installed version of a distribution, or ``"unknown"``."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def corpus_hash(ids: Iterable[int], texts: Iterable[str]) -> str:
    """sha256 over the (id, text) pairs sorted by id, so the order passages come in is irrelevant."""
    pairs = sorted(zip((int(i) for i in ids), texts, strict=True))
    digest = hashlib.sha256()
    for passage_id, text in pairs:
        encoded = text.encode("utf-8")
        digest.update(f"{passage_id}\t{len(encoded)}\t".encode())
        digest.update(encoded)
    return digest.hexdigest()


@dataclass(frozen=True)
class IndexManifest:
    """Self-description of a saved index."""

    model_id: str
    dimension: int
    taxonomy_version: str
    passage_count: int
    corpus_hash: str
    index_kind: str
    created_at: str
    gwersi_version: str
    faiss_version: str
    bm25s_version: str

    @classmethod
    def create(
        cls,
        *,
        model_id: str,
        dimension: int,
        taxonomy_version: str,
        passage_count: int,
        corpus_hash: str,
        index_kind: str = "",
    ) -> IndexManifest:
        """A manifest stamped now, with the installed gwersi, faiss and bm25s versions."""
        return cls(
            model_id=model_id,
            dimension=dimension,
            taxonomy_version=taxonomy_version,
            passage_count=passage_count,
            corpus_hash=corpus_hash,
            index_kind=index_kind,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            gwersi_version=package_version("gwersi"),
            faiss_version=package_version("faiss-cpu"),
            bm25s_version=package_version("bm25s"),
        )

    def differences(self, expected: IndexManifest, checked: Sequence[str] = CHECKED_FIELDS) -> list[str]:
        """Human-readable differences in the checked fields (empty when they agree)."""
        out = []
        for name in checked:
            have, want = getattr(self, name), getattr(expected, name)
            if have != want:
                out.append(f"{name} is {have!r} in the index but {want!r} now")
        return out

    def check(self, expected: IndexManifest, checked: Sequence[str] = CHECKED_FIELDS) -> None:
        """Raise :class:`IndexMismatchError` naming every checked field that differs."""
        problems = self.differences(expected, checked)
        if problems:
            raise IndexMismatchError(
                "the search index does not match the current catalogue/model/taxonomy: "
                + "; ".join(problems)
                + f". To rebuild it, {REBUILD_HINT}."
            )

    def write(self, directory: Path | str) -> Path:
        """Write ``directory/manifest.json`` atomically; returns its path."""
        target = Path(directory) / MANIFEST_FILE
        atomic_write_text(target, json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
        return target

    @classmethod
    def read(cls, directory: Path | str) -> IndexManifest:
        """Read ``directory/manifest.json``; missing or malformed files raise clear errors."""
        path = Path(directory) / MANIFEST_FILE
        if not path.is_file():
            raise IndexMissingError(
                f"no search index at {Path(directory)} (no {MANIFEST_FILE}); {REBUILD_HINT}"
            )
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            names = {f.name for f in fields(cls)}
            missing = names - set(raw)
            if missing:
                raise ValueError(f"missing fields {sorted(missing)}")
            return cls(**{name: raw[name] for name in names})
        except (ValueError, TypeError) as exc:
            raise IndexMismatchError(f"unreadable index manifest {path} ({exc}); {REBUILD_HINT}") from exc
