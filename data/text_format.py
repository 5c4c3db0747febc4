"""Turns raw source text into lengen corpus documents, and splits sentences.

One function per source, each returning a UTF-8 document string that ends in
exactly one newline:
  * format_kjv_book    -- a KJV book: title, "Chapter N" headings, one verse per line
  * format_sotu        -- a State of the Union address: kept as one line of text
  * format_austen      -- a novel from janeaustenr: hard-wrapped lines are
                          re-flowed so each paragraph is one line, paragraphs
                          separated by a blank line
split_sentences() is used by train_tokenizer.py so that no training line is
longer than spm_train's --max_sentence_length.
"""

import re

# Full KJV book names, keyed by the abbreviations `bible -f` prints.
KJV_BOOKS = [
    ("Ge", "Genesis"), ("Exo", "Exodus"), ("Lev", "Leviticus"), ("Num", "Numbers"),
    ("Deu", "Deuteronomy"), ("Josh", "Joshua"), ("Jdgs", "Judges"), ("Ruth", "Ruth"),
    ("1Sm", "1 Samuel"), ("2Sm", "2 Samuel"), ("1Ki", "1 Kings"), ("2Ki", "2 Kings"),
    ("1Chr", "1 Chronicles"), ("2Chr", "2 Chronicles"), ("Ezra", "Ezra"),
    ("Neh", "Nehemiah"), ("Est", "Esther"), ("Job", "Job"), ("Psa", "Psalms"),
    ("Prv", "Proverbs"), ("Eccl", "Ecclesiastes"), ("SSol", "Song of Solomon"),
    ("Isa", "Isaiah"), ("Jer", "Jeremiah"), ("Lam", "Lamentations"), ("Eze", "Ezekiel"),
    ("Dan", "Daniel"), ("Hos", "Hosea"), ("Joel", "Joel"), ("Amos", "Amos"),
    ("Obad", "Obadiah"), ("Jonah", "Jonah"), ("Mic", "Micah"), ("Nahum", "Nahum"),
    ("Hab", "Habakkuk"), ("Zep", "Zephaniah"), ("Hag", "Haggai"), ("Zec", "Zechariah"),
    ("Mal", "Malachi"), ("Mat", "Matthew"), ("Mark", "Mark"), ("Luke", "Luke"),
    ("John", "John"), ("Acts", "Acts"), ("Rom", "Romans"), ("1Cor", "1 Corinthians"),
    ("2Cor", "2 Corinthians"), ("Gal", "Galatians"), ("Eph", "Ephesians"),
    ("Phi", "Philippians"), ("Col", "Colossians"), ("1Th", "1 Thessalonians"),
    ("2Th", "2 Thessalonians"), ("1Tim", "1 Timothy"), ("2Tim", "2 Timothy"),
    ("Titus", "Titus"), ("Phmn", "Philemon"), ("Heb", "Hebrews"), ("Jas", "James"),
    ("1Pet", "1 Peter"), ("2Pet", "2 Peter"), ("1Jn", "1 John"), ("2Jn", "2 John"),
    ("3Jn", "3 John"), ("Jude", "Jude"), ("Rev", "Revelation"),
]
KJV_BOOK_NAMES = dict(KJV_BOOKS)

_VERSE_RE = re.compile(r"^([1-3]?[A-Za-z]+)(\d+):(\d+) (.*)$")


def parse_kjv_dump(text):
    """Parse `bible -f gen1:1-rev22:21` output into {abbrev: [(chapter, verse, text)]}.

    Books keep the order they appear in. Raises ValueError naming the first
    line that is not of the form "Abbrev<chapter>:<verse> text".
    """
    books = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _VERSE_RE.match(line)
        if not m or m.group(1) not in KJV_BOOK_NAMES:
            raise ValueError(f"unexpected line {lineno} in KJV dump: {line[:60]!r}")
        abbrev, chapter, verse, body = m.groups()
        books.setdefault(abbrev, []).append((int(chapter), int(verse), body.strip()))
    return books


def format_kjv_book(abbrev, verses):
    """A KJV book as: title line, then per chapter a "Chapter N" heading and
    one "<verse> <text>" line per verse; blank lines between blocks."""
    blocks = [KJV_BOOK_NAMES[abbrev]]
    current = None
    lines = []
    for chapter, verse, body in verses:
        if chapter != current:
            if lines:
                blocks.append("\n".join(lines))
            blocks.append(f"Chapter {chapter}")
            current, lines = chapter, []
        lines.append(f"{verse} {body}")
    if lines:
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def format_sotu(text):
    """A State of the Union address: whitespace runs collapsed, one line."""
    return " ".join(text.split()) + "\n"


def format_austen(lines):
    """A janeaustenr novel (one R string per printed line) as paragraphs.

    Consecutive non-blank lines are joined with single spaces into one
    paragraph line; any run of blank lines becomes one blank line.
    NA lines (None) count as blank.
    """
    paragraphs, current = [], []
    for line in lines:
        line = (line or "").strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs) + "\n"


# A sentence ends after . ! or ? (optionally followed by closing quotes or
# brackets) when whitespace follows. Deliberately simple; abbreviations such
# as "Mr." cause extra splits, which is harmless for tokenizer training.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'\u2019\u201d)\]]*\s+")


def split_sentences(text, max_bytes=4000):
    """Split text into sentence lines for tokenizer training.

    Lines are first split on line breaks, then after sentence-final
    punctuation. The whitespace between sentences stays at the end of the
    preceding piece, so "".join(pieces) equals the input with line breaks
    removed (every other character is kept). A piece still longer than
    max_bytes of UTF-8 is cut at the last space before the limit (or hard,
    if there is none). Empty pieces are dropped.
    """
    pieces = []
    for line in re.split(r"\r\n|\r|\n", text):
        start = 0
        for m in _SENTENCE_END_RE.finditer(line):
            pieces.extend(_cap_bytes(line[start:m.end()], max_bytes))
            start = m.end()
        pieces.extend(_cap_bytes(line[start:], max_bytes))
    return [p for p in pieces if p]


def _cap_bytes(piece, max_bytes):
    out = []
    while len(piece.encode("utf-8")) > max_bytes:
        # Largest prefix that fits in max_bytes, then back up to a space.
        cut = len(piece.encode("utf-8")[:max_bytes].decode("utf-8", "ignore"))
        space = piece.rfind(" ", 0, cut)
        if space > 0:
            cut = space + 1
        out.append(piece[:cut])
        piece = piece[cut:]
    out.append(piece)
    return out
