"""The view model both reports render: plain dicts and lists built from the stage results.

The stage results are read through the contract of :mod:`corpus_tools.schemas`: a stage may be
missing (it failed or was skipped: ``None``), but a stage that ran must carry every table and
column listed there, or :func:`build_context` raises :class:`~corpus_tools.errors.SchemaError`.
This module picks, orders and formats rows; the numbers come from the stages: what is counted,
summed or pivoted is a table or method of the stage result that owns it (``concepts.ranked()``,
``concepts.table()``, ``framing.reframings()``, ``framing.profile_table()``,
``comparison.concept_totals()``, ...), declared in the contract.
"""
from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from ..schemas import ORIENTATION_SERIES, check_result, schema
from .tables import safe_name

#: Longest quote shown in a table cell before it is shortened (the full text is in tables/).
QUOTE_CHARS = 320
_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def anchor(kind: str, ident: Any) -> str:
    """An HTML id for a document, paragraph or sentence: ASCII only, reversible, collision-free."""
    text = _ANCHOR_UNSAFE.sub(lambda m: f".{ord(m.group()):x}.", str(ident))
    return f"{kind}-{text}"


def frame(obj: Any, attr: str) -> pd.DataFrame | None:
    """A stage table, ``None`` when the stage did not run. Only tables of the contract are read."""
    if obj is None:
        return None
    value = getattr(obj, attr, None)
    return value if isinstance(value, pd.DataFrame) else None


def table(result: Any, stage: str, name: str, tables: dict[str, Any] | None = None) -> pd.DataFrame | None:
    """``result.<stage>.<name>`` as the contract describes it (checked by :func:`check_result`;
    a method is called), ``None`` when the stage did not run. ``tables``: what
    :func:`check_result` returned, so a method's table is computed once."""
    spec = schema(stage, name)  # a table outside the contract is a bug here, not a missing section
    if tables is not None and spec.key in tables:
        return tables[spec.key]
    holder = getattr(result, stage, None)
    if holder is None:
        return None
    value = spec.read(holder)
    return value if isinstance(value, pd.DataFrame) else None


def text(value: Any) -> str:
    """A cell as display text: missing values become ``""``; lists are joined."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (list, tuple, set)):
        return "; ".join(text(v) for v in value)
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0:
        return "; ".join(text(v) for v in value.tolist())
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def shorten(value: Any, limit: int = QUOTE_CHARS) -> str:
    s = " ".join(text(value).split())
    if len(s) <= limit:
        return s
    cut = s[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def number(value: Any, default: float = 0.0) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(f) else f


#: Rows of each long list (contrast frames, shifts, essay summaries) the report shows by default;
#: every row is always in tables/. Keeps a 5,000-essay report a page a browser can open.
MAX_ROWS = 400
#: Essays whose full text the report includes by default: those its quotes link to, most cited first.
MAX_ESSAYS = 150


def build_context(result: Any, *, max_rows: int | None = MAX_ROWS, max_essays: int | None = MAX_ESSAYS) -> dict[str, Any]:
    """Everything the templates show, from an AnalysisResult-like object.

    Args:
        result: an :class:`~corpus_tools.pipeline.AnalysisResult` (or an object with the same
            attributes).
        max_rows: at most this many contrast frames, shifts and essay summaries are shown
            (``None``: all). When there are more, reframings between two concepts and shifts the
            describer found notable come first; the counts of all are in the context.
        max_essays: at most this many essays are reproduced in full (``None``: all): the ones
            the shown quotes link to, most cited first. Links into essays left out are dropped.
    """
    tables = check_result(result)
    corpus = result.corpus
    docs = _documents(corpus)
    label_of = {d["doc_id"]: d["label"] for d in docs}
    ctx: dict[str, Any] = {
        "title": _title(corpus),
        "params": dict(getattr(result, "params", {}) or {}),
        "versions": dict(getattr(result, "versions", {}) or {}),
        "documents": docs,
        "doc_label": label_of,
        "totals": {
            "documents": len(docs),
            "words": int(sum(d["words"] for d in docs)),
            "paragraphs": int(sum(d["paragraphs"] for d in docs)),
            "sentences": int(sum(d["sentences"] for d in docs)),
        },
        "skipped": _records(table(result, "corpus", "skipped", tables), ["path", "reason"]),
        "removed": [
            {**r, "text": shorten(r.get("text", ""), 160), "doc_label": label_of.get(r.get("doc_id"), r.get("doc_id"))}
            for r in _records(table(result, "corpus", "removed", tables), ["doc_id", "start", "end", "reason", "text"])
        ],
        "warnings": list(getattr(result, "warnings", []) or []),
        "stage_status": dict(getattr(result, "stage_status", {}) or {}),
        "timings": dict(getattr(result, "timings", {}) or {}),
    }
    ctx["run_params"] = _run_params(ctx["params"])
    ctx["concept_label"] = _concept_labels(getattr(result, "concepts", None))
    ctx["concepts"] = _concepts(result, tables, docs, ctx["concept_label"])
    ctx["themes"] = _themes(result, tables, docs)
    ctx["framing"] = _framing(result, tables, docs, ctx["concept_label"], max_rows)
    ctx["groups"] = _groups(result, tables, ctx["concept_label"], corpus)
    ctx["highlights"] = _highlights(ctx, result, tables)
    shown = {d["doc_id"] for d in docs}
    if max_essays is not None and len(docs) > max_essays:
        where = _anchor_docs(corpus)
        shown = _most_cited(ctx, where, docs, max_essays)
        _drop_links_outside(ctx, shown, where)
    ctx["essays"] = _essays(corpus, [d for d in docs if d["doc_id"] in shown])
    ctx["n_essays_shown"] = len(ctx["essays"])
    return ctx


def _walk_links(node: Any):
    """Every dict in the context that carries a quote link (``href``) or an essay ``anchor``."""
    if isinstance(node, dict):
        if "href" in node or "anchor" in node:
            yield node
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _walk_links(value)
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, (dict, list)):
                yield from _walk_links(value)


def _anchor_docs(corpus: Any) -> dict[str, str]:
    """``{"#s-<sent_id>" / "#p-<para_id>" / "#doc-<doc_id>": doc_id}`` for every sentence,
    paragraph and essay."""
    out = {}
    for sid, doc_id in zip(corpus.sentences["sent_id"].tolist(), corpus.sentences["doc_id"].tolist()):
        out["#" + anchor("s", sid)] = doc_id
    for pid, doc_id in zip(corpus.paragraphs["para_id"].tolist(), corpus.paragraphs["doc_id"].tolist()):
        out["#" + anchor("p", pid)] = doc_id
    for doc_id in corpus.documents["doc_id"].tolist():
        out["#" + anchor("doc", doc_id)] = doc_id
    return out


def _most_cited(ctx: dict[str, Any], where: dict[str, str], docs: list[dict], n: int) -> set[str]:
    """The ``n`` essays the context's quote links point into most often (ties: corpus order)."""
    cited: dict[str, int] = {}
    for node in _walk_links(ctx):
        doc_id = where.get(node.get("href") or "")
        if doc_id is not None:
            cited[doc_id] = cited.get(doc_id, 0) + 1
    order = {d["doc_id"]: i for i, d in enumerate(docs)}
    ranked = sorted(cited, key=lambda d: (-cited[d], order.get(d, 10**9)))
    return set(ranked[:n])


