"""The step routine as one Triton kernel: blocks' whole predict-code-learn loops on the device.

Contract: `code_steps_kernel` does what `nncompress.rounds.code_steps` does, bit for bit, for one
block of each of several members, one program per member: steps [first, last) of the block, each
round predicting every lane's frequencies, coding the active lanes' symbols in lane order with
the range coder (ENCODE writes words, DECODE reads them and ORs the symbols into the grid, LEARN
codes nothing) and learning them in lane order. Members share nothing but their configuration.
Its reference is the numba code it mirrors function by function (named the same, with `_` first):
predictor.predict_round / learn_round, hashing.next_byte_contexts, match.*, memory.*, mixer.*,
wht.*, apm.*, quantise.pair_frequencies and rangecoder.*. tests/test_kernels.py runs it under
Triton's interpreter (TRITON_INTERPRET=1) on CPU tensors and compares every state array and word
with the numba loop's.

Why one kernel for the whole loop: a round's frequencies depend on the last round's symbols, so
a kernel per round would pay a host-device round trip per round, which costs more than the
CPU's whole round (benchmarks/results/gpu_round_floor.md). Here nothing leaves the device
within a block.

Every value is an integer, as in the reference: int64 with arithmetic shifts, hashes in wrapping
uint64, the coder's state in uint64 (stored as int64 and bitcast). The coder state and the words
travel as int64 and int32 tensors, and the APMs' uint16 points as int16 (torch's unsigned types
are incomplete), reinterpreted here.
Within a lane, two contexts can share a slot, and then the second must see the first one's update of
its bit histories: the contexts learn in waves, the k-th context of each slot in wave k (one wave
where no two share a slot; until nncompress 0.23, one context at a time wherever two did). Every store
that a later step of the same program reads is followed by a barrier, so that on a GPU no
thread reads a value before the thread that writes it has.
"""
from __future__ import annotations

import triton
import triton.language as tl

from nncompress import apm, hashing, match, memory, predictor, quantise, rangecoder, rounds, runs, tables, wht

# The reference's constants, as compile-time constants (a Triton function may read no other globals).
NODES = tl.constexpr(predictor.NODES)
MATCH_STATES = tl.constexpr(predictor.MATCH_STATES)
LAYER1 = tl.constexpr(predictor.LAYER1)
MATCH_SET = tl.constexpr(predictor.MATCH_SET)
BYTE_SET = tl.constexpr(predictor.BYTE_SET)
TEXT_SET = tl.constexpr(predictor.TEXT_SET)
GAP_SET = tl.constexpr(predictor.GAP_SET)
ORDER2_SET = tl.constexpr(predictor.ORDER2_SET)
PATTERN_SET = tl.constexpr(predictor.PATTERN_SET)
PATTERN_CONTEXTS = tl.constexpr(predictor.PATTERN_CONTEXTS)
ORDER3_SET = tl.constexpr(predictor.ORDER3_SET)
LONG_MATCH = tl.constexpr(predictor.LONG_MATCH)
ROW_WARMUP = tl.constexpr(predictor.ROW_WARMUP)
ROW_UPDATES_CAP = tl.constexpr(predictor.ROW_UPDATES_CAP)
DETERMINISTIC_SHIFT = tl.constexpr(predictor.DETERMINISTIC_SHIFT)
BIAS = tl.constexpr(predictor.BIAS)
P_MIXER_RATE = tl.constexpr(predictor.P_MIXER_RATE)
P_APM_RATE = tl.constexpr(predictor.P_APM_RATE)
P_STATE_LIMIT = tl.constexpr(predictor.P_STATE_LIMIT)
P_MATCH_MIN = tl.constexpr(predictor.P_MATCH_MIN)
P_FINAL_RATE = tl.constexpr(predictor.P_FINAL_RATE)
P_NET_RATE = tl.constexpr(predictor.P_NET_RATE)
P_MATCH = tl.constexpr(predictor.P_MATCH)
P_NET = tl.constexpr(predictor.P_NET)
P_APM = tl.constexpr(predictor.P_APM)
P_BOOST = tl.constexpr(predictor.P_BOOST)
P_FINAL_BOOST_BYTES = tl.constexpr(predictor.P_FINAL_BOOST_BYTES)
P_LAYER1 = tl.constexpr(predictor.P_LAYER1)
P_FINAL_BOOST = tl.constexpr(predictor.P_FINAL_BOOST)
P_RUNS = tl.constexpr(predictor.P_RUNS)
P_SURPRISE = tl.constexpr(predictor.P_SURPRISE)
P_ORDER2_BY_DEPTH = tl.constexpr(predictor.P_ORDER2_BY_DEPTH)
P_FINAL_BY_POSITION = tl.constexpr(predictor.P_FINAL_BY_POSITION)
P_FINAL_SHARED_ROWS = tl.constexpr(predictor.P_FINAL_SHARED_ROWS)
P_LAYER1_SHARED = tl.constexpr(predictor.P_LAYER1_SHARED)
P_DETERMINISTIC = tl.constexpr(predictor.P_DETERMINISTIC)
P_RATE_CONTEXTS = tl.constexpr(predictor.P_RATE_CONTEXTS)
P_RATE_RUNS = tl.constexpr(predictor.P_RATE_RUNS)
P_RATE_OTHERS = tl.constexpr(predictor.P_RATE_OTHERS)
P_MIXER_START = tl.constexpr(predictor.P_MIXER_START)
RATE_SHIFT = tl.constexpr(predictor.RATE_SHIFT)
STEPPED_SHIFT = tl.constexpr(predictor.STEPPED_SHIFT)
FINAL_POSITIONS = tl.constexpr(predictor.FINAL_POSITIONS)
PATTERNS = tl.constexpr(predictor.PATTERNS)
TEXT_STATES = tl.constexpr(predictor.TEXT_STATES)
POINTS = tl.constexpr(apm.POINTS)
LANE_LOCAL = tl.constexpr(hashing.LANE_LOCAL)
LANE_STATE_WIDTH = tl.constexpr(hashing.LANE_STATE_WIDTH)
FOLLOW1 = tl.constexpr(hashing.FOLLOW1)
FOLLOW2 = tl.constexpr(hashing.FOLLOW2)
FOLLOW_WORD = tl.constexpr(hashing.FOLLOW_WORD)
FOLLOWED_WORD = tl.constexpr(hashing.CONTEXT_CODES["followword"])
FOLLOWED_LETTER = tl.constexpr(hashing.CONTEXT_CODES["followletter"])
CLASSES = tl.constexpr(hashing.CONTEXT_CODES["classes"])
CLASSES2 = tl.constexpr(hashing.CONTEXT_CODES["classes2"])
PHRASE = tl.constexpr(hashing.CONTEXT_CODES["phrase"])
PHRASE_STATE = tl.constexpr(hashing.PHRASE)
PHRASE_BREAK = tl.constexpr(hashing.PHRASE_BREAK)
WORD_CLASSES = tl.constexpr(hashing.WORD_CLASSES)
CLASS_BY_WORD = tl.constexpr(hashing.CLASS_BY_WORD)
MATCH_LEN = tl.constexpr(hashing.CONTEXT_CODES["matchlen"])   # matcho1 is the next kind
MATCH_O1 = tl.constexpr(hashing.CONTEXT_CODES["matcho1"])
ORDER10 = tl.constexpr(hashing.CONTEXT_CODES["o10"])
ORDER20 = tl.constexpr(hashing.CONTEXT_CODES["o20"])
SHAPE = tl.constexpr(hashing.CONTEXT_CODES["shape"])
SHAPE_WORD = tl.constexpr(hashing.CONTEXT_CODES["shapeword"])
SHAPE12 = tl.constexpr(hashing.CONTEXT_CODES["shape12"])
WORD_GAP = tl.constexpr(hashing.CONTEXT_CODES["wordgap"])
IN_TAG = tl.constexpr(hashing.CONTEXT_CODES["intag"])
LINE_GAP = tl.constexpr(hashing.CONTEXT_CODES["linegap"])
PREVIOUS_GAP = tl.constexpr(hashing.CONTEXT_CODES["prevgap"])
HEAD_WORD = tl.constexpr(hashing.CONTEXT_CODES["headword"])
TITLE_WORD = tl.constexpr(hashing.CONTEXT_CODES["titleword"])
TITLE_WORDS = tl.constexpr(hashing.CONTEXT_CODES["titlewords"])
SENTENCE_WORD = tl.constexpr(hashing.CONTEXT_CODES["sentword"])
PREVIOUS_STEM = tl.constexpr(hashing.CONTEXT_CODES["prevstem"])
NAME_WORD = tl.constexpr(hashing.CONTEXT_CODES["nameword"])
SENTENCE_POSITION = tl.constexpr(hashing.CONTEXT_CODES["sentpos"])
TITLE_TAG = tl.constexpr(hashing.TITLE_TAG)
QUOT_ENTITY = tl.constexpr(hashing.QUOT_ENTITY)
ITALIC, BOLD, QUOTED = (tl.constexpr(bit) for bit in (hashing.ITALIC, hashing.BOLD, hashing.QUOTED))
HEADING_1, HEADING_2 = (tl.constexpr(c) for c in hashing.HEADING_MARKS)
END_1, END_2, END_3, END_4 = (tl.constexpr(c) for c in hashing.SENTENCE_ENDS)
STEM_LETTERS = tl.constexpr(hashing.STEM_LETTERS)
OPEN_1, OPEN_2, OPEN_3, OPEN_4 = (tl.constexpr(c) for c in hashing.OPEN_BRACKETS)
CLOSE_1, CLOSE_2, CLOSE_3, CLOSE_4 = (tl.constexpr(c) for c in hashing.CLOSE_BRACKETS)
assert hashing.TAG_BRACKETS == 3   # OPEN_4 awaits no tag
HISTORY_MASK = tl.constexpr(hashing._HISTORY_MASK)
MAX_VERIFY = tl.constexpr(match.MAX_VERIFY)
LENGTH_BUCKETS = tl.constexpr(match.LENGTH_BUCKETS)
MAX_RUN = tl.constexpr(runs.MAX_RUN)
RUN_ENTRIES = tl.constexpr(runs.RUN_ENTRIES)
RUN_COUNT_LIMIT = tl.constexpr(runs.RUN_COUNT_LIMIT)
BUCKET = tl.constexpr(memory.BUCKET)
SLOT_BYTES = tl.constexpr(memory.SLOT_BYTES)
TOTAL = tl.constexpr(quantise.TOTAL)
LOGIT_LIMIT = tl.constexpr(tables.LOGIT_LIMIT)
WIDTH = tl.constexpr(wht.WIDTH)
GAIN, SLOPE_UP, SLOPE_DOWN, READOUT = (tl.constexpr(g) for g in (wht.GAIN, wht.SLOPE_UP, wht.SLOPE_DOWN,
                                                                  wht.READOUT))
