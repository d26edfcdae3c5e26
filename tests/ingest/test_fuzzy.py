"""fuzzy.ratio's cheap bounds give what difflib's own bounds give, without building its matcher."""

from __future__ import annotations

from difflib import SequenceMatcher

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.fuzzy import ratio, token_set_ratio


def difflib_ratio(a: str, b: str, cutoff: float) -> float:
    """The reference: difflib's matcher, its real_quick_ratio and quick_ratio bounds, then ratio."""
    if not a and not b:
        return 100.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if cutoff and (100.0 * matcher.real_quick_ratio() < cutoff or 100.0 * matcher.quick_ratio() < cutoff):
        return 0.0
    return 100.0 * matcher.ratio()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="abcde fgh", max_size=14), st.text(alphabet="abcde fgh", max_size=14),
       st.sampled_from([0.0, 50.0, 80.0, 92.0, 99.0, 100.0]))
def test_ratio_with_a_cutoff_is_difflibs(a: str, b: str, cutoff: float) -> None:
    assert ratio(a, b, cutoff) == difflib_ratio(a, b, cutoff)


def test_known_values() -> None:
    assert ratio("", "") == 100.0
    assert ratio("abcd", "", 50) == 0.0  # one side empty: below any cutoff
    assert ratio("abcd", "abcd", 92) == 100.0
    assert ratio("abcd", "abce", 92) == 0.0 and ratio("abcd", "abce") == 75.0
    assert token_set_ratio("terms of reference", "appendix 1 terms of reference", 92) == 100.0
