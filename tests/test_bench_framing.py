"""benchmarks/bench_framing.py: each timed step starts from a collected heap."""
from __future__ import annotations

import gc
import importlib.util
import sys
import weakref
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _bench():
    path = sys.path[:]
    try:  # the script puts benchmarks/ and the repo on sys.path for itself
        spec = importlib.util.spec_from_file_location("_bench_framing", REPO / "benchmarks" / "bench_framing.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path
    return module


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_garbage_of_earlier_work_is_collected_before_the_clock_starts():
    timed = _bench().timed
    events = []
    enabled = gc.isenabled()
    gc.disable()  # only an explicit collection can free the cycle
    try:
        garbage = _Cycle()
        weakref.finalize(garbage, events.append, "earlier garbage collected")
        del garbage
        value, wall, cpu = timed(lambda: events.append("step") or 42)
    finally:
        if enabled:
            gc.enable()
    assert events == ["earlier garbage collected", "step"]
    assert value == 42 and wall >= 0 and cpu >= 0
