"""Executors: the per-document work locally and on Dask, with the same tables; faults; progress."""
from __future__ import annotations

import os
import signal
import socket
import threading
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from corpus_tools.cli import main
from corpus_tools.errors import ExecutorError
from corpus_tools.executors import DaskExecutor, LocalExecutor, corpus_slice, resolve_executor
from corpus_tools.pipeline import AnalysisResult, _Progress, _run_text_stages, analyze
from corpus_tools.stages import DocumentStage

from ._tables import result_tables

from .conftest import make_generated_corpus

pytestmark = pytest.mark.slow


def _assert_same_tables(local: AnalysisResult, dask: AnalysisResult, stages=("concepts", "framing", "topics")) -> int:
    left, right = result_tables(local, stages), result_tables(dask, stages)
    assert left.keys() == right.keys()
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], obj=name)
    return len(left)


def _csv_bytes(folder: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}
    assert files, folder
    return files


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- same results ---------------------------------------------------------------------------


def test_dask_run_writes_the_same_tables_as_a_local_run_on_the_starter_corpus(corpus_dir, dask_client, tmp_path):
    local = analyze(corpus_dir, out=tmp_path / "local", cache_dir=tmp_path / "cache-local")
    executor = DaskExecutor(client=dask_client)
    dask = analyze(corpus_dir, out=tmp_path / "dask", cache_dir=tmp_path / "cache-dask", executor=executor)
    assert dask.params["executor"].startswith("dask") and local.params["executor"] == "local"
    # The documents really were parsed on the workers (not read from a cache), by both of them.
    assert dask.parse_cache["parsed"] == len(dask.corpus) and dask.parse_cache["rows_computed"] == len(dask.corpus)
    worker_pids = set(dask_client.run(os.getpid).values())
    assert dask.parse_cache["processes"] == 2 and os.getpid() not in worker_pids
    # ... and every theme unit was embedded on the workers, none here (the embedding cache was empty).
    assert "embedded_on_workers" not in local.parse_cache
    assert dask.parse_cache["embedded_on_workers"] == dask.topics.metrics["n_units"] > 0
    assert set(executor.last_embedding["processes"]) <= worker_pids
    assert dask.params["embedder"] == "static"
    assert all(any("static" in key for key in keys) for keys in dask_client.run(_worker_embedders).values()
               if keys), dask_client.run(_worker_embedders)
    n = _assert_same_tables(local, dask)
    left, right = _csv_bytes(tmp_path / "local" / "tables"), _csv_bytes(tmp_path / "dask" / "tables")
    assert left.keys() == right.keys()
    assert [name for name in left if left[name] != right[name]] == []
    print(f"starter corpus: {n} tables equal, {len(left)} CSV files byte-identical")


def test_dask_text_stages_equal_local_on_200_generated_essays(dask_client, tmp_path):
    # 200 distinct essays of about 140 words (the generator's shortest): the per-essay work of a
    # larger corpus, at a size that keeps this test near a minute on two cores.
    from corpus_tools.lexicon import load_lexicon
    from corpus_tools.load import load_corpus

    corpus = load_corpus(make_generated_corpus(tmp_path / "essays", docs=200, words=120))
    assert len(corpus) == 200
    lexicon = load_lexicon(None)
    runs = {}
    for name, executor in (("local", None), ("dask", DaskExecutor(client=dask_client))):
        result = AnalysisResult(corpus=corpus)
        _run_text_stages(corpus, lexicon, result, _Progress(None), nlp=None, model=None,
                         cache_dir=tmp_path / f"cache-{name}", executor=executor)
        assert result.parse_cache["rows_computed"] == 200
        result.concepts.write(tmp_path / name)
        result.framing.write(tmp_path / name)
        runs[name] = result
    assert runs["dask"].parse_cache["processes"] == 2
    n = _assert_same_tables(runs["local"], runs["dask"], stages=("concepts", "framing"))
    left, right = _csv_bytes(tmp_path / "local"), _csv_bytes(tmp_path / "dask")
    assert left.keys() == right.keys() and [k for k in left if left[k] != right[k]] == []
    assert len(runs["local"].framing.contrasts) > 50  # a real amount of work was compared
    print(f"200 essays: {n} tables equal, {len(left)} CSV files byte-identical")


