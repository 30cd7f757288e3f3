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


class _ContextVectors:
    """Every (concept, essay) term-count vector of a context table as one L2-normalised sparse
    matrix, so drifts are computed without a Python dict per vector (millions of context rows
    at 5,000 essays). ``terms``: :func:`~corpus_tools.framing.profiles.term_counts` of
    ``context``, when the caller has them already."""

    def __init__(self, context: "pd.DataFrame", terms: "pd.DataFrame | None" = None) -> None:
        import numpy as np
        import pandas as pd
        from scipy.sparse import csr_matrix
        from sklearn.preprocessing import normalize

        from .profiles import term_counts

        if terms is None:
            terms = term_counts(context)
        pair_codes, pairs = pd.MultiIndex.from_frame(terms[["concept", "doc_id"]]).factorize()
        # Sorted columns, as DictVectorizer would make them: the dot products sum in the same order.
        term_codes, vocabulary = pd.factorize(terms["term"], sort=True)
        self.row_ = {pair: i for i, pair in enumerate(pairs)}
        counts = terms["count"].to_numpy(dtype=np.float64)
        matrix = csr_matrix((counts, (pair_codes, term_codes)), shape=(len(pairs), len(vocabulary)))
        # No context terms at all (say, essays of one heading each): nothing to normalise.
        self.matrix_ = normalize(matrix) if matrix.shape[0] and matrix.shape[1] else matrix

    def consecutive_drifts(self, concept: str, doc_ids: list[str]) -> list[float]:
        """Cosine distances between the concept's vectors in consecutive ``doc_ids`` (NaN where one
        of the two essays has no context terms for it)."""
        import numpy as np

        if len(doc_ids) < 2:
            return []
        rows = [self.row_.get((concept, d), -1) for d in doc_ids]
        drifts = []
        present = [i for i in range(len(rows) - 1) if rows[i] >= 0 and rows[i + 1] >= 0]
        sims = {}
        if present:
            a = self.matrix_[[rows[i] for i in present]]
            b = self.matrix_[[rows[i + 1] for i in present]]
            sims = dict(zip(present, np.asarray(a.multiply(b).sum(axis=1)).ravel()))
        for i in range(len(rows) - 1):
            drifts.append(float(round(max(0.0, 1.0 - sims[i]), 4)) if i in sims else float("nan"))
        return drifts


