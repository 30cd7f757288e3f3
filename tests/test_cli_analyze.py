"""``corpus-tools analyze``: options, messages, summary, quiet progress, errors without tracebacks."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus_tools.cli import main

SMALL = {
    "a.txt": "Digital retail is not a platform, but an infrastructure.\n\nWe moved from traffic to retention.",
    "b.md": "# New retail\n\nSay goodbye to the era of traffic. Retention is the key now.",
}


@pytest.fixture()
def small_folder(tmp_path) -> Path:
    folder = tmp_path / "essays"
    folder.mkdir()
    for name, text in SMALL.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_help_lists_options_and_stays_light():
    result = _run(["analyze", "--help"])
    assert result.exit_code == 0
    for option in ("--out", "--lexicon", "--seed", "--unit", "--n-topics", "--guided", "--format", "--quiet",
                   "--cache-dir", "--json"):
        assert option in result.output
    assert "analyze" in _run(["--help"]).output
    # Importing the command must not import the heavy stack (--help stays instant).
    code = ("import sys, corpus_tools.cli.analyze_cmd; "
            "print(sorted(m for m in ('pandas', 'spacy', 'torch', 'bertopic', 'plotly') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_small_corpus_run_summary(small_folder, tmp_path):
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["analyze", str(small_folder), "--out", str(out), "--format", "md,csv,json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Analysed 2 essays" in text
    # Too few paragraphs for themes: reported, not fatal.
    assert "topics skipped:" in text
    assert "Wrote:" in text
    for name in ("report.md", "run.json"):
        assert f"{name}" in text and str(out / name) in text
        assert (out / name).exists()
    assert "tables/" in text and "framing_contrasts" in text
    assert not (out / "report.html").exists()  # not requested
    # Not a terminal: no progress bars.
    assert "%|" not in text and "it/s" not in text
    assert sorted(p.name for p in small_folder.iterdir()) == ["a.txt", "b.md"]


def test_json_output(small_folder, tmp_path):
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["analyze", str(small_folder), "--out", str(out), "--format", "md", "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["files"] == {"report.md": str(out / "report.md")}
    assert payload["stages"]["topics"]["status"] == "skipped"
    assert payload["stages"]["concepts"]["status"] == "ok"


@pytest.mark.parametrize("args, message", [
    (["--format", "md,pdf"], "pdf"),
    (["--n-topics", "many"], "neither 'auto' nor a whole number"),
    (["--n-topics", "1"], "at least 2"),
    (["--unit", "chapter"], "chapter"),
])
def test_bad_options_are_usage_errors(small_folder, tmp_path, args, message):
    result = CliRunner().invoke(main, ["analyze", str(small_folder), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_missing_folder_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(main, ["analyze", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "Error" in result.output and "Traceback" not in result.output


def test_bad_lexicon_is_a_clean_error(small_folder, tmp_path):
    bad = tmp_path / "lexicon.toml"
    bad.write_text("[concept\nbroken")
    result = CliRunner().invoke(main, ["analyze", str(small_folder), "--lexicon", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "lexicon.toml" in result.output and "Traceback" not in result.output


def test_output_inside_input_is_refused(small_folder):
    result = CliRunner().invoke(main, ["analyze", str(small_folder), "--out", str(small_folder / "outputs")])
    assert result.exit_code != 0
    assert "input folder" in result.output and "Traceback" not in result.output
    assert not (small_folder / "outputs").exists()


def test_tqdm_progress_shows_counts_and_stages():
    from corpus_tools.pipeline import TqdmProgress

    buffer = io.StringIO()
    progress = TqdmProgress(file=buffer)
    assert list(progress(range(3), desc="parse + concepts + framing", total=3)) == [0, 1, 2]
    progress.stage("found 3 themes")
    text = buffer.getvalue()
    assert "parse + concepts + framing" in text and "3/3" in text and "found 3 themes" in text


def test_fit_sample_is_passed_to_the_themes_and_recorded(corpus_dir, tmp_path):
    out = tmp_path / "report"
    result = _run(["analyze", str(corpus_dir), "--out", str(out), "--format", "json", "--fit-sample", "40", "-q"])
    assert result.exit_code == 0, result.output
    info = json.loads((out / "run.json").read_text())
    assert info["parameters"]["fit_sample"] == 40
    assert info["topic_metrics"]["n_fit_units"] == 40 and info["topic_metrics"]["n_units"] == 75
    assert "sample of 40 of 75" in info["topic_metrics"]["model_sample"]
    bad = CliRunner().invoke(main, ["analyze", str(corpus_dir), "--out", str(tmp_path / "o"), "--fit-sample", "3"])
    assert bad.exit_code != 0 and "fit_sample=3 is too small" in bad.output and "Traceback" not in bad.output
    assert not (tmp_path / "o").exists()
