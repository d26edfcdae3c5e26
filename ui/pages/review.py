"""Review reader: one review's metadata, sections and passages with their tags, recommendations,
action plan, and reviews like it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import chrome, nav, render, state
from ui.shapes import Review, Section

PICK_KEY = "review_pick"


def pick_review() -> int | None:
    """The review picker, kept in step with ``?review=`` so links from other pages land here."""
    reviews = state.reviews()
    wanted = state.query_int("review")
    ids = [r["id"] for r in reviews]
    if wanted is not None and wanted not in ids:
        reviews = state.reviews(fresh=True)
        ids = [r["id"] for r in reviews]
    if not ids:
        st.info("There are no reviews yet. A panel member can upload one in the Panel workbench.")
        return None
    if wanted in ids and st.session_state.get("review_linked") != wanted:
        st.session_state[PICK_KEY] = wanted
        st.session_state["review_linked"] = wanted
    labels = {r["id"]: state.review_label(r) for r in reviews}
    picked = st.selectbox("Review", ids, format_func=labels.__getitem__, key=PICK_KEY)
    if picked is not None and state.query_int("review") != picked:
        st.query_params["review"] = str(picked)
        st.query_params.pop("passage", None)
        st.session_state["review_linked"] = picked
    return picked


def metadata(review: Review) -> None:
    """The review's facts as a two-column table, then agencies and parser notes."""
    facts = {
        "Reference": review["reference"],
        "Review type": review["review_type"],
        "Level": review["level"],
        "Criteria also met": ", ".join(review["criteria_met"]),
        "Board": review["board"],
        "Community safety partnership": review["community_safety_partnership"],
        "Year": review["year"],
        "Subject": review["subject"],
        "Age band": review["age_band"],
        "Source file": f"{review['source_name']} ({review['media_type']})",
        "Passages": review["passage_count"],
    }
    rows = [(k, str(v)) for k, v in facts.items() if v not in (None, "")]
    st.table(pd.DataFrame(rows, columns=["Fact", "Value"]).set_index("Fact"))
    if review["agencies"]:
        with st.expander(f"Agencies mentioned ({len(review['agencies'])})"):
            frame = pd.DataFrame(
                [(a["name"], render.humanise(a["kind"]), a["mentions"]) for a in review["agencies"]],
                columns=["Agency", "Kind", "Mentions"],
            )
            st.dataframe(frame, hide_index=True)
    if review["warnings"]:
        with st.expander("Notes from reading the file"):
            st.html("<ul>" + "".join(f"<li>{render.esc(w)}</li>" for w in review["warnings"]) + "</ul>")


def section_html(section: Section, titles: dict[str, str], target: int | None, only: set[str]) -> str:
    """A section's heading and its passages, each with tag chips and the evidence highlighted."""
    parts = []
    for passage in section["passages"]:
        tags = passage["tags"]
        if only and not only & {t["standard"] for t in tags if t["status"] != "rejected"}:
            continue
        is_target = passage["id"] == target
        meta = render.meta_line(
            f"¶{passage['ordinal'] + 1}",
            f"page {passage['page']}" if passage["page"] else None,
            "linked passage" if is_target else None,
        )
        marked = render.highlight(passage["text"], render.tag_spans(passage["text"], tags))
        body = render.text_block(marked, target=is_target)
        chips = render.tag_chips(tags, titles)
        parts.append(f'<div class="gw-passage" id="passage-{passage["id"]}">{meta}{body}{chips}</div>')
    if not parts:
        return ""
    tag = "h3" if section["level"] <= 1 else "h4"
    sub = render.meta_line(render.humanise(section["kind"]), f"page {section['page']}" if section["page"] else None)
    return f"<{tag}>{render.esc(section['heading'])}</{tag}>{sub}{''.join(parts)}"


