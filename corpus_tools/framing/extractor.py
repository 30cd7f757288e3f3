"""Per-document framing extraction: contrast frames, mention orientation and concept contexts.

:class:`FramingExtractor` turns one :class:`~corpus_tools.parse.ParsedDocument` into tidy rows
(plain dicts), so a pipeline can parse each document once, feed it to every stage and keep only
rows. :meth:`FramingExtractor.aggregate` builds the corpus-level tables from those rows.
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any, Iterable

from ..errors import NotFittedError
from .contrasts import ContrastExtractor, Frame
from . import cues as C
from .cues import CONCESSION_MARKERS
from .orientation import OrientationTagger, sentence_words
from .speaker import speaker_of

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from ..concepts import ConceptResult
    from ..lexicon import Lexicon
    from ..load import Corpus
    from ..parse import ParsedDocument
    from .result import FramingResult

logger = logging.getLogger(__name__)

CONTRAST_COLUMNS = ["doc_id", "para_id", "sent_id", "old", "new", "cue", "old_concept", "new_concept", "speaker",
                    "sentence", "old_start", "old_end", "new_start", "new_end", "family", "old_head", "new_head", "first_sent_id"]
ORIENTATION_COLUMNS = ["doc_id", "para_id", "sent_id", "concept", "text", "start", "end", "temporal",
                       "temporal_cues", "evaluation", "evaluation_cues", "contrast_side", "speaker"]
CONTEXT_COLUMNS = ["doc_id", "sent_id", "concept", "term", "count"]
_CONTEXT_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB"})
_CONTEXT_POS_IDS: frozenset[int] | None = None
_NEGATIVE_CUES = C.EVAL_NEGATIVE


class FramingExtractor:
    """Contrast frames, orientation and contexts of concept mentions, one document at a time.

    Args:
        lexicon: concept lexicon (a :class:`~corpus_tools.lexicon.Lexicon`, a TOML path, or
            ``None`` for the built-in one); ignored when ``concept_extractor`` is given.
        concept_extractor: a :class:`~corpus_tools.concepts.ConceptExtractor` (fitted or not), or
            any object with ``fit(nlp)`` and ``match(doc) -> [(concept, token_start, token_end)]``.
        contrast_extractor: a :class:`ContrastExtractor` (default: all cue families).
        orientation_tagger: an :class:`OrientationTagger` (default: the built-in cue lexicons).
        attribution: detect views attributed to others (``speaker``); otherwise all ``author``.
        frames: the frame grammar for the default contrast extractor (a TOML path or a
            :class:`~corpus_tools.framing.grammar.FrameGrammar`; ``None``: the built-in one).
        discourse: frames across two adjacent sentences (:mod:`~corpus_tools.framing.discourse`):
            a TOML path or :class:`~corpus_tools.framing.discourse.DiscourseGrammar`, ``None`` for
            the built-in ``data/discourse_frames.toml``, ``False`` to read single sentences only.

    Example::

        fx = FramingExtractor().fit(nlp)
        rows = [fx.transform_document(pd, corpus.text(pd.doc_id)) for pd in parser.iter_parse(corpus)]
        result = fx.aggregate(rows, corpus)
    """

    def __init__(self, lexicon: "Lexicon | str | None" = None, *, concept_extractor: Any = None,
                 contrast_extractor: ContrastExtractor | None = None,
                 orientation_tagger: OrientationTagger | None = None, attribution: bool = True,
                 frames: Any = None, discourse: Any = None):
        self.lexicon = lexicon
        self.concept_extractor = concept_extractor
        self.contrast_extractor = contrast_extractor
        self.orientation_tagger = orientation_tagger
        self.attribution = attribution
        self.frames = frames
        self.discourse = discourse

    def fit(self, nlp: "Language | None" = None) -> "FramingExtractor":
        """Build the matchers on ``nlp`` (default: :func:`corpus_tools.parse.load_spacy_model`)."""
        if nlp is None:
            from ..parse import load_spacy_model

            nlp = load_spacy_model()
        concepts = self.concept_extractor
        if concepts is None:
            from ..concepts import ConceptExtractor

            concepts = ConceptExtractor(self.lexicon)
        if not _is_fitted(concepts):
            concepts.fit(nlp)
        contrasts = self.contrast_extractor or ContrastExtractor(self.frames)
        if not hasattr(contrasts, "index_"):
            contrasts.fit(nlp)
        tagger = self.orientation_tagger or OrientationTagger()
        if not hasattr(tagger, "old_"):
            tagger.fit(nlp)
        self.concepts_ = concepts
        self.contrasts_ = contrasts
        self.discourse_ = None
        if self.discourse is not False and isinstance(contrasts, ContrastExtractor):
            from .discourse import DiscourseReader

            self.discourse_ = DiscourseReader(self.discourse).fit(contrasts)
        self.tagger_ = tagger
        self.lexicon_ = getattr(concepts, "lexicon_", None)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "contrasts_"):
            raise NotFittedError("FramingExtractor is not fitted; call fit(nlp) first")

    # ------------------------------------------------------------------ per document
    def transform_document(self, parsed_doc: "ParsedDocument", text: str | None = None,
                           mentions: Iterable[dict] | None = None) -> dict[str, list[dict]]:
        """Tidy rows for one parsed document.

        Args:
            parsed_doc: a :class:`~corpus_tools.parse.ParsedDocument`.
            text: the document's original text (``corpus.text(doc_id)``): quotes (``old``,
                ``new``, ``sentence``, mention ``text``) are then exact original evidence.
            mentions: this document's concept mention rows from
                :meth:`ConceptExtractor.transform_document` (``sent_id, concept, token_start,
                token_end``), to reuse instead of matching concepts again.

        Returns:
            ``{"contrasts": [...], "orientation": [...], "context": [...]}``, lists of dicts with
            the columns :data:`CONTRAST_COLUMNS`, :data:`ORIENTATION_COLUMNS`, :data:`CONTEXT_COLUMNS`.
        """
        self._check_fitted()
        contrasts: list[dict] = []
        orientation: list[dict] = []
        context: list[dict] = []
        previous = None
        given: dict[str, list[tuple[str, int, int]]] | None = None
        if mentions is not None:
            given = {}
            for m in mentions:
                given.setdefault(m["sent_id"], []).append((m["concept"], int(m["token_start"]), int(m["token_end"])))
        concessive: set[str] = set()  # sentences that grant a merit to set it aside
        prev_matches: list[tuple[str, int, int]] = []
        prev_frames: list[Frame] = []
        row_of: dict[int, int] = {}  # id(frame) -> its row, for a two-sentence frame that completes it
        completed: set[int] = set()
        prev_oriented: list[tuple[dict, int]] = []  # the previous sentence's orientation rows, head index
        discourse = getattr(self, "discourse_", None)
        if discourse:
            from .discourse import FAMILY, pair_row
        for sent in parsed_doc.sentences:
            doc = sent.doc
            words = sentence_words(doc)
            if not CONCESSION_MARKERS.isdisjoint(words[0]):
                concessive.add(sent.sent_id)
            prev_doc = previous.doc if previous is not None and previous.para_id == sent.para_id else None
            prev_sent, previous = previous, sent
            matches = given.get(sent.sent_id, []) if given is not None else self.concepts_.match(doc)
            frames = self.contrasts_.extract(doc)
            pairs = discourse.extract(prev_doc, doc, prev_frames, frames) if discourse and prev_doc is not None else []
            replaced = {id(p.replaces) for p in pairs if p.replaces is not None}

            def quote(span: tuple[int, int] | None) -> tuple[str, int | None, int | None]:
                if span is None:
                    return "", None, None
                sp = doc[span[0]:span[1]]
                start, end = sent.original_span(sp.start_char, sp.end_char)
                return (text[start:end] if text is not None else sp.text), start, end

            if text is not None and len(doc):
                s0, s1 = sent.original_extent()
                sentence_text = text[s0:s1]
            else:
                sentence_text = doc.text
            for frame in frames:
                frame.speaker = speaker_of(doc, frame.anchor, prev_doc) if self.attribution else "author"
                if id(frame) in replaced:
                    continue  # reported with the side it pointed back to (below)
                row_of[id(frame)] = len(contrasts)
                old_text, old_start, old_end = quote(frame.old)
                new_text, new_start, new_end = quote(frame.new)
                old_concept, new_concept = map_sides(doc, frame, matches)
                contrasts.append({
                    "doc_id": sent.doc_id, "para_id": sent.para_id, "sent_id": sent.sent_id,
                    "old": old_text, "new": new_text, "cue": frame.cue,
                    "old_concept": old_concept, "new_concept": new_concept, "speaker": frame.speaker,
                    "sentence": sentence_text, "old_start": old_start, "old_end": old_end,
                    "new_start": new_start, "new_end": new_end, "family": frame.family,
                    "old_head": frame.old_head, "new_head": frame.new_head, "first_sent_id": sent.sent_id,
                })
            voices = []
            for pair in pairs:
                if pair.completes is not None and id(pair.completes) in row_of:
                    completed.add(row_of[id(pair.completes)])  # now reported with its new side
                # a turn against the previous sentence's (reported) view is the author's own; a
                # resolved side keeps the voice its sentence has
                before = None if pair.family == FAMILY else prev_doc
                who = speaker_of(doc, pair.anchor, before) if self.attribution else "author"
                contrasts.append(pair_row(pair, prev_sent, sent, text, prev_matches, matches, who))
                _orient_previous(prev_oriented, pair, who)
                voices.append(who)
            # the sides of two-sentence frames that lie in this sentence, for its mentions below
            here = frames + [Frame(p.cue, p.family, p.old if p.old_in == 1 else None, p.new if p.new_in == 1 else None,
                                   p.anchor, speaker=who) for p, who in zip(pairs, voices)]
            prev_matches, prev_frames, prev_oriented = matches, frames, []
            if not matches:
                continue
            # other mentions are no cues, nor is a frame's own predicate ("X: the gravedigger of Y"
            # makes X the new side, not X negative)
            blocked = {i for _, s, e in matches for i in range(s, e)} | {f.anchor for f in frames}
            cues = self.tagger_.cue_positions(words)  # once for all the sentence's mentions
            for concept, ts, te in matches:
                o = self.tagger_.orient(doc, ts, te, blocked, words, cues)
                sp = doc[ts:te]
                root = sp.root.i  # (a Span finds its root anew at every .root)
                side, frame = _side_of(root, here)
                temporal, t_cues = o.temporal, list(o.temporal_cues)
                if frame is not None:
                    temporal, t_cues = side, [f"contrast: {frame.cue}"] + t_cues
                start, end = sent.original_span(sp.start_char, sp.end_char)
                orientation.append({
                    "doc_id": sent.doc_id, "para_id": sent.para_id, "sent_id": sent.sent_id,
                    "concept": concept, "text": text[start:end] if text is not None else sp.text,
                    "start": start, "end": end, "temporal": temporal, "temporal_cues": "; ".join(t_cues),
                    "evaluation": o.evaluation, "evaluation_cues": "; ".join(o.evaluation_cues),
                    "contrast_side": side, "speaker": frame.speaker if frame is not None else "author",
                })
                prev_oriented.append((orientation[-1], root))
            context.extend(_context_rows(doc, sent.doc_id, sent.sent_id, matches, words[1]))
        if completed:
            contrasts = [row for i, row in enumerate(contrasts) if i not in completed]
        _concede(orientation, contrasts, concessive)
        return {"contrasts": contrasts, "orientation": orientation, "context": context}

    # ------------------------------------------------------------------ corpus level
    def aggregate(self, documents: Iterable[dict[str, list[dict]]], corpus: "Corpus",
                  concepts: "ConceptResult | None" = None) -> "FramingResult":
        """Build a :class:`FramingResult` (profiles, shifts, summaries) from per-document rows.

        Args:
            documents: outputs of :meth:`transform_document`, one per document.
            corpus: the corpus (for document order, titles and word counts).
            concepts: the concept stage's result, if any (only its lexicon labels are used).
        """
        from .result import build_result

        lexicon = getattr(concepts, "lexicon", None) or getattr(self, "lexicon_", None)
        return build_result(documents, corpus, lexicon=lexicon)


def _concede(orientation: list[dict], contrasts: list[dict], concessive: set[str]) -> None:
    """A concept the paragraph sets on the old side of a frame is not evaluated positively by a
    concession ("traffic does have a certain potential; however, ..."): such positive evaluations
    are withdrawn, with the reason among the cues."""
    old_in_para: dict[str, set[str]] = {}
    for row in contrasts:
        if row["speaker"] != "author":
            continue
        for concept in str(row["old_concept"] or "").split("; "):
            if concept:
                old_in_para.setdefault(row["para_id"], set()).add(concept)
    for row in orientation:
        if row["evaluation"] not in ("positive", "mixed") or row["sent_id"] not in concessive:
            continue
        if row["concept"] in old_in_para.get(row["para_id"], ()) and row["contrast_side"] != "new":
            row["evaluation"] = "negative" if row["evaluation"] == "mixed" else ""
            row["evaluation_cues"] = "; ".join(
                [c for c in row["evaluation_cues"].split("; ") if c.startswith("not ") or c in _NEGATIVE_CUES]
                + ["concession before a frame that sets it aside"])


def _orient_previous(rows: list[tuple[dict, int]], pair: Any, speaker: str) -> None:
    """A mention of the previous sentence on a side of a two-sentence frame takes that side, as a
    mention on an in-sentence frame's side does (unless one of those already placed it)."""
    for name in ("old", "new"):
        span = getattr(pair, name)
        if span is None or getattr(pair, f"{name}_in") != 0:
            continue
        for row, index in rows:
            if span[0] <= index < span[1] and not row["contrast_side"]:
                cues = [c for c in str(row["temporal_cues"]).split("; ") if c]
                row.update(temporal=name, temporal_cues="; ".join([f"contrast: {pair.cue}"] + cues),
                           contrast_side=name, speaker=speaker)


