"""`kiosk devices print-test`, `kiosk devices printer-status` and `kiosk simulate printer`.

Building the parser imports nothing heavy; handlers import the driver (python-escpos, Pillow) when run.
Exit codes: 0 done; 4 the printer failed, is unreachable, out of paper or its cover is open (message on
stderr); 2 bad arguments (a malformed ``--printer`` address, no address and no config).
"""

from __future__ import annotations

import argparse
import sys

from kiosk.devices.argtypes import seconds, size_range

EXIT_OK, EXIT_USAGE, EXIT_DEVICE_ERROR = 0, 2, 4
STATES = ("ok", "near_end", "out", "cover_open", "cutter_error", "silent", "garbled", "off")  # kept equal to simulator.STATES by a test
ENCODINGS = ("gbk", "gb18030", "gb2312")  # kept equal to escpos_render.ENCODINGS by a test
FONTS = ("gb18030", "gbk", "gb18030-2byte", "gb2312")  # kept equal to escpos_parse.FONTS by a test
GS_R_MODES = ("answers", "ignores", "silent_at_end")  # kept equal to sim_connection.GS_R_MODES by a test
URI_HELP = ("printer address: file:PATH, tcp://HOST:PORT, serial:DEVICE?baudrate=N[&dsrdtr=0], usb:VID:PID "
            "(default: devices.printer.uri of $KIOSK_CONFIG or ./kiosk.toml)")


def add_commands(devices: argparse._SubParsersAction, simulate: argparse._SubParsersAction) -> None:
    """Registers this device's diagnostics under `devices` and its simulator under `simulate`."""
    test = devices.add_parser("print-test", help="打印测试页 (print a test slip: Chinese, date, QR, cut)")
    _printer_args(test)
    test.add_argument("--width", type=int, choices=(58, 80), help="paper width in mm (default 80 or the config's)")
    test.add_argument("--preview", metavar="PNG", help="also save a PNG preview of the test slip")
    test.add_argument("--no-status", action="store_true", help="do not ask the printer's status first")
    test.add_argument("--text", metavar="TEXT", help="also print TEXT (normal and double size), e.g. a name "
                                                     "such as 王喆, to see how this printer shows it")
    test.set_defaults(func=_print_test)

    status = devices.add_parser("printer-status", help="查询打印机状态 (online, paper, cover; DLE EOT)")
    _printer_args(status)
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(func=_printer_status)

    sim = simulate.add_parser("printer", help="网络打印机模拟器 (raw TCP port; records, answers DLE EOT, GS r)")
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sim.add_argument("--port", type=int, default=9100, help="TCP port (default 9100; 0 picks a free port)")
    sim.add_argument("--state", choices=STATES, default="ok", help="status to report (switch at run time by "
                                                                   "typing a state name and Enter)")
    sim.add_argument("--paper-left", type=int, metavar="BYTES",
                     help="the roll ends after BYTES of print data: the state turns out, that slip is lost")
    sim.add_argument("--gs-r", choices=GS_R_MODES, default="answers",
                     help="GS r 1 (paper sensor, answered in order): answers, ignores (a model without it) or "
                          "silent_at_end (Epson: offline at paper end, not executed)")
    sim.add_argument("--print-speed", type=int, metavar="BYTES_PER_S",
                     help="print this many bytes a second, answering DLE EOT at once, ahead of the buffer "
                          "(default: print each chunk as it comes)")
    sim.add_argument("--out", metavar="DIR", help="save a PNG preview of every slip received here")
    sim.add_argument("--record", metavar="FILE", help="append every byte received to FILE")
    sim.add_argument("--width", type=int, choices=(58, 80), default=80, help="paper width for the previews")
    sim.add_argument("--font", choices=FONTS, default="gb18030",
                     help="the Chinese font of the model to play: gb2312 prints GBK-only codes as garbage, "
                          "gb18030-2byte the four-byte codes (default gb18030: prints what the kiosk means)")
    sim.add_argument("--qr-sizes", type=size_range, default=(1, 16), metavar="LOW-HIGH",
                     help="QR module sizes the model takes; others are ignored as printers do (default 1-16)")
    sim.set_defaults(func=_simulate)


def _printer_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--printer", metavar="URI", help=URI_HELP)
    p.add_argument("--profile", help="python-escpos profile, e.g. TM-T20II, ZJ-5870 (no cutter, no native QR)")
    p.add_argument("--encoding", choices=ENCODINGS,
                   help="the printer's Chinese font: gbk (most), gb2312 (manual says GB2312) or gb18030; "
                        "characters outside it print as a raster line (default gbk or the config's)")
    p.add_argument("--double-byte-only", action="store_true",
                   help="gb18030 whose font lacks the four-byte area: 𠮷 and the like print as a raster line")
    p.add_argument("--qr-sizes", type=size_range, metavar="LOW-HIGH",
                   help="QR module sizes the printer takes, e.g. 2-5 (default: Epson profiles 1-16, others 1-8)")
    p.add_argument("--timeout", type=seconds(positive=True, maximum=60), metavar="SECONDS", help="wait this long for a status reply (default 1)")


