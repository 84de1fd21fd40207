"""Benchmark nncompress side by side with the compressors people use, on the same input.

Run from the repository root:

    python -m benchmarks.run                                  # enwik8_1M and enwik8_4M, default preset, all peers
    python -m benchmarks.run /tmp/e50k --presets 1 --peers xz,ppmd --out benchmarks/results/smoke

Every compression and decompression runs in its own fresh child process (nncompress included,
through its CLI, or through a small `python -c` wrapper around the library API with
`--nn-mode api`). For each one the runner records:

* wall time from process start to exit (median over the repeats; interpreter start-up and, for
  nncompress, importing numba and loading its compiled kernels are part of it, as they are for a user);
* user+system CPU seconds and peak RSS (Linux ru_maxrss) of exactly that child, reported by a small
  launcher around it: GNU time when installed, else a `python -S` fork/exec/os.wait4() wrapper (see
  execute() for why a plain wait4() from this process would be wrong); max over repeats;
* the compressed size (the file the tool wrote) and whether the decompressed output equals the
  input byte for byte. A mismatch is reported loudly and makes the run exit with status 1.

Results go to PREFIX.md, PREFIX.json and PREFIX.png (bits per byte against compress speed), each
stamped with the machine, software versions, date and the exact command line. JSON and markdown
are rewritten after every measurement, so a long run (enwik9 at ~180 kB/s is ~90 minutes per
direction) leaves its results so far if it is stopped.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = (REPO_ROOT / ".." / "shared" / "data").resolve()
DEFAULT_INPUTS = (DATA_DIR / "enwik8_1M", DATA_DIR / "enwik8_4M")

# Published hashes of the full benchmark files (Large Text Compression Benchmark / Hutter Prize).
# The same values are in corpora/manifest.json; tests/test_bench.py checks that they agree.
FULL_CORPORA = {
    "enwik8": (10**8, {"md5": "a1fa5ffddb56f4953e226637dabbb36a",
                       "sha256": "2b49720ec4d78c3c9fabaee6e4179a5e997302b3a70029f30f2d582218c024a8"}),
    "enwik9": (10**9, {"sha256": "159b85351e5f76e60cbe32e04c677847a9ecba3adc79addab6f4c6c7aa3744bc"}),
}

TIME_METHOD = ("time: wall clock from process start to exit, median over repeats (includes interpreter start-up "
               "and, for nncompress, importing numba and loading its kernels, compiled once before the first "
               "measurement, as an install compiles them once); cpu = user+sys of that child")

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


class BenchError(Exception):
    """A problem that stops the run before anything is measured (bad input, unknown peer...)."""


# --------------------------------------------------------------------------------------------------
# Running one child process and measuring it

@dataclass
class Cmd:
    """One child process: argv, optional stdin/stdout files, and where its product ends up."""
    argv: list[str]
    stdin: Path | None = None
    stdout: Path | None = None
    cwd: Path | None = None
    env: dict[str, str] | None = None     # added to os.environ
    product: Path | None = None           # the file the command produces (default: stdout file)


@dataclass
class Measurement:
    wall_s: float
    cpu_s: float
    maxrss_kib: int
    returncode: int
    stderr_tail: str


# Peak RSS of a child cannot be read with a plain wait4() from this process: Linux carries the RSS
# high-water mark of the process that forks (or vforks) across execve into the child's ru_maxrss,
# so every child of a big Python parent would report the parent's size. The measured command is
# therefore started by a small launcher that reports its own child's rusage: GNU time when present
# (floor ~1 MiB), else a `python -S` fork/exec/wait4 wrapper (floor ~7 MiB). The floor, measured
# with `true`, is printed in the results.
_WRAPPER = r"""
import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
with open(out, 'w') as f:
    f.write('%d %f %f %f\n' % (ru.ru_maxrss, ru.ru_utime, ru.ru_stime, wall))
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def gnu_time() -> str | None:
    path = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if not path:
        return None
    try:
        r = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if "GNU" in (r.stdout + r.stderr) else None


def rss_method(choice: str = "auto") -> str:
    if choice == "auto":
        return "gnu-time" if gnu_time() else "python"
    if choice == "gnu-time" and not gnu_time():
        raise BenchError("--rss-method gnu-time: GNU time is not installed (apt-get install time)")
    if choice not in ("gnu-time", "python"):
        raise BenchError(f"--rss-method must be auto, gnu-time or python, not {choice!r}")
    return choice


def rss_method_text(method: str, floor_kib: int | None) -> str:
    how = ("GNU time (`time -f %M`) around the command" if method == "gnu-time"
           else "a `python -S` wrapper that fork/execs the command and reads os.wait4() for its pid")
    floor = f"; floor of the method (peak RSS it reports for `true`): {floor_kib / 1024:.1f} MiB" if floor_kib else ""
    return (f"peak RSS: ru_maxrss (Linux, KiB) of each command's own process, reported by {how}; one fresh process "
            f"per measurement (a launcher is needed because Linux carries the forking process's RSS high-water mark "
            f"into the child's ru_maxrss), max over repeats{floor}")


