"""How the kernels are compiled: numba, with a cache that cannot go stale.

Numba keys its on-disk cache by the source file of the cached function alone, but our kernels
inline helpers from other modules: after an upgrade that changed only a helper, numba would load
the old kernel, and the archives it wrote would not decode with the new one. So the cache lives in
a directory named by a hash of every source file of the package and numba's version; where no such
directory can be made, kernels are compiled afresh in each process (a few seconds).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba


def _cache_dir() -> Path:
    digest = hashlib.sha256(numba.__version__.encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + source.read_bytes())
    base = numba.config.CACHE_DIR or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nncompress-kernels" / digest.hexdigest()[:16]


def _usable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


_CACHE_DIR = _cache_dir()
_CACHE = _usable(_CACHE_DIR)


def kernel(function):
    """numba.njit(cache=True), cached under _CACHE_DIR; numba's global setting is left as it was."""
    saved = numba.config.CACHE_DIR
    numba.config.CACHE_DIR = str(_CACHE_DIR)
    try:
        return numba.njit(cache=_CACHE)(function)
    finally:
        numba.config.CACHE_DIR = saved
