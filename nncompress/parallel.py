"""Coding on several processes (`-T N`): independent members, as pigz and pbzip2 do.

Contract: `compress_members` cuts `length` bytes into member_count(length, threads) contiguous parts
of nearly equal size and codes each, on its own process with a fresh model (on a device: all in
one process, one program per member: members.py), as one complete frame
(docs/FORMAT.md); it yields the frames in order, and their concatenation is an ordinary archive
that every decoder reads frame after frame. `decompress_members` finds an archive's frames from
their headers and decodes them on several processes, yielding their data in order. Errors in a
worker are raised in the caller (NNCompressError for a bad archive); on any error or interrupt the
workers are stopped. Decoding gives the same bytes with any number of processes; compressing does
not, since every member starts with a fresh model and costs bits (benchmarks/results/threads_4M.md).
"""
from __future__ import annotations

import io
import multiprocessing
import os
import signal
import sys
from typing import Callable, Iterator

from .device import resolve_device
from .errors import NNCompressError
from .info import archive_info
from .members import compress_at_once, decompress_at_once
from .stream import NNCompressor, NNDecompressor

# A member shorter than this would cost much more in bits than its process saves in time.
MIN_MEMBER = 1 << 20
_READ = 1 << 20          # a worker reads its part of a file this much at a time
_POLL_SECONDS = 0.2      # how often progress is reported while waiting for a member

Progress = Callable[[int], None]

_done = None             # in a worker: the shared count of bytes coded, for the caller's progress


def resolve_threads(threads: int) -> int:
    """0 means one process per available core (like xz -T0 and zstd -T0)."""
    if threads < 0:
        raise ValueError(f"threads must be 0 (all cores) or more, not {threads}")
    if threads:
        return threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:   # not on Linux
        return max(1, os.cpu_count() or 1)


def member_count(length: int, threads: int) -> int:
    """How many members `length` bytes are cut into for `threads` processes (each at least MIN_MEMBER)."""
    return max(1, min(resolve_threads(threads), length // MIN_MEMBER))


def frame_spans(source, threads: int) -> list[tuple[int, int]]:
    """The byte ranges of the archive's frames, when there are `threads` > 1 to decode them; else [].

    A file that is not a valid archive also gives []: the sequential decoder then reports it, just as
    it would with threads=1.
    """
    if resolve_threads(threads) == 1:
        return []
    try:
        if isinstance(source, str):
            with open(source, "rb") as fp:
                return archive_info(fp).spans
        return archive_info(io.BytesIO(source)).spans
    except NNCompressError:
        return []


def member_spans(length: int, members: int) -> list[tuple[int, int]]:
    return [(i * length // members, (i + 1) * length // members) for i in range(members)]


# `source` below: a file's path (each worker reads its own part of the file) or the data itself.

def compress_members(source, length: int, *, threads: int, preset: int, block_size: int | None, device: str = "cpu",
                     progress: Progress | None = None) -> Iterator[bytes]:
    """Yield the frames of `source`'s `length` bytes cut into member_count(length, threads) members."""
    device = resolve_device(device)                        # the arguments are checked here, once
    NNCompressor(preset=preset, block_size=block_size)
    spans = member_spans(length, member_count(length, threads))
    if device != "cpu":   # one program per member, in one process
        parts = [b"".join(_read(_part(source, start, end))) for start, end in spans]
        yield from compress_at_once(parts, preset=preset, block_size=block_size, device=device, progress=progress)
        return
    jobs = [(_compress_part, (_part(source, start, end), preset, block_size)) for start, end in spans]
    yield from _run(jobs, threads, progress)


def decompress_members(source, spans: list[tuple[int, int]], *, threads: int, device: str = "cpu",
                       progress: Progress | None = None) -> Iterator[bytes]:
    """Yield the data of the frames at `spans` (byte ranges of `source`), in order."""
    device = resolve_device(device)
    if device != "cpu":   # one program per member, in one process
        frames = [b"".join(_read(_part(source, start, end))) for start, end in spans]
        yield from decompress_at_once(frames, device=device, progress=progress)
        return
    jobs = [(_decompress_part, (_part(source, start, end),)) for start, end in spans]
    yield from _run(jobs, threads, progress)


def _part(source, start: int, end: int):
    """What a worker is sent: a file's path and range (it reads them itself), or the bytes."""
    return (source, start, end) if isinstance(source, str) else bytes(memoryview(source)[start:end])


def _read(part) -> Iterator[bytes]:
    if isinstance(part, bytes):
        yield part
        return
    path, start, end = part
    with open(path, "rb") as fin:
        fin.seek(start)
        while start < end:
            chunk = fin.read(min(_READ, end - start))
            if not chunk:
                raise NNCompressError(f"{path}: the file shrank while it was being read")
            start += len(chunk)
            yield chunk


def _count(n: int) -> None:
    with _done.get_lock():
        _done.value += n


def _compress_part(part, preset: int, block_size: int | None) -> bytes:
    comp = NNCompressor(preset=preset, block_size=block_size, progress=_count)
    out = bytearray()
    for chunk in _read(part):
        out += comp.compress(chunk)
    return bytes(out + comp.flush())


def _decompress_part(part) -> bytes:
    decomp = NNDecompressor(progress=_count)
    out = bytearray()
    for chunk in _read(part):
        out += decomp.decompress(chunk)
    decomp.finish()
    if decomp.unused_data:
        raise NNCompressError("corrupt archive: a frame ends before its recorded end")
    return bytes(out)


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _worker_start(done) -> None:
    """Ctrl-C and SIGTERM are the caller's to handle: it stops the workers."""
    global _done
    _done = done
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _start_pool(context, processes: int, done):
    """A worker forked with the caller's handlers would answer Ctrl-C with a traceback: the signals
    stay blocked until each worker has set its own (they reach the caller once the pool is up)."""
    mask = getattr(signal, "pthread_sigmask", None)   # not on Windows
    blocked = mask(signal.SIG_BLOCK, _STOP_SIGNALS) if mask else None
    try:
        return context.Pool(processes, initializer=_worker_start, initargs=(done,))
    finally:
        if mask:
            mask(signal.SIG_SETMASK, blocked)


def _context():
    # fork starts a worker in milliseconds with the kernels already imported; elsewhere spawn
    # (macOS and Windows) is the safe default.
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _run(jobs, threads: int, progress: Progress | None) -> Iterator[bytes]:
    context = _context()
    done = context.Value("q", 0)
    reported = 0
    processes = min(resolve_threads(threads), len(jobs))

    def report() -> None:
        nonlocal reported
        now = done.value
        if progress is not None and now > reported:
            progress(now - reported)
            reported = now

    # Leaving the pool (an error, Ctrl-C, the caller stopping early) terminates the workers.
    with _start_pool(context, processes, done) as pool:
        pending = [pool.apply_async(function, args) for function, args in jobs]
        for result in pending:
            while not result.ready():
                result.wait(_POLL_SECONDS)
                report()
            report()
            yield result.get()
