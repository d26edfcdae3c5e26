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


def test_the_cpu_ceiling_follows_from_the_core_seconds() -> None:
    from bench.ingest_bench import cpu_lines

    result = {"passages": 1000, "end_to_end_s": 100.0, "encoder_alone_s": 70.0,
              "end_to_end_cpu_s": 190.0, "encoder_alone_cpu_s": 140.0}
    cpu, ceiling = cpu_lines(result, cpus=2)
    assert cpu == ("CPU: end to end 190.0 core-s in 100.0 s (95% of 2 CPUs); "
                   "encoder alone 140.0 core-s (140.0 ms a passage)")
    # 2 cores x 70 s alone / 190 core-s = 0.74x at best; 0.8x allows 2 x 70 / 0.8 = 175 core-s,
    # 35 beyond what the encoding costs alone, where 50 are spent now
    assert ceiling == ("ceiling at this CPU cost: 0.74x; 0.8x needs at most 175 core-s end to end, "
                       "i.e. 35 beyond the encoder alone's (now 50)")


def test_a_steady_host_gets_no_warning_and_the_probe_is_fixed_sample_text() -> None:
    from bench.ingest_bench import PROBE_TEXTS, drift_line, probe_texts

    assert "run again" not in drift_line(40.0, 36.0)
    texts = probe_texts()
    assert len(texts) == PROBE_TEXTS and all(len(t) >= 200 for t in texts)
    assert texts == probe_texts()


def test_repeated_runs_end_with_the_median_ratio_and_the_spread() -> None:
    from bench.ingest_bench import repeat_line

    runs = [{"ratio": r, "end_to_end_s": e, "encoder_alone_s": a}
            for r, e, a in ((0.70, 406.3, 283.9), (0.82, 405.0, 333.6), (0.74, 410.0, 300.0))]
    assert repeat_line(runs) == ("3 runs: ratios 0.70x, 0.82x, 0.74x; median 0.74x; "
                                 "end to end 405.0-410.0 s; encoder alone 283.9-333.6 s")
    assert "median 0.76x" in repeat_line(runs[:2])
