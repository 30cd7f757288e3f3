"""The per-document stages of :func:`~corpus_tools.pipeline.analyze`, all of one shape.

Every document is parsed once (:class:`~corpus_tools.parse.Parser`) and handed to each
:class:`DocumentStage` in turn; a stage keeps nothing of the spaCy objects, only compact tidy
rows. The corpus-level results are then built from the gathered rows. Because a stage's
per-document rows are plain picklable values, the same work runs in this process
(:class:`~corpus_tools.executors.LocalExecutor`) or on the workers of a Dask cluster
(:class:`~corpus_tools.executors.DaskExecutor`) with the same results.

The protocol (see :class:`DocumentStage`)::

    stage.cache_key()                                   # what its rows depend on, besides text and model
    stage.fit(nlp, fitted)                              # build matchers (once per process)
    rows = stage.transform_document(parsed_doc, text, upstream)   # compact rows of one document
    collected = stage.collector(); collected.add(doc_id, rows)    # gather, in corpus order
    result = stage.aggregate(collected, corpus, results)          # the corpus-level result

:class:`DocumentWork` is the per-process map: parse plus every stage, for a stream of documents.
"""
from __future__ import annotations

import logging
import operator
import sys
import time
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from .errors import CorpusError, CorpusToolsError, ExecutorError, LexiconError, ModelNotFoundError

if TYPE_CHECKING:
    from .load import Corpus
    from .parse import ParsedDocument, Parser

logger = logging.getLogger(__name__)

#: Errors that mean the user must fix the input or the install: these always stop the run.
FATAL_ERRORS = (CorpusError, LexiconError, ModelNotFoundError, ExecutorError)


class DocumentStage:
    """One per-document stage: the protocol every stage of the parse loop follows.

    Parameters are set in ``__init__``; attributes learned by :meth:`fit` end in ``_`` and are
    never pickled, so a stage sent to another process carries only its parameters and is fitted
    there.

    Attributes:
        name: the stage's name (``result.<name>`` holds its result; its rows are ``rows[name]``).
        needs: names of earlier stages whose rows of the same document
            :meth:`transform_document` receives in ``upstream``.
    """

    name: str = ""
    needs: tuple[str, ...] = ()

    def cache_key(self) -> str:
        """What this stage's rows depend on besides the document text, its segmentation, the
        parse model and the code (for example the lexicon's fingerprint)."""
        raise NotImplementedError

    def fit(self, nlp: Any, fitted: Mapping[str, "DocumentStage"]) -> "DocumentStage":
        """Build what the stage needs on the spaCy pipeline ``nlp``; ``fitted`` holds the earlier
        stages already fitted in this process (to share their matchers)."""
        raise NotImplementedError

    def transform_document(self, parsed_doc: "ParsedDocument", text: str, upstream: Mapping[str, Any]) -> Any:
        """Compact, picklable rows of one parsed document (no spaCy object)."""
        raise NotImplementedError

    def collector(self) -> Any:
        """An empty gatherer of rows: ``collector.add(doc_id, rows)`` in corpus order."""
        raise NotImplementedError

    def aggregate(self, collected: Any, corpus: "Corpus", results: Mapping[str, Any]) -> Any:
        """The corpus-level result from the gathered rows; ``results`` holds the results of the
        stages aggregated before this one."""
        raise NotImplementedError

    def result_fields(self, result: Any) -> dict[str, Any]:
        """The result as plain fields, for the result cache."""
        return _fields(result)

    def from_fields(self, fields: Mapping[str, Any]) -> Any:
        """The result again from :meth:`result_fields`."""
        raise NotImplementedError

    def describe(self, result: Any) -> str | None:
        """A few words on what the stage found, for the progress messages."""
        return None

    def __getstate__(self) -> dict[str, Any]:
        # Fitted attributes hold spaCy matchers and vocabularies: another process fits its own.
        return {k: v for k, v in self.__dict__.items() if not k.endswith("_")}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name})"


