"""Compiled report templates kept between runs.

Compiling the two report templates takes a few hundred milliseconds, a large share of a fully
cached ``analyze`` run. Jinja's bytecode cache keeps the compiled code under
``<default cache dir>/templates/``; Jinja checks each entry against the template source and
its own version, so an edited template or another Jinja is compiled afresh.
"""
from __future__ import annotations

import functools
import logging
import sys

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def bytecode_cache():
    """A :class:`jinja2.FileSystemBytecodeCache` in the cache dir, or None if it cannot be made."""
    from jinja2 import FileSystemBytecodeCache

    from ..parse import default_cache_dir

    folder = default_cache_dir() / "templates" / f"py{sys.version_info[0]}{sys.version_info[1]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        logger.info("no template cache (%s): templates are compiled each run", exc)
        return None
    return FileSystemBytecodeCache(str(folder))
