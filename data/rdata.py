"""Minimal pure-Python reader for R lazy-load databases (.rdx/.rdb) and .rds files.

Used by prepare_corpora.py to pull Jane Austen's novels out of the Debian
package r-cran-janeaustenr without installing R.

Format notes (see R's src/main/serialize.c and src/main/connections.c):
  * An .rdx index is written with saveRDS(): usually a gzip file holding an
    R serialization; older/other builds store it like an .rdb entry.
  * An .rdb entry at (offset, length) is a 4-byte big-endian uncompressed
    length followed by zlib data (type 1), or, for compression types 2/3, a
    4-byte length, one type byte ('Z' zlib, '2' bzip2, 'X' xz, '0' none) and
    the payload.
  * The serialization is XDR ("X\\n"), format version 2 or 3.

Only what is needed for plain data objects is supported: NULL, symbols,
pairlists (with tags and attributes), character/logical/integer/double/
complex/raw vectors, lists, references, environments and a few ALTREP
classes. Closures, bytecode and external pointers raise RDataError.

R values map to Python as:
  NULL -> None; STRSXP -> RVector(list of str, NA -> None);
  INTSXP/LGLSXP -> RVector(list of int/bool, NA -> None);
  REALSXP -> RVector(list of float); VECSXP -> RVector(list of values);
  pairlist -> RPairList(list of (tag or None, value)); symbol -> RSymbol.
RVector.attrs holds attributes as a dict (e.g. "names", "class").
"""

import bz2
import gzip
import lzma
import struct
import zlib

__all__ = [
    "RDataError", "RVector", "RPairList", "RSymbol", "REnvironment",
    "unserialize", "decompress_entry", "read_rds", "LazyLoadDB",
]


class RDataError(Exception):
    """Raised when bytes are not an R serialization this reader understands."""


class RSymbol(str):
    """An R symbol (SYMSXP); behaves like its name."""


class RVector(list):
    """An R atomic vector or list, with R type code and attributes."""

    def __init__(self, items=(), rtype="list", attrs=None):
        super().__init__(items)
        self.rtype = rtype
        self.attrs = attrs or {}

    def names(self):
        return self.attrs.get("names")

    def as_dict(self):
        """Named list -> dict (names taken from the 'names' attribute)."""
        names = self.names()
        if names is None:
            raise RDataError("vector has no names attribute")
        return dict(zip(names, self))


class RPairList(list):
    """An R pairlist/language object: list of (tag, value) pairs."""

    def __init__(self, items=(), rtype="pairlist", attrs=None):
        super().__init__(items)
        self.rtype = rtype
        self.attrs = attrs or {}

    def as_dict(self):
        return {tag: value for tag, value in self}


class REnvironment:
    """An R environment: its frame as a dict, plus enclosure and attributes."""

    def __init__(self):
        self.frame = {}
        self.enclos = None
        self.attrs = {}
        self.locked = False


# SEXP type codes
NILSXP, SYMSXP, LISTSXP, CLOSXP, ENVSXP, PROMSXP, LANGSXP = 0, 1, 2, 3, 4, 5, 6
SPECIALSXP, BUILTINSXP, CHARSXP, LGLSXP = 7, 8, 9, 10
INTSXP, REALSXP, CPLXSXP, STRSXP, DOTSXP = 13, 14, 15, 16, 17
VECSXP, EXPRSXP, BCODESXP, EXTPTRSXP, WEAKREFSXP, RAWSXP, S4SXP = 19, 20, 21, 22, 23, 24, 25
# pseudo-types used only in serialization
REFSXP, NILVALUE_SXP, GLOBALENV_SXP, UNBOUNDVALUE_SXP = 255, 254, 253, 252
MISSINGARG_SXP, BASENAMESPACE_SXP, NAMESPACESXP, PACKAGESXP = 251, 250, 249, 248
PERSISTSXP, CLASSREFSXP, GENERICREFSXP, BCREPDEF = 247, 246, 245, 244
EMPTYENV_SXP, BASEENV_SXP, ATTRLANGSXP, ATTRLISTSXP, ALTREP_SXP = 242, 241, 240, 239, 238

IS_OBJECT_BIT, HAS_ATTR_BIT, HAS_TAG_BIT = 1 << 8, 1 << 9, 1 << 10
# CHARSXP encoding flags (in the "levels" field)
BYTES_MASK, LATIN1_MASK, UTF8_MASK, ASCII_MASK = 1 << 1, 1 << 2, 1 << 3, 1 << 6
NA_INTEGER = -(2 ** 31)

