"""Command line: `nncompress compress|decompress|test|info [FILE]...`, in the manner of gzip, xz and zstd.

Contract: this module holds no codec logic, only I/O, naming and messages; every byte is coded by
NNCompressor / NNDecompressor and `info` reads archive_info. No FILE, or `-`, means standard input
(and then standard output). An output file appears only complete: it is written to a temporary file
beside the target and renamed onto it after success; on any error, Ctrl-C or SIGTERM the temporary
file is removed and the input is left as it was. Exit status: 0 on success; 1 when any file failed,
each failure reported as exactly one line `nncompress: FILE: message` on stderr (no traceback), the
remaining files still processed; 2 on a usage error.
"""
from __future__ import annotations

import contextlib
import io
import os
import signal
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

import click

from . import __version__
from .config import DEFAULT_PRESET
from .errors import NNCompressError
from .format import BLOCK_STORED
from .info import archive_info
from .parallel import compress_members, decompress_members, frame_spans, member_count, resolve_threads
from .stream import NNCompressor, NNDecompressor, block_log

SUFFIX = ".nnc"
CHUNK = 1 << 20          # bytes read from the input at a time: memory stays bounded on any input
STDIO = "-"
STDIN_NAME = "(stdin)"
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM
_PRESET_KEY = "nncompress.preset"

Write = Callable[[bytes], object]
Progress = Callable[[int], None]


class CLIError(Exception):
    """A refusal by the command line itself (existing output, terminal, file name)."""


class _Terminated(KeyboardInterrupt):
    """Raised by the SIGTERM handler so that the same clean-up as for Ctrl-C runs."""


class _Interrupted(KeyboardInterrupt):
    """Raised by the SIGINT handler. Not KeyboardInterrupt itself: with a bare one, a Ctrl-C that landed
    while numba loaded the kernels sometimes ended the process by SIGINT (status -2, not 130) after
    run_each had handled it, and SIGTERM's subclass never did (CPython tests for exactly
    KeyboardInterrupt where it decides to end a process by SIGINT)."""


@dataclass
class Options:
    to_stdout: bool = False
    output: str | None = None
    keep: bool = True
    force: bool = False
    device: str = "cpu"
    threads: int = 1
    verbose: bool = False
    quiet: bool = False
    preset: int = DEFAULT_PRESET
    block_size: int | None = None


# --- small helpers ------------------------------------------------------------------------------

def display_name(name: str) -> str:
    return STDIN_NAME if name == STDIO else click.format_filename(name)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def report_error(name: str, message: str) -> None:
    click.echo(f"nncompress: {display_name(name)}: {_one_line(message)}", err=True)


def warn(opts: Options, name: str, message: str) -> None:
    if not opts.quiet:
        click.echo(f"nncompress: {display_name(name)}: warning: {_one_line(message)}", err=True)


def describe(exc: BaseException, name: str) -> str:
    """The message of an expected error, naming the other file involved when it is not `name`."""
    if isinstance(exc, OSError) and exc.strerror:
        other = exc.filename2 or exc.filename
        if other is not None and os.fsdecode(other) != name:
            return f"{click.format_filename(other)}: {exc.strerror}"
        return exc.strerror
    return str(exc) or type(exc).__name__


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def refuse_terminal_output(stream, force: bool) -> bool:
    """Compressed data is never written to a terminal unless forced (gzip, xz and zstd agree)."""
    return not force and is_terminal(stream)


def _stdin() -> BinaryIO:
    return sys.stdin.buffer


def _stdout() -> BinaryIO:
    return sys.stdout.buffer


@contextlib.contextmanager
def _open_input(name: str, opts: Options, compressed: bool) -> Iterator[BinaryIO]:
    if name == STDIO:
        stdin = _stdin()
        if compressed and not opts.force and is_terminal(stdin):
            raise CLIError("refusing to read compressed data from a terminal (use -f to force)")
        yield stdin
        return
    with open(name, "rb") as fin:
        yield fin