def _drop_links_outside(ctx: dict[str, Any], shown: set[str], where: dict[str, str]) -> None:
    """Quotes and essay links that point into an essay the report leaves out link nowhere."""
    for node in _walk_links(ctx):
        href = node.get("href")
        if href in where and where[href] not in shown:
            node["href"] = ""
        if "anchor" in node and node.get("doc_id") is not None and node["doc_id"] not in shown:
            node["anchor"] = ""


def _highlights(ctx: dict[str, Any], result: Any, tables: dict[str, Any]) -> list[str]:
    """A few plain sentences for the top of the report, each backed by a section below."""
    out: list[str] = []
    concepts = ctx.get("concepts")
    if concepts and concepts.get("rows"):
        top = ", ".join(f"{r['concept']} ({r['mentions']})" for r in concepts["rows"][:5])
        out.append(f"Most mentioned concepts: {top}.")
    themes = ctx.get("themes")
    if themes and themes.get("themes"):
        real = [t for t in themes["themes"] if not t["is_outlier"]]
        if real:
            listed = "; ".join(f"{t['label']} ({t['size']} units, {t['share']:.0%})" for t in real[:5])
            out.append(f"{len(real)} themes: {listed}.")
    framing = ctx.get("framing")
    if framing and framing.get("contrasts"):
        label = ctx.get("concept_label") or {}
        # Every frame (not only the rows shown), counted by the framing stage; the authors' own voice.
        reframings = table(result, "framing", "reframings", tables)
        own = reframings[(reframings["n_author"] > 0) & (reframings["new"].astype(str) != "")]
        pairs = {(label.get(r["old"], r["old"]), label.get(r["new"], r["new"])): int(r["n_author"])
                 for r in own[own["level"] == "concept"].to_dict("records")}
        # "Commonest" needs a pair seen at least twice; pairs seen once are counted, not listed.
        repeated = {k: n for k, n in pairs.items() if n >= 2}
        once = len(pairs) - len(repeated)
        rest = f"; {once} more pair{'' if once == 1 else 's'} seen once each" if once else ""
        if repeated:
            ranked = sorted(repeated.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
            listed = "; ".join(f"{a} → {b} ({n})" for (a, b), n in ranked)
            out.append(f"Commonest reframings (old → new, in the authors' own voice): {listed}{rest}.")
        elif pairs:
            out.append(f"No reframing between two concepts recurs ({once} seen once each).")
        else:
            n = framing["n_contrasts"]
            out.append(f"{n} contrast frame{'' if n == 1 else 's'}, none between two lexicon concepts.")
        # Frames naming no lexicon concept are counted by the head terms of their sides.
        heads = sorted(((r["old"], r["new"]), int(r["n_author"])) for r in own[own["level"] == "head"].to_dict("records"))
        heads.sort(key=lambda kv: (-kv[1], kv[0]))
        if heads:
            listed = "; ".join(f"{a} → {b} ({n})" for (a, b), n in heads[:5])
            out.append(f"Commonest reframings by head term (sides naming no lexicon concept): {listed}.")
    return out


_PARAM_WORDS = {"input": "input folder", "out": "output folder", "lexicon": "lexicon", "seed": "random seed",
                "unit": "theme unit", "n_topics": "number of themes", "guided": "themes guided by the lexicon",
                "formats": "outputs", "cache_dir": "cache folder", "by": "groups compared by",
                "order": "order of periods", "frames": "frame grammar",
                "discourse": "two-sentence frames"}


def _run_params(params: dict[str, Any]) -> list[dict[str, str]]:
    """The run's parameters as words, not Python values (lists joined, None/False spelled out)."""
    out = []
    for key, value in params.items():
        if key == "by" and value is None:
            continue
        if key == "order" and params.get("by") is None:
            continue
        if value is None or value == "":
            shown = {"cache_dir": "default (~/.cache/corpus_tools)", "out": "none"}.get(key, "none")
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, (list, tuple)):
            shown = ", ".join(text(v) for v in value)
        elif key == "lexicon" and value == "builtin":
            shown = "built-in retail lexicon"
        elif key == "frames" and value == "builtin":
            shown = "built-in frame grammar"
        elif key == "discourse" and value in ("builtin", "off"):
            shown = "built-in discourse frames" if value == "builtin" else "off (single sentences only)"
        else:
            shown = text(value)
        out.append({"name": _PARAM_WORDS.get(key, key.replace("_", " ")), "value": shown})
    return out


