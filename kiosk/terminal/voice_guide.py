"""Spoken guidance (elderly mode): the fixed prompts, texts made for the moment, 再听一遍 and the volume.

No Kivy here. ``voice`` is a :class:`kiosk.voice.Voice`-like object or None (no speaker).
"""

from __future__ import annotations

from typing import Any

from kiosk.i18n import tr


class VoiceGuide:
    def __init__(self, visit, voice=None):
        self.visit, self.voice = visit, voice

    @property
    def on(self) -> bool:
        """Spoken guidance is on: elderly mode and a working voice."""
        return self.voice is not None and self.visit.elderly

    def say(self, key: str, **values: Any) -> None:
        """Speaks the fixed prompt ``kiosk.voice.KEY`` (a hall's recording KEY.wav when it has one)."""
        text = tr(f"kiosk.voice.{key}", **values)
        if self.on and text and text != f"kiosk.voice.{key}":
            self.voice.say(text, None if values else key)

    def speak(self, text: str) -> None:
        """Speaks a text made for this moment (a number, the missing materials, an error)."""
        if self.on and text:
            self.voice.say(text)

    def repeat(self) -> None:
        """再听一遍."""
        self.visit.touch()
        if self.voice is not None:
            self.voice.repeat()

    def next_volume(self) -> int:
        """The volume button: 小 → 中 → 大; returns the new volume (0 without a voice)."""
        self.visit.touch()
        if self.voice is None:
            return 0
        volume = self.voice.next_level()
        self.voice.repeat()
        return volume

    def reset(self) -> None:
        if self.voice is not None:
            self.voice.reset()

    def close(self) -> None:
        if self.voice is not None:
            self.voice.close()
