"""Discovery: salient multiword terms the lexicon does not cover yet.

Candidates are spaCy noun chunks, trimmed of determiners, pronouns, numbers, stopwords and
vague modifiers ("certain", "such"), that do not overlap a lexicon mention. Variants are
grouped on their lemmas with hyphens and spaces removed ("omni-channel retail",
"omnichannel retailers" -> one candidate). Each document is a bag of candidate terms;
scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfVectorizer` weights them, a term's
corpus score is the sum of its per-document TF-IDF weights (salient in a document, and in
several documents, ranks high; words every text uses are damped by IDF).
"""
from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .errors import NotFittedError

if TYPE_CHECKING:
    import pandas as pd

    from .lexicon import Lexicon
    from .parse import ParsedDocument

logger = logging.getLogger(__name__)

SUGGESTION_COLUMNS = ["term", "score", "n_docs", "count", "variants", "example", "example_doc_id",
                      "example_sent_id", "proposed_id"]
DOC_SUGGESTION_COLUMNS = ["doc_id", "rank", "term", "score", "count"]

#: Modifiers too vague to start or end a term ("certain development", "such a way").
VAGUE_WORDS = frozenset("""
certain such many more most other same whole own various different current previous great huge
important main good better best entire further kind lot series way number part thing aspect so-called
much little few several specific particular real true really also only just very extent sense
new early final big profound essential gradual key fundamental basic
""".split())
_WORD = re.compile(r"^[a-z][a-z'’]*$")


