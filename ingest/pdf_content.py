"""A quick reader for the content streams of plain text pages, object for object what pdfminer reads.

Half of the time pdfminer spends on a text page goes to its content-stream tokenizer, which reads
one byte-class state at a time in Python. A content stream of a text page uses a small part of the
PostScript syntax: numbers, names, strings (literal or hex), arrays, the odd dictionary and
operators. :func:`read_objects` reads that part with one regular expression per stream and
builds the very objects pdfminer's ``PDFContentParser`` yields (interned ``PSKeyword`` and
``PSLiteral``, ints and floats, ``bytes``, lists, dicts), in the same order. Anything outside that
part (inline images, procedures, names with ``#`` escapes, nested or unusual string escapes, stray
brackets, an unterminated token) makes it return ``None``, and the caller lets pdfminer read the
page as before: the quick reader is exact or not used. :class:`FastInterpreter` is pdfminer's page
interpreter with that reader, dispatching operators exactly as pdfminer's ``execute`` does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

_TOKEN = re.compile(
    rb"[\s\x00]*(?:"
    rb"(?P<number>[-+0-9][0-9]*(?:\.[0-9]*)?|\.[0-9]*)"
    rb"|(?P<keyword>[A-Za-z][^#/%\[\]()<>{}\s]*)"
    rb"|<(?P<hex>[0-9A-Fa-f\s]*)>(?!>)"
    rb"|(?P<name>/[^#/%\[\]()<>{}\s]*)(?!#)"
    rb"|\((?P<string>(?:[^()\\]|\\[nrtbf()\\]|\\[0-7]{1,3})*)\)"
    rb"|(?P<open><<|\[)"
    rb"|(?P<close>>>|\])"
    rb"|(?P<quote>['\"])"
    rb"|(?P<comment>%[^\r\n]*)"
    rb")"
)
"""One token of a plain content stream and the white space before it, split as pdfminer's
``PSBaseParser`` splits them (its ``END_KEYWORD``/``END_LITERAL`` classes, its number grammar;
NUL bytes between tokens are skipped as it skips them). A string may hold no parenthesis that is
not escaped, and only the escapes whose meaning pdfminer and the PDF reference agree on (an octal
escape takes three digits at most: a pound sign, octal 243, before a 3 is "\\2433"). A hex
string directly followed by ``>`` is left to pdfminer, which reads that ``>`` with the next one
as the end of a dictionary."""
_TRAILING_SPACE = re.compile(rb"[\s\x00]*")

_ESCAPE = re.compile(rb"\\([nrtbf()\\]|[0-7]{1,3})")
_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}
_SPACE = re.compile(rb"\s")
_HEX_PAIR = re.compile(rb"[0-9a-fA-F]{2}|.")


class _Unsupported(Exception):
    """Something pdfminer reads in a way this reader does not reproduce."""


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code in _ESCAPED:
        return _ESCAPED[code]
    value = int(code, 8)
    if value > 255:  # pdfminer fails an assertion here: let it
        raise _Unsupported("octal escape past 255")
    return bytes((value,))


def _hex_byte(match: re.Match[bytes]) -> bytes:
    return bytes((int(match.group(0), 16),))


def read_objects(streams: Sequence[bytes]) -> list[Any] | None:
    """The objects pdfminer's content parser yields for ``streams`` (decoded data, in order), or
    ``None`` when they use syntax this reader leaves to pdfminer. Operators are ``PSKeyword``."""
    from pdfminer.psparser import KWD, LIT, literal_name

    try:
        out: list[Any] = []
        keywords: dict[bytes, Any] = {}
        stack: list[tuple[bytes, list[Any]]] = []  # open arrays and dictionaries, innermost last
        current = out
        for data in streams:  # pdfminer ends a token at the end of each stream, as at a space
            pos = 0
            for match in _TOKEN.finditer(data):
                if match.start() != pos:
                    raise _Unsupported(f"byte {data[pos:pos + 1]!r} at {pos}")
                pos = match.end()
                kind = match.lastgroup
                if kind == "number":
                    text = match.group(kind)
                    current.append(float(text) if b"." in text else int(text))
                elif kind == "keyword":
                    word = match.group(kind)
                    keyword = keywords.get(word)
                    if keyword is None:
                        if word in (b"BI", b"ID"):  # an inline image: pdfminer reads its raw data itself
                            raise _Unsupported("inline image")
                        keyword = keywords[word] = True if word == b"true" else False if word == b"false" else KWD(word)
                    current.append(keyword)
                elif kind == "hex":
                    digits = _SPACE.sub(b"", match.group(kind))
                    current.append(bytes.fromhex(digits.decode()) if len(digits) % 2 == 0
                                   else _HEX_PAIR.sub(_hex_byte, digits))
                elif kind == "name":
                    raw = match.group(kind)[1:]
                    if not raw and pos == len(data):  # pdfminer runs a bare "/" on into the next stream
                        raise _Unsupported("a bare / at the end of a stream")
                    try:
                        current.append(LIT(raw.decode("utf-8")))
                    except UnicodeDecodeError:
                        current.append(LIT(raw))
                elif kind == "string":
                    text = match.group(kind)
                    current.append(_ESCAPE.sub(_unescape, text) if b"\\" in text else text)
                elif kind == "open":
                    stack.append((match.group(kind), current))
                    current = []
                elif kind == "close":
                    closing = match.group(kind)
                    if not stack or stack[-1][0] != (b"[" if closing == b"]" else b"<<"):
                        raise _Unsupported("unbalanced brackets")
                    items = current
                    current = stack.pop()[1]
                    if closing == b"]":
                        current.append(items)
                    else:
                        if len(items) % 2:
                            raise _Unsupported("a dictionary with an odd number of items")
                        current.append({literal_name(k): v for k, v in zip(items[::2], items[1::2], strict=True)})
                elif kind == "quote":  # the ' and " text operators
                    current.append(KWD(match.group(kind)))
                # else a comment, which pdfminer drops
            if _TRAILING_SPACE.fullmatch(data, pos) is None:
                raise _Unsupported(f"byte {data[pos:pos + 1]!r} at {pos}")
        if stack:
            raise _Unsupported("an array or dictionary left open")
        return out
    except (_Unsupported, ValueError):
        return None


@functools.cache
def fast_interpreter_class() -> type:
    """:class:`FastInterpreter` (built on first use, so importing this module loads no pdfminer)."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.psparser import PSKeyword, keyword_name

    operators: dict[PSKeyword, tuple[Callable[..., Any], int] | None] = {}

    def operator(keyword: PSKeyword) -> tuple[Callable[..., Any], int] | None:
        """pdfminer's ``do_*`` method for ``keyword`` (unbound) and its operand count."""
        if keyword not in operators:
            name = keyword_name(keyword)
            method = "do_{}".format(name.replace("*", "_a").replace('"', "_w").replace("'", "_q"))
            func = getattr(PDFPageInterpreter, method, None)
            operators[keyword] = None if func is None else (func, func.__code__.co_argcount - 1)
        return operators[keyword]

    class FastInterpreter(PDFPageInterpreter):
        """pdfminer's page interpreter reading plain content streams with :func:`read_objects`."""

        def execute(self, streams: Sequence[object]) -> None:
            from pdfminer.pdftypes import stream_value

            values = [stream_value(s) for s in streams]
            ids = [v.objid for v in values]
            objects = None
            if all(i is not None and i not in self.parent_stream_ids for i in ids):  # pdfminer skips none
                objects = read_objects([v.get_data() for v in values])
            if objects is None:
                super().execute(streams)
                return
            self.stream_ids.clear()
            self.stream_ids.update(i for i in ids if i is not None)
            for obj in objects:
                if isinstance(obj, PSKeyword):
                    found = operator(obj)
                    if found is None:
                        continue  # pdfminer ignores an unknown operator (not strict)
                    func, nargs = found
                    if nargs:
                        args = self.pop(nargs)
                        if len(args) == nargs:
                            func(self, *args)
                    else:
                        func(self)
                else:
                    self.push(obj)

    return FastInterpreter

