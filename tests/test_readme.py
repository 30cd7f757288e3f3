"""The README's examples run: every ``python`` block, every ``console`` command and every
report excerpt, in README order, in a fresh folder holding a copy of ``corpus/``.

- ``python`` blocks run one after another in one namespace, as in a notebook.
- ``console`` blocks: each ``$ corpus-tools ...`` line runs through click's CliRunner; the exit
  code must be 0 (2 when the shown output starts with ``Error:``) and every shown output line
  must appear in the real output, in order. ``...`` stands for any text: alone on a line it skips
  lines, inside a line it skips characters.
- a ``toml`` block whose first line is ``# NAME.toml`` is written to that file first, so the
  commands that use it see exactly what the README shows.
- a block preceded by ``<!-- excerpt: FILE -->`` must have every line in FILE (written by an
  earlier command).
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus_tools.cli import main

from .conftest import CORPUS_DIR, REPO

README = REPO / "README.md"
_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\s*$")
_EXCERPT = re.compile(r"<!--\s*excerpt:\s*(?P<file>\S+)\s*-->")


@dataclass
class Block:
    lang: str
    line: int  # 1-based line of the opening fence
    text: str
    excerpt_of: str | None = None

    @property
    def id(self) -> str:
        return f"{self.lang}-line{self.line}"


def readme_blocks(path: Path = README) -> list[Block]:
    """The fenced blocks of a Markdown file, with the excerpt marker that precedes any of them."""
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    pending_excerpt = None
    while i < len(lines):
        marker = _EXCERPT.search(lines[i])
        if marker:
            pending_excerpt = marker.group("file")
        fence = _FENCE.match(lines[i])
        if fence and fence.group("lang"):
            indent = len(fence.group("indent"))
            body = []
            j = i + 1
            while j < len(lines) and not _FENCE.match(lines[j]):
                body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
                j += 1
            blocks.append(Block(fence.group("lang"), i + 1, "\n".join(body), pending_excerpt))
            pending_excerpt = None
            i = j + 1
            continue
        i += 1
    return blocks


def _line_pattern(expected: str) -> re.Pattern:
    return re.compile(".*".join(re.escape(part) for part in expected.rstrip().split("...")) + r"\s*")


def missing_lines(expected: str, actual: str) -> list[str]:
    """Shown lines that do not appear, in order, in the actual output."""
    actual_lines = [line.rstrip() for line in actual.splitlines()]
    position = 0
    missing = []
    for wanted in expected.splitlines():
        if not wanted.strip() or wanted.strip() == "...":
            continue
        pattern = _line_pattern(wanted)
        for k in range(position, len(actual_lines)):
            if pattern.fullmatch(actual_lines[k]):
                position = k + 1
                break
        else:
            missing.append(wanted)
    return missing


def console_examples(block: Block) -> list[tuple[str, str]]:
    """(command, shown output) pairs of a console block."""
    examples: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            examples.append((line[2:], []))
        elif examples:
            examples[-1][1].append(line)
    return [(command, "\n".join(output)) for command, output in examples]


@dataclass
class ReadmeSession:
    """Runs the README's blocks in order, once, in one folder and one namespace."""

    workdir: Path
    blocks: list[Block]
    namespace: dict = field(default_factory=dict)
    outcomes: dict[int, str | None] = field(default_factory=dict)

    def run_through(self, index: int) -> str | None:
        """Run blocks up to ``index``; the failure message of block ``index`` (None if it passed)."""
        for k in range(len(self.outcomes), index + 1):
            old = os.getcwd()
            os.chdir(self.workdir)
            try:
                self.outcomes[k] = self._run(self.blocks[k])
            except Exception:  # a failing block must not hide the ones after it
                self.outcomes[k] = traceback.format_exc(limit=-3)
            finally:
                os.chdir(old)
        return self.outcomes[index]

    def _run(self, block: Block) -> str | None:
        if block.excerpt_of:
            target = self.workdir / block.excerpt_of
            if not target.is_file():
                return f"{block.excerpt_of} was not written by the commands before it"
            text = target.read_text(encoding="utf-8")
            absent = [line for line in block.text.splitlines() if line.strip() and line not in text]
            return f"lines not in {block.excerpt_of}: {absent}" if absent else None
        if block.lang == "toml":
            first = block.text.splitlines()[0] if block.text else ""
            if first.startswith("# ") and first.endswith(".toml"):
                (self.workdir / first[2:].strip()).write_text(block.text + "\n", encoding="utf-8")
            return None
        if block.lang == "python":
            exec(compile(block.text, f"README.md:{block.line}", "exec"), self.namespace)
            return None
        if block.lang == "console":
            problems = []
            for command, shown in console_examples(block):
                argv = shlex.split(command)
                assert argv[0] == "corpus-tools", command
                result = CliRunner().invoke(main, argv[1:])
                want_code = 2 if shown.lstrip().startswith("Error:") else 0
                if result.exit_code != want_code:
                    problems.append(f"{command}: exit code {result.exit_code}, expected {want_code}\n"
                                    f"{result.output[-2000:]}")
                    continue
                first_shown = next((line for line in shown.splitlines() if line.strip()), "")
                first_real = next((line for line in result.output.splitlines() if line.strip()), "")
                if first_shown and not _line_pattern(first_shown).fullmatch(first_real.rstrip()):
                    problems.append(f"{command}: first line is\n  {first_real!r}\nREADME shows\n  {first_shown!r}")
                    continue
                absent = missing_lines(shown, result.output)
                if absent:
                    problems.append(f"{command}: README lines not in the output (in order): {absent}\n"
                                    f"output:\n{result.output[:4000]}")
            return "\n".join(problems) or None
        return None


BLOCKS = [b for b in readme_blocks() if b.lang in ("python", "console", "toml") or b.excerpt_of]


@pytest.fixture(scope="module")
def readme_session(tmp_path_factory) -> ReadmeSession:
    workdir = tmp_path_factory.mktemp("readme")
    shutil.copytree(CORPUS_DIR, workdir / "corpus")
    # The comparison examples read the dev essays (they have sites and dates).
    shutil.copytree(REPO / "tests" / "data" / "dev", workdir / "tests" / "data" / "dev")
    return ReadmeSession(workdir, BLOCKS)


def test_the_readme_has_examples_of_each_kind():
    kinds = {b.lang for b in BLOCKS}
    assert {"python", "console"} <= kinds
    assert any(b.excerpt_of for b in BLOCKS)
    assert len([b for b in BLOCKS if b.lang == "console"]) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=[b.id for b in BLOCKS])
def test_readme_example_runs(readme_session, index):
    problem = readme_session.run_through(index)
    assert problem is None, f"README.md line {BLOCKS[index].line}: {problem}"


def test_the_matcher_can_fail():
    assert missing_lines("a\n...\nc ... e", "a\nb\nc d e") == []
    assert missing_lines("c\na", "a\nc") == ["a"]
    assert missing_lines("x 1.5 s", "x 2.5 s") == ["x 1.5 s"]


def test_ci_runs_the_readme_test_command_in_a_fresh_environment():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m venv" in ci and "Install and run the test suite" in ci
    assert 'pip install -c constraints.txt -e ".[test]" && python -m pytest' in README.read_text(encoding="utf-8")
