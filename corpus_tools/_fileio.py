"""Safe writing of outputs: atomic replace, never into (or out of) the corpus folder, and a
report folder that is switched whole.

A report of :func:`corpus_tools.analyze` is several files (``report.md``, ``report.html``,
``tables/``, ``run.json``). Replacing each atomically on its own still lets a kill leave new
tables beside an old report, so :class:`ReportFolder` writes the whole report into a fresh
version folder and then switches one symbolic link, ``OUT -> .OUT.corpus-tools/v-...``, with a
single atomic rename. A lock in the same hidden folder keeps two runs from writing the same
``OUT`` at once; leftovers of killed runs are removed there, under the lock.
"""
from __future__ import annotations

import errno
import json
import logging
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterable

from .errors import CorpusToolsError

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

#: Written into every folder of files this package made: the names it wrote there, so that
#: only those are ever removed as stale (never a user's file that happens to share a name).
MANIFEST_NAME = ".corpus-tools-files.json"


class OutputPathError(CorpusToolsError):
    """An output location would write into the input corpus, or cannot be created."""


class OutputBusyError(OutputPathError):
    """Another run is writing the same output folder."""


# --- where outputs may go -------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_location(out: str | Path, input_root: str | Path | None) -> None:
    """Refuse an output location that overlaps the input folder, either way round.

    Both paths are resolved (links followed): the output may not be inside the input, the input
    may not be inside the output, and no link inside the input may lead into the output (or the
    hidden folder that keeps its versions), since the next run would read its own report as an
    essay.

    Raises:
        OutputPathError: the two overlap; the message names the offending path.
    """
    if input_root is None:
        return
    out_path = Path(out)
    root = Path(input_root).resolve()
    targets = [out_path.resolve(), _store_for(out_path.absolute()).resolve()]
    if out_path.is_symlink():
        targets.append(Path(os.path.abspath(out_path)))
    for target in targets:
        if _inside(target, root):
            raise OutputPathError(
                f"{out_path}: is inside the input folder {input_root}; choose an output folder outside it "
                "(the input folder is never written)")
        if _inside(root, target):
            raise OutputPathError(
                f"{out_path}: holds the input folder {input_root}; choose an output folder that is not a "
                "parent of the essays (a report there would overwrite them)")
    for link in _links_in(root):
        real = link.resolve()
        for target in targets:
            if _inside(real, target):
                raise OutputPathError(
                    f"{link}: a link inside the input folder leads into the output folder {out_path}; "
                    "remove the link or choose another output folder (a run would read its own report)")


def check_output_file(path: str | Path, input_root: str | Path | None) -> None:
    """Refuse a single output file inside the input folder (links followed). Unlike a report
    folder, one named file beside the essays overwrites none of them, so a parent folder is fine.

    Raises:
        OutputPathError: the file would be inside the input folder.
    """
    if input_root is None:
        return
    target = Path(path).resolve()
    if _inside(target, Path(input_root).resolve()):
        raise OutputPathError(f"{path}: is inside the input folder {input_root}; write it elsewhere "
                              "(the input folder is never written)")


def _links_in(root: Path) -> Iterable[Path]:
    """Every symbolic link under ``root`` that the loader would follow (links followed, each real
    folder visited once, hidden ones skipped as the loader skips them)."""
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "__"))]
        for name in [*dirnames, *(f for f in filenames if not f.startswith("."))]:
            path = Path(dirpath) / name
            if path.is_symlink():
                yield path


