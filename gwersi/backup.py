"""Backup and restore: the whole catalogue in one archive, portable between SQLite and PostgreSQL.

The archive is a ``.tar.gz`` holding ``manifest.json`` (format version, schema revision, taxonomy
version, row counts, the index manifest if any) and one ``tables/<name>.jsonl`` per table: every
row with its primary key, so decisions, audit events and case packs keep their identity. Binary
columns (embeddings) are base64, timestamps ISO 8601. Import goes into an empty catalogue only,
in foreign-key order, in one transaction, then rebuilds the search index from the stored
embeddings (nothing is re-embedded).
"""

from __future__ import annotations

import base64
import io
import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, LargeBinary, MetaData, func, insert, select, text
from sqlalchemy.engine import Engine

from gwersi.context import AppContext
from gwersi.errors import GwersiError
from gwersi.indexing import current_generation
from index.db import current_revision, migrate, migrate_to, revisions
from index.orm import Base
from taxonomy.standards import TAXONOMY_VERSION

FORMAT = "gwersi-archive/1"


def _encode(value: Any, column: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64encode(value).decode("ascii")
    if isinstance(column.type, DateTime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    return value


def _decode(value: Any, column: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    return value


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def export_archive(ctx: AppContext, target: Path) -> dict[str, Any]:
    """Write the archive (atomically) and return its manifest."""
    counts: dict[str, int] = {}
    tmp = target.with_name(f".{target.name}.tmp")
    with ctx.engine.connect() as conn, tarfile.open(tmp, "w:gz") as tar:
        for table in Base.metadata.sorted_tables:
            lines = []
            pk = list(table.primary_key.columns)
            for row in conn.execute(select(table).order_by(*pk)).mappings():
                lines.append(json.dumps({c.name: _encode(row[c.name], c) for c in table.columns}, ensure_ascii=False))
            counts[table.name] = len(lines)
            _add(tar, f"tables/{table.name}.jsonl", ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"))
        generation = current_generation(ctx.settings.index_dir)
        index_manifest = None
        if generation is not None and (generation / "manifest.json").exists():
            index_manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "schema_revision": current_revision(ctx.engine),
            "taxonomy_version": TAXONOMY_VERSION,
            "source_dialect": ctx.engine.dialect.name,
            "rows": counts,
            "index_manifest": index_manifest,
        }
        _add(tar, "manifest.json", json.dumps(manifest, indent=2).encode("utf-8"))
    tmp.replace(target)
    return manifest


def _is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return all(conn.scalar(select(func.count()).select_from(t)) == 0 for t in Base.metadata.sorted_tables)


def import_archive(ctx: AppContext, source: Path) -> dict[str, Any]:
    """Load an archive into this (empty) catalogue, then rebuild the search index."""
    try:
        tar = tarfile.open(source, "r:gz")  # noqa: SIM115 (closed by the `with tar:` below)
    except (OSError, tarfile.TarError) as exc:
        raise GwersiError("bad_archive", f"{source.name} is not a Gwersi archive ({exc})", 422) from exc
    with tar:
        try:
            manifest = json.loads(_read(tar, "manifest.json"))
        except (KeyError, json.JSONDecodeError) as exc:
            raise GwersiError("bad_archive", f"{source.name} has no readable manifest.json", 422) from exc
        if manifest.get("format") != FORMAT:
            raise GwersiError("bad_archive", f"{source.name} is format {manifest.get('format')!r}, not {FORMAT}", 422)
        archived = manifest.get("schema_revision")
        known = revisions()
        if archived not in known:
            raise GwersiError(
                "schema_mismatch",
                f"archive schema {archived} is not one this release knows ({', '.join(known)}); "
                "it was made by a newer Gwersi: upgrade this one first",
                409,
            )
        if not _is_empty(ctx.engine):
            raise GwersiError("not_empty", "import needs an empty catalogue (a new data dir or database)", 409)
        # Load the rows into the schema they were written from, then migrate forward.
        migrate_to(ctx.engine, archived)
        try:
            _load_tables(ctx.engine, tar, source.name)
        finally:
            migrate(ctx.engine)
    from gwersi.indexing import build_index

    if manifest["rows"].get("passages"):
        build_index(ctx)
    return manifest


def _load_tables(engine: Engine, tar: tarfile.TarFile, archive_name: str) -> None:
    """Insert every archived table, in foreign-key order, in one transaction (schema as it is now)."""
    schema = MetaData()
    schema.reflect(engine)
    with engine.begin() as conn:
        for table in schema.sorted_tables:
            if table.name == "alembic_version":
                continue
            try:
                payload = _read(tar, f"tables/{table.name}.jsonl")
            except KeyError as exc:
                detail = f"{archive_name} has no rows file for table {table.name}"
                raise GwersiError("bad_archive", detail, 422) from exc
            rows = [json.loads(line) for line in payload.splitlines() if line.strip()]
            columns = {c.name: c for c in table.columns}
            if rows:
                conn.execute(insert(table), [{k: _decode(v, columns[k]) for k, v in r.items()} for r in rows])
            if conn.dialect.name == "postgresql" and rows:
                for pk in table.primary_key.columns:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk.name}'), "
                            f"(SELECT MAX({pk.name}) FROM {table.name}))"
                        )
                    )


def _read(tar: tarfile.TarFile, name: str) -> str:
    member = tar.extractfile(name)
    if member is None:
        raise KeyError(name)
    return member.read().decode("utf-8")
