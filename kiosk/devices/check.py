"""`kiosk devices check [--config FILE] [--json]`: self-test every configured device, one line each.

Exit codes: 0 every enabled device passed (OK, WARN or OFF), 1 at least one failed, 2 no config or an
invalid one. Lines look like ``printer  FAIL  <reason>`` / ``idcard   OK    <detail>  12 ms`` /
``printer  WARN  <what to look at>  40 ms`` (works, but e.g. never answers a status query) /
``camera   OFF   <why>``; the status word is fixed (OK, WARN, FAIL, OFF) so scripts can read it, the text
is in the kiosk's language. With ``--json`` each line is one JSON object (``device``, ``type``, ``status``
ok/warn/fail/disabled,
``message``, ``ms``). Each device gets ``--timeout`` seconds (default 8) for start-up and self-test.
"""

from __future__ import annotations

import argparse
import json
import sys

STATUS_WORD = {"ok": "OK", "warn": "WARN", "fail": "FAIL", "disabled": "OFF"}
DEFAULT_TIMEOUT_S = 8.0


def format_line(report) -> str:
    """``idcard   OK    SAM 05.01-…  12 ms``: kind padded to 8, status to 5; the reason worded in the
    kiosk's language."""
    from kiosk.i18n import say

    message = " ".join(say(report.message).split())  # one line each, whatever a driver put in its reason
    line = f"{report.device:<8} {STATUS_WORD[report.status]:<5} {message}"
    if report.ok:
        line += f"  {report.ms:.0f} ms"
    return line


def json_record(report) -> dict:
    """One ``--json`` line: ``message`` worded, and the ``reason`` (code and data) when there is one."""
    from kiosk.i18n import say

    out = report.as_dict()
    if isinstance(out["message"], dict):
        out["reason"] = out["message"]
    out["message"] = say(report.message)
    return out


def run_check(args: argparse.Namespace) -> int:
    from kiosk.config.paths import default_config_path
    from kiosk.config.settings import ConfigError, load_config
    from kiosk.devices.hub import DeviceHub
    from kiosk.i18n import set_language, tr

    path = getattr(args, "config", None) or default_config_path()
    if not path:
        print(tr("devices.check.no_config"), file=sys.stderr)
        return 2
    try:
        config = load_config(path)
    except ConfigError as err:
        print(tr("devices.check.bad_config", path=path), *err.problems, sep="\n  ", file=sys.stderr)
        return 2
    set_language(config.ui.language)
    timeout = float(getattr(args, "timeout", None) or DEFAULT_TIMEOUT_S)
    hub = DeviceHub(config.devices, create_timeout_s=timeout, poll_s=None)
    try:
        reports = hub.self_test_all(timeout_s=timeout)
    finally:
        hub.close()
    for report in reports:
        print(json.dumps(json_record(report), ensure_ascii=False) if getattr(args, "json", False)
              else format_line(report), flush=True)
    return 0 if all(r.passed for r in reports) else 1
