"""The ensemble's fitted members (:func:`taxonomy.calibration.fit_members`) as one file.

Fitting them takes several seconds per process (about 100 liblinear fits and the standards'
prototype encodings), and for the same training data, taxonomy and encoder the result is always the
same. So a fitted set is written once, keyed by a fingerprint of what it was fitted on, and read
back instead of refitting. The file holds neither the encoder nor the taxonomy: every reference to
them is written as a placeholder and bound to the caller's on loading.

The file is a (gzip-compressed) pickle, like :meth:`~taxonomy.supervised.SupervisedTagger.save`:
read only files this program wrote itself (its data folder, or the one shipped in the package).
"""

from __future__ import annotations

import gzip
import io
import pickle
from pathlib import Path
from typing import Any

from taxonomy.models import TextEncoder
from taxonomy.standards import Taxonomy

FORMAT = "gwersi-ensemble-members/1"
_ENCODER, _TAXONOMY = "encoder", "taxonomy"


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BufferedIOBase, encoder: object) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._encoder = encoder

    def persistent_id(self, obj: object) -> str | None:
        if isinstance(obj, Taxonomy):
            return _TAXONOMY
        if self._encoder is not None and obj is self._encoder:
            return _ENCODER
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BufferedIOBase, encoder: TextEncoder, taxonomy: Taxonomy) -> None:
        super().__init__(file)
        self._bound = {_ENCODER: encoder, _TAXONOMY: taxonomy}

    def persistent_load(self, pid: object) -> object:
        if pid not in self._bound:
            raise pickle.UnpicklingError(f"unknown placeholder {pid!r}")
        return self._bound[str(pid)]


def save_members(members: dict[str, Any], path: Path, fingerprint: str, encoder: TextEncoder) -> None:
    """Write ``members`` atomically to ``path``, tagged with ``fingerprint`` (``encoder`` and every
    taxonomy they refer to are left out)."""
    buffer = io.BytesIO()
    _Pickler(buffer, encoder).dump({"format": FORMAT, "fingerprint": fingerprint, "members": members})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(gzip.compress(buffer.getvalue(), compresslevel=6, mtime=0))
    tmp.replace(path)


def load_members(path: Path, fingerprint: str, encoder: TextEncoder, taxonomy: Taxonomy) -> dict[str, Any] | None:
    """The members saved at ``path``, bound to ``encoder`` and ``taxonomy``; None when the file is
    missing, unreadable (another library version, a torn write) or was fitted on something else."""
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    try:
        payload = _Unpickler(io.BytesIO(data), encoder, taxonomy).load()
        if payload["format"] != FORMAT or payload["fingerprint"] != fingerprint:
            return None
        return dict(payload["members"])
    except Exception:  # noqa: BLE001 - an unreadable cache only means: fit afresh
        return None
