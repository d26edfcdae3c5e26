"""Filter columns: each filter kind alone and combined, as sorted id arrays."""

from __future__ import annotations

import numpy as np
import pytest

from index.filters import FilterColumns, sorted_unique
from index.records import SearchFilters
from tests.index.conftest import NW, make_records


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], []), ([3], [3]), ([1, 2, 5], [1, 2, 5]), ([5, 1, 5, 2], [1, 2, 5])],
)
def test_sorted_unique(values: list[int], expected: list[int]) -> None:
    assert sorted_unique(np.asarray(values, dtype=np.int64)).tolist() == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(), None),
        (SearchFilters(standards=("S04", "s16")), [11, 12, 13, 23, 31]),
        (SearchFilters(agencies=("Dentistry",)), [31]),
        (SearchFilters(boards=(NW,), review_types=("DHR",)), [41, 42]),
        (SearchFilters(year_from=2021, year_to=2021), [21, 22, 23]),
        (SearchFilters(year_to=2030), [11, 12, 13, 21, 22, 23, 31, 32]),  # no year: never passes
        (SearchFilters(section_kinds=("good_practice",), standards=("S16",)), [23]),
        (SearchFilters(review_types=("SUSR",)), []),
    ],
)
def test_allowed_ids(filters: SearchFilters, expected: list[int] | None) -> None:
    records = make_records()
    allowed = FilterColumns(list(reversed(records))).allowed_ids(filters)
    assert (None if allowed is None else allowed.tolist()) == expected
