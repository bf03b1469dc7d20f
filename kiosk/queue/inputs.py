"""Checks shared by every input model of the help-queue API (:mod:`kiosk.queue.schemas`, ``case_schemas``).

Contract
- :data:`FreeText` is a string typed by a person or a kiosk (notes, reasons, matter and material names,
  departments): ID numbers, phone numbers and long numbers in it are masked by
  :func:`kiosk.privacy.redact_text` *as it is validated*, so they are never stored, pushed or logged.
- :func:`no_surrogates` refuses lone UTF-16 surrogates (``"\\ud800"`` in JSON) anywhere in a value: they
  are not characters, cannot be stored or encoded, and used to end in a 500. It also refuses control
  characters other than tab and line breaks (C0 such as NUL or ESC, DEL, C1) and the bidi embedding,
  override and isolate controls (U+202A–U+202E, U+2066–U+2069): PostgreSQL cannot store a NUL (a 500),
  ESC sequences reach terminals through logs and the CLI, and an RTL override makes a name or note read
  backwards on the console and in exports. Zero-width joiners (emoji, some scripts) stay allowed.
- :func:`has_controls` applies the same rule to a request's path and query (:mod:`kiosk.queue.guard`): a
  ``%00`` in ``/api/v1/cases/%00x`` or ``?site_code=%00`` reached PostgreSQL, which refuses it (a 500).
  :data:`MAX_ID` bounds numeric ids: a number past 64 bits reached either database's driver (a 500).
- :func:`bounded_json` accepts free-form JSON (a device's ``detail``, which carries the device's reason
  as ``{"code", "params"}`` with nested causes) only when it is small and shallow: at most
  :data:`JSON_DEPTH` levels, :data:`JSON_ITEMS` keys or items in all, keys of at most 64 characters, and
  no more than :data:`JSON_BYTES` when encoded; longer texts are cut to :data:`JSON_STRING` characters
  (a status report is not refused for a long library message), control characters dropped and masked
  like free text.
  :func:`safe_json` makes anything already stored fit the same bounds.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import AfterValidator

from kiosk.privacy import redact_text

JSON_DEPTH, JSON_ITEMS, JSON_STRING, JSON_BYTES = 8, 256, 500, 8192
MAX_ID = 2**63 - 1  # the largest id either database stores (BIGINT; SQLite's INTEGER): larger ones are a 422
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def no_surrogates(value: Any) -> Any:
    """``value`` unchanged; ValueError when a string in it holds a lone surrogate."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise ValueError("contains a lone UTF-16 surrogate (\\ud800–\\udfff), which is not a character: "
                             "send valid UTF-8 text")
        if _CONTROL.search(value):
            raise ValueError("contains a control or bidi-override character (NUL, ESC, U+202E …): "
                             "send plain text (tab and line breaks are allowed)")
    elif isinstance(value, dict):
        for k, v in value.items():
            no_surrogates(k)
            no_surrogates(v)
    elif isinstance(value, list | tuple):
        for v in value:
            no_surrogates(v)
    return value


def has_controls(text: str) -> bool:
    """True when ``text`` holds a character :func:`no_surrogates` refuses (for a URL's path and query)."""
    return bool(_SURROGATE.search(text) or _CONTROL.search(text))


def strip_controls(text: str) -> str:
    """``text`` without the characters :func:`no_surrogates` refuses (for public forms, where a person's
    text is kept rather than refused: the 好差评 page's comment)."""
    return _CONTROL.sub("", _SURROGATE.sub("", text))


def _mask(value: str) -> str:
    return redact_text(no_surrogates(value))


FreeText = Annotated[str, AfterValidator(_mask)]


def bounded_json(value: Any) -> Any:
    """``value`` with its strings masked, or ValueError saying which bound it passes."""
    count = 0

    def walk(v: Any, depth: int) -> Any:
        nonlocal count
        count += 1
        if count > JSON_ITEMS:
            raise ValueError(f"too many keys and items (at most {JSON_ITEMS} in all)")
        if isinstance(v, dict | list) and depth >= JSON_DEPTH:
            raise ValueError(f"nested too deep (at most {JSON_DEPTH} levels)")
        if isinstance(v, dict):
            for k in v:
                if not isinstance(k, str) or len(k) > 64:
                    raise ValueError("keys must be text of at most 64 characters")
            return {k: walk(item, depth + 1) for k, item in v.items()}
        if isinstance(v, list):
            return [walk(item, depth + 1) for item in v]
        if isinstance(v, str):
            v = strip_controls(v)  # a device's raw bytes (ESC, NUL) never cost the kiosk its status report
            return _mask(v if len(v) <= JSON_STRING else v[:JSON_STRING - 1] + "…")
        if v is None or isinstance(v, bool | int | float):
            return v
        raise ValueError("only JSON objects, arrays, text, numbers, true/false and null are allowed")

    out = walk(value, 0)
    if len(json.dumps(out, ensure_ascii=False)) > JSON_BYTES:
        raise ValueError(f"larger than {JSON_BYTES} characters when encoded")
    return out


def safe_json(value: Any) -> Any:
    """``value`` when it is within :func:`bounded_json`'s bounds, else ``{"invalid": true}``: for data read
    back from the database (stored by an older server), so one bad row never breaks a page."""
    try:
        return bounded_json(value)
    except (ValueError, RecursionError):
        return {"invalid": True}
