#!/usr/bin/env python3
"""Throughput and memory benchmark for corpus_tools, with a baseline measured in the same run.

Builds corpora of distinct essays with benchmarks/make_corpus.py, then measures, each in its own
process (so peak memory is the stage's own):

- the baseline: bare ``nlp.pipe`` over the same texts with the same spaCy model, all of its
  components, ``batch_size=1000`` and ``n_process=1``;
- ``load``: load_corpus (decode, clean, segment);
- ``parse``: load + parse with a cold cache (our Parser: ner excluded, batching, two processes);
- ``parse+concepts+framing``: one streaming pass, cold cache, as ``analyze`` does it;
- ``analyze`` cold and warm (cached parses and embeddings) on the --analyze-docs corpus;
- ``corpus-tools --help`` start-up against ``python -c "import click"``.

Every figure is printed as a ratio to the baseline measured in this run.

    python benchmarks/run.py                      # 200, 1000, 5000 essays (slow: about an hour)
    python benchmarks/run.py --sizes 200 --skip-analyze   # quick look
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
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_work"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))


# --------------------------------------------------------------------------- child measurements

def _peak_rss_mb() -> float:
    """Peak resident memory of this process plus its largest finished child (parse workers)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024.0


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
        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=1000, n_process=1):
            pass
    elif stage == "load":
        from corpus_tools.load import load_corpus

        load_corpus(corpus_dir)
    elif stage == "parse":
        from corpus_tools.load import load_corpus
        from corpus_tools.parse import Parser

        parser = Parser(cache_dir=cache_dir).fit()
        started = time.perf_counter()
        corpus = load_corpus(corpus_dir)
        for _ in parser.iter_parse(corpus):
            pass
    elif stage == "parse+concepts+framing":
        from corpus_tools.load import load_corpus
        from corpus_tools.parse import Parser

        parser = Parser(cache_dir=cache_dir).fit()
        extractors = _per_document_extractors(parser.nlp_)
        started = time.perf_counter()
        corpus = load_corpus(corpus_dir)
        rows = 0
        for parsed in parser.iter_parse(corpus):
            for extractor in extractors:
                out = extractor(parsed)
                rows += sum(len(v) for v in out.values()) if isinstance(out, dict) else len(out)
        extra["stages"] = [getattr(e, "__name__", "extractor") for e in extractors]
        extra["rows"] = rows
    elif stage in ("analyze-cold", "analyze-warm"):
        from corpus_tools.pipeline import analyze

        out = Path(tempfile.mkdtemp())
        analyze(corpus_dir, out=out, cache_dir=cache_dir, seed=42)
        shutil.rmtree(out, ignore_errors=True)
    else:
        raise SystemExit(f"unknown stage {stage}")
    seconds = time.perf_counter() - started
    return {"stage": stage, "words": words, "seconds": seconds, "words_per_s": words / seconds,
            "peak_rss_mb": _peak_rss_mb(), **extra}


def _per_document_extractors(nlp) -> list:
    """The per-document stages that exist in this checkout, as callables on a ParsedDocument."""
    found = []
    try:
        from corpus_tools.concepts import ConceptExtractor

        concepts = ConceptExtractor().fit(nlp)

        def concepts_stage(parsed):
            return concepts.transform_document(parsed)

        found.append(concepts_stage)
    except ImportError:
        pass
    try:
        from corpus_tools.framing import FramingExtractor

        framing = FramingExtractor().fit(nlp)

        def framing_stage(parsed):
            return framing.transform_document(parsed)

        found.append(framing_stage)
    except ImportError:
        pass
    return found


# --------------------------------------------------------------------------- parent

def run_child(stage: str, corpus_dir: Path, cache_dir: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", stage, str(corpus_dir), str(cache_dir)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return {"stage": stage, "error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def startup_seconds(cmd: list[str], repeats: int = 7) -> float:
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="200,1000,5000", help="corpus sizes in essays")
    ap.add_argument("--analyze-docs", type=int, default=1000, help="corpus size for analyze cold/warm")
    ap.add_argument("--skip-analyze", action="store_true")
    ap.add_argument("--json", type=Path, help="also write all figures to this file")
    ap.add_argument("--child", nargs=3, metavar=("STAGE", "CORPUS", "CACHE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        stage, corpus_dir, cache_dir = args.child
        print(json.dumps(child(stage, Path(corpus_dir), Path(cache_dir))))
        return

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    results: list[dict] = []
    click_start = startup_seconds([sys.executable, "-c", "import click"])
    script = shutil.which("corpus-tools")
    help_start = startup_seconds([script, "--help"] if script else [sys.executable, "-m", "corpus_tools", "--help"])
    print(f"\nstart-up: corpus-tools --help {help_start:.3f}s, import click {click_start:.3f}s, "
          f"ratio {help_start / click_start:.2f}x (target <= 3x)")
    results.append({"stage": "help-startup", "seconds": help_start, "baseline_seconds": click_start})

    header = f"{'essays':>7} {'stage':<24} {'words/s':>10} {'x baseline':>10} {'seconds':>8} {'peak MB':>8}"
    for size in [int(s) for s in args.sizes.split(",") if s]:
        corpus_dir = ensure_corpus(size)
        print(f"\n{header}")
        base = None
        for stage in ("baseline", "load", "parse", "parse+concepts+framing"):
            cache = Path(tempfile.mkdtemp(prefix="ct-bench-cache-"))
            fig = run_child(stage, corpus_dir, cache)
            shutil.rmtree(cache, ignore_errors=True)
            fig["essays"] = size
            results.append(fig)
            if "error" in fig:
                print(f"{size:>7} {stage:<24} error: {fig['error']}")
                continue
            if stage == "baseline":
                base = fig["words_per_s"]
            ratio = fig["words_per_s"] / base if base else float("nan")
            print(f"{size:>7} {stage:<24} {fig['words_per_s']:>10.0f} {ratio:>10.2f} {fig['seconds']:>8.1f} "
                  f"{fig['peak_rss_mb']:>8.0f}")

    if not args.skip_analyze:
        corpus_dir = ensure_corpus(args.analyze_docs)
        cache = Path(tempfile.mkdtemp(prefix="ct-bench-cache-"))
        cold = run_child("analyze-cold", corpus_dir, cache)
        warm = run_child("analyze-warm", corpus_dir, cache)
        shutil.rmtree(cache, ignore_errors=True)
        results += [cold, warm]
        if "error" in cold or "error" in warm:
            print(f"\nanalyze: {cold.get('error') or warm.get('error')}")
        else:
            print(f"\nanalyze on {args.analyze_docs} essays: cold {cold['seconds']:.1f}s "
                  f"(peak {cold['peak_rss_mb']:.0f} MB), warm {warm['seconds']:.1f}s, "
                  f"speed-up {cold['seconds'] / warm['seconds']:.1f}x (target >= 10x)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
