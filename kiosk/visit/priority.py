"""Who goes first (绿色通道): a resident's age from the card or the ID number, against an injected date.

Plain Python, no clock of its own: callers pass ``today`` (the kiosk's wall clock, injected so tests and
screenshots never depend on the day they run). Priorities are the help queue's
(``kiosk.queue.states.PRIORITIES``): ``green`` (the resident asked for the green channel), ``elderly``
(长辈模式 or a card of someone 65 or older who accepted priority), ``normal``.
"""

from __future__ import annotations

from datetime import date

SENIOR_AGE = 65
VISIT_PRIORITIES = ("normal", "elderly", "green")


def birth_date_of(identity) -> date | None:
    """The birth date on the card (``YYYY-MM-DD`` or ``YYYYMMDD``), else the one in an 18-character ID
    number (characters 7–14); None when neither gives a real date."""
    if identity is None:
        return None
    for text in (str(getattr(identity, "birth_date", "") or ""), str(getattr(identity, "id_number", "") or "")[6:14]):
        digits = text.replace("-", "")
        if len(digits) == 8 and digits.isdigit():
            try:
                return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            except ValueError:
                continue
    return None


def age_on(born: date, today: date) -> int:
    """Whole years on ``today`` (the birthday itself counts)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def senior_age(identity, today: date, threshold: int = SENIOR_AGE) -> int | None:
    """The resident's age when it is ``threshold`` or more, else None (no birth date: None)."""
    born = birth_date_of(identity)
    if born is None or born > today:
        return None
    age = age_on(born, today)
    return age if age >= threshold else None


def request_priority(chosen: str, elderly: bool) -> str:
    """The help request's priority: the one chosen this visit (green channel, 65+), else ``elderly``
    in 长辈模式, else ``normal``."""
    if chosen in VISIT_PRIORITIES and chosen != "normal":
        return chosen
    return "elderly" if elderly else "normal"