def _title(corpus: Any) -> str:
    root = getattr(corpus, "root", None)
    return f"Corpus report: {root.name}" if root is not None and getattr(root, "name", "") else "Corpus report"


def _documents(corpus: Any) -> list[dict]:
    from .._plain import doc_titles

    out = []
    documents = corpus.documents
    names = doc_titles(corpus)  # an untitled essay is named by its first words, not its hash
    for i, row in enumerate(documents.to_dict("records")):
        doc_id = str(row["doc_id"])
        title = text(row.get("title"))
        date = row.get("date")
        date_s = "" if date is None or pd.isna(date) else pd.Timestamp(date).strftime("%Y-%m-%d")
        display = title or names.get(doc_id, doc_id)
        short = shorten(display, 38)
        out.append({
            "doc_id": doc_id,
            "order": i + 1,
            "title": title,
            "display": display,
            "untitled": not title,
            "date": date_s,
            "source": text(row.get("source")),
            "source_short": _short_source(text(row.get("source"))),
            "words": int(number(row.get("n_words"))),
            "paragraphs": int(number(row.get("n_paragraphs"))),
            "sentences": int(number(row.get("n_sentences"))),
            "removed": int(number(row.get("n_removed"))),
            "label": f"{i + 1}. {short}",
            "anchor": anchor("doc", doc_id),
        })
    return out


def _short_source(source: str) -> str:
    """The host of a URL source (the full URL stays in tables/documents.csv)."""
    from urllib.parse import urlsplit

    if "://" in source:
        host = urlsplit(source).netloc
        if host:
            return host.removeprefix("www.")
    return shorten(source, 40)


def _records(df: pd.DataFrame | None, columns: list[str]) -> list[dict]:
    if df is None or df.empty:
        return []
    cols = [c for c in columns if c in df.columns]
    return [{k: text(v) if k != "start" and k != "end" else v for k, v in r.items()} for r in df[cols].to_dict("records")]


# --- concepts -----------------------------------------------------------------------------


def _concept_labels(concepts: Any) -> dict[str, str]:
    """concept id -> display label (``deep_water`` -> ``Deep water``) where the stage gives one."""
    labels: dict[str, str] = {}
    lexicon = getattr(concepts, "lexicon", None)
    lex_labels = getattr(lexicon, "labels", None)
    if isinstance(lex_labels, dict):
        labels.update({str(k): text(v) for k, v in lex_labels.items() if text(v)})
    by_doc = frame(concepts, "by_document")
    if by_doc is not None:
        for cid, label in zip(by_doc["concept"], by_doc["label"]):
            if text(label):
                labels.setdefault(str(cid), text(label))
    return labels


