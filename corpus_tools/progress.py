"""Progress reporting for long runs: tqdm bars on stderr, or any tqdm-like callable.

:func:`corpus_tools.analyze` takes ``progress=``: ``True`` (a :class:`TqdmProgress`), ``None``
for silence, or any callable ``progress(iterable, desc=..., total=...)`` returning an iterable,
optionally with a ``stage(message)`` method for one-line stage messages. The same callable
sees the per-document map whatever the executor: on a Dask cluster the documents of a batch
are counted when the batch comes back.
"""
from __future__ import annotations

import logging
import sys
from typing import Any, Callable, Iterable

logger = logging.getLogger("corpus_tools.pipeline")  # stage messages have always been logged here


class TqdmProgress:
    """Progress on stderr: one tqdm bar per long stage (counts, rate, ETA), one line per stage.

    Callable like ``tqdm``: ``progress(iterable, desc=..., total=...)`` returns an iterable.
    ``stage(message)`` announces a stage. Pass an instance (or ``progress=True``) to
    :func:`~corpus_tools.pipeline.analyze`; or pass any callable with the same call signature.
    """

    def __init__(self, file=None, leave: bool = True) -> None:
        self.file = file
        self.leave = leave

    def __call__(self, iterable: Iterable, desc: str | None = None, total: int | None = None, **kwargs: Any) -> Iterable:
        from tqdm.auto import tqdm

        kwargs.setdefault("unit", "doc" if desc and "parse" in desc else "it")
        return tqdm(iterable, desc=desc, total=total, file=self.file or sys.stderr, leave=self.leave,
                    dynamic_ncols=True, **kwargs)

    def stage(self, message: str) -> None:
        from tqdm.auto import tqdm

        tqdm.write(message, file=self.file or sys.stderr)


class Progress:
    """Adapts the ``progress`` argument of :func:`~corpus_tools.pipeline.analyze` (None/False,
    True, or a callable) to what the stages call: :meth:`wrapper` and :meth:`stage`."""

    def __init__(self, progress: Any) -> None:
        if progress is True:
            progress = TqdmProgress()
        self.impl = progress or None

    def wrapper(self, desc: str, total: int | None = None) -> Callable[[Iterable], Iterable] | None:
        """A one-argument iterable wrapper for a stage function's ``progress=``."""
        if self.impl is None:
            return None
        impl = self.impl

        def wrap(iterable: Iterable, *args: Any, **kwargs: Any) -> Iterable:
            kwargs.setdefault("desc", desc)
            if total is not None:
                kwargs.setdefault("total", total)
            try:
                return impl(iterable, *args, **kwargs)
            except TypeError:  # a plain one-argument wrapper
                return impl(iterable)

        return wrap

    def track(self, iterable: Iterable, desc: str, total: int | None = None) -> Iterable:
        """``iterable`` wrapped for progress (or as it is, without progress)."""
        wrap = self.wrapper(desc, total=total)
        return wrap(iterable) if wrap is not None else iterable

    def stage(self, message: str) -> None:
        logger.info(message)
        announce = getattr(self.impl, "stage", None)
        if callable(announce):
            announce(message)


#: The name the pipeline (and its tests and benchmarks) has always used.
_Progress = Progress