_PAIRLIST_TYPES = {LISTSXP: "pairlist", LANGSXP: "language", CLOSXP: "closure",
                   PROMSXP: "promise", DOTSXP: "dots",
                   ATTRLISTSXP: "pairlist", ATTRLANGSXP: "language"}
# Markers for singleton environments / special values.
GLOBAL_ENV, BASE_ENV, EMPTY_ENV, BASE_NAMESPACE = ("<R_GlobalEnv>", "<R_BaseEnv>",
                                                  "<R_EmptyEnv>", "<R_BaseNamespace>")
UNBOUND_VALUE, MISSING_ARG = "<R_UnboundValue>", "<R_MissingArg>"


class _Reader:
    """Reads one XDR serialization stream."""

    def __init__(self, data):
        self.data = data
        self.pos = 0
        self.refs = []
        self.native_encoding = None

    # -- primitive reads -------------------------------------------------
    def take(self, n):
        if self.pos + n > len(self.data):
            raise RDataError(f"truncated R serialization: wanted {n} bytes at "
                             f"offset {self.pos}, only {len(self.data) - self.pos} left")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def int(self):
        return struct.unpack(">i", self.take(4))[0]

    def length(self):
        n = self.int()
        if n == -1:  # long vector: two more ints, upper then lower 32 bits
            upper, lower = struct.unpack(">II", self.take(8))
            n = (upper << 32) | lower
        elif n < -1:
            raise RDataError(f"negative vector length {n} at offset {self.pos - 4}")
        return n

    # -- header ----------------------------------------------------------
    def header(self):
        magic = self.take(2)
        if magic == b"A\n":
            raise RDataError("ASCII R serialization is not supported (only XDR 'X\\n')")
        if magic == b"B\n":
            raise RDataError("native binary R serialization is not supported (only XDR 'X\\n')")
        if magic != b"X\n":
            raise RDataError(f"not an XDR R serialization (starts with {magic!r})")
        version = self.int()
        self.int()  # writer R version
        self.int()  # minimal reader R version
        if version == 3:
            nelen = self.int()
            self.native_encoding = self.take(nelen).decode("ascii", "replace")
        elif version != 2:
            raise RDataError(f"unsupported R serialization format version {version}")
        return version

    # -- items -----------------------------------------------------------
    def item(self):
        flags = self.int()
        sxptype = flags & 0xFF
        levels = flags >> 12
        has_attr = bool(flags & HAS_ATTR_BIT)
        has_tag = bool(flags & HAS_TAG_BIT)

        if sxptype == NILVALUE_SXP:
            return None
        if sxptype == REFSXP:
            index = flags >> 8
            if index == 0:
                index = self.int()
            if not 1 <= index <= len(self.refs):
                raise RDataError(f"bad reference index {index} (table has {len(self.refs)})")
            return self.refs[index - 1]
        if sxptype == EMPTYENV_SXP:
            return EMPTY_ENV
        if sxptype == BASEENV_SXP:
            return BASE_ENV
        if sxptype == GLOBALENV_SXP:
            return GLOBAL_ENV
        if sxptype == UNBOUNDVALUE_SXP:
            return UNBOUND_VALUE
        if sxptype == MISSINGARG_SXP:
            return MISSING_ARG
        if sxptype == BASENAMESPACE_SXP:
            return BASE_NAMESPACE
        if sxptype in (PACKAGESXP, NAMESPACESXP, PERSISTSXP):
            names = self.string_vec()
            kind = {PACKAGESXP: "package", NAMESPACESXP: "namespace",
                    PERSISTSXP: "persistent"}[sxptype]
            value = RVector(names, rtype=kind)
            self.refs.append(value)
            return value
        if sxptype == SYMSXP:
            name = self.item()  # a CHARSXP
            sym = RSymbol(name if name is not None else "NA")
            self.refs.append(sym)
            return sym
        if sxptype == ENVSXP:
            env = REnvironment()
            self.refs.append(env)
            env.locked = bool(self.int())
            env.enclos = self.item()
            frame = self.item()
            hashtab = self.item()
            env.attrs = self.attributes_from(self.item())
            if isinstance(frame, RPairList):
                env.frame.update(frame.as_dict())
            if isinstance(hashtab, RVector):
                for bucket in hashtab:
                    if isinstance(bucket, RPairList):
                        env.frame.update(bucket.as_dict())
            return env
        if sxptype in _PAIRLIST_TYPES:
            return self.pairlist(sxptype, has_attr, has_tag)
        if sxptype == CHARSXP:
            return self.charsxp(levels)
        if sxptype == ALTREP_SXP:
            return self.altrep()
        if sxptype in (SPECIALSXP, BUILTINSXP):
            n = self.int()
            return RSymbol(self.take(n).decode("ascii", "replace"))

        if sxptype in (LGLSXP, INTSXP):
            n = self.length()
            raw = struct.unpack(f">{n}i", self.take(4 * n))
            if sxptype == LGLSXP:
                items = [None if v == NA_INTEGER else bool(v) for v in raw]
                rtype = "logical"
            else:
                items = [None if v == NA_INTEGER else v for v in raw]
                rtype = "integer"
            value = RVector(items, rtype)
        elif sxptype == REALSXP:
            n = self.length()
            value = RVector(struct.unpack(f">{n}d", self.take(8 * n)), "double")
        elif sxptype == CPLXSXP:
            n = self.length()
            parts = struct.unpack(f">{2 * n}d", self.take(16 * n))
            value = RVector([complex(parts[2 * i], parts[2 * i + 1]) for i in range(n)],
                            "complex")
        elif sxptype == RAWSXP:
            n = self.length()
            value = RVector(self.take(n), "raw")
        elif sxptype == STRSXP:
            n = self.length()
            value = RVector([self.item() for _ in range(n)], "character")
        elif sxptype in (VECSXP, EXPRSXP):
            n = self.length()
            value = RVector([self.item() for _ in range(n)],
                            "list" if sxptype == VECSXP else "expression")
        elif sxptype == S4SXP:
            value = RVector([], "S4")
        elif sxptype == WEAKREFSXP:
            value = RVector([], "weakref")
            self.refs.append(value)
        else:
            raise RDataError(f"unsupported R object type {sxptype} at offset {self.pos - 4} "
                             "(closures, bytecode and external pointers are not handled)")
        if has_attr:
            value.attrs = self.attributes_from(self.item())
        return value

    def pairlist(self, sxptype, has_attr, has_tag):
        """Read a chain of pairlist cells iteratively (R writes the CDR last)."""
        rtype = _PAIRLIST_TYPES[sxptype]
        result = RPairList(rtype=rtype)
        while True:
            attrs = self.attributes_from(self.item()) if has_attr else {}
            tag = self.item() if has_tag else None
            car = self.item()
            if not result and attrs:
                result.attrs = attrs
            result.append((str(tag) if tag is not None else None, car))
            # Peek at the CDR: if it is another cell of the same kind, loop.
            flags = self.int()
            cdr_type = flags & 0xFF
            if cdr_type in (LISTSXP, LANGSXP, DOTSXP, ATTRLISTSXP, ATTRLANGSXP):
                has_attr = bool(flags & HAS_ATTR_BIT)
                has_tag = bool(flags & HAS_TAG_BIT)
                continue
            if cdr_type == NILVALUE_SXP:
                return result
            # Dotted pair ending in a non-list value: rewind and store it.
            self.pos -= 4
            result.append(("<cdr>", self.item()))
            return result

    def attributes_from(self, pairlist):
        if pairlist is None:
            return {}
        if not isinstance(pairlist, RPairList):
            raise RDataError("attributes are not a pairlist")
        return pairlist.as_dict()

    def charsxp(self, levels):
        n = self.int()
        if n == -1:
            return None  # NA_STRING
        raw = self.take(n)
        if levels & UTF8_MASK or levels & ASCII_MASK:
            return raw.decode("utf-8", "surrogateescape")
        if levels & LATIN1_MASK:
            return raw.decode("latin-1")
        if levels & BYTES_MASK:
            return raw.decode("utf-8", "surrogateescape")
        # Native encoding: trust the header if it names one, else assume UTF-8.
        enc = (self.native_encoding or "UTF-8").lower()
        if enc in ("latin1", "iso-8859-1", "iso8859-1"):
            return raw.decode("latin-1")
        return raw.decode("utf-8", "surrogateescape")

    def string_vec(self):
        if self.int() != 0:
            raise RDataError("names in persistent strings item are not supported")
        n = self.int()
        return [self.item() for _ in range(n)]

    def altrep(self):
        info = self.item()
        state = self.item()
        attr = self.item()
        cls = info[0][1] if isinstance(info, RPairList) and info else None
        if cls in ("compact_intseq", "compact_realseq"):
            n, start, step = (state[0], state[1], state[2])
            values = [start + i * step for i in range(int(n))]
            if cls == "compact_intseq":
                value = RVector([int(v) for v in values], "integer")
            else:
                value = RVector([float(v) for v in values], "double")
        elif cls and str(cls).startswith("wrap_"):
            value = state[0]  # list(x, meta): the wrapped vector
        elif cls == "deferred_string":
            arg = state[0][1] if isinstance(state, RPairList) else state
            value = RVector([None if v is None else _format_number(v) for v in arg],
                            "character")
        else:
            raise RDataError(f"unsupported ALTREP class {cls!r}")
        if attr is not None:
            value = RVector(value, value.rtype, self.attributes_from(attr))
        return value


