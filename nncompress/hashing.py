"""Context hashing: each lane's recent bytes and words -> one 64-bit key per context.

Contract: `next_byte_contexts` is called once per lane after each byte and leaves in keys[b, i]
the key of context i for the lane's next byte; keys are a pure function of the lane's history,
so encoder and decoder compute the same ones. The memory (memory.py) turns a key plus the
nibble already coded into a slot.
"""
from __future__ import annotations

import numpy as np
from numba import njit

# Context kinds a preset can name (config.ModelConfig.contexts), and the code the kernels use.
CONTEXT_CODES = {f"o{n}": n for n in range(8)}            # the last n bytes
CONTEXT_CODES.update(word=16,   # the current word (letters, case folded) and the last byte
                     words=17,  # the current and the previous word
                     column=19,  # the position in the line and the last byte (tables, wrapped text)
                     skip=20,    # the current word and the word before the previous one
                     markup=21,  # the two innermost open brackets ([ { < of links, templates, tags), last byte
                     words3=22,  # the current word and the two before it
                     tag=23,     # the first word after the last open bracket (a tag, template or link), last 2 bytes
                     tagword=24,  # that word, the current word and the last byte
                     lineword=25,  # the line's first byte (list, table, heading marks), current word, last byte
                     above=26,   # the byte above (same column, previous line) and the last byte
                     # Indirect (paq8's): what followed the recent context's previous occurrences.
                     ind1=27,    # the last byte and the two bytes that followed its last two occurrences
                     ind2=28,    # the last two bytes and the two bytes that followed their last two
                     ind1o2=29,  # the last two bytes and the byte that followed the last byte last time
                     # Sparse: bytes further back, without those in between.
                     sparse2=30,   # the byte before the last
                     sparse23=31,  # the two bytes before the last
                     sparse13=32,  # the last byte and the one three back
                     sparse24=33,  # the bytes two and four back
                     prevwords=34,  # the previous word and the one before it
                     markupo2=35,   # the two innermost open brackets and the last 2 bytes
                     linecol=36,    # the line's first byte and the column
                     tagcol=37,     # the tag and the column
                     markupword=38,  # the two innermost open brackets and the current word
                     wordabove=39,   # the current word and the byte above
                     prevword=40,    # the previous word and the last byte
                     # The match model's expected byte (match.py), set after it advances (match_contexts).
                     matchlen=41,    # the expected byte (or none) and the match length, capped at 15
                     matcho1=42,     # the expected byte (or none) and the last byte
                     # Long orders, hashed from the lane's history (long_order).
                     o10=43,         # the last 10 bytes
                     o20=44,         # the last 20 bytes
                     # The text's shape: bytes by class (byte_class), whatever their letters.
                     shape=45,       # the classes of the last 7 bytes and the last byte
                     shapeword=46,   # the classes of the last 7 bytes and the current word
                     shape12=47,     # the coarse classes of the last 12 bytes (shape12) and the last byte
                     # Steady within a word: no letter of it, so one slot learns which letters come at
                     # each position (wordgap, linegap) or anywhere (intag, prevgap) in such a word.
                     wordgap=48,     # the gap (up to 4 bytes before the current word), the word's length
                                     # so far and the two innermost open brackets
                     intag=49,       # the tag (first word after the last open bracket) and the open brackets
                     linegap=50,     # the gap, the word's length so far and the line's first byte
                     prevgap=51,     # the previous word and the gap
                     # The section: the text under a heading is about its topic.
                     headword=52,    # the last heading line (one that began with = or #), the current
                                     # word and the last byte
                     # The page: a document's title says what it is about (XML's and HTML's <title>).
                     titleword=53,   # the last title, the current word and the last byte
                     titlewords=54,  # the last title, the current word and the previous one
                     # The sentence: its first word and its length say what kind of sentence it is;
                     # a name inside it (a capitalised word that does not begin it) says what it is about.
                     sentword=55,    # the sentence's first word, the current word and the last byte
                     prevstem=56,    # the previous word's first STEM_LETTERS letters and the current word
                     nameword=57,    # the last name, the current word and the last byte
                     sentpos=58,     # the words in the sentence so far (up to 7), the previous word, the
                                     # current word and the last byte
                     # The next word: the one that followed the previous word when it last occurred
                     # (lane state 27, from the table FOLLOW_WORD).
                     followword=59,    # that word, the current word and the last byte
                     followletter=60,  # its byte at the current word's length, while the current word agrees
                                       # with it (_followed_byte), and the current word
                     # The last words' classes (word_class): a syntax that generalises over rare words.
                     classes=61,       # the last three words' classes, the current word and the last byte
                     classes2=62,      # the last two words' classes and the current word
                     # Inside brackets, the phrase: a link's target, a template's field, an element's text is
                     # often one seen before, whole, whatever its length (lane state PHRASE).
                     phrase=63)        # the bytes since the last bracket, | or newline, and the innermost open
                                       # bracket; outside brackets one context for all