def execute(cmd: Cmd, on_wait: Callable[[], None] | None = None, method: str = "gnu-time") -> Measurement:
    """Run `cmd` in a fresh child and return its wall time, CPU time and peak RSS."""
    env = dict(os.environ)
    if cmd.env:
        env.update(cmd.env)
    with tempfile.TemporaryDirectory(prefix="nnbench-ru-") as td, tempfile.TemporaryFile() as err:
        ru_file = os.path.join(td, "rusage")
        if method == "gnu-time":
            argv = [gnu_time() or "/usr/bin/time", "-o", ru_file, "-f", "%M %U %S", *cmd.argv]
        else:
            argv = [sys.executable, "-S", "-c", _WRAPPER, ru_file, *cmd.argv]
        fin = open(cmd.stdin, "rb") if cmd.stdin else subprocess.DEVNULL
        fout = open(cmd.stdout, "wb") if cmd.stdout else subprocess.DEVNULL
        try:
            start = time.perf_counter()
            proc = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=err, cwd=cmd.cwd, env=env)
            done = threading.Event()
            if on_wait is not None:
                threading.Thread(target=_ticker, args=(done, on_wait), daemon=True).start()
            try:
                rc = proc.wait()
            finally:
                done.set()
            wall = time.perf_counter() - start
        finally:
            if fin is not subprocess.DEVNULL:
                fin.close()
            if fout is not subprocess.DEVNULL:
                fout.close()
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
        try:
            fields = Path(ru_file).read_text().strip().splitlines()[-1].split()
            maxrss, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
            if method == "python":
                wall = float(fields[3])
        except (OSError, IndexError, ValueError):
            maxrss, cpu = 0, 0.0
            rc = rc or 1
            tail += "\n(no resource usage was reported: the command could not be started?)"
    return Measurement(wall, cpu, maxrss, rc, tail)


def _ticker(done: threading.Event, on_wait: Callable[[], None]) -> None:
    while not done.wait(_Progress.interval):
        on_wait()


def compare_files(expected: Path, actual: Path) -> str | None:
    """None when the files are equal byte for byte, else a description of the first difference."""
    if not actual.exists():
        return f"no decompressed output at {actual}"
    n_exp, n_act = expected.stat().st_size, actual.stat().st_size
    offset = 0
    with open(expected, "rb") as fe, open(actual, "rb") as fa:
        while True:
            a, b = fe.read(1 << 20), fa.read(1 << 20)
            if a != b:
                for i in range(min(len(a), len(b))):
                    if a[i] != b[i]:
                        return (f"first difference at byte {offset + i:,} (expected 0x{a[i]:02x}, got 0x{b[i]:02x}); "
                                f"sizes {n_exp:,} expected, {n_act:,} decompressed")
                return f"sizes differ: {n_exp:,} expected, {n_act:,} decompressed (equal up to byte {offset + min(len(a), len(b)):,})"
            if not a:
                return None
            offset += len(a)


# --------------------------------------------------------------------------------------------------
# Compressors

@dataclass
class Compressor:
    key: str                      # what --peers names, or nncompress-N
    label: str                    # shown in tables and the plot
    settings: str                 # the options, as a user would type them
    compress: Callable[[Path, Path, Path], Cmd]             # (input, compressed out, workdir)
    decompress: Callable[[Path, Path, Path, Path], Cmd]     # (compressed, decompressed out, workdir, original input)
    version: Callable[[], str | None] = lambda: None
    missing: Callable[[], str | None] = lambda: None      # why it cannot run here, or None
    default_repeat: int = 3
    prior_rate: float = 1e6       # bytes/s assumed for the ETA before anything is measured
    suffix: str = ".cmp"
    is_nncompress: bool = False


def _tool_missing(tool: str) -> Callable[[], str | None]:
    return lambda: None if shutil.which(tool) else f"`{tool}` is not installed (not on PATH)"


def _version_of(argv: list[str], pattern: str, stream: str = "both") -> Callable[[], str | None]:
    def get() -> str | None:
        if not shutil.which(argv[0]):
            return None
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return None
        text = (r.stdout + r.stderr).decode("utf-8", "replace")
        m = re.search(pattern, text)
        return m.group(1) if m else (text.strip().splitlines() or [None])[0]
    return get


def _pipe_peer(key: str, label: str, settings: str, cargs: list[str], dargs: list[str],
               version_argv: list[str], version_re: str, prior: float) -> Compressor:
    tool = cargs[0]
    return Compressor(
        key=key, label=label, settings=settings,
        compress=lambda src, dst, work: Cmd([*cargs, str(src)], stdout=dst, cwd=work),
        decompress=lambda cmp, dst, work, orig: Cmd([*dargs, str(cmp)], stdout=dst, cwd=work),
        version=_version_of(version_argv, version_re), missing=_tool_missing(tool), prior_rate=prior)


# PPMd var.H (the variant 7-Zip uses) through pyppmd. Ppmd7 has no end marker that pyppmd's
# decoder uses, so like 7-Zip's container we store the length: 8 bytes, little-endian, counted in the size.
_PPMD_SNIPPET = r"""
import sys, pyppmd
mode, src, dst, order, mem = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
data = open(src, 'rb').read()
if mode == 'c':
    enc = pyppmd.Ppmd7Encoder(order, mem)
    out = len(data).to_bytes(8, 'little') + enc.encode(data) + enc.flush()
else:
    n = int.from_bytes(data[:8], 'little')
    out = pyppmd.Ppmd7Decoder(order, mem).decode(data[8:], n)
open(dst, 'wb').write(out)
"""


