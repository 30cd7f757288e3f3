"""Tidy tables of an analysis, named for ``tables/`` and made safe for CSV and Parquet."""
from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from .. import _fileio

logger = logging.getLogger(__name__)

#: (stage, attribute) -> table name. Attributes not listed here but holding a DataFrame are
#: still written, as ``<stage>_<attribute>``, so a stage that grows a table is never lost.
TABLE_NAMES: dict[tuple[str, str], str] = {
    ("corpus", "documents"): "documents",
    ("corpus", "paragraphs"): "paragraphs",
    ("corpus", "sentences"): "sentences",
    ("corpus", "removed"): "removed",
    ("corpus", "skipped"): "skipped",
    ("corpus", "warnings"): "corpus_warnings",
    ("concepts", "mentions"): "concept_mentions",
    ("concepts", "by_document"): "concepts_by_document",
    ("concepts", "cooccurrence"): "concept_cooccurrence",
    ("concepts", "suggestions"): "concept_suggestions",
    ("concepts", "suggestions_by_document"): "concept_suggestions_by_document",
    ("topics", "topics"): "topics",
    ("topics", "assignments"): "topic_assignments",
    ("topics", "doc_topics"): "doc_topics",
    ("topics", "representatives"): "topic_representatives",
    ("topics", "similar_docs"): "similar_docs",
    ("topics", "terms"): "topic_terms",
    ("topics", "prevalence"): "topic_prevalence",
    ("topics", "dropped"): "topic_dropped_units",
    ("topics", "baseline_topics"): "topic_baseline_topics",
    ("framing", "contrasts"): "framing_contrasts",
    ("framing", "orientation"): "framing_orientation",
    ("framing", "profiles"): "framing_profiles",
    ("framing", "shifts"): "framing_shifts",
    ("framing", "summaries"): "framing_summaries",
    ("framing", "context"): "framing_context",
    # ct.compare / analyze --by
    **{("comparison", name): f"compare_{name}"
       for name in ("groups", "documents", "concepts", "keyness", "frames", "themes", "shifts")},
}
STAGES = ("corpus", "concepts", "topics", "framing", "comparison")
#: Every table name this package may write.
KNOWN_TABLES = set(TABLE_NAMES.values()) | {"topic_metrics", "stage_status"}


def result_frames(obj: Any) -> dict[str, pd.DataFrame]:
    """The DataFrame-valued public attributes of a stage result, in declaration order."""
    if obj is None:
        return {}
    if dataclasses.is_dataclass(obj):
        names = [f.name for f in dataclasses.fields(obj)]
    else:
        names = [n for n in getattr(obj, "__dict__", {})]
    out: dict[str, pd.DataFrame] = {}
    for name in names:
        if name.startswith("_"):
            continue
        value = getattr(obj, name, None)
        if isinstance(value, pd.DataFrame):
            out[name] = value
    return out


def collect_tables(result: Any) -> dict[str, pd.DataFrame]:
    """All tables of an :class:`~corpus_tools.pipeline.AnalysisResult`, keyed by file stem."""
    tables: dict[str, pd.DataFrame] = {}
    for stage in STAGES:
        for attr, frame in result_frames(getattr(result, stage, None)).items():
            name = TABLE_NAMES.get((stage, attr), safe_name(f"{stage}_{attr}"))
            tables[name] = frame
    topics = getattr(result, "topics", None)
    metrics = getattr(topics, "metrics", None)
    if isinstance(metrics, dict) and metrics:
        # Timings differ run to run; they live in run.json so the tables stay reproducible.
        kept = {k: v for k, v in metrics.items() if not _is_timing(k)}
        tables["topic_metrics"] = pd.DataFrame(
            {"metric": list(kept), "value": [_scalar(v) for v in kept.values()]})
    status = getattr(result, "stage_status", None)
    if status:
        tables["stage_status"] = pd.DataFrame(
            [{"stage": k, "status": v.get("status"), "reason": v.get("reason", "")} for k, v in status.items()])
    return tables


def _is_timing(key: str) -> bool:
    return key.startswith("seconds_") or key.endswith("_seconds") or key in ("seconds", "wall_time")


def safe_name(name: str) -> str:
    """A file stem made only of ASCII letters, digits and ``_-``; never taken raw from text."""
    cleaned = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "_-" else "_" for ch in str(name))
    return cleaned.strip("_-")[:80] or "table"


def _scalar(value: Any) -> Any:
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, (list, tuple, set, dict)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return value


def _flat_cell(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)) and getattr(value, "ndim", 0) > 0:
        return "; ".join(str(v) for v in value.tolist())
    return value


def tidy_for_output(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with list cells joined by ``"; "`` and dict cells as JSON, so CSV and Parquet
    round-trip without surprises."""
    out = frame.reset_index(drop=True)
    for column in out.columns:
        # Only object columns can hold lists or dicts; a string-typed column holds strings only,
        # and scanning it cell by cell cost seconds and hundreds of MB on million-row tables.
        if out[column].dtype == object:
            if out[column].map(lambda v: isinstance(v, (list, tuple, set, frozenset, dict))
                               or (hasattr(v, "ndim") and getattr(v, "ndim", 0) > 0)).any():
                out[column] = out[column].map(_flat_cell)
    return out


def _parquet_available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True




def atomic_write_text(path: str | Path, text: str) -> Path:
    """Atomic write (temp file, then rename) of a world-readable UTF-8 file."""
    return _fileio.atomic_write_text(path, text)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    return _fileio.atomic_write_bytes(path, data)


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, *, parquet: bool | None = None,
                 warnings: list[str] | None = None) -> dict[str, Path]:
    """Write each table as ``folder/<name>.csv`` (and ``.parquet`` when pyarrow is importable),
    each atomically. Tables an earlier call wrote here (listed in the folder's manifest) and not
    produced now are removed so the folder never mixes two runs; a file the manifest does not list
    (a user's own, even one named like a table) is never removed.

    CSV cells that a spreadsheet would run as a formula are neutralised (see
    :func:`corpus_tools._fileio.csv_safe`); Parquet keeps the exact values."""
    folder.mkdir(parents=True, exist_ok=True)
    parquet = _parquet_available() if parquet is None else parquet
    written: dict[str, Path] = {}
    for name, frame in tables.items():
        stem = safe_name(name)
        tidy = tidy_for_output(frame)
        written[f"tables/{stem}.csv"] = _fileio.write_table(tidy, folder / f"{stem}.csv")
        if parquet:
            path = _write_parquet(tidy, folder / f"{stem}.parquet")
            if path is None:
                if warnings is not None:
                    warnings.append(f"tables/{stem}.parquet not written: its columns do not convert to Parquet")
            else:
                written[f"tables/{stem}.parquet"] = path
        del tidy
    _fileio.remove_stale(folder, {p.name for p in written.values()})
    _fileio.write_manifest(folder, {p.name for p in written.values()})
    return written


def _write_parquet(frame: pd.DataFrame, path: Path) -> Path | None:
    """Write ``frame`` as Parquet, streamed into the file; ``None`` if its columns cannot convert."""
    # As it is first; mixed object columns as text only if that fails (the copy is made only then).
    for candidate in (lambda: frame, lambda: _stringify_objects(frame)):
        attempt = candidate()
        try:
            return _fileio.atomic_write_with(path, lambda handle: attempt.to_parquet(handle, index=False))
        except Exception as exc:  # pyarrow raises several types for mixed object columns
            logger.debug("parquet conversion failed: %s", exc)
    return None


def _stringify_objects(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out
