"""The benchmark runner's pieces on tiny inputs: measurement, round-trip check, outputs, refusals."""
from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # benchmarks/, corpora/ are not installed
from benchmarks import run  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def text_input(path: Path, n: int = 2000) -> Path:
    rng = random.Random(1)
    words = ["the", "of", "and", "compression", "neural", "<page>", "[[link]]", "model", "text", "byte"]
    data = " ".join(rng.choice(words) for _ in range(n)).encode()[:n]
    path.write_bytes(data)
    return path


PY = sys.executable
COPY = "import shutil,sys; shutil.copyfile(sys.argv[1], sys.argv[2])"
FLIP = "import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[7]^=1; open(sys.argv[2],'wb').write(d)"
SHORT = "import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(d[:-1])"


def fake(key: str, decode_snippet: str) -> run.Compressor:
    """A 'compressor' that copies, with a decompressor that may corrupt."""
    return run.Compressor(
        key=key, label=key, settings="fake",
        compress=lambda src, dst, work: run.Cmd([PY, "-c", COPY, str(src), str(dst)], cwd=work, product=dst),
        decompress=lambda cmp, dst, work, orig: run.Cmd([PY, "-c", decode_snippet, str(cmp), str(dst)], cwd=work, product=dst),
        default_repeat=1)


def config(tmp_path: Path, inputs, comps, **kw) -> run.RunConfig:
    return run.RunConfig(inputs=list(inputs), compressors=list(comps), out_prefix=tmp_path / "out" / "r",
                         workdir=tmp_path, command="pytest", quiet=True, plot=False, **kw)


def test_nncompress_and_a_peer_on_2kb(tmp_path):
    src = text_input(tmp_path / "tiny.txt")
    comps = [run.nncompress_compressor(1, mode="api"), run.peer_compressors()["gzip"]]
    report, status = run.run_benchmark(config(tmp_path, [src], comps, repeat=1))
    assert status == run.EXIT_OK
    data = json.loads((tmp_path / "out" / "r.json").read_text())
    assert data["complete"] is True
    assert [r["compressor"] for r in data["results"]] == ["nncompress-1", "gzip"]
    for r in data["results"]:
        assert r["status"] == "ok" and r["round_trip"].startswith("ok")
        assert 0 < r["compressed_bytes"] < 2000
        assert r["bits_per_byte"] == pytest.approx(8 * r["compressed_bytes"] / 2000)
        assert r["compress_Bps"] > 0 and r["decompress_Bps"] > 0
        assert r["compress_peak_rss_kib"] > 0
    nn = data["results"][0]
    assert nn["compress_peak_rss_kib"] > 50 * 1024       # python + numba + the model; the launcher's floor is far below
    for key in ("machine", "software", "compressor_versions", "date", "command", "method"):
        assert data[key]
    assert data["machine"]["cpu"] and data["software"]["python"]
    md = (tmp_path / "out" / "r.md").read_text()
    assert "| nncompress -1 |" in md and "| gzip | -9 |" in md and "bits/byte" in md
    assert "peak RSS" in md and "command: `pytest`" in md


def test_round_trip_mismatch_is_caught(tmp_path):
    src = text_input(tmp_path / "tiny.txt")
    comps = [fake("honest", COPY), fake("flipper", FLIP), fake("truncator", SHORT)]
    report, status = run.run_benchmark(config(tmp_path, [src], comps))
    assert status == run.EXIT_FAILED
    by = {r["compressor"]: r for r in report["results"]}
    assert by["honest"]["status"] == "ok"
    assert by["flipper"]["status"] == "failed"
    assert by["flipper"]["round_trip"].startswith("MISMATCH") and "byte 7" in by["flipper"]["round_trip"]
    assert "sizes" in by["truncator"]["round_trip"] and by["truncator"]["status"] == "failed"
    md = (tmp_path / "out" / "r.md").read_text()
    assert "**MISMATCH" in md