def read_data_file(source: Path, error: "type[Exception]", what: str) -> str:
    """The UTF-8 text of a data file the user may edit (a lexicon, a frame grammar); every
    problem raises ``error`` naming the file (and the line of a bad byte).

    Args:
        source: the file.
        error: the exception class to raise (e.g. ``LexiconError``).
        what: the kind of file, for messages ("lexicon", "frame grammar").
    """
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise error(f"{source}: {what} file not found") from None
    except IsADirectoryError:
        raise error(f"{source}: is a folder; expected a .toml {what} file") from None
    except OSError as exc:
        raise error(f"{source}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(f"{source}: line {line}: not UTF-8 text") from None


def parse_toml(text: str, source: "str | Path", error: "type[Exception]") -> dict:
    """``tomllib.loads(text)``, with a syntax error raised as ``error`` naming file and line."""
    import re
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        if match:
            raise error(f"{source}: line {match.group(1)}: malformed TOML: {msg[:match.start()].strip()} "
                        f"(column {match.group(2)})") from None
        if "end of document" in msg:
            last = max(1, len(text.rstrip("\n").splitlines()))
            raise error(f"{source}: line {last}: malformed TOML: {msg.split('(')[0].strip()} "
                        "(at end of file)") from None
        raise error(f"{source}: line 1: malformed TOML: {msg}") from None


def prepare_output_dir(out: str | Path, input_root: str | Path | None = None) -> Path:
    """Create ``out`` if needed, refusing any location that overlaps the input folder."""
    out_path = Path(out)
    check_output_location(out_path, input_root)
    try:
        out_path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputPathError(f"{out_path}: cannot create output folder: {exc.strerror or exc}") from None
    return out_path


# --- one file at a time ---------------------------------------------------------------------


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
    """Atomically write a DataFrame as CSV (UTF-8, no index), string cells that a spreadsheet
    would run as a formula neutralised (see :func:`csv_safe`)."""
    safe = csv_safe(frame)
    return atomic_write_with(path, lambda handle: safe.to_csv(handle, index=False, encoding="utf-8"))


#: First characters that make a spreadsheet read a cell as a formula (the OWASP list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(frame: "pd.DataFrame") -> "pd.DataFrame":
    """``frame`` with every string cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return prefixed by a single quote, so Excel, LibreOffice or Google Sheets show it
    as text instead of running it (CSV injection, OWASP). Returns ``frame`` itself when no cell
    needs it; Parquet files are written from the exact values."""
    import pandas as pd

    changed = {}
    for column in frame.columns:
        series = frame[column]
        if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
            continue
        if isinstance(series, pd.DataFrame):  # duplicate column names: leave them as they are
            continue
        risky = series.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
        if risky.any():
            changed[column] = series.where(~risky, "'" + series[risky].astype(str)).astype(object)
    if not changed:
        return frame
    out = frame.copy()
    for column, values in changed.items():
        out[column] = values
    return out


# --- manifests: the files this package wrote into a folder -----------------------------------


def read_manifest(folder: Path) -> set[str]:
    """Names this package recorded as written in ``folder`` (empty when none or unreadable)."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {str(name) for name in data.get("files", []) if isinstance(name, str) and "/" not in name}
    except (OSError, ValueError, AttributeError):
        return set()


def write_manifest(folder: Path, names: Iterable[str]) -> None:
    atomic_write_text(folder / MANIFEST_NAME,
                      json.dumps({"tool": "corpus_tools", "files": sorted(set(names))}, indent=1) + "\n")


def remove_stale(folder: Path, keep: Iterable[str]) -> list[Path]:
    """Remove files of ``folder`` that the previous manifest lists and ``keep`` does not, and the
    temp files (``.NAME.*.tmp``) a killed write of a listed name left behind. A file the
    manifest does not list is never touched."""
    keep = set(keep)
    listed = read_manifest(folder)
    removed = []
    for path in folder.iterdir() if folder.is_dir() else ():
        name = path.name
        stale = name in listed and name not in keep
        leftover = name.startswith(".") and name.endswith(".tmp") and \
            any(name.startswith(f".{known}.") for known in listed | keep)
        if (stale or leftover) and path.is_file() and not path.is_symlink():
            try:
                path.unlink()
                removed.append(path)
            except OSError as exc:
                logger.warning("could not remove stale file %s: %s", path, exc)
    return removed


# --- a report folder switched whole ----------------------------------------------------------


def _store_for(out: Path) -> Path:
    """The hidden sibling folder that keeps the versions and the lock of ``out``."""
    return out.parent / f".{out.name}.corpus-tools"


class ReportFolder:
    """The output folder of one run, locked for the run and replaced whole at the end.

    Use::

        folder = ReportFolder(out).open()      # takes the lock; OutputBusyError if taken
        try:
            staging = folder.begin()           # a fresh, empty version folder
            ... write every file into staging ...
            folder.commit()                    # one rename: OUT now shows the new version
        finally:
            folder.close()                     # drops an uncommitted version; releases the lock

    ``OUT`` becomes a symbolic link to ``.OUT.corpus-tools/v-<time>-<random>``, switched with
    ``os.replace`` of a new link, so at every instant ``OUT`` shows one complete report, old or
    new. An existing real folder is taken over only when it is empty or holds nothing but a
    report this package wrote (its ``run.json`` lists the files); a folder with anything else
    in it is written file by file as before (each file atomic, the user's files untouched), with
    a warning in :attr:`warnings`. The same is done where links cannot be made. A replaced
    version that holds files this package did not write (saved there after the run) is kept
    whole as ``.OUT.corpus-tools/kept-...``, with a warning, instead of being removed.
    """

    def __init__(self, out: str | Path, *, wait: float = 0.0) -> None:
        self.out = Path(out)
        self.wait = wait
        self.store = _store_for(self.out.absolute())
        self.warnings: list[str] = []
        self.in_place = False
        self._lock = None
        self._staging: Path | None = None

    # lock ----------------------------------------------------------------------------------
    def open(self) -> "ReportFolder":
        try:
            self.store.mkdir(parents=True, exist_ok=True)
            handle = open(self.store / "lock", "a+")
        except OSError as exc:
            raise OutputPathError(f"{self.out}: cannot create the output folder: {exc.strerror or exc}") from None
        deadline = time.monotonic() + self.wait
        while True:
            try:
                _lock_file(handle)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip()
                    handle.close()
                    raise OutputBusyError(
                        f"{self.out}: another corpus-tools run is writing this output folder"
                        + (f" ({holder})" if holder else "")
                        + "; wait for it to finish, or choose another --out") from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        self._lock = handle
        try:
            self._clean_leftovers()
            self.in_place = not self._can_switch()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
        if self._lock is not None:
            try:
                self._lock.seek(0)
                self._lock.truncate()
                _unlock_file(self._lock)
            except OSError:
                pass
            self._lock.close()
            self._lock = None

    def __enter__(self) -> "ReportFolder":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # writing -------------------------------------------------------------------------------
    def begin(self) -> Path:
        """The folder to write the report into (``OUT`` itself when written in place)."""
        if self.in_place:
            try:
                self.out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputPathError(f"{self.out}: cannot create output folder: {exc.strerror or exc}") from None
            return self.out
        name = f"v-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
        self._staging = self.store / name
        self._staging.mkdir()
        os.chmod(self._staging, 0o777 & ~_current_umask())
        return self._staging

    def commit(self) -> None:
        """Show the written version at ``OUT`` (one rename), then drop the version it replaced."""
        if self.in_place or self._staging is None:
            return
        staging, self._staging = self._staging, None
        # What this run wrote, so that a later run can tell its files from anyone else's.
        written = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*")
                         if p.is_file() and p.name != MANIFEST_NAME)
        atomic_write_text(staging / MANIFEST_NAME,
                          json.dumps({"tool": "corpus_tools", "files": written}, indent=1) + "\n")
        previous = self._current_version()
        link = self.store / f"link-{secrets.token_hex(4)}"
        os.symlink(os.path.relpath(staging, self.out.absolute().parent), link, target_is_directory=True)
        displaced = None
        if self.out.is_symlink():
            pass
        elif self.out.is_dir():
            if any(self.out.iterdir()):
                # Only a report this package wrote (checked in open): kept aside, then removed.
                displaced = self.store / f"old-{secrets.token_hex(4)}"
                os.rename(self.out, displaced)
            else:
                self.out.rmdir()
        os.replace(link, self.out)
        for old in (previous, displaced):
            if old is None or old == staging:
                continue
            foreign = _foreign_files(old)
            if foreign:
                # Something other than this tool wrote into the shown folder (say, saved themes):
                # never removed; kept beside the versions, and the user is told where.
                kept = self.store / f"kept-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
                os.rename(old, kept)
                shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
                message = (f"{self.out} held files this tool did not write ({shown}); the previous report "
                           f"folder with them is kept at {kept}")
                logger.warning(message)
                self.warnings.append(message)
            else:
                shutil.rmtree(old, ignore_errors=True)

    # internals -----------------------------------------------------------------------------
    def _current_version(self) -> Path | None:
        if not self.out.is_symlink():
            return None
        target = Path(os.path.realpath(self.out))
        return target if target.parent == self.store.resolve() else None

    def _can_switch(self) -> bool:
        out = self.out
        if out.is_symlink():
            if self._current_version() is not None:
                return True
            self.warnings.append(f"{out} is a link to a folder this tool did not make; the report is written "
                                 "there file by file (not switched whole)")
            return False
        if not out.exists():
            return _links_supported(self.store)
        if not out.is_dir():
            raise OutputPathError(f"{out}: exists and is not a folder; choose a folder for the report")
        foreign = _foreign_files(out)
        if foreign:
            shown = ", ".join(sorted(foreign)[:3]) + (" ..." if len(foreign) > 3 else "")
            self.warnings.append(
                f"{out} holds files this tool did not write ({shown}); they are left alone and the report "
                "is written beside them file by file (a new or empty --out folder is replaced whole)")
            return False
        return _links_supported(self.store)

    def _clean_leftovers(self) -> None:
        """Versions and links of runs killed before they finished (safe: we hold the lock)."""
        current = self._current_version()
        for path in self.store.iterdir():
            if not path.name.startswith(("v-", "old-", "link-")):
                continue
            if path.is_symlink() or path.is_file():
                path.unlink(missing_ok=True)
            elif current is None or path.resolve() != current:
                shutil.rmtree(path, ignore_errors=True)


def _foreign_files(folder: Path) -> list[str]:
    """Paths (relative) under ``folder`` that no manifest or ``run.json`` of this package lists,
    temp files of its killed writes excepted."""
    ours: set[str] = set()
    for record in ("run.json", MANIFEST_NAME):
        try:
            run = json.loads((folder / record).read_text(encoding="utf-8"))
            if isinstance(run, dict) and run.get("tool") == "corpus_tools":
                ours |= {str(name) for name in run.get("files", []) if isinstance(name, str)}
        except (OSError, ValueError):
            pass
    foreign = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir() and not path.is_symlink():
            continue
        name = path.name
        if rel in ours or name == MANIFEST_NAME or (name.startswith(".") and name.endswith(".tmp")):
            continue
        if name in read_manifest(path.parent):
            continue
        foreign.append(rel)
    return foreign


def _links_supported(store: Path) -> bool:
    probe = store / f"link-probe-{secrets.token_hex(4)}"
    try:
        os.symlink(".", probe, target_is_directory=True)
    except (OSError, NotImplementedError):
        return False
    probe.unlink()
    return True


try:  # POSIX
    import fcntl

    def _lock_file(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
except ImportError:  # Windows
    import msvcrt

    def _lock_file(handle) -> None:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLK):
                raise BlockingIOError(str(exc)) from None
            raise

    def _unlock_file(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
