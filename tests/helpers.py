"""Shared test inputs: the project's real data lives beside the repo, never inside it."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CANTERBURY = sorted((DATA / "canterbury").glob("*")) if (DATA / "canterbury").is_dir() else []


def shared_file(name: str) -> bytes:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path.read_bytes()


def english_like(n: int, seed: int = 0) -> bytes:
    """Generated text with word structure, so models have something to learn."""
    rng = random.Random(seed)
    words = ["the", "of", "and", "compression", "neural", "network", "byte", "model", "a", "is",
             "<page>", "[[link]]", "learns", "online", "while", "it", "codes", "\n"]
    out = []
    size = 0
    while size < n:
        w = rng.choice(words)
        out.append(w)
        size += len(w) + 1
    return " ".join(out).encode()[:n]


def cuda_available() -> bool:
    """Can --device cuda run here: torch and triton installed and a CUDA device visible?"""
    from nncompress.device import resolve_device
    from nncompress.errors import NNCompressError
    try:
        resolve_device("cuda")
    except NNCompressError:
        return False
    return True
