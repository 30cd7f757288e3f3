#!/usr/bin/env python3
"""Themes benchmark: find_topics on ~20,000 paragraphs with embeddings cached.

Builds a corpus with benchmarks/make_corpus.py (from the repo's corpus/ by default), fills the
embedding cache in one process (reported as the cold embedding time), then runs find_topics in a
fresh process with the cache warm and prints the time per stage (embed, reduce, cluster,
represent), the wall time and the peak memory (max RSS) of that process.

    python benchmarks/bench_topics.py                      # 20,000 paragraphs (slow: cold embedding)
    python benchmarks/bench_topics.py --paragraphs 2000    # quick look
    python benchmarks/bench_topics.py --baseline           # also time vanilla BERTopic
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
folder, cache, mode, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
corpus = ct.load_corpus(folder)
loaded = time.perf_counter()
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
out["process_seconds"] = time.perf_counter() - start
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out, default=str))
"""


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


def child(folder: Path, cache: Path, mode: str, seed: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(folder), str(cache), mode, str(seed)],
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
    args = ap.parse_args()

    folder = build(args.paragraphs, args.seed, args.source)
    print(f"corpus: {folder}")
    t = time.perf_counter()
    cold = child(folder, args.cache_dir, "embed", args.seed)
    print(f"embedding cache filled: {cold['units']:,} units, {cold['embed_seconds']:.1f} s "
          f"(process {time.perf_counter() - t:.1f} s; 0 s if it was already warm)")
    warm = child(folder, args.cache_dir, "baseline" if args.baseline else "fit", args.seed)
    print(f"\nfind_topics, embeddings cached: {warm['units']:,} paragraphs in {warm['docs']:,} essays")
    for stage, seconds in warm["stages"].items():
        print(f"  {stage:<10} {seconds:8.1f} s")
    print(f"  {'total':<10} {warm['find_topics_seconds']:8.1f} s  (find_topics wall time; loading the corpus "
          f"{warm['load_seconds']:.1f} s; whole process {warm['process_seconds']:.1f} s)")
    print(f"  peak memory (max RSS of the process): {warm['peak_rss_mb']:,.0f} MB")
    print("  quality:", json.dumps(warm["metrics"]))
    if warm.get("baseline"):
        base = warm["baseline"]
        print("  vanilla BERTopic:", json.dumps({k: base.get(k) for k in (
            "n_topics", "outlier_share", "npmi", "diversity", "largest_share", "wall_seconds", "error")}))


if __name__ == "__main__":
    main()
