"""Tests for the corpus/tokenizer layer under data/ (run in a few seconds):

    /usr/bin/python3 -m pytest data/tests -q

Covers the R lazy-load reader (on hand-built serialized bytes, and on the real
janeaustenr database when build/data/sources exists), the sentence splitter,
document formatting, split assignment, manifest bookkeeping, the committed
fixture corpus and the committed tokenizer checksum.
"""

import gzip
import hashlib
import json
import os
import struct
import sys
import zlib

import pytest

DATA_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(DATA_DIR)
sys.path.insert(0, DATA_DIR)

import prepare_corpora  # noqa: E402
import rdata  # noqa: E402
import splits  # noqa: E402
import text_format  # noqa: E402

SOURCES = os.path.join(REPO, "build", "data", "sources")
CORPORA = os.path.join(REPO, "build", "data", "corpora")


# -- a tiny XDR serializer for building test input ---------------------------

def flags(sxptype, levels=0, has_attr=False, has_tag=False):
    return struct.pack(">i", sxptype | (levels << 12) | (has_attr << 9) | (has_tag << 10))


def header(version=3):
    out = b"X\n" + struct.pack(">iii", version, 0x040201, 0x030500)
    if version == 3:
        out += struct.pack(">i", 5) + b"UTF-8"
    return out


def charsxp(s, encoding="utf8"):
    if s is None:
        return flags(rdata.CHARSXP) + struct.pack(">i", -1)
    levels = {"utf8": rdata.UTF8_MASK, "latin1": rdata.LATIN1_MASK,
              "ascii": rdata.ASCII_MASK, "native": 0}[encoding]
    raw = s.encode("latin-1" if encoding == "latin1" else "utf-8")
    return flags(rdata.CHARSXP, levels) + struct.pack(">i", len(raw)) + raw


def strsxp(items, has_attr=False):
    body = b"".join(charsxp(s, enc) for s, enc in items)
    return flags(rdata.STRSXP, has_attr=has_attr) + struct.pack(">i", len(items)) + body


def intsxp(values, sxptype=rdata.INTSXP):
    vals = [rdata.NA_INTEGER if v is None else int(v) for v in values]
    return flags(sxptype) + struct.pack(f">i{len(vals)}i", len(vals), *vals)


def realsxp(values):
    return flags(rdata.REALSXP) + struct.pack(f">i{len(values)}d", len(values), *values)


def symbol(name):
    return flags(rdata.SYMSXP) + charsxp(name, "ascii")


def ref(index):
    return struct.pack(">i", (index << 8) | rdata.REFSXP)


NIL = flags(rdata.NILVALUE_SXP)


def names_attr(names_sym, names):
    """Attribute pairlist: names = c(...)."""
    return (flags(rdata.LISTSXP, has_tag=True) + names_sym
            + strsxp([(n, "ascii") for n in names]) + NIL)


def sample_object():
    """list(text = c("It is", NA, "café", "naïve"), n = c(1L, NA), ok = c(TRUE, FALSE, NA),
            x = 2.5, nothing = NULL, pl = pairlist(a = 1L, b = "z"))
    with the symbol `names` written once and then referenced (REFSXP)."""
    items = [
        strsxp([("It is", "ascii"), (None, "utf8"), ("café", "utf8"), ("naïve", "latin1")]),
        intsxp([1, None]),
        intsxp([1, 0, None], rdata.LGLSXP),
        realsxp([2.5]),
        NIL,
        (flags(rdata.LISTSXP, has_tag=True) + symbol("a") + intsxp([1])
         + flags(rdata.LISTSXP, has_tag=True) + symbol("b") + strsxp([("z", "ascii")]) + NIL),
    ]
    body = flags(rdata.VECSXP, has_attr=True) + struct.pack(">i", len(items)) + b"".join(items)
    body += names_attr(symbol("names"), ["text", "n", "ok", "x", "nothing", "pl"])
    return body


def test_unserialize_hand_built_object():
    for version in (2, 3):
        value = rdata.unserialize(header(version) + sample_object())
        d = value.as_dict()
        assert d["text"] == ["It is", None, "café", "naïve"]
        assert d["text"].rtype == "character"
        assert d["n"] == [1, None]
        assert d["ok"] == [True, False, None]
        assert d["x"] == [2.5]
        assert d["nothing"] is None
        assert d["pl"].as_dict() == {"a": [1], "b": ["z"]}


def test_refsxp_reuses_symbol():
    # list(a = 1L) with attribute names, then class = "x": the second attribute
    # tag `names` is written as a reference to the first symbol.
    inner = (flags(rdata.LISTSXP, has_tag=True) + symbol("names") + strsxp([("a", "ascii")])
             + flags(rdata.LISTSXP, has_tag=True) + symbol("class") + strsxp([("x", "ascii")])
             + NIL)
    outer = (flags(rdata.VECSXP, has_attr=True) + struct.pack(">i", 2)
             + (flags(rdata.INTSXP, has_attr=True) + struct.pack(">ii", 1, 7) + inner)
             + intsxp([8])
             + flags(rdata.LISTSXP, has_tag=True) + ref(1) + strsxp([("p", "ascii"),
                                                                      ("q", "ascii")])
             + NIL)
    value = rdata.unserialize(header() + outer)
    assert value.attrs == {"names": ["p", "q"]}
    assert value[0] == [7] and value[0].attrs == {"names": ["a"], "class": ["x"]}


