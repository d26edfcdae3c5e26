"""`gwersi bench ingest` prints every stage, the warm-up thread's parts, the ratio and memory."""

from __future__ import annotations

from bench.ingest_bench import format_result


def test_breakdown_names_warm_up_parts_and_the_ratio() -> None:
    result = {
        "documents": 24, "passages": 765, "indexed": 765,
        "statuses": {"ingested": 24, "updated": 0, "unchanged": 0, "failed": 0},
        "stages": {"parse": 4.0, "store": 1.5, "embed": 7.0, "encoder load": 1.6, "tagger build": 3.0,
                   "waiting for warm-up": 1.1, "tag": 1.0, "index": 0.1},
        "end_to_end_s": 13.0, "encoder_alone_s": 6.5, "ratio": 0.5,
        "peak_rss_mb": 900.0, "peak_child_rss_mb": 850.0, "load_before": "0.1", "load_after": "1.2",
    }
    text = format_result(result)
    assert "tagger build" in text and "warm-up thread" in text and "waiting for warm-up" in text
    assert "ratio (encoder alone / end to end): 0.50x" in text
    assert "lessons" in text and "peak memory: 900 MiB" in text
