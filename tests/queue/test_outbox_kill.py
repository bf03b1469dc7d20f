"""A kiosk process SIGKILLed at any moment loses nothing and, restarted, doubles nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import tomli_w

from tests.queue.test_outbox_stub import TOKEN, QueueStub

KIOSK = textwrap.dedent("""
    import sys, time
    from kiosk.config.settings import load_config
    from kiosk.queue.client import HelpQueueClient
    client = HelpQueueClient(load_config(sys.argv[1]))
    client.forwarder.backoff.maximum = 0.2
    client.start()
    if sys.argv[2] == "call":
        for n in range(10_000):
            rid = client.call_helper("call", "start", visit_id=f"{sys.argv[3]}-{n}")
            print(rid, flush=True)  # acknowledged: durable from here on
            time.sleep(0.005)
    else:
        deadline = time.monotonic() + 20
        while client.pending_count() and time.monotonic() < deadline:
            time.sleep(0.02)
        print("pending", client.pending_count(), flush=True)
        client.stop()
""")


def write_config(tmp_path, url: str):
    catalog = tmp_path / "matters.toml"
    catalog.write_text("")
    path = tmp_path / "kiosk.toml"
    path.write_text(tomli_w.dumps({
        "kiosk_id": "zd-qj-01", "state_dir": str(tmp_path / "state"), "catalog": str(catalog),
        "site": {"level": "district", "code": "421303", "name": "曾都区政务服务中心"},
        "queue": {"url": url, "token": TOKEN, "timeout_s": 2}}))
    return path


def test_sigkill_mid_flight_loses_nothing_and_doubles_nothing(tmp_path):
    stub = QueueStub()
    stub.reply_delay = 0.005  # a window between "stored on the server" and "marked sent" to die in
    config = write_config(tmp_path, stub.url)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    acknowledged: list[str] = []
    try:
        for round_no in range(2):
            proc = subprocess.Popen([sys.executable, "-c", KIOSK, str(config), "call", f"r{round_no}"],
                                    stdout=subprocess.PIPE, text=True, env=env)
            got = []
            deadline = time.monotonic() + 20
            while len(got) < 40 + 17 * round_no and time.monotonic() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                got.append(line.strip())
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            acknowledged += got
            assert len(got) >= 40, "the kiosk process did not start calling"
        # restarted, it sends what is left
        done = subprocess.run([sys.executable, "-c", KIOSK, str(config), "drain"], capture_output=True,
                              text=True, env=env, timeout=60)
        assert done.stdout.strip() == "pending 0", done.stderr
        assert set(acknowledged) <= set(stub.created)  # nothing acknowledged was lost
        assert all(n == 1 for n in stub.created.values())  # nothing created twice
        assert len(stub.created) >= len(acknowledged)
    finally:
        stub.stop()
