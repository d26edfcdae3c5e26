"""Panel workbench: deciding suggested tags (most uncertain first), adding a missed standard,
and uploading a review with its progress followed to the end."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import UPLOAD_SAMPLE, LiveApi, no_failures

PAGE = "pages/workbench.py"


def _suggested(live_api: LiveApi, review_id: int) -> list[dict]:
    return live_api.get(f"/reviews/{review_id}/tags", status="suggested").json()


def _status(live_api: LiveApi, tag: dict) -> str:
    passage = live_api.get(f"/passages/{tag['passage_id']}").json()
    return next(t["status"] for t in passage["tags"] if t["id"] == tag["id"])


def test_confirm_and_reject_the_most_uncertain_suggestions(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    review_id = live_api.review_ids[1]
    at = make_app("panel", page=PAGE, review=str(review_id))
    no_failures(at)
    queue = _suggested(live_api, review_id)
    assert at.selectbox(key="wb_review").value == review_id
    assert at.subheader[0].value.startswith(f"Does this passage show {queue[0]['standard']} ")
    at.text_input(key="wb_note").input("clear evidence in the second sentence")
    next(b for b in at.button if b.key == "wb_confirm").click().run()
    no_failures(at)
    assert at.success[0].value.startswith(f"Confirmed {queue[0]['standard']} on ")
    assert _status(live_api, queue[0]) == "confirmed"
    passage = live_api.get(f"/passages/{queue[0]['passage_id']}").json()
    decision = next(t for t in passage["tags"] if t["id"] == queue[0]["id"])["decisions"][-1]
    assert decision["reviewer"].startswith("panel-user")
    assert decision["note"] == "clear evidence in the second sentence"
    following = _suggested(live_api, review_id)[0]
    assert at.subheader[0].value.startswith(f"Does this passage show {following['standard']} ")
    next(b for b in at.button if b.key == "wb_reject").click().run()
    no_failures(at)
    assert _status(live_api, following) == "rejected"
    decided = sum(1 for t in live_api.get(f"/reviews/{review_id}/tags").json() if t["status"] != "suggested")
    assert f"{decided} of " in at.get("progress")[0].proto.text


def test_skip_moves_on_without_deciding(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    review_id = live_api.review_ids[2]
    at = make_app("panel", page=PAGE, review=str(review_id))
    first = _suggested(live_api, review_id)[0]
    next(b for b in at.button if b.key == "wb_skip").click().run()
    no_failures(at)
    assert _status(live_api, first) == "suggested"
    assert first["id"] in at.session_state["wb_skipped"]


def test_adding_a_standard_the_machine_missed(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    review_id = live_api.review_ids[2]
    at = make_app("panel", page=PAGE, review=str(review_id))
    box = next(s for s in at.selectbox if s.label == "Standard to add")
    passage_id = int(str(box.key).split("_")[2].split("-")[0])
    missing = box.options[0].split(" ")[0]
    box.set_value(missing)
    next(b for b in at.button if b.label == "Add standard").click().run()
    no_failures(at)
    tags = live_api.get(f"/passages/{passage_id}").json()["tags"]
    added = next(t for t in tags if t["standard"] == missing)
    assert added["status"] == "confirmed" and added["decided_by"].startswith("panel-user")


def test_uploading_a_review_follows_the_job_to_its_tags(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    at = make_app("panel", page=PAGE)
    at.file_uploader(key="wb_upload_file").set_value((UPLOAD_SAMPLE.name, UPLOAD_SAMPLE.read_bytes(), "text/markdown"))
    at.run()
    next(b for b in at.button if b.key == "wb_upload").click().run()
    no_failures(at)
    reviews = live_api.get("/reviews").json()["data"]
    uploaded = next(r for r in reviews if r["source_name"] == UPLOAD_SAMPLE.name)
    assert at.success[0].value.startswith(f"{UPLOAD_SAMPLE.name} is ready:")
    assert at.selectbox(key="wb_review").value == uploaded["id"]
    assert at.subheader, "the new review's suggestions are shown"


def test_an_unsupported_upload_is_refused_in_a_sentence(make_app: Callable[..., AppTest]) -> None:
    at = make_app("panel", page=PAGE)
    at.file_uploader(key="wb_upload_file").set_value(("notes.txt", b"\x00\x01\x02 binary", "text/plain"))
    at.run()
    next(b for b in at.button if b.key == "wb_upload").click().run()
    assert not at.exception
    assert [e.value.split(":")[0] for e in at.error] == ["notes.txt"]
    assert at.error[0].value.endswith(".") and "Traceback" not in at.error[0].value
