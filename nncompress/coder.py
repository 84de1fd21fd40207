"""The range coder (constriction's FIFO range coder), fed exact integer frequencies.

Contract: `SymbolSource.code(step, quarter, freqs, active)` returns, for every lane, bits
7-6, 5-4, 3-2 or 1-0 (quarter 0..3) of its byte at this step, as int32 values 0..3: the encoding
source codes those of the active lanes with the given [B, 4] frequencies (or only replays them
when it has no coder: learning a stored block), the decoding source decodes them. Inactive
lanes get 0.
One step routine (codec.run_block) drives both, so compression and decompression cannot drift.
"""
from __future__ import annotations

import constriction
import numpy as np

from .errors import NNCompressError

_FAMILY = constriction.stream.model.Categorical(perfect=False)


_SHIFTS = np.array([6, 4, 2, 0], dtype=np.uint8)   # quarter q holds bits (7 - 2q, 6 - 2q) of a byte


class EncodingSource:
    def __init__(self, grid: np.ndarray, code: bool = True):
        self.grid = grid                          # [B, stride] uint8 lane-major data
        self.encoder = constriction.stream.queue.RangeEncoder() if code else None
        self.symbols = np.zeros((4, grid.shape[0]), dtype=np.int32)   # the current step's four rounds

    def code(self, step: int, quarter: int, freqs: np.ndarray, active: np.ndarray | None) -> np.ndarray:
        if quarter == 0:
            self.symbols[:] = (self.grid[None, :, step] >> _SHIFTS[:, None]) & 3
        symbols = self.symbols[quarter]
        if self.encoder is not None:
            if active is None:
                self.encoder.encode(symbols, _FAMILY, freqs)
            else:
                self.encoder.encode(symbols[active], _FAMILY, freqs[active])
        return symbols

    def payload(self) -> bytes:
        return self.encoder.get_compressed().astype("<u4").tobytes()


_BATCH = 256   # steps whose symbols are packed into bytes at once (per-step numpy work costs more)


class DecodingSource:
    def __init__(self, payload: bytes, lanes: int, stride: int):
        words = np.frombuffer(payload, dtype="<u4").astype(np.uint32)
        self.decoder = constriction.stream.queue.RangeDecoder(words)
        self.grid = np.zeros((lanes, stride), dtype=np.uint8)
        self.symbols = np.zeros((_BATCH, 4, lanes), dtype=np.int32)   # the rounds of the steps not yet packed

    def code(self, step: int, quarter: int, freqs: np.ndarray, active: np.ndarray | None) -> np.ndarray:
        symbols = self.symbols[step % _BATCH, quarter]
        try:
            if active is None:
                symbols[:] = self.decoder.decode(_FAMILY, freqs)
            else:
                symbols[:] = 0
                symbols[active] = self.decoder.decode(_FAMILY, freqs[active])
        except (AssertionError, ValueError, RuntimeError) as exc:
            raise NNCompressError(f"corrupt archive: the coded data is invalid ({exc})") from None
        if quarter == 3 and (step % _BATCH == _BATCH - 1 or step == self.grid.shape[1] - 1):
            first = step - step % _BATCH
            s = self.symbols[:step + 1 - first]                            # [steps, 4, lanes]
            self.grid[:, first:step + 1] = ((s[:, 0] << 6) | (s[:, 1] << 4) | (s[:, 2] << 2) | s[:, 3]).T
        return symbols
