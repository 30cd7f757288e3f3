"""The view model both reports render: plain dicts and lists built from the stage results.

Built defensively: a stage may be missing (it failed or was skipped) and its tables may carry
more columns than the ones used here, so every lookup tolerates absence.
"""
from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from .tables import safe_name

#: Longest quote shown in a table cell before it is shortened (the full text is in tables/).
QUOTE_CHARS = 320
_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def anchor(kind: str, ident: Any) -> str:
    """An HTML id for a document, paragraph or sentence: ASCII only, reversible, collision-free."""
    text = _ANCHOR_UNSAFE.sub(lambda m: f".{ord(m.group()):x}.", str(ident))
    return f"{kind}-{text}"


def frame(obj: Any, attr: str) -> pd.DataFrame | None:
    value = getattr(obj, attr, None) if obj is not None else None
    return value if isinstance(value, pd.DataFrame) else None


def has(df: pd.DataFrame | None, *columns: str) -> bool:
    return df is not None and all(c in df.columns for c in columns)


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
        "skipped": _records(getattr(corpus, "skipped", None), ["path", "reason"]),
        "removed": [
            {**r, "text": shorten(r.get("text", ""), 160), "doc_label": label_of.get(r.get("doc_id"), r.get("doc_id"))}
            for r in _records(getattr(corpus, "removed", None), ["doc_id", "start", "end", "reason", "text"])
        ],
        "warnings": list(getattr(result, "warnings", []) or []),
        "stage_status": dict(getattr(result, "stage_status", {}) or {}),
        "timings": dict(getattr(result, "timings", {}) or {}),
    }
    ctx["concept_label"] = _concept_labels(getattr(result, "concepts", None))
    ctx["concepts"] = _concepts(result, docs, ctx["concept_label"])
    ctx["themes"] = _themes(result, docs)
    ctx["framing"] = _framing(result, docs, ctx["concept_label"], max_rows)
    ctx["highlights"] = _highlights(ctx, result)
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


def _highlights(ctx: dict[str, Any], result: Any) -> list[str]:
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
            listed = "; ".join(f"{t['label']} ({t['share']:.0%})" for t in real[:5])
            out.append(f"{len(real)} themes: {listed}.")
    framing = ctx.get("framing")
    if framing and framing.get("contrasts"):
        pairs: dict[tuple[str, str], int] = {}
        label = ctx.get("concept_label") or {}
        everything = frame(result.framing, "contrasts")  # every frame, not only the rows shown
        for speaker, old, new in zip(everything["speaker"].tolist(), everything["old_concept"].tolist(),
                                     everything["new_concept"].tolist()):
            if speaker == "others":
                continue
            # A side naming several concepts counts once for each old/new pair.
            for a in _labelled(old, label):
                for b in _labelled(new, label):
                    if a != b:
                        pairs[(a, b)] = pairs.get((a, b), 0) + 1
        if pairs:
            ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
            listed = "; ".join(f"{a} → {b} ({n})" for (a, b), n in ranked)
            out.append(f"Commonest reframings (old → new, in the authors' own voice): {listed}.")
        else:
            out.append(f"{framing['n_contrasts']} contrast frames, none between two lexicon concepts.")
        # Frames naming no lexicon concept are counted by the head terms of their sides.
        heads = _head_term_pairs(everything)
        if heads:
            listed = "; ".join(f"{a} → {b} ({n})" for (a, b), n in heads[:5])
            out.append(f"Commonest reframings by head term (sides naming no lexicon concept): {listed}.")
    return out


def _head_term_pairs(contrasts: Any) -> list[tuple[tuple[str, str], int]]:
    """(old_head, new_head) pairs, commonest first, of the authors' frames whose sides name no
    lexicon concept pair; bare rejections are left out."""
    if contrasts is None or "old_head" not in getattr(contrasts, "columns", ()):
        return []
    from ..framing.summaries import _head_pairs

    pairs, _ = _head_pairs(contrasts[contrasts["speaker"].astype(str) != "others"])
    return sorted(((k, n) for k, n in pairs.items() if k[1]), key=lambda kv: (-kv[1], kv[0]))


