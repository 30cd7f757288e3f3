"""Contrast frames: where a sentence sets an old or rejected framing against a new or endorsed one.

Cues are found with a spaCy :class:`~spacy.matcher.Matcher` (word, lemma, part-of-speech and
dependency constraints), run only on sentences that pass a cheap prefilter of cue words. Each cue
family then reads its two sides off the dependency parse: it finds the head word of each side
(the complement of a negated predicate, the conjunct after "but", the object of "replace", the
objects of "from" and "to", ...) and grows a noun-phrase-sized span from it
(:func:`grow_side`): the head's subtree, minus circumstantial prepositional phrases and clauses,
trimmed of leading determiners and punctuation and capped in length.

Families (cue strings use X for the old side and Y for the new side):

- ``not X, but Y`` (also ``no longer``, ``never``, ``not just``; ``not only X, but also Y`` is
  additive and yields nothing), and ``Y, not X``;
- ``X rather than Y`` / ``rather than X, Y``, ``instead of X, Y`` / ``Y instead of X``;
- ``from X to Y`` (only where a change verb or noun governs it, or it heads the sentence: a
  moved object's route "migrate traffic from offline to online", and ranges "from time to time",
  are not reframings) and ``enter Y from X``;
- ``replace X with Y`` / ``Y replaces X`` / ``X is replaced by Y``; ``X is transformed into Y``;
- rejections whose new side may be empty: ``bid farewell to X``, ``say goodbye to X``,
  ``give up X``, ``get rid of X``, ``abandon X``, ``stop X`` (with ``..., and use Y`` giving Y).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

from ..errors import NotFittedError
from . import cues as C

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

#: A side longer than this many words is cut (at a phrase boundary where possible).
MAX_SIDE_WORDS = 10
#: Prepositions whose phrase stays inside a noun-phrase side ("logic of the platform",
#: "platform outside the industry"); others ("presence in the retail industry") are circumstance.
KEEP_PREPS = frozenset({"of", "for", "with", "outside", "without", "beyond", "between", "about", "like",
                        "toward", "towards", "against", "over", "within"})
_NOMINAL = frozenset({"NOUN", "PROPN", "PRON", "NUM"})
_CLAUSAL = frozenset({"advcl", "ccomp", "parataxis", "mark", "csubj"})
_SUBJ = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_COPULAS = frozenset({"be", "become", "remain", "seem", "stay", "turn", "prove"})
_LEAD_TRIM_POS = frozenset({"DET", "PUNCT", "CCONJ", "ADP", "PART", "SCONJ", "AUX"})
_LEAD_TRIM_WORDS = frozenset({"just", "only", "simply", "merely", "also", "even", "still", "so", "more",
                              "rather", "purely", "solely", "again", "truly"}) - {"truly"}
_TRAIL_TRIM_POS = frozenset({"DET", "PUNCT", "CCONJ", "ADP", "PART", "SCONJ", "AUX"})
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass
class Frame:
    """One contrast frame in one sentence, in token offsets of the sentence ``Doc``.

    ``old``/``new`` are ``(start, end)`` token spans, or ``None`` when the side is empty.
    """

    cue: str
    family: str
    old: tuple[int, int] | None
    new: tuple[int, int] | None
    anchor: int
    speaker: str = "author"
    extra: dict = field(default_factory=dict)


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

        if dep == "prep" and parent.pos_ in _NOMINAL | {"ADJ"} and child.lower_ not in KEEP_PREPS:
            return True
        if dep in {"cc", "conj"} and child.pos_ in {"VERB", "AUX"} and root.pos_ in _NOMINAL:
            return True
        if dep == "appos" and any(t.lower_ in C.NEGATORS for t in child.children):
            return True  # "a third party, no longer a platform": a restatement with its own negation
        if dep == "punct" and child.lower_ in {",", ";", ":", "(", ")"}:
            return True
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
                return child
    return None


def _pobj(prep: "Token") -> "Token | None":
    return _first_child(prep, ("pobj", "pcomp"))


def _is_negated(tok: "Token") -> bool:
    if any(c.dep_ == "neg" or c.lower_ in {"not", "n't", "never"} for c in tok.children):
        return True
    head = tok.head
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
        if obj is not None:
            return obj
    comp = _first_child(pred, ("xcomp", "advmod"), after, before)
    if comp is not None and comp.pos_ in {"VERB", "AUX", "ADV", "ADJ"} and comp.lower_ not in C.NEGATORS | {"longer"}:
        inner = _complement(comp, after, before)
        return inner if inner is not None else (comp if comp.pos_ in {"VERB", "ADJ"} else None)
    return None


def _np_top(tok: "Token") -> "Token":
    """Climb 'of'-chains to the top noun: "retail" in "redevelopment of new retail" -> "redevelopment"."""
    while tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.pos_ in _NOMINAL:
        tok = tok.head.head
    return tok


def _content(tok: "Token | None") -> bool:
    return tok is not None and not (tok.pos_ == "PRON" or tok.is_punct or tok.lower_ in C.NEGATORS)


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


# ----------------------------------------------------------------------------- the extractor

class ContrastExtractor:
    """Finds contrast frames in parsed sentences.

    Args:
        max_side_words: cap on the words of each side.
        families: cue families to run (default: all). Names: ``neg_but``, ``y_not_x``, ``rather_than``,
            ``instead_of``, ``from_to``, ``enter_from``, ``replace``, ``convert``, ``reject``.

    Call :meth:`fit` with a spaCy pipeline (for its vocabulary) before :meth:`extract`.
    """

    FAMILIES = ("neg_but", "y_not_x", "rather_than", "instead_of", "from_to", "enter_from", "replace",
                "convert", "reject")

    def __init__(self, max_side_words: int = MAX_SIDE_WORDS, families: Sequence[str] | None = None):
        self.max_side_words = max_side_words
        self.families = families

    # -- fitting
    def fit(self, nlp: "Language") -> "ContrastExtractor":
        """Build the cue matcher on ``nlp``'s vocabulary."""
        from spacy.matcher import Matcher

        families = tuple(self.families) if self.families else self.FAMILIES
        unknown = set(families) - set(self.FAMILIES)
        if unknown:
            raise ValueError(f"unknown contrast families: {sorted(unknown)}; choose from {self.FAMILIES}")
        matcher = Matcher(nlp.vocab)
        patterns: dict[str, list] = {
            "neg_but": [[{"LOWER": "but", "POS": {"IN": ["CCONJ", "SCONJ", "ADP", "ADV"]}}]],
            "y_not_x": [[{"ORTH": {"IN": [",", ";", "-", "—"]}}, {"LOWER": {"IN": ["not", "never"]}},
                         {"LOWER": {"IN": sorted(C.RESTRICTIVE)}, "OP": "?"}]],
            "rather_than": [[{"LOWER": "rather"}, {"LOWER": "than"}]],
            "instead_of": [[{"LOWER": "instead"}, {"LOWER": "of"}]],
            "from_to": [[{"LOWER": "from", "POS": {"IN": ["ADP", "SCONJ"]}}]],
            "enter_from": [[{"LEMMA": {"IN": sorted(C.ENTRY_VERBS)}, "POS": {"IN": ["VERB", "AUX"]}}]],
            "replace": [[{"LEMMA": {"IN": sorted(C.REPLACE_VERBS)}, "POS": "VERB"}]],
            "convert": [[{"LEMMA": {"IN": sorted(C.CONVERT_VERBS)}, "POS": "VERB"}]],
            "reject": [[{"LEMMA": {"IN": sorted(C.REJECT_VERBS)}, "POS": "VERB"}], [{"LEMMA": "stop", "POS": "VERB"}]]
            + [[{"LOWER": {"IN": [p[0]]}} if p[0] in {"farewell", "goodbye"} else {"LEMMA": p[0]},
                *({"LOWER": w} for w in p[1:])] for p in C.REJECT_PHRASES],
        }
        words = {"but", "not", "n't", "never", "rather", "instead", "from", "farewell", "goodbye", "adieu", "bye",
                 "up", "rid", "away", "off", "out", "free", "go", "no"}
        stems = {w[:5] for w in C.REPLACE_VERBS | C.CONVERT_VERBS | C.REJECT_VERBS | C.ENTRY_VERBS | {"stop"}}
        # One regular-expression scan of the sentence text decides whether the matcher runs at all;
        # it is a superset of the cues (stems catch inflections), never a substitute for the parse.
        self.prefilter_ = re.compile(r"(?i)(?:\b(?:%s)\b|\b(?:%s)\w*)" % (
            "|".join(sorted(map(re.escape, words))), "|".join(sorted(map(re.escape, stems)))))
        for family in families:
            matcher.add(family, patterns[family])
        self.matcher_ = matcher
        self.families_ = families
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "matcher_"):
            raise NotFittedError("ContrastExtractor is not fitted; call fit(nlp) first")

    def might_contain(self, doc: "Doc") -> bool:
        """Cheap prefilter: does the sentence contain any cue word at all?"""
        return self.prefilter_.search(doc.text) is not None

    # -- extraction
    def extract(self, doc: "Doc") -> list[Frame]:
        """All contrast frames of one sentence ``Doc`` (token offsets), deduplicated."""
        self._check_fitted()
        if not self.might_contain(doc):
            return []
        vocab_strings = doc.vocab.strings
        frames: list[Frame] = []
        for match_id, start, end in self.matcher_(doc):
            family = vocab_strings[match_id]
            handler = getattr(self, f"_{family}")
            try:
                found = handler(doc, start, end)
            except IndexError:  # a malformed parse must never stop a corpus run
                found = None
            if found:
                frames.extend(found if isinstance(found, list) else [found])
        return _dedupe(frames)

    # -- families
    def _side(self, head: "Token | None", lo: int = 0, hi: int | None = None, exclude: Iterable[int] = ()):
        if head is None:
            return None
        return grow_side(head, lo, hi, exclude, self.max_side_words)

    def _neg_but(self, doc: "Doc", start: int, end: int) -> Frame | None:
        but = doc[start]
        anchor = but.head
        if anchor == but:
            return None
        nxt = doc[but.i + 1] if but.i + 1 < len(doc) else None
        # the negation: on the governing predicate, or inside its clause before "but"
        neg = _find_negation(anchor, but.i)
        if neg is None and anchor.pos_ in _NOMINAL and anchor.head != anchor:
            # "is not just clicks, but loyal members": the negator sits on the copula
            neg = next((c for c in anchor.head.children if c.dep_ == "neg" and c.i < anchor.i), None)
        if neg is None:
            return None
        restrictive = any(doc[j].lower_ in C.RESTRICTIVE for j in range(neg.i + 1, min(neg.i + 3, but.i)))
        lead = [t.lower_ for t in doc[but.i + 1: but.i + 4]]
        if any(w in C.ADDITIVE_ALWAYS for w in lead[:3]) or any(
                t.lower_ in C.ADDITIVE_ALWAYS and t.i > but.i for t in anchor.subtree if t.head.dep_ == "conj"
                and t.head.head == anchor and t.head.i > but.i and t.dep_ == "advmod"):
            return None  # "not only X, but also Y" adds
        if restrictive and lead and lead[0] in C.ADDITIVE_AFTER_RESTRICTIVE:
            return None  # "not only X, but more Y"
        conj = _first_child(anchor, ("conj",), after=but.i)
        if conj is None:
            return None
        sent_end = _clause_end(doc, conj)
        old_head, new_head = _negated_sides(anchor, neg, but, conj)
        if old_head is None or new_head is None:
            return None
        old = self._side(old_head, neg.i + 1, but.i)
        new = self._side(new_head, but.i + 1, sent_end)
        if old is None or new is None:
            return None
        words = [doc[neg.i].lower_]
        if neg.lower_ == "no" and neg.i + 1 < len(doc) and doc[neg.i + 1].lower_ == "longer":
            words = ["no longer"]
        elif restrictive:
            words.append(next(doc[j].lower_ for j in range(neg.i + 1, min(neg.i + 3, but.i))
                              if doc[j].lower_ in C.RESTRICTIVE))
        cue = f"{' '.join(words)} X, but Y"
        if nxt is not None and nxt.lower_ == "rather":
            cue = f"{' '.join(words)} X, but rather Y"
        return Frame(cue, "neg_but", old, new, but.i)

    def _y_not_x(self, doc: "Doc", start: int, end: int) -> Frame | None:
        neg = doc[start + 1]
        old_head = neg.head
        if old_head.i < neg.i and old_head.pos_ in _NOMINAL:
            # "a real business, not a side project": the negator hangs on Y, X is its appositive
            old_head = next((c for c in old_head.children if c.dep_ in {"appos", "conj", "npadvmod"}
                             and c.i > neg.i), None)
            if old_head is None:
                return None
        if old_head == neg or old_head.pos_ not in _NOMINAL | {"ADJ"} or old_head.i < neg.i:
            return None
        # "X, not Y, but Z" is handled by the but-family
        if any(t.lower_ == "but" and t.i > neg.i for t in doc[neg.i: min(len(doc), old_head.right_edge.i + 3)]):
            return None
        attach = old_head.head
        if attach == old_head or attach.i > neg.i:
            return None
        if old_head.dep_ in {"appos", "conj", "npadvmod", "dep", "attr", "dobj"} and attach.pos_ in _NOMINAL | {"ADJ"}:
            new_head = _np_top(attach)
        elif attach.pos_ in {"VERB", "AUX"}:
            new_head = _complement(attach, before=start)
        else:
            return None
        if not _content(new_head):
            return None
        old = self._side(old_head, neg.i + 1, _clause_end(doc, old_head))
        new = self._side(new_head, 0, start)
        if old is None or new is None:
            return None
        restr = doc[start + 2].lower_ if end - start == 3 else ""
        cue = f"Y, not {restr + ' ' if restr else ''}X"
        return Frame(cue, "y_not_x", old, new, neg.i)

    def _rather_than(self, doc: "Doc", start: int, end: int) -> Frame | None:
        return self._preferred_over(doc, start, end, "rather than")

    def _instead_of(self, doc: "Doc", start: int, end: int) -> Frame | None:
        return self._preferred_over(doc, start, end, "instead of")

    def _preferred_over(self, doc: "Doc", start: int, end: int, words: str) -> Frame | None:
        """'Y rather than X' / 'rather than X, Y' (and 'instead of')."""
        rather, than = doc[start], doc[end - 1]
        if start > 0 and doc[start - 1].lower_ == "but":
            return None  # "but rather" is part of "not X, but rather Y"
        # The old side: the object of "than"/"of", or a conjunct after it.
        old_head = _pobj(than)
        if old_head is None:
            for tok in (than, rather):
                if tok.dep_ in {"cc", "advmod", "prep"} and tok.head != tok:
                    old_head = _first_child(tok.head, ("conj", "pobj", "pcomp", "dobj", "attr"), after=than.i)
                    if old_head is not None:
                        break
        if old_head is None:
            for tok in doc[end:]:
                if tok.pos_ in _NOMINAL | {"VERB", "ADJ"} and not tok.is_punct:
                    old_head = tok
                    break
        if old_head is None:
            return None
        old_end = _clause_end(doc, old_head)
        fronted = all(t.is_punct or t.pos_ in {"ADV", "CCONJ"} and t.i < start or t.i >= start
                      for t in doc[:start]) or (start > 0 and doc[start - 1].is_punct and than.head.i > old_end)
        attach = than.head if than.dep_ in {"prep", "cc"} else rather.head
        if attach in (rather, than):
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
                new_head = _fronted_new(attach, old_end)
            lo, hi = old_end + 1, len(doc)
        else:
            # "Y rather than X": the attachment site is Y
            if attach.pos_ in _NOMINAL:
                new_head = _np_top(attach)
            else:
                new_head = _complement(attach, before=start) or (attach if attach.pos_ in {"VERB", "ADJ"} else None)
            lo, hi = 0, start
        if not _content(new_head) or not _content(old_head):
            return None
        old = self._side(old_head, end, old_end + 1)
        new = self._side(new_head, lo, hi, exclude=range(start, end))
        if old is None or new is None or _overlap(old, new):
            return None
        cue = f"{words} X, Y" if new[0] > old[0] else f"Y {words} X"
        return Frame(cue, words.replace(" ", "_"), old, new, start)

    def _from_to(self, doc: "Doc", start: int, end: int) -> Frame | None:
        frm = doc[start]
        old_head = _first_child(frm, ("pobj", "pcomp"))
        if old_head is None:
            return None
        to = _find_to(frm, old_head)
        if to is None:
            return None
        new_head = _pobj(to) if to.dep_ != "aux" else to.head
        if new_head is None:
            new_head = _run_root(doc, to.i + 1)
        if new_head is None or new_head.i <= to.i and to.dep_ != "aux":
            return None
        if not _content(old_head) or not _content(new_head):
            return None
        if (old_head.lemma_.lower() in C.RANGE_WORDS or new_head.lemma_.lower() in C.RANGE_WORDS
                or old_head.like_num or new_head.like_num):
            return None  # a range ("from time to time", "from 2019 to 2022"), not a reframing
        gov = frm.head
        first_word = next((t for t in doc if not t.is_punct), frm)
        fronted = first_word == frm
        if not fronted:
            if gov.lemma_.lower() not in C.CHANGE_WORDS:
                return None
            if gov.lemma_.lower() in C.MOTION_VERBS and any(c.dep_ in {"dobj", "nsubjpass"} for c in gov.children):
                return None  # "migrate traffic from offline to online": the object's route
        old = self._side(old_head, frm.i + 1, to.i)
        new = self._side(new_head, to.i + 1, _clause_end(doc, new_head) if new_head.i > to.i else len(doc))
        if old is None or new is None or _overlap(old, new) or _same_text(doc, old, new):
            return None
        return Frame("from X to Y", "from_to", old, new, frm.i)

    def _enter_from(self, doc: "Doc", start: int, end: int) -> Frame | None:
        verb = doc[start]
        frm = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "from"), None)
        if frm is None:
            return None
        old_head = _pobj(frm)
        new_head = _first_child(verb, ("dobj",))
        if new_head is None:
            to = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ in {"to", "into", "towards", "toward"}), None)
            if to is None or to.i > frm.i:
                return None  # "from X to Y" order is the from_to family's
            new_head = _pobj(to)
        if not (_content(old_head) and _content(new_head)) or new_head.i > frm.i:
            return None
        old = self._side(old_head, frm.i + 1, _clause_end(doc, old_head))
        new = self._side(new_head, verb.i + 1, frm.i)
        if old is None or new is None:
            return None
        return Frame(f"{verb.lemma_.lower()} Y from X", "enter_from", old, new, verb.i)

    def _replace(self, doc: "Doc", start: int, end: int) -> Frame | None:
        verb = doc[start]
        if _is_negated(verb):
            return None
        by = next((c for c in verb.children if c.dep_ in {"prep", "agent"} and c.lower_ in {"with", "by"}), None)
        obj = _first_child(verb, ("dobj",))
        if by is None and obj is not None:
            by = next((c for c in obj.children if c.dep_ == "prep" and c.lower_ in {"with", "by"}), None)
        passive = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if passive is not None:
            old_head, new_head = passive, _pobj(by) if by is not None else None
            cue = "X is replaced by Y"
        else:
            old_head = _first_child(verb, ("dobj",))
            if by is not None:
                new_head, cue = _pobj(by), f"{verb.lemma_.lower()} X with Y"
            else:
                new_head, cue = _subject(verb), f"Y {verb.lemma_.lower()}s X"
        if not (_content(old_head) and _content(new_head)):
            return None
        stop = [verb.i] + ([by.i] if by is not None else [])
        old = self._side(old_head, 0, _clause_end(doc, old_head), exclude=stop)
        new = self._side(new_head, 0, _clause_end(doc, new_head), exclude=stop)
        if old is None or new is None or _overlap(old, new):
            return None
        return Frame(cue, "replace", old, new, verb.i)

    def _convert(self, doc: "Doc", start: int, end: int) -> Frame | None:
        verb = doc[start]
        into = next((c for c in verb.children if c.dep_ in {"prep", "dative"} and c.lower_ == "into"), None)
        if into is None or _is_negated(verb):
            return None
        if any(c.dep_ == "prep" and c.lower_ == "from" for c in verb.children):
            return None  # "from X into Y" belongs to the from_to family
        new_head = _pobj(into)
        passive = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        old_head = passive or _first_child(verb, ("dobj",)) or _subject(verb)
        if not (_content(old_head) and _content(new_head)):
            return None
        old = self._side(old_head, 0, into.i, exclude=[verb.i])
        new = self._side(new_head, into.i + 1, _clause_end(doc, new_head))
        if old is None or new is None or _overlap(old, new):
            return None
        form = "is " + verb.text.lower() if passive is not None else verb.lemma_.lower() + "s"
        return Frame(f"X {form} into Y", "convert", old, new, verb.i)

    def _reject(self, doc: "Doc", start: int, end: int) -> Frame | None:
        first, last = doc[start], doc[end - 1]
        verb = first if first.pos_ in {"VERB", "AUX"} else first.head
        if _is_negated(verb) or _is_negated(first):
            return None  # "have not got rid of X" keeps X
        if verb.lemma_.lower() == "stop" and end - start == 1:
            inner = _first_child(verb, ("xcomp", "dobj"))
            if inner is None:
                return None
            if inner.pos_ in {"VERB", "AUX"}:
                old_head = _complement(inner) or inner
                cue_verb = inner
            else:
                old_head, cue_verb = inner, verb
            words = "stop X"
        else:
            cue_verb = verb
            if last.dep_ == "prt" or last.lower_ in {"up", "off", "out"}:
                old_head = _first_child(verb, ("dobj",), after=start) or _first_child(last, ("dobj", "pobj"))
            elif last.pos_ == "ADP" or last.lower_ in {"to", "of", "from"}:
                old_head = _pobj(last)
                if old_head is None:
                    # "say goodbye to X" is sometimes parsed with "to" on the verb
                    old_head = next((_pobj(c) for c in verb.children if c.dep_ == "prep" and c.lower_ == last.lower_
                                     and c.i >= last.i), None)
            else:
                old_head = _first_child(verb, ("dobj",), after=last.i) or _first_child(last, ("dobj", "pobj"))
            words = " ".join(t.lower_ if t.i > start else t.lemma_.lower() for t in doc[start:end]) + " X"
        if not _content(old_head):
            return None
        old = self._side(old_head, end, _clause_end(doc, old_head))
        if old is None:
            return None
        new, new_words = self._replacement(doc, verb, cue_verb, old)
        if verb.lemma_.lower() == "stop":
            words = "stop X"
        return Frame(words + new_words, "reject", old, new, start)


    def _replacement(self, doc: "Doc", verb: "Token", cue_verb: "Token", old: tuple[int, int]
                     ) -> tuple[tuple[int, int] | None, str]:
        """What a rejection makes way for: a coordinated verb of adoption ("and enter Y",
        "stop using X, and use Y"), or a means ("through Y"); the nearest after X wins."""
        options: list[tuple[int, "Token", str]] = []
        hosts = [cue_verb, verb]
        if verb.dep_ == "xcomp" and verb.head != verb:
            hosts.append(verb.head)  # "began to bid farewell to X, and entered Y"
        seen: set[int] = set()
        for host in hosts:
            for conj in host.children:
                if conj.dep_ != "conj" or conj.i <= old[1] or conj.i in seen:
                    continue
                seen.add(conj.i)
                lemma = conj.lemma_.lower()
                if lemma in C.ADOPT_VERBS or lemma == cue_verb.lemma_.lower():
                    head = None
                    if lemma == cue_verb.lemma_.lower():
                        head = _align(cue_verb, conj, 0, len(doc), old[1], len(doc))[1]
                    head = head or _complement(conj, after=conj.i)
                    if _content(head):
                        options.append((conj.i, head, f", {lemma} Y"))
        if verb.lemma_.lower() != "stop":
            for prep in verb.children:
                if prep.dep_ == "prep" and prep.lower_ in C.MEANS_PREPS and prep.i > old[1] and _content(_pobj(prep)):
                    options.append((prep.i, _pobj(prep), f", {prep.lower_} Y"))
        for _, head, words in sorted(options, key=lambda o: o[0]):
            side = self._side(head, old[1], _clause_end(doc, head))
            if side is not None and not _overlap(side, old):
                return side, words
        return None, ""


