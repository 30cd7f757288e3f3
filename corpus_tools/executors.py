"""Where the per-document work of :func:`~corpus_tools.pipeline.analyze` runs.

An executor maps :class:`~corpus_tools.stages.DocumentWork` (parse plus every document stage)
over the documents still to compute and yields ``(doc_id, rows)`` in corpus order; the
orchestrator gathers the rows, fills the row cache and builds the corpus-level results. The
rows are the same whichever executor made them, so the tables are too.

- :class:`LocalExecutor` (the default): this machine, nothing to install. Either this process,
  streaming one document at a time (spaCy starts its own parse processes for large jobs), or
  (``processes=N``, or ``"auto"`` on large jobs) a pool of worker processes that each parse
  and run every document stage on batches of documents and return the compact rows.
- :class:`DaskExecutor`: the workers of a ``dask.distributed`` cluster, a running one
  (``scheduler="tcp://host:8786"``) or a ``LocalCluster`` it starts (``workers=N``). Each worker
  loads the spaCy model and fits the stages once, takes batches of documents (a few MB of text)
  and returns their compact rows. Needs the ``dask`` extra: ``pip install "corpus-tools[dask]"``.

Both also embed the theme units the embedding cache misses (``map_embeddings``): the client
plans the model calls (:meth:`~corpus_tools.embeddings.Embedder.plan`) and a Dask worker runs
each call whole, because a transformer's floats depend on which texts share a call; so the
vectors are bitwise the local ones. The client caches them and fits the themes.

``analyze(..., executor=...)`` takes an executor object or a string: ``"local"``, ``"dask"`` (a
``LocalCluster`` with one worker per core) or a scheduler address.
"""
from __future__ import annotations

import importlib.util
import logging
import multiprocessing
import os
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from .errors import ExecutorError

if TYPE_CHECKING:
    import numpy as np

    from .embeddings import EmbedderSpec
    from .load import Corpus
    from .parse import Parser
    from .stages import DocumentStage

logger = logging.getLogger(__name__)

#: What to install for a Dask executor.
DASK_HINT = 'pip install "corpus-tools[dask]"  (from a checkout: pip install -e ".[dask]")'
#: Seconds to wait for a Dask scheduler before giving up.
DEFAULT_SCHEDULER_TIMEOUT = 30.0
#: ``LocalExecutor(processes=...)`` by default.
DEFAULT_LOCAL_PROCESSES: int | str = "auto"


@dataclass
class WorkSpec:
    """What a process needs to do the per-document work: picklable, so a Dask worker can build
    its own :class:`~corpus_tools.stages.DocumentWork` from it.

    Attributes:
        model: the spaCy model name or path (``None``: the default model).
        cache_dir: the cache folder for parses (on a cluster, a folder every worker can reach).
        use_cache: read and write the parse cache.
        stages: the document stages (unfitted; pickling drops fitted attributes).
        fingerprint: the parse model fingerprint the rows are cached under.
        code: the source fingerprint of the row-making code.
    """

    model: str | None
    cache_dir: str
    use_cache: bool
    stages: Sequence["DocumentStage"]
    fingerprint: str
    code: str

    @property
    def key(self) -> str:
        """Identifies the fitted work: a worker fits the model and stages once per key."""
        from ._cache import digest
        from .stages import stages_key

        return digest(self.model, self.cache_dir, self.use_cache, self.fingerprint, self.code, stages_key(self.stages))


class MapRun:
    """One map over documents: iterate for ``(doc_id, {stage: rows})`` in corpus order; after
    it, :attr:`seconds` (per stage, summed over processes), :attr:`errors` (the first error of
    each failed stage), :attr:`parse_stats` (parse cache hits and misses) and :attr:`processes`
    (the ids of the processes that did the work)."""

    def __init__(self) -> None:
        self.processes: set[int] = set()
        self.seconds: dict[str, float] = {}
        self.errors: dict[str, Exception] = {}
        self.parse_stats: dict[str, int] = {}

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        raise NotImplementedError

    def _merge(self, seconds: dict[str, float], errors: dict[str, Exception], stats: dict[str, int]) -> None:
        for name, value in seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + value
        for name, exc in errors.items():
            self.errors.setdefault(name, exc)
        for name, value in stats.items():
            self.parse_stats[name] = self.parse_stats.get(name, 0) + value


