"""Screenshot scenarios of issue 12's access features (green channel, …): appended to
:func:`kiosk.screens.shots._scenarios`, rendered by ``kiosk screenshots`` like every other screen.
Each is ``(name, options, steps)``; options go to the device port, except ``now`` (the wall clock)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kiosk.screens.shot_ports import SAMPLE_ID

FRIDAY_EVENING = datetime(2026, 6, 5, 18, 0)  # after hours, back on Monday
HOURS = {"access": {"hours": {"workday": ["08:30-12:00", "14:30-17:30"], "weekend": ["09:00-12:00"],
                              "note": "节假日急事请到一楼东侧值班窗口",
                              "note_en": "On public holidays, urgent matters: the duty window, ground floor east"}},
         "now": FRIDAY_EVENING}
HOURS_QUEUE = {**HOURS, "queue": True}  # with a help-queue client (offline): calls and callbacks are kept
# New Year's Eve before a year whose holiday schedule is not published (the shipped holidays file lists none):
# back on Monday 4 January, not on 元旦, and said to be subject to the hall's notice
NEW_YEAR = {"access": {"hours": {**HOURS["access"]["hours"], "weekend": []}}, "now": datetime(2026, 12, 31, 18, 0)}
REGISTER = {"access": {"enterprise_directory": str(Path(__file__).resolve().parents[1] / "config"
                                                   / "enterprises_sample.csv")}}


def scenarios() -> list:
    def green(h):
        h.tap(h.screen("start").ids.green)

    def green_on(h):
        green(h)
        h.tap(h.screen("green").ids.alone)

    def senior(h):
        h.start("assist")
        h.type_id(SAMPLE_ID)
        h.pump(4)

    def attract(slide):
        def steps(h):
            h.root.attract.event.cancel()  # shown by hand: the driver would end it (the visit is not idle)
            h.root.attract.show(slide)
        return steps

    def hours(typed: str = "", enter: bool = False):
        def steps(h):
            h.tap(h.screen("start").ids.green)  # 留下电话 after hours
            s = h.screen("hours")
            if typed:
                h.keys(s.ids.keypad, typed)
            if enter:
                h.tap(s.ids.keypad.enter)
        return steps

    def left(h):  # recorded (shown by hand: the offline queue would keep it, never confirm it)
        hours()(h)
        c = h.controller
        c.hours.left, c.hours._left_visit = "138****5678", c.visit.visit_id
        h.screen("hours").left = c.hours.left_this_visit()

    def enterprise(stage: str):
        def steps(h):
            h.root.go("enterprise")
            s = h.screen("enterprise")
            h.keys(s.ids.keypad, "91350100M000100Y4" + ("4" if stage == "code" else "3"))
            h.tap(s.ids.confirm)
            if stage == "kind":
                s.choose("business-startup")
        return steps

    def after_hours_result(missing: bool = False, done: bool = False):
        def steps(h):  # a 帮办 visit after hours: its call is recorded, nobody is on the way
            h.to_result(missing=missing)
            if done:
                c = h.controller  # a callback left from the result screen (shown by hand)
                c.hours.left, c.hours._left_visit = "138****5678", c.visit.visit_id
                h.tap(h.screen("result").ids.done)
                h.pump(4)
        return steps

    def call_from_result(h):  # after hours the call button leads to the hours screen, 上一步 back to the visit
        after_hours_result()(h)
        h.tap(h.root.header.ids.call_helper)

    def enterprise_name(confirmed: bool):
        def steps(h):
            h.root.go("enterprise")
            s = h.screen("enterprise")
            h.keys(s.ids.keypad, "91421303MA4AP7TQ54")  # in the sample register
            h.tap(s.ids.confirm)
            if confirmed:
                h.tap(s.ids.name_yes)
        return steps

    return [
        ("30_green_channel", {}, green),
        ("31_green_channel_on", {}, green_on),
        ("32_senior_offer", {"access": {"senior_offer_age": 65}}, senior),
        ("33_attract_assist", {}, attract(0)),
        ("34_attract_proxy", {}, attract(1)),
        ("35_attract_free", {}, attract(2)),
        ("36_attract_green", {}, attract(3)),
        ("37_after_hours_start", HOURS, lambda h: None),
        ("37_after_hours_start_queue", HOURS_QUEUE, lambda h: None),
        ("38_after_hours_callback", HOURS_QUEUE, hours("1381234567", enter=True)),
        ("38_after_hours_no_queue", HOURS, hours()),
        ("39_after_hours_left", HOURS_QUEUE, left),
        ("40_enterprise_code_wrong", {}, enterprise("code")),
        ("41_enterprise_matters", {}, enterprise("matter")),
        ("42_enterprise_proxy_suggested", {}, enterprise("kind")),
        ("43_after_hours_result", HOURS, after_hours_result()),
        ("44_after_hours_result_incomplete", HOURS, after_hours_result(missing=True)),
        ("43_after_hours_result_queue", HOURS_QUEUE, after_hours_result()),
        ("44_after_hours_result_incomplete_queue", HOURS_QUEUE, after_hours_result(missing=True)),
        ("45_after_hours_done_callback", HOURS_QUEUE, after_hours_result(done=True)),
        ("46_enterprise_name_confirm", REGISTER, enterprise_name(False)),
        ("48_after_hours_call_from_result", HOURS_QUEUE, call_from_result),
        ("48_after_hours_call_from_result_no_queue", HOURS, call_from_result),
        ("47_enterprise_name_confirmed", REGISTER, enterprise_name(True)),
        ("49_after_hours_paper_out", {**HOURS, "paper_out": True}, after_hours_result()),
        ("49_after_hours_paper_out_queue", {**HOURS_QUEUE, "paper_out": True}, after_hours_result()),
        ("50_after_hours_new_year_start", NEW_YEAR, lambda h: None),
        ("50_after_hours_new_year_hours", NEW_YEAR, hours()),
        ("50_after_hours_new_year_left", {**NEW_YEAR, "queue": True}, left),
    ]
