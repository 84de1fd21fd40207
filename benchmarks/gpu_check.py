"""Check the CUDA path on a machine with a GPU: the same archives as the CPU, decoding across devices, speed.

    python -m benchmarks.gpu_check [--out benchmarks/results/gpu_check] [--budget 300]

The input is the current format's tests/data/format<N>/input.bin (27 KB of text, random bytes and
text; in the repository, so a device machine has it), whole and cut to shorter prefixes. For each preset and
length: compress on the CPU and with --device cuda (the archives must be identical), decompress
each archive on the other device (each must give the input back), and time all four. A first
tiny input per preset compiles the kernel (not timed). Lengths grow until a CUDA run would
overrun its share of the budget (seconds). Then members coded at once (`-T` on a device: one
program per member, members.py): 1, 16 and 128 members of 2 KB at -1, the frames compared with
the CPU's and the aggregate kB/s of both; the same at -6 for 1, 16 and 64 members. Where an
archive differs, the first prefix whose block leaves a different model is looked for and its
differing arrays printed (a lent machine's time is short: one run must say where to look). Needs
CUDA, torch and triton: pip install -e '.[cuda]'. Exit status 1 if any archive or decoded output
differs.
"""
from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import numpy as np
from nncompress.kernels.device_steps import MODEL_ARRAYS

import nncompress
from benchmarks.run import gpu_header, gpu_meta, save_results
from nncompress.codec import encode_block
from nncompress.config import preset_config
from nncompress.format import FORMAT_VERSION
from nncompress.members import compress_at_once, decompress_at_once
from nncompress.predictor import Predictor

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / f"format{FORMAT_VERSION}" / "input.bin"
LENGTHS = (1024, 4096, 27_000)
AT_ONCE = ((1, (1, 16, 128)), (6, (1, 16, 64)))   # (preset, member counts): -6's models take 300 MB each


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def check(preset: int, data: bytes) -> dict:
    on_cpu, cpu_seconds = _timed(nncompress.compress, data, preset=preset, device="cpu")
    on_cuda, cuda_seconds = _timed(nncompress.compress, data, preset=preset, device="cuda")
    back_on_cpu, cpu_decode_seconds = _timed(nncompress.decompress, on_cuda, device="cpu")
    back_on_cuda, cuda_decode_seconds = _timed(nncompress.decompress, on_cpu, device="cuda")
    return {"preset": preset, "bytes": len(data), "archive_bytes": len(on_cpu), "same_archive": on_cpu == on_cuda,
            "cuda_archive_decodes_on_cpu": back_on_cpu == data, "cpu_archive_decodes_on_cuda": back_on_cuda == data,
            "cpu_compress_s": cpu_seconds, "cuda_compress_s": cuda_seconds,
            "cpu_decompress_s": cpu_decode_seconds, "cuda_decompress_s": cuda_decode_seconds}


def first_divergence(preset: int, data: bytes) -> dict:
    """The shortest prefix (1, 2, 4, ... bytes) whose block, encoded on both devices, leaves
    different words or models, and for each differing array its first differing index and values."""
    for n in [1 << k for k in range(len(data).bit_length())] + [len(data)]:
        on_cpu, on_cuda = Predictor(preset_config(preset)), Predictor(preset_config(preset))
        words = encode_block(on_cpu, data[:n]) == encode_block(on_cuda, data[:n], device="cuda")
        arrays = {}
        for name in MODEL_ARRAYS:
            a, b = getattr(on_cpu.kernel_state, name), getattr(on_cuda.kernel_state, name)
            differ = np.flatnonzero(a.reshape(-1) != b.reshape(-1))
            if differ.size:
                i = int(differ[0])
                arrays[name] = {"count": int(differ.size), "shape": a.shape, "first_flat_index": i,
                                "cpu": int(a.reshape(-1)[i]), "cuda": int(b.reshape(-1)[i])}
        if not words or arrays:
            return {"preset": preset, "prefix_bytes": n, "same_words": words, "differing_arrays": arrays}
    return {"preset": preset, "prefix_bytes": None, "note": "every prefix's block agreed"}