class LocalExecutor:
    """Runs the per-document work on this machine, with nothing to install (the default).

    Args:
        processes: ``1`` streams one document at a time in this process (spaCy starts its own
            parse processes for large jobs and ships the parsed Docs back here, where concepts
            and framing run). ``N > 1`` runs parse plus every document stage in ``N`` worker
            processes (a process pool, each loading the model and fitting the stages once),
            which return only the compact rows. ``"auto"`` uses two processes (at most one per
            core) for a job of at least as many sentences as the parser's own ``"auto"``
            threshold, else this process.
        batch_mb, batches_per_worker: the batches of the process pool, as for
            :class:`DaskExecutor`.

    A pool's processes are forked from this one where the platform allows it, so a spaCy
    pipeline already loaded here (``analyze(nlp=...)``) is shared rather than loaded again;
    elsewhere (spawn) they load ``model`` themselves, and a given ``nlp`` keeps the work here.
    """

    name = "local"

    def __init__(self, processes: int | str = DEFAULT_LOCAL_PROCESSES, *, batch_mb: float = 2.0,
                 batches_per_worker: int = 8) -> None:
        self.processes = processes
        self.batch_mb = batch_mb
        self.batches_per_worker = batches_per_worker

    def describe(self) -> str:
        """``"local"``, or ``"local (processes=N)"`` when asked for a pool of N (how many
        processes a run used is in its ``parse_cache["processes"]``)."""
        n = self._count()
        return "local" if n is None or n == 1 else f"local (processes={n})"

    def check(self) -> None:
        """Raise :class:`~corpus_tools.errors.ExecutorError` for a number of processes that is
        neither ``"auto"`` nor a whole number of at least 1."""
        self._count()

    def _count(self) -> int | None:
        """The number of processes asked for (``None``: auto)."""
        value = self.processes
        if isinstance(value, str) and value.strip().lower() == "auto":
            return None
        try:
            n = int(value)
        except (TypeError, ValueError):
            n = 0
        if n < 1 or (isinstance(value, float) and value != n):
            raise ExecutorError(f"processes must be 'auto' or a whole number of at least 1, not {value!r}")
        return n

    def processes_for(self, corpus: "Corpus", doc_ids: Sequence[str]) -> int:
        """How many processes a job of ``doc_ids`` gets (1: this process)."""
        n = self._count()
        if n is not None:
            return n
        from .parse import _MULTIPROCESS_MIN_SENTENCES

        sentences = corpus.sentences
        n_sentences = int(sentences["doc_id"].isin(set(doc_ids)).sum()) if len(doc_ids) else 0
        return min(2, os.cpu_count() or 1) if n_sentences >= _MULTIPROCESS_MIN_SENTENCES else 1

    def map_documents(self, spec: WorkSpec, corpus: "Corpus", doc_ids: Sequence[str], *,
                      parser: "Parser", announce: Callable[[str], None] | None = None) -> MapRun:
        """Parse and transform ``doc_ids`` with ``parser`` (already fitted): here, or in a pool of
        worker processes (see :attr:`processes`)."""
        n = self.processes_for(corpus, doc_ids)
        if n > 1:
            fork = "fork" in multiprocessing.get_all_start_methods()
            if getattr(parser, "nlp", None) is not None and not fork:
                logger.info("a given spaCy pipeline cannot be sent to worker processes here; working in this process")
            else:
                logger.info("working on %d documents in %d processes", len(doc_ids), n)
                return _PoolRun(self, parser, spec, corpus, list(doc_ids), n, fork)
        return _LocalRun(parser, spec, corpus, doc_ids)

    def map_embeddings(self, spec: "EmbedderSpec", texts: Sequence[str], *,
                       progress: Callable[[Iterable], Iterable] | None = None) -> "np.ndarray":
        """Embed ``texts`` in this process (no cache): one unit float32 row per text."""
        return _embedder(spec).encode(texts, progress=progress)

    def batches(self, corpus: "Corpus", doc_ids: Sequence[str], n_workers: int) -> list[list[str]]:
        """Consecutive documents in batches, as :meth:`DaskExecutor.batches`."""
        return text_batches(corpus, doc_ids, n_workers, self.batch_mb, self.batches_per_worker)

    def close(self) -> None:
        """Nothing to release (a pool closes at the end of its map)."""

    def __repr__(self) -> str:
        return f"LocalExecutor(processes={self.processes!r})"