# --- faults ---------------------------------------------------------------------------------


class _KillOneWorker:
    """A progress callable that, once two documents have come back, kills one worker process of
    the executor's cluster (SIGKILL, as the OOM killer would) while other batches are in flight."""

    def __init__(self, executor: DaskExecutor) -> None:
        self.executor = executor
        self.killed: int | None = None
        self.ticks = 0
        self.messages: list[str] = []

    def __call__(self, iterable, desc=None, total=None, **kwargs):
        for item in iterable:
            if desc and desc.startswith("parse") and self.killed is None and self.ticks == 2:
                pids = sorted(self.executor._client.run(os.getpid).values())
                self.killed = pids[0]
                os.kill(self.killed, signal.SIGKILL)
            if desc and desc.startswith("parse"):
                self.ticks += 1
            yield item

    def stage(self, message: str) -> None:
        self.messages.append(message)


def test_a_worker_killed_mid_run_is_replaced_and_the_run_completes_with_the_same_tables(dev_corpus, tmp_path):
    from corpus_tools.lexicon import load_lexicon

    lexicon = load_lexicon(None)
    local = AnalysisResult(corpus=dev_corpus)
    _run_text_stages(dev_corpus, lexicon, local, _Progress(None), nlp=None, model=None,
                     cache_dir=tmp_path / "cache-local")
    # Tiny batches: one essay each, so the killed worker surely had batches in flight.
    executor = DaskExecutor(workers=2, batch_mb=0.0001)
    progress = _KillOneWorker(executor)
    dask = AnalysisResult(corpus=dev_corpus)
    try:
        _run_text_stages(dev_corpus, lexicon, dask, _Progress(progress), nlp=None, model=None,
                         cache_dir=tmp_path / "cache-dask", executor=executor)
        survivors = set(executor._client.run(os.getpid).values())
    finally:
        executor.close()
    assert progress.killed is not None and progress.killed not in survivors and len(survivors) == 2
    assert dask.parse_cache["processes"] >= 2
    assert progress.ticks == len(dev_corpus)
    _assert_same_tables(local, dask, stages=("concepts", "framing"))
    # The LocalCluster's dashboard address was announced when it started.
    assert any("started a local Dask cluster: 2 workers; dashboard http://" in m for m in progress.messages), \
        progress.messages


class _KillOneWorkerWhileEmbedding:
    """A progress wrapper over the embedding tasks that kills (SIGKILL) one worker of the
    executor's cluster once two tasks have come back, with others still in flight."""

    def __init__(self, executor: DaskExecutor) -> None:
        self.executor = executor
        self.killed: int | None = None
        self.ticks = 0

    def __call__(self, iterable):
        for item in iterable:
            if self.ticks == 2 and self.killed is None:
                self.killed = sorted(self.executor._client.run(os.getpid).values())[0]
                os.kill(self.killed, signal.SIGKILL)
            self.ticks += 1
            yield item


def test_a_worker_killed_mid_embedding_is_replaced_and_the_vectors_are_the_same(starter_corpus):
    import numpy as np

    from corpus_tools.embeddings import Embedder
    from corpus_tools.topics import build_units

    texts = build_units(starter_corpus, "paragraph", None)[0]["text"].tolist()
    embedder = Embedder(use_cache=False, batch_size=1).fit()  # 16 texts a call: several tasks
    local = embedder.encode(texts)
    executor = DaskExecutor(workers=2, batch_mb=0.001)
    progress = _KillOneWorkerWhileEmbedding(executor)
    try:
        remote = executor.map_embeddings(embedder.spec(), texts, progress=progress)
        executor._client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed one
        survivors = set(executor._client.run(os.getpid).values())
    finally:
        executor.close()
    assert progress.killed is not None and progress.killed not in survivors and len(survivors) == 2
    assert progress.ticks == executor.last_embedding["tasks"] == len(embedder.plan(texts).batches) >= 4
    assert np.array_equal(local, remote)