def _ppmd_peer(order: int = 32, mem: int = 1 << 30) -> Compressor:
    def missing() -> str | None:
        return None if importlib.util.find_spec("pyppmd") else "python package `pyppmd` is not installed (pip install pyppmd)"

    def version() -> str | None:
        try:
            return "pyppmd " + importlib.metadata.version("pyppmd")
        except importlib.metadata.PackageNotFoundError:
            return None

    args = [str(order), str(mem)]
    return Compressor(
        key="ppmd", label="PPMd var.H", settings=f"o={order} mem={mem >> 20}m (pyppmd)",
        compress=lambda src, dst, work: Cmd([sys.executable, "-c", _PPMD_SNIPPET, "c", str(src), str(dst), *args], cwd=work, product=dst),
        decompress=lambda cmp, dst, work, orig: Cmd([sys.executable, "-c", _PPMD_SNIPPET, "d", str(cmp), str(dst), *args], cwd=work, product=dst),
        version=version, missing=missing, prior_rate=3e5)


def _zpaq_peer() -> Compressor:
    # zpaq is an archiver: it stores the file name (the input's base name, as gzip does) in the archive,
    # and extracts into a directory. The compressed size is the whole archive file.
    def compress(src: Path, dst: Path, work: Path) -> Cmd:
        return Cmd(["zpaq", "a", str(dst), src.name, "-m5", "-t1"], cwd=src.parent, product=dst)

    def decompress(cmp: Path, dst: Path, work: Path, orig: Path) -> Cmd:
        outdir = dst.parent / "zpaq-out"
        return Cmd(["zpaq", "x", str(cmp), "-to", str(outdir), "-t1"], cwd=work, product=outdir / orig.name)

    return Compressor(key="zpaq", label="zpaq", settings="-m5 -t1", compress=compress, decompress=decompress,
                      version=_version_of(["zpaq"], r"zpaq (v[\d.]+)"), missing=_tool_missing("zpaq"),
                      default_repeat=1, prior_rate=2.5e5, suffix=".zpaq")


def peer_compressors() -> dict[str, Compressor]:
    """The peers, single-threaded, with the settings of the peer table in ../shared/data/README.md."""
    peers = [
        _pipe_peer("gzip", "gzip", "-9", ["gzip", "-9", "-c"], ["gzip", "-d", "-c"],
                   ["gzip", "--version"], r"gzip ([\d.]+)", 2e7),
        _pipe_peer("bzip2", "bzip2", "-9", ["bzip2", "-9", "-c"], ["bzip2", "-d", "-c"],
                   ["bzip2", "--help"], r"Version ([\d.]+)", 1e7),
        _pipe_peer("xz", "xz", "-9e -T1", ["xz", "-9e", "-T1", "-c"], ["xz", "-d", "-c"],
                   ["xz", "--version"], r"xz \(XZ Utils\) ([\d.]+)", 3e5),
        _pipe_peer("zstd", "zstd", "--ultra -22 --long=27 --single-thread",
                   ["zstd", "--ultra", "-22", "--long=27", "--single-thread", "-q", "-c"],
                   ["zstd", "-d", "--long=27", "-q", "-c"], ["zstd", "--version"], r"(v[\d.]+)", 1e6),
        _pipe_peer("brotli", "brotli", "-q 11 -w 24", ["brotli", "-q", "11", "-w", "24", "-c"], ["brotli", "-d", "-c"],
                   ["brotli", "--version"], r"brotli ([\d.]+)", 2e5),
        _ppmd_peer(),
        _zpaq_peer(),
    ]
    return {p.key: p for p in peers}


# nncompress through its CLI (nncompress/cli.py), or through the library API when the CLI is absent.
_NN_API_SNIPPET = r"""
import sys
mode, src, dst, preset, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
import nncompress
data = open(src, 'rb').read()
if mode == 'c':
    out = nncompress.compress(data, preset=preset, threads=threads)
else:
    out = nncompress.decompress(data, threads=threads)
open(dst, 'wb').write(out)
"""


