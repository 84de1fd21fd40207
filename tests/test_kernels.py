"""The Triton kernel (kernels/steps.py) against the numba step loop it mirrors, bit for bit.

The kernel runs under Triton's interpreter on CPU tensors (device "interpret", nncompress/device.py),
so CI checks it without a GPU. The interpreter takes about 0.1 s per lane and round (four rounds
a byte), so the inputs are small and made to reach every path: repeats for the match model,
lines for the column and the byte above, brackets and words for the text contexts, lanes that
end at different steps, a table so small that contexts share slots, and chunks of a few steps so
that the coder's held-back words and the model cross kernel launches.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Triton reads this when a function is defined, its own library's included: it must be set before
# Triton is first imported in this process. Only a CUDA run in the same process imports it earlier.
if "triton" in sys.modules and os.environ.get("TRITON_INTERPRET") != "1":
    pytest.skip("Triton was imported without its interpreter in this process (a CUDA run?): "
                "run tests/test_kernels.py in a process of its own", allow_module_level=True)
os.environ["TRITON_INTERPRET"] = "1"

from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

pytest.importorskip("torch")
pytest.importorskip("triton", minversion="3.7")   # 3.6's interpreter gives a program's scalars a shape

from nncompress import codec  # noqa: E402
from nncompress.codec import decode_block, decode_blocks, encode_block, encode_blocks  # noqa: E402
from nncompress.config import preset_config  # noqa: E402
from nncompress.errors import NNCompressError  # noqa: E402
from nncompress.format import BLOCK_CODED, BLOCK_STORED  # noqa: E402
from nncompress.kernels.device_steps import HOST_ONLY, MODEL_ARRAYS, SHARED_ARRAYS  # noqa: E402
from nncompress.predictor import ROUND_SCRATCH, KernelState, Predictor  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# Headings (hashing.HEADING_MARKS), a sentence with a long word and a name (hashing._sentence), italics,
# a quote, brackets with a tag and parentheses, a title (hashing.TITLE_TAG): the tests take prefixes of
# 16 to 52 bytes.
TEXT = b"= a =\n# b\nAb Cdefgh. ''c'' \"d [[A (b)]] <title>x</title>\n{{the}} <b>ran</b>\n"
# Tiny tables: contexts often share a slot (the kernel's one-context-at-a-time path), and small
# lanes: several lanes, of different lengths.
SMALL = dict(table_bits=9, match_bits=8, min_lane_len=8)


def small_config(preset: int, max_lanes: int):
    return replace(preset_config(preset), max_lanes=max_lanes, **SMALL)


@pytest.fixture(autouse=True)
def short_chunks(monkeypatch):
    monkeypatch.setattr(codec, "CHUNK", 5)


def test_the_kernel_takes_every_array_of_the_model():
    """A new array in predictor.KernelState must reach the kernel (or be declared host-only scratch)."""
    scalars = {"stride", "table_mask"}   # the kernel takes them from the members' layouts and arguments
    assert set(KernelState._fields) == set(MODEL_ARRAYS) | set(SHARED_ARRAYS) | set(HOST_ONLY) | scalars


def test_no_kernel_argument_is_named_like_the_launchers_own_variables():
    """Triton 3.6 binds a launch's arguments in generated code whose own locals share the kernel's
    namespace: an argument named `params` was replaced by a dict there, and the first launch on a
    GPU failed ("failed to specialize argument of type: dict")."""
    import inspect

    from nncompress.kernels.steps import code_steps_kernel
    launcher_names = {"params", "specialization", "options", "backend", "specialize_impl", "JITCallable"}
    assert not launcher_names & set(inspect.signature(code_steps_kernel.fn).parameters)


def assert_same_model(a: Predictor, b: Predictor) -> None:
    """Every array that carries the model from one round to the next (the kernel predicts all three nodes of a
    round, the CPU's step routine two of them: the round's scratch arrays differ at the third)."""
    for name in sorted(set(MODEL_ARRAYS) - set(ROUND_SCRATCH)):
        np.testing.assert_array_equal(getattr(a.kernel_state, name), getattr(b.kernel_state, name), err_msg=name)


def encode_both(config, data: bytes):
    on_cpu, on_kernel = Predictor(config), Predictor(config)
    expected = encode_block(on_cpu, data)
    got = encode_block(on_kernel, data, device="interpret")
    return expected, got, on_cpu, on_kernel


def test_strongest_encodes_the_same_words_and_model():
    """-9's model (every input, the runs) in 4 lanes of 13 bytes: headings, a sentence (a long word, a
    name), italics, a quote, brackets and a title."""
    config, data = small_config(9, max_lanes=4), TEXT[:52]
    on_cpu = Predictor(config)
    header, payload = encode_block(on_cpu, data)
    assert header.kind == BLOCK_CODED and header.lanes == 4
    on_kernel = Predictor(config)
    assert encode_block(on_kernel, data, device="interpret") == (header, payload)
    assert_same_model(on_cpu, on_kernel)


def test_strongest_decodes_the_cpu_archive():
    """The kernel decodes through the step routine it encodes with, whose model the test above checks:
    2 lanes of 13 bytes take the decoder's side of it."""
    config, data = small_config(9, max_lanes=2), TEXT[:26]
    on_cpu = Predictor(config)
    header, payload = encode_block(on_cpu, data)
    assert header.kind == BLOCK_CODED and header.lanes == 2
    on_kernel = Predictor(config)
    assert decode_block(on_kernel, header, payload, device="interpret") == data
    assert_same_model(on_cpu, on_kernel)


