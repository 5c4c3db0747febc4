"""Build the small real-text samples shipped in evals/data/ from the held-out Austen novels.

  /usr/bin/python3 evals/make_samples.py [--corpora build/data/corpora]

Needs `make data` (build/data/corpora/austen/*.txt: all six novels are held out from the
zoo's training). Writes, deterministically:

  evals/data/austen_pp_ch01-12.txt   Pride and Prejudice, chapters 1-12: a real-text
                                     haystack for the generator tests (passkey, niah, cloze)
  evals/data/longbench_austen.jsonl  LongBench-format records (input, context, answers,
                                     all_classes, length, dataset, language, _id)
  evals/data/choice_austen.jsonl     multiple-choice records (context, question, options, gold)

Each context is one whole chapter; the questions and answers are written by hand below and
checked against the chapter text (every free-form answer occurs in its context).
"""
import argparse
import hashlib
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
HEADING = re.compile(r"^(Chapter|CHAPTER) ([0-9]+|[IVXLC]+)\s*$")

# (novel file, chapter, question, answers, all_classes or None)
LONGBENCH = [
    ("austen-prideprejudice.txt", 1, "What is the name of the young man who has taken Netherfield Park?",
     ["Bingley", "Mr. Bingley"], None),
    ("austen-prideprejudice.txt", 1, "Who told Mrs. Bennet that Netherfield Park is let at last?",
     ["Mrs. Long"], None),
    ("austen-prideprejudice.txt", 2, "Which of the Bennet daughters is told not to keep coughing?",
     ["Kitty"], ["Jane", "Elizabeth", "Mary", "Kitty", "Lydia"]),
    ("austen-prideprejudice.txt", 3, "Whom does Mr. Darcy call tolerable, but not handsome enough to tempt him?",
     ["Elizabeth"], ["Jane", "Elizabeth", "Mary", "Kitty", "Lydia"]),
    ("austen-prideprejudice.txt", 7, "How does Mrs. Bennet make Jane go to Netherfield?",
     ["on horseback"], None),
    ("austen-persuasion.txt", 1, "What book did Sir Walter Elliot take up for his own amusement?",
     ["the Baronetage", "Baronetage"], None),
    ("austen-persuasion.txt", 1, "In which county is Kellynch Hall?", ["Somersetshire"], None),
    ("austen-emma.txt", 1, "Who was Emma Woodhouse's governess?", ["Miss Taylor"], None),
]

# (novel file, chapter, question, options, gold index)
CHOICE = [
    ("austen-prideprejudice.txt", 1, "Who has taken Netherfield Park?",
     ["Mr. Bingley", "Mr. Darcy", "Mr. Collins", "Mr. Wickham"], 0),
    ("austen-prideprejudice.txt", 2, "Which daughter does Mrs. Bennet scold for coughing?",
     ["Jane", "Elizabeth", "Kitty", "Lydia"], 2),
    ("austen-prideprejudice.txt", 3, "Whom does Mr. Darcy find tolerable, but not handsome enough to tempt him?",
     ["Jane", "Elizabeth", "Mary", "Charlotte"], 1),
    ("austen-prideprejudice.txt", 7, "How does Jane travel to Netherfield?",
     ["in the carriage", "on horseback", "on foot", "in Mr. Bingley's chaise"], 1),
    ("austen-persuasion.txt", 1, "What book did Sir Walter Elliot take up for his own amusement?",
     ["the Baronetage", "the Bible", "a novel", "the Army List"], 0),
    ("austen-emma.txt", 1, "Who had been Emma Woodhouse's governess?",
     ["Miss Taylor", "Miss Bates", "Mrs. Goddard", "Harriet Smith"], 0),
]


def chapters(path):
    """{chapter number: text} of a novel's first volume (Emma restarts its numbering in
    every volume); a chapter's text includes its heading line."""
    out, number, lines = {}, None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = HEADING.match(line.strip())
            if m:
                if number is not None:
                    out.setdefault(number, "".join(lines).strip() + "\n")
                token = m.group(2)
                number = int(token) if token.isdigit() else roman(token)
                lines = [line]
            elif number is not None:
                lines.append(line)
    if number is not None:
        out.setdefault(number, "".join(lines).strip() + "\n")
    return out


def roman(s):
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for a, b in zip(s, s[1:] + " "):
        total += -values[a] if b != " " and values[b] > values[a] else values[a]
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpora", default="build/data/corpora")
    ap.add_argument("--out", default=os.path.join(HERE, "data"))
    a = ap.parse_args()
    austen = os.path.join(a.corpora, "austen")
    books = {}

    def chapter(novel, n):
        if novel not in books:
            books[novel] = chapters(os.path.join(austen, novel))
        return books[novel][n]

    os.makedirs(a.out, exist_ok=True)
    haystack = "".join(chapter("austen-prideprejudice.txt", n) + "\n" for n in range(1, 13))
    with open(os.path.join(a.out, "austen_pp_ch01-12.txt"), "w", encoding="utf-8") as f:
        f.write(haystack)

    with open(os.path.join(a.out, "longbench_austen.jsonl"), "w", encoding="utf-8") as f:
        for novel, n, question, answers, classes in LONGBENCH:
            context = chapter(novel, n)
            if classes is None:
                for answer in answers:
                    assert answer in context, (novel, n, answer)
            else:
                assert answers[0] in classes
            record = {"input": question, "context": context, "answers": answers, "all_classes": classes,
                      "length": len(context.split()), "dataset": "austen_qa", "language": "en",
                      "_id": hashlib.sha256(f"{novel}|{n}|{question}".encode()).hexdigest()[:16]}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    with open(os.path.join(a.out, "choice_austen.jsonl"), "w", encoding="utf-8") as f:
        for novel, n, question, options, gold in CHOICE:
            record = {"context": chapter(novel, n), "question": question, "options": options, "gold": gold,
                      "source": f"{novel} chapter {n}"}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    for name in sorted(os.listdir(a.out)):
        print(f"{os.path.join(a.out, name)}: {os.path.getsize(os.path.join(a.out, name))} bytes")


if __name__ == "__main__":
    main()