class ConceptStage(DocumentStage):
    """Lexicon concept mentions and candidate new concepts (:mod:`corpus_tools.concepts`,
    :mod:`corpus_tools.discovery`). Rows: ``{"mentions": [tuple, ...], "candidates": [tuple, ...]}``."""

    name = "concepts"

    def __init__(self, lexicon: Any) -> None:
        self.lexicon = lexicon

    def cache_key(self) -> str:
        from ._cache import lexicon_fingerprint

        return lexicon_fingerprint(self.lexicon)

    def fit(self, nlp: Any, fitted: Mapping[str, DocumentStage]) -> "ConceptStage":
        from .concepts import ConceptExtractor
        from .discovery import ConceptSuggester

        self.extractor_ = ConceptExtractor(self.lexicon).fit(nlp)
        self.suggester_ = ConceptSuggester().start()
        return self

    def transform_document(self, parsed_doc: "ParsedDocument", text: str, upstream: Mapping[str, Any]) -> Any:
        from .concepts import MENTION_COLUMNS

        mentions = self.extractor_.transform_document(parsed_doc, text)
        candidates = self.suggester_.document_candidates(parsed_doc, mentions)
        return {"mentions": compact_rows(mentions, MENTION_COLUMNS), "candidates": candidates}

    def collector(self) -> "_ConceptRows":
        return _ConceptRows()

    def aggregate(self, collected: "_ConceptRows", corpus: "Corpus", results: Mapping[str, Any]) -> Any:
        from .concepts import build_result

        mentions = collected.mentions.frame()
        return build_result(corpus, mentions, self.lexicon, suggester=collected.suggester)

    def result_fields(self, result: Any) -> dict[str, Any]:
        return _fields(result, drop=("lexicon",))

    def from_fields(self, fields: Mapping[str, Any]) -> Any:
        from .concepts import ConceptResult

        # The result key holds the lexicon's fingerprint: the lexicon in use is the one they were made with.
        return ConceptResult(**fields, lexicon=self.lexicon)

    def describe(self, result: Any) -> str | None:
        return f"{len(result.mentions)} concept mentions"


class _ConceptRows:
    def __init__(self) -> None:
        from ._rows import RowChunks
        from .concepts import MENTION_COLUMNS
        from .discovery import ConceptSuggester

        self.mentions = RowChunks(MENTION_COLUMNS)  # columnar as they arrive: millions of rows at scale
        self.suggester = ConceptSuggester().start()

    def add(self, doc_id: str, rows: Mapping[str, Any]) -> None:
        self.mentions.extend(rows["mentions"])
        self.suggester.add_candidates(doc_id, rows["candidates"])


class FramingStage(DocumentStage):
    """Contrast frames, orientation and contexts of concept mentions (:mod:`corpus_tools.framing`),
    reusing the concept stage's mentions of the same document. Rows: ``{"contrasts": [...],
    "orientation": [...], "context": [...]}``, tuples in the extractor's column order."""

    name = "framing"
    needs = ("concepts",)

    def __init__(self, lexicon: Any, grammar: Any = None, discourse: Any = None) -> None:
        self.lexicon = lexicon
        self.grammar = grammar
        self.discourse = discourse

    def cache_key(self) -> str:
        from .framing.discourse import load_discourse
        from .framing.grammar import grammar_fingerprint

        pairs = "off" if self.discourse is False else load_discourse(self.discourse).fingerprint()
        return f"frames={grammar_fingerprint(self.grammar)};discourse={pairs}"

    def fit(self, nlp: Any, fitted: Mapping[str, DocumentStage]) -> "FramingStage":
        from .framing import FramingExtractor

        concepts = getattr(fitted.get("concepts"), "extractor_", None)
        # The framing extractor reuses the concept matcher (and, per document, its mentions).
        self.extractor_ = FramingExtractor(lexicon=self.lexicon, concept_extractor=concepts,
                                           frames=self.grammar, discourse=self.discourse).fit(nlp)
        return self

    def transform_document(self, parsed_doc: "ParsedDocument", text: str, upstream: Mapping[str, Any]) -> Any:
        from .concepts import MENTION_COLUMNS
        from .framing.extractor import CONTEXT_COLUMNS, CONTRAST_COLUMNS, ORIENTATION_COLUMNS

        concept_rows = upstream.get("concepts")
        mentions = None
        if concept_rows is not None:
            mentions = [dict(zip(MENTION_COLUMNS, row)) for row in concept_rows["mentions"]]
        rows = self.extractor_.transform_document(parsed_doc, text, mentions=mentions)
        return {"contrasts": compact_rows(rows.get("contrasts", []), CONTRAST_COLUMNS),
                "orientation": compact_rows(rows.get("orientation", []), ORIENTATION_COLUMNS),
                "context": compact_rows(rows.get("context", []), CONTEXT_COLUMNS)}

    def collector(self) -> "_FramingRows":
        return _FramingRows()

    def aggregate(self, collected: "_FramingRows", corpus: "Corpus", results: Mapping[str, Any]) -> Any:
        from .framing.result import build_result

        lexicon = getattr(results.get("concepts"), "lexicon", None) or self.lexicon
        tables = {name: rows.frame() for name, rows in collected.tables.items()}
        collected.tables.clear()
        return build_result(tables, corpus, lexicon=lexicon)

    def from_fields(self, fields: Mapping[str, Any]) -> Any:
        from .framing import FramingResult

        return FramingResult(**fields)

    def describe(self, result: Any) -> str | None:
        from ._plain import plural

        return plural(len(result.contrasts), "contrast frame")


