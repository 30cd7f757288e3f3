"""Concept lexicons: user-editable TOML files that say which wordings mean which concept.

A lexicon is a list of ``[[concept]]`` tables::

    [lexicon]
    name = "my-lexicon"              # optional metadata

    [[concept]]
    id = "traffic"                   # stable id used in every output table
    label = "Traffic"                # human name (KWIC accepts it too)
    description = "Visitors and attention bought or won online."
    patterns = ["traffic", "traffic dividend", "public domain traffic"]
    exclude = ["one-way street"]     # optional: wordings that are NOT this concept
    token_patterns = [               # optional, for experts: spaCy Matcher patterns
      [{LOWER = "flow", POS = "NOUN"}],
    ]

Patterns are words or phrases matched on lemmas, case-insensitively ("platforms" matches
"platform"). An exclusion vetoes any match of the same concept that lies inside it.
``token_patterns`` are handed to :class:`spacy.matcher.Matcher` unchanged, for wordings that
need a part of speech or other token attributes.

Every problem raises :class:`~corpus_tools.errors.LexiconError` naming the file, the line and
the problem, so a run never starts on a broken lexicon.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

from .errors import LexiconError

#: Keys allowed in a ``[[concept]]`` table.
CONCEPT_KEYS = ("id", "label", "description", "patterns", "exclude", "token_patterns")
#: Keys allowed in the optional ``[lexicon]`` table.
META_KEYS = ("name", "description", "version", "language", "core")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
BUILTIN_NAME = "retail_lexicon.toml"


@dataclass
class ConceptEntry:
    """One concept of a lexicon.

    Attributes:
        id: stable identifier (letters, digits, ``_ . -``), used as ``concept`` in every table.
        label: human-readable name.
        description: one line saying what the concept covers.
        patterns: words and phrases, matched on lemmas, case-insensitively.
        exclude: phrases that veto a match of this concept inside them.
        token_patterns: optional spaCy ``Matcher`` patterns (lists of token dicts).
        line: line of the entry in its file (0 when built in code).
    """

    id: str
    label: str = ""
    description: str = ""
    patterns: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    token_patterns: list[list[dict[str, Any]]] = field(default_factory=list)
    line: int = 0

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.id.replace("_", " ")

    def to_dict(self) -> dict[str, Any]:
        """The entry as a plain dict (the keys of a ``[[concept]]`` table)."""
        data: dict[str, Any] = {"id": self.id, "label": self.label, "description": self.description,
                                "patterns": list(self.patterns)}
        if self.exclude:
            data["exclude"] = list(self.exclude)
        if self.token_patterns:
            data["token_patterns"] = [list(p) for p in self.token_patterns]
        return data


class Lexicon:
    """An ordered collection of :class:`ConceptEntry`.

    Args:
        entries: the concepts, in the order tables and reports show them.
        source: the file the lexicon came from (for messages), if any.
        name: a short name for the lexicon.
        core: ids of the concepts a reader follows first (the report's trajectory chart shows
            them by default); from ``core = [...]`` in the ``[lexicon]`` table.
        check_with_spacy: also validate token patterns against spaCy's pattern schema (imports
            spaCy; the shipped lexicon is checked by the test suite instead).

    Raises:
        LexiconError: two entries share an id, an entry has no patterns, or one wording is
            listed under two concepts.
    """

    def __init__(self, entries: list[ConceptEntry], *, source: str | Path | None = None,
                 name: str = "", core: list[str] | None = None, check_with_spacy: bool = True) -> None:
        self.entries = list(entries)
        self.source = str(source) if source is not None else "<lexicon>"
        self.name = name
        _validate_entries(self.entries, self.source, check_with_spacy=check_with_spacy)
        self._by_id = {e.id: e for e in self.entries}
        unknown = [c for c in (core or []) if c not in self._by_id]
        if unknown:
            raise LexiconError(f"{self.source}: 'core' names concepts the lexicon does not define: "
                               f"{', '.join(map(repr, unknown))}")
        self.core = list(dict.fromkeys(core or []))

    @property
    def ids(self) -> list[str]:
        """Concept ids in lexicon order."""
        return [e.id for e in self.entries]

    @property
    def labels(self) -> dict[str, str]:
        """Concept id -> label."""
        return {e.id: e.label for e in self.entries}

    def get(self, concept_id: str, default: ConceptEntry | None = None) -> ConceptEntry | None:
        """The entry with this id, or ``default``."""
        return self._by_id.get(concept_id, default)

    def resolve(self, name: str) -> ConceptEntry | None:
        """The entry whose id or label equals ``name`` (case-insensitive, ``_`` = space)."""
        key = _fold(name)
        for entry in self.entries:
            if key in (_fold(entry.id), _fold(entry.label)):
                return entry
        return None

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[ConceptEntry]:
        return iter(self.entries)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self._by_id

    def __repr__(self) -> str:
        return f"Lexicon({len(self)} concepts from {self.source})"

    def to_toml(self, header: str = "") -> str:
        """Serialise as TOML that :func:`load_lexicon` reads back unchanged."""
        lines = [f"# {line}" if line else "#" for line in header.splitlines()]
        if lines:
            lines.append("")
        if self.name:
            lines += ["[lexicon]", f"name = {_toml_str(self.name)}", ""]
        for entry in self.entries:
            lines.append("[[concept]]")
            lines.append(f"id = {_toml_str(entry.id)}")
            lines.append(f"label = {_toml_str(entry.label)}")
            lines.append(f"description = {_toml_str(entry.description)}")
            lines.append(f"patterns = {_toml_list(entry.patterns)}")
            if entry.exclude:
                lines.append(f"exclude = {_toml_list(entry.exclude)}")
            if entry.token_patterns:
                lines.append("token_patterns = [")
                for pattern in entry.token_patterns:
                    lines.append("  [" + ", ".join(_toml_inline(tok) for tok in pattern) + "],")
                lines.append("]")
            lines.append("")
        return "\n".join(lines)


def _fold(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").lower().split())


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def _toml_inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_inline(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return _toml_str(str(value))


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_str(key)


def builtin_lexicon_path() -> Path:
    """Path of the retail lexicon shipped with the package."""
    return Path(str(resources.files("corpus_tools") / "data" / BUILTIN_NAME))


def load_lexicon(path: "str | Path | Lexicon | None" = None) -> Lexicon:
    """Read a concept lexicon from a TOML file.

    Args:
        path: a ``.toml`` file; ``None`` loads the built-in retail lexicon. A :class:`Lexicon`
            is returned unchanged.

    Raises:
        LexiconError: the file is missing, unreadable, not valid TOML, or breaks a rule (unknown
            key, empty pattern list, concept defined twice). The message names file and line.
    """
    if isinstance(path, Lexicon):
        return path
    from ._fileio import read_data_file

    source = builtin_lexicon_path() if path is None else Path(path)
    text = read_data_file(source, LexiconError, "lexicon")
    # The shipped lexicon is checked against spaCy's pattern schema by the test suite, so loading
    # it needs no spaCy (a fully cached run then never imports spaCy, thinc or torch).
    return parse_lexicon(text, source, check_with_spacy=path is not None)


def parse_lexicon(text: str, source: str | Path = "<string>", *, check_with_spacy: bool = True) -> Lexicon:
    """Build a :class:`Lexicon` from TOML text (see :func:`load_lexicon`). ``check_with_spacy``
    also validates token patterns against spaCy's schema (imports spaCy)."""
    from ._fileio import parse_toml

    data = parse_toml(text, source, LexiconError)

    locator = _Locator(text)
    for key in data:
        if key not in ("lexicon", "concept"):
            raise LexiconError(f"{source}: line {locator.top_level(key)}: unknown key {key!r} "
                               "(expected [lexicon] and [[concept]] tables)")
    meta = data.get("lexicon", {})
    if not isinstance(meta, dict):
        raise LexiconError(f"{source}: line {locator.top_level('lexicon')}: 'lexicon' must be a table")
    for key in meta:
        if key not in META_KEYS:
            raise LexiconError(f"{source}: line {locator.meta_key(key)}: unknown key {key!r} in [lexicon] "
                               f"(allowed: {', '.join(META_KEYS)})")
    concepts = data.get("concept")
    if concepts is None:
        raise LexiconError(f"{source}: line 1: no [[concept]] tables; a lexicon needs at least one concept")
    if not isinstance(concepts, list):
        raise LexiconError(f"{source}: line {locator.top_level('concept')}: 'concept' must be an array "
                           "of tables written [[concept]]")

    entries = []
    for index, table in enumerate(concepts):
        line = locator.concept_line(index)

        def fail(problem: str, key: str | None = None) -> None:
            where = locator.concept_key_line(index, key) if key else line
            raise LexiconError(f"{source}: line {where}: {problem}")

        for key in table:
            if key not in CONCEPT_KEYS:
                fail(f"unknown key {key!r} in [[concept]] (allowed: {', '.join(CONCEPT_KEYS)})", key)
        concept_id = table.get("id")
        if concept_id is None:
            fail("concept has no 'id'")
        if not isinstance(concept_id, str) or not _ID.match(concept_id):
            fail(f"bad concept id {concept_id!r}: use letters, digits, '_', '.', '-'", "id")
        for key in ("label", "description"):
            if key in table and not isinstance(table[key], str):
                fail(f"concept {concept_id!r}: '{key}' must be a string", key)
        patterns = table.get("patterns")
        if patterns is None:
            fail(f"concept {concept_id!r} has no 'patterns' list")
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            fail(f"concept {concept_id!r}: 'patterns' must be a list of strings", "patterns")
        if not patterns:
            fail(f"concept {concept_id!r}: empty pattern list", "patterns")
        if any(not p.strip() for p in patterns):
            fail(f"concept {concept_id!r}: empty string in 'patterns'", "patterns")
        exclude = table.get("exclude", [])
        if not isinstance(exclude, list) or not all(isinstance(p, str) and p.strip() for p in exclude):
            fail(f"concept {concept_id!r}: 'exclude' must be a list of non-empty strings", "exclude")
        token_patterns = table.get("token_patterns", [])
        if not isinstance(token_patterns, list) or not all(
                isinstance(p, list) and p and all(isinstance(t, dict) for t in p) for p in token_patterns):
            fail(f"concept {concept_id!r}: 'token_patterns' must be a list of spaCy Matcher patterns, "
                 "each a non-empty list of token tables like [{LOWER = \"flow\", POS = \"NOUN\"}]",
                 "token_patterns")
        for number, pattern in enumerate(token_patterns, start=1):
            problem = token_pattern_problem(pattern, check_with_spacy=check_with_spacy)
            if problem:
                fail(f"concept {concept_id!r}: token pattern {number}: {problem}", "token_patterns")
        entries.append(ConceptEntry(
            id=concept_id, label=table.get("label", ""), description=table.get("description", ""),
            patterns=_dedupe(patterns), exclude=_dedupe(exclude), token_patterns=token_patterns, line=line,
        ))
    lexicon_name = meta.get("name", Path(str(source)).stem)
    core = meta.get("core", [])
    if not isinstance(core, list) or not all(isinstance(c, str) for c in core):
        raise LexiconError(f"{source}: line {locator.meta_key('core')}: 'core' must be a list of concept ids")
    return Lexicon(entries, source=source, name=str(lexicon_name), core=core, check_with_spacy=check_with_spacy)


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = " ".join(value.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(" ".join(value.split()))
    return out


def _validate_entries(entries: list[ConceptEntry], source: str, *, check_with_spacy: bool = True) -> None:
    """Rules that hold however a lexicon was built (file or code)."""
    first: dict[str, ConceptEntry] = {}
    owner: dict[str, str] = {}
    for entry in entries:
        where = f"{source}: line {entry.line}" if entry.line else source
        if not entry.id or not _ID.match(entry.id):
            raise LexiconError(f"{where}: bad concept id {entry.id!r}")
        if entry.id in first:
            earlier = first[entry.id]
            also = f" (first defined at line {earlier.line})" if earlier.line else ""
            raise LexiconError(f"{where}: concept {entry.id!r} defined twice{also}")
        first[entry.id] = entry
        if not entry.patterns:
            raise LexiconError(f"{where}: concept {entry.id!r}: empty pattern list")
        for number, pattern in enumerate(entry.token_patterns, start=1):
            problem = token_pattern_problem(pattern, check_with_spacy=check_with_spacy)
            if problem:
                raise LexiconError(f"{where}: concept {entry.id!r}: token pattern {number}: {problem}")
        for pattern in entry.patterns:
            key = " ".join(pattern.lower().split())
            if key in owner and owner[key] != entry.id:
                raise LexiconError(f"{where}: pattern {pattern!r} of concept {entry.id!r} is already a "
                                   f"pattern of {owner[key]!r}; a wording can mean one concept only")
            owner[key] = entry.id


#: Bounds on what one ``token_patterns`` entry may ask of the matcher. A pattern made only of
#: optional or repeated tokens matches almost every span of every sentence (twelve ``{OP = "*"}``
#: patterns grew past 14 GB on three small essays), and a regular expression with a repeat inside
#: a repeat (``^(a+)+$``) takes exponential time on some tokens.
MAX_PATTERN_TOKENS = 12
MAX_REPEATED_TOKENS = 2
MAX_REGEX_LENGTH = 200
_REPEAT_OPS = {"*", "+"}
_OPTIONAL_OPS = {"*", "?"}


def token_pattern_problem(pattern: Any, *, check_with_spacy: bool = True) -> str | None:
    """Why a spaCy ``Matcher`` pattern is refused, or ``None`` if it is fine.

    A pattern must be valid for spaCy, have at most :data:`MAX_PATTERN_TOKENS` tokens, at most
    :data:`MAX_REPEATED_TOKENS` of them repeated (``OP`` ``*``, ``+`` or ``{n,}``), and at least
    one token that must be there and says something about it (so it cannot match every span);
    every ``REGEX`` must compile, be at most :data:`MAX_REGEX_LENGTH` characters, and not nest a
    repeat inside a repeat.
    """
    if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
        return "must be a non-empty list of token tables like [{LOWER = \"flow\", POS = \"NOUN\"}]"
    if len(pattern) > MAX_PATTERN_TOKENS:
        return f"{len(pattern)} tokens; at most {MAX_PATTERN_TOKENS} are allowed"
    for regex in _regexes(pattern):
        problem = regex_problem(regex)
        if problem:
            return f"REGEX {regex!r}: {problem}"
    if check_with_spacy:
        from spacy.schemas import validate_token_pattern

        errors = validate_token_pattern(pattern)
        if errors:
            return "not a valid spaCy Matcher pattern: " + "; ".join(str(e) for e in errors[:3])
    ops = [str(token.get("OP", "")).strip() for token in pattern]
    repeated = [op for op in ops if op in _REPEAT_OPS or re.fullmatch(r"\{\d*,\}", op)]
    if len(repeated) > MAX_REPEATED_TOKENS:
        return (f"{len(repeated)} repeated tokens (OP {', '.join(repeated)}); at most {MAX_REPEATED_TOKENS} are "
                "allowed, since each multiplies the spans the matcher must follow")
    required = [token for token, op in zip(pattern, ops)
                if op not in _OPTIONAL_OPS and not re.fullmatch(r"\{0?,\d*\}", op) and set(token) - {"OP"}]
    if not required:
        return ("every token is optional or matches any token; at least one token must be required and "
                "say what it matches (for example LOWER or LEMMA)")
    return None


def _regexes(value: Any) -> Iterator[Any]:
    """Every value given under a ``REGEX`` key, at any depth of a token pattern."""
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).upper() == "REGEX":
                yield item
            else:
                yield from _regexes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _regexes(item)


