#!/usr/bin/env python3
"""Throughput and memory benchmark for corpus_tools, with a baseline measured in the same run.

Builds corpora of distinct essays with benchmarks/make_corpus.py (a copy of the shared
generator, so nothing outside the repository is read), then measures, each in its own process
(so peak memory is the stage's own):

- ``baseline``: bare ``nlp.pipe`` over the same texts with the same spaCy model, ALL of its
  components (ner included), ``batch_size=1000``, ``n_process=1``;
- ``load``: load_corpus (decode, clean, segment);
- ``parse``: load + parse, cold parse cache (our Parser: ner excluded, batching, two processes
  when there are 4,000+ sentences);
- ``parse+concepts+framing``: load + the streaming text stages exactly as ``analyze`` runs them
  (one parse per document fed to concept matching, suggestion candidates and framing, then the
  corpus-level tables), cold caches;
- ``analyze`` (cold caches) and ``analyze`` again (warm caches) on --analyze-docs essays, the
  whole command including reports;
- ``analyze-topics`` on the largest corpus: peak memory of a full run with themes (see --help
  for which caches it may reuse);
- ``corpus-tools --help`` start-up against ``python -c "import click"``.

Peak memory is sampled every 0.2 s over the stage's process tree (parent plus parse workers)
as two sums: resident memory (RSS; pages shared after fork are counted in each process, so this
over-states; never less than the parent's own ru_maxrss) and proportional set size (PSS; shared
pages split between their sharers: the real footprint). The parent's own ru_maxrss is printed too.

Every throughput figure is printed as a ratio to the baseline measured in this run.

    python benchmarks/run.py                                   # 200, 1000, 5000 essays (~50 min)
    python benchmarks/run.py --sizes 200 --analyze-docs 200    # quick look (~3 min)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_work"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

STAGES = ("baseline", "load", "parse", "parse+concepts+framing")


# --------------------------------------------------------------------------- child measurements

def _own_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _count_words(folder: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8").split()) for p in folder.glob("*.txt"))


def child(stage: str, corpus_dir: Path, cache_dir: Path) -> dict:
    """Run one stage in this process and return its figures."""
    words = _count_words(corpus_dir)
    started = time.perf_counter()
    extra: dict = {}
    if stage == "baseline":
        from corpus_tools.parse import load_spacy_model

        nlp = load_spacy_model(exclude=())
        texts = [p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("*.txt"))]
        extra["components"] = nlp.pipe_names
        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=1000, n_process=1):
            pass
    elif stage == "load":
        from corpus_tools.load import load_corpus

        corpus = load_corpus(corpus_dir)
        extra["sentences"] = len(corpus.sentences)
    elif stage == "parse":
        from corpus_tools.load import load_corpus
        from corpus_tools.parse import Parser

        parser = Parser(cache_dir=cache_dir).fit()
        started = time.perf_counter()
        corpus = load_corpus(corpus_dir)
        for _ in parser.iter_parse(corpus):
            pass
        extra["components"] = parser.nlp_.pipe_names
    elif stage == "parse+concepts+framing":
        from corpus_tools.lexicon import load_lexicon
        from corpus_tools.load import load_corpus
        from corpus_tools.parse import load_spacy_model
        from corpus_tools.pipeline import AnalysisResult, _Progress, _run_text_stages

        nlp = load_spacy_model()
        lexicon = load_lexicon(None)
        started = time.perf_counter()
        corpus = load_corpus(corpus_dir)
        result = AnalysisResult(corpus=corpus)
        _run_text_stages(corpus, lexicon, result, _Progress(None), nlp=nlp, model=None, cache_dir=cache_dir)
        extra["mentions"] = len(result.concepts.mentions) if result.concepts is not None else None
        extra["contrasts"] = len(result.framing.contrasts) if result.framing is not None else None
        extra["status"] = {k: v["status"] for k, v in result.stage_status.items()}
        extra["timings"] = {k: round(v, 2) for k, v in result.timings.items()}
    elif stage.startswith("analyze"):
        # The whole command, imports included (start-up is part of what a user waits for).
        started = time.perf_counter()
        from corpus_tools.pipeline import analyze

        out = Path(tempfile.mkdtemp(prefix="ct-bench-out-"))
        result = analyze(corpus_dir, out=out, cache_dir=cache_dir, seed=42)
        shutil.rmtree(out, ignore_errors=True)
        extra["timings"] = {k: round(v, 2) for k, v in result.timings.items()}
        extra["cache"] = result.parse_cache
        extra["status"] = {k: v["status"] for k, v in result.stage_status.items()}
        extra["n_topics"] = (getattr(result.topics, "metrics", None) or {}).get("n_topics")
        extra["units"] = (getattr(result.topics, "metrics", None) or {}).get("n_units")
    else:
        raise SystemExit(f"unknown stage {stage}")
    seconds = time.perf_counter() - started
    return {"stage": stage, "words": words, "seconds": seconds, "words_per_s": words / seconds,
            "own_peak_mb": _own_peak_mb(), **extra}


# --------------------------------------------------------------------------- parent

def _tree_memory_mb(root: int) -> tuple[float, float]:
    """Resident memory (RSS) and proportional set size (PSS) of ``root`` and all its descendants.

    The RSS sum counts a page shared by several processes (the model pages of forked parse
    workers, or a short-lived fork such as joblib's ``lscpu`` probe, which briefly "has" all of
    its parent's memory) once per process; PSS splits each shared page between its sharers, so the
    PSS sum is the tree's real footprint."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    page = os.sysconf("SC_PAGE_SIZE")
    rss, pss, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm") as handle:
                rss += int(handle.read().split()[1]) * page
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                pss += next(int(line.split()[1]) for line in handle if line.startswith("Pss:")) * 1024
        except (OSError, IndexError, ValueError, StopIteration):
            pass
    return rss / 2 ** 20, pss / 2 ** 20


def run_child(stage: str, corpus_dir: Path, cache_dir: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", stage, str(corpus_dir), str(cache_dir)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0, 0.0]

    def sample() -> None:
        while proc.poll() is None:
            rss, pss = _tree_memory_mb(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        return {"stage": stage, "error": stderr.strip().splitlines()[-1] if stderr.strip() else "failed"}
    fig = json.loads(stdout.strip().splitlines()[-1])
    fig["peak_rss_mb"] = max(peak[0], fig["own_peak_mb"])
    fig["peak_pss_mb"] = peak[1]
    return fig


def startup_seconds(cmd: list[str], repeats: int = 9) -> float:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the OS file cache
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ensure_corpus(n_docs: int) -> Path:
    from make_corpus import make_corpus

    folder = WORK / f"corpus_{n_docs}"
    if not (folder / "metadata.csv").exists():
        make_corpus(folder, n_docs)
    return folder


class Report:
    """Prints as it goes and keeps every figure for --json."""

    def __init__(self, json_path: Path | None) -> None:
        self.results: list[dict] = []
        self.json_path = json_path

    def add(self, fig: dict) -> None:
        self.results.append(fig)
        if self.json_path:
            self.json_path.write_text(json.dumps(self.results, indent=2, default=str))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="200,1000,5000", help="corpus sizes in essays")
    ap.add_argument("--baseline-max", type=int, default=1000,
                    help="measure the baseline only up to this size; larger sizes use the rate measured at the "
                         "largest size at or under it in this run (the baseline is linear; 5,000 essays take ~20 min)")
    ap.add_argument("--analyze-docs", type=int, default=1000, help="corpus size for analyze cold/warm (0: skip)")
    ap.add_argument("--topics-docs", type=int, default=5000,
                    help="corpus size for a full analyze with themes for peak memory (0: skip); it reuses the parse "
                         "and row caches left by this size's parse+concepts+framing stage (embeddings and the theme "
                         "fit run cold)")
    ap.add_argument("--seed-embeddings", type=Path, action="append", default=[],
                    help="an earlier cache dir whose embeddings/ the themes run at --topics-docs may start from "
                         "(repeatable; only texts that occur in this corpus are ever used; said in the output)")
    ap.add_argument("--skip-parse-at", type=int, default=0,
                    help="skip the parse-only stage at sizes >= this (0: never); parse+concepts+framing includes it")
    ap.add_argument("--json", type=Path, help="also write all figures to this file (updated after every stage)")
    ap.add_argument("--child", nargs=3, metavar=("STAGE", "CORPUS", "CACHE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        stage, corpus_dir, cache_dir = args.child
        print(json.dumps(child(stage, Path(corpus_dir), Path(cache_dir)), default=str))
        return

    report = Report(args.json)
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    print(f"machine: {platform.machine()}, {cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GB RAM, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    report.add({"stage": "machine", "cpu": cpu, "cores": os.cpu_count(), "mem_gb": round(mem_gb, 1),
                "python": platform.python_version()})

    click_start = startup_seconds([sys.executable, "-c", "import click"])
    script = shutil.which("corpus-tools")
    help_start = startup_seconds([script, "--help"] if script else [sys.executable, "-m", "corpus_tools", "--help"])
    print(f"\nstart-up (median of 9): corpus-tools --help {help_start:.3f}s, python -c 'import click' "
          f"{click_start:.3f}s, ratio {help_start / click_start:.2f}x (target <= 3x)", flush=True)
    report.add({"stage": "help-startup", "seconds": help_start, "baseline_seconds": click_start,
                "ratio": help_start / click_start})

    sizes = [int(s) for s in args.sizes.split(",") if s]
    header = (f"{'essays':>7} {'stage':<24} {'words':>9} {'words/s':>9} {'x base':>7} {'seconds':>8} "
              f"{'tree RSS':>8} {'tree PSS':>8} {'own MB':>8}")
    base_rate: dict[int, float] = {}
    kept_caches: dict[int, Path] = {}
    for size in sizes:
        corpus_dir = ensure_corpus(size)
        print(f"\n{header}", flush=True)
        for stage in STAGES:
            if stage == "baseline" and size > args.baseline_max:
                known = [s for s in base_rate if s <= args.baseline_max]
                if known:
                    ref = max(known)
                    base_rate[size] = base_rate[ref]
                    print(f"{size:>7} {'baseline':<24} {'':>9} {base_rate[size]:>9.0f} {'':>7} {'':>8} {'':>8}"
                          f"  <- NOT re-measured: the {ref}-essay rate from this run", flush=True)
                    report.add({"stage": "baseline", "essays": size, "reused_from": ref, "words_per_s": base_rate[size]})
                continue
            if stage == "parse" and args.skip_parse_at and size >= args.skip_parse_at:
                continue
            cache = Path(tempfile.mkdtemp(prefix="ct-bench-cache-"))
            fig = run_child(stage, corpus_dir, cache)
            if stage == "parse+concepts+framing" and size == args.topics_docs:
                kept_caches[size] = cache
            else:
                shutil.rmtree(cache, ignore_errors=True)
            fig["essays"] = size
            if "error" in fig:
                report.add(fig)
                print(f"{size:>7} {stage:<24} error: {fig['error']}", flush=True)
                continue
            if stage == "baseline":
                base_rate[size] = fig["words_per_s"]
            base = base_rate.get(size)
            fig["x_baseline"] = fig["words_per_s"] / base if base else None
            report.add(fig)
            ratio = f"{fig['x_baseline']:>7.2f}" if base else f"{'-':>7}"
            print(f"{size:>7} {stage:<24} {fig['words']:>9} {fig['words_per_s']:>9.0f} {ratio} {fig['seconds']:>8.1f} "
                  f"{fig['peak_rss_mb']:>8.0f} {fig['peak_pss_mb']:>8.0f} {fig['own_peak_mb']:>8.0f}", flush=True)

    if args.analyze_docs:
        corpus_dir = ensure_corpus(args.analyze_docs)
        cache = Path(tempfile.mkdtemp(prefix="ct-bench-cache-"))
        cold = run_child("analyze-cold", corpus_dir, cache)
        warm = run_child("analyze-warm", corpus_dir, cache)
        shutil.rmtree(cache, ignore_errors=True)
        for fig in (cold, warm):
            fig["essays"] = args.analyze_docs
            report.add(fig)
        if "error" in cold or "error" in warm:
            print(f"\nanalyze: {cold.get('error') or warm.get('error')}", flush=True)
        else:
            print(f"\nanalyze on {args.analyze_docs} essays (whole process, imports and reports included):\n"
                  f"  cold {cold['seconds']:.1f}s (peak {cold['peak_rss_mb']:.0f} MB tree RSS, {cold['peak_pss_mb']:.0f} MB PSS; stages {cold['timings']})\n"
                  f"  warm {warm['seconds']:.1f}s (peak {warm['peak_rss_mb']:.0f} MB tree RSS, {warm['peak_pss_mb']:.0f} MB PSS; stages {warm['timings']}; "
                  f"cache {warm['cache']})\n"
                  f"  warm speed-up {cold['seconds'] / warm['seconds']:.1f}x (target >= 10x)", flush=True)
            report.add({"stage": "analyze-speedup", "essays": args.analyze_docs,
                        "ratio": cold["seconds"] / warm["seconds"]})

    if args.topics_docs:
        corpus_dir = ensure_corpus(args.topics_docs)
        cache = kept_caches.pop(args.topics_docs, None)
        reused = cache is not None
        cache = cache or Path(tempfile.mkdtemp(prefix="ct-bench-cache-"))
        seeded = 0
        for source in args.seed_embeddings:
            for shard in sorted(Path(source).glob("embeddings/*/*.npz")):
                target = cache / "embeddings" / shard.parent.name / f"seed{seeded}-{shard.name}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shard, target)
                seeded += 1
        if seeded:
            print(f"\n(themes run: embedding cache seeded with {seeded} shard(s) from "
                  f"{', '.join(map(str, args.seed_embeddings))}; the rest is embedded cold)", flush=True)
        fig = run_child("analyze-topics", corpus_dir, cache)
        fig["seeded_embedding_shards"] = seeded
        shutil.rmtree(cache, ignore_errors=True)
        fig["essays"] = args.topics_docs
        fig["reused_text_caches"] = reused
        report.add(fig)
        if "error" in fig:
            print(f"\nanalyze with themes on {args.topics_docs} essays: {fig['error']}", flush=True)
        else:
            how = ("parses and concept/framing rows from this run's parse+concepts+framing stage (whose peak is "
                   "in the table above); embeddings and theme fit cold") if reused else "all caches cold"
            print(f"\nanalyze with themes on {args.topics_docs} essays ({fig.get('units')} units, "
                  f"{fig.get('n_topics')} themes; {how}):\n"
                  f"  {fig['seconds']:.0f}s, peak tree RSS {fig['peak_rss_mb']:.0f} MB, tree PSS {fig['peak_pss_mb']:.0f} MB, "
                  f"own {fig['own_peak_mb']:.0f} MB (target < 4096 MB); "
                  f"stages {fig['timings']}", flush=True)
    for cache in kept_caches.values():
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
