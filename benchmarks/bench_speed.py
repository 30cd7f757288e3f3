#!/usr/bin/env python3
"""Speed targets of one machine, as ratios measured in one run (each pair back to back).

1. Embedding throughput: the default static embedder vs all-MiniLM-L6-v2 fp32 on the same
   paragraphs (cache off), alternating the two for ``--rounds`` rounds; median paragraphs/s.
2. Warm ``corpus-tools analyze corpus --out DIR`` (every stage cached) vs
   ``python -c "import pandas"``, alternating, ``--repeats`` times each; median wall. The warm
   run's imported modules are checked too (none of spacy, torch, bertopic, sentence_transformers).
3. Themes with the static embedder vs MiniLM on the dev essays and the starter corpus: NPMI of
   each, its difference, and the adjusted Rand index of the two theme assignments; the same with
   k fixed to MiniLM's; with ``--theme-seeds``, also each embedder's NPMI over several k-means seeds.
4. Themes on ~20,000 generated paragraphs, cold (fresh embedding cache, embeddings included, one
   new process, imports included) with the static embedder. The static model itself is made
   once per machine (see ``--distill``).
5. Text-stage throughput (``--sections throughput``): load + parse + concepts + framing, as
   ``analyze``'s text stages run them with a cold cache, against the parse alone with the same
   model and components (``ner`` excluded), the same 256-sentence batches and the same two
   processes: ``nlp.pipe(sentences, batch_size=256, n_process=2)`` over the corpus's sentences
   (what the pipeline parses; also over its paragraphs, for reference). Each run is a new
   process (spaCy and the model loaded before the clock starts, on both sides), alternating the
   sides for ``--throughput-rounds`` rounds over a ``make_corpus.py`` corpus of
   ``--throughput-docs`` essays; median words/s of each side and their ratio.
6. Distillation variants of the static model (``--sections variants``): each of
   :data:`VARIANTS` (PCA size, SIF weighting, a vocabulary with the lexicon's words) distilled
   into ``--variants-dir``, then section 3 and the embedding ratio of section 1 with it.

    python benchmarks/bench_speed.py                       # everything (about 10 min on 2 cores)
    python benchmarks/bench_speed.py --paragraphs 0        # skip the 20,000-paragraph run
    python benchmarks/bench_speed.py --distill             # also time distilling the static model
    python benchmarks/bench_speed.py --onnx                # also the rejected candidate: MiniLM as
                                                           # ONNX int8 (needs onnx, onnxruntime)
    python benchmarks/bench_speed.py --sections themes,variants   # the distillation variants (~30 min)
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
corpus = ct.load_corpus(sys.argv[1], cache_dir=sys.argv[2])
loaded = time.perf_counter()
result = ct.find_topics(corpus, seed=42, cache_dir=sys.argv[2], embedder=sys.argv[3])
m = result.metrics
print(json.dumps({"units": m["n_units"], "n_topics": m["n_topics"], "npmi": m["npmi"],
                  "seconds_embed": m["seconds_embed"], "seconds_reduce": m["seconds_reduce"],
                  "seconds_cluster": m["seconds_cluster"], "seconds_represent": m["seconds_represent"],
                  "load_seconds": loaded - start, "find_topics_seconds": m["wall_seconds"],
                  "process_seconds": time.perf_counter() - start}))
"""

