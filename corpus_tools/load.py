"""Stage 1: load a folder of essays into a clean, segmented :class:`Corpus`.

The corpus keeps every document's original text. Paragraphs and sentences are spans
of that text (``start``/``end``), each with a cleaned version for analysis and an
offset map back to the original, so every later stage can quote exact evidence.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import logging
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import pandas as pd

from .clean import OffsetMap, clean_span
from .errors import CorpusError
from .io import METADATA_NAMES, SkipFile, decode_bytes, find_text_files, read_text_file

logger = logging.getLogger(__name__)

DOCUMENT_COLUMNS = [
    "doc_id", "title", "date", "source", "path", "n_words", "n_paragraphs", "n_sentences",
    "author", "encoding", "language_flag", "n_removed", "sha256",
]
PARAGRAPH_COLUMNS = ["doc_id", "para_id", "text", "start", "end", "clean_text", "position", "is_heading", "n_words"]
SENTENCE_COLUMNS = ["doc_id", "para_id", "sent_id", "text", "start", "end", "clean_text", "clean_start", "clean_end"]
REMOVED_COLUMNS = ["doc_id", "start", "end", "reason", "text"]
SKIPPED_COLUMNS = ["path", "reason"]
WARNING_COLUMNS = ["path", "doc_id", "message"]

_KNOWN_META = {"file", "title", "date", "source", "url", "source_url", "author"}
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_TERMINAL = re.compile(r"[.!?。！？…:;]['\"”’)\]]*$")
_OPENS_LOWER = re.compile(r"^[a-z]")
_ENDS_CONTINUABLE = re.compile(r"[.!?:;\"'”’)\]…*]$")
_HEADING_MAX_WORDS = 20
# Paragraphs shorter than this are too generic ("In short.") to call a repeat.
_MIN_REPEAT_WORDS = 5
_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^leave a (reply|comment)\b",
        r"your email address will not be published",
        r"required fields are marked",
        r"^(share|tweet|pin) (this|on|it)\b",
        r"^(previous|next) (post|article|story)\b",
        r"^related (posts|articles|stories)\b",
        r"^(subscribe|sign up) (to|for)\b.*\b(newsletter|updates)\b",
        r"^(all rights reserved|copyright\s*(©|\(c\)|\d{4}))",
        r"^(posted|filed) (in|under)\b",
        r"^tags?\s*:",
        r"^(click|tap) here to\b",
        r"^(you may also like|read more)\s*:?$",
        r"^\d+\s+(comments?|responses?|replies)$",
    )
]
_MAX_BOILERPLATE_WORDS = 25
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


@dataclass
class Corpus:
    """A loaded corpus: tidy tables of documents, paragraphs and sentences.

    Attributes:
        documents: one row per document (``doc_id``, ``title``, ``date``, ``source``, ``path``,
            ``n_words``, ``n_paragraphs`` and more), ordered by date where known, then file name.
        paragraphs: one row per kept paragraph; ``start``/``end`` index ``text(doc_id)``.
        sentences: one row per sentence, with ``para_id`` and ``sent_id``.
        skipped: files that were not loaded, with the reason.
        removed: passages dropped from analysis (repeated paragraphs, web boilerplate).
        warnings: non-fatal problems per file (encoding guesses, non-English text).
        root: the folder the corpus came from, if any.
    """

    documents: pd.DataFrame
    paragraphs: pd.DataFrame
    sentences: pd.DataFrame
    skipped: pd.DataFrame
    removed: pd.DataFrame
    warnings: pd.DataFrame
    root: Path | None = None
    _texts: dict[str, str] = field(default_factory=dict, repr=False)
    _maps: dict[str, OffsetMap] = field(default_factory=dict, repr=False)

    def text(self, doc_id: str) -> str:
        """The document's original text; every ``start``/``end`` offset indexes it."""
        try:
            return self._texts[doc_id]
        except KeyError:
            raise KeyError(f"no document {doc_id!r} in this corpus") from None

    def offset_map(self, para_id: str) -> OffsetMap:
        """The map from a paragraph's ``clean_text`` positions to original-text positions."""
        return self._maps[para_id]

    def original_span(self, para_id: str, clean_start: int, clean_end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of a span of a paragraph's ``clean_text``."""
        return self._maps[para_id].span_to_original(clean_start, clean_end)

    @property
    def doc_ids(self) -> list[str]:
        """Document ids in corpus order (by date where known, then file name)."""
        return self.documents["doc_id"].tolist()

    def __len__(self) -> int:
        return len(self.documents)

    def __repr__(self) -> str:
        return (
            f"Corpus({len(self.documents)} documents, {len(self.paragraphs)} paragraphs, "
            f"{len(self.sentences)} sentences, {len(self.skipped)} skipped)"
        )

    @classmethod
    def from_texts(
        cls,
        texts: Mapping[str, str] | Iterable[tuple[str, str]],
        metadata: pd.DataFrame | None = None,
    ) -> "Corpus":
        """Build a corpus from in-memory texts keyed by ``doc_id`` (for notebooks and tests).

        ``metadata`` may have a ``doc_id`` column and any of ``title``, ``date``, ``source``,
        ``author``.
        """
        items = list(texts.items() if isinstance(texts, Mapping) else texts)
        meta_rows = {}
        if metadata is not None:
            for row in metadata.to_dict("records"):
                meta_rows[str(row.get("doc_id"))] = row
        builder = _CorpusBuilder(root=None)
        for doc_id, text in items:
            builder.add_document(str(doc_id), text, path=None, meta=meta_rows.get(str(doc_id), {}), encoding="str")
        return builder.build()


#: Files larger than this many MB are skipped (with the reason) unless the limit is raised.
DEFAULT_MAX_FILE_MB = 10.0
_MAX_FILE_ENV = "CORPUS_TOOLS_MAX_FILE_MB"


def resolve_max_file_mb(value: float | None = None) -> float:
    """The per-file size limit in MB: ``value``, else ``$CORPUS_TOOLS_MAX_FILE_MB``, else
    :data:`DEFAULT_MAX_FILE_MB`. ``0`` means no limit."""
    import os

    if value is None:
        raw = os.environ.get(_MAX_FILE_ENV, "").strip()
        try:
            value = float(raw) if raw else DEFAULT_MAX_FILE_MB
        except ValueError:
            raise CorpusError(f"{_MAX_FILE_ENV}={raw!r}: not a number of megabytes") from None
    if value < 0:
        raise CorpusError(f"the file size limit must be 0 (no limit) or a positive number of MB, not {value}")
    return float(value)


def load_corpus(path: str | Path, *, metadata: str | Path | None = None, max_file_mb: float | None = None,
                progress: Callable[[Iterable], Iterable] | None = None,
                cache_dir: str | Path | None = None) -> Corpus:
    """Load a folder of ``.txt``/``.md`` essays, recursively, into a :class:`Corpus`.

    Args:
        path: the corpus folder. It is only ever read.
        metadata: a CSV sidecar; defaults to ``metadata.csv`` in the folder if present. It has a
            ``file`` column (path relative to the folder) and any of ``title``, ``date``,
            ``source``, ``url``/``source_url``, ``author``; other columns are kept.
        max_file_mb: a file larger than this (in MB of 1,000,000 bytes) is not read; it is listed
            in ``skipped`` with its size. Default ``$CORPUS_TOOLS_MAX_FILE_MB`` or
            :data:`DEFAULT_MAX_FILE_MB` (10); ``0`` for no limit. Loading holds every text in
            memory (several times its size while segmenting), so one huge dump is refused rather
            than allowed to take the machine's memory; split it into essays to analyse it.
        progress: optional wrapper around the file iterator (e.g. ``tqdm``), called with
            ``desc`` and ``total`` when it accepts them.
        cache_dir: cache root for the sentence boundaries (default
            :func:`corpus_tools.parse.default_cache_dir`): a corpus loaded before is split
            again without spaCy.

    Raises:
        CorpusError: the path is missing, is a file, or holds no readable text file.
    """
    root = Path(path)
    if not root.exists():
        raise CorpusError(f"{root}: no such folder")
    if not root.is_dir():
        raise CorpusError(f"{root}: is a file, not a folder; pass the folder that holds your essays")
    limit_mb = resolve_max_file_mb(max_file_mb)
    found = find_text_files(root)
    sidecar = Path(metadata) if metadata else next((root / n for n in METADATA_NAMES if (root / n).is_file()), None)
    meta_by_file, meta_warnings = _read_metadata(sidecar) if sidecar else ({}, [])
    builder = _CorpusBuilder(root=root, cache_dir=cache_dir)
    for message in meta_warnings:
        builder.warn(str(sidecar), None, message)
    for file_path, reason in found.skipped:
        builder.skip(file_path, reason)
    files: Iterable[Path] = found.texts
    if progress is not None:
        try:
            files = progress(found.texts, desc="loading", total=len(found.texts))
        except TypeError:  # a plain one-argument wrapper
            files = progress(found.texts)
    for file_path in files:
        rel = file_path.relative_to(root).as_posix()
        try:
            size = file_path.stat().st_size
        except OSError:
            size = 0
        if limit_mb and size > limit_mb * 1_000_000:
            builder.skip(file_path, f"file is {size / 1_000_000:,.1f} MB, above the {limit_mb:g} MB limit per file; "
                                    f"split it into essays, or raise the limit (--max-file-mb, {_MAX_FILE_ENV})")
            continue
        try:
            decoded = read_text_file(file_path)
        except SkipFile as exc:
            builder.skip(file_path, str(exc))
            continue
        for message in decoded.warnings:
            builder.warn(str(file_path), None, message)
        front, body_offset = _front_matter(decoded.text)
        meta = {**front, **meta_by_file.pop(rel, {})}
        builder.add_document(_doc_id_for(rel), decoded.text, path=file_path, meta=meta,
                             encoding=decoded.encoding, body_offset=body_offset)
    for rel in meta_by_file:
        builder.warn(str(sidecar), None, f"metadata row for {rel!r} matches no loaded file")
    corpus = builder.build()
    if corpus.documents.empty:
        detail = "; ".join(f"{Path(p).name}: {r}" for p, r in corpus.skipped.itertuples(index=False))
        raise CorpusError(
            f"{root}: no readable .txt or .md files" + (f" (skipped: {detail})" if detail else "")
        )
    return corpus


def load_text(text: str, doc_id: str = "doc") -> Corpus:
    """A one-document corpus from a string."""
    return Corpus.from_texts({doc_id: text})


def decode_file_bytes(data: bytes) -> str:
    """Decode bytes the way :func:`load_corpus` does (BOMs, legacy encodings)."""
    return decode_bytes(data).text


# --------------------------------------------------------------------------- internals


def _doc_id_for(rel_path: str) -> str:
    stem = rel_path.rsplit(".", 1)[0]
    slug = re.sub(r"[^\w.-]+", "_", stem.replace("/", "__"), flags=re.UNICODE).strip("_")
    return slug or "doc"


#: Largest metadata cell read (Python's csv module stops at 128 KiB by default).
MAX_METADATA_CELL = 16 * 1024 * 1024


def _read_metadata(path: Path) -> tuple[dict[str, dict], list[str]]:
    """Rows of the sidecar keyed by ``file``, and warnings.

    Anything that could attach one file's metadata to another is refused with a warning rather
    than guessed: a cell spanning lines (an unclosed quote swallows the next records), a row
    with more cells than the header, a file listed twice with different values. Blank lines
    before the header are skipped; a repeated column name keeps its first column.
    """
    import io

    warnings: list[str] = []
    try:
        text = decode_bytes(path.read_bytes()).text
    except (OSError, SkipFile) as exc:
        return {}, [f"metadata sidecar not read: {exc}"]
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, MAX_METADATA_CELL))
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            records.append((reader.line_num, cells))
    except csv.Error as exc:
        line = reader.line_num
        warnings.append(f"line {line}: {exc} (an unclosed quote?); the rows from line {line} on are ignored")
        if records and records[-1][0] >= line:
            records.pop()
    finally:
        csv.field_size_limit(limit)
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        return {}, warnings
    header_line, header = records[0]
    names = [h.strip() for h in header]
    if "file" not in names:
        shown = ", ".join(repr(n) for n in names if n) or "none"
        return {}, warnings + [f"metadata sidecar has no 'file' column (columns: {shown}); ignored"]
    keep: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            continue
        if name.lower() in {k.lower() for k in keep}:
            warnings.append(f"line {header_line}: column {name!r} appears more than once; only the first is used")
            continue
        keep[name] = index
    by_file: dict[str, dict] = {}
    lines: dict[str, int] = {}
    conflicting: set[str] = set()
    for line, cells in records[1:]:
        if len(cells) > len(header):
            warnings.append(f"line {line}: {len(cells)} cells but the header has {len(header)}; row ignored")
            continue
        if any("\n" in c or "\r" in c for c in cells):
            warnings.append(f"line {line}: a cell spans several lines (an unclosed quote?); row ignored, "
                            "so that no file gets another file's metadata")
            continue
        cells = cells + [""] * (len(header) - len(cells))
        row = {name: cells[index].strip() for name, index in keep.items()}
        name = posixpath.normpath(row.pop("file").replace("\\", "/")) if row.get("file") else ""
        if not name or name == ".":
            continue
        if name in by_file or name in conflicting:
            if name in by_file and by_file[name] == row:
                warnings.append(f"line {line}: {name!r} is listed again with the same values (first at line "
                                f"{lines[name]}); the repeat is ignored")
            else:
                warnings.append(f"line {line}: {name!r} is listed more than once with different values; "
                                "its metadata is ignored")
                by_file.pop(name, None)
                conflicting.add(name)
            continue
        by_file[name] = row
        lines[name] = line
    return by_file, warnings