def _concepts(result: Any, tables: dict[str, Any], docs: list[dict], label_of: dict[str, str]) -> dict[str, Any] | None:
    concepts = getattr(result, "concepts", None)
    if concepts is None:
        return None
    mentions = table(result, "concepts", "mentions", tables)
    # The stage ranks the concepts mentioned (those never mentioned stay in tables/ only).
    ranked = table(result, "concepts", "ranked", tables)
    n_lexicon = int(table(result, "concepts", "table", tables).shape[1])
    doc_ids = [d["doc_id"] for d in docs]
    label_of_doc = {d["doc_id"]: d["label"] for d in docs}
    order = ranked["concept"].tolist()
    rows = []
    for r in ranked.to_dict("records"):
        rows.append({
            "concept": label_of.get(str(r["concept"]), text(r["concept"])),
            "concept_id": text(r["concept"]),
            "mentions": int(r["count"]),
            "documents": int(r["n_docs"]),
            "per_1k_words": number(r["per_1k_words"]),
            "peak_doc": text(r["peak_doc_id"]),
            "peak_label": label_of_doc.get(r["peak_doc_id"], text(r["peak_doc_id"])),
            "peak_per_1k": number(r["peak_per_1k_words"]),
            "peak_count": int(number(r["peak_count"])),
            "variants": text(r["forms"]),
        })
    # The essay x concept tables of the stage, in the report's essay and concept order.
    rates = concepts.table("per_1k_words").reindex(index=doc_ids, columns=order)
    counts = concepts.table("count").reindex(index=doc_ids, columns=order)
    matrix = [[number(v) for v in row] for row in rates.to_numpy().tolist()]
    count_matrix = [[int(number(v)) for v in row] for row in counts.to_numpy().tolist()]
    suggestions = []
    sug = table(result, "concepts", "suggestions", tables)
    if len(sug):
        for r in sug.head(15).to_dict("records"):
            suggestions.append({
                "term": text(r.get("term")), "score": number(r.get("score"), float("nan")),
                "n_docs": text(r.get("n_docs")), "variants": shorten(r.get("variants"), 80),
                "example": shorten(r.get("example"), 200),
            })
    lexicon = getattr(concepts, "lexicon", None)
    core = [label_of.get(str(c), text(c)) for c in (getattr(lexicon, "core", None) or []) if c in set(order)]
    return {
        "rows": rows,
        "n_lexicon": n_lexicon,
        "n_unmentioned": n_lexicon - len(order),
        "core": core,
        "concept_names": [label_of.get(str(c), text(c)) for c in order],
        "matrix": matrix,
        "count_matrix": count_matrix,
        "suggestions": suggestions,
        "n_mentions": int(len(mentions)),
        "trajectories": _trajectories([label_of.get(str(c), text(c)) for c in order], doc_ids, matrix,
                                      count_matrix, docs),
    }


def _trajectories(order, doc_ids, matrix, count_matrix, docs) -> list[dict]:
    """Per concept, its rate in each essay along corpus order, as readable steps."""
    out = []
    for j, concept in enumerate(order):
        steps = [{"doc_id": d, "label": docs[i]["label"], "per_1k": matrix[i][j], "count": count_matrix[i][j]}
                 for i, d in enumerate(doc_ids)]
        out.append({"concept": text(concept), "steps": steps})
    return out


# --- themes -------------------------------------------------------------------------------


def _themes(result: Any, tables: dict[str, Any], docs: list[dict]) -> dict[str, Any] | None:
    topics = getattr(result, "topics", None)
    if topics is None:
        return None
    corpus = result.corpus
    topic_table = table(result, "topics", "topics", tables)
    assignments = table(result, "topics", "assignments", tables)
    metrics = getattr(topics, "metrics", None) or {}
    unit_text = _unit_text(corpus)
    unit_kind = {}
    for pid in corpus.paragraphs["para_id"]:
        unit_kind[pid] = "p"
    for sid in corpus.sentences["sent_id"]:
        unit_kind[sid] = "s"
    reps = table(result, "topics", "representatives", tables)
    themes = []
    n_units = len(assignments)
    for r in topic_table.to_dict("records"):
        topic = r.get("topic")
        size = int(number(r.get("size")))
        quotes = _theme_quotes(topic, reps, unit_text, unit_kind)
        themes.append({
            "topic": text(topic),
            "is_outlier": number(topic, 0) == -1,
            "label": text(r.get("label")) or f"theme {text(topic)}",
            "size": size,
            "share": number(r.get("share")),
            "top_terms": shorten(r.get("top_terms"), 160),
            "quotes": quotes,
        })
    themes.sort(key=lambda t: (t["is_outlier"], -t["size"], t["topic"]))
    share = _doc_theme_share(table(result, "topics", "doc_topics", tables), docs, themes)
    return {
        "themes": themes,
        "metrics": {k: _metric(metrics[k]) for k in _SHOWN_METRICS if isinstance(metrics, dict) and k in metrics},
        "measures": [{"name": _METRIC_WORDS[k], "value": _metric_plain(k, metrics[k])}
                     for k in _SHOWN_METRICS if isinstance(metrics, dict) and k in metrics],
        "n_units": n_units,
        "share": share,
    }


