"""The whole analysis in one call: load, parse once, concepts, themes, framing, reports.

:func:`analyze` parses every document ONCE with :class:`~corpus_tools.parse.Parser` and hands
each :class:`~corpus_tools.parse.ParsedDocument` to the document stages
(:mod:`corpus_tools.stages`: concepts, framing), keeping only their compact rows; no list of
spaCy docs is held. That map runs on an executor (:mod:`corpus_tools.executors`: this process
by default, or a Dask cluster) with the same results. Themes run on the corpus text
(embeddings) separately. Caches live in :mod:`corpus_tools._cache`, provenance (``run.json``)
in :mod:`corpus_tools._provenance`, progress in :mod:`corpus_tools.progress`.

A stage that cannot run on this input (for example, too few paragraphs to cluster) is
reported in ``warnings`` and in the report instead of killing the run. Nothing is written
until every stage has finished, and then the whole report is written into a fresh folder that
one rename switches in (:class:`~corpus_tools._fileio.ReportFolder`), so a run killed at any
point leaves the previous report, or the new one, complete.
"""
from __future__ import annotations

import datetime as _dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ._cache import frame_digest as _frame_digest
from ._provenance import collect_versions, input_hashes, run_info as _run_info  # noqa: F401  (public here too)
from .errors import CorpusError, CorpusToolsError
from .progress import Progress as _Progress, TqdmProgress  # noqa: F401  (public here too)
from .stages import FATAL_ERRORS as _FATAL, _fields

if TYPE_CHECKING:
    from .load import Corpus

logger = logging.getLogger(__name__)

STAGES = ("load", "parse", "concepts", "framing", "topics", "report")