PRECISION = tl.constexpr(rangecoder.PRECISION)
QUANTILES = tl.constexpr(1 << rangecoder.PRECISION)
LOWER, RANGE, POINT, READ, INVERTED, INVERTED_WORD, WRITTEN, INVALID = (
    tl.constexpr(i) for i in (rangecoder.LOWER, rangecoder.RANGE, rangecoder.POINT, rangecoder.READ,
                              rangecoder.INVERTED, rangecoder.INVERTED_WORD, rangecoder.WRITTEN, rangecoder.INVALID))
POINT_OUTSIDE = tl.constexpr(rangecoder.POINT_OUTSIDE)
WORDS_RAN_OUT = tl.constexpr(rangecoder.WORDS_RAN_OUT)
READ_PAST_END = tl.constexpr(rangecoder.READ_PAST_END)
ENCODE = tl.constexpr(rounds.ENCODE)
DECODE = tl.constexpr(rounds.DECODE)


# ---- hashing.py -------------------------------------------------------------------------------

@triton.jit
def _mix(a, b):
    """hashing.mix of two int64 values -> uint64."""
    h = (a.to(tl.uint64, bitcast=True) * 0x9E3779B97F4A7C15) ^ b.to(tl.uint64, bitcast=True)
    h = h * 0xD6E8FEB86659FD93
    return h ^ (h >> 29)


@triton.jit
def _int(value):
    """An int64 scalar from a Python int or any integer tensor."""
    return tl.full((), 0, tl.int64) + value


@triton.jit
def _high_bits(h, shift):
    """int64(h >> shift) for a uint64 h."""
    return (h >> shift).to(tl.int64, bitcast=True)


@triton.jit
def _is_open(c):
    return (c == OPEN_1) | (c == OPEN_2) | (c == OPEN_3) | (c == OPEN_4)


@triton.jit
def _is_close(c):
    return (c == CLOSE_1) | (c == CLOSE_2) | (c == CLOSE_3) | (c == CLOSE_4)


@triton.jit
def _emphasis(ls, c, previous, last):
    """hashing._emphasis, on the lane's state at ls: each value is stored once, not read back."""
    run, emphasis = tl.load(ls + 18), tl.load(ls + 17)
    ended = c != 39   # a run of apostrophes ends (or none was running)
    emphasis = tl.where(ended & ((run == 2) | (run == 5)), emphasis ^ ITALIC, emphasis)
    emphasis = tl.where(ended & ((run == 3) | (run == 5)), emphasis ^ BOLD, emphasis)
    emphasis = tl.where(ended & (c == 10), emphasis & QUOTED, emphasis)
    quote = (c == 34) | ((c == 59) & ((last & 0xFFFFFFFFFFFF) == QUOT_ENTITY))
    emphasis = tl.where(quote, emphasis ^ QUOTED, emphasis)
    emphasis = tl.where((c == 10) & ((previous & 255) == 10), 0, emphasis)
    tl.store(ls + 17, emphasis)
    tl.store(ls + 18, tl.where(ended, 0, run + 1))


@triton.jit
def _sentence(ls, c, lower, word, length):
    """hashing._sentence, on the lane's state at ls (word, length: the word state before c): each value is
    stored once, not read back."""
    first, words, capital = tl.load(ls + 19), tl.load(ls + 20), tl.load(ls + 21)
    name, stem, previous_stem = tl.load(ls + 22), tl.load(ls + 23), tl.load(ls + 24)
    letter = (lower >= 97) & (lower <= 122)
    ended = (~letter) & (word != 0)
    capital = tl.where(letter & (length == 0), (c < 97).to(tl.int64), capital)
    stem = tl.where(letter & (length < STEM_LETTERS), _high_bits(_mix(stem + 1, lower), 8), stem)
    first = tl.where(ended & (first == 0), word, first)
    words = tl.where(ended, words + 1, words)
    name = tl.where(ended & (capital != 0) & (words > 1), word, name)
    previous_stem = tl.where(ended, stem, previous_stem)
    stem = tl.where(ended, 0, stem)
    sentence_ends = (c == END_1) | (c == END_2) | (c == END_3) | (c == END_4)
    tl.store(ls + 19, tl.where(sentence_ends, 0, first))
    tl.store(ls + 20, tl.where(sentence_ends, 0, words))
    tl.store(ls + 21, capital)
    tl.store(ls + 22, name)
    tl.store(ls + 23, stem)
    tl.store(ls + 24, previous_stem)


@triton.jit
def _byte_class(c):
    """hashing.byte_class."""
    return tl.where((c >= 97) & (c <= 122), 0,
           tl.where((c >= 65) & (c <= 90), 1,
           tl.where((c >= 48) & (c <= 57), 2,
           tl.where(c == 32, 3,
           tl.where(c == 10, 4,
           tl.where(c == 46, 5,
           tl.where(c == 44, 6,
           tl.where((c == 39) | (c == 34), 7,
           tl.where((c == 91) | (c == 123) | (c == 60) | (c == 40), 8,
           tl.where((c == 93) | (c == 125) | (c == 62) | (c == 41), 9,
           tl.where((c == 124) | (c == 61), 10, 11))))))))))).to(tl.int64)


@triton.jit
def _shape(last):
    """hashing.shape."""
    value = tl.full((), 0, tl.int64)
    for k in range(7):
        value = (value << 4) | _byte_class((last >> (8 * k)) & 255)
    return value


@triton.jit
def _shape12(history, start, step):
    """hashing.shape12."""
    value = tl.full((), 0, tl.int64)
    for k in range(12):
        t = step - k
        byte = tl.load(history + start + t, mask=t >= 0, other=0).to(tl.int64)
        value |= tl.where(t >= 0, tl.minimum(_byte_class(byte), 3), 3) << (2 * (11 - k))
    return value


