"""Personal data of a visit and its wipe: zeroing buffers in place, shredding temp files.

:class:`PersonalData` is a mixin of :class:`~kiosk.visit.Visit`; it uses the visit's ``identity``,
``captures``, ``_temp_files`` and ``_capture_dir``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.visit.erase import shred, zero

if TYPE_CHECKING:
    from kiosk.visit.identity import Identity


class PersonalData:
    """The visit's personal data: the identity, captured images and temp files, and their wipe."""

    identity: Identity | None
    captures: dict[str, list[Any]]
    _temp_files: list[Path]
    _capture_dir: Path | None

    def temp_file(self, suffix: str = "") -> Path:
        """A new private (0600) temp file for this visit (e.g. a preview image); the wipe deletes it."""
        if self._capture_dir:
            self._capture_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(suffix=suffix, prefix="visit-", dir=self._capture_dir)
        os.close(fd)
        self._temp_files.append(Path(name))
        return Path(name)

    def has_personal_data(self) -> bool:
        return bool(self.identity or self.captures or self._temp_files)

    def _drop_captures(self, material_id: str | None = None) -> None:
        """Zeroes and drops the images of one material, or of every material when ``material_id`` is
        None."""
        ids = list(self.captures) if material_id is None else [material_id]
        for key in ids:
            for image in self.captures.pop(key, []):
                zero(image)

    def _wipe_personal(self) -> None:
        if self.identity is not None:
            self.identity.clear()
            self.identity = None
        self._drop_captures()
        for path in self._temp_files:
            shred(path)
        self._temp_files.clear()

    def wipe(self) -> None:
        """Zeroes and drops every piece of personal data: card fields, the card photo, captured images
        (numpy buffers and bytearrays are overwritten with zeros), and deletes (after overwriting) the
        temp files this visit created. Python strings cannot be overwritten in place; the visit drops
        every reference to them. Step, kind and matter stay until :meth:`reset`."""
        self._wipe_personal()