class ConceptSuggester:
    """Collects candidate terms document by document, then ranks them.

    Streaming use (what :func:`corpus_tools.concepts.extract_concepts` does)::

        s = ConceptSuggester().start()
        for parsed_doc in parsed:
            s.partial_fit(parsed_doc, mention_rows_of_that_doc, text=corpus.text(doc_id))
        s.finish()
        s.suggestions_, s.by_document_

    Args:
        top_n: how many corpus-wide candidates to keep.
        top_n_per_document: how many candidates to keep per document.
        min_count: a candidate must occur at least this often in the corpus.
        min_words: fewest words in a candidate (2 = multiword terms only).
        max_words: most words in a candidate.
    """

    def __init__(self, top_n: int = 50, top_n_per_document: int = 10, min_count: int = 2,
                 min_words: int = 2, max_words: int = 4) -> None:
        self.top_n = top_n
        self.top_n_per_document = top_n_per_document
        self.min_count = min_count
        self.min_words = min_words
        self.max_words = max_words

    def start(self) -> "ConceptSuggester":
        """Reset the collected state."""
        self._bags: dict[str, Counter] = {}
        self._surfaces: dict[str, Counter] = defaultdict(Counter)
        self._examples: dict[str, tuple[str, str, str]] = {}
        return self

    def partial_fit(self, parsed_doc: "ParsedDocument", mentions: list[dict[str, Any]] | None = None,
                    text: str | None = None) -> "ConceptSuggester":
        """Add one document's candidates.

        Args:
            parsed_doc: the parsed document.
            mentions: its concept mention rows (with ``sent_id``, ``token_start``, ``token_end``);
                candidates overlapping them are skipped, since the lexicon has them.
            text: the original text, so examples quote it exactly.
        """
        return self.add_candidates(parsed_doc.doc_id, self.document_candidates(parsed_doc, mentions, text))

    def document_candidates(self, parsed_doc: "ParsedDocument", mentions: list[dict[str, Any]] | None = None,
                            text: str | None = None) -> list[tuple[str, str, str, str, str]]:
        """One document's candidates, in text order, as ``(key, surface, example, doc_id, sent_id)``:
        what :meth:`partial_fit` adds, in a plain form a cache can keep (see :meth:`add_candidates`)."""
        covered: dict[str, set[int]] = defaultdict(set)
        for row in mentions or ():
            covered[row["sent_id"]].update(range(row["token_start"], row["token_end"]))
        found = []
        for sent in parsed_doc.sentences:
            example = None
            for key, surface in self._candidates(sent.doc, covered.get(sent.sent_id, set())):
                if example is None:
                    if text is not None:
                        start, end = sent.original_extent()
                        example = " ".join(text[start:end].split())
                    else:
                        example = sent.doc.text
                found.append((key, surface, example, sent.doc_id, sent.sent_id))
        return found

    def add_candidates(self, doc_id: str, candidates: Iterable[tuple[str, str, str, str, str]]) -> "ConceptSuggester":
        """Add one document's candidates from :meth:`document_candidates`."""
        if not hasattr(self, "_bags"):
            self.start()
        bag = self._bags.setdefault(doc_id, Counter())
        for key, surface, example, sent_doc_id, sent_id in candidates:
            bag[key] += 1
            self._surfaces[key][surface] += 1
            if key not in self._examples:
                self._examples[key] = (example, sent_doc_id, sent_id)
        return self

    def _candidates(self, doc, covered: set[int]) -> list[tuple[str, str]]:
        if not doc.has_annotation("DEP"):
            return []
        from spacy.attrs import IS_STOP, LEMMA, ORTH, POS

        # Each word's text, lemma and part of speech from the Doc's arrays: a noun chunk's words
        # are looked at without a Token object each, and whether a word is edge noise (which
        # depends on nothing else) is worked out once per distinct word.
        strings = doc.vocab.strings
        rows = doc.to_array([ORTH, LEMMA, POS, IS_STOP]).tolist()
        noise = self.__dict__.setdefault("_noise_memo", {})

        def edge_noise(i: int) -> bool:
            key = tuple(rows[i])
            found = noise.get(key)
            if found is None:
                found = noise[key] = self._is_edge_noise(doc[i])
            return found

        out = []
        for chunk in doc.noun_chunks:
            lo, hi = chunk.start, chunk.end
            while lo < hi and edge_noise(lo):
                lo += 1
            while lo < hi and edge_noise(hi - 1):
                hi -= 1
            if lo == hi or any(i in covered for i in range(lo, hi)):
                continue
            words = [i for i in range(lo, hi) if strings[rows[i][0]] != "-"]
            if not (self.min_words <= len(words) <= self.max_words):
                continue
            lemmas = [(strings[rows[i][1]] or strings[rows[i][0]]).lower() for i in words]
            if not all(_WORD.match(l) and len(l) > 1 for l in lemmas):
                continue
            if any(rows[i][3] or l in VAGUE_WORDS for i, l in zip(words, lemmas)):
                continue
            key = "".join(lemmas)
            surface = doc[lo:hi].text.lower()
            surface = re.sub(r"\s*-\s*", "-", " ".join(surface.split()))
            out.append((key, surface))
        return out

    @staticmethod
    def _is_edge_noise(token) -> bool:
        lemma = (token.lemma_ or token.text).lower()
        return (token.is_stop or token.is_punct or token.like_num or token.pos_ in ("DET", "PRON", "NUM", "ADP", "CCONJ", "PART")
                or lemma in VAGUE_WORDS or not token.text.strip() or not any(ch.isalpha() for ch in token.text))

    def finish(self) -> "ConceptSuggester":
        """Score the collected candidates; sets ``suggestions_`` and ``by_document_``."""
        import numpy as np
        import pandas as pd
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not hasattr(self, "_bags"):
            self.start()
        totals: Counter = Counter()
        for bag in self._bags.values():
            totals.update(bag)
        keep = sorted(k for k, c in totals.items() if c >= self.min_count)
        doc_ids = list(self._bags)
        if not keep or not doc_ids:
            self.suggestions_ = pd.DataFrame(columns=SUGGESTION_COLUMNS)
            self.by_document_ = pd.DataFrame(columns=DOC_SUGGESTION_COLUMNS)
            self.vectorizer_ = None
            return self
        vectorizer = TfidfVectorizer(analyzer=lambda bag: [k for k, n in bag.items() for _ in range(n)],
                                     vocabulary=keep, sublinear_tf=True, norm="l2")
        weights = vectorizer.fit_transform([self._bags[d] for d in doc_ids]).toarray()
        terms = vectorizer.get_feature_names_out()
        score = weights.sum(axis=0)
        n_docs = (weights > 0).sum(axis=0)

        rows = []
        for j, key in enumerate(terms):
            surfaces = self._surfaces[key]
            term = sorted(surfaces.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            example, ex_doc, ex_sent = self._examples[key]
            rows.append({
                "term": term, "score": round(float(score[j]), 4), "n_docs": int(n_docs[j]),
                "count": int(totals[key]), "variants": "; ".join(sorted(surfaces)),
                "example": example, "example_doc_id": ex_doc, "example_sent_id": ex_sent,
                "proposed_id": _slug(term),
            })
        table = pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)
        table = table.sort_values(["score", "count", "term"], ascending=[False, False, True], kind="stable")
        table = table.head(self.top_n).reset_index(drop=True)
        table["proposed_id"] = _unique(table["proposed_id"].tolist())
        self.suggestions_ = table

        per_doc = []
        for i, doc_id in enumerate(doc_ids):
            order = np.lexsort((terms, -weights[i]))
            rank = 0
            for j in order:
                if weights[i, j] <= 0 or rank >= self.top_n_per_document:
                    break
                rank += 1
                key = terms[j]
                term = sorted(self._surfaces[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
                per_doc.append({"doc_id": doc_id, "rank": rank, "term": term,
                                "score": round(float(weights[i, j]), 4), "count": int(self._bags[doc_id][key])})
        self.by_document_ = pd.DataFrame(per_doc, columns=DOC_SUGGESTION_COLUMNS)
        self.vectorizer_ = vectorizer
        return self

    def fit(self, parsed: "list[ParsedDocument]", mentions: "pd.DataFrame | None" = None,
            texts: dict[str, str] | None = None) -> "ConceptSuggester":
        """Collect and score in one call (``mentions`` as a DataFrame of mention rows)."""
        self.start()
        grouped = {}
        if mentions is not None and len(mentions):
            grouped = {d: g.to_dict("records") for d, g in mentions.groupby("doc_id")}
        for parsed_doc in parsed:
            self.partial_fit(parsed_doc, grouped.get(parsed_doc.doc_id, []),
                             (texts or {}).get(parsed_doc.doc_id))
        return self.finish()

    def _check_fitted(self) -> None:
        if not hasattr(self, "suggestions_"):
            raise NotFittedError("ConceptSuggester is not fitted; call finish() or fit() first")


def _slug(term: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", term.lower()).strip("_")
    return slug or "candidate"


def _unique(ids: list[str]) -> list[str]:
    seen: Counter = Counter()
    out = []
    for cid in ids:
        seen[cid] += 1
        out.append(cid if seen[cid] == 1 else f"{cid}_{seen[cid]}")
    return out


def suggestions_to_lexicon(suggestions: "pd.DataFrame", top: int | None = None) -> "Lexicon":
    """A draft :class:`Lexicon` with one concept per suggested term (variants as patterns)."""
    from .lexicon import ConceptEntry, Lexicon

    frame = suggestions if top is None else suggestions.head(top)
    entries = []
    seen_patterns: set[str] = set()
    for row in frame.itertuples(index=False):
        patterns = []
        for variant in [row.term, *str(row.variants).split("; ")]:
            key = " ".join(variant.lower().split())
            if key and key not in seen_patterns:
                seen_patterns.add(key)
                patterns.append(variant)
        if not patterns:
            continue
        entries.append(ConceptEntry(
            id=row.proposed_id, label=row.term[:1].upper() + row.term[1:],
            description=(f"Candidate: {row.count} mentions in {row.n_docs} document(s); "
                         f"e.g. {row.example_doc_id} {row.example_sent_id}. Edit or delete."),
            patterns=patterns,
        ))
    return Lexicon(entries, source="<suggestions>", name="draft")


def write_draft_lexicon(suggestions: "pd.DataFrame", path: str | Path, top: int | None = None) -> Path:
    """Write suggestions as a TOML lexicon that :func:`~corpus_tools.lexicon.load_lexicon` reads."""
    from ._fileio import atomic_write_text

    lexicon = suggestions_to_lexicon(suggestions, top)
    header = ("Draft lexicon written by `corpus-tools concepts suggest`.\n"
              "Each [[concept]] is a candidate term with its variants as patterns. Rename, merge or\n"
              "delete entries, then pass the file with --lexicon (or add the entries to your lexicon).")
    return atomic_write_text(path, lexicon.to_toml(header=header))