class _FramingRows:
    def __init__(self) -> None:
        from .framing.result import row_tables

        self.tables = row_tables()

    def add(self, doc_id: str, rows: Mapping[str, Any]) -> None:
        for name, table in self.tables.items():
            table.extend(rows.get(name, ()))


def text_stages(lexicon: Any, grammar: Any = None, discourse: Any = None) -> list[DocumentStage]:
    """The document stages of :func:`~corpus_tools.pipeline.analyze`, in order."""
    return [ConceptStage(lexicon), FramingStage(lexicon, grammar, discourse)]


def stages_key(stages: Sequence[DocumentStage]) -> str:
    """One string naming every stage and its :meth:`~DocumentStage.cache_key`."""
    return ";".join(f"{stage.name}:{stage.cache_key()}" for stage in stages)


class DocumentWork:
    """Parse and every document stage, for a stream of documents, in one process.

    The stages are fitted on first use (a run whose rows are all cached never loads spaCy).
    A stage that raises a :class:`~corpus_tools.errors.CorpusToolsError` the user cannot fix
    by changing the input stops taking documents: its rows are ``None`` from then on and the
    error is kept in :attr:`errors`. Errors in :data:`FATAL_ERRORS` stop the run.

    Attributes:
        seconds: time spent per stage (``parse`` and each stage's name).
        errors: the first error of each stage that failed.
    """

    def __init__(self, parser: "Parser", stages: Sequence[DocumentStage]) -> None:
        self.parser = parser
        self.stages = list(stages)
        self.seconds: dict[str, float] = {"parse": 0.0, **{s.name: 0.0 for s in self.stages}}
        self.errors: dict[str, CorpusToolsError] = {}
        self._fitted = False

    def reset_counters(self) -> None:
        """Zero the times and errors (a worker reports them per batch)."""
        self.seconds = {name: 0.0 for name in self.seconds}
        self.errors = {}

    def _fit(self) -> None:
        fitted: dict[str, DocumentStage] = {}
        nlp = self.parser.nlp_
        for stage in self.stages:
            if self._call(stage.name, stage.fit, nlp, fitted) is not None:
                fitted[stage.name] = stage
        self._fitted = True
        self._alive = set(fitted)

    def _call(self, name: str, func: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return func(*args)
        except FATAL_ERRORS:
            raise
        except CorpusToolsError as exc:
            self.errors.setdefault(name, exc)
            if self._fitted:
                self._alive.discard(name)
            return None
        finally:
            self.seconds[name] += time.perf_counter() - t0

    def transform(self, corpus: "Corpus", doc_ids: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(doc_id, {stage name: rows or None})`` for each document of ``doc_ids`` that has
        sentences, in corpus order."""
        doc_ids = list(doc_ids)
        if not doc_ids:
            return
        if not self._fitted:
            self._fit()
        t0 = time.perf_counter()
        stream = self.parser.iter_parse(corpus, doc_ids=doc_ids)
        self.seconds["parse"] += time.perf_counter() - t0
        try:
            while True:
                t0 = time.perf_counter()
                parsed_doc = next(stream, None)
                self.seconds["parse"] += time.perf_counter() - t0
                if parsed_doc is None:
                    break
                text = corpus.text(parsed_doc.doc_id)
                rows: dict[str, Any] = {}
                for stage in self.stages:
                    if stage.name not in self._alive:
                        rows[stage.name] = None
                        continue
                    upstream = {name: rows[name] for name in stage.needs if rows.get(name) is not None}
                    rows[stage.name] = self._call(stage.name, stage.transform_document, parsed_doc, text, upstream)
                doc_id = parsed_doc.doc_id
                del parsed_doc  # no spaCy Doc outlives its document
                yield doc_id, rows
        finally:
            # The generator may still wait at its last yield, keeping spaCy's parse worker
            # processes (hundreds of MB each) alive through the corpus-level work.
            stream.close()


def compact_rows(rows: list, columns: Sequence[str]) -> list[tuple]:
    """Rows as tuples in ``columns`` order, short strings interned, as the row cache stores them:
    no column name per value, and a repeated id or term is one object.
    ``pd.DataFrame(rows, columns=columns)`` and :class:`~corpus_tools._rows.RowChunks` build the
    same table from either form."""
    intern = sys.intern
    # itemgetter of one key returns the bare value, not a 1-tuple
    values = operator.itemgetter(*columns) if len(columns) > 1 else (lambda r, c=columns[0]: (r[c],))
    return [r if isinstance(r, tuple) else
            tuple([intern(v) if type(v) is str and len(v) <= 40 else v for v in values(r)])
            for r in rows]


def _fields(obj: Any, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A result dataclass's fields as a dict (what the safe result cache stores)."""
    import dataclasses

    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in drop}