@pytest.mark.parametrize("preset", [1, 6, 8])
def test_other_models_encode_the_same(preset):
    """-1: the fewest inputs (the network's 16 partly empty); -6, the default; -8, -7..-9's 49 contexts (blocks
    of 64 in the kernel) with their deterministic inputs, without the runs."""
    (expected, got, on_cpu, on_kernel) = encode_both(small_config(preset, max_lanes=2), TEXT[:26])
    assert got == expected
    assert_same_model(on_cpu, on_kernel)


def test_a_repeating_text_codes_the_same():
    """-9 in one lane on a text that repeats: the match model finds it, and the contexts of its
    expected byte (hashing.match_contexts) see a byte, not only "none"; the next word's contexts
    (hashing.followword, followletter) see the word that followed, its letters case folded; the words'
    classes (hashing.word_class) see words of 3 letters, each its own class (a kernel that gave them
    their ending's class failed this)."""
    (expected, got, on_cpu, on_kernel) = encode_both(small_config(9, max_lanes=1), b"The Cat sat; the cat sat; ")
    assert on_cpu.match_len[0] > 0
    assert on_cpu.lane_state[0, 26] != 0   # after "sat": "the", where it starts (+ 1)
    assert got == expected
    assert_same_model(on_cpu, on_kernel)


def test_a_stored_block_is_learned_the_same_and_the_next_block_coded_the_same():
    """A stored block (LEARN mode) and then a coded one: the model carries over between blocks."""
    config = small_config(6, max_lanes=1)
    noise = np.random.default_rng(7).integers(0, 256, 20, dtype=np.uint8).tobytes()
    on_cpu, on_kernel = Predictor(config), Predictor(config)
    header, payload = encode_block(on_cpu, noise)
    assert header.kind == BLOCK_STORED
    assert decode_block(on_kernel, header, payload, device="interpret") == noise
    assert_same_model(on_cpu, on_kernel)
    assert encode_block(on_kernel, TEXT[:16], device="interpret") == encode_block(on_cpu, TEXT[:16])
    assert_same_model(on_cpu, on_kernel)


def test_members_coded_at_once_match_each_coded_alone():
    """One launch, one program per member (-T's members on a GPU): members of different lengths,
    one of them stored, each with its own model and its own tables' sizes (a frame of one short
    block sizes them for it), as the CPU codes them one at a time."""
    config = small_config(6, max_lanes=2)
    noise = np.random.default_rng(3).integers(0, 256, 9, dtype=np.uint8).tobytes()
    blocks = [b"a" * 18, noise, b"abababababab"]   # coded (2 lanes), stored, coded (1 lane)
    sizes = [dict(table_bits=9, match_bits=8), dict(table_bits=10, match_bits=8), dict(table_bits=9, match_bits=9)]
    on_cpu = [Predictor(replace(config, **size)) for size in sizes]
    expected = [encode_block(predictor, block) for predictor, block in zip(on_cpu, blocks)]
    assert [header.kind for header, _ in expected] == [BLOCK_CODED, BLOCK_STORED, BLOCK_CODED]
    on_kernel = [Predictor(replace(config, **size)) for size in sizes]
    assert encode_blocks(on_kernel, blocks, device="interpret") == expected
    for cpu, kernel in zip(on_cpu, on_kernel):
        assert_same_model(cpu, kernel)
    decoders = [Predictor(replace(config, **size)) for size in sizes]
    headers, payloads = zip(*expected)
    assert decode_blocks(decoders, list(headers), list(payloads), device="interpret") == blocks
    for cpu, kernel in zip(on_cpu, decoders):
        assert_same_model(cpu, kernel)
    # A finished member's model stays on the device (members.py: its last block); its data comes back.
    decoders = [Predictor(replace(config, **size)) for size in sizes]
    finished = [False, False, True]
    assert decode_blocks(decoders, list(headers), list(payloads), device="interpret", finished=finished) == blocks
    assert_same_model(on_cpu[0], decoders[0])
    np.testing.assert_array_equal(decoders[2].kernel_state.mixer, Predictor(config).mixer)


@settings(max_examples=6, deadline=None)
@given(st.binary(min_size=1, max_size=6))
def test_any_short_input_codes_the_same(data):
    """Any bytes (zeros, 0xFF, brackets, newlines...), one lane: the same block and model, and it decodes."""
    config = small_config(1, max_lanes=1)
    (expected, got, on_cpu, on_kernel) = encode_both(config, data)
    assert got == expected
    assert_same_model(on_cpu, on_kernel)
    assert decode_block(Predictor(config), *expected, device="interpret") == data


@pytest.mark.parametrize("damage", ["flip", "cut"])
def test_a_damaged_payload_is_refused_the_same_way(damage):
    config = small_config(1, max_lanes=1)
    data = TEXT[:24]
    header, payload = encode_block(Predictor(config), data)
    bad = bytes([payload[0] ^ 0x40]) + payload[1:] if damage == "flip" else payload[:4]
    messages = []
    for device in ("cpu", "interpret"):
        with pytest.raises(NNCompressError) as caught:
            decode_block(Predictor(config), header, bad, device=device)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize(("preset", "arch"), [(1, 80), (7, 90), (9, 90)])
def test_the_kernel_compiles_for_cuda(preset, arch):
    """The interpreter runs the kernel as Python; Triton's compiler (tests/kernel_compile.py, no GPU
    needed) also checks that every value keeps one type. Ampere and Hopper; -1's, -7's and -9's
    sizes."""
    env = {key: value for key, value in os.environ.items() if key != "TRITON_INTERPRET"}
    result = subprocess.run([sys.executable, "-W", "ignore", "-m", "tests.kernel_compile", str(preset), str(arch)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"sm_{arch}: cubin of" in result.stdout
