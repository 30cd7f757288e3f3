"""Text cleaning that keeps a map back to the original characters.

Analysis runs on cleaned text (quotes and whitespace normalised, missing spaces after
sentence punctuation restored), but evidence must always quote the original. Every
cleaned string therefore comes with an :class:`OffsetMap` from cleaned positions to
positions in the original document text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\uff07"

# One alternation so the text is scanned once; each named group is one kind of edit.
_EDITS = re.compile(
    r"(?P<md>^(?:#{1,6}\s+|[-*+\u2022]\s+|>\s*))"  # markdown heading / bullet / quote marker
    rf"|(?P<dq>[{_DOUBLE_QUOTES}])"
    rf"|(?P<sq>[{_SINGLE_QUOTES}])"
    r"|(?P<zw>[\u200b\u200c\u200d\u2060\ufeff\u00ad])"
    r"|(?P<ellipsis>\u2026)"
    r"|(?P<ws>\s{2,}|[^\S ])"  # a run of whitespace, or a single non-space whitespace char
    # "exaggeration.Once": a word of two or more lower-case letters, terminal punctuation,
    # then a capitalised word. Requiring lower case on both sides leaves "U.S.A" and
    # "Node.js" alone.
    r"|(?P<nospace>(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])"
    r"|(?<=[a-z][.!?][\"'\u201d\u2019])(?=[A-Z][a-z])|(?<=[a-z][\"'\u201d\u2019][.!?])(?=[A-Z][a-z]))"
)
_REPLACEMENT = {"md": "", "dq": '"', "sq": "'", "zw": "", "ellipsis": "...", "ws": " ", "nospace": " "}


@dataclass(frozen=True)
class OffsetMap:
    """Maps character positions in a cleaned string back to the original text.

    The cleaned string is a sequence of segments. An *identity* segment copies the
    original one to one; a *replaced* segment stands for ``orig_start:orig_end`` as a
    whole (a collapsed whitespace run, an inserted space).
    """

    clean_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]
    orig_ends: tuple[int, ...]
    identity: tuple[bool, ...]
    clean_length: int

    def to_original(self, pos: int) -> int:
        """Original position of the cleaned character at ``pos`` (or of the end, at ``len``)."""
        if not self.clean_starts:
            return 0
        k = max(bisect_right(self.clean_starts, pos) - 1, 0)
        if self.identity[k]:
            return min(self.orig_starts[k] + pos - self.clean_starts[k], self.orig_ends[k])
        return self.orig_starts[k]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the cleaned span ``start:end`` (end exclusive)."""
        if end <= start:
            pos = self.to_original(start)
            return pos, pos
        k = max(bisect_right(self.clean_starts, end - 1) - 1, 0)
        if self.identity[k]:
            orig_end = self.orig_starts[k] + (end - 1 - self.clean_starts[k]) + 1
        else:
            orig_end = self.orig_ends[k]
        return self.to_original(start), orig_end


def clean_span(text: str, start: int = 0, end: int | None = None) -> tuple[str, OffsetMap]:
    """Clean ``text[start:end]`` for analysis.

    Returns the cleaned string and an :class:`OffsetMap` whose positions are offsets
    into ``text`` itself, so evidence can be sliced from the original.
    """
    end = len(text) if end is None else end
    pieces: list[str] = []
    clean_starts: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    identity: list[bool] = []
    clean_pos = 0

    def emit(piece: str, orig_start: int, orig_end: int, is_identity: bool) -> None:
        nonlocal clean_pos
        if not piece:
            return
        pieces.append(piece)
        clean_starts.append(clean_pos)
        orig_starts.append(orig_start)
        orig_ends.append(orig_end)
        identity.append(is_identity)
        clean_pos += len(piece)

    cursor = start
    region = text[start:end]
    for match in _EDITS.finditer(region):
        m_start, m_end = match.start() + start, match.end() + start
        if m_start > cursor:
            emit(text[cursor:m_start], cursor, m_start, True)
        replacement = _REPLACEMENT[match.lastgroup]
        if match.lastgroup == "ws" and match.group() == " ":
            replacement = " "
        emit(replacement, m_start, m_end, len(replacement) == m_end - m_start)
        cursor = m_end
    if cursor < end:
        emit(text[cursor:end], cursor, end, True)
    cleaned = "".join(pieces)
    # Edits at the edges (a bullet marker, trailing spaces) can leave outer whitespace.
    stripped = cleaned.strip()
    if stripped != cleaned:
        lead = len(cleaned) - len(cleaned.lstrip())
        return _shift(stripped, lead, clean_starts, orig_starts, orig_ends, identity)
    return cleaned, OffsetMap(tuple(clean_starts), tuple(orig_starts), tuple(orig_ends), tuple(identity), len(cleaned))


def _shift(stripped, lead, clean_starts, orig_starts, orig_ends, identity):
    """Rebase segments after dropping ``lead`` leading characters."""
    new = ([], [], [], [])
    for cs, os_, oe, ident in zip(clean_starts, orig_starts, orig_ends, identity):
        seg_len = (oe - os_) if ident else 1
        if cs + seg_len <= lead and ident:
            continue
        if cs < lead:
            cut = lead - cs
            if ident:
                os_ += cut
            cs = lead
        new[0].append(cs - lead)
        new[1].append(os_)
        new[2].append(oe)
        new[3].append(ident)
    return stripped, OffsetMap(tuple(new[0]), tuple(new[1]), tuple(new[2]), tuple(new[3]), len(stripped))


def normalise_for_matching(text: str) -> str:
    """Quotes, whitespace and case folded, for comparing passages (not for display)."""
    cleaned, _ = clean_span(text)
    return cleaned.casefold()
