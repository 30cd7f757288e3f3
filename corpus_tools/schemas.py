"""The typed contract between the stage results and the reports.

Each :class:`TableSchema` names one table of a stage result (``framing.contrasts``), the columns
the reports read from it, and what a row is. A table is an attribute of the result or a public
method called without arguments (``concepts.ranked()``, ``framing.reframings()``): what the report
shows that is counted, summed or pivoted comes from the stage that owns it, never from the report. :func:`check_result` checks an
:class:`~corpus_tools.pipeline.AnalysisResult` against :data:`CONTRACT` before a report is built:
a stage that ran but lacks a table or a column fails with :class:`~corpus_tools.errors.SchemaError`
naming it, instead of silently emptying a section. A stage that did not run (``None``) is simply
absent from the report. Stages may carry more columns than listed; the report reads only these.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .concepts import RANKED_COLUMNS
from .errors import SchemaError
from .framing.result import REFRAMING_COLUMNS


@dataclass(frozen=True)
class TableSchema:
    """One table a report reads: ``getattr(result.<stage>, <name>)`` (called, when it is a method),
    a DataFrame with ``columns`` (and an index named ``index``, for a wide table)."""

    stage: str
    name: str
    columns: tuple[str, ...]
    row: str
    index: str | None = None

    @property
    def key(self) -> str:
        return f"{self.stage}.{self.name}"

    def read(self, stage: Any) -> Any:
        """The table from a stage result: the attribute, or what the method returns."""
        value = getattr(stage, self.name, None)
        return value() if callable(value) else value

    def missing(self, frame: Any) -> list[str]:
        """The schema's columns ``frame`` lacks (all of them when it is not a DataFrame); an index
        of another name counts as a missing column."""
        import pandas as pd

        if not isinstance(frame, pd.DataFrame):
            return list(self.columns) or [f"index {self.index}"]
        lacking = [c for c in self.columns if c not in frame.columns]
        if self.index is not None and frame.index.name != self.index:
            lacking.append(f"index {self.index}")
        return lacking


def _comparison_tables() -> tuple[TableSchema, ...]:
    from .comparison import CONCEPT_TOTAL_COLUMNS, SCHEMAS

    rows = {"groups": "group", "documents": "essay placed in a group", "concepts": "group x concept",
            "keyness": "group x concept or term", "frames": "group x reframing", "themes": "group x theme",
            "shifts": "concept x consecutive groups"}
    tables = tuple(TableSchema("comparison", name, tuple(cols), rows[name]) for name, cols in SCHEMAS.items())
    return tables + (
        TableSchema("comparison", "concept_totals", tuple(CONCEPT_TOTAL_COLUMNS), "concept, over every group"),
        TableSchema("comparison", "held_back", ("group", "kind", "item", "count", "p"),
                    "keyness row significant but below the minimum count"),
    )


#: Every table the reports read, with the columns they read.
CONTRACT: tuple[TableSchema, ...] = (
    TableSchema("corpus", "documents", ("doc_id", "title", "date", "source", "n_words", "n_paragraphs",
                                        "n_sentences", "n_removed"), "essay"),
    TableSchema("corpus", "paragraphs", ("doc_id", "para_id", "text", "start", "is_heading"), "kept paragraph"),
    TableSchema("corpus", "sentences", ("doc_id", "para_id", "sent_id", "text", "start", "end"), "sentence"),
    TableSchema("corpus", "skipped", ("path", "reason"), "file not loaded"),
    TableSchema("corpus", "removed", ("doc_id", "start", "end", "reason", "text"), "passage dropped from analysis"),
    TableSchema("concepts", "mentions", ("doc_id", "sent_id", "concept", "text"), "concept mention"),
    TableSchema("concepts", "by_document", ("doc_id", "concept", "label", "count", "per_1k_words"),
                "essay x concept, zeros included"),
    TableSchema("concepts", "suggestions", ("term", "score", "n_docs", "variants", "example"), "candidate concept"),
    TableSchema("concepts", "ranked", tuple(RANKED_COLUMNS), "concept mentioned at least once, most mentioned first"),
    TableSchema("concepts", "table", (), "essay (rows, corpus order) x lexicon concept (columns)", index="doc_id"),
    TableSchema("topics", "topics", ("topic", "label", "size", "share", "top_terms"), "theme"),
    TableSchema("topics", "assignments", ("unit_id", "doc_id", "topic"), "unit"),
    TableSchema("topics", "representatives", ("topic", "rank", "unit_id", "doc_id", "text"), "example quote"),
    TableSchema("topics", "doc_topics", ("doc_id", "topic", "share"), "essay x theme"),
    TableSchema("framing", "contrasts", ("doc_id", "sent_id", "old", "new", "cue", "old_concept", "new_concept",
                                         "speaker", "sentence", "old_start", "old_end", "new_start", "new_end",
                                         "first_sent_id"),
                "contrast frame"),
    TableSchema("framing", "profiles", ("doc_id", "concept", "share_old", "share_new", "share_negative",
                                        "share_positive"), "essay x concept"),
    TableSchema("framing", "shifts", ("concept", "label", "from_doc", "to_doc", "drift", "change", "evidence",
                                      "evidence_text"), "concept x consecutive essays"),
    TableSchema("framing", "summaries", ("scope", "key", "text", "evidence"), "summary"),
    TableSchema("framing", "reframings", tuple(REFRAMING_COLUMNS), "level x (old, new) reframing"),
    TableSchema("framing", "profile_table", (), "essay (rows, corpus order) x profiled concept (columns)",
                index="doc_id"),
) + _comparison_tables()

#: Values of ``framing.summaries.scope``.
SUMMARY_SCOPES = ("concept", "document")
#: ``framing.profiles`` columns the report charts per essay, in this order.
ORIENTATION_SERIES = ("share_old", "share_new", "share_negative", "share_positive")


def schema(stage: str, name: str) -> TableSchema:
    """The schema of ``stage.name``; KeyError for a table outside the contract."""
    for table in CONTRACT:
        if table.stage == stage and table.name == name:
            return table
    raise KeyError(f"{stage}.{name} is not part of the report contract")


def check_result(result: Any) -> "dict[str, Any]":
    """Raise :class:`SchemaError` if a stage of ``result`` that ran lacks a table or column of the
    contract. Stages that did not run (``None``) are skipped.

    Returns the tables read, keyed ``"<stage>.<name>"`` (a method's table is computed once here)."""
    tables: dict[str, Any] = {}
    # The stored tables first: the methods compute from them, so a column they lack is named as
    # such rather than failing inside a method.
    for methods in (False, True):
        problems = []
        for table in CONTRACT:
            stage = getattr(result, table.stage, None)
            if stage is None or callable(getattr(stage, table.name, None)) != methods:
                continue
            frame = table.read(stage)
            missing = table.missing(frame)
            if missing:
                problems.append(f"{table.key} lacks {', '.join(missing)}")
            tables[table.key] = frame
        if problems:
            raise SchemaError("the stage results do not match what the report reads: " + "; ".join(problems))
    return tables


__all__ = ["CONTRACT", "ORIENTATION_SERIES", "SUMMARY_SCOPES", "TableSchema", "check_result", "schema"]