def nncompress_compressor(preset: int, mode: str = "cli", extra: Sequence[str] = (), threads: int = 1) -> Compressor:
    """mode: 'cli' (python -m nncompress ...) or 'api' (python -c around nncompress.compress).
    threads: -T N, in both directions (N members coded, and decoded, on N processes)."""
    if mode not in ("cli", "api"):
        raise BenchError(f"--nn-mode must be cli or api, not {mode!r}")
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    py = sys.executable
    suffix = f" -T{threads}" if threads != 1 else ""
    if mode == "cli":
        extra = [*extra, f"-T{threads}"] if threads != 1 else list(extra)
        settings = f"-{preset}" + ("".join(" " + shlex.quote(a) for a in extra))

        def compress(src: Path, dst: Path, work: Path) -> Cmd:
            return Cmd([py, "-m", "nncompress", "compress", "-c", f"-{preset}", *extra, str(src)],
                       stdout=dst, cwd=work, env=env)

        def decompress(cmp: Path, dst: Path, work: Path, orig: Path) -> Cmd:
            return Cmd([py, "-m", "nncompress", "decompress", "-c", *extra, str(cmp)],
                       stdout=dst, cwd=work, env=env)
    else:
        if extra:
            raise BenchError("--nn-arg only applies to the CLI (--nn-mode cli)")
        settings = f"preset={preset}, threads={threads} (library API)"

        def compress(src: Path, dst: Path, work: Path) -> Cmd:
            return Cmd([py, "-c", _NN_API_SNIPPET, "c", str(src), str(dst), str(preset), str(threads)],
                       cwd=work, env=env, product=dst)

        def decompress(cmp: Path, dst: Path, work: Path, orig: Path) -> Cmd:
            return Cmd([py, "-c", _NN_API_SNIPPET, "d", str(cmp), str(dst), str(preset), str(threads)],
                       cwd=work, env=env, product=dst)

    def missing() -> str | None:
        return None if (REPO_ROOT / "nncompress" / "__init__.py").exists() else "nncompress package not found"

    return Compressor(key=f"nncompress-{preset}" + suffix.replace(" ", ""), label=f"nncompress -{preset}" + suffix,
                      settings=settings,
                      compress=compress, decompress=decompress, version=lambda: nncompress_version() + f" via {mode}",
                      missing=missing, default_repeat=1, prior_rate=150e3, suffix=".nnc", is_nncompress=True)


# --------------------------------------------------------------------------------------------------
# Environment stamp

def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        r = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def nncompress_version() -> str:
    m = re.search(r'__version__\s*=\s*"([^"]+)"', (REPO_ROOT / "nncompress" / "__init__.py").read_text())
    commit = _git("rev-parse", "--short=12", "HEAD")
    dirty = _git("status", "--porcelain", "--", "nncompress")
    s = m.group(1) if m else "?"
    if commit:
        s += f" (git {commit}{', nncompress/ modified' if dirty else ''})"
    return s


def machine_info() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": usable, "ram_bytes": ram,
            "ram": f"{ram / 2**30:.1f} GiB" if ram else "unknown", "os": platform.platform(),
            "hostname": platform.node()}


def gpu_meta(module: str, **extra) -> dict:
    """A GPU benchmark's facts: its command, the date, the host's CPU, the GPU and torch's and triton's versions."""
    import torch
    import triton
    return {"command": f"python -m benchmarks.{module} " + " ".join(sys.argv[1:]), "date": time.strftime("%Y-%m-%d"),
            "cpu": machine_info()["cpu"], "gpu": torch.cuda.get_device_name(), "torch": torch.__version__,
            "triton": triton.__version__, **extra}


def gpu_header(meta: dict) -> str:
    """The line under a GPU benchmark's title: command, date, machine."""
    return (f"Command: `{meta['command']}`; {meta['date']}; {meta['gpu']}, torch {meta['torch']}, "
            f"triton {meta['triton']}; host {meta['cpu']}.")