def test_an_unreachable_scheduler_is_a_clear_error_not_a_hang(corpus_dir, tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"  # nobody listens there
    with pytest.raises(ExecutorError, match="could not reach the Dask scheduler at " + address):
        analyze(corpus_dir, out=tmp_path / "out", cache_dir=tmp_path / "cache",
                executor=DaskExecutor(address, scheduler_timeout=2))
    assert not (tmp_path / "out").exists()  # nothing was written


def test_cli_unreachable_scheduler_exits_with_the_message(corpus_dir, tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = CliRunner().invoke(main, ["analyze", str(corpus_dir), "--out", str(tmp_path / "out"), "-q",
                                       "--cache-dir", str(tmp_path / "cache"),
                                       "--scheduler", address, "--scheduler-timeout", "2"])
    assert result.exit_code == 1, result.output
    assert f"could not reach the Dask scheduler at {address} within 2 s" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


# --- progress -------------------------------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.bars: list[tuple[str, int | None, int]] = []
        self.messages: list[str] = []

    def __call__(self, iterable, desc=None, total=None, **kwargs):
        count = 0
        for item in iterable:
            count += 1
            yield item
        self.bars.append((desc, total, count))

    def stage(self, message: str) -> None:
        self.messages.append(message)


def test_progress_sees_the_distributed_map_as_the_local_one(starter_corpus, dask_client, tmp_path):
    from corpus_tools.lexicon import load_lexicon

    seen = {}
    for name, executor in (("local", None), ("dask", DaskExecutor(client=dask_client))):
        recorder = _Recorder()
        _run_text_stages(starter_corpus, load_lexicon(None), AnalysisResult(corpus=starter_corpus),
                         _Progress(recorder), nlp=None, model=None, cache_dir=tmp_path / name, executor=executor)
        seen[name] = recorder
    assert seen["dask"].bars == seen["local"].bars == [("parse + concepts + framing", 5, 5)]
    assert any(m.startswith("parsing 255 sentences") for m in seen["dask"].messages)


def _worker_embedders() -> list[str]:
    from corpus_tools.executors import _EMBEDDERS

    return list(_EMBEDDERS)


def test_minilm_themes_embedded_on_the_workers_equal_a_local_fit(starter_corpus, dask_client, tmp_path):
    from corpus_tools.topics import find_topics

    local = find_topics(starter_corpus, embedder="minilm", cache_dir=tmp_path / "cache-local")
    executor = DaskExecutor(client=dask_client)
    dask = find_topics(starter_corpus, embedder="minilm", cache_dir=tmp_path / "cache-dask", executor=executor)
    worker_pids = set(dask_client.run(os.getpid).values())
    embedded = executor.last_embedding
    # Long paragraphs are cut into chunks, and the chunks make more than one task.
    assert embedded["texts"] == local.metrics["n_units"] and embedded["pieces"] > embedded["texts"]
    assert embedded["tasks"] >= 2 and set(embedded["processes"]) <= worker_pids and os.getpid() not in worker_pids
    assert local.metrics["embedding_fingerprint"] == dask.metrics["embedding_fingerprint"]
    names = [n for n in ("topics", "terms", "representatives", "doc_topics", "prevalence", "similar_docs", "assignments")
             if isinstance(getattr(local, n, None), pd.DataFrame)]
    assert len(names) >= 5, names
    for name in names:
        pd.testing.assert_frame_equal(getattr(local, name), getattr(dask, name), obj=name)
    # The vectors the workers returned were cached here: bitwise those of the local run.
    import numpy as np

    from corpus_tools.embeddings import Embedder
    from corpus_tools.topics import build_units

    texts = build_units(starter_corpus, "paragraph", None)[0]["text"].tolist()
    here = Embedder(embedder="minilm", cache_dir=tmp_path / "cache-local").fit().embed(texts)
    there = Embedder(embedder="minilm", cache_dir=tmp_path / "cache-dask").fit(load=False).embed(
        texts, encode=lambda missing, progress=None: pytest.fail(f"{len(missing)} texts missed the cache"))
    assert here.dtype == there.dtype == np.float32 and np.array_equal(here, there)
    print(f"minilm on the starter corpus: {len(names)} theme tables equal; {embedded}")


def test_map_embeddings_is_bitwise_the_local_encoding_whatever_the_task_size(starter_corpus, dask_client):
    """The client plans the model calls and ships them whole, so tiny tasks (one call each)
    give the same bits as one process; the static model is also batch-independent."""
    import numpy as np
    import torch

    from corpus_tools.embeddings import Embedder
    from corpus_tools.topics import build_units

    texts = build_units(starter_corpus, "paragraph", None)[0]["text"].tolist()
    # A transformer's sums split over threads differ in the last bits with the thread count (about
    # 1e-7 on some CPUs): the local encoding runs with the workers' count, so only the task size differs.
    worker_threads = set(dask_client.run(torch.get_num_threads).values())
    assert len(worker_threads) == 1
    (n_worker,), threads = worker_threads, torch.get_num_threads()
    try:
        for name, batch_size in (("static", 1), ("minilm", 8)):
            torch.set_num_threads(n_worker)
            embedder = Embedder(embedder=name, use_cache=False, batch_size=batch_size).fit()
            local = embedder.encode(texts)
            executor = DaskExecutor(client=dask_client, batch_mb=0.001)
            remote = executor.map_embeddings(embedder.spec(), texts)
            assert executor.last_embedding["tasks"] == len(embedder.plan(texts).batches) > 2
            assert len(executor.last_embedding["processes"]) == 2
            assert remote.dtype == np.float32 and np.array_equal(local, remote), name
            # with the process's own thread count, the vectors agree to float32 rounding
            torch.set_num_threads(threads)
            assert np.allclose(embedder.encode(texts), remote, atol=1e-6), name
    finally:
        torch.set_num_threads(threads)


def test_a_worker_with_another_embedding_model_stops_the_run_with_a_message(starter_corpus, dask_client):
    import dataclasses as dc

    from corpus_tools.embeddings import Embedder, EmbeddingError

    spec = dc.replace(Embedder(use_cache=False).fit(load=False).spec(), model_id="static-model-of-another-machine")
    with pytest.raises(EmbeddingError, match="install the same embedding model everywhere"):
        DaskExecutor(client=dask_client).map_embeddings(spec, ["a text about retail media"])


def _fitted_work() -> dict[str, int]:
    from corpus_tools.executors import _WORK

    return {key: id(work) for key, work in _WORK.items()}


def test_each_worker_fits_the_model_and_stages_once_and_keeps_them(starter_corpus, dask_client, tmp_path):
    from corpus_tools.lexicon import load_lexicon

    seen = []
    for run in range(2):  # two runs, fresh row caches: both do the per-document work on the workers
        result = AnalysisResult(corpus=starter_corpus)
        _run_text_stages(starter_corpus, load_lexicon(None), result, _Progress(None), nlp=None, model=None,
                         cache_dir=tmp_path / "cache", executor=DaskExecutor(client=dask_client))
        assert result.parse_cache["processes"] == 2
        seen.append(dask_client.run(_fitted_work))
        (tmp_path / "cache" / "rows").rename(tmp_path / f"rows-{run}")
        (tmp_path / "cache" / "results").rename(tmp_path / f"results-{run}")
    assert all(len(work) == 1 for work in seen[0].values())  # one fitted configuration per worker
    assert seen[0] == seen[1]  # the same fitted objects served the second run


# --- options --------------------------------------------------------------------------------


def test_resolve_executor_forms():
    assert isinstance(resolve_executor(None), LocalExecutor) and isinstance(resolve_executor("local"), LocalExecutor)
    assert resolve_executor("tcp://10.0.0.5:8786").scheduler == "tcp://10.0.0.5:8786"
    assert resolve_executor("dask").scheduler is None
    given = DaskExecutor(workers=3)
    assert resolve_executor(given) is given
    with pytest.raises(ValueError, match="executor must be"):
        resolve_executor("cluster")


def test_missing_dask_names_the_extra(monkeypatch, corpus_dir, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("dask", "distributed") else real(name, *a))
    with pytest.raises(ExecutorError, match=r"corpus-tools\[dask\]"):
        analyze(corpus_dir, executor=DaskExecutor(workers=2))
    result = CliRunner().invoke(main, ["analyze", str(corpus_dir), "--out", str(tmp_path / "out"), "--workers", "2"])
    assert result.exit_code == 1 and 'pip install -e ".[dask]"' in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_cli_rejects_workers_with_scheduler(corpus_dir, tmp_path):
    result = CliRunner().invoke(main, ["analyze", str(corpus_dir), "--out", str(tmp_path / "out"),
                                       "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2 and "not both" in result.output
    result = CliRunner().invoke(main, ["analyze", str(corpus_dir), "--out", str(tmp_path / "out"),
                                       "--scheduler-timeout", "3"])
    assert result.exit_code == 2 and "only applies with --scheduler or --workers" in result.output


def test_nlp_object_with_a_dask_executor_is_refused(corpus_dir, nlp):
    with pytest.raises(ValueError, match="pass model="):
        analyze(corpus_dir, nlp=nlp, executor=DaskExecutor(workers=1))


def test_a_batch_ships_only_its_documents(starter_corpus):
    doc_ids = starter_corpus.doc_ids[1:3]
    part = corpus_slice(starter_corpus, doc_ids)
    assert part.doc_ids == doc_ids
    assert set(part.sentences["doc_id"]) == set(doc_ids)
    assert len(part.sentences) == int(starter_corpus.sentences["doc_id"].isin(doc_ids).sum())
    assert part.text(doc_ids[0]) == starter_corpus.text(doc_ids[0])
    with pytest.raises(KeyError):
        part.text(starter_corpus.doc_ids[0])


def test_batches_are_consecutive_and_bounded(starter_corpus):
    executor = DaskExecutor(batch_mb=0.01)  # 10 kB of text at most (a document may exceed it alone)
    batches = executor.batches(starter_corpus, starter_corpus.doc_ids, n_workers=1)
    assert [d for b in batches for d in b] == starter_corpus.doc_ids
    assert len(batches) > 1
    one = DaskExecutor().batches(starter_corpus, starter_corpus.doc_ids, n_workers=1)
    assert len(one) <= 4 + 1  # a small corpus: about batches_per_worker batches per worker


class _KillScheduler:
    """A progress callable that kills the scheduler process once the first document has come back
    from the worker (its model loaded, more batches in flight)."""

    def __init__(self, process) -> None:
        self.process = process
        self.ticks = 0

    def __call__(self, iterable, desc=None, total=None, **kwargs):
        for item in iterable:
            if desc and desc.startswith("parse"):
                if self.ticks == 1 and self.process.poll() is None:
                    self.process.kill()
                self.ticks += 1
            yield item


def test_a_scheduler_lost_mid_run_stops_with_a_clear_error_within_the_timeout(tmp_path):
    import subprocess
    import sys
    import time

    from corpus_tools.lexicon import load_lexicon
    from corpus_tools.load import load_corpus

    corpus = load_corpus(make_generated_corpus(tmp_path / "essays", docs=40, words=120))
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                      os.environ.get("PYTHONPATH", "")]))
    scheduler = subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--dashboard-address", ":0"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.monotonic() + 60
        while True:  # wait for the scheduler to listen
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and scheduler.poll() is None, "the scheduler did not start"
                time.sleep(0.5)
        worker = subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nworkers", "1",
                                   "--nthreads", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        executor = DaskExecutor(address, scheduler_timeout=5, batch_mb=0.0001)
        killer = _KillScheduler(scheduler)
        with pytest.raises(ExecutorError, match="lost the Dask scheduler while running a batch") as caught:
            _run_text_stages(corpus, load_lexicon(None), AnalysisResult(corpus=corpus), _Progress(killer),
                             nlp=None, model=None, cache_dir=tmp_path / "cache", executor=executor)
        executor.close()
        assert scheduler.poll() is not None and killer.ticks == 2  # killed during the map, after a batch came back
        assert "nothing was written" in str(caught.value)
    finally:
        for process in (worker, scheduler):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=30)


