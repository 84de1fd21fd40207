"""The speed of two versions of nncompress, measured in turn so that a drifting machine hits both alike.

    python -m benchmarks.alternate FILE --a VERSION --b VERSION [--preset 6] [--chunk 262144] [--decompress]
                                   [--out PREFIX]

A version is a directory that holds a source tree (its `nncompress/`), or a git revision of this
repository, exported with `git archive` into a temporary directory. On a shared machine one
process's speed drifts by 10-15% within minutes, more than most changes to the model cost, so two
runs one after the other cannot tell the versions apart (benchmarks/results/model_candidates/
README.md, "Format 11"). Here each version runs in its own worker process, its tree first on
sys.path, and both code the same chunks of FILE in turn: chunk k goes to A first for even k, to B
first for odd k. Each worker keeps one predictor over all chunks and codes each chunk as one block
(as `benchmarks.ablation` codes a file, in blocks), so both learn the file as a stream; the
kernels are compiled (or loaded) before the first chunk. With --decompress, each worker encodes a
chunk untimed with a second predictor, then times decoding it (and checks the bytes). Reported: each
version's payload bytes and speed over all chunks, and the median of B's time over A's, chunk by chunk.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from nncompress.config import DEFAULT_PRESET

from .run import REPO_ROOT, machine_info, save_results

# A worker: argv = tree, file, preset, direction. It says which nncompress it imported, then codes each
# "start end" line of stdin as the next block and answers with that chunk's seconds (of encoding, or of
# decoding what a second predictor encoded untimed) and payload bytes.
_WORKER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import nncompress
from nncompress.codec import decode_block, encode_block
from nncompress.config import preset_config
from nncompress.predictor import Predictor
config, decompress = preset_config(int(sys.argv[3])), sys.argv[4] == "decompress"
data = open(sys.argv[2], 'rb').read()
warm_up = b"warm up: compile the kernels" * 8
decode_block(Predictor(config), *encode_block(Predictor(config), warm_up))
predictor = Predictor(config)
encoder = Predictor(config) if decompress else predictor
print(json.dumps({"package": nncompress.__file__, "version": nncompress.__version__}), flush=True)
for line in sys.stdin:
    start, end = map(int, line.split())
    chunk = data[start:end]
    if decompress:
        header, payload = encode_block(encoder, chunk)
        began = time.perf_counter()
        if decode_block(predictor, header, payload) != chunk:
            raise SystemExit("a chunk did not decode to its bytes")
    else:
        began = time.perf_counter()
        header, payload = encode_block(predictor, chunk)
    print(json.dumps({"seconds": time.perf_counter() - began, "bytes": len(payload)}), flush=True)
"""


def version_tree(spec: str, scratch: Path) -> tuple[Path, str]:
    """-> (a source tree, its label) for a directory, or for a git revision exported under `scratch`."""
    if Path(spec).is_dir():
        return Path(spec).resolve(), spec
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "--verify", spec + "^{commit}"], cwd=REPO_ROOT,
                                capture_output=True, text=True)
    except FileNotFoundError:
        raise SystemExit(f"{spec}: not a directory, and git, to find it as a revision, is not installed") from None
    if commit.returncode != 0:
        raise SystemExit(f"{spec}: neither a directory nor a git revision of {REPO_ROOT}")
    commit_id = commit.stdout.strip()
    archive = subprocess.run(["git", "archive", "--format=zip", commit_id, "nncompress"], cwd=REPO_ROOT,
                             capture_output=True, check=True)
    tree = scratch / commit_id
    with zipfile.ZipFile(io.BytesIO(archive.stdout)) as package:
        package.extractall(tree)
    return tree, f"{spec} ({commit_id})"


def _start_worker(tree: Path, path: Path, preset: int, direction: str) -> tuple[subprocess.Popen, dict]:
    worker = subprocess.Popen([sys.executable, "-c", _WORKER, str(tree), str(path), str(preset), direction],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    hello = _reply(worker, tree)
    if not Path(hello["package"]).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"{tree}: the worker imported {hello['package']}, not the tree's nncompress")
    return worker, hello


