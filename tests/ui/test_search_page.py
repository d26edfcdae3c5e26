"""Search page: result cards, filters, "more like this" and collecting into a case pack."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import LiveApi, html_text, no_failures

PAGE = "pages/search.py"


def _search(at: AppTest, query: str) -> AppTest:
    return at.text_input(key="search_q").input(query).run()


def _cards(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.main.html if "gw-meta" in h.proto.body]


def test_results_are_cards_with_marked_snippets_and_links(make_app: Callable[..., AppTest]) -> None:
    at = _search(make_app(page=PAGE), "father")
    no_failures(at)
    cards = _cards(at)
    assert cards
    assert "<mark>Father</mark>" in cards[0]
    assert all("<script" not in card for card in cards)
    assert re.search(r'class="gw-chip"[^>]*>S\d\d ', html_text(at)), "standard chips"
    links = [link for link in at.get("page_link") if link.proto.label == "Open in review"]
    assert len(links) == len(cards)
    assert all("review=" in link.proto.query_string for link in links)
    assert any(b.label == "More like this" for b in at.button)
    assert not any(b.label == "Add to case pack" for b in at.button)  # anonymous readers cannot collect


def test_filters_narrow_the_results(make_app: Callable[..., AppTest]) -> None:
    at = _search(make_app(page=PAGE), "health")
    assert {"DHR", "CPR"} <= {t for card in _cards(at) for t in ("DHR", "CPR") if f">{t} · " in card}
    at.multiselect(key="f_types").select("DHR").run()
    no_failures(at)
    cards = _cards(at)
    assert cards and all(">DHR · " in card for card in cards)
    at.multiselect(key="f_types").unselect("DHR").run()
    wanted = int(at.slider(key="f_years").max)
    at.slider(key="f_years").set_range(wanted, wanted).run()
    assert all(f" · {wanted} · " in card for card in _cards(at))


def test_standard_filter_keeps_only_passages_with_that_standard(
    make_app: Callable[..., AppTest], live_api: LiveApi
) -> None:
    hits = live_api.get("/search", q="child", k=20).json()["data"]
    first = next(h["standards"][0] for h in hits if h["standards"])
    at = _search(make_app(page=PAGE), "child")
    at.multiselect(key="f_standards").select(first).run()
    no_failures(at)
    cards = _cards(at)
    assert cards and all(f'title="{first} ' in card for card in cards)


def test_more_like_this_shows_similar_passages_then_goes_back(make_app: Callable[..., AppTest]) -> None:
    at = _search(make_app(page=PAGE), "father")
    next(b for b in at.button if b.label == "More like this").click().run()
    no_failures(at)
    assert at.subheader[0].value.startswith("More like this:")
    assert _cards(at)
    next(b for b in at.button if b.label == "Back to search results").click().run()
    assert not [s for s in at.subheader if s.value.startswith("More like this")]
    assert "<mark>" in _cards(at)[0]


def test_panel_member_collects_a_result_into_a_new_case_pack(
    make_app: Callable[..., AppTest], live_api: LiveApi
) -> None:
    title = f"Fathers unseen {uuid.uuid4().hex[:6]}"
    at = _search(make_app("panel", page=PAGE), "father")
    at.sidebar.text_input(key="search-new-pack-title").input(title)
    next(b for b in at.sidebar.button if b.label == "Create case pack").click().run()
    no_failures(at)
    assert at.success[0].value == f"Created the case pack “{title}”."
    assert at.sidebar.selectbox(key="pack_target").value is not None
    first = next(b for b in at.button if b.label == "Add to case pack")
    passage_id = int(str(first.key).rsplit("-", 1)[1])
    first.click().run()
    no_failures(at)
    assert at.success[0].value.endswith(f"to the case pack “{title}”.")
    pack_id = at.sidebar.selectbox(key="pack_target").value
    items = live_api.get(f"/packs/{pack_id}").json()["items"]
    assert [item["passage_id"] for item in items] == [passage_id]


def test_no_match_and_blank_query_say_so_plainly(make_app: Callable[..., AppTest]) -> None:
    at = make_app(page=PAGE)
    at.text_input(key="search_q").input("   ").run()
    no_failures(at)
    assert not _cards(at) and at.caption[0].value.startswith("Search passages across the reviews")
    at.selectbox(key="f_mode").set_value("bm25")
    _search(at, "qwertyuiop")
    no_failures(at)
    assert at.info[0].value.startswith("No passages match")
