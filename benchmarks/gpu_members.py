"""Members coded at once on a GPU, on a real input: how fast the CUDA path gets when it is full.

    python -m benchmarks.gpu_members FILE [--runs 6:128,1:256] [--no-cpu] [--out benchmarks/results/gpu_members]

Each run PRESET:MEMBERS cuts FILE into MEMBERS contiguous parts of nearly equal size and codes them
with members.py: on the CPU one after another in this process (the baseline), and with CUDA at once,
one program per member. The frames must be identical and decode. Members this small cost ratio
(each starts with a fresh model: the bits per byte column); the CLI's -T keeps members at 1 MiB or
more, so this is the GPU's aggregate speed, not an archive anyone would make of a 4 MB file.
--no-cpu skips the baseline (a lent machine's time is short): compare the frames' SHA-256 in the
JSON with a CPU run's, `python -m benchmarks.gpu_members FILE --cpu-only`, made anywhere.
Needs CUDA, torch and triton. Exit status 1 if any frame or decoded output differs.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import time
from pathlib import Path

import nncompress
from benchmarks.run import gpu_header, gpu_meta, save_results
from nncompress.members import compress_at_once


def cut(data: bytes, members: int) -> list[bytes]:
    edges = [len(data) * m // members for m in range(members + 1)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--runs", default="6:128,1:256", help="PRESET:MEMBERS, comma separated")
    parser.add_argument("--no-cpu", action="store_true", help="skip the CPU baseline")
    parser.add_argument("--cpu-only", action="store_true",
                        help="only the CPU's frames' SHA-256 and speed (one member at a time), no GPU")
    parser.add_argument("--out", default="benchmarks/results/gpu_members")
    args = parser.parse_args()
    data = Path(args.file).read_bytes()
    runs = [tuple(map(int, run.split(":"))) for run in args.runs.split(",")]
    if args.cpu_only:
        for preset, members in runs:
            start = time.perf_counter()
            # One member at a time: the frames are the same, and the models of all members at
            # once would not fit a small machine's memory (128 at -6: 42 GB).
            frames = [compress_at_once([part], preset=preset, block_size=None, device="cpu")[0]
                      for part in cut(data, members)]
            print({"preset": preset, "members": members, "frames_sha256": hashlib.sha256(b"".join(frames)).hexdigest(),
                   "cpu_compress_kBps": len(data) / (time.perf_counter() - start) / 1e3})
        return 0
    from benchmarks.gpu_check import check_members  # imports torch
    results = []
    for preset, members in runs:
        nncompress.compress(data[:16], preset=preset, device="cuda")   # compiles the kernel (not timed)
        results.append(check_members(cut(data, members), preset, cpu=not args.no_cpu))
        print(results[-1], flush=True)
    meta = gpu_meta("gpu_members", nncompress=nncompress.__version__, input=Path(args.file).name,
                    input_bytes=len(data))
    lines = ["# Members coded at once on the GPU", "",
             gpu_header(meta) + f" Input: {Path(args.file).name}, {len(data):,} bytes, cut into members.", "",
             ("| preset | members | bytes each | bits/byte | same frames as the CPU | decodes "
              "| CPU kB/s compress (one process) | CUDA kB/s compress / decompress | GPU peak memory |"),
             "|---:|---:|---:|---:|---|---|---:|---|---:|"]
    for r in results:
        same = f"SHA-256 {r['frames_sha256'][:16]}…" if args.no_cpu else "yes" if r["same_frames"] else "NO"
        cpu = "-" if args.no_cpu else f"{r['cpu_compress_kBps']:.1f}"
        lines.append(f"| {r['preset']} | {r['members']} | {r['member_bytes']:,} | {8 * r['archive_bytes'] / len(data):.3f} "
                     f"| {same} | {'yes' if r['decodes'] else 'NO'} | {cpu} "
                     f"| {r['cuda_compress_kBps']:.1f} / {r['cuda_decompress_kBps']:.1f} "
                     f"| {r['gpu_peak_bytes'] / 2**30:.1f} GiB |")
    save_results(args.out, meta, results, lines)
    return 0 if all(r["same_frames"] is not False and r["decodes"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