class _LocalRun(MapRun):
    def __init__(self, parser: "Parser", spec: WorkSpec, corpus: "Corpus", doc_ids: Sequence[str]) -> None:
        super().__init__()
        from .stages import DocumentWork

        self.work = DocumentWork(parser, spec.stages)
        self.corpus, self.doc_ids = corpus, list(doc_ids)

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        before = dict(getattr(self.work.parser, "stats_", {}) or {})
        self.processes.add(os.getpid())
        try:
            yield from self.work.transform(self.corpus, self.doc_ids)
        finally:
            stats = self.work.parser.stats_
            self._merge(self.work.seconds, self.work.errors, {k: v - before.get(k, 0) for k, v in stats.items()})


class _PoolRun(MapRun):
    """Batches of documents on a pool of worker processes, each running :func:`transform_batch`;
    the rows come back in corpus order. The pool lives as long as the iteration: it is shut
    down at its end, on an error and on KeyboardInterrupt (its workers ignore SIGINT and are
    stopped by this process)."""

    #: Summed over processes that ran at the same time: the orchestrator shares the wall time.
    concurrent = True

    def __init__(self, executor: LocalExecutor, parser: "Parser", spec: WorkSpec, corpus: "Corpus",
                 doc_ids: list[str], n_processes: int, fork: bool) -> None:
        super().__init__()
        self.parser, self.spec, self.corpus, self.fork = parser, spec, corpus, fork
        self.n_processes = n_processes
        self.batches = executor.batches(corpus, doc_ids, n_processes)
        # A batch being worked on and one waiting, per process: the rows held here stay bounded.
        self.window = 2 * n_processes

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        from concurrent.futures import ProcessPoolExecutor

        columns = ["doc_id", "para_id", "sent_id", "clean_text", "clean_start"]
        groups = {d: g for d, g in self.corpus.sentences[columns].groupby("doc_id", sort=False)}
        # Forked workers share what this process has loaded (the given or already loaded spaCy
        # pipeline): nothing is pickled but the batches and their rows.
        nlp = self.parser._nlp if self.fork and self.parser.model_loaded_ else None
        context = multiprocessing.get_context("fork" if self.fork else "spawn")
        pool = ProcessPoolExecutor(self.n_processes, mp_context=context, initializer=_init_pool_worker,
                                   initargs=(self.spec, nlp, self.parser.batch_size))
        batches = iter(self.batches)
        pending: deque = deque()
        finished = False

        def submit() -> None:
            doc_ids = next(batches, None)
            if doc_ids is not None:
                pending.append((doc_ids, pool.submit(_pool_batch, corpus_slice(self.corpus, doc_ids, groups))))

        try:
            for _ in range(self.window):
                submit()
            while pending:
                doc_ids, future = pending.popleft()
                out = self._result(future, doc_ids)
                submit()
                del future
                self._merge(out["seconds"], out["errors"], out["parse_stats"])
                self.processes.add(out["pid"])
                yield from _drain(out.pop("documents"))
            finished = True
        finally:
            _stop_pool(pool, pending, wait=finished)

    def _result(self, future: Any, doc_ids: list[str]) -> dict[str, Any]:
        from concurrent.futures.process import BrokenProcessPool

        from .errors import CorpusToolsError

        try:
            return future.result()
        except BrokenProcessPool:
            raise ExecutorError(f"a worker process died running a batch of {len(doc_ids)} documents (from "
                                f"{doc_ids[0]}); stopping (nothing was written). Running out of memory is the "
                                "usual cause: use fewer processes (processes=1 works in this process).") from None
        except CorpusToolsError as exc:
            # The same error as in this process, without the worker's traceback text attached.
            exc.__cause__ = None
            raise exc from None


def _drain(documents: list) -> Iterator[tuple[str, dict[str, Any]]]:
    """A batch's ``(doc_id, rows)`` in order, each let go of once the consumer has it: the
    rows of a batch leave this process's memory as the orchestrator spools them."""
    documents.reverse()
    while documents:
        yield documents.pop()


