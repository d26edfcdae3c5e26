"""Embed the shipped training data and choose its ensemble calibration; write both to the taxonomy's data.

The ensemble's fusion weights and decision policy are chosen out of fold on the training data
(`taxonomy.calibration.calibrate_ensemble`), which takes about twenty seconds on two cores. For the
shipped training data and the default encoder the result is always the same, so it ships in
``taxonomy/data/ensemble-calibration.json`` with the fingerprint of what it was chosen on; a fresh
install does not choose them again. The training passages' embeddings ship beside it
(``training-vectors.npz``, one row per distinct text), so a fresh install does not encode them, and
so do the members fitted on them (``ensemble-members.pkl.gz``), so it does not fit them either, and
the rule tagger's learned cue weights (``rule-cue-reliability.json``) for the rule tagger alone.
Rerun after changing the training data, the taxonomy or the default encoder (a test fails until you
do):

    .venv/bin/python tools/ship_calibration.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

from gwersi.context import AppContext
from gwersi.settings import Settings
from gwersi.tagging import (
    SHIPPED_CALIBRATION,
    SHIPPED_CUES,
    SHIPPED_MEMBERS,
    SHIPPED_VECTORS,
    _training,
    build_tagger,
    calibration_fingerprint,
    cue_fingerprint,
    members_fingerprint,
    taxonomy,
    text_key,
)
from taxonomy.calibration import calibration_to_json
from taxonomy.members import load_members, save_members


def _shipped_vectors_match(model_id: str, keys: list[str]) -> bool:
    """Do the shipped training vectors already hold exactly these texts, from this encoder?

    Re-encoding the same texts gives vectors that differ in the seventh decimal (thread timing),
    and liblinear's fit follows them: keeping the file keeps a regeneration reproducible."""
    if not SHIPPED_VECTORS.is_file():
        return False
    with np.load(SHIPPED_VECTORS) as data:
        return str(data["model_id"]) == model_id and data["keys"].tolist() == keys


def main() -> None:
    """Calibrate on a fresh, empty catalogue (no board labels) and write the shipped file."""
    with tempfile.TemporaryDirectory(prefix="gwersi-calibration-") as tmp:
        ctx = AppContext(Settings(data_dir=Path(tmp), database_url=None))
        try:
            training = _training(ctx)
            texts = sorted({ex.text for ex in training})
            keys = [text_key(t) for t in texts]
            if not _shipped_vectors_match(ctx.encoder.model_id, keys):  # else keep them: a refit is then exact
                vectors = ctx.encoder.encode(texts, batch_size=ctx.settings.embed_batch_size)
                np.savez_compressed(SHIPPED_VECTORS, model_id=np.array(ctx.encoder.model_id),
                                    keys=np.array(keys), vectors=np.asarray(vectors, np.float32))
            tagger = build_tagger(ctx, "ensemble", refit=True)
            calibration = tagger.calibration
            fingerprint = members_fingerprint(ctx, training)
            # Members fitted on the same data, taxonomy, encoder and recipe are kept: a refit on another
            # CPU differs only by float noise (tests/taxonomy/test_shipped_calibration.py bounds it).
            if load_members(SHIPPED_MEMBERS, fingerprint, ctx.encoder, taxonomy()) is None:
                save_members(tagger.members, SHIPPED_MEMBERS, fingerprint)
            SHIPPED_CUES.write_text(json.dumps({"fingerprint": cue_fingerprint(training),
                                                "cue_reliability": tagger.members["rule"].cue_reliability},
                                               indent=1, sort_keys=True) + "\n", encoding="utf-8")
            payload = {
                "fingerprint": calibration_fingerprint(ctx, training),
                "encoder": ctx.encoder.model_id,
                "training_examples": len(training),
                "calibration": calibration_to_json(calibration),
            }
        finally:
            ctx.close()
    SHIPPED_CALIBRATION.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {SHIPPED_CALIBRATION} (fingerprint {payload['fingerprint']}, "
          f"out-of-fold micro-F1 {calibration.micro_f1:.3f})")


if __name__ == "__main__":
    main()
