"""Attack (load review): ``closed_since`` and the case list's dates at the edges of the calendar.

``closed_since`` is a time with its zone; ``0001-01-01T00:00+23:59`` is valid ISO 8601 but lies before year
1 in UTC, and ``9999-12-31T23:59-23:59`` after year 9999: the request bodies' times already refuse those
(kiosk/queue/schemas.py), a query's did not. Every odd value is a 4xx, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.queue.conftest import auth


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00Z",
                                   "9999-12-31T23:59:59Z", "2026-13-01T00:00:00Z", "yesterday", "2026-12-07",
                                   "1e400", "2026-12-07T00:00:00", "-1"])
def test_odd_closed_since_values_are_answered_not_a_500(world, client, since):
    r = client.get(f"/api/v1/requests?state=resolved&closed_since={quote(since)}", headers=auth(world.token("li")))
    assert r.status_code in (200, 422), (r.status_code, r.text)
    if r.status_code == 422:
        assert r.json()["code"]
