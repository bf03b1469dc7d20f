"""The pinyin readings of a catalogue's texts, computed in a child process.

pypinyin's dictionaries take ~55 MB of memory and ~0.5 s to load. A kiosk needs the readings of its
catalogue's names, keywords and departments only once, to build the search index; computing them in a
short-lived child process keeps those 55 MB out of the kiosk for good (the child exits; its memory goes
back to the OS). :func:`readings` falls back to computing in this process when the child cannot run.

Child protocol: ``python -m kiosk.catalog.pinyin_table`` reads a JSON list of texts on stdin and writes a
JSON object ``{text: [[reading, ...], ...]}`` on stdout.
"""

from __future__ import annotations

import functools
import json
import logging
import subprocess
import sys

log = logging.getLogger(__name__)

Readings = tuple[tuple[str, ...], ...]


def compute(texts: list[str]) -> dict[str, Readings]:
    """The readings of each text, computed here (loads pypinyin into this process)."""
    from kiosk.catalog.pinyin import syllables  # noqa: PLC0415 - the child's work

    return {t: syllables(t) for t in texts}


def readings(texts: list[str], timeout_s: float = 60.0) -> dict[str, Readings]:
    """The readings of each of ``texts``, computed in a child process (see the module's text); the same
    texts again (the same catalogue loaded anew) are answered from memory."""
    return dict(_readings(tuple(dict.fromkeys(texts)), timeout_s))


@functools.lru_cache(maxsize=4)
def _readings(unique: tuple[str, ...], timeout_s: float) -> dict[str, Readings]:
    if not unique:
        return {}
    try:
        done = subprocess.run([sys.executable, "-m", "kiosk.catalog.pinyin_table"], input=json.dumps(unique),
                              capture_output=True, text=True, timeout=timeout_s, check=True)
        table = json.loads(done.stdout)
        return {t: tuple(tuple(s) for s in table[t]) for t in unique}
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError) as err:
        log.warning("pinyin in a child process failed (%s); computing it in the kiosk process",
                    str(err).splitlines()[0] if str(err) else type(err).__name__)
        return compute(unique)


def main() -> int:
    texts = json.load(sys.stdin)
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        print("expected a JSON list of strings on stdin", file=sys.stderr)
        return 2
    json.dump(compute(texts), sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
