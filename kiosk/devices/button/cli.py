"""`kiosk simulate button` (a serial call-button simulator) and `kiosk devices button-test`."""

from __future__ import annotations

import argparse
import math
import sys
import threading
import time

from kiosk.devices.argtypes import seconds


def add_commands(devices: argparse._SubParsersAction, simulate: argparse._SubParsersAction) -> None:
    """Registers this device's diagnostics under `devices` and its simulator under `simulate`."""
    sim = simulate.add_parser("button", help="serial call-button simulator (socket:// or a pty)")
    where = sim.add_mutually_exclusive_group()
    where.add_argument("--port", type=int, default=7301, help="TCP port on 127.0.0.1 (0 = any free; default 7301)")
    where.add_argument("--pty", action="store_true", help="use a pseudo-terminal instead of a TCP port")
    sim.add_argument("--contact", action="store_true",
                     help="a dry contact (DTR→CTS) behind an RFC 2217 server, for type serial-contact")
    sim.add_argument("--link", help="with --pty: the symlink path the driver opens (default: a temp path)")
    sim.add_argument("--every", type=seconds(positive=True), metavar="SECONDS", help="press automatically every SECONDS")
    sim.add_argument("--byte", type=lambda v: int(v, 0), default=0x50, help="the press byte (default 0x50)")
    sim.add_argument("--duration", type=seconds(maximum=math.inf), metavar="SECONDS", help="stop after SECONDS (default: run on)")
    sim.set_defaults(func=_simulate)

    test = devices.add_parser("button-test", help="wait for call-button presses and print them")
    test.add_argument("--config", help="kiosk config file (default: $KIOSK_CONFIG or ./kiosk.toml)")
    test.add_argument("--seconds", type=seconds(), default=30.0, help="how long to wait (default 30)")
    test.add_argument("--no-rate-limit", action="store_true",
                      help="count every press (min_interval_s = 0), to check the wiring press by press")
    test.set_defaults(func=_button_test)


def _say(text: str) -> None:
    print(text, flush=True)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _simulate(args: argparse.Namespace) -> int:
    from kiosk.devices.button.contact_simulator import ContactSimulator
    from kiosk.devices.button.simulator import ButtonSimulator
    from kiosk.devices.sim_console import run_in_foreground
    from kiosk.i18n import tr

    if args.contact and args.pty:
        print("--contact needs a TCP port (rfc2217://); it cannot use --pty", file=sys.stderr)
        return 2
    sim: ButtonSimulator | ContactSimulator = (
        ContactSimulator(port=args.port) if args.contact
        else ButtonSimulator("pty" if args.pty else "socket", port=args.port, link=args.link, press_byte=args.byte))
    try:
        sim.start()
    except OSError as err:
        print(f"cannot listen on 127.0.0.1:{args.port}: {err}; choose another --port", file=sys.stderr)
        return 1
    stop = threading.Event()

    def press() -> None:
        if isinstance(sim, ContactSimulator):
            delivered = sim.powered
            sim.press()
        else:
            delivered = sim.press()
        _say(tr("button.cli.pressed", delivered=sim.url) if delivered else tr("button.cli.dropped"))

    def ticker() -> None:
        while not stop.wait(args.every):
            press()

    def command(line: str) -> bool:
        cmd = line.strip()
        if cmd == "":
            press()
        elif cmd == "b":
            sim.bounce()
            _say(tr("button.cli.pressed", delivered=f"{sim.url} (bounce)"))
        elif cmd.startswith("h") and _number(cmd[1:].strip() or "2") is not None:
            seconds = _number(cmd[1:].strip() or "2") or 2.0
            sim.hold(seconds)
            _say(tr("button.cli.pressed", delivered=f"{sim.url} (hold {seconds:g} s)"))
        elif cmd == "u":
            sim.unplug()
            _say(tr("button.cli.unplugged"))
        elif cmd == "r":
            sim.replug()
            _say(tr("button.cli.replugged"))
        elif cmd == "q":
            return True
        else:
            _say(tr("button.cli.unknown", cmd=cmd, usage=tr("button.cli.usage")))
        return False

    _say(tr("button.cli.listening", url=sim.url))
    if args.pty:
        _say(tr("button.cli.pty", pty=sim.pty_name))
    _say(tr("button.cli.usage"))
    if args.every:
        threading.Thread(target=ticker, daemon=True).start()
    # SIGTERM stops it cleanly too (the pty link is removed when a test stops us)
    run_in_foreground(sim.close, command, duration=args.duration, done=stop)
    return 0


def _button_test(args: argparse.Namespace) -> int:
    from kiosk.config.paths import default_config_path
    from kiosk.config.settings import ConfigError, load_config
    from kiosk.devices import registry
    from kiosk.devices.base import DeviceError
    from kiosk.devices.button.events import PressKind
    from kiosk.i18n import say, tr

    path = args.config or default_config_path()
    if not path:
        print(tr("button.cli.no_config"), file=sys.stderr)
        return 2
    try:
        config = load_config(path).devices.button
    except ConfigError as err:
        print(tr("button.cli.bad_config", path=path), *err.problems, sep="\n  ", file=sys.stderr)
        return 2
    if config.type == "none":
        print(tr("button.cli.disabled"), file=sys.stderr)
        return 2
    if config.type == "keyboard":
        print(tr("button.cli.keyboard"), file=sys.stderr)
        return 2
    if args.no_rate_limit:
        config = config.model_copy(update={"min_interval_s": 0.0})
    try:
        button = registry.create("button", config)
    except (DeviceError, ValueError, OSError) as err:
        print(tr("button.cli.create_failed", error=say(err)), file=sys.stderr)
        return 4
    events = []

    def stamp() -> str:
        now = time.time()
        return time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now % 1 * 1000):03d}"

    def on_event(event) -> None:
        events.append(event)
        _say(f"{stamp()}  {event.kind.value:<10}  held {event.held_s:.2f} s  ({event.source})")

    def on_health(health) -> None:
        _say(f"{stamp()}  " + tr("button.cli.health", state=health.state.value, reason=say(health.reason)))

    button.subscribe(on_event)
    button.subscribe_health(on_health)
    _say(tr("button.cli.waiting", seconds=f"{args.seconds:g}", source=button.source))
    on_health(button.health())
    try:
        time.sleep(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        button.close()
    longs = sum(1 for e in events if e.kind is PressKind.LONG_PRESS)
    _say(tr("button.cli.summary", presses=len(events) - longs, long=longs, suppressed=button.logic.suppressed))
    return 0 if events else 3
