"""The compiled range coder against its reference, constriction, word for word."""
from __future__ import annotations

from dataclasses import replace

import constriction
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from nncompress import rangecoder
from nncompress.codec import encode_block
from nncompress.coder import Encoding
from nncompress.config import preset_config
from nncompress.lanes import LaneLayout, choose_lanes
from nncompress.predictor import Predictor
from nncompress.quantise import TOTAL

from .helpers import english_like

_FAMILY = constriction.stream.model.Categorical(perfect=False)


@njit
def _encode_all(state, freqs, symbols, out):
    for i in range(symbols.shape[0]):
        rangecoder.encode_symbol(state, out, freqs[i], symbols[i])
    rangecoder.seal(state, out)
    return state[rangecoder.WRITTEN]


@njit
def _decode_all(state, words, freqs, out):
    for i in range(out.shape[0]):
        out[i] = rangecoder.decode_symbol(state, words, freqs[i])
        if state[rangecoder.INVALID]:
            break


def _ours(freqs, symbols):
    state = rangecoder.new_state()
    out = np.zeros(rangecoder.encode_capacity(state, len(symbols)), dtype=np.uint32)
    return out[:_encode_all(state, freqs, symbols, out)]


def _reference(freqs, symbols):
    encoder = constriction.stream.queue.RangeEncoder()
    if len(symbols):
        encoder.encode(symbols.astype(np.int32), _FAMILY, freqs.astype(np.float32))
    return encoder.get_compressed()


def _decoded(words, freqs):
    """Decodes all of freqs' symbols, asserting the decoder found the words valid."""
    out = np.zeros(len(freqs), dtype=np.int64)
    state = rangecoder.start_decoding(words)
    _decode_all(state, words, freqs, out)
    assert state[rangecoder.INVALID] == 0
    return out


def _stream(seed: int, n: int):
    """Frequency rows of every shape the predictor can give (certain, skewed, even), and symbols
    mostly likely under them, some unlikely: carries and held-back words happen often."""
    rng = np.random.default_rng(seed)
    freqs = np.zeros((n, 4), dtype=np.int64)
    symbols = np.zeros(n, dtype=np.int64)
    for i in range(n):
        if rng.random() < 0.25:
            freqs[i, rng.integers(4)] = TOTAL
        else:
            weights = rng.random(4) ** rng.choice([1, 8, 40])
            freqs[i] = np.floor(weights / weights.sum() * TOTAL)
            freqs[i, rng.integers(4)] += TOTAL - freqs[i].sum()
        likely = rng.random() < 0.9
        symbols[i] = rng.choice(4, p=(freqs[i] + 1) / (TOTAL + 4)) if likely else rng.integers(4)
    return freqs, symbols


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 2000))
def test_words_are_constrictions_and_decode_back(seed, n):
    freqs, symbols = _stream(seed, n)
    reference = _reference(freqs, symbols)
    assert np.array_equal(_ours(freqs, symbols), reference)
    assert np.array_equal(_decoded(reference, freqs), symbols)