class CrashingStage(DocumentStage):
    """A document stage whose every document kills the worker process it runs on."""

    name = "crash"

    def cache_key(self) -> str:
        return "crash"

    def fit(self, nlp, fitted):
        return self

    def transform_document(self, parsed_doc, text, upstream):
        os.kill(os.getpid(), signal.SIGKILL)

    def collector(self):
        return []


def test_a_batch_that_keeps_killing_workers_stops_the_run_with_a_message(starter_corpus, blank_nlp, tmp_path):
    import dask

    from corpus_tools.lexicon import load_lexicon
    from corpus_tools.parse import Parser
    from corpus_tools.pipeline import run_document_stages

    blank_nlp.to_disk(tmp_path / "blank")  # quick to load again on each replacement worker
    parser = Parser(str(tmp_path / "blank"), cache_dir=tmp_path / "cache").fit()
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # the first death gives up
        executor = DaskExecutor(workers=1, batches_per_worker=1)
        try:
            with pytest.raises(ExecutorError, match="Dask workers died again and again running a batch"):
                run_document_stages(starter_corpus, [CrashingStage()], AnalysisResult(corpus=starter_corpus),
                                    _Progress(None), parser=parser, lexicon=load_lexicon(None), executor=executor)
        finally:
            executor.close()


# --- the local process pool -------------------------------------------------------------------


