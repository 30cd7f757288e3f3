"""RowChunks: rows gathered while streaming give the same table as building it at once."""
from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools._rows import RowChunks


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 1000])
def test_same_frame_as_one_dataframe(chunk_rows):
    rows = [("d1", None, 1, "x"), ("d1", None, 2, "y"), ("d2", 5, 3, None), ("d3", 7, 4, "z"), ("d3", None, 5, "w")]
    table = RowChunks(["doc_id", "start", "n", "term"], chunk_rows=chunk_rows)
    for row in rows:
        table.extend([row])
    assert len(table) == len(rows)
    expected = pd.DataFrame(rows, columns=["doc_id", "start", "n", "term"])
    pd.testing.assert_frame_equal(table.frame(), expected)
    assert len(table) == 0  # emptied


def test_dict_rows_and_empty_table():
    table = RowChunks(["a", "b"], chunk_rows=2)
    empty = table.frame()
    assert list(empty.columns) == ["a", "b"] and empty.empty
    table.extend([{"b": 2, "a": "x"}, {"a": "y", "b": 3}, {"a": "z", "b": 4}])
    assert table.frame().to_dict("records") == [{"a": "x", "b": 2}, {"a": "y", "b": 3}, {"a": "z", "b": 4}]


def test_streamed_rows_are_kept_as_chunks_not_tuples():
    table = RowChunks(["a"], chunk_rows=10)
    for i in range(25):  # one small extend per document, as the pipeline does
        table.extend([(str(i),)])
    assert len(table._chunks) == 2 and len(table._buffer) == 5
    assert table.frame()["a"].tolist() == [str(i) for i in range(25)]


def test_dict_rows_with_missing_keys_defaults_and_mixed_rows():
    """A dict row without a column gives None there (also among complete rows), a dict subclass
    with defaults is read with get, and tuples and dicts mix."""
    from collections import defaultdict

    table = RowChunks(["a", "b", "c"])
    table.extend([{"a": 1, "b": 2, "c": 3}, {"a": 4, "c": 6}])
    table.extend(r for r in [{"c": 9, "b": 8, "a": 7}])  # a generator of rows
    table.extend([defaultdict(lambda: "dflt", a=10, b=11)])
    table.extend([(12, 13, 14), {"a": 15, "b": 16, "c": 17}])
    table.extend([{"a": 18}])
    expected = [(1, 2, 3), (4, None, 6), (7, 8, 9), (10, 11, None), (12, 13, 14), (15, 16, 17), (18, None, None)]
    pd.testing.assert_frame_equal(table.frame(), pd.DataFrame(expected, columns=["a", "b", "c"]))
    single = RowChunks(["a"])
    single.extend([{"a": "x"}, {"b": 2}])
    pd.testing.assert_frame_equal(single.frame(), pd.DataFrame([("x",), (None,)], columns=["a"]))
