"""Archives are identical however the kernels are compiled, and when they are not compiled at all.

The reference is this process's archives (kernels compiled for this machine, AVX-512 here, with the
optimiser on). Each other setting runs in a fresh interpreter (numba reads these variables when it
loads) with a kernel cache of its own: numba's cache is keyed by the source and the CPU, not by the
optimiser's level, so a shared one would hand the "unoptimised" setting the host's optimised kernels.
- a generic x86-64 target: another machine;
- LLVM's optimiser off: no reordering or vectorisation can matter;
- NUMBA_DISABLE_JIT=1: the kernels run as plain Python on numpy integers, an independent
  reference for what the compiled code computes.
One test per setting, so that the test workers share them.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nncompress

from .helpers import english_like

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"generic-cpu": {"NUMBA_CPU_NAME": "generic"}, "unoptimised": {"NUMBA_OPT": "0"},
            "interpreted": {"NUMBA_DISABLE_JIT": "1"}}

# Presets 1, 6 and 7 (its extra contexts and inputs) in one block, and preset 1 in 1 KiB blocks
# (what carries over between blocks).
CODINGS = ((1, None), (6, None), (7, None), (1, 1024))


def archive_digests(data: bytes) -> str:
    """One line per coding: the preset, the block size and the archive's digest (each archive decodes)."""
    lines = []
    for preset, block_size in CODINGS:
        archive = nncompress.compress(data, preset=preset, block_size=block_size)
        assert nncompress.decompress(archive) == data
        lines.append(f"{preset} {block_size} {hashlib.sha256(archive).hexdigest()[:16]}\n")
    return "".join(lines)


_SCRIPT = ("import sys; from tests.test_determinism import archive_digests; "
           "print(archive_digests(open(sys.argv[1], 'rb').read()), end='')")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("det") / "sample"
    text = english_like(1200, seed=11)
    path.write_bytes(text + bytes(range(256)) + text[300:900])   # small (the interpreter is slow); repeats
    return path


@pytest.fixture(scope="module")
def host_digests(sample):
    """The reference: this process's kernels, compiled for this machine with the optimiser on."""
    return archive_digests(sample.read_bytes())


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_archive_identical_across_compilations(setting, sample, host_digests, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), NUMBA_CACHE_DIR=str(tmp_path / "cache"), **SETTINGS[setting])
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", _SCRIPT, str(sample)], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout == host_digests
