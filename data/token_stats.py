"""Reports tokens per document and split for a corpus under a sentencepiece model.

    /usr/bin/python3 data/token_stats.py --corpora build/data/corpora \\
        --model data/tokenizer/lengen-4096.model [--per-doc] [--check-roundtrip]

Prints, per split: documents, bytes, tokens, bytes/token, and min/median/max
tokens per document; then tokens for each Austen novel, flagging any under
100,000 (the longest evaluation length lengen wants from a single document).
Uses the python3-sentencepiece bindings (run with /usr/bin/python3).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import splits  # noqa: E402

AUSTEN_MIN_TOKENS = 100_000


def load_processor(model):
    try:
        import sentencepiece as spm
    except ImportError:
        sys.exit("token_stats: error: python sentencepiece missing; run with /usr/bin/python3 "
                 "(apt-get install python3-sentencepiece)")
    if not os.path.exists(model):
        sys.exit(f"token_stats: error: {model} not found; run data/train_tokenizer.py")
    return spm.SentencePieceProcessor(model_file=model)


def count_tokens(corpora, model, check_roundtrip=False):
    """Returns manifest documents, each with an added "tokens" count."""
    sp = load_processor(model)
    with open(os.path.join(corpora, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    docs = []
    for doc in manifest["documents"]:
        with open(os.path.join(corpora, doc["path"]), encoding="utf-8") as f:
            text = f.read()
        ids = sp.encode(text)
        if check_roundtrip and sp.decode(ids) != text:
            raise AssertionError(f"{doc['path']}: decode(encode(text)) != text")
        docs.append(dict(doc, tokens=len(ids)))
    return docs


def report(corpora, model, per_doc=False, check_roundtrip=False):
    docs = count_tokens(corpora, model, check_roundtrip)
    print(f"{'split':<14} {'docs':>5} {'bytes':>10} {'tokens':>9} {'B/tok':>6} "
          f"{'min':>7} {'median':>7} {'max':>7}")
    present = {d["split"] for d in docs}
    for split in [s for s in splits.SPLITS if s in present] + sorted(present - set(splits.SPLITS)):
        rows = [d for d in docs if d["split"] == split]
        toks = sorted(d["tokens"] for d in rows)
        nbytes = sum(d["bytes"] for d in rows)
        print(f"{split:<14} {len(rows):>5} {nbytes:>10} {sum(toks):>9} "
              f"{nbytes / max(1, sum(toks)):>6.2f} {toks[0]:>7} {toks[len(toks) // 2]:>7} "
              f"{toks[-1]:>7}")
    if check_roundtrip:
        print(f"round trip: decode(encode(doc)) == doc for all {len(docs)} documents")
    short = []
    for d in docs:
        if d["split"] == "austen":
            flag = "" if d["tokens"] >= AUSTEN_MIN_TOKENS else "  < 100k tokens!"
            print(f"  {d['name']:<28} {d['tokens']:>8} tokens{flag}")
            if flag:
                short.append(d["name"])
    if per_doc:
        for d in docs:
            print(f"{d['split']}\t{d['name']}\t{d['bytes']}\t{d['tokens']}")
    return docs, short


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default="build/data/corpora")
    ap.add_argument("--model", default="data/tokenizer/lengen-4096.model")
    ap.add_argument("--per-doc", action="store_true", help="also print one line per document")
    ap.add_argument("--check-roundtrip", action="store_true",
                    help="verify decode(encode(doc)) == doc for every document")
    args = ap.parse_args(argv)
    _, short = report(args.corpora, args.model, args.per_doc, args.check_roundtrip)
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
