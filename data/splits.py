"""Which split each corpus document belongs to (a pure function of its identity).

Splits:
  train         -- KJV books not held out + SOTU addresses not held out
  kjv-heldout   -- 8 KJV books spread over both testaments, short and long
  sotu-heldout  -- every SOTU address given in a year ending in 3
  austen        -- Jane Austen's six novels (never in train)

Why these choices (see data/README.md for more):
  * KJV: Ruth, Esther, Ecclesiastes, Ezekiel, Daniel (Old Testament) and John,
    Romans, Hebrews (New Testament): ~12% of the KJV bytes, from Ruth (~13 KB)
    to Ezekiel (~209 KB) and John (~101 KB). Books with large verbatim parallels in
    other books (Isaiah 36-39 ~ 2 Kings 18-20, Jeremiah 52 ~ 2 Kings 24-25,
    the synoptic gospels Matthew/Mark/Luke) are kept in train so held-out
    text is not mostly memorisable from train.
  * SOTU: years = 3 (mod 10) samples every era 1793-2013 evenly (~10% of
    addresses), so the held-out split has the same mix of 18th-21st century
    style as train; a contiguous modern block would confound length
    generalisation with drift over time. All addresses of a held-out year
    (e.g. both 1953 ones) are held out together.
"""

TRAIN = "train"
KJV_HELDOUT = "kjv-heldout"
SOTU_HELDOUT = "sotu-heldout"
AUSTEN = "austen"
SPLITS = (TRAIN, KJV_HELDOUT, SOTU_HELDOUT, AUSTEN)

# Abbreviations as printed by `bible -f` (see text_format.KJV_BOOKS).
KJV_HELDOUT_BOOKS = ("Ruth", "Est", "Eccl", "Eze", "Dan", "John", "Rom", "Heb")
SOTU_HELDOUT_YEAR_MOD_10 = 3
AUSTEN_NOVELS = ("sensesensibility", "prideprejudice", "mansfieldpark", "emma",
                 "northangerabbey", "persuasion")


def kjv_split(book_abbrev):
    return KJV_HELDOUT if book_abbrev in KJV_HELDOUT_BOOKS else TRAIN


def sotu_split(year):
    return SOTU_HELDOUT if int(year) % 10 == SOTU_HELDOUT_YEAR_MOD_10 else TRAIN


def austen_split(novel):
    if novel not in AUSTEN_NOVELS:
        raise ValueError(f"unknown Austen novel {novel!r}; expected one of {AUSTEN_NOVELS}")
    return AUSTEN


def assign_split(source, key):
    """Split for a document from `source` ("kjv", "sotu", "austen") with `key`
    (book abbreviation, address year, or janeaustenr object name)."""
    if source == "kjv":
        return kjv_split(key)
    if source == "sotu":
        return sotu_split(key)
    if source == "austen":
        return austen_split(key)
    raise ValueError(f"unknown source {source!r}")


def config():
    """The split definition, stored in the manifest so a change forces a rebuild."""
    return {
        "kjv_heldout_books": list(KJV_HELDOUT_BOOKS),
        "sotu_heldout_years": f"year % 10 == {SOTU_HELDOUT_YEAR_MOD_10}",
        "austen_novels": list(AUSTEN_NOVELS),
    }
