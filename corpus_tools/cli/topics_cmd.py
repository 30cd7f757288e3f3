"""``corpus-tools topics``: the themes the paragraphs (or sentences) cluster into."""
from __future__ import annotations

import math
from pathlib import Path

import click

from ._common import (
    NTopics, cache_option, corpus_path_argument, echo_json, embedder_option, fit_sample_option, frame_records,
    json_option, library_errors, out_option, show_progress,
)



MEASURES = [("n_topics", "themes", "{:d}"), ("outlier_share", "outlier share", "{:.1%}"),
            ("npmi", "NPMI coherence (top 10 terms)", "{:+.3f}"), ("diversity", "diversity (top 25 terms)", "{:.3f}"),
            ("largest_share", "largest theme share", "{:.1%}"), ("wall_seconds", "seconds", "{:.1f}")]


@click.command()
@corpus_path_argument
@click.option("--unit", type=click.Choice(["paragraph", "sentence"]), default="paragraph", show_default=True,
              help="What a theme groups. Headings and very short units are folded into the next one.")
@click.option("--n-topics", type=NTopics(), default="auto", show_default=True,
              help="Number of themes, or 'auto' (chosen for the corpus size).")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed: same input and seed, same themes.")
@click.option("--guided", is_flag=True, help="Seed the themes with the concept lexicon.")
@click.option("--lexicon", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Concept lexicon for --guided [default: the built-in one].")
@click.option("--baseline", is_flag=True, help="Also fit vanilla BERTopic and compare the quality measures.")
@click.option("--representation", type=click.Choice(["ctfidf", "mmr", "keybert"]), default="ctfidf",
              show_default=True, help="Where label terms come from (top terms are always c-TF-IDF).")
@click.option("--embedding-model", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A local sentence-transformers (or model2vec) model folder, instead of --embedder.")
@embedder_option
@fit_sample_option
@out_option
@json_option
@cache_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def topics(path: Path, unit: str, n_topics, seed: int, guided: bool, lexicon: Path | None, baseline: bool,
           representation: str, embedding_model: Path | None, embedder: str, fit_sample: int | None,
           out: Path | None, as_json: bool, cache_dir: Path | None, quiet: bool) -> None:
    """Themes of the essays in PATH (BERTopic, offline, seeded).

    Prints each theme's label, size and top terms, a quoted representative paragraph, the
    themes per essay, the most similar essays, and the quality measures (with --baseline,
    beside vanilla BERTopic's). --out DIR writes the tables as CSV, the measures as JSON and
    the fitted model.
    """
    from ..load import load_corpus
    from ..topics import find_topics

    progress = None
    if show_progress(quiet) and not as_json:
        from functools import partial

        from tqdm import tqdm

        progress = partial(tqdm, desc="embedding", unit="batch", leave=False)
    guide = (lexicon if lexicon is not None else True) if guided else False
    with library_errors():
        corpus = load_corpus(path)
        result = find_topics(corpus, unit=unit, seed=seed, n_topics=n_topics, guided=guide,
                             embedding_model=embedding_model, cache_dir=cache_dir, progress=progress,
                             baseline=baseline, representation=representation, embedder=embedder,
                             fit_sample=fit_sample)
        written = result.save(out, input_root=path) if out is not None else []
    if as_json:
        echo_json({
            "path": str(path),
            "metrics": _finite(result.metrics),
            "baseline_metrics": _finite(result.baseline_metrics) if result.baseline_metrics else None,
            "topics": frame_records(result.topics),
            "assignments": frame_records(result.assignments),
            "representatives": frame_records(result.representatives),
            "doc_topics": frame_records(result.doc_topics),
            "prevalence": frame_records(result.prevalence),
            "similar_docs": frame_records(result.similar_docs),
            "files": [str(p) for p in written],
        })
        return
    _print_human(result, path)
    if written:
        click.echo(f"\nWrote {len(written)} files to {out}")


def _finite(metrics: dict) -> dict:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in metrics.items()}


def _print_human(result, path: Path) -> None:
    m = result.metrics
    click.echo(f"{path}: {m['n_topics']} themes over {m['n_units']} {m['unit']}s in {m['n_docs']} documents "
               f"(outliers {m['outlier_share']:.0%}; seed {m['seed']}{'; guided' if m.get('guided') else ''})")
    click.echo(f"model: {m.get('model_clusterer', '')}")
    if m.get("model_sample"):
        click.echo(f"fit: {m['model_sample']}")
    click.echo("")
    table = result.topics.copy()
    table["share"] = table["share"].map(lambda v: f"{v:.0%}")
    table["top_terms"] = table["top_terms"].map(lambda s: "; ".join(s.split("; ")[:8]))
    click.echo(table.to_string(index=False, max_colwidth=70))
    click.echo("\nRepresentative quotes:")
    for row in result.representatives[result.representatives["rank"] == 1].itertuples(index=False):
        text = " ".join(row.text.split())
        text = text if len(text) <= 220 else text[:217].rstrip() + "..."
        click.echo(f"  [{row.topic}] {row.unit_id} [{row.start}:{row.end}]: \"{text}\"")
    shares = result.doc_topics.pivot(index="doc_id", columns="topic", values="share")
    shares = shares.reindex(result.doc_topics["doc_id"].unique())
    click.echo("\nTheme share per essay (essay order: by date where known):")
    click.echo(shares.map(lambda v: f"{v:.0%}").to_string())
    if len(result.similar_docs):
        click.echo("\nMost similar essays:")
        for row in result.similar_docs.head(5).itertuples(index=False):
            click.echo(f"  {row.similarity:.3f}  {row.doc_id} ~ {row.other_doc_id}")
    click.echo("\nQuality:")
    base = result.baseline_metrics
    header = f"  {'measure':<30} {'this model':>12}" + (f" {'vanilla BERTopic':>18}" if base else "")
    click.echo(header)
    for key, name, fmt in MEASURES:
        ours = _fmt(m.get(key), fmt)
        line = f"  {name:<30} {ours:>12}"
        if base:
            line += f" {_fmt(base.get(key), fmt) if 'error' not in base else '-':>18}"
        click.echo(line)
    if base and "error" in base:
        click.echo(f"  vanilla BERTopic: {base['error']}")
    elif base and base.get("measured_on", "topics") != "topics":
        click.echo("  vanilla BERTopic found no theme: its NPMI and diversity describe its outlier group")


def _fmt(value, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    try:
        return fmt.format(int(value) if fmt == "{:d}" else value)
    except (TypeError, ValueError):
        return str(value)
