"""The child process that turns text into pinyin for the voice, and the kiosk's client of it.

pypinyin's dictionaries take ~55 MB and ~0.5 s to load; the kiosk must not carry them (see
``docs/ARCHITECTURE.md``). :class:`PinyinChild` starts ``python -m kiosk.voice.child`` the first time a
text is spoken, sends it one JSON string per line and reads one JSON string per line back; answers are
remembered (the prompts repeat). A child that died or hangs is restarted on the next text; when none can
run the text is converted in this process as a last resort (logged).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections import OrderedDict

log = logging.getLogger(__name__)


class PinyinChild:
    """Text → pinyin through a long-lived child process (thread-safe; blocking: call off the UI thread)."""

    def __init__(self, timeout_s: float = 20.0, remember: int = 256):
        self.timeout_s = timeout_s
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._memo: OrderedDict[str, str] = OrderedDict()
        self._remember = remember

    def convert(self, text: str) -> str:
        with self._lock:
            if text in self._memo:
                self._memo.move_to_end(text)
                return self._memo[text]
            try:
                out = self._ask(text)
            except (OSError, ValueError, TimeoutError) as err:
                log.warning("voice: pinyin child failed (%s); converting in the kiosk process", err)
                self._stop()
                from kiosk.voice.speech import to_pinyin  # noqa: PLC0415 - last resort only

                out = to_pinyin(text)
            self._memo[text] = out
            while len(self._memo) > self._remember:
                self._memo.popitem(last=False)
            return out

    def _ask(self, text: str) -> str:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen([sys.executable, "-m", "kiosk.voice.child"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                          encoding="utf-8", bufsize=1)
        proc = self._proc
        timer = threading.Timer(self.timeout_s, proc.kill)  # a hung child must not hang the voice
        timer.start()
        try:
            proc.stdin.write(json.dumps(text, ensure_ascii=False) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        finally:
            timer.cancel()
        if not line:
            raise TimeoutError("no answer from the pinyin child")
        answer = json.loads(line)
        if not isinstance(answer, str):
            raise ValueError("the pinyin child answered something else than a string")
        return answer

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(5)
            self._proc = None

    def close(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.stdin.close()
                try:
                    self._proc.wait(2)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
            self._proc = None


def main() -> int:
    """Reads JSON strings, one a line, and writes each one's pinyin as a JSON string line."""
    from kiosk.voice.speech import to_pinyin  # noqa: PLC0415

    for line in sys.stdin:
        try:
            text = json.loads(line)
            out = to_pinyin(text) if isinstance(text, str) else ""
        except ValueError:
            out = ""
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
