"""Where an export is written: a file (through a temporary file, renamed when complete),
a folder or a ZIP file of tables, standard output, or a binary stream (the API).

A failed export never leaves half a file behind: the temporary file is removed
and a file already at the path is left as it was.
"""
from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO, Union

from newsgraph.export.selection import ExportError

OutTarget = Union[str, os.PathLike, BinaryIO, None]  # None or "-": standard output


def is_stream(out: OutTarget) -> bool:
    return out is not None and not isinstance(out, (str, os.PathLike))


def as_path(out: OutTarget) -> Path | None:
    """The output path, or None for standard output and streams."""
    if out is None or not isinstance(out, (str, os.PathLike)) or str(out) == "-":
        return None
    return Path(out)


def _cannot(path: Path, exc: BaseException) -> ExportError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return ExportError(f"cannot write {path}: {reason}")


def _file_mode(path: Path) -> int:
    """The mode of the file being replaced, else what the umask gives a new file."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextmanager
def _atomic_file(path: Path) -> Iterator[BinaryIO]:
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder (give a file name)")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, _file_mode(path))  # mkstemp makes the file private; an export is an ordinary file
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _cannot(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Unclosable(io.RawIOBase):
    """Lets a TextIOWrapper or ZipFile write to a caller's stream without closing it."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self._raw.write(b)
        return len(b)

    def flush(self) -> None:
        self._raw.flush()

    def close(self) -> None:  # the caller owns the stream
        if not self.closed:
            self.flush()
        super().close()


@contextmanager
def binary_output(out: OutTarget) -> Iterator[BinaryIO]:
    """A binary file object for ``out``; a path is written atomically."""
    path = as_path(out)
    if path is not None:
        with _atomic_file(path) as fh:
            yield fh
        return
    raw = out if is_stream(out) else sys.stdout.buffer
    sink = io.BufferedWriter(_Unclosable(raw))  # type: ignore[arg-type]
    try:
        yield sink  # type: ignore[misc]
    finally:
        sink.flush()


@contextmanager
def text_output(out: OutTarget, *, bom: bool = False) -> Iterator[TextIO]:
    """A UTF-8 text file object for ``out`` (with a byte-order mark when ``bom``)."""
    with binary_output(out) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig" if bom else "utf-8", newline="", write_through=False)
        try:
            yield text
        finally:
            text.flush()
            text.detach()


class Tables:
    """Several named text files: a folder, a ZIP file (``.zip``) or a ZIP written to a stream."""

    def __init__(self, out: OutTarget, *, bom: bool = False):
        self.bom = bom
        path = as_path(out)
        self.stream: BinaryIO | None = out if is_stream(out) else None  # type: ignore[assignment]
        if path is None and self.stream is None:
            raise ExportError("csv writes several tables: give --out FOLDER or --out FILE.zip")
        self.path = path or Path(".")
        self.zip_mode = self.stream is not None or self.path.suffix.lower() == ".zip"
        self.files: list[str] = []
        self._zip: zipfile.ZipFile | None = None

    @contextmanager
    def open(self) -> Iterator["Tables"]:
        if not self.zip_mode:
            try:
                self.path.mkdir(exist_ok=True)
            except OSError as exc:
                raise _cannot(self.path, exc) from None
            yield self
            return
        if self.stream is not None:
            sink = io.BufferedWriter(_Unclosable(self.stream))
            with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:
                self._zip = zf
                yield self
            sink.flush()
            return
        with _atomic_file(self.path) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            self._zip = zf
            yield self

    @contextmanager
    def table(self, name: str) -> Iterator[TextIO]:
        encoding = "utf-8-sig" if self.bom else "utf-8"
        if self._zip is not None:
            # a ZIP takes one member at a time: tables written side by side are spooled, then copied in
            with tempfile.SpooledTemporaryFile(max_size=16 << 20) as spool:
                text = io.TextIOWrapper(spool, encoding=encoding, newline="")  # type: ignore[arg-type]
                try:
                    yield text
                finally:
                    text.flush()
                    text.detach()
                spool.seek(0)
                with self._zip.open(name, "w") as member:
                    shutil.copyfileobj(spool, member, 1 << 20)
            self.files.append(name)
            return
        target = self.path / name
        with _atomic_file(target) as fh:
            text = io.TextIOWrapper(fh, encoding=encoding, newline="")  # type: ignore[arg-type]
            try:
                yield text
            finally:
                text.flush()
                text.detach()
        self.files.append(str(target))
