"""The ledger's hash chains on SQLite and PostgreSQL: written through the HTTP API, verified by
``kiosk queue verify-ledger``, then broken on purpose — an edited row, a deleted row, two rows swapped,
a truncated tail — and each time the command names the first entry that fails and why."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from kiosk.cli import main
from kiosk.queue.chain import GENESIS
from kiosk.queue.models import case_events, events, ledger_heads
from tests.queue.case_helpers import Api
from tests.queue.conftest import auth


@pytest.fixture
def api(client, world):
    return Api(client, world)


def run_verify(ctx, capsys, *extra: str) -> tuple[int, dict, str]:
    code = main(["queue", "verify-ledger", "--db", ctx.db.url, "--state-dir", str(ctx.settings.state_dir),
                 "--json", *extra])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip().startswith("{") else {}, err


def busy_day(api, client, world, clock) -> str:
    """Requests and a case of site T1 through the API; returns the case id."""
    kiosk = auth(world.kiosk_tokens["k1"])
    for _ in range(3):
        rid = client.post("/api/v1/requests", json=world.request_body(), headers=kiosk).json()["id"]
        api.post("li", f"/requests/{rid}/claim")
        clock.advance(30)
    case = api.case()
    api.post("li", f"/cases/{case['id']}/start", json={"department": "市场监管局窗口", "note": "原件已当面核验"})
    api.post("li", f"/cases/{case['id']}/move", json={"department": "税务窗口"})
    client.post("/api/v1/requests", json=world.request_body(kiosk="k2"), headers=auth(world.kiosk_tokens["k2"]))
    return case["id"]


def entries(ctx, site: str) -> list[tuple[str, dict]]:
    out = []
    with ctx.db.read() as conn:
        for log, table in (("events", events), ("case_events", case_events)):
            out += [(log, dict(r)) for r in conn.execute(select(table).where(table.c.site_code == site)).mappings()]
    return sorted(out, key=lambda t: t[1]["chain_seq"])


def test_intact_ledger_verifies_and_every_entry_is_chained(api, client, world, ctx, clock, capsys):
    busy_day(api, client, world, clock)
    t1 = entries(ctx, "T1")
    assert [e["chain_seq"] for _, e in t1] == list(range(1, len(t1) + 1))  # one chain over both tables
    assert {log for log, _ in t1} == {"events", "case_events"}
    assert t1[0][1]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for (_, a), (_, b) in zip(t1, t1[1:], strict=False))
    code, out, err = run_verify(ctx, capsys)
    assert code == 0, err
    by_site = {s["site"]: s for s in out["sites"]}
    assert by_site["T1"]["entries"] == len(t1) and by_site["T1"]["head_hash"] == t1[-1][1]["hash"]
    assert by_site["T2"]["entries"] == 1 and out["ok"]
    last_case = [e for log, e in t1 if log == "case_events"][-1]
    history = api.get("li", f"/cases/{last_case['case_id']}/events").json()
    assert history[-1]["hash"] == last_case["hash"] and "salt" not in history[-1]  # shown with each entry


def test_an_edited_row_is_named(api, client, world, ctx, clock, capsys):
    busy_day(api, client, world, clock)
    target = next(e for log, e in entries(ctx, "T1") if e["type"] == "request.claimed")
    with ctx.db.write() as conn:
        data = dict(target["data"])
        data["request"] = {**data["request"], "claimed_at": "2026-11-28T05:00:00Z"}  # backdate a claim
        conn.execute(update(events).where(events.c.id == target["id"]).values(data=data))
    code, out, err = run_verify(ctx, capsys, "--site", "T1")
    assert code == 1
    failure = out["sites"][0]["failure"]
    assert (failure["seq"], failure["table"], failure["id"], failure["code"]) == (
        target["chain_seq"], "events", target["id"], "edited")
    assert f"entry #{target['chain_seq']}" in err and "request.claimed" in err and "edited" in err


def test_an_edited_case_event_note_is_named(api, client, world, ctx, clock, capsys):
    busy_day(api, client, world, clock)
    started = next(e for log, e in entries(ctx, "T1") if e["type"] == "case.started")
    assert started["salt"] and started["data"]["note"] == "原件已当面核验"
    with ctx.db.write() as conn:
        conn.execute(update(case_events).where(case_events.c.id == started["id"])
                     .values(data={**started["data"], "note": "材料齐全"}))
    code, out, _ = run_verify(ctx, capsys, "--site", "T1")
    assert code == 1 and out["sites"][0]["failure"]["seq"] == started["chain_seq"]


def test_a_deleted_row_is_named(api, client, world, ctx, clock, capsys):
    busy_day(api, client, world, clock)
    t1 = entries(ctx, "T1")
    gone = t1[3][1]
    with ctx.db.write() as conn:
        conn.execute(events.delete().where(events.c.id == gone["id"]) if t1[3][0] == "events"
                     else case_events.delete().where(case_events.c.id == gone["id"]))
    code, out, err = run_verify(ctx, capsys, "--site", "T1")
    failure = out["sites"][0]["failure"]
    assert code == 1 and failure["code"] == "missing" and failure["seq"] == gone["chain_seq"] + 1
    assert f"entry #{gone['chain_seq']} is missing" in err


def test_two_swapped_rows_are_named(api, client, world, ctx, clock, capsys):
    """Two entries exchange their places in the chain (their contents, hashes and all, change rows)."""
    busy_day(api, client, world, clock)
    t1 = [e for log, e in entries(ctx, "T1") if log == "events"]
    a, b = t1[1], t1[2]
    cols = ("request_id", "type", "actor", "at", "data", "prev_hash", "hash", "escalated_to")
    with ctx.db.write() as conn:
        conn.execute(update(events).where(events.c.id == a["id"]).values(**{k: b[k] for k in cols}))
        conn.execute(update(events).where(events.c.id == b["id"]).values(**{k: a[k] for k in cols}))
    code, out, err = run_verify(ctx, capsys, "--site", "T1")
    failure = out["sites"][0]["failure"]
    assert code == 1 and failure["seq"] == a["chain_seq"] and failure["code"] == "order"
    assert "reordered" in err


def test_renumbered_rows_are_caught(api, client, world, ctx, clock, capsys):
    """Swapping two entries' numbers instead (an attacker reorders without touching contents)."""
    busy_day(api, client, world, clock)
    t1 = [e for log, e in entries(ctx, "T1") if log == "events"]
    a, b = t1[0], t1[1]
    with ctx.db.write() as conn:
        conn.execute(update(events).where(events.c.id == a["id"]).values(chain_seq=-1))
        conn.execute(update(events).where(events.c.id == b["id"]).values(chain_seq=a["chain_seq"]))
        conn.execute(update(events).where(events.c.id == a["id"]).values(chain_seq=b["chain_seq"]))
    code, out, _ = run_verify(ctx, capsys, "--site", "T1")
    assert code == 1 and out["sites"][0]["failure"]["seq"] == a["chain_seq"]


