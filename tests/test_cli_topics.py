"""``corpus-tools topics``: tables, JSON, files, and clean errors."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from corpus_tools.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def test_topics_is_listed_in_help(runner):
    result = runner.invoke(main, ["--help"])
    assert "topics" in result.output
    result = runner.invoke(main, ["topics", "--help"])
    for option in ("--unit", "--n-topics", "--seed", "--guided", "--baseline", "--out", "--json", "--cache-dir",
                   "--embedder"):
        assert option in result.output


def test_human_table(runner, corpus_dir):
    result = runner.invoke(main, ["topics", str(corpus_dir), "-q"])
    assert result.exit_code == 0, result.output
    assert "themes over" in result.output and "Representative quotes:" in result.output
    assert "NPMI" in result.output and "Most similar essays:" in result.output


def test_json_and_files(runner, corpus_dir, tmp_path, starter_corpus):
    out = tmp_path / "themes"
    result = runner.invoke(main, ["topics", str(corpus_dir), "--json", "--n-topics", "4", "--seed", "7",
                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["metrics"]["n_topics"] == 4 and payload["metrics"]["seed"] == 7
    assert {"topic", "label", "size", "top_terms"} <= set(payload["topics"][0])
    assert {"unit_id", "doc_id", "topic"} <= set(payload["assignments"][0])
    rep = payload["representatives"][0]
    assert starter_corpus.text(rep["doc_id"])[rep["start"]:rep["end"]] == rep["text"]
    for name in ("topics.csv", "topic_assignments.csv", "doc_topics.csv", "topic_prevalence.csv",
                 "similar_docs.csv", "topic_representatives.csv", "topic_metrics.json"):
        assert (out / name).is_file(), name
    assert (out / "topic_model" / "topic_model_params.json").is_file()


def test_refuses_to_write_into_the_corpus(runner, corpus_dir):
    result = runner.invoke(main, ["topics", str(corpus_dir), "--out", str(corpus_dir / "themes")])
    assert result.exit_code != 0
    assert "input folder" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("value", ["1", "lots"])
def test_bad_n_topics_is_a_usage_error(runner, corpus_dir, value):
    result = runner.invoke(main, ["topics", str(corpus_dir), "--n-topics", value])
    assert result.exit_code == 2
    assert "--n-topics" in result.output


def test_too_small_corpus_is_a_clear_message(runner, tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "a.txt").write_text("Digital retail is an infrastructure, not a platform, say the analysts.\n")
    result = runner.invoke(main, ["topics", str(folder)])
    assert result.exit_code == 1
    assert "too few to find themes" in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_folder_exits_2(runner, tmp_path):
    result = runner.invoke(main, ["topics", str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_embedder_option_selects_minilm_and_refuses_unknown_names(runner, corpus_dir):
    result = runner.invoke(main, ["topics", str(corpus_dir), "--json", "--embedder", "minilm"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)["metrics"]
    assert metrics["embedder"] == "minilm" and metrics["embedding_fingerprint"].startswith("all-MiniLM-L6-v2-")
    default = json.loads(runner.invoke(main, ["topics", str(corpus_dir), "--json"]).output)["metrics"]
    assert default["embedder"] == "static" and default["embedding_fingerprint"].startswith("minilm-static-")
    result = runner.invoke(main, ["topics", str(corpus_dir), "--embedder", "bert"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_fit_sample_option(runner, corpus_dir):
    result = runner.invoke(main, ["topics", str(corpus_dir), "--json", "--fit-sample", "40"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)["metrics"]
    assert metrics["fit_sample"] == 40 and metrics["n_fit_units"] == 40 and metrics["n_units"] == 75
    assert len(json.loads(result.output)["assignments"]) == 75
    human = runner.invoke(main, ["topics", str(corpus_dir), "-q", "--fit-sample", "40"])
    assert "fit: fitted on a seeded random sample of 40 of 75 units" in human.output
    for bad, code, message in (("5", 1, "fit_sample=5 is too small"), ("-1", 2, "--fit-sample")):
        result = runner.invoke(main, ["topics", str(corpus_dir), "--fit-sample", bad])
        assert result.exit_code == code and message in result.output and "Traceback" not in result.output