def _regular_stat(fp) -> os.stat_result | None:
    """The stat of an input that is a regular file, else None (stdin pipe, device, test stream)."""
    try:
        st = os.fstat(fp.fileno())
    except (AttributeError, ValueError, OSError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _copy_metadata(path: str, source: os.stat_result | None, opts: Options, name: str) -> None:
    """Give the output the input's permission bits and times (like gzip), or the usual 0666 & ~umask."""
    try:
        if source is None:
            os.chmod(path, _default_mode())
        else:
            os.chmod(path, stat.S_IMODE(source.st_mode) & 0o777)
            os.utime(path, ns=(source.st_atime_ns, source.st_mtime_ns))
    except OSError as exc:
        warn(opts, name, f"cannot copy mode and times to the output: {describe(exc, name)}")


def write_atomically(target: str, produce: Callable[[BinaryIO], None], source: os.stat_result | None,
                     opts: Options, name: str) -> None:
    """Run produce(file) on a temporary file beside `target`; rename it onto `target` only on success."""
    directory = os.path.dirname(target) or "."
    try:
        tmp = tempfile.NamedTemporaryFile(mode="wb", delete=False, dir=directory,
                                          prefix="." + os.path.basename(target) + ".", suffix=".tmp")
    except OSError as exc:   # name the target, not the temporary file nobody asked for
        raise OSError(exc.errno, exc.strerror, target) from exc
    try:
        with tmp:
            produce(tmp)
        _copy_metadata(tmp.name, source, opts, name)
        raise_if_stopped()
        os.replace(tmp.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise


def _check_target(name: str, target: str, opts: Options) -> None:
    if not os.path.lexists(target):
        return
    if name != STDIO and os.path.exists(target) and os.path.samefile(name, target):
        raise CLIError(f"{click.format_filename(target)}: input and output are the same file")
    if not opts.force:
        raise CLIError(f"{click.format_filename(target)} already exists (use -f to overwrite)")


# --- progress and summary -----------------------------------------------------------------------

def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressBar:
    """A one-line progress bar with speed and ETA on stderr; drawn only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, label: str, total: int | None, enabled: bool):
        self.label = label
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self._last = 0.0
        self._stream = sys.stderr
        self.enabled = enabled and is_terminal(self._stream)

    def __call__(self, count: int) -> None:
        raise_if_stopped()   # the coding calls this every 256 steps: a lost stop signal still stops it
        self.done += count
        now = time.monotonic()
        if self.enabled and now - self._last >= 0.2:
            self._last = now
            self._draw(now - self.start)

    def _draw(self, elapsed: float) -> None:
        speed = self.done / elapsed if elapsed > 0 else 0.0
        line = f"{self.label}: "
        if self.total:
            frac = min(self.done / self.total, 1.0)
            filled = int(frac * self.WIDTH)
            eta = _clock((self.total - self.done) / speed) if speed > 0 and frac < 1 else "-:--:--"
            line += f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {100 * frac:3.0f}% "
            line += f"{speed / 1000:.1f} kB/s ETA {eta}"
        else:
            line += f"{self.done:,} bytes {speed / 1000:.1f} kB/s {_clock(elapsed)}"
        self._stream.write("\r" + line[:200] + "\x1b[K")
        self._stream.flush()

    def close(self) -> None:
        if self.enabled and self._last:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


def summary(name: str, compressed: int, original: int, seconds: float, direction: str) -> str:
    """`name: IN -> OUT bytes, ratio R, B bits/byte, S kB/s (T s)`; ratio = original / compressed."""
    before, after = (original, compressed) if direction == "compress" else (compressed, original)
    ratio = f"{original / compressed:.3f}" if compressed else "-"
    bpb = f"{8 * compressed / original:.3f}" if original else "-"
    speed = original / seconds / 1000 if seconds > 0 else 0.0
    return (f"{display_name(name)}: {before:,} -> {after:,} bytes, ratio {ratio}, {bpb} bits/byte, "
            f"{speed:.1f} kB/s ({seconds:.2f} s)")


# --- streaming through the library ---------------------------------------------------------------

def compress_stream(fin: BinaryIO, write: Write, *, preset: int, device: str, block_size: int | None = None,
                    progress: Progress | None = None) -> tuple[int, int]:
    """Compress all of `fin` into one frame; return (bytes read, bytes written)."""
    comp = NNCompressor(preset=preset, block_size=block_size, device=device, progress=progress)
    read = written = 0
    while chunk := fin.read(CHUNK):
        read += len(chunk)
        out = comp.compress(chunk)
        write(out)
        written += len(out)
    out = comp.flush()
    write(out)
    return read, written + len(out)


def decompress_stream(fin: BinaryIO, write: Write, *, device: str,
                      progress: Progress | None = None) -> tuple[int, int]:
    """Decompress every concatenated frame of `fin`; return (bytes read, bytes written)."""
    decomp: NNDecompressor | None = NNDecompressor(device=device, progress=progress)
    read = written = 0
    while chunk := fin.read(CHUNK):
        read += len(chunk)
        while chunk:
            if decomp is None:
                decomp = NNDecompressor(device=device, progress=progress)
            out = decomp.decompress(chunk)
            write(out)
            written += len(out)
            chunk = b""
            if decomp.eof:
                chunk, decomp = decomp.unused_data, None
    if decomp is not None:
        decomp.finish()   # raises TruncatedArchiveError: no frame, or the last one did not end
    return read, written


def _parallel_source(fin: BinaryIO, name: str, source: os.stat_result | None) -> str | bytes:
    """What the worker processes read: a regular file's path (each reads its own part), else all the input."""
    return name if source is not None and name != STDIO else fin.read()


def _write_all(chunks: Iterator[bytes], write: Write) -> int:
    written = 0
    for chunk in chunks:
        write(chunk)
        written += len(chunk)
    return written


def compress_input(fin: BinaryIO, name: str, source: os.stat_result | None, write: Write, opts: Options,
                   progress: Progress | None = None) -> tuple[int, int]:
    """Compress `fin` into one frame, or into members on opts.threads processes; return (read, written)."""
    if resolve_threads(opts.threads) > 1:
        parallel = _parallel_source(fin, name, source)
        length = source.st_size if isinstance(parallel, str) else len(parallel)
        if member_count(length, opts.threads) > 1:
            return length, _write_all(compress_members(parallel, length, threads=opts.threads, preset=opts.preset,
                                                       block_size=opts.block_size, device=opts.device,
                                                       progress=progress), write)
        if isinstance(parallel, bytes):
            fin = io.BytesIO(parallel)
    return compress_stream(fin, write, preset=opts.preset, device=opts.device, block_size=opts.block_size,
                           progress=progress)


def decompress_input(fin: BinaryIO, name: str, source: os.stat_result | None, write: Write, opts: Options,
                     progress: Progress | None = None) -> tuple[int, int]:
    """Decompress every frame of `fin`, on opts.threads processes when there are several; return (read, written)."""
    if resolve_threads(opts.threads) > 1:
        parallel = _parallel_source(fin, name, source)
        spans = frame_spans(parallel, opts.threads)
        if len(spans) > 1:
            return spans[-1][1], _write_all(decompress_members(parallel, spans, threads=opts.threads,
                                                               device=opts.device, progress=progress), write)
        if isinstance(parallel, bytes):
            fin = io.BytesIO(parallel)
    return decompress_stream(fin, write, device=opts.device, progress=progress)


def _original_size(fin: BinaryIO, source: os.stat_result | None) -> int | None:
    """For the progress bar only: the archive's original size from its headers, when seekable."""
    if source is None:
        return None
    try:
        total = archive_info(fin).original_size
    except NNCompressError:
        total = None
    fin.seek(0)
    return total


# --- the per-file actions ------------------------------------------------------------------------

def _stdout_target(opts: Options) -> bool:
    return opts.to_stdout or opts.output == STDIO


def _compress_target(name: str, opts: Options) -> str:
    if _stdout_target(opts):
        return STDIO
    if opts.output is not None:
        return opts.output
    if name == STDIO:
        return STDIO
    if name.endswith(SUFFIX) and not opts.force:
        raise CLIError(f"already has {SUFFIX} suffix, left unchanged (use -f to compress it anyway)")
    return name + SUFFIX


def _decompress_target(name: str, opts: Options) -> str:
    if _stdout_target(opts):
        return STDIO
    if opts.output is not None:
        return opts.output
    if name == STDIO:
        return STDIO
    base = name[:-len(SUFFIX)] if name.endswith(SUFFIX) else ""
    if not os.path.basename(base):
        raise CLIError(f"unknown suffix, expected {SUFFIX} (use -c or -o to name the output)")
    return base


def _convert(name: str, target: str, opts: Options, direction: str) -> None:
    """Compress or decompress one input to `target` (a path, or STDIO for standard output)."""
    compressing = direction == "compress"
    if target == STDIO and compressing and refuse_terminal_output(_stdout(), opts.force):
        raise CLIError("refusing to write compressed data to a terminal (use -f to force)")
    with _open_input(name, opts, compressed=not compressing) as fin:
        source = _regular_stat(fin)
        if compressing:
            total = source.st_size if source is not None else None
        else:
            total = _original_size(fin, source) if opts.verbose else None
        bar = ProgressBar(display_name(name), total, opts.verbose)
        sizes: list[int] = []

        def produce(write: Write) -> None:
            convert = compress_input if compressing else decompress_input
            sizes.extend(convert(fin, name, source, write, opts, bar))

        try:
            if target == STDIO:
                stdout = _stdout()
                produce(stdout.write)
                stdout.flush()
            else:
                _check_target(name, target, opts)
                write_atomically(target, lambda fout: produce(fout.write), source, opts, name)
        finally:
            bar.close()
    if not opts.keep:
        if name == STDIO or target == STDIO:
            warn(opts, name, "--rm ignored: the input is standard input or the output standard output")
        else:
            os.unlink(name)
    if opts.verbose:
        read, written = sizes
        compressed, original = (written, read) if compressing else (read, written)
        click.echo(summary(name, compressed, original, time.monotonic() - bar.start, direction), err=True)


def _test(name: str, opts: Options) -> None:
    with _open_input(name, opts, compressed=True) as fin:
        source = _regular_stat(fin)
        bar = ProgressBar(display_name(name), _original_size(fin, source) if opts.verbose else None, opts.verbose)
        try:
            read, written = decompress_input(fin, name, source, lambda data: None, opts, bar)
        finally:
            bar.close()
    if opts.verbose:
        click.echo(summary(name, read, written, time.monotonic() - bar.start, "decompress") + ": OK", err=True)


def format_info(name: str, info, verbose: bool = False) -> str:
    lanes = sorted({block.lanes for block in info.blocks})
    ratio = f"{info.original_size / info.compressed_size:.3f}" if info.compressed_size else "-"
    rows = [
        ("frames", f"{info.frames}"),
        ("compressed size", f"{info.compressed_size:,} bytes"),
        ("original size", f"{info.original_size:,} bytes"),
        ("ratio", ratio),
        ("bits per byte", f"{info.bits_per_byte:.3f}" if info.original_size else "-"),
        ("preset", ", ".join(str(p) for p in sorted(set(info.presets)))),
        ("blocks", f"{len(info.blocks)}"),
        ("lanes", ", ".join(str(n) for n in lanes) if lanes else "-"),
    ]
    lines = [f"{display_name(name)}:"] + [f"  {key + ':':<17}{value}" for key, value in rows]
    if verbose:
        for i, block in enumerate(info.blocks):
            kind = "stored" if block.kind == BLOCK_STORED else "coded"
            lines.append(f"  block {i}: {kind}, {block.length:,} bytes -> {block.payload:,}, {block.lanes} lanes")
    return "\n".join(lines)


def _info(name: str, opts: Options) -> None:
    with _open_input(name, opts, compressed=True) as fin:
        info = archive_info(fin)
    click.echo(format_info(name, info, opts.verbose))


# --- running over the files ----------------------------------------------------------------------

_received: list[int] = []   # the stop signals received while running (see _stop_signals_raise)


def _raise_stop(signum: int) -> None:
    raise _Terminated() if signum == signal.SIGTERM else _Interrupted()


def raise_if_stopped() -> None:
    """Raise again for a stop signal whose exception was lost: a handler that runs inside a
    ctypes callback (numba's compiler calls back into Python) cannot raise out of it."""
    if _received:
        _raise_stop(_received[-1])


@contextlib.contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """While running, SIGTERM raises _Terminated and Ctrl-C KeyboardInterrupt, so temporary files are
    removed; both are recorded for raise_if_stopped. A Ctrl-C that the process ignores (started in the
    background) stays ignored."""
    def handler(signum, frame):
        _received.append(signum)
        _raise_stop(signum)

    def unraisable(args) -> None:   # the lost exception: raise_if_stopped raises it again, quietly
        if not (_received and issubclass(args.exc_type, KeyboardInterrupt)):
            previous_hook(args)

    _received.clear()
    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    wanted = [signal.SIGTERM] + ([signal.SIGINT] if signal.getsignal(signal.SIGINT) is signal.default_int_handler
                                 else [])
    try:
        previous = {signum: signal.signal(signum, handler) for signum in wanted}
    except ValueError:   # not the main thread: leave signals alone
        previous = {}
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook
        for signum, old in previous.items():
            signal.signal(signum, old)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that Python's exit flush stays quiet."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def run_each(files: tuple[str, ...], action: Callable[[str], None]) -> None:
    """Apply `action` to each file; report failures one line each; exit 1 if any failed."""
    ctx = click.get_current_context()
    status = 0
    with _stop_signals_raise():
        for name in files or (STDIO,):
            try:
                action(name)
            except _Terminated:
                report_error(name, "terminated")
                ctx.exit(EXIT_TERMINATED)
            except KeyboardInterrupt:
                report_error(name, "interrupted")
                ctx.exit(EXIT_INTERRUPTED)
            except BrokenPipeError as exc:
                _silence_stdout()
                report_error(name, describe(exc, name))
                ctx.exit(1)
            except (CLIError, NNCompressError, OSError, ValueError) as exc:
                report_error(name, describe(exc, name))
                status = 1
    ctx.exit(status)


# --- click -------------------------------------------------------------------------------------

def _preset_callback(level: int):
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:   # given flags are processed in command-line order, so the last one wins
            ctx.meta[_PRESET_KEY] = level
    return callback


def preset_options(func):
    for level in range(9, 0, -1):
        func = click.option(f"-{level}", f"preset_{level}", is_flag=True, expose_value=False,
                            callback=_preset_callback(level), hidden=level != 1,
                            help=f"-1 (fastest) .. -9 (strongest): the preset; default -{DEFAULT_PRESET}. "
                                 "The last one given wins.")(func)
    return func


_common = [
    click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="cpu", show_default=True,
                 help="Where the model runs: cpu (compiled kernels), cuda (a Triton kernel; needs "
                      "pip install 'nncompress[cuda]' and a GPU), auto (the CPU for now). The archive "
                      "is the same either way."),
    click.option("-T", "--threads", type=click.IntRange(min=0), default=1, show_default=True, metavar="N",
                 help="Processes. Compressing, input of 2 MiB or more is cut into up to N members, each coded "
                      "with a fresh model: faster, a little larger (a different archive for each N). "
                      "Decompressing, the members of such an archive are decoded in parallel: the same bytes. "
                      "0: one per core. Above 1, standard input is read whole into memory first."),
    click.option("-v", "--verbose", is_flag=True, help="Progress bar and a summary line on stderr."),
    click.option("-q", "--quiet", is_flag=True, help="Suppress warnings."),
    click.option("-f", "--force", is_flag=True,
                 help="Overwrite existing outputs; read or write compressed data on a terminal."),
]

_output = [
    click.option("-c", "--stdout", "to_stdout", is_flag=True, help="Write to standard output, keep the input."),
    click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
                 help="Write to FILE (a single input only; '-' is standard output)."),
    click.option("-k", "--keep/--rm", "keep", default=True,
                 help="Keep the input (default), or remove it after the output was written successfully."),
]

