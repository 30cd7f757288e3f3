"""Comparison of groups and periods: how sources, authors or years differ in concepts, framing
and themes.

:func:`compare` takes a finished :class:`~corpus_tools.pipeline.AnalysisResult` and a grouping
(any column of ``corpus.documents``, or ``"year"``/``"quarter"``/``"month"`` derived from
``date``) and returns a :class:`ComparisonResult` of tidy tables, one row per group x item, each
with the counts a claim rests on:

- ``concepts``: each concept's rate per 1,000 words in each group with an exact Poisson 95%
  interval, and the share of the group's essays that mention it with a Wilson 95% interval;
- ``keyness``: the concepts and terms that mark a group against the rest of the corpus, by the
  log-likelihood statistic G2 (Dunning 1993; Rayson and Garside 2000) with its p value (chi-square,
  1 degree of freedom), the log ratio (Hardie 2014) and the four counts it is computed from;
- ``frames``: which reframings each group uses, by concept pair and by the head words of the
  two sides;
- ``themes``: each theme's share of the group's units, with a Wilson interval;
- ``shifts``: for periods (or ``order="file"``), how each concept's framing moves between
  consecutive groups.

Essays with no value for the grouping (no date, an empty cell) are left out of every table and
counted in ``n_left_out``: an undated essay is never placed on a time axis.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import GroupingError

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

#: Groupings derived from the ``date`` column.
PERIODS = ("year", "quarter", "month")
#: Below this many mentions (or contrasts, or units) a group's rate or difference is reported in
#: the tables but no claim is made about it in reports and summaries.
DEFAULT_MIN_COUNT = 5
#: Over-represented terms kept per group in ``keyness`` (all concepts are kept).
DEFAULT_TOP_TERMS = 25
ORDERS = ("date", "file")


# --- statistics ---------------------------------------------------------------------------


def log_likelihood(a: float, b: float, c: float, d: float) -> float:
    """Log-likelihood G2 of a count ``a`` in ``c`` words against ``b`` in ``d`` words.

    ``G2 = 2 * (a ln(a/E1) + b ln(b/E2))`` with ``E1 = c (a+b) / (c+d)`` and
    ``E2 = d (a+b) / (c+d)``; a zero count contributes nothing. Always >= 0: read the direction
    from the rates.
    """
    total = c + d
    if total <= 0 or a + b <= 0:
        return 0.0
    e1 = c * (a + b) / total
    e2 = d * (a + b) / total
    g2 = 0.0
    if a > 0 and e1 > 0:
        g2 += a * math.log(a / e1)
    if b > 0 and e2 > 0:
        g2 += b * math.log(b / e2)
    return max(0.0, 2.0 * g2)


def log_ratio(a: float, b: float, c: float, d: float) -> float:
    """Binary log of the ratio of relative frequencies (Hardie 2014), zeros smoothed by 0.5."""
    if c <= 0 or d <= 0:
        return 0.0
    return math.log2(((a or 0.5) / c) / ((b or 0.5) / d))


def chi2_sf(g2: float) -> float:
    """p value of a G2 (or chi-square) statistic with one degree of freedom."""
    return math.erfc(math.sqrt(max(g2, 0.0) / 2.0))


def poisson_interval(k: int, exposure: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson rate ``k / exposure``."""
    from scipy.stats import chi2

    if exposure <= 0:
        return (math.nan, math.nan)
    alpha = 1.0 - level
    low = 0.0 if k == 0 else chi2.ppf(alpha / 2, 2 * k) / 2
    high = chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    return (float(low) / exposure, float(high) / exposure)