_THROUGHPUT_CHILD = r"""
import json, resource, sys, tempfile, time
from corpus_tools.load import load_corpus
from corpus_tools.parse import load_spacy_model

def cpu(who=None):  # CPU seconds of this process and of its ended (joined) children: the parse workers
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    main = own.ru_utime + own.ru_stime
    return main if who == "main" else main + kids.ru_utime + kids.ru_stime

side, folder = sys.argv[1], sys.argv[2]
nlp = load_spacy_model()  # ner excluded, as the pipeline loads it
import corpus_tools
out = {"side": side, "components": nlp.pipe_names, "corpus_tools": corpus_tools.__file__}
if side in ("parse", "parse_paragraphs"):
    corpus = load_corpus(folder)
    texts = (corpus.sentences["clean_text"] if side == "parse" else corpus.paragraphs["clean_text"]).tolist()
    start, cpu0, main0 = time.perf_counter(), cpu(), cpu("main")
    for _ in nlp.pipe(texts, batch_size=256, n_process=2):
        pass
    out["seconds"] = time.perf_counter() - start
    out["cpu_seconds"], out["cpu_main_seconds"] = cpu() - cpu0, cpu("main") - main0
    out["texts"] = len(texts)
else:
    from corpus_tools.lexicon import load_lexicon
    from corpus_tools.pipeline import AnalysisResult, _Progress, _run_text_stages

    lexicon = load_lexicon(None)
    with tempfile.TemporaryDirectory() as cache:  # cold: parse, row and result caches all empty
        start, cpu0, main0 = time.perf_counter(), cpu(), cpu("main")
        corpus = load_corpus(folder)
        result = AnalysisResult(corpus=corpus)
        _run_text_stages(corpus, lexicon, result, _Progress(None), nlp=nlp, model=None, cache_dir=cache)
        out["seconds"] = time.perf_counter() - start
        out["cpu_seconds"], out["cpu_main_seconds"] = cpu() - cpu0, cpu("main") - main0
    out["timings"] = {k: round(v, 2) for k, v in result.timings.items()}
    out["status"] = {k: v["status"] for k, v in result.stage_status.items()}
    out["mentions"] = len(result.concepts.mentions)
    out["contrasts"] = len(result.framing.contrasts)
    out["texts"] = len(corpus.sentences)
out["words"] = int(load_corpus(folder).documents["n_words"].sum())
print(json.dumps(out))
"""

