"""The range coder (constriction's FIFO range coder), fed exact integer frequencies.

Contract: `SymbolSource.code(step, half, freqs, active)` returns the nibbles (half 0: high, 1: low)
of the lanes' bytes at this step: the encoding source codes the known nibbles of the active lanes
with the given [B, 16] frequencies (or only replays them when it has no coder: learning a stored
block), the decoding source decodes them. Inactive lanes get nibble 0.
One step routine (codec.run_block) drives both, so compression and decompression cannot drift.
"""
from __future__ import annotations

import constriction
import numpy as np

from .errors import NNCompressError

_FAMILY = constriction.stream.model.Categorical(perfect=False)


class EncodingSource:
    def __init__(self, grid: np.ndarray, code: bool = True):
        self.grid = grid                          # [B, stride] uint8 lane-major data
        self.encoder = constriction.stream.queue.RangeEncoder() if code else None

    def code(self, step: int, half: int, freqs: np.ndarray, active: np.ndarray | None) -> np.ndarray:
        column = self.grid[:, step].astype(np.int32)
        symbols = column >> 4 if half == 0 else column & 15
        if self.encoder is not None:
            if active is None:
                self.encoder.encode(symbols, _FAMILY, freqs)
            else:
                self.encoder.encode(symbols[active], _FAMILY, freqs[active])
        return symbols

    def payload(self) -> bytes:
        return self.encoder.get_compressed().astype("<u4").tobytes()


class DecodingSource:
    def __init__(self, payload: bytes, lanes: int, stride: int):
        words = np.frombuffer(payload, dtype="<u4").astype(np.uint32)
        self.decoder = constriction.stream.queue.RangeDecoder(words)
        self.grid = np.zeros((lanes, stride), dtype=np.uint8)

    def code(self, step: int, half: int, freqs: np.ndarray, active: np.ndarray | None) -> np.ndarray:
        try:
            if active is None:
                symbols = self.decoder.decode(_FAMILY, freqs)
            else:
                symbols = np.zeros(freqs.shape[0], dtype=np.int32)
                symbols[active] = self.decoder.decode(_FAMILY, freqs[active])
        except (AssertionError, ValueError, RuntimeError) as exc:
            raise NNCompressError(f"corrupt archive: the coded data is invalid ({exc})") from None
        if half == 0:
            self.grid[:, step] = symbols << 4
        else:
            self.grid[:, step] |= symbols.astype(np.uint8)
        return symbols
