"""Settings: where the user's KB folders are, from flags, environment or a config file.

Precedence: command-line flags, then ``NEWSGRAPH_KB`` (folders separated by
``os.pathsep``), then ``kb_dirs`` in ``newsgraph.toml`` in the working folder
(or the file named by ``NEWSGRAPH_CONFIG``).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Settings:
    kb_dirs: list[Path] = field(default_factory=list)
    max_bytes: int | None = None


class ConfigError(Exception):
    pass


def load_settings(kb_flags: list[Path] | None = None) -> Settings:
    path = Path(os.environ.get("NEWSGRAPH_CONFIG", "newsgraph.toml"))
    data: dict = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8")).get("newsgraph", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc
    if kb_flags:
        kb_dirs = list(kb_flags)
    elif os.environ.get("NEWSGRAPH_KB"):
        kb_dirs = [Path(p) for p in os.environ["NEWSGRAPH_KB"].split(os.pathsep) if p]
    else:
        kb_dirs = [path.parent / p for p in data.get("kb_dirs", [])]
    max_bytes = data.get("max_bytes")
    return Settings(kb_dirs=kb_dirs, max_bytes=int(max_bytes) if max_bytes else None)


API_TOKEN_ENV = "NEWSGRAPH_API_TOKEN"


def load_api_token() -> str | None:
    """The bearer token that API writes need: ``$NEWSGRAPH_API_TOKEN``, else ``api_token`` in
    ``newsgraph.toml`` (or the file named by ``NEWSGRAPH_CONFIG``); None when neither is set."""
    if os.environ.get(API_TOKEN_ENV):
        return os.environ[API_TOKEN_ENV].strip() or None
    path = Path(os.environ.get("NEWSGRAPH_CONFIG", "newsgraph.toml"))
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")).get("newsgraph", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    token = data.get("api_token")
    if token is not None and not isinstance(token, str):
        raise ConfigError(f"{path}: api_token must be a string")
    return (token.strip() or None) if token else None