_IMPORTS_CHILD = r"""
import sys
from corpus_tools.cli import main
try:
    main(["analyze", sys.argv[1], "--out", sys.argv[2], "--cache-dir", sys.argv[3], "-q"])
except SystemExit as exc:
    if exc.code:
        raise
print("IMPORTED=" + ",".join(m for m in sys.argv[4].split(",") if m in sys.modules))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # As installed: bytecode is written once and reused (a checkout run with this set would
    # compile every corpus_tools module again in each process, ~0.4 s here, on one side only).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _env_with(path: Path) -> dict[str, str]:
    """:func:`_env` with ``path`` (another checkout of the repository) first on the import path."""
    env = _env()
    env["PYTHONPATH"] = str(path) + os.pathsep + env["PYTHONPATH"]
    return env


def _wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(), cwd=REPO)
    return time.perf_counter() - start


def embedding_throughput(n: int, rounds: int, onnx: bool = False) -> dict:
    import corpus_tools as ct
    from corpus_tools.embeddings import Embedder
    from corpus_tools.topics import build_units

    units, _ = build_units(ct.load_corpus(REPO / "tests" / "data" / "dev"))
    texts = units["text"].tolist()
    while len(texts) < n:  # the dev essays have ~160 paragraphs: repeat them, the cache is off
        texts += texts
    texts = texts[:n]
    embedders = {name: Embedder(embedder=name, use_cache=False).fit() for name in ("minilm", "static")}
    tmp = None
    if onnx:
        tmp = tempfile.TemporaryDirectory()
        embedders["onnx_int8"] = OnnxInt8MiniLM(Path(tmp.name))
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
    out = {"paragraphs": n, "mean_words": round(words, 1), "rounds": rounds,
           "minilm_per_s": round(med["minilm"], 2), "static_per_s": round(med["static"], 1),
           "ratio": round(med["static"] / med["minilm"], 1), "all_rates": rates}
    if onnx:
        import numpy as np

        ref = embedders["minilm"].embed(texts)
        new = embedders["onnx_int8"].embed(texts)
        out.update(onnx_int8_per_s=round(med["onnx_int8"], 2), onnx_int8_ratio=round(med["onnx_int8"] / med["minilm"], 2),
                   onnx_int8_mean_cosine_to_minilm=round(float(np.mean(np.sum(ref * new, axis=1))), 4))
        tmp.cleanup()
    return out


class OnnxInt8MiniLM:
    """The candidate that lost: MiniLM exported to ONNX here (torch.onnx) and quantised to int8
    (onnxruntime dynamic quantisation), mean-pooled like sentence-transformers. Benchmark only."""

    def __init__(self, folder: Path, batch_size: int = 32) -> None:
        import onnxruntime as ort
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from tokenizers import Tokenizer
        from transformers import AutoModel

        from corpus_tools.embeddings import default_model_path, set_offline

        set_offline()
        source = default_model_path()
        fp32, int8 = folder / "minilm.onnx", folder / "minilm.int8.onnx"
        model = AutoModel.from_pretrained(str(source)).eval()

        class LastHidden(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state

        dummy = torch.ones((2, 8), dtype=torch.long)
        names = ["input_ids", "attention_mask", "token_type_ids"]
        torch.onnx.export(LastHidden(model), (dummy, dummy, torch.zeros_like(dummy)), str(fp32), input_names=names,
                          output_names=["hidden"], dynamic_axes={n: {0: "b", 1: "s"} for n in names + ["hidden"]},
                          opset_version=17, dynamo=False)
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        self.session = ort.InferenceSession(str(int8), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        self.tokenizer.enable_truncation(256)
        self.tokenizer.enable_padding()
        self.batch_size = batch_size

    def embed(self, texts: list[str]):
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for b in range(0, len(order), self.batch_size):
            idx = order[b:b + self.batch_size]
            enc = self.tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[..., None].astype(np.float32)
            vectors = (hidden * weights).sum(1) / weights.sum(1)
            out[idx] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return out


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
            "warm_all": [round(x, 3) for x in warm_s], "heavy_imported": [l.split("=", 1)[1] for l in proc.stdout.splitlines() if l.startswith("IMPORTED=")],
            "warm_stage_seconds": timings}


def theme_agreement(static_model: Path | None = None, cache: str | None = None) -> list[dict]:
    """Themes with the static embedder (or the static model folder ``static_model``) vs MiniLM on
    the dev essays and the starter corpus, seed 42: NPMI of each, theme counts, ARI of the two
    assignments. The silhouette picks k for each embedder, so a different k changes NPMI by
    itself; the ``fixed_k_*`` figures take MiniLM's k for the static side too (a diagnostic)."""
    import corpus_tools as ct
    from sklearn.metrics import adjusted_rand_score

    rows = []
    for name, folder in (("dev essays", REPO / "tests" / "data" / "dev"), ("starter corpus", REPO / "corpus")):
        corpus = ct.load_corpus(folder)
        with tempfile.TemporaryDirectory() as tmp:
            cache_dir = cache or tmp
            side = {"embedding_model": str(static_model)} if static_model else {"embedder": "static"}
            ref = ct.find_topics(corpus, seed=42, embedder="minilm", cache_dir=cache_dir)
            new = ct.find_topics(corpus, seed=42, cache_dir=cache_dir, **side)
            same_k = ct.find_topics(corpus, seed=42, cache_dir=cache_dir, n_topics=ref.metrics["n_topics"], **side)
        rows.append({"corpus": name, "units": int(ref.metrics["n_units"]),
                     "minilm_topics": ref.metrics["n_topics"], "static_topics": new.metrics["n_topics"],
                     "minilm_npmi": round(ref.metrics["npmi"], 4), "static_npmi": round(new.metrics["npmi"], 4),
                     "npmi_difference": round(new.metrics["npmi"] - ref.metrics["npmi"], 4),
                     "ari": round(adjusted_rand_score(ref.assignments["topic"], new.assignments["topic"]), 3),
                     "fixed_k_static_npmi": round(same_k.metrics["npmi"], 4),
                     "fixed_k_npmi_difference": round(same_k.metrics["npmi"] - ref.metrics["npmi"], 4),
                     "fixed_k_ari": round(adjusted_rand_score(ref.assignments["topic"], same_k.assignments["topic"]), 3)})
    return rows


