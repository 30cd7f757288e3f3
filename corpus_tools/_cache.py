"""On-disk result caches that make a warm re-run of :func:`corpus_tools.analyze` cheap.

Two caches live under the cache dir (:func:`corpus_tools.parse.default_cache_dir` or
``cache_dir=`` / ``--cache-dir``), next to the parse and embedding caches:

- ``rows/``: per document, the rows of every document stage (:mod:`corpus_tools.stages`: concept
  mentions and suggestion candidates, framing rows). A warm run reads these instead of parsing
  and matching again (it does not even read the document's DocBin); :class:`DocumentRowCache`.
- ``results/``: the corpus-level results of the document stages, keyed by every document's row
  key and the document table, so a run on the same corpus reuses them whole.
- ``topics/``: the theme result of a whole corpus (tables and measures), since the fit is
  deterministic for the same units, embeddings model, parameters, seed and package versions.

Every key includes everything the entry depends on, so a changed text, lexicon, spaCy model,
package version or corpus_tools source never reads a stale entry: the text and ids of the
document (or units), a fingerprint of the lexicon, the spaCy model fingerprint, the versions
of the libraries involved, and a hash of the source files of the stages that made the rows.
Entries are written atomically; an unreadable entry is rebuilt with a warning. No entry is a
pickle (:class:`SafeStore`: JSON, Parquet and ``.npy`` only), so a file planted in a shared
cache folder can at worst be read as wrong data, never run as code.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Iterable

from ._version import __version__

logger = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent
#: Bumped when the layout of a cache entry changes.
_FORMAT = "2"
#: Sources whose code decides the per-document rows (loading and cleaning decide the offsets).
ROW_SOURCES = ("load.py", "clean.py", "parse.py", "concepts.py", "discovery.py", "lexicon.py", "framing",
               "stages.py")
#: Sources whose code decides the theme result.
TOPIC_SOURCES = ("topics", "embeddings.py", "load.py", "clean.py")
#: Libraries whose versions the theme result depends on.
TOPIC_LIBRARIES = ("bertopic", "scikit-learn", "umap-learn", "hdbscan", "numpy", "scipy", "pandas",
                   "torch", "sentence-transformers", "transformers", "model2vec")


@functools.lru_cache(maxsize=None)
def source_fingerprint(names: tuple[str, ...]) -> str:
    """corpus_tools version plus a hash of the named source files/folders of this package, so an
    edited (or differently installed) stage never reuses rows another version of it made."""
    digest = hashlib.sha256(f"corpus_tools {__version__}\x1e".encode())
    for name in names:
        path = _PACKAGE / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(_PACKAGE)).encode() + b"\x1f")
            try:
                digest.update(file.read_bytes())
            except OSError:  # a frozen install without sources: the version still counts
                digest.update(b"?")
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def library_versions(names: tuple[str, ...]) -> str:
    """``name=version`` of each installed distribution, ``;``-joined (missing ones as ``-``)."""
    from importlib import metadata

    found = []
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return ";".join(found)


def lexicon_fingerprint(lexicon: Any) -> str:
    """A hash of everything in a :class:`~corpus_tools.lexicon.Lexicon` that matching uses."""
    entries = [entry.to_dict() for entry in lexicon.entries]
    return hashlib.sha256(json.dumps(entries, sort_keys=True, default=str).encode()).hexdigest()


def digest(*parts: Any) -> str:
    """sha256 over the parts, each separated so that ("ab", "c") != ("a", "bc")."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            h.update(part)
        else:
            h.update(str(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x1e")
    return h.hexdigest()


class SafeStore:
    """Content-addressed cache entries under ``root`` (``root/ab/abcdef....zip``), written
    atomically, that hold no pickles: reading an entry never runs code, whoever wrote the file.

    An entry is a zip archive of ``entry.json`` (the key and the value's structure as tagged
    JSON) plus one part per table or array: DataFrames and lists of row tuples as Parquet,
    numpy arrays as ``.npy`` read with ``allow_pickle=False``. Values may be built of ``None``,
    ``bool``, ``int``, ``float``, ``str``, lists, tuples, dicts, sets, numpy scalars and arrays,
    pandas DataFrames and timestamps; anything else is not cached (with a warning).

    ``get`` returns ``None`` on a miss and, with a warning, on a damaged entry (which the next
    ``put`` replaces).
    """

    suffix = ".zip"

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.stats = {"hits": 0, "misses": 0, "rebuilt": 0}

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{self.suffix}"

    def get(self, key: str) -> Any:
        path = self.path(key)
        try:
            archive = zipfile.ZipFile(path)
        except FileNotFoundError:
            self.stats["misses"] += 1
            return None
        except (OSError, zipfile.BadZipFile, ValueError) as exc:
            logger.warning("cache entry %s is corrupt (%s); rebuilding it", path, exc)
            self.stats["rebuilt"] += 1
            return None
        try:
            with archive:
                entry = json.loads(archive.read(_ENTRY))
                if not isinstance(entry, dict) or entry.get("key") != key or entry.get("format") != _FORMAT:
                    raise ValueError("entry does not belong to its key")
                value = _decode(entry["value"], archive)
        except Exception as exc:  # any damage means: compute again
            logger.warning("cache entry %s is corrupt (%s); rebuilding it", path, exc)
            self.stats["rebuilt"] += 1
            return None
        self.stats["hits"] += 1
        return value

    def put(self, key: str, value: Any) -> None:
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as archive:
                    parts = _Parts(archive)
                    structure = _encode(value, parts)
                    archive.writestr(_ENTRY, json.dumps({"key": key, "format": _FORMAT, "value": structure}))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, TypeError, ValueError) as exc:
            logger.warning("could not write cache entry %s: %s", path, exc)


_ENTRY = "entry.json"


class _Parts:
    """Numbered binary parts of one entry being written."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.count = 0

    def add(self, suffix: str, write: Any) -> str:
        name = f"part{self.count}{suffix}"
        self.count += 1
        with self.archive.open(name, "w", force_zip64=True) as handle:
            write(handle)
        return name


def _encode(value: Any, parts: "_Parts | None") -> Any:
    """``value`` as JSON in which every dict is a tagged container (so plain JSON lists and
    scalars are exactly lists and scalars), tables and arrays stored as parts."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, list):
        if parts is not None and len(value) > 1 and _is_rows(value):
            return {"$rows": parts.add(".parquet", lambda h: _rows_to_parquet(value, h))}
        return [_encode(v, parts) for v in value]
    if isinstance(value, tuple):
        return {"$t": [_encode(v, parts) for v in value]}
    if isinstance(value, dict):
        return {"$d": [[_encode(k, parts), _encode(v, parts)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"$s": [_encode(v, parts) for v in sorted(value, key=repr)]}
    import numpy as np
    import pandas as pd

    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return {"$np": value.dtype.str, "v": value.item()}
    if value is pd.NaT:
        return {"$nat": True}
    if isinstance(value, pd.Timestamp):
        return {"$ts": value.isoformat()}
    if parts is not None and isinstance(value, np.ndarray) and value.dtype.kind in "biufcSUMm":
        return {"$a": parts.add(".npy", lambda h: np.save(h, value, allow_pickle=False))}
    if parts is not None and isinstance(value, pd.DataFrame):
        return _encode_frame(value, parts)
    raise TypeError(f"cannot cache a value of type {type(value).__name__}")


def _decode(data: Any, archive: zipfile.ZipFile) -> Any:
    if isinstance(data, list):
        return [_decode(v, archive) for v in data]
    if not isinstance(data, dict):
        return data
    if "$t" in data:
        return tuple(_decode(v, archive) for v in data["$t"])
    if "$d" in data:
        return {_decode(k, archive): _decode(v, archive) for k, v in data["$d"]}
    if "$s" in data:
        return {_decode(v, archive) for v in data["$s"]}
    if "$rows" in data:
        return _rows_from_parquet(archive, data["$rows"])
    import numpy as np
    import pandas as pd

    if "$np" in data:
        dtype = np.dtype(str(data["$np"]))
        if dtype.kind not in "biuf":
            raise ValueError(f"unexpected scalar type {dtype}")
        return dtype.type(data["v"])
    if "$nat" in data:
        return pd.NaT
    if "$ts" in data:
        return pd.Timestamp(data["$ts"])
    if "$a" in data:
        with archive.open(_part_name(data["$a"])) as handle:
            return np.load(io.BytesIO(handle.read()), allow_pickle=False)
    if "$f" in data:
        return _decode_frame(data, archive)
    raise ValueError(f"unknown tag in cache entry: {sorted(data)[:3]}")


def _part_name(name: Any) -> str:
    if not isinstance(name, str) or "/" in name or not name.startswith("part"):
        raise ValueError(f"bad part name {name!r}")
    return name


def _is_rows(value: list) -> bool:
    """A list of equally long tuples (the row form of the per-document caches)."""
    first = value[0]
    return isinstance(first, tuple) and all(type(v) is tuple and len(v) == len(first) for v in value)


def _arrow_type(values: list) -> Any:
    """The Arrow type that stores these Python values and gives them back exactly, or None."""
    import pyarrow as pa

    kinds = {type(v) for v in values}
    kinds.discard(type(None))
    if kinds == {str}:
        return pa.string()
    if kinds == {bool}:
        return pa.bool_()
    if kinds == {int} and all(v is None or -(2 ** 63) <= v < 2 ** 63 for v in values):
        return pa.int64()
    if kinds == {float} and None not in values:
        return pa.float64()
    return None  # mixed, nested or other: kept as tagged JSON text


def _rows_to_parquet(rows: list[tuple], handle: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns, names = [], []
    for n, values in enumerate(zip(*rows)):
        values = list(values)
        arrow = _arrow_type(values)
        if arrow is None:
            columns.append(pa.array([json.dumps(_encode(v, None)) for v in values], pa.string()))
            names.append(f"j{n}")
        else:
            columns.append(pa.array(values, arrow))
            names.append(f"c{n}")
    pq.write_table(pa.table(columns, names=names), handle)


def _rows_from_parquet(archive: zipfile.ZipFile, name: Any) -> list[tuple]:
    import pyarrow.parquet as pq

    with archive.open(_part_name(name)) as handle:
        table = pq.read_table(io.BytesIO(handle.read()))
    columns = []
    for column_name, column in zip(table.column_names, table.columns):
        values = column.to_pylist()
        if column_name.startswith("j"):
            values = [_decode(json.loads(v), archive) for v in values]
        columns.append(values)
    return list(zip(*columns))


def _encode_frame(frame: Any, parts: "_Parts") -> dict:
    """A DataFrame as Parquet; object columns (which may hold lists, dicts, mixed types or None
    beside NaN, none of which Parquet gives back as they were) as tagged JSON text."""
    if not all(isinstance(c, str) for c in frame.columns) or frame.columns.duplicated().any():
        raise TypeError("only tables with distinct text column names are cached")
    json_columns = [c for c in frame.columns if frame[c].dtype == object]
    stored = frame
    if json_columns:
        stored = frame.copy(deep=False)
        for column in json_columns:
            stored[column] = _json_text_column(frame[column])
    name = parts.add(".parquet", lambda h: stored.to_parquet(h, engine="pyarrow"))
    return {"$f": name, "json_columns": json_columns}


def _json_text_column(series: Any) -> Any:
    import pandas as pd

    return pd.Series([json.dumps(_encode(v, None)) for v in series], index=series.index, dtype=object)


def _decode_frame(data: dict, archive: zipfile.ZipFile) -> Any:
    import pandas as pd

    with archive.open(_part_name(data["$f"])) as handle:
        frame = pd.read_parquet(io.BytesIO(handle.read()), engine="pyarrow")
    for column in data.get("json_columns", []):
        frame[column] = pd.Series([_decode(json.loads(v), archive) for v in frame[column]],
                                  index=frame.index, dtype=object)
    return frame


def document_row_key(*, doc_id: str, text: str, sentences: Iterable[tuple], model: str, lexicon: str,
                     options: str = "") -> str:
    """Key of one document's rows: its id, original text and sentence segmentation, the spaCy
    model fingerprint, the lexicon fingerprint, the stage options, the source fingerprint of the
    row-making code and the spaCy version."""
    parts: list[Any] = ["rows", _FORMAT, source_fingerprint(ROW_SOURCES), library_versions(("spacy",)),
                        model, lexicon, options, doc_id, text]
    for row in sentences:
        parts.append("\x1f".join(str(v) for v in row))
    return digest(*parts)


def frame_digest(frame: Any) -> str:
    """A content hash of a DataFrame (values, index and column names)."""
    import pandas as pd

    hashed = pd.util.hash_pandas_object(frame.astype(str), index=True).to_numpy().tobytes()
    return digest(",".join(map(str, frame.columns)), hashed)


class DocumentRowCache:
    """The row and result caches of the document stages for one corpus.

    Each document's key (:func:`document_row_key`) holds its id, text and segmentation, the
    spaCy model fingerprint and every stage's :meth:`~corpus_tools.stages.DocumentStage.cache_key`;
    the corpus-level results' key holds every document's key, the document table (order,
    titles, dates, word counts) and the lexicon (labels included).

    Args:
        root: the cache folder (``rows/`` and ``results/`` go under it).
        corpus: the corpus.
        model: the parser's model fingerprint.
        stages_key: :func:`corpus_tools.stages.stages_key` of the stages.
        lexicon: the lexicon in use (its fingerprint is part of the results' key).
    """

    def __init__(self, root: str | os.PathLike, corpus: Any, *, model: str, stages_key: str, lexicon: Any) -> None:
        self.rows = SafeStore(Path(root) / "rows")
        self.results = SafeStore(Path(root) / "results")
        columns = ["doc_id", "para_id", "sent_id", "clean_text", "clean_start", "start", "end"]
        groups = {doc_id: sents for doc_id, sents in corpus.sentences[columns].groupby("doc_id", sort=False)}
        #: each document's row key, in corpus order (documents without sentences have none)
        self.keys: dict[str, str] = {}
        for doc_id in corpus.doc_ids:
            sents = groups.get(doc_id)
            if sents is None:
                continue
            self.keys[doc_id] = document_row_key(doc_id=doc_id, text=corpus.text(doc_id),
                                                 sentences=sents.itertuples(index=False, name=None),
                                                 model=model, lexicon="", options=stages_key)
        self.results_key = digest("results", source_fingerprint(ROW_SOURCES), lexicon_fingerprint(lexicon),
                                  frame_digest(corpus.documents), *self.keys.items())

    def get(self, doc_id: str) -> Any:
        """One document's rows (``{stage name: rows}``), or ``None``."""
        key = self.keys.get(doc_id)
        return self.rows.get(key) if key is not None else None

    def put(self, doc_id: str, rows: Any) -> None:
        self.rows.put(self.keys[doc_id], rows)

    def get_results(self) -> Any:
        """The corpus-level results (``{stage name: fields}``) of an earlier run, or ``None``."""
        return self.results.get(self.results_key)

    def put_results(self, results: Any) -> None:
        self.results.put(self.results_key, results)
