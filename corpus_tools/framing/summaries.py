"""Short, extractive, evidence-backed summaries in plain English, per concept and per essay.

Every number in a summary is counted from the tables; every summary lists the sentence ids it
rests on (``evidence``), so a reader can check each claim against the text.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from .._plain import MIN_COUNT, plural
from .profiles import _split

if TYPE_CHECKING:
    import pandas as pd

SUMMARY_COLUMNS = ["scope", "key", "text", "evidence"]
_COUNT_WORDS = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times",
                7: "seven times", 8: "eight times", 9: "nine times", 10: "ten times"}


def times(n: int) -> str:
    """'once', 'twice', 'three times', ..., '12 times'."""
    return _COUNT_WORDS.get(n, f"{n} times")


def _name(concept: str, labels: dict[str, str]) -> str:
    """The label as it reads mid-sentence: "Traffic" -> "traffic", but "B-end / C-end" and "AI" stay."""
    label = labels.get(concept) or concept
    first_word = label.split()[0] if label.strip() else label
    if not first_word or any(ch.isupper() for ch in first_word[1:]):
        return label
    return label[0].lower() + label[1:]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _pairs(frames) -> tuple[Counter, Counter, dict]:
    """Counts of (old concept, new concept) replacements and of bare rejections, with sentence ids.

    ``frames``: a DataFrame or a list of row dicts with ``old_concept, new_concept, sent_id``.
    """
    pairs: Counter = Counter()
    rejected: Counter = Counter()
    where: dict = {}
    records = frames.to_dict("records") if hasattr(frames, "to_dict") else frames
    for row in records:
        olds, news = _split(row["old_concept"]), _split(row["new_concept"])
        for old in olds:
            targets = [n for n in news if n != old]
            if targets:
                for new in targets:
                    pairs[(old, new)] += 1
                    where.setdefault((old, new), []).append(row["sent_id"])
            else:
                rejected[old] += 1
                where.setdefault((old, None), []).append(row["sent_id"])
    return pairs, rejected, where


def _head_pairs(frames) -> tuple[Counter, dict]:
    """Counts of (old head, new head) reframings among frames that pair no two lexicon concepts
    ("ownership -> circulation" in an essay on bookshops), with sentence ids. ``new`` is ``None``
    for a bare rejection. Heads are the lowercase lemmas of ``old_head``/``new_head``."""
    pairs: Counter = Counter()
    where: dict = {}
    records = frames.to_dict("records") if hasattr(frames, "to_dict") else frames
    for row in records:
        olds, news = _split(row.get("old_concept", "")), _split(row.get("new_concept", ""))
        if olds and (news or not str(row.get("new_head") or "")):
            continue  # counted as a concept replacement or rejection
        old, new = str(row.get("old_head") or ""), str(row.get("new_head") or "") or None
        if not old or old == new:
            continue
        pairs[(old, new)] += 1
        where.setdefault((old, new), []).append(row["sent_id"])
    return pairs, where


def head_term_summaries(contrasts: "pd.DataFrame", doc_order: list[str], titles: dict[str, str]) -> list[dict]:
    """One summary per head-term reframing found in the authors' own voice ("ownership -> circulation"),
    commonest first: how often, in which essays. Frames pairing two lexicon concepts are left to the
    concept summaries."""
    if contrasts.empty or "old_head" not in contrasts:
        return []
    own = contrasts[contrasts["speaker"] != "others"]
    pairs, where = _head_pairs(own)
    doc_of = dict(zip(own["sent_id"], own["doc_id"]))
    rank = {d: i for i, d in enumerate(doc_order)}
    out = []
    for (old, new), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or "")):
        sents = where[(old, new)]
        docs = sorted(dict.fromkeys(doc_of[s] for s in sents), key=lambda d: rank.get(d, 10**9))
        essays = _join([f"'{titles.get(d) or d}'" for d in docs[:3]]) + (" and others" if len(docs) > 3 else "")
        if new is None:
            text = f"'{old}' is set aside {times(n)}, in {essays}."
            key = f"{old} ->"
        else:
            text = f"'{old}' gives way to '{new}' {times(n)}, in {essays}."
            key = f"{old} -> {new}"
        out.append({"scope": "reframing", "key": key, "text": _sentence(text), "evidence": "; ".join(sents)})
    return out


def document_summaries(contrasts: "pd.DataFrame", profiles: "pd.DataFrame", doc_order: list[str],
                       titles: dict[str, str], labels: dict[str, str]) -> list[dict]:
    """One summary per essay: its concept replacements, most prominent concepts and framing."""
    out = []
    frames_by_doc: dict[str, list[dict]] = {}
    for row in contrasts.to_dict("records"):
        frames_by_doc.setdefault(row["doc_id"], []).append(row)
    profiles_by_doc: dict[str, list[dict]] = {}
    for row in profiles.to_dict("records"):
        profiles_by_doc.setdefault(row["doc_id"], []).append(row)
    for doc_id in doc_order:
        title = titles.get(doc_id) or doc_id
        frames = frames_by_doc.get(doc_id, [])
        own = [f for f in frames if f["speaker"] == "author"]
        pairs, rejected, where = _pairs(own)
        evidence: list[str] = []
        clauses = []
        for i, ((old, new), n) in enumerate(sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:4]):
            if i == 0:
                clauses.append(f"{_name(old, labels)} is rejected in favour of {_name(new, labels)} {times(n)}")
            else:
                clauses.append(f"{_name(old, labels)} in favour of {_name(new, labels)} {times(n)}")
            evidence += where[(old, new)]
        for old, n in sorted(rejected.items(), key=lambda kv: (-kv[1], kv[0]))[:2]:
            clauses.append(f"{_name(old, labels)} is set aside {times(n)}")
            evidence += where[(old, None)]
        # Frames whose sides name no lexicon concept still say something: their head terms.
        head_pairs, head_where = _head_pairs(own)
        for (old, new), n in sorted(head_pairs.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))[:3]:
            clauses.append(f"'{old}' gives way to '{new}' {times(n)}" if new else f"'{old}' is set aside {times(n)}")
            evidence += head_where[(old, new)]
        sentences = []
        n_frames = len(frames)
        if clauses:
            sentences.append(f"In '{title}', " + _join(clauses) + ".")
        elif n_frames:
            sentences.append(f"In '{title}', {n_frames} contrast frame{'s' if n_frames != 1 else ''} "
                             "set one framing against another, none naming a lexicon concept on both sides.")
            evidence += [f["sent_id"] for f in frames[:3]]
        else:
            sentences.append(f"In '{title}', no explicit contrast frame was found.")
        others = [f for f in frames if f["speaker"] == "others"]
        if others:
            sentences.append(f"{len(others)} contrast{' is' if len(others) == 1 else 's are'} attributed to others.")
            evidence += [f["sent_id"] for f in others]
        prof = profiles_by_doc.get(doc_id, [])
        if prof:
            # "Most prominent" needs a concept mentioned more than once; shares need MIN_COUNT mentions.
            top = sorted([r for r in prof if r["n_mentions"] >= 2],
                         key=lambda r: (-r["prominence"], r["concept"]))[:3]
            if top:
                sentences.append("Most prominent: " + _join([
                    f"{_name(r['concept'], labels)} ({plural(int(r['n_mentions']), 'mention')}, "
                    f"{r['prominence']:.1f} per 1k words)" for r in top]) + ".")
            else:
                sentences.append("No concept is mentioned more than once.")
            past = [r for r in prof if r["n_mentions"] >= MIN_COUNT and r["share_old"] >= 0.5]
            trouble = [r for r in prof if r["n_mentions"] >= MIN_COUNT and r["evaluation"] <= -0.25]
            if past:
                sentences.append(_join([_name(r["concept"], labels) for r in past[:3]]) + " framed mostly as the past.")
            if trouble:
                sentences.append(_join([_name(r["concept"], labels) for r in trouble[:3]]) + " evaluated negatively.")
        sentences = [x[0].upper() + x[1:] for x in sentences if x]
        out.append({"scope": "document", "key": doc_id, "text": " ".join(sentences),
                    "evidence": "; ".join(dict.fromkeys(evidence))})
    return out


def concept_summaries(contrasts: "pd.DataFrame", profiles: "pd.DataFrame", shifts: "pd.DataFrame",
                      doc_order: list[str], titles: dict[str, str], labels: dict[str, str]) -> list[dict]:
    """One summary per concept: where it appears, the side it takes, and how its framing moves."""
    out = []
    if profiles.empty:
        return out
    rank = {d: i for i, d in enumerate(doc_order)}
    n_docs = len(doc_order)
    # each frame's concepts, split once for all concepts (not once per concept and frame)
    olds = [_split(v) for v in contrasts["old_concept"]] if not contrasts.empty else []
    news = [_split(v) for v in contrasts["new_concept"]] if not contrasts.empty else []
    for concept, prof in sorted(profiles.groupby("concept"), key=lambda kv: (-kv[1]["n_mentions"].sum(), kv[0])):
        name = _name(concept, labels)
        prof = prof.assign(_r=prof["doc_id"].map(rank)).sort_values("_r")
        peak = prof.sort_values(["prominence", "_r"], ascending=[False, True]).iloc[0]
        parts = [f"{_sentence(name)}: mentioned in {len(prof)} of {n_docs} essays, most in "
                 f"'{titles.get(peak.doc_id) or peak.doc_id}' ({peak.prominence:.1f} per 1k words)"]
        evidence: list[str] = []
        on_side = [(concept in old, concept in new) for old, new in zip(olds, news)]
        mine = contrasts[[o or n for o, n in on_side]] if not contrasts.empty else contrasts
        if len(mine):
            n_old = sum(o for o, _ in on_side)
            side, k = ("old", n_old) if n_old >= len(mine) - n_old else ("new", len(mine) - n_old)
            clause = f"on the {side} side in {k} of {len(mine)} contrasts"
            pairs, _, where = _pairs(mine)
            partners = [(new if old == concept else old, n, old == concept) for (old, new), n in pairs.items()
                        if concept in (old, new)]
            partners.sort(key=lambda p: (-p[1], p[0]))
            if partners:
                bits = [(f"rejected in favour of {_name(p, labels)} {times(n)}" if as_old
                         else f"preferred to {_name(p, labels)} {times(n)}") for p, n, as_old in partners[:2]]
                clause += " (" + "; ".join(bits) + ")"
            parts.append(clause)
            evidence += list(mine["sent_id"].head(4))
        n_mentions = int(prof["n_mentions"].sum())
        mean_old = float((prof["share_old"] * prof["n_mentions"]).sum() / max(n_mentions, 1))
        mean_new = float((prof["share_new"] * prof["n_mentions"]).sum() / max(n_mentions, 1))
        if n_mentions < MIN_COUNT:
            parts.append(f"too few mentions ({n_mentions}) to say how it is framed")
        elif mean_old or mean_new:
            parts.append(f"framed as the past in {mean_old:.0%} and as present or future in {mean_new:.0%} "
                         f"of its {n_mentions} mentions")
        neg_docs = [d for d, e, n in zip(prof["doc_id"], prof["evaluation"], prof["n_mentions"])
                    if e < 0 and n >= MIN_COUNT]
        if neg_docs:
            parts.append("evaluated negatively in " + _join([f"'{titles.get(d) or d}'" for d in neg_docs[:3]]))
        sh = shifts[shifts["concept"] == concept] if not shifts.empty else shifts
        if len(sh) and sh["drift"].notna().any():
            top = sh.loc[sh["drift"].idxmax()]
            parts.append(f"the words around it change most between '{titles.get(top.from_doc) or top.from_doc}' and "
                         f"'{titles.get(top.to_doc) or top.to_doc}' (context change {top.drift:.2f} of 1)")
            evidence += [e for e in str(top.evidence).split("; ") if e][:2]
        out.append({"scope": "concept", "key": concept, "text": "; ".join(parts) + ".",
                    "evidence": "; ".join(dict.fromkeys(evidence))})
    return out


def build_summaries(contrasts: "pd.DataFrame", profiles: "pd.DataFrame", shifts: "pd.DataFrame",
                    doc_order: list[str], titles: dict[str, str], labels: dict[str, str]) -> "pd.DataFrame":
    """Concept summaries (most mentioned first), then document summaries in corpus order, then
    head-term reframings (scope ``reframing``, key ``"old -> new"``) commonest first."""
    import pandas as pd

    rows = concept_summaries(contrasts, profiles, shifts, doc_order, titles, labels)
    rows += document_summaries(contrasts, profiles, doc_order, titles, labels)
    rows += head_term_summaries(contrasts, doc_order, titles)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