def _children() -> set:
    import multiprocessing

    return set(multiprocessing.active_children())  # also reaps the ended ones: a zombie would be listed


@pytest.fixture
def pool_workers_left():
    """After the test body: the child processes it left behind (a session's Dask workers excluded)."""
    before = _children()
    return lambda: sorted(p.name for p in _children() - before)


def test_the_local_pool_writes_the_same_tables_as_in_process_on_the_starter_corpus(corpus_dir, tmp_path, pool_workers_left):
    inproc = analyze(corpus_dir, out=tmp_path / "one", cache_dir=tmp_path / "cache-one",
                     executor=LocalExecutor(processes=1))
    pooled = analyze(corpus_dir, out=tmp_path / "pool", cache_dir=tmp_path / "cache-pool",
                     executor=LocalExecutor(processes=2))
    assert inproc.parse_cache["processes"] == 1
    # Parsed in two worker processes (not read from a cache), and none is left behind.
    assert pooled.parse_cache["processes"] == 2 and pooled.parse_cache["parsed"] == len(pooled.corpus)
    assert pool_workers_left() == []
    assert pooled.params["executor"] == "local (processes=2)"
    n = _assert_same_tables(inproc, pooled)
    left, right = _csv_bytes(tmp_path / "one" / "tables"), _csv_bytes(tmp_path / "pool" / "tables")
    assert left.keys() == right.keys() and [k for k in left if left[k] != right[k]] == []
    print(f"starter corpus: {n} tables equal, {len(left)} CSV files byte-identical")


