"""Whose view a contrast frame is: the author's, or one the author attributes to others.

A frame is ``others`` when, on the dependency parse,

- its cue sits in the clausal complement of a reporting verb ("believe", "think", "say", ...)
  whose subject is a third-person or generic human noun phrase ("they", "some people",
  "critics"), or after "according to" such a phrase; or
- the previous sentence of the same paragraph has a report by others as its main clause, and
  the frame's sentence neither opens in the author's own voice ("However", "In fact",
  "I think") nor has a first-person subject: the view continues ("They believe that X should
  be Y. X is Z, not W.").

Everything else is ``author``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import cues as C

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


def _other_subject(verb: "Token") -> bool:
    for child in verb.children:
        if child.dep_ != "nsubj":  # "they can be regarded as ..." is no report of their view
            continue
        if child.lower_ in C.FIRST_PERSON:
            return False
        if child.lower_ in C.OTHER_PRONOUNS or child.lemma_.lower() in C.OTHER_NOUNS:
            return True
        # "some of them", "many in the industry"
        if child.pos_ in {"PRON", "DET", "ADJ"} and child.lower_ in {"some", "many", "most", "few"}:
            return True
    return False


def is_report_by_others(verb: "Token") -> bool:
    """Is ``verb`` a reporting verb with a third-person/generic human subject?"""
    return verb.lemma_.lower() in C.REPORT_VERBS and _other_subject(verb)


def attributed_in_sentence(doc: "Doc", index: int) -> bool:
    """Is token ``index`` inside a view reported as others' within its own sentence?"""
    tok = doc[index]
    node = tok
    for _ in range(len(doc)):
        head = node.head
        if head == node:
            break
        if node.dep_ == "ccomp" and is_report_by_others(head):
            return True
        node = head
    for t in doc:  # "according to some people, ..."
        if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
            obj = next((c for c in doc[t.i + 1].children if c.dep_ == "pobj"), None)
            if obj is not None and (obj.lower_ in C.OTHER_PRONOUNS or obj.lemma_.lower() in C.OTHER_NOUNS):
                return True
    return False


def opens_in_author_voice(doc: "Doc") -> bool:
    """Does the sentence open with the author's own voice or have a first-person subject?"""
    words = [t.lower_ for t in doc if not t.is_punct][:4]
    opening = " ".join(words)
    if any(opening.startswith(o) for o in C.AUTHOR_OPENERS):
        return True
    return any(t.dep_ in {"nsubj", "nsubjpass"} and t.lower_ in C.FIRST_PERSON for t in doc)


def report_sentence(doc: "Doc") -> bool:
    """Is the sentence's main clause a report of others' view ("They believe that ...")?"""
    roots = [t for t in doc if t.dep_ == "ROOT"]
    return any(is_report_by_others(r) and any(c.dep_ in {"ccomp", "xcomp"} for c in r.children) for r in roots)


def speaker_of(doc: "Doc", index: int, previous: "Doc | None" = None) -> str:
    """``"others"`` or ``"author"`` for a frame anchored at token ``index`` of ``doc``.

    Args:
        previous: the preceding sentence of the same paragraph, if any.
    """
    if attributed_in_sentence(doc, index):
        return "others"
    if previous is not None and report_sentence(previous) and not opens_in_author_voice(doc):
        return "others"
    return "author"
