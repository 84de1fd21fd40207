"""Peak memory against input length, streaming through stdin/stdout.

    python -m benchmarks.memory_scaling [--sizes 0.5,2,8] [--preset 1] [--block-size 256K] [--out PREFIX]

For each size (MiB), generated text is piped into `nncompress compress -c`, the archive into
`nncompress decompress -c`, and the output into a SHA-256 check; GNU time reports each
nncompress process's peak RSS. Flat figures across sizes mean memory does not grow with the
stream: it is bounded by the model and one block.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from at which but "
          "have an they you were her she there been one all we their has would when if so no will what can "
          "compression neural network predictor context memory transform lane archive stream byte model").split()


def generate(size: int, seed: int, sink) -> str:
    """Write `size` bytes of word-structured text to `sink`; return its SHA-256."""
    rng = random.Random(seed)
    digest = hashlib.sha256()
    left = size
    while left:
        words = rng.choices(_WORDS, k=20_000)
        chunk = (" ".join(words) + ".\n").encode()[:left]
        digest.update(chunk)
        sink.write(chunk)
        left -= len(chunk)
    return digest.hexdigest()


def _timed_command(args: list[str]) -> list[str]:
    return ["/usr/bin/time", "-f", "MAXRSS_KB=%M", *args]


def _peak_mib(stderr: bytes) -> float:
    for line in stderr.decode(errors="replace").splitlines():
        if line.startswith("MAXRSS_KB="):
            return int(line.split("=", 1)[1]) / 1024
    raise RuntimeError(f"no peak RSS reported: {stderr[-500:]!r}")


def measure(size: int, preset: int, block_size: str, workdir: Path) -> dict:
    nn = [sys.executable, "-m", "nncompress"]
    archive = workdir / f"{size}.nnc"
    start = time.perf_counter()
    with open(archive, "wb") as out:
        proc = subprocess.Popen(_timed_command([*nn, "compress", f"-{preset}", "--block-size", block_size, "-c", "-f"]),
                                stdin=subprocess.PIPE, stdout=out, stderr=subprocess.PIPE)
        expected = generate(size, seed=size, sink=proc.stdin)
        proc.stdin.close()
        comp_err = proc.stderr.read()
        if proc.wait():
            raise RuntimeError(comp_err.decode(errors="replace"))
    comp_s = time.perf_counter() - start
    start = time.perf_counter()
    proc = subprocess.Popen(_timed_command([*nn, "decompress", "-c", str(archive)]), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    digest = hashlib.sha256()
    while chunk := proc.stdout.read(1 << 20):
        digest.update(chunk)
    dec_err = proc.stderr.read()
    if proc.wait():
        raise RuntimeError(dec_err.decode(errors="replace"))
    dec_s = time.perf_counter() - start
    return {"input_bytes": size, "archive_bytes": archive.stat().st_size,
            "bits_per_byte": round(8 * archive.stat().st_size / size, 4),
            "compress_peak_rss_mib": round(_peak_mib(comp_err), 1),
            "decompress_peak_rss_mib": round(_peak_mib(dec_err), 1),
            "compress_seconds": round(comp_s, 1), "decompress_seconds": round(dec_s, 1),
            "round_trip_ok": digest.hexdigest() == expected}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.5,2,8", help="input sizes in MiB")
    parser.add_argument("--preset", type=int, default=1)
    parser.add_argument("--block-size", default="256K")
    parser.add_argument("--out", default="benchmarks/results/memory_scaling")
    args = parser.parse_args()
    if not shutil.which("/usr/bin/time"):
        parser.error("GNU time (/usr/bin/time) is needed: apt-get install time")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mib in (float(s) for s in args.sizes.split(",")):
            rows.append(measure(int(mib * (1 << 20)), args.preset, args.block_size, Path(tmp)))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    command = "python -m benchmarks.memory_scaling " + " ".join(sys.argv[1:])
    meta = {"command": command, "date": time.strftime("%Y-%m-%d"), "machine": platform.processor() or platform.machine(),
            "python": platform.python_version(), "preset": args.preset, "block_size": args.block_size}
    Path(args.out + ".json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    lines = [f"# Peak memory against input length (preset -{args.preset}, --block-size {args.block_size})", "",
             f"Command: `{command}`; {meta['date']}; Python {meta['python']}; peak RSS by GNU time.", "",
             "| input bytes | archive bytes | bits/byte | compress peak RSS MiB | decompress peak RSS MiB "
             "| compress s | decompress s | round trip |", "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['input_bytes']:,} | {r['archive_bytes']:,} | {r['bits_per_byte']} | "
                     f"{r['compress_peak_rss_mib']} | {r['decompress_peak_rss_mib']} | {r['compress_seconds']} | "
                     f"{r['decompress_seconds']} | {'ok' if r['round_trip_ok'] else 'MISMATCH'} |")
    Path(args.out + ".md").write_text("\n".join(lines) + "\n")
    return 0 if all(r["round_trip_ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
