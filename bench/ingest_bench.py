"""Ingest benchmark: parse (and store) the samples replicated to N documents.

Prints parse throughput (documents/s, PDF pages/s, MB/s), store throughput into a throw-away SQLite
catalogue, and peak resident memory. Run: ``python -m bench.ingest_bench --docs 500``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import resource
import tempfile
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(docs: int = 500, samples: Path = SAMPLES, store: bool = True) -> dict[str, float]:
    """Parse ``docs`` documents cycling through the samples; optionally store each as a distinct review."""
    from ingest.pipeline import parse_file

    files = sorted(p for p in samples.iterdir() if p.suffix.lower() in (".pdf", ".docx", ".md", ".txt"))
    if not files:
        raise SystemExit(f"no samples in {samples}")
    parsed = []
    pages = 0
    pdf_docs = 0
    pdf_seconds = 0.0
    size = 0
    t0 = time.perf_counter()
    for i in range(docs):
        path = files[i % len(files)]
        t_doc = time.perf_counter()
        review = parse_file(path)
        size += path.stat().st_size
        if review.media_type == "pdf":
            pdf_seconds += time.perf_counter() - t_doc
            pages += review.page_count or 0
            pdf_docs += 1
        if store:
            parsed.append(review)
    parse_s = time.perf_counter() - t0
    result = {
        "documents": float(docs),
        "parse_seconds": parse_s,
        "documents_per_s": docs / parse_s,
        "mb_per_s": size / parse_s / 1e6,
        "pdf_pages": float(pages),
        "pdf_documents": float(pdf_docs),
        "pdf_pages_per_s": pages / pdf_seconds if pages else 0.0,
        "peak_rss_mb_after_parse": peak_rss_mb(),
    }
    if store:
        from index.db import make_engine, migrate, session_factory, transaction
        from index.store import store_review

        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
            migrate(engine)
            factory = session_factory(engine)
            t1 = time.perf_counter()
            for i, review in enumerate(parsed):
                # Each copy must be a distinct review: new hash and identity.
                copy = dataclasses.replace(
                    review,
                    sha256=hashlib.sha256(f"{review.sha256}:{i}".encode()).hexdigest(),
                    source_path=f"copy-{i}-{Path(review.source_path).name}",
                    metadata=dataclasses.replace(review.metadata, reference=None),
                )
                with transaction(factory) as session:
                    store_review(session=session, parsed=copy)
            store_s = time.perf_counter() - t1
            engine.dispose()
        result["store_seconds"] = store_s
        result["stored_documents_per_s"] = docs / store_s
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def format_result(result: dict[str, float]) -> str:
    """A small aligned table of the figures."""
    return "\n".join(f"{k:<26} {v:>12.2f}" for k, v in result.items())


def main() -> None:
    """Command-line entry: ``python -m bench.ingest_bench``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--no-store", action="store_true")
    args = parser.parse_args()
    print(format_result(run(args.docs, store=not args.no_store)))


if __name__ == "__main__":
    main()
