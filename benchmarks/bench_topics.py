#!/usr/bin/env python3
"""Themes benchmark: find_topics on ~20,000 paragraphs with embeddings cached.

Builds a corpus with benchmarks/make_corpus.py (from the repo's corpus/ by default), fills the
embedding cache in one process (reported as the cold embedding time), then runs find_topics in a
fresh process with the cache warm and prints the time per stage (embed, reduce, cluster,
represent), the wall time and the peak memory (max RSS) of that process.

    python benchmarks/bench_topics.py                      # 20,000 paragraphs (slow: cold embedding)
    python benchmarks/bench_topics.py --paragraphs 2000    # quick look
    python benchmarks/bench_topics.py --baseline           # also time vanilla BERTopic
    python benchmarks/bench_topics.py --phases             # also peak memory per sub-stage
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_work"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
start = time.perf_counter()
import corpus_tools as ct
from corpus_tools.embeddings import Embedder
folder, cache, mode, seed, phases = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1"
corpus = ct.load_corpus(folder)
loaded = time.perf_counter()
if phases:
    sys.path.insert(0, sys.argv[6])
    from bench_topics import watch_phases
    PEAKS = watch_phases()
if mode == "embed":
    from corpus_tools.topics import build_units
    units, _ = build_units(corpus)
    t = time.perf_counter()
    Embedder(cache_dir=cache).fit().embed(units["text"].tolist())
    out = {"units": len(units), "embed_seconds": time.perf_counter() - t}
else:
    result = ct.find_topics(corpus, seed=seed, cache_dir=cache, baseline=(mode == "baseline"))
    m = result.metrics
    out = {"units": m["n_units"], "docs": m["n_docs"], "load_seconds": loaded - start,
           "stages": {k: m[f"seconds_{k}"] for k in ("embed", "reduce", "cluster", "represent")},
           "find_topics_seconds": m["wall_seconds"], "metrics": {k: m[k] for k in (
               "n_topics", "outlier_share", "npmi", "diversity", "largest_share", "model_reducer", "model_clusterer")},
           "baseline": result.baseline_metrics}
    if phases:
        out["phase_peaks_mb"] = PEAKS
out["process_seconds"] = time.perf_counter() - start
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if phases:  # resetting the high-water mark also resets what ru_maxrss reports
    out["peak_rss_mb"] = max([out["peak_rss_mb"], *PEAKS.values()])
print(json.dumps(out, default=str))
"""


#: Sub-stages of find_topics whose peak memory --phases reports: (module, owner, attribute, label).
PHASES = [
    ("corpus_tools.topics._api", None, "build_units", "units"),
    ("corpus_tools.embeddings", "Embedder", "embed", "embeddings (cache read / encode)"),
    ("corpus_tools.topics._model", "TopicModel", "_restrict_vocabulary", "vocabulary floor"),
    ("bertopic._bertopic", "BERTopic", "_reduce_dimensionality", "UMAP"),
    ("bertopic._bertopic", "BERTopic", "_cluster_embeddings", "HDBSCAN"),
    ("bertopic._bertopic", "BERTopic", "_extract_topics", "c-TF-IDF + representation"),
    ("bertopic._bertopic", "BERTopic", "_save_representative_docs", "BERTopic representative docs"),
    ("corpus_tools.topics._model", "TopicModel", "_reduce_outliers", "outlier reduction"),
    ("corpus_tools.topics._model", "TopicModel", "score", "metrics (NPMI, silhouette)"),
    ("corpus_tools.topics._api", None, "_representatives", "representatives"),
    ("corpus_tools.topics._api", None, "_doc_topics", "doc_topics"),
    ("corpus_tools.topics._api", None, "_prevalence", "prevalence"),
    ("corpus_tools.topics._api", None, "_similar_docs", "similar_docs"),
]


