"""Small fuzzy string matching helpers (stdlib only)."""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset({"a", "an", "the", "of", "and", "to", "in", "on", "for", "by", "with", "re", "s"})


def tokens(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Lowercase word tokens with a light plural fold ("points" -> "point")."""
    out = []
    for tok in _TOKEN.findall(text.lower().replace("’", "'").replace("'s", "")):
        if drop_stopwords and tok in STOPWORDS:
            continue
        if len(tok) > 4 and tok.endswith("s") and not tok.endswith(("ss", "is", "us")):
            tok = tok[:-1]
        out.append(tok)
    return out


@lru_cache(maxsize=4096)
def _token_set(text: str) -> frozenset[str]:
    """:func:`tokens` as a set; cached, since one line is compared with many fixed phrases."""
    return frozenset(tokens(text))


def ratio(a: str, b: str, cutoff: float = 0.0) -> float:
    """Similarity of two strings, 0-100 (difflib's ratio); 0 when cheap bounds show it is below ``cutoff``."""
    if not a and not b:
        return 100.0
    if cutoff:  # difflib's real_quick_ratio and quick_ratio bounds, before its matcher indexes b
        total = len(a) + len(b)
        if 200.0 * min(len(a), len(b)) / total < cutoff:
            return 0.0
        if 200.0 * sum((Counter(a) & Counter(b)).values()) / total < cutoff:
            return 0.0
    return 100.0 * SequenceMatcher(None, a, b, autojunk=False).ratio()


def token_set_ratio(a: str, b: str, cutoff: float = 0.0) -> float:
    """Token-set similarity, 0-100, in the manner of fuzzywuzzy's ``token_set_ratio``.

    The shared tokens are compared with each side's full token set, so word order and a
    subset relation score high ("terms of reference" vs "appendix 1 terms of reference").
    Scores below ``cutoff`` may be reported as 0 (cheap upper bounds skip the full comparison).
    """
    ta, tb = _token_set(a), _token_set(b)
    if not ta or not tb:
        return 0.0
    common = " ".join(sorted(ta & tb))
    left = " ".join(filter(None, [common, " ".join(sorted(ta - tb))]))
    right = " ".join(filter(None, [common, " ".join(sorted(tb - ta))]))
    if common and (ta <= tb or tb <= ta):
        return 100.0
    scores = [ratio(left, right, cutoff)]
    if common:
        scores += [ratio(common, left, cutoff), ratio(common, right, cutoff)]
    return max(scores)
