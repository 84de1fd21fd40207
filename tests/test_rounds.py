"""The step routine (rounds.code_steps) predicts a round's first node, codes or decodes the first bit, then predicts
only the child below it. Its archives must be those of the predictor's full rounds (all three nodes, predict() /
update()), and must decode, with one lane (the point's half is read before the symbol) and with several."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nncompress.codec import decode_block, encode_block
from nncompress.coder import Encoding
from nncompress.config import preset_config
from nncompress.format import BLOCK_CODED
from nncompress.lanes import LaneLayout
from nncompress.predictor import Predictor
from nncompress.rangecoder import encode_symbol

from .helpers import english_like

ONE_LANE = replace(preset_config(9), table_bits=14, match_bits=12)
FOUR_LANES = replace(preset_config(6), table_bits=14, match_bits=12, max_lanes=4, min_lane_len=64)


def _payload_of_full_rounds(config, data: bytes, lanes: int) -> bytes:
    """The payload coded from predict()'s frequencies, which work out all three nodes of every round."""
    layout = LaneLayout(len(data), lanes)
    grid = layout.split(data).astype(np.int32)
    lengths = layout.lane_lengths()
    predictor = Predictor(config)
    predictor.start_block(layout)
    encoding = Encoding()
    words = encoding.words(4 * lanes * layout.stride)
    for step in range(layout.stride):
        for quarter in range(4):
            freqs = predictor.predict()
            symbols = (grid[:, step] >> (6 - 2 * quarter)) & 3
            for b in range(lanes):
                if lengths[b] > step:
                    encode_symbol(encoding.state, words, freqs[b], symbols[b])
            predictor.update(symbols)
    encoding.chunk_done()
    return encoding.payload()


@pytest.mark.parametrize("config, lanes", [(ONE_LANE, 1), (FOUR_LANES, 4)], ids=["one lane", "four lanes"])
def test_step_routine_codes_what_full_rounds_give_and_decodes_it(config, lanes):
    data = english_like(2500, seed=11) + bytes(range(256)) + english_like(500, seed=12)
    header, payload = encode_block(Predictor(config), data)
    assert (header.kind, header.lanes) == (BLOCK_CODED, lanes)
    assert payload == _payload_of_full_rounds(config, data, lanes)
    assert decode_block(Predictor(config), header, payload) == data
