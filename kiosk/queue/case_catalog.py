"""The matters catalogue the server reads for 代办 deadlines (承诺时限) and matter names.

Contract: :class:`MatterCatalog` loads the file given to ``kiosk queue serve --catalog`` (already validated
there) or, without one, the shipped sample, once, on first use. :meth:`MatterCatalog.get` answers the matter
or None (no id, unknown id, or an unreadable catalogue: the case form must then give ``time_limit_days``).
"""

from __future__ import annotations

import threading


class MatterCatalog:
    def __init__(self, path: str | None = None):
        self.path = path
        self._catalog = None  # None: not read yet; False: unreadable
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._catalog is None:
                from kiosk.catalog import CatalogError, load_catalog
                from kiosk.config.settings import DEFAULT_CATALOG

                try:
                    self._catalog = load_catalog(self.path or DEFAULT_CATALOG)
                except (CatalogError, OSError):
                    self._catalog = False
        return self._catalog

    def get(self, matter_id: str | None):
        """The catalogue's matter (``time_limit``, ``immediate``, ``name``…) or None."""
        if not matter_id:
            return None
        catalog = self._catalog if self._catalog is not None else self._load()
        try:
            return catalog.get(matter_id) if catalog else None
        except KeyError:
            return None