def test_the_local_pool_gives_the_same_text_stage_tables_on_the_dev_essays(dev_corpus, tmp_path, pool_workers_left):
    from corpus_tools.lexicon import load_lexicon

    lexicon = load_lexicon(None)
    runs, bars = {}, {}
    for name, processes in (("one", 1), ("pool", 2)):
        recorder = _Recorder()
        result = AnalysisResult(corpus=dev_corpus)
        _run_text_stages(dev_corpus, lexicon, result, _Progress(recorder), nlp=None, model=None,
                         cache_dir=tmp_path / f"cache-{name}", executor=LocalExecutor(processes=processes))
        assert result.parse_cache["rows_computed"] == len(dev_corpus)
        assert result.parse_cache["processes"] == processes
        result.concepts.write(tmp_path / name)
        result.framing.write(tmp_path / name)
        runs[name], bars[name] = result, recorder.bars
    assert bars["pool"] == bars["one"] == [("parse + concepts + framing", len(dev_corpus), len(dev_corpus))]
    _assert_same_tables(runs["one"], runs["pool"], stages=("concepts", "framing"))
    left, right = _csv_bytes(tmp_path / "one"), _csv_bytes(tmp_path / "pool")
    assert left.keys() == right.keys() and [k for k in left if left[k] != right[k]] == []
    assert len(runs["one"].framing.contrasts) > 10 and len(runs["one"].concepts.mentions) > 100
    # The pool's stage seconds are shared over the wall time: they add up to no more than the run.
    assert runs["pool"].timings["parse"] > 0 and runs["pool"].timings["concepts"] > 0
    assert pool_workers_left() == []


