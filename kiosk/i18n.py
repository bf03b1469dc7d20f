"""The one translation layer: Chinese (zh_CN) first, English (en) second.

Texts live in ``kiosk/locale/<language>/<area>.toml``; each file holds one top-level table named like the
file, so areas never edit each other's files. A key is the dotted path, e.g. ``tr("kiosk.start.title")``
reads ``[start] title = …`` from ``kiosk.toml``. A key missing in the current language falls back to
zh_CN, then to the key itself (so a missing text is visible, never a crash). ``{name}`` placeholders are
filled from keyword arguments.

The glossary (``locale/<language>/glossary.toml``) names each thing once: a text writes ``{=helper}``
and reads "帮办员" (``[glossary] helper = "帮办员"``), so a screen, a slip and the voice never call one
thing by two names. Terms are put in when a language is loaded.
"""

from __future__ import annotations

import re
import threading
import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("zh_CN", "en")
FALLBACK = "zh_CN"
_LOCALE_DIR = Path(__file__).with_name("locale")
_state = threading.local()
_default_language = FALLBACK
_TERM = re.compile(r"\{=([a-z_]+)\}")


@cache
def _catalog(language: str) -> dict:
    merged: dict = {}
    folder = _LOCALE_DIR / language
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        merged[path.stem] = data.get(path.stem, data)
    terms = merged.get("glossary", {})
    if language != FALLBACK:
        terms = {**_catalog(FALLBACK).get("glossary", {}), **terms}
    return _put_terms(merged, terms)


def _put_terms(node: dict, terms: dict) -> dict:
    """Replaces every ``{=term}`` in the texts under ``node`` with the glossary's word (an unknown term
    stays visible as it is)."""
    def word(m: re.Match) -> str:
        return str(terms.get(m.group(1), m.group(0)))

    for k, v in node.items():
        if isinstance(v, dict):
            _put_terms(v, terms)
        elif isinstance(v, str) and "{=" in v:
            node[k] = _TERM.sub(word, v)
    return node


def _lookup(catalog: dict, key: str) -> str | None:
    node: object = catalog
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, str) else None


def set_language(language: str) -> None:
    """Sets the process-wide language (the kiosk's configured one). Unknown languages raise ValueError."""
    global _default_language
    if language not in LANGUAGES:
        raise ValueError(f"language '{language}' is not one of {', '.join(LANGUAGES)}")
    _default_language = language
    _state.language = language


def get_language() -> str:
    return getattr(_state, "language", _default_language)


def tr(key: str, language: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``language`` (default: the current one), with ``values`` filled in."""
    lang = language or get_language()
    text = _lookup(_catalog(lang), key)
    if text is None and lang != FALLBACK:
        text = _lookup(_catalog(FALLBACK), key)
    if text is None:
        return key
    return text.format(**values) if values else text


def has(key: str, language: str = FALLBACK) -> bool:
    return _lookup(_catalog(language), key) is not None


def keys(language: str = FALLBACK) -> set[str]:
    """Every key of a language (for tests that check zh_CN and en cover each other)."""
    out: set[str] = set()

    def walk(node: dict, prefix: str) -> None:
        for k, v in node.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                out.add(prefix + k)

    walk(_catalog(language), "")
    return out


def say(what: object, language: str | None = None) -> str:
    """Words what a device reported, in ``language`` (default: the current one): a reason (anything with
    ``code`` and ``params``, such as :class:`kiosk.devices.base.Reason`; a value that is a reason is worded
    too), an exception that carries one in ``reason``, or plain text (returned as it is). ``None`` and
    ``""`` give ``""``."""
    if what is None or what == "":
        return ""
    reason = getattr(what, "reason", None) if isinstance(what, BaseException) else what
    if isinstance(what, BaseException) and reason is None:
        return str(what) or type(what).__name__
    if hasattr(reason, "code") and hasattr(reason, "params"):
        values = {k: say(v, language) if hasattr(v, "code") and hasattr(v, "params") else v
                  for k, v in reason.params.items()}
        return tr(reason.code, language, **values)
    return str(reason)
