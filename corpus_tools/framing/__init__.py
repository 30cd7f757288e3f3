"""Framing: how texts set old framings against new ones, and how that shifts from text to text.

Public API::

    from corpus_tools.framing import analyze_framing
    framing = analyze_framing(corpus)          # -> FramingResult
    framing.contrasts    # one row per contrast frame ("not a platform, but an infrastructure")
    framing.orientation  # one row per concept mention: temporal / evaluative cues that decided it
    framing.profiles     # per essay and concept: prominence, old/new shares, sides, evaluation, company
    framing.shifts       # per concept, consecutive essays: what changed, context drift, evidence
    framing.summaries    # plain-English summaries per concept and per essay, with sentence ids

For streaming (parse once, feed every stage): :class:`FramingExtractor` with
``fit(nlp)``, ``transform_document(parsed_doc, text)`` and ``aggregate(rows, corpus)``.
Scoring against gold annotations: :func:`corpus_tools.framing.evaluate.score_frames` (and
:func:`~corpus_tools.framing.evaluate.score_by_half` for a split by essay). The wordings of contrast
frames: :func:`load_grammar` (``data/frame_grammar.toml``, or your own file via ``frames=``). An optional
learned filter over the grammar's candidates: :class:`FrameFilter` (``ContrastExtractor(frame_filter=True)``).
Frames across two adjacent sentences ("In the past, X was ... Today, it is Y"; "this framework" resolved
to the phrase it points back to): :mod:`corpus_tools.framing.discourse` (``data/discourse_frames.toml``,
or ``FramingExtractor(discourse=FILE)``).
"""
from __future__ import annotations

from .contrasts import ContrastExtractor, Frame, grow_side
from .extractor import FramingExtractor, map_sides
from .frame_filter import FrameFilter
from .grammar import FrameGrammar, load_grammar
from .orientation import OrientationTagger
from .result import FramingResult, analyze_framing

__all__ = ["analyze_framing", "FramingResult", "FramingExtractor", "ContrastExtractor", "OrientationTagger",
           "Frame", "grow_side", "map_sides", "FrameGrammar", "load_grammar", "FrameFilter"]
