"""A mutation fuzzer for the ingest parsers: N executions over the sample reviews, in worker processes.

Each execution takes one seed (a sample PDF, DOCX or Markdown file, or a small seed derived from
one: a single PDF page with its streams inflated, a DOCX cut to a few paragraphs, a window of
Markdown), applies a few random mutations (bit flips, interesting bytes, truncation, inserted
junk and format tokens, deleted or duplicated ranges, splices; for DOCX also edits inside the
archive's XML, re-zipped) and calls :func:`ingest.pipeline.parse_bytes`. The only acceptable
outcomes are a :class:`~ingest.models.ParsedReview` whose offsets hold, or a documented
:class:`~ingest.errors.IngestError`.

Workers run with an address-space cap (``RLIMIT_AS``) and a per-file limit on CPU seconds
(``RLIMIT_CPU``, raised before each file, so a busy machine does not turn slow files into false
hangs); the parent also kills a worker stuck for ten times that in wall-clock time (a blocked,
not spinning, parser). Outcomes are counted: ``ok``, ``ingest_error`` (by code), ``invariant``
(a parse whose offsets are wrong), ``other`` (any other exception), ``timeout`` (over the CPU
limit), ``hang`` (over the wall-clock backstop), ``memory`` (MemoryError or peak RSS over half
the cap), ``died`` (the worker vanished otherwise). Every input that is not ``ok``/``ingest_error`` is saved under
``test-artifacts/fuzz/`` with a note saying how to reproduce it. Inputs are a pure function of
``(--seed, execution number)``, so any execution can be regenerated.

Run: ``python -m bench.fuzz_parsers --executions 100000 --workers 2 --minutes 20``. SIGTERM or
SIGINT stops it early: the files in flight finish and the report is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import multiprocessing as mp
import os
import random
import re
import resource
import signal
import sys
import time
import traceback
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
ARTIFACTS = REPO / "test-artifacts" / "fuzz"
GIB = 1 << 30

BAD_OUTCOMES = ("invariant", "other", "timeout", "hang", "memory", "died")
WALL_FACTOR = 10.0
"""The wall-clock backstop is this many times the CPU limit."""

_TOKENS: tuple[bytes, ...] = (
    b"%PDF-1.7", b"%%EOF", b"obj", b"endobj", b"stream\n", b"\nendstream", b"xref", b"trailer", b"startxref",
    b"<<", b">>", b"[", b"]", b"(", b")", b"\\", b"/Length 999999999", b"/Count 1000000", b"/Kids [1 0 R]",
    b"/Type /Page", b"/Type /Pages", b"/Filter /FlateDecode", b"/Filter /LZWDecode", b"/Filter /ASCII85Decode",
    b"/ObjStm", b"1 0 R", b"-1", b"99999999999999999999", b"0.000000001", b"1e308", b"NaN",
    b"BT", b"ET", b"Tj", b"TJ", b"Tf", b"Td", b"cm", b"q", b"Q", b"Do",
    b"<w:p>", b"</w:p>", b"<w:t>", b"</w:t>", b"<w:tbl>", b"<w:tr>", b"<w:tc>", b'<w:gridSpan w:val="99999"/>',
    b'<w:numPr><w:ilvl w:val="9"/><w:numId w:val="99"/></w:numPr>', b'<w:pStyle w:val="Heading9"/>',
    b'<w:vMerge w:val="restart"/>', b"&#0;", b"&#xFFFF;", b"&amp;", b"<![CDATA[", b"]]>",
    b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>', b"&x;",
    b"\n# ", b"\n## ", b"\n### ", b"\n1. ", b"\n- ", b"\n| a | b |\n|---|---|\n| c | d |\n", b"\r\n", b"\r",
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xe2\x80\xa8", b"\xe2\x80\xae", b"\xcc\x81" * 50, b"\t" * 100,
    b"Recommendation 1", b"Action plan", b"Child A", b"aged 3", b"Safeguarding Board", b"CPR 1/2020",
)
_INTERESTING = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x0D, 0x20, 0x25, 0x28, 0x29, 0x3C, 0x3E, 0x5C)
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Seed:
    """One starting input: its file name (the extension chooses the parser) and bytes."""

    name: str
    data: bytes
    members: tuple[tuple[str, bytes], ...] = ()
    """For DOCX: the archive's members, so mutations can edit the XML and re-zip."""