def theme_seed_spread(seeds: list[int]) -> list[dict]:
    """How much one partition's NPMI moves with the k-means seed alone: themes of each embedder
    (MiniLM, the default static one) on the dev essays and the starter corpus for each seed, the
    same vectors throughout; each seed's k, NPMI and ARI to the first seed's themes, and the mean
    NPMI over the seeds."""
    import corpus_tools as ct
    from sklearn.metrics import adjusted_rand_score

    rows = []
    for name, folder in (("dev essays", REPO / "tests" / "data" / "dev"), ("starter corpus", REPO / "corpus")):
        corpus = ct.load_corpus(folder)
        with tempfile.TemporaryDirectory() as cache:
            for embedder in ("minilm", "static"):
                found = [ct.find_topics(corpus, seed=seed, embedder=embedder, cache_dir=cache) for seed in seeds]
                npmi = [r.metrics["npmi"] for r in found]
                rows.append({"corpus": name, "embedder": embedder, "seeds": seeds,
                             "topics": [r.metrics["n_topics"] for r in found], "npmi": [round(v, 4) for v in npmi],
                             "mean_npmi": round(statistics.mean(npmi), 4), "sd_npmi": round(statistics.stdev(npmi), 4),
                             "ari_to_first_seed": [round(adjusted_rand_score(found[0].assignments["topic"],
                                                                             r.assignments["topic"]), 3) for r in found]})
    return rows


#: The distillation variants of the static model compared by ``--sections variants``, fixed
#: before any was measured: PCA size x SIF weighting, and the default with the retail lexicon's
#: words as whole tokens. (A vocabulary from the evaluated texts was not tried: the dev essays
#: include the held-out half, and the starter corpus is itself one of the two measures.)
VARIANTS = {**{f"d{d}-sif{'1e-4' if sif else 'off'}": {"pca_dims": d, "sif_coefficient": sif}
               for d in (128, 192, 256, 320) for sif in (1e-4, None)},
            "d256-sif1e-4-lexicon-words": {"pca_dims": 256, "sif_coefficient": 1e-4, "vocabulary": "lexicon"}}


def lexicon_words() -> list[str]:
    """The single words of the built-in retail lexicon's patterns (lower case, letters only)."""
    import re

    from corpus_tools.lexicon import load_lexicon

    words = {w for entry in load_lexicon() for pattern in entry.patterns
             for w in re.split(r"[\s/-]+", pattern.lower()) if w.isalpha() and len(w) > 2}
    return sorted(words)


