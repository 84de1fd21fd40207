"""Archives that a format version wrote decode to their data for as long as that version is current.

tests/data/format<N>/ holds one input (input.bin: text, random bytes, text) and its archives at
presets 1, 6 and 9 (since format 20 also 7 and 8, since format 21 every preset) and at -1 in 1 KiB blocks (coded
and stored blocks), written when format N was current. A change to the predictor or the coder without a new
FORMAT_VERSION fails here; the archives of older versions must be refused with the clear message.
After bumping FORMAT_VERSION, write the new version's files with `python -m tests.test_golden`.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

import nncompress
from nncompress.format import FORMAT_VERSION

DATA = Path(__file__).parent / "data"
ARCHIVES = {**{f"p{preset}.nnc": dict(preset=preset) for preset in range(1, 10)},
            "p1_1k_blocks.nnc": dict(preset=1, block_size=1024)}
VERSIONS = sorted(int(d.name[len("format"):]) for d in DATA.glob("format*"))
WRITTEN = [(version, name) for version in VERSIONS for name in sorted(ARCHIVES)
           if (DATA / f"format{version}" / name).exists()]   # older formats have fewer presets' archives


def test_the_current_version_has_its_archives():
    assert FORMAT_VERSION in VERSIONS, "write them with `python -m tests.test_golden`"
    assert {name for version, name in WRITTEN if version == FORMAT_VERSION} == set(ARCHIVES)


@pytest.mark.parametrize(("version", "name"), WRITTEN)
def test_archive_decodes_or_is_refused(version, name):
    folder = DATA / f"format{version}"
    archive = (folder / name).read_bytes()
    if version == FORMAT_VERSION:
        assert nncompress.decompress(archive) == (folder / "input.bin").read_bytes()
    else:
        with pytest.raises(nncompress.NNCompressError, match=f"version {version} is not supported"):
            nncompress.decompress(archive)


def write_archives() -> Path:
    from .helpers import english_like
    folder = DATA / f"format{FORMAT_VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    data = english_like(20000, seed=123) + random.Random(2026).randbytes(3000) + english_like(4000, seed=124)
    (folder / "input.bin").write_bytes(data)
    for name, options in ARCHIVES.items():
        (folder / name).write_bytes(nncompress.compress(data, **options))
    return folder


if __name__ == "__main__":
    print(f"wrote {write_archives()}", file=sys.stderr)