def test_auto_uses_a_pool_for_large_jobs_only(starter_corpus, tmp_path):
    from corpus_tools.load import load_corpus
    from corpus_tools.parse import _MULTIPROCESS_MIN_SENTENCES

    auto = LocalExecutor(processes="auto")
    assert len(starter_corpus.sentences) < _MULTIPROCESS_MIN_SENTENCES
    assert auto.processes_for(starter_corpus, starter_corpus.doc_ids) == 1
    large = load_corpus(make_generated_corpus(tmp_path / "essays", docs=100, words=900))
    assert len(large.sentences) >= _MULTIPROCESS_MIN_SENTENCES
    assert auto.processes_for(large, large.doc_ids) == min(2, os.cpu_count() or 1)
    assert auto.processes_for(large, large.doc_ids[:3]) == 1  # what is left to compute decides
    assert LocalExecutor(processes=3).processes_for(starter_corpus, starter_corpus.doc_ids) == 3
    for bad in (0, -1, "many", 1.5):
        with pytest.raises(ExecutorError, match="processes must be 'auto' or a whole number"):
            LocalExecutor(processes=bad).check()


class FailingStage(DocumentStage):
    """A document stage that raises ``error`` on the document ``doc_id`` (and returns rows elsewhere)."""

    name = "failing"

    def __init__(self, doc_id: str, error: Exception) -> None:
        self.doc_id, self.error = doc_id, error

    def cache_key(self) -> str:
        return f"failing-{self.doc_id}-{type(self.error).__name__}"

    def fit(self, nlp, fitted):
        return self

    def transform_document(self, parsed_doc, text, upstream):
        if parsed_doc.doc_id == self.doc_id:
            raise self.error
        return [len(parsed_doc.sentences)]

    def collector(self):
        return _Rows()


class _Rows(list):
    def add(self, doc_id, rows):
        self.append((doc_id, rows))


def _blank_parser(blank_nlp, tmp_path):
    from corpus_tools.parse import Parser

    if not (tmp_path / "blank").exists():
        blank_nlp.to_disk(tmp_path / "blank")
    return Parser(str(tmp_path / "blank"), cache_dir=tmp_path / "cache", use_cache=False).fit()


