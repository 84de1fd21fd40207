"""The package's one error class, and its truncation flavour."""


class NNCompressError(Exception):
    """Any archive that is corrupt, truncated, foreign or unsupported; any invalid request."""


class TruncatedArchiveError(NNCompressError, EOFError):
    """The archive ends before its end marker (also an EOFError, as in lzma and bz2)."""