def build_shifts(profiles: "pd.DataFrame", contrasts: "pd.DataFrame", orientation: "pd.DataFrame",
                 context: "pd.DataFrame", doc_order: list[str], titles: dict[str, str],
                 labels: dict[str, str] | None = None, sentences: dict[str, str] | None = None, *,
                 terms: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """One row per concept and pair of consecutive essays (in ``doc_order``) that mention it.

    ``sentences`` maps sent_id to sentence text, for quoting evidence. ``terms``:
    :func:`~corpus_tools.framing.profiles.term_counts` of ``context``, when the caller has them
    already (the profiles read the same counts); computed here otherwise.
    """
    import pandas as pd

    labels = labels or {}
    sentences = sentences or {}
    if profiles.empty:
        return pd.DataFrame(columns=SHIFT_COLUMNS)
    rank = {d: i for i, d in enumerate(doc_order)}
    vectors = _ContextVectors(context, terms)
    evidence = _evidence_index(contrasts, orientation, sentences)
    rows = []
    # each concept's profiles in corpus order, from one pass over the table (not a frame per concept)
    by_concept: dict[str, list[dict]] = {}
    for record in profiles.to_dict("records"):
        by_concept.setdefault(record["concept"], []).append(record)
    for concept, records in by_concept.items():
        records.sort(key=lambda r: rank.get(r["doc_id"], len(rank)))  # (an essay not in the order: last)
        drifts = vectors.consecutive_drifts(concept, [r["doc_id"] for r in records])
        name = _lower_label(labels.get(concept, concept))
        for (a, b), drift in zip(zip(records, records[1:]), drifts):
            change = describe_change(name, a, b, drift, titles)
            picked = evidence.get((b["doc_id"], concept), [])[:MAX_EVIDENCE]
            rows.append({
                "concept": concept, "label": labels.get(concept, concept), "from_doc": a["doc_id"],
                "to_doc": b["doc_id"], "prominence_from": a["prominence"], "prominence_to": b["prominence"],
                "share_old_from": a["share_old"], "share_old_to": b["share_old"],
                "share_new_from": a["share_new"], "share_new_to": b["share_new"],
                "contrast_old_to": b["contrast_old"], "contrast_new_to": b["contrast_new"],
                "evaluation_from": a["evaluation"], "evaluation_to": b["evaluation"], "drift": drift,
                "change": change, "evidence": "; ".join(sid for sid, _ in picked),
                "evidence_text": " | ".join(q for _, q in picked),
            })
    return pd.DataFrame(rows, columns=SHIFT_COLUMNS)


def describe_change(name: str, a: dict, b: dict, drift: float, titles: dict[str, str]) -> str:
    """Plain-English account of what changed between two profiles of one concept. Shares and
    rates are stated only when both essays have at least ``MIN_COUNT`` mentions, always with them."""
    from .._plain import MIN_COUNT

    title = titles.get(b["doc_id"], b["doc_id"])
    parts = []
    ma, mb = int(a.get("n_mentions", MIN_COUNT)), int(b.get("n_mentions", MIN_COUNT))
    enough = ma >= MIN_COUNT and mb >= MIN_COUNT
    counts = f"{ma} -> {mb} mentions"
    pa, pb = float(a["prominence"]), float(b["prominence"])
    if max(ma, mb) >= MIN_COUNT and pb >= 1.5 * pa and pb - pa >= 1.0:
        parts.append(f"more prominent ({pa:.1f} -> {pb:.1f} mentions per 1k words; {counts})")
    elif max(ma, mb) >= MIN_COUNT and pa >= 1.5 * pb and pa - pb >= 1.0:
        parts.append(f"less prominent ({pa:.1f} -> {pb:.1f} mentions per 1k words; {counts})")
    n_old, n_new = int(b["contrast_old"]), int(b["contrast_new"])
    if n_old + n_new:
        if n_old >= n_new:
            parts.append(f"on the old side in {n_old} of {n_old + n_new} contrasts")
        else:
            parts.append(f"on the new side in {n_new} of {n_old + n_new} contrasts")
    ea, eb = float(a["evaluation"]), float(b["evaluation"])
    if enough and (eb < 0 <= ea or (eb < 0 and ea < 0 and eb - ea <= -0.25)):
        parts.append(f"its evaluation turns negative ({counts})")
    elif enough and (eb > 0 >= ea or (eb > 0 and ea > 0 and eb - ea >= 0.25)):
        parts.append(f"its evaluation turns positive ({counts})")
    oa, ob = float(a["share_old"]), float(b["share_old"])
    na, nb = float(a["share_new"]), float(b["share_new"])
    if enough and ob - oa >= 0.25 and ob > nb:
        parts.append(f"framed more as the past ({oa:.0%} -> {ob:.0%} of {counts})")
    elif enough and nb - na >= 0.25 and nb > ob:
        parts.append(f"framed more as present or future ({na:.0%} -> {nb:.0%} of {counts})")
    if drift == drift and drift >= 0.6:  # not NaN
        parts.append(f"the words around it change (context change {drift:.2f}, 0 = same words, 1 = none shared)")
    if not parts:
        return f"{name}: framed much as before in '{title}'"
    return f"{name}: " + "; ".join(parts) + f" in '{title}'"


def _evidence_index(contrasts: "pd.DataFrame", orientation: "pd.DataFrame", sentences: dict[str, str]
                    ) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """``{(doc_id, concept): [(sent_id, quote), ...]}``: the sentences that show a concept's framing
    in an essay, its contrast frames first, then mentions with orientation cues."""
    index: dict[tuple[str, str], list[tuple[str, str]]] = {}
    seen: dict[tuple[str, str], set[str]] = {}

    def add(key: tuple[str, str], sid: str, text: str) -> None:
        got = seen.setdefault(key, set())
        if sid not in got and len(got) < MAX_EVIDENCE:
            got.add(sid)
            index.setdefault(key, []).append((sid, _short(text)))

    for row in contrasts.itertuples(index=False):
        for concept in dict.fromkeys(_split(row.old_concept) + _split(row.new_concept)):
            add((row.doc_id, concept), row.sent_id, row.sentence)
    cued = orientation[(orientation["temporal_cues"] != "") | (orientation["evaluation_cues"] != "")]
    for doc_id, concept, sid, text in zip(cued["doc_id"].tolist(), cued["concept"].tolist(), cued["sent_id"].tolist(), cued["text"].tolist()):
        add((doc_id, concept), sid, sentences.get(sid, text))
    return index


def _lower_label(label: str) -> str:
    return label if not label or label.isupper() else label[0].lower() + label[1:]


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1].rstrip() + "…"
