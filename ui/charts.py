"""Altair charts for the Themes page, built from the API's theme tables (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from ui.shapes import ThemeTable

UNKNOWN = "Unknown"
ROW_PX = 24


def key_label(key: str | int | None) -> str:
    """A dimension value as shown on an axis (``None`` is 'Unknown')."""
    return UNKNOWN if key is None else str(key)


def standard_label(sid: str, titles: Mapping[str, str], limit: int = 48) -> str:
    """``S04 Overarching multi-agency…`` for axis labels."""
    title = titles.get(sid, "")
    text = f"{sid} {title}".strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def theme_frame(table: ThemeTable, titles: Mapping[str, str]) -> pd.DataFrame:
    """One row per (standard, value) with counts, every standard x value present (zeros filled)."""
    keys = [key_label(k) for k in table["keys"]]
    counts = {(c["standard"], key_label(c["key"])): (c["passages"], c["reviews"]) for c in table["cells"]}
    rows = []
    for sid in titles:
        for key in keys:
            passages, reviews = counts.get((sid, key), (0, 0))
            rows.append(
                {
                    "standard": sid,
                    "label": standard_label(sid, titles),
                    "title": titles[sid],
                    "key": key,
                    "passages": passages,
                    "reviews": reviews,
                }
            )
    return pd.DataFrame(rows, columns=["standard", "label", "title", "key", "passages", "reviews"])


def heatmap(frame: pd.DataFrame, *, dimension_title: str) -> alt.LayerChart:
    """Standards (rows) x dimension values (columns), shaded by tagged passages, counts printed."""
    order = list(dict.fromkeys(frame["label"]))
    columns = list(dict.fromkeys(frame["key"]))
    base = alt.Chart(frame).encode(
        x=alt.X(
            "key:N",
            title=dimension_title,
            sort=columns,
            scale=alt.Scale(domain=columns),
            axis=alt.Axis(orient="top", labelAngle=0, labelLimit=160, labelOverlap=False),
        ),
        y=alt.Y(
            "label:N",
            title=None,
            sort=order,
            scale=alt.Scale(domain=order),
            axis=alt.Axis(labelLimit=360, labelOverlap=False, labelFontSize=12),
        ),
        tooltip=[
            alt.Tooltip("standard:N", title="Standard"),
            alt.Tooltip("title:N", title="Title"),
            alt.Tooltip("key:N", title=dimension_title),
            alt.Tooltip("passages:Q", title="Tagged passages"),
            alt.Tooltip("reviews:Q", title="Reviews"),
        ],
    )
    peak = max(1, int(frame["passages"].max()) if len(frame) else 1)
    grid = base.mark_rect(color="#f4f6fa", stroke="white")
    cells = (
        base.transform_filter(alt.datum.passages > 0)
        .mark_rect(stroke="white")
        .encode(
            color=alt.Color(
                "passages:Q",
                title="Tagged passages",
                scale=alt.Scale(scheme="blues", domain=[0, peak]),
            )
        )
    )
    text = (
        base.transform_filter(alt.datum.passages > 0)
        .mark_text(fontSize=12)
        .encode(
            text=alt.Text("passages:Q"),
            color=alt.condition(alt.datum.passages > peak * 0.5, alt.value("white"), alt.value("#1b1b1b")),
        )
    )
    return (grid + cells + text).properties(height=ROW_PX * len(order), width="container")


def trend_frame(table: ThemeTable, standards: Sequence[str], titles: Mapping[str, str]) -> pd.DataFrame:
    """Passages per year for the chosen standards, zeros filled, unknown years left out."""
    years = sorted(k for k in table["keys"] if isinstance(k, int))
    counts = {(c["standard"], c["key"]): c["passages"] for c in table["cells"]}
    rows = [
        {
            "standard": sid,
            "label": standard_label(sid, titles, 40),
            "year": year,
            "passages": counts.get((sid, year), 0),
        }
        for sid in standards
        for year in years
    ]
    return pd.DataFrame(rows, columns=["standard", "label", "year", "passages"])


def trend_lines(frame: pd.DataFrame) -> alt.Chart:
    """One line per standard across the years."""
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Year of review", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("passages:Q", title="Tagged passages"),
            color=alt.Color(
                "label:N",
                title="Standard",
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(orient="right", labelLimit=360),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Standard"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("passages:Q", title="Tagged passages"),
            ],
        )
        .properties(height=320, width="container")
    )


def top_standards(table: ThemeTable, n: int = 5) -> list[str]:
    """The ``n`` standards with most tagged passages."""
    ranked = sorted(table["totals"].items(), key=lambda item: (-item[1], item[0]))
    return [sid for sid, _ in ranked[:n]]