# ----------------------------------------------------------------------------- family helpers

def _find_negation(anchor: "Token", before: int) -> "Token | None":
    """The negator that scopes over the material before "but" in ``anchor``'s clause."""
    best = None
    stack = [anchor]
    while stack:
        tok = stack.pop()
        for child in tok.children:
            if child.i >= before or child.dep_ in {"advcl", "ccomp", "relcl", "acl", "csubj", "mark"}:
                continue
            if child.lower_ in C.NEGATORS and child.dep_ in {"neg", "preconj", "det", "advmod"}:
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
                 and any(t.lower_ in C.NEGATORS for t in c.subtree if t.i < c.i)]
        if chain:
            old = chain[-1]
    return old, new


def _fronted_new(attach: "Token", after: int) -> "Token | None":
    """The endorsed side in "Rather than X, Y ...": the clause's main nominal argument after X."""
    if attach.pos_ in _NOMINAL:
        return _np_top(attach)
    subj = next((c for c in attach.children if c.dep_ in {"nsubj", "nsubjpass"} and c.i > after), None)
    attr = next((c for c in attach.children if c.dep_ in {"attr", "acomp"} and c.i > after), None)
    if subj is not None and _content(subj):
        if attr is None or attr.lemma_.lower() in C.PRAISE_PREDICATES or attr.pos_ == "ADJ":
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
            if tok.head in (frm, frm.head, old_head) or tok.head.head == frm or tok.head in old_head.subtree:
                return tok
        if tok.is_punct and tok.lower_ in {",", ";", "."} and tok.i > old_head.right_edge.i:
            break
    return None


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
        if subj is not None:
            return subj
        if tok.dep_ in {"xcomp", "conj"} and tok.head != tok:
            tok = tok.head
        else:
            break
    return None


def _same_text(doc: "Doc", a: tuple[int, int], b: tuple[int, int]) -> bool:
    return [t.lemma_.lower() for t in doc[a[0]:a[1]]] == [t.lemma_.lower() for t in doc[b[0]:b[1]]]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _dedupe(frames: list[Frame]) -> list[Frame]:
    frames.sort(key=lambda f: (f.anchor, f.old or (-1, -1)))
    kept: list[Frame] = []
    for frame in frames:
        if any(k.old == frame.old and (k.new == frame.new or frame.new is None or k.new is None)
               or (k.old and frame.old and _overlap(k.old, frame.old) and k.new and frame.new
                   and _overlap(k.new, frame.new))
               for k in kept):
            continue
        kept.append(frame)
    return kept
