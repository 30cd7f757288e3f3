"""Contrast frames: where a sentence sets an old or rejected framing against a new or endorsed one.

The wordings live in a frame grammar (``data/frame_grammar.toml``, see
:mod:`corpus_tools.framing.grammar`), and :class:`ContrastExtractor` is the one reader that applies
all of it:

- a ``[[predicate]]`` class (change, replacement, leaving, ending, ...) lists lemmas with their
  particles ("get rid of", "come to an end") and, per form (active, passive, nominal, adjectival),
  where the old and the new side are found on the dependency parse (subject, object, the object
  of a preposition, what a noun or adjective is said of, a coordinated verb of adoption, an
  arriving subject, the subject of an opposite movement: "X weakens, while Y strengthens");
- a ``[[connective]]`` class ("not X, but Y", "Y rather than X", "From X to Y", "no longer X",
  "in the past X ... now Y", "Unlike X, which is A, Y is B", "X is still A, while Y is B") is found
  by its words (lower-case token sequences, matched on the vocabulary's hashes) and read by a
  named structural reader.

Each side is grown from its head word into a noun-phrase-sized span (:func:`grow_side`): the
head's subtree minus circumstantial prepositional phrases and clauses, trimmed of leading
determiners and punctuation, widened to whole hyphenated words, cleared of unpaired quote marks
and capped in length. The grammar's ``[checks]`` then drop literal uses: a side headed by a time,
a place, a shop, a broadcast, a person or an amount, an enumeration "from X to Y, all ...", and
the route of a moved object ("moved goods from the warehouse to the store").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from ..errors import NotFittedError
from .grammar import CHECK_KEYS, FrameGrammar, PredicateClass, Role, Wording, load_grammar

if TYPE_CHECKING:
    from spacy.language import Language

    from .frame_filter import FrameFilter
    from spacy.tokens import Doc, Span, Token

#: A side longer than this many words is cut (at a phrase boundary where possible).
MAX_SIDE_WORDS = 10
#: Prepositions whose phrase stays inside a noun-phrase side ("logic of the platform",
#: "platform outside the industry"); others ("presence in the retail industry") are circumstance.
KEEP_PREPS = frozenset({"of", "for", "with", "outside", "without", "beyond", "between", "about", "like",
                        "toward", "towards", "against", "over", "within"})
#: Closed-class negators; structural (span growth, negation scope), not a matter of wording.
_NEGATORS = frozenset({"not", "n't", "never", "no", "nor"})
_NOMINAL = frozenset({"NOUN", "PROPN", "PRON", "NUM"})
#: Determiners that point back: a one-word side "this framework" only refers to a framing named elsewhere.
_DEMONSTRATIVES = frozenset({"this", "that", "these", "those", "such"})
_CLAUSAL = frozenset({"advcl", "ccomp", "parataxis", "mark", "csubj"})
_SUBJ = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_COPULAS = frozenset({"be", "become", "remain", "seem", "stay", "turn", "prove"})
_LEAD_TRIM_POS = frozenset({"DET", "PUNCT", "CCONJ", "ADP", "PART", "SCONJ", "AUX"})
_LEAD_TRIM_WORDS = frozenset({"just", "only", "simply", "merely", "also", "even", "still", "so", "more",
                              "rather", "purely", "solely", "again", "mere"})
_TRAIL_TRIM_POS = frozenset({"DET", "PUNCT", "CCONJ", "ADP", "PART", "SCONJ", "AUX"})
_QUOTES = frozenset({'"', "'", "“", "”", "‘", "’", "«", "»", "„"})
_OPENING_QUOTES = frozenset({'"', "“", "‘", "«", "„"})
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
#: Token attributes read in one array per sentence: lemma hash, is_title, is_alpha, length, lower-case hash.
_FEATURES = ("LEMMA", "IS_TITLE", "IS_ALPHA", "LENGTH", "LOWER")


@dataclass
class Frame:
    """One contrast frame in one sentence, in token offsets of the sentence ``Doc``.

    ``old``/``new`` are ``(start, end)`` token spans, or ``None`` when the side is empty.
    ``family`` is the grammar class that found it; ``old_head``/``new_head`` are the lowercase
    lemmas of the sides' syntactic heads ("" for an empty side).
    """

    cue: str
    family: str
    old: tuple[int, int] | None
    new: tuple[int, int] | None
    anchor: int
    speaker: str = "author"
    extra: dict = field(default_factory=dict)
    old_head: str = ""
    new_head: str = ""


# ----------------------------------------------------------------------------- span growth

def _prune(child: "Token", root: "Token") -> bool:
    """Should ``child``'s subtree be left out of the side grown from ``root``?"""
    dep = child.dep_
    if dep in _CLAUSAL:
        return True
    if child.i > root.i:
        parent = child.head
        if dep in {"conj", "cc"} and parent == root and root.pos_ not in _NOMINAL:
            return True  # coordinated predicates/modifiers ("consumer-centered and ... oriented") are a list

        if dep == "prep" and parent.pos_ in _NOMINAL | {"ADJ"} and child.lower_ not in KEEP_PREPS and not (
                parent.pos_ == "ADJ" and parent.dep_ in {"acl", "amod"} and parent.head.i < parent.i
                and parent.head.pos_ in _NOMINAL):
            # (an adjective after its noun keeps its complement: "a business deeply rooted in community")
            return True
        if dep in {"cc", "conj"} and child.pos_ in {"VERB", "AUX"} and root.pos_ in _NOMINAL:
            return True
        if dep == "appos" and any(t.lower_ in _NEGATORS for t in child.children):
            return True  # "a third party, no longer a platform": a restatement with its own negation
        if dep == "punct" and child.lower_ in {",", ";", ":", "(", ")"}:
            return True
        if dep == "relcl" and parent == root and any(c.dep_ in {"compound", "amod"} for c in root.children) \
                and child.doc[child.left_edge.i].lower_ in {"that", "which", "who"}:
            return True  # "instant delivery services that meet the demand": the noun phrase names the side
    return False


def _collect(tok: "Token", out: set[int], lo: int, hi: int, root: "Token") -> None:
    out.add(tok.i)
    for child in tok.children:
        if not (lo <= child.i < hi):
            continue
        if _prune(child, root):
            continue
        _collect(child, out, lo, hi, root)


def grow_side(head: "Token", lo: int = 0, hi: int | None = None, exclude: Iterable[int] = (),
              max_words: int = MAX_SIDE_WORDS) -> tuple[int, int] | None:
    """A noun-phrase-sized token span ``(start, end)`` around ``head``, inside ``[lo, hi)``.

    The span is the contiguous run of ``head``'s pruned subtree around ``head``, with leading
    determiners, punctuation and focus adverbs ("just", "only") and trailing function words
    removed, cut to ``max_words`` words. ``exclude`` tokens (the cue, the other side) end the run.
    """
    doc = head.doc
    hi = len(doc) if hi is None else hi
    if not (lo <= head.i < hi):
        return None
    excluded = set(exclude)
    members: set[int] = set()
    _collect(head, members, lo, hi, head)
    start = end = head.i
    while start - 1 >= lo and (start - 1) in members and (start - 1) not in excluded:
        start -= 1
    while end + 1 < hi and (end + 1) in members and (end + 1) not in excluded:
        end += 1
    end += 1
    if end < hi and doc[end].pos_ in {"NOUN", "PROPN", "ADJ"} and doc[end].dep_ in {"npadvmod", "compound", "amod"}:
        # a coordination cut mid-phrase ("consumer-centered and consumer | behavior-oriented"): drop it
        cc = next((t.i for t in doc[head.i + 1:end] if t.pos_ == "CCONJ"), None)
        if cc is not None:
            end = cc
    start, end = _trim(doc, start, end, head.i)
    if start >= end:
        return None
    return _cap(doc, start, end, head.i, max_words)


