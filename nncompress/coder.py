"""The two directions of block coding, as the step routine (rounds.py) sees them.

Contract: each direction has a `mode` for `rounds.code_steps`, the range coder's `state`, and
`words(symbols)`, the word array to hand a call that codes at most `symbols` symbols;
`chunk_done()` after each call. `Encoding` collects the words written and `payload()` seals
them into bytes (little-endian 32-bit words); `Decoding` raises NNCompressError once the coder
has found the data invalid; `Replay` codes nothing (a stored block is learned, not coded).
"""
from __future__ import annotations

import numpy as np

from .errors import NNCompressError
from .rangecoder import INVALID, WORDS_RAN_OUT, WRITTEN, encode_capacity, new_state, seal, start_decoding
from .rounds import DECODE, ENCODE, LEARN

_NO_WORDS = np.zeros(0, dtype=np.uint32)


class Encoding:
    mode = ENCODE

    def __init__(self):
        self.state = new_state()
        self._buffer = _NO_WORDS
        self._pieces: list[np.ndarray] = []

    def words(self, symbols: int) -> np.ndarray:
        capacity = encode_capacity(self.state, symbols)
        if len(self._buffer) < capacity:
            self._buffer = np.empty(capacity, dtype=np.uint32)
        self.state[WRITTEN] = 0
        return self._buffer

    def chunk_done(self) -> None:
        self._pieces.append(self._buffer[:int(self.state[WRITTEN])].copy())

    def payload(self) -> bytes:
        seal(self.state, self.words(0))
        self.chunk_done()
        return np.concatenate(self._pieces).astype("<u4").tobytes()


class Decoding:
    mode = DECODE

    def __init__(self, payload: bytes):
        self._words = np.frombuffer(payload, dtype="<u4").astype(np.uint32)
        self.state = start_decoding(self._words)

    def words(self, symbols: int) -> np.ndarray:
        return self._words

    def chunk_done(self) -> None:
        if self.state[INVALID] == WORDS_RAN_OUT:
            raise NNCompressError("corrupt archive: the coded data ends before the block does")
        if self.state[INVALID]:
            raise NNCompressError("corrupt archive: the coded data is invalid")


class Replay:
    mode = LEARN

    def __init__(self):
        self.state = new_state()

    def words(self, symbols: int) -> np.ndarray:
        return _NO_WORDS

    def chunk_done(self) -> None:
        pass
