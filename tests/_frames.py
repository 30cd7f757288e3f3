"""Contrast frames of one invented sentence as plain tuples, shared by the framing tests."""
from __future__ import annotations


def _frames(nlp, extractor, text: str, label: str) -> list[tuple[str, str, str]]:
    doc = nlp(text)
    return [(getattr(f, label), doc[f.old[0]:f.old[1]].text if f.old else "", doc[f.new[0]:f.new[1]].text if f.new else "")
            for f in extractor.extract(doc)]


def frames_by_cue(nlp, extractor, text: str) -> list[tuple[str, str, str]]:
    """``(cue, old side, new side)`` of every frame ``extractor`` finds in ``text``."""
    return _frames(nlp, extractor, text, "cue")


def frames_by_family(nlp, extractor, text: str) -> list[tuple[str, str, str]]:
    """``(family, old side, new side)`` of every frame ``extractor`` finds in ``text``."""
    return _frames(nlp, extractor, text, "family")