def regex_problem(regex: Any) -> str | None:
    """Why a ``REGEX`` of a token pattern is refused (does not compile, too long, or nests a
    repeat inside a repeat, which can take exponential time), or ``None``."""
    if not isinstance(regex, str):
        return "must be a string"
    if len(regex) > MAX_REGEX_LENGTH:
        return f"{len(regex)} characters; at most {MAX_REGEX_LENGTH} are allowed"
    try:
        re.compile(regex)
    except re.error as exc:
        return f"not a valid regular expression: {exc}"
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    if _nested_repeat(sre_parse.parse(regex), sre_parse, inside=False):
        return ("a repeat inside a repeat (like (a+)+) can take exponential time; "
                "rewrite it without the nesting")
    return None


def _nested_repeat(parsed: Any, sre_parse: Any, inside: bool) -> bool:
    constants = sre_parse
    repeats = {getattr(constants, "MAX_REPEAT", None), getattr(constants, "MIN_REPEAT", None),
               getattr(constants, "POSSESSIVE_REPEAT", None)}
    repeats.discard(None)
    for op, arg in parsed:
        if op in repeats:
            low, high, sub = arg
            unbounded_or_many = high == constants.MAXREPEAT or high > 1
            if unbounded_or_many and inside:
                return True
            if _nested_repeat(sub, constants, inside or unbounded_or_many):
                return True
        elif op == constants.SUBPATTERN:
            if _nested_repeat(arg[-1], constants, inside):
                return True
        elif op == constants.BRANCH:
            if any(_nested_repeat(branch, constants, inside) for branch in arg[1]):
                return True
        elif op in (constants.ASSERT, constants.ASSERT_NOT):
            if _nested_repeat(arg[1], constants, inside):
                return True
    return False