def test_lazy_load_db_round_trip(tmp_path):
    blob = header() + sample_object()
    entry = struct.pack(">I", len(blob)) + zlib.compress(blob)
    (tmp_path / "Rdata.rdb").write_bytes(b"\0" * 7 + entry)
    # index: list(variables = list(novel = c(7L, len)), references = list(), compressed = TRUE)
    variables = (flags(rdata.VECSXP, has_attr=True) + struct.pack(">i", 1)
                 + intsxp([7, len(entry)]) + names_attr(symbol("names"), ["novel"]))
    index = (flags(rdata.VECSXP, has_attr=True) + struct.pack(">i", 3) + variables
             + flags(rdata.VECSXP) + struct.pack(">i", 0) + intsxp([1], rdata.LGLSXP)
             + names_attr(ref(1), ["variables", "references", "compressed"]))
    (tmp_path / "Rdata.rdx").write_bytes(gzip.compress(header() + index))
    db = rdata.LazyLoadDB(tmp_path / "Rdata")
    assert db.names() == ["novel"]
    assert db.get("novel").as_dict()["text"][2] == "café"
    with pytest.raises(KeyError, match="novel"):
        db.get("missing")


def test_errors_name_the_problem():
    with pytest.raises(rdata.RDataError, match="not an XDR"):
        rdata.unserialize(b"RDX3\n")
    with pytest.raises(rdata.RDataError, match="truncated"):
        rdata.unserialize(header() + sample_object()[:-3])
    with pytest.raises(rdata.RDataError, match="cannot decompress"):
        rdata.decompress_entry(struct.pack(">I", 10) + b"garbage!")


AUSTEN_DB = os.path.join(SOURCES, prepare_corpora.AUSTEN_RDATA)


@pytest.mark.skipif(not os.path.exists(AUSTEN_DB + ".rdx"),
                    reason="build/data/sources not fetched (run data/prepare_corpora.py)")
def test_real_janeaustenr_database():
    db = rdata.LazyLoadDB(AUSTEN_DB)
    assert set(splits.AUSTEN_NOVELS) <= set(db.names())
    emma = db.get("emma")
    assert emma.rtype == "character"
    assert emma[0] == "EMMA"
    assert "Emma Woodhouse, handsome, clever, and rich" in "\n".join(emma[:20])
    assert len(emma) > 15000


# -- text formatting and sentence splitting ---------------------------------

SPLITTER_CASES = [
    "",
    "One. Two! Three? Four",
    'He said "Stop." Then left.\r\nNext line.\rOld mac.\n\nBlank above.  Two spaces.',
    "Trailing space. ",
    "x" * 9000,                      # no spaces at all: hard cuts
    ("word " * 3000).strip(),         # one huge sentence: cut at spaces
    "é" * 5000 + " end.",             # multi-byte characters near the cut
    "Mr. Smith went to Washington. (Applause.) Thank you.\u2019 More\u2014text.",
]


@pytest.mark.parametrize("text", SPLITTER_CASES)
def test_split_sentences_keeps_every_character_but_line_breaks(text):
    pieces = text_format.split_sentences(text, max_bytes=1000)
    assert "".join(pieces) == text.replace("\r\n", "").replace("\r", "").replace("\n", "")
    assert all(p and len(p.encode("utf-8")) <= 1000 for p in pieces)
    assert all("\n" not in p and "\r" not in p for p in pieces)


def test_split_sentences_splits_after_terminal_punctuation():
    assert text_format.split_sentences('A b. "C d?" E f! G') == ["A b. ", '"C d?" ', "E f! ", "G"]


def test_split_sentences_on_fixture_corpus():
    for name in os.listdir(os.path.join(REPO, "tests", "data", "corpus")):
        with open(os.path.join(REPO, "tests", "data", "corpus", name), encoding="utf-8") as f:
            text = f.read()
        pieces = text_format.split_sentences(text)
        assert "".join(pieces) == text.replace("\n", "")


def test_format_documents():
    verses = [(1, 1, "In the beginning."), (1, 2, "And so."), (2, 1, "Thus.")]
    assert text_format.format_kjv_book("Ge", verses) == (
        "Genesis\n\nChapter 1\n\n1 In the beginning.\n2 And so.\n\nChapter 2\n\n1 Thus.\n")
    assert text_format.format_sotu("  Fellow  citizens:\tyes. ") == "Fellow citizens: yes.\n"
    lines = ["TITLE", "", "", "A wrapped", "  paragraph.", None, "", "Next."]
    assert text_format.format_austen(lines) == "TITLE\n\nA wrapped paragraph.\n\nNext.\n"


def test_parse_kjv_dump_rejects_junk():
    books = text_format.parse_kjv_dump("Ge1:1 In the beginning.\n1Sm2:3 Talk no more.\n")
    assert books == {"Ge": [(1, 1, "In the beginning.")], "1Sm": [(2, 3, "Talk no more.")]}
    with pytest.raises(ValueError, match="line 1"):
        text_format.parse_kjv_dump("Genesis 1\n")


