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

    Example::

        table = RowChunks(["doc_id", "concept", "count"])
        table.extend([("d1", "traffic", 2), ("d1", "reserve", 1)])
        frame = table.frame()
    """

    def __init__(self, columns: Sequence[str], chunk_rows: int = 20_000) -> None:
        self.columns = list(columns)
        self.chunk_rows = chunk_rows
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

        self._chunks.append(pd.DataFrame(self._buffer, columns=self.columns))
        self._n += len(self._buffer)
        self._buffer = []

    def frame(self) -> "pd.DataFrame":
        """All rows as one DataFrame (index 0..n-1); the builder is emptied.

        Column types are what ``pd.DataFrame(rows, columns=...)`` would infer from all the rows
        at once: a column whose chunks disagree (an integer column that is all ``None`` in one
        chunk, say) is re-inferred after joining them.
        """
        import pandas as pd

        self._flush()
        chunks, self._chunks, self._n = self._chunks, [], 0
        if not chunks:
            return pd.DataFrame(columns=self.columns)
        if len(chunks) == 1:
            return chunks[0]
        mixed = [c for c in self.columns if len({str(chunk[c].dtype) for chunk in chunks}) > 1]
        frame = pd.concat(chunks, ignore_index=True)
        del chunks
        for column in mixed:
            frame[column] = pd.Series(frame[column].tolist(), dtype=None, name=column)
        return frame
