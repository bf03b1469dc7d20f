"""Key names for the keyboard-type buttons: one spelling in the config (``F12``, ``KEY_F12``, ``space``,
``enter``, ``pagedown``, a single character like ``b``) matched against what Kivy and evdev report."""

from __future__ import annotations

# Kivy's names on the left of each pair, the evdev/Linux spelling on the right.
_ALIASES = {
    "spacebar": "space", "return": "enter", "escape": "esc", "numpadenter": "kpenter", "pgup": "pageup",
    "pgdown": "pagedown", "del": "delete", "backspace": "backspace", "capslock": "capslock",
    "rshift": "rightshift", "lshift": "leftshift", "rctrl": "rightctrl", "lctrl": "leftctrl",
    "ralt": "rightalt", "alt": "leftalt", "alt-gr": "rightalt", "up": "up", "down": "down",
}


def normalize_key(name: str) -> str:
    """A comparable spelling: lower case, ``key_``/``btn_`` prefix dropped, aliases folded.

    ``F12`` / ``f12`` / ``KEY_F12`` → ``f12``; ``spacebar`` / ``SPACE`` → ``space``; ``BTN_0`` → ``btn_0``.
    """
    n = name.strip().lower()
    if not n:
        raise ValueError("key name is empty; expected a key like F12, space, enter or b")
    if n.startswith("key_"):
        n = n[4:]
    return _ALIASES.get(n, n)


def evdev_code(name: str) -> int | None:
    """The Linux input code (``ecodes.KEY_*`` / ``BTN_*``) for a key name, ``None`` for ``any``.

    Raises ValueError naming the key when it does not exist. Needs the ``evdev`` package.
    """
    from evdev import ecodes

    n = normalize_key(name)
    if n == "any":
        return None
    if n.isdigit() and len(n) > 1:
        return int(n)
    candidates = [f"BTN_{n[4:].upper()}"] if n.startswith("btn_") else [f"KEY_{n.upper()}"]
    for candidate in candidates:
        code = ecodes.ecodes.get(candidate)
        if code is not None:
            return int(code)
    raise ValueError(f"'{name}' is not a Linux key name; expected e.g. F12, KEY_F12, space, enter, BTN_0, "
                     "or 'any' for every key of the (dedicated) button device")
