"""Themes page: the standards heatmap by year, board or review type, trend lines, and lessons."""

from __future__ import annotations

import json
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import LiveApi, no_failures

PAGE = "pages/themes.py"


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_heatmap_and_trends_by_year(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    at = make_app(page=PAGE)
    no_failures(at)
    heatmap, trends = _charts(at)
    assert heatmap["layer"][0]["encoding"]["x"]["title"] == "Year"
    years = {r["year"] for r in live_api.get("/reviews").json()["data"]}
    assert [int(k) for k in heatmap["layer"][0]["encoding"]["x"]["scale"]["domain"]] == sorted(years)
    assert len(heatmap["layer"][0]["encoding"]["y"]["scale"]["domain"]) == 26
    assert trends["mark"]["type"] == "line"
    assert at.multiselect(key="themes_trend").value  # the busiest standards are traced by default


def test_switching_the_heatmap_to_boards(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    at = make_app(page=PAGE)
    at.radio(key="themes_by").set_value("board").run()
    no_failures(at)
    x = _charts(at)[0]["layer"][0]["encoding"]["x"]
    boards = {r["board"] for r in live_api.get("/reviews").json()["data"]}
    assert x["title"] == "Board"
    assert set(x["scale"]["domain"]) == boards


def test_lessons_for_a_standard_highlight_the_evidence(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    at = make_app(page=PAGE)
    chosen = at.selectbox(key="themes_standard").value
    expected = live_api.get(f"/standards/{chosen}/lessons", limit=8).json()
    lessons = [h.proto.body for h in at.main.html if "¶" in h.proto.body]
    assert len(lessons) == len(expected) > 0
    assert all("<mark>" in body for body in lessons)
    links = [link for link in at.get("page_link") if link.proto.label == "Open in review"]
    assert f"passage={expected[0]['passage_id']}" in links[0].proto.query_string
    at.radio(key="themes_polarity").set_value("recommendation").run()
    no_failures(at)
    shown = [h.proto.body for h in at.main.html if "¶" in h.proto.body]
    assert all("Recommendation" in body for body in shown)


def test_confirmed_only_counts_run_cleanly(make_app: Callable[..., AppTest]) -> None:
    at = make_app(page=PAGE)
    at.toggle(key="themes_confirmed").set_value(True).run()
    no_failures(at)