def test_words_held_back_across_a_boundary_are_flushed_right():
    # Uniform symbols straddle a word boundary thousands of times in 200,000 symbols.
    rng = np.random.default_rng(5)
    freqs = np.tile(np.array([TOTAL // 4] * 4, dtype=np.int64), (200_000, 1))
    symbols = rng.integers(0, 4, 200_000)
    reference = _reference(freqs, symbols)
    assert np.array_equal(_ours(freqs, symbols), reference)
    assert np.array_equal(_decoded(reference, freqs), symbols)


def test_nothing_encoded_is_no_words():
    assert len(_ours(np.zeros((0, 4), dtype=np.int64), np.zeros(0, dtype=np.int64))) == 0


def test_a_point_outside_every_symbol_is_reported_not_decoded():
    # All ones: point - lower = 2^64 - 1 lies past the last symbol (only corrupt data does this).
    words = np.full(4, 0xFFFFFFFF, dtype=np.uint32)
    state = rangecoder.start_decoding(words)
    out = np.zeros(1, dtype=np.int64)
    _decode_all(state, words, np.array([[TOTAL, 0, 0, 0]], dtype=np.int64), out)
    assert state[rangecoder.INVALID] == rangecoder.POINT_OUTSIDE


def test_a_valid_stream_is_read_at_most_one_word_past_its_end():
    past_end = []
    for seed in range(200):
        freqs, symbols = _stream(seed, 1 + seed * 7)
        words = _reference(freqs, symbols)
        state = rangecoder.start_decoding(words)
        out = np.zeros(len(symbols), dtype=np.int64)
        _decode_all(state, words, freqs, out)
        assert state[rangecoder.INVALID] == 0 and np.array_equal(out, symbols)
        past_end.append(int(state[rangecoder.READ]) - len(words))
    assert max(past_end) == rangecoder.READ_PAST_END     # the bound is reached, never passed


@njit
def _encode_range(state, out, freqs, symbols, first, last):
    for i in range(first, last):
        rangecoder.encode_symbol(state, out, freqs[i], symbols[i])


def test_words_held_back_across_calls_fit_the_buffers_and_come_out_right():
    # The step loop encodes in calls of a few hundred steps, each into a buffer sized by
    # encode_capacity; held-back words must survive the calls. Small calls make many of them.
    rng = np.random.default_rng(8)
    freqs = np.tile(np.array([TOTAL // 4] * 4, dtype=np.int64), (20_000, 1))
    symbols = rng.integers(0, 4, 20_000)
    encoding = Encoding()
    first = 0
    while first < len(symbols):
        last = min(first + int(rng.integers(1, 9)), len(symbols))
        capacity = rangecoder.encode_capacity(encoding.state, last - first)
        out = encoding.words(last - first)
        _encode_range(encoding.state, out, freqs, symbols, first, last)
        assert encoding.state[rangecoder.WRITTEN] <= capacity
        encoding.chunk_done()
        first = last
    assert encoding.payload() == _reference(freqs, symbols).astype("<u4").tobytes()


def test_words_that_run_out_are_reported():
    # A header may promise more symbols than its payload holds (cut or forged): the decoder stops
    # soon after the words end instead of decoding zeros to the end of the block.
    freqs, symbols = _stream(9, 4000)
    words = _reference(freqs, symbols)
    short = words[:len(words) // 2]
    state = rangecoder.start_decoding(short)
    out = np.zeros(len(symbols), dtype=np.int64)
    _decode_all(state, short, freqs, out)
    assert state[rangecoder.INVALID] == rangecoder.WORDS_RAN_OUT
    assert int(state[rangecoder.READ]) == len(short) + rangecoder.READ_PAST_END + 1


def test_the_compiled_step_routine_codes_what_the_predictor_and_constriction_give():
    # The fused loop (rounds.py) against the plain path: Predictor.predict()/update() round by
    # round, each round's active lanes coded by constriction itself.
    config = replace(preset_config(6), table_bits=14, match_bits=12, max_lanes=4, min_lane_len=64)
    data = (english_like(1500, seed=4) + bytes(range(40)))[:1537]   # the last lane is shorter
    _, payload = encode_block(Predictor(config), data)

    layout = LaneLayout(len(data), choose_lanes(len(data), config))
    grid = layout.split(data)
    lengths = layout.lane_lengths()
    predictor = Predictor(config)
    predictor.start_block(layout)
    encoder = constriction.stream.queue.RangeEncoder()
    for step in range(layout.stride):
        active = lengths > step
        for quarter in range(4):
            symbols = ((grid[:, step] >> (6 - 2 * quarter)) & 3).astype(np.int32)
            freqs = predictor.predict()
            encoder.encode(symbols[active], _FAMILY, freqs[active].astype(np.float32))
            predictor.update(symbols)
    assert layout.lanes == 4 and lengths.min() < layout.stride    # some lanes end before others
    assert payload == encoder.get_compressed().astype("<u4").tobytes()
