"""Orientation of concept mentions: placed in the past or the present/future, in trouble or in favour.

Each mention is read within its own clause on the dependency parse: the mention's own
modifiers, the clause's predicate and arguments, but not neighbouring clauses (a "however, ..."
clause about something else). Cue words come from :mod:`corpus_tools.framing.cues`; the words
of concept mentions are never cues themselves ("new" in "new retail" says nothing about time).
A mention on a side of a contrast frame takes that side's orientation (old or new) whatever
the cue words say: the construction is the stronger signal.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from . import cues as C

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_CLAUSE_HEAD_POS = frozenset({"VERB", "AUX"})
_SUBCLAUSE_DEPS = frozenset({"advcl", "ccomp", "relcl", "csubj", "parataxis", "conj", "acl"})
_SUBCLAUSE_POS = _CLAUSE_HEAD_POS | {"NOUN"}


@dataclass
class Orientation:
    """The orientation of one mention and the cue words that decided it."""

    temporal: str          # "old", "new", "mixed" or "" (no cue)
    temporal_cues: list[str]
    evaluation: str        # "negative", "positive", "mixed" or "" (no cue)
    evaluation_cues: list[str]


def _split(cues: Iterable[str]) -> tuple[frozenset[str], tuple[tuple[str, ...], ...], dict[str, list[tuple[str, ...]]]]:
    """Single cue words, cue phrases (longest first) and the phrases by their first word (in
    the same order), so a word is compared only with the phrases it can start."""
    single = frozenset(c for c in cues if " " not in c)
    multi = tuple(sorted({tuple(c.split()) for c in cues if " " in c}, key=len, reverse=True))
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in multi:
        by_first.setdefault(phrase[0], []).append(phrase)
    return single, multi, by_first


class OrientationTagger:
    """Tags concept mentions with temporal and evaluative orientation.

    Args:
        temporal_old, temporal_new, negative, positive: cue vocabularies (single words are
            matched on lower case or lemma; phrases on consecutive lower-case words); default
            the sets in :mod:`corpus_tools.framing.cues`.
    """

    def __init__(self, temporal_old: Iterable[str] | None = None, temporal_new: Iterable[str] | None = None,
                 negative: Iterable[str] | None = None, positive: Iterable[str] | None = None):
        self.temporal_old = temporal_old
        self.temporal_new = temporal_new
        self.negative = negative
        self.positive = positive

    def fit(self, nlp=None) -> "OrientationTagger":
        """Prepare the cue tables (``nlp`` is accepted for a uniform interface)."""
        self.old_ = _split(self.temporal_old if self.temporal_old is not None else C.TEMPORAL_OLD)
        self.new_ = _split(self.temporal_new if self.temporal_new is not None else C.TEMPORAL_NEW)
        self.neg_ = _split(self.negative if self.negative is not None else C.EVAL_NEGATIVE)
        self.pos_ = _split(self.positive if self.positive is not None else C.EVAL_POSITIVE)
        # all four tables' single words and phrases by first word, for cue_positions
        tables = (self.old_, self.new_, self.neg_, self.pos_)
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for _, _, phrases in tables:
            for first, listed in phrases.items():
                by_first.setdefault(first, []).extend(listed)
        self.cue_words_ = (frozenset().union(*(single for single, _, _ in tables)), by_first)
        return self

    def neighbourhood(self, doc: "Doc", start: int, end: int) -> set[int]:
        """Token indices that can orient the mention ``doc[start:end]``: its clause, without
        embedded or neighbouring clauses that do not contain it."""
        span = doc[start:end]
        head = span.root
        clause = head
        while clause.pos_ not in _CLAUSE_HEAD_POS and clause.head != clause:
            clause = clause.head
        inside = set(range(start, end))
        keep: set[int] = set()
        stack = [clause]
        while stack:
            tok = stack.pop()
            keep.add(tok.i)
            for child in tok.children:
                if child.dep_ in _SUBCLAUSE_DEPS and child.pos_ in _CLAUSE_HEAD_POS | {"NOUN"} and \
                        not (child.left_edge.i <= head.i <= child.right_edge.i):
                    continue
                stack.append(child)
        # "The so-called deep waters, perhaps, have arrived": a governing clause head of a
        # complement clause ("X begins to fail" is covered by xcomp) stays out.
        return keep | inside

    def _in_neighbourhood(self, doc: "Doc", start: int, end: int, indices: Iterable[int]) -> set[int]:
        """The ``indices`` that :meth:`neighbourhood` holds for the mention ``doc[start:end]``.

        A token is in it when the walk up from it reaches the clause head without passing a
        left-out clause; walking up from the few cue words costs a few tokens each, where
        collecting the whole clause builds a Token for every word in it."""
        head = doc[start:end].root
        clause = head
        while clause.pos_ not in _CLAUSE_HEAD_POS and clause.head != clause:
            clause = clause.head
        found = set()
        for i in indices:
            if start <= i < end:
                found.add(i)
                continue
            tok = doc[i]
            while tok.i != clause.i:
                if tok.dep_ in _SUBCLAUSE_DEPS and tok.pos_ in _SUBCLAUSE_POS and \
                        not (tok.left_edge.i <= head.i <= tok.right_edge.i):
                    break  # inside a neighbouring clause the walk down leaves out
                if tok.head == tok:
                    break  # another root: not below the clause head
                tok = tok.head
            else:
                found.add(i)
        return found

    def cue_positions(self, words: tuple[list[str], list[str]]) -> frozenset[int]:
        """Token indices of a sentence where a cue of any table starts (``words`` from
        :func:`sentence_words`), computed once for all its mentions: :meth:`orient` finds
        nothing at any other word, so only these are looked up in each mention's clause."""
        if not hasattr(self, "cue_words_"):
            self.fit()
        single, by_first = self.cue_words_
        lowers, lemmas = words
        return frozenset(i for i, (lower, lemma) in enumerate(zip(lowers, lemmas))
                         if lower in single or lemma in single or lower in by_first and any(
                             tuple(lowers[i:i + len(phrase)]) == phrase for phrase in by_first[lower]))

    def orient(self, doc: "Doc", start: int, end: int, blocked: set[int] = frozenset(),
               words: tuple[list[str], list[str]] | None = None, cues: frozenset[int] | None = None
               ) -> Orientation:
        """Orientation of the mention ``doc[start:end]``; ``blocked`` tokens (other mentions) are no cues.

        ``words`` (lower-case forms and lemmas of ``doc``) and ``cues`` (:meth:`cue_positions`
        of them) may be passed to save recomputing them for every mention of a sentence.
        """
        if not hasattr(self, "old_"):
            self.fit()
        if words is None:
            words = sentence_words(doc)
        if cues is None:
            cues = self.cue_positions(words)
        # only the words where a cue starts can orient: the rest of the neighbourhood is not built
        candidates = [i for i in cues if not start <= i < end and i not in blocked]
        near = self._in_neighbourhood(doc, start, end, candidates) if candidates else set()
        if not near:
            return Orientation("", [], "", [])  # no cue word in the mention's clause
        old = self._find(words, near, self.old_)
        new = self._find(words, near, self.new_)
        neg = self._find(words, near, self.neg_)
        pos = self._find(words, near, self.pos_)
        # negation flips evaluation: "is not effective", "no breakthrough"
        neg_final, pos_final = [], []
        for i, word in neg:
            (pos_final if _negated(doc[i]) else neg_final).append(("not " if _negated(doc[i]) else "") + word)
        for i, word in pos:
            (neg_final if _negated(doc[i]) else pos_final).append(("not " if _negated(doc[i]) else "") + word)
        temporal = _label(len(old), len(new), "old", "new")
        evaluation = _label(len(neg_final), len(pos_final), "negative", "positive")
        return Orientation(temporal, [w for _, w in old] + [w for _, w in new], evaluation, neg_final + pos_final)

    @staticmethod
    def _find(words: tuple[list[str], list[str]], near: set[int], table) -> list[tuple[int, str]]:
        single, _, by_first = table
        lowers, lemmas = words
        found: list[tuple[int, str]] = []
        used: set[int] = set()
        for i in sorted(near):
            if by_first:
                for phrase in by_first.get(lowers[i], ()):
                    n = len(phrase)
                    if tuple(lowers[i:i + n]) == phrase and not used.intersection(range(i, i + n)):
                        found.append((i, " ".join(phrase)))
                        used.update(range(i, i + n))
                        break
            if i in used:
                continue
            if lowers[i] in single or lemmas[i] in single:
                found.append((i, lowers[i]))
        return found


def sentence_words(doc: "Doc") -> tuple[list[str], list[str]]:
    """Lower-case forms and lemmas (lower-cased) of a sentence, computed once for all its
    mentions: ``token.lower_`` and ``token.lemma_.lower()``, read from the Doc's arrays without
    building a Token per word."""
    from spacy.attrs import LEMMA, LOWER

    strings = doc.vocab.strings
    lowers, lemmas = [], []
    for lower, lemma in doc.to_array([LOWER, LEMMA]).tolist():
        lowers.append(strings[lower])
        lemmas.append(strings[lemma].lower())
    return lowers, lemmas


def _negated(tok: "Token") -> bool:
    for t in (tok, tok.head):
        if any(c.dep_ == "neg" or c.lower_ in C.POLARITY_FLIPPERS and c.dep_ in {"neg", "det", "advmod"}
               for c in t.children):
            return True
    return False


def _label(a: int, b: int, a_name: str, b_name: str) -> str:
    if a == b:
        return "mixed" if a else ""
    return a_name if a > b else b_name
