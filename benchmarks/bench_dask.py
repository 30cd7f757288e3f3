#!/usr/bin/env python3
"""Local versus Dask: ``corpus-tools analyze`` on generated essays, the two back to back.

Each run is a fresh ``python -m corpus_tools analyze CORPUS --out ... --cache-dir <empty>``
process (cold: it parses, extracts, embeds and fits the themes), locally and with ``--workers 2``
(a 2-worker Dask ``LocalCluster`` it starts itself, so the cluster's start-up is counted), in
alternating order (local, dask, then dask, local, ...) so a busy machine slows both alike. It
prints each run's wall time, the Dask/local ratio of the medians (the issue's target: at most
1.15x on 2 cores, where no speed-up is possible) and the **client process's own** peak memory
(``ru_maxrss`` of the process running ``analyze``; the Dask workers and spaCy's parse processes
are its children and not counted in it), for each corpus size, so its growth with the corpus
shows (target: flat, the rows streamed to disk).

    python benchmarks/bench_dask.py                         # 1,000 essays, 2 pairs (long: ~30+ min on 2 cores)
    python benchmarks/bench_dask.py --sizes 200,1000 --repeats 1
    python benchmarks/bench_dask.py --docs 20 --repeats 1   # smoke run

It needs a checkout whose ``analyze`` has ``--workers`` (the Dask executor) and the dask extra
(``pip install -e ".[dask]"``); without them it stops with a message saying so.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_work"
sys.path.insert(0, str(HERE))

#: Runs ``corpus-tools`` in this process and reports its own peak memory (and its children's).
_WRAPPER = r"""
import json, resource, runpy, sys
report, sys.argv = sys.argv[1], ["corpus-tools", *sys.argv[2:]]
code = 0
try:
    runpy.run_module("corpus_tools", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
with open(report, "w") as handle:
    json.dump({"exit_code": code, "client_peak_mb": round(own), "largest_child_peak_mb": round(children)}, handle)
sys.exit(code)
"""


def check_checkout(checkout: Path, env: dict[str, str]) -> None:
    """Stop with a clear message unless ``analyze --workers`` exists and dask.distributed imports."""
    help_text = subprocess.run([sys.executable, "-m", "corpus_tools", "analyze", "--help"], capture_output=True,
                               text=True, cwd=checkout, env=env)
    if help_text.returncode != 0:
        raise SystemExit(f"`corpus-tools analyze --help` failed in {checkout}:\n{help_text.stderr[-2000:]}")
    if "--workers" not in help_text.stdout:
        raise SystemExit(f"this checkout's `corpus-tools analyze` ({checkout}) has no --workers option: the Dask "
                         "executor (issue 14) is not in it. Run the benchmark from a checkout that has it, or pass "
                         "--checkout DIR.")
    probe = subprocess.run([sys.executable, "-c", "import dask.distributed"], capture_output=True, text=True, env=env)
    if probe.returncode != 0:
        raise SystemExit('dask.distributed is not installed: pip install -e ".[dask]"')


def run_once(checkout: Path, env: dict[str, str], corpus: Path, mode: str, workers: int, tag: str) -> dict:
    """One cold ``analyze`` in a new process; wall time and the client's peak memory."""
    base = WORK / "dask_bench" / tag
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    report = base / "rusage.json"
    args = ["analyze", str(corpus), "--out", str(base / "out"), "--cache-dir", str(base / "cache"), "--quiet",
            "--format", "csv,json"]
    if mode == "dask":
        args += ["--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, str(report), *args], capture_output=True, text=True,
                          cwd=checkout, env=env)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{mode} run failed ({proc.returncode}):\n{proc.stdout[-1500:]}\n{proc.stderr[-3000:]}")
    usage = json.loads(report.read_text())
    info = json.loads((base / "out" / "run.json").read_text())
    stage_seconds = {k: round(v, 1) for k, v in info.get("timings_seconds", {}).items()}
    shutil.rmtree(base / "cache", ignore_errors=True)  # the next run of this tag starts cold again
    return {"mode": mode, "wall_seconds": round(wall, 2), **usage, "timings": stage_seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000, help="essays in the timed comparison")
    ap.add_argument("--sizes", default=None,
                    help="comma-separated corpus sizes for the client-memory growth, each run once per mode "
                         "[default: 200 and --docs]")
    ap.add_argument("--repeats", type=int, default=2, help="local/dask pairs at --docs")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--checkout", type=Path, default=REPO,
                    help="the corpus_tools checkout to run (default: this one)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from make_corpus import make_corpus

    checkout = args.checkout.resolve()
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    check_checkout(checkout, env)
    sizes = sorted({int(s) for s in args.sizes.split(",")} if args.sizes else {min(200, args.docs), args.docs})
    WORK.mkdir(exist_ok=True)
    corpora = {}
    for n in sorted(set(sizes) | {args.docs}):
        folder = WORK / f"corpus_{n}"
        if not (folder / "metadata.csv").exists():
            make_corpus(folder, n)
        corpora[n] = folder

    runs: list[dict] = []
    for rep in range(args.repeats):
        order = ("local", "dask") if rep % 2 == 0 else ("dask", "local")
        for mode in order:
            run = run_once(checkout, env, corpora[args.docs], mode, args.workers, f"{args.docs}_{mode}")
            run.update(docs=args.docs, pair=rep + 1)
            runs.append(run)
            print(f"{args.docs} essays, {mode:<5} (pair {rep + 1}): {run['wall_seconds']:7.1f} s, client peak "
                  f"{run['client_peak_mb']:,} MB, largest child {run['largest_child_peak_mb']:,} MB  {run['timings']}",
                  flush=True)
    growth: list[dict] = [r for r in runs if r["pair"] == 1]
    for n in sizes:
        if n == args.docs:
            continue
        for mode in ("local", "dask"):
            run = run_once(checkout, env, corpora[n], mode, args.workers, f"{n}_{mode}")
            run.update(docs=n, pair=0)
            growth.append(run)
            print(f"{n} essays, {mode:<5}: {run['wall_seconds']:7.1f} s, client peak {run['client_peak_mb']:,} MB",
                  flush=True)

    local = [r["wall_seconds"] for r in runs if r["mode"] == "local"]
    dask = [r["wall_seconds"] for r in runs if r["mode"] == "dask"]
    ratio = statistics.median(dask) / statistics.median(local)
    print(f"\n{args.docs} essays, {args.repeats} pair(s), {args.workers} Dask workers:")
    print("| run | local s | dask s | dask / local |")
    print("| --- | ---: | ---: | ---: |")
    for rep in range(1, args.repeats + 1):
        lo = next(r for r in runs if r["pair"] == rep and r["mode"] == "local")["wall_seconds"]
        da = next(r for r in runs if r["pair"] == rep and r["mode"] == "dask")["wall_seconds"]
        print(f"| pair {rep} | {lo:.1f} | {da:.1f} | {da / lo:.2f}x |")
    verdict = "met" if ratio <= 1.15 else "NOT met"
    print(f"| median | {statistics.median(local):.1f} | {statistics.median(dask):.1f} | **{ratio:.2f}x** "
          f"(target <= 1.15x: {verdict}) |")
    print("\nclient peak memory (ru_maxrss of the analyze process), MB:")
    print("| essays | local | dask |")
    print("| ---: | ---: | ---: |")
    for n in sizes:
        row = {r["mode"]: r["client_peak_mb"] for r in growth if r["docs"] == n}
        print(f"| {n:,} | " + " | ".join(f"{row[m]:,}" if m in row else "-" for m in ("local", "dask")) + " |")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "growth": growth, "ratio": ratio}, indent=2))


if __name__ == "__main__":
    main()
