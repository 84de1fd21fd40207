"""Model configuration and the presets -1..-9.

A preset fully determines the predictor, so the archive stores only the preset number (see
docs/FORMAT.md). Changing a model value of an existing preset changes what a decoder must compute
and therefore requires a new FORMAT_VERSION. The lanes (max_lanes, min_lane_len) and the block
size (block_log) are the encoder's choice, written into every frame and block header: changing
them changes the archives an encoder writes, not the format.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ModelConfig:
    # (+0.0012) beside a value: enwik8_4M codes that many bits/byte worse with the value named, from
    # benchmarks.ablation.run_variant(Path("../shared/data/enwik8_4M"), {"apm_rate": 6}) against {}
    # (format 4 at 16 lanes, 1.6880 with every value as it is).
    # Hashed context memory: 16-byte slots of bit histories (one nibble's tree), 4 per bucket.
    table_bits: int = 24          # 2^24 slots = 256 MiB (22: +0.0316)
    # Chosen for format 3 by leaving each out on enwik8_1M (contexts.md then) and on the Canterbury
    # texts: beside o7, o6 earns 0.0001 bits/byte for 7% of the time; column earns 0.0018 on enwik8
    # but 0.03 on line-wrapped prose (alice29, lcet10, plrabn12, run_variant without it). The
    # network reads the first 9 (wht.py). The indirect ind2 (format 5) earns 0.0051 bits/byte on
    # enwik8_4M for 6% of the speed; ind1 and ind1o2 would earn 0.0032 more for 7% more, which
    # -7..-9 spend (model_candidates/indirect_4M.md).
    # The text's shape (format 8: the classes of the last 7 bytes, hashing.byte_class) earns 0.38% on
    # enwik8_4M at -6 for about 5% of the speed. Format 9 puts intag and wordgap, steady within a word,
    # in the place of skip and tag: -0.51% on enwik8_4M at the same speed (model_candidates/README.md).
    # Format 10 adds the last heading (headword), the section's topic: -0.42% on enwik8_4M, -0.2% on
    # Markdown. With format 10's pattern set, -6 codes enwik8_1M 0.49% smaller and about 9% slower.
    # Format 13 adds the page's title (titleword), and parentheses and emphasis to the markup's state
    # (hashing.py): -0.89% on enwik8_4M at -6 (in-process).
    contexts: tuple[str, ...] = ("o2", "o3", "o4", "o5", "o7", "word", "words", "words3", "markup", "tagword",
                                 "lineword", "column", "ind2", "shape", "intag", "wordgap", "headword",
                                 "titleword")
    lane_contexts: tuple[str, ...] = ("o3", "word", "markup")  # also kept per lane: recent statistics
    state_limit: int = 255        # a state map's rate 1/(n+1.5) stops falling at n = 255 (127: +0.0013)
    # Components that can be left out, to measure what they add (benchmarks/ablation.py).
    match_model: bool = True
    wht_network: bool = True
    apm: bool = True
    history_sets: bool = True     # two more layer-1 weight sets, chosen by the gap before the word (format 9; until
                                  # then the byte before the last) and the last two bytes (benchmarks/results/
                                  # ablation.md: -0.009 bits/byte on 1M and 4M), and the order-3 set where the
                                  # preset has it
    order3_set: bool = False      # a seventh layer-1 weight set, chosen by the last three bytes hashed
    layer1_shared_rows: bool = False  # each layer-1 set's logit is the mean of its row's and a row of the same
                                      # selector shared by all nodes (format 18, -7..-9: -0.35% at -9 on
                                      # enwik8_1M; at -6 -0.25% on enwik8_4M for 14% of its speed, coded in
                                      # turn with it off; -1 0.00%)
    order2_by_depth: bool = False  # the order-2 set's rows by the node's depth and nibble, not by node: 8 rows
                                   # per selector learn faster than 255 where the inputs are many (-9)
    # Match model over the lane's own history.
    match_min_len: int = 6        # bytes that must agree before a match predicts
    match_bits: int = 20          # match hash table entries (8 bytes each)
    # Logistic mixing, two layers: weight sets per node selected by small contexts, then mixed.
    mixer_rate: int = 4           # step in 1/16384ths of input * error (12-bit)
    mixer_boost: int = 96         # added to a weight set's rate at first, halved after predictor.ROW_WARMUP
                                  # updates of the set's row: weights start far from right (format 5, by
                                  # bytes coded, not per row: enwik8_4M +0.14%, fields.c +1.1%)
    mixer_init: float = 0.1       # initial weight of each context input and of the match input: with 17
                                  # inputs, 0.3 began far too confident (+0.0091); -7..-9's 49 to 143 inputs
                                  # start at 0.03 (format 12, with mixer_boost 48: -0.43% at -9 on enwik8_1M)
    run_inputs: bool = False      # each context also predicts the byte that followed it last (runs.py)
    deterministic_inputs: bool = False  # each context also gives its probability, linear, where its bit history
                                        # has seen one bit value only, and a bias where it has seen nothing (format
                                        # 19, -8 and -9 since format 20: -0.41% at -9 on enwik8_1M, -0.29% on the
                                        # Canterbury texts at -9; at -6 -0.42% on enwik8_4M for 18% of its speed,
                                        # coded in turn with it off: not taken)
    # The first layer's step for each kind of input, in quarters of mixer_rate's: the contexts' stretch inputs,
    # their run inputs, the rest (match, bias, deterministic). Where the run and deterministic inputs sit beside
    # the stretch ones, they want larger steps and the stretch ones smaller (format 23, -9: (3, 8, 4) -0.10% on
    # enwik8_1M; -7, without them, +0.08%; -6 the same bytes within 4 per 300 kB).
    input_rates: tuple[int, int, int] = (4, 4, 4)
    final_rate: int = 1           # step of the second layer, which mixes the first layer's logits (2: +0.0007)
    final_by_position: bool = False  # the second layer's rows also by where the byte stands: the current word's
                                     # length (0..3) and the innermost open bracket (format 15, -7..-9: -0.12% at
                                     # -7 and -9 on enwik8_1M; at -1 +0.57%, -6 on enwik8_4M -0.05%)
    final_shared_rows: bool = True  # the second layer's logit is the mean of four rows': its row of the match state
                                    # and position, and three shared by them all: one by the pattern and one by the
                                    # text state, each shared by all nodes, and one by the node (format 16 at -7..-9,
                                    # the first two also by node: -0.22% at -9 on enwik8_1M; format 17, at all
                                    # presets: -0.18% more at -9, -0.42% at -6 on enwik8_4M for about 5% of its
                                    # speed, -0.41% at -1)
    final_boost: int = 4          # added to it at first, halved after final_boost_bytes bytes coded:
    final_boost_bytes: int = 5000  # its three sets per node start far apart (0: grammar.lsp 0.4% larger)
    surprise: int = 256           # errors (12-bit) up to this teach the layer-1 sets and the network nothing:
                                  # skipping such small steps saves time (-6 on enwik8_1M: 128 saves 20 bytes,
                                  # 0.01%; -7..-9 use 64; benchmarks/results/model_candidates/README.md)
    net_rate: int = 48            # step of the WHT network (wht.py), the eighth input of the second layer
    apm_rate: int = 7             # APM points move 2^-7 of the way to each bit (6: +0.0012)
    # Lanes: the block is cut into B contiguous segments coded in lockstep (benchmarks/results/lanes_presets.md).
    max_lanes: int = 4            # cap on B: more lanes cost more bits and, up to a point, less time per byte. -5
                                  # and -6 coded 8 until nncompress 0.20: in 4, -6 codes enwik8_4M 0.26% smaller
                                  # at about 5% of its speed (model_candidates/README.md, format 20)
    min_lane_len: int = 4096      # fewer lanes on small inputs, so they still learn
    block_log: int = 24           # 16 MiB blocks bound memory on unbounded streams

    def __post_init__(self):
        if not 0 <= self.state_limit < 1024:
            raise ValueError("state_limit must be 0..1023 (tables.RECIPROCAL)")
        if not 1 <= self.match_min_len <= 7:
            raise ValueError("match_min_len must be 1..7 (a lane's history holds 7 bytes)")
        if self.final_boost_bytes < 1:
            raise ValueError("final_boost_bytes must be at least 1")
        if len(self.input_rates) != 3 or not all(1 <= rate <= 64 for rate in self.input_rates):
            raise ValueError("input_rates must be three steps of 1..64 quarters")

    @property
    def block_size(self) -> int:
        return 1 << self.block_log


DEFAULT_PRESET = 6

# -1: fastest and smallest memory; -9: strongest. Speed is set mostly by the number of contexts
# (benchmarks/results/contexts.md) and by the lanes: a round's memory loads for B lanes are in
# flight together, so fewer lanes cost speed, more the fewer lanes there are, and save bits
# (benchmarks/results/lanes_presets.md). Coded in turn on enwik8_4M (format 20), 8 lanes, not 16, made
# -1 0.82% smaller for 10% of its time, -2 0.52% for 3% and -3 0.39% for 8%: -2 and -3 code 8 since
# format 21, and -1, the fastest, keeps 16 (benchmarks/results/model_candidates/README.md, format 21).
PRESETS: dict[int, ModelConfig] = {}
_BASE = ModelConfig()
PRESETS[1] = replace(_BASE, contexts=("o2", "o3", "o4", "word", "shape"), lane_contexts=("o2",), table_bits=20,
                     max_lanes=16)
PRESETS[2] = replace(_BASE, contexts=("o2", "o3", "o4", "o6", "word", "markup", "column", "shape", "wordgap"),
                     lane_contexts=("o2", "word"), table_bits=22, max_lanes=8)
PRESETS[3] = replace(_BASE, contexts=("o2", "o3", "o4", "o6", "word", "words", "markup", "column", "shape", "intag",
                                      "wordgap"), table_bits=23, max_lanes=8)
# -4 is -5 without the four contexts that earn it least (benchmarks/results/contexts_5.md: markup, lineword, column
# and the lane-local word): on enwik8_1M 0.15% larger than -5 at 16% more speed (benchmarks/results/enwik8_1M.md).
# Until format 21 it was -5 in 16 lanes: no faster than -5 in 4, and 0.6% larger.
PRESETS[4] = replace(_BASE, contexts=tuple(c for c in _BASE.contexts if c not in ("markup", "lineword", "column")),
                     lane_contexts=("o3", "markup"), table_bits=23)
PRESETS[5] = replace(_BASE, table_bits=23)
PRESETS[6] = _BASE
# -7..-9 add what the default leaves out for speed: the byte above, two more indirect contexts,
# four sparse ones (-0.0063 bits/byte on enwik8_1M at -9), seven of words, brackets and columns
# (-0.0083 and -0.0078 more) and two of the match model's expected byte (-0.0043)
# (benchmarks/results/contexts.md). -9 adds the run inputs (-0.0078 at -9, also -0.2% on alice29 and
# lcet10). Format 7 adds the last 10 and 20 bytes, a seventh weight set (the last three bytes), the
# order-2 set by depth and surprise 64: together -0.39% on enwik8_1M at
# -9, -0.35% at -8 and -0.34% at -7, for 15% of the speed (in-process; at -6 they do not pay).
# Format 8 adds two more of the text's shape: -0.18% at -9. Format 9 keeps tag and skip here, and
# adds two more contexts steady within a word: with intag and wordgap, -0.32% at -9. Format 12 starts
# the first layer's weights at 0.03, not 0.1, with half the boost: -0.43% at -9. Format 13 adds the
# title with the last two words (titlewords). Format 14 adds four of the sentence (its first word, its
# length, the last name in it) and the previous word's stem: -0.11% at -9, -0.09% on the Canterbury
# texts (at -6, -0.13% on enwik8_4M for 6% of the speed: not taken there). Format 15 chooses the
# second layer's rows also by the word's length and the innermost bracket (final_by_position). Format 16
# adds to each of its rows three shared by all of them (final_shared_rows; all presets since format 17). Format 18
# gives each first-layer row a twin shared by all nodes (layer1_shared_rows). Format 19 gives the mixers each
# context's probability in the linear domain too, where its bit history is deterministic (deterministic_inputs).
# All in benchmarks/results/model_candidates/README.md.
# Format 22 adds two of the next word: the word that followed the previous word last time, and its letter at the
# current word's length (followword, followletter): -0.13% at -9 on enwik8_1M, -0.11% on the Canterbury texts (at -6,
# -0.12% on enwik8_4M for 6% of its speed, coded in turn: not taken there).
# -7..-9 code one lane (the best ratio; lane-local contexts would repeat the shared ones) with 31 more contexts and
# richer mixing. Format 20 made them a ladder: each level leaves out what costs -9 the most time for the least
# (benchmarks/results/ablation_leave_out_9.md): -8 the run inputs, -7 also the deterministic inputs, with a table half
# the size. Until then -7 and -8 had coded 4 and 2 lanes with lane-local contexts: -8 was slower than -9 and larger.
_STRONG = replace(_BASE, contexts=_BASE.contexts + ("above", "ind1", "ind1o2", "sparse2", "sparse23", "sparse13",
                                                    "sparse24", "prevwords", "markupo2", "linecol", "tagcol",
                                                    "markupword", "wordabove", "prevword", "matchlen", "matcho1",
                                                    "o10", "o20", "shapeword", "shape12", "tag", "skip", "linegap",
                                                    "prevgap", "titlewords", "sentword", "prevstem", "nameword",
                                                    "sentpos", "followword", "followletter"),
                  lane_contexts=(), max_lanes=1, table_bits=25, match_bits=22, run_inputs=True, surprise=64,
                  order3_set=True, order2_by_depth=True, mixer_init=0.03, mixer_boost=48, final_by_position=True,
                  layer1_shared_rows=True, deterministic_inputs=True)
PRESETS[7] = replace(_STRONG, run_inputs=False, deterministic_inputs=False, table_bits=24, match_bits=20)
PRESETS[8] = replace(_STRONG, run_inputs=False)
# Format 23 gives -9 alone the input rates above, and two contexts of the last words' classes (classes, classes2:
# hashing.word_class): together with the run counts' limit (runs.RUN_COUNT_LIMIT) -0.18% on enwik8_1M, -0.12% on the
# Canterbury texts. At -7 the classes earned 0.03% for 7% of its speed, the rates cost 0.08%.
# Format 24 gives -9 a table of 2^26 slots, not 2^25 (1 GiB; its peak memory grows from 1.4 to 2.0 GiB): enwik8_4M
# -0.25%, enwik8_1M -0.03% in-process; 2^27 would earn 0.08% more on enwik8_4M for 1.1 GiB more. A frame of one
# short block still sizes its table for its length (sized_table_bits), so small inputs are not affected.
# Format 25 gives -9 the phrase inside brackets (phrase: a link's target, a template's field): enwik8_1M -0.11%, enwik8_4M
# -0.13% in-process, the Canterbury texts -0.01%.
PRESETS[9] = replace(_STRONG, contexts=_STRONG.contexts + ("classes", "classes2", "phrase"), input_rates=(3, 8, 4),
                     table_bits=26)


def preset_config(level: int) -> ModelConfig:
    if level not in PRESETS:
        raise ValueError(f"preset must be 1..9, not {level}")
    return PRESETS[level]
