"""Rows gathered while streaming over documents, kept in pandas' columnar form.

A row held as a Python tuple costs several times the memory of the same values in a DataFrame
(every string and integer is an object of its own), and at 5,000 essays the text stages gather
millions of rows. :class:`RowChunks` turns its buffer into a DataFrame every ``chunk_rows`` rows,
so the tuples of only one chunk are ever alive. :class:`RowSpool` keeps the rows of whole
documents on disk until a stage aggregates them.
"""
from __future__ import annotations

import sys
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd


class RowChunks:
    """An append-only table built from rows (tuples in ``columns`` order, or dicts).

    Args:
        columns: the column names.
        chunk_rows: rows buffered before they are converted into a DataFrame chunk.
        categorical: columns to keep as ``category`` dtype (for long tables whose strings repeat:
            each distinct value is stored once). Their categories are sorted, so sorting by such a
            column sorts by its values.

    Example::

        table = RowChunks(["doc_id", "concept", "count"])
        table.extend([("d1", "traffic", 2), ("d1", "reserve", 1)])
        frame = table.frame()
    """

    def __init__(self, columns: Sequence[str], chunk_rows: int = 20_000, categorical: Sequence[str] = ()) -> None:
        self.columns = list(columns)
        self.chunk_rows = chunk_rows
        self.categorical = list(categorical)
        self._buffer: list[Any] = []
        self._chunks: list["pd.DataFrame"] = []
        self._n = 0

    def __len__(self) -> int:
        return self._n + len(self._buffer)

    def extend(self, rows: Iterable[Any]) -> None:
        """Append rows: tuples in :attr:`columns` order, or dicts keyed by column (a missing key is
        ``None``)."""
        columns = self.columns
        rows = rows if isinstance(rows, list) else list(rows)
        if len(columns) > 1 and all(type(r) is dict for r in rows):
            # one C call per row for the usual rows, which have every column (a plain dict, where
            # a missing key cannot make a default); a row that lacks one is read key by key
            take = itemgetter(*columns)
            try:
                self._buffer.extend([take(r) for r in rows])
            except KeyError:
                self._buffer.extend([tuple(map(r.get, columns)) for r in rows])
        else:
            self._buffer.extend(r if isinstance(r, tuple) else tuple(map(r.get, columns)) for r in rows)
        if len(self._buffer) >= self.chunk_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        import pandas as pd

        chunk = pd.DataFrame(self._buffer, columns=self.columns)
        for column in self.categorical:
            chunk[column] = chunk[column].astype("category")
        self._chunks.append(chunk)
        self._n += len(self._buffer)
        self._buffer = []

    def frame(self) -> "pd.DataFrame":
        """All rows as one DataFrame (index 0..n-1); the builder is emptied.

        Column types are what ``pd.DataFrame(rows, columns=...)`` would infer from all the rows
        at once (except the ``categorical`` ones): a column whose chunks disagree (an integer
        column that is all ``None`` in one chunk, say) is re-inferred after joining them.
        """
        import pandas as pd
        from pandas.api.types import union_categoricals

        self._flush()
        chunks, self._chunks, self._n = self._chunks, [], 0
        if not chunks:
            frame = pd.DataFrame(columns=self.columns)
            for column in self.categorical:
                frame[column] = frame[column].astype("category")
            return frame
        # Concatenating categoricals whose categories differ would fall back to object dtype.
        categories = {c: union_categoricals([chunk[c] for chunk in chunks], sort_categories=True)
                      for c in self.categorical}
        plain = [c for c in self.columns if c not in categories]
        mixed = [c for c in plain if len({str(chunk[c].dtype) for chunk in chunks}) > 1]
        frame = pd.concat([chunk[plain] for chunk in chunks], ignore_index=True)
        del chunks
        for column in mixed:
            frame[column] = pd.Series(frame[column].tolist(), dtype=None, name=column)
        for column, values in categories.items():
            frame[column] = values
        return frame[self.columns]


