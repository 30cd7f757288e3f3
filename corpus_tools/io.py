"""Reading files from disk: encodings, binary detection, folder walking.

Nothing here writes anywhere. Each problem with a single file becomes a
:class:`SkippedFile` reason rather than an exception, so a corpus load goes on for the
rest of the folder.
"""
from __future__ import annotations

import codecs
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
METADATA_NAMES = ("metadata.csv",)

_MAGIC = {
    b"%PDF": "PDF document",
    b"\x89PNG": "PNG image",
    b"GIF8": "GIF image",
    b"\xff\xd8\xff": "JPEG image",
    b"PK\x03\x04": "ZIP archive (e.g. .docx)",
    b"\xd0\xcf\x11\xe0": "legacy Office document",
    b"\x1f\x8b": "gzip archive",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Below this share of undecodable characters, a UTF-8 file is taken as UTF-8 with a few
# damaged bytes rather than as another encoding.
_MAX_UTF8_DAMAGE = 0.01


class SkipFile(Exception):
    """A file cannot be used; ``str(exc)`` is the reason shown to the user."""


@dataclass
class DecodedText:
    """A file's text and how it was decoded."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def decode_bytes(data: bytes) -> DecodedText:
    """Decode file bytes, detecting BOMs, binary content and legacy encodings.

    Raises:
        SkipFile: empty, whitespace-only or binary content.
    """
    if not data.strip():
        raise SkipFile("empty file" if not data else "file holds only whitespace")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise SkipFile(f"starts with a {encoding} byte-order mark but does not decode: {exc.reason}") from None
            return _check_decoded(DecodedText(text, encoding + ("-sig" if encoding == "utf-8" else "")))
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            raise SkipFile(f"binary file ({kind}), not text")
    if b"\x00" in data[:8192]:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16
        raise SkipFile("binary file (contains NUL bytes and is not UTF-16 text), not text")
    try:
        return _check_decoded(DecodedText(data.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass
    lossy = data.decode("utf-8", errors="replace")
    damaged = lossy.count("\ufffd")
    has_multibyte = any(ord(ch) > 127 and ch != "\ufffd" for ch in lossy)
    if has_multibyte and damaged / max(len(lossy), 1) <= _MAX_UTF8_DAMAGE:
        return _check_decoded(
            DecodedText(lossy, "utf-8", [f"invalid UTF-8: {damaged} undecodable byte sequence(s) replaced with U+FFFD"])
        )
    return _check_decoded(_decode_legacy(data))


def _utf16_without_bom(data: bytes) -> DecodedText | None:
    """UTF-16 text saved without a byte-order mark (some Windows tools do), recognised by the
    zero high bytes of its ASCII characters: in LE every odd byte, in BE every even one."""
    sample = data[:8192 - (len(data[:8192]) % 2)]
    if len(data) % 2 or len(sample) < 4:
        return None
    half = len(sample) // 2
    for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if zeros.count(0) < 0.3 * half:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            decoded = _check_decoded(DecodedText(text, encoding,
                                                 [f"no byte-order mark; decoded as {encoding.upper()} (detected)"]))
        except SkipFile:
            continue
        letters = sum(ch.isalpha() for ch in text[:4096])
        if letters >= 0.5 * len(text[:4096].replace(" ", "").replace("\n", "") or "x"):
            return decoded
    return None


def _decode_legacy(data: bytes) -> DecodedText:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        lossy = data.decode("utf-8", errors="replace")
        return DecodedText(lossy, "utf-8", ["not valid UTF-8 and no encoding could be detected; decoded with replacements"])
    encoding = best.encoding
    text = str(best)
    if _is_single_byte_latin(encoding) and encoding != "cp1252":
        # Short texts leave the Latin code pages nearly tied; English commentary is
        # overwhelmingly Windows-1252, so prefer it whenever it decodes cleanly.
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return DecodedText(text, encoding, [f"not UTF-8; decoded as detected encoding {encoding}"])


def _is_single_byte_latin(encoding: str) -> bool:
    return encoding.startswith(("cp125", "latin", "iso8859", "mac_", "cp437", "cp850"))


def _check_decoded(decoded: DecodedText) -> DecodedText:
    text = decoded.text
    if not text.strip():
        raise SkipFile("file holds only whitespace")
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > 0.05 * min(len(text), 20000):
        raise SkipFile("binary file (mostly control characters), not text")
    return decoded


def read_text_file(path: Path) -> DecodedText:
    """Read and decode one text file. Raises :class:`SkipFile` with a reason."""
    try:
        data = path.read_bytes()
    except PermissionError:
        raise SkipFile("permission denied") from None
    except IsADirectoryError:
        raise SkipFile("is a directory") from None
    except OSError as exc:
        raise SkipFile(f"cannot be read: {exc.strerror or exc}") from None
    return decode_bytes(data)


@dataclass
class FoundFiles:
    """The outcome of walking a corpus folder."""

    texts: list[Path]
    skipped: list[tuple[Path, str]]


def find_text_files(root: Path) -> FoundFiles:
    """Walk ``root`` recursively (following links, never looping) for text files.

    Hidden files and folders are ignored. Files with other suffixes are reported as
    skipped so the user knows they were not read.
    """
    texts: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen_dirs: set[str] = set()
    def unreadable(exc: OSError) -> None:
        # os.walk would otherwise leave out a folder it cannot list without a word.
        reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
        skipped.append((Path(exc.filename or root), f"folder cannot be read ({reason}); its files were not loaded"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=unreadable):
        real = os.path.realpath(dirpath)
        if real in seen_dirs:
            dirnames[:] = []
            skipped.append((Path(dirpath), "folder already read through another link (symlink loop)"))
            continue
        seen_dirs.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if Path(dirpath) == root and name in METADATA_NAMES:
                continue
            if path.is_symlink() and not path.exists():
                skipped.append((path, "broken or looping symbolic link"))
                continue
            if path.suffix.lower() in TEXT_SUFFIXES:
                texts.append(path)
            else:
                skipped.append((path, f"not a text file this tool reads ({', '.join(TEXT_SUFFIXES)})"))
    return FoundFiles(texts, skipped)
