"""open() and NNCompressFile, shaped like bz2.open / lzma.open."""
from __future__ import annotations

import io

import pytest

import nncompress

from .helpers import english_like


def test_binary_write_then_read(tmp_path):
    data = english_like(7000)
    path = tmp_path / "a.nnc"
    with nncompress.open(path, "wb", preset=1) as f:
        for i in range(0, len(data), 999):
            f.write(data[i:i + 999])
    with nncompress.open(path, "rb") as f:
        assert f.read(5) == data[:5]
        assert f.readline() == data[5:].split(b"\n", 1)[0] + (b"\n" if b"\n" in data[5:] else b"")
    with nncompress.open(path) as f:
        assert f.read() == data
    assert nncompress.decompress(path.read_bytes()) == data


def test_text_mode(tmp_path):
    text = "héllo wörld\nsecond line\n" * 50
    path = tmp_path / "t.nnc"
    with nncompress.open(path, "wt", preset=1, encoding="utf-8") as f:
        f.write(text)
    with nncompress.open(path, "rt", encoding="utf-8") as f:
        assert f.readlines() == text.splitlines(keepends=True)


def test_append_makes_concatenation(tmp_path):
    path = tmp_path / "c.nnc"
    with nncompress.open(path, "wb", preset=1) as f:
        f.write(b"one ")
    with nncompress.open(path, "ab", preset=1) as f:
        f.write(b"two")
    with nncompress.open(path, "rb") as f:
        assert f.read() == b"one two"


def test_exclusive_mode_refuses_existing(tmp_path):
    path = tmp_path / "x.nnc"
    path.write_bytes(b"")
    with pytest.raises(FileExistsError):
        nncompress.open(path, "xb")


def test_file_objects_and_readinto():
    buf = io.BytesIO()
    with nncompress.open(buf, "wb", preset=1) as f:
        f.write(b"0123456789" * 20)
    buf.seek(0)
    with nncompress.NNCompressFile(buf) as f:
        out = bytearray(50)
        assert f.readinto(out) == 50 and bytes(out) == (b"0123456789" * 5)
        assert f.read() == b"0123456789" * 15


def test_truncated_file_raises_eof_error(tmp_path):
    path = tmp_path / "t.nnc"
    path.write_bytes(nncompress.compress(english_like(3000), preset=1)[:-3])
    with nncompress.open(path) as f, pytest.raises(EOFError):
        f.read()


def test_bad_modes_and_closed_files(tmp_path):
    with pytest.raises(ValueError):
        nncompress.open(tmp_path / "m", "rw")
    with pytest.raises(ValueError):
        nncompress.open(tmp_path / "m", "wb", encoding="utf-8")
    f = nncompress.open(tmp_path / "m", "wb", preset=1)
    f.close()
    with pytest.raises(ValueError):
        f.write(b"x")
