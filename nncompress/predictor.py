"""The predictor: for each of B lanes, the distribution of the next two bits, learned online.

A byte is coded as four two-bit symbols, high bits first; the two nibbles of a byte are each a
binary tree of 15 nodes (node j has children 2j and 2j+1). A round's frequencies come from the three
nodes below the bits coded so far: the nibble's root and its two children, or the depth-2 node and
its two. predict() works out all three; the compiled step routine only the first and the child
below the first bit (predict_round, rounds.py).

Data flow per node: context keys (hashing.py) -> associative memory (memory.py): per context a
slot of bit histories, each mapped to a probability by that context's adaptive state map, and at
-9 the byte that followed the context last (runs.py) -> stretched inputs, with the match model's
(match.py), and at -8 and -9 each context's deterministic input -> six or seven logistic mixers
(mixer.py; at -7..-9 each the mean of its row of the node and a row shared by all nodes) -> the
Walsh-Hadamard network (wht.py) over their logits and the first inputs -> a second mixer over the
eight logits (the mean of four of its rows) -> three APMs (apm.py) -> 4 integer frequencies for the
round (quantise.py).

Contract: after `start_block`, alternate `predict()` and `update(symbols)`, or, inside a compiled
loop (rounds.py), `predict_round` and `learn_round` on `kernel_state`; the predictor knows nothing
of the coder. Two predictors built from the same config and fed the same symbols return
identical frequencies on every machine: everything is integer arithmetic in one fixed order.
Lanes are processed in order 0..B-1: all predict from the same state, then each learns in turn.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from .apm import POINTS, apm_refine, apm_rows, apm_train
from .config import ModelConfig
from .hashing import (CONTEXT_CODES, LANE_LOCAL, LANE_STATE_WIDTH, OPEN_BRACKETS, byte_class, match_contexts, mix,
                      next_byte_contexts)
from .jit import kernel
from .lanes import LaneLayout
from .match import LENGTH_BUCKETS, expected_byte, match_after_byte
from .memory import BUCKET, SLOT_BYTES, claim_slot, find_slot, slot_hash
from .mixer import mix_dot, mix_train
from .pages import small_page_zeros
from .prefetch import prefetch
from .quantise import TOTAL, pair_frequencies
from .runs import RUN_COUNT_LIMIT, RUN_ENTRIES, run_after_byte, run_bit, run_entry
from .tables import RECIPROCAL, SQUASH, STATE_NEXT, STATE_ONLY, STATE_P1, STATES, STRETCH
from .wht import WIDTH, net_forward, net_parameters, net_train

NODES = 255          # tree nodes of a byte: 15 of the high nibble, 16 x 15 of the low one
MATCH_STATES = 3     # the node is off the match's path, on it with a short match, with a long one
TEXT_STATES = (1 + len(OPEN_BRACKETS)) * 6 * 6 * 6  # innermost open bracket (none, [, {, <, () x the coarse
                                                    # classes of the last 3 bytes
ORDER2_SELECTORS = 1024  # the last two bytes, hashed, select one of these weight sets
ORDER3_SELECTORS = 1024  # the last three bytes, hashed, select one of these (config.order3_set)
# The pattern set's selector: for each of the six contexts after the first (the presets list their
# orders first, shortest first, then the current words), whether it has seen nothing at the node,
# only one bit value, or both, in base 3 (format 10, in place of how many contexts had seen the node
# and the longest order that had; paq8px's "confidence"). Which contexts know, and which have only
# ever seen one bit, says whom to trust. The first, order 2, has nearly always seen both: with it in
# place of the sixth, enwik8_4M at -6 is 0.04% larger (benchmarks/results/model_candidates/README.md).
PATTERN_CONTEXTS = 6
PATTERNS = 3 ** PATTERN_CONTEXTS
# Layer 1: seven weight sets per node, each chosen by a selector; a selector value owns NODES
# consecutive rows (one per node, so a nibble's 15 nodes are adjacent). Offsets in selector values:
MATCH_SET = 0                            # the match state (MATCH_STATES)
BYTE_SET = MATCH_SET + MATCH_STATES      # the last byte (256)
TEXT_SET = BYTE_SET + 256                # the text state (TEXT_STATES)
GAP_SET = TEXT_SET + TEXT_STATES         # the gap before the current word and its length, hashed (256)
ORDER2_SET = GAP_SET + 256               # the last two bytes, hashed (ORDER2_SELECTORS)
PATTERN_SET = ORDER2_SET + ORDER2_SELECTORS  # what contexts 2..7 know of the node (PATTERNS)
ORDER3_SET = PATTERN_SET + PATTERNS      # the last three bytes, hashed (ORDER3_SELECTORS), last, so that presets
                                         # without it (config.order3_set) allocate no rows for it
LAYER1 = 7           # weight sets mixed per node in the first layer; the WHT network is an eighth input
FINAL_POSITIONS = 4 * (1 + len(OPEN_BRACKETS))   # config.final_by_position: the second layer's rows by the
                                                 # word's length (0..3) x the innermost open bracket
# config.final_shared_rows: after the rows of match states and positions, the second layer's rows by pattern and by
# text state (each shared by all nodes), then by node (_final_shared_rows)
FINAL_SHARED_ROWS = PATTERNS + TEXT_STATES + NODES
HISTORY_SETS = 3     # the last three, rows[..., 4:7] (GAP_SET, ORDER2_SET, the order-3 set): history_sets
LONG_MATCH = 16
# A layer-1 row's rate is mixer_rate + mixer_boost * ROW_WARMUP / (ROW_WARMUP + its updates so far):
# rows chosen rarely (a rare byte, a rare pattern) learn fast when they are first used,
# which a boost by bytes coded (format 5) had forgotten by then. On enwik8_1M at -9, 1: +0.13%,
# 2: +0.06%, 8: +0.00%, 32: +0.22% against 4 (benchmarks/results/model_candidates/README.md).
ROW_WARMUP = 4
RATE_SHIFT = 14      # mix_train's steps are in 1/16384ths (config.mixer_rate, final_rate) ...
STEPPED_SHIFT = 16   # ... and the first layer's inputs are in quarters of theirs (config.input_rates)
ROW_UPDATES_CAP = 1023    # a row's count stops there; its boost is 0 by then (mixer_boost * ROW_WARMUP < 1027)
BIAS = 256           # the mixer's constant input (logit 1.0)
# config.deterministic_inputs: a bit history that has seen one bit value only also gives its probability, linear,
# (p - 1/2) in 12 bits shifted right by this: a mixer can then weigh a sure history's confidence in two shapes.
# At -9 on enwik8_1M, before the unseen bias (_deterministic_input), 1: -0.22%, 2: -0.29%, 3: -0.18% (with every
# history: -0.04% at 2, +0.39% at 1); with it, 1 and 3 make 0.13% and 0.06% more than 2.
DETERMINISTIC_SHIFT = 2

# settings[] layout: the config's learning settings, passed to the kernels as one array; P_LAYER1_SHARED is the first
# layer's first shared row (0: none); P_MIXER_START the layer-1 weights' start (Predictor.starting_weights).
(P_MIXER_RATE, P_APM_RATE, P_STATE_LIMIT, P_MATCH_MIN, P_FINAL_RATE, P_NET_RATE, P_MATCH, P_NET, P_APM, P_BOOST,
 P_FINAL_BOOST_BYTES, P_LAYER1, P_FINAL_BOOST, P_RUNS, P_SURPRISE, P_ORDER2_BY_DEPTH, P_FINAL_BY_POSITION,
 P_FINAL_SHARED_ROWS, P_LAYER1_SHARED, P_DETERMINISTIC, P_RATE_CONTEXTS, P_RATE_RUNS, P_RATE_OTHERS,
 P_MIXER_START) = range(24)


_NO_SYMBOLS = np.zeros(0, dtype=np.int32)


# What the kernels work on, handed to them as one named tuple. (A numba structref unboxed faster
# when the kernels were called every round, but its constructor is compiled afresh in every
# process: a process's first start_block took 0.72 s with it, 0.30 s without. A named tuple's type
# is cached with the kernels; rounds.py calls them once per 256 steps, where unboxing costs nothing
# measurable.)
_KERNEL_STATE_FIELDS = (
    "stride", "table_mask", "high", "prefix", "keys", "kinds", "table", "slots", "tags", "state_prob",
    "state_logit", "state_count", "mixer", "final", "rows", "logits", "net", "net_u", "net_h", "apm_order3",
    "apm_byte", "apm_order2", "match_ptr", "match_len", "history", "match_table", "match_prob",
    "match_count", "runs", "byte_slots", "lane_runs", "run_prob", "run_count", "lane_state", "inputs", "p_mix",
    "apm_point", "match_bit", "p_final", "freqs", "learned", "settings", "mixer_updates", "net_x")


KernelState = namedtuple("KernelState", _KERNEL_STATE_FIELDS)
# What a round writes for each node it predicts and reads back within that round only (predict_round, then
# learn_round): nothing of the model. The step routine does not predict the child off the first bit, whose entries
# keep what an earlier round left there, so a device that predicts all three nodes may leave other values in them.
ROUND_SCRATCH = ("rows", "logits", "net_u", "net_h", "net_x", "inputs", "p_mix", "apm_point", "match_bit", "freqs",
                 "p_final")


def _kernel_state(predictor: "Predictor") -> KernelState:
    return KernelState(*(getattr(predictor, name) for name in _KERNEL_STATE_FIELDS))


# A frame of one short block sizes its hashed tables for that block (format 11): the context memory
# with SLOTS_PER_CONTEXT_BYTE slots per context and byte (each byte claims two, one per nibble), the
# match table with MATCH_ENTRIES_PER_BYTE entries per byte, each at least 2^MIN_TABLE_BITS and at
# most the preset's. A 4 kB file at -6 then has an 8 MiB table, not 256 MiB, and peaks at 254 MiB, not
# 508 (README). With two slots per claim, small files coded as with the preset's sizes, to within 4
# bytes (Canterbury's small texts, enwik8's first 16 kB, alice29 and its first 64 kB, -6 and -9).
SLOTS_PER_CONTEXT_BYTE = 4
MATCH_ENTRIES_PER_BYTE = 4
MIN_TABLE_BITS = 16
# Such a frame shorter than this keeps its layer-1 rows in small pages (pages.py): it writes few of them, which large
# pages would map whole. At -9 (`/usr/bin/time nncompress compress -9`, two runs each), small pages peaked at 208 MiB
# on 1 KiB (670-671 with large ones), 585 on 64 KiB (1,105-1,112) in 3.3-3.8 s (3.0-3.4), and on 1 MB at 1,579 MiB
# (2,029-2,032) in 33.7-35.8 s (32.0-32.2): longer frames keep large pages, with which they ran faster.
SMALL_PAGES_BELOW = 1 << 18


def only_block(first_block: int, block_size: int) -> int | None:
    """A frame's first block is its only one if it is shorter than a block (Predictor's only_block)."""
    return first_block if first_block < block_size else None


def sized_table_bits(config: ModelConfig, contexts: int, length: int | None) -> tuple[int, int]:
    """-> (table bits, match table bits) of a frame whose only block is `length` bytes long (None: a
    frame of full blocks)."""
    if length is None:
        return config.table_bits, config.match_bits

    def bits(entries: int, most: int) -> int:
        return min(most, max(MIN_TABLE_BITS, (entries - 1).bit_length()))

    return (bits(SLOTS_PER_CONTEXT_BYTE * contexts * length, config.table_bits),
            bits(MATCH_ENTRIES_PER_BYTE * length, config.match_bits))


class Predictor:
    def __init__(self, config: ModelConfig, *, only_block: int | None = None):
        """only_block: the length of the frame's only block, where it is shorter than a block (so the
        frame has no other): the hashed tables are then sized for it (sized_table_bits)."""
        self.config = config
        self.kinds = np.array([CONTEXT_CODES[name] for name in config.contexts] +
                              [CONTEXT_CODES[name] + LANE_LOCAL for name in config.lane_contexts], dtype=np.int64)
        contexts = len(self.kinds)
        # Inputs: per context its state's logit, the match, the bias, then per context its run's logit, then per
        # context its deterministic input (_deterministic_input).
        self.width = (1 + config.run_inputs + config.deterministic_inputs) * contexts + 2
        table_bits, match_bits = sized_table_bits(config, contexts, only_block)
        self.table = np.zeros((1 << table_bits, 16), dtype=np.uint8)
        self.table_mask = (1 << table_bits) - 1
        self.runs = np.zeros(1 << table_bits if config.run_inputs else 1, dtype=np.int16)
        self.run_prob = np.full((contexts, RUN_ENTRIES), 3 << 14, dtype=np.int64)  # P(the run's bit is right)
        self.run_count = np.zeros((contexts, RUN_ENTRIES), dtype=np.int64)
        self.state_prob = np.tile(STATE_P1, (contexts, 1))              # [contexts, STATES] 16-bit
        self.state_logit = STRETCH[self.state_prob >> 4].astype(np.int64)  # kept equal to stretch(state_prob)
        self.state_count = np.zeros((contexts, STATES), dtype=np.int64)
        # Layer 1 (see MATCH_SET..ORDER3_SET); layer 2 mixes their logits and the net's. int32 halves
        # the rows' cache footprint; weights stay far inside its range (16-bit fixed point).
        sets = ORDER3_SET + (ORDER3_SELECTORS if config.order3_set else 0)
        # Then, where config.layer1_shared_rows, one row per selector value shared by all nodes (_layer1_shared_row).
        # A row holds each weight less its start (starting_weights; _start_dot adds the start back), so a fresh
        # table is all zeros, which the system maps only where rows learn: -9's 675 MiB are not all written at the
        # start, and a short frame's, in small pages, only as far as it writes them (SMALL_PAGES_BELOW).
        rows = NODES * sets + (sets if config.layer1_shared_rows else 0)
        self.mixer = (small_page_zeros((rows, self.width), np.int32) if only_block is not None
                      and only_block < SMALL_PAGES_BELOW else np.zeros((rows, self.width), dtype=np.int32))
        self.mixer_updates = np.zeros(self.mixer.shape[0], dtype=np.int32)   # per row, up to ROW_UPDATES_CAP
        self.net = net_parameters(NODES)
        # Layer 2: a weight set per node and match state, and where the config says so per position (_final_row);
        # then, where the config says so, the shared rows (_final_shared_rows).
        positions = FINAL_POSITIONS if config.final_by_position else 1
        shared = FINAL_SHARED_ROWS if config.final_shared_rows else 0
        self.final = np.full((positions * MATCH_STATES * NODES + shared, LAYER1 + 1), 65536 // (LAYER1 + 1),
                             dtype=np.int64)
        self.apm_byte = apm_rows(NODES * 256)                            # context: node, last byte
        self.apm_order2 = apm_rows(1 << 16)                              # context: node, last 2 bytes, hashed
        self.apm_order3 = apm_rows(1 << 16)                              # context: node, last 3 bytes, hashed
        self.match_table = np.zeros(1 << match_bits, dtype=np.int64)
        self.match_prob = np.full(LENGTH_BUCKETS, 3 << 14, dtype=np.int64)   # P(the match is right)
        self.match_count = np.zeros(LENGTH_BUCKETS, dtype=np.int64)
        self.settings = np.array([config.mixer_rate, config.apm_rate, config.state_limit, config.match_min_len,
                                config.final_rate, config.net_rate, config.match_model, config.wht_network,
                                config.apm, config.mixer_boost, config.final_boost_bytes,
                                _layer1(config), config.final_boost, config.run_inputs, config.surprise,
                                config.order2_by_depth, config.final_by_position, config.final_shared_rows,
                                NODES * sets if config.layer1_shared_rows else 0, config.deterministic_inputs,
                                *config.input_rates, int(config.mixer_init * 65536)],
                               dtype=np.int64)
        self.learned = np.zeros(1, dtype=np.int64)   # bytes learned so far, all blocks: the mixers' schedule
        self._pending = None   # (symbols, quarter, step, active) of a round not yet learned

    def starting_weights(self) -> np.ndarray:
        """[width] int64: each layer-1 weight's start, which every row of `mixer` holds it less: config.mixer_init
        (16-bit fixed point) on the contexts', the match's and the runs' inputs (the runs' at 0: +0.16% at -9), 0
        on the bias and on the deterministic inputs (at 0.03: +0.02% at -9)."""
        contexts = len(self.kinds)
        weights = np.full(self.width, self.settings[P_MIXER_START], dtype=np.int64)
        weights[contexts + 1] = 0
        if self.config.deterministic_inputs:
            weights[self.width - contexts:] = 0
        return weights

    def start_block(self, layout: LaneLayout) -> None:
        """Begin a block: fresh lane histories; everything learned so far is kept."""
        self._learn_pending()
        lanes, contexts = layout.lanes, len(self.kinds)
        self.stride = layout.stride
        self.lane_lengths = layout.lane_lengths()
        self.history = np.zeros(lanes * layout.stride, dtype=np.uint8)   # the block so far, lane-major
        if self.learned[0]:
            self.match_table[:] = 0   # its positions index the previous block's history (a fresh one is
                                      # zero already: writing its zeros would map all of it)
        self.lane_state = np.zeros((lanes, LANE_STATE_WIDTH), dtype=np.int64)  # see hashing.next_byte_contexts
        self.keys = np.zeros((lanes, contexts), dtype=np.int64)
        _start_lanes(self.lane_state, self.kinds, self.keys, self.history)
        self.match_ptr = np.zeros(lanes, dtype=np.int64)
        self.match_len = np.zeros(lanes, dtype=np.int64)
        self.high = np.zeros(lanes, dtype=np.int64)                      # the high nibble, once coded
        self.prefix = np.zeros(lanes, dtype=np.int64)                    # the nibble's first two bits
        self.slots = np.zeros((lanes, contexts), dtype=np.int64)          # per context: its slot, and
        self.tags = np.zeros((lanes, contexts), dtype=np.int64)           # its check tag,
        self.byte_slots = np.zeros((lanes, contexts), dtype=np.int64)     # the byte's first slot (runs.py)
        self.lane_runs = np.zeros((lanes, contexts), dtype=np.int64)      # and the run it held
        self.inputs = np.zeros((lanes, 16, self.width), dtype=np.int64)  # per node j = 1..15
        self.p_mix = np.zeros((lanes, 16), dtype=np.int64)
        self.rows = np.zeros((lanes, 16, LAYER1), dtype=np.int64)        # layer-1 weight sets used
        self.logits = np.zeros((lanes, 16, LAYER1 + 1), dtype=np.int64)  # their outputs and the net's
        self.net_u = np.zeros((lanes, 16, WIDTH), dtype=np.int64)        # the net's pre-activations
        self.net_h = np.zeros((lanes, 16, WIDTH), dtype=np.int64)        # and activations
        self.net_x = np.zeros((lanes, 16, WIDTH), dtype=np.int64)        # and inputs (_net_inputs)
        self.apm_point = np.zeros((lanes, 16), dtype=np.int64)
        self.match_bit = np.zeros((lanes, 16), dtype=np.int64)         # per node: 0 off the match's path,
                                                                        # 1 + the bit it expects
        self.p_final = np.zeros((lanes, 16), dtype=np.int64)
        self.freqs = np.zeros((lanes, 4), dtype=np.int64)
        self.step, self.quarter = 0, 0
        self.active = self.lane_lengths > 0
        self._all_active = int(self.lane_lengths.min())   # steps before the first lane ends
        self.kernel_state = _kernel_state(self)

    def predict(self) -> np.ndarray:
        """-> [B, 4] int64 frequencies (rows sum to 2^24 - 4) of the next two bits."""
        pending = self._pending or (_NO_SYMBOLS, 0, 0, self.active)
        _step(self._pending is not None, *pending, True, self.quarter, self.step, self.active, self.kernel_state)
        self._pending = None
        return self.freqs

    def update(self, symbols: np.ndarray) -> None:
        """Learn the two-bit symbols [B] (int32) just coded (ignored for lanes that have ended).

        The learning runs in the same compiled call as the next prediction (one call per round).
        """
        self._learn_pending()
        self._pending = (symbols, self.quarter, self.step, self.active)
        if self.quarter < 3:
            self.quarter += 1
        else:
            self.quarter, self.step = 0, self.step + 1
            if self.step >= self._all_active:
                self.active = self.lane_lengths > self.step

    def _learn_pending(self) -> None:
        if self._pending is not None:
            _step(True, *self._pending, False, self.quarter, self.step, self.active, self.kernel_state)
            self._pending = None


@kernel
def _start_lanes(lane_state, kinds, keys, history):
    """A lane's first keys are those after a single 0 byte (at step -1); then its state starts empty."""
    for b in range(keys.shape[0]):
        next_byte_contexts(b, 0, -1, lane_state, kinds, keys, history, 0)
        match_contexts(b, -1, 0, 0, kinds, keys)
        lane_state[b, :] = 0