def test_a_truncated_tail_and_a_bad_anchor_are_caught(api, client, world, ctx, clock, capsys):
    busy_day(api, client, world, clock)
    t1 = entries(ctx, "T1")
    seq, digest = t1[4][1]["chain_seq"], t1[4][1]["hash"]
    assert run_verify(ctx, capsys, "--site", "T1", "--anchor", f"#{seq}:{digest}")[0] == 0
    code, out, _ = run_verify(ctx, capsys, "--site", "T1", "--anchor", f"{seq}:{'0' * 64}")
    assert code == 1 and out["sites"][0]["failure"]["code"] == "anchor"
    log, last = t1[-1]
    table = events if log == "events" else case_events
    with ctx.db.write() as conn:
        conn.execute(table.delete().where(table.c.id == last["id"]))
    code, out, err = run_verify(ctx, capsys, "--site", "T1")
    assert code == 1 and out["sites"][0]["failure"]["code"] == "truncated" and f"#{last['chain_seq']}" in err
    assert run_verify(ctx, capsys, "--site", "T1", "--anchor", "12:xyz")[0] == 2  # malformed: usage error


def test_concurrent_writers_keep_one_chain(ctx, world, db_url, capsys):
    """Eight threads write request and case events of one site at once (PostgreSQL: real concurrency)."""
    from kiosk.queue.schemas import RequestIn
    from tests.queue.case_helpers import handover

    kiosk, li = world.kiosk("k1"), world.user("li")
    from kiosk.queue.case_schemas import CaseIn

    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for _ in range(4):
                view = ctx.queue.create(kiosk, RequestIn.model_validate(world.request_body()))
                ctx.queue.act(li, view["id"], "claim")
                if n % 2:
                    ctx.cases.create(li, CaseIn.model_validate(handover()))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with ctx.db.read() as conn:
        head = conn.execute(select(ledger_heads.c.seq).where(ledger_heads.c.site_code == "T1")).scalar()
        count = sum(conn.execute(select(func.count()).select_from(t).where(t.c.site_code == "T1")).scalar()
                    for t in (events, case_events))
    assert head == count == 8 * 4 * 2 + 4 * 4 * 2  # a case: its ledger row and its pushed event
    assert run_verify(ctx, capsys)[0] == 0


def test_upgrade_chains_the_entries_already_stored(tmp_path):
    """A ledger written before the chain existed (revision 0003) verifies after the upgrade."""
    from datetime import UTC, datetime, timedelta

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from kiosk.queue.db import MIGRATIONS, Database, sqlite_url
    from kiosk.queue.verify import verify

    db = Database(sqlite_url(tmp_path))
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url)
    with db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.commit()
    t0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    with db.engine.begin() as conn:
        for n in range(5):
            at = (t0 + timedelta(minutes=n)).replace(tzinfo=None)
            conn.execute(text("INSERT INTO events (request_id, site_code, type, actor, at, data) "
                              "VALUES (:r, 'T1', 'request.created', 'kiosk:k1', :at, '{}')"), {"r": f"r{n}", "at": at})
            conn.execute(text("INSERT INTO case_events (case_id, site_code, type, actor, at, data) VALUES "
                              "('DB-1', 'T1', 'case.moved', 'user:li', :at, :d)"),
                         {"at": at, "d": json.dumps({"note": f"第{n}次"}, ensure_ascii=False)})
    db.migrate()
    try:
        with db.read() as conn:
            result = verify(conn)
        assert result.ok and result.sites[0].entries == 10
    finally:
        db.dispose()


def test_a_backdated_entry_is_named(api, client, world, ctx, clock, capsys):
    """Moving an entry's time (e.g. a completion made to look on time) is an edit like any other."""
    busy_day(api, client, world, clock)
    target = next(e for log, e in entries(ctx, "T1") if e["type"] == "case.moved" and log == "case_events")
    with ctx.db.write() as conn:
        conn.execute(update(case_events).where(case_events.c.id == target["id"]).values(at=target["at"] - timedelta(days=1)))
    code, out, _ = run_verify(ctx, capsys, "--site", "T1")
    failure = out["sites"][0]["failure"]
    assert code == 1 and (failure["seq"], failure["code"], failure["table"]) == (target["chain_seq"], "edited", "case_events")