@triton.jit
def _next_byte_contexts(b, byte, step, lane_state, kinds, keys, history, start, contexts,
                        CONTEXT_BLOCK: tl.constexpr):
    """hashing.next_byte_contexts."""
    ls = lane_state + b * LANE_STATE_WIDTH
    c = _int(byte)
    previous = tl.load(ls + 0)
    after1 = ls + FOLLOW1 + (previous & 0xFF)
    tl.store(after1, ((tl.load(after1) << 8) | c) & 0xFFFFFFFF)
    after2 = ls + FOLLOW2 + (previous & 0xFFFF)
    tl.store(after2, ((tl.load(after2) << 8) | c) & 0xFFFF)
    last = ((previous << 8) | c) & HISTORY_MASK
    tl.store(ls + 0, last)
    lower = tl.where((c >= 65) & (c <= 90), c + 32, c)
    word = tl.load(ls + 1)
    capital = tl.load(ls + 21)   # (_sentence stores it again, unchanged where a word ends: not read back)
    _sentence(ls, c, lower, word, tl.load(ls + 12))
    if (lower >= 97) & (lower <= 122):
        length = tl.load(ls + 12)
        if length == 0:
            tl.store(ls + 25, _int(step))
        next_at = tl.load(ls + 26)
        if next_at != 0:
            letter = tl.load(history + start + next_at - 1 + length).to(tl.int64)
            if (letter | 32) != lower:
                tl.store(ls + 26, tl.full((), 0, tl.int64))
        tl.store(ls + 12, length + 1)
        tl.store(ls + 1, _high_bits(_mix(word + 1, lower), 8))
    elif word != 0:
        if tl.load(ls + 7) != 0:
            tl.store(ls + 6, word)
            tl.store(ls + 7, tl.full((), 0, tl.int64))
        before = tl.load(ls + 2)
        entry = ((word & 0x7FFFFFFF) << 32) | (tl.load(ls + 25) + 1)
        following = tl.load(ls + FOLLOW_WORD + (word & 0xFFFF))
        following = tl.where((word & 0xFFFF) == (before & 0xFFFF), entry, following)   # (loaded before the store)
        tl.store(ls + FOLLOW_WORD + (before & 0xFFFF), entry)
        tl.store(ls + 26, following & 0xFFFFFFFF)
        tl.store(ls + 27, following >> 32)
        tl.store(ls + 4, before)
        tl.store(ls + 2, word)
        its_class = _word_class(word, tl.load(ls + 12), previous & 0xFFFF, capital)
        tl.store(ls + WORD_CLASSES, ((tl.load(ls + WORD_CLASSES) << 20) | its_class) & ((1 << 60) - 1))
        tl.store(ls + 1, tl.full((), 0, tl.int64))
        tl.store(ls + 11, c)
        tl.store(ls + 12, tl.full((), 0, tl.int64))
    else:
        tl.store(ls + 11, ((tl.load(ls + 11) << 8) | c) & 0xFFFFFFFF)
    column = tl.load(ls + 3)
    if column == 0:
        tl.store(ls + 8, c + 1)
    first = tl.where(column == 0, c + 1, tl.load(ls + 8)) - 1   # (not read back after its store)
    if (first == HEADING_1) | (first == HEADING_2):
        if c == 10:
            tl.store(ls + 14, tl.load(ls + 13))
            tl.store(ls + 13, tl.full((), 0, tl.int64))
        else:
            tl.store(ls + 13, _high_bits(_mix(tl.load(ls + 13) + 1, c), 8))
    _emphasis(ls, c, previous, last)
    title, reading = tl.load(ls + 15), tl.load(ls + 16)   # each stored once (not read back after its store)
    title = tl.where((c != 60) & (reading != 0), _high_bits(_mix(title + 1, c), 8), title)
    reading = tl.where(c == 60, 0, reading)
    title = tl.where(last == TITLE_TAG, 0, title)
    reading = tl.where(last == TITLE_TAG, 1, reading)
    tl.store(ls + 15, title)
    tl.store(ls + 16, reading)
    tl.store(ls + 3, tl.where(c == 10, 0, column + 1))
    if c == 10:
        tl.store(ls + 10, tl.load(ls + 9))
        tl.store(ls + 9, _int(step) + 1)
    phrase = tl.load(ls + PHRASE_STATE)
    phrase = tl.where(_is_open(c) | _is_close(c) | (c == PHRASE_BREAK) | (c == 10), 0,
                      _high_bits(_mix(phrase + 1, c), 8))
    tl.store(ls + PHRASE_STATE, phrase)
    if _is_open(c):
        tl.store(ls + 5, ((tl.load(ls + 5) << 8) | c) & 0xFFFFFFFF)
        if c != OPEN_4:
            tl.store(ls + 7, tl.full((), 1, tl.int64))
    elif _is_close(c):
        tl.store(ls + 5, tl.load(ls + 5) >> 8)
    tl.debug_barrier()
    s1, s2, s3, s4 = tl.load(ls + 1), tl.load(ls + 2), tl.load(ls + 3), tl.load(ls + 4)
    s5, s6, s8, s9, s10 = tl.load(ls + 5), tl.load(ls + 6), tl.load(ls + 8), tl.load(ls + 9), tl.load(ls + 10)
    gap, word_length, heading = tl.load(ls + 11), tl.load(ls + 12), tl.load(ls + 14)
    title, emphasis = tl.load(ls + 15), tl.load(ls + 17)
    first, words, name, previous_stem = tl.load(ls + 19), tl.load(ls + 20), tl.load(ls + 22), tl.load(ls + 24)
    next_at, next_word, classes = tl.load(ls + 26), tl.load(ls + 27), tl.load(ls + WORD_CLASSES)
    above_at = s10 + s3
    above = tl.full((), 0, tl.int64)
    if (s9 > 0) & (above_at < s9):
        above = tl.load(history + start + above_at).to(tl.int64) + 1
    # Every kind's value; each context takes its own.
    v16 = (s1 << 8) | c
    v17 = _high_bits(_mix(s1, s2), 8)
    v19 = (tl.minimum(s3, 255) << 8) | c
    v20 = _high_bits(_mix(s1, s4), 8)
    v21 = (emphasis << 24) | ((s5 & 0xFFFF) << 8) | c
    v22 = _high_bits(_mix(_mix(s1, s2).to(tl.int64, bitcast=True), s4), 8)
    v23 = _high_bits(_mix(s6, last & 0xFFFF), 8)
    v24 = _high_bits(_mix(s6, (s1 << 8) | c), 8)
    v25 = _high_bits(_mix(s8, (s1 << 8) | c), 8)
    v_above = (above << 8) | c
    followed1 = tl.load(ls + FOLLOW1 + c)                  # (stored above, before the barrier)
    followed2 = tl.load(ls + FOLLOW2 + (last & 0xFFFF))
    v27 = c | ((followed1 & 0xFFFF) << 8)
    v28 = (last & 0xFFFF) | (followed2 << 16)
    v29 = (last & 0xFFFF) | ((followed1 & 0xFF) << 16)
    v30 = (last >> 8) & 0xFF
    v31 = (last >> 8) & 0xFFFF
    v32 = (last & 0xFF) | (last >> 8) & 0xFF00
    v33 = ((last >> 8) & 0xFF) | (last >> 16) & 0xFF00
    v34 = _high_bits(_mix(s2, s4), 8)
    v35 = (emphasis << 32) | ((s5 & 0xFFFF) << 16) | (last & 0xFFFF)
    v36 = (s8 << 16) | (tl.minimum(s3, 255) << 8)
    v37 = _high_bits(_mix(s6, tl.minimum(s3, 255)), 8)
    v38 = _high_bits(_mix(s5 & 0xFFFF, s1), 8)
    v39 = _high_bits(_mix(s1, above), 8)
    v40 = _high_bits(_mix(s2, c), 8)
    text_shape = _shape(last)
    v45 = (text_shape << 8) | c
    v46 = _high_bits(_mix(text_shape, s1), 8)
    gap_length = _mix(gap, word_length).to(tl.int64, bitcast=True)
    v48 = _high_bits(_mix(_mix(gap_length, s5 & 0xFFFF).to(tl.int64, bitcast=True), emphasis), 8)
    v49 = _high_bits(_mix(s6, s5), 8)
    v50 = _high_bits(_mix(gap_length, s8), 8)
    v51 = _high_bits(_mix(s2, gap), 8)
    v52 = _high_bits(_mix(heading, (s1 << 8) | c), 8)
    v53 = _high_bits(_mix(title, (s1 << 8) | c), 8)
    v54 = _high_bits(_mix(title, _mix(s1, s2).to(tl.int64, bitcast=True)), 8)
    v55 = _high_bits(_mix(first, (s1 << 8) | c), 8)
    v56 = _high_bits(_mix(previous_stem, s1), 8)
    v57 = _high_bits(_mix(name, (s1 << 8) | c), 8)
    v58 = _high_bits(_mix(tl.minimum(words, 7), _mix(s2, (s1 << 8) | c).to(tl.int64, bitcast=True)), 8)
    v59 = _high_bits(_mix(next_word, (s1 << 8) | c), 8)
    followed = tl.load(history + start + next_at - 1 + word_length, mask=next_at != 0, other=0).to(tl.int64)
    v60 = _high_bits(_mix(tl.where(next_at != 0, followed, 256), s1), 8)
    v61 = _high_bits(_mix(classes, (s1 << 8) | c), 8)
    v62 = _high_bits(_mix(classes & 0xFFFFFFFFFF, s1), 8)
    v63 = tl.where(s5 != 0, _high_bits(_mix(phrase, s5 & 0xFF), 8), 0)
    i = tl.arange(0, CONTEXT_BLOCK)
    in_use = i < contexts
    code = tl.load(kinds + i, mask=in_use, other=0)
    kind = code % LANE_LOCAL
    v43 = tl.full((), 0, tl.int64)
    v44 = tl.full((), 0, tl.int64)
    v47 = tl.full((), 0, tl.int64)
    # The long orders cost 30 loads, shape12 12: only where a context reads them.
    if tl.max(tl.where(in_use & ((kind == ORDER10) | (kind == ORDER20)), 1, 0), axis=0) != 0:
        v43 = _long_order(history, start, step, 10)
        v44 = _long_order(history, start, step, 20)
    if tl.max(tl.where(in_use & (kind == SHAPE12), 1, 0), axis=0) != 0:
        v47 = (_shape12(history, start, step) << 8) | c
    order_mask = (tl.full((CONTEXT_BLOCK,), 1, tl.int64) << (8 * tl.minimum(kind, 7))) - 1
    value = tl.where(kind < 8, last & order_mask,
            tl.where(kind == 16, v16,
            tl.where(kind == 17, v17,
            tl.where(kind == 19, v19,
            tl.where(kind == 20, v20,
            tl.where(kind == 21, v21,
            tl.where(kind == 22, v22,
            tl.where(kind == 23, v23,
            tl.where(kind == 24, v24,
            tl.where(kind == 25, v25,
            tl.where(kind == 26, v_above,
            tl.where(kind == 27, v27,
            tl.where(kind == 28, v28,
            tl.where(kind == 29, v29,
            tl.where(kind == 30, v30,
            tl.where(kind == 31, v31,
            tl.where(kind == 32, v32,
            tl.where(kind == 33, v33,
            tl.where(kind == 34, v34,
            tl.where(kind == 35, v35,
            tl.where(kind == 36, v36,
            tl.where(kind == 37, v37,
            tl.where(kind == 38, v38,
            tl.where(kind == 39, v39,
            tl.where(kind == 40, v40,
            tl.where(kind == SHAPE, v45,
            tl.where(kind == SHAPE_WORD, v46,
            tl.where(kind == SHAPE12, v47,
            tl.where(kind == WORD_GAP, v48,
            tl.where(kind == IN_TAG, v49,
            tl.where(kind == LINE_GAP, v50,
            tl.where(kind == PREVIOUS_GAP, v51,
            tl.where(kind == HEAD_WORD, v52,
            tl.where(kind == TITLE_WORD, v53,
            tl.where(kind == TITLE_WORDS, v54,
            tl.where(kind == SENTENCE_WORD, v55,
            tl.where(kind == PREVIOUS_STEM, v56,
            tl.where(kind == NAME_WORD, v57,
            tl.where(kind == SENTENCE_POSITION, v58,
            tl.where(kind == FOLLOWED_WORD, v59,
            tl.where(kind == FOLLOWED_LETTER, v60,
            tl.where(kind == CLASSES, v61,
            tl.where(kind == CLASSES2, v62,
            tl.where(kind == PHRASE, v63,
            tl.where(kind == ORDER10, v43, v44)))))))))))))))))))))))))))))))))))))))))))))
    salt = tl.where(code < LANE_LOCAL, 1000 + kind, (1000 + kind) | ((_int(b) + 1) << 16))
    by_match = (kind == MATCH_LEN) | (kind == MATCH_O1)   # _match_contexts' kinds
    tl.store(keys + b * contexts + i, _mix(value, salt).to(tl.int64, bitcast=True), mask=in_use & ~by_match)
    tl.debug_barrier()


@triton.jit
def _word_class(word, length, last_two, capital):
    """hashing.word_class."""
    return tl.where(length <= CLASS_BY_WORD, word & 0xFFFFF,
                    _high_bits(_mix(last_two | 0x2020 | (1 << 27), capital), 44))


