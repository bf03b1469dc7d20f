"""今日已办 among months of work: the console asked for a helper's closed requests (at most 200, in queue order,
the oldest first) and kept today's — after ~200 calls (two weeks in a busy hall) today's were never among
them and the list said 0. ``GET /requests?closed_since=`` answers only those closed since then; the console
asks from its midnight, and a time without its zone is refused (which midnight would it be?)."""

from __future__ import annotations

from kiosk.queue.schemas import RequestIn
from tests.queue.conftest import auth


def closed_requests(world, ctx, n: int, ticket: str) -> list[str]:
    """``n`` calls of k1 claimed, served and answered by 李四 now (by the test's clock)."""
    k1, li = world.kiosk("k1"), world.user("li")
    ids = []
    for _ in range(n):
        rid = ctx.queue.create(k1, RequestIn(**world.request_body(ticket_no=ticket)))["id"]
        for action, fields in (("claim", {}), ("arrive", {}), ("resolve", {"outcome": "answered"})):
            ctx.queue.act(li, rid, action, **fields)
        ids.append(rid)
    return ids


def test_closed_since_answers_only_what_was_closed_since_then(world, ctx, client, clock):
    old = closed_requests(world, ctx, 3, "A001")
    clock.advance(2 * 86400)
    since = clock().isoformat()
    today = closed_requests(world, ctx, 2, "A900")
    token = world.token("li")
    path, mine = "/api/v1/requests", {"mine": "true", "state": "resolved"}
    every = client.get(path, params=mine, headers=auth(token)).json()["items"]
    assert {r["id"] for r in every} == set(old + today)
    got = client.get(path, params=mine | {"closed_since": since}, headers=auth(token)).json()["items"]
    assert {r["id"] for r in got} == set(today)
    naive = client.get(path, params=mine | {"closed_since": since[:19]}, headers=auth(token))
    assert naive.status_code == 422, naive.text
