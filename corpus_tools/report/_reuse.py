"""What a report re-run can reuse: compiled templates and chart fragments.

A fully cached ``analyze`` spends most of its time writing the report: compiling the two Jinja
templates and building the plotly figures. Both are kept under the cache dir
(:func:`corpus_tools.parse.default_cache_dir`):

- ``templates/``: Jinja's bytecode cache; Jinja checks each entry against the template source
  and its own version, so an edited template or another Jinja is compiled afresh.
- ``charts/``: the chart fragments of a report, keyed by a hash of everything they are built
  from (the context entries the charts read, the plotly version and the chart code), so the same results give
  the same fragments without importing plotly's figure classes.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable

logger = logging.getLogger(__name__)


def _root(cache_dir: str | Path | None) -> Path:
    from ..parse import default_cache_dir

    return Path(cache_dir) if cache_dir is not None else default_cache_dir()


def bytecode_cache(cache_dir: str | Path | None = None):
    """A :class:`jinja2.FileSystemBytecodeCache` in the cache dir, or None if it cannot be made."""
    return _bytecode_cache(str(_root(cache_dir)))


@functools.lru_cache(maxsize=4)
def _bytecode_cache(root: str):
    from jinja2 import FileSystemBytecodeCache

    folder = Path(root) / "templates" / f"py{sys.version_info[0]}{sys.version_info[1]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        logger.info("no template cache (%s): templates are compiled each run", exc)
        return None
    return FileSystemBytecodeCache(str(folder))


class _Unhashable(TypeError):
    pass


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # a numpy scalar
        return value.item()
    raise _Unhashable(type(value).__name__)


def cached_charts(ctx: dict[str, Any], build: Callable[[dict[str, Any]], dict[str, str]],
                  cache_dir: str | Path | None = None) -> dict[str, str]:
    """``build(ctx)``, or the fragments an earlier run built from an identical context.

    A context that is not plain data (so cannot be hashed faithfully) is always built afresh."""
    from importlib import metadata

    from . import charts as chart_module

    try:
        # Only what the charts are built from: the context also holds this run's timings.
        payload = json.dumps({k: ctx.get(k) for k in chart_module.CONTEXT_KEYS}, sort_keys=True, default=_plain,
                             ensure_ascii=False)
    except (_Unhashable, ValueError, TypeError):
        return build(ctx)
    try:
        plotly = metadata.version("plotly")
    except metadata.PackageNotFoundError:
        plotly = "-"
    digest = hashlib.sha256(b"charts-1\x1e" + plotly.encode() + b"\x1e" + Path(chart_module.__file__).read_bytes())
    digest.update(payload.encode("utf-8", "surrogatepass"))
    key = digest.hexdigest()
    path = _root(cache_dir) / "charts" / key[:2] / f"{key}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("key") == key and isinstance(stored.get("charts"), dict):
            return stored["charts"]
    except (OSError, ValueError, AttributeError):
        pass
    charts = build(ctx)
    try:
        from .._fileio import atomic_write_text

        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps({"key": key, "charts": charts}, ensure_ascii=False))
    except (OSError, TypeError) as exc:
        logger.info("could not keep the chart fragments in %s: %s", path, exc)
    return charts
