"""On-disk result caches that make a warm re-run of :func:`corpus_tools.analyze` cheap.

Two caches live under the cache dir (:func:`corpus_tools.parse.default_cache_dir` or
``cache_dir=`` / ``--cache-dir``), next to the parse and embedding caches:

- ``rows/``: per document, the concept mention rows, framing rows and concept-suggestion
  candidates. A warm run reads these instead of parsing and matching again (it does not even
  read the document's DocBin).
- ``topics/``: the theme result of a whole corpus (tables and measures), since the fit is
  deterministic for the same units, embeddings model, parameters, seed and package versions.

Every key includes everything the entry depends on, so a changed text, lexicon, spaCy model,
package version or corpus_tools source never reads a stale entry: the text and ids of the
document (or units), a fingerprint of the lexicon, the spaCy model fingerprint, the versions
of the libraries involved, and a hash of the source files of the stages that made the rows.
Entries are written atomically; an unreadable entry is rebuilt with a warning.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Iterable

from ._version import __version__

logger = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent
#: Bumped when the layout of a cache entry changes.
_FORMAT = "1"
#: Sources whose code decides the per-document rows (loading and cleaning decide the offsets).
ROW_SOURCES = ("load.py", "clean.py", "parse.py", "concepts.py", "discovery.py", "lexicon.py", "framing")
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


class PickleStore:
    """Content-addressed pickles under ``root`` (``root/ab/abcdef....pkl``), written atomically.

    ``get`` returns ``None`` on a miss and, with a warning, on a damaged entry (which the next
    ``put`` replaces). Only ever reads files this package wrote into the user's own cache dir.
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.stats = {"hits": 0, "misses": 0, "rebuilt": 0}

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> Any:
        path = self.path(key)
        try:
            handle = open(path, "rb")
        except FileNotFoundError:
            self.stats["misses"] += 1
            return None
        except OSError as exc:
            logger.warning("cache entry %s unreadable (%s); rebuilding it", path, exc)
            self.stats["rebuilt"] += 1
            return None
        try:
            # Unpickled from the file, never read whole into a bytes object first: a corpus-level
            # entry is hundreds of MB at 5,000 essays, and holding both doubled the peak.
            with handle:
                payload = pickle.load(handle)
            if not isinstance(payload, dict) or payload.get("key") != key:
                raise ValueError("entry does not belong to its key")
        except Exception as exc:  # any damage means: compute again
            logger.warning("cache entry %s is corrupt (%s); rebuilding it", path, exc)
            self.stats["rebuilt"] += 1
            return None
        self.stats["hits"] += 1
        return payload["value"]

    def put(self, key: str, value: Any) -> None:
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    # Streamed to the file: no second in-memory copy of a large entry.
                    pickle.dump({"key": key, "value": value}, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
            logger.warning("could not write cache entry %s: %s", path, exc)


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
