"""Pure parts of the explorer: problem+json as sentences, escaping and highlighting, chart frames."""

from __future__ import annotations

import httpx
import pytest

from ui import agreement, charts, nav, render
from ui.client import ApiClient, ApiError, error_from_response
from ui.state import api_url


def _reply(status: int, body: object = None, *, text: str | None = None, media: str = "application/problem+json"):
    if text is not None:
        return httpx.Response(status, text=text, headers={"content-type": "text/plain"})
    return httpx.Response(status, json=body, headers={"content-type": media})


@pytest.mark.parametrize(
    ("response", "sentence", "code"),
    [
        (
            _reply(403, {"type": "urn:gwersi:problem:forbidden", "title": "Forbidden", "status": 403,
                         "detail": "this needs the panel role; your token has reader", "code": "forbidden"}),
            "This needs the panel role; your token has reader.",
            "forbidden",
        ),
        (
            _reply(401, {"title": "Not signed in", "status": 401, "code": "sign_in_required",
                         "detail": "reading needs an API token on this server"}),
            "Reading needs an API token on this server. Enter an API token in the sidebar to sign in.",
            "sign_in_required",
        ),
        (_reply(404, {"title": "Not found", "status": 404, "code": "not_found"}), "Not found.", "not_found"),
        (_reply(502, text="<html>bad gateway</html>"), "The API answered with HTTP 502 (Bad Gateway).", None),
    ],
)
def test_problem_documents_become_plain_sentences(response: httpx.Response, sentence: str, code: str | None) -> None:
    error = error_from_response(response)
    assert error.message == sentence
    assert error.code == code
    assert error.status == response.status_code


def test_unreachable_api_is_a_sentence_naming_the_address() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    api = ApiClient("http://127.0.0.1:9", http=httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(ApiError) as caught:
        api.standards()
    assert "http://127.0.0.1:9 did not answer" in caught.value.message
    assert "Traceback" not in caught.value.message


def test_client_sends_the_token_and_repeated_filters() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"query": "x", "mode": "hybrid", "k": 5, "offset": 0, "count": 0, "data": []})

    api = ApiClient("http://api.test/", "secret", http=httpx.Client(transport=httpx.MockTransport(answer)))
    api.search("x", k=5, standards=["S01", "S02"], review_types=["CPR"], year_from=None)
    request = seen[0]
    assert request.headers["authorization"] == "Bearer secret"
    assert request.url.params.get_list("standard") == ["S01", "S02"]
    assert request.url.params.get_list("type") == ["CPR"]
    assert "year_from" not in request.url.params


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["--api-url", "http://a:1/"], "http://b:2", "http://a:1"),
        (["-x", "--other"], "http://b:2/", "http://b:2"),
        ([], None, None),
    ],
)
def test_api_url_precedence(
    argv: list[str], env: str | None, expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gwersi.settings import Settings

    expected = expected or Settings.model_fields["api_url"].get_default().rstrip("/")
    if env is None:
        monkeypatch.delenv("GWERSI_API_URL", raising=False)
    else:
        monkeypatch.setenv("GWERSI_API_URL", env)
    assert api_url(argv) == expected


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("No one met <mark>Father</mark> &amp; Mother", "No one met <mark>Father</mark> &amp; Mother"),
        ("<script>alert(1)</script> <mark>x</mark>", "&lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>"),
        ("<b>bold</b> <mark>open", "&lt;b&gt;bold&lt;/b&gt; <mark>open</mark>"),
        ("stray </mark> close", "stray  close"),
        ("“quotes” é ﬁ", "“quotes” é ﬁ"),
    ],
)
def test_safe_snippet_keeps_only_mark(snippet: str, expected: str) -> None:
    assert render.safe_snippet(snippet) == expected


@pytest.mark.parametrize(
    ("spans", "length", "merged"),
    [
        ([(5, 9), (0, 3)], 20, [(0, 3), (5, 9)]),
        ([(0, 5), (3, 8)], 20, [(0, 8)]),
        ([(-4, 2), (15, 40)], 20, [(0, 2), (15, 20)]),
        ([(4, 4), (7, 3)], 20, []),
    ],
)
def test_merge_spans(spans: list[tuple[int, int]], length: int, merged: list[tuple[int, int]]) -> None:
    assert render.merge_spans(spans, length) == merged


def test_highlight_escapes_around_marks() -> None:
    text = "A <b> & B said “no”.\nNext\n\nLast"
    out = render.highlight(text, [(5, 10)])
    assert out == 'A &lt;b&gt;<mark> &amp; B </mark>said “no”.<br>Next<span class="gw-gap"></span>Last'


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(4, 9, (4, 9)), (None, None, (4, 9)), (4, 99, (4, 9)), (30, 40, (4, 9))],
)
def test_evidence_span_prefers_offsets_then_searches(
    start: int | None, end: int | None, expected: tuple[int, int]
) -> None:
    assert render.evidence_span("The child was not seen.", "child", start, end) == expected