def save_results(prefix: str, meta: dict, results, lines: list[str]) -> None:
    """The small benchmarks' output: PREFIX.json ({meta, results}), PREFIX.md (lines), the table on stdout."""
    Path(prefix + ".json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    Path(prefix + ".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def software_info() -> dict:
    return {"python": platform.python_version(), "numba": _dist_version("numba"), "numpy": _dist_version("numpy"),
            "matplotlib": _dist_version("matplotlib"),
            "nncompress": nncompress_version()}


# --------------------------------------------------------------------------------------------------
# Inputs

def sha256_file(path: Path, also_md5: bool = False) -> dict[str, str]:
    h, m = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
            if also_md5:
                m.update(chunk)
    out = {"sha256": h.hexdigest()}
    if also_md5:
        out["md5"] = m.hexdigest()
    return out


def check_input(path: Path) -> dict:
    """Size and hash of an input; the full enwik8/enwik9 must match their published hashes."""
    if not path.is_file():
        raise BenchError(f"input {path} does not exist or is not a file")
    size = path.stat().st_size
    info = {"name": path.name, "path": str(path), "bytes": size}
    known = FULL_CORPORA.get(path.name)
    if known is None:
        info.update(sha256_file(path))
        return info
    want_size, want = known
    if size != want_size:
        raise BenchError(f"{path} is named {path.name} but holds {size:,} bytes, not the {want_size:,} of the full "
                         f"{path.name}; refusing to report it as {path.name} (rename a deliberate prefix, e.g. {path.name}_1M)")
    print(f"verifying {path} against the published {path.name} hashes ...", file=sys.stderr, flush=True)
    got = sha256_file(path, also_md5="md5" in want)
    for algo, value in want.items():
        if got[algo] != value:
            raise BenchError(f"{path}: {algo} is {got[algo]}, the published {path.name} has {value}; "
                             f"the file is damaged or not {path.name}; refusing to benchmark it")
    info.update(got)
    info["verified"] = "matches the published " + " and ".join(sorted(want)) + f" of {path.name}"
    return info


# --------------------------------------------------------------------------------------------------
# Progress and ETA

def fmt_duration(s: float) -> str:
    s = int(round(max(s, 0)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}"


class _Progress:
    """Per-step progress on stderr with an ETA from the bytes/s measured so far (priors until then)."""
    interval = 30.0

    def __init__(self, steps: list[tuple[str, Compressor, str, int]], quiet: bool = False):
        self.steps = steps            # (input name, compressor, phase, bytes)
        self.quiet = quiet
        self.done = 0
        self.measured: dict[tuple[str, str], list[float]] = {}   # (key, phase) -> [bytes, seconds]
        self.t0 = time.monotonic()
        self.step_t0 = self.t0

    def rate(self, comp: Compressor, phase: str) -> float:
        for key in ((comp.key, phase), (comp.key, "compress" if phase == "decompress" else "decompress")):
            if key in self.measured and self.measured[key][1] > 0:
                b, s = self.measured[key]
                return b / s
        return comp.prior_rate

    def remaining_after_current(self) -> float:
        return sum(n / self.rate(c, ph) for _, c, ph, n in self.steps[self.done + 1:])

    def start(self, text: str) -> None:
        self.step_t0 = time.monotonic()
        self.current = text
        _, comp, phase, n = self.steps[self.done]
        self.expected = n / self.rate(comp, phase)
        self._print(f"[{self.done + 1}/{len(self.steps)}] {text} (expected ~{fmt_duration(self.expected)}, "
                    f"ETA all ~{fmt_duration(self.expected + self.remaining_after_current())})")

    def tick(self) -> None:
        el = time.monotonic() - self.step_t0
        left = max(self.expected - el, 0.0)
        self._print(f"    ... {self.current}: {fmt_duration(el)} elapsed, ~{fmt_duration(left)} left in this step, "
                    f"ETA all ~{fmt_duration(left + self.remaining_after_current())}")

    def finish(self, seconds: float, ok: bool = True) -> None:
        _, comp, phase, n = self.steps[self.done]
        if ok:
            acc = self.measured.setdefault((comp.key, phase), [0.0, 0.0])
            acc[0] += n
            acc[1] += seconds
        self.done += 1
        rest = sum(n2 / self.rate(c, ph) for _, c, ph, n2 in self.steps[self.done:])
        self._print(f"    {'done' if ok else 'FAILED'} in {seconds:.2f} s ({n / seconds / 1e3 if seconds else 0:,.1f} kB/s); "
                    f"{len(self.steps) - self.done} steps left, ETA ~{fmt_duration(rest)}, "
                    f"elapsed {fmt_duration(time.monotonic() - self.t0)}")

    def skip(self, count: int) -> None:
        self.done += count

    def _print(self, msg: str) -> None:
        if not self.quiet:
            print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# The benchmark

@dataclass
class RunConfig:
    inputs: list[Path]
    compressors: list[Compressor]
    skipped: dict[str, str] = field(default_factory=dict)     # key -> reason (not available)
    repeat: int | None = None                                  # None: each compressor's default
    out_prefix: Path = Path("benchmarks/results/bench")
    workdir: Path | None = None
    command: str = ""
    quiet: bool = False
    plot: bool = True
    rss_method: str = "auto"


def _loud(msg: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n{msg}\n{bar}\n", file=sys.stderr, flush=True)


def measure(comp: Compressor, src: Path, size: int, repeat: int, work: Path, progress: _Progress, input_name: str,
            method: str = "gnu-time") -> dict:
    """Compress `src` `repeat` times, decompress the result `repeat` times, check every round trip."""
    rec: dict = {"input": input_name, "compressor": comp.key, "label": comp.label, "settings": comp.settings,
                 "repeat": repeat, "status": "ok", "round_trip": "not checked"}
    c_times, c_cpu, c_rss, sizes = [], [], [], []
    final = None
    for r in range(repeat):
        run_dir = work / f"{comp.key}-c{r}"
        run_dir.mkdir(parents=True)
        out = run_dir / f"data{comp.suffix}"
        cmd = comp.compress(src, out, run_dir)
        progress.start(f"{input_name}: {comp.label} compress {r + 1}/{repeat}")
        m = execute(cmd, progress.tick, method)
        product = cmd.product or cmd.stdout or out
        if m.returncode != 0 or not product.exists():
            progress.finish(m.wall_s, ok=False)
            progress.skip(repeat - r - 1 + repeat)
            rec.update(status="failed", error=f"compress exited {m.returncode}: {m.stderr_tail.strip()[-800:]}")
            _loud(f"{comp.label} FAILED to compress {input_name}: exit {m.returncode}\n{m.stderr_tail.strip()[-800:]}")
            return rec
        progress.finish(m.wall_s)
        c_times.append(m.wall_s)
        c_cpu.append(m.cpu_s)
        c_rss.append(m.maxrss_kib)
        sizes.append(product.stat().st_size)
        if final is not None:
            shutil.rmtree(final.parent, ignore_errors=True)
        final = product
    if len(set(sizes)) > 1:
        rec["note"] = f"compressed size differed between repeats: {sizes}"
    d_times, d_cpu, d_rss, problems = [], [], [], []
    for r in range(repeat):
        run_dir = work / f"{comp.key}-d{r}"
        run_dir.mkdir(parents=True)
        cmd = comp.decompress(final, run_dir / "data.out", run_dir, src)
        progress.start(f"{input_name}: {comp.label} decompress {r + 1}/{repeat}")
        m = execute(cmd, progress.tick, method)
        product = cmd.product or cmd.stdout or run_dir / "data.out"
        if m.returncode != 0:
            progress.finish(m.wall_s, ok=False)
            progress.skip(repeat - r - 1)
            rec.update(status="failed", round_trip="FAILED: decompressor exited with an error",
                       error=f"decompress exited {m.returncode}: {m.stderr_tail.strip()[-800:]}")
            _loud(f"{comp.label} FAILED to decompress {input_name}: exit {m.returncode}\n{m.stderr_tail.strip()[-800:]}")
            break
        progress.finish(m.wall_s)
        d_times.append(m.wall_s)
        d_cpu.append(m.cpu_s)
        d_rss.append(m.maxrss_kib)
        diff = compare_files(src, product)
        if diff:
            problems.append(f"run {r + 1}: {diff}")
        shutil.rmtree(run_dir, ignore_errors=True)
    csize = sizes[0]
    rec.update({
        "input_bytes": size, "compressed_bytes": csize, "bits_per_byte": 8 * csize / size if size else None,
        "ratio": size / csize if csize else None,
        "compress_s": statistics.median(c_times), "compress_s_runs": c_times,
        "compress_Bps": size / statistics.median(c_times), "compress_cpu_s": statistics.median(c_cpu),
        "compress_peak_rss_kib": max(c_rss),
    })
    if d_times:
        rec.update({"decompress_s": statistics.median(d_times), "decompress_s_runs": d_times,
                    "decompress_Bps": size / statistics.median(d_times), "decompress_cpu_s": statistics.median(d_cpu),
                    "decompress_peak_rss_kib": max(d_rss)})
    if rec["status"] == "ok":
        if problems:
            rec["status"] = "failed"
            rec["round_trip"] = "MISMATCH: " + "; ".join(problems)
            _loud(f"ROUND TRIP MISMATCH: {comp.label} on {input_name}: the decompressed output is not the input\n"
                  + "\n".join(problems))
        else:
            rec["round_trip"] = f"ok (byte for byte, {len(d_times)} run{'s' if len(d_times) > 1 else ''})"
    shutil.rmtree(final.parent, ignore_errors=True)
    return rec


def run_benchmark(cfg: RunConfig) -> tuple[dict, int]:
    """Measure every compressor on every input; write PREFIX.{json,md,png}; return (report, exit status)."""
    inputs = [check_input(p) for p in cfg.inputs]
    method = rss_method(cfg.rss_method)
    floor = execute(Cmd(["true"]), method=method).maxrss_kib
    reps = {c.key: cfg.repeat or c.default_repeat for c in cfg.compressors}
    steps = [(inp["name"], c, phase, inp["bytes"]) for inp in inputs for c in cfg.compressors
             for phase in ("compress", "decompress") for _ in range(reps[c.key])]
    progress = _Progress(steps, cfg.quiet)
    report = {
        "title": "nncompress benchmark",
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": cfg.command, "cwd": os.getcwd(),
        "machine": machine_info(), "software": software_info(),
        "compressor_versions": {c.key: c.version() for c in cfg.compressors},
        "method": {"rss": rss_method_text(method, floor), "rss_launcher": method, "rss_floor_kib": floor,
                   "time": TIME_METHOD,
                   "repeats": reps,
                   "units": "bytes/s are input (uncompressed) bytes per wall second; kB = 1000 bytes; MiB = 2^20 bytes"},
        "inputs": inputs, "skipped": cfg.skipped, "results": [], "complete": False,
    }
    cfg.out_prefix.parent.mkdir(parents=True, exist_ok=True)
    work_root = Path(tempfile.mkdtemp(prefix="nnbench-", dir=cfg.workdir))
    status = EXIT_OK
    try:
        _compile_kernels(cfg.compressors, work_root / "kernels", method)
        for inp, path in zip(inputs, cfg.inputs):
            for comp in cfg.compressors:
                work = work_root / f"{len(report['results'])}"
                rec = measure(comp, path, inp["bytes"], reps[comp.key], work, progress, inp["name"], method)
                shutil.rmtree(work, ignore_errors=True)
                if rec["status"] != "ok":
                    status = EXIT_FAILED
                report["results"].append(rec)
                write_json(report, cfg.out_prefix)
                write_markdown(report, cfg.out_prefix)
        report["complete"] = True
    finally:
        written = [write_markdown(report, cfg.out_prefix), write_json(report, cfg.out_prefix)]
        if cfg.plot:
            written.append(write_plot(report, cfg.out_prefix))
        print("wrote " + ", ".join(str(path) for path in written if path is not None), file=sys.stderr)
        shutil.rmtree(work_root, ignore_errors=True)
    if status != EXIT_OK:
        failed = [f"{r['label']} on {r['input']}: {r.get('round_trip') if 'MISMATCH' in str(r.get('round_trip')) else r.get('error')}"
                  for r in report["results"] if r["status"] != "ok"]
        _loud("BENCHMARK FAILED:\n" + "\n".join(failed))
    return report, status


def _compile_kernels(compressors: Sequence[Compressor], work: Path, method: str) -> None:
    """Compress a few bytes with the first nncompress compressor, untimed: a source tree whose kernels are not
    yet in numba's cache compiles them in its first process, once (-1 once compressed enwik8_1M in 58 s with the
    compile and decompressed it in 7.5 s)."""
    first = next((c for c in compressors if c.is_nncompress and c.missing() is None), None)
    if first is None:
        return
    work.mkdir(parents=True)
    sample = work / "sample"
    sample.write_bytes(b"the kernels compile once " * 8)
    execute(first.compress(sample, work / "sample.nnc", work), method=method)


# --------------------------------------------------------------------------------------------------
# Output

def write_json(report: dict, prefix: Path) -> Path:
    path = prefix.with_name(prefix.name + ".json")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n")
    tmp.replace(path)
    return path


def _stamp_lines(report: dict) -> list[str]:
    m, s = report["machine"], report["software"]
    vers = ", ".join(f"{k} {v}" for k, v in report["compressor_versions"].items() if v)
    return [
        f"date: {report['date']}",
        f"command: `{report['command']}`",
        f"machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['ram']} RAM, {m['os']}",
        f"software: python {s['python']}, numba {s['numba']}, numpy {s['numpy']}, nncompress {s['nncompress']}",
        f"compressors: {vers}",
    ]


def _kbps(v: float | None) -> str:
    if v is None:
        return "-"
    kb = v / 1e3
    return f"{kb:,.0f}" if kb >= 100 else f"{kb:,.1f}" if kb >= 1 else f"{kb:,.3f}"


def _secs(s: float) -> str:
    return f"{s:.3f}" if s < 10 else f"{s:,.1f}"


def _mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:,.0f}" if kib >= 10 * 1024 else f"{kib / 1024:,.1f}"


def render_markdown(report: dict) -> str:
    lines = [f"# {report['title']}", ""]
    if not report.get("complete"):
        lines += ["**Incomplete: the run was stopped or is still going; results so far.**", ""]
    lines += [f"- {x}" for x in _stamp_lines(report)]
    lines += [f"- {report['method']['time']}", f"- {report['method']['rss']}",
              f"- {report['method']['units']}", ""]
    for inp in report["inputs"]:
        extra = f"; {inp['verified']}" if inp.get("verified") else ""
        lines += [f"## {inp['name']} ({inp['bytes']:,} bytes, sha256 {inp['sha256'][:16]}…{extra})", "",
                  "| compressor | settings | bytes | bits/byte | compress kB/s | decompress kB/s | compress s | "
                  "decompress s | cpu s c/d | peak RSS MiB c/d | round trip |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in report["results"]:
            if r["input"] != inp["name"]:
                continue
            if "compressed_bytes" not in r:
                lines.append(f"| {r['label']} | {r['settings']} | - | - | - | - | - | - | - | - | **FAILED**: "
                             f"{_md_cell(r.get('error', ''))} |")
                continue
            rt = r["round_trip"] if r["round_trip"].startswith("ok") else f"**{_md_cell(r['round_trip'])}**"
            d_s = _secs(r["decompress_s"]) if "decompress_s" in r else "-"
            d_cpu = _secs(r["decompress_cpu_s"]) if "decompress_cpu_s" in r else "-"
            lines.append(
                f"| {r['label']} | {r['settings']} | {r['compressed_bytes']:,} | {r['bits_per_byte']:.3f} | "
                f"{_kbps(r['compress_Bps'])} | {_kbps(r.get('decompress_Bps'))} | {_secs(r['compress_s'])} | {d_s} | "
                f"{_secs(r['compress_cpu_s'])}/{d_cpu} | "
                f"{_mib(r['compress_peak_rss_kib'])}/{_mib(r.get('decompress_peak_rss_kib'))} | {rt} |")
        lines.append("")
    if report["skipped"]:
        lines += ["## Not run", ""] + [f"- {k}: {v}" for k, v in report["skipped"].items()] + [""]
    notes = [f"- {r['label']} on {r['input']}: {r['note']}" for r in report["results"] if r.get("note")]
    if notes:
        lines += ["## Notes", ""] + notes + [""]
    return "\n".join(lines)


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")[:300]


def write_markdown(report: dict, prefix: Path) -> Path:
    path = prefix.with_name(prefix.name + ".md")
    path.write_text(render_markdown(report))
    return path


def write_plot(report: dict, prefix: Path) -> Path | None:
    """bits per byte against compress speed (log x), one panel per input; None without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"matplotlib is not installed: no plot (pip install matplotlib); {prefix}.png, if there is one, "
              "is an earlier run's", file=sys.stderr)
        return None
    inputs = [i["name"] for i in report["inputs"]]
    n = max(len(inputs), 1)
    width = max(6.5 * n, 11.0)
    stamp = [textwrap.fill(line.replace("`", ""), width=int(width * 15), subsequent_indent="    ")
             for line in _stamp_lines(report)]
    stamp_lines = sum(x.count("\n") + 1 for x in stamp)
    height = 5.0 + 0.13 * stamp_lines
    fig, axes = plt.subplots(1, n, figsize=(width, height), squeeze=False)
    for ax, name in zip(axes[0], inputs):
        pts = [r for r in report["results"] if r["input"] == name and "compress_Bps" in r]
        for r in pts:
            nn = r["compressor"].startswith("nncompress")
            ax.scatter(r["compress_Bps"] / 1e3, r["bits_per_byte"], marker="*" if nn else "o",
                       s=140 if nn else 50, color="tab:red" if nn else "tab:blue", zorder=3)
            ax.annotate(r["label"] + ("" if r["status"] == "ok" else " (FAILED)"),
                        (r["compress_Bps"] / 1e3, r["bits_per_byte"]), textcoords="offset points", xytext=(5, 4), fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel("compress speed, kB/s (log scale)")
        ax.set_ylabel("bits per byte (lower is better)")
        size = next(i["bytes"] for i in report["inputs"] if i["name"] == name)
        ax.set_title(f"{name} ({size:,} bytes)")
        ax.grid(True, which="both", alpha=0.3)
    fig.text(0.01, 0.01, "\n".join(stamp), fontsize=6.5, va="bottom", family="monospace")
    fig.subplots_adjust(bottom=(0.13 * stamp_lines + 0.75) / height, top=1 - 0.75 / height, left=0.07, right=0.98,
                        wspace=0.25)
    fig.suptitle(report["title"] + ("" if report.get("complete") else " (incomplete)"))
    path = prefix.with_name(prefix.name + ".png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------------------------------
# Command line

def parse_presets(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    out = []
    for part in text.split(","):
        p = int(part)
        if not 1 <= p <= 9:
            raise BenchError(f"nncompress presets are 1..9, not {p}")
        out.append(p)
    return out


def parse_threads(text: str) -> list[int]:
    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise BenchError(f"--threads takes comma-separated numbers, not {text!r}") from None
    if not values or min(values) < 0:
        raise BenchError(f"--threads takes numbers 0 (all cores) and up, not {text!r}")
    return values


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="*", type=Path,
                    help="files to compress (default: ../shared/data/enwik8_1M and enwik8_4M); a file named enwik8 "
                         "or enwik9 must be the full file with the published hash")
    ap.add_argument("--presets", default=None,
                    help="comma-separated nncompress presets 1..9, or 'none' (default: the default preset)")
    ap.add_argument("--threads", default="1",
                    help="comma-separated nncompress -T values, each run for every preset (default: 1)")
    ap.add_argument("--peers", default="all",
                    help="comma-separated peers from: " + ",".join(peer_compressors()) + "; 'all' (default) or 'none'")
    ap.add_argument("--repeat", type=int, default=None,
                    help="timing runs per compressor, median reported (default: 1 for nncompress and zpaq, 3 for the rest)")
    ap.add_argument("--out", type=Path, default=None,
                    help="output prefix: writes PREFIX.md, PREFIX.json, PREFIX.png "
                         "(default: benchmarks/results/bench-YYYYmmdd-HHMMSS)")
    ap.add_argument("--nn-mode", choices=("cli", "api"), default="cli",
                    help="run nncompress through its CLI (python -m nncompress) or a python -c wrapper around the "
                         "library API")
    ap.add_argument("--nn-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for the nncompress CLI, e.g. --nn-arg=--device --nn-arg=cpu (repeatable)")
    ap.add_argument("--tmpdir", type=Path, default=None, help="where the compressed/decompressed files go (default: system temp)")
    ap.add_argument("--progress-interval", type=float, default=30.0, help="seconds between progress lines in a long step")
    ap.add_argument("--rss-method", choices=("auto", "gnu-time", "python"), default="auto",
                    help="launcher that reports each command's peak RSS: GNU time (apt-get install time) or a "
                         "python -S wrapper; auto: GNU time when installed")
    ap.add_argument("--no-plot", action="store_true", help="skip the PNG")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        from nncompress.config import DEFAULT_PRESET
    except Exception:   # the runner still works for peers when nncompress cannot be imported here
        DEFAULT_PRESET = 6
    try:
        presets = [DEFAULT_PRESET] if args.presets is None else parse_presets(args.presets)
        available = peer_compressors()
        if args.peers.strip().lower() == "all":
            wanted = list(available)
        elif args.peers.strip().lower() in ("", "none"):
            wanted = []
        else:
            wanted = [p.strip() for p in args.peers.split(",") if p.strip()]
            unknown = [p for p in wanted if p not in available]
            if unknown:
                raise BenchError(f"unknown peer(s) {', '.join(unknown)}; known: {', '.join(available)}")
        if args.repeat is not None and args.repeat < 1:
            raise BenchError("--repeat must be at least 1")
        comps = [nncompress_compressor(p, args.nn_mode, args.nn_arg, t) for p in presets
                 for t in parse_threads(args.threads)]
        comps += [available[p] for p in wanted]
        skipped = {}
        runnable = []
        for c in comps:
            why = c.missing()
            if why:
                skipped[c.key] = why
                print(f"skipping {c.label}: {why}", file=sys.stderr)
            else:
                runnable.append(c)
        inputs = [p.resolve() for p in args.inputs] or [p for p in DEFAULT_INPUTS]
        out = args.out or Path("benchmarks/results") / _dt.datetime.now().strftime("bench-%Y%m%d-%H%M%S")
        _Progress.interval = max(args.progress_interval, 1.0)
        cfg = RunConfig(inputs=inputs, compressors=runnable, skipped=skipped, repeat=args.repeat, out_prefix=out,
                        workdir=args.tmpdir, command=shlex.join(["python", "-m", "benchmarks.run", *argv]),
                        quiet=args.quiet, plot=not args.no_plot, rss_method=args.rss_method)
        report, status = run_benchmark(cfg)
    except BenchError as e:
        print(f"benchmarks.run: error: {e}", file=sys.stderr)
        return EXIT_REFUSED
    print(render_markdown(report))
    return status


if __name__ == "__main__":
    sys.exit(main())
