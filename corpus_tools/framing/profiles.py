"""Framing profile of each concept in each essay, built from the tidy per-mention rows only."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

PROFILE_COLUMNS = [
    "doc_id", "concept", "label", "n_mentions", "prominence", "share_old", "share_new", "contrast_old",
    "contrast_new", "evaluation", "share_negative", "share_positive", "top_terms", "top_concepts",
]
#: How many co-occurring terms and concepts a profile lists.
TOP_TERMS = 6
TOP_CONCEPTS = 3


def side_counts(contrasts: "pd.DataFrame") -> Counter:
    """``{(doc_id, concept, "old"|"new"): n}``: how often a concept sits on each side of a frame."""
    counts: Counter = Counter()
    for doc_id, old, new in zip(contrasts["doc_id"].tolist(), contrasts["old_concept"].tolist(),
                                contrasts["new_concept"].tolist()):
        for side, names in (("old", old), ("new", new)):
            for concept in _split(names):
                counts[(doc_id, concept, side)] += 1
    return counts


def build_profiles(orientation: "pd.DataFrame", contrasts: "pd.DataFrame", context: "pd.DataFrame",
                   n_words: dict[str, int], labels: dict[str, str] | None = None,
                   doc_order: list[str] | None = None, *, terms: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """One row per (document, concept) mentioned.

    Columns: ``prominence`` (mentions per 1,000 words), ``share_old``/``share_new`` (mentions
    placed in the past / present-future, including by contrast sides), ``contrast_old`` /
    ``contrast_new`` (times on each side of a contrast frame), ``evaluation`` (net share:
    positive minus negative mentions over all mentions, -1..1), ``top_terms`` and
    ``top_concepts`` (co-occurring in the same sentences, "; "-joined, most frequent first).

    ``terms``: :func:`term_counts` of ``context``, when the caller has them already (the shifts
    read the same counts); computed here otherwise.
    """
    import pandas as pd

    labels = labels or {}
    if orientation.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    sides = side_counts(contrasts)
    top_terms = _top_terms(term_counts(context) if terms is None else terms, TOP_TERMS)
    sentence_concepts: dict[str, set[str]] = {}
    for sid, c in zip(orientation["sent_id"].tolist(), orientation["concept"].tolist()):
        sentence_concepts.setdefault(sid, set()).add(c)
    stats: dict[tuple[str, str], list] = {}
    for d, c, sid, temporal, evaluation in zip(orientation["doc_id"].tolist(), orientation["concept"].tolist(), orientation["sent_id"].tolist(),
                                               orientation["temporal"].tolist(), orientation["evaluation"].tolist()):
        st = stats.setdefault((d, c), [0, 0, 0, 0, 0, {}])
        st[0] += 1
        st[1] += temporal == "old"
        st[2] += temporal == "new"
        st[3] += evaluation == "positive"
        st[4] += evaluation == "negative"
        st[5][sid] = None
    rows = []
    for (doc_id, concept), (n, n_old, n_new, n_pos, n_neg, sids) in stats.items():
        others: Counter = Counter()
        for sid in sids:
            others.update(c for c in sentence_concepts.get(sid, ()) if c != concept)
        words = max(int(n_words.get(doc_id, 0) or 0), 1)
        rows.append({
            "doc_id": doc_id, "concept": concept, "label": labels.get(concept, concept), "n_mentions": n,
            "prominence": round(1000.0 * n / words, 3),
            "share_old": round(n_old / n, 3), "share_new": round(n_new / n, 3),
            "contrast_old": sides.get((doc_id, concept, "old"), 0),
            "contrast_new": sides.get((doc_id, concept, "new"), 0),
            "evaluation": round((n_pos - n_neg) / n, 3),
            "share_negative": round(n_neg / n, 3), "share_positive": round(n_pos / n, 3),
            "top_terms": top_terms.get((doc_id, concept), ""),
            "top_concepts": "; ".join(_top(others, TOP_CONCEPTS)),
        })
    out = pd.DataFrame(rows, columns=PROFILE_COLUMNS)
    if doc_order:
        rank = {d: i for i, d in enumerate(doc_order)}
        out = out.assign(_r=out["doc_id"].map(rank)).sort_values(["_r", "n_mentions", "concept"],
                                                                  ascending=[True, False, True])
        out = out.drop(columns="_r")
    return out.reset_index(drop=True)


def term_counts(context: "pd.DataFrame") -> "pd.DataFrame":
    """Co-occurring term counts summed per essay and concept: ``doc_id, concept, term, count``.

    Takes the per-sentence context table (or an already summed one, which it returns unchanged
    in content), in first-seen order of its (essay, concept, term) keys.
    """
    columns = ["doc_id", "concept", "term", "count"]
    if context.empty:
        return context.reindex(columns=columns).iloc[0:0]
    return (context.groupby(["doc_id", "concept", "term"], sort=False, observed=True)["count"].sum()
            .astype("int64").reset_index())


def _top_terms(terms: "pd.DataFrame", n: int) -> dict[tuple[str, str], str]:
    """``{(doc_id, concept): "term; term; ..."}``: the ``n`` most frequent terms, ties by name."""
    if terms.empty:
        return {}
    ranked = terms.sort_values(["count", "term"], ascending=[False, True], kind="stable")
    # the first n of each (essay, concept) in that order; plain lists, as a grouped join of
    # category values is read value by value anyway
    top: dict[tuple[str, str], list[str]] = {}
    for key in zip(ranked["doc_id"].tolist(), ranked["concept"].tolist(), ranked["term"].tolist()):
        listed = top.setdefault(key[:2], [])
        if len(listed) < n:
            listed.append(key[2])
    return {key: "; ".join(listed) for key, listed in top.items()}


def _top(counter: Counter, n: int) -> list[str]:
    return [k for k, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _split(names) -> list[str]:
    if names is None or (isinstance(names, float) and names != names):
        return []
    return [n.strip() for n in str(names).split(";") if n.strip()]
