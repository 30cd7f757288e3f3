"""The frame grammar: framing predicates and connectives as data (``data/frame_grammar.toml``).

A grammar groups wordings into classes whose members give their arguments the same roles
("Y replaces X", "X comes to an end", "shift from X to Y"). One generic reader
(:class:`~corpus_tools.framing.contrasts.ContrastExtractor`) applies every class, so covering a
new wording is one more string in a class's word list. The file format is documented at the top
of the built-in file. Every problem raises :class:`~corpus_tools.errors.FrameGrammarError`
naming the file, the line and what is wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import FrameGrammarError

#: Where a side may be found (see the built-in file's header).
ROLE_KINDS = ("subject", "object", "holder", "adopt", "arrival", "counter", "antecedent", "restated", "means")
FORMS = ("active", "passive", "nominal", "adjectival")
FORM_LISTS = {"verbs": ("active", "passive"), "nouns": ("nominal",), "adjectives": ("adjectival",)}
READERS = ("negation", "negation_only", "appositive_negation", "preference", "fronted_change", "fronted_leaving",
           "negated_framing", "negated_identity", "comparison", "temporal", "set_against",
           "parallel", "different", "degree", "far_from")
PREDICATE_KEYS = ("class", "cue", "require_new", *FORMS, *FORM_LISTS, "old_marked", "alone_when_trapped")
CONNECTIVE_KEYS = ("class", "reader", "words", "later", "cue")
CHECK_KEYS = ("literal_heads", "literal_entities", "list_markers", "adopt_verbs", "arrival_verbs", "means_preps",
              "negators", "restrictive", "additive", "additive_after_restrictive", "praise_predicates",
              "reframing_objects", "non_framings", "arrival_nouns", "no_longer_ending", "saying_verbs",
              "rising_verbs", "counter_links", "corrective_adverbs", "old_markers", "new_markers")
CHECK_KEYS += ("noun_complements", "reframable_heads", "arrival_adverbs", "countering_verbs", "bare_nouns",
               "cycle_nouns", "mover_nouns", "personal_possessives", "part_modifiers", "amount_verbs",
               "period_nouns", "restated_preps", "period_only", "affirming_when_negated", "filled_periods",
               "becoming_verbs", "weighing_preps", "size_verbs", "former_markers", "restating_verbs",
               "restating_subjects", "amount_entities", "replacing_participles", "position_preps",
               "trap_nouns", "occasion_nouns")
GRAMMAR_KEYS = ("name", "max_side_words")
_CLASS = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Role:
    """One place to look for a side: a kind (``subject``, ``object``, ...) or ``prep`` with its words."""

    kind: str
    preps: tuple[str, ...] = ()

    @classmethod
    def parse(cls, spec: str) -> "Role":
        spec = spec.strip().lower()
        if spec.startswith("prep:"):
            preps = tuple(p for p in spec[5:].split("|") if p)
            if not preps:
                raise ValueError(f"role {spec!r} names no preposition (write prep:from or prep:to|into)")
            return cls("prep", preps)
        if spec not in ROLE_KINDS:
            raise ValueError(f"unknown role {spec!r} (use {', '.join(ROLE_KINDS)} or prep:WORD|WORD)")
        return cls(spec)


@dataclass(frozen=True)
class Wording:
    """A predicate word: its lemma and the words that must follow it as its dependents."""

    lemma: str
    rest: tuple[str, ...]
    text: str


@dataclass
class PredicateClass:
    """Words sharing an argument structure, with where each form finds its old and new side."""

    name: str
    cue: str
    forms: dict[str, tuple[tuple[Role, ...], tuple[Role, ...]]]
    words: dict[str, list[Wording]]  # "verbs" / "nouns" / "adjectives"
    require_new: bool = False
    line: int = 0
    old_marked: bool = False  # the old side must carry one of [checks] old_markers
    alone_when_trapped: bool = False  # no new side is needed when the old one is one of [checks] trap_nouns


@dataclass
class ConnectiveClass:
    """A discourse connective read by a named structural reader."""

    name: str
    reader: str
    words: list[str]
    later: list[str] = field(default_factory=list)
    cue: str = ""
    line: int = 0


@dataclass
class FrameGrammar:
    """A parsed frame grammar (see :func:`load_grammar`)."""

    predicates: list[PredicateClass]
    connectives: list[ConnectiveClass]
    checks: dict[str, frozenset[str]]
    name: str = "frames"
    max_side_words: int = 10
    source: str = "<string>"

    @property
    def class_names(self) -> list[str]:
        return [p.name for p in self.predicates] + [c.name for c in self.connectives]

    def words(self) -> set[str]:
        """Every word form the grammar can be triggered by (for a cheap prefilter)."""
        out: set[str] = set()
        for pred in self.predicates:
            for wordings in pred.words.values():
                out.update(w.lemma for w in wordings)
        for conn in self.connectives:
            out.update(w.split()[0] for w in conn.words)
        return out

    def n_wordings(self) -> int:
        return sum(len(ws) for p in self.predicates for ws in p.words.values()) + sum(
            len(c.words) for c in self.connectives)


def grammar_fingerprint(grammar: "FrameGrammar | str | Path | None" = None) -> str:
    """A hash of everything in a grammar that extraction uses (for cache keys)."""
    import dataclasses
    import hashlib
    import json

    g = load_grammar(grammar)
    payload = {"predicates": [dataclasses.asdict(p) | {"line": 0} for p in g.predicates],
               "connectives": [dataclasses.asdict(c) | {"line": 0} for c in g.connectives],
               "checks": {k: sorted(v) for k, v in g.checks.items()}, "max_side_words": g.max_side_words}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def builtin_grammar_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "frame_grammar.toml"


def load_grammar(path: "str | Path | FrameGrammar | None" = None) -> FrameGrammar:
    """Read a frame grammar from a TOML file (``None``: the built-in one; a grammar is returned as is).

    Raises:
        FrameGrammarError: the file is missing, unreadable, not TOML, or breaks a rule (unknown key,
            unknown role or reader, empty word list). The message names file and line.
    """
    if isinstance(path, FrameGrammar):
        return path
    from .._fileio import read_data_file

    source = builtin_grammar_path() if path is None else Path(path)
    text = read_data_file(source, FrameGrammarError, "frame grammar")
    return parse_grammar(text, source)


def parse_grammar(text: str, source: "str | Path" = "<string>") -> FrameGrammar:
    """Build a :class:`FrameGrammar` from TOML text (see :func:`load_grammar`)."""
    from .._fileio import parse_toml

    data = parse_toml(text, source, FrameGrammarError)
    lines = _Lines(text)
    for key in data:
        if key not in ("grammar", "checks", "predicate", "connective"):
            raise FrameGrammarError(f"{source}: line {lines.header(key)}: unknown key {key!r} "
                                    "(expected [grammar], [checks], [[predicate]] and [[connective]] tables)")
    meta = _table(data.get("grammar", {}), "grammar", source, lines)
    for key in meta:
        if key not in GRAMMAR_KEYS:
            raise FrameGrammarError(f"{source}: line {lines.key_after('grammar', 0, key)}: unknown key {key!r} "
                                    f"in [grammar] (allowed: {', '.join(GRAMMAR_KEYS)})")
    max_words = meta.get("max_side_words", 10)
    if not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1:
        raise FrameGrammarError(f"{source}: line {lines.key_after('grammar', 0, 'max_side_words')}: "
                                "max_side_words must be a positive whole number")
    checks_table = _table(data.get("checks", {}), "checks", source, lines)
    checks: dict[str, frozenset[str]] = {k: frozenset() for k in CHECK_KEYS}
    for key, value in checks_table.items():
        where = lines.key_after("checks", 0, key)
        if key not in CHECK_KEYS:
            raise FrameGrammarError(f"{source}: line {where}: unknown key {key!r} in [checks] "
                                    f"(allowed: {', '.join(CHECK_KEYS)})")
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise FrameGrammarError(f"{source}: line {where}: [checks] {key} must be a list of non-empty strings")
        checks[key] = frozenset(v.strip() if key == "literal_entities" else v.strip().lower() for v in value)

    predicates = [_predicate(t, i, source, lines) for i, t in enumerate(_array(data, "predicate", source, lines))]
    connectives = [_connective(t, i, source, lines) for i, t in enumerate(_array(data, "connective", source, lines))]
    if not predicates and not connectives:
        raise FrameGrammarError(f"{source}: line 1: no [[predicate]] or [[connective]] tables; "
                                "a frame grammar needs at least one class")
    seen: dict[str, int] = {}
    for cls in [*predicates, *connectives]:
        if cls.name in seen:
            raise FrameGrammarError(f"{source}: line {cls.line}: class {cls.name!r} defined twice "
                                    f"(first at line {seen[cls.name]})")
        seen[cls.name] = cls.line
    return FrameGrammar(predicates, connectives, checks, name=str(meta.get("name", Path(str(source)).stem)),
                        max_side_words=max_words, source=str(source))


def _table(value: Any, name: str, source, lines: "_Lines") -> dict:
    if not isinstance(value, dict):
        raise FrameGrammarError(f"{source}: line {lines.header(name)}: '{name}' must be a table [{name}]")
    return value


def _array(data: dict, name: str, source, lines: "_Lines") -> list[dict]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise FrameGrammarError(f"{source}: line {lines.header(name)}: '{name}' must be an array of tables "
                                f"written [[{name}]]")
    return value


def _class_name(table: dict, kind: str, index: int, source, lines: "_Lines") -> tuple[str, int]:
    line = lines.nth(kind, index)
    name = table.get("class")
    if not isinstance(name, str) or not _CLASS.match(name):
        where = lines.key_after(kind, index, "class") if "class" in table else line
        raise FrameGrammarError(f"{source}: line {where}: [[{kind}]] needs a 'class' name of lowercase "
                                f"letters, digits and '_' (got {name!r})")
    return name, line


def _word_list(table: dict, key: str, kind: str, index: int, name: str, source, lines: "_Lines") -> list[str]:
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FrameGrammarError(f"{source}: line {lines.key_after(kind, index, key)}: class {name!r}: "
                                f"'{key}' must be a list of non-empty strings")
    if not value:
        raise FrameGrammarError(f"{source}: line {lines.key_after(kind, index, key)}: class {name!r}: "
                                f"empty '{key}' list")
    return [" ".join(v.lower().split()) for v in value]


def _predicate(table: dict, index: int, source, lines: "_Lines") -> PredicateClass:
    name, line = _class_name(table, "predicate", index, source, lines)

    def fail(problem: str, key: str | None = None) -> None:
        where = lines.key_after("predicate", index, key) if key else line
        raise FrameGrammarError(f"{source}: line {where}: class {name!r}: {problem}")

    for key in table:
        if key not in PREDICATE_KEYS:
            fail(f"unknown key {key!r} in [[predicate]] (allowed: {', '.join(PREDICATE_KEYS)})", key)
    forms: dict[str, tuple[tuple[Role, ...], tuple[Role, ...]]] = {}
    for form in FORMS:
        if form not in table:
            continue
        spec = table[form]
        if not isinstance(spec, dict) or set(spec) - {"old", "new"} or "old" not in spec:
            fail(f"'{form}' must be a table like {{ old = [\"object\"], new = [\"subject\"] }}", form)
        try:
            old = tuple(Role.parse(s) for s in _strings(spec["old"]))
            new = tuple(Role.parse(s) for s in _strings(spec.get("new", [])))
        except ValueError as exc:
            fail(f"{form}: {exc}", form)
        if not old:
            fail(f"{form}: 'old' names no role", form)
        forms[form] = (old, new)
    words: dict[str, list[Wording]] = {}
    for key, needs in FORM_LISTS.items():
        if key not in table:
            continue
        if not any(f in forms for f in needs):
            fail(f"'{key}' given but no {' or '.join(needs)} form says where their sides are", key)
        words[key] = [Wording(w.split()[0], tuple(w.split()[1:]), w)
                      for w in _word_list(table, key, "predicate", index, name, source, lines)]
    if not words:
        fail("no 'verbs', 'nouns' or 'adjectives' list")
    require_new = table.get("require_new", False)
    if not isinstance(require_new, bool):
        fail("'require_new' must be true or false", "require_new")
    cue = table.get("cue", name.replace("_", " "))
    if not isinstance(cue, str):
        fail("'cue' must be a string", "cue")
    old_marked = table.get("old_marked", False)
    if not isinstance(old_marked, bool):
        fail("'old_marked' must be true or false", "old_marked")
    alone_when_trapped = table.get("alone_when_trapped", False)
    if not isinstance(alone_when_trapped, bool):
        fail("'alone_when_trapped' must be true or false", "alone_when_trapped")
    return PredicateClass(name, cue, forms, words, require_new, line, old_marked, alone_when_trapped)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("roles must be a list of strings")
    return value


def _connective(table: dict, index: int, source, lines: "_Lines") -> ConnectiveClass:
    name, line = _class_name(table, "connective", index, source, lines)
    for key in table:
        if key not in CONNECTIVE_KEYS:
            raise FrameGrammarError(f"{source}: line {lines.key_after('connective', index, key)}: class {name!r}: "
                                    f"unknown key {key!r} in [[connective]] (allowed: {', '.join(CONNECTIVE_KEYS)})")
    reader = table.get("reader")
    if reader not in READERS:
        where = lines.key_after("connective", index, "reader") if "reader" in table else line
        raise FrameGrammarError(f"{source}: line {where}: class {name!r}: unknown reader {reader!r} "
                                f"(choose from {', '.join(READERS)})")
    if "words" not in table:
        raise FrameGrammarError(f"{source}: line {line}: class {name!r}: no 'words' list")
    words = _word_list(table, "words", "connective", index, name, source, lines)
    later = _word_list(table, "later", "connective", index, name, source, lines) if "later" in table else []
    return ConnectiveClass(name, reader, words, later, str(table.get("cue", "")), line)


class _Lines:
    """Line numbers of tables and keys in the raw TOML (tomllib reports lines only for syntax errors)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def header(self, name: str) -> int:
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(name)}\s*\]\]?")
        found = next((i + 1 for i, ln in enumerate(self.lines) if pattern.match(ln)), None)
        if found:
            return found
        key = re.compile(rf"^\s*{re.escape(name)}\s*=")
        return next((i + 1 for i, ln in enumerate(self.lines) if key.match(ln)), 1)

    def nth(self, name: str, index: int) -> int:
        # [name] or [[name]]: a TOML file cannot hold both, so either form finds the table
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(name)}\s*\]\]?")
        heads = [i + 1 for i, ln in enumerate(self.lines) if pattern.match(ln)]
        return heads[index] if index < len(heads) else 1

    def key_after(self, name: str, index: int, key: str) -> int:
        start = self.nth(name, index)
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start, len(self.lines) + 1):
            line = self.lines[number - 1]
            if number > start and re.match(r"^\s*\[", line):
                break
            if pattern.match(line):
                return number
        return start