def _layer1(config: ModelConfig) -> int:
    """Weight sets in use (settings[P_LAYER1]): the first 4, then the history sets the config has."""
    if not config.history_sets:
        return LAYER1 - HISTORY_SETS
    return LAYER1 if config.order3_set else LAYER1 - 1


@njit(inline="always")
def _deterministic_input(probability, state):
    """A context's deterministic input (config.deterministic_inputs): its state map's 16-bit probability of a 1,
    linear, where its bit history at the node has seen one bit value only; BIAS where it has seen nothing (a bias
    of its own for each context that does not know the node: -0.13% more at -9 on enwik8_1M); else 0."""
    if state == 0:
        return BIAS
    return ((probability >> 4) - 2048) >> DETERMINISTIC_SHIFT if STATE_ONLY[state] != 0 else 0


@njit(inline="always")
def _gap_selector(lane_state, b):
    """The gap set's selector: the gap's last two bytes and the current word's length (lane state 11
    and 12, hashing.next_byte_contexts), hashed to 256 values. It stays the same while a word is
    coded, as the context wordgap does; in place of the byte before the last (format 9): -0.14% on
    enwik8_4M at -6, -0.10% at -9 on enwik8_1M, -0.20% on alice29."""
    return np.int64(mix(lane_state[b, 11] & 0xFFFF, lane_state[b, 12]) >> np.uint64(56))


