"""Registry index cache: build the index once per registry version, not at every start.

Parsing, validating and indexing 100,000 rows takes seconds of pure Python; unpickling the finished index
(rows packed in one buffer, a few large objects) takes a fraction of one. The cache key is a hash of the index
format and every registry file's name and bytes, so any edit (or a code change that bumps INDEX_FORMAT) rebuilds
it. Files live in SAQBOL_CACHE_DIR (default ~/.cache/saqbol), written atomically; a missing, stale or unreadable
cache is simply rebuilt.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
from pathlib import Path

from ..core.registry import Registry, RegistryError, load as build_registry

INDEX_FORMAT = "registry-index-3"
log = logging.getLogger(__name__)


def cache_dir() -> Path:
    return Path(os.environ.get("SAQBOL_CACHE_DIR") or Path.home() / ".cache" / "saqbol")


def _key(paths: list[Path]) -> str:
    h = hashlib.sha256(INDEX_FORMAT.encode())
    for p in paths:
        h.update(str(p.name).encode())
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"<unreadable>")
    return h.hexdigest()[:24]


def load_registry(paths: list[Path], use_cache: bool = True) -> tuple[Registry, list[RegistryError]]:
    """The registry index for these files, from the cache when it matches, else built (and cached)."""
    if not use_cache or not paths:
        return build_registry(paths)
    target = cache_dir() / f"registry-{_key(paths)}.pickle"
    if target.exists():
        enabled = gc.isenabled()
        gc.disable()
        try:
            with target.open("rb") as fh:
                registry, errors = pickle.load(fh)
            if isinstance(registry, Registry):
                return registry, errors
        except Exception as exc:  # a corrupt or foreign cache file: rebuild
            log.warning("registry cache unreadable (%s); rebuilding", type(exc).__name__)
        finally:
            if enabled:
                gc.enable()
    registry, errors = build_registry(paths)
    if len(registry) >= 1000:  # small registries build faster than they unpickle
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump((registry, errors), fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(target)
        except OSError as exc:
            log.warning("registry cache not written: %s", exc)
    return registry, errors
