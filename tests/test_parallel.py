"""Several processes (threads=N, -T N): members, their archives, errors and interrupts."""
from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time

import pytest

import nncompress
from nncompress import NNCompressError, parallel
from nncompress.cli import cli

from .helpers import english_like
from .test_cli import REPO, _sigint_as_from_a_terminal, assert_one_error_line, leftovers, runner

MEMBER = 4096   # the members' minimum size in these tests, so that they stay small


@pytest.fixture
def small_members(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_MEMBER", MEMBER)


DATA = english_like(3 * MEMBER + 100, seed=5)


def test_members_are_independent_frames_of_equal_size(small_members):
    archive = nncompress.compress(DATA, preset=1, threads=3)
    third = len(DATA) // 3
    parts = [DATA[:third], DATA[third:2 * third], DATA[2 * third:]]
    assert archive == b"".join(nncompress.compress(part, preset=1) for part in parts)
    assert nncompress.archive_info(io.BytesIO(archive)).frames == 3


@pytest.mark.parametrize("threads", [1, 2, 3, 8, 0])
def test_any_number_of_processes_decodes_the_same_bytes(small_members, threads):
    archive = nncompress.compress(DATA, preset=1, threads=3)
    assert nncompress.decompress(archive, threads=threads) == DATA


def test_input_too_small_for_two_members_gives_the_one_thread_archive():
    data = english_like(3000)
    assert nncompress.compress(data, preset=1, threads=4) == nncompress.compress(data, preset=1)


@pytest.mark.parametrize("length, threads, members", [
    (0, 4, 1), (parallel.MIN_MEMBER * 2 - 1, 4, 1), (parallel.MIN_MEMBER * 2, 4, 2),
    (parallel.MIN_MEMBER * 10, 4, 4), (parallel.MIN_MEMBER * 10, 1, 1)])
def test_member_count(length, threads, members):
    assert parallel.member_count(length, threads) == members


def test_zero_means_one_per_core():
    assert parallel.resolve_threads(0) == len(os.sched_getaffinity(0))


def test_negative_threads_are_refused():
    with pytest.raises(ValueError):
        nncompress.compress(b"abc", threads=-1)
    with pytest.raises(ValueError):
        nncompress.decompress(nncompress.compress(b"abc"), threads=-1)


def test_bad_arguments_are_refused_before_any_work(small_members):
    with pytest.raises(ValueError):
        nncompress.compress(DATA, threads=2, device="tpu")
    with pytest.raises(ValueError):
        nncompress.compress(DATA, threads=2, preset=10)


def test_progress_counts_every_byte(small_members):
    counted = []
    frames = list(parallel.compress_members(DATA, len(DATA), threads=2, preset=1, block_size=None,
                                            progress=counted.append))
    assert sum(counted) == len(DATA)
    archive = b"".join(frames)
    counted.clear()
    spans = parallel.frame_spans(archive, 2)
    assert b"".join(parallel.decompress_members(archive, spans, threads=2, progress=counted.append)) == DATA
    assert sum(counted) == len(DATA)


def _damage(archive: bytes, at: int) -> bytes:
    damaged = bytearray(archive)
    damaged[at] ^= 0x55
    return bytes(damaged)


@pytest.mark.parametrize("damage", ["second member's payload", "truncated", "trailing garbage"])
def test_bad_multi_member_archives_raise_the_package_error(small_members, damage):
    archive = nncompress.compress(DATA, preset=1, threads=3)
    spans = parallel.frame_spans(archive, 2)
    bad = {"second member's payload": _damage(archive, spans[1][0] + 40),
           "truncated": archive[:spans[1][1] + 20],
           "trailing garbage": archive + b"garbage"}[damage]
    for threads in (1, 2):
        with pytest.raises(NNCompressError):
            nncompress.decompress(bad, threads=threads)


# --- command line ---------------------------------------------------------------------------------

def test_cli_threads_round_trip_files_and_stdin(tmp_path, small_members):
    src = tmp_path / "data"
    src.write_bytes(DATA)
    result = runner().invoke(cli, ["compress", "-1", "-T", "3", str(src)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    archive = (tmp_path / "data.nnc").read_bytes()
    assert archive == nncompress.compress(DATA, preset=1, threads=3)
    piped = runner().invoke(cli, ["compress", "-1", "-T3"], input=DATA, catch_exceptions=False)
    assert piped.stdout_bytes == archive
    src.unlink()
    result = runner().invoke(cli, ["decompress", "-T", "0", str(tmp_path / "data.nnc")], catch_exceptions=False)
    assert result.exit_code == 0 and src.read_bytes() == DATA
    result = runner().invoke(cli, ["test", "-T2", str(tmp_path / "data.nnc")], catch_exceptions=False)
    assert result.exit_code == 0
    result = runner().invoke(cli, ["decompress", "-T2", "-c"], input=archive, catch_exceptions=False)
    assert result.stdout_bytes == DATA


def test_cli_threads_bad_archive_one_line(tmp_path, small_members):
    archive = nncompress.compress(DATA, preset=1, threads=3)
    bad = tmp_path / "bad.nnc"
    bad.write_bytes(_damage(archive, parallel.frame_spans(archive, 2)[2][0] + 40))
    result = runner().invoke(cli, ["decompress", "-T2", str(bad)], catch_exceptions=False)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, str(bad))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.nnc"]


def test_cli_negative_threads_is_a_usage_error():
    assert runner().invoke(cli, ["compress", "-T", "-1"], input=b"x").exit_code == 2


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_stops_the_workers_and_leaves_nothing(tmp_path, sig):
    data = random.Random(4).randbytes(2 * parallel.MIN_MEMBER + 1000)   # 2 members: seconds of work
    src = tmp_path / "big"
    src.write_bytes(data)
    # A session of its own: the signal goes to the whole process group, as Ctrl-C from a terminal does.
    proc = subprocess.Popen([sys.executable, "-m", "nncompress", "compress", "-1", "-T2", "--rm", "big"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)},
                            preexec_fn=_sigint_as_from_a_terminal)
    try:
        deadline = time.monotonic() + 60
        while not leftovers(tmp_path) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert leftovers(tmp_path), "no temporary file appeared"
        time.sleep(1.0)   # the workers are coding
        os.killpg(proc.pid, sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 128 + sig
    assert_one_error_line(stderr.decode(), "big")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big"] and src.read_bytes() == data
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):   # no worker outlived the command
        os.killpg(proc.pid, 0)