# Added to a code: the context's statistics are kept per lane. Lanes code distant parts of the
# input at once, so shared statistics mix several articles: kept per lane, the recent ones speak
# (benchmarks/results/ablation.md: -0.073 bits/byte on enwik8_4M with 16 lanes).
LANE_LOCAL = 64

_HISTORY_MASK = (1 << 56) - 1   # the lane's last 7 bytes, newest lowest
# Per lane (next_byte_contexts): 30 values, then the bytes that followed each byte (4, newest
# lowest) and each pair of bytes (2), for the indirect contexts, then by word (its hash's low 16 bits)
# the word that followed it last: that word's hash (its low 31 bits) << 32 | where it starts + 1.
WORD_CLASSES = 28   # the last three words' classes (word_class), 20 bits each, newest lowest
PHRASE = 29         # the phrase: the bytes since the last bracket, | or newline, hashed
FOLLOW1 = 30
FOLLOW2 = FOLLOW1 + 256
FOLLOW_WORD = FOLLOW2 + 65536
LANE_STATE_WIDTH = FOLLOW_WORD + 65536
OPEN_BRACKETS = (91, 123, 60, 40)   # [ { < (
CLOSE_BRACKETS = (93, 125, 62, 41)  # ] } > )
TAG_BRACKETS = 3                    # the first three: the word after one is a tag (a link, template or element)
TITLE_TAG = int.from_bytes(b"<title>", "big")   # as the last 7 bytes (lane_state[b, 0]) hold it
QUOT_ENTITY = int.from_bytes(b"&quot;", "big")  # XML's escaped double quote, as the last 6 bytes
# The emphasis state (lane_state[b, 17]), bits: in italics, in bold (wiki markup: a run of 2 apostrophes
# toggles italics, 3 bold, 5 both; a line ends both), in double quotes (" or &quot;; an empty line ends it).
ITALIC, BOLD, QUOTED = 1, 2, 4
HEADING_MARKS = (61, 35)        # = #: a line beginning with one is a heading (wiki, Markdown)
SENTENCE_ENDS = (46, 33, 63, 10)   # . ! ? and a newline end a sentence
STEM_LETTERS = 5                   # a word's stem: its first letters, whatever its ending
PHRASE_BREAK = 124                 # | (a link's target from its text, a template's fields) ends a phrase
CLASS_BY_WORD = 3                  # a word of up to 3 letters is its own class (word_class)


