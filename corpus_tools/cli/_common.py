"""Options and error handling shared by the subcommands."""
from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any, Iterator

import click

from .._fileio import OutputPathError
from ..errors import CorpusError, CorpusToolsError, FrameGrammarError, GroupingError, LexiconError


class InputError(click.ClickException):
    """Bad input the user must fix (missing folder, bad lexicon, an output path that overlaps the
    input): exit code 2."""

    exit_code = 2


@contextlib.contextmanager
def library_errors() -> Iterator[None]:
    """Turn library errors into clean CLI messages, never a traceback."""
    try:
        yield
    except (CorpusError, LexiconError, GroupingError, OutputPathError, FrameGrammarError) as exc:
        raise InputError(str(exc)) from None
    except CorpusToolsError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        raise click.Abort() from None


def corpus_path_argument(func):
    """The PATH argument: a corpus folder (checked by the library for a clear message)."""
    return click.argument("path", type=click.Path(path_type=Path))(func)


def frames_option(func):
    return click.option("--frames", "frames", type=click.Path(path_type=Path, dir_okay=False), default=None,
                        help="Frame grammar (TOML) instead of the built-in one: the wordings of contrast "
                             "frames, by class.")(func)


def discourse_option(func):
    return click.option("--discourse", "discourse", type=click.Path(path_type=Path, dir_okay=False), default=None,
                        help="Discourse frames (TOML) instead of the built-in ones: the words of the frames "
                             "read across two adjacent sentences.")(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")(func)


def out_option(func):
    return click.option("--out", "out", type=click.Path(path_type=Path), default=None,
                        help="Write result tables (CSV) to this folder.")(func)


def cache_option(func):
    return click.option("--cache-dir", type=click.Path(path_type=Path), default=None, envvar="CORPUS_TOOLS_CACHE_DIR",
                        help="Cache for parses and embeddings [default: ~/.cache/corpus_tools].")(func)


def max_file_option(func):
    return click.option(
        "--max-file-mb", type=click.FloatRange(min=0), default=None, envvar="CORPUS_TOOLS_MAX_FILE_MB",
        help="Skip (and list in skipped) any file larger than this many MB; 0 for no limit [default: 10].",
    )(func)


def embedder_option(func):
    # The names are repeated here (not imported) so that --help never imports the embeddings module.
    return click.option("--embedder", type=click.Choice(["static", "minilm"]), default="static", show_default=True,
                        help="Sentence embedder for the themes: 'static' (a static model distilled locally from "
                             "all-MiniLM-L6-v2 on first use, then kept; hundreds of times faster) or 'minilm' "
                             "(all-MiniLM-L6-v2 itself).")(func)


def fit_sample_option(func):
    return click.option("--fit-sample", "fit_sample", type=click.IntRange(min=0), default=None, metavar="N",
                        help="Past N units, fit the themes (UMAP, HDBSCAN, c-TF-IDF) on a seeded random sample of N "
                             "and assign the rest with the fitted model: the fit's time and memory stop growing "
                             "with the corpus. Every unit is still embedded. [default: fit on all units]")(func)


def show_progress(quiet: bool = False) -> bool:
    """Progress bars only for a person watching a terminal."""
    return not quiet and sys.stderr.isatty()


def echo_json(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(value: Any) -> Any:
    import math

    if hasattr(value, "isoformat"):
        return None if str(value) == "NaT" else value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def frame_records(frame) -> list[dict]:
    """DataFrame rows as JSON-safe dicts (NaN/NaT become null)."""
    import pandas as pd

    clean = frame.astype(object).where(pd.notna(frame), None)
    return clean.to_dict("records")


class DefaultCommandGroup(click.Group):
    """A group whose first argument may be a PATH for its default subcommand.

    ``corpus-tools concepts PATH`` runs the default command, while ``corpus-tools concepts
    suggest PATH`` runs ``suggest``: anything that is not a subcommand name is handed to the
    default command. Declare it with ``@click.group(cls=DefaultCommandGroup, default="table")``.
    """

    def __init__(self, *args: Any, default: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("invoke_without_command", False)
        super().__init__(*args, **kwargs)
        self.default_command = default

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if self.default_command and args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "PATH [OPTIONS] | COMMAND [ARGS]...")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the default command's options first: they are what ``GROUP PATH`` takes."""
        default = self.commands.get(self.default_command or "")
        if default is not None:
            default_ctx = click.Context(default, info_name=self.default_command, parent=ctx)
            rows = [record for param in default.get_params(default_ctx)
                    if isinstance(param, click.Option) and "--help" not in param.opts
                    and (record := param.get_help_record(default_ctx)) is not None]
            if rows:
                with formatter.section(f"Options of '{ctx.command_path} PATH' (same as '{self.default_command} PATH')"):
                    formatter.write_dl(rows)
        super().format_options(ctx, formatter)


class NTopics(click.ParamType):
    """``--n-topics``: ``auto`` or a whole number of themes, at least 2."""

    name = "auto|N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        if isinstance(value, int) or str(value).lower() == "auto":
            return value if isinstance(value, int) else "auto"
        try:
            n = int(value)
        except ValueError:
            self.fail(f"{value!r} is neither 'auto' nor a whole number", param, ctx)
        if n < 2:
            self.fail("needs at least 2 themes (or 'auto')", param, ctx)
        return n