@triton.jit
def _long_order(history, start, step, n):
    """hashing.long_order."""
    h = _int(n).to(tl.uint64, bitcast=True)
    for k in range(n):
        t = step - k
        byte = tl.load(history + start + t, mask=t >= 0, other=0).to(tl.int64)
        h = _mix((h >> 1).to(tl.int64, bitcast=True), byte)
    return _high_bits(h, 8)


@triton.jit
def _match_contexts(b, expected, length, last_byte, kinds, keys, contexts, CONTEXT_BLOCK: tl.constexpr):
    """hashing.match_contexts."""
    i = tl.arange(0, CONTEXT_BLOCK)
    in_use = i < contexts
    code = tl.load(kinds + i, mask=in_use, other=0)
    kind = code % LANE_LOCAL
    value = ((expected + 1) << 8) | tl.where(kind == MATCH_LEN, tl.minimum(length, 15), last_byte)
    salt = tl.where(code < LANE_LOCAL, 1000 + kind, (1000 + kind) | ((_int(b) + 1) << 16))
    by_match = (kind == MATCH_LEN) | (kind == MATCH_O1)
    tl.store(keys + b * contexts + i, _mix(value, salt).to(tl.int64, bitcast=True), mask=in_use & by_match)
    tl.debug_barrier()


# ---- match.py ---------------------------------------------------------------------------------

@triton.jit
def _expected_byte(b, step, stride, match_ptr, match_len, history):
    length = tl.load(match_len + b)
    ptr = tl.load(match_ptr + b)
    byte = tl.full((), -1, tl.int64)
    if length > 0:
        if ptr % stride < step:
            byte = tl.load(history + ptr).to(tl.int64)
    return byte


