"""Small fuzzy string matching helpers (stdlib only)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

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


def ratio(a: str, b: str) -> float:
    """Similarity of two strings, 0-100 (difflib's ratio)."""
    if not a and not b:
        return 100.0
    return 100.0 * SequenceMatcher(None, a, b, autojunk=False).ratio()


def token_set_ratio(a: str, b: str) -> float:
    """Token-set similarity, 0-100, in the manner of fuzzywuzzy's ``token_set_ratio``.

    The shared tokens are compared with each side's full token set, so word order and a
    subset relation score high ("terms of reference" vs "appendix 1 terms of reference").
    """
    ta, tb = set(tokens(a)), set(tokens(b))
    if not ta or not tb:
        return 0.0
    common = " ".join(sorted(ta & tb))
    left = " ".join(filter(None, [common, " ".join(sorted(ta - tb))]))
    right = " ".join(filter(None, [common, " ".join(sorted(tb - ta))]))
    scores = [ratio(left, right)]
    if common:
        scores += [ratio(common, left), ratio(common, right)]
    return max(scores)
