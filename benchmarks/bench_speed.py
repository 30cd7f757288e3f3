#!/usr/bin/env python3
"""Speed targets of one machine, as ratios measured in one run (each pair back to back).

1. Embedding throughput: the default static embedder vs all-MiniLM-L6-v2 fp32 on the same
   paragraphs (cache off), alternating the two for ``--rounds`` rounds; median paragraphs/s.
2. Warm ``corpus-tools analyze corpus --out DIR`` (every stage cached) vs
   ``python -c "import pandas"``, alternating, ``--repeats`` times each; median wall. The warm
   run's imported modules are checked too (none of spacy, torch, bertopic, sentence_transformers).
3. Themes with the static embedder vs MiniLM on the dev essays and the starter corpus: NPMI of
   each, its difference, and the adjusted Rand index of the two theme assignments.
4. Themes on ~20,000 generated paragraphs, cold (fresh embedding cache, embeddings included, one
   new process, imports included) with the static embedder. The static model itself is made
   once per machine (see ``--distill``).

    python benchmarks/bench_speed.py                       # everything (about 10 min on 2 cores)
    python benchmarks/bench_speed.py --paragraphs 0        # skip the 20,000-paragraph run
    python benchmarks/bench_speed.py --distill             # also time distilling the static model
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

HEAVY = ("spacy", "torch", "bertopic", "sentence_transformers")

_THEMES_CHILD = r"""
import json, sys, time
start = time.perf_counter()
import corpus_tools as ct
corpus = ct.load_corpus(sys.argv[1])
result = ct.find_topics(corpus, seed=42, cache_dir=sys.argv[2], embedder=sys.argv[3])
m = result.metrics
print(json.dumps({"units": m["n_units"], "n_topics": m["n_topics"], "npmi": m["npmi"],
                  "seconds_embed": m["seconds_embed"], "find_topics_seconds": m["wall_seconds"],
                  "process_seconds": time.perf_counter() - start}))
"""

_IMPORTS_CHILD = r"""
import sys
from corpus_tools.cli import main
try:
    main(["analyze", sys.argv[1], "--out", sys.argv[2], "--cache-dir", sys.argv[3], "-q"])
except SystemExit as exc:
    if exc.code:
        raise
print(",".join(m for m in sys.argv[4].split(",") if m in sys.modules))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(), cwd=REPO)
    return time.perf_counter() - start


def embedding_throughput(n: int, rounds: int) -> dict:
    import corpus_tools as ct
    from corpus_tools.embeddings import Embedder
    from corpus_tools.topics import build_units

    units, _ = build_units(ct.load_corpus(REPO / "tests" / "data" / "dev"))
    texts = units["text"].tolist()
    while len(texts) < n:  # the dev essays have ~160 paragraphs: repeat them, the cache is off
        texts += texts
    texts = texts[:n]
    embedders = {name: Embedder(embedder=name, use_cache=False).fit() for name in ("minilm", "static")}
    for e in embedders.values():
        e.embed(texts[:8])  # warm-up: first-call allocations out of the timing
    rates: dict[str, list[float]] = {name: [] for name in embedders}
    for _ in range(rounds):
        for name, e in embedders.items():
            start = time.perf_counter()
            e.embed(texts)
            rates[name].append(len(texts) / (time.perf_counter() - start))
    med = {name: statistics.median(r) for name, r in rates.items()}
    words = sum(len(t.split()) for t in texts) / len(texts)
    return {"paragraphs": n, "mean_words": round(words, 1), "rounds": rounds,
            "minilm_per_s": round(med["minilm"], 2), "static_per_s": round(med["static"], 1),
            "ratio": round(med["static"] / med["minilm"], 1), "all_rates": rates}


