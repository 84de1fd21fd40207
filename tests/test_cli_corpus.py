"""Round trips of the real corpora through the command line (preset 1: the suite has 15 minutes)."""
from __future__ import annotations

import pytest

from .helpers import CANTERBURY, DATA
from .test_cli import invoke

FILES = CANTERBURY + ([DATA / "enwik8_1M"] if (DATA / "enwik8_1M").exists() else [])


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_cli_round_trip(tmp_path, path):
    archive = tmp_path / (path.name + ".nnc")
    packed = invoke("compress", "-1", "-o", archive, path)
    assert packed.exit_code == 0, packed.stderr
    unpacked = invoke("decompress", "-c", archive)
    assert unpacked.exit_code == 0, unpacked.stderr
    assert unpacked.stdout_bytes == path.read_bytes()
    assert path.exists()
