"""``corpus-tools concepts`` (table, suggest) and ``corpus-tools kwic``."""
from __future__ import annotations

from pathlib import Path

import click

from ._common import (
    DefaultCommandGroup, cache_option, corpus_path_argument, echo_json, frame_records, json_option,
    library_errors, out_option, show_progress,
)


def lexicon_option(func):
    return click.option("--lexicon", "lexicon", type=click.Path(path_type=Path), default=None,
                        help="Concept lexicon (TOML) [default: the built-in retail lexicon].")(func)


def _progress(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return lambda items: tqdm(items, desc="documents", unit="doc", leave=False)


def _run(path: Path, lexicon: Path | None, cache_dir: Path | None, suggest: bool, suggester=None):
    from ..concepts import extract_concepts
    from ..lexicon import load_lexicon
    from ..load import load_corpus

    lex = load_lexicon(lexicon)  # a bad lexicon stops the run before any parsing
    loaded = load_corpus(path)
    result = extract_concepts(loaded, lex, cache_dir=cache_dir, progress=_progress(show_progress()),
                              suggest=suggest, suggester=suggester)
    return loaded, result


@click.group(cls=DefaultCommandGroup, default="table")
def concepts() -> None:
    """Concept mentions per document (default), or candidate new concepts (suggest).

    \b
    corpus-tools concepts PATH [--lexicon FILE] [--json] [--out DIR]
    corpus-tools concepts suggest PATH [--top N] [--write FILE]
    """


@concepts.command("table")
@corpus_path_argument
@lexicon_option
@json_option
@out_option
@cache_option
@click.option("--all", "show_all", is_flag=True, help="Show concepts no document mentions too.")
def table_cmd(path: Path, lexicon: Path | None, as_json: bool, out: Path | None, cache_dir: Path | None,
              show_all: bool) -> None:
    """The document x concept table of PATH: mention counts and rates per 1,000 words.

    --out DIR writes concept_mentions.csv, concepts_by_document.csv, concept_table.csv,
    concept_cooccurrence.csv and concept_suggestions.csv.
    """
    with library_errors():
        loaded, result = _run(path, lexicon, cache_dir, suggest=out is not None)
        written = result.write(out, loaded.root) if out is not None else []
    if as_json:
        echo_json({
            "path": str(path),
            "lexicon": result.lexicon.source,
            "concepts": frame_records(result.totals()),
            "by_document": frame_records(result.by_document),
            "mentions": frame_records(result.mentions),
            "cooccurrence": frame_records(result.cooccurrence),
        })
        return
    counts = result.table("count", drop_empty=not show_all)
    rates = result.table("per_1k_words", drop_empty=not show_all)
    totals = result.totals()
    n_found = int((totals["count"] > 0).sum())
    click.echo(f"{path}: {len(result.mentions):,} mentions of {n_found} of {len(totals)} concepts "
               f"in {len(counts)} documents (lexicon: {lexicon or 'built-in retail lexicon'})")
    if counts.shape[1] == 0:
        click.echo("No concept of the lexicon is mentioned.")
    else:
        click.echo("")
        click.echo("Mentions per document:")
        click.echo(_transpose(counts, total=totals.set_index("concept")["count"]).to_string())
        click.echo("")
        click.echo("Mentions per 1,000 words:")
        click.echo(_transpose(rates, total=totals.set_index("concept")["per_1k_words"]).to_string(
            float_format=lambda v: f"{v:.1f}"))
    for file in written:
        click.echo(f"Wrote {file}")


def _transpose(wide, total):
    """Concepts as rows, documents as columns (concepts outnumber documents in a small corpus,
    and rows of concepts stay readable), with a corpus-wide column."""
    frame = wide.T.copy()
    frame.columns = [str(c)[:20] for c in frame.columns]
    frame.index.name = "concept"
    frame["corpus"] = total.reindex(frame.index).values
    return frame


@concepts.command("suggest")
@corpus_path_argument
@lexicon_option
@json_option
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write concept_suggestions.csv and concept_suggestions_by_document.csv to this folder.")
@cache_option
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="How many candidates to show.")
@click.option("--write", "write_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Save the candidates as a draft TOML lexicon you can edit and load with --lexicon.")
def suggest_cmd(path: Path, lexicon: Path | None, as_json: bool, out: Path | None, cache_dir: Path | None,
                top: int, write_path: Path | None) -> None:
    """Candidate new concepts of PATH: salient multiword terms the lexicon lacks, ranked, with an
    example sentence. --out DIR writes the top candidates and each essay's own top terms."""
    from ..discovery import ConceptSuggester, write_draft_lexicon

    with library_errors():
        loaded, result = _run(path, lexicon, cache_dir, suggest=True,
                              suggester=ConceptSuggester(top_n=max(top, 50)))
        suggestions = result.suggestions.head(top)
        if write_path is not None:
            from .._fileio import check_output_file

            check_output_file(write_path, loaded.root)
            write_draft_lexicon(suggestions, write_path)
        written = []
        if out is not None:
            from .._fileio import prepare_output_dir, write_table

            folder = prepare_output_dir(out, loaded.root)
            written = [write_table(suggestions, folder / "concept_suggestions.csv"),
                       write_table(result.suggestions_by_document, folder / "concept_suggestions_by_document.csv")]
    if as_json:
        echo_json({"path": str(path), "suggestions": frame_records(suggestions),
                   "by_document": frame_records(result.suggestions_by_document),
                   "written": str(write_path) if write_path else None})
        return
    if suggestions.empty:
        click.echo(f"{path}: no candidate terms (every repeated multiword term is in the lexicon)")
    else:
        click.echo(f"{path}: top {len(suggestions)} candidate concepts not in the lexicon")
        click.echo("")
        term_width = max(len(t) for t in suggestions["term"])
        for rank, row in enumerate(suggestions.itertuples(index=False), start=1):
            click.echo(f"{rank:>3}. {row.term:<{term_width}}  score {row.score:.3f}  "
                       f"{row.count}x in {row.n_docs} doc(s)")
            if row.variants != row.term:
                click.echo(f"     variants: {row.variants}")
            click.echo(f"     e.g. [{row.example_sent_id}] {_shorten(row.example, 160)}")
    if write_path is not None:
        click.echo(f"Wrote draft lexicon {write_path} (edit it, then use --lexicon {write_path})")
    for file in written:
        click.echo(f"Wrote {file}")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@click.command()
