"""Filter columns: passage metadata held as numpy arrays so a filter becomes an id array fast.

Single-valued fields (review type, board, section kind, review id) are integer codes; the
multi-valued ones (standards, agencies) are inverted lists of row positions. Within one field the
wanted values are OR-ed, across fields AND-ed. Text values match case-insensitively. A passage
without a year never passes a year filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from index.records import PassageRecord, SearchFilters

NO_YEAR = -1


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``values`` sorted without duplicates; already strictly increasing input is returned as is
    (an O(n) check instead of an O(n log n) sort: filters hand over sorted ids)."""
    if values.size < 2 or bool(np.all(values[1:] > values[:-1])):
        return values
    unique: np.ndarray = np.unique(values)
    return unique


def find_sorted(known: np.ndarray, order: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Look ``ids`` up in ``known`` (sorted ids; ``order[i]`` is where ``known[i]`` is stored): the
    mask of ``ids`` found, and the stored positions of those found."""
    if not known.size:
        return np.zeros(ids.shape, dtype=bool), np.zeros(0, dtype=np.int64)
    where = np.minimum(np.searchsorted(known, ids), known.size - 1)
    found = known[where] == ids
    return found, order[where[found]]


def _key(value: str) -> str:
    return value.strip().casefold()


class _Codes:
    """One single-valued text column as integer codes."""

    def __init__(self, values: Iterable[str | None]) -> None:
        self.codes_by_value: dict[str, int] = {}
        table = self.codes_by_value
        codes = [table.setdefault(_key(v), len(table)) if v else -1 for v in values]
        self.codes = np.asarray(codes, dtype=np.int32)

    def mask(self, wanted: Sequence[str]) -> np.ndarray:
        codes = [self.codes_by_value[_key(w)] for w in wanted if _key(w) in self.codes_by_value]
        result: np.ndarray = np.isin(self.codes, np.asarray(codes, dtype=np.int32))
        return result


class _Postings:
    """One multi-valued text column as value -> row positions."""

    def __init__(self, rows: Iterable[Sequence[str]], size: int) -> None:
        lists: dict[str, list[int]] = {}
        for position, values in enumerate(rows):
            for value in set(map(_key, values)):
                lists.setdefault(value, []).append(position)
        self.size = size
        self.positions = {value: np.asarray(pos, dtype=np.int64) for value, pos in lists.items()}

    def mask(self, wanted: Sequence[str]) -> np.ndarray:
        result = np.zeros(self.size, dtype=bool)
        for value in wanted:
            positions = self.positions.get(_key(value))
            if positions is not None:
                result[positions] = True
        return result


class FilterColumns:
    """Filterable metadata of a list of passages, aligned with that list."""

    def __init__(self, records: Sequence[PassageRecord]) -> None:
        size = len(records)
        self.ids = np.fromiter((r.passage_id for r in records), dtype=np.int64, count=size)
        self.review_ids = np.fromiter((r.review_id for r in records), dtype=np.int64, count=size)
        self.years = np.fromiter(
            (NO_YEAR if r.year is None else r.year for r in records), dtype=np.int32, count=size
        )
        self.review_types = _Codes(r.review_type for r in records)
        self.boards = _Codes(r.board for r in records)
        self.section_kinds = _Codes(r.section_kind for r in records)
        self.standards = _Postings((r.standards for r in records), size)
        self.agencies = _Postings((r.agencies for r in records), size)

    def __len__(self) -> int:
        return int(self.ids.size)

    def mask(self, filters: SearchFilters) -> np.ndarray | None:
        """Boolean mask of the passages that pass ``filters``; ``None`` when no filter is set."""
        if filters.is_empty():
            return None
        mask = np.ones(len(self), dtype=bool)
        if filters.standards:
            mask &= self.standards.mask(filters.standards)
        if filters.agencies:
            mask &= self.agencies.mask(filters.agencies)
        if filters.review_types:
            mask &= self.review_types.mask(filters.review_types)
        if filters.boards:
            mask &= self.boards.mask(filters.boards)
        if filters.section_kinds:
            mask &= self.section_kinds.mask(filters.section_kinds)
        if filters.review_ids:
            mask &= np.isin(self.review_ids, np.asarray(filters.review_ids, dtype=np.int64))
        if filters.passage_ids is not None:
            mask &= np.isin(self.ids, np.asarray(filters.passage_ids, dtype=np.int64))
        if filters.year_from is not None:
            mask &= (self.years != NO_YEAR) & (self.years >= filters.year_from)
        if filters.year_to is not None:
            mask &= (self.years != NO_YEAR) & (self.years <= filters.year_to)
        return mask

    def allowed_ids(self, filters: SearchFilters) -> np.ndarray | None:
        """Passage ids that pass ``filters``, ascending; ``None`` when no filter is set."""
        mask = self.mask(filters)
        return None if mask is None else sorted_unique(self.ids[mask])

    def positions_of_review(self, review_id: int) -> np.ndarray:
        """Row positions of one review's passages."""
        return np.flatnonzero(self.review_ids == review_id)