def _open(args: argparse.Namespace) -> tuple[object | None, int]:
    """The driver for the arguments (falling back to the config), or (None, exit code) after a message."""
    from kiosk.devices.base import DeviceError
    from kiosk.devices.printer.driver import EscposPrinter

    section = None
    if args.printer is None:
        from kiosk.config.paths import default_config_path

        path = default_config_path()
        if not path:
            print("no --printer given and no config found; e.g. --printer tcp://127.0.0.1:9100", file=sys.stderr)
            return None, EXIT_USAGE
        try:
            from kiosk.config.settings import load_config

            section = load_config(path).devices.printer
        except Exception as err:
            print(f"config: {err}", file=sys.stderr)
            return None, EXIT_DEVICE_ERROR
    uri = args.printer or section.uri  # type: ignore[union-attr]
    width = getattr(args, "width", None) or (section.paper_width_mm if section else 80)
    sizes = args.qr_sizes or (section.qr_module_sizes if section else None)
    try:
        printer = EscposPrinter(
            uri, profile=args.profile or (section.profile if section else None), width_mm=width,
            status_timeout_s=args.timeout or (section.status_timeout_s if section else 1.0),
            encoding=args.encoding or (section.encoding if section else "gbk"),
            four_byte=not args.double_byte_only and (section.four_byte_codes if section else True),
            qr_sizes=tuple(sizes) if sizes else None)
    except DeviceError as err:
        from kiosk.i18n import say

        print(say(err), file=sys.stderr)
        return None, EXIT_USAGE
    return printer, EXIT_OK


def _print_test(args: argparse.Namespace) -> int:
    from kiosk.devices.base import DeviceError
    from kiosk.devices.printer.test_slip import build_test_slip
    from kiosk.i18n import say, tr

    printer, code = _open(args)
    if printer is None:
        return code
    slip = build_test_slip(printer.width_mm, printer.uri, text=args.text)  # type: ignore[attr-defined]
    if args.preview:
        from kiosk.printing.preview import save_preview

        print(f"preview: {save_preview(slip, args.preview)}")
    try:
        result = printer.print_slip(slip, check_status=not args.no_status)  # type: ignore[attr-defined]
    except DeviceError as err:
        print(f"print-test: {say(err)}", file=sys.stderr)
        return EXIT_DEVICE_ERROR
    finally:
        printer.close()  # type: ignore[attr-defined]
    status = result.status
    line = f"{tr('printer.printed')}: {printer.uri} ({result.bytes_sent} bytes, {result.ms:.0f} ms)"  # type: ignore[attr-defined]
    if status is not None:
        line += f"; paper={status.paper}"
    print(line)
    if result.image_chars:
        print(tr("printer.image_chars", encoding=printer.options.encoding,  # type: ignore[attr-defined]
                 chars=" ".join(result.image_chars), lines=result.image_lines))
    if result.missing_glyphs:
        print(tr("printer.missing_glyphs", chars=" ".join(f"U+{ord(c):04X}" for c in result.missing_glyphs)),
              file=sys.stderr)
    if status is not None and status.paper == "near_end":
        print(tr("printer.paper_near_end"), file=sys.stderr)
    return EXIT_OK


def _printer_status(args: argparse.Namespace) -> int:
    import json

    printer, code = _open(args)
    if printer is None:
        return code
    try:
        status = printer.status()  # type: ignore[attr-defined]
        reachable = printer._link.printer is not None  # type: ignore[attr-defined]
        health = printer.health()  # type: ignore[attr-defined]
    finally:
        printer.close()  # type: ignore[attr-defined]
    if args.json:
        out = status.as_dict()
        out["reachable"] = reachable
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(_human(status, printer.uri))  # type: ignore[attr-defined]
    if not reachable:
        if not args.json:
            from kiosk.i18n import say

            print(say(health.reason) or status.error, file=sys.stderr)
        return EXIT_DEVICE_ERROR
    return EXIT_OK


def _human(status: object, uri: str) -> str:
    from kiosk.i18n import tr

    def yes_no(value: object, yes: str, no: str) -> str:
        return tr("printer.status.unknown") if value is None else tr(f"printer.status.{yes if value else no}")

    s = status  # PrinterStatus
    rows = [
        uri,
        f"online: {yes_no(s.online, 'online', 'offline')}",  # type: ignore[attr-defined]
        f"paper: {tr('printer.status.' + s.paper)} ({s.paper})",  # type: ignore[attr-defined]
        f"cover_open: {yes_no(s.cover_open, 'cover_open', 'cover_closed')}",  # type: ignore[attr-defined]
    ]
    if s.error:  # type: ignore[attr-defined]
        rows.append(f"note: {s.error}")  # type: ignore[attr-defined]
    return "\n".join(rows)


def _simulate(args: argparse.Namespace) -> int:
    from kiosk.devices.printer.simulator import PrinterSimulator
    from kiosk.devices.sim_console import run_in_foreground
    from kiosk.i18n import tr

    def saved(slip: object, path: object) -> None:
        if path is not None:
            print(tr("printer.simulator.saved", path=path), flush=True)

    sim = PrinterSimulator(args.host, args.port, args.state, args.width, args.out, args.record, on_slip=saved,
                           font=args.font, qr_sizes=args.qr_sizes, paper_left=args.paper_left, gs_r=args.gs_r,
                           print_bytes_per_s=args.print_speed)
    try:
        sim.start()
    except OSError as err:
        print(f"simulate printer: cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr)
        return EXIT_DEVICE_ERROR
    print(tr("printer.simulator.listening", uri=sim.uri, state=sim.state), flush=True)

    def read_state(line: str) -> bool:  # type a state name and Enter to switch; quit stops
        state = line.strip()
        if state in ("quit", "exit"):
            return True
        if state in STATES:
            sim.set_state(state)
            print(tr("printer.simulator.state_changed", state=state), flush=True)
        elif state:
            print(f"unknown state '{state}'; expected one of {', '.join(STATES)} or quit", flush=True)
        return False

    run_in_foreground(sim.stop, read_state)
    return EXIT_OK