class RowSpool:
    """The document stages' rows of every document, appended to part files on disk as they
    arrive and read back stage by stage, in the same order: what lets the client of a run hold
    no gathered rows while the documents stream in.

    A spool lives in a fresh private folder (``cache_dir/spool/<pid>-<random>/``) for the length
    of one run; :meth:`remove` deletes it (the orchestrator calls it at the end of the run,
    also when the run fails). The parts are written with the row cache's codec
    (:mod:`corpus_tools._cache`: Parquet and tagged JSON, no pickle), which gives the values
    back exactly; short strings are interned again on reading, as :func:`~corpus_tools.stages.compact_rows`
    made them, so the tables built from the spool are the ones built from the rows directly.

    Args:
        folder: the spool's own folder (made by :meth:`open`).
        names: the stages whose rows it keeps.
        part_rows: rows (summed over a stage's tables) buffered before a part is written.
    """

    def __init__(self, folder: "Path", names: Sequence[str], part_rows: int = 50_000) -> None:
        self.folder = folder
        self.names = list(names)
        self.part_rows = part_rows
        self._buffer: dict[str, list[tuple[str, Any]]] = {name: [] for name in self.names}
        self._buffered: dict[str, int] = {name: 0 for name in self.names}
        self._parts: dict[str, int] = {name: 0 for name in self.names}
        #: documents and part files written, bytes on disk (for run.json and the benchmarks)
        self.stats: dict[str, int] = {"documents": 0, "parts": 0, "bytes": 0}

    @classmethod
    def open(cls, cache_dir: "str | Path", names: Sequence[str], **kwargs: Any) -> "RowSpool":
        """A new spool under ``cache_dir/spool/``; raises OSError when it cannot be made."""
        import os
        import tempfile
        from pathlib import Path

        root = Path(cache_dir) / "spool"
        root.mkdir(parents=True, exist_ok=True)
        return cls(Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root)), names, **kwargs)

    def add(self, doc_id: str, rows: "Mapping[str, Any]") -> None:
        """Append one document's rows (``{stage name: rows or None}``; a ``None`` is left out,
        as the collectors leave it out)."""
        self.stats["documents"] += 1
        for name in self.names:
            value = rows.get(name)
            if value is None:
                continue
            self._buffer[name].append((doc_id, value))
            self._buffered[name] += _n_rows(value)
            if self._buffered[name] >= self.part_rows:
                self._write(name)

    def flush(self) -> None:
        """Write every buffered row (before reading)."""
        for name in self.names:
            if self._buffer[name]:
                self._write(name)

    def read(self, name: str) -> "Iterator[tuple[str, Any]]":
        """``(doc_id, rows)`` of stage ``name``, in the order they were added; each part is read
        when the one before it is used up."""
        self.flush()
        for n in range(self._parts[name]):
            yield from _read_part(self.folder / name / f"part-{n:06d}.zip")

    def remove(self) -> None:
        """Delete the spool's folder and what it holds."""
        import shutil

        for name in self.names:
            self._buffer[name] = []
        shutil.rmtree(self.folder, ignore_errors=True)

    def _write(self, name: str) -> None:
        entries, self._buffer[name], self._buffered[name] = self._buffer[name], [], 0
        folder = self.folder / name
        try:
            folder.mkdir(exist_ok=True)
        except OSError:
            pass  # reported by the write below
        path = folder / f"part-{self._parts[name]:06d}.zip"
        try:
            _write_part(path, entries)
        except OSError as exc:
            from .errors import ExecutorError

            path.unlink(missing_ok=True)
            raise ExecutorError(f"could not write the rows to the spool in {self.folder} ({exc}); stopping "
                                "(nothing was written). Free some space in the cache folder or choose another "
                                "one (--cache-dir).") from None
        self._parts[name] += 1
        self.stats["parts"] += 1
        self.stats["bytes"] += path.stat().st_size


def _n_rows(value: Any) -> int:
    """Rows in one document's rows of a stage (a dict of row lists, or a list)."""
    if isinstance(value, dict):
        return sum(len(v) for v in value.values() if isinstance(v, list)) + 1
    return (len(value) if isinstance(value, list) else 0) + 1


def _write_part(path: "Path", entries: list[tuple[str, Any]]) -> None:
    """One part: the documents' ids and, when every document's rows are a dict of row lists
    with the same keys (the stages' form), each table's rows of all the documents as one list
    (stored as one Parquet table) with the count per document; otherwise each value as it is."""
    import json
    import zipfile

    from ._cache import _ENTRY, _Parts, _encode

    doc_ids = [doc_id for doc_id, _ in entries]
    values = [value for _, value in entries]
    first = values[0]
    columnar = (isinstance(first, dict) and all(isinstance(v, list) for v in first.values())
                and all(type(v) is dict and list(v) == list(first) and all(isinstance(x, list) for x in v.values())
                        for v in values))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        parts = _Parts(archive)
        if columnar:
            tables = {key: ([row for v in values for row in v[key]], [len(v[key]) for v in values]) for key in first}
            structure = {"doc_ids": doc_ids, "keys": list(first),
                         "tables": [[_encode(rows, parts), counts] for rows, counts in tables.values()]}
        else:
            structure = {"doc_ids": doc_ids, "values": _encode(values, parts)}
        archive.writestr(_ENTRY, json.dumps(structure))


def _read_part(path: "Path") -> "Iterator[tuple[str, Any]]":
    import json
    import zipfile

    from ._cache import _ENTRY, _decode

    with zipfile.ZipFile(path) as archive:
        structure = json.loads(archive.read(_ENTRY))
        doc_ids = structure["doc_ids"]
        if "values" in structure:
            values = [_interned(v) for v in _decode(structure["values"], archive)]
            yield from zip(doc_ids, values)
            return
        tables = [(key, _interned(_decode(rows, archive)), counts)
                  for key, (rows, counts) in zip(structure["keys"], structure["tables"])]
    offsets = [0] * len(tables)
    for i, doc_id in enumerate(doc_ids):
        value = {}
        for t, (key, rows, counts) in enumerate(tables):
            value[key] = rows[offsets[t]:offsets[t] + counts[i]]
            offsets[t] += counts[i]
        yield doc_id, value


def _interned(value: Any) -> Any:
    """Rows with their short strings interned again (see :func:`~corpus_tools.stages.compact_rows`):
    a repeated id or term is one object, in the spool's rows as in the computed ones."""
    intern = sys.intern
    if isinstance(value, list):
        return [_interned(v) for v in value] if value and not isinstance(value[0], tuple) else [
            tuple([intern(x) if type(x) is str and len(x) <= 40 else x for x in row]) if type(row) is tuple
            else _interned(row) for row in value]
    if isinstance(value, dict):
        return {k: _interned(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple([intern(x) if type(x) is str and len(x) <= 40 else _interned(x) for x in value])
    return value