@njit(inline="always")
def _pattern_selector(table, slots, b, j):
    """The pattern set's selector (PATTERN_CONTEXTS): per context i = 1..6, 0 if its slot has not seen
    node j, 1 if it has seen one bit value only, 2 if both, times 3^(i - 1)."""
    pattern = 0
    weight = 1
    for i in range(1, min(PATTERN_CONTEXTS + 1, slots.shape[1])):
        state = table[slots[b, i], j] if slots[b, i] >= 0 else 0
        if state != 0:
            pattern += weight * (1 if STATE_ONLY[state] != 0 else 2)
        weight *= 3
    return pattern


@njit(inline="always")
def _order3_selector(last_bytes):
    return np.int64(mix(last_bytes & 0xFFFFFF, 9) >> np.uint64(54))   # 10 bits: ORDER3_SELECTORS


@njit(inline="always")
def _node(half, high, j):
    """Byte-tree node (0..254) of nibble-tree node j (1..15)."""
    return j - 1 if half == 0 else 15 + high * 15 + j - 1


@njit(inline="always")
def _row(weight_set, selector, node):
    """The layer-1 row of `node` in the weight set chosen by `selector`."""
    return (weight_set + selector) * NODES + node


@njit(inline="always")
def _layer1_shared_row(row, first_shared):
    """The row shared by all nodes (config.layer1_shared_rows) of the selector that chose layer-1 row `row`; the
    shared rows start at row `first_shared` (settings[P_LAYER1_SHARED]). A row per node and selector learns only
    from the bits coded at its node; beside it, this one learns from every node's."""
    return first_shared + row // NODES


