"""Panel workbench: upload a review and watch it being processed, then decide the machine's
suggested tags, most uncertain first, with progress and agreement shown as you go."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pandas as pd
import streamlit as st

from ui import chrome, render, state, vocab, widgets
from ui.agreement import Agreement, after_decision, machine_agreement
from ui.client import ApiError, sentence
from ui.shapes import Job, Tag, UploadResult, WorkbenchTag

PICK_KEY = "wb_review"
NOTE_KEY = "wb_note"
POLL_SECONDS = 0.5
MAX_WAIT_SECONDS = 900
UPLOAD_TYPES = ["pdf", "docx", "txt", "md"]
JOB_STEPS = {
    "queued": (0.25, "Waiting for the indexer"),
    "running": (0.6, "Reading, embedding, tagging and indexing"),
    "done": (1.0, "Done"),
    "failed": (1.0, "Failed"),
}


# --- upload ---------------------------------------------------------------------------------
def _wait_for(job: Job, name: str, status: Any, bar: Any) -> UploadResult | None:
    """Poll a job until it finishes, showing each step; the result, or ``None`` after an error."""
    api = state.client()
    started = time.monotonic()
    seen = ""
    while True:
        fraction, words = JOB_STEPS.get(job["status"], (0.5, job["status"]))
        if job["status"] != seen:
            seen = job["status"]
            bar.progress(fraction, text=words)
            status.write(f"{words}…" if seen in ("queued", "running") else words)
        if seen == "done":
            return job["result"]  # type: ignore[return-value]
        if seen == "failed":
            error = job["error"] or {"detail": "the job failed without a reason"}
            status.update(label=f"{name} could not be processed", state="error", expanded=True)
            st.error(render_sentence(str(error.get("detail", ""))))
            return None
        if time.monotonic() - started > MAX_WAIT_SECONDS:
            status.update(label=f"{name} is still being processed", state="error")
            st.warning("Processing is taking long; the review will appear in the list when it is done.")
            return None
        time.sleep(POLL_SECONDS)
        status.update(label=f"{name}: {words.lower()}… ({time.monotonic() - started:.0f} s)", expanded=True)
        try:
            job = api.job(job["id"])
        except ApiError as exc:
            status.update(label=f"Lost track of {name}", state="error")
            st.error(exc.message)
            return None


def render_sentence(text: str) -> str:
    """A job's error detail as a sentence."""
    return sentence(text.strip() or "the review could not be processed")


def upload_section() -> None:
    """Upload a review file and follow its processing."""
    with st.expander("Upload a review", expanded=not state.reviews()):
        file = st.file_uploader(
            "Review file (PDF, DOCX, TXT or Markdown)", type=UPLOAD_TYPES, key="wb_upload_file"
        )
        if not st.button("Upload and process", key="wb_upload", disabled=file is None, icon=":material/upload:"):
            return
        assert file is not None
        name = file.name
        with st.status(f"Uploading {name}…", expanded=True) as status:
            bar = st.progress(0.1, text="Uploading")
            try:
                answer = state.client().upload(name, file.getvalue(), background=True)
            except ApiError as exc:
                status.update(label=f"{name} was not accepted", state="error")
                st.error(exc.message)
                return
            status.write("Uploaded and checked")
            result = _wait_for(answer, name, status, bar) if "kind" in answer else answer  # type: ignore[arg-type]
            if result is None:
                return
            status.update(
                label=f"{name}: {result['status']}, {result['passages_added']} passages added", state="complete"
            )
    if result.get("review_id"):
        state.reviews(fresh=True)
        st.session_state[PICK_KEY] = result["review_id"]
        st.success(f"{name} is ready: {result['passages_added']} new passages. Its suggested tags are below.")


# --- deciding -------------------------------------------------------------------------------
def _agreement() -> Agreement:
    found = st.session_state.get("wb_agreement")
    return found if isinstance(found, Agreement) else Agreement()


