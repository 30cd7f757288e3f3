"""``corpus-tools corpus``: the inventory of a corpus folder."""
from __future__ import annotations

from pathlib import Path

import click

from ._common import (
    corpus_path_argument, echo_json, frame_records, json_option, library_errors, max_file_option, out_option,
    show_progress,
)


@click.command()
@corpus_path_argument
@json_option
@out_option
@max_file_option
def corpus(path: Path, as_json: bool, out: Path | None, max_file_mb: float | None) -> None:
    """Inventory of the essays in PATH: dates, words, paragraphs, sentences,
    repeated paragraphs removed, and files skipped with the reason."""
    from ..inventory import inventory_table, write_corpus_tables
    from ..load import load_corpus

    with library_errors():
        progress = None
        if show_progress() and not as_json:
            from ..pipeline import TqdmProgress

            progress = TqdmProgress(leave=False)
        loaded = load_corpus(path, max_file_mb=max_file_mb, progress=progress)
        table = inventory_table(loaded)
        if out is not None:
            written = write_corpus_tables(loaded, out)
    if as_json:
        echo_json({
            "path": str(path),
            "documents": frame_records(table),
            "removed": frame_records(loaded.removed.drop(columns="text")),
            "skipped": frame_records(loaded.skipped),
            "warnings": frame_records(loaded.warnings),
        })
        return
    totals = table[["words", "paragraphs", "sentences"]].sum()
    click.echo(f"{path}: {len(table)} documents, {totals['words']:,} words, "
               f"{totals['paragraphs']:,} paragraphs, {totals['sentences']:,} sentences")
    click.echo("")
    click.echo(table.to_string(index=False, na_rep="-", max_colwidth=50))
    click.echo("")
    if len(loaded.removed):
        click.echo("Removed from analysis:")
        for row in loaded.removed.itertuples(index=False):
            click.echo(f"  {row.doc_id} [{row.start}:{row.end}] {row.reason}")
    click.echo("Skipped files:" if len(loaded.skipped) else "Skipped files: none")
    for row in loaded.skipped.itertuples(index=False):
        click.echo(f"  {row.path}: {row.reason}")
    if out is not None:
        click.echo(f"Wrote {', '.join(str(p) for p in written)}")
