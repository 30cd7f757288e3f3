"""Units of analysis: paragraphs (default) or sentences, with short pieces folded in.

Headings ("Smart Retail Stage") and very short paragraphs or sentences carry too little text
for an embedding or a keyword count of their own, yet they name what follows. So a heading or
a unit under ``min_words`` words is *folded* into the next unit of the same document (or the
previous one when it closes the document): its words join that unit's model text and its id is
listed in the unit's ``folded`` column. A document made only of short pieces becomes a single
unit if it reaches ``min_words`` words, else it is left out (``dropped``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import TopicModelError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..load import Corpus

UNITS = ("paragraph", "sentence")
#: Default minimum words for a unit to stand alone, per unit kind.
DEFAULT_MIN_WORDS = {"paragraph": 8, "sentence": 5}
UNIT_COLUMNS = ["unit_id", "doc_id", "para_id", "text", "quote", "start", "end", "n_words", "folded"]


def check_unit(unit: str) -> str:
    unit = str(unit).lower().rstrip("s")
    if unit not in UNITS:
        raise TopicModelError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")
    return unit


def build_units(corpus: "Corpus", unit: str = "paragraph", min_words: int | None = None
                ) -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """The units to model, in corpus order, and the pieces left out.

    Returns:
        ``(units, dropped)``. ``units`` has ``unit_id`` (para_id or sent_id), ``doc_id``,
        ``para_id``, ``text`` (cleaned text the model sees, folded pieces included), ``quote``
        (the unit's exact original text), ``start``/``end`` (offsets of ``quote`` in
        ``corpus.text(doc_id)``), ``n_words`` and ``folded`` ("; "-joined ids folded in).
        ``dropped`` has ``unit_id``, ``doc_id``, ``reason``.
    """
    import pandas as pd

    unit = check_unit(unit)
    min_words = DEFAULT_MIN_WORDS[unit] if min_words is None else int(min_words)
    if unit == "paragraph":
        table = corpus.paragraphs.copy()
        table["unit_id"] = table["para_id"]
        heading = table["is_heading"].fillna(False).astype(bool) if "is_heading" in table else False
    else:
        table = corpus.sentences.copy()
        table["unit_id"] = table["sent_id"]
        paras = corpus.paragraphs.set_index("para_id")
        heading = (table["para_id"].map(paras["is_heading"]).fillna(False).astype(bool)
                   if "is_heading" in paras else False)
    table["is_short"] = heading | (word_counts(table["clean_text"]) < min_words)
    order = {doc_id: i for i, doc_id in enumerate(corpus.doc_ids)}
    table["_doc_order"] = table["doc_id"].map(order)
    table = table.sort_values(["_doc_order", "start"], kind="stable")

    rows: list[dict] = []
    dropped: list[dict] = []
    for doc_id, group in table.groupby("_doc_order", sort=True):
        records = group.to_dict("records")
        doc_rows: list[dict] = []
        pending: list[dict] = []
        for rec in records:
            if rec["is_short"]:
                pending.append(rec)
                continue
            doc_rows.append(_unit_row(rec, before=pending))
            pending = []
        if pending:
            if doc_rows:
                last = doc_rows[-1]
                last["text"] = " ".join([last["text"], *(p["clean_text"] for p in pending)])
                last["folded"] = "; ".join(filter(None, [last["folded"], *(p["unit_id"] for p in pending)]))
            else:
                whole = " ".join(p["clean_text"] for p in pending)
                if len(whole.split()) >= min_words:
                    # A document of short pieces only: the longest piece is quoted, the rest folded.
                    main = max(pending, key=lambda p: len(p["clean_text"]))
                    row = _unit_row(main, before=[p for p in pending if p is not main])
                    row["text"] = whole
                    doc_rows.append(row)
                else:
                    dropped.extend({"unit_id": p["unit_id"], "doc_id": p["doc_id"],
                                    "reason": f"document has under {min_words} words"} for p in pending)
        rows.extend(doc_rows)
    units = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    units["n_words"] = word_counts(units["text"])
    return units.reset_index(drop=True), pd.DataFrame(dropped, columns=["unit_id", "doc_id", "reason"])


def word_counts(texts: "pd.Series") -> "np.ndarray":
    """Whitespace-separated words per text (0 for a missing one), one text at a time: pandas'
    ``.str.split().str.len()`` first builds every text's word list, ~300 MB at 50,000 paragraphs."""
    import numpy as np

    return np.fromiter((len(t.split()) if isinstance(t, str) else 0 for t in texts), dtype=np.int64, count=len(texts))


def _unit_row(rec: dict, before: list[dict]) -> dict:
    return {
        "unit_id": rec["unit_id"], "doc_id": rec["doc_id"], "para_id": rec["para_id"],
        "text": " ".join([*(p["clean_text"] for p in before), rec["clean_text"]]),
        "quote": rec["text"], "start": int(rec["start"]), "end": int(rec["end"]), "n_words": 0,
        "folded": "; ".join(p["unit_id"] for p in before),
    }
