"""One streaming pass over a text file: its encoding, its header and where its lines are.

The file is read in large chunks, so memory stays flat whatever its size.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import numpy as np

# Python codec name -> the name the landing reports (and DuckDB's read_csv takes, but cp1252).
ENCODINGS = {"utf-8": "utf-8", "iso8859-1": "latin-1", "cp1252": "cp1252"}
# Windows-1252 prints these bytes (quotes, dashes, the euro sign); latin-1 has control codes.
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
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
    ends_with_newline: bool = True


def declared_encoding(encoding: str) -> str | None:
    """The DuckDB name of a declared encoding, or None for ``auto``."""
    if encoding.strip().lower() == "auto":
        return None
    try:
        python_name = codecs.lookup(encoding).name
    except LookupError:
        python_name = ""
    if python_name not in ENCODINGS:
        raise TextScanError(
            f"unsupported encoding {encoding!r}; use auto, utf-8, latin-1 or cp1252"
        )
    return ENCODINGS[python_name]


@dataclass
class _DecodeCheck:
    """Decodes chunk by chunk; remembers the first byte that the codec cannot decode."""

    codec: str
    problem: str | None = None
    pending: bytes = b""  # an incomplete multi-byte sequence at a chunk's end

    def feed(self, chunk: bytes, offset: int, newlines: int) -> None:
        if self.problem is not None:
            return
        data = self.pending + chunk
        if self.codec == "latin-1":
            self._control_codes(data, offset, newlines)
            return
        try:
            if self.codec == "utf-8":
                consumed = codecs.utf_8_decode(data, "strict", False)[1]
            else:  # a single-byte codec: nothing is left pending
                data.decode(self.codec)
                consumed = len(data)
        except UnicodeDecodeError as error:
            at = offset - len(self.pending) + error.start
            line = newlines + data.count(b"\n", 0, error.start) + 1
            self.problem = (
                f"byte {data[error.start]:#04x} at offset {at} (line {line}) is not valid "
                f"{self.codec}; declare the file's encoding (auto, utf-8, latin-1 or cp1252)"
            )
        else:
            self.pending = data[consumed:]

    def _control_codes(self, data: bytes, offset: int, newlines: int) -> None:
        # DuckDB refuses latin-1's control codes 0x80-0x9F; a file with them is Windows-1252.
        if found := _C1_BYTES.search(data):
            start = found.start()
            line = newlines + data.count(b"\n", 0, start) + 1
            self.problem = (
                f"byte {data[start]:#04x} at offset {offset + start} (line {line}) is a control "
                "code in latin-1 but a character in cp1252 (Windows-1252): declare cp1252"
            )

    def finish(self, offset: int, newlines: int) -> None:
        if self.problem is None and self.pending:
            self.problem = (
                f"the file ends inside a {self.codec} character (offset "
                f"{offset - len(self.pending)}, line {newlines + 1}); declare its encoding"
            )


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
    """Check the encoding and count lines in one pass of large reads.

    ``auto`` (``declared`` None) is utf-8 if the whole file decodes as utf-8, else cp1252 if
    a byte 0x80-0x9F appears, else latin-1. A byte the chosen encoding cannot decode is an
    error naming its offset and line.
    """
    checks = {codec: _DecodeCheck(codec) for codec in _codecs_to_check(declared)}
    blanks = _BlankLines()
    newlines = offset = 0
    header, header_done, last_byte, c1_seen = b"", False, b"", False
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            if not header_done:
                end = chunk.find(b"\n")
                header += chunk if end < 0 else chunk[:end]
                header_done = end >= 0
                if len(header) > MAX_HEADER_BYTES:
                    raise TextScanError("no line break in the first 1 MB; not a csv")
            for check in checks.values():
                check.feed(chunk, offset, newlines)
            c1_seen = c1_seen or (declared is None and _C1_BYTES.search(chunk) is not None)
            blanks.feed(chunk, newlines)
            newlines += chunk.count(b"\n")
            offset += len(chunk)
            last_byte = chunk[-1:]
    for check in checks.values():
        check.finish(offset, newlines)
    encoding = declared or _detected(checks, c1_seen)
    if encoding in checks and checks[encoding].problem:
        raise TextScanError(str(checks[encoding].problem))
    physical_lines = newlines + (last_byte != b"\n")
    blank_lines = np.unique(np.asarray(blanks.found, dtype=np.int64))
    return TextScan(encoding, header, physical_lines, blank_lines, last_byte == b"\n")


def _codecs_to_check(declared: str | None) -> tuple[str, ...]:
    if declared is None:
        return ("utf-8", "cp1252")
    return (declared,)


def _detected(checks: dict[str, _DecodeCheck], c1_seen: bool) -> str:
    if checks["utf-8"].problem is None:
        return "utf-8"
    return "cp1252" if c1_seen else "latin-1"
