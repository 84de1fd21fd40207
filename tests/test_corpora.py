"""corpora/manifest.json and the verification path of `python -m corpora.fetch` (no network)."""
from __future__ import annotations

import hashlib
import io
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # benchmarks/, corpora/ are not installed
from corpora import fetch  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CANTERBURY = REPO.parent / "shared" / "data" / "canterbury"
needs_canterbury = pytest.mark.skipif(not CANTERBURY.is_dir(), reason="../shared/data/canterbury is not here")


def test_manifest_shape():
    m = fetch.load_manifest()
    assert {"enwik8", "enwik9", "canterbury", "canterbury-large", "calgary", "silesia"} <= set(m["corpora"])
    for name, c in m["corpora"].items():
        assert c["url"].startswith("https://") and c["archive"] in ("zip", "tar.gz"), name
        for f in c["files"]:
            assert f["size"] > 0 and "sha256" in f, (name, f)
            assert f["sha256"] is None or len(f["sha256"]) == 64
    assert sum(f["size"] for f in m["corpora"]["canterbury"]["files"]) == 2_810_784
    assert sum(f["size"] for f in m["corpora"]["silesia"]["files"]) == 211_938_580


@needs_canterbury
def test_shared_canterbury_verifies():
    report = fetch.verify("canterbury", CANTERBURY)
    assert report.ok, report.text()
    assert not report.size_only
    assert "11 files" in report.text() and "size and hash" in report.text()
    assert fetch.main(["canterbury", "--dest", str(CANTERBURY), "--verify-only"]) == 0


@needs_canterbury
def test_corrupted_copy_fails_clearly(tmp_path, capsys):
    dest = tmp_path / "cant"
    shutil.copytree(CANTERBURY, dest)
    alice = dest / "alice29.txt"
    data = bytearray(alice.read_bytes())
    data[1000] ^= 0x20
    alice.write_bytes(data)
    (dest / "ptt5").write_bytes((dest / "ptt5").read_bytes()[:-10])
    (dest / "sum").unlink()
    report = fetch.verify("canterbury", dest)
    assert not report.ok
    text = "\n".join(report.problems)
    assert "alice29.txt: sha256" in text and "content differs" in text
    assert "ptt5: size is 513,206 bytes, the manifest says 513,216" in text
    assert "sum: missing" in text
    assert len(report.problems) == 3
    assert fetch.main(["canterbury", "--dest", str(dest), "--verify-only"]) == 1
    assert "FAILED, 3 problem(s)" in capsys.readouterr().out


def test_size_only_corpus_says_so(tmp_path):
    m = fetch.load_manifest()
    dest = tmp_path / "large"
    dest.mkdir()
    for f in m["corpora"]["canterbury-large"]["files"]:
        with open(dest / f["name"], "wb") as out:
            out.truncate(f["size"])
    report = fetch.verify("canterbury-large", dest)
    assert report.ok
    assert "size only" in report.text() and len(report.size_only) == 3
    with open(dest / "bible.txt", "ab") as out:
        out.write(b"!")
    assert not fetch.verify("canterbury-large", dest).ok


def test_unknown_corpus(capsys):
    assert fetch.main(["nosuch", "--dest", "/tmp", "--verify-only"]) == 2
    assert "unknown corpus" in capsys.readouterr().err


def _tiny_manifest(url: str, kind: str, payload: bytes) -> dict:
    return {"corpora": {"tiny": {"url": url, "archive": kind, "files": [
        {"name": "a.txt", "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()},
        {"name": "opt", "size": 3, "sha256": None, "optional": True}]}}}


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_fetch_downloads_extracts_and_verifies(tmp_path, kind):
    payload = b"hello corpus\n" * 100
    archive = tmp_path / f"tiny.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("tiny/a.txt", payload)
            z.writestr("../evil.txt", b"no")
    else:
        with tarfile.open(archive, "w:gz") as t:
            for name, data in (("tiny/a.txt", payload), ("../evil.txt", b"no")):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    manifest = _tiny_manifest(archive.as_uri(), kind, payload)
    dest = tmp_path / "dest"
    report = fetch.fetch("tiny", dest, manifest, quiet=True)
    assert report.ok, report.text()
    assert (dest / "a.txt").read_bytes() == payload
    assert not (tmp_path / "evil.txt").exists() and not (dest / "evil.txt").exists()
    assert "absent   opt (optional)" in report.text()
    again = fetch.fetch("tiny", dest, manifest, quiet=True)
    assert "already present" in again.text()
