"""A small typed HTTP client for the Gwersi API, the explorer's only way to data.

Every failure (an RFC 9457 problem document, an unexpected reply, an API that does not answer)
becomes one :class:`ApiError` whose ``message`` is a plain sentence for ``st.error``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

import httpx

from ui.shapes import (
    Export,
    Job,
    Lesson,
    Me,
    Pack,
    PackSummary,
    PassageDetail,
    Review,
    ReviewPage,
    SearchHit,
    SearchPage,
    SimilarReview,
    Standard,
    Tag,
    ThemeTable,
    UploadResult,
    WorkbenchTag,
)

READ_TIMEOUT = 60.0
UPLOAD_TIMEOUT = 600.0
_HINTS = {
    "sign_in_required": "Enter an API token in the sidebar to sign in.",
    "invalid_token": "Check the token, or sign out to read without one.",
}
_FILENAME = re.compile(r'filename="?([^";]+)"?')

Params = Mapping[str, str | int | float | bool | Sequence[str] | None]


class ApiError(Exception):
    """A failed API call, described in one plain sentence (``message``)."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def sentence(text: str) -> str:
    """``text`` as one tidy sentence: spaces collapsed, a capital first letter, a full stop."""
    text = " ".join(text.split())
    if not text:
        return text
    if text.split(" ", 1)[0].isalpha():  # leave names such as "notes.txt" as they are
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def error_from_response(response: httpx.Response) -> ApiError:
    """The :class:`ApiError` for a 4xx/5xx reply (problem+json when the API sent one)."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and ("detail" in body or "title" in body):
        detail = body.get("detail")
        text = detail if isinstance(detail, str) and detail else str(body.get("title") or "")
        code = body.get("code") if isinstance(body.get("code"), str) else None
        message = sentence(text or f"the API answered with HTTP {status}")
        hint = _HINTS.get(code or "")
        return ApiError(f"{message} {hint}" if hint else message, status=status, code=code)
    reason = response.reason_phrase or "error"
    return ApiError(f"The API answered with HTTP {status} ({reason}).", status=status)


def _clean(params: Params | None) -> dict[str, Any]:
    """Drop empty values so the API applies its own defaults."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None or (isinstance(value, (list, tuple)) and not value):
            continue
        out[key] = list(value) if isinstance(value, (list, tuple)) else value
    return out


