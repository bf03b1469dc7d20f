"""Webhooks: from a kiosk's call to the group robot, and what they cost the request path.

    python3 bench/bench_webhooks.py [--calls 20] [--gap 3.5] [--hooks 4]

Starts ``kiosk queue serve`` (its own process, SQLite in a temp state dir, as deployed), adds one site with a
kiosk and ``--hooks`` webhooks (企业微信, 钉钉 signed, 飞书 signed, JSON) pointing at a local HTTP server, then:

1. Latency: ``--calls`` requests, one every ``--gap`` seconds (below the robots' 20 a minute; a busy hall
   calls far less often); for each, the time from the start of the kiosk's POST to each robot receiving
   the message. Bar (issue 13): every one within 2 s; prints p50 / p90 / max.
2. Burst: 30 requests at once; prints how many messages each robot got (several events become one message;
   5 at once, then 20 a minute) and when the last one came.
3. The request path: the POST's own time (p50 / p90) with the webhooks, against the same server with them
   removed — the sending runs in the background, so the two should match.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.queue.webhook_receiver import Receiver  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from queue_server import start_queue_server  # noqa: E402

KINDS = (("wecom", None), ("dingtalk", "SECbench0123456789"), ("feishu", "fs-bench"), ("json", "json-bench"))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def setup(state: Path, base: str, hooks: int) -> str:
    from kiosk.queue import webhooks
    from kiosk.queue.crypto import IdentityBox, load_cipher
    from kiosk.queue.db import Database, sqlite_url
    from kiosk.queue.provision import add_kiosk, add_site

    state.mkdir(parents=True, exist_ok=True)
    db = Database(sqlite_url(state))
    db.migrate()
    now = datetime.now(UTC)
    add_site(db, "T1", "南郊街道便民服务中心", "town", now)
    token = add_kiosk(db, "k1", "T1", now, location="一楼大厅")
    box = IdentityBox(load_cipher(state))
    for kind, secret in KINDS[:hooks]:
        webhooks.add(db, box, "T1", kind, f"{base}/{kind}/hook?key=bench", secret, "bench", now)
    db.dispose()
    return token


def call(http: httpx.Client, token: str, ticket: str) -> float:
    body = {"id": str(uuid.uuid4()), "kind": "assist", "kiosk_id": "k1", "site_code": "T1", "step": "matter",
            "created_at": datetime.now(UTC).isoformat(), "ticket_no": ticket, "matter_name": "养老保险参保登记",
            "resident": {"name": "张三丰", "id_number": "11010519491231002X"}}
    t0 = time.monotonic()
    answer = http.post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201, answer.text
    return t0, time.monotonic() - t0


def arrivals(receiver: Receiver, name: str, ticket: str) -> float | None:
    for post in receiver.of(name):
        if f"票号 {ticket}" in post["body"].decode():
            return post["at"]
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--gap", type=float, default=3.5, help="seconds between calls (robots take 20 a minute)")
    ap.add_argument("--hooks", type=int, default=4, choices=range(1, 5))
    args = ap.parse_args()
    kinds = [k for k, _ in KINDS[:args.hooks]]
    with tempfile.TemporaryDirectory() as tmp, Receiver() as receiver:
        state = Path(tmp) / "state"
        token = setup(state, receiver.base, args.hooks)
        server = start_queue_server(state)
        url = server.url
        try:
            with httpx.Client(base_url=url, timeout=30) as http:
                starts, post_with = {}, []
                for n in range(args.calls):
                    ticket = f"L{n:03d}"
                    starts[ticket], took = call(http, token, ticket)
                    post_with.append(took)
                    time.sleep(args.gap)
                time.sleep(5)
                lat = [(arrivals(receiver, kind, ticket) or float("inf")) - t0
                       for ticket, t0 in starts.items() for kind in kinds]
                within = sum(1 for x in lat if x <= 2.0)
                print(f"call → robot: {within}/{len(lat)} within 2 s; p50 {pct(lat, 50) * 1000:.0f} ms, "
                      f"p90 {pct(lat, 90) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms ({args.calls} calls × "
                      f"{len(kinds)} robots, one call every {args.gap} s)")
                before = {k: len(receiver.of(k)) for k in kinds}
                t0 = time.monotonic()
                for n in range(30):
                    call(http, token, f"B{n:03d}")
                quiet_since, seen = time.monotonic(), sum(len(receiver.of(k)) for k in kinds)
                while time.monotonic() - quiet_since < 8:  # until no robot got anything for 8 s
                    time.sleep(0.1)
                    now_seen = sum(len(receiver.of(k)) for k in kinds)
                    if now_seen != seen:
                        quiet_since, seen = time.monotonic(), now_seen
                got = {k: len(receiver.of(k)) - before[k] for k in kinds}
                last = max(p["at"] for k in kinds for p in receiver.of(k)) - t0
                print(f"burst of 30 calls at once: messages per robot {got} (10 lines each at most, the rest "
                      f"counted); the last message {last:.1f} s after the burst")
                hooks = http.get("/api/v1/webhooks")  # no session: only to show the endpoint is guarded
                assert hooks.status_code == 401
            from kiosk.queue import webhooks
            from kiosk.queue.db import Database, sqlite_url

            db = Database(sqlite_url(state))
            for w in webhooks.listing(db):
                webhooks.remove(db, w["id"])
            db.dispose()
            with httpx.Client(base_url=url, timeout=30) as http:
                post_without = [call(http, token, f"N{n:03d}")[1] for n in range(args.calls)]
            print(f"the kiosk's POST: p50 {statistics.median(post_with) * 1000:.1f} ms / p90 "
                  f"{pct(post_with, 90) * 1000:.1f} ms with {len(kinds)} webhooks; p50 "
                  f"{statistics.median(post_without) * 1000:.1f} ms / p90 {pct(post_without, 90) * 1000:.1f} ms without")
        finally:
            server.stop(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