@njit(inline="always")
def mix(a, b):
    """A 64-bit hash of two integers (multiply-xorshift: every input bit reaches the high bits)."""
    h = (np.uint64(a) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(b)
    h = h * np.uint64(0xD6E8FEB86659FD93)
    return h ^ (h >> np.uint64(29))


@njit(inline="always")
def next_byte_contexts(b, byte, step, lane_state, kinds, keys, history, start):
    """Fold `byte`, lane b's byte at `step`, into its state; compute its context keys for the next byte.

    history[start + t] is the lane's byte t (for t <= step). lane_state[b] = [last 7 bytes, word hash,
    previous word hash, position in the line, the word before the previous one, open brackets (a
    stack of 4 bytes, innermost lowest), the first word after the last open bracket, 1 while that
    word is awaited, the line's first byte + 1, where the line starts, where the previous one started,
    the gap (the last 4 bytes that are not letters, newest lowest, since the word before the current
    one ended), the current word's length, the hash of the line so far if it is a heading, the
    hash of the last heading line, the hash of the last title (the text after <title>), 1 while that
    title is read, the emphasis state (ITALIC, BOLD, QUOTED), the length of the current run of
    apostrophes, the sentence's first word, the words ended in the sentence, 1 if the current word
    began with a capital, the last name (a capitalised word that did not begin its sentence), the
    current word's stem and the previous word's (_sentence), where the current word starts, where the
    word that followed the previous word last time (the next word) starts + 1, 0 for none or once the
    current word's letters differ from its, the next word's hash (its low 31 bits), the last three words'
    classes (WORD_CLASSES), the hash of the bytes since the last bracket, | or newline (PHRASE), then the tables
    FOLLOW1 (by byte) and FOLLOW2 (by pair of bytes) of the bytes that followed them, and FOLLOW_WORD].
    """
    c = np.int64(byte)
    previous = lane_state[b, 0]
    after1 = FOLLOW1 + (previous & 0xFF)
    lane_state[b, after1] = ((lane_state[b, after1] << 8) | c) & 0xFFFFFFFF
    after2 = FOLLOW2 + (previous & 0xFFFF)
    lane_state[b, after2] = ((lane_state[b, after2] << 8) | c) & 0xFFFF
    last = ((previous << 8) | c) & _HISTORY_MASK
    lane_state[b, 0] = last
    lower = c + 32 if 65 <= c <= 90 else c
    _sentence(b, c, lower, lane_state)
    if 97 <= lower <= 122:
        if lane_state[b, 12] == 0:
            lane_state[b, 25] = step
        if lane_state[b, 26] != 0 and (_followed_byte(lane_state, b, history, start) | 32) != lower:
            lane_state[b, 26] = 0   # (the next word started before this word: its letter is in the history)
        lane_state[b, 12] += 1
        lane_state[b, 1] = np.int64(mix(lane_state[b, 1] + 1, lower) >> np.uint64(8))
    elif lane_state[b, 1] != 0:
        if lane_state[b, 7] != 0:
            lane_state[b, 6] = lane_state[b, 1]
            lane_state[b, 7] = 0
        word = lane_state[b, 1]
        lane_state[b, FOLLOW_WORD + (lane_state[b, 2] & 0xFFFF)] = ((word & 0x7FFFFFFF) << 32) | (lane_state[b, 25] + 1)
        following = lane_state[b, FOLLOW_WORD + (word & 0xFFFF)]
        lane_state[b, 26], lane_state[b, 27] = following & 0xFFFFFFFF, following >> 32
        lane_state[b, 4] = lane_state[b, 2]
        lane_state[b, 2] = word
        its_class = word_class(word, lane_state[b, 12], previous & 0xFFFF, lane_state[b, 21])
        lane_state[b, WORD_CLASSES] = ((lane_state[b, WORD_CLASSES] << 20) | its_class) & ((np.int64(1) << 60) - 1)
        lane_state[b, 1] = 0
        lane_state[b, 11] = c             # a word ended: a new gap
        lane_state[b, 12] = 0
    else:
        lane_state[b, 11] = ((lane_state[b, 11] << 8) | c) & 0xFFFFFFFF
    if lane_state[b, 3] == 0:
        lane_state[b, 8] = c + 1
    if lane_state[b, 8] - 1 in HEADING_MARKS:   # (an empty line's first byte is its newline)
        if c == 10:
            lane_state[b, 14] = lane_state[b, 13]
            lane_state[b, 13] = 0
        else:
            lane_state[b, 13] = np.int64(mix(lane_state[b, 13] + 1, c) >> np.uint64(8))
    _emphasis(b, c, previous, last, lane_state)
    if c == 60:
        lane_state[b, 16] = 0
    elif lane_state[b, 16] != 0:
        lane_state[b, 15] = np.int64(mix(lane_state[b, 15] + 1, c) >> np.uint64(8))
    if last == TITLE_TAG:
        lane_state[b, 15], lane_state[b, 16] = 0, 1
    lane_state[b, 3] = 0 if c == 10 else lane_state[b, 3] + 1
    if c == 10:
        lane_state[b, 10] = lane_state[b, 9]
        lane_state[b, 9] = step + 1
    if c in OPEN_BRACKETS or c in CLOSE_BRACKETS or c == PHRASE_BREAK or c == 10:
        lane_state[b, PHRASE] = 0
    else:
        lane_state[b, PHRASE] = np.int64(mix(lane_state[b, PHRASE] + 1, c) >> np.uint64(8))
    if c in OPEN_BRACKETS:
        lane_state[b, 5] = ((lane_state[b, 5] << 8) | c) & 0xFFFFFFFF
        if c != OPEN_BRACKETS[TAG_BRACKETS]:
            lane_state[b, 7] = 1
    elif c in CLOSE_BRACKETS:
        lane_state[b, 5] >>= 8
    above_at = lane_state[b, 10] + lane_state[b, 3]
    above = np.int64(history[start + above_at]) + 1 if 0 < lane_state[b, 9] and above_at < lane_state[b, 9] else 0
    for i in range(kinds.shape[0]):
        kind = kinds[i] % LANE_LOCAL
        if kind < 8:
            value = last & ((np.int64(1) << (8 * kind)) - 1)
        elif kind == 16:
            value = (lane_state[b, 1] << 8) | c
        elif kind == 17:
            value = np.int64(mix(lane_state[b, 1], lane_state[b, 2]) >> np.uint64(8))
        elif kind == 19:
            value = (min(lane_state[b, 3], 255) << 8) | c
        elif kind == 20:
            value = np.int64(mix(lane_state[b, 1], lane_state[b, 4]) >> np.uint64(8))
        elif kind == 21:
            value = (lane_state[b, 17] << 24) | ((lane_state[b, 5] & 0xFFFF) << 8) | c
        elif kind == 22:
            value = np.int64(mix(mix(lane_state[b, 1], lane_state[b, 2]), lane_state[b, 4]) >> np.uint64(8))
        elif kind == 23:
            value = np.int64(mix(lane_state[b, 6], last & 0xFFFF) >> np.uint64(8))
        elif kind == 24:
            value = np.int64(mix(lane_state[b, 6], (lane_state[b, 1] << 8) | c) >> np.uint64(8))
        elif kind == 25:
            value = np.int64(mix(lane_state[b, 8], (lane_state[b, 1] << 8) | c) >> np.uint64(8))
        elif kind == 26:
            value = (above << 8) | c
        elif kind == 27:
            value = c | ((lane_state[b, FOLLOW1 + c] & 0xFFFF) << 8)
        elif kind == 28:
            value = (last & 0xFFFF) | (lane_state[b, FOLLOW2 + (last & 0xFFFF)] << 16)
        elif kind == 29:
            value = (last & 0xFFFF) | ((lane_state[b, FOLLOW1 + c] & 0xFF) << 16)
        elif kind == 30:
            value = (last >> 8) & 0xFF
        elif kind == 31:
            value = (last >> 8) & 0xFFFF
        elif kind == 32:
            value = (last & 0xFF) | (last >> 8) & 0xFF00
        elif kind == 33:
            value = ((last >> 8) & 0xFF) | (last >> 16) & 0xFF00
        elif kind == 34:
            value = np.int64(mix(lane_state[b, 2], lane_state[b, 4]) >> np.uint64(8))
        elif kind == 35:
            value = (lane_state[b, 17] << 32) | ((lane_state[b, 5] & 0xFFFF) << 16) | (last & 0xFFFF)
        elif kind == 36:
            value = (lane_state[b, 8] << 16) | (min(lane_state[b, 3], 255) << 8)
        elif kind == 37:
            value = np.int64(mix(lane_state[b, 6], min(lane_state[b, 3], 255)) >> np.uint64(8))
        elif kind == 38:
            value = np.int64(mix(lane_state[b, 5] & 0xFFFF, lane_state[b, 1]) >> np.uint64(8))
        elif kind == 39:
            value = np.int64(mix(lane_state[b, 1], above) >> np.uint64(8))
        elif kind == 40:
            value = np.int64(mix(lane_state[b, 2], c) >> np.uint64(8))
        elif kind == 45:
            value = (shape(last) << 8) | c
        elif kind == 46:
            value = np.int64(mix(shape(last), lane_state[b, 1]) >> np.uint64(8))
        elif kind == 47:
            value = (shape12(history, start, step) << 8) | c
        elif kind == 48:
            value = np.int64(mix(mix(mix(lane_state[b, 11], lane_state[b, 12]), lane_state[b, 5] & 0xFFFF),
                                 lane_state[b, 17]) >> np.uint64(8))
        elif kind == 49:
            value = np.int64(mix(lane_state[b, 6], lane_state[b, 5]) >> np.uint64(8))
        elif kind == 50:
            value = np.int64(mix(mix(lane_state[b, 11], lane_state[b, 12]), lane_state[b, 8]) >> np.uint64(8))
        elif kind == 51:
            value = np.int64(mix(lane_state[b, 2], lane_state[b, 11]) >> np.uint64(8))
        elif kind == 52:
            value = np.int64(mix(lane_state[b, 14], (lane_state[b, 1] << 8) | c) >> np.uint64(8))
        elif kind == 53:
            value = np.int64(mix(lane_state[b, 15], (lane_state[b, 1] << 8) | c) >> np.uint64(8))
        elif kind == 54:
            value = np.int64(mix(lane_state[b, 15], mix(lane_state[b, 1], lane_state[b, 2])) >> np.uint64(8))
        elif kind == 55:
            value = np.int64(mix(lane_state[b, 19], (lane_state[b, 1] << 8) | c) >> np.uint64(8))
        elif kind == 56:
            value = np.int64(mix(lane_state[b, 24], lane_state[b, 1]) >> np.uint64(8))
        elif kind == 57:
            value = np.int64(mix(lane_state[b, 22], (lane_state[b, 1] << 8) | c) >> np.uint64(8))
        elif kind == 58:
            value = np.int64(mix(min(lane_state[b, 20], 7), mix(lane_state[b, 2], (lane_state[b, 1] << 8) | c))
                             >> np.uint64(8))
        elif kind == 59:
            value = np.int64(mix(lane_state[b, 27], (lane_state[b, 1] << 8) | c) >> np.uint64(8))
        elif kind == 60:
            value = np.int64(mix(_followed_byte(lane_state, b, history, start), lane_state[b, 1]) >> np.uint64(8))
        elif kind == 61:
            value = np.int64(mix(lane_state[b, WORD_CLASSES], (lane_state[b, 1] << 8) | c) >> np.uint64(8))
        elif kind == 62:
            value = np.int64(mix(lane_state[b, WORD_CLASSES] & 0xFFFFFFFFFF, lane_state[b, 1]) >> np.uint64(8))
        elif kind == 63:
            value = np.int64(mix(lane_state[b, PHRASE], lane_state[b, 5] & 0xFF) >> np.uint64(8)) if lane_state[b, 5] else 0
        elif kind == 43 or kind == 44:
            value = long_order(history, start, step, 10 if kind == 43 else 20)
        else:
            continue   # matchlen, matcho1: match_contexts
        salt = 1000 + kind if kinds[i] < LANE_LOCAL else (1000 + kind) | ((b + 1) << 16)
        keys[b, i] = np.int64(mix(value, salt))


@njit(inline="always")
def word_class(word, length, last_two, capital):
    """A word's class, 20 bits: a short word is itself (most function words are short: the, of, and, in, a, to);
    a longer one is its last two letters (`last_two`, case folded) and whether it began with a capital, as its
    ending says much of its part of speech (-ing, -ed, -ly, -s, -on)."""
    if length <= CLASS_BY_WORD:
        return word & 0xFFFFF
    return np.int64(mix(last_two | 0x2020 | (1 << 27), capital) >> np.uint64(44))


@njit(inline="always")
def _followed_byte(lane_state, b, history, start):
    """The next word's byte at the current word's length (the byte after it where the current word is as long),
    while the current word agrees with it so far; else 256."""
    if lane_state[b, 26] == 0:
        return 256
    return np.int64(history[start + lane_state[b, 26] - 1 + lane_state[b, 12]])


@njit(inline="always")
def _emphasis(b, c, previous, last, lane_state):
    """Fold byte c into lane b's emphasis state (lane_state[b, 17]) and its run of apostrophes (18)."""
    if c == 39:
        lane_state[b, 18] += 1
    else:
        run = lane_state[b, 18]
        if run == 2 or run == 5:
            lane_state[b, 17] ^= ITALIC
        if run == 3 or run == 5:
            lane_state[b, 17] ^= BOLD
        lane_state[b, 18] = 0
        if c == 10:
            lane_state[b, 17] &= QUOTED
    if c == 34 or (c == 59 and (last & 0xFFFFFFFFFFFF) == QUOT_ENTITY):
        lane_state[b, 17] ^= QUOTED
    if c == 10 and (previous & 255) == 10:
        lane_state[b, 17] = 0


@njit(inline="always")
def _sentence(b, c, lower, lane_state):
    """Fold byte c (`lower`: c with capitals lower-cased) into lane b's sentence state (lane_state[b, 19..24]),
    before the word state (1, 12) takes it."""
    word, length = lane_state[b, 1], lane_state[b, 12]
    if 97 <= lower <= 122:
        if length == 0:
            lane_state[b, 21] = 1 if c < 97 else 0
        if length < STEM_LETTERS:
            lane_state[b, 23] = np.int64(mix(lane_state[b, 23] + 1, lower) >> np.uint64(8))
    elif word != 0:   # the word ends
        if lane_state[b, 19] == 0:
            lane_state[b, 19] = word
        lane_state[b, 20] += 1
        if lane_state[b, 21] != 0 and lane_state[b, 20] > 1:
            lane_state[b, 22] = word
        lane_state[b, 24] = lane_state[b, 23]
        lane_state[b, 23] = 0
    if c in SENTENCE_ENDS:
        lane_state[b, 19] = 0
        lane_state[b, 20] = 0


@njit(inline="always")
def byte_class(c):
    """The byte's class, 0..11: lower-case letter, capital, digit, space, newline, then punctuation by
    role: `.`, `,`, quotes, opening and closing brackets, `|` and `=`, anything else. The text state
    (predictor.py) reads 0..5, the rest folded into 5."""
    if 97 <= c <= 122:
        return 0
    if 65 <= c <= 90:
        return 1
    if 48 <= c <= 57:
        return 2
    if c == 32:
        return 3
    if c == 10:
        return 4
    if c == 46:
        return 5
    if c == 44:
        return 6
    if c == 39 or c == 34:
        return 7
    if c == 91 or c == 123 or c == 60 or c == 40:
        return 8
    if c == 93 or c == 125 or c == 62 or c == 41:
        return 9
    if c == 124 or c == 61:
        return 10
    return 11


@njit(inline="always")
def shape(last):
    """The classes of the 7 bytes in `last` (newest lowest), 4 bits each, the newest highest: how the
    text looks (a word's length and case, the markup around it) whatever its letters."""
    value = np.int64(0)
    for k in range(7):
        value = (value << 4) | byte_class((last >> (8 * k)) & 255)
    return value


@njit(inline="always")
def shape12(history, start, step):
    """The classes of the lane's last 12 bytes (history[start + step] the newest, in the highest bits), 2 bits
    each: lower-case letter, capital, digit, anything else (also before the lane's start)."""
    value = np.int64(0)
    for k in range(12):
        t = step - k
        value |= (min(byte_class(np.int64(history[start + t])), 3) if t >= 0 else 3) << (2 * (11 - k))
    return value


@njit(inline="always")
def long_order(history, start, step, n):
    """A hash of the lane's last n bytes (history[start + step] the newest; 0 before the lane's start)."""
    h = np.uint64(n)
    for k in range(n):
        t = step - k
        h = mix(np.int64(h >> np.uint64(1)), np.int64(history[start + t]) if t >= 0 else 0)
    return np.int64(h >> np.uint64(8))


@njit(inline="always")
def match_contexts(b, expected, length, last_byte, kinds, keys):
    """The keys of lane b's contexts of the match model's expected byte (matchlen, matcho1) for its next
    byte, once the match model has advanced: `expected` is the byte it expects (-1 for none), `length`
    the match's length."""
    for i in range(kinds.shape[0]):
        kind = kinds[i] % LANE_LOCAL
        if kind == 41:
            value = ((expected + 1) << 8) | min(length, 15)
        elif kind == 42:
            value = ((expected + 1) << 8) | last_byte
        else:
            continue
        salt = 1000 + kind if kinds[i] < LANE_LOCAL else (1000 + kind) | ((b + 1) << 16)
        keys[b, i] = np.int64(mix(value, salt))