@njit(inline="always")
def _final_row(match_row, position):
    """The second layer's row: one per node and match state, numbered like the match set's rows, in the
    block of `position` (_final_position)."""
    return match_row - MATCH_SET * NODES + position * (MATCH_STATES * NODES)


@njit(inline="always")
def _final_shared_rows(layer1_rows, node, by_position):
    """The second layer's three rows shared by all match states and positions (config.final_shared_rows): one by
    the pattern and one by the text state (the selectors of the first layer's sets, `layer1_rows`), each shared by
    all nodes, then one by `node`, in blocks after the rows of the match states and positions. Rows shared by all
    nodes learn from every bit: by pattern and node, and text state and node (format 16), -9 made enwik8_1M 0.18%
    larger."""
    base = (FINAL_POSITIONS if by_position else 1) * (MATCH_STATES * NODES)
    return (base + _selector(layer1_rows[3], PATTERN_SET), base + PATTERNS + _selector(layer1_rows[2], TEXT_SET),
            base + PATTERNS + TEXT_STATES + node)


@njit(inline="always")
def _selector(row, weight_set):
    """The selector value that chose a layer-1 row of `weight_set` (_row's inverse)."""
    return row // NODES - weight_set


@njit(inline="always")
def _final_position(lane_state, b, by_position):
    """Where lane b's next byte stands, for the second layer (config.final_by_position; else 0): the current
    word's length so far (0..3) and the innermost open bracket. The linear second layer weighs the sets
    otherwise alike at a word's first letter and deep inside it, in a link and in prose."""
    if not by_position:
        return 0
    return min(lane_state[b, 12], 3) + 4 * _bracket_rank(lane_state[b, 5] & 255)


