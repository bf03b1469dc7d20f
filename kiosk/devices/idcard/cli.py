"""`kiosk devices read-id` (one read, for technicians and checks) and `kiosk simulate idcard`.

Building the parser imports nothing heavy; the handlers import the driver and simulator when they run.
Exit codes of read-id: 0 a card was read, 3 no card within ``--wait``, 4 device or protocol error
(the message on stderr), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.devices.argtypes import seconds

EXIT_READ, EXIT_NO_CARD, EXIT_DEVICE_ERROR = 0, 3, 4
BAUDS = (9600, 19200, 38400, 57600, 115200)
FAULT_NAMES = ("no_card", "removed_mid_read", "bad_checksum", "garbage", "silence", "not_authorized",
               "self_test_failed", "slow", "glitch")  # kept equal to simulator.FAULTS by a test


def add_commands(devices: argparse._SubParsersAction, simulate: argparse._SubParsersAction) -> None:
    """Registers this device's diagnostics under `devices` and its simulator under `simulate`."""
    read = devices.add_parser("read-id", help="读一次身份证 (read one ID card and print it)")
    read.add_argument("--port", help="serial port or URL: /dev/ttyUSB0, socket://127.0.0.1:7101, /dev/pts/N "
                                     "(default: devices.idcard.port of $KIOSK_CONFIG or ./kiosk.toml)")
    read.add_argument("--baud", type=int, choices=BAUDS, help="link speed (default 115200 or the config's)")
    read.add_argument("--wait", type=seconds(), default=10.0, metavar="SECONDS",
                      help="how long to wait for a card (default 10)")
    read.add_argument("--json", action="store_true", help="print one JSON object")
    read.add_argument("--reveal", action="store_true", help="print the full ID number (default: masked)")
    read.set_defaults(func=_read_id)

    sim = simulate.add_parser("idcard", help="身份证阅读器模拟器 (SAM protocol over TCP or a pty)")
    where = sim.add_mutually_exclusive_group()
    where.add_argument("--port", type=int, metavar="PORT",
                       help="TCP port to listen on (default 7101; 0 picks a free port), as for the other simulators")
    where.add_argument("--port-tcp", type=int, dest="port_tcp", help=argparse.SUPPRESS)  # deprecated spelling
    where.add_argument("--pty", action="store_true", help="open a pty pair and print the slave's path")
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sim.add_argument("--identity", default="zhang_san", help="card in the field at start (see --list)")
    sim.add_argument("--no-card", action="store_true", help="start with the field empty")
    sim.add_argument("--fault", action="append", default=[], choices=FAULT_NAMES,
                     help="misbehave; repeat for several")
    sim.add_argument("--baud", type=int, choices=BAUDS, default=115200, help="line speed for wire timing")
    sim.add_argument("--no-wire-timing", action="store_true", help="answer at once instead of at line speed")
    sim.add_argument("--read-once", action="store_true",
                     help="like GA/T 467 modules: a card that was read is not found again until it is "
                          "taken away and presented again (default: found again, so read-id can repeat)")
    sim.add_argument("--list", action="store_true", help="list the identities and faults, then exit")
    sim.set_defaults(func=_simulate)


def _config_section() -> object | None:
    from kiosk.config.paths import default_config_path

    path = default_config_path()
    if not path:
        return None
    from kiosk.config.settings import load_config

    return load_config(path).devices.idcard


def _read_id(args: argparse.Namespace) -> int:
    from kiosk.devices.base import DeviceError
    from kiosk.devices.idcard.reader import SamReader
    from kiosk.devices.safe_text import json_line
    from kiosk.i18n import say, tr

    port, baud = args.port, args.baud
    if port is None:
        try:
            section = _config_section()
        except Exception as err:  # a broken config: say so, like any other device problem
            print(f"config: {err}", file=sys.stderr)
            return EXIT_DEVICE_ERROR
        if section is None:
            print("read-id: no --port given and no config found; e.g. --port socket://127.0.0.1:7101",
                  file=sys.stderr)
            return 2
        port = section.port  # type: ignore[attr-defined]
        baud = baud or section.baud  # type: ignore[attr-defined]
    reader = SamReader(port, baud or 115200)
    if not args.json:
        print(tr("idcard.cli.waiting", seconds=f"{args.wait:g}"), file=sys.stderr)
    try:
        card = reader.read_card(timeout=args.wait)
    except DeviceError as err:
        print(tr("idcard.cli.error", message=say(err)), file=sys.stderr)
        return EXIT_DEVICE_ERROR
    finally:
        reader.close()
    if card is None:
        print(tr("idcard.cli.no_card", seconds=f"{args.wait:g}"), file=sys.stderr)
        return EXIT_NO_CARD
    if args.json:
        print(json_line(card.as_json(reveal=args.reveal)))
    else:
        print(_human(card, args.reveal))
    card.wipe()
    return EXIT_READ