class ApiClient:
    """Calls the API at ``base_url``, sending ``token`` as a Bearer token when there is one."""

    def __init__(self, base_url: str, token: str | None = None, *, http: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token or None
        self._http = http or httpx.Client(timeout=READ_TIMEOUT)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        files: Any = None,
        timeout: float = READ_TIMEOUT,
    ) -> httpx.Response:
        """Send a request; any failure is an :class:`ApiError` with a plain sentence."""
        url = self.base_url + path
        try:
            response = self._http.request(
                method, url, params=_clean(params), json=json, files=files, headers=self._headers(), timeout=timeout
            )
        except httpx.TimeoutException as exc:
            raise ApiError(f"The Gwersi API at {self.base_url} took too long to answer; try again.") from exc
        except httpx.HTTPError as exc:
            raise ApiError(
                f"The Gwersi API at {self.base_url} did not answer. Check that it is running (gwersi serve) "
                "and that the explorer points at it (--api-url or GWERSI_API_URL)."
            ) from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status_code == 204:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(f"The API sent something that is not JSON for {path}.") from exc

    # --- who is calling ---------------------------------------------------------------------
    def me(self) -> Me:
        """The caller's name and role, and whether anonymous reading is on."""
        return cast(Me, self._json("GET", "/me"))

    # --- taxonomy and themes ----------------------------------------------------------------
    def standards(self) -> list[Standard]:
        """The 26 standards with their counts."""
        return cast(list[Standard], self._json("GET", "/standards"))

    def themes(
        self, by: str = "year", *, confirmed_only: bool = False, min_score: float = 0.0, standards: Sequence[str] = ()
    ) -> ThemeTable:
        """Tagged passages by standard x year, board or review type."""
        params = {"by": by, "confirmed_only": confirmed_only, "min_score": min_score, "standard": list(standards)}
        return cast(ThemeTable, self._json("GET", "/themes", params=params))

    def lessons(
        self,
        standard: str,
        *,
        limit: int = 10,
        per_review: int = 2,
        polarity: str | None = None,
        confirmed_only: bool = False,
    ) -> list[Lesson]:
        """The strongest evidence passages for a standard."""
        params = {"limit": limit, "per_review": per_review, "polarity": polarity, "confirmed_only": confirmed_only}
        return cast(list[Lesson], self._json("GET", f"/standards/{standard}/lessons", params=params))

    # --- search -----------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        k: int = 10,
        offset: int = 0,
        mode: str | None = None,
        standards: Sequence[str] = (),
        review_types: Sequence[str] = (),
        boards: Sequence[str] = (),
        year_from: int | None = None,
        year_to: int | None = None,
        section_kinds: Sequence[str] = (),
    ) -> SearchPage:
        """Ranked passages with highlighted snippets."""
        params: dict[str, Any] = {
            "q": query,
            "k": k,
            "offset": offset,
            "mode": mode,
            "standard": list(standards),
            "type": list(review_types),
            "board": list(boards),
            "year_from": year_from,
            "year_to": year_to,
            "section_kind": list(section_kinds),
        }
        return cast(SearchPage, self._json("GET", "/search", params=params))

    def similar_passages(self, passage_id: int, *, k: int = 10) -> list[SearchHit]:
        """Passages nearest in meaning to one passage."""
        return cast(list[SearchHit], self._json("GET", f"/passages/{passage_id}/similar", params={"k": k}))

    # --- reviews and passages ---------------------------------------------------------------
    def reviews(self, *, offset: int = 0, limit: int = 100) -> ReviewPage:
        """One page of reviews, newest first."""
        return cast(ReviewPage, self._json("GET", "/reviews", params={"offset": offset, "limit": limit}))

    def review(self, review_id: int) -> Review:
        """One review in full."""
        return cast(Review, self._json("GET", f"/reviews/{review_id}"))

    def similar_reviews(self, review_id: int, *, k: int = 5) -> list[SimilarReview]:
        """Reviews like this one, with the reason."""
        return cast(list[SimilarReview], self._json("GET", f"/reviews/{review_id}/similar", params={"k": k}))

    def review_tags(self, review_id: int, *, status: str | None = None) -> list[WorkbenchTag]:
        """A review's tags, most uncertain first."""
        return cast(list[WorkbenchTag], self._json("GET", f"/reviews/{review_id}/tags", params={"status": status}))

    def passage(self, passage_id: int) -> PassageDetail:
        """A passage with its tags and their decision history."""
        return cast(PassageDetail, self._json("GET", f"/passages/{passage_id}"))

    # --- panel decisions --------------------------------------------------------------------
    def decide(
        self, tag_id: int, decision: str, *, note: str | None = None, expected_version: int | None = None
    ) -> Tag:
        """Confirm or reject a tag."""
        body = {"decision": decision, "note": note or None, "expected_version": expected_version}
        return cast(Tag, self._json("POST", f"/tags/{tag_id}/decision", json=body))

    def add_tag(self, passage_id: int, standard: str, *, evidence: str = "", note: str | None = None) -> Tag:
        """Add a standard the machine missed."""
        body = {"standard": standard, "evidence": evidence, "note": note or None}
        return cast(Tag, self._json("POST", f"/passages/{passage_id}/tags", json=body))

    def upload(self, filename: str, content: bytes, *, background: bool = True) -> Job | UploadResult:
        """Upload a review; a background job (poll :meth:`job`) or the finished result."""
        files = {"file": (filename, content, "application/octet-stream")}
        params = {"background": background}
        return cast(
            "Job | UploadResult",
            self._json("POST", "/uploads", params=params, files=files, timeout=UPLOAD_TIMEOUT),
        )

    def job(self, job_id: str) -> Job:
        """A background job's status."""
        return cast(Job, self._json("GET", f"/jobs/{job_id}"))

    # --- case packs -------------------------------------------------------------------------
    def packs(self, *, owner: str | None = None) -> list[PackSummary]:
        """Case packs, most recently changed first."""
        return cast(list[PackSummary], self._json("GET", "/packs", params={"owner": owner}))

    def pack(self, pack_id: int) -> Pack:
        """One pack with its items in order."""
        return cast(Pack, self._json("GET", f"/packs/{pack_id}"))

    def create_pack(self, title: str, description: str = "") -> Pack:
        """A new empty pack owned by the caller."""
        return cast(Pack, self._json("POST", "/packs", json={"title": title, "description": description}))

    def update_pack(self, pack_id: int, *, title: str | None = None, description: str | None = None) -> Pack:
        """Rename or describe a pack."""
        body = {k: v for k, v in {"title": title, "description": description}.items() if v is not None}
        return cast(Pack, self._json("PATCH", f"/packs/{pack_id}", json=body))

    def delete_pack(self, pack_id: int) -> None:
        """Delete a pack (its passages stay in the catalogue)."""
        self._json("DELETE", f"/packs/{pack_id}")

    def add_item(self, pack_id: int, passage_id: int, *, note: str = "", question: str = "") -> Pack:
        """Add a passage to a pack."""
        body = {"passage_id": passage_id, "note": note, "question": question}
        return cast(Pack, self._json("POST", f"/packs/{pack_id}/items", json=body))

    def update_item(self, pack_id: int, item_id: int, *, note: str, question: str) -> Pack:
        """Change an item's note and reflective question."""
        body = {"note": note, "question": question}
        return cast(Pack, self._json("PATCH", f"/packs/{pack_id}/items/{item_id}", json=body))

    def remove_item(self, pack_id: int, item_id: int) -> Pack:
        """Take an item out of a pack."""
        return cast(Pack, self._json("DELETE", f"/packs/{pack_id}/items/{item_id}"))

    def reorder(self, pack_id: int, item_ids: Sequence[int]) -> Pack:
        """Put a pack's items in a new order (every item once)."""
        return cast(Pack, self._json("PUT", f"/packs/{pack_id}/order", json={"item_ids": list(item_ids)}))

    def export_pack(self, pack_id: int, fmt: str) -> Export:
        """A pack as Markdown, DOCX or PDF."""
        response = self.request("GET", f"/packs/{pack_id}/export", params={"format": fmt})
        found = _FILENAME.search(response.headers.get("content-disposition", ""))
        return Export(
            content=response.content,
            filename=found.group(1) if found else f"case-pack-{pack_id}.{fmt}",
            media_type=response.headers.get("content-type", "application/octet-stream").split(";")[0],
        )
