"""Models that are loaded at most once per process."""
from __future__ import annotations

import threading
from typing import TypeVar

T = TypeVar("T", bound="LoadedOnce")
# Re-entrant: a classifier loads the embedder while its own load holds the lock.
_LOCK = threading.RLock()


class LoadedOnce:
    """Base for a model class whose ``get()`` returns the process-wide instance."""

    @classmethod
    def get(cls: type[T]) -> T:
        instance = cls.__dict__.get("_instance")
        if instance is None:
            with _LOCK:
                instance = cls.__dict__.get("_instance")
                if instance is None:
                    instance = cls()
                    cls._instance = instance
        return instance
