"""The corpus inventory: a per-document summary table and its files."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._fileio import prepare_output_dir, write_table
from .load import Corpus


def inventory_table(corpus: Corpus) -> pd.DataFrame:
    """One row per document: id, date, words, paragraphs, sentences, removed passages, title."""
    docs = corpus.documents
    return pd.DataFrame({
        "doc_id": docs["doc_id"],
        "date": docs["date"].dt.strftime("%Y-%m-%d"),
        "words": docs["n_words"].astype(int),
        "paragraphs": docs["n_paragraphs"].astype(int),
        "sentences": docs["n_sentences"].astype(int),
        "removed": docs["n_removed"].astype(int),
        "flag": docs["language_flag"].replace("", None),
        "title": docs["title"],
    })


def write_corpus_tables(corpus: Corpus, out: str | Path) -> list[Path]:
    """Write documents, paragraphs, sentences, removed and skipped tables as CSV to ``out``."""
    out_dir = prepare_output_dir(out, corpus.root)
    tables = {
        "documents": corpus.documents,
        "paragraphs": corpus.paragraphs,
        "sentences": corpus.sentences,
        "removed": corpus.removed,
        "skipped": corpus.skipped,
    }
    return [write_table(frame, out_dir / f"{name}.csv") for name, frame in tables.items()]
