"""Keyword in context: every place a concept (all its wordings) or a free phrase occurs.

A query that names a lexicon concept (its id or label, case-insensitively) finds that
concept's mentions exactly as :func:`~corpus_tools.concepts.extract_concepts` counts them.
Any other query is a phrase matched on lemmas, so "platform" finds "platforms" and "retain
users" finds "retaining users".
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from .errors import KwicQueryError

if TYPE_CHECKING:
    import pandas as pd
    from spacy.language import Language

    from .lexicon import Lexicon
    from .load import Corpus
    from .parse import ParsedDocument

KWIC_COLUMNS = ["doc_id", "para_id", "sent_id", "concept", "left", "keyword", "right", "start", "end"]
_QUERY_ID = "query"


def kwic(corpus: "Corpus", query: str, *, lexicon: "Lexicon | str | Path | None" = None,
         width: int = 40, limit: int | None = None, parsed: "Iterable[ParsedDocument] | None" = None,
         nlp: "Language | None" = None, cache_dir: str | Path | None = None,
         progress: Callable[[Iterable], Iterable] | None = None) -> "pd.DataFrame":
    """Keyword-in-context rows for a concept or a phrase.

    Args:
        corpus: the loaded corpus.
        query: a lexicon concept id or label (all its wordings), or any word or phrase.
        lexicon: the lexicon that defines concepts (default: built-in).
        width: characters of context on each side.
        limit: keep at most this many rows (in corpus order); ``frame.attrs["n_total"]`` still
            counts every occurrence.
        parsed, nlp, cache_dir, progress: as for :func:`~corpus_tools.concepts.extract_concepts`.

    Returns:
        DataFrame ``doc_id, para_id, sent_id, concept, left, keyword, right, start, end``;
        ``keyword`` is ``corpus.text(doc_id)[start:end]``; ``left``/``right`` are the original
        text around it with line breaks shown as spaces. ``concept`` is the concept id, or
        empty for a free phrase.

    Raises:
        KwicQueryError: the query is empty.
    """
    import pandas as pd

    from .concepts import ConceptExtractor
    from .lexicon import ConceptEntry, Lexicon, load_lexicon

    query = " ".join((query or "").split())
    if not query:
        raise KwicQueryError("empty KWIC query: give a concept id/label or a phrase")
    if width < 0:
        raise KwicQueryError(f"--width must be 0 or more, got {width}")
    lex = load_lexicon(lexicon)
    entry = lex.resolve(query)
    if entry is not None:
        extractor_lexicon, wanted = lex, entry.id
    else:
        # A free phrase competes with nothing: every occurrence counts.
        extractor_lexicon = Lexicon([ConceptEntry(id=_QUERY_ID, label=query, patterns=[query])],
                                    source="<query>")
        wanted = _QUERY_ID
    if parsed is None:
        from .parse import Parser

        parser = Parser(nlp=nlp, cache_dir=cache_dir).fit()
        nlp = parser.nlp_
        parsed = parser.iter_parse(corpus, progress=progress)
    extractor = ConceptExtractor(extractor_lexicon).fit(nlp)

    rows = []
    for parsed_doc in parsed:
        text = corpus.text(parsed_doc.doc_id)
        for row in extractor.transform_document(parsed_doc, text):
            if row["concept"] != wanted:
                continue
            start, end = row["start"], row["end"]
            rows.append({
                "doc_id": row["doc_id"], "para_id": row["para_id"], "sent_id": row["sent_id"],
                "concept": entry.id if entry is not None else "",
                "left": _flat(text[max(0, start - width * 2):start])[-width:] if width else "",
                "keyword": _flat(text[start:end]),
                "right": _flat(text[end:end + width * 2])[:width] if width else "",
                "start": start, "end": end,
            })
    frame = pd.DataFrame(rows[:limit] if limit is not None else rows, columns=KWIC_COLUMNS)
    # Every occurrence is counted even when fewer are kept, so "4 of 8" can be said.
    frame.attrs["n_total"] = len(rows)
    return frame


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def format_kwic(frame: "pd.DataFrame", width: int = 40) -> str:
    """Aligned KWIC lines: ``sent_id | left context [keyword] right context``."""
    if frame.empty:
        return ""
    id_width = max(len(str(s)) for s in frame["sent_id"])
    key_width = max(len(str(k)) for k in frame["keyword"])
    lines = []
    for row in frame.itertuples(index=False):
        lines.append(f"{str(row.sent_id):<{id_width}}  {row.left:>{width}} "
                     f"[{row.keyword}]{' ' * (key_width - len(row.keyword))} {row.right:<{width}}".rstrip())
    return "\n".join(lines)
