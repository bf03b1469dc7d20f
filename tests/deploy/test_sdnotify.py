"""sd_notify over a real unix datagram socket the test binds, as systemd's would be."""

import os
import socket

import pytest

from kiosk.deploy.sdnotify import Notifier


@pytest.fixture
def systemd_socket(tmp_path):
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    yield path, sock
    sock.close()


def test_messages_arrive_as_systemd_reads_them(systemd_socket):
    path, sock = systemd_socket
    n = Notifier.from_environment({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"})
    assert n.enabled and n.watchdog_interval_s == 2.0
    assert n.ready("printer ok\nline two")
    assert sock.recv(4096).decode() == "READY=1\nSTATUS=printer ok line two"  # one line per field
    n.watchdog()
    assert sock.recv(4096) == b"WATCHDOG=1"
    n.status("读卡器 ok")
    assert sock.recv(4096).decode() == "STATUS=读卡器 ok"
    n.stopping()
    assert sock.recv(4096) == b"STOPPING=1"
    n.close()


def test_abstract_socket_address():
    name = f"kiosk-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    try:
        Notifier.from_environment({"NOTIFY_SOCKET": "@" + name}).ready()
        assert sock.recv(100) == b"READY=1"
    finally:
        sock.close()


def test_environment_is_taken_away_from_children():
    env = {"NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid()),
           "OTHER": "kept"}
    Notifier.from_environment(env)
    assert env == {"OTHER": "kept"}


@pytest.mark.parametrize(("pid", "ours"), [(None, True), ("self", True), ("parent", True), ("1", False)])
def test_the_watchdog_is_ours_only_for_this_process_or_its_parent(pid, ours):
    env = {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "1000000"}
    if pid:
        env["WATCHDOG_PID"] = {"self": str(os.getpid()), "parent": str(os.getppid())}.get(pid, pid)
    assert (Notifier.from_environment(env).watchdog_interval_s is not None) is ours


def test_without_systemd_nothing_is_sent_and_nothing_raises(tmp_path):
    assert not Notifier.from_environment({}).ready()
    gone = Notifier.from_environment({"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})
    assert gone.enabled and not gone.watchdog()  # refused: logged once, never raised
    assert not Notifier.from_environment({"NOTIFY_SOCKET": "relative/path"}).enabled