def _is_fitted(component: Any) -> bool:
    return any(k.endswith("_") and not k.startswith("_") for k in vars(component))


def _side_of(index: int, frames: list[Frame]) -> tuple[str, Frame | None]:
    """Which side of which frame token ``index`` is on (the first frame that has it)."""
    for frame in frames:
        for name, span in (("old", frame.old), ("new", frame.new)):
            if span is not None and span[0] <= index < span[1]:
                return name, frame
    return "", None


def map_sides(doc: "Doc", frame: Frame, matches: list[tuple[str, int, int]]) -> tuple[str, str]:
    """Concepts named by each side of a frame.

    A side names the concept of the match covering its head word first, then every other concept
    matched inside it, joined with "; " ("data of retention" -> "data; reserve"). A concept named on
    both sides is shared material ("the end of new retail" vs "the redevelopment of new retail") and
    is dropped, even at the head when the side names something else ("e-commerce platform" vs "new
    retail platform" is e_commerce -> new_retail), since it is not what changes.
    """
    def on(span: tuple[int, int] | None) -> tuple[str | None, list[str]]:
        if span is None:
            return None, []
        head = doc[span[0]:span[1]].root.i
        inside = [c for c, s, e in matches if span[0] <= s and e <= span[1]]
        at_head = next((c for c, s, e in matches if s <= head < e and span[0] <= s and e <= span[1]), None)
        return at_head, list(dict.fromkeys(inside))

    old_head, old_all = on(frame.old)
    new_head, new_all = on(frame.new)
    shared = set(old_all) & set(new_all)

    def name(head: str | None, names: list[str]) -> str:
        others = [c for c in names if c != head and c not in shared]
        if head in shared and others:
            return "; ".join(others)
        return "; ".join(([head] if head is not None else []) + others)

    return name(old_head, old_all), name(new_head, new_all)


def _context_rows(doc: "Doc", doc_id: str, sent_id: str, matches: list[tuple[str, int, int]],
                  lower_lemmas: list[str] | None = None) -> list[dict]:
    """Content lemmas co-occurring with each concept in a sentence (the concept's own words excluded).

    ``lower_lemmas`` (``token.lemma_.lower()`` per token, from :func:`sentence_words`) saves
    reading them again; the word tests (part of speech, alphabetic, stop word, length) are
    read from the Doc's arrays, not from a Token per word."""
    from spacy.attrs import IS_ALPHA, IS_STOP, LENGTH, POS

    rows = []
    by_concept: dict[str, set[int]] = {}
    for concept, s, e in matches:
        by_concept.setdefault(concept, set()).update(range(s, e))
    if lower_lemmas is None:
        lower_lemmas = sentence_words(doc)[1]
    pos_ids = _context_pos_ids()
    lemmas = [(i, lower_lemmas[i])
              for i, (pos, alpha, stop, length) in enumerate(doc.to_array([POS, IS_ALPHA, IS_STOP, LENGTH]).tolist())
              if pos in pos_ids and alpha and not stop and length > 2]
    for concept, own in by_concept.items():
        counts = Counter(lemma for i, lemma in lemmas if i not in own)
        rows.extend({"doc_id": doc_id, "sent_id": sent_id, "concept": concept, "term": term, "count": n}
                    for term, n in sorted(counts.items()))
    return rows


def _context_pos_ids() -> frozenset[int]:
    """The ids of :data:`_CONTEXT_POS` as ``doc.to_array(POS)`` gives them (spaCy's universal
    part-of-speech symbols)."""
    global _CONTEXT_POS_IDS
    if _CONTEXT_POS_IDS is None:
        from spacy.parts_of_speech import IDS

        _CONTEXT_POS_IDS = frozenset(int(IDS[name]) for name in _CONTEXT_POS)
    return _CONTEXT_POS_IDS
