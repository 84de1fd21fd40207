"""Archives are identical across torch thread counts and CPU instruction sets.

Each setting runs in a fresh interpreter, because ATEN_CPU_CAPABILITY is read when torch loads.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import english_like

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = [(threads, isa) for isa in ("default", "avx2", "avx512") for threads in (1, 2)]

_SCRIPT = """
import hashlib, sys, torch, nncompress
torch.set_num_threads(int(sys.argv[1]))
data = open(sys.argv[2], 'rb').read()
for preset in (1, 6):
    print(preset, hashlib.sha256(nncompress.compress(data, preset=preset)).hexdigest()[:16])
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("det") / "sample"
    path.write_bytes(english_like(3000, seed=11) + bytes(range(256)) * 2)
    return path


def _digests(threads: int, isa: str, sample: Path) -> str:
    env = dict(os.environ, ATEN_CPU_CAPABILITY=isa, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", _SCRIPT, str(threads), str(sample)], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_archive_identical_across_threads_and_instruction_sets(sample):
    results = {setting: _digests(*setting, sample) for setting in SETTINGS}
    reference = results[SETTINGS[0]]
    assert reference.count("\n") == 2
    differing = {setting: out for setting, out in results.items() if out != reference}
    assert not differing, f"reference {SETTINGS[0]}: {reference!r}; differing: {differing}"