def _title(corpus: Any) -> str:
    root = getattr(corpus, "root", None)
    return f"Corpus report: {root.name}" if root is not None and getattr(root, "name", "") else "Corpus report"


def _documents(corpus: Any) -> list[dict]:
    out = []
    documents = corpus.documents
    for i, row in enumerate(documents.to_dict("records")):
        doc_id = str(row["doc_id"])
        title = text(row.get("title"))
        date = row.get("date")
        date_s = "" if date is None or pd.isna(date) else pd.Timestamp(date).strftime("%Y-%m-%d")
        short = shorten(title or doc_id, 38)
        out.append({
            "doc_id": doc_id,
            "order": i + 1,
            "title": title,
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
    if has(by_doc, "concept", "label"):
        for cid, label in zip(by_doc["concept"], by_doc["label"]):
            if text(label):
                labels.setdefault(str(cid), text(label))
    return labels


def _concepts(result: Any, docs: list[dict], label_of: dict[str, str]) -> dict[str, Any] | None:
    concepts = getattr(result, "concepts", None)
    if concepts is None:
        return None
    by_doc = frame(concepts, "by_document")
    mentions = frame(concepts, "mentions")
    doc_ids = [d["doc_id"] for d in docs]
    words = {d["doc_id"]: d["words"] for d in docs}
    if not has(by_doc, "doc_id", "concept", "count") and has(mentions, "doc_id", "concept"):
        by_doc = mentions.groupby(["doc_id", "concept"]).size().rename("count").reset_index()
    if not has(by_doc, "doc_id", "concept", "count"):
        return {"rows": [], "matrix": [], "concept_names": [], "suggestions": []}
    by_doc = by_doc[by_doc["doc_id"].isin(doc_ids)].copy()
    if "per_1k_words" not in by_doc.columns:
        by_doc["per_1k_words"] = [1000 * c / max(words.get(d, 0), 1) for d, c in zip(by_doc["doc_id"], by_doc["count"])]
    totals = by_doc.groupby("concept")["count"].sum()
    order = sorted(totals.index, key=lambda c: (-totals[c], str(c)))
    total_words = max(sum(words.values()), 1)
    rows = []
    for concept in order:
        sub = by_doc[by_doc["concept"] == concept]
        top = sub.sort_values(["per_1k_words", "doc_id"], ascending=[False, True]).iloc[0]
        variants = ""
        if has(mentions, "concept", "text"):
            m = mentions[mentions["concept"] == concept]
            if len(m):
                # The commonest surface forms show what the concept matched in these texts.
                counts = m["text"].astype(str).str.lower().value_counts()
                variants = "; ".join(counts.index[:4])
        rows.append({
            "concept": label_of.get(str(concept), text(concept)),
            "concept_id": text(concept),
            "mentions": int(totals[concept]),
            "documents": int((sub["count"] > 0).sum()),
            "per_1k_words": 1000 * totals[concept] / total_words,
            "peak_doc": text(top["doc_id"]),
            "peak_label": next((d["label"] for d in docs if d["doc_id"] == top["doc_id"]), text(top["doc_id"])),
            "peak_per_1k": number(top["per_1k_words"]),
            "variants": variants,
        })
    pivot = by_doc.pivot_table(index="doc_id", columns="concept", values="per_1k_words", aggfunc="sum", fill_value=0.0)
    counts = by_doc.pivot_table(index="doc_id", columns="concept", values="count", aggfunc="sum", fill_value=0)
    matrix = []
    for doc_id in doc_ids:
        matrix.append([number(pivot.at[doc_id, c]) if doc_id in pivot.index and c in pivot.columns else 0.0 for c in order])
    count_matrix = [[int(number(counts.at[d, c])) if d in counts.index and c in counts.columns else 0 for c in order]
                    for d in doc_ids]
    suggestions = []
    sug = frame(concepts, "suggestions")
    if has(sug, "term"):
        for r in sug.head(15).to_dict("records"):
            suggestions.append({
                "term": text(r.get("term")), "score": number(r.get("score"), float("nan")),
                "n_docs": text(r.get("n_docs")), "variants": shorten(r.get("variants"), 80),
                "example": shorten(r.get("example"), 200),
            })
    return {
        "rows": rows,
        "concept_names": [label_of.get(str(c), text(c)) for c in order],
        "matrix": matrix,
        "count_matrix": count_matrix,
        "suggestions": suggestions,
        "n_mentions": int(len(mentions)) if mentions is not None else int(by_doc["count"].sum()),
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


def _themes(result: Any, docs: list[dict]) -> dict[str, Any] | None:
    topics = getattr(result, "topics", None)
    if topics is None:
        return None
    corpus = result.corpus
    table = frame(topics, "topics")
    assignments = frame(topics, "assignments")
    metrics = getattr(topics, "metrics", None) or {}
    unit_text = _unit_text(corpus)
    unit_kind = {}
    for pid in corpus.paragraphs["para_id"]:
        unit_kind[pid] = "p"
    for sid in corpus.sentences["sent_id"]:
        unit_kind[sid] = "s"
    reps = frame(topics, "representatives")
    themes = []
    n_units = len(assignments) if assignments is not None else 0
    if has(table, "topic"):
        for r in table.to_dict("records"):
            topic = r.get("topic")
            size = int(number(r.get("size")))
            share = number(r.get("share"), float("nan"))
            quotes = _theme_quotes(topic, reps, assignments, unit_text, unit_kind, corpus)
            themes.append({
                "topic": text(topic),
                "is_outlier": number(topic, 0) == -1,
                "label": text(r.get("label")) or f"theme {text(topic)}",
                "size": size,
                "share": share if share == share else (size / n_units if n_units else 0.0),
                "top_terms": shorten(r.get("top_terms"), 160),
                "quotes": quotes,
            })
    themes.sort(key=lambda t: (t["is_outlier"], -t["size"], t["topic"]))
    share = _doc_theme_share(topics, assignments, docs, themes)
    return {
        "themes": themes,
        "metrics": {k: _metric(metrics[k]) for k in _SHOWN_METRICS if isinstance(metrics, dict) and k in metrics},
        "n_units": n_units,
        "share": share,
    }


#: Theme-model measures worth a reader's attention; all of them are in tables/topic_metrics.csv.
_SHOWN_METRICS = ("n_topics", "outlier_share", "npmi", "diversity", "silhouette", "largest_share")


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


def _theme_quotes(topic, reps, assignments, unit_text, unit_kind, corpus, n: int = 2) -> list[dict]:
    """Example quotes for a theme: the stage's representatives where given, else the first units
    assigned to it (best first when a similarity or probability is given). Each links to the
    unit on the page, or to its essay when the unit is not one paragraph or sentence."""
    quotes: list[dict] = []
    if has(reps, "topic"):
        sub = reps[reps["topic"] == topic]
        if "rank" in sub.columns:
            sub = sub.sort_values("rank", kind="stable")
        for r in sub.head(n).to_dict("records"):
            uid = next((text(r.get(c)) for c in ("unit_id", "para_id", "sent_id") if text(r.get(c))), "")
            doc_id = text(r.get("doc_id")) or (unit_text[uid][0] if uid in unit_text else "")
            body = text(r.get("text")) or (unit_text[uid][1] if uid in unit_text else "")
            if not body:
                continue
            href = ("#" + anchor(unit_kind.get(uid, "p"), uid) if uid in unit_text
                    else "#" + anchor("doc", doc_id) if doc_id else "")
            quotes.append({"doc_id": doc_id, "unit_id": uid, "text": shorten(body), "href": href})
        if quotes:
            return quotes
    if has(assignments, "topic", "unit_id"):
        sub = assignments[assignments["topic"] == topic]
        for col in ("similarity", "probability", "prob", "score"):
            if col in sub.columns:
                sub = sub.sort_values(col, ascending=False, kind="stable")
                break
        for uid in [str(u) for u in sub["unit_id"].tolist() if str(u) in unit_text][:n]:
            doc_id, body = unit_text[uid]
            quotes.append({"doc_id": doc_id, "unit_id": uid, "text": shorten(body),
                           "href": "#" + anchor(unit_kind.get(uid, "p"), uid)})
    return quotes


def _doc_theme_share(topics, assignments, docs, themes) -> dict[str, Any]:
    """Share of each essay's units in each theme (rows: essays in corpus order)."""
    doc_ids = [d["doc_id"] for d in docs]
    labels = [t["label"] for t in themes]
    keys = [t["topic"] for t in themes]
    dt = frame(topics, "doc_topics")
    values = [[0.0] * len(keys) for _ in doc_ids]
    if has(dt, "doc_id", "topic", "share"):
        for r in dt.itertuples(index=False):
            d, t, s = str(getattr(r, "doc_id")), text(getattr(r, "topic")), number(getattr(r, "share"))
            if d in doc_ids and t in keys:
                values[doc_ids.index(d)][keys.index(t)] = s
    elif has(assignments, "doc_id", "topic"):
        counts = assignments.groupby(["doc_id", "topic"]).size()
        per_doc = assignments.groupby("doc_id").size()
        for (d, t), c in counts.items():
            if d in doc_ids and text(t) in keys:
                values[doc_ids.index(d)][keys.index(text(t))] = c / per_doc[d]
    return {"labels": labels, "topics": keys, "values": values}


# --- framing ------------------------------------------------------------------------------

_CONTRAST_SHOWN = ["old", "new", "cue", "old_concept", "new_concept", "speaker"]
_DOC_SCOPES = ("doc", "text", "essay")  # summary scopes that describe one essay


def _framing(result: Any, docs: list[dict], concept_label: dict[str, str],
             max_rows: int | None = None) -> dict[str, Any] | None:
    framing = getattr(result, "framing", None)
    if framing is None:
        return None
    label_of = {d["doc_id"]: d["label"] for d in docs}
    order = {d["doc_id"]: i for i, d in enumerate(docs)}
    sent_text = {}
    corpus = result.corpus
    for r in corpus.sentences[["sent_id", "text"]].itertuples(index=False):
        sent_text[r.sent_id] = r.text
    contrasts = []
    cdf = frame(framing, "contrasts")
    n_contrasts = len(cdf) if cdf is not None else 0
    if cdf is not None and max_rows is not None and len(cdf) > max_rows:
        # Reframings between two different concepts, in the authors' own voice, first.
        notable = (cdf["old_concept"].fillna("").astype(str) != "") & (cdf["new_concept"].fillna("").astype(str) != "") \
            & (cdf["old_concept"].astype(str) != cdf["new_concept"].astype(str)) & (cdf["speaker"].astype(str) != "others")
        rank = cdf["doc_id"].map(order).fillna(10**9)
        cdf = cdf.assign(_p=(~notable).astype(int), _r=rank).sort_values(["_p", "_r"], kind="stable") \
            .head(max_rows).drop(columns=["_p", "_r"])
    if cdf is not None and len(cdf):
        records = cdf.to_dict("records")
        records.sort(key=lambda r: (order.get(r.get("doc_id"), 10**9), text(r.get("sent_id"))))
        for r in records:
            sid = text(r.get("sent_id"))
            quote = sent_text.get(sid) or text(r.get("sentence"))
            row = {k: text(r.get(k)) for k in _CONTRAST_SHOWN}
            for k in ("old_concept", "new_concept"):
                # A side may name several concepts, "; "-joined.
                row[k] = "; ".join(_labelled(row[k], concept_label))
            row.update({
                "doc_id": text(r.get("doc_id")),
                "doc_label": label_of.get(r.get("doc_id"), text(r.get("doc_id"))),
                "sent_id": sid,
                "sentence": shorten(quote, 400),
                "href": "#" + anchor("s", sid) if sid in sent_text else "",
            })
            contrasts.append(row)
    shifts = []
    sdf = frame(framing, "shifts")
    n_shifts = len(sdf) if sdf is not None else 0
    if sdf is not None and max_rows is not None and len(sdf) > max_rows and "drift" in sdf:
        # Shifts the describer found notable (a non-empty "change"), largest context drift first;
        # shown in the table's own order.
        noted = sdf["change"].fillna("").astype(str).str.len().gt(0) if "change" in sdf else False
        keep = sdf.assign(_n=(~noted).astype(int) if "change" in sdf else 0, _d=-sdf["drift"].fillna(0.0)) \
            .sort_values(["_n", "_d"], kind="stable").head(max_rows).index
        sdf = sdf.loc[sorted(keep)]
    elif sdf is not None and max_rows is not None:
        sdf = sdf.head(max_rows)
    if sdf is not None and len(sdf):
        skip = {"concept", "label", "from_doc", "to_doc", "evidence", "evidence_text", "change"}
        for r in sdf.to_dict("records"):
            concept = text(r.get("concept"))
            details = text(r.get("change"))
            if not details:
                extras = [(k, text(v)) for k, v in r.items() if k not in skip and not k.endswith("_id") and text(v)]
                details = "; ".join(f"{k}: {shorten(v, 120)}" for k, v in extras[:6])
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
    sm = frame(framing, "summaries")
    n_document_summaries = 0
    if sm is not None and len(sm):
        is_doc = sm["scope"].astype(str).str.lower().str.startswith(_DOC_SCOPES)
        n_document_summaries = int(is_doc.sum())
        if max_rows is not None:
            sm = pd.concat([sm[~is_doc], sm[is_doc].head(max_rows)])
    if sm is not None and len(sm):
        for r in sm.to_dict("records"):
            scope = text(r.get("scope")).lower()
            key = text(r.get("key"))
            bucket = "concept" if scope.startswith("concept") else "document" if scope.startswith(_DOC_SCOPES) else "other"
            summaries[bucket].append({
                "scope": scope, "key": key,
                "key_label": label_of.get(key, key) if bucket == "document" else concept_label.get(key, key),
                "href": "#" + anchor("doc", key) if bucket == "document" else "",
                "text": text(r.get("text")),
                "evidence": evidence_quotes(r, sent_text),
            })
        summaries["document"].sort(key=lambda s: order.get(s["key"], 10**9))
    profiles = frame(framing, "profiles")
    orientation = _orientation_series(profiles, docs, concept_label)
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


def _labelled(names: Any, concept_label: dict[str, str]) -> list[str]:
    """The concept ids of a "; "-joined side (or evidence list) as display labels."""
    return [concept_label.get(c, c) for c in _ID_SPLIT.split(text(names)) if c]


def evidence_quotes(row: dict, sent_text: dict[str, str], limit: int = 3) -> list[dict]:
    """The evidence of a row as quotes, each linked to its sentence where it names one.

    Stages give evidence either as sentence ids (``"a-p001-s02; a-p003-s01"``, in ``evidence``
    or ``evidence_sent_id(s)``) with the quoted text beside them, or as plain text.
    """
    for key in ("evidence_sent_ids", "evidence_sent_id", "evidence", "sent_id"):
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


def _orientation_series(profiles: pd.DataFrame | None, docs: list[dict], concept_label: dict[str, str]) -> list[dict]:
    """Per concept, the share of its mentions framed as past vs present/future in each essay,
    when the framing profiles carry such shares."""
    if not has(profiles, "doc_id", "concept"):
        return []
    share_cols = [c for c in profiles.columns if c.endswith("_share") or c.startswith("share_")]
    # Paragraph coverage is prominence, already charted as the trajectory.
    share_cols = [c for c in share_cols if "paragraph" not in c]
    if not share_cols:
        return []
    out = []
    doc_ids = [d["doc_id"] for d in docs]
    for concept, sub in profiles.groupby("concept", sort=True):
        concept = concept_label.get(str(concept), concept)
        by_doc = {str(r["doc_id"]): r for r in sub.to_dict("records")}
        series = {}
        for col in share_cols:
            series[col] = [number(by_doc[d][col], float("nan")) if d in by_doc else float("nan") for d in doc_ids]
        out.append({"concept": text(concept), "series": series})
    return out


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
