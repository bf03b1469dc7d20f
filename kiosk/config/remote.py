"""Which settings a manager may change from the console, and how a central override meets a kiosk's file.

Contract
- Overrides are flat: ``{"ui.idle_timeout_s": 120, "site.name": "…"}``; a value is a TOML scalar (text,
  number, true/false) or a list of numbers. :func:`merge` lays them over a kiosk's file data; the result is
  validated by the one schema (:func:`kiosk.config.settings.parse_config`, what ``kiosk config check`` uses).
- Only :func:`remote_key` keys may be set remotely: the hall's name and its help desk, the kiosk's place,
  idle times, elderly defaults, the voice, which catalogue version to run (a file the technician copied beside the
  catalogue: the kiosk switches to it), and how each device behaves.
  Never the queue URL or token, the manager PIN, privacy settings, file paths (font, catalogue, prompts),
  the site's code or level, or where a device is plugged in (``port``, ``uri``, ``device``, ``source``:
  the machine's own).
- :data:`LIVE_KEYS` take effect at once on a running kiosk; every other key at the next idle reset (the
  start screen, no resident).
"""

from __future__ import annotations

import copy

SETTABLE = (
    "location", "site.name", "site.address", "site.phone", "site.help_desk", "site.complaints", "catalog_version",
    "ui.idle_timeout_s", "ui.countdown_s", "ui.elderly_mode_default", "ui.elderly_timeout_factor",
    "ui.voice", "ui.voice_volume", "ui.help_wait_max_s", "ui.done_return_s", "ui.language",
)
DEVICES = ("idcard", "camera", "printer", "button")
MACHINE_KEYS = frozenset({"port", "uri", "device", "source"})  # where a device is plugged in
LIVE_KEYS = frozenset({
    "location", "site.name", "site.address", "site.phone", "site.help_desk", "site.complaints",
    "ui.idle_timeout_s", "ui.countdown_s", "ui.elderly_mode_default",
    "ui.elderly_timeout_factor", "ui.help_wait_max_s", "ui.done_return_s",
})
MAX_KEYS = 64
MAX_TEXT = 200


def remote_key(key: str) -> bool:
    """True for a key a manager may set from the console."""
    if key in SETTABLE:
        return True
    parts = key.split(".")
    return (len(parts) == 3 and parts[0] == "devices" and parts[1] in DEVICES and parts[2] not in MACHINE_KEYS
            and parts[2].isidentifier())


def check_values(overrides: dict) -> list[str]:
    """Problems of shape (``key: message`` lines): unknown or local-only keys, values of the wrong kind."""
    problems = []
    if len(overrides) > MAX_KEYS:
        problems.append(f"(top level): at most {MAX_KEYS} settings")
    for key, value in overrides.items():
        if not isinstance(key, str) or not remote_key(key):
            problems.append(f"{str(key)[:80]}: 不能远程设置（只能在终端本机的配置文件中修改）")
        elif isinstance(value, list):
            if len(value) > 32 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
                problems.append(f"{key}: a list may only hold up to 32 numbers")
        elif isinstance(value, str):
            if len(value) > MAX_TEXT:
                problems.append(f"{key}: at most {MAX_TEXT} characters")
            elif any(ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in "\u2028\u2029" for ch in value):
                problems.append(f"{key}: no line breaks or control characters")
        elif not isinstance(value, bool | int | float):
            problems.append(f"{key}: must be text, a number, true/false or a list of numbers")
    return problems


def merge(data: dict, overrides: dict) -> dict:
    """A deep copy of the file ``data`` with each dotted override set."""
    out = copy.deepcopy(data)
    for key, value in overrides.items():
        node = out
        *path, last = key.split(".")
        for part in path:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[last] = value
    return out


def relevant(problems: list[str], keys: set[str]) -> list[str]:
    """The schema's problems that concern ``keys`` (a server checks overrides over a stand-in file whose
    paths, such as the font, need not exist there)."""
    out = []
    for line in problems:
        path = line.split(":", 1)[0]
        if any(k == path or k.startswith(path + ".") or path.startswith(k + ".") for k in keys):
            out.append(line)
    return out


ON_THE_KIOSK = ("catalog_version: no catalogue of version",)  # the kiosk's own files decide: only it can tell


def validate(data: dict, overrides: dict, source: str = "central config", *, kiosk_files: bool = True) -> list[str]:
    """Every problem of ``overrides`` laid over ``data`` (empty: valid), the shape first, then the schema's
    own messages for the keys concerned. ``kiosk_files=False`` (the server) leaves out what only the
    kiosk's own files can decide (:data:`ON_THE_KIOSK`)."""
    from kiosk.config.settings import ConfigError, parse_config

    problems = check_values(overrides)
    if problems:
        return problems
    try:
        parse_config(merge(data, overrides), source)
    except ConfigError as err:
        problems = relevant(err.problems, set(overrides))
        if not kiosk_files:
            problems = [p for p in problems if not p.startswith(ON_THE_KIOSK)]
        return problems
    return []


def _field_info(model, name: str) -> dict:
    import typing

    field = model.model_fields[name]
    out: dict = {"default": field.default if isinstance(field.default, str | int | float | bool) else None,
                 "description": field.description or ""}
    ann = field.annotation
    args = [a for a in typing.get_args(ann) if a is not type(None)]
    if typing.get_origin(ann) is typing.Literal:
        out.update(type="choice", choices=list(typing.get_args(ann)))
    elif ann is bool:
        out["type"] = "boolean"
    elif ann in (int, float) or (args and args[0] in (int, float)):
        out["type"] = "integer" if int in (ann, *args) else "number"
    elif ann is str or (args and args[0] is str):
        out["type"] = "text"
    else:
        out["type"] = "list"
    for m in field.metadata:
        for attr, key in (("ge", "min"), ("gt", "min"), ("le", "max"), ("lt", "max"), ("max_length", "max_length")):
            if getattr(m, attr, None) is not None:
                out[key] = getattr(m, attr)
    return out


def describe_keys() -> list[dict]:
    """Every key a manager may set: ``{key, type, choices?, min?, max?, default, description, live}``."""
    from kiosk.config.devices import DevicesConfig
    from kiosk.config.settings import KioskConfig

    out = []
    for key in SETTABLE:
        *path, last = key.split(".")
        model = KioskConfig
        for part in path:
            model = model.model_fields[part].annotation
        out.append({"key": key, **_field_info(model, last), "live": key in LIVE_KEYS})
    for device in DEVICES:
        model = DevicesConfig.model_fields[device].annotation
        for name in model.model_fields:
            key = f"devices.{device}.{name}"
            if remote_key(key):
                out.append({"key": key, **_field_info(model, name), "live": False})
    return out
