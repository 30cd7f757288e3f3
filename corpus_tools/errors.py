"""One catalogue of the errors the library raises.

Every error a user can cause (bad path, bad lexicon, missing model) derives from
:class:`CorpusToolsError`, so the CLI can turn all of them into a clean message
with no traceback.
"""
from __future__ import annotations


class CorpusToolsError(Exception):
    """Base class for errors the user can fix; the message says how."""


class CorpusError(CorpusToolsError):
    """The input path cannot be read as a corpus (missing, a file, no text files)."""


class ModelNotFoundError(CorpusToolsError):
    """A required model package is not installed."""


class LexiconError(CorpusToolsError):
    """A concept lexicon file is malformed; the message names file, line and problem."""


class TopicModelError(CorpusToolsError):
    """The topic model cannot be fitted on this input (for example, too few units)."""


class NotFittedError(CorpusToolsError, AttributeError):
    """A component was used before ``fit``."""


class GroupingError(CorpusToolsError):
    """Essays cannot be grouped for a comparison: no such column, no essay with a value, or a
    single group."""


class SchemaError(CorpusToolsError):
    """A stage result lacks a table or a column the reports read (see ``corpus_tools.schemas``)."""


class FrameGrammarError(CorpusToolsError):
    """A frame grammar file is malformed; the message names file, line and problem."""


class GoldFileError(CorpusToolsError):
    """A gold annotation or split file cannot be read or lacks required columns."""


class KwicQueryError(CorpusToolsError):
    """The KWIC query is empty or cannot be matched."""


class ExecutorError(CorpusToolsError):
    """The per-document work cannot run where it was asked to: Dask is not installed, the
    scheduler cannot be reached or was lost, or workers keep dying on a batch."""