def _front_matter(text: str) -> tuple[dict[str, str], int]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, match.end()


@dataclass
class _Block:
    start: int
    end: int


def split_paragraphs(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Paragraph spans of ``text[offset:]``.

    Every non-empty line is a paragraph, since scraped essays put one paragraph on a line,
    except that a line ending mid-sentence followed by a line starting in lower case is a
    hard wrap and joins the next one.
    """
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\r\n]+", text[offset:])]
    spans: list[list[int]] = []
    prev_end_raw = None
    for start, end in lines:
        start += offset
        end += offset
        segment = text[start:end]
        stripped = segment.strip()
        if not stripped:
            prev_end_raw = None
            continue
        s = start + (len(segment) - len(segment.lstrip()))
        e = end - (len(segment) - len(segment.rstrip()))
        contiguous = prev_end_raw is not None and "\n\n" not in text[prev_end_raw:start].replace("\r", "")
        if spans and contiguous:
            prev_text = text[spans[-1][0]:spans[-1][1]]
            if not _ENDS_CONTINUABLE.search(prev_text) and _OPENS_LOWER.match(stripped):
                spans[-1][1] = e
                prev_end_raw = end
                continue
        spans.append([s, e])
        prev_end_raw = end
    return [(s, e) for s, e in spans]


@functools.lru_cache(maxsize=1)
def _sentencizer():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """spaCy's English stop words, copied into data/ so that loading never imports spaCy."""
    from importlib import resources

    text = resources.files("corpus_tools").joinpath("data/english_stop_words.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


#: Share of English function words below which a Latin-script text is flagged as probably not English.
#: English essays of the genre run 0.3-0.5, and number-dense news prose about 0.2; French, German and
#: Spanish prose score under 0.05 and Italian about 0.13 (its "a", "i", "per", "con" are English stop words).
MIN_FUNCTION_WORD_SHARE = 0.16


def _language_flag(text: str) -> str:
    sample = text[:20000]
    # ASCII letters are Latin; only the rest need a (slow) Unicode name lookup.
    n_ascii = len(_ASCII_LETTER.findall(sample))
    others = [ch for ch in _NON_ASCII.findall(sample) if ch.isalpha()]
    n_letters = n_ascii + len(others)
    if not n_letters:
        return "no letters"
    latin = n_ascii + sum(1 for ch in others if "LATIN" in unicodedata.name(ch, ""))
    if latin / n_letters < 0.5:
        return "mostly non-Latin script; the English models will not analyse it well"
    stop_words = _stop_words()
    words = _WORD.findall(text[:20000].lower())
    if len(words) >= 30 and sum(w in stop_words for w in words) / len(words) < MIN_FUNCTION_WORD_SHARE:
        return "few English function words; probably not English"
    return ""


class _CorpusBuilder:
    def __init__(self, root: Path | None, cache_dir: str | Path | None = None):
        self.root = root
        self.cache_dir = cache_dir
        self.documents: list[dict] = []
        self.paragraphs: list[dict] = []
        self.removed: list[dict] = []
        self.skipped: list[dict] = []
        self.warnings: list[dict] = []
        self.texts: dict[str, str] = {}
        self.maps: dict[str, OffsetMap] = {}
        self.by_hash: dict[str, str] = {}
        self.paths: dict[str, str] = {}

    def warn(self, path: str | None, doc_id: str | None, message: str) -> None:
        logger.warning("%s: %s", path or doc_id, message)
        self.warnings.append({"path": path, "doc_id": doc_id, "message": message})

    def skip(self, path: Path, reason: str) -> None:
        logger.warning("skipped %s: %s", path, reason)
        self.skipped.append({"path": str(path), "reason": reason})

    def add_document(self, doc_id: str, text: str, *, path: Path | None, meta: Mapping, encoding: str,
                     body_offset: int = 0) -> None:
        shown = str(path) if path else doc_id
        if not text.strip():
            self.skip(Path(shown), "empty file")
            return
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in self.by_hash:
            self.skip(Path(shown), f"same text as document {self.by_hash[digest]!r}")
            return
        base_id, n = doc_id, 2
        while doc_id in self.texts:
            doc_id, n = f"{base_id}_{n}", n + 1
        self.by_hash[digest] = doc_id
        self.texts[doc_id] = text
        self.paths[doc_id] = shown

        kept: list[dict] = []
        seen: dict[str, str] = {}
        for start, end in split_paragraphs(text, body_offset):
            cleaned, offsets = clean_span(text, start, end)
            if not cleaned:
                continue
            n_words = len(_WORD.findall(cleaned))
            if n_words <= _MAX_BOILERPLATE_WORDS and any(p.search(cleaned) for p in _BOILERPLATE):
                self.removed.append({"doc_id": doc_id, "start": start, "end": end,
                                     "reason": "web boilerplate", "text": text[start:end]})
                continue
            key = cleaned.casefold()
            if n_words >= _MIN_REPEAT_WORDS and key in seen:
                self.removed.append({"doc_id": doc_id, "start": start, "end": end,
                                     "reason": f"verbatim repeat of {seen[key]}", "text": text[start:end]})
                continue
            para_id = f"{doc_id}-p{len(kept) + 1:03d}"
            seen.setdefault(key, para_id)
            self.maps[para_id] = offsets
            kept.append({
                "doc_id": doc_id, "para_id": para_id, "text": text[start:end], "start": start, "end": end,
                "clean_text": cleaned, "position": len(kept),
                "is_heading": n_words <= _HEADING_MAX_WORDS and not _TERMINAL.search(cleaned),
                "n_words": n_words,
            })
        if not kept:
            self.skip(Path(shown), "no text left after removing boilerplate")
            del self.texts[doc_id]
            return
        n_removed = sum(1 for r in self.removed if r["doc_id"] == doc_id)
        for row in self.removed[len(self.removed) - n_removed:]:
            logger.info("%s: removed %s at %d-%d", shown, row["reason"], row["start"], row["end"])
        self.paragraphs.extend(kept)

        meta = {str(k).lower(): v for k, v in meta.items() if v not in (None, "") and not pd.isna(v)}
        title = meta.get("title") or _title_from(kept)
        flag = _language_flag(" ".join(p["clean_text"] for p in kept))
        if flag:
            self.warn(shown, doc_id, f"language: {flag}")
        extra = {k: v for k, v in meta.items() if k not in _KNOWN_META and k != "doc_id"}
        self.documents.append({
            "doc_id": doc_id, "title": title, "date": meta.get("date"),
            "source": meta.get("source") or meta.get("source_url") or meta.get("url"),
            "path": str(path) if path else None,
            "n_words": sum(p["n_words"] for p in kept), "n_paragraphs": len(kept), "n_sentences": 0,
            "author": meta.get("author"), "encoding": encoding, "language_flag": flag,
            "n_removed": n_removed, "sha256": digest, "_order_name": (path.name if path else doc_id), **extra,
        })

    def build(self) -> Corpus:
        documents = pd.DataFrame(self.documents)
        if documents.empty:
            documents = pd.DataFrame(columns=DOCUMENT_COLUMNS + ["_order_name"])
        dates = pd.to_datetime(documents["date"], errors="coerce", format="mixed") if len(documents) else pd.Series(dtype="datetime64[ns]")
        for doc_id, raw, parsed in zip(documents["doc_id"], documents["date"], dates):
            if raw not in (None, "") and not pd.isna(raw) and pd.isna(parsed):
                self.warn(None, doc_id, f"date {raw!r} not understood; treated as unknown")
        documents["date"] = dates
        documents = documents.sort_values(["date", "_order_name"], na_position="last", kind="stable")
        documents = documents.drop(columns="_order_name").reset_index(drop=True)
        order = {d: i for i, d in enumerate(documents["doc_id"])}

        paragraphs = pd.DataFrame(self.paragraphs, columns=PARAGRAPH_COLUMNS)
        paragraphs = paragraphs.sort_values(
            ["doc_id", "position"], key=lambda s: s.map(order) if s.name == "doc_id" else s, kind="stable"
        ).reset_index(drop=True)
        sentences = self._segment_sentences(paragraphs)
        counts = sentences.groupby("doc_id").size()
        documents["n_sentences"] = documents["doc_id"].map(counts).fillna(0).astype(int)
        extra_cols = [c for c in documents.columns if c not in DOCUMENT_COLUMNS]
        documents = documents[DOCUMENT_COLUMNS + extra_cols]
        return Corpus(
            documents=documents,
            paragraphs=paragraphs,
            sentences=sentences,
            skipped=pd.DataFrame(self.skipped, columns=SKIPPED_COLUMNS),
            removed=pd.DataFrame(self.removed, columns=REMOVED_COLUMNS),
            warnings=pd.DataFrame(self.warnings, columns=WARNING_COLUMNS),
            root=self.root,
            _texts=self.texts,
            _maps=self.maps,
        )

    def _segment_sentences(self, paragraphs: pd.DataFrame) -> pd.DataFrame:
        from ._rows import RowChunks

        if paragraphs.empty:
            return pd.DataFrame(columns=SENTENCE_COLUMNS)
        # Columnar as they come: with a dict per sentence, loading 5,000 essays peaked 151 MB higher.
        rows = RowChunks(SENTENCE_COLUMNS)
        texts = paragraphs["clean_text"].tolist()
        for para, spans in zip(paragraphs.itertuples(index=False), _cached_sentence_spans(texts, self.cache_dir)):
            longest = max((ce - cs for cs, ce in spans), default=0)
            if longest > MAX_SENTENCE_CHARS:
                spans = _bounded_spans(para.clean_text, spans, MAX_SENTENCE_CHARS)
                self.warn(self.paths.get(para.doc_id), para.doc_id,
                          f"{para.para_id}: a sentence of {longest:,} characters (no sentence end) is analysed "
                          f"in pieces of at most {MAX_SENTENCE_CHARS:,} characters, split at spaces")
            offsets = self.maps[para.para_id]
            original = self.texts[para.doc_id]
            sentences = []
            for n, (cs, ce) in enumerate(spans, start=1):
                start, end = offsets.span_to_original(cs, ce)
                sentences.append((para.doc_id, para.para_id, f"{para.para_id}-s{n:02d}", original[start:end],
                                  start, end, para.clean_text[cs:ce], cs, ce))
            rows.extend(sentences)
        return rows.frame()


#: Longest sentence handed to spaCy. Text without sentence ends (a scraped table, a run-on
#: paste) would otherwise become one "sentence" past spaCy's limit (error E088 at 1,000,000
#: characters) or take minutes to parse; longer ones are split at spaces, with a warning.
MAX_SENTENCE_CHARS = 2_000


def _bounded_spans(text: str, spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """``spans`` with every span longer than ``limit`` cut into pieces of at most ``limit``
    characters, at the last whitespace of each piece where there is one."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > limit:
            cut = start + limit
            space = max(text.rfind(" ", start + 1, cut + 1), text.rfind("\n", start + 1, cut + 1))
            if space > start + limit // 2:
                cut = space
            piece_end = cut
            while piece_end > start and text[piece_end - 1].isspace():
                piece_end -= 1
            out.append((start, piece_end))
            start = cut
            while start < end and text[start].isspace():
                start += 1
        if end > start:
            out.append((start, end))
    return out


def _cached_sentence_spans(texts: list[str], cache_dir: str | Path | None) -> list[list[tuple[int, int]]]:
    """:func:`_sentence_spans_batch` of ``texts``, from the cache when the same texts were split
    before by the same code and spaCy version (so a warm run never imports spaCy). The cache is
    one JSON file per list of texts under ``<cache dir>/sentences/``; a damaged one is redone."""
    import json
    import os
    import tempfile
    from importlib import metadata

    from .parse import default_cache_dir

    try:
        spacy_version = metadata.version("spacy")
    except metadata.PackageNotFoundError:
        spacy_version = "-"
    digest = hashlib.sha256(b"sentences-1\x1e" + spacy_version.encode() + b"\x1e" + Path(__file__).read_bytes())
    for text in texts:
        digest.update(b"\x1e" + text.encode("utf-8", "surrogatepass"))
    key = digest.hexdigest()
    path = Path(cache_dir if cache_dir is not None else default_cache_dir()) / "sentences" / key[:2] / f"{key}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("key") == key and len(stored["spans"]) == len(texts):
            return [list(zip(flat[::2], flat[1::2])) for flat in stored["spans"]]
        raise ValueError("entry does not belong to its key")
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.warning("sentence cache entry %s unreadable (%s); splitting again", path, exc)
    spans = list(_sentence_spans_batch(texts))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"key": key, "spans": [[i for span in doc for i in span] for doc in spans]}, handle)
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("could not write sentence cache %s: %s", path, exc)
    return spans


def _sentence_spans_batch(texts: list[str]) -> Iterator[list[tuple[int, int]]]:
    """Sentence ``(start, end)`` character spans of each text, exactly as spaCy's rule-based
    ``sentencizer`` splits them (see :func:`_sentence_spans`), trailing whitespace trimmed and
    blank sentences dropped.

    The sentencizer's rule runs here on token attribute arrays rather than through the pipe, which
    makes a Python ``Token`` object for every token twice; that was most of the load time.
    """
    from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH

    nlp = _sentencizer()
    strings = nlp.vocab.strings
    punct = {strings.add(ch) for ch in nlp.get_pipe("sentencizer").punct_chars}
    for text, doc in zip(texts, nlp.tokenizer.pipe(texts, batch_size=256)):
        n = len(doc)
        if n == 0:
            yield []
            continue
        orth, is_punct, idx, length = doc.to_array([ORTH, IS_PUNCT, IDX, LENGTH]).T.tolist()
        starts = [0]
        seen_period = False
        for i in range(n):
            in_punct = orth[i] in punct
            if seen_period and not is_punct[i] and not in_punct:
                starts.append(i)
                seen_period = False
            elif in_punct:
                seen_period = True
        spans = []
        bounds = starts + [n]
        for a, b in zip(bounds, bounds[1:]):
            start, end = idx[a], idx[b - 1] + length[b - 1]
            piece = text[start:end]
            stripped = piece.rstrip()
            if not stripped.strip():
                continue
            spans.append((start, end - (len(piece) - len(stripped))))
        yield spans


def _sentence_spans(doc) -> Iterator[tuple[int, int]]:
    """Sentence spans of a Doc that went through the ``sentencizer`` (the reference behaviour of
    :func:`_sentence_spans_batch`)."""
    for sent in doc.sents:
        text = sent.text
        if not text.strip():
            continue
        start = sent.start_char
        end = sent.end_char - (len(text) - len(text.rstrip()))
        yield start, end


def _title_from(paragraphs: list[dict]) -> str | None:
    first = paragraphs[0]
    if len(paragraphs) > 1 and first["is_heading"]:
        return first["clean_text"]
    return None
