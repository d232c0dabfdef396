"""Which files to read: paths, folders and glob patterns given on the command line."""
from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from newsgraph.ingest.base import InputError

_GLOB_CHARS = frozenset("*?[")


def _is_hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def _sort_key(path: Path) -> tuple[str, ...]:
    return path.parts


def _walk(folder: Path) -> tuple[list[Path], list[InputError]]:
    """Files under ``folder`` (recursively, hidden names skipped, symlinked folders not followed)."""
    files: list[Path] = []
    errors: list[InputError] = []

    def on_error(err: OSError) -> None:
        errors.append(InputError(str(err.filename or folder), f"cannot read folder: {err.strerror or err}"))

    for top, dirs, names in os.walk(folder, onerror=on_error, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not _is_hidden(d))
        base = Path(top)
        files.extend(base / name for name in names if not _is_hidden(name))
    files.sort(key=_sort_key)
    return files, errors


def _check_file(path: Path, shown: str) -> InputError | None:
    """Why ``path`` cannot be read as a file, or ``None``."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            return InputError(shown, f"broken link: its target {target} does not exist")
        return InputError(shown, "no such file or folder")
    except OSError as err:
        return InputError(shown, f"cannot read: {err.strerror or err}")
    if stat.S_ISDIR(info.st_mode):
        return InputError(shown, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        return InputError(shown, "not a regular file (a device, pipe or socket)")
    if not os.access(path, os.R_OK):
        return InputError(shown, "cannot read: Permission denied")
    return None


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | InputError]:
    """Files to read, in order: each path as given, folders recursively (sorted).

    * a file is yielded as is;
    * a folder yields the files under it, sorted, skipping hidden files and
      folders (``.git``, ``.DS_Store``) and not following symlinked folders;
    * a glob pattern (``examples/*.txt``, ``data/**/*.html``) yields its
      matches, sorted (folders among them are expanded);
    * a path that does not exist, cannot be read, is not a regular file, or a
      pattern that matches nothing yields an ``InputError`` naming it.

    A file reached twice (repeated, or through a folder and a pattern, or a
    symlink) is yielded once.
    """
    seen: set[str] = set()

    def emit(path: Path) -> Iterator[Path | InputError]:
        problem = _check_file(path, str(path))
        if problem is not None:
            yield problem
            return
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            yield path

    def emit_folder(folder: Path, shown: str) -> Iterator[Path | InputError]:
        files, errors = _walk(folder)
        yield from errors
        if not files and not errors:
            yield InputError(shown, "folder holds no files (hidden files are skipped)")
        for path in files:
            yield from emit(path)

    for item in paths:
        shown = os.fspath(item)
        if not shown:
            yield InputError("''", "empty path")
            continue
        expanded = os.path.expanduser(shown)
        path = Path(expanded)
        if _GLOB_CHARS & set(shown) and not os.path.lexists(expanded):
            matches = sorted(glob.glob(expanded, recursive=True), key=lambda m: Path(m).parts)
            if not matches:
                yield InputError(shown, "no files match this pattern")
                continue
            for match in matches:
                match_path = Path(match)
                if match_path.is_dir():
                    files, errors = _walk(match_path)
                    yield from errors
                    for file in files:
                        yield from emit(file)
                else:
                    yield from emit(match_path)
            continue
        if path.is_dir():
            yield from emit_folder(path, shown)
        else:
            problem = _check_file(path, shown)
            if problem is not None:
                yield problem
            else:
                yield from emit(path)
