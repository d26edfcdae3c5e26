"""Load test on loopback: the real API under uvicorn, 20 asyncio clients searching and deciding tags
for a bounded time while one review upload is ingested, embedded, tagged and indexed.

Steps: prepare a data dir (ingest the sample reviews, optionally replicate their passages with their
stored embeddings, no re-embedding, up to ``--replicate`` passages, then build the index); start
``uvicorn api.app:create_app --factory`` on a free 127.0.0.1 port; run ``--clients`` clients for
``--seconds``: mostly searches (mixed queries, modes, filters, pages), some passage reads, and tag
decisions with a panel token per client (each with a unique note); one upload of a held-out sample
starts a few seconds in (as a background job, polled until done). Report: requests, errors by
status, p50/p95/p99 per endpoint, the upload's outcome and duration, and lost decisions (decisions
acknowledged with 200 but missing from the catalogue's history afterwards).

Run: ``python -m bench.load_test --seconds 60 --clients 20 [--replicate 100000]
[--database-url postgresql+psycopg://postgres@127.0.0.1:55432/postgres]``. With a database URL a
fresh database is created on that server for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
UPLOAD_SAMPLE = "dhr_cardiff_2019_1.md"
"""Held back from the initial corpus and uploaded during the run."""
QUERIES = (
    "information was not shared between agencies",
    "voice of the child",
    "domestic abuse risk assessment",
    "supervision and caseloads",
    "missed opportunities for early help",
    "professional curiosity",
    "transition from children's to adult services",
    "strategy meeting did not include the GP",
    "mental health crisis team",
    "school attendance and exclusion",
    "coercive control",
    "neglect",
    "housing and poverty",
    "the child was not seen alone",
    "MARAC referral",
    "learning from the review",
    "escalation between agencies",
    "substance misuse and parenting",
    "looked after child placement",
    "recommendation to the safeguarding board",
    "health visitor home visit",
    "police notification",
)
FILTERS: tuple[dict[str, Any], ...] = (
    {},
    {},
    {},
    {"type": "CPR"},
    {"type": "DHR"},
    {"type": ["APR", "SUSR"]},
    {"board": "Gwent Safeguarding Board"},
    {"year_from": 2019, "year_to": 2024},
    {"standard": "S16"},
    {"standard": ["S04", "S23"]},
    {"section_kind": "analysis"},
    {"agency": "South Wales Police"},
)


@dataclass
class Stats:
    """Latencies by endpoint, errors, and the decisions acknowledged."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    exceptions: Counter[str] = field(default_factory=Counter)
    decisions: list[tuple[int, str]] = field(default_factory=list)
    upload: dict[str, Any] = field(default_factory=dict)
    upload_window: tuple[float, float] = (math.inf, math.inf)
    searches: list[tuple[float, float]] = field(default_factory=list)
    """(start, seconds) of every answered search, to split latencies by whether the upload was running."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def fresh_postgres(server_url: str | None, keep: bool = False) -> Iterator[str | None]:
    """A new, empty database on the server at ``server_url`` (dropped afterwards), or ``None``."""
    if not server_url:
        yield None
        return
    from sqlalchemy import create_engine, text

    name = "gwload_" + uuid.uuid4().hex[:10]
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _settings(data_dir: Path, database_url: str | None, encoder: str, tagger: str) -> Any:
    from gwersi.settings import Settings

    return Settings(data_dir=data_dir, database_url=database_url, encoder=encoder, tagger=tagger)  # type: ignore[arg-type]


def replicate(ctx: Any, target: int) -> int:
    """Copy reviews, sections, passages (with embeddings), tags and agency mentions until the catalogue
    holds about ``target`` passages; returns the passage count. Ids are assigned explicitly."""
    from sqlalchemy import func, insert, select, text

    from index.orm import AgencyMentionRow, Passage, Review, Section, Tag

    tables: dict[str, Any] = {m.__tablename__: m.__table__ for m in (Review, Section, Passage, Tag, AgencyMentionRow)}
    with ctx.engine.connect() as conn:
        rows = {name: [dict(r) for r in conn.execute(select(t)).mappings()] for name, t in tables.items()}
        stride = {name: int(conn.scalar(select(func.max(t.c.id))) or 0) + 1 for name, t in tables.items()}
    have = len(rows["passages"])
    copies = max(0, math.ceil(target / max(have, 1)) - 1)
    for c in range(1, copies + 1):

        def shift(name: str, value: int) -> int:
            return value + c * stride[name]  # noqa: B023 (used within this iteration)

        batches: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
        for r in rows["reviews"]:
            batches["reviews"].append(
                {
                    **r,
                    "id": shift("reviews", r["id"]),
                    "sha256": hashlib.sha256(f"{r['sha256']}:{c}".encode()).hexdigest(),
                    "identity_key": f"{r['identity_key']}#copy{c}"[:500],
                    "source_name": f"copy{c}-{r['source_name']}"[:500],
                }
            )
        for s in rows["sections"]:
            batches["sections"].append(
                {**s, "id": shift("sections", s["id"]), "review_id": shift("reviews", s["review_id"])}
            )
        for p in rows["passages"]:
            batches["passages"].append(
                {
                    **p,
                    "id": shift("passages", p["id"]),
                    "review_id": shift("reviews", p["review_id"]),
                    "section_id": shift("sections", p["section_id"]),
                }
            )
        for t in rows["tags"]:
            batches["tags"].append(
                {**t, "id": shift("tags", t["id"]), "passage_id": shift("passages", t["passage_id"])}
            )
        for a in rows["agency_mentions"]:
            batches["agency_mentions"].append(
                {**a, "id": shift("agency_mentions", a["id"]), "review_id": shift("reviews", a["review_id"])}
            )
        with ctx.engine.begin() as conn:
            for name in ("reviews", "sections", "passages", "tags", "agency_mentions"):
                for i in range(0, len(batches[name]), 2000):
                    conn.execute(insert(tables[name]), batches[name][i : i + 2000])
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.begin() as conn:
            for name in tables:
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))")
                )
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count(Passage.id))) or 0)


def prepare(settings: Any, replicate_to: int, clients: int) -> dict[str, Any]:
    """Ingest the samples (all but the upload sample), replicate, build the index, make tokens."""
    from gwersi.auth import create_token
    from gwersi.context import AppContext
    from gwersi.indexing import build_index
    from gwersi.ingesting import ingest_files
    from gwersi.pipeline import process_new_passages
    from index.db import transaction

    t0 = time.perf_counter()
    ctx = AppContext(settings)
    try:
        files = [p for p in sorted(SAMPLES.iterdir()) if p.name != UPLOAD_SAMPLE]
        failed = [r for r in ingest_files(ctx, files) if r.status == "failed"]
        process_new_passages(ctx)
        passages = replicate(ctx, replicate_to) if replicate_to else None
        if passages:
            build_index(ctx)
        with transaction(ctx.sessions) as session:
            panel = [create_token(session, f"load-panel-{i}", "panel", actor="load-test").token for i in range(clients)]
        from sqlalchemy import func, select

        from index.orm import Passage, Tag

        with ctx.sessions() as session:
            tag_ids = list(session.scalars(select(Tag.id)))
            passage_ids = list(session.scalars(select(Passage.id)))
            count = int(session.scalar(select(func.count(Passage.id))) or 0)
    finally:
        ctx.close()
    return {
        "panel_tokens": panel,
        "tag_ids": tag_ids,
        "passage_ids": passage_ids,
        "passages": count,
        "ingest_failures": [f.path for f in failed],
        "prepare_seconds": round(time.perf_counter() - t0, 1),
    }


def start_server(settings: Any, port: int, log: Path) -> subprocess.Popen[bytes]:
    """uvicorn with the app factory, configured through the environment like ``gwersi serve``."""
    env = {
        **os.environ,
        "GWERSI_DATA_DIR": str(settings.data_dir),
        "GWERSI_ENCODER": settings.encoder,
        "GWERSI_TAGGER": settings.tagger,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    env.pop("DATABASE_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


async def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float) -> float:
    """Seconds until ``/health/ready`` answers 200."""
    import httpx

    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with code {proc.returncode}")
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    return time.perf_counter() - t0
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError(f"the server was not ready after {timeout:.0f} s")


async def _timed(stats: Stats, name: str, call: Any) -> Any:
    import httpx

    t0 = time.perf_counter()
    try:
        response = await call
    except httpx.HTTPError as exc:
        stats.exceptions[f"{name}: {type(exc).__name__}"] += 1
        return None
    stats.latencies[name].append(time.perf_counter() - t0)
    if name.startswith("search"):
        stats.searches.append((t0, time.perf_counter() - t0))
    stats.statuses[str(response.status_code)] += 1
    if response.status_code >= 400:
        stats.errors[f"{name}: {response.status_code}"] += 1
    return response


async def client_loop(
    i: int, base: str, token: str, prep: dict[str, Any], stop_at: float, stats: Stats, think: float
) -> None:
    """One client: searches, passage reads and tag decisions until ``stop_at``."""
    import httpx

    rnd = random.Random(i)
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        n = 0
        while time.perf_counter() < stop_at:
            roll = rnd.random()
            if roll < 0.15:
                tag_id = rnd.choice(prep["tag_ids"])
                note = f"load-{i}-{n}"
                body = {"decision": rnd.choice(("confirm", "reject")), "note": note}
                r = await _timed(stats, "decision", client.post(f"/tags/{tag_id}/decision", json=body, headers=auth))
                if r is not None and r.status_code == 200:
                    stats.decisions.append((tag_id, note))
            elif roll < 0.22:
                await _timed(stats, "passage", client.get(f"/passages/{rnd.choice(prep['passage_ids'])}", headers=auth))
            else:
                mode = rnd.choices(("hybrid", "bm25", "dense"), weights=(6, 2, 2))[0]
                params = {
                    "q": rnd.choice(QUERIES),
                    "mode": mode,
                    "k": 10,
                    "offset": rnd.choice((0, 0, 0, 10)),
                    **rnd.choice(FILTERS),
                }
                await _timed(stats, f"search:{mode}", client.get("/search", params=params, headers=auth))
            n += 1
            if think:
                await asyncio.sleep(rnd.uniform(0, 2 * think))


async def upload_once(base: str, token: str, delay: float, stats: Stats) -> None:
    """Upload the held-out sample as a background job after ``delay`` s and poll it to the end."""
    import httpx

    await asyncio.sleep(delay)
    path = SAMPLES / UPLOAD_SAMPLE
    auth = {"Authorization": f"Bearer {token}"}
    t0 = time.perf_counter()
    stats.upload_window = (t0, math.inf)
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        r = await client.post(
            "/uploads",
            params={"background": "true"},
            headers=auth,
            files={"file": (path.name, path.read_bytes(), "text/markdown")},
        )
        stats.upload = {"accepted_status": r.status_code}
        if r.status_code != 202:
            stats.upload["body"] = r.text[:300]
            return
        job = r.json()
        while job.get("status") in ("queued", "running"):
            await asyncio.sleep(0.5)
            job = (await client.get(f"/jobs/{job['id']}", headers=auth)).json()
    stats.upload_window = (t0, time.perf_counter())
    stats.upload.update(
        status=job.get("status"),
        seconds=round(time.perf_counter() - t0, 1),
        result=job.get("result"),
        error=job.get("error"),
    )


def lost_decisions(settings: Any, decisions: list[tuple[int, str]]) -> int:
    """Acknowledged decisions whose note is not in the tag's history."""
    from sqlalchemy import select

    from gwersi.context import AppContext
    from index.orm import TagDecision

    ctx = AppContext(settings, migrate_schema=False)
    try:
        with ctx.sessions() as session:
            rows = session.execute(select(TagDecision.tag_id, TagDecision.note)).all()
            found = {(int(t), str(n)) for t, n in rows if t is not None}
    finally:
        ctx.close()
    return sum(1 for d in decisions if d not in found)


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    arr = np.asarray(values) * 1000
    return {
        "n": len(values),
        "p50_ms": round(float(np.percentile(arr, 50)), 1),
        "p95_ms": round(float(np.percentile(arr, 95)), 1),
        "p99_ms": round(float(np.percentile(arr, 99)), 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Prepare, serve, load, report."""
    workdir = Path(args.data_dir or tempfile.mkdtemp(prefix="gwersi-load-"))
    with fresh_postgres(args.database_url, keep=args.keep) as db_url:
        settings = _settings(workdir / "data", db_url, args.encoder, args.tagger)
        prep = prepare(settings, args.replicate, args.clients)
        port = _free_port()
        proc = start_server(settings, port, workdir / "server.log")
        base = f"http://127.0.0.1:{port}"
        stats = Stats()
        try:
            ready = asyncio.run(wait_ready(base, proc, args.ready_timeout))

            async def main() -> None:
                stop_at = time.perf_counter() + args.seconds
                tasks = [
                    client_loop(i, base, tok, prep, stop_at, stats, args.think_ms / 1000)
                    for i, tok in enumerate(prep["panel_tokens"])
                ]
                tasks.append(upload_once(base, prep["panel_tokens"][0], args.upload_at, stats))
                await asyncio.gather(*tasks)

            t0 = time.perf_counter()
            asyncio.run(main())
            elapsed = time.perf_counter() - t0
            window = min(elapsed, args.seconds)
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        lost = lost_decisions(settings, stats.decisions)
    searches = [v for k, vs in stats.latencies.items() if k.startswith("search") for v in vs]
    begin, end = stats.upload_window
    during = [v for t, v in stats.searches if begin <= t <= end]
    outside = [v for t, v in stats.searches if not begin <= t <= end]
    report = {
        "database": "postgresql" if args.database_url else "sqlite",
        "encoder": args.encoder,
        "passages": prep["passages"],
        "prepare_seconds": prep["prepare_seconds"],
        "server_ready_seconds": round(ready, 1),
        "clients": args.clients,
        "think_ms": args.think_ms,
        "seconds": round(elapsed, 1),
        "requests": sum(len(v) for v in stats.latencies.values()) + sum(stats.exceptions.values()),
        "requests_per_second": round(sum(len(v) for v in stats.latencies.values()) / window, 1),
        "statuses": dict(stats.statuses),
        "errors": dict(stats.errors),
        "exceptions": dict(stats.exceptions),
        "latency": {"search (all modes)": _percentiles(searches)}
        | {"search while the upload ran": _percentiles(during), "search otherwise": _percentiles(outside)}
        | {k: _percentiles(v) for k, v in sorted(stats.latencies.items())},
        "upload": stats.upload,
        "decisions_acknowledged": len(stats.decisions),
        "decisions_lost": lost,
        "server_log_tail": (workdir / "server.log").read_text(errors="replace")[-2000:],
    }
    if not args.keep and not args.data_dir:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line; prints the JSON report, exit 1 on any error, 5xx or lost decision."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--replicate", type=int, default=0, help="Grow the corpus to about N passages first.")
    parser.add_argument("--database-url", default=None, help="A PostgreSQL server URL (a fresh database is made).")
    parser.add_argument("--encoder", default="sentence-transformers", choices=("sentence-transformers", "hashing"))
    parser.add_argument("--tagger", default="rule", help="Tagger used by the upload (default: rule, quick).")
    parser.add_argument("--think-ms", type=float, default=0, help="Mean pause between a client's requests.")
    parser.add_argument("--upload-at", type=float, default=5.0, help="Seconds into the run when the upload starts.")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--ready-timeout", type=float, default=900)
    parser.add_argument("--keep", action="store_true", help="Keep the data dir and database.")
    args = parser.parse_args(argv)
    report = run(args)
    print(json.dumps(report, indent=2))
    bad = (
        report["errors"] or report["exceptions"] or report["decisions_lost"] or report["upload"].get("status") != "done"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
