"""The report writers on small hand-built results: escaping, anchors, tables, atomic files.

No model is loaded here; the end-to-end report on the starter corpus is in test_pipeline.py.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from ._html import HtmlCollector

from corpus_tools.concepts import ConceptResult
from corpus_tools.framing import FramingResult
from corpus_tools.load import Corpus
from corpus_tools.report import (
    KNOWN_TABLES, anchor, build_context, check_formats, collect_tables, safe_name, tidy_for_output,
    write_reports, write_tables,
)
from corpus_tools.report.markdown import md_escape, render_markdown

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTR = "\"><img src=x onerror=alert(2)>"
XSS_ID = "evil\"><svg onload=alert(3)>"


BASE_TEXTS = {
    "plain": "Retail changes.\n\nDigital retail is not a platform, but an infrastructure. Traffic is over.",
    XSS_ID: f"A title {XSS_SCRIPT}\n\nThey said {XSS_ATTR} and moved from traffic to retention. "
            "Another 'quoted' sentence & more.",
}


def _corpus(extra: dict[str, str] | None = None) -> Corpus:
    """Two small essays with script and attribute-breaking payloads (plus ``extra`` ones)."""
    return Corpus.from_texts({**BASE_TEXTS, **(extra or {})})


def _fake_result(corpus: Corpus, *, topics=True, framing=True, concepts=True, extra_columns=False):
    sents = corpus.sentences.reset_index(drop=True)
    paras = corpus.paragraphs.reset_index(drop=True)
    docs = corpus.doc_ids
    result = SimpleNamespace(corpus=corpus, concepts=None, topics=None, framing=None,
                             params={"seed": 7, "unit": "paragraph", "input": "<in-memory corpus>"},
                             versions={"corpus_tools": "test"}, warnings=["a warning with <b>markup</b>"],
                             timings={"load": 0.1}, stage_status={})
    if concepts:
        by_doc = pd.DataFrame({
            "doc_id": [docs[0], docs[0], docs[1], docs[1]],
            "concept": ["traffic", "platform", "traffic", "platform"],
            "label": ["Traffic", "Platform <i>", "Traffic", "Platform <i>"],
            "count": [1, 1, 1, 0], "per_1k_words": [50.0, 50.0, 30.0, 0.0],
        })
        mentions = pd.DataFrame({
            "doc_id": [docs[0], docs[0], docs[1]], "para_id": [paras.para_id[1]] * 2 + [paras.para_id[3]],
            "sent_id": [sents.sent_id[1], sents.sent_id[2], sents.sent_id[4]],
            "concept": ["platform", "traffic", "traffic"], "text": ["platform", "Traffic", "traffic"],
            "start": [0, 0, 0], "end": [1, 1, 1],
        })
        suggestions = pd.DataFrame({"term": [f"term {XSS_SCRIPT}"], "score": [1.5], "n_docs": [2],
                                    "variants": [["a", "b"]], "example": [XSS_ATTR]})
        lexicon = SimpleNamespace(ids=["traffic", "platform"], labels={"traffic": "Traffic", "platform": "Platform <i>"},
                                  core=[])
        result.concepts = ConceptResult(mentions=mentions, by_document=by_doc, suggestions=suggestions,
                                        cooccurrence=pd.DataFrame(columns=["concept_a", "concept_b", "scope", "count"]),
                                        lexicon=lexicon, doc_ids=list(docs),
                                        total_words=int(corpus.documents["n_words"].sum()))
        if extra_columns:
            by_doc["surprise"] = [[1, 2]] * len(by_doc)
        result.stage_status["concepts"] = {"status": "ok", "reason": ""}
    if topics:
        assignments = pd.DataFrame({"unit_id": paras.para_id, "doc_id": paras.doc_id,
                                    "topic": [[0, 1, 0, -1][i % 4] for i in range(len(paras))]})
        sizes = assignments["topic"].value_counts()
        table = pd.DataFrame({"topic": [-1, 0, 1], "label": ["outliers", "retail_change", f"label {XSS_SCRIPT}"],
                              "size": [int(sizes.get(t, 0)) for t in (-1, 0, 1)],
                              "top_terms": [["x"], ["retail", "change"], ["traffic"]]})
        table["share"] = table["size"] / len(assignments)
        first = assignments.groupby("topic", sort=True).head(1)
        representatives = pd.DataFrame({"topic": first["topic"], "rank": 1, "unit_id": first["unit_id"],
                                        "doc_id": first["doc_id"],
                                        "text": [paras.set_index("para_id").at[u, "text"] for u in first["unit_id"]]})
        counts = assignments.groupby(["doc_id", "topic"]).size()
        doc_topics = (counts / counts.groupby(level=0).transform("sum")).rename("share").reset_index()
        if extra_columns:
            table["representation_extra"] = ["a", "b", "c"]
        result.topics = SimpleNamespace(assignments=assignments, topics=table, representatives=representatives,
                                        doc_topics=doc_topics,
                                        metrics={"n_topics": 2, "outlier_share": 0.25, "npmi": 0.1, "diversity": 1.0})
        result.stage_status["topics"] = {"status": "ok", "reason": ""}
    else:
        result.stage_status["topics"] = {"status": "skipped", "reason": "too few units to cluster (4 < 10)"}
    if framing:
        xss_sent = sents[sents.text.str.contains("onerror")].iloc[0]
        contrasts = pd.DataFrame({
            "doc_id": [docs[0], xss_sent.doc_id], "sent_id": [sents.sent_id[1], xss_sent.sent_id],
            "old": ["a platform", XSS_ATTR], "new": ["an infrastructure", "retention"], "cue": ["not X, but Y", "from X to Y"],
            "old_concept": ["platform", "traffic"], "new_concept": ["", ""], "speaker": ["author", "others"],
            "sentence": [sents.text[1], xss_sent.text],
            "old_start": pd.array([None, None], dtype="Int64"), "old_end": pd.array([None, None], dtype="Int64"),
            "new_start": pd.array([None, None], dtype="Int64"), "new_end": pd.array([None, None], dtype="Int64"),
            "first_sent_id": [sents.sent_id[1], xss_sent.sent_id],
        })
        if extra_columns:
            contrasts["confidence"] = [0.9, 0.5]
        shifts = pd.DataFrame({"concept": ["traffic"], "label": ["Traffic"], "from_doc": [docs[0]], "to_doc": [docs[1]],
                               "drift": [0.5], "change": ["present -> past"], "evidence": [xss_sent.text],
                               "evidence_text": [""]})
        profiles = pd.DataFrame({"doc_id": [docs[0], docs[1]], "concept": ["traffic", "traffic"],
                                 "share_old": [0.0, 1.0], "share_new": [1.0, 0.0], "share_negative": [0.0, 0.5],
                                 "share_positive": [0.5, 0.0]})
        summaries = pd.DataFrame({"scope": ["concept", "document"], "key": ["traffic", xss_sent.doc_id],
                                  "text": [f"Traffic recedes {XSS_SCRIPT}", "Says goodbye to traffic."],
                                  "evidence": [xss_sent.text, sents.text[1]]})
        result.framing = FramingResult(contrasts=contrasts, shifts=shifts, summaries=summaries, profiles=profiles,
                                       orientation=pd.DataFrame(), context=pd.DataFrame(), doc_ids=list(docs))
        result.stage_status["framing"] = {"status": "ok", "reason": ""}
    return result


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    corpus = _corpus()
    result = _fake_result(corpus)
    out = tmp_path_factory.mktemp("report")
    files = write_reports(result, out, run_info={"parameters": result.params})
    return SimpleNamespace(result=result, out=out, files=files,
                           html=(out / "report.html").read_text("utf-8"), md=(out / "report.md").read_text("utf-8"))


def test_writes_every_format(rendered):
    names = set(rendered.files)
    assert {"report.md", "report.html", "run.json", "tables/documents.csv", "tables/topics.csv",
            "tables/framing_contrasts.csv", "tables/concepts_by_document.csv", "tables/topic_metrics.csv"} <= names
    for path in rendered.files.values():
        assert path.exists() and path.stat().st_size > 0
    assert json.loads((rendered.out / "run.json").read_text())["files"] == sorted(names)


def test_html_escapes_corpus_text(rendered):
    html = rendered.html
    assert XSS_SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "<svg onload" not in html
    parsed = HtmlCollector()
    parsed.feed(html)
    assert not [t for t, _ in parsed.tags if t in ("img", "svg", "iframe", "object")]
    event_attrs = [(t, k) for t, attrs in parsed.tags for k in attrs if k.startswith("on")]
    assert event_attrs == []
    # Our scripts only: the plotly bundle plus one per chart; none carries corpus markup.
    assert len(parsed.scripts) >= 2
    for body in parsed.scripts[1:]:
        assert "<script" not in body.lower() and "</" not in body
        assert "onerror=" not in body


def test_html_quotes_link_to_essay_text(rendered):
    parsed = HtmlCollector()
    parsed.feed(rendered.html)
    internal = [h for h in parsed.hrefs if h.startswith("#")]
    assert internal, "no quote links"
    missing = [h for h in internal if h[1:] not in parsed.ids]
    assert missing == []
    corpus = rendered.result.corpus
    # Every sentence and paragraph of every essay is on the page with its anchor.
    for sid in corpus.sentences.sent_id:
        assert anchor("s", sid) in parsed.ids
    for pid in corpus.paragraphs.para_id:
        assert anchor("p", pid) in parsed.ids
    # Each contrast quote links to the sentence it quotes.
    for sid in rendered.result.framing.contrasts.sent_id:
        assert "#" + anchor("s", sid) in internal


def test_html_is_self_contained(rendered):
    from corpus_tools.report.charts import plotly_bundle

    html = rendered.html
    bundle = plotly_bundle()
    assert html.count(bundle) == 1  # inlined exactly once
    page = html.replace(bundle, "")
    assert re.search(r"<script[^>]+src=", page) is None
    assert re.search(r"<link[^>]+href=", page) is None
    assert "https://" not in page and "http://" not in page
    assert page.count("Plotly.newPlot") >= 3


def test_markdown_escapes_and_covers_sections(rendered):
    md = rendered.md
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script>alert(1)&lt;/script>" in md
    for heading in ("## Corpus overview", "## Concepts", "## Themes", "## Contrast frames",
                    "## Concept trajectories and summaries", "## Skipped and removed", "## Run"):
        assert heading in md
    # Every table row has the header's number of cells: pipes in text never break a table.
    for block in re.findall(r"((?:^\|.*\|\n)+)", md, flags=re.M):
        rows = block.strip("\n").split("\n")
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows


def test_md_escape():
    assert md_escape("a | b") == "a \\| b"
    assert md_escape("<b>x</b> & y") == "&lt;b>x&lt;/b> &amp; y"
    assert md_escape("multi\nline  text") == "multi line text"
    assert md_escape("**bold** _it_ `code` [link](x)") == "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[link\\](x)"
    assert md_escape(None) == "" and md_escape(float("nan")) == ""


def test_missing_stage_is_explained():
    corpus = _corpus()
    result = _fake_result(corpus, topics=False)
    ctx = build_context(result)
    assert ctx["themes"] is None
    md = render_markdown(ctx)
    assert "Themes were not computed: too few units to cluster (4 &lt; 10)" in md
    from corpus_tools.report.html import render_html

    html = render_html(ctx)
    assert "too few units to cluster (4 &lt; 10)" in html
    assert "chart-theme-sizes" not in html and "chart-heatmap" in html


def test_extra_columns_are_tolerated(tmp_path):
    result = _fake_result(_corpus(), extra_columns=True)
    files = write_reports(result, tmp_path, ("md", "html", "csv"))
    assert "report.html" in files
    table = pd.read_csv(files["tables/concepts_by_document.csv"])
    assert table["surprise"].tolist()[0] == "1; 2"  # list cells joined, never a Python repr


def test_no_stage_at_all(tmp_path):
    result = _fake_result(_corpus(), topics=False, framing=False, concepts=False)
    files = write_reports(result, tmp_path, ("md", "html"))
    text = files["report.md"].read_text()
    assert "Concepts were not computed" in text and "Framing was not computed" in text


def test_essay_segments_rebuild_paragraphs():
    corpus = _corpus()
    ctx = build_context(_fake_result(corpus))
    by_id = dict(zip(corpus.paragraphs.para_id.map(lambda p: anchor("p", p)), corpus.paragraphs.text))
    n = 0
    for essay in ctx["essays"]:
        for para in essay["paragraphs"]:
            assert "".join(s["text"] for s in para["segments"]) == by_id[para["id"]]
            n += 1
    assert n == len(corpus.paragraphs)


def test_anchor_is_ascii_and_collision_free():
    ids = ["a-b", "a_b", "a.b", "a b", "a/b", "é", XSS_ID, "a.2e.b"]
    anchors = [anchor("s", i) for i in ids]
    assert len(set(anchors)) == len(ids)
    for a in anchors:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+", a), a


def test_safe_name_never_escapes_folder():
    for raw in ["../../etc/passwd", "a/b", "con:tab<>", "", "é"]:
        name = safe_name(raw)
        assert re.fullmatch(r"[A-Za-z0-9_-]+", name), name


def test_tidy_for_output_flattens_lists_and_dicts():
    df = pd.DataFrame({"a": [["x", "y"], []], "b": [{"k": 1}, None], "c": [1, 2]})
    out = tidy_for_output(df)
    assert out["a"].tolist() == ["x; y", ""]
    assert out["b"].tolist()[0] == '{"k": 1}'
    assert out["c"].tolist() == [1, 2]


def test_write_tables_csv_parquet_and_stale(tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "my_notes.csv").write_text("keep me\n")       # a user's own file
    (folder / "topics.csv").write_text("mine too\n")        # a user's file named like a table
    write_tables({"documents": pd.DataFrame({"doc_id": ["a"]}), "topic_terms": pd.DataFrame({"t": [1]})},
                 folder, parquet=True)
    files = write_tables({"documents": pd.DataFrame({"doc_id": ["a"], "terms": [["x", "y"]]})}, folder, parquet=True)
    # Only what the first call wrote (its manifest) is removed as stale; nothing else.
    assert not (folder / "topic_terms.csv").exists() and not (folder / "topic_terms.parquet").exists()
    assert (folder / "topics.csv").read_text() == "mine too\n"
    assert (folder / "my_notes.csv").read_text() == "keep me\n"
    assert set(files) == {"tables/documents.csv", "tables/documents.parquet"}
    back = pd.read_parquet(folder / "documents.parquet")
    assert back["terms"].tolist() == ["x; y"]
    assert "topics" in KNOWN_TABLES


def test_tables_are_streamed_to_disk_unchanged_and_mixed_columns_still_convert(tmp_path):
    frame = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": ["x, \"quoted\"", "é\nnew line", ""],
                          "n": [1, None, 3], "mixed": [1, "two", 3.5]})
    files = write_tables({"documents": frame}, tmp_path, parquet=True)
    assert (tmp_path / "documents.csv").read_text(encoding="utf-8") == frame.to_csv(index=False)
    assert "tables/documents.parquet" in files  # the mixed object column is written as text
    assert pd.read_parquet(tmp_path / "documents.parquet")["mixed"].tolist() == ["1", "two", "3.5"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_tidy_for_output_leaves_string_columns_alone():
    frame = pd.DataFrame({"a": pd.Series(["x", None], dtype="str"), "b": [["y"], "z"]})
    out = tidy_for_output(frame)
    assert out["a"].dtype == frame["a"].dtype and out["b"].tolist() == ["y", "z"]
    assert frame["b"].tolist() == [["y"], "z"]  # the caller's frame is not modified


def test_collect_tables_names_and_metrics():
    result = _fake_result(_corpus())
    tables = collect_tables(result)
    assert {"documents", "paragraphs", "sentences", "skipped", "removed", "concept_mentions",
            "concepts_by_document", "topics", "topic_assignments", "topic_metrics", "framing_contrasts",
            "framing_shifts", "framing_summaries", "stage_status"} <= set(tables)
    metrics = tables["topic_metrics"]
    assert dict(zip(metrics.metric, metrics.value))["n_topics"] == 2


def test_check_formats():
    assert check_formats("md, html") == ("md", "html")
    assert check_formats(["csv", "csv"]) == ("csv",)
    with pytest.raises(ValueError, match="pdf"):
        check_formats("md,pdf")
    with pytest.raises(ValueError):
        check_formats("")


def test_atomic_write_keeps_previous_file_on_failure(tmp_path, monkeypatch):
    result = _fake_result(_corpus())
    write_reports(result, tmp_path, ("md",))
    before = (tmp_path / "report.md").read_bytes()
    import corpus_tools.report.markdown as markdown

    def broken(ctx, **kw):
        raise RuntimeError("killed while rendering")

    monkeypatch.setattr(markdown, "render_markdown", broken)
    with pytest.raises(RuntimeError):
        write_reports(result, tmp_path, ("md",))
    assert (tmp_path / "report.md").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_report_files_are_world_readable(rendered):
    for path in rendered.files.values():
        assert path.stat().st_mode & 0o044 == 0o044, path


def test_highlights_count_reframings_per_concept_pair():
    result = _fake_result(_corpus())
    result.framing.contrasts = pd.DataFrame({
        "doc_id": ["plain"] * 4, "sent_id": [""] * 4, "old": ["x"] * 4, "new": ["y"] * 4, "cue": ["not X, but Y"] * 4,
        "old_concept": ["traffic", "traffic; platform", "traffic", "platform"],
        "new_concept": ["reserve", "reserve", "reserve", ""],
        "speaker": ["author", "author", "others", "author"], "sentence": ["s"] * 4, "first_sent_id": [""] * 4,
        **{c: pd.array([None] * 4, dtype="Int64") for c in ("old_start", "old_end", "new_start", "new_end")},
    })
    highlights = build_context(result)["highlights"]
    line = next(h for h in highlights if h.startswith("Commonest reframings"))
    # "others" do not count; a two-concept side counts for each concept; a bare rejection is no pair.
    assert "Traffic → reserve (2)" in line and "Platform <i> → reserve" not in line
    assert line.endswith("; 1 more pair seen once each.")  # a claim of "commonest" needs two
    assert highlights[0].startswith("Most mentioned concepts: Traffic (2)")


# --- the contract between the stages and the report (corpus_tools.schemas) ------------------


def _contract_columns():
    from corpus_tools.schemas import CONTRACT

    return [(t.stage, t.name, c) for t in CONTRACT if t.stage != "comparison" for c in t.columns]


def _replace_table(result, stage: str, name: str, frame) -> None:
    """Make ``result.<stage>.<name>`` give ``frame``: the attribute, or what the method returns."""
    import dataclasses

    holder = getattr(result, stage)
    if stage == "corpus":
        result.corpus = dataclasses.replace(result.corpus, **{name: frame})
    elif callable(getattr(holder, name)):
        setattr(holder, name, lambda *args, **kwargs: frame)
    else:
        setattr(holder, name, frame)


@pytest.mark.parametrize("stage,name,column", _contract_columns())
def test_a_renamed_column_fails_loudly(stage, name, column):
    """Every column the report reads is in the contract, and renaming any of them is an error
    naming it, never a silently empty section."""
    from corpus_tools.errors import SchemaError

    from corpus_tools.schemas import schema

    result = _fake_result(_corpus())
    build_context(result)  # the complete fake passes
    renamed = schema(stage, name).read(getattr(result, stage)).rename(columns={column: column + "_renamed"})
    _replace_table(result, stage, name, renamed)
    with pytest.raises(SchemaError, match=rf"{stage}\.{name} lacks {column}\b"):
        build_context(result)


@pytest.mark.parametrize("stage,name", [("concepts", "table"), ("framing", "profile_table")])
def test_a_wide_table_without_its_index_fails_loudly(stage, name):
    """The essay x concept tables are read by essay: an index of another name is an error."""
    from corpus_tools.errors import SchemaError
    from corpus_tools.schemas import schema

    result = _fake_result(_corpus())
    wide = schema(stage, name).read(getattr(result, stage))
    _replace_table(result, stage, name, wide.rename_axis("essay"))
    with pytest.raises(SchemaError, match=rf"{stage}\.{name} lacks index doc_id"):
        build_context(result)


def test_real_stage_results_meet_the_contract(tmp_path_factory):
    from corpus_tools.schemas import CONTRACT, check_result

    from .test_pipeline import starter_analysis_run

    result = starter_analysis_run(tmp_path_factory).result
    check_result(result)
    for t in CONTRACT:
        stage = getattr(result, t.stage)
        if stage is not None:
            assert t.missing(t.read(stage)) == [], t.key


def test_the_report_reads_only_contract_tables():
    from corpus_tools.report.context import table

    result = _fake_result(_corpus())
    with pytest.raises(KeyError, match="not part of the report contract"):
        table(result, "framing", "context")


def test_charts_are_reused_for_the_same_results_and_rebuilt_for_new_ones(tmp_path):
    from corpus_tools.report import build_context
    from corpus_tools.report._reuse import cached_charts
    from corpus_tools.report.charts import CONTEXT_KEYS, build_charts

    ctx = build_context(_fake_result(_corpus()))
    # The cache key covers every entry the charts read: the charts of that part alone are the same.
    assert build_charts({k: ctx[k] for k in CONTEXT_KEYS if k in ctx}) == build_charts(ctx)
    calls = []

    def counting(c):
        calls.append(1)
        return build_charts(c)

    first = cached_charts(ctx, counting, tmp_path)
    again = cached_charts(dict(ctx, timings={"load": 99.0}), counting, tmp_path)  # only this run's timings differ
    assert again == first and len(calls) == 1
    other = build_context(_fake_result(_corpus({"extra": "Retail is not a platform, but an infrastructure. " * 5})))
    cached_charts(other, counting, tmp_path)
    assert len(calls) == 2


# --- the report fixes of issue 13, on the real report of corpus/ --------------------------------


@pytest.fixture(scope="module")
def starter_report(tmp_path_factory):
    from .test_pipeline import starter_analysis_run

    run = starter_analysis_run(tmp_path_factory)
    return SimpleNamespace(result=run.result, md=(run.out / "report.md").read_text("utf-8"),
                           html=(run.out / "report.html").read_text("utf-8"))


def _section(md: str, heading: str) -> str:
    return md.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_every_share_has_its_count_and_small_counts_are_held_back(starter_report):
    md = starter_report.md
    summaries = [line for line in md.splitlines() if line.startswith("**") and "Mentioned in" in line]
    assert len(summaries) >= 20
    mentions = starter_report.result.concepts.ranked().set_index("label")["count"]
    for line in summaries:
        label = line[2:line.index("**", 2)]
        shares = re.search(r"framed as the past in \d+% and as present or future in \d+% of its (\d+) mentions", line)
        if "%" in line:  # a share is stated with the count it rests on, never below 5 mentions
            assert shares and int(shares.group(1)) == mentions[label] >= 5, line
            assert line.count("%") == 2, line
        if mentions[label] < 5:  # below 5 mentions no share is claimed, and the text says why
            assert not shares and f"too few mentions ({mentions[label]})" in line, line
    assert sum("%" in line for line in summaries) >= 10


def test_concepts_are_labelled_once_and_untitled_essays_by_their_first_words(starter_report):
    md, html = starter_report.md, starter_report.html
    assert not re.search(r"\*\*([^*]+)\*\*: \1:", md)  # not "**Digital retail**: Digital retail: ..."
    docs = starter_report.result.corpus.documents
    untitled = docs[docs["title"].fillna("") == ""]["doc_id"].tolist()
    assert len(untitled) == 2
    from ._html import plotly_figures

    heatmap = plotly_figures(html[html.index('id="chart-heatmap"'):html.index('id="chart-theme-sizes"')])[0]
    for doc_id in untitled:
        first_words = " ".join(starter_report.result.corpus.text(doc_id).split()[:3])
        assert f"*untitled:* “{first_words}" in md
        assert any(first_words in label for label in heatmap["data"][0]["y"])
        assert not any(doc_id in label for label in heatmap["data"][0]["y"])


def test_most_intense_in_rounds_the_unrounded_rate_once(starter_report):
    """Deep water: 8 mentions in the 1,241 words of one essay are 6.446 per 1k (by_document keeps
    6.45, which would print as 6.5)."""
    line = next(line for line in starter_report.md.splitlines() if line.startswith("| **Deep water** |"))
    assert "(6.4 per 1k, 8 mentions)" in line
    assert "(6.4 per 1k, 8 mentions)" in starter_report.html
    # The trajectory line reads the same unrounded rate, so the two figures agree.
    trajectory = next(line for line in starter_report.md.splitlines() if line.startswith("- **Deep water**:"))
    assert ": 6.4" in trajectory and ": 6.5" not in trajectory


def test_frames_mark_both_sides_and_the_words_are_plain(starter_report):
    md, html = starter_report.md, starter_report.html
    contrasts = starter_report.result.framing.contrasts
    both = contrasts["old_start"].notna() & contrasts["new_start"].notna()
    # Every frame shown with the offsets of both sides has both marked in its quote.
    assert html.count('<mark class="old">') >= int(both.sum()) > 0
    assert html.count('<mark class="new">') >= int(both.sum())
    for jargon in ("keeps different company", "context drift", "npmi 0.", "silhouette 0.", "· → ·"):
        assert jargon not in md and jargon not in html, jargon
    assert "## Glossary" in md and 'id="glossary"' in html
    run = _section(md, "Run")
    for raw in ("['", "None", "False", "True", "``", "builtin"):
        assert raw not in run, raw
    assert "- frame grammar: built-in frame grammar" in run and "- lexicon: built-in retail lexicon" in run
    assert "- two-sentence frames: built-in discourse frames" in run
    for wrong in ("1 contrast frames", "(s)", " 1 essays", " 1 mentions "):
        assert wrong not in md, wrong


def test_a_two_sentence_frame_is_quoted_and_marked_from_its_first_sentence():
    """The report quotes a frame from ``first_sent_id`` to ``sent_id`` and marks a side that lies in
    the first sentence, reading the typed column rather than guessing from the quote's length."""
    corpus = _corpus()
    result = _fake_result(corpus)
    sents = corpus.sentences.set_index("sent_id")
    plain = corpus.sentences[corpus.sentences.doc_id == "plain"].sent_id.tolist()
    first_id, second_id = plain[1], plain[2]  # "... not a platform, but an infrastructure." "Traffic is over."
    first, second = sents.loc[first_id], sents.loc[second_id]
    doc_text = corpus.text(first.doc_id)
    passage = doc_text[first.start:second.end]
    old_start = doc_text.index("a platform", first.start)
    new_start = doc_text.index("Traffic", second.start)
    row = {"doc_id": first.doc_id, "sent_id": second_id, "first_sent_id": first_id, "old": "a platform",
           "new": "Traffic", "cue": "X (held view); however Y", "old_concept": "platform", "new_concept": "traffic",
           "speaker": "author", "sentence": passage, "old_start": old_start, "old_end": old_start + len("a platform"),
           "new_start": new_start, "new_end": new_start + len("Traffic")}
    contrasts = pd.DataFrame([row]).astype({c: "Int64" for c in ("old_start", "old_end", "new_start", "new_end")})
    result.framing = FramingResult(contrasts=contrasts, shifts=result.framing.shifts,
                                   summaries=result.framing.summaries, profiles=result.framing.profiles,
                                   orientation=pd.DataFrame(), context=pd.DataFrame(), doc_ids=corpus.doc_ids)
    (frame,) = build_context(result)["framing"]["contrasts"]
    assert "".join(s["text"] for s in frame["segments"]) == passage
    assert [(s["side"], s["text"]) for s in frame["segments"] if s["side"]] == [("old", "a platform"), ("new", "Traffic")]
    assert frame["href"] == "#" + anchor("s", second_id)


