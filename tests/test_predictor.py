"""Predictor contracts: valid distributions, exact frequencies, encoder/decoder lockstep."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from nncompress.config import preset_config
from nncompress.lanes import LaneLayout, choose_lanes
from nncompress.predictor import Predictor
from nncompress.quantise import TOTAL, frequencies
from nncompress.tree import PATH_POS, leaf_probabilities

from .helpers import english_like

# Small tables keep these tests fast; every component stays on (net, APM, match model).
SMALL = replace(preset_config(6), table_bits=14, match_bits=12, net_layers=2, max_lanes=4, min_lane_len=64)


def _run(config, data: bytes, lanes: int):
    layout = LaneLayout(len(data), lanes)
    grid = torch.from_numpy(layout.split(data).astype(np.int64))
    predictor = Predictor(config)
    predictor.start_block(layout)
    rows = []
    for step in range(layout.stride):
        rows.append(frequencies(predictor.predict()))
        predictor.update(grid[:, step])
    return rows


def test_two_predictors_fed_the_same_symbols_agree_bit_for_bit():
    # The lossless guarantee: the decoder's predictor, fed the decoded symbols, must produce the
    # very frequencies the encoder's produced. Any model change must keep this test green.
    data = english_like(1500, seed=7)
    a = _run(SMALL, data, 4)
    b = _run(SMALL, data, 4)
    assert all(torch.equal(x, y) for x, y in zip(a, b))


def test_frequencies_are_exact_and_positive():
    for row in _run(SMALL, english_like(400, seed=8), 4):
        assert row.dtype == torch.int64
        assert torch.all(row >= 0)
        assert torch.all(row.sum(dim=1) == TOTAL)


def test_model_learns_repeated_text():
    data = b"the quick brown fox jumps over the lazy dog. " * 40
    rows = _run(SMALL, data, 1)
    grid = np.frombuffer(data, dtype=np.uint8)
    cost = [-np.log2((int(r[0, s]) + 1) / 2**24) for r, s in zip(rows, grid)]
    assert np.mean(cost[-200:]) < 0.5 < np.mean(cost[:45])


def test_leaf_probabilities_follow_the_paths():
    p_one = torch.rand(3, 255)
    leaves = leaf_probabilities(p_one)
    assert torch.allclose(leaves.sum(dim=1), torch.ones(3), atol=1e-5)
    byte = 0b10110010
    expected = 1.0
    for d, pos in enumerate(PATH_POS[byte].tolist()):
        bit = (byte >> (7 - d)) & 1
        expected *= float(p_one[0, pos]) if bit else 1 - float(p_one[0, pos])
    assert abs(float(leaves[0, byte]) - expected) < 1e-6


def test_lane_choice():
    cfg = preset_config(6)
    assert choose_lanes(1, cfg) == 1
    assert choose_lanes(cfg.min_lane_len * 2, cfg) == 2
    assert choose_lanes(10**9, cfg) == cfg.max_lanes
    layout = LaneLayout(10, 4)
    assert layout.lane_lengths().tolist() == [3, 3, 3, 1]
    data = bytes(range(10))
    assert layout.join(layout.split(data)) == data