def distill_variants(names: list[str], folder: Path) -> dict:
    """Each variant in :data:`VARIANTS` distilled into ``folder`` (kept, and reused if there),
    then its themes vs MiniLM (:func:`theme_agreement`) and its embedding speed vs MiniLM fp32 on
    the dev paragraphs (median of 3 rounds each, alternating)."""
    import corpus_tools as ct
    from corpus_tools.embeddings import Embedder, default_model_path, distill_static_model, model_fingerprint
    from corpus_tools.topics import build_units

    units, _ = build_units(ct.load_corpus(REPO / "tests" / "data" / "dev"))
    texts = (units["text"].tolist() * 2)[:300]
    minilm = Embedder(embedder="minilm", use_cache=False).fit()
    minilm.embed(texts[:8])
    out = {}
    with tempfile.TemporaryDirectory() as cache:  # MiniLM's vectors embedded once for all variants
        for name in names:
            params = dict(VARIANTS[name])
            if params.get("vocabulary") == "lexicon":
                params["vocabulary"] = lexicon_words()
            target = folder / name
            seconds = None
            if not (target / "config.json").is_file():
                start = time.perf_counter()
                distill_static_model(default_model_path(), target, **params)
                seconds = round(time.perf_counter() - start, 1)
            static = Embedder(str(target), use_cache=False).fit()
            static.embed(texts[:8])
            rates: dict[str, list[float]] = {"minilm": [], "static": []}
            for _ in range(3):
                for side, e in (("minilm", minilm), ("static", static)):
                    start = time.perf_counter()
                    e.embed(texts)
                    rates[side].append(len(texts) / (time.perf_counter() - start))
            med = {side: statistics.median(r) for side, r in rates.items()}
            out[name] = {"distill_seconds": seconds, "fingerprint": model_fingerprint(target),
                         "static_per_s": round(med["static"]), "minilm_per_s": round(med["minilm"], 1),
                         "speed_ratio": round(med["static"] / med["minilm"], 1),
                         "themes": theme_agreement(target, cache), "load_average": os.getloadavg()}
    return out


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