@triton.jit
def _match_after_byte(b, step, stride, context, min_len, match_ptr, match_len, history, history_len,
                      table, table_len):
    """match.match_after_byte."""
    pos = _int(b) * stride + step
    length = tl.load(match_len + b)
    if length > 0:
        ptr = tl.load(match_ptr + b)
        if (ptr % stride <= step) & (tl.load(history + ptr) == tl.load(history + pos)) & ((ptr + 1) % stride != 0):
            tl.store(match_len + b, tl.minimum(length + 1, 65535))
            tl.store(match_ptr + b, ptr + 1)
        else:
            tl.store(match_len + b, tl.full((), 0, tl.int64))
    tl.debug_barrier()
    if step + 1 >= min_len:
        key = context & ((tl.full((), 1, tl.int64) << (8 * min_len)) - 1)
        slot = _high_bits(_mix(key, _int(b)), 8) % table_len
        if tl.load(match_len + b) == 0:
            candidate = tl.load(table + slot) - 1     # 0 = empty
            if (candidate >= 0) & (candidate < history_len):
                start = (candidate // stride) * stride
                n = tl.arange(0, MAX_VERIFY)
                ok = (candidate - 1 - n >= start) & (n <= step)
                back = tl.load(history + candidate - 1 - n, mask=ok, other=0)
                here = tl.load(history + pos - n, mask=ok, other=1)
                verified = tl.min(tl.where(ok & (back == here), MAX_VERIFY, n), axis=0)
                if verified >= min_len:
                    tl.store(match_len + b, _int(verified))
                    tl.store(match_ptr + b, candidate)
        if step + 1 < stride:
            tl.store(table + slot, pos + 2)
        tl.debug_barrier()


# ---- memory.py --------------------------------------------------------------------------------

@triton.jit
def _find_slots(table, mask, keys, salt, state_total, contexts, CONTEXT_BLOCK: tl.constexpr):
    """memory.find_slot for every context: -> (slot or -(victim + 1), tag) [CONTEXT_BLOCK]."""
    c = tl.arange(0, CONTEXT_BLOCK)
    h = _mix(tl.load(keys + c, mask=c < contexts, other=0), salt)
    first = _high_bits(h, 1) & mask & ~(BUCKET - 1)
    tag = ((h >> 56) % 255).to(tl.int64) + 1
    k = tl.arange(0, BUCKET)[None, :]
    slot = first[:, None] + k                                            # [CONTEXT_BLOCK, BUCKET]
    slot_tags = tl.load(table + slot * SLOT_BYTES).to(tl.int64)
    seen = tl.load(state_total + tl.load(table + slot * SLOT_BYTES + 1).to(tl.int64))
    hit = tl.min(tl.where(slot_tags == tag[:, None], k, BUCKET), axis=1)
    least = tl.min(seen, axis=1)
    victim = first + tl.min(tl.where(seen == least[:, None], k, BUCKET), axis=1)
    return tl.where(hit < BUCKET, first + hit, -(victim + 1)), tag


@triton.jit
def _claim_slot(table, runs, use_runs, slot, tag, in_use):
    """memory.claim_slot for the contexts in_use, which must be on distinct slots ([CONTEXT_BLOCK] vectors),
    and where use_runs (0 or 1), learn_round's clearing of a claimed slot's run."""
    row = table + slot * SLOT_BYTES
    claim = in_use & (tl.load(row, mask=in_use, other=0).to(tl.int64) != tag)
    tl.store(runs + slot, tl.zeros_like(slot).to(tl.int16), mask=claim & (tl.zeros_like(slot) + use_runs != 0))
    j = tl.arange(0, SLOT_BYTES)[None, :]
    tl.store(row[:, None] + j, tl.where(j == 0, tag[:, None], 0).to(tl.uint8), mask=claim[:, None] & (j >= 0))
    tl.debug_barrier()


# ---- runs.py ----------------------------------------------------------------------------------

@triton.jit
def _run_after_byte(run, byte):
    length = run >> 8
    return tl.where((length > 0) & ((run & 255) == byte), (tl.minimum(length + 1, MAX_RUN) << 8) | byte, 256 | byte)


@triton.jit
def _run_entries(run, expects, state_only):
    """runs.run_entry of each of a vector of runs."""
    return (run >> 8) + tl.where(state_only == expects, MAX_RUN + 1, 0)


@triton.jit
def _run_bits(run, half, high, j, depth):
    """runs.run_bit of each of a vector of runs."""
    byte = run & 255
    nibble = tl.where(half == 0, byte >> 4, byte & 15)
    below = (run != 0) & ((half == 0) | (byte >> 4 == high)) & ((16 | nibble) >> (4 - depth) == j)
    return tl.where(below, 1 + (((16 | nibble) >> (3 - depth)) & 1), 0)


# ---- mixer.py, wht.py, apm.py -----------------------------------------------------------------

@triton.jit
def _mix_dots(weights, rows, in_use, x, count, start, BLOCK: tl.constexpr):
    """mixer.mix_dot of the same inputs x [BLOCK] and start with several rows [R] at once (0 where not in_use)."""
    i = tl.arange(0, BLOCK)[None, :]
    w = tl.load(weights + rows[:, None] * count + i, mask=in_use[:, None] & (i < count), other=0).to(tl.int64)
    dot = (tl.sum(w * x[None, :], axis=1) + start) >> 16
    return tl.where(in_use, tl.minimum(tl.maximum(dot, -LOGIT_LIMIT), LOGIT_LIMIT), 0)


@triton.jit
def _mix_trains(weights, rows, in_use, x, count, errors, rate, SHIFT: tl.constexpr, BLOCK: tl.constexpr):
    """mixer.mix_train of several distinct rows [R] (those in_use), each with its own error."""
    i = tl.arange(0, BLOCK)[None, :]
    used = in_use[:, None] & (i < count)
    at = weights + rows[:, None] * count + i
    w = tl.load(at, mask=used, other=0).to(tl.int64)
    w += (x[None, :] * (errors * rate)[:, None] + (tl.full((), 1, tl.int64) << (SHIFT - 1))) >> SHIFT
    tl.store(at, w.to(at.dtype.element_ty), mask=used)


@triton.jit
def _hadamard():
    """[16, 16] int64: H[i, k] = (-1)^popcount(i & k), what wht.wht16's butterflies compute."""
    i = tl.arange(0, WIDTH)
    both = i[:, None] & i[None, :]
    parity = (both ^ (both >> 1) ^ (both >> 2) ^ (both >> 3)) & 1
    return (1 - 2 * parity).to(tl.int64)


@triton.jit
def _net_forward(params, row, x, count, u_out, h_out, hadamard):
    """wht.net_forward; x points at the inputs, of which the net reads the first `count` (<= 16)."""
    i = tl.arange(0, WIDTH)
    base = params + row * 4 * WIDTH
    v = tl.where(i < count, (tl.load(base + GAIN * WIDTH + i) * tl.load(x + i, mask=i < count, other=0)) >> 12, 0)
    u = tl.sum(hadamard * v[None, :], axis=1) >> 2
    slope = tl.where(u >= 0, tl.load(base + SLOPE_UP * WIDTH + i), tl.load(base + SLOPE_DOWN * WIDTH + i))
    h = (u * slope) >> 12
    tl.store(u_out + i, u)
    tl.store(h_out + i, h)
    out = tl.sum(tl.load(base + READOUT * WIDTH + i) * h, axis=0) >> 16
    return tl.minimum(tl.maximum(out, -LOGIT_LIMIT), LOGIT_LIMIT)


@triton.jit
def _net_train(params, row, x, count, u_in, h_in, error, rate, hadamard):
    """wht.net_train; x as in _net_forward."""
    i = tl.arange(0, WIDTH)
    x16 = tl.load(x + i, mask=i < count, other=0)
    base = params + row * 4 * WIDTH
    u = tl.load(u_in + i)
    h = tl.load(h_in + i)
    readout = tl.load(base + READOUT * WIDTH + i)
    up_slope = tl.load(base + SLOPE_UP * WIDTH + i)
    down_slope = tl.load(base + SLOPE_DOWN * WIDTH + i)
    grad_h = (readout * error) >> 16
    up = u >= 0
    grad = (grad_h * tl.where(up, up_slope, down_slope)) >> 12
    tl.store(base + READOUT * WIDTH + i, readout + ((h * (error * rate) + 8192) >> 14))
    slope_step = (u * grad_h * rate + (1 << 17)) >> 18
    tl.store(base + SLOPE_UP * WIDTH + i, tl.where(up, up_slope + slope_step, up_slope))
    tl.store(base + SLOPE_DOWN * WIDTH + i, tl.where(up, down_slope, down_slope + slope_step))
    grad = tl.sum(hadamard * grad[None, :], axis=1)
    gain = tl.load(base + GAIN * WIDTH + i)
    tl.store(base + GAIN * WIDTH + i, gain + ((x16 * (grad >> 2) * rate + (1 << 17)) >> 18), mask=i < count)


@triton.jit
def _apm_refine(table, row, logit):
    """apm.apm_refine; the maps' uint16 points travel as int16 (device_steps.py)."""
    x = logit + 2048
    lo = x >> 7
    frac = x & 127
    at = table + row * POINTS + lo
    p = ((tl.load(at).to(tl.int64) & 0xFFFF) * (128 - frac) + (tl.load(at + 1).to(tl.int64) & 0xFFFF) * frac) >> 11
    return p, lo


@triton.jit
def _apm_train(table, row, point, bit, rate):
    at = table + row * POINTS + point
    for k in range(2):
        value = tl.load(at + k).to(tl.int64) & 0xFFFF
        tl.store(at + k, (value + (((bit << 16) - value) >> rate)).to(tl.int16))


# ---- predictor.py -----------------------------------------------------------------------------

@triton.jit
def _node(half, high, j):
    return tl.where(half == 0, j - 1, 15 + high * 15 + j - 1)


@triton.jit
def _order2_selector(last_bytes):
    return _high_bits(_mix(last_bytes & 0xFFFF, _int(7)), 54)


@triton.jit
def _apm_hashed_row(context, half, high, j):
    return _high_bits(_mix(context, _int(half * 17 + high)), 52) * 16 + j


@triton.jit
def _order3_selector(last_bytes):
    return _high_bits(_mix(last_bytes & 0xFFFFFF, _int(9)), 54)


@triton.jit
def _bracket_rank(bracket):
    """predictor._bracket_rank."""
    return tl.where(bracket == OPEN_1, 1, tl.where(bracket == OPEN_2, 2,
                    tl.where(bracket == OPEN_3, 3, tl.where(bracket == OPEN_4, 4, 0)))).to(tl.int64)


@triton.jit
def _final_position(lane_state, b, by_position):
    """predictor._final_position."""
    position = tl.minimum(tl.load(lane_state + b * LANE_STATE_WIDTH + 12), 3) + 4 * _bracket_rank(
        tl.load(lane_state + b * LANE_STATE_WIDTH + 5) & 255)
    return tl.where(by_position, position, 0)


@triton.jit
def _final_rows(match_row, position_block, pattern_row, text_row, node, by_position):
    """The second layer's four rows [4]: predictor._final_row's, then predictor._final_shared_rows'."""
    base = tl.where(by_position, FINAL_POSITIONS, 1) * (MATCH_STATES * NODES)
    k = tl.arange(0, 4)
    return tl.where(k == 0, match_row - MATCH_SET * NODES + position_block,
           tl.where(k == 1, base + pattern_row // NODES - PATTERN_SET,
           tl.where(k == 2, base + PATTERNS + text_row // NODES - TEXT_SET,
                    base + PATTERNS + TEXT_STATES + node)))


@triton.jit
def _final_in_use(settings):
    """Which of _final_rows' four rows are in use: the first, and the shared three where config.final_shared_rows."""
    return tl.arange(0, 4) < tl.where(tl.load(settings + P_FINAL_SHARED_ROWS) != 0, 4, 1)


@triton.jit
def _depth(j):
    return tl.where(j < 2, 0, tl.where(j < 4, 1, tl.where(j < 8, 2, 3)))


@triton.jit
def _predict_round(quarter, step, lane_lengths, lanes, contexts, width, stride, table_mask,
                   high, prefix, keys, table, slots, tags, state_prob, state_logit, state_total, mixer, final,
                   rows, logits, net, net_u, net_h, apm_order3, apm_byte, apm_order2, match_ptr, match_len,
                   history, match_prob, runs, lane_runs, run_prob, lane_state, inputs, p_mix, apm_point, match_bit,
                   freqs, net_x, settings, squash, stretch, state_only, hadamard, STATES: tl.constexpr,
                   CONTEXT_BLOCK: tl.constexpr, INPUT_BLOCK: tl.constexpr):
    """predictor.predict_round with all three nodes wanted (without its prefetch, which changes no value)."""
    use_net = tl.load(settings + P_NET) != 0
    use_apm = tl.load(settings + P_APM) != 0
    use_runs = tl.load(settings + P_RUNS) != 0
    layer1 = tl.load(settings + P_LAYER1)
    by_depth = tl.load(settings + P_ORDER2_BY_DEPTH) != 0
    by_position = tl.load(settings + P_FINAL_BY_POSITION) != 0
    shared_rows = tl.load(settings + P_FINAL_SHARED_ROWS) != 0
    layer1_shared = tl.load(settings + P_LAYER1_SHARED)
    mixer_start = tl.load(settings + P_MIXER_START)
    final_in_use = _final_in_use(settings)
    half = quarter >> 1
    pair = quarter & 1
    i = tl.arange(0, INPUT_BLOCK)
    net_i = tl.arange(0, WIDTH)
    is_context = i < contexts
    # predictor.predict_round's inputs: the contexts', the match's, the bias, the runs', the deterministic ones
    first_deterministic = tl.where(tl.load(settings + P_DETERMINISTIC) != 0, width - contexts, width)
    is_run = (i >= contexts + 2) & (i < first_deterministic)
    run_context = i - contexts - 2
    is_deterministic = (i >= first_deterministic) & (i < width)
    deterministic_context = i - first_deterministic
    kset = tl.arange(0, 8)
    pattern_weight = tl.full((INPUT_BLOCK,), 1, tl.int64)   # 3^(i - 1) for contexts 1..PATTERN_CONTEXTS
    for digit in tl.static_range(1, PATTERN_CONTEXTS):
        pattern_weight = tl.where(i > digit, pattern_weight * 3, pattern_weight)
    for b in range(lanes):
        lane_high = tl.load(high + b)
        if (pair == 0) & (tl.load(lane_lengths + b) > step):
            salt = tl.where(half == 0, 0, lane_high + 1)
            found, tag = _find_slots(table, table_mask, keys + b * contexts, _int(salt), state_total, contexts,
                                     CONTEXT_BLOCK)
            c = tl.arange(0, CONTEXT_BLOCK)
            tl.store(slots + b * contexts + c, found, mask=c < contexts)
            tl.store(tags + b * contexts + c, tag, mask=c < contexts)
            if use_runs & (half == 0):
                run = tl.load(runs + found, mask=(c < contexts) & (found >= 0), other=0).to(tl.int64)
                tl.store(lane_runs + b * contexts + c, run, mask=c < contexts)
            tl.debug_barrier()
    for b in range(lanes):
        if tl.load(lane_lengths + b) <= step:
            f = tl.arange(0, 4)
            tl.store(freqs + b * 4 + f, tl.where(f == 0, TOTAL, 0).to(tl.int64))
        else:
            lane_high = tl.load(high + b)
            expected = tl.full((), -1, tl.int64)
            byte = _expected_byte(b, step, stride, match_ptr, match_len, history)
            if byte >= 0:
                if half == 0:
                    expected = byte >> 4
                elif byte >> 4 == lane_high:
                    expected = byte & 15
            length = tl.load(match_len + b)
            match_logit = tl.load(stretch + (tl.load(match_prob + tl.minimum(length, LENGTH_BUCKETS - 1)) >> 4)).to(
                tl.int64)
            recent = tl.load(lane_state + b * LANE_STATE_WIDTH)
            last_byte = recent & 255
            gap = _high_bits(_mix(tl.load(lane_state + b * LANE_STATE_WIDTH + 11) & 0xFFFF,
                                  tl.load(lane_state + b * LANE_STATE_WIDTH + 12)), 56)   # predictor._gap_selector
            order2 = _order2_selector(recent)
            order3 = _order3_selector(recent)
            top = tl.where(pair == 0, 1, 4 + tl.load(prefix + b))
            final_block = _final_position(lane_state, b, by_position) * (MATCH_STATES * NODES)
            text_state = _bracket_rank(tl.load(lane_state + b * LANE_STATE_WIDTH + 5) & 255)
            for k in range(3):   # predictor._text_state
                text_state = text_state * 6 + tl.minimum(_byte_class((recent >> (8 * k)) & 255), 5)
            slot = tl.load(slots + b * contexts + i, mask=is_context, other=-1)
            run = tl.load(lane_runs + b * contexts + run_context, mask=is_run, other=0)
            run_slot = tl.load(slots + b * contexts + run_context, mask=is_run, other=-1)
            deterministic_slot = tl.load(slots + b * contexts + deterministic_context, mask=is_deterministic, other=-1)
            p_top = tl.full((), 0, tl.int64)
            p_zero = tl.full((), 0, tl.int64)
            p_one = tl.full((), 0, tl.int64)
            for t in range(3):
                j = tl.where(t == 0, top, 2 * top + t - 1)
                at = (b * 16 + j)
                state = tl.load(table + slot * SLOT_BYTES + j, mask=is_context & (slot >= 0), other=0).to(tl.int64)
                logit = tl.load(state_logit + i * STATES + state, mask=is_context, other=0)
                logit = tl.where(state != 0, logit, 0)   # an unseen context says nothing
                in_pattern = is_context & (i >= 1) & (i <= PATTERN_CONTEXTS)   # predictor._pattern_selector
                only = tl.load(state_only + state, mask=in_pattern, other=0)
                known = tl.where(state == 0, 0, tl.where(only != 0, 1, 2))
                pattern = tl.sum(tl.where(in_pattern, known * pattern_weight, 0), axis=0)
                match_state = tl.full((), 0, tl.int64)
                match_input = tl.full((), 0, tl.int64)
                node_bit = tl.full((), 0, tl.int64)
                depth = _depth(j)
                if expected >= 0:
                    if (16 | expected) >> (4 - depth) == j:
                        bit = ((16 | expected) >> (3 - depth)) & 1
                        match_input = tl.where(bit != 0, match_logit, -match_logit)
                        node_bit = 1 + bit
                        match_state = tl.where(length < LONG_MATCH, 1, 2).to(tl.int64)
                tl.store(match_bit + at, node_bit)
                run_expects = _run_bits(run, half, lane_high, j, depth)
                run_state = tl.load(table + run_slot * SLOT_BYTES + j, mask=is_run & (run_slot >= 0),
                                    other=0).to(tl.int64)
                entry = run_context * RUN_ENTRIES + _run_entries(run, run_expects, tl.load(state_only + run_state))
                run_logit = tl.load(stretch + (tl.load(run_prob + entry, mask=is_run, other=0) >> 4)).to(tl.int64) >> 1
                # predictor._deterministic_input
                deterministic_state = tl.load(table + deterministic_slot * SLOT_BYTES + j,
                                              mask=is_deterministic & (deterministic_slot >= 0), other=0).to(tl.int64)
                deterministic_prob = tl.load(state_prob + deterministic_context * STATES + deterministic_state,
                                             mask=is_deterministic, other=0)
                deterministic_input = tl.where(deterministic_state == 0, BIAS,
                                      tl.where(tl.load(state_only + deterministic_state) != 0,
                                               ((deterministic_prob >> 4) - 2048) >> DETERMINISTIC_SHIFT, 0))
                x = tl.where(is_context, logit,
                    tl.where(i == contexts, match_input,
                    tl.where(i == contexts + 1, BIAS,
                    tl.where(is_run & (run_expects != 0), tl.where(run_expects == 2, run_logit, -run_logit),
                    tl.where(is_deterministic, deterministic_input, 0)))))
                tl.store(inputs + at * width + i, x, mask=i < width)
                tl.debug_barrier()
                node = _node(half, lane_high, j)
                # predictor._row(weight set, selector, node) of the seven sets
                selector = tl.where(kset == 0, MATCH_SET + match_state,
                           tl.where(kset == 1, BYTE_SET + last_byte,
                           tl.where(kset == 2, TEXT_SET + text_state,
                           tl.where(kset == 3, PATTERN_SET + pattern,
                           tl.where(kset == 4, GAP_SET + gap,
                           tl.where(kset == 5, ORDER2_SET + order2, ORDER3_SET + order3))))))
                order2_node = tl.where(by_depth, half * 4 + depth, node)
                row_set = selector * NODES + tl.where(kset == 5, order2_node, node)
                row0 = (MATCH_SET + match_state) * NODES + node
                tl.store(rows + at * LAYER1 + kset, row_set, mask=kset < LAYER1)
                # predictor._start_dot: the rows hold each weight less its start
                start = mixer_start * tl.sum(tl.where((i <= contexts) | is_run, x, 0), axis=0)
                layer_logits = _mix_dots(mixer, row_set, kset < layer1, x, width, start, INPUT_BLOCK)
                if layer1_shared != 0:
                    # predictor._layer1_shared_row: the mean of the node's row and the selector's shared one
                    shared_logits = _mix_dots(mixer, layer1_shared + selector, kset < layer1, x, width, start,
                                              INPUT_BLOCK)
                    layer_logits = (layer_logits + shared_logits) >> 1
                net_logit = tl.full((), 0, tl.int64)
                if use_net:
                    # predictor._net_inputs: the sets' logits, then the first inputs
                    net_in = tl.sum(tl.where(net_i[:, None] == kset[None, :], layer_logits[None, :], 0), axis=1)
                    net_in += tl.load(inputs + at * width + net_i - LAYER1,
                                      mask=(net_i >= LAYER1) & (net_i - LAYER1 < width), other=0)
                    tl.store(net_x + at * WIDTH + net_i, net_in)
                    tl.debug_barrier()
                    net_logit = _net_forward(net, node, net_x + at * WIDTH, WIDTH, net_u + at * WIDTH,
                                             net_h + at * WIDTH, hadamard)
                layer_logits = tl.where(kset == LAYER1, net_logit, layer_logits)
                tl.store(logits + at * (LAYER1 + 1) + kset, layer_logits, mask=(kset < layer1) | (kset == LAYER1))
                final_rows = _final_rows(row0, final_block, (PATTERN_SET + pattern) * NODES + node,
                                         (TEXT_SET + text_state) * NODES + node, node, by_position)
                dots = tl.sum(_mix_dots(final, final_rows, final_in_use, layer_logits, LAYER1 + 1, 0, 8), axis=0)
                logit = tl.where(shared_rows, dots >> 2, dots)   # the mean of the four
                p = tl.load(squash + logit + 2048).to(tl.int64)
                tl.store(p_mix + at, p)
                if use_apm:
                    p_byte, point = _apm_refine(apm_byte, last_byte * NODES + node, logit)
                    p_order2, _ = _apm_refine(apm_order2, _apm_hashed_row(recent & 0xFFFF, half, lane_high, j), logit)
                    p_order3, _ = _apm_refine(apm_order3, _apm_hashed_row(recent & 0xFFFFFF, half, lane_high, j), logit)
                    tl.store(apm_point + at, point)
                    p = (p + 2 * p_byte + 3 * p_order2 + 2 * p_order3 + 4) >> 3
                p = tl.minimum(tl.maximum(p, 1), 4095)
                p_top = tl.where(t == 0, p, p_top)
                p_zero = tl.where(t == 1, p, p_zero)
                p_one = tl.where(t == 2, p, p_one)
            # quantise.pair_frequencies
            ones = (TOTAL * p_top) >> 12
            zeros = TOTAL - ones
            low = (zeros * p_zero) >> 12
            high_ = (ones * p_one) >> 12
            f = tl.arange(0, 4)
            tl.store(freqs + b * 4 + f,
                     tl.where(f == 0, zeros - low, tl.where(f == 1, low, tl.where(f == 2, ones - high_, high_))))
    tl.debug_barrier()


@triton.jit
def _learn_runs(context, in_use, slot, j, bit, table, run, half, high, run_prob, run_count, state_only, reciprocal):
    """learn_round's run probability updates for the contexts in_use, before their bit histories learn."""
    expects = _run_bits(run, half, high, j, _depth(j))
    learns = in_use & (expects != 0)
    state = tl.load(table + slot * SLOT_BYTES + j, mask=learns, other=0).to(tl.int64)
    entry = context * RUN_ENTRIES + _run_entries(run, expects, tl.load(state_only + state))
    n = tl.load(run_count + entry, mask=learns, other=0)
    value = tl.load(run_prob + entry, mask=learns, other=0)
    value += ((((expects == 1 + bit).to(tl.int64) << 16) - value) * tl.load(reciprocal + n)) >> 16
    tl.store(run_prob + entry, value, mask=learns)
    tl.store(run_count + entry, n + 1, mask=learns & (n < RUN_COUNT_LIMIT))
    tl.debug_barrier()


@triton.jit
def _learn_states(context, in_use, slot, j, bit, table, state_prob, state_logit, state_count, stretch, state_next,
                  reciprocal, state_limit, STATES: tl.constexpr):
    """learn_round's bit-history update for the contexts in_use, which must be on distinct slots."""
    cell = table + slot * SLOT_BYTES + j
    state = tl.load(cell, mask=in_use, other=0).to(tl.int64)
    entry = context * STATES + state
    n = tl.load(state_count + entry, mask=in_use, other=0)
    prob = tl.load(state_prob + entry, mask=in_use, other=0)
    prob += (((bit << 16) - prob) * tl.load(reciprocal + n)) >> 16
    tl.store(state_prob + entry, prob, mask=in_use)
    tl.store(state_logit + entry, tl.load(stretch + (prob >> 4), mask=in_use, other=0).to(tl.int64), mask=in_use)
    tl.store(state_count + entry, n + 1, mask=in_use & (n < state_limit))
    tl.store(cell, tl.load(state_next + state * 2 + bit, mask=in_use, other=0), mask=in_use)
    tl.debug_barrier()


@triton.jit
def _learn_round(quarter, step, lane_lengths, symbols, lanes, contexts, width, stride,
                 high, prefix, keys, kinds, table, slots, tags, state_prob, state_logit, state_count, mixer,
                 mixer_updates, final, rows, logits, net, net_u, net_h, apm_order3, apm_byte, apm_order2, match_ptr,
                 match_len, history, history_len, match_table, match_table_len, match_prob, match_count, runs,
                 byte_slots, lane_runs, run_prob, run_count, lane_state, inputs, p_mix, apm_point, match_bit, learned,
                 net_x, settings, squash, stretch, state_next, reciprocal, state_only, hadamard,
                 STATES: tl.constexpr, CONTEXT_BLOCK: tl.constexpr, INPUT_BLOCK: tl.constexpr):
    """predictor.learn_round."""
    surprise = tl.load(settings + P_SURPRISE)
    layer1 = tl.load(settings + P_LAYER1)
    half = quarter >> 1
    pair = quarter & 1
    apm_rate = tl.load(settings + P_APM_RATE)
    state_limit = tl.load(settings + P_STATE_LIMIT)
    boost = tl.load(settings + P_BOOST)
    half_life = tl.load(settings + P_FINAL_BOOST_BYTES)
    so_far = tl.load(learned)
    mixer_rate = tl.load(settings + P_MIXER_RATE)
    rate_contexts = tl.load(settings + P_RATE_CONTEXTS)
    rate_runs = tl.load(settings + P_RATE_RUNS)
    rate_others = tl.load(settings + P_RATE_OTHERS)
    final_rate = tl.load(settings + P_FINAL_RATE) + tl.load(settings + P_FINAL_BOOST) * half_life // (half_life + so_far)
    net_rate = tl.load(settings + P_NET_RATE)
    use_net = tl.load(settings + P_NET) != 0
    use_apm = tl.load(settings + P_APM) != 0
    runs_on = tl.load(settings + P_RUNS)
    use_runs = runs_on != 0
    by_position = tl.load(settings + P_FINAL_BY_POSITION) != 0
    layer1_shared = tl.load(settings + P_LAYER1_SHARED)
    final_in_use = _final_in_use(settings)
    i = tl.arange(0, INPUT_BLOCK)
    kset = tl.arange(0, 8)
    c = tl.arange(0, CONTEXT_BLOCK)
    for b in range(lanes):
        if tl.load(lane_lengths + b) > step:
            symbol = tl.load(symbols + b)
            lane_slots = tl.load(slots + b * contexts + c, mask=c < contexts, other=-1)
            if pair == 0:
                lane_slots = tl.where(lane_slots < 0, -lane_slots - 1, lane_slots)   # a victim (find_slot)
                tl.store(slots + b * contexts + c, lane_slots, mask=c < contexts)
            # Two contexts may share a slot; then they must claim it and learn one after the other, in order. So
            # they go in waves: a context's rank is the number of contexts before it on its slot, and wave k takes
            # the contexts of rank k, each on a slot of its own (one wave where no two share a slot).
            same = (c[:, None] < c[None, :]) & (c[None, :] < contexts) & (lane_slots[:, None] == lane_slots[None, :])
            rank = tl.sum(same.to(tl.int32), axis=0)
            waves = tl.max(rank, axis=0) + 1
            if pair == 0:
                lane_tags = tl.load(tags + b * contexts + c, mask=c < contexts, other=0)
                for wave in range(waves):
                    _claim_slot(table, runs, runs_on, lane_slots, lane_tags, (c < contexts) & (rank == wave))
                if use_runs & (half == 0):
                    tl.store(byte_slots + b * contexts + c, lane_slots, mask=c < contexts)
            lane_high = tl.load(high + b)
            recent = tl.load(lane_state + b * LANE_STATE_WIDTH)
            last_byte = recent & 255
            final_block = _final_position(lane_state, b, by_position) * (MATCH_STATES * NODES)
            bucket = tl.minimum(tl.load(match_len + b), LENGTH_BUCKETS - 1)
            run = tl.load(lane_runs + b * contexts + c, mask=c < contexts, other=0)
            j = tl.where(pair == 0, 1, 4 + tl.load(prefix + b))
            for t in range(2):
                bit = (symbol >> (1 - t)) & 1
                at = b * 16 + j
                # predictor.learn_round learns each context's run, then its bit history, context by context: only
                # contexts on the same slot see each other's updates (the state maps and runs are per context).
                for wave in range(waves):
                    in_wave = (c < contexts) & (rank == wave)
                    if use_runs:
                        _learn_runs(c, in_wave, lane_slots, j, bit, table, run, half, lane_high, run_prob, run_count,
                                    state_only, reciprocal)
                    _learn_states(c, in_wave, lane_slots, j, bit, table, state_prob, state_logit, state_count, stretch,
                                  state_next, reciprocal, state_limit, STATES)
                expected = tl.load(match_bit + at)
                if expected != 0:
                    hit = tl.where(expected == 1 + bit, 1, 0)
                    n = tl.load(match_count + bucket)
                    value = tl.load(match_prob + bucket)
                    tl.store(match_prob + bucket, value + ((((hit << 16) - value) * tl.load(reciprocal + n)) >> 16))
                    if n < 1023:
                        tl.store(match_count + bucket, n + 1)
                    tl.debug_barrier()
                node = _node(half, lane_high, j)
                x = tl.load(inputs + at * width + i, mask=i < width, other=0)
                layer_logits = tl.load(logits + at * (LAYER1 + 1) + kset, mask=kset < LAYER1 + 1, other=0)
                row_set = tl.load(rows + at * LAYER1 + kset, mask=kset < LAYER1, other=0)
                # Weight sets and the network learn from surprises only (config.surprise).
                errors = (bit << 12) - tl.load(squash + layer_logits + 2048).to(tl.int64)
                trained = (kset < layer1) & (tl.abs(errors) > surprise)
                updates = tl.load(mixer_updates + row_set, mask=trained, other=0).to(tl.int64)
                tl.store(mixer_updates + row_set, tl.minimum(updates + 1, ROW_UPDATES_CAP).to(tl.int32), mask=trained)
                rates = mixer_rate + boost * ROW_WARMUP // (ROW_WARMUP + updates)   # predictor.ROW_WARMUP
                # predictor._stepped_inputs
                runs_at = use_runs & (i >= contexts + 2) & (i < 2 * contexts + 2)
                stepped = x * tl.where(i < contexts, rate_contexts, tl.where(runs_at, rate_runs, rate_others))
                _mix_trains(mixer, row_set, trained, stepped, width, errors, rates, STEPPED_SHIFT, INPUT_BLOCK)
                if layer1_shared != 0:
                    _mix_trains(mixer, layer1_shared + row_set // NODES, trained, stepped, width, errors,
                                mixer_rate + tl.zeros((8,), tl.int64), STEPPED_SHIFT, INPUT_BLOCK)
                error = tl.sum(tl.where(kset == LAYER1, errors, 0), axis=0)
                if use_net & (tl.abs(error) > surprise):
                    _net_train(net, node, net_x + at * WIDTH, WIDTH, net_u + at * WIDTH, net_h + at * WIDTH,
                               error, net_rate, hadamard)
                row0 = tl.sum(tl.where(kset == 0, row_set, 0), axis=0)
                row2 = tl.sum(tl.where(kset == 2, row_set, 0), axis=0)
                row3 = tl.sum(tl.where(kset == 3, row_set, 0), axis=0)
                _mix_trains(final, _final_rows(row0, final_block, row3, row2, node, by_position), final_in_use,
                            layer_logits, LAYER1 + 1, (bit << 12) - tl.load(p_mix + at) + tl.zeros((4,), tl.int64),
                            final_rate, RATE_SHIFT, 8)
                if use_apm:
                    point = tl.load(apm_point + at)
                    _apm_train(apm_byte, last_byte * NODES + node, point, bit, apm_rate)
                    _apm_train(apm_order2, _apm_hashed_row(recent & 0xFFFF, half, lane_high, j), point, bit, apm_rate)
                    _apm_train(apm_order3, _apm_hashed_row(recent & 0xFFFFFF, half, lane_high, j), point, bit, apm_rate)
                tl.debug_barrier()
                j = 2 * j + bit
            if pair == 0:
                tl.store(prefix + b, symbol)
            elif half == 0:
                tl.store(high + b, (tl.load(prefix + b) << 2) | symbol)
            tl.debug_barrier()
    if quarter == 3:
        for b in range(lanes):
            if tl.load(lane_lengths + b) > step:
                byte = (tl.load(high + b) << 4) | (tl.load(prefix + b) << 2) | tl.load(symbols + b)
                tl.store(history + b * stride + step, byte.to(tl.uint8))
                tl.store(learned, tl.load(learned) + 1)
                if tl.load(settings + P_RUNS) != 0:
                    for one in range(contexts):   # in order: two contexts may share a slot
                        slot = tl.load(byte_slots + b * contexts + one)
                        tl.store(runs + slot, _run_after_byte(tl.load(runs + slot).to(tl.int64), byte).to(tl.int16))
                        tl.debug_barrier()
                tl.debug_barrier()
        for b in range(lanes):
            if tl.load(lane_lengths + b) > step:
                start = _int(b) * stride
                _next_byte_contexts(b, tl.load(history + start + step), step, lane_state, kinds, keys, history, start,
                                    contexts, CONTEXT_BLOCK)
                if tl.load(settings + P_MATCH) != 0:
                    _match_after_byte(b, step, stride, tl.load(lane_state + b * LANE_STATE_WIDTH),
                                      tl.load(settings + P_MATCH_MIN), match_ptr, match_len, history, history_len,
                                      match_table, match_table_len)
                _match_contexts(b, _expected_byte(b, step + 1, stride, match_ptr, match_len, history),
                                tl.load(match_len + b), tl.load(lane_state + b * LANE_STATE_WIDTH) & 255, kinds, keys,
                                contexts, CONTEXT_BLOCK)


# ---- rangecoder.py ----------------------------------------------------------------------------

@triton.jit
def _load_u64(state, k):
    return tl.load(state + k).to(tl.uint64, bitcast=True)


@triton.jit
def _store_u64(state, k, value):
    tl.store(state + k, value.to(tl.int64, bitcast=True))


@triton.jit
def _write(state, out, word):
    written = tl.load(state + WRITTEN)
    tl.store(out + written, (word & 0xFFFFFFFF).to(tl.uint32).to(tl.int32, bitcast=True))
    tl.store(state + WRITTEN, written + 1)
    tl.debug_barrier()


@triton.jit
def _flush_inverted(state, out, carry):
    inverted_word = _load_u64(state, INVERTED_WORD)
    first = tl.where(carry, (inverted_word + 1) & 0xFFFFFFFF, inverted_word)
    _write(state, out, first)
    rest = tl.where(carry, 0, 0xFFFFFFFF).to(tl.uint64)
    for _ in range(1, tl.load(state + INVERTED)):
        _write(state, out, rest)
    tl.store(state + INVERTED, tl.full((), 0, tl.int64))
    tl.debug_barrier()


@triton.jit
def _encode_symbol(state, out, freqs, symbol):
    """rangecoder.encode_symbol; freqs points at the symbol's four frequencies."""
    f = tl.arange(0, 4)
    q = tl.load(freqs + f)
    cumulative = (tl.sum(tl.where(f < symbol, q, 0), axis=0) + symbol).to(tl.uint64)
    probability = (tl.sum(tl.where(f == symbol, q, 0), axis=0) + 1).to(tl.uint64)
    lower = _load_u64(state, LOWER)
    scale = _load_u64(state, RANGE) >> PRECISION
    new_range = scale * probability
    new_lower = lower + scale * cumulative
    if (tl.load(state + INVERTED) != 0) & (new_lower + new_range > new_lower):
        _flush_inverted(state, out, new_lower < lower)
    _store_u64(state, LOWER, new_lower)
    _store_u64(state, RANGE, new_range)
    if new_range < (1 << 32):
        lower_word = new_lower >> 32
        shifted_range = new_range << 32
        shifted_lower = new_lower << 32
        _store_u64(state, RANGE, shifted_range)
        _store_u64(state, LOWER, shifted_lower)
        inverted = tl.load(state + INVERTED)
        if inverted != 0:
            tl.store(state + INVERTED, inverted + 1)
        elif shifted_lower + shifted_range > shifted_lower:
            _write(state, out, lower_word)
        else:
            tl.store(state + INVERTED, tl.full((), 1, tl.int64))
            _store_u64(state, INVERTED_WORD, lower_word)
    tl.debug_barrier()


@triton.jit
def _decode_symbol(state, words, n_words, freqs):
    """rangecoder.decode_symbol."""
    scale = _load_u64(state, RANGE) >> PRECISION
    lower = _load_u64(state, LOWER)
    quantile = (_load_u64(state, POINT) - lower) // scale
    symbol = tl.full((), 0, tl.int64)
    if quantile >= QUANTILES:
        tl.store(state + INVALID, _int(POINT_OUTSIDE))
    else:
        f = tl.arange(0, 4)
        q = tl.load(freqs + f)
        # boundary v = q_0 + .. + q_{v-1} + v: the symbol is the number of boundaries 1..3 at or below the quantile.
        boundary = (tl.cumsum(q, axis=0) - q + f).to(tl.uint64)
        symbol = tl.sum(tl.where((f > 0) & (boundary <= quantile), 1, 0), axis=0).to(tl.int64)
        cumulative = tl.sum(tl.where(f == symbol, boundary, 0), axis=0)
        probability = (tl.sum(tl.where(f == symbol, q, 0), axis=0) + 1).to(tl.uint64)
        new_lower = lower + scale * cumulative
        new_range = scale * probability
        _store_u64(state, LOWER, new_lower)
        _store_u64(state, RANGE, new_range)
        if new_range < (1 << 32):
            _store_u64(state, LOWER, new_lower << 32)
            _store_u64(state, RANGE, new_range << 32)
            point = _load_u64(state, POINT) << 32
            read = tl.load(state + READ)
            if read < n_words:
                point = point | tl.load(words + read).to(tl.uint32, bitcast=True).to(tl.uint64)
            _store_u64(state, POINT, point)
            tl.store(state + READ, read + 1)
            if read + 1 > n_words + READ_PAST_END:
                tl.store(state + INVALID, _int(WORDS_RAN_OUT))
    tl.debug_barrier()
    return symbol


# ---- rounds.py --------------------------------------------------------------------------------

# The per-member arrays, in code_steps_kernel's argument order: program m finds member m's part of
# each at sizes[k] * m elements in (device_steps.py stacks them so). settings and the tables are shared.
MEMBER_ARRAYS = ("grid", "lane_lengths", "coder", "words", "symbols", "high", "prefix", "keys", "kinds", "table",
                 "slots", "tags", "state_prob", "state_logit", "state_count", "mixer", "mixer_updates", "final",
                 "rows", "logits", "net", "net_u", "net_h", "apm_order3", "apm_byte", "apm_order2", "match_ptr",
                 "match_len", "history", "match_table", "match_prob", "match_count", "runs", "byte_slots",
                 "lane_runs", "run_prob", "run_count", "lane_state", "inputs", "p_mix", "apm_point", "match_bit",
                 "freqs", "learned", "net_x")
# members[m] = (mode, lanes, lane stride, words available to decode, its table's mask, its match table's
# length): a frame of one short block has tables sized for it (predictor.sized_table_bits).
MEMBER_FIELDS = tl.constexpr(6)


@triton.jit
def code_steps_kernel(
        first, last, contexts, width, members, sizes, grid, lane_lengths, coder, words,
        symbols, high, prefix, keys, kinds, table, slots, tags, state_prob, state_logit, state_count, mixer,
        mixer_updates, final, rows, logits, net, net_u, net_h, apm_order3, apm_byte, apm_order2, match_ptr, match_len,
        history, match_table, match_prob, match_count, runs, byte_slots, lane_runs, run_prob, run_count, lane_state,
        inputs, p_mix, apm_point, match_bit, freqs, learned, net_x, settings, squash, stretch, state_next,
        state_total, reciprocal, state_only,
        STATES: tl.constexpr, CONTEXT_BLOCK: tl.constexpr, INPUT_BLOCK: tl.constexpr):
    """rounds.code_steps for several members at once, one program each: program m runs steps
    [first, min(last, its stride)) of member m's block with member m's model. Members share nothing
    but the configuration (settings), so programs never touch each other's memory."""
    member = tl.program_id(0)
    mode = tl.load(members + member * MEMBER_FIELDS)
    lanes = tl.load(members + member * MEMBER_FIELDS + 1)
    stride = tl.load(members + member * MEMBER_FIELDS + 2)
    n_words = tl.load(members + member * MEMBER_FIELDS + 3)
    table_mask = tl.load(members + member * MEMBER_FIELDS + 4)
    match_table_len = tl.load(members + member * MEMBER_FIELDS + 5)
    history_len = lanes * stride
    grid += member * tl.load(sizes + 0)
    lane_lengths += member * tl.load(sizes + 1)
    coder += member * tl.load(sizes + 2)
    words += member * tl.load(sizes + 3)
    symbols += member * tl.load(sizes + 4)
    high += member * tl.load(sizes + 5)
    prefix += member * tl.load(sizes + 6)
    keys += member * tl.load(sizes + 7)
    kinds += member * tl.load(sizes + 8)
    table += member * tl.load(sizes + 9)
    slots += member * tl.load(sizes + 10)
    tags += member * tl.load(sizes + 11)
    state_prob += member * tl.load(sizes + 12)
    state_logit += member * tl.load(sizes + 13)
    state_count += member * tl.load(sizes + 14)
    mixer += member * tl.load(sizes + 15)
    mixer_updates += member * tl.load(sizes + 16)
    final += member * tl.load(sizes + 17)
    rows += member * tl.load(sizes + 18)
    logits += member * tl.load(sizes + 19)
    net += member * tl.load(sizes + 20)
    net_u += member * tl.load(sizes + 21)
    net_h += member * tl.load(sizes + 22)
    apm_order3 += member * tl.load(sizes + 23)
    apm_byte += member * tl.load(sizes + 24)
    apm_order2 += member * tl.load(sizes + 25)
    match_ptr += member * tl.load(sizes + 26)
    match_len += member * tl.load(sizes + 27)
    history += member * tl.load(sizes + 28)
    match_table += member * tl.load(sizes + 29)
    match_prob += member * tl.load(sizes + 30)
    match_count += member * tl.load(sizes + 31)
    runs += member * tl.load(sizes + 32)
    byte_slots += member * tl.load(sizes + 33)
    lane_runs += member * tl.load(sizes + 34)
    run_prob += member * tl.load(sizes + 35)
    run_count += member * tl.load(sizes + 36)
    lane_state += member * tl.load(sizes + 37)
    inputs += member * tl.load(sizes + 38)
    p_mix += member * tl.load(sizes + 39)
    apm_point += member * tl.load(sizes + 40)
    match_bit += member * tl.load(sizes + 41)
    freqs += member * tl.load(sizes + 42)
    learned += member * tl.load(sizes + 43)
    net_x += member * tl.load(sizes + 44)
    invalid = tl.load(coder + INVALID)
    hadamard = _hadamard()
    for step in range(first, tl.minimum(last, stride)):
        for quarter in range(4):
            if invalid == 0:
                _predict_round(quarter, step, lane_lengths, lanes, contexts, width, stride, table_mask,
                               high, prefix, keys, table, slots, tags, state_prob, state_logit, state_total, mixer,
                               final, rows, logits, net, net_u, net_h, apm_order3, apm_byte, apm_order2, match_ptr,
                               match_len, history, match_prob, runs, lane_runs, run_prob, lane_state, inputs, p_mix,
                               apm_point, match_bit, freqs, net_x, settings, squash, stretch, state_only, hadamard,
                               STATES, CONTEXT_BLOCK, INPUT_BLOCK)
                shift = 6 - 2 * quarter
                for b in range(lanes):
                    symbol = tl.full((), 0, tl.int64)
                    if tl.load(lane_lengths + b) > step:
                        if mode == DECODE:
                            symbol = _decode_symbol(coder, words, n_words, freqs + b * 4)
                            cell = grid + b * stride + step
                            tl.store(cell, tl.load(cell) | (symbol << shift).to(tl.uint8))
                        else:
                            symbol = ((tl.load(grid + b * stride + step) >> shift) & 3).to(tl.int64)
                            if mode == ENCODE:
                                _encode_symbol(coder, words, freqs + b * 4, symbol)
                    tl.store(symbols + b, symbol)
                tl.debug_barrier()
                invalid = tl.load(coder + INVALID)
                if invalid == 0:
                    _learn_round(quarter, step, lane_lengths, symbols, lanes, contexts, width, stride,
                                 high, prefix, keys, kinds, table, slots, tags, state_prob, state_logit, state_count,
                                 mixer, mixer_updates, final, rows, logits, net, net_u, net_h, apm_order3, apm_byte,
                                 apm_order2, match_ptr, match_len, history, history_len, match_table,
                                 match_table_len, match_prob, match_count, runs, byte_slots, lane_runs, run_prob,
                                 run_count, lane_state, inputs, p_mix, apm_point, match_bit, learned, net_x,
                                 settings, squash, stretch, state_next, reciprocal, state_only, hadamard, STATES,
                                 CONTEXT_BLOCK, INPUT_BLOCK)