@njit(inline="always")
def _bracket_rank(bracket):
    """0 for none, else 1 + the bracket's index in OPEN_BRACKETS."""
    rank = 0
    for k in range(len(OPEN_BRACKETS)):
        if bracket == OPEN_BRACKETS[k]:
            rank = k + 1
    return rank


@njit(inline="always")
def _order2_selector(last_bytes):
    return np.int64(mix(last_bytes & 0xFFFF, 7) >> np.uint64(54))   # 10 bits: ORDER2_SELECTORS


@njit(inline="always")
def _apm_hashed_row(context, half, high, j):
    """The row of an APM of 2^16 rows by a hashed context (the last 2 or 3 bytes) and the node: rows of
    one nibble's 15 nodes are adjacent, one block of 16 rows per hashed context."""
    block = np.int64(mix(context, half * 17 + high) >> np.uint64(52))
    return block * 16 + j


@njit(inline="always")
def _net_inputs(logits, x, width, y):
    """The WHT network's 16 inputs: the first layer's LAYER1 logits (0 for sets not in use), then the
    first inputs of the mixers (the contexts' logits, shortest orders first; 0 past the `width`
    inputs). It learns what the linear second layer cannot: how the sets' opinions interact."""
    for i in range(WIDTH):
        y[i] = logits[i] if i < LAYER1 else (x[i - LAYER1] if i - LAYER1 < width else 0)


@njit(inline="always")
def _text_state(last_bytes, bracket):
    """The text set's selector: the innermost open bracket (none, [, {, <, () and the coarse classes of the
    last three bytes (hashing.byte_class 0..5): where in a word, a number or the markup the byte is.
    In place of bracket x in-word (format 7): -0.43% at -9 on enwik8_1M, -0.69% at -6 on enwik8_4M."""
    state = _bracket_rank(bracket)
    for k in range(3):
        state = state * 6 + min(byte_class((last_bytes >> (8 * k)) & 255), 5)
    return state


@njit(inline="always")
def _depth(j):
    return 0 if j < 2 else (1 if j < 4 else (2 if j < 8 else 3))


@njit(inline="always")
def _top(pair, prefix):
    """The first of a round's nodes: the nibble tree's root, or the depth-2 node below the prefix."""
    return 1 if pair == 0 else 4 + prefix


# A round's three nodes, as bits of predict_round's `wanted`: its first node, then the first node's 0- and 1-child.
TOP_NODE, ZERO_CHILD, ONE_CHILD = 1, 2, 4
ALL_NODES = TOP_NODE | ZERO_CHILD | ONE_CHILD