def _format_number(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def unserialize(data):
    """Parse XDR-serialized R bytes (with their "X\\n" header) into Python values."""
    reader = _Reader(data)
    reader.header()
    return reader.item()


def decompress_entry(blob, where="entry"):
    """Decompress one lazy-load DB blob (4-byte length [+ type byte] + payload)."""
    if len(blob) < 5:
        raise RDataError(f"{where}: compressed blob too short ({len(blob)} bytes)")
    expected = struct.unpack(">I", blob[:4])[0]
    kind = blob[4:5]
    try:
        if kind == b"Z":
            out = zlib.decompress(blob[5:])
        elif kind == b"2":
            out = bz2.decompress(blob[5:])
        elif kind == b"X":
            out = lzma.decompress(blob[5:])
        elif kind == b"0":
            out = blob[5:]
        else:
            out = zlib.decompress(blob[4:])
    except (zlib.error, OSError, lzma.LZMAError) as exc:
        raise RDataError(f"{where}: cannot decompress ({exc})") from exc
    if len(out) != expected:
        raise RDataError(f"{where}: decompressed to {len(out)} bytes, header says {expected}")
    return out


def _decompress_file(raw, path):
    """Decompress a whole file written by saveRDS() or as a lazy-load blob."""
    if raw[:2] == b"\x1f\x8b":
        return gzip.decompress(raw)
    if raw[:3] == b"BZh":
        return bz2.decompress(raw)
    if raw[:6] == b"\xfd7zXZ\x00":
        return lzma.decompress(raw)
    if raw[:2] in (b"X\n", b"A\n", b"B\n"):
        return raw
    return decompress_entry(raw, where=str(path))


def read_rds(path):
    """Read an .rds file (gzip/bzip2/xz or uncompressed XDR serialization)."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return unserialize(_decompress_file(raw, path))
    except RDataError as exc:
        raise RDataError(f"{path}: {exc}") from exc


class LazyLoadDB:
    """An R lazy-load database: `base` names the pair base.rdx / base.rdb."""

    def __init__(self, base):
        base = str(base)
        for suffix in (".rdx", ".rdb"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        self.rdx_path = base + ".rdx"
        self.rdb_path = base + ".rdb"
        index = read_rds(self.rdx_path)
        if not isinstance(index, RVector) or index.names() is None:
            raise RDataError(f"{self.rdx_path}: index is not a named list")
        index = index.as_dict()
        self.variables = self._offsets(index.get("variables"))
        self.references = self._offsets(index.get("references"))

    def _offsets(self, named):
        if named is None or len(named) == 0:  # NULL or an empty (unnamed) list
            return {}
        return {name: (int(pos[0]), int(pos[1])) for name, pos in named.as_dict().items()}

    def names(self):
        return sorted(self.variables)

    def read_blob(self, offset, length):
        with open(self.rdb_path, "rb") as f:
            f.seek(offset)
            blob = f.read(length)
        if len(blob) != length:
            raise RDataError(f"{self.rdb_path}: wanted {length} bytes at {offset}, "
                             f"got {len(blob)} (file truncated?)")
        return decompress_entry(blob, where=f"{self.rdb_path}@{offset}")

    def get(self, name):
        if name not in self.variables:
            raise KeyError(f"{name!r} not in {self.rdx_path} (has: {', '.join(self.names())})")
        offset, length = self.variables[name]
        try:
            return unserialize(self.read_blob(offset, length))
        except RDataError as exc:
            raise RDataError(f"{self.rdb_path}: object {name!r}: {exc}") from exc


if __name__ == "__main__":
    import sys
    if len(sys.argv) < 2:
        sys.exit("usage: rdata.py PATH/Rdata[.rdx] [NAME]  -- list objects or print one")
    db = LazyLoadDB(sys.argv[1])
    if len(sys.argv) == 2:
        for name in db.names():
            print(name)
    else:
        for line in db.get(sys.argv[2]):
            print("NA" if line is None else line)