def sections_tab(review: Review, titles: dict[str, str]) -> None:
    """Every section in order, optionally only passages tagged with chosen standards."""
    present = sorted({t["standard"] for s in review["sections"] for p in s["passages"] for t in p["tags"]})
    only = st.multiselect(
        "Show only passages tagged with",
        present,
        format_func=lambda sid: f"{sid} {titles.get(sid, '')}",
        key="review_only",
        placeholder="All passages",
    )
    st.caption("Highlighted text is the evidence a tag rests on. Chips: solid green = confirmed by the panel, "
               "dashed blue = suggested, grey struck-through = rejected.")
    target = state.query_int("passage")
    blocks = [section_html(s, titles, target, set(only)) for s in review["sections"]]
    shown = [b for b in blocks if b]
    if not shown:
        st.info("No passages carry the chosen standards.")
    for block in shown:
        st.html(block)
    if target is not None and not only:
        st.html(
            f"<script>const el = window.parent.document.getElementById('passage-{target}') || "
            f"document.getElementById('passage-{target}'); if (el) el.scrollIntoView({{block: 'center'}});</script>",
            unsafe_allow_javascript=True,
        )


def _without_empty_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop columns (other than the first) with nothing in any row (an action plan without statuses)."""
    keep = [i == 0 or bool((frame[c].astype(str).str.strip() != "").any()) for i, c in enumerate(frame.columns)]
    return frame.loc[:, keep]


def recommendations_tab(review: Review) -> None:
    """The recommendations as printed."""
    recs = review["recommendations"]
    if not recs:
        st.info("The reader found no recommendations in this review.")
        return
    frame = pd.DataFrame(
        [(r["number"], r["text"], r["addressee"] or "", r["status"] or "") for r in recs],
        columns=["No.", "Recommendation", "Addressed to", "Status"],
    )
    st.table(_without_empty_columns(frame).set_index("No."))


def action_plan_tab(review: Review) -> None:
    """The action plan as a table."""
    rows = review["action_plan"]
    if not rows:
        st.info("The reader found no action plan in this review.")
        return
    frame = pd.DataFrame(
        [
            (r["recommendation"] or "", r["action"], r["lead_agency"] or "", r["timescale"] or "",
             r["status"] or "", r["outcome"] or "")
            for r in rows
        ],
        columns=["Recommendation", "Action", "Lead agency", "Timescale", "Status", "Outcome"],
    )
    st.table(_without_empty_columns(frame).set_index("Recommendation"))


def similar_tab(review_id: int) -> None:
    """Reviews like this one, each with the reason."""
    similar = state.attempt(lambda: state.client().similar_reviews(review_id, k=5))
    if similar is None:
        return
    if not similar:
        st.info("No other review is close to this one yet.")
    for s in similar:
        with st.container(border=True):
            st.page_link(
                nav.REVIEW,
                label=f"{s['reference'] or s['title']} — {s['title']}",
                icon=":material/menu_book:",
                query_params={"review": str(s["review_id"])},
            )
            st.caption(f"Why: {s['reason']} (similarity {s['score']:.2f})")


def main() -> None:
    """The Review reader page."""
    chrome.page_start()
    st.title("Review reader")
    review_id = pick_review()
    if review_id is None:
        return
    review = state.attempt(lambda: state.client().review(review_id))
    if review is None:
        return
    st.header(review["title"] or review["reference"] or "Review")
    if state.can_write():
        st.page_link(
            nav.WORKBENCH,
            label="Decide this review's tags in the panel workbench",
            icon=":material/fact_check:",
            query_params={"review": str(review_id)},
        )
    titles = state.standard_titles()
    n_passages = sum(len(s["passages"]) for s in review["sections"])
    labels = [
        "About",
        f"Sections and passages ({n_passages})",
        f"Recommendations ({len(review['recommendations'])})",
        f"Action plan ({len(review['action_plan'])})",
        "Similar reviews",
    ]
    about, sections, recs, plan, similar = st.tabs(labels, default=labels[1])
    with about:
        metadata(review)
    with sections:
        sections_tab(review, titles)
    with recs:
        recommendations_tab(review)
    with plan:
        action_plan_tab(review)
    with similar:
        similar_tab(review_id)


main()
