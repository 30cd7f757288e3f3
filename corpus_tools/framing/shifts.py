"""How each concept's framing changes from one essay to the next.

Essays are taken in corpus order (by date where known, else as given). For every concept and
every pair of consecutive essays that mention it, a row says what changed (prominence, side
taken in contrasts, time orientation, evaluation), how far its context neighbourhood drifted
(cosine distance between the lemma-count vectors of the sentences mentioning it), and which
sentences of the later essay show it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .profiles import _split

if TYPE_CHECKING:
    import pandas as pd

SHIFT_COLUMNS = [
    "concept", "label", "from_doc", "to_doc", "prominence_from", "prominence_to", "share_old_from", "share_old_to",
    "share_new_from", "share_new_to", "contrast_old_to", "contrast_new_to", "evaluation_from", "evaluation_to",
    "drift", "change", "evidence", "evidence_text",
]
#: Evidence sentences quoted per shift.
MAX_EVIDENCE = 3
_QUOTE_CHARS = 220


def context_drift(counts_a: dict[str, float], counts_b: dict[str, float]) -> float:
    """Cosine distance between two term-count vectors (0 = same company, 1 = nothing shared)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    if not counts_a or not counts_b:
        return float("nan")
    matrix = DictVectorizer().fit_transform([counts_a, counts_b])
    return float(round(cosine_distances(matrix[0], matrix[1])[0, 0], 4))


def build_shifts(profiles: "pd.DataFrame", contrasts: "pd.DataFrame", orientation: "pd.DataFrame",
                 context: "pd.DataFrame", doc_order: list[str], titles: dict[str, str],
                 labels: dict[str, str] | None = None, sentences: dict[str, str] | None = None) -> "pd.DataFrame":
    """One row per concept and pair of consecutive essays (in ``doc_order``) that mention it.

    ``sentences`` maps sent_id to sentence text, for quoting evidence.
    """
    import pandas as pd

    labels = labels or {}
    if profiles.empty:
        return pd.DataFrame(columns=SHIFT_COLUMNS)
    rank = {d: i for i, d in enumerate(doc_order)}
    term_counts: dict[tuple[str, str], dict[str, float]] = {}
    for (concept, doc_id), group in context.groupby(["concept", "doc_id"], sort=False) if not context.empty else []:
        term_counts[(concept, doc_id)] = group.groupby("term")["count"].sum().astype(float).to_dict()
    rows = []
    for concept, group in profiles.groupby("concept", sort=False):
        group = group.assign(_r=group["doc_id"].map(rank)).sort_values("_r")
        records = group.to_dict("records")
        for a, b in zip(records, records[1:]):
            drift = context_drift(term_counts.get((concept, a["doc_id"]), {}), term_counts.get((concept, b["doc_id"]), {}))
            change = describe_change(_lower_label(labels.get(concept, concept)), a, b, drift, titles)
            sent_ids, quotes = _evidence(concept, b["doc_id"], contrasts, orientation, sentences or {})
            rows.append({
                "concept": concept, "label": labels.get(concept, concept), "from_doc": a["doc_id"],
                "to_doc": b["doc_id"], "prominence_from": a["prominence"], "prominence_to": b["prominence"],
                "share_old_from": a["share_old"], "share_old_to": b["share_old"],
                "share_new_from": a["share_new"], "share_new_to": b["share_new"],
                "contrast_old_to": b["contrast_old"], "contrast_new_to": b["contrast_new"],
                "evaluation_from": a["evaluation"], "evaluation_to": b["evaluation"], "drift": drift,
                "change": change, "evidence": "; ".join(sent_ids), "evidence_text": " | ".join(quotes),
            })
    return pd.DataFrame(rows, columns=SHIFT_COLUMNS)


def describe_change(name: str, a: dict, b: dict, drift: float, titles: dict[str, str]) -> str:
    """Plain-English account of what changed between two profiles of one concept."""
    title = titles.get(b["doc_id"], b["doc_id"])
    parts = []
    pa, pb = float(a["prominence"]), float(b["prominence"])
    if pb >= 1.5 * pa and pb - pa >= 1.0:
        parts.append(f"more prominent ({pa:.1f} -> {pb:.1f} mentions per 1k words)")
    elif pa >= 1.5 * pb and pa - pb >= 1.0:
        parts.append(f"less prominent ({pa:.1f} -> {pb:.1f} mentions per 1k words)")
    n_old, n_new = int(b["contrast_old"]), int(b["contrast_new"])
    if n_old + n_new:
        if n_old >= n_new:
            parts.append(f"on the old side in {n_old} of {n_old + n_new} contrasts")
        else:
            parts.append(f"on the new side in {n_new} of {n_old + n_new} contrasts")
    ea, eb = float(a["evaluation"]), float(b["evaluation"])
    if eb < 0 <= ea or (eb < 0 and ea < 0 and eb - ea <= -0.25):
        parts.append("its evaluation turns negative")
    elif eb > 0 >= ea or (eb > 0 and ea > 0 and eb - ea >= 0.25):
        parts.append("its evaluation turns positive")
    oa, ob = float(a["share_old"]), float(b["share_old"])
    na, nb = float(a["share_new"]), float(b["share_new"])
    if ob - oa >= 0.25 and ob > nb:
        parts.append(f"framed more as the past ({oa:.0%} -> {ob:.0%} of mentions)")
    elif nb - na >= 0.25 and nb > ob:
        parts.append(f"framed more as present or future ({na:.0%} -> {nb:.0%} of mentions)")
    if drift == drift and drift >= 0.6:  # not NaN
        parts.append(f"keeps different company (context drift {drift:.2f})")
    if not parts:
        return f"{name}: framed much as before in '{title}'"
    return f"{name}: " + "; ".join(parts) + f" in '{title}'"


def _evidence(concept: str, doc_id: str, contrasts: "pd.DataFrame", orientation: "pd.DataFrame",
              sentences: dict[str, str]) -> tuple[list[str], list[str]]:
    """Sentences of ``doc_id`` that show the concept's framing: its contrast frames first, then
    mentions with orientation cues."""
    sent_ids: list[str] = []
    quotes: list[str] = []
    if not contrasts.empty:
        mine = contrasts[(contrasts["doc_id"] == doc_id) & (
            contrasts["old_concept"].map(lambda v: concept in _split(v))
            | contrasts["new_concept"].map(lambda v: concept in _split(v)))]
        for row in mine.itertuples(index=False):
            if row.sent_id not in sent_ids:
                sent_ids.append(row.sent_id)
                quotes.append(_short(row.sentence))
            if len(sent_ids) >= MAX_EVIDENCE:
                return sent_ids, quotes
    if not orientation.empty:
        mine = orientation[(orientation["doc_id"] == doc_id) & (orientation["concept"] == concept)
                           & ((orientation["temporal_cues"] != "") | (orientation["evaluation_cues"] != ""))]
        for row in mine.itertuples(index=False):
            if row.sent_id not in sent_ids:
                sent_ids.append(row.sent_id)
                quotes.append(_short(sentences.get(row.sent_id, row.text)))
            if len(sent_ids) >= MAX_EVIDENCE:
                break
    return sent_ids, quotes


def _lower_label(label: str) -> str:
    return label if not label or label.isupper() else label[0].lower() + label[1:]


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1].rstrip() + "…"
