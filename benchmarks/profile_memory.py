#!/usr/bin/env python3
"""Where does `analyze` hold its memory? Peak resident memory per pipeline phase.

Runs ``corpus_tools.analyze`` once in this process and samples the resident memory of the process
and the proportional set size of its whole process tree (with spaCy's parse workers) every 50 ms. The current phase
is taken from the pipeline's own progress announcements (``progress.stage(message)``), so nothing
is patched: the phases are the ones a user sees on stderr.

    python benchmarks/profile_memory.py benchmarks/_work/corpus_1000
    python benchmarks/profile_memory.py benchmarks/_work/corpus_5000 --cache-dir /tmp/ct-cache --no-topics

Prints one line per phase: its wall time, the process's peak RSS in it, and the tree's peak PSS.
``--json FILE`` also writes the figures. Caches: ``--cache-dir`` (default: a fresh temporary
folder, so everything is cold); pass the same folder twice to see a warm run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from run import _tree_memory_mb  # noqa: E402  (the benchmark's own tree measure)


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _tree_mb(pid: int) -> float:
    """Proportional set size of the process and its descendants (see ``run._tree_memory_mb``)."""
    return _tree_memory_mb(pid)[1]


class PhaseSampler:
    """A progress object for :func:`corpus_tools.analyze` that records peak memory per stage."""

    #: progress.stage() message prefix -> phase
    _NAMES = (("loaded", "spaCy model, matchers, cache look-up"), ("parsing", "spaCy model, matchers, cache look-up"),
              ("concepts and framing of all", "concepts + framing from the cache"),
              ("finding themes", "themes (embedding from the cache, fit, metrics)"),
              ("themes from the cache", "themes from the cache"), ("writing", "reports"))
    #: progress-wrapped loop -> the phase that follows it
    _AFTER = {"parse + concepts + framing": "concept and framing tables (corpus level)",
              "themes: embedding": "themes: reduce, cluster, represent, metrics"}
    #: the pipeline announces "loaded ..." after loading, so the first phase includes it

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.phases: list[dict] = []
        self._start("start-up, imports, load corpus")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _start(self, name: str) -> None:
        now = time.perf_counter()
        if self.phases:
            self.phases[-1]["seconds"] = now - self.phases[-1]["_t0"]
        pid = os.getpid()
        self.phases.append({"phase": name, "_t0": now, "seconds": 0.0,
                            "peak_mb": _rss_mb(pid), "tree_peak_mb": _tree_mb(pid)})

    def _run(self) -> None:
        pid = os.getpid()
        while not self._stop.is_set():
            phase = self.phases[-1]
            phase["peak_mb"] = max(phase["peak_mb"], _rss_mb(pid))
            phase["tree_peak_mb"] = max(phase["tree_peak_mb"], _tree_mb(pid))
            time.sleep(self.interval)

    def stage(self, message: str) -> None:
        name = next((label for prefix, label in self._NAMES if message.startswith(prefix)), None)
        if name is not None and name != self.phases[-1]["phase"]:
            self._start(name)

    def __call__(self, iterable, *args, desc: str | None = None, **kwargs):
        """The pipeline's progress wrapper: the loop it wraps is a phase, and so is what follows it."""
        after = self._AFTER.get(desc or "")
        if after is None:
            return iterable

        def wrapped():
            self._start(desc)
            yield from iterable
            self._start(after)

        return wrapped()

    def close(self) -> list[dict]:
        self._start("end")
        self._stop.set()
        self._thread.join()
        for phase in self.phases:
            phase.pop("_t0", None)
        return self.phases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--cache-dir", type=Path, default=None, help="cache folder (default: a fresh temporary one)")
    ap.add_argument("--no-topics", action="store_true", help="stop after the text stages (no themes, no reports)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    sampler = PhaseSampler()
    started = time.perf_counter()
    temporary = args.cache_dir is None
    cache = Path(tempfile.mkdtemp(prefix="ct-prof-cache-")) if temporary else args.cache_dir
    out = Path(tempfile.mkdtemp(prefix="ct-prof-out-"))
    try:
        if args.no_topics:
            from corpus_tools.lexicon import load_lexicon
            from corpus_tools.load import load_corpus
            from corpus_tools.pipeline import AnalysisResult, _Progress, _run_text_stages

            corpus = load_corpus(args.corpus)
            sampler.stage("loaded")  # as analyze() announces it
            _run_text_stages(corpus, load_lexicon(None), AnalysisResult(corpus=corpus), _Progress(sampler),
                             nlp=None, model=None, cache_dir=cache)
        else:
            from corpus_tools import analyze

            analyze(args.corpus, out=out, cache_dir=cache, progress=sampler)
    finally:
        shutil.rmtree(out, ignore_errors=True)
        if temporary:
            shutil.rmtree(cache, ignore_errors=True)
    phases = sampler.close()
    import resource

    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"{'phase':48s} {'seconds':>8s} {'RSS MB':>8s} {'tree PSS':>8s}")
    for p in phases[:-1]:
        print(f"{p['phase']:48s} {p['seconds']:8.1f} {p['peak_mb']:8.0f} {p['tree_peak_mb']:8.0f}")
    print(f"{'whole run':48s} {time.perf_counter() - started:8.1f} {own_peak:8.0f} "
          f"{max(p['tree_peak_mb'] for p in phases):8.0f}   (RSS = ru_maxrss)")
    if args.json:
        args.json.write_text(json.dumps({"corpus": str(args.corpus), "phases": phases[:-1],
                                         "ru_maxrss_mb": own_peak}, indent=2))


if __name__ == "__main__":
    main()
