"""Plain-language helpers shared by the stages and the reports: the smallest count a claim may
rest on, plurals, and how an essay is named when it has no title."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .load import Corpus

#: Fewest mentions (or frames, or units) a share, a rate difference or a "most" may rest on in a
#: summary; below it the numbers stay in the tables and the text says the count is too small.
MIN_COUNT = 5
#: Words of the first paragraph that name an untitled essay.
TITLE_WORDS = 8


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 contrast frame"``, ``"3 contrast frames"``, ``"2 essays"``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def first_words(text: Any, n: int = TITLE_WORDS) -> str:
    """The first ``n`` words of a text, with an ellipsis when cut."""
    words = re.sub(r"\s+", " ", str(text or "")).strip().split(" ")
    words = [w for w in words if w]
    if not words:
        return ""
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def doc_titles(corpus: "Corpus") -> dict[str, str]:
    """doc_id -> the essay's title, or the first words of its first paragraph (quoted-style, with
    an ellipsis) when it has none, or the doc_id when it has no text either."""
    docs = corpus.documents
    titles = docs["title"] if "title" in docs else [None] * len(docs)
    first: dict[str, str] = {}
    paragraphs = getattr(corpus, "paragraphs", None)
    if paragraphs is not None and len(paragraphs):
        for doc_id, body in zip(paragraphs["doc_id"], paragraphs["text"]):
            if doc_id not in first and str(body).strip():
                first[doc_id] = first_words(body)
    out = {}
    for doc_id, title in zip(docs["doc_id"], titles):
        if isinstance(title, str) and title.strip():
            out[doc_id] = title.strip()
        else:
            out[doc_id] = first.get(doc_id) or str(doc_id)
    return out
