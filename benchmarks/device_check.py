"""Cross-device check: archives made on the CPU and on CUDA must be identical, and each must
decode on the other device; plus the speed of each device on the same input.

    python -m benchmarks.device_check SAMPLE [--presets 1,6] [--check-bytes N] [--speed-bytes N] [--out FILE]

Needs a CUDA device (run it where one is lent); writes a JSON report.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import time

import torch

import nncompress


def _digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()[:16]


def _timed(fn):
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    result = fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample")
    parser.add_argument("--presets", default="1,6")
    parser.add_argument("--check-bytes", type=int, default=30_000)
    parser.add_argument("--speed-bytes", type=int, default=262_144)
    parser.add_argument("--out")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        parser.error("no CUDA device")
    torch.set_num_threads(1)
    data = open(args.sample, "rb").read()
    report = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "python": platform.python_version(),
              "sample": args.sample, "check_bytes": args.check_bytes, "speed_bytes": args.speed_bytes, "presets": {}}
    ok = True
    for preset in (int(p) for p in args.presets.split(",")):
        check = data[:args.check_bytes]
        on_cpu = nncompress.compress(check, preset=preset, device="cpu")
        on_gpu = nncompress.compress(check, preset=preset, device="cuda")
        row = {"cpu_archive": _digest(on_cpu), "cuda_archive": _digest(on_gpu), "identical": on_cpu == on_gpu}
        for name, archive, device in (("cuda_decodes_cpu_archive", on_cpu, "cuda"),
                                      ("cpu_decodes_cuda_archive", on_gpu, "cpu")):
            try:
                row[name] = nncompress.decompress(archive, device=device) == check
            except nncompress.NNCompressError as exc:
                row[name] = f"error: {exc}"
        ok &= row["identical"] is True and row["cuda_decodes_cpu_archive"] is True
        speed = data[:args.speed_bytes]
        for device in ("cpu", "cuda"):
            archive, seconds = _timed(lambda: nncompress.compress(speed, preset=preset, device=device))
            row[f"{device}_compress_bytes_per_s"] = round(len(speed) / seconds)
            row[f"{device}_bits_per_byte"] = round(8 * len(archive) / len(speed), 4)
        report["presets"][preset] = row
        print(json.dumps({preset: row}), flush=True)
    report["all_identical"] = ok
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
