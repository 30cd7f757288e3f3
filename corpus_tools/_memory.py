"""Give freed memory back to the operating system between pipeline stages.

The text stages free hundreds of MB of temporaries (row chunks, groupby tables) before the theme
stage loads its model and embeddings. glibc's allocator and Arrow's memory pool keep such freed
memory mapped for reuse, so without this the theme stage would start on top of it and the peak
would be their sum. This is the remedy dask and pandas document for "unmanaged memory".
"""
from __future__ import annotations

import ctypes
import functools
import gc
import logging
import sys

logger = logging.getLogger(__name__)


@functools.cache
def _glibc() -> "ctypes.CDLL | None":
    """The C library when it is glibc (it has ``malloc_trim``), else ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def release_free_memory() -> None:
    """Collect garbage, then return free heap pages (glibc) and Arrow's unused pool memory."""
    gc.collect()
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        try:
            pyarrow.default_memory_pool().release_unused()
        except Exception as exc:  # an old pyarrow without release_unused: nothing to give back
            logger.debug("arrow pool not released: %s", exc)
