"""``corpus-tools framing PATH`` and ``corpus-tools framing eval PATH GOLD.csv``."""
from __future__ import annotations

import json

from click.testing import CliRunner

from corpus_tools.cli import main
from tests.conftest import DATA_DIR


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_framing_json(corpus_dir):
    res = run("framing", corpus_dir, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {"contrasts", "orientation", "profiles", "shifts", "summaries"} <= set(data)
    assert len(data["orientation"]) > 100 and {"concept", "temporal", "evaluation"} <= set(data["orientation"][0])
    assert any(c["old_concept"] == "platform" and c["new_concept"] == "infrastructure" for c in data["contrasts"])


def test_framing_table_and_concept_filter(corpus_dir):
    res = run("framing", corpus_dir, "--concept", "Traffic")
    assert res.exit_code == 0, res.output
    assert "Trajectories:" in res.output and "Traffic: mentioned in" in res.output
    assert "infrastructure ->" not in res.output


def test_framing_out_writes_tables(corpus_dir, tmp_path):
    res = run("framing", corpus_dir, "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "framing_contrasts.csv").exists()


def test_framing_refuses_to_write_into_input(corpus_dir):
    res = run("framing", corpus_dir, "--out", corpus_dir / "out")
    assert res.exit_code != 0 and "Traceback" not in res.output


def test_eval_prints_scores(corpus_dir):
    res = run("framing", "eval", corpus_dir, DATA_DIR / "seed_contrasts.csv")
    assert res.exit_code == 0, res.output
    for word in ("precision", "recall", "F1", "all", "core", "hard"):
        assert word in res.output


def test_eval_json(corpus_dir):
    res = run("framing", "eval", corpus_dir, DATA_DIR / "seed_contrasts.csv", "--json")
    scores = json.loads(res.output)["scores"]
    assert scores["core"]["recall"] >= 0.85


def test_bad_inputs_are_clear(corpus_dir, tmp_path):
    res = run("framing", tmp_path / "missing")
    assert res.exit_code == 2 and "Traceback" not in res.output
    res = run("framing", "eval", corpus_dir, tmp_path / "nope.csv")
    assert res.exit_code == 2 and "no such gold file" in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    res = run("framing", "eval", corpus_dir, bad)
    assert res.exit_code == 2 and "lacks column" in res.output
    res = run("framing", corpus_dir, "--concept", "nonsense")
    assert res.exit_code == 2 and "unknown concept" in res.output


def test_eval_out_writes_scores_and_gold_rows(corpus_dir, tmp_path):
    import pandas as pd

    res = run("framing", "eval", corpus_dir, str(DATA_DIR / "seed_contrasts.csv"), "--out", str(tmp_path / "ev"))
    assert res.exit_code == 0, res.output
    scores = pd.read_csv(tmp_path / "ev" / "framing_eval_scores.csv")
    assert list(scores["rows"]) == ["all", "core", "hard"] and (scores["f1"] > 0).any()
    gold = pd.read_csv(tmp_path / "ev" / "framing_eval_gold.csv")
    assert len(gold) == 46 and gold["matched"].sum() >= 30
