"""The row spool: the document stages' rows on disk during the map, read back stage by stage,
with the same tables as rows gathered in memory; removed at the end of a run, failed or not."""
from __future__ import annotations

import math
import sys

import pandas as pd
import pytest

import corpus_tools.pipeline as pipeline
from corpus_tools._rows import RowSpool
from corpus_tools.lexicon import load_lexicon
from corpus_tools.load import load_corpus
from corpus_tools.stages import FramingStage

from ._tables import result_tables


def test_spool_gives_back_every_document_rows_in_order_and_exactly(tmp_path):
    spool = RowSpool.open(tmp_path, ["a", "b"], part_rows=3)
    docs = {
        "d1": {"a": {"mentions": [("d1", "s1", 1, None, 2.5), ("d1", "s2", 2, "x", float("nan"))], "candidates": []},
               "b": [("d1", [1, 2], {"k": (1, "v")})]},
        "d2": {"a": {"mentions": [], "candidates": [("key", "surface", True, 0, -0.0)]}, "b": None},
        "d3": {"a": {"mentions": [("d3", "s9", 3, "y", 1.0)], "candidates": [("k", "s", False, 7, 1e-300)]},
               "b": ["plain", 3]},
    }
    for doc_id, rows in docs.items():
        spool.add(doc_id, rows)
    got_a = list(spool.read("a"))
    got_b = list(spool.read("b"))
    assert [d for d, _ in got_a] == ["d1", "d2", "d3"]
    assert [d for d, _ in got_b] == ["d1", "d3"]  # a stage that failed on d2 left None: not spooled
    assert spool.stats["parts"] >= 3 and spool.stats["documents"] == 3
    for doc_id, rows in got_a:
        want = docs[doc_id]["a"]
        assert list(rows) == list(want)
        for key in want:
            assert len(rows[key]) == len(want[key])
            for x, y in zip(rows[key], want[key]):
                assert type(x) is tuple and len(x) == len(y)
                for u, v in zip(x, y):
                    assert type(u) is type(v) and (u == v or (isinstance(v, float) and math.isnan(v) and math.isnan(u)))
                    if isinstance(v, float):
                        assert math.copysign(1.0, u) == math.copysign(1.0, v)
    assert dict(got_b) == {"d1": docs["d1"]["b"], "d3": docs["d3"]["b"]}
    # Short strings come back interned, as the computed rows hold them.
    assert got_a[0][1]["mentions"][0][1] is sys.intern("".join(["s", "1"]))
    folder = spool.folder
    assert folder.is_dir() and any(folder.rglob("part-*.zip"))
    spool.remove()
    assert not folder.exists()


def _run(corpus, cache_dir, monkeypatch, *, spool: bool, part_rows: int = 200, seen: list | None = None):
    def open_spool(parser, names):
        if not spool:
            return None
        made = RowSpool.open(parser.cache_dir_, names, part_rows=part_rows)
        if seen is not None:
            seen.append(made)
        return made

    monkeypatch.setattr(pipeline, "_open_spool", open_spool)
    result = pipeline.AnalysisResult(corpus=corpus)
    pipeline._run_text_stages(corpus, load_lexicon(None), result, pipeline._Progress(None), nlp=None, model=None,
                              cache_dir=cache_dir)
    return result


def test_tables_from_the_spool_are_the_tables_from_rows_held_in_memory(corpus_dir, tmp_path, monkeypatch):
    corpus = load_corpus(corpus_dir)
    held = _run(corpus, tmp_path / "held", monkeypatch, spool=False)
    seen: list[RowSpool] = []
    spooled = _run(corpus, tmp_path / "spooled", monkeypatch, spool=True, seen=seen)
    (spool,) = seen
    # The spool was really used (many small parts), and is gone once the stages have aggregated.
    assert spool.stats["documents"] == len(corpus) and spool.stats["parts"] > 2 * len(corpus.doc_ids) // 5
    assert spooled.parse_cache["spooled_parts"] == spool.stats["parts"] and "spooled_parts" not in held.parse_cache
    assert not spool.folder.exists() and list((tmp_path / "spooled" / "spool").iterdir()) == []
    left, right = result_tables(held, ("concepts", "framing")), result_tables(spooled, ("concepts", "framing"))
    assert left.keys() == right.keys() and len(left) >= 10
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], obj=name)
        assert left[name].to_csv().encode() == right[name].to_csv().encode(), name
    # Rows read from the row cache (a warm run without the result cache) go through the spool too.
    for entry in (tmp_path / "spooled" / "results").rglob("*.zip"):
        entry.unlink()
    warm = _run(corpus, tmp_path / "spooled", monkeypatch, spool=True, seen=seen)
    assert warm.parse_cache["rows_cached"] == len(corpus) and warm.parse_cache["spooled_parts"] > 0
    for name, table in result_tables(warm, ("concepts", "framing")).items():
        pd.testing.assert_frame_equal(left[name], table, obj=name)


def test_spool_is_removed_when_the_run_fails(corpus_dir, tmp_path, monkeypatch):
    corpus = load_corpus(corpus_dir)
    seen: list[RowSpool] = []

    def broken(self, collected, corpus, results):
        raise RuntimeError("aggregation broke")

    monkeypatch.setattr(FramingStage, "aggregate", broken)
    with pytest.raises(RuntimeError, match="aggregation broke"):
        _run(corpus, tmp_path / "cache", monkeypatch, spool=True, seen=seen)
    (spool,) = seen
    assert spool.stats["parts"] > 0  # it had been written to
    assert not spool.folder.exists() and list((tmp_path / "cache" / "spool").iterdir()) == []


def test_spool_is_removed_when_the_map_fails_midway(corpus_dir, tmp_path, monkeypatch):
    from corpus_tools.errors import ExecutorError
    from corpus_tools.executors import LocalExecutor

    corpus = load_corpus(corpus_dir)
    seen: list[RowSpool] = []

    class Failing(LocalExecutor):
        def map_documents(self, spec, corpus, doc_ids, *, parser, announce=None):
            run = super().map_documents(spec, corpus, doc_ids, parser=parser, announce=announce)

            class Run:
                seconds, errors, parse_stats, processes = run.seconds, run.errors, run.parse_stats, run.processes

                def __iter__(self):
                    for n, item in enumerate(run):
                        if n == 2:
                            raise ExecutorError("a worker died")
                        yield item

            return Run()

    def open_spool(parser, names):
        made = RowSpool.open(parser.cache_dir_, names, part_rows=1)
        seen.append(made)
        return made

    monkeypatch.setattr(pipeline, "_open_spool", open_spool)
    result = pipeline.AnalysisResult(corpus=corpus)
    with pytest.raises(ExecutorError, match="a worker died"):
        pipeline._run_text_stages(corpus, load_lexicon(None), result, pipeline._Progress(None), nlp=None,
                                  model=None, cache_dir=tmp_path / "cache", executor=Failing(processes=1))
    (spool,) = seen
    assert spool.stats["documents"] == 2 and spool.stats["parts"] > 0
    assert not spool.folder.exists()


def test_a_spool_that_cannot_be_written_stops_with_a_clear_message(tmp_path, monkeypatch):
    import corpus_tools._rows as rows_module
    from corpus_tools.errors import ExecutorError

    spool = RowSpool.open(tmp_path, ["a"], part_rows=1)

    def full(path, entries):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rows_module, "_write_part", full)
    with pytest.raises(ExecutorError, match="could not write the rows to the spool .*No space left on device"):
        spool.add("d1", {"a": [("x", 1)]})
    spool.remove()
    assert not spool.folder.exists()
