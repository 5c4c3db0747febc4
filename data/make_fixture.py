"""Regenerates the small committed test corpus under tests/data/ from the sources.

The fixture is committed, so this only needs running if the excerpts change:
    /usr/bin/python3 data/prepare_corpora.py --out build/data   # fetches sources
    /usr/bin/python3 data/make_fixture.py --sources build/data/sources --out tests/data
Excerpts are formatted exactly like the full corpus documents (text_format.py).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rdata  # noqa: E402
import text_format  # noqa: E402

SOTU_SUBDIR = os.path.join("npm", "node_modules", "@stdlib", "datasets-sotu", "data")
AUSTEN_DB = os.path.join("janeaustenr", "usr", "lib", "R", "site-library", "janeaustenr",
                         "data", "Rdata")


def sentence_prefix(text, max_bytes):
    """Longest run of whole sentences of `text` that fits in max_bytes."""
    out = ""
    for piece in text_format.split_sentences(text):
        if len((out + piece).encode("utf-8")) > max_bytes:
            break
        out += piece
    return out.rstrip()


def read_sotu(sources, stem):
    with open(os.path.join(sources, SOTU_SUBDIR, stem + ".txt"), encoding="utf-8") as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", default="build/data/sources")
    ap.add_argument("--out", default="tests/data")
    args = ap.parse_args()

    with open(os.path.join(args.sources, "kjv", "kjv.txt"), encoding="utf-8") as f:
        kjv = text_format.parse_kjv_dump(f.read())
    austen = rdata.LazyLoadDB(os.path.join(args.sources, AUSTEN_DB))
    pride = austen.get("prideprejudice")
    chapter2 = next(i for i, line in enumerate(pride) if line == "Chapter 2")

    docs = {
        # Ruth chapter 1, formatted like a (one-chapter) KJV book document.
        "kjv_ruth_1.txt": text_format.format_kjv_book(
            "Ruth", [v for v in kjv["Ruth"] if v[0] == 1]),
        # Opening sentences (~5 KB) of Washington's 1790 address: one long line.
        "sotu_1790_washington.txt": sentence_prefix(
            text_format.format_sotu(read_sotu(args.sources, "1790_george_washington_n")),
            5000) + "\n",
        # Title page and Chapter 1 of Pride and Prejudice.
        "austen_pride_prejudice_ch1.txt": text_format.format_austen(pride[:chapter2]),
    }
    os.makedirs(os.path.join(args.out, "corpus"), exist_ok=True)
    for name, text in docs.items():
        with open(os.path.join(args.out, "corpus", name), "w", encoding="utf-8",
                  newline="\n") as f:
            f.write(text)

    # corpus.jsonl: short documents, one JSON object per line, including
    # non-ASCII text (curly quotes, dashes, pound sign) from the same sources.
    biden = text_format.format_sotu(read_sotu(args.sources, "2021_joseph_r_biden_d"))
    mansfield = austen.get("mansfieldpark")
    pound = next(i for i, line in enumerate(mansfield) if "\u00a3" in line)
    records = [
        text_format.format_kjv_book("Ge", [v for v in kjv["Ge"] if v[0] == 1 and v[1] <= 5]),
        text_format.format_kjv_book("John", [v for v in kjv["John"] if v[0] == 11 and v[1] == 35]),
        sentence_prefix(text_format.format_sotu(read_sotu(args.sources,
                                                          "1791_george_washington_n")), 600) + "\n",
        sentence_prefix(biden, 900) + "\n",
        text_format.format_austen(mansfield[pound - 3: pound + 3]),
        text_format.format_austen(pride[chapter2 - 40: chapter2]),
    ]
    with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8",
              newline="\n") as f:
        for text in records:
            f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    for name, text in docs.items():
        print(f"{name}: {len(text.encode('utf-8'))} bytes")
    print(f"corpus.jsonl: {len(records)} records")


if __name__ == "__main__":
    main()
