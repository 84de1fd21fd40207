"""File objects over archives, like bz2.BZ2File / lzma.LZMAFile, and `open()`.

Contract: mode 'r' reads the concatenated data of every archive in the file; 'w', 'x' and 'a'
write one archive (appending makes a concatenation, which reads back as one stream). Text modes
wrap the binary file in io.TextIOWrapper.
"""
from __future__ import annotations

import builtins
import io
import os

from .config import DEFAULT_PRESET
from .errors import NNCompressError
from .stream import NNCompressor, NNDecompressor

_READ_SIZE = 1 << 16


class _DecompressReader(io.RawIOBase):
    """Raw reader over the concatenated archives of a binary file."""

    def __init__(self, fp, device: str):
        self._fp = fp
        self._device = device
        self._decomp: NNDecompressor | None = None
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        with memoryview(buffer) as view, view.cast("B") as out:
            data = self.read(len(out))
            out[:len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            return self.readall()
        while size and not self._eof:
            if self._decomp is None:
                chunk = self._fp.read(_READ_SIZE)
                if not chunk:
                    self._eof = True
                    break
                self._decomp = NNDecompressor(device=self._device)
            elif self._decomp.eof:
                chunk = self._decomp.unused_data
                self._decomp = None
                if chunk:
                    self._decomp = NNDecompressor(device=self._device)
                else:
                    continue
            elif self._decomp.needs_input:
                chunk = self._fp.read(_READ_SIZE)
                if not chunk:
                    self._decomp.finish()   # raises: the archive is truncated
            else:
                chunk = b""
            data = self._decomp.decompress(chunk, size)
            if data:
                return data
        return b""


class NNCompressFile(io.BufferedIOBase):
    """A file object that compresses on write or decompresses on read."""

    def __init__(self, filename, mode: str = "r", *, preset: int = DEFAULT_PRESET, device: str = "cpu"):
        if mode in ("r", "rb"):
            mode_code = "rb"
        elif mode in ("w", "wb", "x", "xb", "a", "ab"):
            mode_code = mode[0] + "b"
        else:
            raise ValueError(f"invalid mode: {mode!r}")
        if isinstance(filename, (str, bytes, os.PathLike)):
            self._fp = builtins.open(filename, mode_code)
            self._close_fp = True
        elif hasattr(filename, "read") or hasattr(filename, "write"):
            self._fp = filename
            self._close_fp = False
        else:
            raise TypeError("filename must be a str, bytes, os.PathLike or file object")
        self._mode = mode_code
        self._compressor = NNCompressor(preset=preset, device=device) if mode_code != "rb" else None
        self._reader = io.BufferedReader(_DecompressReader(self._fp, device)) if mode_code == "rb" else None
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if self._closed:
            return
        try:
            if self._compressor is not None:
                self._fp.write(self._compressor.flush())
        finally:
            self._closed = True
            if self._close_fp:
                self._fp.close()

    def _check(self, reading: bool) -> None:
        if self._closed:
            raise ValueError("I/O operation on closed file")
        if reading and self._reader is None:
            raise io.UnsupportedOperation("file not open for reading")
        if not reading and self._compressor is None:
            raise io.UnsupportedOperation("file not open for writing")

    def readable(self) -> bool:
        return not self._closed and self._reader is not None

    def writable(self) -> bool:
        return not self._closed and self._compressor is not None

    def seekable(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fp.fileno()

    def read(self, size: int = -1) -> bytes:
        self._check(reading=True)
        return self._reader.read(size)

    def read1(self, size: int = -1) -> bytes:
        self._check(reading=True)
        return self._reader.read1(size)

    def readinto(self, buffer) -> int:
        self._check(reading=True)
        return self._reader.readinto(buffer)

    def readline(self, size: int = -1) -> bytes:
        self._check(reading=True)
        return self._reader.readline(size)

    def peek(self, size: int = 0) -> bytes:
        self._check(reading=True)
        return self._reader.peek(size)

    def write(self, data) -> int:
        self._check(reading=False)
        view = memoryview(data).cast("B")
        self._fp.write(self._compressor.compress(view))
        return len(view)


def open(filename, mode: str = "rb", *, preset: int = DEFAULT_PRESET, device: str = "cpu",
         encoding: str | None = None, errors: str | None = None, newline: str | None = None):
    """Open an archive in binary ('r', 'w', 'x', 'a' with optional 'b') or text ('t') mode."""
    if "t" in mode:
        if "b" in mode:
            raise ValueError(f"invalid mode: {mode!r}")
    else:
        if encoding is not None or errors is not None or newline is not None:
            raise ValueError("encoding, errors and newline are for text mode only")
    binary = NNCompressFile(filename, mode.replace("t", ""), preset=preset, device=device)
    if "t" in mode:
        return io.TextIOWrapper(binary, encoding=io.text_encoding(encoding), errors=errors, newline=newline)
    return binary


__all__ = ["NNCompressFile", "open", "NNCompressError"]