def _decide(tag: WorkbenchTag, decision: str, earlier: dict[str, int]) -> None:
    """Record a decision, and whether it agrees with the panel's earlier majority for the standard."""
    note = (st.session_state.get(NOTE_KEY) or "").strip() or None
    try:
        state.client().decide(tag["id"], decision, note=note, expected_version=tag["version"])
    except ApiError as exc:
        widgets.flash("error", exc.message)
        return
    st.session_state[NOTE_KEY] = ""
    st.session_state["wb_agreement"] = after_decision(_agreement(), decision, earlier)
    verb = "Confirmed" if decision == "confirm" else "Rejected"
    widgets.flash("success", f"{verb} {tag['standard']} on “{render.short(tag['passage_text'], 70)}”.")


def _skip(tag_id: int) -> None:
    st.session_state.setdefault("wb_skipped", set()).add(tag_id)


def _add_standard(passage_id: int, key: str) -> None:
    sid = st.session_state.get(f"{key}-standard")
    evidence = (st.session_state.get(f"{key}-evidence") or "").strip()
    if not sid:
        widgets.flash("error", "Choose the standard to add.")
        return
    try:
        state.client().add_tag(passage_id, sid, evidence=evidence)
    except ApiError as exc:
        widgets.flash("error", exc.message)
        return
    st.session_state[f"{key}-evidence"] = ""
    widgets.flash("success", f"Added {sid} to passage {passage_id}, confirmed as yours.")


def progress_panel(tags: list[WorkbenchTag]) -> None:
    """How far the panel has got with this review, and how decisions agree."""
    counts = Counter(t["status"] for t in tags)
    decided = counts["confirmed"] + counts["rejected"]
    total = len(tags)
    st.progress(decided / total if total else 1.0, text=f"Progress: {decided} of {total} tags decided")
    machine = machine_agreement(counts)
    earlier = _agreement().label()
    st.html(
        '<div class="gw-meta">'
        f"<strong>{counts['suggested']}</strong> left · <strong>{counts['confirmed']}</strong> confirmed · "
        f"<strong>{counts['rejected']}</strong> rejected · "
        f'<span title="Share of decided suggestions the panel confirmed">machine agreed with the panel: '
        f"<strong>{machine}</strong></span> · "
        '<span title="Your decisions this session that matched the panel\'s earlier majority for the same '
        f'standard in this review">your agreement with earlier decisions: <strong>{earlier}</strong></span></div>'
    )


def decision_buttons(tag: WorkbenchTag, earlier: dict[str, int]) -> None:
    """Confirm, reject or skip (also keys Y, N and S), with an optional note."""
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.button("Confirm", key="wb_confirm", type="primary", shortcut="Y", icon=":material/check:",
                  on_click=_decide, args=(tag, "confirm", earlier), help="Confirm this standard (key Y)")
        st.button("Reject", key="wb_reject", shortcut="N", icon=":material/close:",
                  on_click=_decide, args=(tag, "reject", earlier), help="Reject this standard (key N)")
        st.button("Skip for now", key="wb_skip", shortcut="S", on_click=_skip, args=(tag["id"],),
                  help="Come back to it later (key S)")
        st.text_input("Note for the record (optional)", key=NOTE_KEY, max_chars=2000)


def current_card(tag: WorkbenchTag, tags: list[WorkbenchTag], titles: dict[str, str]) -> None:
    """The most uncertain undecided tag, with the decision buttons, its passage and history."""
    sid = tag["standard"]
    detail = state.attempt(lambda: state.client().passage(tag["passage_id"]))
    earlier = Counter(t["status"] for t in tags if t["standard"] == sid and t["status"] != "suggested")
    others: list[Tag] = [t for t in detail["tags"] if t["id"] != tag["id"]] if detail else []
    with st.container(border=True):
        st.subheader(f"Does this passage show {sid} {titles.get(sid, '')}?")
        st.caption(
            f"Suggested by the {tag['tagger']} tagger · score {tag['score']:.2f} "
            f"(nearer 0.5 is less certain) · {vocab.POLARITIES.get(tag['polarity'], tag['polarity'])}"
        )
        decision_buttons(tag, dict(earlier))
        span = render.evidence_span(tag["passage_text"], tag["evidence"], tag["evidence_start"], tag["evidence_end"])
        where = ""
        if detail is not None:
            where = render.meta_line(
                f"{detail['review']['reference'] or detail['review']['title']} ¶{detail['paragraph']}",
                detail["section_heading"],
                f"page {detail['page']}" if detail["page"] else None,
                "highlighted: the evidence the tagger used",
            )
        chips = render.tag_chips(others, titles)
        st.html(
            where
            + render.text_block(render.highlight(tag["passage_text"], [span] if span else []))
            + (f'<div class="gw-meta">Other tags on this passage:</div>{chips}' if chips else "")
        )
        history = [d for t in (detail["tags"] if detail else []) if t["id"] == tag["id"] for d in t["decisions"]]
        for d in history:
            st.caption(f"Earlier: {d['decision']} by {d['reviewer']} ({d['decided_at'][:10]})")
        if earlier:
            st.caption(
                f"Earlier in this review the panel confirmed {sid} {earlier['confirmed']} times "
                f"and rejected it {earlier['rejected']} times."
            )
    add_standard(tag["passage_id"], {t["standard"] for t in [tag, *others]}, titles)


