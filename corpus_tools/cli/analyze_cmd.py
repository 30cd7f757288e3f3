"""``corpus-tools analyze``: every stage, then the reports."""
from __future__ import annotations

from pathlib import Path

import click

from .compare_cmd import order_option
from ._common import (
    NTopics, cache_option, corpus_path_argument, discourse_option, echo_json, embedder_option, fit_sample_option,
    frames_option, json_option, library_errors, max_file_option, show_progress,
)

_FORMATS = ("md", "html", "csv", "json")



def _formats(ctx, param, value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in _FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"{', '.join(unknown) or 'nothing'}: choose from {','.join(_FORMATS)}")
    return chosen


@click.command()
@corpus_path_argument
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("outputs"), show_default=True,
              help="Folder for report.md, report.html, tables/ and run.json (never inside PATH, nor holding "
                   "it); replaced whole when the run ends, one run at a time.")
@click.option("--lexicon", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Concept lexicon (TOML) instead of the built-in retail lexicon.")
@frames_option
@discourse_option
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed: same input and seed, same results.")
@click.option("--unit", type=click.Choice(["paragraph", "sentence"]), default="paragraph", show_default=True,
              help="What the themes cluster.")
@click.option("--n-topics", type=NTopics(), default="auto", show_default=True, help="Number of themes, or auto.")
@click.option("--guided", is_flag=True, help="Seed the themes with the lexicon's concepts.")
@embedder_option
@fit_sample_option
@click.option("--format", "formats", default=",".join(_FORMATS), show_default=True, callback=_formats,
              help="Comma-separated outputs: md (report.md), html (report.html), csv (tables/, plus Parquet "
                   "when pyarrow is installed), json (run.json).")
@click.option("--by", "by", default=None, metavar="COLUMN",
              help="Also compare groups: a metadata column (site, author, ...) or year, quarter, month; adds a "
                   "Groups section and tables/compare_*.csv.")
@order_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or stage messages.")
@cache_option
@max_file_option
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Parse, concepts, framing and the theme embeddings on a local Dask cluster of N worker processes (prints its "
                   "dashboard address). Needs the dask extra.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Parse, concepts, framing and the theme embeddings on a running Dask cluster, e.g. "
                   "tcp://10.0.0.5:8786; its workers need corpus-tools and the same spaCy and embedding models, and --cache-dir should be a folder they reach. "
                   "Needs the dask extra.")
@click.option("--scheduler-timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Stop with an error when the Dask scheduler does not answer for this long, at the start or "
                   "during the run [default: 30].")
@click.option("--processes", default=None, metavar="auto|N",
              help="Parse, concepts and framing in N local worker processes (each parses and extracts from "
                   "batches of essays), or 1 for this process; auto uses two for large corpora. "
                   "[default: auto]")
@json_option
def analyze(path: Path, out: Path, lexicon: Path | None, frames: Path | None, discourse: Path | None, seed: int, unit: str, n_topics,
            guided: bool, embedder: str, fit_sample: int | None, formats: tuple[str, ...], by: str | None,
            order: str, quiet: bool, cache_dir: Path | None, max_file_mb: float | None, workers: int | None,
            scheduler: str | None, scheduler_timeout: float | None, processes: str | None, as_json: bool) -> None:
    """Run every stage on the essays in PATH and write the reports to --out.

    Concepts, themes and framing, from one parse of each essay. Progress goes to stderr when it
    is a terminal; the run ends with where each file went. A stage that cannot run on this input
    (say, too few paragraphs to cluster) is skipped with the reason in the report.

    With --workers N or --scheduler ADDRESS the per-essay work and the theme embeddings run on Dask
    workers, with the same tables; the themes are still fitted here.
    """
    from ..pipeline import TqdmProgress, analyze as run_analysis

    progress = TqdmProgress() if show_progress(quiet) and not as_json else None
    executor = None
    if workers is not None and scheduler is not None:
        raise click.UsageError("give either --workers (a local Dask cluster) or --scheduler (a running one), not both")
    if scheduler_timeout is not None and workers is None and scheduler is None:
        raise click.UsageError("--scheduler-timeout only applies with --scheduler or --workers")
    if processes is not None and (workers is not None or scheduler is not None):
        raise click.UsageError("--processes is for this machine without Dask; give it or --workers/--scheduler, "
                               "not both")
    if processes is not None:
        from ..executors import LocalExecutor

        executor = LocalExecutor(processes=processes)
    if workers is not None or scheduler is not None:
        from ..executors import DEFAULT_SCHEDULER_TIMEOUT, DaskExecutor, quiet_dask_client_log

        quiet_dask_client_log()  # a lost scheduler is reported once, as an error, not as Dask's traceback

        # Without progress messages (not a terminal), the cluster's address still goes to stderr.
        announce = None if progress is not None or quiet or as_json else (lambda m: click.echo(m, err=True))
        executor = DaskExecutor(scheduler, workers=workers, announce=announce,
                                scheduler_timeout=scheduler_timeout or DEFAULT_SCHEDULER_TIMEOUT)
    try:
        with library_errors():
            result = run_analysis(path, out, lexicon=lexicon, seed=seed, unit=unit, formats=formats,
                                  n_topics=n_topics, guided=guided, cache_dir=cache_dir, progress=progress,
                                  by=by, order=order, max_file_mb=max_file_mb, frames=frames, discourse=discourse,
                                  embedder=embedder,
                                  fit_sample=fit_sample, executor=executor)
    finally:
        if executor is not None:
            executor.close()  # the local cluster of --workers stops with the command
    if as_json:
        echo_json({
            "out": str(result.out),
            "files": {name: str(p) for name, p in result.files.items()},
            "stages": result.stage_status,
            "warnings": result.warnings,
            "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
        })
        return
    _summary(result)


def _summary(result) -> None:
    from .._plain import plural

    corpus = result.corpus
    click.echo(f"Analysed {len(corpus)} essays ({int(corpus.documents['n_words'].sum()):,} words) "
               f"in {sum(result.timings.values()):.1f} s.")
    for stage, status in result.stage_status.items():
        if status.get("status") != "ok":
            click.echo(f"  {stage} {status['status']}: {status.get('reason', '')}")
    concepts, topics, framing = result.concepts, result.topics, result.framing
    found = []
    if concepts is not None:
        found.append(f"{len(concepts.mentions)} concept mentions")
    if topics is not None:
        n = (getattr(topics, "metrics", None) or {}).get("n_topics")
        if n is not None:
            found.append(f"{n} themes")
    if framing is not None and hasattr(framing, "contrasts"):
        found.append(plural(len(framing.contrasts), "contrast frame"))
    if found:
        click.echo("Found " + ", ".join(found) + ".")
    cmp = getattr(result, "comparison", None)
    if cmp is not None:
        left = f"; {cmp.n_left_out} left out (no {'date' if cmp.is_period else cmp.by})" if cmp.n_left_out else ""
        click.echo(f"Compared {len(cmp.groups)} groups by {cmp.by} ({len(cmp.documents)} essays{left}).")
    if result.warnings:
        click.echo(f"{plural(len(result.warnings), 'warning')}; see the report and run.json.")
    click.echo("Wrote:")
    tables = sorted(p for name, p in result.files.items() if name.startswith("tables/"))
    for name in ("report.md", "report.html", "run.json"):
        if name in result.files:
            click.echo(f"  {name:<12} {result.files[name]}")
    if tables:
        csvs = sum(1 for p in tables if p.suffix == ".csv")
        parquets = sum(1 for p in tables if p.suffix == ".parquet")
        kinds = f"{csvs} CSV" + (f" + {parquets} Parquet" if parquets else "")
        click.echo(f"  {'tables/':<12} {tables[0].parent}{'/'} ({kinds})")
        names = sorted({p.stem for p in tables})
        click.echo(f"  {'':<12} {', '.join(names)}")
