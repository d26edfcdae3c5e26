"""Themes: which standards the reviews keep coming back to, when and where, with the lessons behind them."""

from __future__ import annotations

import streamlit as st

from ui import charts, chrome, nav, render, state, vocab
from ui.shapes import Lesson, Standard


def heatmap_section(confirmed_only: bool, titles: dict[str, str]) -> None:
    """The standards x dimension heatmap."""
    by = st.radio(
        "Compare standards by",
        list(vocab.DIMENSIONS),
        format_func=vocab.DIMENSIONS.__getitem__,
        horizontal=True,
        key="themes_by",
        persist_state="session",
    )
    table = state.attempt(lambda: state.client().themes(by, confirmed_only=confirmed_only))
    if table is None:
        return
    if not table["cells"]:
        st.info("No tagged passages yet. Ingest reviews (or confirm tags) and the themes appear here.")
        return
    dimension = vocab.DIMENSIONS[by]
    st.altair_chart(
        charts.heatmap(charts.theme_frame(table, titles), dimension_title=dimension),
        width="stretch",
        alt=f"Heatmap of tagged passages for each standard by {dimension.lower()}",
    )


def trend_section(confirmed_only: bool, titles: dict[str, str]) -> None:
    """Trend lines per standard across review years."""
    st.subheader("Trends over time")
    table = state.attempt(lambda: state.client().themes("year", confirmed_only=confirmed_only))
    if table is None or not table["cells"]:
        return
    chosen = st.multiselect(
        "Standards to trace",
        list(titles),
        default=charts.top_standards(table),
        format_func=lambda sid: f"{sid} {render.short(titles.get(sid, ''), 40)}",
        key="themes_trend",
        max_selections=8,
    )
    if not chosen:
        st.caption("Choose one or more standards to draw their lines.")
        return
    frame = charts.trend_frame(table, chosen, titles)
    if frame["year"].nunique() < 2:
        st.caption("Trends need reviews from at least two years.")
    st.altair_chart(charts.trend_lines(frame), width="stretch", alt="Tagged passages per year for the chosen standards")


def lesson_card(lesson: Lesson) -> None:
    """One lesson: where it comes from, the passage with the evidence highlighted, a link to the review."""
    span = render.evidence_span(lesson["text"], lesson["evidence"], lesson["evidence_start"], lesson["evidence_end"])
    where = f"{lesson['reference'] or lesson['title']} ¶{lesson['paragraph']}"
    with st.container(border=True):
        st.html(
            f"<div><strong>{render.esc(where)}</strong> — {render.esc(lesson['title'])}</div>"
            + render.meta_line(
                lesson["review_type"],
                lesson["board"],
                lesson["year"],
                lesson["section_heading"],
                vocab.POLARITIES.get(lesson["polarity"], lesson["polarity"]),
                f"{lesson['status']}, score {lesson['score']:.2f}",
            )
            + render.text_block(render.highlight(lesson["text"], [span] if span else []))
        )
        st.page_link(
            nav.REVIEW,
            label="Open in review",
            icon=":material/menu_book:",
            query_params={"review": str(lesson["review_id"]), "passage": str(lesson["passage_id"])},
            help=f"Read this passage in {where}",
        )


def lessons_section(standards: list[Standard], confirmed_only: bool) -> None:
    """A chosen standard's description, must-dos and top lessons across reviews."""
    st.subheader("Lessons for a standard")
    if not standards:
        return
    by_id = {s["id"]: s for s in standards}
    busiest = max(standards, key=lambda s: s["counts"]["passages"])["id"]
    sid = st.selectbox(
        "Standard",
        list(by_id),
        index=list(by_id).index(busiest),
        format_func=lambda i: f"{i} {by_id[i]['title']} ({by_id[i]['counts']['passages']} passages)",
        key="themes_standard",
    )
    polarity = st.radio(
        "Kind of lesson",
        ["", *vocab.POLARITIES],
        format_func=lambda p: vocab.POLARITIES.get(p, "All"),
        horizontal=True,
        key="themes_polarity",
    )
    standard = by_id[sid]
    st.html(render.text_block(render.esc(standard["description"])))
    if standard["must_dos"]:
        with st.expander(f"What the standard asks for ({len(standard['must_dos'])} must dos)"):
            st.html("<ul>" + "".join(f"<li>{render.esc(m)}</li>" for m in standard["must_dos"]) + "</ul>")
    lessons = state.attempt(
        lambda: state.client().lessons(sid, limit=8, polarity=polarity or None, confirmed_only=confirmed_only)
    )
    if lessons is None:
        return
    if not lessons:
        st.info("No passages carry this standard yet (with these choices).")
    for lesson in lessons:
        lesson_card(lesson)


def main() -> None:
    """The Themes page."""
    chrome.page_start()
    st.title("Themes across the reviews")
    st.caption("How often each proposed National Standard comes up in the reviews' passages.")
    confirmed_only = st.toggle(
        "Count only panel-confirmed tags",
        key="themes_confirmed",
        help="Off: machine suggestions count too, unless a panel rejected them.",
    )
    standards = state.standards()
    titles = {s["id"]: s["title"] for s in standards}
    if not titles:
        return
    heatmap_section(confirmed_only, titles)
    trend_section(confirmed_only, titles)
    lessons_section(standards, confirmed_only)


main()
