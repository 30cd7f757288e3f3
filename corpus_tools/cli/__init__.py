"""The ``corpus-tools`` command line: a thin layer over the library.

Subcommands live in their own modules and are imported only when run, so
``corpus-tools --help`` never imports spaCy, torch or BERTopic.
"""
from __future__ import annotations

import importlib
import logging

import click

from .._version import __version__

#: command name -> (module, attribute, one-line help shown by --help without importing it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "corpus": ("corpus_tools.cli.corpus_cmd", "corpus", "Inventory of a corpus folder: documents, words, skipped files."),
    "concepts": ("corpus_tools.cli.concepts_cmd", "concepts", "Concept mentions per document; 'concepts suggest' finds new ones."),
    "kwic": ("corpus_tools.cli.concepts_cmd", "kwic", "Keyword-in-context lines for a concept or a phrase."),
    "topics": ("corpus_tools.cli.topics_cmd", "topics", "Themes the paragraphs cluster into (BERTopic, offline)."),
    "framing": ("corpus_tools.cli.framing_cmd", "framing", "Contrast frames and how each concept's framing shifts."),
    "analyze": ("corpus_tools.cli.analyze_cmd", "analyze", "Run every stage and write the reports."),
    "compare": ("corpus_tools.cli.compare_cmd", "compare", "Compare groups or periods: concepts, terms, reframings, themes."),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._available(name)]

    def _available(self, name: str) -> bool:
        return importlib.util.find_spec(COMMANDS[name][0]) is not None

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS or not self._available(name):
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class _ClickEchoHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname.lower()
        click.echo(f"{level}: {record.getMessage()}", err=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="corpus-tools")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """Find the concepts, themes and framing shifts in a folder of essays.

    Every command takes a folder of .txt/.md files (read recursively, never written),
    prints a readable table, and takes --json for machine output or --out DIR for files.
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    package_logger = logging.getLogger("corpus_tools")
    package_logger.handlers[:] = [h for h in package_logger.handlers if not isinstance(h, _ClickEchoHandler)]
    package_logger.addHandler(_ClickEchoHandler())
    package_logger.setLevel(level)