@corpus_path_argument
@click.argument("term")
@lexicon_option
@click.option("--width", type=click.IntRange(min=0), default=40, show_default=True,
              help="Characters of context on each side.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most N lines.")
@json_option
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write the lines to kwic.csv in this folder.")
@cache_option
def kwic(path: Path, term: str, lexicon: Path | None, width: int, limit: int | None, as_json: bool,
         out: Path | None, cache_dir: Path | None) -> None:
    """Keyword-in-context lines for TERM in PATH.

    TERM is a lexicon concept id or label (all its wordings, e.g. "deep_water" or "Deep water")
    or any phrase, matched on lemmas ("platform" also finds "platforms"). --out DIR writes
    kwic.csv (the lines shown, with their offsets).
    """
    from ..kwic import format_kwic
    from ..kwic import kwic as kwic_lines
    from ..lexicon import load_lexicon
    from ..load import load_corpus

    with library_errors():
        lex = load_lexicon(lexicon)
        loaded = load_corpus(path)
        frame = kwic_lines(loaded, term, lexicon=lex, width=width, limit=limit, cache_dir=cache_dir,
                           progress=_progress(show_progress()))
        written = _write_kwic(frame, out, loaded.root) if out is not None else None
    entry = lex.resolve(term)
    total = frame.attrs.get("n_total", len(frame))
    if as_json:
        echo_json({"path": str(path), "query": term, "concept": entry.id if entry else None,
                   "n_total": total, "lines": frame_records(frame)})
        return
    what = f"concept {entry.id!r} ({entry.label})" if entry else f"phrase {term!r}"
    if frame.empty:
        click.echo(f"{path}: no matches for {what}")
        return
    shown = f" (first {len(frame)} shown)" if len(frame) < total else ""
    click.echo(f"{path}: {total} {'match' if total == 1 else 'matches'} for {what}{shown}")
    for doc_id, group in frame.groupby("doc_id", sort=False):
        click.echo("")
        click.echo(f"{doc_id}")
        click.echo(format_kwic(group, width))
    if written is not None:
        click.echo(f"Wrote {written}")


def _write_kwic(frame, out: Path, input_root) -> Path:
    from .._fileio import prepare_output_dir, write_table

    return write_table(frame, prepare_output_dir(out, input_root) / "kwic.csv")