_files = click.argument("files", nargs=-1, type=click.Path(allow_dash=True), metavar="[FILE]...")


def _apply(decorators, func):
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _options(ctx: click.Context, files, **kwargs) -> Options:
    output = kwargs.get("output")
    if output is not None and kwargs.get("to_stdout"):
        raise click.UsageError("-c/--stdout and -o/--output exclude each other", ctx)
    if output is not None and len(files) > 1:
        raise click.UsageError("-o/--output takes a single input file", ctx)
    return Options(preset=ctx.meta.get(_PRESET_KEY, DEFAULT_PRESET), **kwargs)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="nncompress")
def cli() -> None:
    """Lossless compression by a neural network that learns while it codes.

    No FILE, or '-', reads standard input and writes standard output.
    """


def output_options(func):
    return _apply(_output, func)


def common_options(func):
    return _apply(_common, func)


def _block_size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = value.strip().upper().removesuffix("IB").removesuffix("B")
    try:
        size = int(text[:-1]) * units[text[-1]] if text and text[-1] in units else int(text)
        block_log(size)
    except (ValueError, KeyError) as exc:
        raise click.BadParameter(f"{value!r}: a power of two from 1K to 256M ({exc})", ctx, param) from None
    return size


@cli.command()
@preset_options
@click.option("--block-size", callback=_block_size, metavar="SIZE",
              help="Bytes per block (1K .. 256M, a power of two; default 16M): bounds memory on long streams.")
