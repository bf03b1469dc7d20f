"""Attack: a stolen helper session reading without end. Writes were budgeted per staff member, reads not: a
script could ask ``GET /api/v1/requests?limit=1000`` in a loop (600 KB and ~50 ms of the event loop each on
SQLite) or reopen the event stream from ``after=0`` again and again (the backlog read and sent each time),
and every kiosk and console waited behind it. Now each session's reads spend a budget (kiosk/queue/reads.py:
units a minute, a read's bytes counted): beyond it 429 ``reads_throttled`` with ``Retry-After``, while the
helper's other sessions, her colleagues and the kiosks are served as before — and a console used as a busy
day uses it, ten times over, never meets the bound."""

from __future__ import annotations

import httpx

from kiosk.queue.reads import PER_MINUTE, ReadBudget
from kiosk.queue.schemas import RequestIn
from tests.queue.conftest import auth


class Mono:
    """A monotonic clock the test moves."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


def _open_requests(ctx, world, n: int) -> list[str]:
    k1 = world.kiosk("k1")
    return [ctx.queue.create(k1, RequestIn(**world.request_body()))["id"] for _ in range(n)]


def test_a_session_paging_through_everything_is_slowed_and_others_are_served(ctx, world, client):
    rid = _open_requests(ctx, world, 300)[0]
    mono = Mono()
    ctx.reads = ReadBudget(60, clock=mono)
    li, li_phone, wang = world.token("li"), world.token("li"), world.token("wang")
    codes = [client.get("/api/v1/requests?limit=1000", headers=auth(li)).status_code for _ in range(15)]
    served = codes.count(200)  # 300 rows (~180 KB) cost ~6 units each, and their CPU (~20 ms here: ~6 more)
    assert codes == [200] * served + [429] * (15 - served) and 1 <= served <= 12, codes
    r = client.get(f"/api/v1/requests/{rid}", headers=auth(li))  # the spent budget holds for small reads too
    assert r.status_code == 429 and r.json()["code"] == "reads_throttled", r.text
    assert 1 <= int(r.headers["Retry-After"]) <= 60 and r.json()["retry_after"] == int(r.headers["Retry-After"])
    assert "秒后再试" in r.json()["detail"]
    r = client.get("/api/v1/events/stream", headers=auth(li) | {"Accept-Language": "en"})
    assert r.status_code == 429 and "Too many reads" in r.json()["detail"]

    assert client.get("/api/v1/requests", headers=auth(li_phone)).status_code == 200  # her own phone
    assert client.get("/api/v1/requests?limit=1000", headers=auth(wang)).status_code == 200  # a colleague
    assert client.put("/api/v1/me/duty", json={"on_duty": True}, headers=auth(li)).status_code == 200  # not a read
    kiosk = {"Authorization": f"Bearer {world.kiosk_tokens['k1']}"}
    created = client.post("/api/v1/requests", json=world.request_body(), headers=kiosk)
    assert created.status_code == 201
    assert client.get(f"/api/v1/requests/{created.json()['id']}", headers=kiosk).status_code == 200
    assert ctx.reads.refused == 15 - served + 2
    figures = {name: samples for name, _, _, samples in ctx.metrics.families(ctx)}
    assert figures["kq_reads_throttled_total"] == [("", {}, 15 - served + 2)]  # the operator sees it (/metrics)

    mono.advance(60)  # the next minute
    assert client.get("/api/v1/requests?limit=1000", headers=auth(li)).status_code == 200


def _open_stream(url: str, token: str, after: int) -> tuple[int, dict | None]:
    """Opens the event stream from ``after``, reads its first bytes (the backlog is sent by then) and hangs up."""
    with httpx.stream("GET", f"{url}/api/v1/events/stream?after={after}", headers=auth(token), timeout=20) as r:
        if r.status_code != 200:
            r.read()
            return r.status_code, r.json()
        next(r.iter_raw())
        return 200, None


def test_reopening_the_stream_from_the_start_is_bounded(ctx, world, live):
    _open_requests(ctx, world, 300)  # 300 events of T1 in the table
    mono = Mono()
    ctx.reads = ReadBudget(60, clock=mono)
    li, li_phone = world.token("li"), world.token("li")
    last = ctx.queue.catch_up(ctx.auth.principal(li), 0, 1000)[0][-1]["id"]
    answers = [_open_stream(live.url, li, 0) for _ in range(20)]
    codes = [code for code, _ in answers]
    opened = codes.count(200)  # each reopening sends the whole backlog: ~7 units, and its CPU
    assert codes == [200] * opened + [429] * (20 - opened) and 1 <= opened <= 12, codes
    assert answers[-1][1]["code"] == "reads_throttled"
    # a console's reconnect (from the last event it saw) costs one unit: twenty of them fit in the same budget
    assert [_open_stream(live.url, li_phone, last)[0] for _ in range(20)] == [200] * 20
    mono.advance(60)
    assert _open_stream(live.url, li, 0)[0] == 200


def test_a_busy_console_ten_times_over_is_never_slowed(ctx, world, live):
    """The busiest console measured (bench/bench_console_reads.py, 57 calls and 20 代办 cases a minute: a
    supervisor on 督查, 32 GETs and at most 80 units a minute), ten times over and with a flapping link's
    reconnects besides, for two minutes, with the default budget, over a list of 100 open requests."""
    _open_requests(ctx, world, 100)
    mono = Mono()
    ctx.reads = ReadBudget(PER_MINUTE, clock=mono)
    sup = world.token("sup")
    last = ctx.queue.catch_up(ctx.auth.principal(sup), 0, 1000)[0][-1]["id"]
    minute = {"/api/v1/cases/overdue": 200, "/api/v1/figures": 45, "/api/v1/kiosks": 42, "/api/v1/staff": 39,
              "/api/v1/requests": 10, "/api/v1/me": 10}
    codes = []
    with httpx.Client(base_url=live.url, headers=auth(sup), timeout=20) as http:
        for _ in range(2):
            for path, times in minute.items():
                codes += [http.get(path).status_code for _ in range(times)]
            codes += [_open_stream(live.url, sup, last)[0] for _ in range(20)]
            mono.advance(60)
    assert set(codes) == {200} and ctx.reads.refused == 0, codes
