"""Download a standard corpus and verify it against corpora/manifest.json.

    python -m corpora.fetch --list
    python -m corpora.fetch canterbury --dest ~/corpora/canterbury
    python -m corpora.fetch canterbury --dest ../shared/data/canterbury --verify-only
    python -m corpora.fetch enwik8 --dest ~/corpora            # downloads enwik8.zip, extracts enwik8, checks md5+sha256

Files already in DEST that verify are not downloaded again. Files whose manifest entry has no
hash (sha256 null) are checked by size only, and the report says so. Exit status: 0 verified,
1 verification failed, 2 usage or download error.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = Path(__file__).resolve().parent / "manifest.json"
HASHES = ("sha256", "md5")


def load_manifest(path: Path = MANIFEST) -> dict:
    return json.loads(Path(path).read_text())


def corpus(name: str, manifest: dict | None = None) -> dict:
    corpora = (manifest or load_manifest())["corpora"]
    if name not in corpora:
        raise KeyError(f"unknown corpus {name!r}; known: {', '.join(corpora)}")
    return corpora[name]


@dataclass
class Report:
    name: str
    ok: bool = True
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    size_only: list[str] = field(default_factory=list)   # files checked by size only (no known hash)

    def fail(self, msg: str) -> None:
        self.ok = False
        self.problems.append(msg)
        self.lines.append("FAIL     " + msg)

    def text(self) -> str:
        return "\n".join(self.lines)


def file_digests(path: Path, algos: tuple[str, ...]) -> dict[str, str]:
    hs = {a: hashlib.new(a) for a in algos}
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            for h in hs.values():
                h.update(chunk)
    return {a: h.hexdigest() for a, h in hs.items()}


def verify_file(path: Path, entry: dict, report: Report) -> None:
    name = entry["name"]
    if not path.is_file():
        if entry.get("optional"):
            report.lines.append(f"absent   {name} (optional)")
        else:
            report.fail(f"{name}: missing (expected {path})")
        return
    size = path.stat().st_size
    if size != entry["size"]:
        report.fail(f"{name}: size is {size:,} bytes, the manifest says {entry['size']:,}; "
                    f"the file is truncated, damaged or not the corpus file")
        return
    algos = tuple(a for a in HASHES if entry.get(a))
    if not algos:
        report.size_only.append(name)
        report.lines.append(f"ok       {name}: {size:,} bytes (size only: no known hash for this file)")
        return
    got = file_digests(path, algos)
    for a in algos:
        if got[a] != entry[a].lower():
            report.fail(f"{name}: {a} is {got[a]}, the manifest says {entry[a]}; "
                        f"the size is right but the content differs from the published file")
            return
    report.lines.append(f"ok       {name}: {size:,} bytes, {' and '.join(algos)} match")


def verify(name: str, dest: Path, manifest: dict | None = None) -> Report:
    """Check every file of corpus `name` in directory `dest` (the files directly inside it)."""
    c = corpus(name, manifest)
    report = Report(name)
    for entry in c["files"]:
        verify_file(Path(dest) / entry["name"], entry, report)
    n = sum(1 for e in c["files"] if (Path(dest) / e["name"]).is_file())
    if report.ok:
        how = "by size only (no known hashes)" if report.size_only and len(report.size_only) == n else (
            f"by hash, {len(report.size_only)} of them by size only" if report.size_only else "by size and hash")
        report.lines.append(f"{name}: OK, {n} files in {dest} verified {how}")
    else:
        report.lines.append(f"{name}: FAILED, {len(report.problems)} problem(s) in {dest}")
    return report


def download(url: str, target: Path, quiet: bool = False) -> None:
    req = urllib.request.Request(url, headers={"User-Agent": "nncompress-corpora-fetch/1"})
    part = target.with_name(target.name + ".part")
    with urllib.request.urlopen(req, timeout=60) as r, open(part, "wb") as f:
        total = int(r.headers.get("Content-Length") or 0)
        done = 0
        while chunk := r.read(1 << 20):
            f.write(chunk)
            done += len(chunk)
            if not quiet:
                pct = f" {100 * done / total:5.1f}%" if total else ""
                print(f"\r  {done / 1e6:8.1f} MB{pct}", end="", file=sys.stderr, flush=True)
    if not quiet:
        print(file=sys.stderr)
    part.replace(target)


def extract(archive: Path, kind: str, wanted: set[str], dest: Path) -> list[str]:
    """Copy the members whose base name is in `wanted` to dest/<base name>; nothing else is written,
    so member paths in the archive cannot escape `dest`."""
    found = []

    def put(base: str, stream: io.BufferedIOBase) -> None:
        tmp = dest / (base + ".part")
        with open(tmp, "wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        tmp.replace(dest / base)
        found.append(base)

    if kind == "zip":
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                base = os.path.basename(info.filename)
                if not info.is_dir() and base in wanted and base not in found:
                    with z.open(info) as s:
                        put(base, s)
    elif kind in ("tar.gz", "tar", "tgz"):
        with tarfile.open(archive, "r:*") as t:
            for member in t:
                base = os.path.basename(member.name)
                if member.isfile() and base in wanted and base not in found:
                    s = t.extractfile(member)
                    if s is not None:
                        put(base, s)
    else:
        raise ValueError(f"unknown archive kind {kind!r}")
    return found


def fetch(name: str, dest: Path, manifest: dict | None = None, keep_archive: bool = False, quiet: bool = False) -> Report:
    c = corpus(name, manifest)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    present = verify(name, dest, manifest)
    if present.ok:
        present.lines.insert(0, "already present; nothing downloaded")
        return present
    wanted = {e["name"] for e in c["files"]}
    archive_name = c["url"].rsplit("/", 1)[-1]
    with tempfile.TemporaryDirectory(dir=dest, prefix=".fetch-") as td:
        archive = Path(td) / archive_name
        if not quiet:
            print(f"downloading {c['url']}", file=sys.stderr)
        download(c["url"], archive, quiet)
        found = extract(archive, c["archive"], wanted, dest)
        if not quiet:
            print(f"extracted {len(found)} file(s) to {dest}", file=sys.stderr)
        if keep_archive:
            shutil.copy2(archive, dest / archive_name)
    return verify(name, dest, manifest)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corpora.fetch", description=__doc__.split("\n\n")[0])
    ap.add_argument("name", nargs="?", help="corpus name (see --list)")
    ap.add_argument("--dest", type=Path, help="directory that holds (or will hold) the corpus files")
    ap.add_argument("--verify-only", action="store_true", help="check the files in DEST, download nothing")
    ap.add_argument("--keep-archive", action="store_true", help="keep the downloaded archive in DEST")
    ap.add_argument("--list", action="store_true", help="list the corpora in the manifest")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    manifest = load_manifest()
    if args.list:
        for key, c in manifest["corpora"].items():
            total = sum(f["size"] for f in c["files"] if not f.get("optional"))
            hashed = all(f.get("sha256") for f in c["files"])
            print(f"{key:18} {len(c['files']):3} files {total:>14,} bytes  "
                  f"{'sha256' if hashed else 'size only'}  {c['url']}")
        return 0
    if not args.name or args.dest is None:
        ap.error("give a corpus NAME and --dest DIR (or --list)")
    try:
        if args.verify_only:
            report = verify(args.name, args.dest, manifest)
        else:
            report = fetch(args.name, args.dest, manifest, args.keep_archive, args.quiet)
    except KeyError as e:
        print(f"corpora.fetch: {e.args[0]}", file=sys.stderr)
        return 2
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as e:
        print(f"corpora.fetch: download or extraction failed: {e}", file=sys.stderr)
        return 2
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
