"""Backup/restore round trips (SQLite -> SQLite and SQLite -> PostgreSQL) and `gwersi check` repair."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gwersi.backup import export_archive, import_archive
from gwersi.consistency import catalogue_counts, run_check
from gwersi.context import AppContext
from gwersi.errors import GwersiError
from gwersi.indexing import current_generation
from gwersi.ingesting import store_parsed
from gwersi.pipeline import process_new_passages
from gwersi.settings import Settings
from gwersi.tagging import add_tag, decide
from index.orm import Tag
from tests.factories import parsed_review


def _filled(settings: Settings) -> AppContext:
    ctx = AppContext(settings.model_copy(update={"tagger": "rule"}))
    store_parsed(ctx, parsed_review(), "a.md")
    store_parsed(ctx, parsed_review(reference="DHR Cardiff 2019/1", review_type="DHR", name="b.md"), "b.md")
    process_new_passages(ctx)
    with ctx.sessions() as s:
        tag = s.query(Tag).order_by(Tag.id).first()
        passage_id = s.query(Tag.passage_id).order_by(Tag.id).first()[0]  # type: ignore[index]
    assert tag is not None
    decide(ctx, tag.id, "reject", "panel-1", note="not about this")
    add_tag(ctx, passage_id, "S12", "panel-2", note="trusted adult")
    return ctx


def test_round_trip_into_an_empty_catalogue(sqlite_settings: Settings, database_url: str, tmp_path: Path) -> None:
    source = _filled(sqlite_settings)
    archive = tmp_path / "backup.tar.gz"
    manifest = export_archive(source, archive)
    assert manifest["rows"]["reviews"] == 2 and manifest["rows"]["tag_decisions"] == 2
    target = AppContext(
        Settings(data_dir=tmp_path / "restored", encoder="hashing", tagger="rule", database_url=database_url)
    )
    import_archive(target, archive)
    assert catalogue_counts(target) == catalogue_counts(source)
    with source.sessions() as a, target.sessions() as b:

        def decided(s):  # type: ignore[no-untyped-def]
            return sorted((t.id, t.standard_id, t.status, t.decided_by) for t in s.query(Tag) if t.decided_by)

        assert decided(a) == decided(b)
    assert run_check(target).ok
    # New rows after import get fresh ids (sequences were moved past the imported ones).
    store_parsed(target, parsed_review(reference="CPR X 1/2024", name="c.md"), "c.md")
    with pytest.raises(GwersiError, match="empty catalogue"):
        import_archive(target, archive)


def test_check_finds_and_repairs_a_lost_index(sqlite_settings: Settings) -> None:
    ctx = _filled(sqlite_settings)
    assert run_check(ctx).ok
    generation = current_generation(ctx.settings.index_dir)
    assert generation is not None
    for f in generation.iterdir():
        if f.name != "manifest.json":
            shutil.rmtree(f) if f.is_dir() else f.unlink()
    (ctx.settings.index_dir / ".stale.tmp").write_text("half written")
    ctx.set_search_engine(None)
    report = run_check(ctx)
    assert not report.ok and report.problems
    fixed = run_check(ctx, repair=True)
    assert fixed.ok and fixed.repaired
    assert not list(ctx.settings.index_dir.rglob("*.tmp"))


def test_a_bad_archive_is_refused(sqlite_settings: Settings, tmp_path: Path) -> None:
    bogus = tmp_path / "x.tar.gz"
    bogus.write_bytes(b"not a tarball")
    with pytest.raises(GwersiError, match="not a Gwersi archive"):
        import_archive(AppContext(sqlite_settings), bogus)


def _with_schema(archive: Path, target: Path, revision: str) -> Path:
    """A copy of ``archive`` whose manifest says it was written at schema ``revision``."""
    import io
    import json
    import tarfile

    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["schema_revision"] = revision
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return target


def test_an_archive_from_the_previous_release_is_loaded_then_upgraded(
    sqlite_settings: Settings, database_url: str, tmp_path: Path
) -> None:
    from index.db import current_revision, revisions

    source = _filled(sqlite_settings)
    export_archive(source, tmp_path / "new.tar.gz")
    archive = _with_schema(tmp_path / "new.tar.gz", tmp_path / "old.tar.gz", revisions()[-2])
    target = AppContext(
        Settings(data_dir=tmp_path / "restored", encoder="hashing", tagger="rule", database_url=database_url)
    )
    manifest = import_archive(target, archive)
    assert manifest["schema_revision"] == revisions()[-2]
    assert current_revision(target.engine) == revisions()[-1]
    assert catalogue_counts(target) == catalogue_counts(source)
    assert run_check(target).ok


def test_an_archive_from_a_newer_release_is_refused_and_nothing_is_written(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    source = _filled(sqlite_settings)
    export_archive(source, tmp_path / "new.tar.gz")
    archive = _with_schema(tmp_path / "new.tar.gz", tmp_path / "future.tar.gz", "9999")
    target = AppContext(Settings(data_dir=tmp_path / "restored", encoder="hashing", tagger="rule"))
    with pytest.raises(GwersiError, match="newer Gwersi") as caught:
        import_archive(target, archive)
    assert caught.value.status == 409
    assert catalogue_counts(target)["reviews"] == 0
