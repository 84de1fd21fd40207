"""The command line: naming, streams, refusals, exit codes, clean-up. Tiny inputs and preset 1 only."""
from __future__ import annotations

import io
import os
import pty
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import nncompress
from nncompress import cli

from .helpers import cuda_available

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared/data"
TEXT = b"The quick brown fox jumps over the lazy dog.\n" * 2 + b"Pack my box with five dozen liquor jugs.\n"
CASES = {"text": TEXT, "empty": b"", "one-byte": b"x", "all-byte-values": bytes(range(256)),
         "random": random.Random(3).randbytes(1500), "repetitive": b"abcabd" * 300}


@pytest.fixture(scope="module")
def archive() -> bytes:
    return nncompress.compress(TEXT, preset=1)


def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)   # click 8.1
    except TypeError:
        return CliRunner()                   # click >= 8.2 keeps stderr apart by default


def invoke(*args, input=None):
    return runner().invoke(cli.cli, [str(a) for a in args], input=input, catch_exceptions=False)


def run_module(*args, input=b"", cwd=None, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    return subprocess.run([sys.executable, "-m", "nncompress", *map(str, args)], input=input, cwd=cwd,
                          stdout=stdout, stderr=stderr, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)


def assert_one_error_line(stderr: str, name: str | None = None) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("nncompress: "), stderr
    if name is not None:
        assert lines[0].startswith(f"nncompress: {name}: "), stderr
    assert "Traceback" not in stderr


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp") or p.name.startswith("."))


# --- round trips ---------------------------------------------------------------------------------

@pytest.mark.parametrize("data", CASES.values(), ids=CASES.keys())
def test_round_trip_through_files(tmp_path, data):
    src = tmp_path / "a.txt"
    src.write_bytes(data)
    src.chmod(0o640)
    result = invoke("compress", "-1", src)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    packed = tmp_path / "a.txt.nnc"
    assert src.read_bytes() == data                  # kept by default
    assert stat.S_IMODE(packed.stat().st_mode) == 0o640
    assert nncompress.decompress(packed.read_bytes()) == data
    src.unlink()
    result = invoke("decompress", packed)
    assert result.exit_code == 0, result.stderr
    assert src.read_bytes() == data and packed.exists()
    assert stat.S_IMODE(src.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("data", CASES.values(), ids=CASES.keys())
def test_round_trip_stdin_stdout_subprocess(tmp_path, data):
    packed = run_module("compress", "-1", input=data, cwd=tmp_path)
    assert packed.returncode == 0, packed.stderr
    assert packed.stderr == b""
    assert nncompress.decompress(packed.stdout) == data
    unpacked = run_module("decompress", "-", input=packed.stdout, cwd=tmp_path)
    assert unpacked.returncode == 0, unpacked.stderr
    assert unpacked.stdout == data and unpacked.stderr == b""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("data", CASES.values(), ids=CASES.keys())
def test_round_trip_stdin_stdout_in_process(data):
    packed = invoke("compress", "-1", input=data)
    assert packed.exit_code == 0, packed.stderr
    unpacked = invoke("decompress", input=packed.stdout_bytes)
    assert unpacked.exit_code == 0, unpacked.stderr
    assert unpacked.stdout_bytes == data


def test_real_file(tmp_path):
    original = DATA / "canterbury/grammar.lsp"
    if not original.is_file():
        pytest.skip(f"{original} is absent")
    data = original.read_bytes()
    src = tmp_path / "grammar.lsp"
    src.write_bytes(data)
    assert invoke("compress", "-1", "--rm", src).exit_code == 0
    assert not src.exists()
    packed = tmp_path / "grammar.lsp.nnc"
    assert len(packed.read_bytes()) < len(data) // 2
    result = invoke("info", packed)
    assert result.exit_code == 0
    assert f"{len(data):,} bytes" in result.stdout and "preset:          1" in result.stdout
    assert invoke("decompress", "--rm", packed).exit_code == 0
    assert src.read_bytes() == data and not packed.exists()


def test_concatenated_archives_and_small_reads(tmp_path, monkeypatch):
    (tmp_path / "a").write_bytes(b"first part\n")
    (tmp_path / "b").write_bytes(b"second part\n" * 3)
    result = invoke("compress", "-1", "-c", tmp_path / "a", tmp_path / "b")
    assert result.exit_code == 0
    monkeypatch.setattr(cli, "CHUNK", 7)    # frames and units straddle the reads
    result = invoke("decompress", input=result.stdout_bytes)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"first part\n" + b"second part\n" * 3


# --- output options ------------------------------------------------------------------------------

def test_stdout_flag(tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(TEXT)
    result = invoke("compress", "-1", "-c", "--rm", src)   # --rm is ignored when writing stdout
    assert result.exit_code == 0
    assert "warning" in result.stderr
    assert nncompress.decompress(result.stdout_bytes) == TEXT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    packed = tmp_path / "a.txt.nnc"
    packed.write_bytes(result.stdout_bytes)
    result = invoke("decompress", "--stdout", packed)
    assert result.exit_code == 0 and result.stdout_bytes == TEXT
    assert not src.with_suffix("").exists() and src.read_bytes() == TEXT


def test_output_option(tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(TEXT)
    (tmp_path / "sub").mkdir()
    packed = tmp_path / "sub" / "packed.bin"
    assert invoke("compress", "-1", "-o", packed, src).exit_code == 0
    assert nncompress.decompress(packed.read_bytes()) == TEXT
    assert not (tmp_path / "a.txt.nnc").exists()
    out = tmp_path / "sub" / "restored"
    assert invoke("decompress", "-o", out, packed).exit_code == 0   # no .nnc suffix needed with -o
    assert out.read_bytes() == TEXT
    result = invoke("decompress", "-o", "-", packed)
    assert result.exit_code == 0 and result.stdout_bytes == TEXT
    assert leftovers(tmp_path / "sub") == []


def test_presets_last_one_wins(tmp_path):
    src = tmp_path / "a"
    src.write_bytes(b"abc")
    assert invoke("compress", "-9", "-1", src).exit_code == 0
    assert nncompress.archive_info(io.BytesIO((tmp_path / "a.nnc").read_bytes())).presets == [1]


def test_rm_removes_input_only_on_success(tmp_path, archive):
    src = tmp_path / "a.txt"
    src.write_bytes(TEXT)
    assert invoke("compress", "-1", "-k", "--rm", src).exit_code == 0
    assert not src.exists() and (tmp_path / "a.txt.nnc").exists()
    bad = tmp_path / "bad.nnc"
    bad.write_bytes(archive[:-3])
    result = invoke("decompress", "--rm", bad)
    assert result.exit_code == 1
    assert bad.read_bytes() == archive[:-3]
    assert not (tmp_path / "bad").exists() and leftovers(tmp_path) == []


def test_refuses_to_overwrite_without_force(tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(TEXT)
    packed = tmp_path / "a.txt.nnc"
    packed.write_bytes(b"precious")
    result = invoke("compress", "-1", src)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, str(src))
    assert "already exists" in result.stderr
    assert packed.read_bytes() == b"precious"
    result = invoke("compress", "-1", "-f", src)
    assert result.exit_code == 0
    assert nncompress.decompress(packed.read_bytes()) == TEXT
    assert leftovers(tmp_path) == []


def test_input_and_output_the_same_file(tmp_path):
    src = tmp_path / "a"
    src.write_bytes(TEXT)
    result = invoke("compress", "-1", "-f", "--rm", "-o", src, src)
    assert result.exit_code == 1 and "same file" in result.stderr
    assert src.read_bytes() == TEXT


def test_compress_refuses_an_nnc_file(tmp_path, archive):
    packed = tmp_path / "a.nnc"
    packed.write_bytes(archive)
    result = invoke("compress", "-1", packed)
    assert result.exit_code == 1 and "suffix" in result.stderr
    assert not (tmp_path / "a.nnc.nnc").exists()


class _Terminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


def test_terminal_decision():
    assert cli.refuse_terminal_output(_Terminal(), force=False)
    assert not cli.refuse_terminal_output(_Terminal(), force=True)
    assert not cli.refuse_terminal_output(io.BytesIO(), force=False)


def test_refuses_compressed_data_to_a_terminal(tmp_path):
    src = tmp_path / "a"
    src.write_bytes(b"abc")
    primary, secondary = pty.openpty()
    try:
        result = run_module("compress", "-1", "-c", src, stdout=secondary, stderr=subprocess.PIPE)
    finally:
        os.close(secondary)
        os.close(primary)
    assert result.returncode == 1
    assert_one_error_line(result.stderr.decode(), str(src))
    assert b"terminal" in result.stderr


# --- errors --------------------------------------------------------------------------------------

def _corrupt(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0x10
    return bytes(damaged)


BAD = {
    "corrupt": _corrupt,
    "truncated": lambda data: data[:-5],
    "foreign": lambda data: b"not an archive at all",
    "empty": lambda data: b"",
    "trailing-garbage": lambda data: data + b"x",
}


@pytest.mark.parametrize("damage", BAD.values(), ids=BAD.keys())
def test_bad_archive_decompress(tmp_path, archive, damage):
    bad = tmp_path / "bad.nnc"
    bad.write_bytes(damage(archive))
    result = invoke("decompress", bad)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, str(bad))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.nnc"]    # no output, no temporary file
    result = invoke("test", bad)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, str(bad))


def test_bad_archives_subprocess_continue_after_errors(tmp_path, archive):
    (tmp_path / "corrupt.nnc").write_bytes(_corrupt(archive))
    (tmp_path / "truncated.nnc").write_bytes(archive[:len(archive) // 2])
    (tmp_path / "good.nnc").write_bytes(archive)
    result = run_module("decompress", "corrupt.nnc", "truncated.nnc", "good.nnc", cwd=tmp_path)
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("nncompress: corrupt.nnc: corrupt archive")
    assert lines[1].startswith("nncompress: truncated.nnc: ")
    assert (tmp_path / "good").read_bytes() == TEXT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.nnc", "good", "good.nnc", "truncated.nnc"]


def test_bad_archive_from_stdin_subprocess(archive):
    result = run_module("decompress", input=archive[:-1])
    assert result.returncode == 1
    assert_one_error_line(result.stderr.decode(), "(stdin)")


def test_missing_input(tmp_path):
    result = invoke("compress", "-1", tmp_path / "nope")
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, str(tmp_path / "nope"))
    assert "No such file" in result.stderr


def test_decompress_needs_the_suffix(tmp_path, archive):
    src = tmp_path / "archive.bin"
    src.write_bytes(archive)
    result = invoke("decompress", src)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, str(src))
    assert "suffix" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.bin"]


@pytest.mark.parametrize("args", [
    ["compress", "--no-such-option"],
    ["compress", "-o", "out", "a", "b"],
    ["compress", "-c", "-o", "out", "a"],
    ["decompress", "--device", "tpu", "a"],
    ["frobnicate"],
], ids=["unknown-option", "output-with-two-inputs", "stdout-and-output", "bad-device", "unknown-command"])
def test_usage_errors_exit_2(tmp_path, args):
    result = invoke(*args)
    assert result.exit_code == 2
    assert not any(tmp_path.iterdir())


def test_usage_error_subprocess():
    result = run_module("compress", "--no-such-option")
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr


def test_failure_mid_stream_leaves_nothing(tmp_path, monkeypatch):
    src = tmp_path / "a.txt"
    src.write_bytes(TEXT)

    def fail(self):
        raise nncompress.NNCompressError("simulated failure")

    monkeypatch.setattr(nncompress.NNCompressor, "flush", fail)
    result = invoke("compress", "-1", "--rm", src)
    assert result.exit_code == 1
    assert result.stderr == f"nncompress: {src}: simulated failure\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"] and src.read_bytes() == TEXT

    def interrupt(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(nncompress.NNCompressor, "flush", interrupt)
    result = invoke("compress", "-1", "--rm", src)
    assert result.exit_code == 130
    assert_one_error_line(result.stderr, str(src))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"] and src.read_bytes() == TEXT


def _sigint_as_from_a_terminal() -> None:
    # A suite started in the background inherits SIGINT ignored, and Python then keeps ignoring it:
    # give the child the default disposition, as a shell does for a foreground command.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def big_random() -> tuple[bytes, bytes]:
    data = random.Random(9).randbytes(600_000)   # seconds of work at any preset: time to be interrupted
    return data, nncompress.compress(data, preset=1)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signals_raise_a_subclass_of_keyboard_interrupt(sig):
    # With a bare KeyboardInterrupt for Ctrl-C, the test below sometimes saw the process end by SIGINT
    # (status -2) after run_each had handled it, on a loaded machine (1 to 3 runs in 4 with four busy
    # loops beside it); SIGTERM's subclass never did.
    with pytest.raises(KeyboardInterrupt) as raised:
        cli._raise_stop(sig)
    assert type(raised.value) is not KeyboardInterrupt


@pytest.mark.parametrize("command", ["compress", "decompress"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupt_removes_the_temporary_file_and_keeps_the_input(tmp_path, big_random, command, sig):
    data, archive = big_random
    name = "big" if command == "compress" else "big.nnc"
    src = tmp_path / name
    src.write_bytes(data if command == "compress" else archive)
    args = [command, "-1", "--rm", name] if command == "compress" else [command, "--rm", name]
    proc = subprocess.Popen([sys.executable, "-m", "nncompress", *args], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=_sigint_as_from_a_terminal)
    try:
        deadline = time.monotonic() + 60
        while not leftovers(tmp_path) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert leftovers(tmp_path), "no temporary file appeared"
        time.sleep(0.3)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + sig
    assert_one_error_line(stderr.decode(), name)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert src.read_bytes() == (data if command == "compress" else archive)


# --- test and info -------------------------------------------------------------------------------

def test_test_command(tmp_path, archive):
    good = tmp_path / "good.nnc"
    good.write_bytes(archive)
    result = invoke("test", good)
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    result = invoke("test", "-v", good)
    assert result.exit_code == 0 and "OK" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.nnc"]
    assert invoke("test", input=archive).exit_code == 0


def test_info_command(tmp_path, archive):
    good = tmp_path / "good.nnc"
    good.write_bytes(archive)
    two = tmp_path / "two.nnc"
    two.write_bytes(archive + archive)
    bad = tmp_path / "bad.nnc"
    bad.write_bytes(archive[:-4])
    result = invoke("info", good, bad, two)
    assert result.exit_code == 1
    assert_one_error_line(result.stderr, str(bad))
    out = result.stdout
    for field in ("frames:", "compressed size:", "original size:", "ratio:", "bits per byte:", "preset:",
                  "blocks:", "lanes:"):
        assert out.count(field) == 2, field
    assert f"compressed size: {len(archive):,} bytes" in out
    assert f"original size:   {len(TEXT):,} bytes" in out
    assert f"original size:   {2 * len(TEXT):,} bytes" in out
    assert "frames:          2" in out
    assert f"bits per byte:   {8 * len(archive) / len(TEXT):.3f}" in out
    result = invoke("info", "-v", input=archive)
    assert result.exit_code == 0 and "block 0:" in result.stdout and "(stdin):" in result.stdout


def test_verbose_summary(tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(TEXT)
    result = invoke("compress", "-1", "-v", src)
    assert result.exit_code == 0 and result.stdout == ""
    line, = result.stderr.splitlines()
    assert line.startswith(f"{src}: {len(TEXT):,} -> ")
    for part in ("ratio", "bits/byte", "kB/s"):
        assert part in line


def test_progress_bar_draws_only_on_a_terminal(monkeypatch):
    stream = io.StringIO()
    stream.isatty = lambda: True
    monkeypatch.setattr(cli.sys, "stderr", stream)
    bar = cli.ProgressBar("x", 1000, enabled=True)
    bar.start -= 1.0
    bar(500)
    assert "50%" in stream.getvalue() and "ETA" in stream.getvalue()
    bar.close()
    drawn = stream.getvalue()
    quiet = cli.ProgressBar("x", 1000, enabled=False)
    quiet.start -= 1.0
    quiet(500)
    assert stream.getvalue() == drawn and quiet.done == 500
    stream.isatty = lambda: False            # stderr redirected to a file or pipe: no bar
    piped = cli.ProgressBar("x", 1000, enabled=True)
    piped.start -= 1.0
    piped(500)
    assert stream.getvalue() == drawn


@pytest.mark.skipif(cuda_available(), reason="this machine has CUDA: test_api checks --device cuda's round trip")
def test_cuda_is_refused_in_one_line_where_there_is_none(tmp_path):
    src = tmp_path / "a"
    src.write_bytes(b"abc")
    result = invoke("compress", "--device", "cuda", src)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and "--device cuda" in result.stderr
    assert not (tmp_path / "a.nnc").exists()
    assert invoke("compress", "--device", "auto", "-c", src).exit_code == 0
