"""Uploaded zips (the folder formats: an Ohana export, an HSDS tabular package, the CSV files a
mapping joins): checked from their central directory as they arrive, unpacked by the worker.

Unpacking is the slow part (a 2 MB zip may hold 2 GiB), so a request never does it: `check`
reads only the directory (instant whatever the size) and the worker's `unpack` checks again,
then writes the members. The declared sizes are a true bound: zipfile reads no more of a member
than its declared size, and a member whose data says otherwise fails its CRC check, so a
forged directory ends as a damaged archive, never as more bytes on disk.
"""

from __future__ import annotations

import lzma
import shutil
import zipfile
import zlib
from pathlib import Path

from indexer.records import ReadError

# What zipfile can unpack without anything outside the standard library.
COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


class TooLarge(ReadError):
    """The archive unpacks to more than the limit."""


def is_archive(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def _members(zipped: zipfile.ZipFile, folder: Path, limit: int) -> list[zipfile.ZipInfo]:
    members = [m for m in zipped.infolist() if not m.is_dir()]
    if not members:
        raise ReadError("the archive is empty")
    for member in members:
        target = (folder / member.filename).resolve()
        if folder.resolve() not in target.parents:
            raise ReadError(f"archive member outside it: {member.filename}")
        if member.flag_bits & 0x1:
            raise ReadError(f"archive member is encrypted: {member.filename}")
        if member.compress_type not in COMPRESSIONS:
            raise ReadError(f"archive member compressed in an unknown way: {member.filename}")
    if sum(m.file_size for m in members) > limit:
        raise TooLarge(f"the archive unpacks to more than {limit} bytes")
    return members


def _open(archive: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise ReadError("not a zip archive") from exc


def check(archive: Path, limit: int) -> None:
    """Raise ReadError (TooLarge over `limit` bytes unpacked) unless `archive` is a zip with
    members, none outside it, encrypted or compressed in an unknown way; unpacks nothing."""
    with _open(archive) as zipped:
        _members(zipped, archive.with_suffix(""), limit)


def unpack(archive: Path, limit: int) -> Path:
    """Unpack `archive` beside it, remove it, and return the folder it holds (its one top
    folder, if that is all it has); ReadError as `check`, or when a member's data is damaged."""
    folder = archive.with_suffix("")
    with _open(archive) as zipped:
        for member in _members(zipped, folder, limit):
            target = folder / member.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zipped.open(member) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
            except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError) as exc:
                raise ReadError(
                    f"a damaged zip archive: {member.filename} does not match the size "
                    f"({member.file_size} bytes) and checksum it declares ({exc})"
                ) from exc
    archive.unlink()
    inside = [p for p in folder.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    return inside[0] if len(inside) == 1 and inside[0].is_dir() else folder
