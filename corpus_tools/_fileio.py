"""Safe writing of outputs: atomic replace, and never into the corpus folder."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable

from .errors import CorpusToolsError

if TYPE_CHECKING:
    import pandas as pd


class OutputPathError(CorpusToolsError):
    """An output location would write into the input corpus, or cannot be created."""


def prepare_output_dir(out: str | Path, input_root: str | Path | None = None) -> Path:
    """Create ``out`` if needed, refusing any location inside the input folder."""
    out_path = Path(out)
    if input_root is not None:
        root = Path(input_root).resolve()
        target = out_path.resolve()
        if target == root or root in target.parents:
            raise OutputPathError(
                f"{out_path}: is inside the input folder {input_root}; choose an output folder outside it "
                "(the input folder is never written)"
            )
    try:
        out_path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputPathError(f"{out_path}: cannot create output folder: {exc.strerror or exc}") from None
    return out_path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temp file and a rename, so a killed run never
    leaves half a file."""
    return atomic_write_with(path, lambda handle: handle.write(data))


def atomic_write_with(path: str | Path, write: "Callable[[BinaryIO], object]") -> Path:
    """Like :func:`atomic_write_bytes`, but ``write(handle)`` streams the content into the temp
    file (a large table is never held whole in memory as text or bytes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        # mkstemp creates 0600 files; outputs are ordinary files, so honour the umask.
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Atomically write UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_table(frame: "pd.DataFrame", path: str | Path) -> Path:
    """Atomically write a DataFrame as CSV (UTF-8, no index)."""
    return atomic_write_with(path, lambda handle: frame.to_csv(handle, index=False, encoding="utf-8"))
