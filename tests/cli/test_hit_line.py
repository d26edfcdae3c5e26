"""How the CLI prints one search result."""

from __future__ import annotations

import pytest

from gwersi.cli_search import hit_line
from index.records import PassageRecord, SearchHit

RECORD = PassageRecord(
    passage_id=7, review_id=2, text="No one met the new partner.", section_kind="practice_learning",
    reference="CVRSB CPR 1/2018", review_type="CPR", year=2018, page=4, standards=("S16",),
)


@pytest.mark.parametrize(
    ("ranks", "says_standards"),
    [
        ((1, 3, 2), False),  # found by words and meaning too
        ((None, 5, 1), False),
        ((None, None, 1), True),  # only the concept list found it
        ((None, None, None), False),
    ],
)
def test_a_result_only_the_concept_list_found_says_so(
    ranks: tuple[int | None, int | None, int | None], says_standards: bool
) -> None:
    bm25, dense, concept = ranks
    hit = SearchHit(RECORD, 0.1234, "No one met the <mark>new</mark> partner &amp; child.", bm25, dense,
                    concept_rank=concept)
    line = hit_line(3, hit)
    assert line.startswith(" 3. CVRSB CPR 1/2018 (CPR, 2018) §practice_learning p4 [S16] 0.123")
    assert line.endswith("\n    No one met the [new] partner & child.")
    assert ("(found through its standards)" in line) is says_standards
