"""``python -m kiosk.catalog FILE``: check a hall's catalogue and the working-day calendar.

Prints ``ok: N matters, M departments`` and which years have a holiday schedule; on any problem prints
one ``path: what is wrong`` line per problem to stderr and exits 1. Within 60 days of a year without a
schedule it warns (stderr, exit 0) what to copy into the holidays file.
"""

from __future__ import annotations

import sys

from kiosk.catalog.model import CatalogError, load_catalog
from kiosk.catalog.workdays import holidays_path, library_years, load_holidays, schedule_warning
from kiosk.hall_time import hall_today


def _years(years: list[int]) -> str:
    return ", ".join(map(str, years)) or "none"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m kiosk.catalog CATALOG.toml", file=sys.stderr)
        return 1
    try:
        found = load_catalog(argv[0])
    except CatalogError as problem:
        print("\n".join(problem.problems), file=sys.stderr)
        return 1
    try:
        holidays = load_holidays(holidays_path())
    except CatalogError as problem:
        print("\n".join(f"{problem.source}: {line}" for line in problem.problems), file=sys.stderr)
        return 1
    print(f"ok: {len(found)} matters, {len(found.departments())} departments"
          + (" (a SAMPLE: replace it with the hall's own list)" if found.info.sample else ""))
    lib = library_years()
    extra = sorted(holidays.years)
    last = max([lib[-1], *extra])
    print(f"working days: chinese-calendar has {lib[0]}–{lib[-1]}; {holidays.source} adds {_years(extra)}; "
          f"years after {last} count Monday to Friday less the statutory holidays (dates shown as estimates) "
          "until their schedule is added there")
    warning = schedule_warning(hall_today(), holidays)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
