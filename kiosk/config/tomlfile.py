"""Reading a hand-edited TOML file (a kiosk config, a matters catalogue) without ever crashing.

``tomllib`` raises ``UnicodeDecodeError`` on bytes that are not UTF-8 and ``RecursionError`` on deeply
nested arrays or inline tables; a dotted key ``a.b.c…`` of thousands of parts parses into a dict nested
as deep, which later breaks whatever walks it. :func:`read_toml_file` turns each of these into one
sentence (:class:`TomlFileError`) that says what is wrong and where.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

MAX_BYTES = 4 * 1024 * 1024  # a config is a few KB; a catalogue of 540 matters is ~300 KB
MAX_DEPTH = 16  # tables and arrays inside each other; a kiosk config nests 3 deep, a catalogue 4


class TomlFileError(ValueError):
    """The file cannot be used; ``str()`` is one sentence (what is wrong, what to do)."""


def read_toml_file(path: str | Path) -> dict:
    """The parsed file. Raises :class:`TomlFileError` when it is missing, too large, not UTF-8, not valid
    TOML or nested deeper than :data:`MAX_DEPTH`."""
    p = Path(path)
    if not p.is_file():
        raise TomlFileError(f"'{p}' does not exist")
    with p.open("rb") as fh:
        raw = fh.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise TomlFileError(f"is larger than {MAX_BYTES // (1024 * 1024)} MB; this is not a hand-edited TOML file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise TomlFileError(f"is not UTF-8 text (byte 0x{raw[err.start]:02X} on line {line}); save the file "
                            "as UTF-8 (GBK or UTF-16 files must be converted)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TomlFileError(f"not valid TOML: {err}") from None
    except RecursionError:
        raise TomlFileError("not valid TOML: arrays or inline tables nested hundreds deep; "
                            f"a kiosk file nests at most {MAX_DEPTH}") from None
    if _depth(data) > MAX_DEPTH:
        raise TomlFileError(f"tables or arrays nested more than {MAX_DEPTH} deep (a dotted key of many "
                            "parts counts too); this is not a kiosk file")
    return data


def _depth(data: object) -> int:
    """How deep tables and arrays nest in ``data`` (walked without recursion, stops past the limit)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, level = stack.pop()
        if not isinstance(node, dict | list) or level > MAX_DEPTH + 1:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest
