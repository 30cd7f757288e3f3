"""The concepts, concepts suggest and kwic commands."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from corpus_tools.cli import main
from corpus_tools.lexicon import load_lexicon


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def run(runner, *args):
    result = runner.invoke(main, list(map(str, args)), catch_exceptions=False)
    return result


def test_concepts_table(runner, corpus_dir):
    res = run(runner, "concepts", corpus_dir)
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Mentions per document:" in out and "Mentions per 1,000 words:" in out
    counts_part, rates_part = out.split("Mentions per 1,000 words:")
    counts = {ln.split()[0]: ln.split()[1:] for ln in counts_part.splitlines() if ln.strip()}
    rates = {ln.split()[0]: ln.split()[1:] for ln in rates_part.splitlines() if ln.strip()}
    assert counts["deep_water"][-1] == "8"  # corpus column
    assert counts["deep_water"].count("0") == 4  # in one essay only
    assert float(rates["deep_water"][-1]) == pytest.approx(8 * 1000 / 5576, abs=0.05)
    assert "traffic" in counts and "reserve" in counts


def test_concepts_explicit_subcommand_and_json(runner, corpus_dir):
    res = run(runner, "concepts", "table", corpus_dir, "--json")
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert {"concepts", "by_document", "mentions", "cooccurrence"} <= set(payload)
    totals = {row["concept"]: row["count"] for row in payload["concepts"]}
    assert totals["deep_water"] == 8
    assert {"doc_id", "para_id", "sent_id", "concept", "text", "start", "end"} <= set(payload["mentions"][0])


def test_concepts_out_writes_csvs_and_refuses_input_folder(runner, corpus_dir, tmp_path):
    out = tmp_path / "out"
    res = run(runner, "concepts", corpus_dir, "--out", out)
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"concept_mentions.csv", "concepts_by_document.csv", "concept_table.csv",
            "concept_cooccurrence.csv", "concept_suggestions.csv"} <= names
    import pandas as pd

    table = pd.read_csv(out / "concept_table.csv")
    assert table.columns[0] == "doc_id" and "deep_water" in table.columns
    res = run(runner, "concepts", corpus_dir, "--out", corpus_dir / "results")
    assert res.exit_code != 0 and "input folder" in res.output
    assert not (corpus_dir / "results").exists()


def test_bad_lexicon_is_a_clean_error(runner, corpus_dir, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[concept]]\nid = "a"\npatterns = ["x"]\nwords = ["y"]\n')
    res = run(runner, "concepts", corpus_dir, "--lexicon", bad)
    assert res.exit_code == 2
    assert f"{bad}: line 4: unknown key 'words'" in res.output
    assert "Traceback" not in res.output
    res = run(runner, "kwic", corpus_dir, "traffic", "--lexicon", tmp_path / "missing.toml")
    assert res.exit_code == 2 and "not found" in res.output


def test_missing_corpus_is_a_clean_error(runner, tmp_path):
    res = run(runner, "concepts", tmp_path / "nowhere")
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_suggest_prints_and_writes_a_loadable_draft(runner, corpus_dir, tmp_path):
    draft = tmp_path / "draft.toml"
    res = run(runner, "concepts", "suggest", corpus_dir, "--top", 8, "--write", draft)
    assert res.exit_code == 0, res.output
    assert " 1. " in res.output and "e.g. [" in res.output and " 8. " in res.output
    lexicon = load_lexicon(draft)
    assert len(lexicon) == 8
    res = run(runner, "concepts", corpus_dir, "--lexicon", draft, "--json")
    assert res.exit_code == 0
    totals = {row["concept"]: row["count"] for row in json.loads(res.output)["concepts"]}
    assert all(n >= 2 for n in totals.values())
    res = run(runner, "concepts", "suggest", corpus_dir, "--json", "--top", 3)
    assert len(json.loads(res.output)["suggestions"]) == 3


def test_kwic_concept_and_phrase(runner, corpus_dir):
    res = run(runner, "kwic", corpus_dir, "deep_water", "--width", 25)
    assert res.exit_code == 0, res.output
    assert "8 matches for concept 'deep_water'" in res.output
    lines = [ln for ln in res.output.splitlines() if "[" in ln]
    assert len(lines) == 8 and len({ln.index("[") for ln in lines}) == 1
    assert all(ln.startswith("000_") for ln in lines)
    res = run(runner, "kwic", corpus_dir, "retention era", "--limit", 2, "--json")
    payload = json.loads(res.output)
    assert payload["concept"] is None and len(payload["lines"]) == 2
    assert {"doc_id", "sent_id", "left", "keyword", "right"} <= set(payload["lines"][0])
    res = run(runner, "kwic", corpus_dir, "unicorn stable")
    assert res.exit_code == 0 and "no matches" in res.output


def test_help_lists_commands(runner):
    res = run(runner, "--help")
    assert "concepts" in res.output and "kwic" in res.output
    res = run(runner, "concepts", "--help")
    assert "suggest" in res.output


def test_suggest_never_writes_a_draft_into_the_input(runner, tmp_path):
    import shutil

    from tests.conftest import CORPUS_DIR

    essays = tmp_path / "essays"
    shutil.copytree(CORPUS_DIR, essays)
    res = run(runner, "concepts", "suggest", essays, "--top", 3, "--write", essays / "draft.toml")
    assert res.exit_code == 2 and "inside the input folder" in res.output, res.output
    assert not (essays / "draft.toml").exists()
