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
        "probe_before_ps": 40.0, "probe_after_ps": 30.0,
        "peak_rss_mb": 900.0, "peak_child_rss_mb": 850.0, "load_before": "0.1", "load_after": "1.2",
    }
    text = format_result(result)
    assert "tagger build" in text and "warm-up thread" in text and "waiting for warm-up" in text
    assert "ratio (encoder alone / end to end): 0.50x" in text
    assert "lessons" in text and "peak memory: 900 MiB" in text
    assert "host drift: probe 40.0 passages/s before, 30.0 after (-25%" in text and "run again" in text


def test_a_steady_host_gets_no_warning_and_the_probe_is_fixed_sample_text() -> None:
    from bench.ingest_bench import PROBE_TEXTS, drift_line, probe_texts

    assert "run again" not in drift_line(40.0, 36.0)
    texts = probe_texts()
    assert len(texts) == PROBE_TEXTS and all(len(t) >= 200 for t in texts)
    assert texts == probe_texts()
