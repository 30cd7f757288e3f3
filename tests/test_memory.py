"""release_free_memory gives freed heap back to the operating system (Linux/glibc)."""
from __future__ import annotations

import sys

import pytest

from corpus_tools._memory import _glibc, release_free_memory


def _rss_mb() -> float:
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:")) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux") or _glibc() is None, reason="glibc only")
def test_freed_fragmented_heap_is_returned():
    # 1 KB objects bypass Python's small-object allocator and come from malloc's heap; keeping
    # every 50th alive stops the heap from shrinking by itself when the rest are freed.
    blocks = [bytes(1024) + bytes([i % 256]) for i in range(200_000)]
    kept = blocks[::50]
    del blocks
    before = _rss_mb()
    release_free_memory()
    after = _rss_mb()
    assert len(kept) == 4000
    assert before - after > 100, (before, after)


def test_release_is_safe_to_call_repeatedly():
    release_free_memory()
    release_free_memory()
