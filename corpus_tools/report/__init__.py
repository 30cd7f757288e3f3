"""Reports of an analysis: ``report.md``, a self-contained ``report.html``, ``tables/`` and
``run.json``.

Every file is written atomically (temp file, then rename), and only after all stages have
finished, so an interrupted run leaves the previous report intact.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Callable, Iterable

from .context import anchor, build_context
from .tables import KNOWN_TABLES, atomic_write_text, TABLE_NAMES, collect_tables, safe_name, tidy_for_output, write_tables

logger = logging.getLogger(__name__)

FORMATS = ("md", "html", "csv", "json")


def check_formats(formats: Iterable[str] | str) -> tuple[str, ...]:
    """Normalise ``"md,html"`` or ``("md", "html")``; raises ValueError on an unknown format."""
    if isinstance(formats, str):
        formats = [f for f in formats.split(",")]
    cleaned = tuple(dict.fromkeys(f.strip().lower() for f in formats if f and f.strip()))
    unknown = [f for f in cleaned if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format(s): {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    if not cleaned:
        raise ValueError(f"no report format given (choose from {', '.join(FORMATS)})")
    return cleaned


def write_reports(result: Any, out_dir: str | Path, formats: Iterable[str] = FORMATS, *,
                  run_info: dict | Callable[[], dict] | None = None) -> dict[str, Path]:
    """Write the requested formats for ``result`` into ``out_dir`` (already prepared).

    Returns ``{name: path}``, e.g. ``{"report.md": ..., "tables/topics.csv": ...}``.
    ``run.json`` is written last; ``run_info`` may be a callable, called just before, so the
    record it returns can include the time spent writing the other files.
    """
    out_dir = Path(out_dir)
    formats = check_formats(tuple(formats))
    files: dict[str, Path] = {}
    warnings = getattr(result, "warnings", None)
    if "csv" in formats:
        files.update(write_tables(collect_tables(result), out_dir / "tables", warnings=warnings))
    if "md" in formats or "html" in formats:
        ctx = build_context(result)
        cache_dir = (getattr(result, "params", None) or {}).get("cache_dir")
        if "md" in formats:
            from .markdown import render_markdown

            files["report.md"] = atomic_write_text(out_dir / "report.md", render_markdown(ctx, cache_dir=cache_dir))
        if "html" in formats:
            from .html import render_html

            files["report.html"] = atomic_write_text(out_dir / "report.html", render_html(ctx, cache_dir=cache_dir))
    if "json" in formats:
        info = dict((run_info() if callable(run_info) else run_info) or {})
        info["files"] = sorted([*files, "run.json"])
        files["run.json"] = atomic_write_text(
            out_dir / "run.json", json.dumps(info, indent=2, ensure_ascii=False, default=_json_default) + "\n")
    return files


def _json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


__all__ = ["FORMATS", "KNOWN_TABLES", "TABLE_NAMES", "anchor", "build_context", "check_formats",
           "collect_tables", "safe_name", "tidy_for_output", "write_reports", "write_tables"]
