#!/usr/bin/env python3
"""Time of ``ct.compare`` at scale: a generated corpus with dates (2019-2024) and sites.

Builds the corpus with benchmarks/make_corpus.py, runs ``ct.analyze`` once (with the cache
given, so a second run reuses the parses and embeddings), then times ``ct.compare`` by year,
by quarter and by site, and writing the reports with the Groups section.

    python benchmarks/bench_compare.py --docs 1000 --words 300 --cache-dir benchmarks/_work/cmp-cache
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--words", type=int, default=300, help="mean words per essay")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()

    from make_corpus import make_corpus

    import corpus_tools as ct
    from corpus_tools.report import write_reports

    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        folder = Path(tmp) / "corpus"
        n_words = make_corpus(folder, args.docs, source=REPO / "corpus", seed=args.seed, words=args.words)
        print(f"corpus: {args.docs} essays, {n_words:,} words")
        t0 = time.perf_counter()
        result = ct.analyze(folder, cache_dir=args.cache_dir)
        print(f"analyze: {time.perf_counter() - t0:.1f} s")
        for by in ("year", "quarter", "site"):
            t0 = time.perf_counter()
            cmp = ct.compare(result, by=by)
            print(f"compare by {by}: {time.perf_counter() - t0:.2f} s; {len(cmp.groups)} groups, "
                  f"{len(cmp.keyness):,} keyness rows, {len(cmp.frames):,} frame rows, {len(cmp.shifts):,} shifts")
        result.comparison = ct.compare(result, by="year")
        t0 = time.perf_counter()
        write_reports(result, Path(tmp) / "out", ("md", "html", "csv"))
        print(f"reports with the Groups section: {time.perf_counter() - t0:.1f} s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