def test_failing_compressor_is_reported(tmp_path):
    src = text_input(tmp_path / "tiny.txt")
    bad = run.Compressor(key="bad", label="bad", settings="x",
                         compress=lambda s, d, w: run.Cmd([PY, "-c", "import sys; sys.exit(3)"], cwd=w, product=d),
                         decompress=lambda c, d, w, o: run.Cmd(["true"]), default_repeat=1)
    report, status = run.run_benchmark(config(tmp_path, [src], [bad]))
    assert status == run.EXIT_FAILED
    assert report["results"][0]["status"] == "failed" and "exited 3" in report["results"][0]["error"]


@pytest.mark.parametrize("method", ["python", "gnu-time"])
def test_peak_rss_is_the_childs_own(method):
    if method == "gnu-time" and not run.gnu_time():
        pytest.skip("GNU time not installed")
    floor = run.execute(run.Cmd(["true"]), method=method)
    big = run.execute(run.Cmd([PY, "-c", "b = b'x' * (120 << 20)"]), method=method)
    assert floor.returncode == 0 and big.returncode == 0
    assert floor.maxrss_kib < 20 * 1024          # not this (large, numba-importing) test process
    assert big.maxrss_kib > 120 * 1024


def test_main_writes_outputs_and_notes_skipped_tools(tmp_path, monkeypatch, capsys):
    src = text_input(tmp_path / "tiny.txt")
    peers = run.peer_compressors()
    missing = run.Compressor(key="nosuch", label="nosuch", settings="-9", compress=peers["gzip"].compress,
                             decompress=peers["gzip"].decompress, missing=run._tool_missing("nosuch-compressor-xyz"))
    monkeypatch.setattr(run, "peer_compressors", lambda: {"gzip": peers["gzip"], "nosuch": missing})
    out = tmp_path / "res" / "b"
    rc = run.main([str(src), "--presets", "none", "--peers", "gzip,nosuch", "--repeat", "2", "--out", str(out),
                   "--no-plot", "-q", "--tmpdir", str(tmp_path)])
    assert rc == 0
    data = json.loads(out.with_suffix(".json").read_text())
    assert "nosuch" in data["skipped"] and "not installed" in data["skipped"]["nosuch"]
    assert [r["compressor"] for r in data["results"]] == ["gzip"]
    assert len(data["results"][0]["compress_s_runs"]) == 2
    assert "--repeat 2" in data["command"]
    assert "## Not run" in out.with_suffix(".md").read_text()
    assert run.main(["--peers", "bogus", "--presets", "none", str(src)]) == run.EXIT_REFUSED


def test_plot(tmp_path):
    pytest.importorskip("matplotlib")
    src = text_input(tmp_path / "tiny.txt")
    cfg = config(tmp_path, [src], [run.peer_compressors()["gzip"]])
    cfg.plot = True
    run.run_benchmark(cfg)
    png = tmp_path / "out" / "r.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_full_enwik_must_match_published_hash(tmp_path):
    wrong_size = tmp_path / "enwik8"
    wrong_size.write_bytes(b"x" * 1000)
    with pytest.raises(run.BenchError, match="not the 100,000,000"):
        run.check_input(wrong_size)
    fake_full = tmp_path / "full" / "enwik8"
    fake_full.parent.mkdir()
    with open(fake_full, "wb") as f:
        f.truncate(10**8)            # right size, wrong content (sparse)
    with pytest.raises(run.BenchError, match="md5|sha256"):
        run.check_input(fake_full)
    assert run.main([str(fake_full), "--presets", "none", "--peers", "gzip", "-q"]) == run.EXIT_REFUSED
    other = text_input(tmp_path / "enwik8_2k")
    assert run.check_input(other)["bytes"] == 2000


def test_hashes_agree_with_corpora_manifest():
    manifest = json.loads((REPO / "corpora" / "manifest.json").read_text())["corpora"]
    for name, (size, hashes) in run.FULL_CORPORA.items():
        entry = manifest[name]["files"][0]
        assert entry["size"] == size
        for algo, value in hashes.items():
            assert entry[algo] == value