def test_a_fatal_error_in_a_pool_worker_is_the_same_error_as_in_process(starter_corpus, blank_nlp, tmp_path, pool_workers_left):
    from corpus_tools.errors import CorpusError
    from corpus_tools.lexicon import load_lexicon
    from corpus_tools.pipeline import run_document_stages

    stage = FailingStage(starter_corpus.doc_ids[2], CorpusError(f"{starter_corpus.doc_ids[2]}: unreadable text"))
    messages = {}
    for processes in (1, 2):
        with pytest.raises(CorpusError) as caught:
            run_document_stages(starter_corpus, [stage], AnalysisResult(corpus=starter_corpus), _Progress(None),
                                parser=_blank_parser(blank_nlp, tmp_path), lexicon=load_lexicon(None),
                                executor=LocalExecutor(processes=processes, batches_per_worker=2))
        messages[processes] = str(caught.value)
        assert caught.value.__cause__ is None  # no worker traceback text riding along
    assert messages[1] == messages[2] == f"{starter_corpus.doc_ids[2]}: unreadable text"
    assert pool_workers_left() == []


def test_a_stage_failing_in_a_pool_worker_fails_as_in_process(starter_corpus, blank_nlp, tmp_path, pool_workers_left):
    from corpus_tools.errors import CorpusToolsError
    from corpus_tools.lexicon import load_lexicon
    from corpus_tools.pipeline import run_document_stages

    stage = FailingStage(starter_corpus.doc_ids[1], CorpusToolsError("the failing stage gave up"))
    status = {}
    for processes in (1, 2):
        result = AnalysisResult(corpus=starter_corpus)
        run_document_stages(starter_corpus, [stage], result, _Progress(None), parser=_blank_parser(blank_nlp, tmp_path),
                            lexicon=load_lexicon(None), executor=LocalExecutor(processes=processes))
        status[processes] = result.stage_status["failing"]
        assert result.parse_cache["processes"] == processes
    assert status[1] == status[2] and status[1]["status"] != "ok" and "gave up" in status[1]["reason"], status
    assert pool_workers_left() == []


def test_a_pool_worker_that_dies_stops_the_run_with_a_message_and_no_process_left(starter_corpus, blank_nlp, tmp_path, pool_workers_left):
    from corpus_tools.lexicon import load_lexicon
    from corpus_tools.pipeline import run_document_stages

    with pytest.raises(ExecutorError, match="a worker process died running a batch of 1 documents"):
        run_document_stages(starter_corpus, [CrashingStage()], AnalysisResult(corpus=starter_corpus), _Progress(None),
                            parser=_blank_parser(blank_nlp, tmp_path), lexicon=load_lexicon(None),
                            executor=LocalExecutor(processes=2, batch_mb=0.0001))
    assert pool_workers_left() == []


class _Interrupt:
    """A progress callable that presses Ctrl-C (raises KeyboardInterrupt) once a document is back."""

    def __init__(self) -> None:
        self.ticks = 0

    def __call__(self, iterable, desc=None, total=None, **kwargs):
        for item in iterable:
            if desc and desc.startswith("parse"):
                self.ticks += 1
                if self.ticks == 2:
                    raise KeyboardInterrupt
            yield item


def test_ctrl_c_during_a_pool_run_stops_every_worker(dev_corpus, tmp_path, pool_workers_left):
    from corpus_tools.lexicon import load_lexicon

    interrupt = _Interrupt()
    with pytest.raises(KeyboardInterrupt):
        _run_text_stages(dev_corpus, load_lexicon(None), AnalysisResult(corpus=dev_corpus), _Progress(interrupt),
                         nlp=None, model=None, cache_dir=tmp_path / "cache",
                         executor=LocalExecutor(processes=2, batch_mb=0.0001))
    assert interrupt.ticks == 2
    assert pool_workers_left() == []


def test_cli_processes_option_is_checked(corpus_dir, tmp_path):
    runner = CliRunner()
    bad = runner.invoke(main, ["analyze", str(corpus_dir), "--out", str(tmp_path / "out"), "--processes", "0", "-q"])
    assert bad.exit_code != 0 and "processes must be 'auto' or a whole number of at least 1, not '0'" in bad.output
    both = runner.invoke(main, ["analyze", str(corpus_dir), "--out", str(tmp_path / "out"), "--processes", "2",
                                "--workers", "2", "-q"])
    assert both.exit_code == 2 and "--processes is for this machine without Dask" in both.output
    assert not (tmp_path / "out").exists()