def _stop_pool(pool: Any, pending: deque, *, wait: bool) -> None:
    """Shut the pool down: after a complete map, let it end; otherwise cancel what waits and stop
    the workers at once (a batch may take seconds), then reap them so none is left behind."""
    if wait:
        pool.shutdown(wait=True)
        return
    for _, future in pending:
        future.cancel()
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)


def _init_pool_worker(spec: WorkSpec, nlp: Any, batch_size: int) -> None:
    """Set up a worker of a local process pool: Ctrl-C is for the main process (which stops the
    workers), and the fitted work is built once, from the shared pipeline when one is given."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .parse import Parser
    from .stages import DocumentWork

    global _POOL_SPEC
    parser = Parser(spec.model, nlp=nlp, cache_dir=spec.cache_dir, use_cache=spec.use_cache,
                    batch_size=batch_size, n_process=1).fit()
    _WORK.clear()
    _WORK[spec.key] = DocumentWork(parser, spec.stages)
    _POOL_SPEC = spec


#: The work of this pool worker (set by :func:`_init_pool_worker`): batches need not carry it.
_POOL_SPEC: WorkSpec | None = None


def _pool_batch(corpus: "Corpus") -> dict[str, Any]:
    """The task of a local pool worker: :func:`transform_batch` with the worker's own spec."""
    assert _POOL_SPEC is not None, "not a pool worker"
    return transform_batch(_POOL_SPEC, corpus)


