"""One streaming pass over a text file: its encoding, its header and where its lines are.

The file is read in large chunks, so memory stays flat whatever its size.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import numpy as np

# Python codec name -> the name DuckDB's read_csv takes.
ENCODINGS = {"utf-8": "utf-8", "iso8859-1": "latin-1"}
CHUNK_BYTES = 8 * 1024 * 1024
MAX_HEADER_BYTES = 1024 * 1024


class TextScanError(ValueError):
    """The text cannot be scanned; the message says where (the caller adds the file)."""


@dataclass(frozen=True)
class TextScan:
    """What one pass over a csv found: its encoding and where its lines are."""

    encoding: str
    header: bytes
    physical_lines: int
    blank_lines: np.ndarray


def declared_encoding(encoding: str) -> str | None:
    """The DuckDB name of a declared encoding, or None for ``auto``."""
    if encoding.strip().lower() == "auto":
        return None
    try:
        python_name = codecs.lookup(encoding).name
    except LookupError:
        python_name = ""
    if python_name not in ENCODINGS:
        raise TextScanError(f"unsupported encoding {encoding!r}; use auto, utf-8 or latin-1")
    return ENCODINGS[python_name]


@dataclass
class _Utf8Check:
    """Decodes chunk by chunk; a declared utf-8 fails at its first invalid byte."""

    declared: str | None
    valid: bool = True
    pending: bytes = b""  # an incomplete multi-byte sequence at a chunk's end

    def feed(self, chunk: bytes, offset: int, newlines: int) -> None:
        if not self.valid:
            return
        data = self.pending + chunk
        try:
            consumed = codecs.utf_8_decode(data, "strict", False)[1]
        except UnicodeDecodeError as error:
            if self.declared is not None:
                at = offset - len(self.pending) + error.start
                line = newlines + data.count(b"\n", 0, error.start) + 1
                raise TextScanError(
                    f"byte {data[error.start]:#04x} at offset {at} (line {line}) is not valid "
                    f"{self.declared}; declare the file's encoding, or use auto"
                ) from None
            self.valid = False
        else:
            self.pending = data[consumed:]

    def finish(self, offset: int, newlines: int) -> None:
        if self.valid and self.pending:
            if self.declared is not None:
                raise TextScanError(
                    f"the file ends inside a utf-8 character (offset "
                    f"{offset - len(self.pending)}, line {newlines + 1}); declare its encoding"
                )
            self.valid = False


@dataclass
class _BlankLines:
    """Blank lines carry no row; they are noted so that line numbers stay exact."""

    found: list[int] = field(default_factory=list)
    tail: bytes = b""  # the last two bytes of the previous chunk
    tail_newlines: int = 0

    def feed(self, chunk: bytes, newlines: int) -> None:
        buffer = self.tail + chunk
        if b"\n\n" in buffer or b"\n\r\n" in buffer:
            counted_to, counted = 0, newlines - self.tail_newlines
            for match in re.finditer(rb"\n(?=(\r?\n))", buffer):
                start = match.start()
                if start + 1 + len(match.group(1)) <= len(self.tail):
                    continue  # found within the previous chunk already
                counted += buffer.count(b"\n", counted_to, start + 1)
                counted_to = start + 1
                self.found.append(counted + 1)
        self.tail = buffer[-2:]
        self.tail_newlines = self.tail.count(b"\n")


def scan_text(path: str, declared: str | None) -> TextScan:
    """Check the encoding and count lines in one pass of large reads."""
    utf8 = _Utf8Check(declared) if declared in (None, "utf-8") else None
    blanks = _BlankLines()
    newlines = offset = 0
    header, header_done, last_byte = b"", False, b""
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            if not header_done:
                end = chunk.find(b"\n")
                header += chunk if end < 0 else chunk[:end]
                header_done = end >= 0
                if len(header) > MAX_HEADER_BYTES:
                    raise TextScanError("no line break in the first 1 MB; not a csv")
            if utf8 is not None:
                utf8.feed(chunk, offset, newlines)
            blanks.feed(chunk, newlines)
            newlines += chunk.count(b"\n")
            offset += len(chunk)
            last_byte = chunk[-1:]
    if utf8 is not None:
        utf8.finish(offset, newlines)
    encoding = declared or ("utf-8" if utf8 is not None and utf8.valid else "latin-1")
    physical_lines = newlines + (last_byte != b"\n")
    blank_lines = np.unique(np.asarray(blanks.found, dtype=np.int64))
    return TextScan(encoding, header, physical_lines, blank_lines)