@dataclass
class AnalysisResult:
    """What :func:`analyze` produced.

    Attributes:
        corpus: the loaded :class:`~corpus_tools.load.Corpus`.
        concepts: a :class:`~corpus_tools.concepts.ConceptResult`, or ``None`` if that stage
            could not run (the reason is in ``stage_status`` and ``warnings``).
        topics: a :class:`~corpus_tools.topics.TopicResult`, or ``None``.
        framing: a :class:`~corpus_tools.framing.FramingResult`, or ``None``.
        files: written files, ``{"report.md": Path, "tables/topics.csv": Path, ...}``; empty when
            ``out`` was ``None``.
        timings: seconds per stage (``load``, ``parse``, ``concepts``, ``framing``, ``topics``,
            ``report``; with a Dask executor also ``executor``, starting or joining the cluster,
            and the map's wall time shared among parse, concepts and framing in proportion to
            the workers' time in each).
        warnings: non-fatal problems, as sentences (corpus warnings and degraded stages).
        stage_status: per stage ``{"status": "ok" | "skipped" | "failed", "reason": str}``.
        params: the parameters of the run (as written to ``run.json``).
        versions: package and model versions used.
        out: the output folder, if any.
        parse_cache: documents parsed now vs read from the parse cache (with a Dask executor
            also ``embedded_on_workers``: the units the embedding cache missed, embedded on
            ``embedding_processes`` workers).
        comparison: a :class:`~corpus_tools.comparison.ComparisonResult` when ``analyze(by=...)``
            was asked for a comparison, else ``None``.
    """

    corpus: "Corpus"
    concepts: Any = None
    topics: Any = None
    framing: Any = None
    files: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stage_status: dict[str, dict[str, str]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    out: Path | None = None
    parse_cache: dict[str, int] = field(default_factory=dict)
    comparison: Any = None

    def __repr__(self) -> str:
        stages = ", ".join(f"{k}={v['status']}" for k, v in self.stage_status.items())
        return f"AnalysisResult({len(self.corpus)} documents; {stages}; {len(self.files)} files)"

    def _repr_html_(self) -> str:
        from ._notebook import html_summary

        facts = [(name, repr(getattr(self, name))) for name in ("corpus", "concepts", "topics", "framing", "comparison")
                 if getattr(self, name) is not None]
        if self.out is not None:
            facts.append(("written to", self.out))
        facts += [("warning", w) for w in self.warnings[:5]]
        return html_summary(repr(self), facts)


# --- the pipeline -------------------------------------------------------------------------


def analyze(path_or_corpus: "str | Path | Corpus", out: str | Path | None = None, *,
            lexicon: Any = None, seed: int = 42, unit: str = "paragraph",
            formats: Iterable[str] | str = ("md", "html", "csv", "json"),
            n_topics: int | str = "auto", guided: bool = False,
            cache_dir: str | Path | None = None, progress: Any = None,
            nlp: Any = None, model: str | None = None, by: str | None = None,
            order: str = "date", max_file_mb: float | None = None, frames: Any = None,
            discourse: Any = None, embedder: str = "static", fit_sample: int | None = None,
            executor: Any = None) -> AnalysisResult:
    """Run every stage on a corpus and (when ``out`` is given) write the reports.

    Args:
        path_or_corpus: a corpus folder, or a loaded :class:`~corpus_tools.load.Corpus`.
        out: output folder for ``report.md``, ``report.html``, ``tables/`` and ``run.json``;
            ``None`` writes nothing. It may not overlap the input folder (either inside the
            other, or reached by a link in it). It becomes a link to the latest complete version
            in the hidden sibling ``.OUT.corpus-tools/``, which also holds the run's lock.
        lexicon: a :class:`~corpus_tools.lexicon.Lexicon`, a TOML path, or ``None`` for the
            built-in retail lexicon.
        seed: random seed for the theme model (results are reproducible for a seed).
        unit: what themes cluster: ``"paragraph"`` or ``"sentence"``.
        formats: any of ``md``, ``html``, ``csv`` (tables, plus Parquet when pyarrow is
            installed) and ``json`` (``run.json``), as a sequence or comma-separated string.
        n_topics: ``"auto"`` or a number of themes.
        guided: seed the themes with the lexicon's concepts.
        cache_dir: cache for parses and embeddings (default: ``~/.cache/corpus_tools``).
        progress: ``True`` for progress bars on stderr, a tqdm-like callable
            ``progress(iterable, desc=..., total=...)`` (optionally with a ``stage(message)``
            method), or ``None`` for silence.
        nlp: an already loaded spaCy pipeline (default: :func:`corpus_tools.parse.load_spacy_model`).
        model: a spaCy model name to load instead of the default.
        by: also compare groups of essays: a metadata column (``"site"``, ``"author"`` ...) or a
            period from the date (``"year"``, ``"quarter"``, ``"month"``); see
            :func:`corpus_tools.comparison.compare`. The result is in ``result.comparison``, the
            tables in ``tables/compare_*.csv`` and a "Groups" section in the reports.
        order: ``"date"`` or ``"file"``, passed to :func:`~corpus_tools.comparison.compare`.
        max_file_mb: files larger than this are skipped with the reason (default
            ``$CORPUS_TOOLS_MAX_FILE_MB`` or 10; ``0`` for no limit); see
            :func:`~corpus_tools.load.load_corpus`.
        frames: a frame grammar for the contrast frames (a TOML path or a
            :class:`~corpus_tools.framing.grammar.FrameGrammar`; ``None``: the built-in one).
        discourse: the two-sentence frame readers' words (a TOML path or a
            :class:`~corpus_tools.framing.discourse.DiscourseGrammar`; ``None``: the built-in
            ``data/discourse_frames.toml``; ``False``: single sentences only).
        embedder: the theme stage's sentence embedder: ``"static"`` (default; distilled locally
            from all-MiniLM-L6-v2 on first use) or ``"minilm"`` (all-MiniLM-L6-v2 itself).
        fit_sample: past this many units, fit the themes on a seeded random sample of this many
            and assign the rest with the fitted model (see :func:`~corpus_tools.topics.find_topics`);
            None or 0: fit on every unit.
        executor: where the per-document work (parse, concepts, framing) and the embedding of
            the theme units run (the themes are fitted here either way): ``None`` or
            ``"local"`` (this machine: this process for small jobs, two worker processes for
            large ones; :class:`~corpus_tools.executors.LocalExecutor` ``(processes=N)`` chooses),
            ``"dask"`` (a Dask ``LocalCluster``, one worker per core),
            a Dask scheduler address (``"tcp://host:8786"``), or an executor object such as
            :class:`~corpus_tools.executors.DaskExecutor` ``(workers=4)``. The tables are the
            same whichever runs it. A Dask executor needs the ``dask`` extra and loads ``model``
            on each worker (so it cannot take ``nlp``). An executor object is left open for the
            next run (close it, or use it as a context manager); one made from a string is
            closed when the run ends.

    Returns:
        an :class:`AnalysisResult`.

    Raises:
        CorpusError: the path is not a readable corpus.
        LexiconError: the lexicon file is invalid.
        FrameGrammarError: the frame grammar file is invalid.
        ModelNotFoundError: the spaCy model is not installed.
        OutputPathError: ``out`` overlaps the input folder or cannot be created.
        OutputBusyError: another run is writing ``out`` now.
        GroupingError: ``by`` names no column, or every essay falls in one group (checked before
            any heavy work).
        ExecutorError: Dask is not installed, its scheduler cannot be reached (or was lost), or
            workers keep dying on a batch.
        TopicModelError: ``fit_sample`` is not a whole number of at least 10 (or 0/None).
        ValueError: an unknown format, unit or executor, or ``nlp`` with a Dask executor.
    """
    from ._fileio import ReportFolder, check_output_location
    from .embeddings import check_embedder
    from .framing.discourse import load_discourse
    from .framing.grammar import load_grammar
    from .report import check_formats
    from .topics._model import check_fit_sample

    formats = check_formats(formats)
    embedder = check_embedder(embedder)
    fit_sample = check_fit_sample(fit_sample)  # a bad sample size stops the run before any work
    grammar = load_grammar(frames)  # a bad frame grammar stops the run before anything is written
    pairs = False if discourse is False else load_discourse(discourse)  # so does a bad discourse file
    if unit not in ("paragraph", "sentence"):
        raise ValueError(f"unit must be 'paragraph' or 'sentence', not {unit!r}")
    from .executors import resolve_executor

    owns_executor = executor is None or isinstance(executor, str)  # an executor object stays the caller's
    executor = resolve_executor(executor)
    getattr(executor, "check", lambda: None)()  # Dask missing, or contradictory options: stop before any work
    if nlp is not None and getattr(executor, "name", "local") != "local":
        raise ValueError("nlp= is a pipeline loaded in this process; a Dask executor loads the model on each "
                         "worker: pass model= (a package name or path) instead")
    prog = _Progress(progress)
    timings: dict[str, float] = {}
    started = _dt.datetime.now(_dt.timezone.utc)

    checked_early = out is not None and isinstance(path_or_corpus, (str, Path)) and Path(path_or_corpus).is_dir()
    if checked_early:
        # Before loading, which already writes the sentence cache: an overlap writes nothing at all.
        check_output_location(Path(out), path_or_corpus)
    t0 = time.perf_counter()
    prog.stage(f"loading {path_or_corpus}" if isinstance(path_or_corpus, (str, Path)) else "using the given corpus")
    corpus = _load(path_or_corpus, max_file_mb=max_file_mb, progress=prog.wrapper("loading"), cache_dir=cache_dir)
    timings["load"] = time.perf_counter() - t0
    prog.stage(f"loaded {len(corpus)} documents ({int(corpus.documents['n_words'].sum()):,} words, "
               f"{len(corpus.paragraphs)} paragraphs, {len(corpus.skipped)} files skipped)")
    if len(corpus) == 0:
        raise CorpusError(f"{path_or_corpus}: no document to analyse")

    if by is not None:
        from .comparison import group_documents

        group_documents(corpus.documents, by, order=order)  # a bad grouping stops the run before any work
    out_dir = Path(out) if out is not None else None
    if out_dir is not None and not checked_early:  # a Corpus object: its root is known only now
        check_output_location(out_dir, corpus.root)

    result = AnalysisResult(corpus=corpus, timings=timings, out=out_dir)
    result.warnings.extend(_corpus_warnings(corpus))
    result.params = {
        "input": str(corpus.root) if corpus.root is not None else "<in-memory corpus>",
        "out": str(out_dir) if out_dir is not None else None,
        "lexicon": str(lexicon) if isinstance(lexicon, (str, Path)) else ("<Lexicon object>" if lexicon is not None else "builtin"),
        "seed": seed,
        "unit": unit,
        "n_topics": n_topics,
        "guided": guided,
        "embedder": embedder,
        "fit_sample": fit_sample,
        "formats": list(formats),
        "cache_dir": str(cache_dir) if cache_dir is not None else None,
        "by": by,
        "order": order,
        "frames": (str(frames) if isinstance(frames, (str, Path))
                   else "builtin" if frames is None else "<FrameGrammar object>"),
        "discourse": (str(discourse) if isinstance(discourse, (str, Path)) else "builtin" if discourse is None
                      else "off" if discourse is False else "<DiscourseGrammar object>"),
        "executor": executor.describe() if callable(getattr(executor, "describe", None)) else repr(executor),
    }

    from .lexicon import load_lexicon

    lex = load_lexicon(lexicon)  # bad lexicon: stop before any heavy work

    from ._memory import release_free_memory

    # Locked for the whole run: a second run on the same folder stops here, before any work.
    folder = ReportFolder(out_dir).open() if out_dir is not None else None
    try:
        if folder is not None:
            result.warnings.extend(folder.warnings)
        nlp_used = _run_text_stages(corpus, lex, result, prog, nlp=nlp, model=model, cache_dir=cache_dir,
                                    grammar=grammar, discourse=pairs, executor=executor)
        release_free_memory()  # the text stages' temporaries, before the theme model loads
        _run_topics(corpus, lex, result, prog, seed=seed, unit=unit, n_topics=n_topics, guided=guided,
                    cache_dir=cache_dir, embedder=embedder, fit_sample=fit_sample, executor=executor)
        release_free_memory()
        if by is not None:
            from .comparison import compare

            t0 = time.perf_counter()
            prog.stage(f"comparing groups by {by}")
            result.comparison = compare(result, by, order=order)
            result.stage_status["compare"] = {"status": "ok", "reason": ""}
            timings["compare"] = time.perf_counter() - t0

        result.versions = collect_versions(result, nlp=nlp_used)
        if folder is not None:
            from .report import write_reports

            prog.stage(f"writing {', '.join(formats)} to {out_dir}")
            t0 = time.perf_counter()

            def run_info() -> dict[str, Any]:
                # Called by write_reports just before run.json, the last file, so the report time is complete.
                timings["report"] = time.perf_counter() - t0
                return _run_info(result, lexicon, started)

            # The whole report goes into a fresh folder that one rename then shows at out_dir.
            written = write_reports(result, folder.begin(), formats, run_info=run_info)
            shown = len(folder.warnings)
            folder.commit()
            result.warnings.extend(folder.warnings[shown:])  # after run.json: in the result and the log
            result.files = {name: out_dir / name for name in written}
            timings["report"] = time.perf_counter() - t0
    finally:
        close = getattr(executor, "close", None)
        if owns_executor and callable(close):
            close()  # a LocalCluster this run started (executor="dask") stops with it
        if folder is not None:
            folder.close()
    return result


def _load(path_or_corpus: Any, *, max_file_mb: float | None = None, progress: Any = None,
          cache_dir: Any = None) -> "Corpus":
    from .load import Corpus, load_corpus

    if isinstance(path_or_corpus, Corpus):
        return path_or_corpus
    if isinstance(path_or_corpus, (str, Path)):
        return load_corpus(path_or_corpus, max_file_mb=max_file_mb, progress=progress, cache_dir=cache_dir)
    raise TypeError(f"analyze() needs a folder path or a Corpus, not {type(path_or_corpus).__name__}")


def _corpus_warnings(corpus: "Corpus") -> list[str]:
    out = []
    for row in corpus.warnings.to_dict("records"):
        where = row.get("path") or row.get("doc_id") or "corpus"
        out.append(f"{where}: {row.get('message')}")
    return out


def _degrade(result: AnalysisResult, stage: str, exc: BaseException) -> None:
    reason = str(exc) or type(exc).__name__
    result.stage_status[stage] = {"status": "skipped", "reason": reason}
    result.warnings.append(f"{stage} skipped: {reason}")
    logger.warning("%s skipped: %s", stage, reason)


class _Stage:
    """Book-keeping of one stage in a run: its time, and, on a CorpusToolsError that is not the
    user's to fix, why it stopped (the stage is then reported skipped, the others go on)."""

    def __init__(self, name: str, result: AnalysisResult) -> None:
        self.name = name
        self.result = result
        self.seconds = 0.0
        self.error: CorpusToolsError | None = None

    @property
    def alive(self) -> bool:
        return self.error is None

    def fail(self, exc: CorpusToolsError) -> None:
        if self.error is None:
            self.error = exc

    def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.error is not None:
            return None
        t0 = time.perf_counter()
        try:
            return func(*args, **kwargs)
        except _FATAL:
            raise
        except CorpusToolsError as exc:
            self.error = exc
            return None
        finally:
            self.seconds += time.perf_counter() - t0

    def finish(self) -> None:
        if self.error is not None:
            _degrade(self.result, self.name, self.error)
        else:
            self.result.stage_status[self.name] = {"status": "ok", "reason": ""}
        self.result.timings[self.name] = self.seconds


def _run_text_stages(corpus: "Corpus", lex: Any, result: AnalysisResult, prog: _Progress, *,
                     nlp: Any, model: str | None, cache_dir: Any, grammar: Any = None,
                     discourse: Any = None, executor: Any = None) -> Any:
    """Parse each document once and run the document stages (concepts, framing) on it, keeping
    only their rows; then build the stages' corpus-level results into ``result``. Returns the
    :class:`~corpus_tools.parse.Parser` used, for the model's name and version."""
    from .executors import resolve_executor
    from .parse import Parser
    from .stages import text_stages

    t0 = time.perf_counter()
    parser = Parser(model, nlp=nlp, cache_dir=cache_dir).fit()
    result.timings["parse"] = time.perf_counter() - t0
    run_document_stages(corpus, text_stages(lex, grammar, discourse), result, prog, parser=parser, lexicon=lex,
                        executor=resolve_executor(executor))
    return parser


def run_document_stages(corpus: "Corpus", stages: list, result: AnalysisResult, prog: _Progress, *,
                        parser: Any, lexicon: Any, executor: Any) -> None:
    """The parse loop: each document's rows come from the row cache or from ``executor``
    (parse plus every stage), in corpus order; each stage gathers its rows, then aggregates them
    into ``result.<stage name>``.

    A document whose rows are in the row cache (same text, segmentation, stages, model and code)
    is neither parsed nor read from the parse cache; when every document's rows and the corpus
    are unchanged, the corpus-level results are read whole from the result cache."""
    from ._cache import DocumentRowCache, ROW_SOURCES, source_fingerprint
    from .executors import WorkSpec
    from .stages import stages_key

    runs = {stage.name: _Stage(stage.name, result) for stage in stages}
    t0 = time.perf_counter()
    cache = (DocumentRowCache(parser.cache_dir_, corpus, model=parser.fingerprint_, stages_key=stages_key(stages),
                              lexicon=lexicon) if parser.use_cache else None)
    cached_results = cache.get_results() if cache is not None else None
    what = " and ".join(stage.name for stage in stages)
    if cached_results is not None and all(stage.name in cached_results for stage in stages):
        for stage in stages:
            setattr(result, stage.name, stage.from_fields(cached_results[stage.name]))
            runs[stage.name].seconds += (time.perf_counter() - t0) / len(stages)
            runs[stage.name].finish()
        result.stage_status["parse"] = {"status": "ok", "reason": ""}
        result.parse_cache = dict(getattr(parser, "stats_", {}) or {})
        result.parse_cache.update(rows_cached=len(cache.keys), rows_computed=0, results_cached=1)
        prog.stage(f"{what} of all {len(cache.keys)} documents from the cache")
        return  # a cached run never loads spaCy (nor starts a cluster)

    cached = {}
    if cache is not None:
        for doc_id in cache.keys:
            entry = cache.get(doc_id)
            if entry is not None and all(stage.name in entry for stage in stages):
                cached[doc_id] = entry
    runs[stages[0].name].seconds += time.perf_counter() - t0
    with_sentences = set(corpus.sentences["doc_id"])
    to_compute = [d for d in corpus.doc_ids if d not in cached and d in with_sentences]
    if to_compute:
        n_parse = int(corpus.documents.loc[corpus.documents["doc_id"].isin(to_compute), "n_sentences"].sum())
        prog.stage(f"parsing {n_parse} sentences once for {what}"
                   + (f" ({len(cached)} documents from the cache)" if cached else ""))
    else:
        prog.stage(f"{what} of all {len(cached)} documents from the cache")

    parse_counts = dict(getattr(parser, "stats_", {}) or {})  # before this run's parses
    # The rows go to a spool on disk as they arrive (this process holds none of them during the
    # map), and each stage gathers its rows from it in turn just before it aggregates them, so
    # only one stage's rows are ever in memory. Without a writable cache folder they are
    # gathered here as they arrive, as the collectors did before the spool.
    spool = _open_spool(parser, [stage.name for stage in stages])
    try:
        _map_and_aggregate(corpus, stages, runs, result, prog, parser=parser, executor=executor, cache=cache,
                           cached=cached, to_compute=to_compute, with_sentences=with_sentences,
                           parse_counts=parse_counts, spool=spool)
    finally:
        if spool is not None:
            spool.remove()  # also when the run fails: nothing is left of it in the cache folder


def _open_spool(parser: Any, names: list[str]) -> Any:
    """A :class:`~corpus_tools._rows.RowSpool` under the parser's cache folder, or ``None`` when
    that folder cannot be written (the rows are then gathered in memory)."""
    from ._rows import RowSpool

    try:
        return RowSpool.open(parser.cache_dir_, names)
    except OSError as exc:
        logger.info("no row spool in %s (%s): gathering the rows in memory", parser.cache_dir_, exc)
        return None


def _map_and_aggregate(corpus: "Corpus", stages: list, runs: dict, result: AnalysisResult, prog: _Progress, *,
                       parser: Any, executor: Any, cache: Any, cached: dict, to_compute: list[str],
                       with_sentences: set, parse_counts: dict, spool: Any) -> None:
    """The map over the documents (rows from ``cached`` or from ``executor``, in corpus order,
    into ``spool`` or straight into the collectors), then each stage's aggregation."""
    from ._cache import ROW_SOURCES, source_fingerprint
    from .executors import WorkSpec

    collectors = ({} if spool is not None else
                  {stage.name: runs[stage.name].run(stage.collector) for stage in stages})
    mapped = None
    if to_compute:
        spec = WorkSpec(model=parser.model, cache_dir=str(parser.cache_dir_), use_cache=parser.use_cache,
                        stages=stages, fingerprint=parser.fingerprint_, code=source_fingerprint(ROW_SOURCES))
        t1 = time.perf_counter()
        mapped = executor.map_documents(spec, corpus, to_compute, parser=parser, announce=prog.stage)
        if getattr(executor, "name", "local") != "local":
            result.timings["executor"] = time.perf_counter() - t1  # starting or joining the cluster
    started, here = time.perf_counter(), 0.0  # the map's wall time, and the part spent in this loop
    computed = iter(mapped) if mapped is not None else iter(())
    try:
        for doc_id in prog.track(corpus.doc_ids, " + ".join(["parse", *runs]), total=len(corpus)):
            rows = cached.pop(doc_id, None)
            fresh = rows is None
            if fresh:
                if doc_id not in with_sentences:
                    continue
                got, rows = next(computed)
                if got != doc_id:  # the executor broke its promise of corpus order
                    raise RuntimeError(f"documents out of order: expected {doc_id}, got {got}")
            t1 = time.perf_counter()
            if spool is not None:
                spool.add(doc_id, rows)
            else:
                for name, run in runs.items():
                    if rows.get(name) is None:  # the stage failed on this document (its error follows)
                        continue
                    run.run(collectors[name].add, doc_id, rows[name])
            if fresh and cache is not None and all(rows.get(name) is not None for name in runs):
                t2 = time.perf_counter()
                cache.put(doc_id, rows)  # only complete entries: a stage that failed here left None
                runs[stages[0].name].seconds += time.perf_counter() - t2
            here += time.perf_counter() - t1
            del rows
    finally:
        close = getattr(computed, "close", None)
        if close is not None:
            close()  # a generator stops its parse workers or cancels its pending batches
    if mapped is not None:
        seconds = dict(mapped.seconds)
        concurrent = getattr(executor, "name", "local") != "local" or getattr(mapped, "concurrent", False)
        if concurrent and sum(seconds.values()) > 0:
            # Workers' seconds add up past the wall time: share the map's wall time among the
            # stages in their proportions, so that the timings still add up to the run.
            scale = max(time.perf_counter() - started - here, 0.0) / sum(seconds.values())
            seconds = {name: value * scale for name, value in seconds.items()}
        result.timings["parse"] = result.timings.get("parse", 0.0) + seconds.get("parse", 0.0)
        for name, run in runs.items():
            run.seconds += seconds.get(name, 0.0)
            if name in mapped.errors:
                run.fail(mapped.errors[name])
    result.stage_status["parse"] = {"status": "ok", "reason": ""}
    # Cache hits vary between runs, so they go to run.json only, never into the tables.
    result.parse_cache = dict(parse_counts)
    for key, value in (mapped.parse_stats if mapped is not None else {}).items():
        result.parse_cache[key] = result.parse_cache.get(key, 0) + value
    if mapped is not None and getattr(mapped, "processes", None):
        result.parse_cache["processes"] = len(mapped.processes)  # how many processes did the per-document work
    if cache is not None:
        result.parse_cache.update(rows_cached=len(cache.keys) - len(to_compute), rows_computed=len(to_compute),
                                  results_cached=0)

    done: dict[str, Any] = {}
    for stage in stages:
        run = runs[stage.name]
        if spool is not None:
            collected = run.run(stage.collector)
            for doc_id, rows in spool.read(stage.name):  # rows of a failed document are not in the spool
                if not run.alive:
                    break
                run.run(collected.add, doc_id, rows)
        else:
            collected = collectors.pop(stage.name)
        if run.alive:
            done[stage.name] = run.run(stage.aggregate, collected, corpus, done)
            setattr(result, stage.name, done[stage.name])
        del collected  # the stage's rows, before the next stage aggregates
        run.finish()
    if spool is not None:
        result.parse_cache["spooled_parts"] = spool.stats["parts"]  # the rows went through files on disk
    if cache is not None and all(run.alive for run in runs.values()) and \
            all(done.get(stage.name) is not None for stage in stages):
        cache.put_results({stage.name: stage.result_fields(done[stage.name]) for stage in stages})
    found = [stage.describe(done[stage.name]) for stage in stages if done.get(stage.name) is not None]
    if any(found):
        prog.stage("found " + ", ".join(f for f in found if f))


def _run_topics(corpus: "Corpus", lex: Any, result: AnalysisResult, prog: _Progress, *, seed: int, unit: str,
                n_topics: Any, guided: bool, cache_dir: Any, embedder: str = "static",
                fit_sample: int | None = None, executor: Any = None) -> None:
    n_units = len(corpus.paragraphs) if unit == "paragraph" else len(corpus.sentences)
    sampled = f"; fitted on a sample of {fit_sample:,}, the rest assigned" if fit_sample and fit_sample < n_units else ""
    prog.stage(f"finding themes among {n_units} {unit}s (seed {seed}{sampled})")
    t0 = time.perf_counter()
    try:
        result.topics = _find_topics_cached(corpus, lex, result, prog, unit=unit, seed=seed, n_topics=n_topics,
                                            guided=guided, cache_dir=cache_dir, embedder=embedder,
                                            fit_sample=fit_sample, executor=executor)
        result.stage_status["topics"] = {"status": "ok", "reason": ""}
        n = (getattr(result.topics, "metrics", None) or {}).get("n_topics")
        if n is not None:
            prog.stage(f"found {n} themes")
    except _FATAL:
        raise
    except CorpusToolsError as exc:
        _degrade(result, "topics", exc)
    result.timings["topics"] = time.perf_counter() - t0


def _find_topics_cached(corpus: "Corpus", lex: Any, result: AnalysisResult, prog: _Progress, *, unit: str,
                        seed: int, n_topics: Any, guided: bool, cache_dir: Any, embedder: str = "static",
                        fit_sample: int | None = None, executor: Any = None) -> Any:
    """:func:`~corpus_tools.topics.find_topics`, or its result from an earlier run on the same units.

    The fit is deterministic for the same unit texts, embedding model, parameters, seed, library
    versions and code, so all of these make the key. The tables and measures are one
    :class:`~corpus_tools._cache.SafeStore` entry; the fitted model is saved beside it in
    BERTopic's safetensors form (no pickle) and only loaded when someone reads ``topics.model``."""
    from ._cache import (TOPIC_LIBRARIES, TOPIC_SOURCES, SafeStore, digest, library_versions,
                         lexicon_fingerprint, source_fingerprint)
    from .embeddings import embedder_fingerprint
    from .parse import default_cache_dir
    from .topics import TopicResult, build_units, find_topics

    units, _ = build_units(corpus, unit, None)
    store = SafeStore(Path(cache_dir if cache_dir is not None else default_cache_dir()) / "topics")
    docs = corpus.documents
    key = digest(
        "topics", source_fingerprint(TOPIC_SOURCES), library_versions(TOPIC_LIBRARIES),
        embedder, embedder_fingerprint(embedder), unit, seed, n_topics, f"fit_sample={int(fit_sample or 0)}",
        lexicon_fingerprint(lex) if guided else "unguided",
        _frame_digest(units), _frame_digest(docs[["doc_id", "title", "date", "sha256", "n_words"]]),
    )
    model_dir = store.path(key).with_suffix(".model")
    cached = store.get(key)
    if cached is not None:
        prog.stage("themes from the cache (same units, model, parameters and seed)")
        result.parse_cache["topics_cached"] = 1
        return TopicResult(**cached, model=_LazyModel(model_dir) if model_dir.is_dir() else None)
    if getattr(executor, "last_embedding", None):
        executor.last_embedding = {}  # an executor object reused across runs: this run's record only
    topics = find_topics(corpus, unit=unit, seed=seed, n_topics=n_topics, guided=lex if guided else False,
                         cache_dir=cache_dir, progress=prog.wrapper("themes: embedding"), embedder=embedder,
                         fit_sample=fit_sample, executor=executor)
    result.parse_cache["topics_cached"] = 0
    embedded = getattr(executor, "last_embedding", None)
    if embedded:  # the units the embedding cache missed were embedded on the executor's workers
        result.parse_cache["embedded_on_workers"] = int(embedded["texts"])
        result.parse_cache["embedding_processes"] = len(embedded["processes"])
        result.timings["embed_on_workers"] = float(embedded["seconds"])
    if topics.model is not None:
        _save_model(topics.model, model_dir)
    store.put(key, _fields(topics, drop=("model",)))
    return topics


def _save_model(model: Any, folder: Path) -> None:
    """Save a fitted topic model into ``folder`` through a temp folder and a rename."""
    import secrets
    import shutil

    tmp = folder.with_name(f".{folder.name}.{secrets.token_hex(4)}.tmp")
    try:
        model.save(tmp, serialization="safetensors")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    except Exception as exc:  # a cache that cannot be written only costs a refit next time
        logger.warning("could not cache the topic model in %s: %s", folder, exc)
        shutil.rmtree(tmp, ignore_errors=True)


class _LazyModel:
    """Stands in for a fitted :class:`~corpus_tools.topics.TopicModel` saved in the cache: the
    first attribute access loads it (so a warm run that never touches the topic model never
    pays for importing BERTopic)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._obj: Any = None

    def _load(self) -> Any:
        if self._obj is None:
            from .errors import TopicModelError
            from .topics import TopicModel

            try:
                self._obj = TopicModel.load(self._folder)
            except (OSError, ValueError, KeyError, TopicModelError) as exc:
                raise TopicModelError(f"the cached topic model is missing or damaged ({exc}); run again with a "
                                      "fresh --cache-dir (or delete its topics/ folder) to refit it") from None
        return self._obj

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._load(), name)

    def __repr__(self) -> str:
        return f"<cached topic model; loaded on first use: {self._folder.name[:12]}>"