def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n``."""
    from scipy.stats import norm

    if n <= 0:
        return (math.nan, math.nan)
    z = float(norm.ppf(1 - (1 - level) / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


# --- result ---------------------------------------------------------------------------------


#: Columns of each table, in order (the schemas the README documents and the report reads).
SCHEMAS: dict[str, list[str]] = {
    "groups": ["group", "position", "n_docs", "n_words", "n_mentions", "n_contrasts", "n_units",
               "first_date", "last_date"],
    "documents": ["doc_id", "group"],
    "concepts": ["group", "concept", "label", "count", "n_docs", "group_docs", "words", "per_1k",
                 "per_1k_low", "per_1k_high", "share_docs", "share_docs_low", "share_docs_high", "enough"],
    "keyness": ["group", "kind", "item", "label", "count", "count_rest", "words", "words_rest", "per_1k",
                "per_1k_rest", "g2", "p", "log_ratio", "direction", "n_docs", "enough"],
    "frames": ["group", "level", "old", "new", "count", "n_docs", "n_author", "share", "enough", "example_sent_id"],
    "themes": ["group", "topic", "label", "n_units", "group_units", "share", "share_low", "share_high", "enough"],
    "shifts": ["concept", "label", "from_group", "to_group", "count_from", "count_to", "per_1k_from", "per_1k_to",
               "g2", "p", "share_old_from", "share_old_to", "share_new_from", "share_new_to",
               "old_side_from", "old_side_to", "new_side_from", "new_side_to", "change", "evidence"],
}

#: Columns of :meth:`ComparisonResult.concept_totals`.
CONCEPT_TOTAL_COLUMNS = ["concept", "label", "count", "n_docs"]


@dataclass(repr=False)
class ComparisonResult:
    """What :func:`compare` found. Every table is tidy, one row per group x item, with counts.

    Attributes:
        by: the grouping (a metadata column or ``year``/``quarter``/``month``).
        order: ``"date"`` or ``"file"``: how consecutive groups were ordered for ``shifts``.
        groups: one row per group, in display order: ``group, position, n_docs, n_words,
            n_mentions, n_contrasts, n_units, first_date, last_date``.
        documents: ``doc_id, group`` for every essay placed in a group.
        concepts: ``group, concept, label, count, n_docs`` (essays mentioning it), ``group_docs``,
            ``words``, ``per_1k`` with ``per_1k_low``/``per_1k_high`` (exact Poisson 95%),
            ``share_docs`` with ``share_docs_low``/``share_docs_high`` (Wilson 95%), ``enough``
            (``count >= min_count``). Concepts no essay mentions are left out.
        keyness: ``group, kind`` (``concept``/``term``), ``item, label, count, count_rest, words,
            words_rest, per_1k, per_1k_rest, g2, p, log_ratio`` (log2 of the rate ratio),
            ``direction`` (``over``/``under``), ``n_docs, enough``; sorted by group, kind and G2.
        frames: ``group, level`` (``concept``: old -> new concept ids; ``head``: old -> new head
            words), ``old, new, count, n_docs, n_author`` (in the author's own voice), ``share`` (of
            the group's contrast frames), ``enough``, ``example_sent_id``.
        themes: ``group, topic, label, n_units, group_units, share, share_low, share_high, enough``.
        shifts: between consecutive groups (periods, or any column with ``order="file"``):
            ``concept, label, from_group, to_group, count_from, count_to, per_1k_from, per_1k_to,
            g2, p`` (rate change), ``share_old_*``/``share_new_*`` (mentions framed as past /
            present-future), ``old_side_*``/``new_side_*`` (contrast frames with the concept on
            that side), ``change`` (plain words; empty below ``min_count``), ``evidence`` (sent_ids).
        n_left_out: essays with no value for the grouping (for periods: no date), left out of
            every table.
        min_count: the threshold behind ``enough``.
    """

    by: str
    order: str
    groups: "pd.DataFrame"
    documents: "pd.DataFrame"
    concepts: "pd.DataFrame"
    keyness: "pd.DataFrame"
    frames: "pd.DataFrame"
    themes: "pd.DataFrame"
    shifts: "pd.DataFrame"
    n_left_out: int = 0
    min_count: int = DEFAULT_MIN_COUNT
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def is_period(self) -> bool:
        return self.by in PERIODS

    @property
    def sequential(self) -> bool:
        """Whether the groups form a sequence (periods, or an explicit file order)."""
        return self.is_period or self.order == "file"

    def marking(self, group: str, kind: str = "concept", p: float = 0.05) -> "pd.DataFrame":
        """The items over-represented in ``group`` with ``p`` below the threshold and enough counts."""
        k = self.keyness
        return k[(k["group"] == group) & (k["kind"] == kind) & (k["direction"] == "over")
                 & (k["p"] < p) & k["enough"]].reset_index(drop=True)

    def held_back(self, p: float = 0.05) -> "pd.DataFrame":
        """The keyness rows over-represented in their group with ``p`` below the threshold but
        too few counts to claim (``enough`` is false): what :meth:`marking` leaves out."""
        k = self.keyness
        return k[(k["direction"] == "over") & (k["p"] < p) & ~k["enough"].astype(bool)].reset_index(drop=True)

    def concept_totals(self) -> "pd.DataFrame":
        """One row per concept of :attr:`concepts`, over every group: ``concept, label, count``
        (mentions in the essays placed in a group), ``n_docs``; most mentioned first (ties: by id)."""
        import pandas as pd

        c = self.concepts
        if c.empty:
            return pd.DataFrame(columns=CONCEPT_TOTAL_COLUMNS)
        out = c.groupby("concept").agg(label=("label", "first"), count=("count", "sum"), n_docs=("n_docs", "sum"))
        out = out.sort_values("count", ascending=False, kind="stable").reset_index()
        out["count"] = out["count"].astype(int)
        out["n_docs"] = out["n_docs"].astype(int)
        return out[CONCEPT_TOTAL_COLUMNS]

    def summary(self) -> str:
        """A few lines: the groups and their sizes, what was left out."""
        lines = [f"comparison by {self.by}: {len(self.documents)} essays in {len(self.groups)} groups"]
        if self.n_left_out:
            what = "without a date" if self.is_period else f"without a value for {self.by!r}"
            lines[0] += f" ({_plural(self.n_left_out, 'essay')} {what} left out)"
        for r in self.groups.itertuples(index=False):
            lines.append(f"  {r.group}: {_plural(r.n_docs, 'essay')}, {r.n_words:,} words, "
                         f"{_plural(r.n_mentions, 'concept mention')}, {_plural(r.n_contrasts, 'contrast frame')}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        left = f", {self.n_left_out} left out" if self.n_left_out else ""
        return (f"ComparisonResult(by={self.by!r}: {len(self.groups)} groups, {len(self.documents)} essays{left}; "
                f"{len(self.keyness)} keyness rows, {len(self.frames)} frame rows)")

    def _repr_html_(self) -> str:
        import html

        return (f"<p><strong>Comparison by {html.escape(self.by)}</strong>: {len(self.groups)} groups, "
                f"{len(self.documents)} essays" + (f", {self.n_left_out} left out" if self.n_left_out else "")
                + "</p>" + self.groups.to_html(index=False, max_rows=20))

    def write(self, out: Any, input_root: Any = None) -> list:
        """Write ``compare_<table>.csv`` for every table into ``out`` (never the input folder)."""
        from ._fileio import prepare_output_dir, write_table

        folder = prepare_output_dir(out, input_root)
        return [write_table(frame, folder / f"compare_{name}.csv") for name, frame in self.tables().items()]

    def tables(self) -> "dict[str, pd.DataFrame]":
        return {name: getattr(self, name) for name in SCHEMAS}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


# --- grouping -------------------------------------------------------------------------------


#: The group that pools groups with fewer than ``min_docs`` essays.
OTHER = "(other)"


def group_documents(documents: "pd.DataFrame", by: str, *, order: str = "date",
                    min_docs: int = 1) -> "tuple[pd.DataFrame, list[str], int]":
    """``(doc_id -> group table, groups in display order, essays left out)``.

    Periods come from ``date`` (``2023``, ``2023-Q2``, ``2023-04``) in date order. A metadata
    column's groups come in order of size (largest first), or with ``order="file"`` in the order
    of their first essay by file name. Groups of a metadata column with fewer than ``min_docs``
    essays are pooled into one group, ``"(other)"``, shown last (periods are never pooled: a
    time axis keeps every period).
    """
    import pandas as pd

    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    docs = documents
    by_key = str(by).strip()
    if by_key.lower() in PERIODS:
        by_key = by_key.lower()
        dates = pd.to_datetime(docs["date"], errors="coerce") if "date" in docs else pd.Series(pd.NaT, index=docs.index)
        known = dates.notna()
        if not known.any():
            raise GroupingError(f"cannot group by {by_key}: no essay has a date (give dates in metadata.csv "
                                f"or front matter)")
        d = dates[known]
        if by_key == "year":
            labels = d.dt.year.astype(int).astype(str)
        elif by_key == "quarter":
            labels = d.dt.year.astype(int).astype(str) + "-Q" + d.dt.quarter.astype(int).astype(str)
        else:
            labels = d.dt.strftime("%Y-%m")
        table = pd.DataFrame({"doc_id": docs.loc[known, "doc_id"].astype(str).to_numpy(),
                              "group": labels.to_numpy(), "_date": d.to_numpy(),
                              "_path": docs.loc[known, "path"].astype(str).to_numpy() if "path" in docs else ""})
        if order == "file":
            groups = list(dict.fromkeys(table.sort_values("_path", kind="stable")["group"]))
        else:
            groups = sorted(set(table["group"]))
    else:
        columns = [c for c in docs.columns if c not in ("doc_id", "path", "sha256")]
        if by_key not in docs.columns or by_key in ("doc_id", "path", "sha256"):
            raise GroupingError(f"no column {by_key!r} to group by; the essays have: {', '.join(columns)}, "
                                f"or a period from the date: {', '.join(PERIODS)}")
        values = docs[by_key].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                  else str(v).strip())
        known = values != ""
        if not known.any():
            raise GroupingError(f"cannot group by {by_key!r}: no essay has a value in that column")
        table = pd.DataFrame({"doc_id": docs.loc[known, "doc_id"].astype(str).to_numpy(),
                              "group": values[known].to_numpy(),
                              "_path": docs.loc[known, "path"].astype(str).to_numpy() if "path" in docs else ""})
        if order == "file":
            groups = list(dict.fromkeys(table.sort_values("_path", kind="stable")["group"]))
        else:
            sizes = table["group"].value_counts()
            groups = sorted(sizes.index, key=lambda g: (-sizes[g], g))
        if min_docs > 1:
            sizes = table["group"].value_counts()
            small = {g for g in groups if sizes[g] < min_docs}
            if small:
                table["group"] = table["group"].where(~table["group"].isin(small), OTHER)
                groups = [g for g in groups if g not in small] + [OTHER]
    if len(groups) < 2:
        only = groups[0] if groups else ""
        raise GroupingError(f"every essay with a value falls in one group ({by_key} = {only}): "
                            f"nothing to compare; choose another column or period")
    n_left_out = int((~known).sum())
    return table[["doc_id", "group"]].reset_index(drop=True), groups, n_left_out


# --- compare ------------------------------------------------------------------------------


def compare(result: Any, by: str = "site", *, order: str = "date", min_count: int = DEFAULT_MIN_COUNT,
            min_docs: int = 1, terms: bool = True, top_terms: int = DEFAULT_TOP_TERMS) -> ComparisonResult:
    """Compare groups of essays (a metadata column) or periods (``year``/``quarter``/``month``).

    Args:
        result: an :class:`~corpus_tools.pipeline.AnalysisResult` (``ct.analyze(...)``); a stage
            that did not run leaves its table empty.
        by: a column of ``result.corpus.documents`` (``site``, ``source``, ``author``, your own) or
            a period derived from ``date``.
        order: ``"date"`` (periods in date order; essays without a date left out) or ``"file"``
            (groups in the order of their first essay by file name, and treated as a sequence:
            consecutive-group shifts are computed for a metadata column too).
        min_count: counts below this are kept in the tables but flagged ``enough = False``, and
            no claim is made about them.
        min_docs: groups of a metadata column with fewer essays are pooled as ``"(other)"``.
        terms: also rank the words and two-word phrases that mark each group (a CountVectorizer
            over the paragraphs' cleaned text, English stop words removed).
        top_terms: over-represented terms kept per group.

    Raises:
        GroupingError: no such column, no essay with a value, or every essay in one group.

    Example::

        result = ct.analyze("tests/data/dev/essays")
        cmp = ct.compare(result, by="site")
        cmp.keyness.query("kind == 'concept' and p < 0.05")
    """
    import pandas as pd

    corpus = result.corpus
    docs = corpus.documents
    membership, groups, n_left_out = group_documents(docs, by, order=order, min_docs=min_docs)
    group_of = dict(zip(membership["doc_id"], membership["group"]))
    words = dict(zip(docs["doc_id"].astype(str), docs["n_words"].astype(int)))
    group_words = {g: 0 for g in groups}
    group_docs = {g: 0 for g in groups}
    for doc_id, g in group_of.items():
        group_words[g] += words.get(doc_id, 0)
        group_docs[g] += 1
    labels = _concept_labels(result)
    by_key = str(by).strip().lower() if str(by).strip().lower() in PERIODS else str(by).strip()

    mentions = _frame(result.concepts, "mentions", ["doc_id", "sent_id", "concept"])
    mentions = mentions.assign(group=mentions["doc_id"].astype(str).map(group_of)).dropna(subset=["group"])
    contrasts = _frame(result.framing, "contrasts", ["doc_id", "sent_id", "old_concept", "new_concept", "speaker"])
    contrasts = contrasts.assign(group=contrasts["doc_id"].astype(str).map(group_of)).dropna(subset=["group"])
    assignments = _frame(result.topics, "assignments", ["unit_id", "doc_id", "topic"])
    assignments = assignments.assign(group=assignments["doc_id"].astype(str).map(group_of)).dropna(subset=["group"])

    concepts = _concept_rates(mentions, groups, group_words, group_docs, labels, min_count)
    keyness = _keyness(mentions, groups, group_words, labels, min_count, kind="concept")
    if terms:
        term_counts = _term_counts(corpus, group_of)
        kt = _keyness(term_counts, groups, group_words, {}, min_count, kind="term", top=top_terms)
        keyness = pd.concat([keyness, kt], ignore_index=True) if len(kt) else keyness
    frames = _frames(contrasts, groups, min_count)
    themes = _themes(result.topics, assignments, groups, min_count)
    dates = pd.to_datetime(docs["date"], errors="coerce") if "date" in docs else pd.Series(pd.NaT, index=docs.index)
    date_of = dict(zip(docs["doc_id"].astype(str), dates))
    rows = []
    for i, g in enumerate(groups):
        members = [d for d, gg in group_of.items() if gg == g]
        known = [date_of[d] for d in members if pd.notna(date_of.get(d))]
        rows.append({"group": g, "position": i + 1, "n_docs": group_docs[g], "n_words": group_words[g],
                     "n_mentions": int((mentions["group"] == g).sum()),
                     "n_contrasts": int((contrasts["group"] == g).sum()),
                     "n_units": int((assignments["group"] == g).sum()),
                     "first_date": min(known) if known else pd.NaT, "last_date": max(known) if known else pd.NaT})
    groups_table = pd.DataFrame(rows, columns=SCHEMAS["groups"])
    cmp = ComparisonResult(by=by_key, order=order, groups=groups_table, documents=membership, concepts=concepts,
                           keyness=keyness, frames=frames, themes=themes,
                           shifts=pd.DataFrame(columns=SCHEMAS["shifts"]), n_left_out=n_left_out,
                           min_count=min_count, labels=labels)
    if cmp.sequential:
        orientation = _frame(result.framing, "orientation", ["doc_id", "concept", "temporal"])
        orientation = orientation.assign(group=orientation["doc_id"].astype(str).map(group_of)).dropna(subset=["group"])
        cmp.shifts = _period_shifts(concepts, orientation, contrasts, groups, labels, min_count)
    logger.info("compared %d essays in %d groups by %s (%d left out)", len(membership), len(groups), by_key, n_left_out)
    return cmp


def _frame(stage: Any, attr: str, columns: list[str]) -> "pd.DataFrame":
    """A stage table, or an empty one with ``columns`` when the stage did not run."""
    import pandas as pd

    value = getattr(stage, attr, None) if stage is not None else None
    if isinstance(value, pd.DataFrame):
        missing = [c for c in columns if c not in value.columns]
        if missing:
            raise KeyError(f"{type(stage).__name__}.{attr} lacks the column(s) {', '.join(missing)}")
        return value
    return pd.DataFrame(columns=columns)


def _concept_labels(result: Any) -> dict[str, str]:
    labels: dict[str, str] = {}
    lexicon = getattr(getattr(result, "concepts", None), "lexicon", None)
    lex = getattr(lexicon, "labels", None)
    if callable(lex):
        lex = lex()
    if isinstance(lex, dict):
        labels.update({str(k): str(v or k) for k, v in lex.items()})
    return labels


def _concept_rates(mentions, groups, group_words, group_docs, labels, min_count) -> "pd.DataFrame":
    import pandas as pd

    present = list(dict.fromkeys(str(c) for c in mentions["concept"]))
    counts = mentions.groupby(["group", "concept"]).size().to_dict() if len(mentions) else {}
    ndocs = mentions.groupby(["group", "concept"])["doc_id"].nunique().to_dict() if len(mentions) else {}
    order = [c for c in labels if c in present] + sorted(c for c in present if c not in labels)
    rows = []
    for g in groups:
        w, nd = group_words[g], group_docs[g]
        for c in order:
            k = int(counts.get((g, c), 0))
            n = int(ndocs.get((g, c), 0))
            low, high = poisson_interval(k, w / 1000.0)
            slow, shigh = wilson_interval(n, nd)
            rows.append({"group": g, "concept": c, "label": labels.get(c, c), "count": k, "n_docs": n,
                         "group_docs": nd, "words": w, "per_1k": 1000.0 * k / w if w else math.nan,
                         "per_1k_low": low, "per_1k_high": high, "share_docs": n / nd if nd else math.nan,
                         "share_docs_low": slow, "share_docs_high": shigh, "enough": k >= min_count})
    return pd.DataFrame(rows, columns=SCHEMAS["concepts"])


def _keyness(items, groups, group_words, labels, min_count, *, kind: str, top: int | None = None) -> "pd.DataFrame":
    """G2 of each item in each group against the rest. ``items`` has ``group, concept``
    (one row per occurrence) or ``group, item, count, n_docs`` (pre-counted terms)."""
    import pandas as pd

    if "count" in items.columns:
        counts = items.groupby(["group", "item"])["count"].sum().to_dict()
        ndocs = items.groupby(["group", "item"])["n_docs"].sum().to_dict()
        totals = items.groupby("item")["count"].sum().to_dict()
    else:
        counts = items.groupby(["group", "concept"]).size().to_dict() if len(items) else {}
        ndocs = items.groupby(["group", "concept"])["doc_id"].nunique().to_dict() if len(items) else {}
        totals = items.groupby("concept").size().to_dict() if len(items) else {}
    total_words = sum(group_words.values())
    order = [c for c in labels if c in totals] + sorted(c for c in totals if c not in labels)
    rows = []
    for g in groups:
        c = group_words[g]
        d = total_words - c
        group_rows = []
        for item in order:
            a = int(counts.get((g, item), 0))
            b = int(totals[item]) - a
            if kind == "term" and a < 2:
                continue
            g2 = log_likelihood(a, b, c, d)
            over = (a / c if c else 0.0) > (b / d if d else 0.0)
            group_rows.append({
                "group": g, "kind": kind, "item": item, "label": labels.get(item, item), "count": a,
                "count_rest": b, "words": c, "words_rest": d, "per_1k": 1000.0 * a / c if c else math.nan,
                "per_1k_rest": 1000.0 * b / d if d else math.nan, "g2": g2, "p": chi2_sf(g2),
                "log_ratio": log_ratio(a, b, c, d), "direction": "over" if over else "under",
                # A claim needs the group's own count (over) or its expected count (under) to be large enough.
                "n_docs": int(ndocs.get((g, item), 0)),
                "enough": a >= min_count if over else (c * (a + b) / (c + d) if c + d else 0.0) >= min_count,
            })
        if kind == "term":
            group_rows = [r for r in group_rows if r["direction"] == "over"]
        group_rows.sort(key=lambda r: (-r["g2"], r["item"]))
        if top is not None:
            group_rows = group_rows[:top]
        rows.extend(group_rows)
    return pd.DataFrame(rows, columns=SCHEMAS["keyness"])


def _term_counts(corpus: Any, group_of: dict[str, str]) -> "pd.DataFrame":
    """``group, item, count, n_docs``: word and two-word-phrase counts of each group's
    paragraphs (cleaned text), English stop words removed, terms in at least two essays."""
    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import CountVectorizer

    paras = corpus.paragraphs
    column = "clean_text" if "clean_text" in paras.columns else "text"
    keep = paras["doc_id"].astype(str).isin(group_of)
    paras = paras[keep]
    if paras.empty:
        return pd.DataFrame(columns=["group", "item", "count", "n_docs"])
    per_doc = paras.groupby("doc_id", sort=False)[column].apply(lambda s: "\n".join(map(str, s)))
    # Hyphenated words stay whole ("e-commerce", "b-end"), as in the theme terms.
    vectorizer = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=2,
                                 token_pattern=r"(?u)\b[a-zA-Z](?:[a-zA-Z0-9]*(?:-[a-zA-Z0-9]+)+|[a-zA-Z0-9]+)\b")
    try:
        matrix = vectorizer.fit_transform(per_doc.tolist())
    except ValueError:  # no term in two essays
        return pd.DataFrame(columns=["group", "item", "count", "n_docs"])
    vocab = vectorizer.get_feature_names_out()
    doc_groups = np.asarray([group_of[str(d)] for d in per_doc.index])
    rows = []
    for g in dict.fromkeys(doc_groups):
        sub = matrix[doc_groups == g]
        counts = np.asarray(sub.sum(axis=0)).ravel()
        ndocs = np.asarray((sub > 0).sum(axis=0)).ravel()
        for j in np.flatnonzero(counts):
            rows.append((g, str(vocab[j]), int(counts[j]), int(ndocs[j])))
    return pd.DataFrame(rows, columns=["group", "item", "count", "n_docs"])


def _frames(contrasts, groups, min_count) -> "pd.DataFrame":
    import pandas as pd

    rows = []
    heads = "old_head" in contrasts.columns and "new_head" in contrasts.columns
    for g in groups:
        sub = contrasts[contrasts["group"] == g]
        n = len(sub)
        levels = [("concept", "old_concept", "new_concept")] + ([("head", "old_head", "new_head")] if heads else [])
        for level, old_col, new_col in levels:
            old = sub[old_col].fillna("").astype(str)
            new = sub[new_col].fillna("").astype(str)
            named = (old != "") | (new != "")
            part = sub[named].assign(_old=old[named], _new=new[named])
            for (o, nw), rows_ in part.groupby(["_old", "_new"], sort=False):
                rows.append({"group": g, "level": level, "old": o, "new": nw, "count": len(rows_),
                             "n_docs": int(rows_["doc_id"].nunique()),
                             "n_author": int((rows_["speaker"].astype(str) != "others").sum()),
                             "share": len(rows_) / n if n else math.nan, "enough": len(rows_) >= min_count,
                             "example_sent_id": str(rows_["sent_id"].iloc[0])})
    out = pd.DataFrame(rows, columns=SCHEMAS["frames"])
    if len(out):
        rank = {g: i for i, g in enumerate(groups)}
        out = out.assign(_g=out["group"].map(rank), _l=(out["level"] != "concept").astype(int)) \
            .sort_values(["_g", "_l", "count", "old", "new"], ascending=[True, True, False, True, True],
                         kind="stable").drop(columns=["_g", "_l"]).reset_index(drop=True)
    return out


def _themes(topics, assignments, groups, min_count) -> "pd.DataFrame":
    import pandas as pd

    table = getattr(topics, "topics", None) if topics is not None else None
    label_of = dict(zip(table["topic"], table["label"])) if isinstance(table, pd.DataFrame) and "label" in table else {}
    topic_ids = sorted(set(assignments["topic"].tolist()) | set(label_of), key=lambda t: (t == -1, t))
    rows = []
    for g in groups:
        sub = assignments[assignments["group"] == g]
        n = len(sub)
        counts = sub["topic"].value_counts().to_dict()
        for t in topic_ids:
            k = int(counts.get(t, 0))
            low, high = wilson_interval(k, n)
            rows.append({"group": g, "topic": int(t), "label": "outliers" if t == -1 else str(label_of.get(t, t)),
                         "n_units": k, "group_units": n, "share": k / n if n else math.nan,
                         "share_low": low, "share_high": high, "enough": k >= min_count})
    return pd.DataFrame(rows, columns=SCHEMAS["themes"])


def _sides(contrasts, concept: str, side: str) -> "pd.Series":
    ids = contrasts[f"{side}_concept"].fillna("").astype(str).str.split(r"\s*;\s*", regex=True)
    return ids.map(lambda parts: concept in parts)


def _period_shifts(concepts, orientation, contrasts, groups, labels, min_count) -> "pd.DataFrame":
    """Per concept, what moves between each pair of consecutive groups."""
    import pandas as pd

    rates = {(r.group, r.concept): r for r in concepts.itertuples(index=False)}
    temporal = {}
    if len(orientation):
        o = orientation.assign(_old=orientation["temporal"].astype(str) == "old",
                               _new=orientation["temporal"].astype(str) == "new")
        for (g, c), sub in o.groupby(["group", "concept"]):
            temporal[(g, str(c))] = (len(sub), float(sub["_old"].mean()), float(sub["_new"].mean()))
    rows = []
    for concept in dict.fromkeys(concepts["concept"]):
        old_side = _sides(contrasts, concept, "old") if len(contrasts) else pd.Series(dtype=bool)
        new_side = _sides(contrasts, concept, "new") if len(contrasts) else pd.Series(dtype=bool)
        for g1, g2 in zip(groups, groups[1:]):
            r1, r2 = rates[(g1, concept)], rates[(g2, concept)]
            if r1.count == 0 and r2.count == 0:
                continue
            stat = log_likelihood(r2.count, r1.count, r2.words, r1.words)
            t1 = temporal.get((g1, concept), (0, math.nan, math.nan))
            t2 = temporal.get((g2, concept), (0, math.nan, math.nan))
            in1 = contrasts["group"] == g1 if len(contrasts) else pd.Series(dtype=bool)
            in2 = contrasts["group"] == g2 if len(contrasts) else pd.Series(dtype=bool)
            os1, os2 = int((old_side & in1).sum()) if len(contrasts) else 0, int((old_side & in2).sum()) if len(contrasts) else 0
            ns1, ns2 = int((new_side & in1).sum()) if len(contrasts) else 0, int((new_side & in2).sum()) if len(contrasts) else 0
            evidence = contrasts.loc[(old_side | new_side) & in2, "sent_id"].astype(str).head(3).tolist() \
                if len(contrasts) else []
            rows.append({
                "concept": concept, "label": labels.get(concept, concept), "from_group": g1, "to_group": g2,
                "count_from": int(r1.count), "count_to": int(r2.count), "per_1k_from": r1.per_1k, "per_1k_to": r2.per_1k,
                "g2": stat, "p": chi2_sf(stat), "share_old_from": t1[1], "share_old_to": t2[1],
                "share_new_from": t1[2], "share_new_to": t2[2], "old_side_from": os1, "old_side_to": os2,
                "new_side_from": ns1, "new_side_to": ns2,
                "change": _describe_shift(r1, r2, stat, t1, t2, os1, os2, ns1, ns2, min_count,
                                          int(in1.sum()) if len(contrasts) else 0,
                                          int(in2.sum()) if len(contrasts) else 0),
                "evidence": "; ".join(evidence),
            })
    return pd.DataFrame(rows, columns=SCHEMAS["shifts"])


def _describe_shift(r1, r2, stat, t1, t2, os1, os2, ns1, ns2, min_count, nc1: int = 0, nc2: int = 0) -> str:
    """Plain words for what moved between two periods; only changes that pass G2 at p < 0.05 and
    rest on at least ``min_count`` observations are said, always with their counts."""
    parts = []
    if r1.count + r2.count >= min_count and chi2_sf(stat) < 0.05:
        way = "more" if r2.per_1k > r1.per_1k else "less"
        parts.append(f"mentioned {way} often ({r1.per_1k:.1f} → {r2.per_1k:.1f} per 1k words, "
                     f"{r1.count} → {r2.count} mentions)")
    n1, n2 = t1[0], t2[0]
    if n1 >= min_count and n2 >= min_count:
        for i, word in ((1, "as the past"), (2, "as present or future")):
            a, b = t1[i], t2[i]
            k1, k2 = round(a * n1), round(b * n2)
            if abs(b - a) >= 0.2 and chi2_sf(log_likelihood(k2, k1, n2, n1)) < 0.05:
                parts.append(f"framed {word} in {a:.0%} → {b:.0%} of mentions ({k1} of {n1} → {k2} of {n2})")
    for k1, k2, word in ((os1, os2, "on the old side (rejected)"), (ns1, ns2, "on the new side (endorsed)")):
        # Against the period's contrast frames, so a period with more frames is not "more" by size alone.
        if k1 + k2 >= min_count and nc1 and nc2 and chi2_sf(log_likelihood(k2, k1, nc2, nc1)) < 0.05:
            way = "more" if k2 / nc2 > k1 / nc1 else "less"
            parts.append(f"{way} often {word}: {k1} of {nc1} → {k2} of {nc2} contrast frames")
    return "; ".join(parts)


__all__ = ["ComparisonResult", "DEFAULT_MIN_COUNT", "GroupingError", "OTHER", "PERIODS", "SCHEMAS", "chi2_sf", "compare",
           "group_documents", "log_likelihood", "log_ratio", "poisson_interval", "wilson_interval"]
