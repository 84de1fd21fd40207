"""Archives are identical however the kernels are compiled, and when they are not compiled at all.

Each setting runs in a fresh interpreter (numba reads these variables when it loads) with a
kernel cache of its own: numba's cache is keyed by the source and the CPU, not by the optimiser's
level, so a shared one would hand the "unoptimised" setting the host's optimised kernels.
- the host's instruction set (AVX-512 here) against a generic x86-64 target: another machine;
- LLVM's optimiser off: no reordering or vectorisation can matter;
- NUMBA_DISABLE_JIT=1: the kernels run as plain Python on numpy integers, an independent
  reference for what the compiled code computes.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import english_like

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"host": {}, "generic-cpu": {"NUMBA_CPU_NAME": "generic"}, "unoptimised": {"NUMBA_OPT": "0"},
            "interpreted": {"NUMBA_DISABLE_JIT": "1"}}

# Presets 1, 6 and 7 (its extra contexts and inputs) in one block, and preset 1 in 1 KiB blocks
# (what carries over between blocks).
_SCRIPT = """
import hashlib, sys, nncompress
data = open(sys.argv[1], 'rb').read()
for preset, block_size in ((1, None), (6, None), (7, None), (1, 1024)):
    archive = nncompress.compress(data, preset=preset, block_size=block_size)
    assert nncompress.decompress(archive) == data
    print(preset, block_size, hashlib.sha256(archive).hexdigest()[:16])
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("det") / "sample"
    text = english_like(1200, seed=11)
    path.write_bytes(text + bytes(range(256)) + text[300:900])   # small (the interpreter is slow); repeats
    return path


def _digests(env: dict, sample: Path, cache: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NUMBA_CACHE_DIR=str(cache), **env)
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", _SCRIPT, str(sample)], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_archive_identical_across_compilations(sample, tmp_path):
    results = {name: _digests(env, sample, tmp_path / name) for name, env in SETTINGS.items()}
    reference = results["host"]
    assert reference.count("\n") == 4
    differing = {name: out for name, out in results.items() if out != reference}
    assert not differing, f"host: {reference!r}; differing: {differing}"
