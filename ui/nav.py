"""The explorer's pages and who may see them (paths are relative to ``ui/app.py``)."""

from __future__ import annotations

from dataclasses import dataclass

SEARCH = "pages/search.py"
THEMES = "pages/themes.py"
REVIEW = "pages/review.py"
WORKBENCH = "pages/workbench.py"
PACKS = "pages/packs.py"
SIGN_IN = "pages/sign_in.py"


@dataclass(frozen=True)
class PageSpec:
    """A page, its title and icon, and whether it needs a panel or admin token."""

    path: str
    title: str
    icon: str
    writers_only: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec(SEARCH, "Search", ":material/search:"),
    PageSpec(THEMES, "Themes", ":material/insights:"),
    PageSpec(REVIEW, "Review reader", ":material/menu_book:"),
    PageSpec(WORKBENCH, "Panel workbench", ":material/fact_check:", writers_only=True),
    PageSpec(PACKS, "Case packs", ":material/collections_bookmark:"),
)
SIGN_IN_PAGE = PageSpec(SIGN_IN, "Sign in", ":material/login:")


def visible_pages(*, can_read: bool, can_write: bool) -> list[PageSpec]:
    """The pages this user may use; only the sign-in page when they may not read at all."""
    if not can_read:
        return [SIGN_IN_PAGE]
    return [p for p in PAGES if can_write or not p.writers_only]
