"""Trains lengen's sentencepiece tokenizer on the `train` split only.

    /usr/bin/python3 data/train_tokenizer.py --corpora build/data/corpora --out data/tokenizer

Writes <out>/lengen-4096.model, .vocab, .sha256 ("<hex>  lengen-4096.model")
and .train.json (what it was trained on and with which flags). If
.train.json already matches the current training input and flags, and the
.model's sha256 matches, it prints "up to date" and exits 0 (--force retrains).

Training text: every `train` document from the manifest, split into one
sentence per line (text_format.split_sentences, at most 4000 bytes a line),
because spm_train silently drops lines longer than --max_sentence_length
(4192 bytes) and a SOTU address is a single line of up to ~200 KB.

Model: unigram, 4096 pieces, byte_fallback (any UTF-8 round-trips: unseen
characters become <0xNN> byte pieces, e.g. "\\n" is <0x0A>), identity
normalization and no whitespace squeezing (so decode(encode(x)) == x),
digits split into single pieces, unk=0 bos=1 eos=2, no pad.
Work files (sentences.txt, spm_train.log) go to --work (build/data/tokenizer-work).
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import text_format  # noqa: E402

MODEL_NAME = "lengen-4096"
VOCAB_SIZE = 4096
SEED = 20240229
# The full spm_train configuration, apart from input/model_prefix/num_threads.
SPM_FLAGS = {
    "vocab_size": VOCAB_SIZE,
    "model_type": "unigram",
    "character_coverage": "1.0",
    "byte_fallback": "true",
    "split_digits": "true",
    "normalization_rule_name": "identity",
    "remove_extra_whitespaces": "false",
    "max_sentence_length": 4192,
    "input_sentence_size": 0,
    "pad_id": -1,
    "unk_id": 0,
    "bos_id": 1,
    "eos_id": 2,
    "random_seed": SEED,
}
MAX_LINE_BYTES = 4000  # below max_sentence_length, so no line is ever dropped


def fail(message):
    print(f"train_tokenizer: error: {message}", file=sys.stderr)
    sys.exit(2)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_manifest(corpora):
    path = os.path.join(corpora, "manifest.json")
    if not os.path.exists(path):
        fail(f"{path} not found; build the corpora first: "
             "/usr/bin/python3 data/prepare_corpora.py --out build/data")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_sentences(corpora, manifest, path):
    """Write the train split, one sentence per line; returns (lines, sha256)."""
    h = hashlib.sha256()
    lines = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for doc in manifest["documents"]:
            if doc["split"] != "train":
                continue
            full = os.path.join(corpora, doc["path"])
            with open(full, "rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() != doc["sha256"]:
                fail(f"{full} does not match manifest.json; rebuild with "
                     "data/prepare_corpora.py --out build/data --force")
            for sentence in text_format.split_sentences(data.decode("utf-8"), MAX_LINE_BYTES):
                sentence = sentence.strip()
                if sentence:
                    line = sentence + "\n"
                    out.write(line)
                    h.update(line.encode("utf-8"))
                    lines += 1
    return lines, h.hexdigest()


def spm_version():
    proc = subprocess.run(["spm_train", "--version"], capture_output=True, text=True)
    return (proc.stdout or proc.stderr).strip()


def train(sentences, work, threads):
    if shutil.which("spm_train") is None:
        fail("spm_train not found: apt-get install sentencepiece")
    # Run inside `work` with relative names: the .model records its input
    # and model_prefix, and absolute paths would make its sha256 path-dependent.
    cmd = ["spm_train", f"--input={os.path.relpath(sentences, work)}",
           f"--model_prefix={MODEL_NAME}", f"--num_threads={threads}"]
    cmd += [f"--{k}={v}" for k, v in SPM_FLAGS.items()]
    log_path = os.path.join(work, "spm_train.log")
    with open(log_path, "w") as log:
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    with open(log_path) as f:
        log_text = f.read()
    if proc.returncode != 0:
        tail = "\n".join(log_text.strip().splitlines()[-10:])
        fail(f"spm_train failed (exit {proc.returncode}); see {log_path}:\n{tail}")
    for line in log_text.splitlines():
        if "too long" in line or "Skipped" in line:
            print("spm_train:", line.split("] ")[-1])
    return os.path.join(work, MODEL_NAME)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default="build/data/corpora")
    ap.add_argument("--out", default="data/tokenizer")
    ap.add_argument("--work", default="build/data/tokenizer-work")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--force", action="store_true", help="retrain even if up to date")
    ap.add_argument("--no-stats", action="store_true", help="skip the token count report")
    args = ap.parse_args(argv)

    manifest = load_manifest(args.corpora)
    os.makedirs(args.work, exist_ok=True)
    sentences = os.path.join(args.work, "sentences.txt")
    lines, input_sha = write_sentences(args.corpora, manifest, sentences)

    model = os.path.join(args.out, MODEL_NAME + ".model")
    info_path = os.path.join(args.out, MODEL_NAME + ".train.json")
    info = {"train_sentences": lines, "train_sentences_sha256": input_sha,
            "max_line_bytes": MAX_LINE_BYTES, "spm_flags": SPM_FLAGS,
            "spm_version": spm_version()}
    if not args.force and os.path.exists(model) and os.path.exists(info_path):
        with open(info_path) as f:
            old = json.load(f)
        if {k: v for k, v in old.items() if k != "model_sha256"} == info \
                and old.get("model_sha256") == sha256_file(model):
            print(f"{model}: up to date (sha256 {old['model_sha256']})")
            return 0

    print(f"training on {lines} sentence lines from the train split "
          f"(sha256 {input_sha[:16]}...)")
    prefix = train(sentences, args.work, args.threads)
    os.makedirs(args.out, exist_ok=True)
    for ext in (".model", ".vocab"):
        shutil.copyfile(prefix + ext, os.path.join(args.out, MODEL_NAME + ext))
    digest = sha256_file(model)
    with open(os.path.join(args.out, MODEL_NAME + ".sha256"), "w") as f:
        f.write(f"{digest}  {MODEL_NAME}.model\n")
    info["model_sha256"] = digest
    with open(info_path, "w") as f:
        json.dump(info, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {model} (sha256 {digest})")
    if not args.no_stats:
        import token_stats
        token_stats.report(args.corpora, model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
