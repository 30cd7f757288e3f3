#!/usr/bin/env python3
"""Text-stage throughput of the local executor's two modes against the parse alone.

Sides, each run in a new process (spaCy and the model loaded before the clock starts), alternating
for ``--rounds`` rounds over a ``make_corpus.py`` corpus of ``--docs`` essays:

- ``parse``: ``nlp.pipe(sentences, batch_size=256, n_process=2)`` over the corpus's sentences, with
  the pipeline's components (``ner`` excluded): the parse alone, same model, components, processes.
- ``inprocess``: load + parse + concepts + framing as ``analyze``'s text stages run them with cold
  caches, ``LocalExecutor(processes=1)``: spaCy's two parse processes ship Docs to this process,
  which runs concepts and framing.
- ``pool``: the same with ``LocalExecutor(processes=2)``: two worker processes each parse and run
  every document stage on batches of documents and return the rows.

Prints per run wall seconds, words/s and CPU seconds (this process and its ended children), then
the median words/s of each side and the ratios to the parse alone.

    python benchmarks/bench_local_pool.py --docs 300 --rounds 3

One run on 2 cores shared with other jobs (load average 3.4 to 7.7 during it), 300 essays, 283,575
words: the parse alone 2,572 words/s (median), in-process 2,341 words/s (0.910x; pairs 1.076, 1.055,
0.744), pool 2,801 words/s (1.089x; pairs 0.907, 1.263, 0.872); median CPU seconds 62.0 (parse
alone), 81.3 (in-process, 27 of them in the main process), 65.7 (pool). The wall figures follow the
machine's load more than the code; the CPU seconds are the steadier measure.

A second run, ``--rounds 2`` (load average 1.3 for its first run, 3.9 to 4.6 after): the parse alone
9,225 and 3,519 words/s, in-process 3,608 and 3,375, pool 4,698 and 4,630 (medians: 0.548x and 0.732x
of the parse alone; pairs 0.391/0.959 and 0.509/1.316); head to head the pool took 60.4 and 61.3 s
where in-process took 78.6 and 84.0 s; CPU seconds 60.0 and 67.3 (parse alone), 81.9 and 86.1
(in-process), 60.0 and 60.3 (pool).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

_CHILD = r"""
import json, resource, sys, tempfile, time
from corpus_tools.load import load_corpus
from corpus_tools.parse import load_spacy_model

def cpu(who=None):  # CPU seconds of this process, plus its ended (joined) children
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    main = own.ru_utime + own.ru_stime
    return main if who == "main" else main + kids.ru_utime + kids.ru_stime

side, folder = sys.argv[1], sys.argv[2]
nlp = load_spacy_model()  # ner excluded, as the pipeline loads it
out = {"side": side, "components": nlp.pipe_names}
if side == "parse":
    corpus = load_corpus(folder)
    texts = corpus.sentences["clean_text"].tolist()
    start, cpu0, main0 = time.perf_counter(), cpu(), cpu("main")
    for _ in nlp.pipe(texts, batch_size=256, n_process=2):
        pass
    out["seconds"] = time.perf_counter() - start
    out["cpu_seconds"], out["cpu_main_seconds"] = cpu() - cpu0, cpu("main") - main0
else:
    from corpus_tools.executors import LocalExecutor
    from corpus_tools.lexicon import load_lexicon
    from corpus_tools.pipeline import AnalysisResult, _Progress, _run_text_stages

    lexicon = load_lexicon(None)
    executor = LocalExecutor(processes=1 if side == "inprocess" else 2)
    with tempfile.TemporaryDirectory() as cache:  # cold: parse, row and result caches all empty
        start, cpu0, main0 = time.perf_counter(), cpu(), cpu("main")
        corpus = load_corpus(folder)
        result = AnalysisResult(corpus=corpus)
        _run_text_stages(corpus, lexicon, result, _Progress(None), nlp=nlp, model=None, cache_dir=cache,
                         executor=executor)
        out["seconds"] = time.perf_counter() - start
        out["cpu_seconds"], out["cpu_main_seconds"] = cpu() - cpu0, cpu("main") - main0
    out["timings"] = {k: round(v, 2) for k, v in result.timings.items()}
    out["status"] = {k: v["status"] for k, v in result.stage_status.items()}
    out["processes"] = result.parse_cache.get("processes")
    out["mentions"] = len(result.concepts.mentions)
    out["contrasts"] = len(result.framing.contrasts)
out["words"] = int(load_corpus(folder).documents["n_words"].sum())
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=300, help="generated essays (make_corpus.py)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of the three sides")
    args = ap.parse_args()
    from make_corpus import make_corpus

    folder = (HERE / "_work" / f"corpus_{args.docs}").resolve()
    if not (folder / "metadata.csv").exists():
        make_corpus(folder, args.docs)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    sides = ["parse", "inprocess", "pool"]
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    for r in range(args.rounds):
        for side in sides if r % 2 == 0 else sides[::-1]:
            proc = subprocess.run([sys.executable, "-c", _CHILD, side, str(folder)], capture_output=True,
                                  text=True, env=env, cwd=REPO)
            if proc.returncode != 0:
                raise SystemExit(f"{side} failed:\n{proc.stderr[-3000:]}")
            fig = json.loads(proc.stdout.strip().splitlines()[-1])
            fig["words_per_s"] = fig["words"] / fig["seconds"]
            runs[side].append(fig)
            print(f"round {r + 1} {side}: {fig['seconds']:.1f} s, {fig['words_per_s']:,.0f} words/s, "
                  f"CPU {fig['cpu_seconds']:.1f} s (main process {fig['cpu_main_seconds']:.1f} s), "
                  f"load average {os.getloadavg()[0]:.1f}"
                  + (f", timings {fig['timings']}, processes {fig['processes']}" if "timings" in fig else ""),
                  flush=True)
    med = {side: statistics.median(f["words_per_s"] for f in figs) for side, figs in runs.items()}
    for side in ("inprocess", "pool"):
        pairs = [p["words_per_s"] / q["words_per_s"] for p, q in zip(runs[side], runs["parse"])]
        print(f"{side}: {med[side]:,.0f} words/s vs the parse alone {med['parse']:,.0f} words/s -> "
              f"{med[side] / med['parse']:.3f}x (pairs {[round(x, 3) for x in pairs]}); median CPU "
              f"{statistics.median(f['cpu_seconds'] for f in runs[side]):.1f} s vs "
              f"{statistics.median(f['cpu_seconds'] for f in runs['parse']):.1f} s")
    same = {(f["mentions"], f["contrasts"]) for side in ("inprocess", "pool") for f in runs[side]}
    print(f"words {runs['parse'][0]['words']:,}, components {runs['parse'][0]['components']}; "
          f"(mentions, contrasts) of every public run: {sorted(same)}")


if __name__ == "__main__":
    main()
