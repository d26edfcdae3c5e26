"""Ingest benchmark: the whole ingest, stage by stage, against the encoder alone in the same run.

1. The corpus: the samples as they are, or replicated to ``--docs`` documents. Each copy is
   perturbed deterministically (its printed reference gets a copy number, in the file's own text
   layer: Markdown text, DOCX XML, PDF content stream), so every copy is a distinct review that is
   really parsed, stored, embedded, tagged and indexed (same-hash or same-reference copies would be
   no-ops or updates).
2. End to end: :func:`gwersi.pipeline.ingest_and_process` (what ``gwersi ingest`` runs) into a fresh
   throw-away data folder, with a fresh context, so the encoder and the tagger are loaded inside the
   timed window. Stage seconds come from :class:`ingest.timing.StageTimes` (parse stages are summed
   over worker processes, so they can add up to more than the wall time).
3. The encoder alone: the same passages (read back from the catalogue) encoded in one call by the
   same packaged model, timed in the same process right after.
4. A drift check: this host's speed wanders (the encoder alone took 268-339 s on the same passages
   in one day), and steps 2 and 3 are minutes apart. So a fixed probe (:data:`PROBE_TEXTS`
   paragraphs of the Markdown samples) is encoded before step 2 and again after step 3, each time in
   a fresh child process (so this one stays cold, as a real ingest starts, and the two probes are
   alike). The ratio is trustworthy when the two probe rates agree; the printout says how far apart
   they are.

Prints both, their ratio (encoder seconds / end-to-end seconds: 1.0 means ingest costs no more
than embedding), peak memory (this process, and the largest child) and the machine load before
and after. Run: ``gwersi bench ingest --docs 500`` or ``python -m bench.ingest_bench --docs 24``.

``--repeat N`` runs steps 2 to 4 N times, one after the other, each in a fresh process (so each
starts cold), and ends with the median ratio and the spread of each figure (:func:`repeat_line`).
Two back-to-back runs at 500 documents here took 406.3 and 405.0 s end to end while the encoder
alone took 283.9 and 333.6 s: the single ratio (0.70x, then 0.82x) moves with the host more than
with the code.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import resource
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
FORMATS = (".pdf", ".docx", ".md", ".txt")
_DIGITS = re.compile(r"\d+")
PROBE_TEXTS = 384
"""Paragraphs in the drift probe (about 10 s of encoding here)."""
TARGET_RATIO = 0.8
"""The ratio ingest is aimed at (encoder alone / end to end)."""
DRIFT_WARNING = 0.15
"""Probe rates further apart than this get a warning. Three probes in a row on a quiet host here
gave 30.2-39.8 passages/s, so a smaller gap can be the probe's own noise."""


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_child_rss_mb() -> float:
    """Peak resident memory of the largest finished child process (parse workers, index builds), MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User plus system CPU seconds so far of this process and of its children that have been
    waited for (parse workers, the encoder process: both are joined before ingest returns)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def cpu_lines(result: dict[str, Any], cpus: int, target: float = TARGET_RATIO) -> list[str]:
    """What the run cost in CPU, and the best ratio that CPU cost allows on ``cpus`` cores.

    Ingest keeps the cores busy (parse workers, the encoder, storing and tagging overlap), so its
    wall time cannot fall below its CPU seconds over the core count. The encoding costs at least
    what it costs alone, so the ratio is bounded by the CPU spent beyond that (parsing, storing,
    tagging, loading, and any extra the encoder pays inside ingest): the second line says how much
    of it the target allows.
    """
    used, alone_cpu = result["end_to_end_cpu_s"], result["encoder_alone_cpu_s"]
    wall, alone = result["end_to_end_s"], result["encoder_alone_s"]
    budget = cpus * alone / target  # core-seconds the whole ingest may use to reach the target
    return [
        f"CPU: end to end {used:.1f} core-s in {wall:.1f} s ({used / (wall * cpus):.0%} of {cpus} CPUs); "
        f"encoder alone {alone_cpu:.1f} core-s ({1000 * alone_cpu / max(1, result['passages']):.1f} ms a passage)",
        f"ceiling at this CPU cost: {alone * cpus / used:.2f}x; {target:.1f}x needs at most {budget:.0f} core-s "
        f"end to end, i.e. {budget - alone_cpu:.0f} beyond the encoder alone's (now {used - alone_cpu:.0f})",
    ]


def load_average() -> str:
    """The 1/5/15-minute load averages, as ``uptime`` prints them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ---------------------------------------------------------------------------- corpus