@output_options
@common_options
@_files
@click.pass_context
def compress(ctx: click.Context, files, **kwargs) -> None:
    """Compress each FILE to FILE.nnc."""
    opts = _options(ctx, files, **kwargs)
    run_each(files, lambda name: _convert(name, _compress_target(name, opts), opts, "compress"))


@cli.command()
@output_options
@common_options
@_files
@click.pass_context
def decompress(ctx: click.Context, files, **kwargs) -> None:
    """Decompress each FILE.nnc to FILE."""
    opts = _options(ctx, files, **kwargs)
    run_each(files, lambda name: _convert(name, _decompress_target(name, opts), opts, "decompress"))


@cli.command("test")
@common_options
@_files
@click.pass_context
def test_command(ctx: click.Context, files, **kwargs) -> None:
    """Decode each archive fully and discard the data (exit 1 on a bad one)."""
    opts = _options(ctx, files, **kwargs)
    run_each(files, lambda name: _test(name, opts))


@cli.command()
@click.option("-v", "--verbose", is_flag=True, help="List every block as well.")
@click.option("-q", "--quiet", is_flag=True, help="Suppress warnings.")
@click.option("-f", "--force", is_flag=True, help="Read an archive from a terminal.")
@_files
@click.pass_context
def info(ctx: click.Context, files, **kwargs) -> None:
    """Show frames, sizes, ratio, preset, blocks and lanes of each archive, without decoding it."""
    opts = Options(**kwargs)
    run_each(files, lambda name: _info(name, opts))


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="nncompress")
