"""nncompress: lossless compression with a neural predictor that learns while it codes.

The API follows the standard library's lzma and bz2 modules:
compress(), decompress(), NNCompressor, NNDecompressor, open(), NNCompressFile, NNCompressError;
compress() and decompress() also take threads=N: members coded on N processes (parallel.py).
"""
from .config import DEFAULT_PRESET
from .errors import NNCompressError
from .fileobj import NNCompressFile, open
from .format import FORMAT_VERSION
from .info import ArchiveInfo, archive_info
from .oneshot import compress, decompress
from .stream import NNCompressor, NNDecompressor

__version__ = "0.25.1"

__all__ = [
    "DEFAULT_PRESET", "FORMAT_VERSION", "ArchiveInfo", "NNCompressError", "NNCompressFile", "NNCompressor",
    "NNDecompressor", "archive_info", "compress", "decompress", "open",
]
