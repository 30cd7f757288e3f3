"""``report.md``: the report as GitHub-flavoured Markdown."""
from __future__ import annotations

import re
from typing import Any

from .context import text

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(value: Any) -> str:
    """Corpus text made inert in Markdown: one line, ``&`` and ``<`` as entities (so GitHub shows
    ``<script>`` as text; a lone ``>`` is harmless mid-line) and Markdown punctuation
    backslash-escaped (so ``|`` never breaks a table)."""
    one_line = " ".join(text(value).split()).replace("&", "&amp;").replace("<", "&lt;")
    return _MD_SPECIAL.sub(r"\\\1", one_line)


def md_span(value: Any) -> str:
    """Like :func:`md_escape` for a piece of a sentence: a space at either edge is kept, so
    pieces joined around **bold** sides still read as one sentence."""
    raw = text(value)
    body = md_escape(raw)
    if not body:
        return " " if raw[:1].isspace() else ""
    return (" " if raw[:1].isspace() else "") + body + (" " if raw[-1:].isspace() else "")


def md_code(value: Any) -> str:
    """Text for inside a backtick code span (no backticks, no line breaks, table-safe pipes)."""
    return " ".join(text(value).split()).replace("`", "'").replace("|", "\\|")


def _env(cache_dir=None):
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from ._reuse import bytecode_cache

    env = Environment(loader=PackageLoader("corpus_tools.report", "templates"), autoescape=False,
                      undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False,
                      keep_trailing_newline=True, bytecode_cache=bytecode_cache(cache_dir))
    env.filters["md"] = md_escape
    env.filters["mdspan"] = md_span
    env.filters["code"] = md_code
    return env


def render_markdown(ctx: dict[str, Any], *, max_rows: int = 60, cache_dir: Any = None) -> str:
    """Render the view model from :func:`~corpus_tools.report.context.build_context` (compiled
    templates kept under ``cache_dir``, default the cache dir)."""
    out = _env(cache_dir).get_template("report.md.j2").render(**ctx, max_rows=max_rows)
    # Templates leave runs of blank lines where optional blocks are empty.
    return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"