def test_compare_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"x" * (3 << 20))
    b.write_bytes(b"x" * (3 << 20))
    assert run.compare_files(a, b) is None
    b.write_bytes(b"x" * (2 << 20) + b"y" + b"x" * ((1 << 20) - 1))
    assert f"byte {2 << 20:,}" in run.compare_files(a, b)
    b.write_bytes(b"x" * (3 << 20) + b"!")
    assert "sizes differ" in run.compare_files(a, b)
    assert "no decompressed output" in run.compare_files(a, tmp_path / "missing")


def test_nncompress_cli_command_line(tmp_path):
    c = run.nncompress_compressor(9, mode="cli", extra=["--device", "cpu"])
    cmd = c.compress(Path("/in"), tmp_path / "o", tmp_path)
    assert cmd.argv[1:] == ["-m", "nncompress", "compress", "-c", "-9", "--device", "cpu", "/in"]
    assert cmd.stdout == tmp_path / "o"
    assert str(REPO) in cmd.env["PYTHONPATH"]
    d = c.decompress(Path("/x.nnc"), tmp_path / "d", tmp_path, Path("/in"))
    assert d.argv[1:5] == ["-m", "nncompress", "decompress", "-c"]
    with pytest.raises(run.BenchError):
        run.nncompress_compressor(1, mode="api", extra=["--device", "cpu"])


def test_nncompress_threads_are_their_own_row(tmp_path):
    c = run.nncompress_compressor(6, mode="cli", threads=2)
    assert (c.key, c.label) == ("nncompress-6-T2", "nncompress -6 -T2")
    assert c.compress(Path("/in"), tmp_path / "o", tmp_path).argv[-2:] == ["-T2", "/in"]
    assert c.decompress(Path("/x.nnc"), tmp_path / "d", tmp_path, Path("/in")).argv[-2:] == ["-T2", "/x.nnc"]
    assert run.nncompress_compressor(6, mode="cli").key == "nncompress-6"
    assert run.parse_threads("1,2,0") == [1, 2, 0]
    for bad in ("", "x", "-1"):
        with pytest.raises(run.BenchError):
            run.parse_threads(bad)


@pytest.mark.slow
def test_nncompress_through_the_cli(tmp_path):
    src = text_input(tmp_path / "tiny.txt")
    report, status = run.run_benchmark(config(tmp_path, [src], [run.nncompress_compressor(1, mode="cli")]))
    assert status == run.EXIT_OK, report["results"]


def test_alternate_codes_every_chunk_with_both_versions(tmp_path):
    from benchmarks import alternate
    source = text_input(tmp_path / "in.txt", 5000)
    out = tmp_path / "alt"
    assert alternate.main([str(source), "--a", str(REPO), "--b", str(REPO), "--preset", "1", "--chunk", "2000",
                           "--out", str(out)]) == 0
    a, b = json.loads((tmp_path / "alt.json").read_text())["results"]
    assert len(a["chunk_seconds"]) == len(b["chunk_seconds"]) == 3     # 2000 + 2000 + 1000 bytes
    assert a["bytes"] == b["bytes"] > 0                                 # the same code makes the same payload
    assert "B's time over A's, chunk by chunk" in (tmp_path / "alt.md").read_text()


def test_alternate_times_decoding_with_decompress(tmp_path):
    from benchmarks import alternate
    source = text_input(tmp_path / "in.txt", 3000)
    assert alternate.main([str(source), "--a", str(REPO), "--b", str(REPO), "--preset", "1", "--chunk", "2000",
                           "--decompress", "--out", str(tmp_path / "alt")]) == 0
    saved = json.loads((tmp_path / "alt.json").read_text())
    a, b = saved["results"]
    assert saved["meta"]["direction"] == "decompress"
    assert len(a["chunk_seconds"]) == len(b["chunk_seconds"]) == 2
    assert a["bytes"] == b["bytes"] > 0
    assert "decoded by both versions in turn" in (tmp_path / "alt.md").read_text()


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs a git checkout")
def test_alternate_exports_a_git_revision(tmp_path):
    from benchmarks import alternate
    tree, label = alternate.version_tree("HEAD", tmp_path)
    assert (tree / "nncompress" / "__init__.py").is_file() and label.startswith("HEAD (")
    with pytest.raises(SystemExit, match="neither a directory nor a git revision"):
        alternate.version_tree("no-such-revision", tmp_path)