# -- split assignment ---------------------------------------------------------

def all_keys():
    keys = [("kjv", abbrev) for abbrev, _ in text_format.KJV_BOOKS]
    keys += [("sotu", year) for year in range(1790, 2030)]
    keys += [("austen", novel) for novel in splits.AUSTEN_NOVELS]
    return keys


def test_split_assignment_is_deterministic_and_disjoint():
    first = {key: splits.assign_split(*key) for key in all_keys()}
    second = {key: splits.assign_split(*key) for key in reversed(all_keys())}
    assert first == second
    assert set(first.values()) == set(splits.SPLITS)
    # each document key lands in exactly one split, and held-out sets never mix sources
    assert {k[0] for k, s in first.items() if s == splits.KJV_HELDOUT} == {"kjv"}
    assert {k[0] for k, s in first.items() if s == splits.SOTU_HELDOUT} == {"sotu"}
    assert {k[0] for k, s in first.items() if s == splits.AUSTEN} == {"austen"}
    assert not any(k[0] == "austen" for k, s in first.items() if s == splits.TRAIN)
    heldout = [k[1] for k, s in first.items() if s == splits.KJV_HELDOUT]
    assert sorted(heldout) == sorted(splits.KJV_HELDOUT_BOOKS)
    assert set(splits.KJV_HELDOUT_BOOKS) <= set(text_format.KJV_BOOK_NAMES)
    assert splits.sotu_split("1953") == splits.sotu_split(1953) == splits.SOTU_HELDOUT
    with pytest.raises(ValueError):
        splits.assign_split("gutenberg", "x")


def test_write_corpora_and_up_to_date_check(tmp_path):
    corpora = str(tmp_path / "corpora")
    docs = [{"name": f"sotu-{y}", "split": splits.sotu_split(y), "source": "sotu",
             "package": "p", "version": "1", "text": f"Address of {y}.\n"}
            for y in (1990, 1993)]
    manifest = prepare_corpora.write_corpora(corpora, docs, {})
    assert manifest["splits"]["sotu-heldout"] == {"docs": 1, "bytes": 17}
    assert prepare_corpora.manifest_is_current(corpora)
    with open(os.path.join(corpora, "train", "sotu-1990.txt"), "a") as f:
        f.write("tampered")
    assert not prepare_corpora.manifest_is_current(corpora)
    prepare_corpora.write_corpora(corpora, docs, {})
    open(os.path.join(corpora, "train", "stray.txt"), "w").close()
    assert not prepare_corpora.manifest_is_current(corpora)


@pytest.mark.skipif(not os.path.exists(os.path.join(CORPORA, "manifest.json")),
                    reason="build/data/corpora not built (run data/prepare_corpora.py)")
def test_built_manifest_splits_are_disjoint():
    with open(os.path.join(CORPORA, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    docs = manifest["documents"]
    names = [d["name"] for d in docs]
    assert len(names) == len(set(names))
    assert len({d["sha256"] for d in docs}) == len(docs)  # no duplicate texts across splits
    for d in docs:
        assert d["path"] == f"{d['split']}/{d['name']}.txt"
    train = {d["name"] for d in docs if d["split"] == "train"}
    assert not any(n.startswith("austen-") for n in train)
    assert len([d for d in docs if d["split"] == "austen"]) == 6


# -- committed artefacts ------------------------------------------------------

def test_fixture_corpus_is_small_utf8_text():
    corpus = os.path.join(REPO, "tests", "data", "corpus")
    names = sorted(os.listdir(corpus))
    assert len(names) == 3 and all(n.endswith(".txt") for n in names)
    for name in names:
        with open(os.path.join(corpus, name), "rb") as f:
            data = f.read()
        assert 3 * 1024 <= len(data) <= 8 * 1024, name
        assert data.decode("utf-8").endswith("\n")
    with open(os.path.join(REPO, "tests", "data", "corpus.jsonl"), encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    assert records and all(set(r) == {"text"} and r["text"] for r in records)


def test_tokenizer_checksum_matches_model():
    tok = os.path.join(DATA_DIR, "tokenizer")
    with open(os.path.join(tok, "lengen-4096.sha256")) as f:
        digest, name = f.read().split()
    assert name == "lengen-4096.model"
    with open(os.path.join(tok, name), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == digest


def test_tokenizer_round_trips_fixture():
    spm = pytest.importorskip("sentencepiece")
    sp = spm.SentencePieceProcessor(
        model_file=os.path.join(DATA_DIR, "tokenizer", "lengen-4096.model"))
    assert sp.get_piece_size() == 4096
    assert (sp.unk_id(), sp.bos_id(), sp.eos_id(), sp.pad_id()) == (0, 1, 2, -1)
    with open(os.path.join(REPO, "tests", "data", "corpus.jsonl"), encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    texts.append("  two  spaces, tab\there, emoji \U0001F600, CJK \u6f22\u5b57\n")
    for text in texts:
        assert sp.decode(sp.encode(text)) == text