def _reply(worker: subprocess.Popen, tree: Path) -> dict:
    line = worker.stdout.readline()
    if not line:
        raise SystemExit(f"the worker of {tree} ended (exit status {worker.wait()}); its error is above")
    return json.loads(line)


def alternate(path: Path, trees: list[Path], preset: int, chunk: int, direction: str = "compress") -> list[dict]:
    """-> per version {"version", "bytes", "seconds", "chunk_seconds"}, the chunks of `path` coded in turn
    (direction: "compress", or "decompress" to time decoding)."""
    size = path.stat().st_size
    workers = [_start_worker(tree, path, preset, direction) for tree in trees]
    results = [{"version": hello["version"], "bytes": 0, "seconds": 0.0, "chunk_seconds": []} for _, hello in workers]
    try:
        for k, start in enumerate(range(0, size, chunk)):
            for v in (0, 1) if k % 2 == 0 else (1, 0):
                worker = workers[v][0]
                worker.stdin.write(f"{start} {min(start + chunk, size)}\n")
                worker.stdin.flush()
                reply = _reply(worker, trees[v])
                results[v]["bytes"] += reply["bytes"]
                results[v]["seconds"] += reply["seconds"]
                results[v]["chunk_seconds"].append(reply["seconds"])
    finally:
        for worker, _ in workers:
            worker.stdin.close()
            worker.wait()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.alternate", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--a", required=True, help="the first version: a source tree's directory or a git revision")
    parser.add_argument("--b", required=True, help="the second version, the same way")
    parser.add_argument("--preset", type=int, default=DEFAULT_PRESET)
    parser.add_argument("--chunk", type=int, default=1 << 18, help="bytes per chunk, each a block (default 256 KiB)")
    parser.add_argument("--decompress", action="store_true", help="time decoding, not encoding")
    parser.add_argument("--out", default="benchmarks/results/alternate")
    args = parser.parse_args(argv)
    if args.chunk < 1:
        parser.error("--chunk must be at least 1")
    size = args.file.stat().st_size
    with tempfile.TemporaryDirectory(prefix="nncompress-versions-") as scratch:
        versions = [version_tree(spec, Path(scratch)) for spec in (args.a, args.b)]
        direction = "decompress" if args.decompress else "compress"
        results = alternate(args.file, [tree for tree, _ in versions], args.preset, args.chunk, direction)
    for result, (_, label) in zip(results, versions):
        result["label"] = label
    ratios = [b / a for a, b in zip(results[0]["chunk_seconds"], results[1]["chunk_seconds"])]
    command = "python -m benchmarks.alternate " + " ".join(sys.argv[1:] if argv is None else argv)
    meta = {"command": command, "date": time.strftime("%Y-%m-%d"), "cpu": machine_info()["cpu"],
            "input": args.file.name, "input_bytes": size, "preset": args.preset, "chunk": args.chunk, "threads": 1,
            "direction": direction}
    coded = "decoded" if args.decompress else "coded"
    lines = [f"# Two versions in turn: -{args.preset} on {args.file.name} ({size:,} bytes), {direction}ion", "",
             f"Command: `{command}`; {meta['date']}; {meta['cpu']}; one thread; {len(ratios)} chunks of at "
             f"most {args.chunk:,} bytes, each a block, {coded} by both versions in turn; payload bytes; "
             "in-process times.", "",
             "| version | nncompress | bytes | bits/byte | kB/s |", "|---|---|---:|---:|---:|"]
    lines += [f"| {r['label']} | {r['version']} | {r['bytes']:,} | {8 * r['bytes'] / size:.4f} | "
              f"{size / r['seconds'] / 1000:.1f} |" for r in results]
    lines += ["", f"B's time over A's, chunk by chunk: median {statistics.median(ratios):.3f} "
              f"(lowest {min(ratios):.3f}, highest {max(ratios):.3f})."]
    save_results(args.out, meta, results, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