def test_tag_chips_say_status_in_words_and_escape() -> None:
    tags = [
        {"standard": "S02", "status": "confirmed", "score": 0.9, "polarity": "shortfall", "tagger": "rule"},
        {"standard": "S23", "status": "rejected", "score": 0.5, "polarity": "neutral", "tagger": "rule"},
    ]
    out = render.tag_chips(tags, {"S02": "Child-inclusive <practice>", "S23": "Communication"})  # type: ignore[arg-type]
    assert "S02 Child-inclusive &lt;practice&gt; · confirmed" in out
    assert 'class="gw-chip rejected"' in out and "· rejected" in out


THEMES = {
    "by": "year",
    "keys": [2019, 2016, None],
    "cells": [
        {"standard": "S01", "key": 2016, "passages": 2, "reviews": 1},
        {"standard": "S02", "key": 2019, "passages": 5, "reviews": 2},
        {"standard": "S02", "key": None, "passages": 1, "reviews": 1},
    ],
    "totals": {"S01": 2, "S02": 6},
    "confirmed_only": False,
    "min_score": 0.0,
}
TITLES = {"S01": "Values-led children's services", "S02": "Child-inclusive practice", "S03": "Relationship"}


def test_theme_frame_fills_every_standard_and_value() -> None:
    frame = charts.theme_frame(THEMES, TITLES)  # type: ignore[arg-type]
    assert len(frame) == len(TITLES) * len(THEMES["keys"])  # type: ignore[arg-type]
    cell = frame[(frame.standard == "S02") & (frame.key == "Unknown")]
    assert cell.passages.tolist() == [1]
    assert frame[frame.standard == "S03"].passages.sum() == 0
    chart = charts.heatmap(frame, dimension_title="Year").to_dict()
    assert chart["layer"][0]["encoding"]["y"]["scale"]["domain"][0].startswith("S01")


def test_trend_frame_leaves_out_unknown_years_and_fills_zeros() -> None:
    frame = charts.trend_frame(THEMES, ["S01", "S02"], TITLES)  # type: ignore[arg-type]
    assert sorted(set(frame.year)) == [2016, 2019]
    assert frame[(frame.standard == "S01") & (frame.year == 2019)].passages.tolist() == [0]
    assert charts.top_standards(THEMES, 1) == ["S02"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("can_read", "can_write", "titles"),
    [
        (False, False, ["Sign in"]),
        (True, False, ["Search", "Themes", "Review reader", "Case packs"]),
        (True, True, ["Search", "Themes", "Review reader", "Panel workbench", "Case packs"]),
    ],
)
def test_pages_a_role_may_not_use_are_hidden(can_read: bool, can_write: bool, titles: list[str]) -> None:
    assert [p.title for p in nav.visible_pages(can_read=can_read, can_write=can_write)] == titles


@pytest.mark.parametrize(
    ("earlier", "decision", "expected"),
    [
        ({}, "confirm", (0, 0)),
        ({"confirmed": 1, "rejected": 1}, "reject", (0, 0)),
        ({"confirmed": 2}, "confirm", (1, 1)),
        ({"confirmed": 2, "rejected": 1}, "reject", (1, 0)),
        ({"rejected": 3}, "reject", (1, 1)),
    ],
)
def test_agreement_with_earlier_majority(earlier: dict[str, int], decision: str, expected: tuple[int, int]) -> None:
    after = agreement.after_decision(agreement.Agreement(), decision, earlier)
    assert (after.compared, after.matched) == expected


@pytest.mark.parametrize(
    ("statuses", "shown"),
    [({}, "–"), ({"suggested": 4}, "–"), ({"confirmed": 3, "rejected": 1}, "75%"), ({"rejected": 2}, "0%")],
)
def test_machine_agreement(statuses: dict[str, int], shown: str) -> None:
    assert agreement.machine_agreement(statuses) == shown


@pytest.mark.parametrize(
    ("ranks", "only_concepts"),
    [
        ({"bm25_rank": None, "dense_rank": None, "concept_rank": 3}, True),
        ({"bm25_rank": 2, "dense_rank": None, "concept_rank": 3}, False),
        ({"bm25_rank": None, "dense_rank": 7, "concept_rank": 1}, False),
        ({"bm25_rank": None, "dense_rank": None, "concept_rank": None}, False),
        ({}, False),  # "more like this" results carry no ranks
    ],
)
def test_a_result_only_the_concept_list_found_says_so(ranks: dict[str, int | None], only_concepts: bool) -> None:
    assert render.found_through_standards(ranks) is only_concepts
