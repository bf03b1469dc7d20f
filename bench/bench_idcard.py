"""ID card reader benchmark: python3 bench/bench_idcard.py [--rounds N]

1. find + select + read against the protocol simulator at 115200 baud with real wire timing (every frame
   takes len * 10 / baud on the line, both ways), over socket:// and over a pty, compared with the wire
   time of the frames exchanged.                                          bar: ≤ 1.15 × wire time
2. Parsing a 1295-byte read reply (frame hunt + checksum + text block + photo split), one core.
                                                                          bar: < 1 ms
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from kiosk.devices.idcard.identities import IDENTITIES
from kiosk.devices.idcard.layout import build_read_data, encode_text, parse_text, split_read_data
from kiosk.devices.idcard.protocol import FrameParser, build_response
from kiosk.devices.idcard.reader import SamReader
from kiosk.devices.idcard.sim_server import SimulatorServer
from kiosk.devices.idcard.simulator import SamModule

BAUD = 115200
# request + reply bytes: find 10 + 15, select 10 + 19, read 10 + 1295
FRAME_BYTES = (10 + 15) + (10 + 19) + (10 + 1295)


def bench_read(transport: str, rounds: int) -> tuple[float, float, float]:
    module = SamModule("zhang_san")
    server = SimulatorServer(module, baud=BAUD, wire_timing=True)
    url = server.start_tcp() if transport == "tcp" else server.start_pty()
    reader = SamReader(url, BAUD, read_appended_address=False)
    times = []
    try:
        reader.self_test()  # open the port outside the timing
        for _ in range(rounds):
            module.present("zhang_san")
            start = time.perf_counter()
            card = reader.read_card(timeout=0)
            times.append(time.perf_counter() - start)
            assert card is not None and card.name == "张三"
    finally:
        reader.close()
        server.stop()
    return statistics.median(times), sorted(times)[int(len(times) * 0.9) - 1], min(times)


def bench_parse(rounds: int) -> float:
    card = IDENTITIES["zhang_san"]
    reply = build_response(0x90, build_read_data(encode_text(card), bytes(card.photo_raw)))
    assert len(reply) == 1295

    def once() -> None:
        parser = FrameParser()
        parser.feed(reply)
        frame = parser.next_frame()
        text, photo, _ = split_read_data(frame.data, False)
        parse_text(bytes(text), photo)

    for _ in range(50):
        once()
    best = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            once()
        best.append((time.perf_counter() - start) / rounds)
    return min(best)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    wire = FRAME_BYTES * 10 / BAUD
    ok = True
    print(f"wire time of find+select+read at {BAUD} baud: {FRAME_BYTES} bytes = {wire * 1000:.1f} ms")
    for transport in ("tcp", "pty"):
        median, p90, best = bench_read(transport, args.rounds)
        ratio = median / wire
        ok &= ratio <= 1.15
        print(f"find+select+read over {transport:3}: median {median * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms, "
              f"min {best * 1000:.1f} ms → {ratio:.3f} × wire (bar ≤ 1.15) {'OK' if ratio <= 1.15 else 'FAIL'}")
    per = bench_parse(2000)
    ok &= per < 1e-3
    print(f"parse a 1295-byte read reply: {per * 1e6:.0f} µs (bar < 1000 µs) {'OK' if per < 1e-3 else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
