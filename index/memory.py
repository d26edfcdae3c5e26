"""Give freed heap memory back to the operating system after big index builds.

Building an index allocates many medium-sized temporary arrays; glibc keeps the freed space in
the process heap, so resident memory stays hundreds of megabytes above what is live (measured:
about 110 MB of 190 MB at 200k passages). ``malloc_trim(0)`` releases it. Elsewhere (macOS,
musl) this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def release_free_memory() -> bool:
    """Ask the C allocator to return free heap pages to the OS; True if it could be asked."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
