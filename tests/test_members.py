"""members.py: members coded at once in one process (-T on a device), here on the CPU.

tests/test_kernels.py checks the device kernel with several members in one launch; this file
checks that the frames are exactly those each member makes alone, and the wiring into -T.
"""
from __future__ import annotations

import random

import pytest

import nncompress
from nncompress import NNCompressError, parallel
from nncompress.members import compress_at_once, decompress_at_once

from .helpers import english_like

# Members of 0, 1, 3 and 2 blocks of 1 KiB; the random one's blocks are stored.
PARTS = [b"", english_like(100), english_like(2500, seed=2), random.Random(4).randbytes(1500)]


@pytest.fixture(scope="module")
def frames() -> list[bytes]:
    return compress_at_once(PARTS, preset=1, block_size=1024, device="cpu")


def test_frames_are_those_each_member_makes_alone(frames):
    assert frames == [nncompress.compress(part, preset=1, block_size=1024) for part in PARTS]


def test_frames_decode_at_once(frames):
    assert decompress_at_once(frames, device="cpu") == PARTS


@pytest.mark.parametrize("damage", ["truncated", "trailing garbage", "payload", "trailer"])
def test_bad_frames_raise_the_package_error(frames, damage):
    bad = list(frames)
    frame = bad[2]
    if damage == "truncated":
        bad[2] = frame[:-3]
    elif damage == "trailing garbage":
        bad[2] = frame + b"\x00"
    elif damage == "payload":
        bad[2] = frame[:40] + bytes([frame[40] ^ 1]) + frame[41:]
    else:   # the recorded length (the trailer's last 8 bytes: length, crc)
        bad[2] = frame[:-8] + bytes([frame[-8] ^ 1]) + frame[-7:]
    with pytest.raises(NNCompressError):
        decompress_at_once(bad, device="cpu")


def test_threads_on_a_device_code_the_members_at_once(monkeypatch):
    """-T with a device goes through compress_at_once/decompress_at_once and gives -T's archive."""
    monkeypatch.setattr(parallel, "MIN_MEMBER", 1024)
    data = english_like(3 * 1024 + 100, seed=5)
    expected = nncompress.compress(data, preset=1, threads=3)
    calls = []

    def on_cpu(function):
        def run(*args, device, **kwargs):
            calls.append(function.__name__)
            return function(*args, device="cpu", **kwargs)
        return run

    monkeypatch.setattr(parallel, "resolve_device", lambda device: "cuda")
    monkeypatch.setattr(parallel, "compress_at_once", on_cpu(compress_at_once))
    monkeypatch.setattr(parallel, "decompress_at_once", on_cpu(decompress_at_once))
    archive = b"".join(parallel.compress_members(data, len(data), threads=3, preset=1, block_size=None,
                                                 device="cuda"))
    assert archive == expected
    spans = parallel.frame_spans(archive, 3)
    assert b"".join(parallel.decompress_members(archive, spans, threads=3, device="cuda")) == data
    assert calls == ["compress_at_once", "decompress_at_once"]


def test_hostile_frames_fail_cleanly():
    """Every header byte changed, every truncation, random bit flips: the package's error or the
    right bytes, as for the one-member decoder (tests/test_hostile.py)."""
    data = english_like(300, seed=21)
    frame = nncompress.compress(data, preset=1)
    rng = random.Random(8)
    blobs = [frame[:cut] for cut in range(0, len(frame), 7)]
    blobs += [frame[:i] + bytes([frame[i] ^ (1 << rng.randrange(8))]) + frame[i + 1:]
              for i in list(range(40)) + [rng.randrange(40, len(frame)) for _ in range(20)]]
    for blob in blobs:
        try:
            out = decompress_at_once([frame, blob], device="cpu")
        except NNCompressError:
            continue
        assert out == [data, data]