class _Locator:
    """Finds the line of a table or key in raw TOML text (tomllib reports lines only for
    syntax errors, but semantic errors must name a line too)."""

    _HEADER = re.compile(r"^\s*\[\[\s*concept\s*\]\]")
    _TABLE = re.compile(r"^\s*\[\[?\s*[A-Za-z0-9_.\-\"' ]+\s*\]\]?\s*(?:#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.concept_headers = [i + 1 for i, ln in enumerate(self.lines) if self._HEADER.match(ln)]

    def _key_line(self, key: str, start: int, stop: int) -> int | None:
        pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*[=.]")
        for number in range(start, min(stop, len(self.lines) + 1)):
            if pattern.match(self.lines[number - 1]):
                return number
        return None

    def top_level(self, key: str) -> int:
        first_table = next((i + 1 for i, ln in enumerate(self.lines) if self._TABLE.match(ln)),
                           len(self.lines) + 1)
        found = self._key_line(key, 1, first_table)
        if found:
            return found
        header = re.compile(rf"^\s*\[+\s*{re.escape(key)}\s*[\].]")
        return next((i + 1 for i, ln in enumerate(self.lines) if header.match(ln)), 1)

    def meta_key(self, key: str) -> int:
        start = next((i + 1 for i, ln in enumerate(self.lines) if re.match(r"^\s*\[\s*lexicon\s*\]", ln)), 1)
        stop = next((i + 1 for i, ln in enumerate(self.lines) if i + 1 > start and self._TABLE.match(ln)),
                    len(self.lines) + 1)
        return self._key_line(key, start, stop) or start

    def concept_line(self, index: int) -> int:
        if index < len(self.concept_headers):
            return self.concept_headers[index]
        return 1

    def concept_key_line(self, index: int, key: str) -> int:
        start = self.concept_line(index)
        stop = next((i + 1 for i, ln in enumerate(self.lines) if i + 1 > start and self._TABLE.match(ln)),
                    len(self.lines) + 1)
        return self._key_line(key, start, stop) or start