def warm_analyze(repeats: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench_speed_"))
    cache, out = work / "cache", work / "out"
    analyze = [sys.executable, "-m", "corpus_tools", "analyze", "corpus", "--out", str(out),
               "--cache-dir", str(cache), "-q"]
    cold = _wall(analyze)
    _wall(analyze)  # the first warm run writes nothing new; from here on every stage is a cache hit
    pandas_s, warm_s = [], []
    for _ in range(repeats):
        pandas_s.append(_wall([sys.executable, "-c", "import pandas"]))
        warm_s.append(_wall(analyze))
    proc = subprocess.run([sys.executable, "-c", _IMPORTS_CHILD, "corpus", str(out), str(cache), ",".join(HEAVY)],
                          capture_output=True, text=True, env=_env(), cwd=REPO, check=True)
    timings = json.loads((out / "run.json").read_text())["timings_seconds"]
    p, w = statistics.median(pandas_s), statistics.median(warm_s)
    return {"cold_seconds": round(cold, 2), "pandas_seconds": round(p, 3), "warm_seconds": round(w, 3),
            "ratio": round(w / p, 2), "pandas_all": [round(x, 3) for x in pandas_s],
            "warm_all": [round(x, 3) for x in warm_s], "heavy_imported": proc.stdout.strip().splitlines()[-1:] or [""],
            "warm_stage_seconds": timings}


def theme_agreement() -> list[dict]:
    import corpus_tools as ct
    from sklearn.metrics import adjusted_rand_score

    rows = []
    for name, folder in (("dev essays", REPO / "tests" / "data" / "dev"), ("starter corpus", REPO / "corpus")):
        corpus = ct.load_corpus(folder)
        with tempfile.TemporaryDirectory() as cache:
            ref = ct.find_topics(corpus, seed=42, embedder="minilm", cache_dir=cache)
            new = ct.find_topics(corpus, seed=42, embedder="static", cache_dir=cache)
        rows.append({"corpus": name, "units": int(ref.metrics["n_units"]),
                     "minilm_topics": ref.metrics["n_topics"], "static_topics": new.metrics["n_topics"],
                     "minilm_npmi": round(ref.metrics["npmi"], 4), "static_npmi": round(new.metrics["npmi"], 4),
                     "npmi_difference": round(new.metrics["npmi"] - ref.metrics["npmi"], 4),
                     "ari": round(adjusted_rand_score(ref.assignments["topic"], new.assignments["topic"]), 3)})
    return rows


def themes_cold(paragraphs: int) -> dict:
    from bench_topics import build

    folder = build(paragraphs, 0, REPO / "corpus")
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _THEMES_CHILD, str(folder), cache, "static"],
                              capture_output=True, text=True, env=_env(), cwd=REPO)
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"themes run failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_seconds"] = round(wall, 1)
    return out


def distill_time() -> float:
    from corpus_tools.embeddings import default_model_path, distill_static_model

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        distill_static_model(default_model_path(), Path(tmp) / "static")
        return round(time.perf_counter() - start, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embed-paragraphs", type=int, default=300, help="paragraphs for the throughput ratio")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5, help="warm analyze / import pandas pairs")
    ap.add_argument("--paragraphs", type=int, default=20000, help="themes cold run size (0: skip)")
    ap.add_argument("--distill", action="store_true", help="also time distilling the static model from MiniLM")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()

    from corpus_tools.embeddings import static_model_path

    static_model_path()  # made once per machine (minutes); not part of any timing below
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
                     "load_average": os.getloadavg()}
    print(f"load average at start: {results['load_average']}", flush=True)
    results["embedding"] = e = embedding_throughput(args.embed_paragraphs, args.rounds)
    print(f"embedding throughput, {e['paragraphs']} paragraphs of ~{e['mean_words']} words: MiniLM fp32 "
          f"{e['minilm_per_s']}/s, static {e['static_per_s']}/s -> {e['ratio']}x", flush=True)
    results["warm"] = w = warm_analyze(args.repeats)
    print(f"warm analyze corpus: {w['warm_seconds']} s vs import pandas {w['pandas_seconds']} s -> {w['ratio']}x "
          f"(cold {w['cold_seconds']} s); heavy modules imported: {w['heavy_imported'][0] or 'none'}; "
          f"stages {w['warm_stage_seconds']}", flush=True)
    results["themes"] = rows = theme_agreement()
    for r in rows:
        print(f"themes on the {r['corpus']} ({r['units']} units): MiniLM {r['minilm_topics']} themes NPMI "
              f"{r['minilm_npmi']:+.4f}, static {r['static_topics']} themes NPMI {r['static_npmi']:+.4f} "
              f"(difference {r['npmi_difference']:+.4f}); ARI {r['ari']}", flush=True)
    if args.paragraphs:
        results["themes_cold"] = t = themes_cold(args.paragraphs)
        print(f"themes on {t['units']} paragraphs, cold, static embedder: {t['wall_seconds']} s wall "
              f"(embedding {t['seconds_embed']:.1f} s; {t['n_topics']} themes)", flush=True)
    if args.distill:
        results["distill_seconds"] = d = distill_time()
        print(f"distilling the static model from MiniLM (once per machine): {d} s", flush=True)
    results["load_average_end"] = os.getloadavg()
    print(f"load average at end: {results['load_average_end']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