def test_trajectories_show_the_core_concepts_and_themes_keep_their_colour(starter_report):
    from ._html import plotly_figures

    html = starter_report.html
    charts = {f["layout"].get("title", {}).get("text", "")[:20]: f for f in plotly_figures(html)}
    trajectories = next(f for t, f in charts.items() if t.startswith("Concept trajector"))
    shown = {t["name"] for t in trajectories["data"] if t.get("visible", True) is True}
    lexicon = starter_report.result.concepts.lexicon
    assert shown == {lexicon.labels[c] for c in lexicon.core} == {"Traffic", "Reserve", "Platform",
                                                                   "Infrastructure", "Deep water"}
    sizes = next(f for t, f in charts.items() if t.startswith("Theme sizes"))
    share = next(f for t, f in charts.items() if t.startswith("Theme share"))
    colour_of_size = dict(zip(sizes["data"][0]["y"], sizes["data"][0]["marker"]["color"]))
    for trace in share["data"]:
        assert colour_of_size[trace["name"]] == trace["marker"]["color"], trace["name"]


def test_unmentioned_concepts_are_not_listed():
    corpus = _corpus()
    result = _fake_result(corpus)
    c = result.concepts
    docs = corpus.doc_ids
    c.by_document = pd.concat([c.by_document, pd.DataFrame({
        "doc_id": docs[:2], "concept": ["deep_water"] * 2, "label": ["Deep water"] * 2, "count": [0, 0],
        "per_1k_words": [0.0, 0.0]})], ignore_index=True)
    c.lexicon = SimpleNamespace(ids=["traffic", "platform", "deep_water"],
                                labels={"traffic": "Traffic", "platform": "Platform <i>", "deep_water": "Deep water"},
                                core=["deep_water", "traffic"])
    ctx = build_context(result)
    assert [r["concept"] for r in ctx["concepts"]["rows"]] == ["Traffic", "Platform <i>"]
    assert (ctx["concepts"]["n_lexicon"], ctx["concepts"]["n_unmentioned"]) == (3, 1)
    assert ctx["concepts"]["core"] == ["Traffic"]  # a core concept no essay mentions is not drawn
    assert ctx["concepts"]["concept_names"] == ["Traffic", "Platform <i>"]
    assert all(len(row) == 2 for row in ctx["concepts"]["matrix"])
    md = render_markdown(ctx)
    assert "Deep water" not in md and "1 of the lexicon's 3 concepts are not mentioned" in md