def watch_phases() -> dict[str, float]:
    """Wrap the :data:`PHASES` so that each records its exact peak resident memory (MB): the
    kernel's high-water mark (VmHWM) is read and reset (``/proc/self/clear_refs``) whenever a
    phase starts or ends; time between phases goes to "other". Linux only."""
    import functools
    import importlib

    def hwm() -> float:
        with open("/proc/self/status") as handle:
            return next(int(line.split()[1]) / 1024 for line in handle if line.startswith("VmHWM"))

    def reset() -> None:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")

    peaks: dict[str, float] = {}
    stack = ["other"]

    def boundary() -> None:
        peaks[stack[-1]] = round(max(peaks.get(stack[-1], 0.0), hwm()))
        reset()

    for module, owner, name, label in PHASES:
        target = importlib.import_module(module)
        target = getattr(target, owner) if owner else target
        original = getattr(target, name)

        def wrapped(*args, __original=original, __label=label, **kwargs):
            boundary()
            stack.append(__label)
            try:
                return __original(*args, **kwargs)
            finally:
                boundary()
                stack.pop()

        setattr(target, name, functools.wraps(original)(wrapped))
    reset()
    return peaks


def build(target: int, seed: int, source: Path) -> Path:
    """A corpus of about ``target`` paragraphs (deterministic for the same arguments)."""
    from make_corpus import make_corpus

    import corpus_tools as ct

    probe = WORK / f"topics_probe_s{seed}"
    if not probe.exists():
        make_corpus(probe, 40, source=source, seed=seed)
    per_doc = len(ct.load_corpus(probe).paragraphs) / 40
    docs = max(2, math.ceil(target / per_doc))
    folder = WORK / f"topics_{docs}docs_s{seed}"
    if not (folder / "metadata.csv").exists():
        make_corpus(folder, docs, source=source, seed=seed)
    return folder


def child(folder: Path, cache: Path, mode: str, seed: int, phases: bool = False) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(folder), str(cache), mode, str(seed),
                           "1" if phases else "0", str(HERE)],
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paragraphs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--source", type=Path, default=REPO / "corpus")
    ap.add_argument("--cache-dir", type=Path, default=WORK / "topics_cache")
    ap.add_argument("--baseline", action="store_true", help="also fit vanilla BERTopic in the timed run")
    ap.add_argument("--phases", action="store_true",
                    help="also report the peak memory of each sub-stage (UMAP, HDBSCAN, c-TF-IDF, metrics, ...)")
    args = ap.parse_args()

    folder = build(args.paragraphs, args.seed, args.source)
    print(f"corpus: {folder}")
    t = time.perf_counter()
    cold = child(folder, args.cache_dir, "embed", args.seed)
    print(f"embedding cache filled: {cold['units']:,} units, {cold['embed_seconds']:.1f} s "
          f"(process {time.perf_counter() - t:.1f} s; 0 s if it was already warm)")
    warm = child(folder, args.cache_dir, "baseline" if args.baseline else "fit", args.seed, args.phases)
    print(f"\nfind_topics, embeddings cached: {warm['units']:,} paragraphs in {warm['docs']:,} essays")
    for stage, seconds in warm["stages"].items():
        print(f"  {stage:<10} {seconds:8.1f} s")
    print(f"  {'total':<10} {warm['find_topics_seconds']:8.1f} s  (find_topics wall time; loading the corpus "
          f"{warm['load_seconds']:.1f} s; whole process {warm['process_seconds']:.1f} s)")
    print(f"  peak memory (max RSS of the process): {warm['peak_rss_mb']:,.0f} MB")
    print("  quality:", json.dumps(warm["metrics"]))
    if warm.get("phase_peaks_mb"):
        print("  peak memory by sub-stage (MB, whole process; each phase's own high-water mark):")
        for label, mb in warm["phase_peaks_mb"].items():
            print(f"    {label:<34} {mb:>8,.0f}")
    if warm.get("baseline"):
        base = warm["baseline"]
        print("  vanilla BERTopic:", json.dumps({k: base.get(k) for k in (
            "n_topics", "outlier_share", "npmi", "diversity", "largest_share", "wall_seconds", "error")}))


if __name__ == "__main__":
    main()
