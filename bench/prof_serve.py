"""``kiosk queue serve`` under cProfile for ``bench_queue_scale.py`` (``BENCH_PROFILE=<file>``): the
profile counts the event loop thread's CPU time (``time.thread_time``), so the time the process waited
for a core on a shared machine is not charged to whatever it was doing. Profiling starts at ``SIGUSR1``
(the bench sends it as the run starts, after the consoles connected) and stops at ``SIGUSR2``, which also
writes the statistics to ``$BENCH_PROFILE.<pid>`` (read with ``python3 -m pstats``).

    BENCH_PROFILE=/tmp/serve.prof python3 bench/bench_queue_scale.py --db sqlite --runs 1 ...
"""

from __future__ import annotations

import cProfile
import os
import signal
import sys
import time

from kiosk.cli import main

profile = cProfile.Profile(time.thread_time)


def _start(*_) -> None:
    profile.enable()


def _stop(*_) -> None:
    profile.disable()
    profile.dump_stats(f"{os.environ['BENCH_PROFILE']}.{os.getpid()}")


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    sys.exit(main(sys.argv[1:]))