@njit
def predict_round(quarter, step, active, wanted, m):
    """Predict the nodes `wanted` [B] (bits of ALL_NODES) of the round (quarter of the byte at `step`) and fill m.freqs
    [B, 4] from the round's three probabilities; lanes not `active` get [TOTAL, 0, 0, 0].

    A symbol's interval depends on the first node and on the child on its side only (quantise.py), so the step
    routine asks for the first node, codes the first bit, then asks for that child (rounds.py): a node that is not
    wanted keeps its probability from an earlier round, which moves only the other side's two entries. A first node
    must be wanted in the first call of a round that starts a nibble: that call finds the nibble's slots."""
    (stride, high, prefix, keys, table, table_mask, slots, tags, state_prob, state_logit, mixer, final, rows,
     logits, net, net_u, net_h, apm_order3, apm_byte, apm_order2, match_ptr, match_len, history, match_prob,
     lane_state, inputs, p_mix, apm_point, match_bit, p_final, freqs, settings, runs, lane_runs, run_prob,
     net_x, mixer_updates) = (
        m.stride, m.high, m.prefix, m.keys, m.table, m.table_mask, m.slots, m.tags, m.state_prob, m.state_logit,
        m.mixer, m.final, m.rows, m.logits, m.net, m.net_u, m.net_h, m.apm_order3, m.apm_byte, m.apm_order2,
        m.match_ptr, m.match_len, m.history, m.match_prob, m.lane_state, m.inputs, m.p_mix, m.apm_point,
        m.match_bit, m.p_final, m.freqs, m.settings, m.runs, m.lane_runs, m.run_prob, m.net_x, m.mixer_updates)
    lanes, contexts = keys.shape
    use_net, use_apm, use_runs = settings[P_NET] != 0, settings[P_APM] != 0, settings[P_RUNS] != 0
    width = inputs.shape[2]
    layer1 = settings[P_LAYER1]               # weight sets in use (the rest give logit 0)
    by_depth = settings[P_ORDER2_BY_DEPTH] != 0
    by_position = settings[P_FINAL_BY_POSITION] != 0
    shared_rows = settings[P_FINAL_SHARED_ROWS] != 0
    layer1_shared = settings[P_LAYER1_SHARED]
    deterministic = width - contexts if settings[P_DETERMINISTIC] else 0   # the first deterministic input (0: none)
    mixer_start = settings[P_MIXER_START]
    half, pair = quarter >> 1, quarter & 1
    if pair == 0:
        # A new nibble: ask for every lane's buckets and for the rows its nodes will read (the weight sets' and the
        # APMs': all are known before the slots are), then find the slots. The loads are in flight together while
        # the core works on (prefetch.py); a bucket's tag compare would otherwise wait for each in turn.
        for b in range(lanes):
            if active[b] and wanted[b] & TOP_NODE:
                salt = 0 if half == 0 else high[b] + 1
                for i in range(contexts):
                    index, _ = slot_hash(keys[b, i], salt)
                    bucket = index & table_mask & ~np.int64(BUCKET - 1)
                    prefetch(table, bucket * SLOT_BYTES)
                    if use_runs and half == 0:
                        prefetch(runs, bucket)
        for b in range(lanes):
            if active[b] and wanted[b] & TOP_NODE:
                first = _node(half, high[b], 1)
                last_byte = lane_state[b, 0] & 255
                _prefetch_rows(mixer, mixer_updates, _row(BYTE_SET, last_byte, first), 15)
                _prefetch_rows(mixer, mixer_updates, _row(TEXT_SET, _text_state(lane_state[b, 0],
                                                                                 lane_state[b, 5] & 255), first), 15)
                if layer1 > LAYER1 - HISTORY_SETS:
                    _prefetch_rows(mixer, mixer_updates, _row(GAP_SET, _gap_selector(lane_state, b), first), 15)
                    # By depth, the order-2 set's nibble has 4 rows (half * 4 + depth), else 15 (one per node).
                    _prefetch_rows(mixer, mixer_updates, _row(ORDER2_SET, _order2_selector(lane_state[b, 0]),
                                                              half * 4 if by_depth else first), 4 if by_depth else 15)
                if layer1 == LAYER1:
                    _prefetch_rows(mixer, mixer_updates, _row(ORDER3_SET, _order3_selector(lane_state[b, 0]), first), 15)
                order2_row = _apm_hashed_row(lane_state[b, 0] & 0xFFFF, half, high[b], 1)
                order3_row = _apm_hashed_row(lane_state[b, 0] & 0xFFFFFF, half, high[b], 1)
                for k in range(0, 15 * POINTS, 32):   # 32 uint16 points: one cache line
                    prefetch(apm_order2, order2_row * POINTS + k)
                    prefetch(apm_order3, order3_row * POINTS + k)
                    prefetch(apm_byte, (last_byte * NODES + first) * POINTS + k)
        for b in range(lanes):
            if active[b] and wanted[b] & TOP_NODE:
                salt = 0 if half == 0 else high[b] + 1
                for i in range(contexts):
                    slots[b, i], tags[b, i] = find_slot(table, table_mask, keys[b, i], salt)
                    if use_runs and half == 0:
                        lane_runs[b, i] = np.int64(runs[slots[b, i]]) if slots[b, i] >= 0 else 0
    for b in range(lanes):
        if not active[b]:
            freqs[b, :] = 0
            freqs[b, 0] = TOTAL
            continue
        # The match model's expected nibble, if its byte agrees with what is coded so far.
        expected = -1
        byte = expected_byte(b, step, stride, match_ptr, match_len, history)
        if byte >= 0:
            if half == 0:
                expected = byte >> 4
            elif byte >> 4 == high[b]:
                expected = byte & 15
        length = match_len[b]
        match_logit = STRETCH[match_prob[min(length, LENGTH_BUCKETS - 1)] >> 4]
        last_byte = lane_state[b, 0] & 255
        gap = _gap_selector(lane_state, b)
        order2 = _order2_selector(lane_state[b, 0])
        order3 = _order3_selector(lane_state[b, 0])
        top = _top(pair, prefix[b])
        text_state = _text_state(lane_state[b, 0], lane_state[b, 5] & 255)
        position = _final_position(lane_state, b, by_position)
        for t in range(3):   # the pattern set's rows of the round's nodes: asked for while their inputs are worked out
            if not wanted[b] >> t & 1:
                continue
            j = top if t == 0 else 2 * top + t - 1
            rows[b, j, 3] = _row(PATTERN_SET, _pattern_selector(table, slots, b, j), _node(half, high[b], j))
            _prefetch_rows(mixer, mixer_updates, rows[b, j, 3], 1)
        for t in range(3):
            if not wanted[b] >> t & 1:
                continue
            j = top if t == 0 else 2 * top + t - 1
            x = inputs[b, j]
            depth = _depth(j)
            for i in range(contexts):
                slot = slots[b, i]
                state = table[slot, j] if slot >= 0 else 0
                # A context that has not seen the node says nothing (its state map's value for state 0
                # would be the average of all unseen nodes, a bias the mixers must learn to cancel).
                x[i] = state_logit[i, state] if state != 0 else 0
                if deterministic:
                    x[deterministic + i] = _deterministic_input(state_prob[i, state], state)
                if use_runs:
                    run = lane_runs[b, i]
                    expects = run_bit(run, half, high[b], j, depth)
                    x[contexts + 2 + i] = 0
                    if expects != 0:
                        # Halved: at full scale 33 more inputs made the mixers noisier on small files.
                        run_logit = STRETCH[run_prob[i, run_entry(run, expects, STATE_ONLY[state])] >> 4] >> 1
                        x[contexts + 2 + i] = run_logit if expects == 2 else -run_logit
            match_state = 0
            x[contexts] = 0
            match_bit[b, j] = 0
            if expected >= 0 and (16 | expected) >> (4 - depth) == j:
                bit = ((16 | expected) >> (3 - depth)) & 1
                x[contexts] = match_logit if bit else -match_logit
                match_bit[b, j] = 1 + bit
                match_state = 1 if length < LONG_MATCH else 2
            x[contexts + 1] = BIAS
            node = _node(half, high[b], j)
            rows[b, j, 0] = _row(MATCH_SET, match_state, node)
            rows[b, j, 1] = _row(BYTE_SET, last_byte, node)
            rows[b, j, 2] = _row(TEXT_SET, text_state, node)
            rows[b, j, 4] = _row(GAP_SET, gap, node)
            rows[b, j, 5] = _row(ORDER2_SET, order2, half * 4 + depth if by_depth else node)
            rows[b, j, 6] = _row(ORDER3_SET, order3, node)
            start = _start_dot(x, contexts, deterministic if deterministic else width, mixer_start)
            for k in range(layer1):
                logits[b, j, k] = mix_dot(mixer, rows[b, j, k], x, width, start)
                if layer1_shared:
                    # The mean of the node's row and the selector's row shared by all nodes.
                    shared = mix_dot(mixer, _layer1_shared_row(rows[b, j, k], layer1_shared), x, width, start)
                    logits[b, j, k] = (logits[b, j, k] + shared) >> 1
            logits[b, j, LAYER1] = 0
            if use_net:
                _net_inputs(logits[b, j], x, width, net_x[b, j])
                logits[b, j, LAYER1] = net_forward(net, node, net_x[b, j], WIDTH, net_u[b, j], net_h[b, j])
            logit = mix_dot(final, _final_row(rows[b, j, 0], position), logits[b, j], LAYER1 + 1, 0)
            if shared_rows:
                # The mean: beside the row of one match state and position, rows that learn from all of them.
                for row in _final_shared_rows(rows[b, j], node, by_position):
                    logit += mix_dot(final, row, logits[b, j], LAYER1 + 1, 0)
                logit >>= 2
            p = np.int64(SQUASH[logit + 2048])
            p_mix[b, j] = p
            if use_apm:
                p_byte, point = apm_refine(apm_byte, last_byte * NODES + node, logit)
                order2_row = _apm_hashed_row(lane_state[b, 0] & 0xFFFF, half, high[b], j)
                order3_row = _apm_hashed_row(lane_state[b, 0] & 0xFFFFFF, half, high[b], j)
                p_order2, _ = apm_refine(apm_order2, order2_row, logit)
                p_order3, _ = apm_refine(apm_order3, order3_row, logit)
                apm_point[b, j] = point
                p = (p + 2 * p_byte + 3 * p_order2 + 2 * p_order3 + 4) >> 3
            p_final[b, j] = min(max(p, 1), 4095)
        pair_frequencies(p_final, freqs, b, top)


