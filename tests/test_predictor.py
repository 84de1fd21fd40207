"""Predictor contracts: exact frequencies, encoder/decoder lockstep, learning, and the tables."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from numba import njit

from nncompress import compress, decompress
from nncompress.codec import encode_block
from nncompress.config import preset_config
from nncompress.hashing import CONTEXT_CODES, LANE_STATE_WIDTH, match_contexts, next_byte_contexts
from nncompress.lanes import LaneLayout, choose_lanes
from nncompress.predictor import (BIAS, DETERMINISTIC_SHIFT, FINAL_POSITIONS, MATCH_SET, MATCH_STATES, NODES,
                                  ORDER3_SELECTORS, ORDER3_SET, P_LAYER1_SHARED, PATTERN_SET, PATTERNS, TEXT_SET,
                                  TEXT_STATES, Predictor, _final_position, _final_shared_rows, _layer1_shared_row,
                                  _pattern_selector, _row, _start_dot, _stepped_inputs, _text_state, only_block,
                                  sized_table_bits)
from nncompress.quantise import TOTAL
from nncompress.runs import MAX_RUN, run_after_byte, run_bit
from nncompress.tables import SQUASH, STATE_COUNTS, STATE_NEXT, STATE_ONLY, STRETCH
from nncompress.wht import wht16

from .helpers import english_like

# Small tables keep these tests fast; every component stays on.
SMALL = replace(preset_config(6), table_bits=14, match_bits=12, max_lanes=4, min_lane_len=64)
SMALL_STRONG = replace(preset_config(9), table_bits=14, match_bits=12, max_lanes=4, min_lane_len=64)   # + runs


def _run(config, data: bytes, lanes: int, predictor: Predictor | None = None):
    """Frequencies [steps, 4, B, 4] the predictor gives while it learns `data`, two bits at a time."""
    layout = LaneLayout(len(data), lanes)
    grid = layout.split(data).astype(np.int32)
    predictor = predictor or Predictor(config)
    predictor.start_block(layout)
    rows = []
    for step in range(layout.stride):
        for quarter in range(4):
            rows.append(predictor.predict().copy())
            predictor.update((grid[:, step] >> (6 - 2 * quarter)) & 3)
    return np.array(rows).reshape(layout.stride, 4, lanes, 4)


@pytest.mark.parametrize("config", [SMALL, SMALL_STRONG], ids=["default", "strong"])
def test_two_predictors_fed_the_same_symbols_agree_bit_for_bit(config):
    # The lossless guarantee: the decoder's predictor, fed the decoded symbols, must produce the
    # very frequencies the encoder's produced. Any model change must keep this test green.
    data = english_like(3000, seed=7) + bytes(range(256))
    a = _run(config, data, 4)
    b = _run(config, data, 4)
    assert np.array_equal(a, b)
    # ... and the test can fail: one different byte early on changes what follows.
    c = _run(config, data[:100] + b"#" + data[101:], 4)
    assert not np.array_equal(a[30:], c[30:])


@pytest.mark.parametrize("config", [SMALL, SMALL_STRONG], ids=["default", "strong"])
def test_blocks_carry_the_same_state_on_both_sides(config):
    # What one block leaves behind (learned weights, the last round's pending update, the match
    # table, the runs) must be the same for the encoder and the decoder; a repeat across blocks
    # exercises it.
    first = english_like(2000, seed=3)
    second = first[500:1500] + bytes(range(100))
    runs = []
    for _ in range(2):
        predictor = Predictor(config)
        _run(config, first, 4, predictor)
        runs.append(_run(config, second, 2, predictor))
    assert np.array_equal(*runs)
    fresh = _run(config, second, 2)
    assert not np.array_equal(runs[0], fresh)    # the second block did learn from the first


def test_frequencies_are_exact_and_positive():
    rows = _run(SMALL, english_like(800, seed=8) + bytes(range(256)), 4)
    assert rows.dtype == np.int64
    assert np.all(rows >= 0)
    assert np.all(rows.sum(axis=-1) == TOTAL)


def test_model_learns_repeated_text():
    data = b"the quick brown fox jumps over the lazy dog. " * 40
    rows = _run(SMALL, data, 1)
    symbols = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    cost = np.zeros(len(data))
    for quarter in range(4):
        freqs = rows[:, quarter, 0, :][np.arange(len(data)), (symbols >> (6 - 2 * quarter)) & 3]
        cost -= np.log2((freqs + 1) / 2**24)
    assert np.mean(cost[-200:]) < 0.3 < 4 < np.mean(cost[:45])


def test_lane_choice():
    cfg = preset_config(6)
    assert choose_lanes(1, cfg) == 1
    assert choose_lanes(cfg.min_lane_len * 2, cfg) == 2
    assert choose_lanes(10**9, cfg) == cfg.max_lanes
    layout = LaneLayout(10, 4)
    assert layout.lane_lengths().tolist() == [3, 3, 3, 1]
    data = bytes(range(10))
    assert layout.join(layout.split(data)) == data


def test_squash_and_stretch_are_monotone_inverses():
    assert np.all(np.diff(SQUASH) >= 0) and SQUASH[0] >= 0 and SQUASH[-1] <= 4095
    assert SQUASH[2048] == 2048                       # squash(0) = 1/2
    for p in range(1, 4095):
        assert SQUASH[STRETCH[p] + 2048] >= p         # stretch is squash's inverse from above
        assert STRETCH[p] == -2047 or SQUASH[STRETCH[p] - 1 + 2048] < p


def test_bit_history_states_count_and_discount():
    assert STATE_COUNTS[0].tolist() == [0, 0]
    s = 0
    for _ in range(5):
        s = STATE_NEXT[s, 1]
    assert STATE_COUNTS[s].tolist() == [0, 5]
    s = STATE_NEXT[s, 0]                              # a surprise halves the other count
    assert STATE_COUNTS[s].tolist() == [1, 3]


@njit
def _wht_twice(v):
    wht16(v)
    wht16(v)


def test_wht_is_its_own_inverse_up_to_n():
    v = np.random.default_rng(0).integers(-2047, 2048, 16)
    w = v.copy()
    _wht_twice(w)
    assert np.array_equal(w, 16 * v)


@pytest.mark.parametrize("overrides", [
    dict(state_limit=1024), dict(match_min_len=8), dict(final_boost_bytes=0)])
def test_configs_the_kernels_cannot_run_are_refused(overrides):
    with pytest.raises(ValueError):
        replace(preset_config(6), **overrides)


@njit
def _state_and_keys_after(text, kinds):
    """-> (lane 0's state [1, LANE_STATE_WIDTH], its keys of `kinds`) after the bytes of `text`."""
    lane_state = np.zeros((1, LANE_STATE_WIDTH), dtype=np.int64)
    keys = np.zeros((1, kinds.shape[0]), dtype=np.int64)
    for step in range(text.shape[0]):
        next_byte_contexts(0, text[step], step, lane_state, kinds, keys, text, 0)
    return lane_state, keys[0]


def _key(kind: str, text: bytes) -> int:
    return int(_state_and_keys_after(np.frombuffer(text, dtype=np.uint8), np.array([CONTEXT_CODES[kind]]))[1][0])


def test_structure_contexts_see_what_they_claim():
    # tag: the first word after the last open bracket (and the last two bytes), whatever came between
    assert _key("tag", b"[[Paris]] is") == _key("tag", b"{{paris|capital}} is")
    assert _key("tag", b"[[Paris]] is") != _key("tag", b"[[Rome]] is")
    # above: the byte in the previous line at the next byte's column (and the last byte)
    assert _key("above", b"ab\ncd\nx") == _key("above", b"zz\nqd\nx")
    assert _key("above", b"ab\ncd\nx") != _key("above", b"ab\ncq\nx")
    assert _key("above", b"ab\nc\nxy") == _key("above", b"ab\nd\nxy")    # past the line's end: nothing above
    # lineword: the line's first byte with the current word
    assert _key("lineword", b"\n* big") != _key("lineword", b"\n# big")
    assert _key("lineword", b"\n* big") == _key("lineword", b"\n*a big")


def test_format5_contexts_see_what_they_claim():
    # indirect: the last byte (or two) and what followed its earlier occurrences, not what came between
    assert _key("ind1", b"ax..a") == _key("ind1", b"ax,,a")
    assert _key("ind1", b"ax..a") != _key("ind1", b"ay..a")
    assert _key("ind2", b"abx..ab") == _key("ind2", b"abx;;ab")
    assert _key("ind2", b"abx..ab") != _key("ind2", b"aby..ab")
    assert _key("ind1o2", b"bx.ab") != _key("ind1o2", b"by.ab")
    # sparse: bytes further back, whatever lies between or after them
    assert _key("sparse2", b"xab") == _key("sparse2", b"yac")
    assert _key("sparse2", b"xab") != _key("sparse2", b"xbb")
    assert _key("sparse23", b"abc") == _key("sparse23", b"abd")
    assert _key("sparse13", b"axyb") == _key("sparse13", b"zxqb")
    assert _key("sparse13", b"axyb") != _key("sparse13", b"ayyb")
    assert _key("sparse24", b"axbz") == _key("sparse24", b"aybq")
    # words, brackets and columns
    assert _key("prevwords", b"red big cat") == _key("prevwords", b"red big dog")
    assert _key("prevwords", b"red big cat") != _key("prevwords", b"red bog cat")
    assert _key("markupo2", b"[[a]] [x ab") == _key("markupo2", b"[y ab")
    assert _key("markupword", b"{{cite web") == _key("markupword", b"{{x}} {{cite web")
    assert _key("markupword", b"{{cite web") != _key("markupword", b"[[cite web")
    assert _key("linecol", b"\n* abc") == _key("linecol", b"\n*wxyz")
    assert _key("linecol", b"\n* abc") != _key("linecol", b"\n# abc")
    assert _key("tagcol", b"[[Paris]]\nab") == _key("tagcol", b"{{paris}}\nxy")
    assert _key("wordabove", b"ab\ncd\nx") != _key("wordabove", b"ab\ncq\nx")
    assert _key("prevword", b"red cat x") == _key("prevword", b"big red cat x")
    assert _key("prevword", b"red cat x") != _key("prevword", b"red dog x")


def test_long_orders_see_exactly_their_bytes():
    # o10, o20: the last 10 (20) bytes, whatever came before them; bytes before the lane's start are 0
    ten, twenty = b"abcdefghij", b"0123456789abcdefghij"
    assert _key("o10", b"xy" + ten) == _key("o10", b"zw" + ten)
    assert _key("o10", ten) != _key("o10", b"X" + ten[1:])      # the 10th byte back counts
    assert _key("o10", ten) != _key("o10", ten[:9] + b"!")      # and the last
    assert _key("o20", b"x" + twenty) == _key("o20", b"y" + twenty)
    assert _key("o20", twenty) != _key("o20", b"!" + twenty[1:])
    assert _key("o10", twenty) != _key("o20", twenty)
    assert _key("o10", ten[:3]) == _key("o10", b"\0" * 7 + ten[:3])   # as if the lane began with zeros


def test_shape_contexts_see_classes_not_letters():
    # shape: the classes of the last 7 bytes and the last byte itself
    assert _key("shape", b"xx The cat") == _key("shape", b"yy Abc dot")
    assert _key("shape", b"xx The cat") != _key("shape", b"xx the cat")    # case is a class
    assert _key("shape", b"xx The cat") != _key("shape", b"xx The caz")    # the last byte counts
    assert _key("shape", b"[[a|b]] x") == _key("shape", b"((a=b)) x")     # punctuation by role
    assert _key("shape", b"[[a|b]] x") != _key("shape", b"[[a,b]] x")
    # shapeword: the classes and the current word, case folded
    assert _key("shapeword", b"xx the Cat") == _key("shapeword", b"yy abc Cat")
    assert _key("shapeword", b"xx the Cat") != _key("shapeword", b"xx the Cab")
    # shape12: 12 bytes as letters by case, digits, the rest (also before the lane's start); the last byte
    assert _key("shape12", b"Zz abcdefg, hi") == _key("shape12", b"Qq hijklmn. hi")
    assert _key("shape12", b"Zz abcdefg, hi") != _key("shape12", b"Qq hijklmN. hi")
    assert _key("shape12", b"ab") == _key("shape12", b"...........ab")


def test_gap_contexts_stay_the_same_within_a_word():
    # wordgap: the gap before the current word (up to 4 bytes), the word's length and the two innermost brackets
    assert _key("wordgap", b"xx, the") == _key("wordgap", b"yy, cat") == _key("wordgap", b"zzz, Dog")
    assert _key("wordgap", b"xx, the") != _key("wordgap", b"xx. the")    # the gap counts
    assert _key("wordgap", b"xx, the") != _key("wordgap", b"xx, them")   # and the length
    assert _key("wordgap", b"a [[b the") != _key("wordgap", b"a {{b the")
    assert _key("wordgap", b"x 1, ab") != _key("wordgap", b"x 2, ab")            # the gap's last 4 bytes
    assert _key("wordgap", b"x 12345, ab") == _key("wordgap", b"y 99945, ab")    # ... and no more
    # linegap: the gap, the length and the line's first byte
    assert _key("linegap", b"*a, xyz") == _key("linegap", b"*bb, abc") != _key("linegap", b"#a, xyz")
    # intag: the tag and the open brackets, whatever comes after the tag
    assert _key("intag", b"{{cite web|title=ab") == _key("intag", b"{{cite book|x")
    assert _key("intag", b"{{cite web|title=ab") != _key("intag", b"[[cite web|title=ab")
    assert _key("intag", b"{{cite web|title=ab") != _key("intag", b"{{quote web|title=ab")
    # prevgap: the previous word and the gap, not the current word
    assert _key("prevgap", b"x the, ab") == _key("prevgap", b"y The, cd") != _key("prevgap", b"y the. cd")


def test_heading_context_reads_the_last_heading_line():
    # headword: the last line that began with = or # (wiki, Markdown), the current word and the last byte
    assert _key("headword", b"== Life ==\nHe was bo") == _key("headword", b"== Life ==\n\nx\ny. He was bo")
    assert _key("headword", b"== Life ==\nHe was bo") != _key("headword", b"== Work ==\nHe was bo")
    assert _key("headword", b"# Life\nHe was bo") != _key("headword", b"== Life ==\nHe was bo")
    assert _key("headword", b"== Life ==\nabc bo") != _key("headword", b"== Life ==\nabc bx")
    assert _key("headword", b"x\n a = b\nabc bo") == _key("headword", b"abc bo")   # = inside a line: no heading
    assert _key("headword", b"== Life ==\n== Work") == _key("headword", b"== Life ==\nWork")  # until its newline


def test_title_contexts_read_the_last_title():
    # titleword: the text after the last <title> up to the next <, the current word and the last byte
    page = b"<page><title>Paris</title><text>The ci"
    assert _key("titleword", page) == _key("titleword", b"<title>Paris</title>x\n== Life ==\nthe ci")
    assert _key("titleword", page) != _key("titleword", page.replace(b"Paris", b"Rome"))
    assert _key("titleword", page) != _key("titleword", page.replace(b"<title>", b"<titel>"))
    assert _key("titleword", page) != _key("titleword", page[:-1] + b"o")
    assert _key("titleword", b"<title>A</title>x y") == _key("titleword", b"<title>A<b>B</b>x y")  # up to the <
    # titlewords: the title with the current and the previous word
    assert _key("titlewords", b"<title>A</title> big ca") != _key("titlewords", b"<title>A</title> red ca")
    assert _key("titlewords", b"<title>A</title> big ca") == _key("titlewords", b"<title>A</title>. Big, ca")


def test_sentence_contexts_read_the_sentence_so_far():
    # sentword: the sentence's first word (. ! ? or a newline end a sentence), the current word, the last byte
    assert _key("sentword", b"x. The cat sa") == _key("sentword", b"Oh!\nthe dog, sa")
    assert _key("sentword", b"x. The cat sa") != _key("sentword", b"x. A cat sa")
    assert _key("sentword", b"x. The cat sa") != _key("sentword", b"x. The cat sb")
    assert _key("sentword", b"The cat. Sa") == _key("sentword", b"Sa")   # within its first word: none yet
    # sentpos: how many words the sentence has had (up to 7), the previous word, the current word
    assert _key("sentpos", b"a. red ca") != _key("sentpos", b"a. b red ca")
    assert _key("sentpos", b"a b c d e f red ca") == _key("sentpos", b"a b c d e f g red ca")
    # nameword: the last capitalised word that did not begin its sentence, the current word, the last byte
    assert _key("nameword", b"x. I met Anna. She sa") == _key("nameword", b"We saw anna Anna. Then sa")
    assert _key("nameword", b"x. I met Anna. She sa") != _key("nameword", b"x. I met Bob. She sa")
    assert _key("nameword", b"x. I met. Anna sa") == _key("nameword", b"x. I met. Bob sa")   # first words are no names
    # prevstem: the previous word's first 5 letters (case folded) and the current word, not the last byte
    assert _key("prevstem", b"x played ca") == _key("prevstem", b"y Players ca")
    assert _key("prevstem", b"x played ca") != _key("prevstem", b"x prayed ca")
    assert _key("prevstem", b"x played ca") == _key("prevstem", b"x played, ca")


def test_follow_contexts_read_the_word_that_followed_the_previous_word():
    # followword: the word that followed the previous word last time ("red" -> "cat"), the current word, the last byte
    assert _key("followword", b"a red cat. A red ca") == _key("followword", b"x Red cat, y red ca")
    assert _key("followword", b"a red cat. A red ca") != _key("followword", b"a red dog. A red ca")
    assert _key("followword", b"a red cat. A red ca") != _key("followword", b"a red cat. A red cb")
    assert _key("followword", b"a red cat. A red cat red dog. red ca") == _key("followword", b"red dog. red ca")  # last
    # followletter: that word's letter at the current word's length, while the current word agrees with it
    # (case folded), and the current word
    assert _key("followletter", b"red cat. red ca") == _key("followletter", b"x Red Cat, red Ca")
    assert _key("followletter", b"red cat. red ca") != _key("followletter", b"red cab. red ca")
    assert _key("followletter", b"red cat. red ca") != _key("followletter", b"red cot. red ca")  # disagrees: none
    assert _key("followletter", b"red cot. red ca") == _key("followletter", b"red ca")           # as none before
    assert _key("followletter", b"red cat. red cat") != _key("followletter", b"red cats. red cat")  # the byte after it
    assert _key("followletter", b"red cat. red ") != _key("followletter", b"red dog. red ")      # its first letter


def test_class_contexts_read_short_words_as_themselves_and_longer_ones_by_their_ending():
    # classes: the last three words' classes, the current word and the last byte; classes2: the last two and the word
    base = b"x the running fast ca"
    for kind in ("classes", "classes2"):
        assert _key(kind, base) == _key(kind, b"x the jumping last ca")   # -ng, -st: the same classes
        assert _key(kind, base) == _key(kind, b"x the runniNG fast ca")   # the ending case folded...
        assert _key(kind, base) != _key(kind, b"x the Running fast ca")   # ... but a capital counts
        assert _key(kind, base) != _key(kind, b"x the running fact ca")   # the ending
        assert _key(kind, base) != _key(kind, b"x the run fast ca")       # a short word is itself
        assert _key(kind, base) != _key(kind, b"x the running fast cb")   # the current word
    assert _key("classes", base) != _key("classes", b"x a running fast ca")     # three words back
    assert _key("classes2", base) == _key("classes2", b"x a running fast ca")   # two back
    assert _key("classes", base) != _key("classes", b"x the running fast c")    # the last byte


def test_phrase_context_reads_the_bytes_since_the_last_bracket_inside_brackets_only():
    # phrase: the bytes since the last bracket, | or newline, with the innermost open bracket; outside brackets 0
    link = _key("phrase", b"see [[United Sta")
    assert link == _key("phrase", b"other text, [[United Sta")       # whatever came before the bracket
    assert link == _key("phrase", b"a {{x|y}} [[United Sta")
    assert link != _key("phrase", b"see [[united Sta")               # the bytes as they are
    assert link != _key("phrase", b"see [[United St")                # every byte of the phrase
    assert link != _key("phrase", b"see {{United Sta")               # the innermost bracket
    assert _key("phrase", b"[[a|United Sta") == _key("phrase", b"[[b|United Sta")   # | starts a phrase
    assert _key("phrase", b"{{a\nUnited Sta") == _key("phrase", b"{{b\nUnited Sta")  # so does a newline
    outside = _key("phrase", b"see United Sta")
    assert outside == _key("phrase", b"[[a]] other text") == _key("phrase", b"x") != link


def test_markup_state_knows_parentheses_and_emphasis():
    # parentheses are brackets (markup: the two innermost open ones and the last byte)...
    assert _key("markup", b"a (b x") != _key("markup", b"a b x")
    assert _key("markup", b"a (b) x") == _key("markup", b"a b x")
    # ... but a word after one is not a tag
    assert _key("tag", b"[[Paris]] (near it") == _key("tag", b"[[Paris]] near it")
    # emphasis: '' italics, ''' bold, ''''' both, each ended by a newline; " or &quot; quote until an empty line
    plain = _key("markup", b"a b x")
    italic, bold = _key("markup", b"''a b x"), _key("markup", b"'''a b x")
    assert len({plain, italic, bold, _key("markup", b"'''''a b x")}) == 4
    assert _key("markup", b"''a'' b x") == plain == _key("markup", b"''a\nb x")
    assert _key("markup", b"'''''a''' b x") == italic
    quoted = _key("markup", b'"a b x')
    assert quoted == _key("markup", b"&quot;a b x") == _key("markup", b'"a\nb x') != plain
    assert _key("markup", b'"a\n\nb x') == plain == _key("markup", b'"a" b x')
    # the emphasis reaches wordgap and markupo2 too
    assert _key("wordgap", b"''x, ab") != _key("wordgap", b"x, ab")
    assert _key("markupo2", b"''x, ab") != _key("markupo2", b"x, ab")


def test_second_layer_position_reads_the_word_length_and_the_innermost_bracket():
    def position(text: bytes) -> int:
        lane_state, _ = _state_and_keys_after(np.frombuffer(text, dtype=np.uint8), np.zeros(0, dtype=np.int64))
        return _final_position(lane_state, 0, True)
    assert position(b"a b") == 1 and position(b"a bcdefg") == 3 and position(b"a bc ") == 0   # length, to 3
    assert position(b"x [[ab") == 2 + 4 * 1 and position(b"{{a|[[bc]] d") == 1 + 4 * 2   # innermost: [ { < (
    assert position(b"<a (b") == 1 + 4 * 4 and position(b"<a (b) c") == 1 + 4 * 3
    lane_state, _ = _state_and_keys_after(np.frombuffer(b"[[ab", dtype=np.uint8), np.zeros(0, dtype=np.int64))
    assert _final_position(lane_state, 0, False) == 0   # presets without final_by_position: one block


@pytest.mark.parametrize("by_position", [True, False])
def test_second_layer_shared_rows_follow_the_position_rows(by_position):
    """final_shared_rows: a row per pattern and one per text state, each shared by all nodes, then a row per node,
    in that order after every row of the match states and positions, and each in its own block."""
    config = replace(preset_config(9), final_by_position=by_position, table_bits=16, match_bits=16)
    final = Predictor(config).final
    base = (FINAL_POSITIONS if by_position else 1) * MATCH_STATES * NODES
    assert Predictor(replace(config, final_shared_rows=False)).final.shape[0] == base

    def shared(pattern, text_state, node):
        rows = np.array([0, 0, _row(TEXT_SET, text_state, node), _row(PATTERN_SET, pattern, node)])
        return _final_shared_rows(rows, node, by_position)
    assert shared(0, 0, 0) == (base, base + PATTERNS, base + PATTERNS + TEXT_STATES)
    assert shared(5, 7, 0)[:2] == shared(5, 7, NODES - 1)[:2]   # the same rows for every node
    last = shared(PATTERNS - 1, TEXT_STATES - 1, NODES - 1)
    assert last == (base + PATTERNS - 1, base + PATTERNS + TEXT_STATES - 1, final.shape[0] - 1)


def test_first_layer_shared_rows_follow_the_node_rows():
    """layer1_shared_rows: after every set's rows by selector and node, one row per selector, shared by all nodes."""
    config = replace(preset_config(9), table_bits=16, match_bits=16)
    predictor = Predictor(config)
    first = predictor.settings[P_LAYER1_SHARED]
    assert first == NODES * (ORDER3_SET + ORDER3_SELECTORS) and predictor.mixer.shape[0] == first + first // NODES
    assert _layer1_shared_row(_row(TEXT_SET, 7, 0), first) == _layer1_shared_row(_row(TEXT_SET, 7, NODES - 1), first)
    assert _layer1_shared_row(_row(MATCH_SET, 0, 3), first) == first
    assert _layer1_shared_row(_row(ORDER3_SET, ORDER3_SELECTORS - 1, NODES - 1), first) == predictor.mixer.shape[0] - 1
    unshared = Predictor(replace(config, layer1_shared_rows=False))
    assert unshared.settings[P_LAYER1_SHARED] == 0 and unshared.mixer.shape[0] == first


def test_pattern_reads_what_contexts_2_to_7_know_of_the_node():
    zeros = STATE_NEXT[0, 0]                   # a bit history that has seen a 0
    both = STATE_NEXT[zeros, 1]                # then a 1
    table = np.zeros((9, 16), dtype=np.uint8)   # slot k holds context k's histories
    node = 5
    table[:, node] = [both, 0, zeros, both, STATE_NEXT[0, 1], 0, both, both, zeros]
    slots = np.arange(9, dtype=np.int64)[None, :]
    # context 0 and those after the 7th do not count; digits: unseen 0, one bit value 1, both 2
    assert _pattern_selector(table, slots, 0, node) == 0 + 1 * 3 + 2 * 9 + 1 * 27 + 0 * 81 + 2 * 243
    slots[0, 3] = -1                            # a context without a slot has seen nothing
    assert _pattern_selector(table, slots, 0, node) == 0 + 1 * 3 + 0 * 9 + 1 * 27 + 0 * 81 + 2 * 243
    assert _pattern_selector(np.full((9, 16), both, dtype=np.uint8), np.arange(9)[None, :], 0, node) == PATTERNS - 1
    assert _pattern_selector(table, slots[:, :3], 0, node) == 0 + 1 * 3   # presets with fewer contexts


def test_text_state_reads_the_bracket_and_three_classes():
    def state(text: bytes, bracket: int = 0):
        return _text_state(int.from_bytes(text[-7:][::-1], "little"), bracket)
    assert state(b"abc") == state(b"xyz") != state(b"abC")
    assert state(b"a, b") == state(b"a. b") != state(b"a1 b")   # punctuation folded into one class
    assert state(b"abc") != state(b"abc", ord("[")) != state(b"abc", ord("<"))
    assert len({state(b"abc", k) for k in b"\0[{<("}) == 5              # ( too, since format 13
    assert state(b"abc", ord("|")) == state(b"abc")                 # | is no bracket
    assert len({state(bytes([a, b, c]), k) for a in b"a1 .\n" for b in b"A " for c in b"z|" for k in b"\0[{<("}) == 100


def test_match_contexts_see_the_expected_byte():
    def keys(expected, length, last_byte):
        kinds = np.array([CONTEXT_CODES["matchlen"], CONTEXT_CODES["matcho1"]])
        out = np.zeros((1, 2), dtype=np.int64)
        match_contexts(0, expected, length, last_byte, kinds, out)
        return out[0].tolist()
    # matchlen: the expected byte (or none) and the length up to 15, not the last byte
    assert keys(65, 3, 10)[0] == keys(65, 3, 11)[0]
    assert len({keys(65, 3, 10)[0], keys(66, 3, 10)[0], keys(65, 4, 10)[0], keys(-1, 0, 10)[0]}) == 4
    assert keys(65, 15, 10)[0] == keys(65, 400, 10)[0]
    # matcho1: the expected byte (or none) and the last byte, not the length
    assert keys(65, 3, 10)[1] == keys(65, 9, 10)[1]
    assert len({keys(65, 3, 10)[1], keys(66, 3, 10)[1], keys(65, 3, 11)[1], keys(-1, 0, 10)[1]}) == 4


def test_a_frame_of_one_short_block_sizes_its_tables_for_it():
    config = preset_config(6)
    contexts = len(config.contexts) + len(config.lane_contexts)
    # 4 slots per context and byte: 4000 bytes at -6 -> 336,000 -> 2^19; 4 match entries per byte: 2^14,
    # raised to 2^16
    predictor = Predictor(config, only_block=4000)
    assert 4 * contexts * 4000 <= predictor.table.shape[0] < 8 * contexts * 4000
    assert predictor.table_mask == predictor.table.shape[0] - 1 and predictor.table.shape[0] == 1 << 19
    assert predictor.match_table.shape[0] == 1 << 16
    assert sized_table_bits(config, contexts, 50_000) == (23, 18)
    assert sized_table_bits(config, contexts, 6) == (16, 16)   # never below 2^16
    assert sized_table_bits(config, contexts, None) == (config.table_bits, config.match_bits)
    assert sized_table_bits(config, contexts, 1 << 23) == (config.table_bits, config.match_bits)   # never above
    runs = Predictor(preset_config(9), only_block=4000)
    assert runs.runs.shape[0] == runs.table.shape[0]


@pytest.mark.parametrize("length, expected", [(4095, 4095), (4096, None), (1, 1)])
def test_only_a_first_block_shorter_than_a_block_is_the_only_one(length, expected):
    assert only_block(length, 4096) == expected


def test_a_short_frame_decodes_with_tables_sized_like_the_encoders():
    """Tables of another size would put contexts in other slots: the decoder must size them alike."""
    data = english_like(3000)
    archive = compress(data, preset=1)
    assert decompress(archive) == data
    config = preset_config(1)
    _, sized = encode_block(Predictor(config, only_block=len(data)), data)
    _, full = encode_block(Predictor(config), data)
    assert sized in archive and full != sized


def test_a_run_grows_on_its_byte_and_restarts_on_another():
    run = 0
    for length in range(1, MAX_RUN + 3):
        run = run_after_byte(run, 0x41)
        assert run == (min(length, MAX_RUN) << 8) | 0x41
    assert run_after_byte(run, 0x42) == (1 << 8) | 0x42


def test_a_run_predicts_the_nodes_on_its_bytes_path_only():
    run = (3 << 8) | 0xA5                      # 1010 0101
    depth = {1: 0, 2: 1, 3: 1, 5: 2, 6: 2}
    # node j's path is j's bits after the leading 1: the root, "0", "1", "01", "10"
    assert [run_bit(run, 0, 0, j, depth[j]) for j in (1, 2, 3, 5, 6)] == [2, 0, 1, 0, 2]
    assert run_bit(run, 1, 0xA, 1, 0) == 1     # the low nibble 0101 once the high one was 1010
    assert run_bit(run, 1, 0xB, 1, 0) == 0     # not once the high nibble differs
    assert run_bit(0, 0, 0, 1, 0) == 0         # no run


def _after_abxab(config, data=b"abXab"):
    """A predictor of one lane that has learned `data` ("abXab") and predicted the next byte's first two bits."""
    predictor = Predictor(config)
    predictor.start_block(LaneLayout(len(data) + 1, 1))
    for byte in data:
        for quarter in range(4):
            predictor.predict()
            predictor.update(np.array([(byte >> (6 - 2 * quarter)) & 3], dtype=np.int32))
    predictor.predict()
    return predictor


def test_a_context_predicts_the_byte_that_followed_it_last():
    """After "abXab", o2's context "ab" has a run of one X: its run input is on X's path."""
    config = replace(SMALL_STRONG, max_lanes=1)
    predictor = _after_abxab(config)
    o2 = list(config.contexts).index("o2")
    contexts = len(predictor.kinds)
    assert predictor.lane_runs[0, o2] == (1 << 8) | ord("X")
    run_inputs = predictor.inputs[0, 1, contexts + 2:2 * contexts + 2]
    assert run_inputs[o2] < 0                  # X = 0101 1000: its first bit is 0
    assert predictor.lane_runs[0, list(config.contexts).index("o4")] == 0   # "Xab" was never followed


def test_a_deterministic_history_also_gives_its_probability_linear():
    """After "abXab", o2's context "ab" has seen one bit at the root, X's first (0): its deterministic input is
    its probability, linear and below 1/2; a context that never saw the node gives the bias. They start
    unweighted."""
    config = replace(SMALL_STRONG, max_lanes=1)
    assert config.deterministic_inputs
    predictor = _after_abxab(config)
    contexts = len(predictor.kinds)
    assert predictor.width == 3 * contexts + 2
    deterministic = predictor.inputs[0, 1, 2 * contexts + 2:]
    o2, o4 = list(config.contexts).index("o2"), list(config.contexts).index("o4")
    state = predictor.table[predictor.slots[0, o2], 1]
    assert STATE_ONLY[state] == 1                                            # zeros only
    assert deterministic[o2] == ((predictor.state_prob[o2, state] >> 4) - 2048) >> DETERMINISTIC_SHIFT
    assert deterministic[o2] < 0
    assert deterministic[o4] == BIAS                                         # "Xab" never seen
    assert not Predictor(config).starting_weights()[2 * contexts + 2:].any()
    assert Predictor(replace(config, deterministic_inputs=False)).width == 2 * contexts + 2


def test_a_history_that_has_seen_both_bits_gives_no_deterministic_input():
    """After "abXabXab\xc3ab", o2's context "ab" has seen two 0s (X) and a 1 (\xc3) at the root: only its usual
    input speaks."""
    config = replace(SMALL_STRONG, max_lanes=1)
    predictor = _after_abxab(config, b"abXabXab\xc3ab")
    contexts = len(predictor.kinds)
    o2 = list(config.contexts).index("o2")
    state = predictor.table[predictor.slots[0, o2], 1]
    assert state != 0 and STATE_ONLY[state] == 0                             # both bit values seen
    assert predictor.state_prob[o2, state] >> 4 != 2048                      # (so a linear input would not be 0)
    assert predictor.inputs[0, 1, 2 * contexts + 2 + o2] == 0
    assert predictor.inputs[0, 1, o2] == predictor.state_logit[o2, state]


@pytest.mark.parametrize("use_runs", [True, False])
def test_the_first_layer_steps_each_kind_of_input_by_its_rate(use_runs):
    """config.input_rates, in quarters: the contexts' stretch inputs, their run inputs (where the preset has them), the
    rest (match, bias, deterministic)."""
    config = replace(SMALL_STRONG, input_rates=(3, 8, 5), run_inputs=use_runs)
    predictor = Predictor(config)
    contexts, width = len(config.contexts), predictor.width
    x = np.arange(1, width + 1, dtype=np.int64)
    stepped = np.zeros(width, dtype=np.int64)
    _stepped_inputs(x, contexts, use_runs, predictor.settings, stepped)
    rates = np.full(width, 5)
    rates[:contexts] = 3
    if use_runs:
        rates[contexts + 2:2 * contexts + 2] = 8
    assert np.array_equal(stepped, x * rates)


@pytest.mark.parametrize("preset", [6, 9])
def test_layer1_rows_hold_each_weight_less_its_start(preset):
    """A fresh predictor's layer-1 rows are all zeros (pages mapped only once a row learns), and the start that every
    dot product adds back is the inputs' dot product with the starting weights: mixer_init on the contexts', the
    match's and the runs' inputs, 0 on the bias and the deterministic ones."""
    config = replace(preset_config(preset), table_bits=14, match_bits=12)
    predictor = Predictor(config)
    assert not predictor.mixer.any()
    contexts, width = len(predictor.kinds), predictor.width
    weights = predictor.starting_weights()
    assert weights[0] == int(config.mixer_init * 65536) > 0 and weights[contexts + 1] == 0
    x = np.random.default_rng(preset).integers(-2047, 2048, width)
    first_deterministic = width - contexts if config.deterministic_inputs else width
    assert _start_dot(x, contexts, first_deterministic, weights[0]) == int(weights @ x)
