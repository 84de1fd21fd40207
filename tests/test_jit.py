"""The kernels' cache (nncompress/jit.py): a second process compiles nothing.

Every compiled function that Python calls must be cached: one that is not is compiled again by
every command, before any work (`rangecoder.seal`, uncached, took 0.26 s of a small file's 1.2 s).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Compresses, decompresses and streams a small input; prints each function numba had to compile.
_SCRIPT = """
from numba.core.dispatcher import Dispatcher
original = Dispatcher._compile_for_args
def counting(self, *args, **kws):
    misses = sum(self._cache_misses.values())
    result = original(self, *args, **kws)
    if sum(self._cache_misses.values()) > misses:
        print(self.py_func.__module__ + "." + self.py_func.__qualname__)
    return result
Dispatcher._compile_for_args = counting
import io
import nncompress
archive = nncompress.compress(b"a small input, a small input" * 4, preset=1)
assert nncompress.decompress(archive) == b"a small input, a small input" * 4
with nncompress.open(io.BytesIO(archive)) as f:
    f.read()
"""


def _compiled() -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_second_process_compiles_nothing():
    _compiled()   # fills the cache, unless the suite has already
    assert _compiled() == ""
