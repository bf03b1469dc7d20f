"""Ticket printing figures: ESC/POS size and render time of a ticket, preview render time, status round.

Bar (issue 2): a ticket with Chinese text and a native QR code is under 1.5 KB of ESC/POS and renders in
under 5 ms. Run: ``python3 bench/bench_printing.py``. Prints one line per figure.
"""

from __future__ import annotations

import statistics
import time

from kiosk.printing.escpos_render import EscposRenderer, render
from kiosk.printing.layout import QR, Columns, Cut, Rule, Slip, Text
from kiosk.printing.preview import PreviewRenderer


def ticket(width_mm: int, number: int = 12) -> Slip:
    """A realistic 帮办 ticket: header, big number, matter, time, waiting count, advice, QR, cut."""
    return Slip(width_mm=width_mm, title="ticket").add(
        Text("随州市曾都区政务服务中心", align="center", bold=True),
        Text("帮办代办取号凭条", align="center"),
        Rule(),
        Text(f"B{number:03d}", size=3, align="center", bold=True),
        Columns("办理类型", "帮办"),
        Columns("事项", "城乡居民基本养老保险待遇申领"),
        Columns("办理地点", "二楼 社保窗口 12–15号"),
        Columns("承诺时限", "5个工作日"),
        Columns("申请人", "张*"),
        Columns("取号时间", "2026-11-28 09:30:15"),
        Columns("前面等待", "3 人"),
        Rule(),
        Text("请在等候区稍候，帮办员会到自助机旁引导您到窗口办理。如需帮助，请按呼叫按钮。"),
        QR(f"https://zwfw.example.cn/q/B{number:03d}?s=421303&k=7f3a9c", size=6),
        Text("扫码查看排队进度", align="center"),
        Cut(),
    )


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    for width in (80, 58):
        slip = ticket(width)
        renderer = EscposRenderer()
        data = renderer.render(slip).data
        render_ms = timed(lambda s=slip, r=renderer: r.render(s), 500)
        fresh_ms = timed(lambda s=slip: render(s), 200)
        size_ok = len(data) < 1536
        speed_ok = statistics.median(render_ms) < 5
        print(f"ticket {width} mm: {len(data)} bytes ESC/POS (bar < 1536: {'PASS' if size_ok else 'FAIL'})")
        print(f"ticket {width} mm: render median {statistics.median(render_ms):.3f} ms, "
              f"p95 {sorted(render_ms)[int(len(render_ms) * 0.95)]:.3f} ms, "
              f"new renderer each time {statistics.median(fresh_ms):.3f} ms (bar < 5 ms: "
              f"{'PASS' if speed_ok else 'FAIL'})")
        preview = PreviewRenderer()
        preview.render(slip)  # load the fonts once
        preview_ms = timed(lambda s=slip, p=preview: p.render(s), 30)
        png_ms = timed(lambda s=slip, p=preview: p.render(s).png(), 10)
        image = preview.render(slip).image
        print(f"preview {width} mm: {image.width}×{image.height} px, render median "
              f"{statistics.median(preview_ms):.1f} ms, with PNG encoding {statistics.median(png_ms):.1f} ms")
    rare = Slip([Text("申请人：王𠮷祥"), Cut()])
    renderer = EscposRenderer()
    renderer.render(rare)
    rare_ms = timed(lambda: renderer.render(rare), 50)
    print(f"line with a character outside GBK (raster GS v 0): {len(renderer.render(rare).data)} bytes, "
          f"render median {statistics.median(rare_ms):.2f} ms")
    status_round()


def status_round() -> None:
    """Against the simulator on loopback: a status round, print_slip with its checks before and after (GS r 1
    after the slip, answered once the simulator has parsed it), and a printer that ignores GS r."""
    from kiosk.devices.printer.driver import EscposPrinter
    from kiosk.devices.printer.simulator import PrinterSimulator

    with PrinterSimulator() as sim:
        printer = EscposPrinter(sim.uri)
        printer.status()
        status_ms = timed(printer.status, 50)
        slip = ticket(80)
        print_ms = timed(lambda: printer.print_slip(slip), 20)
        printer.close()
        sim.set_state("silent")
        silent = EscposPrinter(sim.uri, status_timeout_s=1.0)
        silent_ms = timed(silent.status, 2)
        silent.close()
    with PrinterSimulator(gs_r="ignores") as sim:  # a model without GS r: one bounded wait, then DLE EOT as before
        ignoring = EscposPrinter(sim.uri)
        first_ms = timed(lambda: ignoring.print_slip(slip), 1)[0]
        ignoring_ms = timed(lambda: ignoring.print_slip(slip), 20)
        ignoring.close()
    import subprocess
    import sys

    with PrinterSimulator(state="silent") as sim:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kiosk", "devices", "printer-status", "--printer", sim.uri],
                       capture_output=True, check=True, timeout=60)
        cli_s = time.perf_counter() - started
    print(f"`kiosk devices printer-status` against a silent printer: {cli_s:.2f} s wall (bar: a couple of s)")
    print(f"status round (4 × DLE EOT) against the simulator: median {statistics.median(status_ms):.2f} ms; "
          f"print_slip incl. status: median {statistics.median(print_ms):.2f} ms; "
          f"silent printer → unknown in {statistics.median(silent_ms):.0f} ms")
    print(f"print_slip, printer ignoring GS r: first slip {first_ms:.0f} ms (one bounded wait for GS r), "
          f"then median {statistics.median(ignoring_ms):.2f} ms (DLE EOT after the slip, as before)")


if __name__ == "__main__":
    main()