def check_members(parts: list[bytes], preset: int, cpu: bool = True) -> dict:
    """Members coded at once: on the CPU (one after another, in this process; skipped unless `cpu`)
    and with CUDA (one program each). The frames' SHA-256 lets a run without the CPU be compared
    with one made elsewhere."""
    import torch
    torch.cuda.reset_peak_memory_stats()
    on_cuda, cuda_seconds = _timed(compress_at_once, parts, preset=preset, block_size=None, device="cuda")
    on_cpu, cpu_seconds = (_timed(compress_at_once, parts, preset=preset, block_size=None, device="cpu") if cpu
                           else (None, None))
    back, cuda_decode_seconds = _timed(decompress_at_once, on_cpu or on_cuda, device="cuda")
    total = sum(map(len, parts))
    return {"preset": preset, "members": len(parts), "member_bytes": max(map(len, parts)),
            "same_frames": on_cpu == on_cuda if cpu else None, "decodes": back == parts,
            "archive_bytes": sum(map(len, on_cuda)), "frames_sha256": hashlib.sha256(b"".join(on_cuda)).hexdigest(),
            "gpu_peak_bytes": torch.cuda.max_memory_allocated(),
            "cpu_compress_kBps": total / cpu_seconds / 1e3 if cpu else None,
            "cuda_compress_kBps": total / cuda_seconds / 1e3, "cuda_decompress_kBps": total / cuda_decode_seconds / 1e3}


def sample_parts(sample: bytes, members: int, size: int = 2048) -> list[bytes]:
    """`members` different pieces of the sample, `size` bytes each."""
    return [(sample * 2)[(m * 997) % len(sample):][:size] for m in range(members)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/gpu_check")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds for the whole check, roughly")
    parser.add_argument("--presets", default="1,6,9")
    args = parser.parse_args()
    import torch
    if not torch.cuda.is_available():
        raise SystemExit("gpu_check: needs a CUDA device")
    sample = SAMPLE.read_bytes()
    presets = [int(p) for p in args.presets.split(",")]
    share = args.budget / len(presets)
    results = []
    for preset in presets:
        nncompress.compress(sample[:16], preset=preset, device="cuda")   # compiles the kernel
        spent = 0.0
        for length in LENGTHS:
            result = check(preset, sample[:length])
            results.append(result)
            print(result, flush=True)
            if not (result["same_archive"] and result["cpu_archive_decodes_on_cuda"]):
                print("divergence:", first_divergence(preset, sample[:length]), flush=True)
            spent += result["cuda_compress_s"] + result["cuda_decompress_s"]
            per_byte = (result["cuda_compress_s"] + result["cuda_decompress_s"]) / length
            if spent + per_byte * 2 * length > share:   # the next length would overrun
                break
    at_once = []
    for preset, counts in AT_ONCE:
        for members in counts:
            at_once.append(check_members(sample_parts(sample, members), preset))
            print(at_once[-1], flush=True)
    meta = gpu_meta("gpu_check", nncompress=nncompress.__version__)
    lines = [
        "# The CUDA path against the CPU", "",
        gpu_header(meta) + f" Input: prefixes of {SAMPLE.relative_to(SAMPLE.parents[3])}.", "",
        ("| preset | bytes | same archive | decodes across | CPU kB/s compress / decompress "
         "| CUDA kB/s compress / decompress |"), "|---:|---:|---|---|---|---|"]
    for r in results:
        across = r["cuda_archive_decodes_on_cpu"] and r["cpu_archive_decodes_on_cuda"]
        lines.append(f"| {r['preset']} | {r['bytes']:,} | {'yes' if r['same_archive'] else 'NO'} | "
                     f"{'yes' if across else 'NO'} | {r['bytes'] / r['cpu_compress_s'] / 1e3:.1f} / "
                     f"{r['bytes'] / r['cpu_decompress_s'] / 1e3:.1f} | {r['bytes'] / r['cuda_compress_s'] / 1e3:.1f} / "
                     f"{r['bytes'] / r['cuda_decompress_s'] / 1e3:.1f} |")
    lines += ["", "Members coded at once (one program each), 2 KB each; the CPU codes them one after another:",
              "",
              "| preset | members | same frames | decodes | CPU kB/s compress | CUDA kB/s compress / decompress |",
              "|---:|---:|---|---|---:|---|"]
    for r in at_once:
        lines.append(f"| {r['preset']} | {r['members']} | {'yes' if r['same_frames'] else 'NO'} | {'yes' if r['decodes'] else 'NO'} "
                     f"| {r['cpu_compress_kBps']:.1f} | {r['cuda_compress_kBps']:.1f} / "
                     f"{r['cuda_decompress_kBps']:.1f} |")
    save_results(args.out, meta, {"one_member": results, "members_at_once": at_once}, lines)
    ok = all(r["same_archive"] and r["cuda_archive_decodes_on_cpu"] and r["cpu_archive_decodes_on_cuda"]
             for r in results) and all(r["same_frames"] and r["decodes"] for r in at_once)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