def add_standard(passage_id: int, present: set[str], titles: dict[str, str]) -> None:
    """Add a standard the machine missed on this passage."""
    key = f"wb_add_{passage_id}"
    with st.expander("Add a standard the machine missed on this passage"):
        options = [sid for sid in titles if sid not in present]
        st.selectbox(
            "Standard to add", options, index=None, key=f"{key}-standard",
            format_func=lambda sid: f"{sid} {titles.get(sid, '')}", placeholder="Choose a standard",
        )
        st.text_input("Evidence sentence (optional)", key=f"{key}-evidence", max_chars=2000)
        st.button("Add standard", key=f"{key}-add", on_click=_add_standard, args=(passage_id, key))


def queue_table(queue: list[WorkbenchTag], titles: dict[str, str]) -> None:
    """The next suggestions in the queue."""
    if len(queue) < 2:
        return
    with st.expander(f"Up next ({len(queue) - 1} more)"):
        frame = pd.DataFrame(
            [(t["standard"], titles.get(t["standard"], ""), round(t["score"], 2), render.short(t["passage_text"], 90))
             for t in queue[1:21]],
            columns=["Standard", "Title", "Score", "Passage"],
        )
        st.dataframe(frame, hide_index=True)


def pick_review() -> int | None:
    """The review to work on (``?review=`` picks it when arriving from the reader)."""
    reviews = state.reviews()
    ids = [r["id"] for r in reviews]
    wanted = state.query_int("review")
    if wanted in ids and st.session_state.get("wb_linked") != wanted:
        st.session_state[PICK_KEY] = wanted
        st.session_state["wb_linked"] = wanted
    if not ids:
        st.info("Upload a review to start.")
        return None
    labels = {r["id"]: state.review_label(r) for r in reviews}
    picked = st.selectbox("Review to work on", ids, format_func=labels.__getitem__, key=PICK_KEY)
    if picked is not None and state.query_int("review") != picked:
        st.query_params["review"] = str(picked)
        st.session_state["wb_linked"] = picked
    return picked


def main() -> None:
    """The Panel workbench page."""
    chrome.page_start()
    st.title("Panel workbench")
    if not state.can_write():
        st.warning("The workbench is for panel members and administrators. Sign in with a panel token.")
        return
    widgets.show_flash()
    upload_section()
    review_id = pick_review()
    if review_id is None:
        return
    tags = state.attempt(lambda: state.client().review_tags(review_id))
    if tags is None:
        return
    titles = state.standard_titles()
    progress_panel(tags)
    skipped: set[int] = st.session_state.setdefault("wb_skipped", set())
    queue = [t for t in tags if t["status"] == "suggested" and t["id"] not in skipped]
    if not queue:
        left = sum(1 for t in tags if t["status"] == "suggested")
        st.success("Every suggested tag in this review is decided." if not left else
                   f"You skipped the last {left} suggestions.")
        if left:
            st.button("Show skipped suggestions again", key="wb_unskip",
                      on_click=lambda: st.session_state.__setitem__("wb_skipped", set()))
        return
    current_card(queue[0], tags, titles)
    queue_table(queue, titles)


main()
