"""``corpus-tools compare``: how groups of essays (a metadata column) or periods differ."""
from __future__ import annotations

from pathlib import Path

import click

from ._common import cache_option, corpus_path_argument, echo_json, frame_records, json_option, library_errors, \
    show_progress

#: Rows of each ranked list printed per group (every row is in the CSV files).
_SHOWN = 5


def by_option(func):
    return click.option("--by", "by", required=True, metavar="COLUMN",
                        help="A metadata column (site, source, author, your own) or a period from the date: "
                             "year, quarter, month.")(func)


def order_option(func):
    return click.option("--order", type=click.Choice(["date", "file"]), default="date", show_default=True,
                        help="date: periods in date order, essays without a date left out. file: groups in the "
                             "order of their first essay by file name, compared as a sequence.")(func)


@click.command()
@corpus_path_argument
@by_option
@order_option
@click.option("--min-count", type=click.IntRange(1), default=5, show_default=True,
              help="Fewest mentions (or frames, or units) a claim about a group rests on.")
@click.option("--min-docs", type=click.IntRange(1), default=1, show_default=True,
              help="Pool groups with fewer essays into one group, '(other)' (not periods).")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write compare_*.csv to this folder.")
@click.option("--lexicon", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Concept lexicon (TOML) instead of the built-in retail lexicon.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed of the theme model.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or stage messages.")
@cache_option
@json_option
def compare(path: Path, by: str, order: str, min_count: int, min_docs: int, out: Path | None, lexicon: Path | None, seed: int,
            quiet: bool, cache_dir: Path | None, as_json: bool) -> None:
    """Compare groups of the essays in PATH: concepts, terms, reframings and themes per group.

    Keyness is the log-likelihood G2 of a group against the rest of the corpus; every figure
    comes with its counts. With a period (--by year|quarter|month) the groups are in date
    order and what shifted between consecutive periods is listed too.
    """
    from ..comparison import compare as run_compare
    from ..comparison import group_documents
    from ..load import load_corpus
    from ..pipeline import TqdmProgress, analyze

    progress = TqdmProgress() if show_progress(quiet) and not as_json else None
    with library_errors():
        corpus = load_corpus(path)
        group_documents(corpus.documents, by, order=order, min_docs=min_docs)  # fails before any parsing
        result = analyze(corpus, None, lexicon=lexicon, seed=seed, cache_dir=cache_dir, progress=progress)
        cmp = run_compare(result, by, order=order, min_count=min_count, min_docs=min_docs)
    if out is not None:
        with library_errors():
            written = cmp.write(out, corpus.root)
    if as_json:
        payload = {"by": cmp.by, "order": cmp.order, "n_left_out": cmp.n_left_out, "min_count": cmp.min_count}
        payload.update({name: frame_records(frame) for name, frame in cmp.tables().items()})
        echo_json(payload)
        return
    click.echo(format_comparison(cmp))
    if out is not None:
        click.echo(f"Wrote {len(written)} tables to {Path(out)}/: " + ", ".join(p.name for p in written))


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p {p:.3f}"


def format_comparison(cmp) -> str:
    """The comparison as readable text: groups, what marks each, reframings, themes, shifts."""
    lines = []
    n_docs = len(cmp.documents)
    head = f"compare by {cmp.by}: {n_docs} essays in {len(cmp.groups)} groups"
    if cmp.n_left_out:
        what = "without a date" if cmp.is_period else f"without a {cmp.by}"
        head += f"; {cmp.n_left_out} {what} left out"
    lines.append(head)
    lines.append("")
    groups = cmp.groups.assign(first_date=cmp.groups["first_date"].map(_day), last_date=cmp.groups["last_date"].map(_day))
    lines.append(groups.rename(columns={"n_docs": "essays", "n_words": "words", "n_mentions": "mentions",
                                        "n_contrasts": "frames", "n_units": "units", "first_date": "first",
                                        "last_date": "last"})
                 .drop(columns=["position"]).to_string(index=False))
    lines.append("")
    lines.append(f"What marks each group against the rest (log-likelihood G2, p < 0.05, at least "
                 f"{cmp.min_count} mentions; counts and rates per 1,000 words, group vs rest):")
    for g in cmp.groups["group"]:
        concepts = cmp.marking(g, "concept").head(_SHOWN)
        terms = cmp.marking(g, "term").head(_SHOWN)
        if not len(concepts) and not len(terms):
            lines.append(f"  {g}: nothing stands out with enough mentions")
            continue
        lines.append(f"  {g}")
        if len(concepts):
            lines.append("    concepts: " + "; ".join(
                f"{r.label} {r.count} vs {r.count_rest}, {r.per_1k:.1f} vs {r.per_1k_rest:.1f} (G2 {r.g2:.1f}, "
                f"{_fmt_p(r.p)})" for r in concepts.itertuples(index=False)))
        if len(terms):
            lines.append("    terms: " + "; ".join(f'"{r.item}" {r.count} vs {r.count_rest} (G2 {r.g2:.1f})'
                                              for r in terms.itertuples(index=False)))
    frames = cmp.frames
    if len(frames):
        lines.append("")
        lines.append("Reframings per group (old → new concept; count, essays):")
        for g in cmp.groups["group"]:
            sub = frames[(frames["group"] == g) & (frames["level"] == "concept")].head(_SHOWN)
            if len(sub):
                listed = "; ".join(f"{_names(cmp, r.old)} → {_names(cmp, r.new)} "
                                   f"({r.count}, {r.n_docs})" for r in sub.itertuples(index=False))
                lines.append(f"  {g}: {listed}")
    themes = cmp.themes
    if len(themes):
        lines.append("")
        lines.append("Theme share per group (units in the theme / the group's units):")
        for g in cmp.groups["group"]:
            sub = themes[(themes["group"] == g) & (themes["n_units"] > 0)].sort_values("n_units", ascending=False,
                                                                                      kind="stable").head(3)
            if len(sub):
                listed = "; ".join(f"{r.label} {r.share:.0%} ({r.n_units}/{r.group_units})"
                                   for r in sub.itertuples(index=False))
                lines.append(f"  {g}: {listed}")
    if cmp.sequential:
        shifts = cmp.shifts[cmp.shifts["change"].astype(str) != ""]
        lines.append("")
        lines.append(f"Shifts between consecutive {'periods' if cmp.is_period else 'groups'} "
                     f"({len(shifts)} with enough counts to say; all in compare_shifts.csv):")
        for r in shifts.head(12).itertuples(index=False):
            lines.append(f"  {r.label}, {r.from_group} → {r.to_group}: {r.change}")
        if len(shifts) > 12:
            lines.append(f"  … {len(shifts) - 12} more")
    return "\n".join(lines)


def _day(value) -> str:
    import pandas as pd

    return "-" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _names(cmp, ids: str) -> str:
    """Concept ids of one side ("a; b") as labels; a side that names no concept says so."""
    parts = [p.strip() for p in str(ids).split(";") if p.strip()]
    return " + ".join(cmp.labels.get(p, p) for p in parts) if parts else "(no concept)"