class DaskExecutor:
    """Runs the per-document work on a ``dask.distributed`` cluster.

    Args:
        scheduler: the address of a running scheduler (``"tcp://10.0.0.5:8786"``); ``None``
            starts a ``LocalCluster`` of ``workers`` processes (one thread each).
        workers: worker processes of the ``LocalCluster`` (default: one per core).
        client: an existing ``distributed.Client`` to use instead (it is not closed).
        scheduler_timeout: seconds to wait for the scheduler, when connecting and when the
            connection is lost during a run, before stopping with an
            :class:`~corpus_tools.errors.ExecutorError`.
        batch_mb: most megabytes of text per batch (a task); batches are smaller when the
            corpus is, so that every worker gets several.
        batches_per_worker: how many batches each worker should get at least, for balance.
        announce: called with the one-line message naming the cluster (and its dashboard) when
            it is started or joined; by default the run's progress messages carry it.

    The parse cache is written by the workers into the run's ``cache_dir``: on a cluster of
    several machines, give a folder they all reach (or accept that each keeps its own). Rows
    come back to this process, which writes the row cache and the reports; nothing is written
    to the output folder until every stage has finished. A worker that dies is replaced and its
    batches run again (the scheduler retries them); a batch that keeps killing workers stops the
    run with a clear message.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, *, workers: int | None = None, client: Any = None,
                 scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT, batch_mb: float = 2.0,
                 batches_per_worker: int = 4, announce: Callable[[str], None] | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.client = client
        self.scheduler_timeout = scheduler_timeout
        self.batch_mb = batch_mb
        self.batches_per_worker = batches_per_worker
        self.announce = announce
        self._client: Any = None
        self._cluster: Any = None
        self.last_embedding: dict[str, Any] = {}

    def describe(self) -> str:
        if self.client is not None:
            return f"dask (client of {getattr(self.client, 'scheduler', None) and self.client.scheduler.address})"
        if self.scheduler:
            return f"dask (scheduler {self.scheduler})"
        return f"dask (LocalCluster, {self.workers or os.cpu_count() or 1} workers)"

    def check(self) -> None:
        """Raise :class:`~corpus_tools.errors.ExecutorError` when dask.distributed is missing or
        the options are wrong, before any work."""
        _require_distributed()
        if self.scheduler is not None and self.workers is not None:
            raise ExecutorError("give either a scheduler address (--scheduler) or a number of local workers "
                                "(--workers), not both")
        if self.workers is not None and int(self.workers) < 1:
            raise ExecutorError(f"--workers must be at least 1, not {self.workers}")
        if not self.scheduler_timeout or self.scheduler_timeout <= 0:
            raise ExecutorError(f"the scheduler timeout must be a positive number of seconds, not {self.scheduler_timeout}")
        if self.scheduler and self.client is None and self._client is None:
            # Before any work: an unreachable scheduler is found before the corpus is loaded.
            try:
                _probe(self.scheduler, float(self.scheduler_timeout))
            except (OSError, ValueError) as exc:
                raise self._unreachable(exc) from None

    def _unreachable(self, exc: BaseException) -> ExecutorError:
        return ExecutorError(f"could not reach the Dask scheduler at {self.scheduler} within "
                             f"{self.scheduler_timeout:g} s ({type(exc).__name__}: {_first_line(exc)}). "
                             "Is it running and reachable from here? (--scheduler-timeout sets the wait)")

    # -- connecting ---------------------------------------------------------------------
    def _connect(self, announce: Callable[[str], None]) -> Any:
        if self._client is not None:
            return self._client
        self.check()
        if self.announce is not None:
            tell = self.announce

            def announce(message: str) -> None:
                logger.info(message)
                tell(message)

        import distributed

        if self.client is not None:
            self._client = self.client
            return self._client
        timeout = f"{float(self.scheduler_timeout)}s"
        if self.scheduler:
            try:
                self._client = _client_class()(self.scheduler, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise self._unreachable(exc) from None
            except Exception as exc:  # something listens there, but it is no Dask scheduler
                raise ExecutorError(f"{self.scheduler} did not answer as a Dask scheduler ({type(exc).__name__}: "
                                    f"{_first_line(exc)[:120]}); check the address (the scheduler's port is "
                                    "usually 8786)") from None
            announce(f"joined the Dask scheduler at {self.scheduler} "
                     f"({len(self._client.nthreads())} workers; dashboard {self._client.dashboard_link})")
            return self._client
        n = int(self.workers or os.cpu_count() or 1)
        try:
            # One thread per worker: the stages hold the GIL, so threads would only contend.
            self._cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                                     dashboard_address="127.0.0.1:8787", silence_logs=logging.ERROR)
            self._client = distributed.Client(self._cluster, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise ExecutorError(f"could not start a local Dask cluster of {n} workers ({_first_line(exc)})") from None
        link = self._cluster.dashboard_link
        if importlib.util.find_spec("bokeh") is None:
            link += " (install bokeh>=3.1 for its pages)"
        announce(f"started a local Dask cluster: {n} workers; dashboard {link}")
        return self._client

    def close(self) -> None:
        """Close the client and the LocalCluster this executor started (never a given client)."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None and client is not self.client:
            try:
                client.close()
            except Exception as exc:  # closing must never hide the run's own outcome
                logger.debug("closing the Dask client: %s", exc)
        if cluster is not None:
            try:
                cluster.close()
            except Exception as exc:
                logger.debug("closing the local Dask cluster: %s", exc)

    def __enter__(self) -> "DaskExecutor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DaskExecutor({self.describe()})"

    # -- the map ------------------------------------------------------------------------
    def map_documents(self, spec: WorkSpec, corpus: "Corpus", doc_ids: Sequence[str], *,
                      parser: "Parser | None" = None, announce: Callable[[str], None] | None = None) -> MapRun:
        """Submit batches of ``doc_ids`` to the cluster; iterate the result for their rows."""
        client = self._connect(announce or logger.info)
        n_threads = max(1, sum(client.nthreads().values()))
        return _DaskRun(self, client, spec, corpus, list(doc_ids), n_threads)

    def map_embeddings(self, spec: "EmbedderSpec", texts: Sequence[str], *,
                       progress: Callable[[Iterable], Iterable] | None = None) -> "np.ndarray":
        """Embed ``texts`` on the workers: one unit float32 row per text, bitwise those of
        embedding in this process.

        The texts are cut into model calls here (:meth:`~corpus_tools.embeddings.Embedder.plan`),
        and whole calls go to the workers in tasks of at most :attr:`batch_mb` MB of text, so
        every call sees the same pieces as it would here. Each worker loads the embedding model
        once (:func:`embed_batches`). :attr:`last_embedding` records the texts, tasks and the
        worker processes."""
        import time

        from .embeddings import Embedder

        started = time.perf_counter()
        client = self._connect(logger.info)
        n_threads = max(1, sum(client.nthreads().values()))
        plan = Embedder(spec.model, embedder=spec.embedder, batch_size=spec.batch_size, max_words=spec.max_words,
                        use_cache=False).fit(load=False).plan([str(t) for t in texts])
        sizes = [sum(len(plan.pieces[j].encode("utf-8")) for j in batch) for batch in plan.batches]
        target = min(self.batch_mb * 1e6, sum(sizes) / max(1, self.batches_per_worker * n_threads))
        tasks: list[list[int]] = []  # consecutive model calls (indices into plan.batches)
        size = 0.0
        for i, n in enumerate(sizes):
            if not tasks or size >= target:
                tasks.append([])
                size = 0.0
            tasks[-1].append(i)
            size += n
        processes: set[int] = set()
        blocks: list[Any] = [None] * len(plan.batches)
        window = 2 * n_threads + 1
        pending: deque = deque()
        todo = iter(enumerate(tasks))

        def submit() -> None:
            item = next(todo, None)
            if item is None:
                return
            t, calls = item
            payload = [[plan.pieces[j] for j in plan.batches[c]] for c in calls]
            future = client.submit(embed_batches, spec, payload, pure=False, key=f"corpus-tools-embed-{t}-{id(plan)}")
            pending.append((calls, future))

        steps = progress(range(len(tasks))) if progress is not None else range(len(tasks))
        try:
            for _ in range(window):
                submit()
            for _ in steps:
                calls, future = pending.popleft()
                out = _task_result(future, f"a batch of {sum(len(plan.batches[c]) for c in calls)} texts to embed")
                submit()
                if out["error"]:
                    from .embeddings import EmbeddingError

                    raise EmbeddingError(out["error"])
                processes.add(out["pid"])
                for c, block in zip(calls, out["vectors"]):
                    blocks[c] = block
        finally:
            for _, future in pending:
                future.cancel()
        self.last_embedding = {"texts": plan.n_texts, "pieces": len(plan.pieces),
                               "tasks": len(tasks), "processes": sorted(processes),
                               "seconds": round(time.perf_counter() - started, 3)}
        return plan.pool(blocks)

    def batches(self, corpus: "Corpus", doc_ids: Sequence[str], n_workers: int) -> list[list[str]]:
        """Consecutive documents in batches of at most :attr:`batch_mb` MB of text, smaller when
        the corpus is small, so that each worker gets :attr:`batches_per_worker` of them."""
        return text_batches(corpus, doc_ids, n_workers, self.batch_mb, self.batches_per_worker)


