#!/usr/bin/env python3
"""Themes at scale: a full theme fit against fits on seeded samples that assign the rest.

On a generated corpus (``make_corpus.py``; 5,000 essays are about 53,000 paragraphs), every
paragraph is embedded once with the static embedder (the cache is filled in its own process
and timed), then ``find_topics`` runs in a fresh process per setting: the full fit, and
``fit_sample=N`` for each N in ``--samples``. Each prints its wall time (``find_topics`` alone,
embeddings read from the cache), the time per stage, the process's peak memory, and how far
``find_topics`` raised it above the loaded corpus. The parent compares each sample fit's
assignment of every unit with the full fit's by the adjusted Rand index (ARI; 1 = the same
partition, 0 = chance), over all units and over the units the sample fit only assigned, and
prints NPMI, themes and outlier share of each.

    python benchmarks/bench_themes_scale.py                                 # 5,000 essays
    python benchmarks/bench_themes_scale.py --docs 2000 --samples 2000,5000,10000
    python benchmarks/bench_themes_scale.py --docs 300 --samples 1000       # smoke run, ~2 min
    python benchmarks/bench_themes_scale.py --topical                       # paragraphs with a known source
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_work"
sys.path.insert(0, str(HERE))

_CHILD = r"""
import json, resource, sys, time
start = time.perf_counter()
import numpy as np
import corpus_tools as ct

def status(field):
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) / 1024 for line in handle if line.startswith(field))

folder, cache, mode, seed, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
corpus = ct.load_corpus(folder)
loaded_rss = status("VmRSS:")
if mode == "embed":
    from corpus_tools.embeddings import Embedder
    from corpus_tools.topics import build_units
    units, _ = build_units(corpus)
    t = time.perf_counter()
    Embedder(cache_dir=cache).fit().embed(units["text"].tolist())
    result = {"units": len(units), "embed_seconds": round(time.perf_counter() - t, 2)}
    if len(sys.argv) > 6:  # a --topical corpus: each unit's source file, by a vote of its sentences
        import collections, re
        sys.path.insert(0, sys.argv[7])
        from make_corpus import sentences_of_file
        from pathlib import Path
        files = sorted(Path(sys.argv[6]).glob("*.txt"))
        origin = {sentence: k for k, path in enumerate(files) for sentence in sentences_of_file(path)}
        truth = []
        for text in units["text"]:
            votes = collections.Counter(origin[p.strip()] for p in re.split(r"(?<=[.!?])\s+|\n+", text)
                                        if p.strip() in origin)
            truth.append(votes.most_common(1)[0][0] if votes else -1)
        truth = np.array(truth)
        np.save(out + ".truth.npy", truth)
        result["truth_coverage"] = round(float((truth >= 0).mean()), 4)
else:
    with open("/proc/self/clear_refs", "w") as handle:  # the high-water mark from here on: find_topics' own
        handle.write("5")
    t = time.perf_counter()
    topics = ct.find_topics(corpus, seed=seed, cache_dir=cache, fit_sample=None if mode == "full" else int(mode))
    seconds = time.perf_counter() - t
    m = topics.model
    np.save(out + ".topics.npy", topics.assignments["topic"].to_numpy())
    np.save(out + ".rows.npy", m.fit_rows_ if m.fit_rows_ is not None else np.arange(0))
    keep = ("n_units", "n_fit_units", "n_topics", "outlier_share", "npmi", "diversity", "largest_share",
            "model_clusterer", "model_sample")
    result = {"find_topics_seconds": round(seconds, 2), "loaded_rss_mb": round(loaded_rss),
              "find_topics_peak_mb": round(status("VmHWM:")),
              "stages": {k: round(v, 2) for k, v in m.timings_.items()},
              "metrics": {k: topics.metrics.get(k) for k in keep}}