def sample_files(samples: Path = SAMPLES) -> list[Path]:
    """The sample review files, sorted."""
    files = sorted(p for p in samples.iterdir() if p.suffix.lower() in FORMATS)
    if not files:
        raise SystemExit(f"no samples in {samples}")
    return files


def copy_reference(reference: str, copy: int) -> str:
    """The reference of copy ``copy`` (1-899): its first number becomes ``100 + copy``.

    Three digits, as board sequence numbers are printed, and never a sample's own number.
    """
    match = _DIGITS.search(reference)
    if match is None:
        return f"{reference} {100 + copy}"
    return f"{reference[: match.start()]}{100 + copy}{reference[match.end() :]}"


def _pdf_literal(text: str) -> bytes:
    """``text`` as it appears inside a PDF literal string (WinAnsi, octal escapes past ASCII)."""
    out = bytearray()
    for byte in text.encode("cp1252", "replace"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte >= 0x80:
            out += f"\\{byte:03o}".encode()
        else:
            out.append(byte)
    return bytes(out)


def perturb(data: bytes, suffix: str, reference: str, copy: int) -> bytes:
    """The file ``data`` with its printed ``reference`` replaced by :func:`copy_reference`.

    A reference wrapped over two lines is caught by its number part ("02/2026"), replaced too
    when it is long enough to be unambiguous. Raises ``ValueError`` if nothing was replaced.
    """
    pairs = [(reference, copy_reference(reference, copy))]
    match = _DIGITS.search(reference)
    if match is not None and len(reference) - match.start() >= 6:
        pairs.append((reference[match.start() :], copy_reference(reference[match.start() :], copy)))
    if suffix in (".md", ".txt"):
        text = data.decode("utf-8")
        if reference not in text:
            raise ValueError("reference not found")
        for old, new in pairs:
            text = text.replace(old, new)
        return text.encode("utf-8")
    if suffix == ".docx":
        return _perturb_docx(data, pairs)
    return _perturb_pdf(data, pairs)


def _perturb_docx(data: bytes, pairs: list[tuple[str, str]]) -> bytes:
    from xml.sax.saxutils import escape

    encoded = [(escape(old).encode(), escape(new).encode()) for old, new in pairs]
    out = io.BytesIO()
    found = False
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = src.read(info)
            if info.filename.endswith(".xml"):
                found = found or encoded[0][0] in member
                for old, new in encoded:
                    member = member.replace(old, new)
            dst.writestr(info, member)
    if not found:
        raise ValueError("reference not found")
    return out.getvalue()


def _perturb_pdf(data: bytes, pairs: list[tuple[str, str]]) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream

    encoded = [(_pdf_literal(old), _pdf_literal(new)) for old, new in pairs]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    found = False
    for page in writer.pages:
        contents = page.get_contents()
        if contents is None:
            continue
        raw = changed = contents.get_data()
        found = found or encoded[0][0] in raw
        for old, new in encoded:
            changed = changed.replace(old, new)
        if changed != raw:
            stream = ContentStream(None, writer)
            stream.set_data(changed)
            page.replace_contents(stream)
    if not found:
        raise ValueError("reference not found")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def replicate(docs: int, folder: Path, samples: Path = SAMPLES) -> list[Path]:
    """Write ``docs`` files to ``folder``: the samples as they are, then perturbed copies, cycling.

    A sample whose reference cannot be found in its text layer is copied under a new name only
    (its identity is then its file name, still distinct).
    """
    from ingest.pipeline import parse_file

    files = sample_files(samples)
    folder.mkdir(parents=True, exist_ok=True)
    references: dict[Path, str | None] = {}
    out: list[Path] = []
    for i in range(docs):
        source = files[i % len(files)]
        copy = i // len(files)
        target = folder / f"{source.stem}--{copy:03d}{source.suffix}"
        data = source.read_bytes()
        if copy:
            if source not in references:
                references[source] = parse_file(source).metadata.reference
            reference = references[source]
            if reference:
                with contextlib.suppress(ValueError):  # not found: the copy keeps the file-name identity
                    data = perturb(data, source.suffix.lower(), reference, copy)
        target.write_bytes(data)
        out.append(target)
    return out


# ---------------------------------------------------------------------------- drift probe


def probe_texts(samples: Path = SAMPLES, count: int = PROBE_TEXTS) -> list[str]:
    """``count`` paragraphs (at least 200 characters) of the Markdown samples, in file order, cycling."""
    paragraphs = [
        block.strip()
        for path in sorted(samples.glob("*.md"))
        for block in path.read_text(encoding="utf-8").split("\n\n")
        if len(block.strip()) >= 200
    ]
    if not paragraphs:
        raise SystemExit(f"no Markdown paragraphs for the drift probe in {samples}")
    return [paragraphs[i % len(paragraphs)] for i in range(count)]


def encode_rate(encoder: Any, texts: list[str], batch_size: int) -> float:
    """Passages per second encoding ``texts`` with a loaded, warmed ``encoder``."""
    encoder.encode(texts[:8], batch_size=batch_size)  # the first call pays torch's lazy set-up
    start = time.perf_counter()
    encoder.encode(texts, batch_size=batch_size)
    return len(texts) / (time.perf_counter() - start)


def _probe_in_child(settings: Any, texts: list[str]) -> float:
    from index.encoder import make_encoder

    encoder = make_encoder(settings.encoder, settings.embedding_model, threads=settings.torch_threads)
    return encode_rate(encoder, texts, settings.embed_batch_size)


def probe_rate_in_child(settings: Any, texts: list[str]) -> float:
    """:func:`encode_rate` in a fresh spawned process, so this one imports nothing for it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_probe_in_child, settings, texts).result()


# ---------------------------------------------------------------------------- runs


def run(docs: int | None = None, samples: Path = SAMPLES, *, workers: int | None = None) -> dict[str, Any]:
    """Ingest the corpus end to end, then encode the same passages alone; return every figure."""
    from sqlalchemy import select

    from gwersi.context import AppContext
    from gwersi.pipeline import ingest_and_process
    from gwersi.settings import Settings
    from index.orm import Passage
    from ingest.timing import StageTimes

    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="gwersi-bench-") as tmp:
        root = Path(tmp)
        if docs is None or docs == len(sample_files(samples)):
            corpus = samples
            count = len(sample_files(samples))
        else:
            corpus = root / "corpus"
            count = len(replicate(docs, corpus, samples))
        overrides: dict[str, Any] = {"data_dir": root / "data", "database_url": None}
        if workers is not None:
            overrides["ingest_workers"] = workers
        settings = Settings(**overrides)
        probe = probe_texts(samples)
        probe_before = probe_rate_in_child(settings, probe)
        ctx = AppContext(settings)
        times = StageTimes()
        start, cpu_start = time.perf_counter(), cpu_seconds()
        results, report = ingest_and_process(ctx, [corpus], times=times)
        end_to_end, end_to_end_cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        statuses = {s: sum(1 for r in results if r.status == s) for s in ("ingested", "updated", "unchanged", "failed")}
        with ctx.sessions() as session:
            texts = list(session.scalars(select(Passage.text).order_by(Passage.id)))
        encoder = ctx.encoder
        start, cpu_start = time.perf_counter(), cpu_seconds()
        encoder.encode(texts, batch_size=settings.embed_batch_size)
        encoder_alone, encoder_alone_cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        ctx.close()
        probe_after = probe_rate_in_child(settings, probe)
    return {
        "documents": count,
        "statuses": statuses,
        "passages": len(texts),
        "indexed": report.indexed if report else 0,
        "end_to_end_s": end_to_end,
        "encoder_alone_s": encoder_alone,
        "end_to_end_cpu_s": end_to_end_cpu,
        "encoder_alone_cpu_s": encoder_alone_cpu,
        "ratio": encoder_alone / end_to_end,
        "probe_before_ps": probe_before,
        "probe_after_ps": probe_after,
        "stages": times.as_dict(),
        "peak_rss_mb": peak_rss_mb(),
        "peak_child_rss_mb": peak_child_rss_mb(),
        "load_before": load_before,
        "load_after": load_average(),
    }


def format_result(result: dict[str, Any]) -> str:
    """The breakdown as an aligned table, then the ratio and memory lines."""
    from ingest.timing import STAGES

    stages = result["stages"]
    lines = [
        f"documents {result['documents']}  passages {result['passages']}  indexed {result['indexed']}  "
        + "  ".join(f"{k} {v}" for k, v in result["statuses"].items()),
        f"{'stage':<12} {'seconds':>9}",
    ]
    parts = {
        "encoder load": "embed",
        "tagger build": "embed",
        "waiting for warm-up": "embed",
        "waiting for the encoder": "embed",
    }
    for name in STAGES:
        shown = f"{stages[name]:9.2f}" if name in stages else "        -"
        note = "   (not run by ingest: built on first request)" if name == "lessons" and name not in stages else ""
        note = "   (summed over parse workers)" if name in ("sniff", "parse", "structure", "metadata") else note
        note = "   (on a thread, while this process stores and tags)" if name == "embed" else note
        lines.append(f"{name:<12} {shown}{note}")
        for part, owner in parts.items():
            if owner == name and part in stages:
                where = "   (warm-up thread, while workers parse)" if part in ("encoder load", "tagger build") else ""
                lines.append(f"  {part:<26} {stages[part]:8.2f}{where}")
    for name in sorted(set(stages) - set(STAGES) - set(parts)):
        lines.append(f"{name:<12} {stages[name]:9.2f}")
    lines += [
        f"{'end to end':<12} {result['end_to_end_s']:9.2f}   "
        f"({result['documents'] / result['end_to_end_s']:.2f} documents/s, "
        f"{result['passages'] / result['end_to_end_s']:.1f} passages/s)",
        f"{'encoder alone':<12} {result['encoder_alone_s']:8.2f}   "
        f"({result['passages'] / result['encoder_alone_s']:.1f} passages/s, same passages, same run)",
        f"ratio (encoder alone / end to end): {result['ratio']:.2f}x",
        *(cpu_lines(result, os.cpu_count() or 1) if "end_to_end_cpu_s" in result else []),
        drift_line(result["probe_before_ps"], result["probe_after_ps"]),
        f"peak memory: {result['peak_rss_mb']:.0f} MiB (this process), "
        f"{result['peak_child_rss_mb']:.0f} MiB (largest child)",
        f"load average: {result['load_before']} before, {result['load_after']} after ({os.cpu_count()} CPUs)",
    ]
    return "\n".join(lines)


def drift_line(before: float, after: float) -> str:
    """The drift probe's two rates and how far apart they are, with a warning past :data:`DRIFT_WARNING`."""
    change = after / before - 1
    line = (
        f"host drift: probe {before:.1f} passages/s before, {after:.1f} after ({change:+.0%}, "
        f"{PROBE_TEXTS} sample paragraphs)"
    )
    if abs(change) > DRIFT_WARNING:
        line += ": the host's speed changed during the run, so the ratio is off by about as much; run again"
    return line


def repeat_line(results: list[dict[str, Any]]) -> str:
    """One line over repeated runs: each ratio, their median, and the range of both timings."""
    ratios = [r["ratio"] for r in results]
    ends = [r["end_to_end_s"] for r in results]
    alone = [r["encoder_alone_s"] for r in results]
    shown = ", ".join(f"{ratio:.2f}x" for ratio in ratios)
    return (
        f"{len(results)} runs: ratios {shown}; median {statistics.median(ratios):.2f}x; "
        f"end to end {min(ends):.1f}-{max(ends):.1f} s; encoder alone {min(alone):.1f}-{max(alone):.1f} s"
    )


def run_in_child(docs: int | None, *, workers: int | None = None) -> dict[str, Any]:
    """:func:`run` in a fresh spawned process: every repeat starts cold (its own imports, model load
    and peak memory), as the first run in this process does."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result: dict[str, Any] = pool.submit(run, docs, SAMPLES, workers=workers).result()
        return result


def report(docs: int | None, *, workers: int | None = None, repeat: int = 1) -> str:
    """Run the benchmark ``repeat`` times; each run's printout, then :func:`repeat_line` if more than one.

    One run is measured in this process; repeats each run in a fresh process (:func:`run_in_child`).
    """
    if repeat <= 1:
        return format_result(run(docs, workers=workers))
    results = [run_in_child(docs, workers=workers) for _ in range(repeat)]
    return "\n\n".join([*(format_result(r) for r in results), repeat_line(results)])


def main() -> None:
    """Command-line entry: ``python -m bench.ingest_bench``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=None, help="documents (default: the samples once)")
    parser.add_argument("--workers", type=int, default=None, help="parse worker processes (default: settings)")
    parser.add_argument("--keep-corpus", type=Path, default=None, help="also write the replicated corpus here")
    parser.add_argument("--repeat", type=int, default=1, help="runs, one after the other (median ratio printed)")
    args = parser.parse_args()
    if args.keep_corpus is not None:
        shutil.rmtree(args.keep_corpus, ignore_errors=True)
        replicate(args.docs or len(sample_files()), args.keep_corpus)
    print(report(args.docs, workers=args.workers, repeat=args.repeat))


if __name__ == "__main__":
    main()
