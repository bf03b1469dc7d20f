"""Setting a few keys in a TOML file by editing its lines, so a technician's comments survive (a TOML
writer would drop them). Each edit is checked by parsing the result: if the file uses a form this does not
handle (an inline table, dotted keys), :class:`EditError` says what to add by hand.
"""

from __future__ import annotations

import json
import re
import tomllib

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]\s*(#.*)?$")


class EditError(ValueError):
    """The key could not be placed by line editing; the message says what to write by hand."""


def _value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _get(data: dict, table: str, key: str):
    for part in filter(None, table.split(".")):
        data = data.get(part, {})
        if not isinstance(data, dict):
            return None
    return data.get(key)


def set_key(text: str, table: str, key: str, value: str | int | bool) -> str:
    """``text`` with ``table.key = value`` (``table`` "" for the top level): the key's line is replaced
    if the table has one, else the line is added at the table's start (a missing table is appended)."""
    lines = text.splitlines()
    line = f"{key} = {_value(value)}  # set by kiosk install"
    key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
    start = 0 if table == "" else None
    for i, raw in enumerate(lines):
        m = _HEADER.match(raw)
        if table and m and m.group(1) == table:
            start = i + 1
            break
    if start is None:
        lines += ["", f"[{table}]", line]
    else:
        end = next((j for j in range(start, len(lines)) if _HEADER.match(lines[j]) or
                    lines[j].lstrip().startswith("[[")), len(lines))
        at = next((j for j in range(start, end) if key_re.match(lines[j])), None)
        if at is not None:
            lines[at] = line
        else:
            lines.insert(end if table == "" else start, line)
    out = "\n".join(lines) + "\n"
    try:
        parsed = tomllib.loads(out)
    except tomllib.TOMLDecodeError as err:
        raise EditError(f"cannot set {table + '.' if table else ''}{key} by editing lines ({err}); "
                        f"add `{key} = {_value(value)}` under [{table}] yourself") from None
    if _get(parsed, table, key) != value:
        raise EditError(f"cannot set {table + '.' if table else ''}{key} by editing lines; "
                        f"add `{key} = {_value(value)}` under [{table}] yourself")
    return out