def text_throughput(docs: int, rounds: int, paragraphs_too: bool = True, before: Path | None = None) -> dict:
    """Public text stages vs the parse alone, each run in a new process, alternating. With
    ``before`` (a checkout of an earlier commit), its public text stages are a third side."""
    from make_corpus import make_corpus

    folder = (HERE / "_work" / f"corpus_{docs}").resolve()
    if not (folder / "metadata.csv").exists():
        make_corpus(folder, docs)
    sides = ["parse", "public"] + (["public_before"] if before else []) + (["parse_paragraphs"] if paragraphs_too else [])
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    for r in range(rounds):
        for side in (sides if r % 2 == 0 else sides[::-1]):
            # "python -c" puts its working folder first on the import path: the earlier checkout's
            # side runs from that checkout, so its corpus_tools is the one imported.
            env, cwd = (_env_with(before), before) if side == "public_before" else (_env(), REPO)
            proc = subprocess.run([sys.executable, "-c", _THROUGHPUT_CHILD, side.replace("_before", ""), str(folder)],
                                  capture_output=True, text=True, env=env, cwd=cwd)
            if proc.returncode != 0:
                raise SystemExit(f"throughput run ({side}) failed:\n{proc.stderr[-3000:]}")
            fig = json.loads(proc.stdout.strip().splitlines()[-1])
            fig["words_per_s"] = fig["words"] / fig["seconds"]
            runs[side].append(fig)
            print(f"  round {r + 1} {side}: {fig['seconds']:.1f} s, {fig['words_per_s']:,.0f} words/s, "
                  f"CPU {fig['cpu_seconds']:.1f} s, of it main process {fig['cpu_main_seconds']:.1f} s "
                  f"(load average {os.getloadavg()[0]:.1f})"
                  + (f" (stages {fig['timings']})" if "timings" in fig else ""), flush=True)
    med = {side: statistics.median(f["words_per_s"] for f in figs) for side, figs in runs.items()}
    pairs = [p["words_per_s"] / q["words_per_s"] for p, q in zip(runs["public"], runs["parse"])]
    out = {"docs": docs, "words": runs["parse"][0]["words"], "sentences": runs["parse"][0]["texts"],
           "rounds": rounds, "components": runs["parse"][0]["components"],
           "parse_words_per_s": round(med["parse"]), "public_words_per_s": round(med["public"]),
           "ratio": round(med["public"] / med["parse"], 3), "pair_ratios": [round(x, 3) for x in pairs],
           "cpu_seconds": {side: round(statistics.median(f["cpu_seconds"] for f in figs), 1) for side, figs in runs.items()},
           "cpu_main_seconds": {side: round(statistics.median(f["cpu_main_seconds"] for f in figs), 1)
                                for side, figs in runs.items()},
           "mentions": runs["public"][0]["mentions"], "contrasts": runs["public"][0]["contrasts"], "runs": runs}
    if before:
        out["before"] = str(before)
        out["public_before_words_per_s"] = round(med["public_before"])
        out["ratio_before"] = round(med["public_before"] / med["parse"], 3)
        out["pair_ratios_before"] = [round(p["words_per_s"] / q["words_per_s"], 3)
                                     for p, q in zip(runs["public_before"], runs["parse"])]
    if paragraphs_too:
        out["parse_paragraphs_words_per_s"] = round(med["parse_paragraphs"])
        out["ratio_vs_paragraphs"] = round(med["public"] / med["parse_paragraphs"], 3)
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
    ap.add_argument("--sections", default="embedding,warm,themes,cold,throughput",
                    help="comma-separated subset of embedding,warm,themes,cold,throughput,variants")
    ap.add_argument("--theme-seeds", default="",
                    help="themes section: also the NPMI spread over these k-means seeds (e.g. 42,0,1,2,3)")
    ap.add_argument("--variants", default=",".join(VARIANTS),
                    help="variants section: which distillations of the static model (default: all of them)")
    ap.add_argument("--variants-dir", type=Path, default=HERE / "_work" / "static_variants",
                    help="variants section: where the distilled variants are kept (and reused)")
    ap.add_argument("--throughput-docs", type=int, default=300, help="generated essays for the text-stage ratio")
    ap.add_argument("--throughput-rounds", type=int, default=3, help="alternating runs of each side")
    ap.add_argument("--before", type=Path, default=None,
                    help="text-stage ratio: also run the public side from this checkout of an earlier commit")
    ap.add_argument("--no-paragraphs", action="store_true",
                    help="text-stage ratio: skip the reference parse over paragraphs")
    ap.add_argument("--onnx", action="store_true", help="also measure MiniLM as ONNX int8 (onnxruntime)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()

    from corpus_tools.embeddings import static_model_path

    static_model_path()  # made once per machine (minutes); not part of any timing below
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
                     "load_average": os.getloadavg()}
    print(f"load average at start: {results['load_average']}", flush=True)
    sections = set(args.sections.split(","))
    if "embedding" in sections:
        results["embedding"] = e = embedding_throughput(args.embed_paragraphs, args.rounds, args.onnx)
        print(f"embedding throughput, {e['paragraphs']} paragraphs of ~{e['mean_words']} words: MiniLM fp32 "
              f"{e['minilm_per_s']}/s, static {e['static_per_s']}/s -> {e['ratio']}x", flush=True)
        if args.onnx:
            print(f"  candidate ONNX int8 MiniLM: {e['onnx_int8_per_s']}/s -> {e['onnx_int8_ratio']}x "
                  f"(mean cosine to MiniLM fp32 {e['onnx_int8_mean_cosine_to_minilm']})", flush=True)
    if "warm" in sections:
        results["warm"] = w = warm_analyze(args.repeats)
        print(f"warm analyze corpus: {w['warm_seconds']} s vs import pandas {w['pandas_seconds']} s -> {w['ratio']}x "
              f"(cold {w['cold_seconds']} s); heavy modules imported: {(w['heavy_imported'] or ['?'])[0] or 'none'}; "
              f"stages {w['warm_stage_seconds']}", flush=True)
    if "themes" in sections:
        results["themes"] = rows = theme_agreement()
        for r in rows:
            print(f"themes on the {r['corpus']} ({r['units']} units): MiniLM {r['minilm_topics']} themes NPMI "
                  f"{r['minilm_npmi']:+.4f}, static {r['static_topics']} themes NPMI {r['static_npmi']:+.4f} "
                  f"(difference {r['npmi_difference']:+.4f}); ARI {r['ari']}; at MiniLM's k: static NPMI "
                  f"{r['fixed_k_static_npmi']:+.4f} (difference {r['fixed_k_npmi_difference']:+.4f}), ARI "
                  f"{r['fixed_k_ari']}", flush=True)
        if args.theme_seeds:
            results["theme_seeds"] = spread = theme_seed_spread([int(x) for x in args.theme_seeds.split(",")])
            for r in spread:
                print(f"themes on the {r['corpus']}, {r['embedder']}, seeds {r['seeds']}: k {r['topics']}, NPMI "
                      f"{r['npmi']} (mean {r['mean_npmi']:+.4f}, sd {r['sd_npmi']:.4f}), ARI to seed {r['seeds'][0]} "
                      f"{r['ari_to_first_seed']}", flush=True)
    if "variants" in sections:
        names = [n for n in args.variants.split(",") if n]
        unknown = sorted(set(names) - set(VARIANTS))
        if unknown:
            raise SystemExit(f"unknown variant(s) {', '.join(unknown)}: choose from {', '.join(VARIANTS)}")
        results["variants"] = found = distill_variants(names, args.variants_dir)
        for name, v in found.items():
            parts = [f"{r['corpus'].split()[0]} k {r['minilm_topics']}->{r['static_topics']} NPMI "
                     f"{r['minilm_npmi']:+.4f}->{r['static_npmi']:+.4f} ({r['npmi_difference']:+.4f}) ARI {r['ari']}, "
                     f"at MiniLM's k {r['fixed_k_npmi_difference']:+.4f} ARI {r['fixed_k_ari']}" for r in v["themes"]]
            print(f"variant {name}: {v['speed_ratio']}x MiniLM ({v['static_per_s']}/s); " + "; ".join(parts), flush=True)
    if args.paragraphs and "cold" in sections:
        results["themes_cold"] = t = themes_cold(args.paragraphs)
        print(f"themes on {t['units']} paragraphs, cold, static embedder: {t['wall_seconds']} s wall "
              f"(imports + load {t['load_seconds']:.1f} s, embed {t['seconds_embed']:.1f} s, reduce "
              f"{t['seconds_reduce']:.1f} s, cluster {t['seconds_cluster']:.1f} s, represent {t['seconds_represent']:.1f} s; "
              f"{t['n_topics']} themes)", flush=True)
    if "throughput" in sections:
        results["throughput"] = t = text_throughput(args.throughput_docs, args.throughput_rounds,
                                                    not args.no_paragraphs, args.before)
        line = (f"text stages on {t['docs']} essays ({t['words']:,} words, {t['sentences']:,} sentences; "
                f"components {','.join(t['components'])}; 2 processes, 256-sentence batches): load + parse + "
                f"concepts + framing {t['public_words_per_s']:,} words/s vs the parse alone "
                f"{t['parse_words_per_s']:,} words/s -> {t['ratio']}x (pairs {t['pair_ratios']})")
        cpu = t["cpu_seconds"]
        line += (f"; CPU seconds (main + workers) parse {cpu['parse']}, public {cpu['public']} -> "
                 f"{cpu['parse'] / cpu['public']:.3f}x")
        if "ratio_before" in t:
            line += f" (before {cpu['public_before']} -> {cpu['parse'] / cpu['public_before']:.3f}x)"
        if "ratio_before" in t:
            line += (f"; before ({t['before']}): {t['public_before_words_per_s']:,} words/s -> {t['ratio_before']}x "
                     f"(pairs {t['pair_ratios_before']})")
        if "ratio_vs_paragraphs" in t:
            line += (f"; parse alone over paragraphs {t['parse_paragraphs_words_per_s']:,} words/s -> "
                     f"{t['ratio_vs_paragraphs']}x")
        print(line, flush=True)
    if args.distill:
        results["distill_seconds"] = d = distill_time()
        print(f"distilling the static model from MiniLM (once per machine): {d} s", flush=True)
    results["load_average_end"] = os.getloadavg()
    print(f"load average at end: {results['load_average_end']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