def _pdf_pages(data: bytes, name: str) -> list[Seed]:
    """Single-page PDFs from one sample, their streams stored inflated (so mutations hit content)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject, StreamObject

    out = []
    reader = PdfReader(io.BytesIO(data))
    for number, page in enumerate(reader.pages, start=1):
        writer = PdfWriter()
        writer.add_page(page)
        for i, obj in enumerate(writer._objects):
            if isinstance(obj, StreamObject) and "/Filter" in obj:
                plain = DecodedStreamObject()
                for key, value in obj.items():
                    if key not in ("/Filter", "/DecodeParms", "/Length"):
                        plain[NameObject(key)] = value
                plain.set_data(obj.get_data())
                writer._objects[i] = plain
        buf = io.BytesIO()
        writer.write(buf)
        out.append(Seed(f"{Path(name).stem}-p{number}.pdf", buf.getvalue()))
    return out


def _docx_members(data: bytes) -> tuple[tuple[str, bytes], ...]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return tuple((info.filename, archive.read(info)) for info in archive.infolist())


def _zip(members: tuple[tuple[str, bytes], ...] | list[tuple[str, bytes]], stored: bool = False) -> bytes:
    buf = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buf, "w", method) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def _small_docx(seed: Seed, paragraphs: int) -> Seed:
    """The DOCX with its body cut to its first ``paragraphs`` paragraphs and tables."""
    members = dict(seed.members)
    xml = members["word/document.xml"]
    head, sep, rest = xml.partition(b"<w:body>")
    blocks = re.findall(rb"<w:(?:p|tbl)\b.*?</w:(?:p|tbl)>", rest, flags=re.S)
    tail = rest[rest.rfind(b"<w:sectPr") :] if b"<w:sectPr" in rest else b"</w:body></w:document>"
    members["word/document.xml"] = head + sep + b"".join(blocks[:paragraphs]) + tail
    items = tuple(members.items())
    return Seed(f"{Path(seed.name).stem}-short.docx", _zip(items), items)


def load_seeds(folder: Path = SAMPLES) -> list[Seed]:
    """The sample files plus small seeds derived from them (one page, a few paragraphs)."""
    seeds: list[Seed] = []
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            seeds.append(Seed(path.name, data))
            seeds.extend(_pdf_pages(data, path.name))
        elif suffix == ".docx":
            full = Seed(path.name, data, _docx_members(data))
            seeds.extend([full, _small_docx(full, 12)])
        elif suffix in (".md", ".txt"):
            seeds.append(Seed(path.name, data))
    return seeds


def _bytes_mutation(rnd: random.Random, data: bytearray, donors: list[Seed]) -> str:
    """Apply one random byte-level mutation in place; return its name."""
    n = len(data)
    kind = rnd.choice(
        ("flip", "flip", "byte", "interesting", "token", "token", "junk", "delete", "duplicate", "number", "splice")
    )
    if n == 0:
        kind = "junk"
    pos = rnd.randrange(n) if n else 0
    if kind == "flip":
        data[pos] ^= 1 << rnd.randrange(8)
    elif kind == "byte":
        data[pos] = rnd.randrange(256)
    elif kind == "interesting":
        data[pos] = rnd.choice(_INTERESTING)
    elif kind == "token":
        data[pos:pos] = rnd.choice(_TOKENS)
    elif kind == "junk":
        data[pos:pos] = rnd.randbytes(rnd.choice((1, 4, 16, 256, 4096)))
    elif kind == "delete":
        del data[pos : pos + rnd.choice((1, 8, 64, 1024, n))]
    elif kind == "duplicate":
        length = rnd.choice((4, 64, 1024, 8192))
        data[pos:pos] = data[pos : pos + length] * rnd.choice((1, 2, 16))
    elif kind == "number":
        found = list(_NUMBER.finditer(bytes(data[max(0, pos - 2000) : pos + 2000])))
        if found:
            m = rnd.choice(found)
            start = max(0, pos - 2000) + m.start()
            data[start : start + len(m.group())] = rnd.choice(
                (b"0", b"-1", b"2147483648", b"99999999999", b"1e9", b"-0.0", str(rnd.randrange(10**6)).encode())
            )
    elif kind == "splice":
        donor = rnd.choice(donors).data
        cut = rnd.randrange(len(donor)) if donor else 0
        data[pos:] = donor[cut:]
    return kind


def _mutate_bytes(rnd: random.Random, data: bytes, donors: list[Seed], ops: int) -> tuple[bytes, list[str]]:
    buf = bytearray(data)
    done = [_bytes_mutation(rnd, buf, donors) for _ in range(ops)]
    if rnd.random() < 0.15:
        buf = buf[: rnd.randrange(len(buf) + 1)]
        done.append("truncate")
    return bytes(buf), done


FORMAT_WEIGHTS = {".md": 0.45, ".docx": 0.30, ".pdf": 0.25}
"""Share of executions per seed format (text is cheapest to parse, PDF dearest)."""


def _pick_seed(rnd: random.Random, seeds: list[Seed]) -> Seed:
    groups: dict[str, list[Seed]] = {}
    for s in seeds:
        suffix = Path(s.name).suffix.lower()
        groups.setdefault(".md" if suffix in (".md", ".txt") else suffix, []).append(s)
    formats = [f for f in FORMAT_WEIGHTS if f in groups]
    chosen = rnd.choices(formats, weights=[FORMAT_WEIGHTS[f] for f in formats])[0]
    return rnd.choice(groups[chosen])


def mutate(seeds: list[Seed], iteration: int, base_seed: int) -> tuple[str, bytes, str]:
    """The input for execution ``iteration``: ``(file name, bytes, what was done)`` (deterministic)."""
    rnd = random.Random(f"{base_seed}:{iteration}")
    roll = rnd.random()
    if roll < 0.04:
        ext = rnd.choice((".pdf", ".docx", ".md", ".txt", ".markdown"))
        prefix = rnd.choice((b"", b"%PDF-1.4\n", b"PK\x03\x04", b"# Title\n", b"\xef\xbb\xbf"))
        data = prefix + rnd.randbytes(rnd.choice((0, 1, 16, 512, 8192)))
        return f"random{ext}", data, "random bytes"
    seed = _pick_seed(rnd, seeds)
    ops = rnd.choice((1, 1, 2, 3, 5, 10))
    if seed.members and roll < 0.55:
        members = list(seed.members)
        weights = [8 if n == "word/document.xml" else 2 if n.endswith(".xml") else 1 for n, _ in members]
        index = rnd.choices(range(len(members)), weights=weights)[0]
        name, xml = members[index]
        mutated, done = _mutate_bytes(rnd, xml, seeds, ops)
        members[index] = (name, mutated)
        if rnd.random() < 0.1:
            del members[rnd.randrange(len(members))]
            done.append("drop-member")
        stored = rnd.random() < 0.3
        return seed.name, _zip(members, stored=stored), f"{seed.name}: {name}: {','.join(done)} (re-zipped)"
    data = seed.data
    how = ""
    if seed.name.endswith((".md", ".txt")) and rnd.random() < 0.6:
        size = rnd.choice((256, 1024, 4096))
        start = rnd.randrange(max(1, len(data) - size))
        data = data[start : start + size]
        how = f"window {start}+{size}; "
    mutated, done = _mutate_bytes(rnd, data, seeds, ops)
    return seed.name, mutated, f"{seed.name}: {how}{','.join(done)}"


def check_parsed(parsed: Any) -> str | None:
    """``None`` when a parse result is sound, else what is wrong (offsets must slice the text)."""
    text = parsed.text
    for p in parsed.passages:
        if not (0 <= p.char_start <= p.char_end <= len(text)) or text[p.char_start : p.char_end] != p.text:
            return f"passage {p.ordinal}: text[{p.char_start}:{p.char_end}] != passage text"
    for s in parsed.sections:
        if not (0 <= s.char_start <= s.char_end <= len(text)):
            return f"section {s.ordinal}: offsets {s.char_start}:{s.char_end} outside the text"
    for r in parsed.recommendations:
        if r.char_start is not None and r.char_end is not None and not (0 <= r.char_start <= r.char_end <= len(text)):
            return f"recommendation {r.number}: offsets outside the text"
    return None


def run_one(data: bytes, name: str, *, rss_limit_kib: int | None = None) -> tuple[str, str]:
    """Parse one input and classify the outcome: ``(outcome, detail)``."""
    from ingest.errors import IngestError
    from ingest.pipeline import parse_bytes

    try:
        parsed = parse_bytes(data, name)
    except IngestError as exc:
        if "MemoryError" in exc.reason:
            return "memory", exc.reason
        outcome, detail = "ingest_error", exc.code
    except MemoryError:
        return "memory", "MemoryError"
    except Exception:  # the property under test: nothing but IngestError may escape
        return "other", traceback.format_exc(limit=12)
    else:
        problem = check_parsed(parsed)
        outcome, detail = ("invariant", problem) if problem else ("ok", "")
    if rss_limit_kib is not None and resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > rss_limit_kib:
        return "memory", f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB ({outcome})"
    return outcome, detail


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _worker(conn: Connection, started: Any, slot: int, base_seed: int, mem_bytes: int, cpu_limit: float) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
    _soft, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    import logging
    import warnings

    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    seeds = load_seeds()
    rss_limit = mem_bytes // 2 // 1024
    while True:
        job = conn.recv()
        if job is None:
            return
        name, data, _how = mutate(seeds, job, base_seed)
        resource.setrlimit(resource.RLIMIT_CPU, (int(_cpu_seconds() + cpu_limit) + 1, hard_cpu))
        started[slot] = time.monotonic()
        t0 = time.perf_counter()
        outcome, detail = run_one(data, name, rss_limit_kib=rss_limit)
        started[slot] = 0.0
        conn.send((job, outcome, detail, time.perf_counter() - t0, Path(name).suffix))
        if outcome == "memory":
            return  # the peak RSS is sticky: start a fresh worker


@dataclass
class _Slot:
    proc: Any
    conn: Connection
    job: int | None = None


@dataclass
class FuzzReport:
    """Counts of outcomes, and where the bad inputs went."""

    executions: int = 0
    seconds: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    ingest_codes: Counter[str] = field(default_factory=Counter)
    by_format: dict[str, Counter[str]] = field(default_factory=dict)
    saved: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "executions": self.executions,
            "seconds": round(self.seconds, 1),
            "executions_per_second": round(self.executions / self.seconds, 2) if self.seconds else None,
            "outcomes": dict(self.outcomes),
            "ingest_error_codes": dict(self.ingest_codes),
            "by_format": {k: dict(v) for k, v in sorted(self.by_format.items())},
            "saved": self.saved,
        }


def _save(seeds: list[Seed], job: int, base_seed: int, outcome: str, detail: str, out_dir: Path) -> str:
    name, data, how = mutate(seeds, job, base_seed)
    digest = hashlib.sha1(data).hexdigest()[:12]
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{outcome}-{digest}{Path(name).suffix}"
    target.write_bytes(data)
    note = (
        f"outcome: {outcome}\nfile name given to the parser: {name}\nmutation: {how}\n"
        f"regenerate: python -m bench.fuzz_parsers --seed {base_seed} --replay {job}\n\n{detail}\n"
    )
    target.with_suffix(target.suffix + ".txt").write_text(note, encoding="utf-8")
    return str(target.relative_to(REPO) if target.is_relative_to(REPO) else target)


def fuzz(
    executions: int = 100_000,
    *,
    workers: int = 2,
    seed: int = 1,
    time_limit: float = 10.0,
    mem_bytes: int = 2 * GIB,
    minutes: float | None = None,
    out_dir: Path = ARTIFACTS,
    progress: bool = True,
) -> FuzzReport:
    """Run up to ``executions`` mutated inputs (or until ``minutes`` pass) and count outcomes."""
    ctx = mp.get_context("fork")
    started = ctx.Array("d", workers, lock=False)
    seeds = load_seeds()
    report = FuzzReport()
    t0 = time.monotonic()
    deadline = t0 + minutes * 60 if minutes else None

    def spawn(i: int) -> _Slot:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, started, i, seed, mem_bytes, time_limit), daemon=True)
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def record(job: int, outcome: str, detail: str, suffix: str) -> None:
        report.executions += 1
        report.outcomes[outcome] += 1
        report.by_format.setdefault(suffix or "?", Counter())[outcome] += 1
        if outcome == "ingest_error":
            report.ingest_codes[detail] += 1
        if outcome in BAD_OUTCOMES:
            report.saved.append(_save(seeds, job, seed, outcome, detail, out_dir))

    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True  # finish the files in flight, then report

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    slots = [spawn(i) for i in range(workers)]
    next_job = 0
    last_print = t0
    try:
        while True:
            out_of_time = stopping or (deadline is not None and time.monotonic() > deadline)
            for slot in slots:
                if slot.job is None and next_job < executions and not out_of_time:
                    slot.job = next_job
                    next_job += 1
                    slot.conn.send(slot.job)
            busy = [s for s in slots if s.job is not None]
            if not busy:
                break
            for ready in wait([s.conn for s in busy], timeout=0.5):
                slot = next(s for s in busy if s.conn is ready)
                i = slots.index(slot)
                try:
                    message: tuple[int, str, str, float, str] = slot.conn.recv()
                    job, outcome, detail, _elapsed, suffix = message
                except (EOFError, OSError):
                    slot.proc.join(5)
                    job = slot.job if slot.job is not None else -1
                    name, _data, _ = mutate(seeds, job, seed)
                    code = slot.proc.exitcode
                    if code == -signal.SIGXCPU:
                        record(job, "timeout", f"over {time_limit:.1f} CPU seconds", Path(name).suffix)
                    else:
                        record(job, "died", f"worker exit code {code}", Path(name).suffix)
                    slots[i] = spawn(i)
                    continue
                record(job, outcome, detail, suffix)
                slot.job = None
                if outcome == "memory":
                    slot.proc.join(5)
                    slots[i] = spawn(i)
            now = time.monotonic()
            for i, slot in enumerate(slots):
                began = started[i]
                if slot.job is not None and began and now - began > time_limit * WALL_FACTOR:
                    slot.proc.kill()
                    slot.proc.join()
                    started[i] = 0.0
                    name, _data, _ = mutate(seeds, slot.job, seed)
                    record(slot.job, "hang", f"over {time_limit * WALL_FACTOR:.0f} wall-clock s", Path(name).suffix)
                    slots[i] = spawn(i)
            if progress and now - last_print > 30:
                last_print = now
                rate = report.executions / (now - t0)
                print(f"[{now - t0:7.0f} s] {report.executions} executions ({rate:.1f}/s) {dict(report.outcomes)}",
                      file=sys.stderr, flush=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for slot in slots:
            if slot.proc.is_alive():
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
                slot.proc.join(2)
                if slot.proc.is_alive():
                    slot.proc.kill()
    report.seconds = time.monotonic() - t0
    return report


def replay(job: int, base_seed: int, out: Path | None) -> int:
    """Regenerate one execution's input, optionally save it, parse it and print the outcome."""
    seeds = load_seeds()
    name, data, how = mutate(seeds, job, base_seed)
    if out is not None:
        out.write_bytes(data)
    outcome, detail = run_one(data, name)
    print(json.dumps({"name": name, "bytes": len(data), "mutation": how, "outcome": outcome, "detail": detail}))
    return 0 if outcome in ("ok", "ingest_error") else 1


def main(argv: list[str] | None = None) -> int:
    """Command line: run the fuzzer and print a JSON report (exit 1 if any bad outcome)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0, help="CPU seconds per file before it is a timeout.")
    parser.add_argument("--memory-mib", type=int, default=2048, help="Address-space cap per worker (RLIMIT_AS).")
    parser.add_argument("--minutes", type=float, default=None, help="Stop after this long even if N is not reached.")
    parser.add_argument("--out", type=Path, default=ARTIFACTS, help="Where crashing inputs are saved.")
    parser.add_argument("--replay", type=int, default=None, help="Regenerate and parse one execution's input.")
    parser.add_argument("--save", type=Path, default=None, help="With --replay: write the input here.")
    args = parser.parse_args(argv)
    if args.replay is not None:
        return replay(args.replay, args.seed, args.save)
    report = fuzz(
        args.executions,
        workers=args.workers,
        seed=args.seed,
        time_limit=args.time_limit,
        mem_bytes=args.memory_mib << 20,
        minutes=args.minutes,
        out_dir=args.out,
    )
    print(json.dumps(report.as_json(), indent=2))
    return 1 if any(report.outcomes[o] for o in BAD_OUTCOMES) else 0


if __name__ == "__main__":
    sys.exit(main())