result["peak_rss_mb"] = round(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                                  result.get("find_topics_peak_mb", 0)))
result["process_seconds"] = round(time.perf_counter() - start, 2)
print(json.dumps(result, default=str))
"""


def child(folder: Path, cache: Path, mode: str, seed: int, out: Path, source: Path | None = None,
          reuse: bool = False) -> dict:
    """One setting in a fresh process; its figures are also kept in ``<out>.json`` (``--reuse``
    reads them back instead of fitting again)."""
    saved = Path(str(out) + ".json")
    if reuse and saved.is_file() and mode != "embed":
        return json.loads(saved.read_text())
    extra = [str(source), str(HERE)] if source is not None else []
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(folder), str(cache), mode, str(seed), str(out), *extra],
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    saved.write_text(json.dumps(result))
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=5000, help="generated essays (5,000 ~ 53,000 paragraphs)")
    ap.add_argument("--samples", default="5000,10000,20000", help="comma-separated fit_sample sizes")
    ap.add_argument("--seed", type=int, default=42, help="theme seed (also draws the sample)")
    ap.add_argument("--corpus-seed", type=int, default=0)
    ap.add_argument("--cache-dir", type=Path, default=None, help="[default: benchmarks/_work/themes_scale_cache]")
    ap.add_argument("--no-full", action="store_true", help="skip the full fit (no ARI then)")
    ap.add_argument("--reference-seed", type=int, default=None,
                    help="also a full fit with this seed: the ARI of two full fits is the ceiling to read the "
                         "sample fits' ARI against [default: seed + 1; -1 for none]")
    ap.add_argument("--topical", action="store_true",
                    help="a corpus whose paragraphs each come from one dev essay (make_corpus.py --topical): "
                         "then each fit is also scored against that known source (ARI vs source)")
    ap.add_argument("--reuse", action="store_true",
                    help="settings already measured on this corpus (benchmarks/_work/themes_scale/) are read back")
    ap.add_argument("--json", type=Path, default=None, help="also write every figure here")
    args = ap.parse_args()

    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from make_corpus import make_corpus

    WORK.mkdir(exist_ok=True)
    source = REPO / "tests" / "data" / "dev" / "essays" if args.topical else REPO / "corpus"
    folder = WORK / (f"corpus_{args.docs}" + (f"_s{args.corpus_seed}" if args.corpus_seed else "")
                     + ("_topical" if args.topical else ""))
    if not (folder / "metadata.csv").exists():
        make_corpus(folder, args.docs, seed=args.corpus_seed, source=source, topical=args.topical)
    cache = args.cache_dir or WORK / "themes_scale_cache"
    outputs = WORK / "themes_scale"
    outputs.mkdir(exist_ok=True)
    samples = [int(s) for s in args.samples.split(",") if s.strip()]

    print(f"corpus {folder} ({args.docs} essays), embedding cache {cache}", flush=True)
    tag = folder.name
    embed = child(folder, cache, "embed", args.seed, outputs / f"{tag}_embed", source if args.topical else None)
    truth = np.load(outputs / f"{tag}_embed.truth.npy") if args.topical else None
    if truth is not None:
        print(f"known source for {embed['truth_coverage']:.1%} of the units", flush=True)
    print(f"embeddings: {embed['units']:,} units, {embed['embed_seconds']:.1f} s "
          f"({embed['units'] / max(embed['embed_seconds'], 1e-9):,.0f} units/s; 0 s when already cached)", flush=True)

    reference = args.seed + 1 if args.reference_seed is None else args.reference_seed
    settings = ([] if args.no_full else [("full", args.seed)]) + [(str(s), args.seed) for s in samples]
    if not args.no_full and reference >= 0:
        settings.append((f"full seed {reference}", reference))
    runs: dict[str, dict] = {}
    for mode, seed in settings:
        started = time.perf_counter()
        runs[mode] = child(folder, cache, mode.split()[0], seed, outputs / f"{tag}_{mode.replace(' ', '_')}",
                           reuse=args.reuse)
        runs[mode]["topics"] = np.load(outputs / f"{tag}_{mode.replace(' ', '_')}.topics.npy")
        runs[mode]["rows"] = np.load(outputs / f"{tag}_{mode.replace(' ', '_')}.rows.npy")
        runs[mode]["seed"] = seed
        m = runs[mode]["metrics"]
        print(f"{mode}: {runs[mode]['find_topics_seconds']:.1f} s, {m['n_topics']} themes, "
              f"peak {runs[mode]['peak_rss_mb']:,} MB ({time.perf_counter() - started:.0f} s with start-up)", flush=True)

    full = runs.get("full")
    header = ("| fit | units fitted | find_topics s | reduce | cluster | represent | assign | peak MB "
              "| find_topics peak MB | clusterer | themes | outliers | NPMI | ARI vs full (all) | ARI (assigned units) |"
              + (" ARI vs source |" if truth is not None else ""))
    lines = [header, "| --- |" + " ---: |" * (header.count("|") - 2)]
    for mode, run in runs.items():
        m, st = run["metrics"], run["stages"]
        ari_all = ari_rest = None
        if full is not None and mode != "full":
            ari_all = adjusted_rand_score(full["topics"], run["topics"])
            rest = np.setdiff1d(np.arange(len(run["topics"])), run["rows"])
            if len(run["rows"]):
                ari_rest = adjusted_rand_score(full["topics"][rest], run["topics"][rest])
        run["ari_all"], run["ari_assigned"] = ari_all, ari_rest
        if truth is not None:
            known = truth >= 0
            run["ari_source"] = adjusted_rand_score(truth[known], run["topics"][known])
        fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
        lines.append(
            f"| {mode if mode.startswith('full') else 'sample ' + f'{int(mode):,}'} | {m['n_fit_units']:,} "
            f"| {run['find_topics_seconds']:.1f} | {st.get('reduce', 0):.1f} | {st.get('cluster', 0):.1f} "
            f"| {st.get('represent', 0):.1f} | {st.get('assign', 0):.1f} | {run['peak_rss_mb']:,} "
            f"| {run['find_topics_peak_mb']:,} | {'k-means fallback' if 'fallback used' in m['model_clusterer'] else m['model_clusterer'].split('(')[0]} | {m['n_topics']} | {m['outlier_share']:.1%} | {m['npmi']:+.4f} "
            f"| {fmt(ari_all)} | {fmt(ari_rest)} |" + (f" {run['ari_source']:.3f} |" if truth is not None else ""))
    n_units = next(iter(runs.values()))["metrics"]["n_units"] if runs else embed["units"]
    print(f"\n{args.docs:,} essays, {n_units:,} units, seed {args.seed}; loaded corpus "
          f"{next(iter(runs.values()))['loaded_rss_mb']:,} MB RSS before find_topics\n" if runs else "")
    print("\n".join(lines))
    if args.json:
        payload = {"docs": args.docs, "seed": args.seed, "embed": embed,
                   "runs": {k: {kk: vv for kk, vv in v.items() if kk not in ("topics", "rows")} for k, v in runs.items()}}
        args.json.write_text(json.dumps(payload, indent=2, default=str))


if __name__ == "__main__":
    main()
