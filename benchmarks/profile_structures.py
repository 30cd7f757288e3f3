#!/usr/bin/env python3
"""What does the client of `analyze` hold, structure by structure? Bytes per essay.

Runs ``corpus_tools.analyze`` once in this process (locally, or with ``--workers N`` on a Dask
``LocalCluster``) and measures the deep size of what it holds: the loaded corpus (tables, texts,
offset maps), each document stage's gathered rows just before it aggregates them (its
collector), the result tables ``analyze`` returns (concepts, framing, themes), the embeddings,
and the client's resident memory (``VmRSS``) at each of those points and its peak between them (``VmHWM``, reset at each point
through ``/proc/self/clear_refs``). Run it at two
corpus sizes and subtract to get the growth per essay of each structure.

    python benchmarks/profile_structures.py CORPUS [--workers 2] [--cache-dir DIR] [--json FILE]

Sizes are ``DataFrame.memory_usage(deep=True)`` for tables and a recursive ``sys.getsizeof``
(each object counted once) for Python containers; they are what the objects hold, not what the
allocator keeps around them. ``--cache-dir`` defaults to a fresh temporary folder (cold).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def status_mb() -> dict[str, float]:
    """``VmRSS`` and ``VmHWM`` (the peak so far) of this process, in MB."""
    out = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = round(int(line.split()[1]) / 1024.0, 1)
    return out


def deep_size(obj, seen: set | None = None) -> int:
    """:func:`_deep_size`, or -1 when an object cannot be walked (a compiled function's IR, say)."""
    try:
        return _deep_size(obj, seen)
    except Exception:
        return -1


def _deep_size(obj, seen: set | None = None) -> int:
    """Bytes held by ``obj``: DataFrames and arrays by their own accounting, containers
    recursively, each object once."""
    import numpy as np
    import pandas as pd

    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, pd.DataFrame):
        return int(obj.memory_usage(deep=True, index=True).sum())
    if isinstance(obj, pd.Series):
        return int(obj.memory_usage(deep=True, index=True))
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes)
    if isinstance(obj, (types.ModuleType, types.FunctionType, types.MethodType, type)):
        return 0
    if type(obj).__module__.startswith("scipy.sparse"):  # a scipy sparse matrix
        return int(obj.data.nbytes + obj.indices.nbytes + obj.indptr.nbytes)
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(_deep_size(k, seen) + _deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        size += sum(_deep_size(v, seen) for v in obj)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        size += _deep_size(vars(obj), seen)
    return size


def _arrays(obj, depth: int = 0, seen: set | None = None) -> list:
    """The numpy arrays and scipy sparse matrices reachable through attributes, dicts and lists
    (a few levels down), so a fitted model's size is counted without walking compiled code."""
    import numpy as np

    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 6:
        return []
    seen.add(id(obj))
    if isinstance(obj, np.ndarray) or type(obj).__module__.startswith("scipy.sparse"):
        return [obj]
    if isinstance(obj, (str, bytes, int, float, types.ModuleType, types.FunctionType, type)):
        return []
    children = (list(obj.values()) if isinstance(obj, dict) else list(obj) if isinstance(obj, (list, tuple))
                else list(vars(obj).values()) if hasattr(obj, "__dict__") else [])
    return [a for child in children for a in _arrays(child, depth + 1, seen)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--workers", type=int, default=0, help="a Dask LocalCluster of N workers (0: local)")
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    import dataclasses

    import corpus_tools.stages as stages
    from corpus_tools import analyze

    marks: dict[str, dict] = {}
    sizes: dict[str, int] = {}

    def mark(name: str) -> None:
        """The resident memory now, and the peak since the previous mark (VmHWM, then reset)."""
        marks[name] = status_mb()
        try:
            with open("/proc/self/clear_refs", "w") as handle:
                handle.write("5")  # resets VmHWM to the current RSS (Linux)
        except OSError:
            pass

    import corpus_tools.pipeline as pipeline

    def wrap(module, name: str, label: str) -> None:
        original = getattr(module, name)

        def wrapped(*a, **k):
            mark(f"until {label}")
            try:
                return original(*a, **k)
            finally:
                mark(f"during {label}")

        setattr(module, name, wrapped)

    wrap(pipeline, "_run_text_stages", "text stages")
    wrap(pipeline, "_run_topics", "themes")
    import corpus_tools.report as report

    wrap(report, "write_reports", "reports")

    # Measure each collector just before its stage aggregates it (the benchmark wraps the
    # method; the library is not changed).
    for cls in (stages.ConceptStage, stages.FramingStage):
        original = cls.aggregate

        def aggregate(self, collected, corpus, results, _original=original):
            mark(f"gathering until {self.name} aggregate")
            sizes[f"collector: {self.name}"] = deep_size(collected)
            suggester = getattr(collected, "suggester", None)
            if suggester is not None:
                from collections import Counter

                totals: Counter = Counter()
                for bag in suggester._bags.values():
                    totals.update(bag)
                kept = sum(1 for c in totals.values() if c >= suggester.min_count)
                # ConceptSuggester.finish() builds a dense documents x kept-terms float64 matrix
                sizes["suggester dense tf-idf matrix (transient)"] = len(suggester._bags) * kept * 8
                sizes["suggester candidate bags"] = deep_size(suggester._bags)
            out = _original(self, collected, corpus, results)
            mark(f"during {self.name} aggregate")
            return out

        cls.aggregate = aggregate

    executor = None
    if args.workers:
        from corpus_tools.executors import DaskExecutor

        executor = DaskExecutor(workers=args.workers)
    temporary = args.cache_dir is None
    cache = Path(tempfile.mkdtemp(prefix="ct-struct-cache-")) if temporary else args.cache_dir
    out = Path(tempfile.mkdtemp(prefix="ct-struct-out-"))
    started = time.perf_counter()
    try:
        result = analyze(args.corpus, out=out, cache_dir=cache, executor=executor)
    finally:
        if executor is not None:
            executor.close()
        shutil.rmtree(out, ignore_errors=True)
        if temporary:
            shutil.rmtree(cache, ignore_errors=True)
    mark("end")
    corpus = result.corpus
    n_docs = len(corpus)
    for name in ("documents", "paragraphs", "sentences"):
        sizes[f"corpus.{name}"] = deep_size(getattr(corpus, name))
    sizes["corpus texts"] = deep_size(corpus._texts)
    sizes["corpus offset maps"] = deep_size(corpus._maps)
    for stage in ("concepts", "framing", "topics"):
        value = getattr(result, stage)
        if value is None:
            continue
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.name == "lexicon" or item is None:
                continue
            if f.name == "model":  # a fitted BERTopic model: its arrays only (UMAP's, c-TF-IDF's ...)
                try:
                    item = _arrays(item)
                except Exception:
                    continue
            size = deep_size(item)
            if size > 10_000:
                sizes[f"{stage}.{f.name}"] = size
    report = {"corpus": str(args.corpus), "essays": n_docs, "workers": args.workers,
              "seconds": round(time.perf_counter() - started, 1), "status_mb": marks,
              "bytes": sizes, "bytes_per_essay": {k: round(v / n_docs) for k, v in sizes.items()}}
    for name, value in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"{name:40s} {value / 1e6:9.1f} MB {value / n_docs / 1e3:9.1f} KB/essay")
    for name, value in marks.items():
        print(f"{name:40s} {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
