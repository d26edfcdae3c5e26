"""Review reader: metadata, sections in order with tagged passages, recommendations, action plan,
similar reviews."""

from __future__ import annotations

import html
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import LiveApi, no_failures

PAGE = "pages/review.py"


def _first_tagged_passage(review: dict) -> dict:
    return next(p for s in review["sections"] for p in s["passages"] if p["tags"])


def test_a_linked_passage_is_marked_in_its_review(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    review_id = live_api.review_ids[0]
    review = live_api.get(f"/reviews/{review_id}").json()
    passage = _first_tagged_passage(review)
    at = make_app(page=PAGE, review=str(review_id), passage=str(passage["id"]))
    no_failures(at)
    assert at.selectbox(key="review_pick").value == review_id
    assert at.header[0].value == review["title"]
    bodies = [h.proto.body for h in at.main.html]
    headings = [s["heading"] for s in review["sections"] if s["passages"]]
    positions = [next(i for i, b in enumerate(bodies) if html.escape(h) in b) for h in headings]
    assert positions == sorted(positions), "sections in the review's order"
    target = next(b for b in bodies if f'id="passage-{passage["id"]}"' in b)
    block = target.split(f'id="passage-{passage["id"]}"', 1)[1]
    assert "gw-target" in block.split("gw-passage", 1)[0]
    assert "<mark>" in block.split("gw-passage", 1)[0]
    assert f"{passage['tags'][0]['standard']} " in block and "· suggested" in block


def test_recommendations_action_plan_and_similar_reviews(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    review_id = live_api.review_ids[0]
    review = live_api.get(f"/reviews/{review_id}").json()
    at = make_app(page=PAGE, review=str(review_id))
    no_failures(at)
    facts, recommendations, plan = at.table
    assert review["reference"] in facts.value.to_string()
    assert list(recommendations.value["Recommendation"]) == [r["text"] for r in review["recommendations"]]
    assert list(plan.value["Action"]) == [a["action"] for a in review["action_plan"]]
    similar = live_api.get(f"/reviews/{review_id}/similar", k=5).json()
    assert [c.value for c in at.caption if c.value.startswith("Why:")] == [
        f"Why: {s['reason']} (similarity {s['score']:.2f})" for s in similar
    ]


def test_choosing_another_review_updates_the_address(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    first, second = live_api.review_ids[:2]
    at = make_app(page=PAGE, review=str(first))
    at.selectbox(key="review_pick").set_value(second).run()
    no_failures(at)
    assert at.query_params["review"] in (str(second), [str(second)])
    assert at.header[0].value == live_api.get(f"/reviews/{second}").json()["title"]


def test_filtering_passages_by_standard(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    review_id = live_api.review_ids[1]
    at = make_app(page=PAGE, review=str(review_id))
    chosen = at.multiselect(key="review_only").options[0].split(" ")[0]
    at.multiselect(key="review_only").select(chosen).run()
    no_failures(at)
    passages = [part for h in at.main.html for part in h.proto.body.split('class="gw-passage"')[1:]]
    assert passages and all(f'title="{chosen} ' in p for p in passages)


def test_panel_members_get_a_link_to_the_workbench(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    review_id = live_api.review_ids[0]
    for role, expected in (("reader", False), ("panel", True)):
        at = make_app(role, page=PAGE, review=str(review_id))
        links = [link for link in at.get("page_link") if "workbench" in link.proto.label]
        assert bool(links) is expected