def _human(card: object, reveal: bool) -> str:
    """Aligned lines for a person; name, address and numbers masked unless ``reveal``. Every control,
    bidi or zero-width character a card field carries is shown as a visible ``\\u{XXXX}`` escape."""
    from kiosk.devices.idcard.card import IdCard
    from kiosk.devices.safe_text import for_terminal
    from kiosk.i18n import tr
    from kiosk.privacy import mask_address, mask_id_number, mask_name

    assert isinstance(card, IdCard)
    data = card.as_json(reveal=True)

    def show(value: object, mask: object) -> str:
        return str(value) if reveal else mask(value)  # type: ignore[operator]

    rows = [("card_type", tr(f"idcard.card_type.{card.card_type.value}")),
            ("name", show(card.name, mask_name)),
            ("english_name", show(card.english_name, mask_name) if card.english_name else ""),
            ("gender", card.gender), ("ethnicity", _ethnicity(card)), ("nationality", card.nationality),
            ("birth_date", data["birth_date"] if reveal else f"{card.birth_date.year}-**-**"),
            ("address", show(card.address, mask_address)),
            ("appended_address", show(card.appended_address, mask_address) if card.appended_address else ""),
            ("id_number", show(card.id_number, mask_id_number)),
            ("pass_number", show(card.pass_number, mask_id_number) if card.pass_number else ""),
            ("issue_count", "" if card.issue_count is None else str(card.issue_count)),
            ("renewal_count", "" if card.renewal_count is None else str(card.renewal_count)),
            ("card_version", card.card_version),
            ("previous_permit_number", show(card.previous_permit_number, mask_id_number)
             if card.previous_permit_number else ""),
            ("issuer", card.issuer), ("valid", f"{data['valid_from']} – {data['valid_until']}"),
            ("photo", f"{len(card.photo_raw)} bytes WLT")]
    return "\n".join(f"{tr('idcard.field.' + key)}: {for_terminal(value)}" for key, value in rows if value)


def _ethnicity(card: object) -> str:
    """The GB 3304 name, or the card's code with a neutral label when it is outside GB 3304."""
    from kiosk.i18n import tr

    name, code = card.ethnicity, card.ethnicity_code  # type: ignore[attr-defined]
    return name or (tr("idcard.field.ethnicity_code", code=code) if code else "")


def _simulate(args: argparse.Namespace) -> int:
    import functools

    from kiosk.devices.idcard.identities import IDENTITIES
    from kiosk.devices.idcard.sim_server import SimulatorServer
    from kiosk.devices.idcard.simulator import FAULTS, SamModule
    from kiosk.devices.sim_console import run_in_foreground
    from kiosk.i18n import tr

    if args.list:
        for key, card in IDENTITIES.items():
            print(f"{key:16} {card.card_type.value:13} {card!r}")
        print("faults: " + " ".join(FAULTS))
        return 0
    if args.identity not in IDENTITIES:
        print(f"--identity: unknown '{args.identity}'; expected one of {', '.join(IDENTITIES)}", file=sys.stderr)
        return 2
    # By default the card stays readable, so a technician (or a check) can run read-id again and again
    # against one simulator; the kiosk's polling reader reads it once either way.
    if args.port_tcp is not None:
        print("simulate idcard: --port-tcp is deprecated; use --port (the same for every simulator)",
              file=sys.stderr)
        args.port = args.port_tcp
    module = SamModule(None if args.no_card else args.identity, faults=args.fault,
                       refind_after_read=not args.read_once)
    server = SimulatorServer(module, baud=args.baud, wire_timing=not args.no_wire_timing)
    try:
        url = server.start_pty() if args.pty else server.start_tcp(
            args.host, 7101 if args.port is None else args.port)
    except OSError as err:
        print(f"simulate idcard: cannot listen: {err}", file=sys.stderr)
        return EXIT_DEVICE_ERROR
    print(f"{tr('idcard.cli.listening')}: listening on {url}", flush=True)
    print(tr("idcard.cli.commands"), file=sys.stderr, flush=True)
    run_in_foreground(server.stop, functools.partial(_console_line, module))
    return 0


def _console_line(module: object, line: str) -> bool:
    """One technician command from stdin: present [NAME], remove, fault NAME [on|off], identities,
    status; True for quit / exit."""
    words = line.split()
    if words and words[0] in ("quit", "exit"):
        return True
    if words:
        reply = _console_command(module, words)
        print(reply, file=sys.stdout if not reply.startswith("!") else sys.stderr, flush=True)
    return False


def _console_command(module: object, words: list[str]) -> str:
    from kiosk.devices.idcard.identities import IDENTITIES
    from kiosk.devices.idcard.simulator import SamModule

    assert isinstance(module, SamModule)
    try:
        if words[0] == "present":
            return f"presented {module.present(words[1] if len(words) > 1 else None)!r}"
        if words[0] == "remove":
            module.remove()
            return "removed"
        if words[0] == "fault" and len(words) >= 2:
            module.set_fault(words[1], len(words) < 3 or words[2] in ("on", "1", "true"))
            return f"faults: {' '.join(sorted(module.faults)) or '-'}"
        if words[0] == "identities":
            return " ".join(IDENTITIES)
        if words[0] == "status":
            return (f"card: {module.card!r}; state: {module.state}; "
                    f"faults: {' '.join(sorted(module.faults)) or '-'}")
    except KeyError as err:
        return f"! {err.args[0]}"
    return f"! unknown command '{' '.join(words)}'"
