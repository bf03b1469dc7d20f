"""Optional spoken guidance for elderly mode through Debian's ``espeak-ng`` (Mandarin voice ``cmn``).

:meth:`Voice.say` never blocks: it starts ``espeak-ng`` and returns; a newer prompt stops the one still
speaking. :meth:`Voice.create` returns None when voice is switched off or ``espeak-ng`` is not installed,
so callers simply skip speaking.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

log = logging.getLogger(__name__)


class Voice:
    def __init__(self, program: str, voice: str = "cmn", speed: int = 140):
        self.program, self.voice, self.speed = program, voice, speed
        self._proc: subprocess.Popen | None = None

    @classmethod
    def create(cls, enabled: bool = True) -> Voice | None:
        program = shutil.which("espeak-ng") if enabled else None
        if enabled and program is None:
            log.info("voice guidance off: espeak-ng is not installed (apt-get install espeak-ng)")
        return cls(program) if program else None

    def say(self, text: str) -> None:
        """Speaks ``text`` in the background; an empty text only stops the current prompt."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
        self._proc = None
        if not text:
            return
        try:
            self._proc = subprocess.Popen([self.program, "-v", self.voice, "-s", str(self.speed), text],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as err:
            log.warning("voice guidance failed: %s", err)