def text_batches(corpus: "Corpus", doc_ids: Sequence[str], n_workers: int, batch_mb: float,
                 batches_per_worker: int) -> list[list[str]]:
    """Consecutive documents in batches of at most ``batch_mb`` MB of text, smaller when the
    corpus is small, so that each of ``n_workers`` gets ``batches_per_worker`` of them."""
    sizes = [len(corpus.text(d).encode("utf-8")) for d in doc_ids]
    target = min(batch_mb * 1e6, sum(sizes) / max(1, batches_per_worker * n_workers))
    out: list[list[str]] = []
    current: list[str] = []
    size = 0
    for doc_id, n in zip(doc_ids, sizes):
        current.append(doc_id)
        size += n
        if size >= target:
            out.append(current)
            current, size = [], 0
    if current:
        out.append(current)
    return out


class _DaskRun(MapRun):
    def __init__(self, executor: DaskExecutor, client: Any, spec: WorkSpec, corpus: "Corpus",
                 doc_ids: list[str], n_threads: int) -> None:
        super().__init__()
        self.executor, self.client, self.spec, self.corpus = executor, client, spec, corpus
        self.batches = executor.batches(corpus, doc_ids, n_threads)
        # Enough batches in flight to keep every worker busy; the rest wait here, so the rows
        # held in this process stay bounded whatever the corpus size.
        self.window = 2 * n_threads + 1

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        columns = ["doc_id", "para_id", "sent_id", "clean_text", "clean_start"]
        groups = {d: g for d, g in self.corpus.sentences[columns].groupby("doc_id", sort=False)}
        batches = iter(enumerate(self.batches))
        pending: deque = deque()

        def submit() -> None:
            item = next(batches, None)
            if item is None:
                return
            i, doc_ids = item
            part = corpus_slice(self.corpus, doc_ids, groups)
            future = self.client.submit(transform_batch, self.spec, part, pure=False, key=f"corpus-tools-batch-{i}-{id(self)}")
            pending.append((doc_ids, future))

        try:
            for _ in range(self.window):
                submit()
            while pending:
                doc_ids, future = pending.popleft()
                out = self._result(future, doc_ids)
                submit()
                if out["fingerprint"] != self.spec.fingerprint or out["code"] != self.spec.code:
                    raise ExecutorError(_mismatch(out, self.spec))
                del future  # released: the scheduler forgets the batch's rows
                self._merge(out["seconds"], out["errors"], out["parse_stats"])
                self.processes.add(out["pid"])
                yield from _drain(out.pop("documents"))
        finally:
            for _, future in pending:
                future.cancel()

    def _result(self, future: Any, doc_ids: list[str]) -> dict[str, Any]:
        return _task_result(future, f"a batch of {len(doc_ids)} documents (from {doc_ids[0]})")


