"""The range coder, compiled: constriction's FIFO range coder, word for word, inside the kernels.

Contract: the words `encode_symbol` ... `seal` write are exactly those of constriction's
`stream.queue.RangeEncoder` (32-bit words, a 64-bit state, 24-bit precision) given the same
symbols with `stream.model.Categorical(perfect=False)` and the same integer frequencies (four
per symbol, summing to quantise.TOTAL = 2^24 - 4, so value v gets (q_v + 1) / 2^24: see
docs/FORMAT.md); `decode_symbol` reads such words back. tests/test_rangecoder.py checks both
against constriction. It runs inside the step loop (rounds.py), so a round costs no call into
Python: called from Python once per round, constriction and the calls took 17% of the time
(benchmarks/results/profile_stages_v4.md); here the coder takes 1.6% (profile_stages.md).

A coder's state is one uint64 array (STATE_WORDS). Every operation is unsigned 64-bit
arithmetic; sums of lower and range wrap, as in the reference.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .jit import kernel

PRECISION = 24
# State layout (uint64): the interval, and the encoder's or decoder's bookkeeping.
LOWER, RANGE, POINT, READ, INVERTED, INVERTED_WORD, WRITTEN, INVALID = range(8)
STATE_WORDS = 8
POINT_OUTSIDE, WORDS_RAN_OUT = 1, 2   # why a decoder set state[INVALID]
_FULL = np.uint64(0xFFFFFFFFFFFFFFFF)
_WORD_BITS = np.uint64(32)
_LOW_RANGE = np.uint64(1) << np.uint64(32)   # renormalise when the range falls below one word
_WORD_MASK = np.uint64(0xFFFFFFFF)


def new_state() -> np.ndarray:
    state = np.zeros(STATE_WORDS, dtype=np.uint64)
    state[RANGE] = _FULL
    return state


def encode_capacity(state: np.ndarray, symbols: int) -> int:
    """Words that encoding `symbols` more symbols and sealing can write at most: one per symbol,
    the words held back while the interval straddles a word boundary, two to seal, and one spare."""
    return symbols + int(state[INVERTED]) + 3


@njit(inline="always")
def _interval(freqs, symbol):
    """-> (cumulative, probability) of `symbol` in constriction's exact quantisation: + 1 each."""
    cumulative = np.uint64(symbol)
    for v in range(symbol):
        cumulative += np.uint64(freqs[v])
    return cumulative, np.uint64(freqs[symbol]) + np.uint64(1)


@njit(inline="always")
def _write(state, out, word):
    out[state[WRITTEN]] = np.uint32(word)
    state[WRITTEN] += np.uint64(1)


@njit(inline="always")
def _flush_inverted(state, out, carry):
    """Write the words held back while the interval straddled a boundary, now that it is known
    whether the carry reached them."""
    first = (state[INVERTED_WORD] + np.uint64(1)) & _WORD_MASK if carry else state[INVERTED_WORD]
    _write(state, out, first)
    rest = np.uint64(0) if carry else _WORD_MASK
    for _ in range(1, np.int64(state[INVERTED])):
        _write(state, out, rest)
    state[INVERTED] = np.uint64(0)


@njit(inline="always")
def encode_symbol(state, out, freqs, symbol):
    """Narrow the interval to `symbol` (freqs: its four frequencies) and write finished words to out."""
    cumulative, probability = _interval(freqs, symbol)
    lower = state[LOWER]
    scale = state[RANGE] >> np.uint64(PRECISION)
    new_range = scale * probability
    new_lower = lower + scale * cumulative
    if state[INVERTED] != 0 and new_lower + new_range > new_lower:
        _flush_inverted(state, out, new_lower < lower)
    state[LOWER], state[RANGE] = new_lower, new_range
    if new_range < _LOW_RANGE:
        lower_word = new_lower >> _WORD_BITS
        state[RANGE] = new_range << _WORD_BITS
        state[LOWER] = new_lower << _WORD_BITS
        if state[INVERTED] != 0:
            state[INVERTED] += np.uint64(1)
        elif state[LOWER] + state[RANGE] > state[LOWER]:
            _write(state, out, lower_word)
        else:
            state[INVERTED], state[INVERTED_WORD] = np.uint64(1), lower_word


@kernel   # called from Python once per block: cached, or each process would compile it again (0.26 s)
def seal(state, out):
    """Write the words that identify the final interval (none if nothing was encoded)."""
    if state[RANGE] == _FULL:
        return
    lower = state[LOWER]
    point = lower + _WORD_MASK
    if state[INVERTED] != 0:
        _flush_inverted(state, out, point < lower)
    point_word = point >> _WORD_BITS
    _write(state, out, point_word)
    if (lower + state[RANGE]) >> _WORD_BITS == point_word:
        _write(state, out, 0)


# A valid stream of at least one symbol is never read more than this many words past its end: the
# decoder reads two words to start and one per renormalisation, the encoder writes one per
# renormalisation and one or two to seal. Needing another means the data is corrupt or cut short.
READ_PAST_END = 1


def start_decoding(words: np.ndarray) -> np.ndarray:
    """A decoder's state over `words` (uint32): the point is the first two words, zero padded."""
    state = new_state()
    high, low = (int(word) for word in list(words[:2]) + [0] * (2 - min(len(words), 2)))
    state[POINT] = np.uint64((high << 32) | low)
    state[READ] = 2     # words read so far, counting those past the end (zeros)
    return state


@njit(inline="always")
def point_in_upper_half(state, freqs):
    """Whether the point lies beyond the first two symbols (freqs: at least their two frequencies), without moving
    it: decode_symbol then finds the same symbol. The step routine learns a symbol's first bit this way before it
    predicts the node that splits that half (rounds.py)."""
    scale = state[RANGE] >> np.uint64(PRECISION)
    quantile = (state[POINT] - state[LOWER]) // scale
    return quantile >= np.uint64(freqs[0]) + np.uint64(freqs[1]) + np.uint64(2)


@njit(inline="always")
def decode_symbol(state, words, freqs):
    """-> the symbol under the point (freqs: its four frequencies). Sets state[INVALID] where the
    point lies outside every symbol (and returns 0) or the words run out (READ_PAST_END), which
    only corrupt or cut data can do."""
    scale = state[RANGE] >> np.uint64(PRECISION)
    quantile = (state[POINT] - state[LOWER]) // scale
    if quantile >= np.uint64(1 << PRECISION):
        state[INVALID] = np.uint64(POINT_OUTSIDE)
        return 0
    symbol, cumulative = 0, np.uint64(0)
    for v in range(1, 4):
        boundary = cumulative + np.uint64(freqs[v - 1]) + np.uint64(1)
        if boundary > quantile:
            break
        symbol, cumulative = v, boundary
    probability = np.uint64(freqs[symbol]) + np.uint64(1)
    state[LOWER] += scale * cumulative
    state[RANGE] = scale * probability
    if state[RANGE] < _LOW_RANGE:
        state[LOWER] <<= _WORD_BITS
        state[RANGE] <<= _WORD_BITS
        state[POINT] <<= _WORD_BITS
        available = np.uint64(words.shape[0])   # unsigned, as READ: a mixed compare would go through floats
        if state[READ] < available:
            state[POINT] |= np.uint64(words[state[READ]])
        state[READ] += np.uint64(1)
        if state[READ] > available + np.uint64(READ_PAST_END):
            state[INVALID] = np.uint64(WORDS_RAN_OUT)
    return symbol
