#!/usr/bin/env python3
"""One huge file among ordinary essays: time to the first progress message, wall time and peak
memory of ``analyze`` (default size limit) and of loading the corpus with the limit lifted.

    python benchmarks/bench_large_file.py                  # a 200 MB file, both cases
    python benchmarks/bench_large_file.py --mb 50 --skip-unlimited

The huge file is made of paragraphs of random sentences of the starter corpus, one per line, into
``benchmarks/_work/large_file/`` (git-ignored) beside three essays of ``corpus/``. Each case runs
in a fresh process (peak RSS is per process): ``analyze`` with the default per-file limit (the
file is refused and listed in ``skipped``), then, unless ``--skip-unlimited``, ``load_corpus``
with ``max_file_mb=0`` (the file is read).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
first = []
class Progress:
    def __call__(self, iterable, desc=None, total=None, **kw):
        return iterable
    def stage(self, message):
        if not first:
            first.append(round(time.perf_counter() - t0, 2))
sys.path.insert(0, sys.argv[1])
import corpus_tools as ct
folder, case, out, cache = sys.argv[2:6]
if case == "analyze":
    result = ct.analyze(folder, out=out, cache_dir=cache, progress=Progress(), formats=("md", "csv", "json"))
    corpus = result.corpus
else:
    corpus = ct.load_corpus(folder, max_file_mb=0, progress=lambda files, desc=None, total=None:
                            (first.append(round(time.perf_counter() - t0, 2)), files)[1])
print(json.dumps({"case": case, "seconds": round(time.perf_counter() - t0, 1), "first_progress_s": first[:1],
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "documents": len(corpus), "sentences": len(corpus.sentences),
                  "skipped": corpus.skipped.to_dict("records")}))
"""


def make_folder(folder: Path, mb: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    essays = sorted((REPO / "corpus").glob("*.txt"))
    for path in essays[:3]:
        shutil.copy(path, folder / path.name)
    huge = folder / "huge_dump.txt"
    target = int(mb * 1_000_000)
    if not huge.exists() or abs(huge.stat().st_size - target) > 100_000:
        # Paragraphs of random real sentences, one per line: no two alike, so none is dropped as a
        # repeat and the whole file reaches segmentation (as a scraped dump would).
        sys.path.insert(0, str(HERE))
        from make_corpus import sentences_of

        pool = sentences_of(REPO / "corpus")
        rng = random.Random(0)
        with open(huge, "wb") as handle:
            written = 0
            while written < target:
                line = (" ".join(rng.choice(pool) for _ in range(rng.randint(2, 6))) + "\n").encode("utf-8")
                handle.write(line)
                written += len(line)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=200.0, help="size of the huge file in MB")
    parser.add_argument("--skip-unlimited", action="store_true", help="do not load the file with the limit lifted")
    args = parser.parse_args()
    folder = make_folder(HERE / "_work" / "large_file", args.mb)
    cases = ["analyze"] + ([] if args.skip_unlimited else ["load-unlimited"])
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            done = subprocess.run([sys.executable, "-c", _CHILD, str(REPO), str(folder), case,
                                   str(Path(tmp) / "out"), str(Path(tmp) / "cache")],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                print(json.dumps({"case": case, "error": done.stderr[-2000:]}))
                continue
            print(done.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
