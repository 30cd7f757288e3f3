"""``ct.analyze`` end to end on the starter corpus (run once per session) and on small fixtures.

The starter run is shared with test_cli_analyze.py and test_browser.py through
:func:`starter_analysis_run`, so the whole pipeline runs once for all of them.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from corpus_tools.errors import CorpusError, LexiconError
from corpus_tools.load import Corpus, load_corpus
from corpus_tools.pipeline import AnalysisResult, analyze
from corpus_tools.report import anchor
from corpus_tools.report.tables import collect_tables

from ._html import HtmlCollector
from .conftest import CORPUS_DIR

_RUNS: dict[str, SimpleNamespace] = {}

XSS_TEXTS = {
    "xss_essay": (
        "Digital retail <script>alert(1)</script> is not a platform, but an infrastructure.\n\n"
        "They said \"><img src=x onerror=alert(2)> traffic is over, and we moved from traffic to retention.\n\n"
        "Say goodbye to the era of traffic & welcome the era of reserve."
    ),
    "second": "New retail came and went. The platform era ended.\n\nRetention is the key now, not traffic.",
}


def _snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def starter_analysis_run(tmp_path_factory) -> SimpleNamespace:
    """``analyze("corpus/", out=tmp)`` with the session cache, computed once per session."""
    if "starter" not in _RUNS:
        out = tmp_path_factory.mktemp("analysis") / "outputs"
        before = _snapshot(CORPUS_DIR)
        result = analyze(CORPUS_DIR, out=out, seed=42)
        _RUNS["starter"] = SimpleNamespace(result=result, out=out, corpus_before=before)
    return _RUNS["starter"]


@pytest.fixture(scope="session")
def starter_analysis(tmp_path_factory) -> SimpleNamespace:
    return starter_analysis_run(tmp_path_factory)


@pytest.fixture(scope="module")
def xss_analysis(tmp_path_factory):
    """A two-essay corpus with script and attribute-breaking payloads: too small to cluster."""
    out = tmp_path_factory.mktemp("xss") / "out"
    corpus = Corpus.from_texts(XSS_TEXTS)
    calls = []

    class Recorder:
        def __call__(self, iterable, desc=None, total=None):
            calls.append(("bar", desc, total))
            return iterable

        def stage(self, message):
            calls.append(("stage", message))

    result = analyze(corpus, out=out, progress=Recorder())
    return SimpleNamespace(result=result, out=out, calls=calls)


# --- the starter corpus ------------------------------------------------------------------


def test_every_stage_ran(starter_analysis):
    result = starter_analysis.result
    assert isinstance(result, AnalysisResult)
    assert {k: v["status"] for k, v in result.stage_status.items()} == {
        "parse": "ok", "concepts": "ok", "framing": "ok", "topics": "ok"}
    assert len(result.corpus) == 5
    assert len(result.concepts.mentions) > 100
    assert result.topics.metrics["n_topics"] >= 2
    assert len(result.framing.contrasts) > 10
    assert set(result.timings) >= {"load", "parse", "concepts", "framing", "topics", "report"}


def test_streamed_stages_match_standalone(starter_analysis, starter_corpus, parsed_starter, nlp):
    """Parsing once and streaming gives what each stage gives on its own."""
    from corpus_tools.concepts import extract_concepts
    from corpus_tools.framing import analyze_framing

    result = starter_analysis.result
    alone = extract_concepts(starter_corpus, parsed=parsed_starter, nlp=nlp)
    cols = ["doc_id", "sent_id", "concept", "start", "end"]
    pd.testing.assert_frame_equal(result.concepts.mentions[cols].reset_index(drop=True),
                                  alone.mentions[cols].reset_index(drop=True))
    framing = analyze_framing(starter_corpus, alone, parsed=parsed_starter, nlp=nlp)
    cols = ["doc_id", "sent_id", "old", "new", "cue", "speaker"]
    pd.testing.assert_frame_equal(result.framing.contrasts[cols].reset_index(drop=True),
                                  framing.contrasts[cols].reset_index(drop=True))


def test_files_and_tables(starter_analysis):
    out, result = starter_analysis.out, starter_analysis.result
    for name in ("report.md", "report.html", "run.json"):
        assert result.files[name] == out / name and (out / name).stat().st_size > 1000
    tables = collect_tables(result)
    for name, frame in tables.items():
        csv = out / "tables" / f"{name}.csv"
        assert csv.exists(), name
        back = pd.read_csv(csv, keep_default_na=False)
        assert list(back.columns) == [str(c) for c in frame.columns], name
        assert len(back) == len(frame), name
        parquet = pd.read_parquet(out / "tables" / f"{name}.parquet")
        assert parquet.shape == frame.shape, name
    # Tidy: list-valued cells are "; "-joined, never a Python repr.
    topics = pd.read_csv(out / "tables" / "topics.csv")
    assert not topics["top_terms"].astype(str).str.startswith("[").any()
    for expected in ("documents", "concept_mentions", "concepts_by_document", "topics", "topic_assignments",
                     "framing_contrasts", "framing_shifts", "framing_summaries", "removed", "skipped"):
        assert expected in tables
    # Every file the result lists exists and sits inside the output folder.
    for path in result.files.values():
        assert path.exists() and out in path.parents


def test_run_json_provenance(starter_analysis):
    out = starter_analysis.out
    info = json.loads((out / "run.json").read_text("utf-8"))
    assert info["seed"] == 42 and info["parameters"]["unit"] == "paragraph"
    versions = info["versions"]
    for key in ("corpus_tools", "spacy", "spacy_model", "spacy_model_version", "embedding_model", "bertopic",
                "scikit-learn", "torch"):
        assert versions.get(key), key
    inputs = {row["path"]: row for row in info["inputs"]}
    for doc in sorted(CORPUS_DIR.glob("*.txt")):
        row = next(r for p, r in inputs.items() if p and Path(p).name == doc.name)
        assert row["sha256"] == hashlib.sha256(doc.read_bytes()).hexdigest()
    assert any(r["role"] == "metadata" for r in info["inputs"])
    assert set(info["timings_seconds"]) >= {"load", "parse", "concepts", "framing", "topics", "report"}
    assert isinstance(info["warnings"], list)
    assert info["stages"]["topics"]["status"] == "ok"
    assert sorted(info["files"]) == sorted(starter_analysis.result.files)


def test_markdown_report_content(starter_analysis):
    from corpus_tools.report.markdown import md_escape

    md = (starter_analysis.out / "report.md").read_text("utf-8")
    result = starter_analysis.result
    for title in result.corpus.documents["title"].dropna():
        if title:
            assert md_escape(title) in md
    labels = result.concepts.totals().sort_values("count", ascending=False)["label"].head(3)
    for label in labels:
        assert f"**{md_escape(label)}**" in md
    for label in result.topics.topics.loc[result.topics.topics["topic"] != -1, "label"]:
        assert md_escape(label) in md
    for row in result.framing.contrasts.head(8).itertuples():
        assert md_escape(row.old) in md
    assert "web boilerplate" in md and "verbatim repeat" in md
    assert "No file was skipped." in md
    # Plain-language summaries with their evidence.
    assert "## Concept trajectories and summaries" in md and "\n> “" in md


class _Spans(HTMLParser):
    """Text of every element with an id (nested ids each get their own text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.text: dict[str, str] = {}
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.hrefs.append(attrs["href"])
        if tag in ("br", "meta", "img", "input", "link"):
            return
        self.stack.append((tag, attrs.get("id")))
        if attrs.get("id"):
            self.text.setdefault(attrs["id"], "")

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        for _, ident in self.stack:
            if ident:
                self.text[ident] += data


@pytest.fixture(scope="module")
def starter_html(starter_analysis):
    parser = _Spans()
    parser.feed((starter_analysis.out / "report.html").read_text("utf-8"))
    return parser


def test_html_evidence_links_land_on_the_quoted_sentence(starter_analysis, starter_html):
    result = starter_analysis.result
    corpus = result.corpus
    sentences = corpus.sentences.set_index("sent_id")
    missing = [h for h in starter_html.hrefs if h[1:] not in starter_html.text]
    assert missing == []
    for row in result.framing.contrasts.itertuples():
        target = anchor("s", row.sent_id)
        assert "#" + target in starter_html.hrefs
        sent = sentences.loc[row.sent_id]
        # The linked span shows the sentence exactly as in the original text.
        assert starter_html.text[target] == corpus.text(row.doc_id)[sent.start:sent.end]
        # A two-sentence frame is linked at its second sentence; its old side may be in the first.
        passage = corpus.text(row.doc_id)[sentences.loc[row.first_sent_id].start:sent.end]
        assert row.old in (starter_html.text[target] if row.first_sent_id == row.sent_id else passage)
        assert corpus.text(row.doc_id)[row.old_start:row.old_end] == row.old


def test_a_frame_quotes_the_passage_from_its_first_sentence(starter_analysis):
    corpus = starter_analysis.result.corpus
    sentences = corpus.sentences.reset_index(drop=True)
    position = {sid: i for i, sid in enumerate(sentences.sent_id)}
    by_id = sentences.set_index("sent_id")
    contrasts = starter_analysis.result.framing.contrasts
    two = 0
    for row in contrasts.itertuples():
        first, last = by_id.loc[row.first_sent_id], by_id.loc[row.sent_id]
        assert corpus.text(row.doc_id)[first.start:last.end] == row.sentence
        if row.first_sent_id != row.sent_id:  # the sentence just before, in the same paragraph
            two += 1
            assert position[row.first_sent_id] == position[row.sent_id] - 1 and first.para_id == last.para_id
        for side in ("old", "new"):
            start = getattr(row, f"{side}_start")
            if getattr(row, side) and not pd.isna(start):
                assert first.start <= start and getattr(row, f"{side}_end") <= last.end
    assert 0 < two < len(contrasts)


def test_html_shows_every_essay_in_full(starter_analysis, starter_html):
    corpus = starter_analysis.result.corpus
    for para in corpus.paragraphs.itertuples():
        assert starter_html.text[anchor("p", para.para_id)] == para.text
    for doc_id in corpus.doc_ids:
        assert anchor("doc", doc_id) in starter_html.text


def test_input_folder_untouched(starter_analysis):
    assert _snapshot(CORPUS_DIR) == starter_analysis.corpus_before


@pytest.mark.slow
def test_same_seed_same_tables(tmp_path):
    """Two separate processes (own hash seeds), each with its own empty cache, write identical tables."""
    import os
    import subprocess
    import sys

    runs = []
    for name in ("a", "b"):
        env = {**os.environ, "CORPUS_TOOLS_CACHE_DIR": str(tmp_path / f"cache-{name}")}
        cmd = [sys.executable, "-m", "corpus_tools", "analyze", str(CORPUS_DIR), "--out", str(tmp_path / name),
               "--seed", "42", "--format", "csv", "--quiet"]
        runs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for proc in runs:
        output, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, output
    tables_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv"))
    tables_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.csv"))
    assert tables_a == tables_b and len(tables_a) >= 20
    assert any(str(t).startswith("tables/topic") for t in tables_a)  # themes were computed, not skipped
    for name in tables_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_killed_run_leaves_previous_report_intact(starter_analysis, starter_corpus, tmp_path, monkeypatch):
    out = tmp_path / "outputs"
    shutil.copytree(starter_analysis.out, out)
    before = _snapshot(out)
    import corpus_tools.topics

    def crash(*args, **kwargs):
        raise RuntimeError("simulated crash in the middle of the run")

    monkeypatch.setattr(corpus_tools.topics, "find_topics", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        # A fresh cache: with the session's, the themes would come from the result cache.
        analyze(starter_corpus, out=out, seed=42, cache_dir=tmp_path / "cache")
    assert _snapshot(out) == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_refuses_output_inside_input(tmp_path):
    from corpus_tools._fileio import OutputPathError

    folder = tmp_path / "essays"
    folder.mkdir()
    (folder / "a.txt").write_text("Digital retail is not a platform, but an infrastructure.")
    before = _snapshot(folder)
    with pytest.raises(OutputPathError, match="input folder"):
        analyze(folder, out=folder / "outputs")
    assert _snapshot(folder) == before and not (folder / "outputs").exists()


# --- small fixtures -----------------------------------------------------------------------


def test_stage_that_cannot_run_is_reported_not_fatal(xss_analysis):
    result = xss_analysis.result
    assert result.topics is None
    status = result.stage_status["topics"]
    assert status["status"] == "skipped" and "too few" in status["reason"]
    assert result.stage_status["concepts"]["status"] == "ok"
    assert result.stage_status["framing"]["status"] == "ok"
    assert len(result.framing.contrasts) >= 1
    assert any(w.startswith("topics skipped") for w in result.warnings)
    md = (xss_analysis.out / "report.md").read_text("utf-8")
    assert "Themes were not computed: " in md and "too few" in md
    html = (xss_analysis.out / "report.html").read_text("utf-8")
    assert "Themes were not computed: " in html
    info = json.loads((xss_analysis.out / "run.json").read_text())
    assert info["stages"]["topics"]["status"] == "skipped"


def test_corpus_text_is_escaped_end_to_end(xss_analysis):
    html = (xss_analysis.out / "report.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html
    md = (xss_analysis.out / "report.md").read_text("utf-8")
    assert "<script>" not in md and "<img" not in md


def test_progress_reports_stages_and_counts(xss_analysis):
    bars = [c for c in xss_analysis.calls if c[0] == "bar"]
    stages = [c[1] for c in xss_analysis.calls if c[0] == "stage"]
    assert ("bar", "parse + concepts + framing", 2) in bars
    assert any(m.startswith("loaded 2 documents") for m in stages)
    assert any("themes" in m for m in stages)


def test_no_out_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = analyze(Corpus.from_texts({"a": "Traffic is not the answer, but retention is."}), out=None)
    assert result.files == {} and list(tmp_path.iterdir()) == []
    assert result.concepts is not None


def test_bad_inputs_fail_clearly(tmp_path):
    with pytest.raises(CorpusError):
        analyze(tmp_path / "missing")
    corpus = Corpus.from_texts({"a": "Traffic."})
    with pytest.raises(ValueError, match="format"):
        analyze(corpus, formats="md,pdf")
    with pytest.raises(ValueError, match="unit"):
        analyze(corpus, unit="chapter")
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml\n")
    with pytest.raises(LexiconError):
        analyze(corpus, lexicon=bad)


def test_load_corpus_path_and_object_agree(starter_corpus):
    assert load_corpus(CORPUS_DIR).doc_ids == starter_corpus.doc_ids


def test_failing_concept_stage_leaves_framing_running(monkeypatch, tmp_path):
    from corpus_tools.concepts import ConceptExtractor
    from corpus_tools.errors import CorpusToolsError

    def refuse(self, parsed_doc, text=None):
        raise CorpusToolsError("concept matcher unavailable for this input")

    monkeypatch.setattr(ConceptExtractor, "transform_document", refuse)
    # A fresh cache: with the session's, the rows of these texts would come from the row cache.
    result = analyze(Corpus.from_texts(XSS_TEXTS), out=None, cache_dir=tmp_path / "cache")
    assert result.concepts is None
    assert result.stage_status["concepts"] == {"status": "skipped", "reason": "concept matcher unavailable for this input"}
    assert result.stage_status["framing"]["status"] == "ok"
    assert len(result.framing.contrasts) >= 1


def test_report_on_a_large_corpus_is_bounded_and_links_stay_inside(starter_analysis):
    """With limits below the corpus's size (as on a 5,000-essay corpus), the report shows the
    notable rows, counts all of them, reproduces only the most-cited essays and never links to
    an essay it left out."""
    from corpus_tools.report import build_context
    from corpus_tools.report.html import render_html

    result = starter_analysis.result
    contrasts = result.framing.contrasts
    ctx = build_context(result, max_rows=3, max_essays=2)
    framing = ctx["framing"]
    assert framing["n_contrasts"] == len(contrasts) > 3 and len(framing["contrasts"]) == 3
    notable = contrasts[(contrasts["old_concept"] != "") & (contrasts["new_concept"] != "")
                        & (contrasts["old_concept"] != contrasts["new_concept"]) & (contrasts["speaker"] != "others")]
    assert len(notable) >= 3  # the starter corpus has several reframings between two concepts
    assert all(c["old_concept"] and c["new_concept"] for c in framing["contrasts"])
    assert framing["n_shifts"] == len(result.framing.shifts) and len(framing["shifts"]) == min(3, framing["n_shifts"])
    assert [e["doc_id"] for e in ctx["essays"]] and len(ctx["essays"]) == ctx["n_essays_shown"] == 2
    html = render_html(ctx)
    page = HtmlCollector()
    page.feed(html)
    links = {h[1:] for h in page.hrefs if h.startswith("#")}
    assert links and links <= page.ids, sorted(links - page.ids)[:5]
    assert "are shown here, reframings between two concepts first" in html
    assert "2 of 5 essays are reproduced" in html
    # the default limits change nothing on five essays
    full = build_context(result)
    assert len(full["essays"]) == 5 and len(full["framing"]["contrasts"]) == len(contrasts)


def test_charts_group_essays_when_there_are_too_many_to_draw(starter_analysis, monkeypatch):
    """Past MAX_CHART_ESSAYS the charts plot consecutive groups of essays (their means), so the
    page does not grow with every essay; below it, every essay is drawn."""
    from corpus_tools.report import build_context
    from corpus_tools.report import charts

    from ._html import plotly_figures

    def heatmap_rows(fragment):
        return plotly_figures(fragment)[0]["data"][0]["y"]

    def trajectory_steps(fragment):
        return plotly_figures(fragment)[0]["data"][0]["x"]

    ctx = build_context(starter_analysis.result)
    every = charts.build_charts(ctx)
    assert len(heatmap_rows(every["heatmap"])) == 5 and len(trajectory_steps(every["trajectories"])) == 5
    assert not any(str(label).startswith("essays ") for label in heatmap_rows(every["heatmap"]))
    monkeypatch.setattr(charts, "MAX_CHART_ESSAYS", 2)
    grouped = charts.build_charts(ctx)
    assert heatmap_rows(grouped["heatmap"]) == ["essays 1–3", "essays 4–5"]
    assert trajectory_steps(grouped["trajectories"]) == ["essays 1–3", "essays 4–5"]
    first = ctx["concepts"]["trajectories"][0]["steps"]
    mean = round(sum(s["per_1k"] for s in first[:3]) / 3, 4)
    assert charts._series([s["per_1k"] for s in first], [[0, 1, 2], [3, 4]])[0] == pytest.approx(mean)
    assert charts._series([1.0, float("nan"), None], [[0, 1, 2]]) == [1.0]
    assert charts._series([2, 3, 4], [[0, 1], [2]], "sum") == [5, 4]


def test_one_essay_without_sentence_ends_never_stops_the_others(nlp, tmp_path, monkeypatch):
    """A paragraph longer than spaCy's max_length with no sentence end raised E088 and killed the
    whole run; it is now cut into pieces at spaces (here against a lowered limit, to stay fast)."""
    from corpus_tools.load import MAX_SENTENCE_CHARS

    run_on = " ".join(["the platform grows"] * 600)  # about 11,000 characters, no punctuation
    corpus = Corpus.from_texts({"run_on": run_on, "ok": XSS_TEXTS["second"]})
    monkeypatch.setattr(nlp, "max_length", MAX_SENTENCE_CHARS + 500)
    with pytest.raises(ValueError, match="E088"):
        nlp(run_on)  # the limit does bite
    result = analyze(corpus, nlp=nlp, cache_dir=tmp_path)
    assert result.stage_status["concepts"]["status"] == "ok"
    mentions = result.concepts.mentions
    assert set(mentions["doc_id"]) == {"run_on", "ok"}
    assert (mentions["doc_id"] == "run_on").sum() >= 590  # pieces cut at spaces lose at most a few
