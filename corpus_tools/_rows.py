"""Rows gathered while streaming over documents, kept in pandas' columnar form.

A row held as a Python tuple costs several times the memory of the same values in a DataFrame
(every string and integer is an object of its own), and at 5,000 essays the text stages gather
millions of rows. :class:`RowChunks` turns its buffer into a DataFrame every ``chunk_rows`` rows,
so the tuples of only one chunk are ever alive.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:
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
        """Append rows: tuples in :attr:`columns` order, or dicts keyed by column."""
        columns = self.columns
        self._buffer.extend(r if isinstance(r, tuple) else tuple(r.get(c) for c in columns) for r in rows)
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
