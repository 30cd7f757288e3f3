"""Contrast frames across two adjacent sentences, and sides that only point back.

The frame grammar (:mod:`~corpus_tools.framing.grammar`) reads one sentence at a time. Essays also
set a framing up in one sentence and turn it in the next:

- **held view, then a turn** ("In the past, e-commerce was a sales channel. Today, it is an
  infrastructure."; "Many believe that X is Y. However, X is not Y.");
- **restatement** ("Flow and capital are no longer the driving force. The transformation of retail
  itself is the driving force.");
- **a rejection completed** ("The bookshop is no longer a seller of titles. It has become a
  community hub."; "Retailers bid farewell to the price war. Instead, they embrace the value war."):
  the first sentence's frame names no new side; the second names it of the same subject or agent,
  and the first sentence's frame is reported once, with that side;
- **a side that points back** ("Historically, e-commerce was driven by incremental market logic.
  However, the sector has long surpassed this framework, ..."): an in-sentence frame whose side is
  only "this framework" or "such a model" is reported with the phrase of the previous sentence it
  stands for.

The words these readers need live in ``data/discourse_frames.toml`` (see its header), read by
:func:`load_discourse` with file/line errors like the frame grammar. :class:`DiscourseReader` is
applied by :class:`~corpus_tools.framing.extractor.FramingExtractor` to every pair of adjacent
sentences of a paragraph.

How a two-sentence frame is reported (``framing.contrasts``): ``doc_id``, ``para_id`` and
``sent_id`` are those of the second sentence (the one holding the turn, or the frame's predicate),
``first_sent_id`` that of the first (a one-sentence frame has ``first_sent_id == sent_id``);
``sentence`` is the original text from the start of the first sentence to the end of the second,
so it quotes both sides; ``old_start``/``old_end``/``new_start``/``new_end`` are offsets into the
document's text as always (``text[old_start:old_end] == old``), so a side may lie in the first
sentence and the other in the second. ``family`` is ``"discourse"`` for the pair readers; an
in-sentence frame whose side was resolved keeps its grammar class, and its cue says what the side
stood for ("surpass X [this framework]"). Precision comes before recall here: a turn word alone
("However, ...") never makes a frame; the second sentence must say the same kind of thing (the
same verb, or a copula for a copula) of the same topic with another complement, or the same claim of
another holder, or give the same role noun to another side, or deny the first sentence's view, or
say what the same subject is now (or what the same agent adopts instead) after a rejection.
Mentions on a side take that side in ``framing.orientation``, in either sentence.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..errors import FrameGrammarError
from .grammar import _Lines
from .contrasts import (ContrastExtractor, Frame, _complement, _content, _governing_predicate, _hyphen_group,
                        _overlap, _same_text, side_head)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

logger = logging.getLogger(__name__)

#: The pair readers a ``[[pair]]`` table may name, and the word lists each needs.
PAIR_READERS = {"held_turn": ("held", "believe", "holders", "turns"), "restatement": ("negators",),
                "completion": ("turns", "focus")}
PAIR_KEYS = ("class", "reader", "cue", "held", "believe", "holders", "turns", "negators", "focus")
ANAPHORA_KEYS = ("determiners", "type_nouns")
DISCOURSE_KEYS = ("name", "max_side_words")
FAMILY = "discourse"
_CLASS = re.compile(r"^[a-z][a-z0-9_]*$")
_NOUNS = frozenset({"NOUN", "PROPN"})
_ARG_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "attr", "oprd", "appos", "conj"})
_COPULAR = frozenset({"be", "become", "remain", "stay"})


@dataclass(frozen=True)
class PairClass:
    """One two-sentence reader with its words (see the data file's header)."""

    name: str
    reader: str
    cue: str
    words: dict[str, tuple[tuple[str, ...], ...]]
    line: int = 0


@dataclass(frozen=True)
class DiscourseGrammar:
    """A parsed discourse file (see :func:`load_discourse`)."""

    pairs: tuple[PairClass, ...]
    determiners: frozenset[str]
    type_nouns: dict[str, str]  # lemma -> its group ("model" -> "way")
    name: str = "discourse"
    max_side_words: int = 10
    source: str = "<string>"

    def fingerprint(self) -> str:
        """A hash of everything extraction uses (for cache keys)."""
        import hashlib
        import json

        payload = {"pairs": [(p.name, p.reader, p.cue, {k: sorted(v) for k, v in p.words.items()}) for p in self.pairs],
                   "determiners": sorted(self.determiners), "type_nouns": sorted(self.type_nouns.items()),
                   "max_side_words": self.max_side_words}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def builtin_discourse_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "discourse_frames.toml"


def load_discourse(path: "str | Path | DiscourseGrammar | None" = None) -> DiscourseGrammar:
    """Read a discourse file (``None``: the built-in ``data/discourse_frames.toml``).

    Raises:
        FrameGrammarError: the file is missing, unreadable, not TOML, or breaks a rule (unknown
            key or reader, a reader without its word lists, empty lists). The message names file
            and line.
    """
    if isinstance(path, DiscourseGrammar):
        return path
    from .._fileio import read_data_file

    source = builtin_discourse_path() if path is None else Path(path)
    return parse_discourse(read_data_file(source, FrameGrammarError, "discourse frames"), source)


def parse_discourse(text: str, source: "str | Path" = "<string>") -> DiscourseGrammar:
    """Build a :class:`DiscourseGrammar` from TOML text (see :func:`load_discourse`)."""
    from .._fileio import parse_toml

    data = parse_toml(text, source, FrameGrammarError)
    lines = _Lines(text)

    def fail(line: int, problem: str) -> None:
        raise FrameGrammarError(f"{source}: line {line}: {problem}")

    for key in data:
        if key not in ("discourse", "pair", "anaphora"):
            fail(lines.header(key), f"unknown key {key!r} (expected [discourse], [[pair]] and [anaphora] tables)")
    meta = data.get("discourse", {})
    if not isinstance(meta, dict):
        fail(lines.header("discourse"), "'discourse' must be a table [discourse]")
    for key in meta:
        if key not in DISCOURSE_KEYS:
            fail(lines.key_after("discourse", 0, key), f"unknown key {key!r} in [discourse] "
                                                     f"(allowed: {', '.join(DISCOURSE_KEYS)})")
    max_words = meta.get("max_side_words", 10)
    if not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1:
        fail(lines.key_after("discourse", 0, "max_side_words"), "max_side_words must be a positive whole number")
    tables = data.get("pair", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        fail(lines.header("pair"), "'pair' must be an array of tables written [[pair]]")
    pairs = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        line = lines.nth("pair", index)
        name = table.get("class")
        if not isinstance(name, str) or not _CLASS.match(name):
            fail(lines.key_after("pair", index, "class") if "class" in table else line,
                 f"[[pair]] needs a 'class' name of lowercase letters, digits and '_' (got {name!r})")
        if name in seen:
            fail(line, f"class {name!r} defined twice (first at line {seen[name]})")
        seen[name] = line
        for key in table:
            if key not in PAIR_KEYS:
                fail(lines.key_after("pair", index, key),
                     f"class {name!r}: unknown key {key!r} in [[pair]] (allowed: {', '.join(PAIR_KEYS)})")
        reader = table.get("reader")
        if reader not in PAIR_READERS:
            fail(lines.key_after("pair", index, "reader") if "reader" in table else line,
                 f"class {name!r}: unknown reader {reader!r} (choose from {', '.join(PAIR_READERS)})")
        words = {}
        for key in PAIR_READERS[reader]:
            if key not in table:
                fail(line, f"class {name!r}: reader {reader!r} needs a {key!r} list")
            where = lines.key_after("pair", index, key)
            listed = _word_list(table[key], lambda p, where=where: fail(where, f"class {name!r}: {p}"), key)
            words[key] = tuple(tuple(w.split()) for w in listed)
        extra = sorted(k for k in table if k in PAIR_KEYS[3:] and k not in PAIR_READERS[reader])
        if extra:
            fail(lines.key_after("pair", index, extra[0]), f"class {name!r}: reader {reader!r} does not use {extra[0]!r}")
        cue = table.get("cue", name.replace("_", " "))
        if not isinstance(cue, str):
            fail(lines.key_after("pair", index, "cue"), f"class {name!r}: 'cue' must be a string")
        pairs.append(PairClass(name, reader, cue, words, line))
    anaphora = data.get("anaphora", {})
    if not isinstance(anaphora, dict):
        fail(lines.header("anaphora"), "'anaphora' must be a table [anaphora]")
    for key in anaphora:
        if key not in ANAPHORA_KEYS:
            fail(lines.key_after("anaphora", 0, key), f"unknown key {key!r} in [anaphora] "
                                                    f"(allowed: {', '.join(ANAPHORA_KEYS)})")
    determiners = frozenset(_word_list(anaphora["determiners"], lambda p: fail(
        lines.key_after("anaphora", 0, "determiners"), f"[anaphora] {p}"), "determiners")) \
        if "determiners" in anaphora else frozenset()
    groups = anaphora.get("type_nouns", {})
    if not isinstance(groups, dict):
        fail(lines.key_after("anaphora", 0, "type_nouns"),
             "[anaphora] type_nouns must be a table [anaphora.type_nouns] of named word lists")
    type_nouns: dict[str, str] = {}
    for group, words in groups.items():
        where = lines.key_after("anaphora.type_nouns", 0, group)
        for word in _word_list(words, lambda p: fail(where, f"[anaphora.type_nouns] {p}"), group):
            if word in type_nouns and type_nouns[word] != group:
                fail(where, f"[anaphora.type_nouns] {word!r} is in two groups ({type_nouns[word]!r} and {group!r})")
            type_nouns[word] = group
    if not pairs and not determiners:
        fail(1, "no [[pair]] tables and no [anaphora] determiners: the file would find nothing")
    return DiscourseGrammar(tuple(pairs), determiners, type_nouns, name=str(meta.get("name", Path(str(source)).stem)),
                            max_side_words=max_words, source=str(source))


def _word_list(value: Any, fail, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        fail(f"{key!r} must be a list of non-empty strings")
    if not value:
        fail(f"empty {key!r} list")
    return [" ".join(v.lower().split()) for v in value]


# ----------------------------------------------------------------------------- frames


@dataclass
class PairFrame:
    """A frame whose sides may lie in two sentences: ``old_in``/``new_in`` say which (0: the
    previous sentence, 1: the current one), ``old``/``new`` are token spans of that sentence's Doc.

    ``replaces`` is the current sentence's in-sentence frame this one stands for (a side resolved),
    ``completes`` the previous sentence's frame it completes (the same old side, now with a new one).
    """

    cue: str
    family: str
    old: tuple[int, int] | None
    new: tuple[int, int] | None
    old_in: int
    new_in: int
    anchor: int
    old_head: str = ""
    new_head: str = ""
    replaces: Frame | None = None
    completes: Frame | None = None
    extra: dict = field(default_factory=dict)


class _PointingSides(ContrastExtractor):
    """The frame grammar, keeping only frames with a side that merely points back ("this framework"),
    which the in-sentence reader leaves out as naming no framing."""

    determiners: frozenset[str] = frozenset()

    def _literal_frame(self, doc: "Doc", frame: Frame) -> bool:
        pointing = [name for name in ("old", "new") if _points_back(doc, getattr(frame, name), self.determiners)]
        if not pointing:
            return True  # frames that name both sides are the in-sentence reader's
        return super()._literal_frame(doc, replace(frame, **{name: None for name in pointing}))


def _points_back(doc: "Doc", span: tuple[int, int] | None, determiners: frozenset[str]) -> bool:
    """Is the side one noun whose determiner points back ("this framework", "such a model")?"""
    if span is None:
        return False
    start, end = span
    head = doc[start:end].root
    if head.pos_ not in _NOUNS or _hyphen_group(doc, head.i) != (start, end) and end - start != 1:
        return False
    return any(c.lower_ in determiners and c.i < head.i for c in head.children)


class DiscourseReader:
    """Reads frames across two adjacent sentences of a paragraph (see the module docstring).

    Args:
        grammar: a discourse file (a TOML path or a :class:`DiscourseGrammar`; ``None``: the
            built-in ``data/discourse_frames.toml``).

    Call :meth:`fit` with the fitted in-sentence :class:`ContrastExtractor` (its side growth and
    literal checks are reused, so both readers mark sides the same way).
    """

    def __init__(self, grammar: "str | Path | DiscourseGrammar | None" = None):
        self.grammar = grammar

    def fit(self, contrasts: ContrastExtractor) -> "DiscourseReader":
        """Read the discourse file and build the pointing-side reader on ``contrasts``' grammar."""
        grammar = load_discourse(self.grammar)
        self.grammar_ = grammar
        self.contrasts_ = contrasts
        self.pairs_ = grammar.pairs
        pointing = None
        if grammar.determiners:
            pointing = _PointingSides(contrasts.grammar_, max_side_words=contrasts.max_words_,
                                      families=getattr(contrasts, "families_", None),
                                      frame_filter=getattr(contrasts, "frame_filter", None))
            pointing.determiners = grammar.determiners
            pointing.fit(contrasts.nlp_)
        self.pointing_ = pointing
        strings = contrasts.nlp_.vocab.strings
        self.determiner_hashes_ = frozenset(strings.add(w) for w in grammar.determiners)
        return self

    # -- reading
    def extract(self, previous: "Doc", doc: "Doc", prev_frames: Sequence[Frame] = (),
                frames: Sequence[Frame] = ()) -> list[PairFrame]:
        """Frames of the pair (``previous``, ``doc``): two adjacent sentences of a paragraph.

        ``prev_frames``/``frames`` are the in-sentence frames of each: a frame here may complete
        one of the previous sentence's (same old side, now with its new side) or replace one of
        the current sentence's (a side that only pointed back, now resolved).
        """
        out: list[PairFrame] = []
        if _question(doc) or _question(previous):
            return out
        for pair in self.pairs_:
            try:
                found = getattr(self, f"_read_{pair.reader}")(previous, doc, pair, frames, prev_frames)
            except IndexError:  # a malformed parse must never stop a corpus run
                found = None
            if found is None:
                continue
            found.completes = next((f for f in prev_frames if found.old_in == 0 and f.old == found.old
                                    and f.new is None), None)
            if found.old_in == 0 and found.old is not None and any(
                    f.old is not None and _overlap(f.old, found.old) and f.new is not None for f in prev_frames):
                continue  # the previous sentence already sets this side against another
            out.append(found)
        out.extend(self._resolve(previous, doc, frames))
        for frame in out:
            frame.old_head = side_head(previous if frame.old_in == 0 else doc, frame.old)
            frame.new_head = side_head(previous if frame.new_in == 0 else doc, frame.new)
        return out

    # -- pointing sides
    def _resolve(self, previous: "Doc", doc: "Doc", frames: Sequence[Frame]) -> list[PairFrame]:
        determiners = self.grammar_.determiners
        if not determiners:
            return []
        from spacy.attrs import LOWER

        hashes = self.determiner_hashes_
        # a cheap test on the Doc's array (no Token per word): most sentences have no "this N"
        at = [i for i, h in enumerate(doc.to_array(LOWER).tolist()) if h in hashes]
        pointed = [doc[i].head for i in at if doc[i].head.i > i and doc[i].head.pos_ in _NOUNS]
        if not pointed:
            return []
        # An antecedent needs the same noun in the previous sentence or a noun of a type group
        # (_antecedent); without one no side can be resolved, so the second reading is skipped.
        type_nouns = self.grammar_.type_nouns
        pointed_lemmas = {t.lemma_.lower() for t in pointed}
        if type_nouns.keys().isdisjoint(pointed_lemmas) and not _has_noun(previous, pointed_lemmas):
            return []
        # every side that points back is one of these nouns, and none is resolved without its
        # antecedent: when no noun has one, the second reading would find nothing to report
        if all(self._antecedent(previous, noun) is None for noun in pointed):
            return []
        candidates = [f for f in frames
                      if _points_back(doc, f.old, determiners) or _points_back(doc, f.new, determiners)]
        seen = {(f.anchor, f.old, f.new) for f in frames}
        if self.pointing_ is not None:
            candidates += [f for f in self.pointing_.extract(doc) if (f.anchor, f.old, f.new) not in seen]
        out = []
        for frame in candidates:
            resolved = self._resolved(previous, doc, frame, reported=(frame.anchor, frame.old, frame.new) in seen)
            if resolved is not None:
                out.append(resolved)
        return out

    def _resolved(self, previous: "Doc", doc: "Doc", frame: Frame, reported: bool) -> PairFrame | None:
        """``frame`` with its pointing sides replaced by their antecedents (``None`` when one has
        none); ``reported``: the in-sentence reader reports the frame as it is, so this one replaces it."""
        determiners = self.grammar_.determiners
        sides = {}
        words = []
        for name in ("old", "new"):
            span = getattr(frame, name)
            if not _points_back(doc, span, determiners):
                sides[name] = (span, 1)
                continue
            head = doc[span[0]:span[1]].root
            antecedent = self._antecedent(previous, head)
            if antecedent is None:
                return None
            side = self.contrasts_._side(antecedent)
            if side is None:
                return None
            sides[name] = (side, 0)
            pointer = next(c for c in head.children if c.lower_ in determiners and c.i < head.i)
            words.append(f"{pointer.lower_} {head.lower_}")
        (old, old_in), (new, new_in) = sides["old"], sides["new"]
        if old is not None and new is not None and old_in == new_in and (
                _overlap(old, new) or _same_text(previous if old_in == 0 else doc, old, new)):
            return None
        cue = f"{frame.cue} [{'; '.join(words)}]"
        return PairFrame(cue, frame.family, old, new, old_in, new_in, frame.anchor,
                         replaces=frame if reported else None, extra={"predicate": frame.extra.get("predicate", "")})

    def _antecedent(self, previous: "Doc", noun: "Token") -> "Token | None":
        """The phrase of the previous sentence that "this N" stands for: the last argument noun with
        N's lemma, else (N a general word for a framing) the last argument noun that is one too."""
        lemma = noun.lemma_.lower()
        type_nouns = self.grammar_.type_nouns
        determiners = self.grammar_.determiners
        cx = self.contrasts_
        args = [t for t in previous if t.pos_ in _NOUNS and t.dep_ in _ARG_DEPS and not cx._literal(t)
                and not any(c.lower_ in determiners for c in t.children)]
        same = [t for t in args if t.lemma_.lower() == lemma and _named(cx, t)]
        if same:
            return same[-1]
        group = type_nouns.get(lemma)
        if group is not None:
            # another word of the same kind, as an argument of the main clause ("e-commerce was
            # driven by incremental market logic" ... "this framework")
            root = _root(previous)
            kin = [t for t in args if type_nouns.get(t.lemma_.lower()) == group and _named(cx, t)
                   and (t.head == root or t.head.head == root and t.head.dep_ in {"prep", "agent"})]
            if kin:
                return kin[-1]
        return None

    # -- held view, then a turn
    def _read_held_turn(self, previous: "Doc", doc: "Doc", pair: PairClass, frames: Sequence[Frame] = (),
                        prev_frames: Sequence[Frame] = ()) -> PairFrame | None:
        turn = _opening(doc, pair.words["turns"])
        if turn is None:
            return None
        held = self._held(previous, pair)
        if held is None:
            return None
        old_pred, old_head, topic = held
        cx = self.contrasts_
        checks = cx.checks_
        new_pred = _main_claim(doc, checks["saying_verbs"] | {w[0] for w in pair.words["believe"]})
        if new_pred is None:
            return None
        if any(c.lower_ in checks["additive"] and c.dep_ == "advmod" for c in new_pred.children):
            return None  # "Today, it also sells Y": the later use adds to the earlier one
        denied = _denied(new_pred)
        new_head = cx._through_light(_complement(new_pred, after=new_pred.i))
        if new_head is None or not _content(new_head) or new_head.pos_ not in _NOUNS | {"ADJ"} and not denied:
            return None
        if any(span is not None and span[0] <= new_head.i < span[1] for f in frames for span in (f.old, f.new)):
            return None  # the second sentence frames it on its own ("However, X is not Y")
        if not _same_predicate(old_pred, new_pred):
            return None
        old = cx._side(old_head)
        new = cx._side(new_head, new_pred.i + 1, len(doc))
        if old is None or new is None:
            return None
        same_topic = _same_topic(new_pred, topic)
        turn_word = " ".join(turn)
        cue = pair.cue.replace("{turn}", turn_word)
        if denied:
            # "However, it is not a mere channel": the turn denies the held view; it must deny that view,
            # and a denial the sentence frames on its own ("traffic is no longer the core") is its own
            if new_head.lemma_.lower() != old_head.lemma_.lower() or frames or not same_topic:
                return None
            return PairFrame(cue.replace(" Y", " not X"), FAMILY, old, None, 0, 1, new_pred.i,
                             extra={"class": pair.name})
        same_claim = _words(previous, old) == _words(doc, new)
        if same_topic and not same_claim and not cx._literal(new_head):
            # "e-commerce was a sales channel" / "it is an infrastructure": the same topic, said anew
            return PairFrame(cue, FAMILY, old, new, 0, 1, new_pred.i, extra={"class": pair.name})
        subject = _subject_of(new_pred)
        if same_claim and topic is not None and subject is not None and all(
                t.pos_ in _NOUNS and _content(t) and not cx._literal(t) for t in (topic, subject)):
            # "the mall was the centre of consumption" / "the community store is the centre of
            # consumption": the same claim, made of another holder
            old, new = cx._side(topic, 0, old_pred.i), cx._side(subject, 0, new_pred.i)
            if old is not None and new is not None and _words(previous, old) != _words(doc, new):
                return PairFrame(pair.cue.replace("{turn}", turn_word).replace("X (held view)", "X (held view as)"),
                                 FAMILY, old, new, 0, 1, new_pred.i, extra={"class": pair.name})
        return None

    def _held(self, doc: "Doc", pair: PairClass) -> "tuple[Token, Token, Token | None] | None":
        """(predicate, held content, topic) of a sentence that presents a held or past view."""
        cx = self.contrasts_
        lowers = [t.lower_ for t in doc]
        root = _root(doc)
        if root is None:
            return None
        believe = {w[0] for w in pair.words["believe"]}
        holders = {w[0] for w in pair.words["holders"]}
        subj = next((c for c in root.children if c.dep_ == "nsubj"), None)
        if root.lemma_.lower() in believe and subj is not None and (
                subj.lower_ in holders or any(c.lower_ in holders for c in subj.children)):
            # ("we believe" is the author's own view; "retail was seen as" is read below, by its marker)
            clause = next((c for c in root.children if c.dep_ == "ccomp"), None)
            if clause is not None:
                head = _complement(clause, after=clause.i)
                topic = next((c for c in clause.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
                return (clause, head, topic) if _held_content(cx, head) else None
            obj = next((c for c in root.children if c.dep_ == "dobj"), None)
            if obj is None:  # "think of X as Y"
                of = next((c for c in root.children if c.dep_ == "prep" and c.lower_ == "of"), None)
                obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
            as_prep = next((c for c in root.children if c.dep_ == "prep" and c.lower_ == "as"), None)
            head = next((c for c in as_prep.children if c.dep_ == "pobj"), None) if as_prep is not None else None
            # "regard X as Y" holds that X is Y: the second sentence may say what X is
            return (as_prep, head, obj) if _held_content(cx, head) else None
        for words in pair.words["held"]:
            n = len(words)
            for i in range(len(lowers) - n + 1):
                if tuple(lowers[i:i + n]) != words:
                    continue
                marker = doc[i + n - 1]
                if doc[i].dep_ == "mark":
                    continue  # "once X happens, ...": a condition, not a past
                pred = _governing_predicate(marker)
                # ("There was a time when X was Y": the marker is the main clause, and its clause the view)
                marker_is_main = i <= root.i < i + n and pred is not None and i <= pred.head.i < i + n
                if pred is None or pred != root and not marker_is_main and not (
                        pred.dep_ in {"xcomp", "ccomp"} and pred.head == root):
                    continue  # the marker must set the sentence's main clause in the past
                head = _complement(pred, after=pred.i) or _complement(pred, after=i + n - 1)
                clause = next((c for c in pred.children if c.dep_ == "ccomp"), None)
                if head is None and clause is not None and marker in {t for c in pred.children if c.dep_ == "nsubj"
                                                                     for t in c.subtree}:
                    # "The prevailing view is that X is Y": the view is the clause
                    pred, head = clause, _complement(clause, after=clause.i)
                head = cx._through_light(head)
                if head is not None and head.i < i + n:
                    continue
                topic = next((c for c in pred.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
                if topic is None and pred != root:
                    topic = next((c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
                if _held_content(cx, head):
                    return pred, head, topic
        return None

    # -- restatement
    def _read_restatement(self, previous: "Doc", doc: "Doc", pair: PairClass, frames: Sequence[Frame] = (),
                          prev_frames: Sequence[Frame] = ()) -> PairFrame | None:
        negators = {" ".join(w) for w in pair.words["negators"]}
        first = _copular_root(previous)
        if first is None or _denial_word(first) not in negators:
            return None  # (most first sentences deny nothing: the second is not read)
        second = _copular_root(doc)
        if second is None or _denial_word(second):
            return None
        subj1, attr1 = _subject_attr(first)
        subj2, attr2 = _subject_attr(doc_root := second)
        if subj1 is None or attr1 is None or subj2 is None or attr2 is None:
            return None
        role = attr1.lemma_.lower()
        cx = self.contrasts_
        if attr2.lemma_.lower() == role:
            new_head = subj2  # "Y is the driving force"
        elif subj2.lemma_.lower() == role:
            new_head = attr2  # "The driving force is Y"
        else:
            return None
        if not all(t.pos_ in _NOUNS and _content(t) and not cx._literal(t) for t in (subj1, new_head)):
            return None
        if new_head.lemma_.lower() == subj1.lemma_.lower():
            return None
        old = cx._side(subj1, 0, first.i)
        new = cx._side(new_head, *((0, doc_root.i) if new_head is subj2 else (doc_root.i + 1, len(doc))))
        if old is None or new is None:
            return None
        return PairFrame(pair.cue.replace("{role}", role), FAMILY, old, new, 0, 1, second.i, extra={"class": pair.name})


    # -- a rejection, then what takes its place
    def _read_completion(self, previous: "Doc", doc: "Doc", pair: PairClass, frames: Sequence[Frame] = (),
                         prev_frames: Sequence[Frame] = ()) -> PairFrame | None:
        """The previous sentence rejects X and names nothing in its place ("The bookshop is no longer
        a seller of titles."; "Retailers bid farewell to the price war."); this one says what
        takes it: after a focus opening ("What matters now is Y"), or by saying of the same subject
        (the same noun, or a pronoun for it) what it is now ("It has become a community hub.";
        "Instead, it is ..."), or, after a turn ("Instead, they embrace Y"), by a verb of adoption of
        the same agent, or by the arrival of something of the same kind as what ended ("The era of X
        is over. The era of Y has begun."). The frame completes the previous sentence's, which is
        then reported with its new side."""
        rejected = next((f for f in reversed(prev_frames) if f.old is not None and f.new is None), None)
        if rejected is None:
            return None
        cx = self.contrasts_
        focus = _opening(doc, pair.words["focus"])
        turn = None if focus is not None else _opening(doc, pair.words["turns"])
        if turn is not None and turn[-1] + " " + _after_words(doc, turn) == "rather than":
            return None  # "Rather than X, Y": the second sentence's own frame
        new_pred = _root(doc)
        if new_pred is None or _denied(new_pred) or any(
                c.dep_ in {"mark", "csubj"} and focus is None or c.dep_ in {"ccomp", "xcomp"}
                or c.lower_ in cx.checks_["additive"] and c.dep_ == "advmod" for c in new_pred.children):
            return None  # a condition, a clause for its subject ("It is clear that ..."), an addition
        old_head = previous[rejected.old[0]:rejected.old[1]].root
        old_pred = old_head.head
        identity = old_head.dep_ in {"attr", "oprd"} and old_pred.lemma_.lower() in {"be", "become"} \
            and _denied(old_pred)
        subject = _subject_of(new_pred)
        said = "it is Y"
        if focus is not None:
            # "What matters now is Y", "The focus now is Y": a copula naming the new concern
            if new_pred.lemma_.lower() != "be":
                return None
            new_head = _first_child_of(new_pred, {"attr"})
        elif _copular_root(doc) is not None and new_pred.lemma_.lower() in {"be", "become"}:
            # "X is no longer A. It has become B.": the same subject, said to be something else now
            if not identity or not _restates(subject, _subject_of(old_pred)):
                return None
            if new_pred.tag_ == "VBD" and new_pred.lemma_.lower() == "be" or any(
                    c.dep_ == "advmod" and c.lower_ in cx.checks_["old_markers"] for c in new_pred.children):
                return None  # "It was a ...", "It is still a ...": what it was, or still is, is no new side
            new_head = _first_child_of(new_pred, {"attr", "oprd"})
        elif turn is None and new_pred.lemma_.lower() in cx.checks_["arrival_verbs"] and old_head.dep_ in {
                "nsubj", "nsubjpass"}:
            # "The era of cheap clicks is over. The era of earned attention has begun.": what arrives
            # is of the same kind as what ended (the same noun, or one of its [anaphora.type_nouns] group)
            new_head, said = subject, f"Y {new_pred.lemma_.lower()}s"
            kinds = self.grammar_.type_nouns
            if new_head is None or new_head.pos_ not in _NOUNS or not (
                    new_head.lemma_.lower() == old_head.lemma_.lower()
                    or kinds.get(new_head.lemma_.lower(), "") == kinds.get(old_head.lemma_.lower(), "-")):
                return None
        elif turn is not None and new_pred.lemma_.lower() in cx.checks_["adopt_verbs"]:
            # "Retailers bid farewell to the price war. Instead, they embrace the value war."
            agent = _subject_of(previous[rejected.anchor])
            root = _root(previous)
            if agent is None and root is not None:
                agent = _subject_of(root)  # "Retailers began to bid farewell to X": the main clause's subject
            if identity or not _restates(subject, agent):
                return None
            new_head = cx._through_light(_complement(new_pred, after=new_pred.i))
        else:
            return None
        if new_head is None or new_head.pos_ not in _NOUNS or not _content(new_head) or cx._literal(new_head):
            return None
        if new_head.lemma_.lower() in cx.checks_["non_framings"]:
            return None  # "It is a pity.": a judgement of the rejection, not what replaces it
        if new_head.lemma_.lower() == old_head.lemma_.lower() and _kind_words(new_head) <= _kind_words(old_head):
            return None  # the same framing again ("a toy" / "a toy for adults"; "price war", "value war" differ)
        if any(span is not None and span[0] <= new_head.i < span[1] for f in frames for span in (f.old, f.new)):
            return None  # the second sentence frames it on its own
        new = cx._side(new_head, new_head.left_edge.i, len(doc))
        if new is None:
            return None
        words = " ".join(focus or turn or ())
        cue = pair.cue.replace("{turn}", words) if words else pair.cue.replace("{turn} Y", said)
        return PairFrame(cue, FAMILY, rejected.old, new, 0, 1, new_pred.i, extra={"class": pair.name})


# ----------------------------------------------------------------------------- helpers

def _after_words(doc: "Doc", words: tuple[str, ...]) -> str:
    """The word after an opening (past quotes and brackets), lowercased ("" at the end)."""
    start = 0
    while start < len(doc) and (doc[start].is_punct or doc[start].is_space):
        start += 1
    i = start + len(words)
    return doc[i].lower_ if i < len(doc) else ""


def _kind_words(noun: "Token") -> set[str]:
    """The words that say which kind a noun is: "price" in "price war", "click" in "era of clicks"."""
    words = {c.lemma_.lower() for c in noun.children if c.dep_ in {"compound", "amod", "nmod"} and c.i < noun.i}
    of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    return words | ({obj.lemma_.lower()} if obj is not None else set())


def _first_child_of(pred: "Token", deps: set[str]) -> "Token | None":
    return next((c for c in pred.children if c.dep_ in deps and c.i > pred.i), None)


def _restates(subject: "Token | None", earlier: "Token | None") -> bool:
    """Is ``subject`` the earlier sentence's subject again: a pronoun for it, or the same noun?"""
    if subject is None or earlier is None:
        return False
    if subject.pos_ == "PRON":
        return subject.lower_ in {"it", "they", "we"} and (
            earlier.pos_ != "PRON" or earlier.lower_ == subject.lower_)
    return subject.pos_ in _NOUNS and subject.lemma_.lower() == earlier.lemma_.lower()


def _root(doc: "Doc") -> "Token | None":
    """The first root of a sentence Doc, found on its head array (no Token per word)."""
    from spacy.attrs import HEAD

    heads = doc.to_array(HEAD)
    roots = (heads == 0).nonzero()[0]
    return doc[int(roots[0])] if len(roots) else None


def _has_noun(doc: "Doc", lemmas: set[str]) -> bool:
    """Does ``doc`` hold a noun with one of the lowercase ``lemmas``? (read from the Doc's arrays,
    building no Token per word)"""
    from spacy.attrs import LEMMA, POS
    from spacy.parts_of_speech import IDS

    nouns = {IDS[pos] for pos in _NOUNS}
    strings = doc.vocab.strings
    return any(pos in nouns and strings[lemma].lower() in lemmas for pos, lemma in doc.to_array([POS, LEMMA]).tolist())


def _question(doc: "Doc") -> bool:
    last = next((t for t in reversed(doc) if not t.is_space), None)
    return last is not None and last.text == "?"


def _opening(doc: "Doc", turns: Sequence[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The turn words the sentence opens with (after quotes or brackets), or ``None``."""
    start = 0
    while start < len(doc) and (doc[start].is_punct or doc[start].is_space):
        start += 1
    first = doc[start].lower_ if start < len(doc) else None
    if not any(w[0] == first for w in turns):
        return None  # (most sentences open with no turn word: no Token for the words after it)
    longest = max((len(w) for w in turns), default=0)
    lowers = tuple(t.lower_ for t in doc[start:start + longest])
    for words in sorted(turns, key=len, reverse=True):
        if lowers[:len(words)] == words:
            return words
    return None


def _main_claim(doc: "Doc", saying: frozenset[str] | set[str]) -> "Token | None":
    """The sentence's main predicate; through a verb of showing or saying ("..., reveals that it is
    not X") to the clause it introduces."""
    root = _root(doc)
    if root is None or root.pos_ not in {"VERB", "AUX"}:
        return None
    if root.lemma_.lower() in saying | {"reveal", "show", "prove", "find", "mean", "indicate", "suggest"}:
        clause = next((c for c in root.children if c.dep_ == "ccomp"), None)
        if clause is not None:
            return clause
    return root


def _denied(pred: "Token") -> bool:
    return _denial_word(pred) != ""


def _denial_word(pred: "Token") -> str:
    """"not", "never", "n't" or "no longer" when the predicate is denied, else ""."""
    for c in pred.children:
        if c.dep_ == "neg":
            return c.lower_
        if c.lower_ == "longer" and any(g.lower_ == "no" for g in c.children) or (
                c.lower_ == "no" and c.i + 1 < len(pred.doc) and pred.doc[c.i + 1].lower_ == "longer"):
            return "no longer"
        if c.lower_ == "never" and c.dep_ in {"advmod", "neg"}:
            return "never"
    return ""


def _held_content(cx: ContrastExtractor, head: "Token | None") -> bool:
    """A held view names a framing: a noun, content, not a literal time, place or player."""
    return head is not None and head.pos_ in _NOUNS and _content(head) and not cx._literal(head)


def _named(cx: ContrastExtractor, tok: "Token") -> bool:
    """Does the phrase grown from ``tok`` say more than its head ("incremental market logic")?"""
    side = cx._side(tok)
    return side is not None and side[1] - side[0] > 1


def _copular(pred: "Token") -> bool:
    # "regard X as Y" holds that X is Y: its "as" counts as a copula
    return pred.lemma_.lower() in _COPULAR or pred.pos_ == "AUX" or pred.lower_ == "as"


def _same_predicate(old_pred: "Token", new_pred: "Token") -> bool:
    """Does the second sentence say the same kind of thing as the first: the same verb, or a
    copula for a copula ("e-commerce was a channel" / "it is an infrastructure")?"""
    return old_pred.lemma_.lower() == new_pred.lemma_.lower() or (_copular(old_pred) and _copular(new_pred))


def _subject_of(pred: "Token") -> "Token | None":
    return next((c for c in pred.children if c.dep_ in {"nsubj", "nsubjpass"}), None)


def _same_topic(new_pred: "Token", topic: "Token | None") -> bool:
    """Is the second sentence about the first's topic: the same noun, or a pronoun for it?"""
    subj = _subject_of(new_pred)
    if subj is None or topic is None:
        return False
    if subj.pos_ == "PRON" and subj.lower_ in {"it", "they", "this", "these"}:
        return True
    return subj.lemma_.lower() == topic.lemma_.lower()


def _words(doc: "Doc", span: tuple[int, int]) -> tuple[str, ...]:
    return tuple(t.lower_ for t in doc[span[0]:span[1]] if not t.is_punct)


def _copular_root(doc: "Doc") -> "Token | None":
    root = _root(doc)
    if root is None or not (root.lemma_.lower() in _COPULAR or root.pos_ == "AUX"):
        return None
    return root


def _subject_attr(pred: "Token") -> "tuple[Token | None, Token | None]":
    subj = next((c for c in pred.children if c.dep_ == "nsubj"), None)
    attr = next((c for c in pred.children if c.dep_ == "attr" and c.pos_ in _NOUNS), None)
    return subj, attr


def pair_row(frame: PairFrame, previous: Any, sent: Any, text: str | None,
             prev_matches: Sequence[tuple[str, int, int]], matches: Sequence[tuple[str, int, int]],
             speaker: str) -> dict:
    """The ``framing.contrasts`` row of a two-sentence frame (the columns of
    :data:`~corpus_tools.framing.extractor.CONTRAST_COLUMNS`; see the module docstring).

    Args:
        previous, sent: the two :class:`~corpus_tools.parse.ParsedSentence` (first, second).
        text: the document's original text (``None``: quote the parsed text).
        prev_matches, matches: concept matches ``(concept, token_start, token_end)`` of each sentence.
    """
    sentences = (previous, sent)
    all_matches = (prev_matches, matches)

    def quote(span: tuple[int, int] | None, which: int) -> tuple[str, int | None, int | None]:
        if span is None:
            return "", None, None
        s = sentences[which]
        sp = s.doc[span[0]:span[1]]
        start, end = s.original_span(sp.start_char, sp.end_char)
        return (text[start:end] if text is not None else sp.text), start, end

    def concepts(span: tuple[int, int] | None, which: int) -> tuple[str | None, list[str]]:
        if span is None:
            return None, []
        doc = sentences[which].doc
        head = doc[span[0]:span[1]].root.i
        inside = [(c, s, e) for c, s, e in all_matches[which] if span[0] <= s and e <= span[1]]
        at_head = next((c for c, s, e in inside if s <= head < e), None)
        return at_head, list(dict.fromkeys(c for c, _, _ in inside))

    old_text, old_start, old_end = quote(frame.old, frame.old_in)
    new_text, new_start, new_end = quote(frame.new, frame.new_in)
    (old_at, old_all), (new_at, new_all) = concepts(frame.old, frame.old_in), concepts(frame.new, frame.new_in)
    shared = set(old_all) & set(new_all)

    def name(head: str | None, names: list[str]) -> str:  # as map_sides: shared material is no side
        others = [c for c in names if c != head and c not in shared]
        if head in shared and others:
            return "; ".join(others)
        return "; ".join(([head] if head is not None else []) + others)

    if text is not None:
        start, end = previous.original_extent()[0], sent.original_extent()[1]
        passage = text[start:end]
    else:
        passage = previous.doc.text + " " + sent.doc.text
    return {"doc_id": sent.doc_id, "para_id": sent.para_id, "sent_id": sent.sent_id,
            "old": old_text, "new": new_text, "cue": frame.cue,
            "old_concept": name(old_at, old_all), "new_concept": name(new_at, new_all), "speaker": speaker,
            "sentence": passage, "old_start": old_start, "old_end": old_end,
            "new_start": new_start, "new_end": new_end, "family": frame.family,
            "old_head": frame.old_head, "new_head": frame.new_head, "first_sent_id": previous.sent_id}