@njit(inline="always")
def _prefetch_rows(mixer, mixer_updates, row, count):
    """Ask for `count` consecutive layer-1 rows from `row` on, and for their update counts (learn_round)."""
    width = mixer.shape[1]
    for k in range(0, count * width, 16):   # 16 int32 weights: one cache line
        prefetch(mixer, row * width + k)
    prefetch(mixer_updates, row)
    prefetch(mixer_updates, row + count - 1)


@njit(inline="always")
def _start_dot(x, contexts, first_deterministic, start):
    """The layer-1 inputs x' dot product with the weights' start (Predictor.starting_weights): `start` on the
    contexts' and the match's inputs, x[:contexts + 1], and on the runs', x[contexts + 2:first_deterministic]."""
    total = np.int64(0)
    for i in range(contexts + 1):
        total += x[i]
    for i in range(contexts + 2, first_deterministic):
        total += x[i]
    return total * start


@njit(inline="always")
def _stepped_inputs(x, contexts, use_runs, settings, stepped):
    """The first layer's inputs times their steps (config.input_rates, in quarters): the contexts' stretch inputs
    x[:contexts], their run inputs x[contexts + 2:2 * contexts + 2] where use_runs, and the rest."""
    for i in range(stepped.shape[0]):
        if i < contexts:
            rate = settings[P_RATE_CONTEXTS]
        elif use_runs and contexts + 2 <= i < 2 * contexts + 2:
            rate = settings[P_RATE_RUNS]
        else:
            rate = settings[P_RATE_OTHERS]
        stepped[i] = x[i] * rate