def corpus_slice(corpus: "Corpus", doc_ids: Sequence[str], groups: dict[str, Any] | None = None) -> "Corpus":
    """A :class:`~corpus_tools.load.Corpus` of just ``doc_ids``, with only what parsing and the
    document stages read (sentences, texts, offset maps): what a batch ships to a worker."""
    import pandas as pd

    from .load import Corpus

    columns = ["doc_id", "para_id", "sent_id", "clean_text", "clean_start"]
    if groups is None:
        groups = {d: g for d, g in corpus.sentences[columns].groupby("doc_id", sort=False)}
    parts = [groups[d] for d in doc_ids if d in groups]
    sentences = pd.concat(parts, ignore_index=True) if parts else corpus.sentences[columns].iloc[:0]
    empty = pd.DataFrame()
    return Corpus(documents=pd.DataFrame({"doc_id": list(doc_ids)}), paragraphs=empty, sentences=sentences,
                  skipped=empty, removed=empty, warnings=empty, root=None,
                  _texts={d: corpus.text(d) for d in doc_ids},
                  _maps={p: corpus.offset_map(p) for p in dict.fromkeys(sentences["para_id"])})


#: The fitted work of this process (a Dask worker), by :attr:`WorkSpec.key`: models load once.
_WORK: dict[str, Any] = {}


def transform_batch(spec: WorkSpec, corpus: "Corpus") -> dict[str, Any]:
    """The task a Dask worker runs: parse and transform every document of ``corpus`` (a batch).

    The spaCy model and the stages' matchers are loaded on the first batch and kept for the
    next ones. Returns the documents' rows, the time per stage, each failed stage's first error,
    the parse cache counts and this worker's model and code fingerprints."""
    from ._cache import ROW_SOURCES, source_fingerprint
    from .parse import Parser
    from .stages import DocumentWork

    work = _WORK.get(spec.key)
    if work is None:
        parser = Parser(spec.model, cache_dir=spec.cache_dir, use_cache=spec.use_cache, n_process=1).fit()
        work = DocumentWork(parser, spec.stages)
        _WORK.clear()  # one configuration at a time: a worker never holds two models
        _WORK[spec.key] = work
    work.reset_counters()
    before = dict(work.parser.stats_)
    documents = list(work.transform(corpus, corpus.doc_ids))
    stats = {k: v - before.get(k, 0) for k, v in work.parser.stats_.items()}
    return {"documents": documents, "seconds": dict(work.seconds), "errors": dict(work.errors),
            "parse_stats": stats, "fingerprint": work.parser.fingerprint_,
            "code": source_fingerprint(ROW_SOURCES), "pid": os.getpid()}


#: The embedders of this process (a Dask worker), by :attr:`EmbedderSpec.key`: models load once.
_EMBEDDERS: dict[str, Any] = {}


def _embedder(spec: "EmbedderSpec") -> Any:
    embedder = _EMBEDDERS.get(spec.key)
    if embedder is None:
        embedder = spec.build()
        _EMBEDDERS.clear()  # one embedding model at a time
        _EMBEDDERS[spec.key] = embedder
    return embedder


def embed_batches(spec: "EmbedderSpec", batches: Sequence[Sequence[str]]) -> dict[str, Any]:
    """The task a Dask worker runs for the theme stage: one model call per batch of texts (as
    planned by the client), returning their float32 unit vectors. The model is loaded on the
    first task and kept. A model that differs from the client's (another fingerprint) is
    reported as ``error``, so the run stops with that message rather than mixing models."""
    from .embeddings import EmbeddingError

    try:
        embedder = _embedder(spec)
        vectors = [embedder.encode_batch(batch) for batch in batches]
    except EmbeddingError as exc:
        return {"vectors": [], "error": str(exc), "pid": os.getpid()}
    return {"vectors": vectors, "error": "", "pid": os.getpid()}


