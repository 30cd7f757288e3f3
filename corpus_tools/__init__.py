"""corpus_tools: concepts, themes and framing in retail and e-commerce commentary.

Public API (see README)::

    import corpus_tools as ct
    corpus = ct.load_corpus("corpus/")
    concepts = ct.extract_concepts(corpus)
    topics = ct.find_topics(corpus, unit="paragraph", seed=42)
    framing = ct.analyze_framing(corpus)
    result = ct.analyze("corpus/", out="outputs/", seed=42)

Names are imported lazily so that ``import corpus_tools`` and ``corpus-tools --help`` stay
fast: spaCy, torch and BERTopic load only when a stage needs them.
"""
from __future__ import annotations

import importlib
import logging
from typing import Any

from ._version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())

_LAZY: dict[str, str] = {
    "Corpus": ".load",
    "load_corpus": ".load",
    "load_text": ".load",
    "Parser": ".parse",
    "parse_corpus": ".parse",
    "load_spacy_model": ".parse",
    "CorpusToolsError": ".errors",
    "CorpusError": ".errors",
    "ModelNotFoundError": ".errors",
    "LexiconError": ".errors",
    "TopicModelError": ".errors",
    "NotFittedError": ".errors",
}

__all__ = ["__version__", *_LAZY]


def _register(names: dict[str, str]) -> None:
    _LAZY.update(names)
    __all__.extend(n for n in names if n not in __all__)


# Later stages register their public names here (module path relative to this package).
_register({
    "extract_concepts": ".concepts",
    "ConceptResult": ".concepts",
    "ConceptExtractor": ".concepts",
    "Lexicon": ".lexicon",
    "ConceptEntry": ".lexicon",
    "kwic": ".kwic",
    "load_lexicon": ".lexicon",
    "find_topics": ".topics",
    "TopicResult": ".topics",
    "TopicModel": ".topics",
    "load_topic_model": ".topics",
    "analyze_framing": ".framing",
    "FramingResult": ".framing",
    "FramingExtractor": ".framing",
    "ContrastExtractor": ".framing",
    "OrientationTagger": ".framing",
    "analyze": ".pipeline",
    "AnalysisResult": ".pipeline",
    "compare": ".comparison",
    "ComparisonResult": ".comparison",
    "GroupingError": ".errors",
    "ExecutorError": ".errors",
    "LocalExecutor": ".executors",
    "DaskExecutor": ".executors",
    "TqdmProgress": ".progress",
})


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'corpus_tools' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