@njit
def learn_round(quarter, step, active, symbols, m):
    """Learn the round's two-bit symbols [B] of the `active` lanes, in lane order."""
    (stride, high, prefix, keys, kinds, table, slots, tags, state_prob, state_logit, state_count, mixer, final,
     rows, logits, net, net_u, net_h, apm_order3, apm_byte, apm_order2, match_ptr, match_len, history,
     match_table, match_prob, match_count, lane_state, inputs, p_mix, apm_point, match_bit, learned, settings,
     runs, byte_slots, lane_runs, run_prob, run_count, mixer_updates, net_x) = (
        m.stride, m.high, m.prefix, m.keys, m.kinds, m.table, m.slots, m.tags, m.state_prob, m.state_logit,
        m.state_count, m.mixer, m.final, m.rows, m.logits, m.net, m.net_u, m.net_h, m.apm_order3, m.apm_byte,
        m.apm_order2, m.match_ptr, m.match_len, m.history, m.match_table, m.match_prob, m.match_count,
        m.lane_state, m.inputs, m.p_mix, m.apm_point, m.match_bit, m.learned, m.settings, m.runs, m.byte_slots,
        m.lane_runs, m.run_prob, m.run_count, m.mixer_updates, m.net_x)
    lanes, contexts = keys.shape
    width = inputs.shape[2]
    surprise = settings[P_SURPRISE]
    layer1 = settings[P_LAYER1]               # weight sets in use (the rest give logit 0)
    half, pair = quarter >> 1, quarter & 1
    apm_rate, state_limit = settings[P_APM_RATE], settings[P_STATE_LIMIT]
    use_runs = settings[P_RUNS] != 0
    by_position = settings[P_FINAL_BY_POSITION] != 0
    shared_rows = settings[P_FINAL_SHARED_ROWS] != 0
    layer1_shared = settings[P_LAYER1_SHARED]
    # The mixers learn fast at first, then settle to their rate: a layer-1 row by its own updates
    # (ROW_WARMUP), the second layer by the bytes coded so far.
    boost, half_life = settings[P_BOOST], settings[P_FINAL_BOOST_BYTES]
    final_rate = settings[P_FINAL_RATE] + settings[P_FINAL_BOOST] * half_life // (half_life + learned[0])
    grad = np.empty(WIDTH, dtype=np.int64)
    stepped = np.empty(width, dtype=np.int64)
    for b in range(lanes):
        if not active[b]:
            continue
        symbol = symbols[b]
        if pair == 0:
            for i in range(contexts):
                slot = slots[b, i]
                if slot < 0:
                    slot = -slot - 1
                    slots[b, i] = slot
                if use_runs:
                    if table[slot, 0] != tags[b, i]:
                        runs[slot] = 0   # (claim_slot is about to give the slot to another context)
                    if half == 0:
                        byte_slots[b, i] = slot
                claim_slot(table, slot, tags[b, i])
        last_byte = lane_state[b, 0] & 255
        position = _final_position(lane_state, b, by_position)
        bucket = min(match_len[b], LENGTH_BUCKETS - 1)
        j = _top(pair, prefix[b])
        for t in range(2):
            bit = (symbol >> (1 - t)) & 1
            depth = _depth(j)
            for i in range(contexts):
                slot = slots[b, i]
                state = table[slot, j]
                if use_runs:
                    expects = run_bit(lane_runs[b, i], half, high[b], j, depth)
                    if expects != 0:
                        entry = run_entry(lane_runs[b, i], expects, STATE_ONLY[state])
                        n = run_count[i, entry]
                        hit = 1 if expects == 1 + bit else 0
                        run_prob[i, entry] += (((hit << 16) - run_prob[i, entry]) * RECIPROCAL[n]) >> 16
                        if n < RUN_COUNT_LIMIT:
                            run_count[i, entry] = n + 1
                n = state_count[i, state]
                state_prob[i, state] += (((bit << 16) - state_prob[i, state]) * RECIPROCAL[n]) >> 16
                state_logit[i, state] = STRETCH[state_prob[i, state] >> 4]
                if n < state_limit:
                    state_count[i, state] = n + 1
                table[slot, j] = STATE_NEXT[state, bit]
            if match_bit[b, j] != 0:
                hit = 1 if match_bit[b, j] == 1 + bit else 0
                n = match_count[bucket]
                match_prob[bucket] += (((hit << 16) - match_prob[bucket]) * RECIPROCAL[n]) >> 16
                if n < 1023:
                    match_count[bucket] = n + 1
            node = _node(half, high[b], j)
            # Weight sets and the network learn from surprises only (config.surprise).
            _stepped_inputs(inputs[b, j], contexts, use_runs, settings, stepped)
            for k in range(layer1):
                error = (bit << 12) - SQUASH[logits[b, j, k] + 2048]
                if abs(error) > surprise:
                    row = rows[b, j, k]
                    updates = np.int64(mixer_updates[row])
                    mixer_updates[row] = min(updates + 1, ROW_UPDATES_CAP)
                    rate = settings[P_MIXER_RATE] + boost * ROW_WARMUP // (ROW_WARMUP + updates)
                    mix_train(mixer, row, stepped, width, error, rate, STEPPED_SHIFT)
                    if layer1_shared:
                        # Without the boost: a shared row is trained often from the start (with it +0.01%).
                        mix_train(mixer, _layer1_shared_row(row, layer1_shared), stepped, width, error,
                                  settings[P_MIXER_RATE], STEPPED_SHIFT)
            error = (bit << 12) - SQUASH[logits[b, j, LAYER1] + 2048]
            if settings[P_NET] and abs(error) > surprise:
                net_train(net, node, net_x[b, j], WIDTH, net_u[b, j], net_h[b, j], error, settings[P_NET_RATE], grad)
            final_error = (bit << 12) - p_mix[b, j]
            mix_train(final, _final_row(rows[b, j, 0], position), logits[b, j], LAYER1 + 1, final_error, final_rate,
                      RATE_SHIFT)
            if shared_rows:
                for row in _final_shared_rows(rows[b, j], node, by_position):
                    mix_train(final, row, logits[b, j], LAYER1 + 1, final_error, final_rate, RATE_SHIFT)
            if settings[P_APM]:
                apm_train(apm_byte, last_byte * NODES + node, apm_point[b, j], bit, apm_rate)
                apm_train(apm_order2, _apm_hashed_row(lane_state[b, 0] & 0xFFFF, half, high[b], j), apm_point[b, j],
                          bit, apm_rate)
                apm_train(apm_order3, _apm_hashed_row(lane_state[b, 0] & 0xFFFFFF, half, high[b], j),
                          apm_point[b, j], bit, apm_rate)
            j = 2 * j + bit
        if pair == 0:
            prefix[b] = symbol
        elif half == 0:
            high[b] = (prefix[b] << 2) | symbol
    if quarter == 3:
        # The byte is complete: every lane's byte joins the history before any match looks at it.
        for b in range(lanes):
            if active[b]:
                byte = (high[b] << 4) | (prefix[b] << 2) | symbols[b]
                history[b * stride + step] = byte
                learned[0] += 1
                if use_runs:
                    for i in range(contexts):
                        slot = byte_slots[b, i]
                        runs[slot] = run_after_byte(np.int64(runs[slot]), byte)
        for b in range(lanes):
            if active[b]:
                next_byte_contexts(b, history[b * stride + step], step, lane_state, kinds, keys, history, b * stride)
                if settings[P_MATCH]:
                    match_after_byte(b, step, stride, lane_state[b, 0], settings[P_MATCH_MIN], match_ptr, match_len,
                                     history, match_table)
                match_contexts(b, expected_byte(b, step + 1, stride, match_ptr, match_len, history), match_len[b],
                               lane_state[b, 0] & 255, kinds, keys)


@kernel
def _step(learn, symbols, quarter_learned, step_learned, active_learned, predict, quarter, step, active, m):
    """Learn the last round's symbols, then predict the next round: one call per round (predict()/update(),
    which tests and experiments use; the codec runs rounds.code_steps). m: KernelState."""
    if learn:
        learn_round(quarter_learned, step_learned, active_learned, symbols, m)
    if predict:
        predict_round(quarter, step, active, np.full(active.shape[0], ALL_NODES), m)