def _trim(doc: "Doc", start: int, end: int, head_i: int) -> tuple[int, int]:
    while start < end and start != head_i and (doc[start].pos_ in _LEAD_TRIM_POS
                                               or doc[start].lower_ in _LEAD_TRIM_WORDS
                                               or doc[start].dep_ == "poss" and doc[start].pos_ == "PRON"
                                               or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end - 1 > start and end - 1 != head_i and (doc[end - 1].pos_ in _TRAIL_TRIM_POS
                                                     or doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def _n_words(doc: "Doc", start: int, end: int) -> int:
    return len(_WORD.findall(doc[start:end].text))


def _cap(doc: "Doc", start: int, end: int, head_i: int, max_words: int) -> tuple[int, int]:
    if _n_words(doc, start, end) <= max_words:
        return start, end
    # Keep the head and what precedes it in the phrase, then as much of the right as fits,
    # preferring to stop before a comma, a conjunction or a new clause.
    cut = end
    while cut > head_i + 1 and _n_words(doc, start, cut) > max_words:
        cut -= 1
    if _n_words(doc, start, cut) > max_words:
        start = head_i
        while start > 0 and _n_words(doc, start, cut) < max_words and start - 1 >= 0 and False:
            start -= 1
    best = cut
    for j in range(cut - 1, head_i, -1):
        if doc[j].is_punct or doc[j].pos_ in {"CCONJ", "SCONJ"} or doc[j].dep_ in {"relcl", "acl"}:
            if j - start >= max(1, (cut - start) // 2):
                best = j
            break
    return _trim(doc, start, best, head_i)


# ----------------------------------------------------------------------------- helpers on the tree

def _first_child(tok: "Token", deps: Sequence[str], after: int = -1, before: int | None = None) -> "Token | None":
    before = len(tok.doc) if before is None else before
    for dep in deps:
        for child in tok.children:
            if child.dep_ == dep and after < child.i < before:
                return _flat_run_head(child, after + 1, before)
    return None


def _pobj(prep: "Token") -> "Token | None":
    return _first_child(prep, ("pobj", "pcomp"))


def _is_negated(tok: "Token") -> bool:
    if any(c.dep_ == "neg" or c.lower_ in {"not", "n't", "never"} for c in tok.children):
        return True
    if any(c.lower_ == "longer" and any(g.lower_ == "no" for g in c.children) for c in tok.children):
        return True  # "disappears no longer"
    head = tok.head
    if tok.dep_ in {"pobj", "pcomp"} and head.lower_ == "from" and head.head.lower_ == "far":
        return True  # "the contest is far from over", "far from obsolete"
    # "have not jumped out of", "cannot get rid of": negation on an auxiliary-bearing governor
    if tok.dep_ in {"xcomp", "prt"} and head != tok:
        return any(c.dep_ == "neg" for c in head.children)
    return False


def _complement(pred: "Token", after: int = -1, before: int | None = None) -> "Token | None":
    """The main non-subject argument of a predicate: attribute, object, or object of a preposition."""
    if pred.pos_ in _NOMINAL:
        return pred
    if pred.pos_ == "ADP":
        return _pobj(pred)
    comp = _first_child(pred, ("attr", "dobj", "oprd", "acomp"), after, before)
    if comp is not None:
        return comp
    prep = _first_child(pred, ("prep", "agent", "dative"), after, before)
    if prep is not None:
        obj = _pobj(prep)
        nxt = prep.doc[prep.i + 1] if prep.i + 1 < len(prep.doc) else None
        if obj is None and nxt is not None and nxt.head == pred and nxt.dep_ == "prep" and (
                before is None or nxt.i < before):
            obj = _pobj(nxt)  # a stranded particle passes to the next preposition: "thought of | as X"
        if obj is not None:
            return obj
    comp = _first_child(pred, ("xcomp", "advmod"), after, before)
    if comp is not None and comp.pos_ in {"VERB", "AUX", "ADV", "ADJ"} and comp.lower_ not in _NEGATORS | {"longer"}:
        inner = _complement(comp, after, before)
        return inner if inner is not None else (comp if comp.pos_ in {"VERB", "ADJ"} else None)
    return None


def _np_top(tok: "Token") -> "Token":
    """Climb 'of'-chains to the top noun: "retail" in "redevelopment of new retail" -> "redevelopment"."""
    while tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.pos_ in _NOMINAL:
        tok = tok.head.head
    return tok


def _content(tok: "Token | None") -> bool:
    return tok is not None and not (tok.pos_ == "PRON" or tok.is_punct or tok.lower_ in _NEGATORS)


def _align(old_pred: "Token", new_pred: "Token", old_lo: int, old_hi: int, new_lo: int, new_hi: int
           ) -> tuple["Token | None", "Token | None"]:
    """Pair up parallel arguments of two coordinated predicates and return the first that differ.

    "position digital retail as a platform, but rather position it as an infrastructure":
    objects 'retail'/'it' are skipped (a pronoun restates), the 'as' objects differ.
    """
    def args(pred: "Token", lo: int, hi: int) -> list[tuple[str, "Token"]]:
        out = []
        for child in pred.children:
            if not (lo <= child.i < hi):
                continue
            if child.dep_ in {"attr", "dobj", "oprd", "acomp"}:
                out.append((child.dep_, child))
            elif child.dep_ in {"prep", "agent", "dative"}:
                obj = _pobj(child)
                if obj is not None:
                    out.append((f"prep:{child.lower_}", obj))
            elif child.dep_ in {"xcomp"} and child.pos_ in {"VERB", "AUX"}:
                out.extend(args(child, lo, hi))
        return out

    old_args, new_args = args(old_pred, old_lo, old_hi), args(new_pred, new_lo, new_hi)
    new_by_dep: dict[str, "Token"] = {}
    for dep, tok in new_args:
        new_by_dep.setdefault(dep, tok)
    for dep, tok in old_args:
        other = new_by_dep.get(dep)
        if other is None or not _content(tok) or not _content(other):
            continue
        if tok.lemma_.lower() != other.lemma_.lower():
            return tok, other
    return None, None


def _copular_like(tok: "Token") -> bool:
    return tok.lemma_.lower() in _COPULAS or tok.pos_ == "AUX"


# ----------------------------------------------------------------------------- the reader

class ContrastExtractor:
    """Finds contrast frames in parsed sentences by applying a frame grammar.

    Args:
        frames: a frame grammar: a TOML path, a :class:`~corpus_tools.framing.grammar.FrameGrammar`,
            or ``None`` for the built-in ``data/frame_grammar.toml``.
        max_side_words: cap on the words of each side (default: the grammar's ``max_side_words``).
        families: grammar classes to apply (default: all), e.g. ``["change", "negation"]``.
        frame_filter: a learned filter over the grammar's candidates: ``True`` for the built-in
            :class:`~corpus_tools.framing.frame_filter.FrameFilter` (``data/frame_filter.json``), a
            JSON model path, a ``FrameFilter`` (fitted or not), or ``None``/``False`` for none.

    Call :meth:`fit` with a spaCy pipeline (for its vocabulary) before :meth:`extract`.
    """

    def __init__(self, frames: "str | Path | FrameGrammar | None" = None, max_side_words: int | None = None,
                 families: Sequence[str] | None = None, frame_filter: "FrameFilter | str | Path | bool | None" = None):
        self.frames = frames
        self.max_side_words = max_side_words
        self.families = families
        self.frame_filter = frame_filter

    # -- fitting
    def fit(self, nlp: "Language") -> "ContrastExtractor":
        """Read the grammar and index its words (lemma and lower-case hashes of ``nlp``'s vocabulary)."""
        grammar = load_grammar(self.frames)
        names = grammar.class_names
        wanted = tuple(self.families) if self.families else tuple(names)
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            raise ValueError(f"unknown contrast families: {unknown}; the grammar has {names}")
        index: dict[str, list[tuple[PredicateClass, str, Wording]]] = {}
        for pred in grammar.predicates:
            if pred.name not in wanted:
                continue
            for key, wordings in pred.words.items():
                for wording in wordings:
                    index.setdefault(wording.lemma, []).append((pred, key, wording))
        strings = nlp.vocab.strings
        connectives = {}
        connective_index: dict[int, list[tuple[tuple[int, ...], object]]] = {}
        for conn in grammar.connectives:
            if conn.name not in wanted:
                continue
            connectives[conn.name] = conn
            for words in conn.words:
                hashes = tuple(strings.add(w) for w in words.split())
                connective_index.setdefault(hashes[0], []).append((hashes, conn))
        lemmas = set(index) | {w.capitalize() for w in index}  # spaCy keeps a capital in some lemmas
        self.connective_index_ = connective_index
        # inflected forms of the grammar's words: a headline is re-read only when it holds one, and a
        # verb the lemmatiser got wrong ("waned": "wan") is still found by its regular inflection
        forms = {w for conn in connectives.values() for words in conn.words for w in words.split()}
        inflections: dict[str, str] = {}
        for lemma in index:
            stem = lemma[:-1] if lemma.endswith("e") else lemma
            inflected = {lemma + "s", lemma + "es", lemma + "d", lemma + "ed", stem + "ing",
                         stem + "ed", lemma + lemma[-1:] + "ed", lemma + lemma[-1:] + "ing"}
            forms.update(inflected | {lemma})
            for form in inflected - set(index):
                inflections.setdefault(form, lemma)
        self.inflections_ = inflections
        self.lemma_hashes_ = frozenset(strings.add(w) for w in lemmas | set(inflections))
        self.surface_hashes_ = frozenset(strings.add(w) for w in forms)
        self.grammar_ = grammar
        self.index_ = index
        self.connectives_ = connectives
        # every check list is present (empty when a grammar leaves it out), so readers index them directly
        self.checks_ = {key: grammar.checks.get(key, frozenset()) for key in CHECK_KEYS}
        # nouns of arrival and the preposition of what arrives: "emergence" (of), "search for"
        self.arrival_nouns_ = {w.split()[0]: (w.split()[1:] or ["of"])[0] for w in self.checks_["arrival_nouns"]}
        self.families_ = wanted
        self.max_words_ = self.max_side_words or grammar.max_side_words
        self.nlp_ = nlp
        self.filter_ = _resolve_filter(self.frame_filter)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "index_"):
            raise NotFittedError("ContrastExtractor is not fitted; call fit(nlp) first")

    # -- extraction
    def extract(self, doc: "Doc") -> list[Frame]:
        """All contrast frames of one sentence ``Doc`` (token offsets), deduplicated."""
        self._check_fitted()
        last = next((t for t in reversed(doc) if not t.is_space), None)
        if last is not None and last.text == "?":
            return []  # a question asks about a framing; it does not set one against another
        features = doc.to_array(_FEATURES).tolist()  # lemma, is_title, is_alpha, length per token
        headline = _title_cased(features)
        if headline and any(row[4] in self.surface_hashes_ for row in features):
            # Headlines ("The Stock Market Replaces the Incremental Market") are parsed as strings of
            # proper nouns; read them in sentence case, token for token.
            recased = self._recased(doc)
            if recased is not None:
                doc = recased
                features = doc.to_array(_FEATURES).tolist()
        frames = self._extract(doc, features)
        for frame in frames:
            frame.old_head, frame.new_head = side_head(doc, frame.old), side_head(doc, frame.new)
        if self.filter_ is not None and frames:
            frames = self.filter_.keep(doc, frames, headline)
        return frames

    def _connective_matches(self, features: list) -> list[tuple]:
        """``(connective class, start, end)`` for every occurrence of a connective's words, matched on
        lower-case hashes (what a spaCy ``Matcher`` with ``LOWER`` patterns finds, without building
        tokens for the words that start none)."""
        out = []
        lowers = [row[4] for row in features]
        n = len(lowers)
        index = self.connective_index_
        for i in [i for i, h in enumerate(lowers) if h in index]:  # (most words start no connective)
            for words, conn in index[lowers[i]]:
                end = i + len(words)
                if end <= n and tuple(lowers[i:end]) == words:
                    out.append((conn, i, end))
        return out

    def _recased(self, doc: "Doc") -> "Doc | None":
        nlp = getattr(self, "nlp_", None)
        if nlp is None or not hasattr(nlp, "pipe_names"):
            return None
        words = [t.text if i == 0 or not _capitalised(t.text) else t.text.lower() for i, t in enumerate(doc)]
        text = "".join(w + t.whitespace_ for w, t in zip(words, doc))
        other = nlp(text)
        if len(other) != len(doc) or any(a.text.lower() != b.text.lower() for a, b in zip(other, doc)):
            return None
        return other

    def _extract(self, doc: "Doc", features: list) -> list[Frame]:
        frames: list[Frame] = []
        index = self.index_
        candidates = []
        # the grammar's words are looked up by lemma hash, without building a Token for every word
        hashes = self.lemma_hashes_
        for i in [i for i, row in enumerate(features) if row[0] in hashes or row[4] in hashes]:
            tok = doc[i]
            entries = list(index.get(tok.lemma_) or index.get(tok.lemma_.lower()) or ())
            if not entries and tok.pos_ == "VERB" and tok.lower_ in self.inflections_:
                entries = list(index[self.inflections_[tok.lower_]])  # the lemmatiser's slip: "waned" -> "wan"
            # (the parse is read only for a form that has adjectives: "be" is a candidate in most sentences)
            adjectives = [e for e in index.get(tok.lower_, ()) if e[1] == "adjectives"]
            if adjectives and tok.lower_ != tok.lemma_.lower() and _predicative_participle(tok):
                # a participle the tagger read as a verb ("is outdated": lemma "outdate"; "is gone":
                # "go") is still the grammar's adjective
                entries += adjectives
            if entries:
                # each entry with the tokens of its fixed words, found once for the filters, the reader
                # and the wordings' cover below
                matched = [(e, _match_rest(doc, tok, e[2].rest)) for e in entries]
                candidates.append((tok, [(*e, rest) for e, rest in matched if rest is not None
                                         and not _other_phrasal_verb(tok, e[2]) and not _noun_modifier(tok, e[1], e[2])]))
        # words that are themselves framing predicates ("comes to an end") cannot be an arrival
        self._predicates = {tok.i for tok, entries in candidates
                            if any(r.kind == "subject" for e in entries for r in e[0].forms.get("active", ((),))[0])}
        covered: set[int] = set()  # the fixed words of a wording that read ("reach the end of the road")
        for tok, entries in candidates:
            read = []
            for pred, key, wording, rest in entries:
                try:
                    frame = self._read_predicate(doc, tok, pred, key, wording, rest)
                except IndexError:  # a malformed parse must never stop a corpus run
                    frame = None
                if frame is not None:
                    read.append((wording, rest, frame))
            # the longest wording that reads wins: "brands wave goodbye to the price war" leaves the price
            # war; "wave goodbye" alone ("the old stores are waving goodbye to us") ends its subject
            kept = [(rest, frame) for wording, rest, frame in read
                    if not any(_extends(other, wording) for other, _, _ in read)]
            covered.update(t.i for rest, _ in kept for t in rest)
            frames += [frame for _, frame in kept]
        # a word inside another wording is not a wording of its own: the "end" of "reach the end of the road"
        frames = [f for f in frames if f.anchor not in covered]
        for conn, start, end in self._connective_matches(features):
            reader = getattr(self, f"_read_{conn.reader}")
            try:
                found = reader(doc, start, end, conn)
            except IndexError:
                found = None
            if found is not None:
                found.family = conn.name
                frames.append(found)
        frames = [f for f in frames if not self._literal_frame(doc, f)]
        return _dedupe(frames)

    # -- sides
    def _side(self, head: "Token | None", lo: int = 0, hi: int | None = None, exclude: Iterable[int] = ()):
        if head is None:
            return None
        head = _flat_run_head(head, lo, hi)
        first = _flat_run_start(head, lo)
        first = max(lo, min(first, head.doc[first].left_edge.i)) if first < head.i else first
        span = grow_side(head, lo, hi, exclude, self.max_words_)
        if span is not None and first < span[0] and not any(i in exclude for i in range(first, span[0])):
            span = _trim(head.doc, first, span[1], head.i)
        if span is not None:
            span = self._complemented(head, span, hi, exclude)
        return _polish(head.doc, span, head.i) if span is not None else None

    def _complemented(self, head: "Token", span: tuple[int, int], hi: int | None, exclude: Iterable[int]
                      ) -> tuple[int, int]:
        """Keep a noun's complement ("dependence on platforms", "obsession with scale", [checks]
        noun_complements) in its side, also when the parser hangs the preposition on the verb."""
        doc = head.doc
        hi = len(doc) if hi is None else hi
        end = span[1]
        if end >= len(doc):
            return span
        prep = doc[end]
        pair = f"{_word_lemma(head)} {prep.lower_}"
        if prep.dep_ != "prep" or pair not in self.checks_["noun_complements"] \
                or prep.head not in (head, head.head):
            return span
        if prep.head == head and end >= hi:
            return span
        # (a preposition hung on the verb lies outside the noun's clause bounds, right after it)
        obj = _pobj(prep)
        stop = prep.right_edge.i + 1 if prep.head != head else min(hi, prep.right_edge.i + 1)
        if obj is None or any(i in exclude for i in range(prep.i, stop)):
            return span
        return _cap(doc, span[0], stop, head.i, self.max_words_)

    def _quoted(self, prep: "Token | None") -> tuple[int, int] | None:
        """The words inside a quotation that opens right after ``prep``, when it closes within a side's length."""
        if prep is None:
            return None
        doc = prep.doc
        first = prep.i + 1
        if first + 1 < len(doc) and doc[first].pos_ == "DET" and doc[first + 1].text in _OPENING_QUOTES:
            first += 1  # "from the 'traffic responsibility' of 618"
        if first >= len(doc) or doc[first].text not in _OPENING_QUOTES:
            return None
        close = next((t.i for t in doc[first + 1:min(len(doc), first + self.max_words_ + 3)] if t.text in _QUOTES
                      and t.text not in {"‘", "“"}), None)
        if close is None or close == first + 1 or _n_words(doc, first + 1, close) > self.max_words_:
            return None
        return first + 1, close

    def _widened(self, head: "Token", span: tuple[int, int], hi: int) -> tuple[int, int]:
        """``span`` run on to the end of ``head``'s phrase (its complements too), inside ``hi``."""
        end = min(hi, head.right_edge.i + 1)
        if end <= span[1]:
            return span
        start, end = _trim(head.doc, span[0], end, head.i)
        return _cap(head.doc, start, end, head.i, self.max_words_)

    def _modified_kind(self, head: "Token", span: tuple[int, int]) -> bool:
        """A kind noun narrowed by a clause inside its side ("a place to meet", "places that sell
        books"): a role, where the bare noun ("from place to place") is literal."""
        return self._kind_noun(head) and any((c.dep_ in {"relcl", "acl"} or self._marked_kind(c))
                                             and span[0] <= c.i < span[1] for c in head.children)

    def _marked_kind(self, modifier: "Token") -> bool:
        """An adjective that marks a kind as the old or the new one: "traditional department stores",
        "new convenience stores" name formats, not shops."""
        return modifier.dep_ == "amod" and modifier.lower_ in self.checks_["old_markers"] | self.checks_["new_markers"]

    def _kind_noun(self, tok: "Token") -> bool:
        """Is ``tok`` a literal head that names a kind of thing ([checks] reframable_heads: "store",
        "sale"), which a frame may reframe, rather than a name, a number, a time or a pronoun?"""
        return (tok.pos_ == "NOUN" and not tok.ent_type_ and not tok.like_num and not _counted(tok)
                and _word_lemma(tok) in self.checks_["reframable_heads"])

    def _named_trap(self, head: "Token") -> bool:
        """Is ``head`` a confinement said to trap something ([checks] trap_nouns with a modifier: "the price
        war", "the vicious circle of traffic"), rather than a bare or literal one ("escaped the war",
        "the siege of Shanghai")?"""
        if _word_lemma(head) not in self.checks_["trap_nouns"]:
            return False
        of_objects = [_pobj(c) for c in head.children if c.dep_ == "prep" and c.lower_ == "of"]
        of_objects = [o for o in of_objects if o is not None]
        if any(o.pos_ == "PROPN" or self._literal(o) for o in of_objects):
            return False  # a name or a literal thing: "the siege of Shanghai", "a cycle of 12 months"
        return bool(of_objects) or any(c.dep_ in ("compound", "amod") for c in head.children)

    def _literal(self, tok: "Token") -> bool:
        checks = self.checks_
        lemma = _word_lemma(tok)
        if lemma in checks["period_nouns"]:
            # "the era of 30 yuan" is a price level, where "the era of cheap traffic" names a framing
            of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            amount = _pobj(of) if of is not None else None
            if amount is not None and (amount.like_num or amount.ent_type_ in checks["amount_entities"]
                                       or _counted(amount)):
                return True
        return (lemma in checks["literal_heads"] or tok.ent_type_ in checks["literal_entities"] or tok.like_num
                or tok.pos_ == "PRON" or _counted(tok) or lemma in checks["occasion_nouns"] and _ranked(tok))

    def _literal_frame(self, doc: "Doc", frame: Frame) -> bool:
        if frame.old is not None and frame.new is not None and all(
                all(t.pos_ == "PROPN" or t.is_punct for t in doc[a:b]) for a, b in (frame.old, frame.new)):
            return True  # "JD overtook Alibaba", "from Taobao to Douyin": two names are players, not framings
        sides = [span for span in (frame.old, frame.new) if span is not None]
        # (a name or a date the tagger missed, "opened in May", is no framing to set a kind noun against)
        plain = [(not self._literal(h) and h.pos_ in {"NOUN", "VERB"}) or self._modified_kind(h, sp)
                 for h, sp in ((_span_head(doc, sp), sp) for sp in sides)]
        for span in sides:
            head = _span_head(doc, span)
            reframed = len(sides) == 2 and any(plain) or (frame.extra or {}).get("identity") \
                or (frame.extra or {}).get("dimension")
            extra = frame.extra or {}
            if (extra.get("identity") or extra.get("predicate")) and _word_lemma(head) == "one" \
                    and head.pos_ in {"NOUN", "NUM"} and any(c.dep_ == "amod" for c in head.children):
                # "X is not a traditional one", "X is giving way to a decentralised one": a pro-form for the
                # framing its adjective names ("not an easy one, but worth it" is an evaluation)
                continue
            marked = self._kind_noun(head) and any(self._marked_kind(c) for c in head.children)
            if self._literal(head) and not (reframed and self._kind_noun(head)) and not marked:
                # a shop, a sale, a warehouse set against a framing is a reframing of what it is ("the
                # store is transforming into a fulfilment hub", "subscription is supplanting the
                # one-off sale"); alone, or against another literal, it is an event or a route (unless
                # marked as a kind: "the end of traditional department stores" ends a format)
                return True
            head = _span_head(doc, span)
            if span is frame.old and span[1] - span[0] == 1 and any(
                    c.dep_ == "poss" and c.pos_ == "PRON" for c in head.children):
                return True  # "come to the end of its development": what is set aside is only referred to
            if span[1] - span[0] == 1 and any(
                    c.dep_ == "det" and c.lower_ in _DEMONSTRATIVES and c.i < head.i for c in head.children):
                return True  # "surpassed this framework": the framing is named in another sentence
            if span[1] - span[0] == 1 and head.pos_ == "ADJ" and frame.family in self.connectives_ and not (
                    self.connectives_[frame.family].reader == "fronted_change" and len(sides) == 2
                    and all(_comparative(_span_head(doc, sp)) for sp in sides)):
                # ("From 'More Expensive' to 'More Meaningful'", "From bigger to better": two comparatives
                # name what consumption is oriented to)
                return True  # "not high, but good", "not easy, but necessary": an evaluation, not a framing
            if span[1] - span[0] == 1 and len(head.text) == 1 and head.is_alpha:
                return True  # "to end B", "from C to B": a letter is a label, not a framing
        return False

    # -- predicate classes
    def _read_predicate(self, doc: "Doc", tok: "Token", pred: PredicateClass, key: str, wording: Wording,
                        rest: list["Token"]) -> Frame | None:
        """A frame of ``wording`` at ``tok`` (``rest``: the tokens of its fixed words), or None."""
        pos = tok.pos_
        if key == "verbs":
            if pos not in {"VERB", "AUX"}:
                return None
            # (a participle on a noun is a passive too: "the traffic model, abandoned by most brands, ...")
            form = "passive" if any(c.dep_ in {"nsubjpass", "auxpass"} for c in tok.children) or (
                tok.dep_ == "acl" and tok.tag_ == "VBN" and tok.head.pos_ in _NOMINAL) else "active"
        elif key == "nouns":
            if pos not in {"NOUN", "PROPN", "X", "INTJ"} or any(
                    c.dep_ == "compound" or c.dep_ == "amod" and _word_lemma(c) in self.checks_["part_modifiers"]
                    for c in tok.children):
                return None  # "the front end", "a back end" are not an ending ("a significant shift away from X" is)
            if tok.dep_ == "dobj" and tok.head.lemma_.lower() in self.checks_["countering_verbs"]:
                return None  # "resisting the fall of X": the ending is held off, not claimed
            if tok.dep_ == "pobj" and tok.head.lower_ in self.checks_["position_preps"]:
                return None  # "at the end of the year", "by the end of the chain": a time or a place, not an ending
            if wording.text in self.checks_["bare_nouns"] and any(c.dep_ == "det" for c in tok.children):
                return None  # "X is history" frames X; "X is a history of retail" describes it
            cycle = self.checks_["cycle_nouns"]
            partners = ([tok.head] if tok.dep_ == "conj" else []) + [c for c in tok.children if c.dep_ == "conj"]
            if any(p.lemma_.lower() in cycle and not (_has_of(p) and _has_of(tok)) for p in partners):
                # "the rise and fall of X", "the growth and decline of X" (one of-object for both): a
                # history, not an ending; "the fall of X and the rise of Y" sets two things against each other
                return None
            if any(c.dep_ == "poss" and (c.lower_ in self.checks_["personal_possessives"] or c.ent_type_ == "PERSON")
                   for c in tok.children):
                return None  # "announced his exit from the industry": a person's move, not a reframing
            form = "nominal"
        else:
            if pos not in {"ADJ", "ADV", "ADP", "VERB"} or tok.dep_ in {"amod", "compound", "prep", "prt"}:
                return None  # (nor a particle of another verb: "Y is set to take over", "taking over the sites")
            form = "adjectival"
        roles = pred.forms.get(form)
        if roles is None:
            return None
        group = [tok, *rest]
        if any(r.head.pos_ == "VERB" and r.head not in group and tok.i < r.head.i < r.i for r in rest):
            return None  # "Hema is rapidly taking over": the particle belongs to another verb, not "be over"
        head = next((t for t in group if t.head not in group or t.head == t), tok)
        if any(_is_negated(t) for t in group) or (form == "adjectival" and _is_negated(tok.head)) or (
                form == "nominal" and tok.dep_ == "attr" and _is_negated(tok.head)):
            return None  # (also "X is not a thing of the past": the copula carries the negation)
        if _negated_by_coordination(head):
            return None  # "cannot subvert and replace X": the negation covers both verbs
        if _denied_content(head, self.checks_["affirming_when_negated"]):
            return None  # "is not a sign that shoppers are abandoning X", "does not mean that X ends": denied
        if form == "active" and _keeps_from_doing(head):
            return None  # "avoid X from falling into Y" protects X; it does not leave it
        used = {t.i for t in group}
        last = rest[-1] if rest else None
        if last is not None and last.pos_ == "ADP" and not any(r.kind == "object" for side in roles for r in side) \
                and any(c.dep_ in {"pobj", "prep"} and c not in group for c in last.children):
            return None  # "has been all over the Internet", "faded out of the public eye": a preposition, not "over"
        old_roles, new_roles = roles
        if form == "nominal" and _word_lemma(tok) in self.checks_["mover_nouns"]:
            # "the return of the Internet to rational development": the of-object is what moves
            old_roles = tuple(r for r in old_roles if not (r.kind == "prep" and tuple(r.preps) == ("of",)))
        if form == "active" and old_roles[0].kind == "subject" and not rest and any(
                c.dep_ == "dobj" for c in head.children):
            # a transitive use of an intransitive class ("brands must end the price war"): what ends is
            # the object, not the subject that ends it
            old_roles = (Role("object"),)
        old_head, old_prep = self._first_role(old_roles, head, last, used, form)
        if wording.text in self.checks_["period_only"] and (
                old_head is None or old_head.lemma_.lower() not in self.checks_["filled_periods"]):
            return None  # "the days of X are numbered" ends X; "the pages are numbered" counts pages
        old_head = _through_time_noun(old_head, self.checks_["filled_periods"])
        if old_head is None or not _content(old_head):
            return None
        used_old = used | ({old_prep.i} if old_prep is not None else set())
        new_head, new_prep = self._first_role(new_roles, head, last, used_old | {old_head.i}, form, old_head)
        if new_head is not None and not _content(new_head):
            new_head = None
        trapped = pred.alone_when_trapped and self._named_trap(old_head)
        if pred.require_new and new_head is None and not trapped:
            return None
        if new_prep is not None and old_prep is not None and old_prep.lower_ == "from" and self._moved_object(head, {old_head, new_head}):
            return None
        if old_prep is not None and old_prep.lower_ == "from" and form == "active":
            subj = _subject(head)
            if subj is not None and old_prep.i < subj.i < head.i:
                return None  # a fronted "From X to Y, ..." is the fronted-change reader's (ranges, lists)
        stops = used | {p.i for p in (old_prep, new_prep) if p is not None}
        old = self._side(old_head, *_bounds(old_head, head, old_prep), exclude=stops | ({new_head.i} if new_head else set()))
        if old is None:
            return None
        if pred.old_marked and not any(t.lower_ in self.checks_["old_markers"] for t in doc[old[0]:old[1]]):
            return None  # "change the original model" sets a framing aside; "change the model" is an act
        new = None
        if new_head is not None:
            new = self._side(new_head, *_bounds(new_head, head, new_prep), exclude=stops | set(range(*old)))
            if new is not None and (_overlap(old, new) or _same_text(doc, old, new)):
                new = None
            if new is None and pred.require_new and not trapped:
                return None
        if new is not None and old_prep is not None and old_prep.lower_ == "from" and _range_goes_on(doc, new):
            return None  # "evolved from A to B, to C, and now D", "from A to B, from C to D": a list of stages
        if new is None and _in_condition(head):
            return None  # "when the dividend of X comes to an end, ...": the background of a claim, not the claim
        if new is not None and all(r.kind == "prep" for r in old_roles) and all(r.kind == "object" for r in new_roles) \
                and old_prep is not None and old_prep.lower_ == "from" and _word_lemma(new_head) != _word_lemma(old_head) \
                and _word_lemma(new_head) not in self.checks_["period_nouns"]:
            # "enter Y from X" sets two periods or modes against each other ("enter the era of retention
            # from the era of traffic"); "entering the retail industry from the changes of the times" enters a market
            return None
        # "from 'people finding goods' to 'goods finding people'": a quoted phrase after the preposition
        # is the side, however the parser reads the words inside it
        quoted_old, quoted_new = self._quoted(old_prep), self._quoted(new_prep)
        if quoted_old is not None and (new is None or not _overlap(quoted_old, new)):
            old = quoted_old
        if quoted_new is not None and new is not None and not _overlap(quoted_new, old):
            new = quoted_new
        return Frame(_cue(pred.cue, tok, wording, form, new is not None), pred.name, old, new, tok.i,
                     extra={"predicate": wording.text})

    def _first_role(self, roles: Sequence[Role], pred: "Token", last: "Token | None", used: set[int], form: str,
                    other: "Token | None" = None) -> tuple["Token | None", "Token | None"]:
        for role in roles:
            found, prep = self._role(role, pred, last, used, form, other)
            if found is not None and found.i not in used and (other is None or found != other):
                return found, prep
        return None, None

    def _role(self, role: Role, pred: "Token", last: "Token | None", used: set[int], form: str,
              other: "Token | None") -> tuple["Token | None", "Token | None"]:
        kind = role.kind
        if kind == "prep":
            found = _prep_object(pred, role.preps, used)
            particle = last is not None and last.pos_ == "ADP" and last.i != pred.i
            hung = role.preps if form == "nominal" else tuple(p for p in role.preps if p in self.checks_["weighing_preps"])
            if found[0] is None and hung and form != "nominal" and not particle:
                # "prioritise growth over satisfaction": the weighing phrase hung on the verb's object
                obj = _first_child(pred, ("dobj",), after=pred.i)
                for holder in ([obj, *(c for c in obj.children if c.dep_ == "conj")] if obj is not None else []):
                    weighed = _prep_object(holder, hung, used)  # (or on its last conjunct: "X and Y over Z")
                    if weighed[0] is not None:
                        return weighed
                return found
            if found[0] is None and hung and (form == "nominal" or particle):
                # "the preference for Y | over X", "the conversion of X | into Y", "focus on Y | over X":
                # the parser hangs the phrase on the object of the word's particle, or of a noun's of-phrase
                # (on a verb's particle only a preposition that weighs one thing against another: in "get
                # rid of the bias towards X", "towards X" is the bias's own)
                preps = [last] if particle else [
                    c for c in pred.children if c.dep_ == "prep" and c.lower_ == "of"]
                obj = _pobj(preps[0]) if preps else None
                if obj is not None:
                    found = _prep_object(obj, hung, used)
            return found
        if kind == "object":
            if last is not None and last.i != pred.i:
                obj = _first_child(last, ("pobj", "pcomp", "dobj"))
                if obj is not None:
                    return obj, last
                if last.lower_ == "to" and last.dep_ == "aux" and last.head.pos_ in {"NOUN", "PROPN"} \
                        and last.head.i > last.i:
                    # the particle taken for an infinitive marker, its object for a verb ("say goodbye
                    # to | platform dependence" parsed as "to platform" + object "dependence")
                    return last.head, last
                if last.pos_ == "ADP" or last.dep_ in {"prep", "prt", "dative"}:
                    # the particle's object is sometimes attached to the verb ("say goodbye | to X")
                    prep = next((c for c in pred.children if c.dep_ in {"prep", "dative"} and c.lower_ == last.lower_
                                 and c.i >= last.i), None)
                    if prep is not None and _pobj(prep) is not None:
                        return _pobj(prep), prep
                    obj = _first_child(pred, ("dobj",), after=last.i)
                    if obj is None and last.dep_ in {"prt", "advmod"}:
                        obj = _first_child(pred, ("dobj",), after=pred.i, before=last.i)  # "give X up"
                    return obj, None
            obj = _first_child(pred, ("dobj", "obj"), after=pred.i)
            if obj is None and form != "nominal":
                inner = _first_child(pred, ("xcomp",), after=pred.i)
                if inner is not None and inner.pos_ in {"VERB", "AUX"}:
                    # "stop using the logic of X": what was used; "stop thinking of X as A": the view A
                    regarded = _regarded_as(inner, self.checks_["saying_verbs"])
                    obj = regarded[1] if regarded is not None else _complement(inner, after=inner.i)
            return obj, None
        if kind == "subject":
            if form in {"nominal", "adjectival"}:
                return _holder(pred), None
            if (pred.dep_ == "relcl" or pred.dep_ == "acl" and form == "passive") and pred.head.pos_ in _NOMINAL:
                return pred.head, None
            return _subject(pred), None
        if kind == "holder":
            return _holder(pred), None
        if kind == "adopt":
            return self._adopted(pred, used)
        if kind == "arrival":
            return self._arriving(pred, used, other)
        if kind == "counter":
            return self._counter(pred, used, other)
        if kind == "antecedent":
            return _antecedent(pred), None
        if kind == "means":
            return self._means(pred, used), None
        if kind == "restated":
            return self._restated_head(pred, used), None
        return None, None

    def _means(self, pred: "Token", used: set[int]) -> "Token | None":
        """What is taken up to bring the change about: the object of a verb of adoption ([checks]
        adopt_verbs) whose to-infinitive of purpose holds the predicate ("use a new model to develop
        retail, to change the original model")."""
        adopt = self.checks_["adopt_verbs"]
        tok = pred
        for _ in range(3):
            if tok.dep_ not in {"xcomp", "advcl", "conj"} or tok.head == tok \
                    or not any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
                return None
            tok = tok.head
            if tok.pos_ == "VERB" and tok.lemma_.lower() in adopt:
                obj = _first_child(tok, ("dobj",), after=tok.i, before=pred.i)
                return obj if _content(obj) and obj.i not in used else None
        return None

    def _restated_head(self, pred: "Token", used: set[int]) -> "Token | None":
        """The predicate noun of a following clause that restates the subject: "stopped being X;
        they have become Y" (see :meth:`_restated`)."""
        doc = pred.doc
        if not any(c.dep_ in {"xcomp", "ccomp"} and c.lemma_.lower() in {"be", "become"} for c in pred.children):
            return None  # only what the subject was ("stopped being X") is restated; "stopped the sale" is an act
        after = max(used | {pred.i}) + 1
        for tok in pred.subtree:
            if tok.dep_ == "attr" and tok.i >= after:
                after = max(after, tok.right_edge.i + 1)  # past the old side's own predicate noun
        head = _np_top(pred) if pred.pos_ in _NOMINAL else pred
        found = self._restated(head, (after, after), subject=_subject(pred))
        return _span_head(doc, found) if found is not None else None

    def _adopted(self, pred: "Token", used: set[int]) -> tuple["Token | None", "Token | None"]:
        """What a leaving makes way for: a coordinated verb of adoption ("and enter Y"), or a means ("through Y")."""
        adopt = self.checks_["adopt_verbs"]
        top = pred.head if pred.dep_ in {"xcomp", "advcl"} and pred.head != pred else pred
        after = max(used) if used else pred.i
        # a coordinated verb of adoption anywhere in the clause after X ("began to bid farewell to X,
        # and entered Y"; the parser may hang it on a relative clause inside X)
        for conj in top.subtree:
            if conj.dep_ != "conj" or conj.i <= after or conj.lemma_.lower() not in adopt:
                continue
            if conj.pos_ in _NOMINAL:  # a verb tagged as a noun: its prepositional object
                prep = _first_child(conj, ("prep",))
                head = _pobj(prep) if prep is not None else None
                if _content(head):
                    return head, conj  # (the verb then ends the old side it hangs on: "X and moves towards Y")
            else:
                head = _complement(conj, after=conj.i)
                inner = _first_child(conj, ("xcomp",), after=conj.i)
                regarded = _regarded_as(inner, self.checks_["saying_verbs"]) if inner is not None else None
                if regarded is not None:
                    # "... and start treating it as B": the new view of the same thing (a pronoun
                    # pointing back, or the same noun); a view of something else is no new side
                    thing, view = regarded
                    was = _first_child(pred, ("xcomp",))
                    before = _regarded_as(pred if was is None else was, self.checks_["saying_verbs"])
                    same = thing.lower_ in _RESTATING_PRONOUNS | {"them"} or (
                        before is not None and _word_lemma(before[0]) == _word_lemma(thing))
                    head = view if same else None
            if _content(head):
                return head, None
        # a leaving participle before its clause's verb of adoption ("Breaking out of X, brands are entering Y")
        if pred.dep_ == "advcl" and pred.tag_ == "VBG" and pred.i < pred.head.i and pred.head.lemma_.lower() in adopt:
            head = _complement(pred.head, after=pred.head.i)
            if _content(head):
                return head, None
        # a participle of adoption after X ("surpassed X, embarking on Y")
        for part in pred.children:
            if part.dep_ == "advcl" and part.tag_ == "VBG" and part.i > after and part.lemma_.lower() in adopt:
                head = _complement(part, after=part.i)
                if _content(head):
                    return head, None
        for prep in pred.children:
            if prep.dep_ == "prep" and prep.lower_ in self.checks_["means_preps"] and prep.i > after:
                obj = _pobj(prep)
                if _content(obj):
                    return obj, prep
        return None, None

    def _arriving(self, pred: "Token", used: set[int], old: "Token | None") -> tuple["Token | None", "Token | None"]:
        """The subject of a verb of arrival in the same sentence ("X fades away, Y is approaching")."""
        arrival = self.checks_["arrival_verbs"]
        # "X disappears, replaced by Y": a participle of replacement on the ending verb names what comes
        # (on the verb an ending adjective completes: "X has proven ineffective, replaced by Y")
        completed = [pred.head] if pred.dep_ in {"acomp", "oprd"} and pred.head != pred else []
        for part in [c for t in (pred, *completed) for c in t.children]:
            if part.dep_ in {"advcl", "conj", "xcomp"} and part.tag_ == "VBN" and part.i > pred.i \
                    and part.lemma_.lower() in self.checks_["replacing_participles"]:
                agent = next((c for c in part.children if c.dep_ in {"agent", "prep"} and c.lower_ == "by"), None)
                obj = _pobj(agent) if agent is not None else None
                if obj is not None and _content(obj) and obj.i not in used:
                    return obj, None
        for tok in pred.doc:
            if tok.pos_ in _NOMINAL and tok.lemma_.lower() in self.arrival_nouns_ and tok.i not in used:
                prep = self.arrival_nouns_[tok.lemma_.lower()]
                obj = _pobj(next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == prep), tok))
                if obj is not None and obj != old and _content(obj) and (old is None or obj not in old.subtree) \
                        and not self._literal(obj):  # "at the beginning of the year" dates; nothing arrives
                    return obj, None  # "the emergence of Y announces the end of X"
                continue
            here = tok.lemma_.lower() == "be" and any(c.dep_ == "advmod" and c.lower_ in self.checks_["arrival_adverbs"] and c.i > tok.i for c in tok.children)  # "the age of Y is here"
            if tok.i in used or tok.pos_ not in {"VERB", "AUX"} or (tok.lemma_.lower() not in arrival and not here) \
                    or tok.i in self._predicates or _is_negated(tok) or pred.head == tok and not (
                        # "X has come to an end; Y has arrived": the parser hangs the first clause on the second
                        pred.dep_ == "ccomp" and any(t.text == ";" for t in pred.doc[pred.i:tok.i])) \
                    or (pred.head.dep_ == "prep" and pred.head.head == tok) \
                    or any(c.dep_ in {"xcomp", "dobj"} for c in tok.children) \
                    or (tok.lemma_.lower() in {"start", "begin"} and tok.i + 1 < len(tok.doc)
                        and tok.doc[tok.i + 1].lower_ == "to"):  # "start to dwindle", the verb taken for a noun
                # (an aspectual "began to X" or "started a Y" is no arrival)
                continue  # "X has come to the end of ...": the verb of the ending itself
            if old is not None and tok in old.subtree:
                continue
            subj = _subject(tok) if tok.dep_ != "conj" or any(c.dep_ in _SUBJ for c in tok.children) else None
            if subj is not None and subj != old and _content(subj):
                return subj, None
        return None, None

    def _counter(self, pred: "Token", used: set[int], old: "Token | None") -> tuple["Token | None", "Token | None"]:
        """The subject of an opposite movement in a clause linked to ``pred`` ("X weakens, while Y
        strengthens", "as X fades, Y rises", "X declines and Y grows")."""
        rising, links = self.checks_["rising_verbs"], self.checks_["counter_links"]
        top = pred
        while top.dep_ == "xcomp" and top.head != top:
            top = top.head  # "continues to weaken": the clause is the aspectual verb's
        pairs = [(c, c) for c in top.children if c.dep_ in {"advcl", "conj"} and c.pos_ in {"VERB", "AUX"}]
        if top.dep_ in {"advcl", "conj"} and top.head != top:
            pairs.append((top.head, top))  # (the other verb, the dependent clause that carries the link)
        for verb, clause in pairs:
            if verb.i in used or _is_negated(verb):
                continue
            words = [c for c in clause.children if c.dep_ == "mark"]
            if clause.dep_ == "conj":
                words += [c for c in clause.head.children if c.dep_ == "cc" and c.i < clause.i]
            if not any(w.lower_ in links for w in words):
                continue
            moving = verb if verb.lemma_.lower() in rising else next(
                (c for c in verb.children if c.dep_ == "xcomp" and c.lemma_.lower() in rising), None)
            if moving is None or _is_negated(moving):
                continue
            subj = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
            if subj is not None and subj != old and _content(subj) and (old is None or subj not in old.subtree):
                return subj, None
        return None, None

    def _moved_object(self, verb: "Token", sides: set) -> bool:
        """"moved goods from the warehouse to the store": with a direct object that is not an orientation
        ("shifted their focus from X to Y"), a from-to phrase is where the object goes."""
        if verb.pos_ not in {"VERB", "AUX"}:
            return False
        obj = _first_child(verb, ("dobj",))
        if obj is None or obj in sides:  # "shifting from X to Y" with Y mis-parsed as the object
            return False
        return _word_lemma(obj) not in self.checks_["reframing_objects"]

    def _through_light(self, tok: "Token | None") -> "Token | None":
        """"put more emphasis on X", "pay attention to X": the orientation noun points at the framing."""
        if tok is None or _word_lemma(tok) not in self.checks_["reframing_objects"]:
            return tok
        prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ in {"on", "to", "upon"}), None)
        if prep is None and tok.head.pos_ in {"VERB", "AUX"}:
            prep = next((c for c in tok.head.children if c.dep_ == "prep" and c.lower_ in {"on", "to", "upon"}
                         and c.i > tok.i), None)
        obj = _pobj(prep) if prep is not None else None
        return obj if obj is not None else tok

    # -- connective readers
    def _read_negation(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"not X, but Y" (also "no longer", "never", "not just"); "not only X, but also Y" adds and yields nothing."""
        checks = self.checks_
        but = doc[start]
        if but.pos_ not in {"CCONJ", "SCONJ", "ADP", "ADV"}:
            return None
        anchor = but.head
        if anchor == but:
            return None
        nxt = doc[but.i + 1] if but.i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ == "SCONJ":
            return None  # "..., but if I say Y": a new sentence-level move, not the corrected side
        neg = _find_negation(anchor, but.i, checks["negators"] or _NEGATORS)
        if neg is None and anchor.dep_ in {"relcl", "acl", "advcl"}:
            restated = self._relative_swallowed(doc, anchor, but, conn)
            if restated is not None:
                return restated
        if neg is None and anchor.pos_ in _NOMINAL and anchor.head != anchor:
            # "is not just clicks, but loyal members": the negator sits on the copula
            neg = _negator_before(anchor.head, anchor.i)
        first_prep = anchor if anchor.pos_ == "ADP" and anchor.dep_ == "prep" else (
            anchor.head if anchor.dep_ in {"pobj", "pcomp"} and anchor.head.pos_ == "ADP" else None)
        if neg is None and first_prep is not None:
            # "is not about X but about Y": the negator sits on the verb of the first preposition
            # ("is no longer about X but about Y": on its "longer")
            neg = _negator_before(first_prep.head, first_prep.i)
        if neg is None:
            return None
        restrictive_words = checks["restrictive"]
        restrictive = any(doc[j].lower_ in restrictive_words for j in range(neg.i + 1, min(neg.i + 3, but.i)))
        lead = [t.lower_ for t in doc[but.i + 1: but.i + 4]]
        additive = checks["additive"]
        if any(w in additive for w in lead[:3]) or any(
                t.lower_ in additive and t.i > but.i for t in anchor.subtree if t.head.dep_ == "conj"
                and t.head.head == anchor and t.head.i > but.i and t.dep_ == "advmod"):
            return None  # "not only X, but also Y" adds
        if restrictive and lead and lead[0] in checks["additive_after_restrictive"]:
            return None  # "not only X, but more Y"
        conj = _first_child(anchor, ("conj",), after=but.i)
        if first_prep is not None and (conj is None or anchor == first_prep):
            # "is not about selling goods but about serving people": the prepositions are coordinated
            other = _first_child(first_prep, ("conj",), after=but.i)
            first_obj = _first_child(first_prep, ("pobj", "pcomp"))
            if other is not None and other.pos_ == "ADP" and other.lower_ == first_prep.lower_ \
                    and first_obj is not None:
                conj = _first_child(other, ("pobj", "pcomp"))
                if conj is not None:
                    old = self._side(first_obj, neg.i + 1, but.i)
                    new = self._side(conj, other.i + 1, _clause_end(doc, conj))
                    if old is None or new is None or _overlap(old, new):
                        return None
                    return Frame(f"{_negator_text(neg)} {other.lower_} X, but {other.lower_} Y", conn.name, old, new,
                                 but.i)
        only = restrictive and any(doc[j].lower_ == "only" for j in range(neg.i + 1, min(neg.i + 3, but.i)))
        if conj is None and anchor.pos_ in {"VERB", "AUX"} and not only:
            # "is no longer just for matching, but for empowerment": the same preposition on the verb on
            # both sides of "but"
            after = next((c for c in anchor.children if c.dep_ == "prep" and c.i > but.i), None)
            before = next((c for c in anchor.children if c.dep_ == "prep" and neg.i < c.i < but.i
                           and after is not None and c.lower_ == after.lower_), None)
            if before is not None and _pobj(before) is not None and _pobj(after) is not None:
                old = self._side(_pobj(before), before.i + 1, but.i)
                new = self._side(_pobj(after), after.i + 1, _clause_end(doc, after))
                if old is None or new is None or _overlap(old, new):
                    return None
                return Frame(f"{_negator_text(neg)} {after.lower_} X, but {after.lower_} Y", conn.name, old, new, but.i)
        if conj is None:
            return None
        if only and not (conj.pos_ in {"VERB", "AUX"} and conj.lemma_ == anchor.lemma_):
            # "not only X, but Y" corrects only when it restates the same act ("not only pay attention
            # to X, but pay attention to Y"); otherwise two things add up
            return None
        # "are no longer just hunting for X, but are paying ...": the parser may hang the negated
        # progressive on its auxiliary as a clause of its own; the first verb phrase is then that participle's
        old_verb = _hung_participle(anchor, neg, but) if conj.pos_ == "VERB" else None
        if old_verb is not None:
            old_head, new_head = _complement(old_verb, after=old_verb.i, before=but.i), _complement(conj, after=conj.i)
        else:
            old_head, new_head = _negated_sides(anchor, neg, but, conj)
        if old_head is None or new_head is None:
            return None
        # "are no longer looking for X, but paying attention to Y", "did not compete on X but built Y": two
        # coordinated verb phrases, each side the object of its own verb, so a direct object may answer a
        # prepositional one (the verbs, not the roles, are what run parallel)
        means = checks["means_preps"]
        old_verb = old_verb or anchor
        phrases = _coordinated_phrases(old_verb, conj) and _object_of(old_head, old_verb, means) \
            and _object_of(new_head, conj, means)
        if old_verb is not anchor and not phrases:
            return None
        if phrases:
            old_head, new_head = self._through_light(old_head), self._through_light(new_head)
        if not phrases and _unparallel(old_head, new_head):
            return None  # "will not access X, but through Y": an object set against a means is no reframing
        if (old_head.pos_ in {"ADJ", "ADV"} or old_head.dep_ == "acomp") and any(c.dep_ == "advmod" and c.lower_ in {"as", "so"} and c.i < old_head.i
                                                  for c in old_head.children):
            return None  # "is not as big as it used to be, but ...": a comparison of degree, not a framing
        if conj.pos_ in {"VERB", "AUX"} and conj != anchor and any(c.dep_ == "neg" for c in conj.children):
            return None  # "not X, but that does not offset Y": a concession with its own negation corrects nothing
        old = self._side(old_head, neg.i + (3 if _by_no_means(neg) else 1), but.i)
        new = self._side(new_head, but.i + 1, _clause_end(doc, conj))
        if old is None or new is None:
            return None
        if _same_text(doc, old, new):
            # "not a response to X, but a response to Y": the sides differ only in what the pruned
            # complements say; keep them
            old = self._widened(old_head, old, but.i)
            new = self._widened(new_head, new, _clause_end(doc, conj))
            if _same_text(doc, old, new):
                return None
        words = [doc[neg.i].lower_]
        if neg.lower_ == "no" and neg.i + 1 < len(doc) and doc[neg.i + 1].lower_ == "longer":
            words = ["no longer"]
        elif _by_no_means(neg):
            words = ["by no means"]
        elif restrictive:
            words.append(next(doc[j].lower_ for j in range(neg.i + 1, min(neg.i + 3, but.i))
                              if doc[j].lower_ in restrictive_words))
        cue = f"{' '.join(words)} X, but Y"
        if nxt is not None and nxt.lower_ == "rather":
            cue = f"{' '.join(words)} X, but rather Y"
        return Frame(cue, conn.name, old, new, but.i)

    def _read_negation_only(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"There will be no X, only Y": a negated nominal, then a restrictive "only Y" naming what remains."""
        only = doc[end - 1]
        new_head = only.head
        if new_head.pos_ not in _NOMINAL or new_head.i < only.i:
            return None
        negators = self.checks_["negators"] or _NEGATORS
        neg = next((t for t in reversed(doc[:start]) if t.lower_ in negators), None)
        if neg is None:
            return None
        lo = neg.i + 1
        if neg.dep_ == "det" and neg.head.pos_ in _NOMINAL and neg.head.i < start:
            old_head = neg.head
        elif neg.head.lower_ == "more" and neg.head.head.pos_ in _NOMINAL and neg.head.head.i < start:
            old_head, lo = neg.head.head, neg.head.i + 1  # "no more department stores, only Y"
        else:
            pred = neg.head
            old_head = _complement(pred, after=neg.i, before=start)
        if not _content(old_head) or not _content(new_head) or old_head.i <= neg.i:
            return None
        old = self._side(old_head, lo, start)
        new = self._side(new_head, end, _clause_end(doc, new_head))
        if old is None or new is None or _overlap(old, new):
            return None
        said = "no more" if lo > neg.i + 1 else neg.lower_
        return Frame(f"{said} X, {only.lower_} Y", conn.name, old, new, neg.i)

    def _read_appositive_negation(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"Y, not X": a negated appositive or conjunct after a comma or dash."""
        if start == 0 or doc[start - 1].text not in {",", ";", "-", "—"}:
            return None
        neg = doc[start]
        restr = doc[start + 1].lower_ if start + 1 < len(doc) and doc[start + 1].lower_ in self.checks_["restrictive"] else ""
        if restr == "only":
            return None  # ", not only X, ... also Y" adds; "Y, not just X" corrects
        old_head = neg.head
        if old_head.i < neg.i and old_head.pos_ in _NOMINAL:
            # "a real business, not a side project": the negator hangs on Y, X is its appositive
            old_head = next((c for c in old_head.children if c.dep_ in {"appos", "conj", "npadvmod"}
                             and c.i > neg.i), None)
            if old_head is None:
                return None
        gerund = old_head.tag_ == "VBG" and old_head.dep_ in {"appos", "conj"}  # "Polarization, not downgrading"
        if old_head == neg or old_head.pos_ not in _NOMINAL | {"ADJ"} and not gerund or old_head.i < neg.i:
            return None
        if any(t.lower_ == "but" and t.i > neg.i for t in doc[neg.i: min(len(doc), old_head.right_edge.i + 3)]):
            return None  # "X, not Y, but Z" is the negation reader's
        attach = old_head.head
        if attach == old_head or attach.i > neg.i:
            return None
        if old_head.dep_ in {"appos", "conj", "npadvmod", "dep", "attr", "dobj"} and attach.pos_ in _NOMINAL | {"ADJ"}:
            new_head = _np_top(attach)
        elif attach.pos_ in {"VERB", "AUX"}:
            new_head = _complement(attach, before=start - 1)
        else:
            return None
        if not _content(new_head):
            return None
        old = self._side(old_head, neg.i + 1, _clause_end(doc, old_head))
        new = self._side(new_head, 0, start - 1)
        if old is None or new is None:
            return None
        return Frame(f"Y, not {restr + ' ' if restr else ''}X", conn.name, old, new, neg.i)

    def _read_preference(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"Y rather than X" / "rather than X, Y" (and "instead of", "as opposed to", ...)."""
        words = doc[start:end].text.lower()
        rather, than = doc[start], doc[end - 1]
        if start > 0 and doc[start - 1].lower_ == "but":
            return None  # "but rather" is part of "not X, but rather Y"
        old_head = _pobj(than)
        if old_head is None:
            for tok in (than, rather):
                if tok.dep_ in {"cc", "advmod", "prep"} and tok.head != tok:
                    old_head = _first_child(tok.head, ("conj", "pobj", "pcomp", "dobj", "attr"), after=than.i)
                    if old_head is not None:
                        break
        if old_head is None:
            old_head = next((t for t in doc[end:] if t.pos_ in _NOMINAL | {"VERB", "ADJ"} and not t.is_punct), None)
        if old_head is None:
            return None
        old_end = _clause_end(doc, old_head)
        if old_head.pos_ == "VERB" and old_head.lemma_.lower() in self.checks_["saying_verbs"] and not any(
                t.lemma_ == old_head.lemma_ and t.pos_ in {"VERB", "AUX"} for t in doc[old_end + 1:]):
            # (a restatement with the same verb, "rather than seeing X as A, see X as B", is aligned below)
            # "rather than saying X is a platform, ...": what is rejected is what X is said to be
            said = _first_child(old_head, ("ccomp", "oprd"))
            said = _first_child(said, ("attr", "acomp")) if said is not None and said.pos_ in {"VERB", "AUX"} else said
            if said is None:
                as_ = next((c for c in old_head.children if c.dep_ == "prep" and c.lower_ == "as"), None)
                said = _pobj(as_) if as_ is not None else None
            if said is None:
                # "rather than seeing X as the coat of Y, ...": the parser took "as" for a clause's
                # marker; the view is that clause's subject
                clause = next((c for c in old_head.children if c.dep_ == "advcl" and any(
                    m.dep_ == "mark" and m.lower_ == "as" and m.i > old_head.i for m in c.children)), None)
                said = _subject(clause) if clause is not None else None
                if said is not None and not any(m.lower_ == "as" and m.i < said.i for m in clause.children):
                    said = None
            if _content(said):
                old_head = said
        fronted = all(t.is_punct or t.pos_ in {"ADV", "CCONJ"} for t in doc[:start]) or (
            start > 0 and doc[start - 1].is_punct and than.head.i > old_end)
        attach = than.head if than.dep_ in {"prep", "cc"} else rather.head
        if attach in (rather, than) or start <= attach.i < end:
            attach = attach.head
        new_head = None
        if fronted and attach.i > end:
            # "Rather than X, Y ..." / "Instead of X, Y is the key"
            if old_head.pos_ in {"VERB", "AUX"}:
                for cand in [attach, *attach.subtree]:
                    if cand.i > old_end and cand.pos_ in {"VERB", "AUX"} and cand.lemma_ == old_head.lemma_:
                        a, b = _align(old_head, cand, end, old_end + 1, old_end + 1, len(doc))
                        if a is not None:
                            old_head, new_head = a, b
                        break
            if new_head is None:
                new_head = _fronted_new(attach, old_end, self.checks_["praise_predicates"])
                if old_head.pos_ == "VERB" and new_head is not None and new_head.dep_ in _SUBJ:
                    # "Instead of chasing traffic, brands should cultivate loyalty": acts are compared
                    new_head = _complement(attach, after=attach.i) or new_head
            lo, hi = old_end + 1, len(doc)
        else:
            # "Y rather than X": the attachment site is Y, or the phrase just before the connective
            if attach.pos_ in _NOMINAL | {"ADJ"} and attach.i < start:
                new_head = _np_top(attach) if attach.pos_ in _NOMINAL else attach
            elif attach.i < start and attach.pos_ in {"VERB", "AUX"}:
                before = _last_phrase_head(doc, start)
                new_head = (before if before is not None and before.head == attach and before.dep_ in
                            {"prep", "advcl", "xcomp", "acomp", "oprd"} else None)
                if new_head is not None and new_head.pos_ == "ADP":
                    # "compete on service, rather than on price": the parallel preposition's object;
                    # "integrated into retail, rather than X": the predicate the phrase completes
                    parallel = old_head.head.pos_ == "ADP" and old_head.head.lower_ == new_head.lower_
                    new_head = new_head.head if new_head.head.pos_ in {"VERB", "ADJ"} and not parallel \
                        else _pobj(new_head)
                new_head = new_head or _complement(attach, before=start) or (
                    attach if attach.pos_ in {"VERB", "ADJ"} else None)
            else:
                new_head = _complement(attach, before=start) or (attach if attach.pos_ in {"VERB", "ADJ"} else None)
            lo, hi = 0, start
        if not _content(new_head) or not _content(old_head):
            return None
        if all(h.pos_ == "VERB" and h.lemma_.lower() in self.checks_["size_verbs"] for h in (old_head, new_head)):
            return None  # "formats are shrinking rather than expanding": a trend in size, not a framing set aside
        old = self._side(old_head, end, old_end + 1)
        new = self._side(new_head, lo, hi, exclude=range(start, end))
        if old is None or new is None or _overlap(old, new):
            return None
        cue = f"{words} X, Y" if new[0] > old[0] else f"Y {words} X"
        return Frame(cue, conn.name, old, new, start)

    def _read_fronted_change(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """A sentence or title opening "From X to Y" (with a change verb it is the change class's)."""
        frm = doc[start]
        if not _opens_sentence(doc, start):
            return None
        if start > 0 and any(t.lower_ == "from" for t in doc[:start]):
            # "moving goods from one place to another — from supplier to consumer": after a dash, a
            # restatement of the range before it, which the change class has read (or left) already
            return None
        old_head = _first_child(frm, ("pobj", "pcomp"))
        if old_head is None:
            return None
        to = _find_to(frm, old_head)
        if to is None:
            return None
        new_head = _pobj(to) if to.dep_ != "aux" else to.head
        if new_head is None:
            new_head = _run_root(doc, to.i + 1)
        if new_head is None or (new_head.i <= to.i and to.dep_ != "aux"):
            return None
        if not _content(old_head) or not _content(new_head):
            return None
        new_end = _clause_end(doc, new_head) if new_head.i > to.i else len(doc)
        if any(c.dep_ in {"cc", "conj", "pobj"} and c.i > to.i for c in frm.children):
            return None  # "From X to Y and Z, these platforms ...": three items are an enumeration, not a change
        after = next((t for t in doc[new_end:] if not t.is_space), None)
        if after is not None and after.text in {",", ";", ":"}:
            nxt = next((t for t in doc[after.i + 1:] if not t.is_space), None)
            if nxt is not None and nxt.lower_ in self.checks_["list_markers"]:
                return None  # "From X to Y, all centred on Z": an enumeration, not a change
            if nxt is not None and nxt.lower_ in {"from", "to"} and after.text == ",":
                return None  # "From A to B, from C to D, ...", "From A, to B, ...": ranges listed one after another
        if _quantified_clause(frm, new_end, self.checks_["list_markers"]):
            return None  # "From X to Y, they are all ...", "..., banners hang everywhere": the range is a list
        old = self._side(old_head, frm.i + 1, to.i)
        new = self._side(new_head, to.i + 1, new_end)
        if old is None or new is None or _overlap(old, new) or _same_text(doc, old, new):
            return None
        return Frame("from X to Y", conn.name, old, new, frm.i)

    def _read_negated_framing(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"no longer X" (a framing given up; "no longer X, but Y" is the negation reader's)."""
        last = doc[end - 1]
        pred = last.head if last.head != last else last
        while pred.dep_ in {"advmod", "neg"} and pred.head != pred and pred.pos_ == "ADV":
            pred = pred.head
        if any(c.dep_ in {"mark", "advmod"} and c.lower_ in {"when", "if", "once", "unless", "until"}
               for c in pred.children):
            return None  # "when X is no longer available, ...": a condition, not a claim
        if any(t.lower_ == "but" and t.i > end for t in doc):
            return None
        if pred.pos_ in _NOMINAL:
            head = pred
        elif pred.pos_ in {"VERB", "AUX"} and pred.lemma_.lower() in _COPULAS | {"be"}:
            head = _first_child(pred, ("attr", "oprd"), after=end - 1)  # "is no longer enough" is no framing
            state = _first_child(pred, ("acomp",), after=end - 1)
            if head is None and state is not None and state.lemma_.lower() in self.checks_["no_longer_ending"]:
                # "the old profit model is no longer sustainable": the subject has had its day
                subj = _subject(pred)
                span = self._side(subj, 0, start) if _content(subj) and subj.i < start else None
                return Frame(f"X is no longer {state.lower_}", conn.name, span, None, start) if span else None
            about = next((c for c in pred.children if c.dep_ == "prep" and c.lower_ == "about" and c.i >= end), None)
            if head is None and about is not None:
                # "retail is no longer about selling products": what it was about is given up
                obj = _first_child(about, ("pobj", "pcomp"))
                if obj is not None and _content(obj) and not self._literal(obj):
                    span = (_verb_phrase(doc, obj, about.i + 1) if obj.pos_ == "VERB"
                            else self._side(obj, about.i + 1, _clause_end(doc, obj)))
                    if span is None:
                        return None
                    # "..., it is about Y": the clause after it says what it is about now
                    again = next((t for t in doc[span[1]:] if t.lower_ == "about" and t.dep_ == "prep"
                                  and t.head != pred and t.head.lemma_.lower() == "be"
                                  and not _is_negated(t.head)), None)
                    now = _first_child(again, ("pobj", "pcomp")) if again is not None else None
                    new = None
                    if now is not None and _content(now) and not self._literal(now):
                        new = (_verb_phrase(doc, now, again.i + 1) if now.pos_ == "VERB"
                               else self._side(now, again.i + 1, _clause_end(doc, now)))
                        new = None if new is None or _overlap(span, new) else new
                    cue = "no longer about X, it is about Y" if new is not None else "no longer about X"
                    return Frame(cue, conn.name, span, new, start)
            subj = _subject(pred)
            # (a praise noun with a modifier names a kind: "no longer a shopping centre", not a role)
            role = head is not None and (_word_lemma(head) in self.checks_["praise_predicates"] and not any(
                c.dep_ in {"compound", "amod"} for c in head.children) or any(
                c.dep_ == "det" and c.lower_ == "the" for c in head.children))
            if head is not None and _content(subj) and subj.i < start and role and not (
                    _word_lemma(subj) == _word_lemma(head)
                    or any(c.dep_ == "det" and c.lower_ in {"that", "this", "those", "these"} for c in head.children)):
                # "traffic is no longer the key" (a role: a praise word or "the ..."): what loses its
                # place is the subject; "platforms are no longer simple venues" rejects a framing of
                # the subject, and "e-commerce is no longer that e-commerce" restates it: the
                # predicate is then the old side
                lo = max([c.right_edge.i + 1 for c in pred.children if c.dep_ in _CLAUSAL and c.i < subj.i] + [0])
                span = self._side(subj, lo, start)
                return Frame("X is no longer Y", conn.name, span, None, start) if span is not None else None
        elif pred.pos_ in {"VERB"} and pred.i > last.i and not any(c.dep_ in _SUBJ for c in pred.children):
            head = pred  # "No longer blindly expanding its own platform": the practice given up
        elif pred.pos_ == "VERB" and pred.i > last.i and _first_child(pred, ("dobj",), after=pred.i) is not None:
            # "Consumers no longer buy products; they buy experiences": an act given up for the one the
            # next clause restates its subject doing (alone, "brands no longer chase X" may be a report)
            obj = _first_child(pred, ("dobj",), after=pred.i)
            if not _content(obj):
                return None  # (a literal side is judged with the other one: "products" against "experiences")
            old = self._side(obj, pred.i + 1, _clause_end(doc, obj))
            new = self._restated_act(pred, old) if old is not None else None
            return Frame("no longer X; Y instead", conn.name, old, new, start) if new is not None else None
        elif pred.pos_ in {"VERB"} and pred.lemma_.lower() in self.checks_["no_longer_ending"]:
            # "the old logic of traffic no longer works": the subject has had its day
            subj = _subject(pred)
            span = self._side(subj, 0, start) if _content(subj) and subj.i < start else None
            return Frame(f"X no longer {_third_person(pred.lemma_.lower())}", conn.name, span, None, start) if span else None
        else:
            return None
        if head is None or not _content(head):
            return None
        if head.pos_ in {"VERB"}:
            span = _verb_phrase(doc, head, end)
        else:
            span = self._side(head, end, _clause_end(doc, head))
        if span is None:
            return None
        new = self._restated(pred, span) if head.pos_ in _NOMINAL else None
        return Frame("no longer X; it is Y" if new else "no longer X", conn.name, span, new, start)

    def _relative_swallowed(self, doc: "Doc", verb: "Token", but: "Token", conn) -> Frame | None:
        """"Rules are no longer tools to stimulate X but have become a friction": the parser hangs "but
        have become Y" on the relative clause inside the negated predicate noun; the correction is
        the copula's, so the sides are that noun and what the subject has become."""
        noun = verb.head
        if noun.pos_ in {"VERB", "AUX"}:  # (or a clause of the copula after its predicate noun)
            noun = _first_child(noun, ("attr", "oprd"), before=verb.i) or noun
        if noun.dep_ not in {"attr", "oprd"} or noun.pos_ not in _NOMINAL:
            return None
        cop = noun.head
        # (or on the copula itself, as a clause after "but": "... but have instead become Y")
        conj = _first_child(verb, ("conj",), after=but.i) or _first_child(cop, ("advcl", "conj"), after=but.i)
        if conj is None or conj.lemma_.lower() not in _COPULAS or any(c.dep_ in _SUBJ for c in conj.children):
            return None  # (a subject of its own makes it another clause)
        neg = _negator_before(cop, noun.i)
        new_head = _first_child(conj, ("attr", "oprd"), after=conj.i)
        if neg is None or new_head is None or not (_content(noun) and _content(new_head)):
            return None
        old = self._side(noun, neg.i + 1, but.i)
        if old is not None and verb.head != noun and old[1] == verb.left_edge.i:
            old = (old[0], min(but.i, verb.right_edge.i + 1))  # "rewards | to attract shoppers": its purpose too
        new = self._side(new_head, conj.i + 1, _clause_end(doc, new_head))
        if old is None or new is None or _overlap(old, new):
            return None
        return Frame(f"{_negator_text(neg)} X, but Y", conn.name, old, new, but.i)

    def _restated_act(self, pred: "Token", old: tuple[int, int]) -> tuple[int, int] | None:
        """The object of the act a following clause restates its subject doing: "Consumers no longer
        buy products; they buy experiences" (after a clause break, the same subject or a pronoun for
        it, a verb that is not negated)."""
        doc = pred.doc
        subj = _subject(pred)
        if subj is None:
            return None
        for verb in doc[old[1]:]:
            if verb.text in {".", "!", "?"}:
                break
            if verb.pos_ != "VERB" or verb == pred or _is_negated(verb) or verb.dep_ not in {"ROOT", "conj", "ccomp", "parataxis"}:
                continue
            if not _restates_subject(doc, old[1], verb, subj):
                return None
            if any(c.dep_ == "advmod" and c.lower_ in self.checks_["additive"] | self.checks_["old_markers"]
                   for c in verb.children):
                return None  # "...; it still / also sells Y" keeps or adds, it does not replace
            obj = _first_child(verb, ("dobj",), after=verb.i)
            if obj is None or not _content(obj):
                return None
            new = self._side(obj, verb.i + 1, _clause_end(doc, obj))
            return None if new is None or _overlap(old, new) or _same_text(doc, old, new) else new
        return None

    def _restated(self, pred: "Token", old: tuple[int, int], subject: "Token | None" = None
                  ) -> tuple[int, int] | None:
        """What the next clause says its subject is now: "X is no longer A; it is B", "... ; they have
        become B", "...; it represents B". The clause follows a semicolon or a comma, its copula ("be",
        "become") or restating verb ([checks] restating_verbs, whose object is B) is not negated and its
        subject is a pronoun or the same noun as the first clause's."""
        doc = pred.doc
        subj = subject if subject is not None else _subject(pred)
        if subj is None:
            return None
        for verb in doc[old[1]:]:
            if verb.text in {".", "!", "?"}:
                break
            into = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "into"), None) \
                if verb.lemma_.lower() in self.checks_["becoming_verbs"] else None
            restating = verb.pos_ == "VERB" and verb.lemma_.lower() in self.checks_["restating_verbs"]
            if verb.lemma_.lower() not in {"be", "become"} and into is None and not restating or verb == pred \
                    or _is_negated(verb):
                continue
            if not _restates_subject(doc, old[1], verb, subj):
                return None
            attr = (_pobj(into) if into is not None
                    else _first_child(verb, ("dobj",) if restating else ("attr", "oprd"), after=verb.i))
            if attr is None or attr.pos_ not in _NOMINAL or not _content(attr) or self._literal(attr) \
                    or _word_lemma(attr) in self.checks_["non_framings"]:
                return None  # ("...; it is a pity" judges the rejection, it names nothing in its place)
            new = self._side(attr, verb.i + 1, _clause_end(doc, attr))
            return None if new is None or _overlap(old, new) or _same_text(doc, old, new) else new
        return None

    def _read_negated_identity(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"X is not a Y", "X has never been a Y": the subject's framing as Y rejected (new side empty,
        unless the next clause says what the subject is instead: "X is not A; (instead,) it is B")."""
        neg = doc[start]
        cop = neg.head
        if neg.dep_ != "neg" or cop.lemma_.lower() not in {"be", "become"}:
            return None
        # "X has never been just a Y" rejects a reductive framing (the focus word is not a contrast's)
        checks = self.checks_
        reductive = next((t for t in doc[end:end + 2]
                          if t.lower_ in checks["restrictive"] and t.lower_ != "only"), None)
        rest = [t for t in doc[end:] if t != reductive]
        if reductive is not None and any(t.lower_ in checks["additive"] for t in rest):
            return None  # "is not just a shop, it is also a cafe" adds
        # "X is not A; instead, it is B": a corrective adverb after the clause break opens the
        # restating clause (read by _restated below), not a contrast of this clause
        cut = next((t.i for t in rest if _clause_break(t)), len(doc))
        if any(t.lower_ in {"but", "only", "just"} or t.lower_ in {"rather", "instead"} and t.i < cut
               for t in rest) or any(t.lower_ in self.checks_["restrictive"] for t in doc[max(0, start - 2):start]):
            return None  # the contrast readers have this one; "not only cannot X become Y" adds
        if doc[end:end + 1] and doc[end].lower_ in checks["restrictive"] and reductive is None:
            return None  # "is not only a Y" adds
        attr = _first_child(cop, ("attr",), after=neg.i)
        subj = _subject(cop)
        if any(c.dep_ == "expl" for c in cop.children):
            return None  # "there are not many real changes": an existential frames no subject
        if attr is None:
            return self._negated_prep_restated(doc, cop, reductive or neg, conn)
        if attr.pos_ not in {"NOUN", "PROPN"}:
            return None
        # a pronoun subject ("This is not a failure of X") frames only with the clause that restates it
        pointing = subj is not None and subj.lower_ in self.checks_["restating_subjects"]
        if subj is None or not _content(subj) and not pointing:
            return None
        # "X is not a Y", "X is not 'Y'", and a bare noun "X is not infrastructure" (no determiner
        # or possessive that would make Y a particular thing: "this is not the case", "not our goal")
        bare = not any(c.dep_ in {"det", "poss", "nummod"} for c in attr.children) and attr.pos_ == "NOUN"
        marked = bare or any(c.dep_ == "det" and c.lower_ in {"a", "an"} for c in attr.children) or any(
            t.text in _QUOTES for t in doc[neg.i + 1:attr.i])
        # ("a traditional one" stands for a framing its adjective names; a bare "one" names nothing)
        pro_form = _word_lemma(attr) == "one" and any(c.dep_ == "amod" for c in attr.children)
        if not marked or _word_lemma(attr) in self.checks_["non_framings"] and not pro_form:
            return None
        old = self._side(attr, neg.i + 1, _clause_end(doc, attr))
        if old is None:
            return None
        # "X is not A; it is B": the next clause says what the subject is instead
        new = self._restated(cop, old)
        if new is None and pointing:
            return None
        if new is None and cut < len(doc) and any(t.lower_ in {"rather", "instead"} for t in rest):
            return None  # "...; instead, the brand ..." turns to another subject: not this reader's
        # the predicate noun is a role the subject is said not to play: a kind noun ("not a shop",
        # "not warehouses of books") is then a framing, not a literal shop
        cue = "X is not just Y" if reductive is not None else "X is not Y"
        return Frame(cue.replace("Y", "A; it is B") if new is not None else cue, conn.name, old, new, neg.i,
                     extra={"identity": True})

    def _negated_prep_restated(self, doc: "Doc", cop: "Token", neg: "Token", conn) -> Frame | None:
        """"Retail is not about price; it is about value", "The premium isn't for faster shipping - it's
        for peace of mind", "It's not just about growth anymore; it's about survival": a negated
        prepositional predicate that the next clause restates with the same preposition (``neg`` is
        the negator, or the focus word after it)."""
        prep = _first_child(cop, ("prep",), after=neg.i)
        first = _pobj(prep) if prep is not None and prep.i == neg.i + 1 \
            and prep.lower_ in self.checks_["restated_preps"] else None
        if first is None or not _content(first):
            return None
        subj = _subject(cop)
        for verb in doc[prep.right_edge.i + 1:]:
            if verb.text in {".", "!", "?"}:
                break
            # "...; it represents / marks B" ([checks] restating_verbs) names B as its object, where "be"
            # repeats the preposition
            restating = verb.pos_ == "VERB" and verb.lemma_.lower() in self.checks_["restating_verbs"]
            if verb.lemma_.lower() != "be" and not restating or verb == cop or _is_negated(verb):
                continue
            if not _restates_subject(doc, prep.right_edge.i + 1, verb, subj):
                return None
            if restating:
                again = verb
                second = _first_child(verb, ("dobj",), after=verb.i)
                if second is not None and (second.pos_ not in _NOMINAL or self._literal(second)
                                           or _word_lemma(second) in self.checks_["non_framings"]):
                    return None  # ("...; it means a lot to them" names nothing in its place)
            else:
                again = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == prep.lower_
                              and c.i > verb.i), None)
                second = _pobj(again) if again is not None else None
            if second is None or not _content(second):
                return None
            old = self._side(first, prep.i + 1, _clause_end(doc, first))
            new = self._side(second, again.i + 1, _clause_end(doc, second))
            if old is None or new is None or _overlap(old, new) or _same_text(doc, old, new):
                return None
            said = f"it {verb.lower_} Y" if restating else f"it is {prep.lower_} Y"
            return Frame(f"not {prep.lower_} X; {said}", conn.name, old, new, neg.i)
        return None

    def _read_fronted_leaving(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"Out of X, Z is entering Y": a fronted phrase of leaving, then a verb of adoption."""
        if not _opens_sentence(doc, start):
            return None
        last = doc[end - 1]
        old_head = _pobj(last)
        verb = doc[start].head
        while verb.pos_ not in {"VERB", "AUX"} and verb.head != verb:
            verb = verb.head
        if not _content(old_head) or verb.lemma_.lower() not in self.checks_["adopt_verbs"] or verb.i < old_head.i:
            return None
        new_head = _complement(verb, after=verb.i)
        if not _content(new_head):
            return None
        old = self._side(old_head, end, verb.left_edge.i if verb.left_edge.i > old_head.i else _clause_end(doc, old_head))
        new = self._side(new_head, verb.i + 1, _clause_end(doc, new_head))
        if old is None or new is None or _overlap(old, new):
            return None
        return Frame(f"{doc[start:end].text.lower()} X, {verb.lemma_.lower()} Y", conn.name, old, new, start)

    def _read_comparison(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"More than X, it is Y": a fronted "more than" phrase, then the clause that names what it is
        (or "more than X" in the predicate: "this represents more than X - it is Y")."""
        if not _opens_sentence(doc, start):
            return self._predicate_comparison(doc, start, end, conn)
        if end - start == 1:
            # "Less X, more Y"
            less = doc[start]
            more = next((t for t in doc[end:] if t.lower_ == "more" and doc[t.i - 1].text in {",", ";", "-", "—"}), None)
            old_head = _degree_head(less)
            new_head = _degree_head(more) if more is not None else None
            if old_head is None or new_head is None or not (old_head.i < more.i < new_head.i):
                return None
            old_lo, new_lo = end + (doc[end].lower_ == "about"), more.i + 1 + (doc[more.i + 1].lower_ == "about")
            old, new = self._side(old_head, old_lo, more.i), self._side(new_head, new_lo, len(doc))
            if old is None or new is None:
                return None
            return Frame("less X, more Y", conn.name, old, new, start)
        than = doc[end - 1]
        old_head = _pobj(than) or next((t for t in doc[end:] if t.pos_ in _NOMINAL), None)
        if old_head is None:
            return None
        comma = next((t for t in doc[old_head.i:] if t.text in {",", ";", ":", "-", "—"}), None)
        if comma is None:
            return None
        rest = [t for t in doc[comma.i + 1:] if t.dep_ in {"attr", "acomp", "dobj", "oprd"}]
        if not rest:
            return None
        new_head = rest[0]
        old = self._side(old_head, end, comma.i)
        new = self._side(new_head, comma.i + 1, len(doc))
        if old is None or new is None or _overlap(old, new):
            return None
        return Frame("more than X, it is Y", conn.name, old, new, start)

    def _predicate_comparison(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"The night market is more than a bargain fair; it is a social stage", "this represents more
        than a mere upgrade - it's a revolution": "more than X" as the object or predicate of its
        clause goes past X only when the next clause restates the subject as Y (read like "X is no
        longer A; it is B"); "sales grew by more than 20 percent" quantifies, and a verb of money
        ([checks] amount_verbs: "costs more than a laptop") compares amounts."""
        more, than = doc[start], doc[end - 1]
        if more.lower_ != "more" or more.dep_ not in {"dobj", "attr", "acomp", "oprd"} \
                or more.head.pos_ not in {"VERB", "AUX"}:
            return None
        pred = more.head
        if pred.lemma_.lower() in self.checks_["amount_verbs"]:
            return None
        if than.dep_ == "prep" and than.head == more:
            old_head = _pobj(than)
        elif than.dep_ == "mark" and than.head.head == more:
            old_head = than.head  # the parser may read "than a bargain fair" as a clause of "fair"
        else:
            return None
        if not _content(old_head):
            return None
        cut = next((t.i for t in doc[old_head.i:] if _clause_break(t) or t.text in {".", "!", "?"}), len(doc))
        old = self._side(old_head, end, cut)
        new = self._restated(pred, old) if old is not None else None
        if new is None:
            return None
        return Frame("more than X; it is Y", conn.name, old, new, start)

    def _read_set_against(self, doc: "Doc", start: int, end: int, conn, rejects: bool = False) -> Frame | None:
        """A fronted "Unlike X, which is A, Y is B" (A -> B) or "Compared with X, Y is actually B" (X -> B).

        A comparison of two things ("Unlike Taobao, JD runs its own logistics", "Compared with
        malls, shops are more convenient") is no reframing: the frame needs two characterisations,
        either X's own (a relative clause "which is A" / "which is used for A") or the main clause
        asserting what Y really is (a corrective adverb: "actually", "in fact"), and Y's predicate
        must be a noun or an infinitive, not a comparative or an evaluation.
        """
        if not _opens_sentence(doc, start):
            return None
        last = doc[end - 1]
        main = last.head
        for _ in range(6):  # up from the connective to the main clause's verb
            if main.pos_ in {"VERB", "AUX"} and not (start <= main.i < end) and main.dep_ not in {"relcl", "acl"}:
                break
            if main.head == main:
                return None
            main = main.head
        if main.pos_ not in {"VERB", "AUX"} or main.i < end or main.lemma_.lower() not in _COPULAS:
            return None
        subj = _subject(main)
        if subj is None or subj.i > main.i:
            return None
        comma = next((t.i for t in reversed(doc[end:subj.left_edge.i]) if t.text in {",", ";", "—", "-"}), None)
        if comma is None or comma <= end:
            return None
        x_head = _pobj(last) or next((t for t in doc[end:comma] if t.pos_ in _NOMINAL), None)
        if x_head is not None and x_head.pos_ in {"VERB", "AUX"} and x_head.lemma_.lower() in _COPULAS:
            x_head = _first_child(x_head, ("attr", "acomp", "oprd"), before=comma)  # "far from being X"
        if not _content(x_head) or _is_negated(main) or self._literal(x_head) or (
                self._literal(subj) and subj.pos_ != "PRON"):
            return None
        if _named(x_head) and _named(subj):
            return None  # "Unlike JD, which is a retailer, Taobao is a marketplace": two players compared
        # X's characterisation: a relative clause inside the fronted phrase ("..., which are A,")
        rel = next((t for t in doc[end:comma] if t.dep_ == "relcl" and any(
            c.dep_ in _SUBJ and c.lower_ in {"which", "that", "who"} for c in t.children)), None)
        old_head, lo = x_head, end
        if rel is not None:
            old_head, lo = _complement(rel, after=rel.i), rel.i + 1
            if not _content(old_head) or old_head.i >= comma:
                return None
        elif not rejects and not self._corrective(main):
            return None
        new_head = _first_child(main, ("attr", "oprd"), after=main.i)
        if new_head is None:
            inf = _first_child(main, ("xcomp",), after=main.i)
            if inf is None or inf.pos_ != "VERB" or not any(c.dep_ == "aux" and c.lower_ == "to" for c in inf.children):
                return None
            new = _verb_phrase(doc, inf, main.i + 1)  # "is to reshape and recreate"
        else:
            if new_head.pos_ not in {"NOUN", "PROPN"} or _word_lemma(new_head) in self.checks_["non_framings"] or any(
                    t.tag_ in {"JJR", "RBR"} or t.lower_ in {"more", "less"} for t in new_head.subtree):
                return None  # "is a bigger market", "is a more efficient channel": a comparison
            new = self._side(new_head, main.i + 1, _clause_end(doc, new_head))
        if old_head.pos_ == "VERB":
            old = _verb_phrase(doc, old_head, lo)
        else:
            old = self._side(old_head, lo, comma)
        if old is None or new is None or _overlap(old, new) or _same_text(doc, old, new):
            return None
        return Frame(f"{doc[start:end].text.lower()} X, Y", conn.name, old, new, start)

    def _read_parallel(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"X is still A, while Y is B": two copular clauses giving two values of one dimension (A and B
        share their head noun: "a product of the Internet era" / "a product of a new technology era").

        Which value is the old one is read from the text: a past-tense clause against a present one,
        then the markers of age and novelty (``old_markers`` / ``new_markers``: "still", "traditional"
        / "new", "now") on each clause's copula, subject and predicate. Two values with no such
        difference ("offline is a channel of sales, while online is a channel of marketing") are a
        comparison, not a reframing, and are not read.
        """
        word = doc[start]
        second = word.head
        if word.dep_ != "mark" or second.dep_ not in {"advcl", "conj"} or second.head == second:
            return None
        first = second.head
        if first.i > start or second.i < end:
            return None
        clauses = []
        for cop, lo, hi in ((first, 0, start), (second, end, _clause_end(doc, second))):
            if cop.lemma_.lower() not in _COPULAS or _is_negated(cop):
                return None
            subj = _subject(cop) if cop is first else next((c for c in cop.children if c.dep_ in _SUBJ), None)
            attr = _first_child(cop, ("attr",), after=cop.i, before=hi)
            if subj is None or attr is None or attr.pos_ not in {"NOUN", "PROPN"} or not (lo <= subj.i < hi):
                return None
            clauses.append((cop, subj, attr, hi))
        (c1, s1, a1, h1), (c2, s2, a2, h2) = clauses
        said_of = [" ".join(t.lemma_.lower() for t in s.subtree) for s in (s1, s2)]
        if _word_lemma(a1) != _word_lemma(a2) or said_of[0] == said_of[1] or (_named(s1) and _named(s2)):
            return None  # different kinds of thing, or one thing said twice
        # a kind noun ("a product of the Internet era" / "of a new technology era") is the dimension whose
        # two values its of-complements name, when these are framings rather than literal things
        of_objects = [_of_object(a) for a in (a1, a2)]
        dimension = self._kind_noun(a1) and all(o is not None and not self._literal(o) for o in of_objects)
        if (self._literal(a1) and not dimension) or _word_lemma(a1) in self.checks_["non_framings"]:
            return None
        age = [self._age(cop, subj, attr) for cop, subj, attr, _ in clauses]
        if age[0] == age[1]:
            return None
        old_i = 0 if age[0] > age[1] else 1
        sides = [self._side(a1, c1.i + 1, min(h1, start)), self._side(a2, c2.i + 1, h2)]
        old, new = sides[old_i], sides[1 - old_i]
        if old is None or new is None or _overlap(old, new) or _same_text(doc, old, new):
            return None
        return Frame(f"X is A, {word.lower_} Y is B", conn.name, old, new, start,
                     extra={"dimension": True} if dimension else {})

    def _read_degree(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"X is not so much A as B", "less A than B", "more B than A", "less about A and more about B"
        inside a clause (a fronted "Less A, more B" is the comparison reader's).

        "more" and "less" count only before an article or "about" ("less a scheme than a
        relationship"): before an adjective or a bare noun they compare amounts or degrees ("more
        efficient than", "more traffic than last year").
        """
        marker = " ".join(t.lower_ for t in doc[start:end])
        if _opens_sentence(doc, start) or end >= len(doc):
            return None
        nxt = doc[end].lower_
        so_much = marker != "less" and marker != "more"
        # "focus less on price and more on value": the same preposition after both markers sets two
        # objects against each other ("spend less on food than on rent" compares amounts)
        by_prep = not so_much and doc[end].pos_ == "ADP" and nxt not in {"as", "than"} | _DEGREE_OPENERS
        if by_prep and _word_lemma(doc[start].head) in self.checks_["amount_verbs"]:
            return None  # "spend less on clothes and more on travel": money moved, not a framing
        if so_much and nxt in {"as", "than"} or not so_much and nxt not in _DEGREE_OPENERS and not by_prep:
            return None
        if so_much:
            partners = {"as"}
        elif by_prep:
            partners = {"more" if marker == "less" else "less"}
        else:
            partners = {"than", "more" if marker == "less" else "less"}
        openers = {nxt} if by_prep else _DEGREE_OPENERS
        partner = None
        for tok in doc[end:]:
            if tok.text in {";", ":", ".", "!", "?"}:
                break
            if tok.lower_ in partners:
                if tok.lower_ in {"as", "than"} or (tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in openers
                                                      and doc[tok.i - 1].lower_ in {"and", ",", "but"}):
                    partner = tok
                    break
        if partner is None:
            return None
        skip = {"about", nxt} if by_prep else {"about"}
        a_lo = end + (1 if nxt in skip else 0)
        a_hi = partner.i - (1 if doc[partner.i - 1].lower_ in {"and", ",", "but"} else 0)
        b_lo = partner.i + 1 + (1 if partner.i + 1 < len(doc) and doc[partner.i + 1].lower_ in skip else 0)
        b_hi = next((t.i for t in doc[b_lo:] if t.text in {",", ";", ":", ".", "!", "?"}), len(doc))
        a_head, b_head = _span_root(doc, a_lo, a_hi), _span_root(doc, b_lo, b_hi)
        if not (_content(a_head) and _content(b_head)) or any(
                h.pos_ == "VERB" and any(c.dep_ in _SUBJ for c in h.children) for h in (a_head, b_head)):
            return None  # "more ... than we thought": a clause, not a framing
        a, b = self._side(a_head, a_lo, a_hi), self._side(b_head, b_lo, b_hi)
        if a is None or b is None or _overlap(a, b) or _same_text(doc, a, b):
            return None
        old, new = (b, a) if marker == "more" else (a, b)
        link = f" {partner.lower_} " if partner.lower_ in {"as", "than"} else f", {partner.lower_} "
        cue = f"{marker} X{link}Y" if marker != "more" else f"more Y{link}X"
        return Frame(cue, conn.name, old, new, start)

    def _read_far_from(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"Far from (being) X, Y is Z": the fronted phrase rejects X, the main clause says what Y is."""
        return self._read_set_against(doc, start, end, conn, rejects=True)

    def _read_different(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"Y is (fundamentally) different from X": a framing set apart from an older one.

        Two things that differ ("physical stores are different from online shops") are a comparison;
        the frame needs one side marked older than the other (``old_markers`` / ``new_markers``:
        "traditional", "past" / "new"), and the older one is the old side whichever way round it is said.
        """
        adj, frm = doc[start], doc[end - 1]
        if frm.head != adj or adj.pos_ != "ADJ" or adj.dep_ not in {"acomp", "attr", "oprd"} or _is_negated(adj.head):
            return None
        x_head, y_head = _pobj(frm), _holder(adj)
        if not (_content(x_head) and _content(y_head)) or y_head.i > adj.i:
            return None
        if self._literal(x_head) or self._literal(y_head) or (_named(x_head) and _named(y_head)):
            return None
        ages = [self._age(x_head, x_head, x_head), self._age(y_head, y_head, y_head)]
        if ages[0] == ages[1]:
            return None
        x = self._side(x_head, end, _clause_end(doc, x_head))
        y = self._side(y_head, 0, adj.head.i if adj.head.i > y_head.i else adj.i)
        if x is None or y is None or _overlap(x, y) or _same_text(doc, x, y):
            return None
        old, new = (x, y) if ages[0] > ages[1] else (y, x)
        return Frame(f"Y is {doc[start:end].text.lower()} X", conn.name, old, new, start)

    def _age(self, cop: "Token", subj: "Token", attr: "Token") -> int:
        """How old a clause says its value is: past tense and markers of age count up, of novelty down."""
        old_words, new_words = self.checks_["old_markers"], self.checks_["new_markers"]
        score = 1 if cop.tag_ == "VBD" or any(c.tag_ == "VBD" and c.dep_ == "aux" for c in cop.children) else 0
        marks = [c for c in cop.children if c.dep_ in {"advmod", "npadvmod"}] if cop.pos_ in {"VERB", "AUX"} else []
        marks += [c for tok in {subj, attr} for c in tok.subtree if c.dep_ in {"amod", "advmod", "compound"}
                  or c.dep_ == "pobj" and c.head.lower_ == "in" and c.head.head.dep_ == "relcl"]
        score += sum(1 for t in marks if t.lower_ in old_words) - sum(1 for t in marks if t.lower_ in new_words)
        return score

    def _corrective(self, pred: "Token") -> bool:
        """Does the clause assert what its subject really is ("is actually", "is in fact", "is essentially")?"""
        words = self.checks_["corrective_adverbs"]
        for child in pred.children:
            if child.dep_ == "advmod" and child.lower_ in words:
                return True
            if child.dep_ == "prep" and child.i + 1 < len(child.doc) and \
                    f"{child.lower_} {child.doc[child.i + 1].lower_}" in words:
                return True  # "in fact", "in essence", "in reality"
        return False

    def _read_temporal(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"In the past / used to / in the era of X ... now / today Y": each clause's main argument."""
        if doc[start:end].text.lower() == "once" and doc[start].dep_ == "mark" and (
                start == 0 or doc[start - 1].is_punct or doc[start - 1].pos_ == "CCONJ"):
            # "once the dividend is gone, ...": "as soon as", a condition, not a former time ("where once X
            # mattered" opens with "where": a former time)
            return None
        later_words = [w.split() for w in conn.later]
        lowers = [t.lower_ for t in doc[end:]]
        found = next(((doc[end + i], words) for i in range(len(lowers)) for words in later_words
                      if lowers[i:i + len(words)] == words), None)
        if found is None:
            return self._read_former_view(doc, start, end, conn)
        later, later_words = found[0], found[1]
        old_pred = _governing_predicate(doc[end - 1])
        new_pred = _governing_predicate(later)
        fronted = _first_child(doc[end - 1], ("pobj",)) if end - start == 1 and _opens_sentence(doc, start) else None
        if fronted is None and end - start == 1 and _opens_sentence(doc, start):
            fronted = _fronted_noun(doc, end)  # "Once a luxury, fast delivery ...": "luxury" hung on the subject
        if old_pred is not None and old_pred == new_pred and fronted is not None and fronted.pos_ in _NOMINAL:
            # "Once a place to buy books, the bookshop is now a place to meet": the fronted phrase is
            # what the subject was, the predicate what it is now
            old_pred = doc[end - 1]
        if old_pred is None or new_pred is None or old_pred == new_pred:
            return None
        old_head = _complement(old_pred, after=old_pred.i) or _complement(old_pred, after=end - 1)
        if old_pred == doc[end - 1]:
            old_head = fronted
        new_head = _complement(new_pred, after=new_pred.i) or _complement(new_pred, after=later.i)
        # a clause with no complement ("where once ownership mattered") or one that is a clause of its
        # own ("today access is what consumers want") is about its subject
        old_head = _clause_subject(old_pred, old_head, end)
        new_head = _clause_subject(new_pred, new_head, later.i + 1)
        old_head, new_head = self._through_light(old_head), self._through_light(new_head)
        # a term the clause sets in quotation marks is the framing it names ("in the 'first half' the
        # giants ... introduced a revolution in the 'consumer Internet'; in the 'second half', the
        # 'industry of the Internet of Everything' ...")
        old_quoted = _quoted_phrase(doc, end, later.i)
        new_quoted = _quoted_phrase(doc, later.i + len(later_words), len(doc))
        old_quoted, new_quoted = [q if q is not None and not self._literal(q[0]) else None
                                  for q in (old_quoted, new_quoted)]
        old_head = old_quoted[0] if old_quoted else old_head
        new_head = new_quoted[0] if new_quoted else new_head
        if not (_content(old_head) and _content(new_head)) or old_head.i >= later.i or new_head.i < later.i:
            return None
        additive = self.checks_["additive"]
        if any(t.lower_ in additive and t.i > later.i and t.dep_ == "advmod" for t in new_pred.children):
            return None  # "who once shopped on X now also use Y": the later use adds to the earlier one
        old = self._side(old_head, *(old_quoted[1:] if old_quoted else (end, later.i)))
        if old is not None:
            old = _with_participle(doc, old, (old_head, old_pred), later.i, self.max_words_)
        new = self._side(new_head, *(new_quoted[1:] if new_quoted else (later.i + 1, len(doc))))
        if old is None or new is None or _overlap(old, new) or _same_text(doc, old, new):
            return None
        said_later = doc[later.i:later.i + len(later_words)].text.lower()
        return Frame(f"{doc[start:end].text.lower()} X ... {said_later} Y", conn.name, old, new, start)


    def _read_former_view(self, doc: "Doc", start: int, end: int, conn) -> Frame | None:
        """"X was once regarded as A", "we used to think of X as A": a view marked as a former one is
        given up (the new view may follow in another sentence). Only a verb of regarding ([checks]
        saying_verbs) with an "as"-complement counts: "once shopped there" or "used to sell books" is
        the temporal pair's, with a "now"."""
        marker = doc[start:end].text.lower()
        if marker not in self.checks_["former_markers"]:
            return None
        if marker == "once" and doc[start].dep_ != "advmod":
            return None  # "once the dividend is gone, ...": a condition
        pred = _governing_predicate(doc[end - 1])
        if pred is None or pred.lemma_.lower() not in self.checks_["saying_verbs"] or _is_negated(pred):
            return None
        as_ = next((c for c in pred.children if c.dep_ == "prep" and c.lower_ == "as" and c.i > pred.i), None)
        view = _pobj(as_) if as_ is not None else None
        if not _content(view) or view.pos_ not in _NOMINAL | {"ADJ"} or self._literal(view) or _in_condition(pred):
            return None
        old = self._side(view, as_.i + 1, _clause_end(doc, view))
        if old is None:
            return None
        return Frame(f"{marker} {pred.lemma_.lower()} as X", conn.name, old, None, start)


# ----------------------------------------------------------------------------- reader helpers

def _cue(template: str, tok: "Token", wording: Wording, form: str, has_new: bool) -> str:
    """A frame's cue from its class template and the wording found: "get rid of X", "Y replace X",
    "X is replaced by Y"."""
    if form == "passive":
        said = " ".join([tok.lower_, *wording.rest])
        if "is {word}" in template:
            return template.replace("{word}", said)
        if template.startswith("{word} X"):
            # "abandon X" read in the passive: "X is abandoned", ", Y" when it names what comes instead
            return f"X is {said}" + (", Y" if has_new else "")
        # "Y replace X" read in the passive; "transform from X to Y" as "be transformed from X to Y"
        return f"X is {said} by Y" if template.startswith("Y ") else template.replace("{word}", f"be {said}")
    cue = template.replace("{word}", wording.text)
    if has_new and "Y" not in cue:
        cue += ", Y"  # a leaving that names what it makes way for
    return cue


def _regarded_as(verb: "Token", regarding: Iterable[str]) -> "tuple[Token, Token] | None":
    """(what is regarded, the view) of a verb of regarding with "as": "thinking of X as A",
    "treating it as B" -> (X, A), (it, B); ``None`` for any other verb."""
    if verb.lemma_.lower() not in regarding:
        return None
    as_prep = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "as"), None)
    view = _pobj(as_prep) if as_prep is not None else None
    thing = _first_child(verb, ("dobj",))
    if thing is None:  # "think of X as A"
        of = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        thing = _pobj(of) if of is not None else None
    return (thing, view) if thing is not None and view is not None and view.pos_ in _NOMINAL else None


def _clause_break(tok: "Token") -> bool:
    """A mark that ends a clause inside the sentence: ";", ",", ":", a dash, or a hyphen with a space
    before it ("X is not A - it is B"; the hyphen of "e-commerce" has none)."""
    return tok.text in {";", ",", ":", "—", "–"} or (
        tok.text == "-" and tok.i > 0 and bool(tok.doc[tok.i - 1].whitespace_))


#: Pronouns by which a following clause restates the subject ("...; it is a stage").
_RESTATING_PRONOUNS = frozenset({"it", "they"})


def _restates_subject(doc: "Doc", start: int, verb: "Token", subject: "Token | None") -> bool:
    """Does ``verb`` open a clause, after a clause break from ``start``, whose subject is the first
    clause's again: a pronoun for it ("...; it is B", "...; they buy B") or the same noun?"""
    if not any(_clause_break(t) for t in doc[start:verb.i]):
        return False
    other = _subject(verb)
    return other is not None and (other.pos_ == "PRON" and other.lower_ in _RESTATING_PRONOUNS
                                  or subject is not None and _word_lemma(other) == _word_lemma(subject))

def _through_time_noun(tok: "Token | None", filled_periods: frozenset[str]) -> "Token | None":
    """"the days / the time of X": the side is X (the time noun alone, one of [checks] filled_periods,
    is a literal time)."""
    if tok is None or tok.lemma_.lower() not in filled_periods or tok.tag_ not in {"NNS", "NN"}:
        return tok
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children) or any(
            c.dep_ == "nummod" for c in tok.children):
        return tok  # "8 years of gambling" is a duration, not a period named by what filled it
    prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    obj = _pobj(prep) if prep is not None else None
    if obj is None:
        # "the days when price wars dominated": what filled the days is the when-clause's subject
        clause = next((c for c in tok.children if c.dep_ == "relcl" and any(
            w.lower_ == "when" and w.dep_ == "advmod" for w in c.children)), None)
        obj = _subject(clause) if clause is not None else None
    return obj if obj is not None and _content(obj) else tok


#: Subordinators of a condition or a time: a predicate in their clause sets the scene for the main claim.
_CONDITION_MARKS = frozenset({"when", "if", "once", "unless", "until", "whenever", "after", "before", "as", "while"})


def _in_condition(tok: "Token") -> bool:
    """Is ``tok`` the predicate of (or a verb chained into) a clause opened by "when", "if", "once", ...?"""
    cur = tok
    for _ in range(4):
        if any(c.dep_ == "mark" and c.lower_ in _CONDITION_MARKS for c in cur.children) or (
                cur.dep_ == "relcl" and any(c.lower_ == "when" and c.dep_ == "advmod" for c in cur.children)):
            return True
        if cur.dep_ == "advcl" and any(c.dep_ == "advmod" and c.lower_ == "when" and c.i < cur.i for c in cur.subtree):
            return True  # (the parser may hang the "when" on the clause's subject: "when | traditional models hit ...")
        if cur.dep_ in {"xcomp", "conj", "aux", "auxpass", "prt"} and cur.head != cur:
            cur = cur.head
        else:
            return False
    return False


#: What follows a "more" / "less" that contrasts two framings ("less a scheme than", "more about X").
_DEGREE_OPENERS = frozenset({"a", "an", "the", "about"})


def _span_root(doc: "Doc", lo: int, hi: int) -> "Token | None":
    """The last word of ``doc[lo:hi]`` whose head lies outside it (the run's head), if it is a noun or verb."""
    roots = [t for t in doc[lo:hi] if not (lo <= t.head.i < hi) and not t.is_punct]
    roots = [t for t in roots if t.pos_ in _NOMINAL | {"VERB"}]
    return roots[-1] if roots else None


def _named(tok: "Token") -> bool:
    """Is ``tok`` a name (a player, a place), not a framing?"""
    return tok.pos_ == "PROPN" or tok.ent_type_ in {"ORG", "PERSON", "GPE", "NORP", "FAC", "PRODUCT"}


def _opens_sentence(doc: "Doc", start: int) -> bool:
    """Does token ``start`` open the sentence, or the part of a headline after its colon or dash
    ("The Clash in Instant Retail: More Than X, It's Y")?"""
    before = [t for t in doc[:start] if not t.is_space]
    if all(t.is_punct for t in before):
        return True
    return before[-1].text in {":", "—", "–"} and not any(t.text in {",", ";"} for t in before)


_FLAT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "pobj", "oprd", "appos", "compound"})


def _flat_sibling(a: "Token", b: "Token") -> bool:
    return a.head == b.head and a.dep_ == b.dep_ and not (b.is_punct and b.text not in {"-", "‐"})


def _flat_run_head(tok: "Token", lo: int = 0, hi: int | None = None) -> "Token":
    """The last of a run of sibling tokens sharing ``tok``'s head and role, which the parser left flat
    instead of nesting ("Traditional | e | - | commerce", all subjects of "replaced"; "that | e | - |
    commerce", all attributes of "is"): the phrase is then read from its last word, as from a noun
    phrase's head."""
    if tok.dep_ not in _FLAT_DEPS:
        return tok
    doc = tok.doc
    hi = len(doc) if hi is None else hi
    j = tok.i
    while j + 1 < hi and _flat_sibling(tok, doc[j + 1]):
        j += 1
    if j == tok.i or doc[j].pos_ not in _NOMINAL or not doc[j].is_alpha:
        return tok
    # the run is one phrase when its words are what a noun phrase holds (a mis-tagged "that" may open it)
    if all(t.pos_ in _NOMINAL | {"ADJ", "DET", "PUNCT"} or t.text in {"-", "‐"} or t.lower_ == "that"
           for t in doc[tok.i:j + 1]):
        return doc[j]
    return tok


def _flat_run_start(tok: "Token", lo: int = 0) -> int:
    """Where the flat run ending at ``tok`` (see :func:`_flat_run_head`) starts."""
    if tok.dep_ not in _FLAT_DEPS:
        return tok.i
    doc = tok.doc
    j = tok.i
    while j - 1 >= lo and _flat_sibling(tok, doc[j - 1]) and (
            doc[j - 1].pos_ in _NOMINAL | {"ADJ", "DET", "PUNCT"} or doc[j - 1].lower_ == "that"):
        j -= 1
    return j


def _argument_role(tok: "Token") -> str:
    """How a side's head is attached: ``object`` (direct object, attribute), ``prep:P`` (object of P), or ``other``."""
    if tok.dep_ in {"dobj", "attr", "oprd"}:
        return "object"
    if tok.dep_ in {"pobj", "pcomp"} and tok.head.pos_ == "ADP":
        return f"prep:{tok.head.lower_}"
    return "other"


def _unparallel(old: "Token", new: "Token") -> bool:
    """A corrected side in another role than the side it corrects: a direct object against the
    object of a preposition ("not access X, but through Y"). Two prepositions may be parallel
    ("not limited to X, but into Y")."""
    roles = {_argument_role(old), _argument_role(new)}
    return "object" in roles and any(r.startswith("prep:") for r in roles)


def _coordinated_phrases(verb: "Token", conj: "Token") -> bool:
    """Are ``verb`` and its "but" conjunct ``conj`` two different content verbs ("not chase X but build
    Y")? The same verb again ("not position it as X, but position it as Y") or a copula is left to
    the alignment of like roles."""
    return (verb.pos_ == "VERB" and conj.pos_ == "VERB" and conj.dep_ == "conj"
            and conj.lemma_.lower() != verb.lemma_.lower()
            and not (_copular_like(verb) or _copular_like(conj)))


def _hung_participle(anchor: "Token", neg: "Token", but: "Token") -> "Token | None":
    """The present participle that a negated "be" governs as a clause between the negator and "but"
    ("are no longer just hunting for X, but ...", parsed with "are" as the root): the verb whose
    phrase is negated. None when ``anchor`` is not such an auxiliary or has a predicate of its own."""
    if anchor.pos_ != "AUX" or anchor.lemma_.lower() != "be" or any(
            c.dep_ in {"attr", "acomp", "oprd", "prep"} and neg.i < c.i < but.i for c in anchor.children):
        return None
    return next((c for c in anchor.children if c.dep_ in {"advcl", "xcomp"} and c.tag_ == "VBG"
                 and neg.i < c.i < but.i), None)


def _object_of(tok: "Token", verb: "Token", means: Iterable[str] = ()) -> bool:
    """Is ``tok`` the direct object of ``verb`` (or of a verb it takes as its complement: "want to
    chase X"), or the object of a preposition on it ("look for X", "compete on X")? A side that hangs
    anywhere else, a phrase fronted before its verb ("but through X, help them access Y") or one of
    ``means`` ([checks] means_preps) is not what the verb phrase is about."""
    head = tok.head
    if tok.dep_ in {"pobj", "pcomp"} and head.dep_ == "prep":
        if head.lower_ in means or head.i < head.head.i:
            return False
        head = head.head
    elif tok.dep_ not in {"dobj", "obj"} or tok.i < head.i:
        return False
    while head != verb and head.dep_ == "xcomp" and head.head != head:
        head = head.head
    return head == verb


def _counted(tok: "Token") -> bool:
    """A head with a number ("10 billion yuan", "three stores"): an amount, not a framing."""
    doc = tok.doc
    # (a number hyphenated to the next word is an adjective: "one-off sale", "two-sided market")
    return any(c.dep_ == "nummod" and c.like_num and not (c.i + 1 < len(doc) and doc[c.i + 1].text == "-"
                                                          and c.i + 2 < tok.i)
               for c in tok.children)


def _ranked(tok: "Token") -> bool:
    """A head with an ordinal adjective ("the second time"); spaCy counts ordinals as numbers."""
    return any(c.dep_ == "amod" and c.like_num and c.tag_ == "JJ" for c in tok.children)


def _negator_before(verb: "Token", before: int) -> "Token | None":
    """The negator on ``verb`` ahead of position ``before``: its "not", or the "no" of its "no longer"
    ("is no longer a fad but an infrastructure")."""
    neg = next((c for c in verb.children if c.dep_ == "neg" and c.i < before), None)
    if neg is None:
        longer = next((c for c in verb.children if c.lower_ == "longer" and c.i < before), None)
        neg = next((g for g in longer.children if g.lower_ == "no"), None) if longer is not None else None
    return neg


def _negator_text(neg: "Token") -> str:
    """How a cue says the negator: "no longer" for the "no" of "no longer"."""
    doc = neg.doc
    return "no longer" if neg.lower_ == "no" and neg.i + 1 < len(doc) and doc[neg.i + 1].lower_ == "longer" \
        else neg.lower_


def _other_phrasal_verb(tok: "Token", wording: Wording) -> bool:
    """A verb whose particle is not the wording's makes another verb: "ended up on the shelf" is no
    ending, "dies down" no death ("give up", "fade away" are wordings of their own)."""
    return tok.pos_ == "VERB" and any(c.dep_ == "prt" and c.i > tok.i and c.lower_ not in wording.rest
                                      for c in tok.children)


def _noun_modifier(tok: "Token", key: str, wording: Wording) -> bool:
    """A predicate noun that only modifies the noun after it ("a high-end version of X", "end users")
    is not the wording: the of-phrase there is the other noun's (unless that noun is the wording's
    own: "the swan song of X")."""
    return key == "nouns" and tok.dep_ == "compound" and tok.head.i > tok.i and tok.head.pos_ in _NOMINAL \
        and tok.head.lower_ not in wording.rest


def _range_goes_on(doc: "Doc", new: tuple[int, int]) -> bool:
    """Does another "to" or "from" follow the new side after a comma ("from A to B, to C", "from A
    to B, from C to D")? Then the range is one step of a list, not a change of framing."""
    after = doc[new[1]:new[1] + 3]
    return len(after) >= 2 and after[0].text == "," and after[1].lower_ in {"to", "from"}


def _fronted_noun(doc: "Doc", start: int) -> "Token | None":
    """The noun of a verbless phrase from ``start`` to the next comma ("Once | a luxury, ..."), when
    the parser hung it on a word after the comma."""
    comma = next((t.i for t in doc[start:start + 8] if t.text == ","), None)
    if comma is None or comma == start or any(t.pos_ in {"VERB", "AUX"} for t in doc[start:comma]):
        return None
    tops = [t for t in doc[start:comma] if not start <= t.head.i < comma and t.pos_ not in {"DET", "PUNCT"}]
    return tops[0] if len(tops) == 1 and tops[0].pos_ in {"NOUN", "PROPN"} and tops[0].head.i > comma else None


def _third_person(lemma: str) -> str:
    """"work" -> "works", "apply" -> "applies", "go" -> "goes": a verb's lemma as a cue says it."""
    if lemma.endswith("y") and len(lemma) > 1 and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ies"
    if lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        return lemma + "es"
    return lemma + "s"


def _extends(longer: Wording, shorter: Wording) -> bool:
    """``longer`` is ``shorter`` with more fixed words after it ("wave goodbye to" of "wave goodbye")."""
    return longer.lemma == shorter.lemma and len(longer.rest) > len(shorter.rest) \
        and longer.rest[:len(shorter.rest)] == shorter.rest


def _predicative_participle(tok: "Token") -> bool:
    """A participle said of the subject by "be" ("is outdated", "is gone"), not a perfect ("has gone back")."""
    if any(c.lemma_.lower() == "have" and c.dep_ == "aux" for c in tok.children):
        return False
    if tok.dep_ == "nsubj" and tok.head.lemma_.lower() == "be" and tok.head.i == tok.i + 1 and all(
            t.dep_ == "advmod" and t.head == tok for t in tok.doc[:tok.i]):
        return True  # fronted before its copula: "Gone are the days of X", "Long gone are the days"
    return tok.dep_ == "acomp" or any(c.lemma_.lower() == "be" and c.dep_ in {"aux", "auxpass"} for c in tok.children)


def _keeps_from_doing(verb: "Token") -> bool:
    """"avoid / keep / stop X from V-ing": a "from" phrase holding a verb, on the verb or its object
    (not one that runs to a "to": "shifted their focus from seeking X to mining Y" is a change)."""
    objects = [c for c in verb.children if c.dep_ in {"dobj", "obj"}]
    if not objects:
        return False
    for tok in [verb, *objects]:
        for prep in tok.children:
            doing = next((c for c in prep.children if c.tag_ == "VBG"), None) \
                if prep.dep_ == "prep" and prep.lower_ == "from" and prep.i > objects[0].i else None
            if doing is not None and _find_to(prep, doing) is None:
                return True
    return False


def _negated_by_coordination(verb: "Token") -> bool:
    """A verb coordinated with a negated one by "and" / "or" / "nor" shares its negation ("cannot
    subvert and replace X"); after "but" / "yet" it does not ("did not grow but replaced X")."""
    if verb.dep_ != "conj" or verb.pos_ not in {"VERB", "AUX"}:
        return False
    first = verb.head
    while first.dep_ == "conj" and first.head != first:
        first = first.head
    if first.pos_ not in {"VERB", "AUX"} or not _is_negated(first):
        return False
    joiners = [c.lower_ for c in first.children if c.dep_ == "cc" and c.i < verb.i]
    joiners += [c.lower_ for c in verb.children if c.dep_ == "cc"]
    return not any(j in {"but", "yet", "instead"} for j in joiners)


def _resolve_filter(spec) -> "FrameFilter | None":
    if spec is None or spec is False:
        return None
    from .frame_filter import FrameFilter

    if spec is True:
        spec = FrameFilter()
    elif not isinstance(spec, FrameFilter) and isinstance(spec, (str, Path)):
        spec = FrameFilter(spec)
    if not hasattr(spec, "coefficients_"):
        spec.fit()
    return spec


def _capitalised(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


def _title_cased(features: list) -> bool:
    """Most longer words capitalised: a headline (``features``: rows of :data:`_FEATURES`)."""
    long_words = [row for row in features if row[2] and row[3] > 3]
    return len(long_words) >= 3 and sum(1 for row in long_words if row[1]) >= 0.7 * len(long_words)


def _match_rest(doc: "Doc", tok: "Token", rest: tuple[str, ...]) -> list["Token"] | None:
    """The tokens completing a multi-word predicate ("rid", "of" after "get"), in order, close after it."""
    found: list["Token"] = []
    pos = tok.i
    for word in rest:
        nxt = None
        for j in range(pos + 1, min(len(doc), pos + 4)):
            after = doc[j]  # (one Token per word: "be over" makes nearly every "be" a candidate)
            if after.lower_ == word or after.lemma_.lower() == word:
                nxt = after
                break
            if after.is_punct and after.text not in _QUOTES:
                break
        if nxt is None and word in _SPLIT_PARTICLES:
            # a particle after the object ("leave the traffic game behind"): a dependent of the verb
            nxt = next((c for c in tok.children if c.i > pos and c.lower_ == word and c.dep_ in {"prt", "advmod"}), None)
        if nxt is None:
            return None
        found.append(nxt)
        pos = nxt.i
    return found


#: Particles that may follow the object of a phrasal verb ("leave X behind", "phase X out", "give X up").
_SPLIT_PARTICLES = frozenset({"behind", "out", "up", "off", "away"})


def _prep_object(pred: "Token", preps: tuple[str, ...], used: set[int]) -> tuple["Token | None", "Token | None"]:
    """The object of a preposition in ``preps`` on ``pred``, or on a from-phrase of it ("from X to Y"
    with "to" attached to X)."""
    near = list(pred.children) + [g for c in pred.children if c.dep_ in {"advmod", "prt"} for g in c.children]
    for child in near:  # "moving away | from X toward Y": the from-phrase may hang on the particle
        if child.dep_ == "prep" and child.lower_ == "from" and "from" not in preps:
            obj = _pobj(child)
            if obj is None:
                continue
            to = _find_to(child, obj)
            if to is not None and to.lower_ in preps and to.i not in used:
                target = _pobj(to) if to.dep_ != "aux" else _run_root(pred.doc, to.i + 1) or to.head
                if target is None:
                    target = _run_root(pred.doc, to.i + 1)
                if target is not None and target.i > to.i - (1 if to.dep_ == "aux" else 0):
                    return target, to
    for words in (p.split() for p in preps if " " in p):
        # a complex preposition ("in favour of Y"): its first word on the verb, the rest down its object
        found = _complex_prep_object(pred, words, used)
        if found[0] is not None:
            return found
    # on the verb, or hung on its object by the parser ("replace X | with Y")
    hosts = [pred] + [c for c in pred.children if c.dep_ == "dobj"]
    for host in hosts:
        for child in host.children:
            if child.dep_ in {"prep", "agent", "dative"} and child.lower_ in preps and child.i not in used:
                if child.lower_ == "with" and host is pred and child.i < pred.i:
                    continue  # "With the giants retreating, X is being replaced by Y": a fronted circumstance
                obj = _pobj(child)
                if obj is None and child.lower_ in {"to", "into"}:
                    obj = _run_root(pred.doc, child.i + 1)
                if obj is not None:
                    return obj, child
    # "witnessing the transition from X | to Y": the parser hangs the to-phrase of a change noun
    # on the verb that governs the noun
    if pred.pos_ in {"NOUN", "PROPN"} and pred.dep_ in {"dobj", "pobj", "nsubj", "attr"} and "from" not in preps \
            and any(c.dep_ == "prep" and c.lower_ == "from" for c in pred.children):
        gov = pred.head if pred.dep_ != "pobj" else pred.head.head
        for child in gov.children:
            if child.dep_ == "prep" and child.lower_ in preps and child.i > pred.i and child.i not in used:
                obj = _pobj(child)
                if obj is not None:
                    return obj, child
    return None, None


def _complex_prep_object(pred: "Token", words: list[str], used: set[int]) -> tuple["Token | None", "Token | None"]:
    """The object of a complex preposition ``words`` ("in favour of", "in place of") on ``pred``:
    "in" on the verb, "favour" its object, "of" on that, Y the object of "of"."""
    hosts = [pred] + [c for c in pred.children if c.dep_ == "dobj"]
    for host in hosts:
        for child in host.children:
            if child.dep_ != "prep" or child.lower_ != words[0] or child.i in used:
                continue
            cur, ok = child, True
            for word in words[1:]:
                nxt = next((c for c in cur.children if c.dep_ in {"pobj", "prep"} and c.lower_ == word), None)
                if nxt is None:
                    ok = False
                    break
                cur = nxt
            obj = _pobj(cur) if ok and cur.dep_ == "prep" else None
            if obj is not None:
                return obj, child  # (its first word ends a side the phrase hangs on: "X in favour of Y")
    return None, None


def _holder(pred: "Token") -> "Token | None":
    """What a predicative noun or adjective is said of: the copula's subject ("X is obsolete", "X has
    become a thing of the past"), the noun it is in apposition to ("X: the gravedigger of Y")."""
    tok = pred
    if tok.dep_ in {"nsubj", "acomp"} and tok.i < tok.head.i and tok.head.lemma_.lower() == "be" \
            and tok.pos_ in {"ADJ", "VERB"} and _subject(tok.head) in (None, tok):
        # inverted: "Gone are the days of X", "Long gone are the days" (the parser takes the fronted
        # adjective for the subject, or for a complement before its copula)
        attr = _first_child(tok.head, ("attr",), after=tok.head.i)
        if attr is not None:
            return attr
    if tok.dep_ in {"attr", "acomp", "oprd", "xcomp", "advmod", "prt"} and tok.head != tok:
        subj = _subject(tok.head)
        if subj is not None and subj.tag_ in {"WDT", "WP"} and tok.head.dep_ == "relcl" and tok.head.head.pos_ in _NOMINAL:
            return tok.head.head  # "a new model that is different from X": the noun the relative clause is said of
        return subj
    if tok.dep_ == "pobj" and tok.head.dep_ == "prep" and tok.head.head.lemma_.lower() in {"become", "be", "turn"}:
        return _subject(tok.head.head)
    if tok.dep_ == "appos" and tok.head.pos_ in _NOMINAL:
        return tok.head
    subj = next((c for c in tok.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subj is not None:
        return subj
    return None


def _bounds(head: "Token", pred: "Token", prep: "Token | None") -> tuple[int, int]:
    """Where a side grown from ``head`` may lie: after its preposition, or on its own side of the predicate."""
    doc = head.doc
    if prep is not None and prep.i < head.i:
        return prep.i + 1, _clause_end(doc, head)
    if head.i < pred.i:
        return 0, pred.i
    return pred.i + 1, _clause_end(doc, head)


def _verb_phrase(doc: "Doc", verb: "Token", lo: int) -> tuple[int, int] | None:
    """A verb and its objects, without its subject or clauses ("blindly expanding its own platform")."""
    members = [t.i for t in verb.subtree if t.i >= lo and not (t.dep_ in _SUBJ or t.dep_ in _CLAUSAL)]
    if not members:
        return None
    start, end = min(members), verb.i + 1
    for i in range(verb.i + 1, len(doc)):
        if i not in members or doc[i].is_punct and doc[i].text not in _QUOTES:
            break
        end = i + 1
    start, end = _trim(doc, start, end, verb.i)
    if end - start > MAX_SIDE_WORDS + 2:
        end = start + MAX_SIDE_WORDS
    return _polish(doc, (start, end), verb.i) if start < end else None


def _antecedent(pred: "Token") -> "Token | None":
    """The subject of the clause before ``pred``'s, which "its" / "their" in "take its place" points
    back to: the verb ``pred`` is coordinated with ("X has failed, and Y is taking its place"), or a
    clause before it after a semicolon."""
    if pred.dep_ == "conj" and pred.head != pred and pred.head.i < pred.i:
        return _subject(pred.head)
    before = [c for c in pred.children if c.dep_ in {"ccomp", "parataxis"} and c.i < pred.i]
    return _subject(before[-1]) if before else None


def _degree_head(tok: "Token") -> "Token | None":
    """What "less" / "more" weighs: the noun it modifies ("less traffic"), or the object of the
    "about" after it ("less about products, more about experiences")."""
    doc = tok.doc
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    if nxt is not None and nxt.lower_ == "about" and nxt.pos_ == "ADP":
        obj = _first_child(nxt, ("pobj", "pcomp"))
        return obj if obj is not None and obj.pos_ in _NOMINAL | {"VERB"} else None
    return tok.head if tok.head.pos_ in _NOMINAL else None


def _clause_subject(pred: "Token", comp: "Token | None", after: int) -> "Token | None":
    """``comp``, or the subject of ``pred`` (at ``after`` or later) when ``comp`` is missing or a wh-word."""
    if comp is not None and not (comp.pos_ == "PRON" and comp.tag_ in {"WP", "WDT"}):
        return comp
    subj = _subject(pred)
    return subj if subj is not None and subj.i >= after and _content(subj) else comp


def _governing_predicate(tok: "Token") -> "Token | None":
    """The verb (or copula) whose clause a temporal marker modifies."""
    cur = tok
    for _ in range(4):
        if cur.pos_ in {"VERB", "AUX"} and cur.dep_ not in {"aux", "auxpass"}:
            return cur
        if cur.head == cur:
            return cur if cur.pos_ in {"VERB", "AUX"} else None
        cur = cur.head
    return None


def _last_phrase_head(doc: "Doc", before: int) -> "Token | None":
    """The top token of the phrase just before ``before`` (up to a comma)."""
    j = before - 1
    while j >= 0 and doc[j].is_punct:
        j -= 1
    if j < 0:
        return None
    tok = doc[j]
    while tok.head != tok and tok.head.i < before and tok.head.i > j - 8 and tok.head.pos_ not in {"VERB", "AUX"}:
        tok = tok.head
    return tok


def _hyphen_group(doc: "Doc", i: int) -> tuple[int, int]:
    """Token range of the hyphenated word around token ``i`` ("e - commerce" tokens of "e-commerce")."""
    start = end = i
    while start >= 2 and doc[start - 1].text in {"-", "‐"} and not doc[start - 2].whitespace_ \
            and not doc[start - 1].whitespace_:
        start -= 2
    while end + 2 < len(doc) and doc[end + 1].text in {"-", "‐"} and not doc[end].whitespace_ \
            and not doc[end + 1].whitespace_:
        end += 2
    return start, end + 1


def _polish(doc: "Doc", span: tuple[int, int], head_i: int) -> tuple[int, int] | None:
    """Whole hyphenated words at both edges, and no unpaired quote mark at either edge."""
    start, end = span
    start = min(start, _hyphen_group(doc, start)[0])
    end = max(end, _hyphen_group(doc, end - 1)[1])
    for _ in range(2):
        inside = [t for t in doc[start:end] if t.text in _QUOTES]
        if len(inside) % 2 == 1:
            # an unpaired quote mark: the side stops before it (after the head) or starts after it
            stray = inside[-1] if inside[-1].i > head_i else inside[0]
            if stray.i > head_i:
                # a quotation the cap cut short: close it if the closing mark is near, else stop before it
                close = next((t.i for t in doc[end:min(len(doc), end + 5)] if t.text in _QUOTES), None)
                # (a period or comma just before the closing mark is the quotation's: 'of "more for less."')
                if close is not None and not any(t.is_punct and t.text not in _QUOTES and t.i != close - 1
                                                 for t in doc[end:close]):
                    end = close + 1
                else:
                    end = stray.i
                    while end > start + 1 and doc[end - 1].pos_ in {"ADP", "DET", "CCONJ", "SCONJ"}:
                        end -= 1  # 'the idea of | "...': no side ends on the word that led into the quotation
            else:
                start = stray.i + 1
        while start < end and doc[start].is_punct and doc[start].text not in _QUOTES:
            start += 1
        while end > start and doc[end - 1].is_punct and doc[end - 1].text not in _QUOTES:
            end -= 1
    if end - start > 1 and doc[end - 1].tag_ in {"WDT", "WP"} and doc[end - 1].dep_ in {"nsubj", "nsubjpass"}:
        end -= 1  # "a model that | is obsolete": the relative pronoun belongs to the predicate's clause
    return (start, end) if start < end else None


def _span_head(doc: "Doc", span: tuple[int, int]) -> "Token":
    return doc[span[0]:span[1]].root


def _word_lemma(tok: "Token") -> str:
    """Lowercase lemma of a word, whole when hyphenated ("e-commerce")."""
    doc = tok.doc
    start, end = _hyphen_group(doc, tok.i)
    if end - start > 1:
        return "".join(t.text for t in doc[start:end - 1]).lower() + doc[end - 1].lemma_.lower()
    return tok.lemma_.lower()


def side_head(doc: "Doc", span: tuple[int, int] | None) -> str:
    """Lowercase lemma of a side's syntactic head ("" for an empty side); hyphenated words stay whole."""
    if span is None:
        return ""
    sp = doc[span[0]:span[1]]
    root = sp.root
    start, end = _hyphen_group(doc, root.i)
    # a hyphenated word split into sibling tokens: the head is the whole word
    if start < span[0] or end > span[1]:
        return root.lemma_.lower()
    return _word_lemma(root)


# ----------------------------------------------------------------------------- shared tree helpers

def _find_negation(anchor: "Token", before: int, negators: frozenset[str] = _NEGATORS) -> "Token | None":
    """The negator that scopes over the material before "but" in ``anchor``'s clause."""
    best = None
    stack = [anchor]
    while stack:
        tok = stack.pop()
        for child in tok.children:
            if child.i >= before or child.dep_ in {"advcl", "ccomp", "relcl", "acl", "csubj", "mark"}:
                continue
            if child.lower_ in negators and child.dep_ in {"neg", "preconj", "det", "advmod"}:
                if child.lower_ == "no" and child.dep_ == "det" and child.head.lower_ == "doubt":
                    continue
                if best is None or child.i > best.i:
                    best = child
            if tok == anchor or child.dep_ in {"attr", "dobj", "prep", "pobj", "appos", "advmod", "xcomp", "acomp"}:
                stack.append(child)
    if best is not None and best.i < anchor.left_edge.i:
        return None
    return best


def _negated_sides(anchor: "Token", neg: "Token", but: "Token", conj: "Token"
                   ) -> tuple["Token | None", "Token | None"]:
    """Heads of the old and new sides of a "not X, but Y" around predicate ``anchor``."""
    lo, hi = neg.i + 1, but.i
    # negation inside a nominal: "no longer a platform outside the industry" (appos chain), "no platform"
    neg_host = neg.head if neg.lower_ != "no" or neg.head.lower_ != "longer" else neg.head.head
    if _by_no_means(neg):
        # "is by no means a simple upgrade, but an innovation": the idiom negates the clause, not "means"
        neg_host, lo = anchor, neg.head.i + 1
        if anchor.pos_ not in _NOMINAL:
            old = _complement(anchor, after=neg.head.i, before=hi)
            if conj.pos_ in {"VERB", "AUX"} and anchor.pos_ in {"VERB", "AUX"}:
                new = _complement(conj, after=conj.i) or _complement(conj)
            elif conj.pos_ == "ADP":
                new = _pobj(conj)
            else:
                new = conj
            return old, new
    if neg_host != anchor and neg_host.pos_ in _NOMINAL and lo <= neg_host.i < hi:
        old = neg_host
    elif neg_host != anchor and neg_host.pos_ in _NOMINAL and neg_host.i < neg.i:
        # "no longer a third party, no longer a platform ...": the negation opens a restatement
        old = next((c for c in neg_host.children if c.dep_ in {"appos", "conj"} and lo <= c.i < hi), None)
    elif anchor.pos_ in _NOMINAL and (neg_host == anchor or neg_host == anchor.head):
        old = anchor
    else:
        old = None
    if conj.pos_ in _NOMINAL | {"ADJ"} and anchor.pos_ in {"VERB", "AUX"} or conj.pos_ in _NOMINAL:
        new = conj
    elif conj.pos_ == "ADP":
        new = _pobj(conj)
        if old is None:
            prep = next((c for c in anchor.children if c.dep_ == "prep" and lo <= c.i < hi), None)
            old = _pobj(prep) if prep is not None else None
    elif conj.pos_ in {"VERB", "AUX"} and anchor.pos_ in {"VERB", "AUX"} and old is None:
        if conj.lemma_ == anchor.lemma_ or (_copular_like(conj) and _copular_like(anchor)):
            a, b = _align(anchor, conj, lo, hi, but.i + 1, len(anchor.doc))
            if a is not None:
                return a, b
        new = _complement(conj, after=conj.i) or _complement(conj)
    else:
        new = _complement(conj, after=but.i)
    if old is None:
        old = _complement(anchor, after=neg.i, before=but.i)
    if old is not None and old.i >= but.i:
        old = None
    # an appositive chain of restatements: take the one next to "but"
    if old is not None:
        chain = [c for c in old.children if c.dep_ == "appos" and c.i < but.i
                 and any(t.lower_ in _NEGATORS for t in c.subtree if t.i < c.i)]
        if chain:
            old = chain[-1]
    return old, new


def _denied_content(pred: "Token", affirming: "frozenset[str] | tuple[str, ...]" = ()) -> bool:
    """Is ``pred`` the verb of a that-clause that a negated predicate denies: the content of a negated
    noun ("is not a sign that X ...") or of a negated verb ("does not mean that X ...")? An evaluation
    ("it is not surprising that X ...") and a negated verb of ``affirming`` ([checks]
    affirming_when_negated: "cannot deny that X ...") leave the clause asserted."""
    if not any(c.dep_ == "mark" and c.lower_ == "that" for c in pred.children):
        return False
    gov = pred.head
    if pred.dep_ == "acl" and (gov.pos_ in _NOMINAL or gov.dep_ == "attr"):  # (the tagger may take "proof" for an adjective)
        return gov.dep_ in {"attr", "dobj"} and _is_negated(gov.head)
    if pred.dep_ == "ccomp" and gov.pos_ == "VERB":
        return _is_negated(gov) and gov.lemma_.lower() not in {*affirming, "be"}
    return False


def _has_of(tok: "Token") -> bool:
    """Does noun ``tok`` have an of-phrase of its own?"""
    return any(c.dep_ == "prep" and c.lower_ == "of" for c in tok.children)


def _by_no_means(neg: "Token") -> bool:
    """Is ``neg`` the "no" of the adverbial idiom "by no means"?"""
    host = neg.head
    return (neg.lower_ == "no" and host.lower_ == "means" and host.i == neg.i + 1 and neg.i > 0
            and neg.doc[neg.i - 1].lower_ == "by")


def _fronted_new(attach: "Token", after: int, praise: frozenset[str] = frozenset()) -> "Token | None":
    """The endorsed side in "Rather than X, Y ...": the clause's main nominal argument after X."""
    if attach.pos_ in _NOMINAL:
        return _np_top(attach)
    subj = next((c for c in attach.children if c.dep_ in {"nsubj", "nsubjpass"} and c.i > after), None)
    attr = next((c for c in attach.children if c.dep_ in {"attr", "acomp"} and c.i > after), None)
    if subj is not None and _content(subj):
        if attr is None or attr.lemma_.lower() in praise or attr.pos_ == "ADJ":
            return subj
    for dep in ("attr", "dobj", "oprd"):
        tok = next((c for c in attach.children if c.dep_ == dep and c.i > after), None)
        if tok is not None and _content(tok):
            return tok
    return _complement(attach, after=after)


def _find_to(frm: "Token", old_head: "Token") -> "Token | None":
    """The "to" of "from X to Y": a sibling, a dependent of "from" or of X, or the infinitive marker
    of a gerund-like Y ("From expanding territory to digging deep well")."""
    window = frm.doc[old_head.i + 1: min(len(frm.doc), old_head.right_edge.i + 6)]
    for tok in window:
        if tok.lower_ in {"to", "into", "towards", "toward"}:
            up = [tok.head, tok.head.head, tok.head.head.head]  # "to" may hang on a mis-tagged Y ("to user retention")
            if any(u in (frm, frm.head, old_head) for u in up) or tok.head in old_head.subtree:
                return tok
        if tok.is_punct and tok.lower_ in {",", ";", "."} and tok.i > old_head.right_edge.i:
            break
    return None


def _comparative(tok: "Token") -> bool:
    """A comparative adjective: "bigger", or "more" / "less" with an adjective ("more meaningful")."""
    return tok.pos_ == "ADJ" and (tok.tag_ == "JJR" or any(
        c.dep_ == "advmod" and c.lower_ in {"more", "less"} for c in tok.children))


def _quantified_clause(frm: "Token", after: int, markers: Iterable[str]) -> bool:
    """Does the clause that a fronted "From X to Y," opens quantify over the range ("they are all
    vying", "all categories grew", "banners hang everywhere")? Then the range lists members."""
    root = frm.head
    if root == frm or root.i < after:
        return False
    heads = [root, *(c for c in root.children if c.i >= after and c.dep_ in {"acomp", "xcomp", "oprd"})]
    near = [c for h in heads for c in h.children if c.i >= after and c.dep_ not in {"cc", "conj", "punct", "prep"}]
    near += [g for c in near if c.dep_ in {"nsubj", "nsubjpass"} for g in c.children
             if g.dep_ in {"det", "predet", "quantmod", "amod"}]
    return any(t.lower_ in markers and t.lower_ != "and" for t in near)


def _run_root(doc: "Doc", start: int) -> "Token | None":
    """Head of the word run starting at ``start`` (up to a comma or conjunction), for objects the
    parser failed to attach: "to consumer-centered and ..." -> "centered"."""
    end = start
    while end < len(doc) and not (doc[end].pos_ in {"CCONJ", "SCONJ"} or doc[end].lower_ in {",", ";", ".", ":"}):
        end += 1
    roots = [t for t in doc[start:end] if not (start <= t.head.i < end) and not t.is_punct]
    return roots[-1] if roots and roots[-1].pos_ in _NOMINAL | {"ADJ", "VERB"} else None


def _clause_end(doc: "Doc", tok: "Token") -> int:
    return tok.right_edge.i + 1


def _subject(verb: "Token") -> "Token | None":
    tok = verb
    for _ in range(3):
        subj = next((c for c in tok.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subj is None:
            # "Physical retail business becomes abandoned": the parser hangs the subject on the auxiliary
            subj = next((g for c in tok.children if c.dep_ in {"auxpass", "aux"} and c.i < tok.i
                         for g in c.children if g.dep_ in {"nsubj", "nsubjpass"}), None)
        if subj is not None:
            return _unclause(subj)
        if (tok.dep_ in {"xcomp", "conj"} or tok.dep_ == "advcl" and tok.tag_ == "VBG") and tok.head != tok:
            # "began to X", "X and Y", "..., replacing the shelf": the governing verb's subject
            tok = tok.head
        else:
            break
    return None


def _quoted_phrase(doc: "Doc", lo: int, hi: int) -> "tuple[Token, int, int] | None":
    """The first phrase in ``[lo, hi)`` set between an opening and a closing quotation mark (a
    scare-quoted term) that is a noun phrase: its head and its token range, or None."""
    i = lo
    while i < hi:
        if doc[i].tag_ == "``":
            close = next((j for j in range(i + 1, min(hi, i + 12)) if doc[j].tag_ in {"''", "``"}), None)
            if close is None:
                return None
            if doc[close].tag_ == "''" and close > i + 1:
                roots = [t for t in doc[i + 1:close] if not (i < t.head.i < close)]
                if len(roots) == 1 and roots[0].pos_ in {"NOUN", "PROPN"}:
                    return roots[0], i + 1, close
            i = close
        i += 1
    return None


def _of_object(tok: "Token") -> "Token | None":
    """The object of ``tok``'s of-phrase ("era" in "a product of the Internet era")."""
    prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    return _pobj(prep) if prep is not None else None


def _with_participle(doc: "Doc", span: tuple[int, int], hosts: tuple, hi: int, max_words: int) -> tuple[int, int]:
    """``span`` with the comma-set participle phrase right after it that describes what it names:
    "what used to be thought of as digital retail, often empowering merchants, is now ..." (the
    old framing is the retail that empowers merchants). The phrase must close before ``hi``."""
    j = span[1]
    if j >= hi or doc[j].lower_ != ",":
        return span
    part = next((t for t in doc[j + 1:min(hi, j + 4)] if t.tag_ == "VBG"), None)
    if part is None or part.head not in hosts or part.dep_ not in {"advcl", "acl"} \
            or any(not (t.pos_ == "ADV" or t is part) for t in doc[j + 1:part.i]):
        return span
    stop = part.right_edge.i + 1
    if stop > hi or (stop < hi and not doc[stop].is_punct) or _n_words(doc, span[0], stop) > max_words:
        return span
    return span[0], stop


def _unclause(subj: "Token") -> "Token":
    """The noun phrase meant by a subject that is a misread clause: in "When such a model matures, the
    usual retail ... is replaced", the parser takes "model matures" for a noun (a subordinator whose
    clause has no verb) with the real subject as its apposition; that apposition is the subject."""
    doc = subj.doc
    lead = subj.left_edge.i - 1
    if lead < 0 or not (doc[lead].pos_ == "SCONJ" or doc[lead].tag_ == "WRB") or doc[lead].head == subj:
        return subj
    if any(t.pos_ in {"VERB", "AUX"} for t in doc[lead + 1:subj.i + 1]):
        return subj
    if subj.tag_ != "NNS" or not any(c.dep_ == "compound" and c.i == subj.i - 1 for c in subj.children):
        return subj  # (the verb read as a plural noun after its subject: "model matures")
    appos = next((c for c in subj.rights if c.dep_ == "appos" and doc[c.left_edge.i - 1].lower_ == ","), None)
    return appos if appos is not None and appos.pos_ in _NOMINAL else subj


def _same_text(doc: "Doc", a: tuple[int, int], b: tuple[int, int]) -> bool:
    return [t.lemma_.lower() for t in doc[a[0]:a[1]]] == [t.lemma_.lower() for t in doc[b[0]:b[1]]]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _dedupe(frames: list[Frame]) -> list[Frame]:
    # frames naming both sides first, so a bare "X ends" gives way to "X is replaced by Y"
    frames.sort(key=lambda f: (f.new is None, f.anchor, f.old or (-1, -1)))
    kept: list[Frame] = []
    # "X evolved from A into B": the from-phrase is what changes, not the subject that undergoes it
    from_phrase = {(f.anchor, f.new) for f in frames if f.new is not None and "from" in f.cue.split()}
    frames = [f for f in frames if not (f.new is not None and "from" not in f.cue.split()
                                        and (f.anchor, f.new) in from_phrase)]
    for frame in frames:
        if any(k.old == frame.old and (k.new == frame.new or frame.new is None or k.new is None)
               or (k.old and frame.old and _overlap(k.old, frame.old) and k.new and frame.new
                   and _overlap(k.new, frame.new))
               for k in kept):
            continue
        kept.append(frame)
    kept.sort(key=lambda f: (f.anchor, f.old or (-1, -1)))
    return kept
