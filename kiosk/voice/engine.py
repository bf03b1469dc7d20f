""":class:`Voice`: speaks in the background, a newer prompt stopping an older one; volume; 再听一遍.

``say(text, key)`` returns at once: a worker thread turns the text into pinyin (through the child process
of :mod:`kiosk.voice.child`) and starts ``espeak-ng -v cmn-latn-pinyin``; when ``key`` names a recorded
prompt (``prompts/KEY.wav``) that file is played instead with ``aplay``, at the same volume. Nothing is
ever said that the caller did not pass: the screens decide the words (and never say a slip printed when
it did not). :meth:`Voice.create` returns None when the voice is off or ``espeak-ng`` is missing.
"""

from __future__ import annotations

import array
import io
import logging
import shutil
import subprocess
import sys
import threading
import wave
from pathlib import Path

from kiosk.voice.child import PinyinChild

log = logging.getLogger(__name__)
VOICE = "cmn-latn-pinyin"
LEVELS = (40, 70, 100)  # the resident's 小 / 中 / 大


class Voice:
    """One speaker. ``volume`` is 0–100; ``prompts`` a folder of recorded ``KEY.wav`` prompts."""

    def __init__(self, program: str, *, volume: int = 70, speed: int = 130, prompts: Path | None = None,
                 player: str | None = None, converter: PinyinChild | None = None):
        self.program, self.speed = program, speed
        self.volume = max(0, min(100, int(volume)))
        self.default_volume = self.volume
        self.prompts = Path(prompts) if prompts else None
        self.player = player
        self.last: tuple[str, str | None] = ("", None)
        self._pinyin = converter or PinyinChild()
        self._proc: subprocess.Popen | None = None
        self._wanted: tuple[str, str | None, int] | None = None
        self._seq = 0
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
        self._thread.start()

    @classmethod
    def create(cls, enabled: bool = True, *, volume: int = 70, prompts: Path | None = None) -> Voice | None:
        program = shutil.which("espeak-ng") if enabled else None
        if enabled and program is None:
            log.info("voice guidance off: espeak-ng is not installed (apt-get install espeak-ng)")
        return cls(program, volume=volume, prompts=prompts, player=shutil.which("aplay")) if program else None

    # what callers use -------------------------------------------------------------------------------
    def say(self, text: str, key: str | None = None) -> None:
        """Speaks ``text`` in the background (``key``: its recorded prompt, if the hall has one); an empty
        text only stops what is being said."""
        if text:
            self.last = (text, key)
        self._want((text, key, self.volume))

    def repeat(self) -> None:
        """再听一遍: the last prompt again."""
        if self.last[0]:
            self._want((*self.last, self.volume))

    def set_volume(self, volume: int) -> None:
        self.volume = max(0, min(100, int(volume)))

    def next_level(self) -> int:
        """The resident's volume button: 小 → 中 → 大 → 小; returns the new volume."""
        higher = [v for v in LEVELS if v > self.volume]
        self.set_volume(higher[0] if higher else LEVELS[0])
        return self.volume

    def reset(self) -> None:
        """A new visit: the kiosk's volume again, nothing to repeat."""
        self.volume, self.last = self.default_volume, ("", None)
        self._want(("", None, self.volume))

    def prompt_file(self, key: str | None) -> Path | None:
        if not key or self.prompts is None:
            return None
        path = self.prompts / f"{key}.wav"
        return path if path.is_file() else None

    def to_wav(self, text: str, out: Path, key: str | None = None) -> str:
        """Writes what :meth:`say` would speak to the WAV file ``out`` (blocking); returns the pinyin
        spoken (or the prompt file's name)."""
        recorded = self.prompt_file(key)
        if recorded is not None:
            Path(out).write_bytes(scaled_wav(recorded.read_bytes(), self.volume))
            return recorded.name
        pinyin = self._pinyin.convert(text)
        subprocess.run(self._espeak(pinyin, ["-w", str(out)]), check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return pinyin

    def close(self) -> None:
        self._want(None)
        self._thread.join(2)
        self._pinyin.close()

    # the worker -------------------------------------------------------------------------------------
    def _want(self, item) -> None:
        with self._cond:
            self._seq += 1
            self._wanted = item if item is not None else ("", None, -1)
            self._cond.notify()

    def _run(self) -> None:
        seen = 0
        while True:
            with self._cond:
                while self._seq == seen:
                    self._cond.wait()
                seen, item = self._seq, self._wanted
            self._stop()
            text, key, volume = item
            if volume < 0:
                return
            if not text or volume == 0:
                continue
            try:
                self._start(text, key, volume, lambda seen=seen: self._seq != seen)
            except Exception as err:  # a broken voice must never reach the screens
                log.warning("voice guidance failed: %s", err)

    def _start(self, text: str, key: str | None, volume: int, outdated) -> None:
        recorded = self.prompt_file(key)
        if recorded is not None and self.player:
            self._proc = subprocess.Popen([self.player, "-q", "-"], stdin=subprocess.PIPE,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self._proc.stdin.write(scaled_wav(recorded.read_bytes(), volume))
            self._proc.stdin.close()
            return
        pinyin = self._pinyin.convert(text)
        if outdated():  # a newer prompt came while converting
            return
        self._proc = subprocess.Popen(self._espeak(pinyin, [], volume), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)

    def _espeak(self, pinyin: str, extra: list[str], volume: int | None = None) -> list[str]:
        amplitude = round((self.volume if volume is None else volume) * 2)  # espeak-ng: 0–200
        return [self.program, "-v", VOICE, "-s", str(self.speed), "-a", str(amplitude), *extra, "--", pinyin]

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(2)
            except subprocess.TimeoutExpired:
                proc.kill()


def scaled_wav(data: bytes, volume: int) -> bytes:
    """A 16-bit PCM WAV file's bytes with its samples scaled to ``volume`` (0–100; 100 leaves it as it
    is). Other sample widths are returned unchanged."""
    with wave.open(io.BytesIO(data)) as src:
        params, frames = src.getparams(), src.readframes(src.getnframes())
    if params.sampwidth != 2 or volume >= 100:
        return data
    samples = array.array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    factor = max(0, volume) / 100
    samples = array.array("h", (int(s * factor) for s in samples))
    if sys.byteorder == "big":
        samples.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as dst:
        dst.setparams(params)
        dst.writeframes(samples.tobytes())
    return out.getvalue()
