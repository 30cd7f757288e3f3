"""Speed-ups must not change results: the fast sentence splitter and language check in load.py
give exactly what the straightforward versions give."""
from __future__ import annotations

import unicodedata

import pytest

from corpus_tools.clean import clean_span
from corpus_tools.load import _language_flag, _sentence_spans, _sentence_spans_batch, _sentencizer, split_paragraphs

from .conftest import CORPUS_DIR, DATA_DIR

EDGE_CASES = [
    "", " ", "\n\n", "...", "Hello. ", "A.B. c d.", "Wait... what?! Yes.\n\nNo", "“Quoted.” Then more. (Paren.) x",
    "。中文。句子！好", "a\u2029b. c", "Mr. Smith went to Washington. He said: 'no!' Then left.",
    "Numbers like 3.5 and 4. Then 5 items.", "Ends with ellipsis…", "Trailing spaces.   ", "One?Two!Three.",
]


def _paragraph_texts() -> list[str]:
    texts = list(EDGE_CASES)
    files = sorted(CORPUS_DIR.glob("*")) + sorted(p for p in DATA_DIR.rglob("*") if p.suffix in (".txt", ".md"))
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for start, end in split_paragraphs(text):
            cleaned, _ = clean_span(text, start, end)
            texts.append(cleaned)
    return texts


def test_fast_sentence_split_equals_spacy_sentencizer():
    texts = _paragraph_texts()
    assert len(texts) > 100
    expected = [list(_sentence_spans(doc)) for doc in _sentencizer().pipe(texts)]
    assert list(_sentence_spans_batch(texts)) == expected


def _language_flag_reference(text: str) -> float | str:
    letters = [ch for ch in text[:20000] if ch.isalpha()]
    if not letters:
        return "no letters"
    return sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, "")) / len(letters)


@pytest.mark.parametrize("text", ["", "123 !!", "Hello world café", "数字零售不是平台 but infrastructure here",
                                  "Привет мир hello", "ÀÉÎõü" * 10, "ﬁne ligatures ǅ and ß"])
def test_language_flag_latin_share_unchanged(text):
    reference = _language_flag_reference(text)
    flag = _language_flag(text)
    if reference == "no letters":
        assert flag == "no letters"
    elif reference < 0.5:
        assert flag.startswith("mostly non-Latin")
    else:
        assert not flag.startswith("mostly non-Latin") and flag != "no letters"