#: Theme-model measures worth a reader's attention; all of them are in tables/topic_metrics.csv.
_SHOWN_METRICS = ("n_topics", "outlier_share", "npmi", "diversity", "silhouette", "largest_share")


#: The theme-model measures in plain words (the glossary at the end of the report explains them).
_METRIC_WORDS = {
    "n_topics": "themes", "outlier_share": "units in no theme", "npmi": "how often top terms occur together (NPMI)",
    "diversity": "distinct top terms (diversity)", "silhouette": "separation of the themes (silhouette)",
    "largest_share": "largest theme",
}


def _metric_plain(key: str, value: Any) -> str:
    if key in ("outlier_share", "largest_share", "diversity"):
        return f"{number(value):.0%}"
    if key in ("npmi", "silhouette"):
        return f"{number(value):+.2f}"
    return _metric(value)


def _metric(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return text(value)


def _unit_text(corpus: Any) -> dict[str, tuple[str, str]]:
    out = {}
    for r in corpus.paragraphs[["para_id", "doc_id", "text"]].itertuples(index=False):
        out[r.para_id] = (r.doc_id, r.text)
    for r in corpus.sentences[["sent_id", "doc_id", "text"]].itertuples(index=False):
        out[r.sent_id] = (r.doc_id, r.text)
    return out


def _theme_quotes(topic, reps: pd.DataFrame, unit_text, unit_kind, n: int = 2) -> list[dict]:
    """Example quotes for a theme: the stage's representatives, best first. Each links to the
    unit on the page, or to its essay when the unit is not one paragraph or sentence."""
    quotes: list[dict] = []
    sub = reps[reps["topic"] == topic].sort_values("rank", kind="stable")
    for r in sub.head(n).to_dict("records"):
        uid = text(r["unit_id"])
        doc_id = text(r["doc_id"])
        body = text(r["text"])
        if not body:
            continue
        href = ("#" + anchor(unit_kind.get(uid, "p"), uid) if uid in unit_text
                else "#" + anchor("doc", doc_id) if doc_id else "")
        quotes.append({"doc_id": doc_id, "unit_id": uid, "text": shorten(body), "href": href})
    return quotes


def _doc_theme_share(doc_topics: pd.DataFrame, docs, themes) -> dict[str, Any]:
    """Share of each essay's units in each theme (rows: essays in corpus order), from ``doc_topics``."""
    doc_ids = [d["doc_id"] for d in docs]
    labels = [t["label"] for t in themes]
    keys = [t["topic"] for t in themes]
    row_of = {d: i for i, d in enumerate(doc_ids)}
    col_of = {k: j for j, k in enumerate(keys)}
    values = [[0.0] * len(keys) for _ in doc_ids]
    for d, t, s in zip(doc_topics["doc_id"].astype(str), doc_topics["topic"], doc_topics["share"]):
        if d in row_of and text(t) in col_of:
            values[row_of[d]][col_of[text(t)]] = number(s)
    return {"labels": labels, "topics": keys, "values": values}


# --- framing ------------------------------------------------------------------------------

_CONTRAST_SHOWN = ["old", "new", "cue", "old_concept", "new_concept", "speaker"]


def _framing(result: Any, tables: dict[str, Any], docs: list[dict], concept_label: dict[str, str],
             max_rows: int | None = None) -> dict[str, Any] | None:
    framing = getattr(result, "framing", None)
    if framing is None:
        return None
    label_of = {d["doc_id"]: d["label"] for d in docs}
    order = {d["doc_id"]: i for i, d in enumerate(docs)}
    sent_text = {}
    sent_start = {}
    corpus = result.corpus
    for r in corpus.sentences[["sent_id", "text", "start"]].itertuples(index=False):
        sent_text[r.sent_id] = r.text
        sent_start[r.sent_id] = int(r.start)
    contrasts = []
    cdf = table(result, "framing", "contrasts", tables)
    n_contrasts = len(cdf)
    if max_rows is not None and len(cdf) > max_rows:
        # Reframings between two different concepts, in the authors' own voice, first.
        notable = (cdf["old_concept"].fillna("").astype(str) != "") & (cdf["new_concept"].fillna("").astype(str) != "") \
            & (cdf["old_concept"].astype(str) != cdf["new_concept"].astype(str)) & (cdf["speaker"].astype(str) != "others")
        rank = cdf["doc_id"].map(order).fillna(10**9)
        cdf = cdf.assign(_p=(~notable).astype(int), _r=rank).sort_values(["_p", "_r"], kind="stable") \
            .head(max_rows).drop(columns=["_p", "_r"])
    if len(cdf):
        records = cdf.to_dict("records")
        records.sort(key=lambda r: (order.get(r.get("doc_id"), 10**9), text(r.get("sent_id"))))
        for r in records:
            sid = text(r.get("sent_id"))
            quote = sent_text.get(sid) or text(r.get("sentence"))
            start = sent_start.get(sid)
            first = text(r.get("first_sent_id")) or sid
            if first != sid and first in sent_start and sid in sent_text:
                # a frame read across two sentences quotes both (its sides may lie in either)
                start, quote = sent_start[first], text(r.get("sentence"))
            row = {k: text(r.get(k)) for k in _CONTRAST_SHOWN}
            for k in ("old_concept", "new_concept"):
                # A side may name several concepts, "; "-joined.
                row[k] = "; ".join(_labelled(row[k], concept_label))
            row["concepts"] = f"{row['old_concept'] or '(no concept)'} → {row['new_concept'] or '(no concept)'}"
            row["speaker"] = "the author" if row["speaker"] == "author" else "others (reported)" \
                if row["speaker"] == "others" else row["speaker"]
            row.update({
                "doc_id": text(r.get("doc_id")),
                "doc_label": label_of.get(r.get("doc_id"), text(r.get("doc_id"))),
                "sent_id": sid,
                "sentence": shorten(quote, 400),
                "segments": _marked(quote, start, r) if sid in sent_text else [],
                "href": "#" + anchor("s", sid) if sid in sent_text else "",
            })
            contrasts.append(row)
    shifts = []
    sdf = table(result, "framing", "shifts", tables)
    n_shifts = len(sdf)
    if max_rows is not None and len(sdf) > max_rows:
        # Shifts the describer found notable (a non-empty "change"), largest context change first;
        # shown in the table's own order.
        noted = sdf["change"].fillna("").astype(str).str.len().gt(0)
        keep = sdf.assign(_n=(~noted).astype(int), _d=-sdf["drift"].fillna(0.0)) \
            .sort_values(["_n", "_d"], kind="stable").head(max_rows).index
        sdf = sdf.loc[sorted(keep)]
    if len(sdf):
        for r in sdf.to_dict("records"):
            concept = text(r.get("concept"))
            details = text(r.get("change"))
            shifts.append({
                "concept": text(r.get("label")) or concept_label.get(concept, concept),
                "from_doc": text(r.get("from_doc")),
                "to_doc": text(r.get("to_doc")),
                "from_label": label_of.get(r.get("from_doc"), text(r.get("from_doc"))),
                "to_label": label_of.get(r.get("to_doc"), text(r.get("to_doc"))),
                "details": details,
                "evidence": evidence_quotes(r, sent_text),
            })
    summaries = {"concept": [], "document": [], "other": []}
    sm = table(result, "framing", "summaries", tables)
    n_document_summaries = 0
    if len(sm):
        is_doc = sm["scope"].astype(str) == "document"
        n_document_summaries = int(is_doc.sum())
        if max_rows is not None:
            sm = pd.concat([sm[~is_doc], sm[is_doc].head(max_rows)])
    if len(sm):
        for r in sm.to_dict("records"):
            scope = text(r.get("scope"))
            key = text(r.get("key"))
            bucket = scope if scope in ("concept", "document") else "other"
            key_label = label_of.get(key, key) if bucket == "document" else concept_label.get(key, key)
            body = text(r.get("text"))
            # Concept summaries open with their own label ("Traffic: mentioned in ..."): say it once.
            if bucket == "concept" and body.lower().startswith(key_label.lower() + ":"):
                body = body[len(key_label) + 1:].strip()
                body = body[:1].upper() + body[1:]
            summaries[bucket].append({
                "scope": scope, "key": key,
                "key_label": key_label,
                "href": "#" + anchor("doc", key) if bucket == "document" else "",
                "text": body,
                "evidence": evidence_quotes(r, sent_text),
            })
        summaries["document"].sort(key=lambda s: order.get(s["key"], 10**9))
    profiles = table(result, "framing", "profiles", tables)
    orientation = _orientation_series(framing, profiles, docs, concept_label) if len(profiles) else []
    return {
        "contrasts": contrasts,
        "shifts": shifts,
        "summaries": summaries,
        "orientation": orientation,
        "n_contrasts": n_contrasts,
        "n_shifts": n_shifts,
        "n_document_summaries": n_document_summaries,
    }


_ID_SPLIT = re.compile(r"\s*[;,|]\s*")


def _marked(sentence: str, sent_start: int | None, row: dict) -> list[dict]:
    """The sentence as segments, the old and new sides of the frame marked (``side`` "old"/"new"),
    from the frame's offsets into the document; one plain segment when they do not fit."""
    if sent_start is None:
        return [{"text": sentence, "side": ""}]
    spans = []
    for side in ("old", "new"):
        a, b = row.get(f"{side}_start"), row.get(f"{side}_end")
        if a is None or b is None or pd.isna(a) or pd.isna(b):
            continue
        a, b = int(a) - sent_start, int(b) - sent_start
        if 0 <= a < b <= len(sentence):
            spans.append((a, b, side))
    spans.sort()
    out, cursor = [], 0
    for a, b, side in spans:
        if a < cursor:  # overlapping sides: keep the first
            continue
        if a > cursor:
            out.append({"text": sentence[cursor:a], "side": ""})
        out.append({"text": sentence[a:b], "side": side})
        cursor = b
    if cursor < len(sentence):
        out.append({"text": sentence[cursor:], "side": ""})
    return out


def _labelled(names: Any, concept_label: dict[str, str]) -> list[str]:
    """The concept ids of a "; "-joined side (or evidence list) as display labels."""
    return [concept_label.get(c, c) for c in _ID_SPLIT.split(text(names)) if c]


def evidence_quotes(row: dict, sent_text: dict[str, str], limit: int = 3) -> list[dict]:
    """The evidence of a row as quotes, each linked to its sentence where it names one.

    Stages give evidence as sentence ids (``"a-p001-s02; a-p003-s01"``, in ``evidence``) with
    the quoted text beside them (``evidence_text``, ``" | "``-joined), or as plain text.
    """
    for key in ("evidence",):
        raw = text(row.get(key))
        if not raw:
            continue
        ids = [p for p in _ID_SPLIT.split(raw) if p]
        if ids and all(i in sent_text for i in ids):
            return [{"text": shorten(sent_text[i], 300), "href": "#" + anchor("s", i)} for i in ids[:limit]]
    for key in ("evidence_text", "evidence"):
        raw = text(row.get(key))
        if raw:
            parts = [p for p in raw.split(" | ") if p.strip()] if key == "evidence_text" else [raw]
            return [{"text": shorten(p, 300), "href": ""} for p in parts[:limit]]
    return []


def _orientation_series(framing: Any, profiles: pd.DataFrame, docs: list[dict],
                        concept_label: dict[str, str]) -> list[dict]:
    """Per concept, the share of its mentions framed as past vs present/future (and evaluated
    as in trouble / favourably) in each essay, from the stage's essay x concept profile tables."""
    doc_ids = [d["doc_id"] for d in docs]
    wide = {col: framing.profile_table(col).reindex(index=doc_ids) for col in ORIENTATION_SERIES}
    out = []
    for concept in wide[ORIENTATION_SERIES[0]].columns:
        series = {col: [number(v, float("nan")) for v in wide[col][concept].tolist()] for col in ORIENTATION_SERIES}
        out.append({"concept": text(concept_label.get(str(concept), concept)), "series": series})
    return out


# --- groups (ct.compare) -------------------------------------------------------------------

#: Keyness rows shown per group and kind in the report (all are in tables/compare_keyness.csv).
GROUP_KEYNESS_SHOWN = 6
#: Concepts drawn in the group charts: the most mentioned ones.
GROUP_CHART_CONCEPTS = 8


def _groups(result: Any, tables: dict[str, Any], concept_label: dict[str, str], corpus: Any) -> dict[str, Any] | None:
    """The "Groups" section from a :class:`~corpus_tools.comparison.ComparisonResult`: rows picked
    and formatted from its tables; every number comes from them."""
    cmp = getattr(result, "comparison", None)
    if cmp is None:
        return None
    groups = [{"group": text(r["group"]), "n_docs": int(r["n_docs"]), "n_words": int(r["n_words"]),
               "n_mentions": int(r["n_mentions"]), "n_contrasts": int(r["n_contrasts"]), "n_units": int(r["n_units"]),
               "first_date": _day(r["first_date"]), "last_date": _day(r["last_date"])}
              for r in cmp.groups.to_dict("records")]
    names = [g["group"] for g in groups]
    marks: dict[str, dict[str, list]] = {g: {"concept": [], "term": []} for g in names}
    # Significant (p < 0.05) but resting on fewer than min_count mentions: counted, not shown.
    held_back = len(table(result, "comparison", "held_back", tables))
    for g in cmp.groups["group"].tolist():
        for kind in ("concept", "term"):
            for r in cmp.marking(g, kind).head(GROUP_KEYNESS_SHOWN).to_dict("records"):
                marks[text(g)][kind].append({
                    "item": concept_label.get(text(r["item"]), text(r["label"])) if kind == "concept" else text(r["item"]),
                    "count": int(r["count"]), "count_rest": int(r["count_rest"]), "per_1k": number(r["per_1k"]),
                    "per_1k_rest": number(r["per_1k_rest"]), "g2": number(r["g2"]), "p": _p(r["p"])})
    frames: dict[str, list] = {g: [] for g in names}
    f = cmp.frames
    for r in f.to_dict("records"):
        bucket = frames[text(r["group"])]
        if len(bucket) < 8:
            bucket.append({"level": text(r["level"]), "old": _side_names(r["old"], r["level"], concept_label),
                           "new": _side_names(r["new"], r["level"], concept_label), "count": int(r["count"]),
                           "n_docs": int(r["n_docs"]), "share": number(r["share"]), "enough": bool(r["enough"])})
    totals = table(result, "comparison", "concept_totals", tables)
    chart_concepts = totals[totals["count"] > 0]["concept"].head(GROUP_CHART_CONCEPTS).tolist()
    rates = []
    for c in chart_concepts:
        sub = cmp.concepts[cmp.concepts["concept"] == c].set_index("group")
        rates.append({"concept": concept_label.get(c, c), "values": [
            {"group": g, "per_1k": number(sub.at[g, "per_1k"]), "low": number(sub.at[g, "per_1k_low"]),
             "high": number(sub.at[g, "per_1k_high"]), "count": int(sub.at[g, "count"])} for g in names]})
    themes = []
    t = cmp.themes
    for topic in dict.fromkeys(t["topic"].tolist()):
        sub = t[t["topic"] == topic].set_index("group")
        if not (sub["n_units"] > 0).any():  # a theme no group has a unit of
            continue
        themes.append({"topic": text(topic), "label": text(sub["label"].iloc[0]),
                       "values": [{"group": g, "share": number(sub.at[g, "share"]), "n": int(sub.at[g, "n_units"]),
                                   "of": int(sub.at[g, "group_units"])} for g in names]})
    shifts = []
    sh = cmp.shifts
    noted = sh[sh["change"].fillna("").astype(str) != ""] if len(sh) else sh
    cited = {i for e in noted["evidence"].fillna("").astype(str) for i in e.split("; ") if i} if len(noted) else set()
    sentences = corpus.sentences
    sent_text = dict(zip(sentences["sent_id"], sentences["text"])) if cited else {}
    for r in noted.to_dict("records"):
        shifts.append({"concept": concept_label.get(text(r["concept"]), text(r["label"])),
                       "from_group": text(r["from_group"]), "to_group": text(r["to_group"]),
                       "change": text(r["change"]), "evidence": evidence_quotes(r, sent_text, limit=2)})
    return {
        "by": cmp.by, "is_period": bool(cmp.is_period), "sequential": bool(cmp.sequential), "order": cmp.order,
        "n_docs": int(len(cmp.documents)), "n_left_out": int(cmp.n_left_out), "min_count": int(cmp.min_count),
        "groups": groups, "marks": marks, "held_back": held_back, "frames": frames, "rates": rates,
        "themes": themes, "shifts": shifts, "n_shifts_noted": len(shifts), "n_shifts": int(len(sh)),
    }


def _day(value: Any) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _p(value: Any) -> str:
    p = number(value, 1.0)
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _side_names(ids: Any, level: Any, concept_label: dict[str, str]) -> str:
    """A side of a reframing in words: concept labels, or the head word; "(nothing named)" when empty."""
    raw = text(ids)
    if level == "concept":
        names = _labelled(raw, concept_label)
        return " + ".join(names) if names else "(no concept)"
    return raw or "(nothing named)"


# --- essay text ---------------------------------------------------------------------------


def _essays(corpus: Any, docs: list[dict]) -> list[dict]:
    """Each essay's kept paragraphs as segments: sentence spans carry anchors, the rest is
    plain text. Templates escape every segment."""
    paragraphs = corpus.paragraphs
    sentences = corpus.sentences
    sents_by_para: dict[str, list] = {}
    for r in sentences[["para_id", "sent_id", "start", "end"]].itertuples(index=False):
        sents_by_para.setdefault(r.para_id, []).append((int(r.start), int(r.end), r.sent_id))
    paras_by_doc: dict[str, list] = {}
    for r in paragraphs.itertuples(index=False):
        paras_by_doc.setdefault(r.doc_id, []).append(r)
    out = []
    for d in docs:
        paras = []
        for p in paras_by_doc.get(d["doc_id"], []):
            p_start = int(p.start)
            body = p.text
            segments, cursor = [], 0
            for s_start, s_end, sid in sorted(sents_by_para.get(p.para_id, [])):
                a, b = s_start - p_start, s_end - p_start
                if a < cursor or b > len(body) or a >= b:
                    continue
                if a > cursor:
                    segments.append({"text": body[cursor:a], "id": ""})
                segments.append({"text": body[a:b], "id": anchor("s", sid)})
                cursor = b
            if cursor < len(body):
                segments.append({"text": body[cursor:], "id": ""})
            paras.append({"id": anchor("p", p.para_id), "heading": bool(getattr(p, "is_heading", False)),
                          "segments": segments})
        out.append({**d, "paragraphs": paras})
    return out


__all__ = ["anchor", "build_context", "safe_name"]
