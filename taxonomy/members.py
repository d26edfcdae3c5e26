"""The ensemble's fitted members (:func:`taxonomy.calibration.fit_members`) as one file.

Fitting them takes several seconds per process (about 100 liblinear fits and the standards'
prototype encodings), and for the same training data, taxonomy and encoder the result is always the
same. So what fitting learned is written once, keyed by a fingerprint of what it was fitted on, and
read back instead of refitting. Only learned data is written: the rule member's cue reliabilities,
the embedding member's prototypes and thresholds, the supervised member's vectorizer, models and
thresholds. The neighbours member is not written: it is the training passages and their vectors
themselves, and choosing its thresholds takes about a second (:func:`taxonomy.calibration.build_ensemble`
fits it beside loaded members). The taggers themselves (their spaCy pipeline, matchers, cue vocabulary, encoder and
taxonomy) are built afresh by the running code on loading, so a code change never meets a stale
object.

The file is a gzip-compressed pickle of plain data (dicts, lists and numpy arrays; the supervised
models are stored as their weights, so reading it needs no scikit-learn): read only files this
program wrote itself (its data folder, or the one shipped in the package).
"""

from __future__ import annotations

import gzip
import pickle
from collections.abc import Collection
from pathlib import Path
from typing import Any

from taxonomy.embedding import EmbeddingTagger
from taxonomy.models import TextEncoder
from taxonomy.rule import RuleTagger
from taxonomy.standards import Taxonomy
from taxonomy.supervised import SupervisedTagger

FORMAT = "gwersi-ensemble-members/3"


def save_members(members: dict[str, Any], path: Path, fingerprint: str) -> None:
    """Write what ``members`` learned atomically to ``path``, tagged with ``fingerprint`` (the rule,
    embedding and supervised members; any other member is fitted when a tagger is built)."""
    rule, embedding, supervised = members["rule"], members["embedding"], members["supervised"]
    if not (isinstance(rule, RuleTagger) and isinstance(embedding, EmbeddingTagger)
            and isinstance(supervised, SupervisedTagger)):
        raise TypeError("save_members takes the rule, embedding and supervised members of fit_members")
    payload = {
        "format": FORMAT,
        "fingerprint": fingerprint,
        "rule_cue_reliability": dict(rule.cue_reliability),
        "embedding_model": embedding.model,
        "supervised": supervised.to_payload(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(gzip.compress(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), compresslevel=6, mtime=0))
    tmp.replace(path)


def load_members(
    path: Path, fingerprint: str, encoder: TextEncoder, taxonomy: Taxonomy, *, only: Collection[str] | None = None
) -> dict[str, Any] | None:
    """The members saved at ``path``, rebuilt with ``encoder`` and ``taxonomy``; None when the file is
    missing, unreadable (another library version, a torn write) or was fitted on something else.

    ``only`` names the members wanted (default all three): the rule member imports spaCy, about a
    second that a caller needing only the supervised member does not pay.
    """
    wanted = {"rule", "embedding", "supervised"} if only is None else set(only)
    try:
        payload = pickle.loads(gzip.decompress(path.read_bytes()))
        if payload["format"] != FORMAT or payload["fingerprint"] != fingerprint:
            return None
        members: dict[str, Any] = {}
        if "rule" in wanted:
            rule = RuleTagger(taxonomy)
            rule.cue_reliability = {str(k): float(v) for k, v in payload["rule_cue_reliability"].items()}
            members["rule"] = rule
        if "embedding" in wanted:
            members["embedding"] = EmbeddingTagger(payload["embedding_model"], encoder, taxonomy)
        if "supervised" in wanted:
            members["supervised"] = SupervisedTagger.from_payload(
                payload["supervised"], taxonomy, encoder, source=str(path)
            )
        return members
    except Exception:  # noqa: BLE001 - unreadable, torn, another library's pickle, a refused model: fit afresh
        return None