def _task_result(future: Any, what: str) -> Any:
    """``future.result()``, with a dead worker or a lost scheduler as an :class:`ExecutorError`."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    try:
        return future.result()
    except KilledWorker:
        raise ExecutorError(f"Dask workers died again and again running {what}; stopping (nothing was written). "
                            "A worker running out of memory is the usual cause: give the workers more memory "
                            "or make the batches smaller.") from None
    except (CancelledError, CommClosedError, OSError, TimeoutError) as exc:
        raise ExecutorError(f"lost the Dask scheduler while running {what} ({type(exc).__name__}: "
                            f"{_first_line(exc) or 'no answer'}); stopping (nothing was written)") from None


def resolve_executor(executor: Any) -> Any:
    """An executor object from ``analyze(executor=...)``: ``None`` or ``"local"`` (this process),
    ``"dask"`` (a LocalCluster, one worker per core), a scheduler address (``"tcp://host:8786"``,
    ``"host:8786"``), or an object with ``map_documents`` (used as it is)."""
    if executor is None:
        return LocalExecutor()
    if isinstance(executor, str):
        value = executor.strip()
        if value.lower() == "local":
            return LocalExecutor()
        if value.lower() == "dask":
            return DaskExecutor()
        if "://" in value or ":" in value:
            return DaskExecutor(scheduler=value)
        raise ValueError(f"executor must be 'local', 'dask', a Dask scheduler address or an executor object, "
                         f"not {executor!r}")
    if callable(getattr(executor, "map_documents", None)):
        return executor
    raise TypeError(f"executor must be 'local', 'dask', a Dask scheduler address or an executor object, "
                    f"not {type(executor).__name__}")


def quiet_dask_client_log() -> None:
    """For the CLI (an application may set its dependencies' log levels; the library never does):
    keep the Dask client's own tracebacks about a lost scheduler off the terminal, since the run
    stops with an :class:`~corpus_tools.errors.ExecutorError` that says so."""
    if importlib.util.find_spec("distributed") is None:
        return
    import distributed  # noqa: F401  (its logging setup runs on import; adjust after it)

    logging.getLogger("distributed.client").setLevel(logging.CRITICAL)


def _require_distributed() -> None:
    if importlib.util.find_spec("distributed") is None or importlib.util.find_spec("dask") is None:
        raise ExecutorError(f"running on Dask (--workers, --scheduler) needs dask.distributed, which is not "
                            f"installed. Install the extra: {DASK_HINT}")


def _mismatch(out: dict[str, Any], spec: WorkSpec) -> str:
    if out["fingerprint"] != spec.fingerprint:
        return (f"the Dask workers parse with the spaCy model {out['fingerprint']}, this machine with "
                f"{spec.fingerprint}: install the same model everywhere, or the tables would differ")
    return ("the Dask workers run a different corpus_tools (its row-making code differs from this machine's): "
            "install the same version everywhere, or the tables would differ")


def _client_class() -> type:
    """``distributed.Client``, but one that failed to connect marks itself closed: otherwise it
    tries to close itself when collected, for twice the timeout, with a traceback on stderr."""
    import distributed

    class _Client(distributed.Client):
        def start(self, **kwargs: Any) -> None:
            try:
                super().start(**kwargs)
            except BaseException:
                runner = getattr(self, "_loop_runner", None)
                try:
                    if runner is not None:
                        runner.stop()
                except Exception as exc:
                    logger.debug("stopping the client loop: %s", exc)
                self.status = "closed"
                raise

    return _Client


def _probe(address: str, timeout: float) -> None:
    """Open and close a TCP connection to a ``tcp://host:port`` (or ``host:port``) address;
    raises OSError (refused, timed out, unknown host) or ValueError (no port). Other protocols
    (``tls://``, ``ucx://``) are left to Dask."""
    import socket

    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"{address!r} is not a Dask scheduler address such as tcp://10.0.0.5:8786")
    with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
        pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else ""
