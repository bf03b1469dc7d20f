"""The matter lists stay light whatever the catalogue's size: pages are measured without rendering, only
shown pages are built, at most a few pages of buttons are kept, and no label keeps a second copy of its
pixels."""

import time

import pytest

pytestmark = pytest.mark.slow  # big catalogues: started early (tests/conftest.py)

DEPARTMENTS = ["区甲局", "区乙局（一事联办牵头单位，名称较长的部门用来检查换行）", "区丙局"]


def big_catalog(path, per_department=(40, 25, 3)) -> str:
    """A catalogue of many matters, some with long names that wrap, in a few departments."""
    lines = ['[catalog]', 'name = "大目录"', 'region = "测试"', 'version = "t"', 'sample = true', '']
    n = 0
    for dep, count in zip(DEPARTMENTS, per_department, strict=True):
        for i in range(count):
            n += 1
            name = f"事项{n:03d}" + ("：名称很长的一件事项，需要换行才能放下全部文字内容" * (i % 3))
            lines += ['[[matter]]', f'id = "m{n:03d}"', f'name = "{name}"', f'department = "{dep}"',
                      'levels = ["district"]', f'time_limit = {1 + i % 20}', 'window = "二楼综合窗口"',
                      '  [[matter.materials]]', '  id = "idcard"', '  name = "居民身份证"',
                      '  source = "本人携带"', '']
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(path)


def harness(tmp_path, elderly=False, catalog=None):
    from kiosk.screens.harness import Harness  # after the window fixture set the window's size
    from kiosk.screens.shots import ShotDevices, make_env, shot_config

    cfg = shot_config(make_env(), elderly_mode_default=elderly)
    if catalog is not None:
        cfg = cfg.model_copy(update={"catalog": catalog})
    return Harness(cfg, ShotDevices())


def idle(h, warmed, timeout: float = 60.0) -> None:
    """The start screen waiting for a resident until the kiosk has prepared its lists (``warmed()``); a
    loaded machine takes longer, so this waits for the work, not for a fixed time."""
    until = time.monotonic() + timeout
    while not warmed():
        assert time.monotonic() < until, "the matter lists were never prepared on the start screen"
        h.pump(1)


@pytest.mark.parametrize("elderly", [False, True])
def test_measured_heights_are_the_rendered_heights(window, tmp_path, elderly):
    h = harness(tmp_path, elderly, big_catalog(tmp_path / "c.toml", (12, 6, 3)))
    try:
        h.start("assist")
        h.type_id("11010519491231002X")
        s = h.screen("matter")
        assert h.current == "matter"
        s.render()
        matters = [m for dep in h.controller.departments() for m in h.controller.matters(dep)]
        wrong = []
        for m in matters:
            for short in (False, True):
                measured = s._height(m, short)
                built = s._matter_button(m, short)
                if abs(built.height - measured) > 0.5:
                    wrong.append((m.id, short, measured, built.height))
        assert wrong == []
        assert {round(s._height(m, False)) for m in matters} != {round(s._height(matters[0], False))}  # wraps vary
    finally:
        h.close()


def test_a_big_catalogue_keeps_a_few_pages_of_buttons(window, tmp_path):
    from kiosk.screens.theme import THEME

    h = harness(tmp_path, catalog=big_catalog(tmp_path / "c.toml"))
    try:
        s = h.screen("matter")
        idle(h, lambda: len(s.buttons) > 0)
        cap = 4 * THEME.per_page  # a departments page and two matters pages; the catalogue has 71 buttons
        assert 0 < len(s.buttons) <= cap  # warmed, within the cap
        h.start("assist")
        h.type_id("11010519491231002X")
        seen = []
        for dep in DEPARTMENTS:
            h.tap(h.button(dep, s))
            while True:
                h.pump(6)
                shown = [b for b in s.ids.item_box.children if hasattr(b, "matter_id")]
                assert shown and len(shown) <= THEME.per_page
                used = sum(b.height for b in shown) + THEME.gap * (len(shown) - 1)
                assert used <= s.ids.item_area.height + 1 or len(shown) == 1  # the page fits its area
                seen += [b.matter_id for b in shown]
                assert len(s.buttons) <= cap
                if s.page >= s.pages - 1:
                    break
                h.tap(s.ids.pager.children[0])  # 下一页
            h.tap(h.button("返回部门列表"))
        assert len(seen) == len(set(seen)) == 68  # every matter shown once, paged by measured heights
        s.show_departments()
        s.open_department(DEPARTMENTS[0])
        s.page = s.pages - 1
        s.render()
        h.pump(2)
        last = [b for b in s.ids.item_box.children if hasattr(b, "matter_id")][0]
        h.tap(last)
        assert h.current == "materials" and h.controller.visit.matter.id == last.matter_id
    finally:
        h.close()


def test_labels_do_not_keep_their_render_surface(window, tmp_path):
    from kivy.uix.label import Label

    h = harness(tmp_path)
    try:
        h.draw(2)
        labels = [w for w in h.root.walk() if isinstance(w, Label) and w.text.strip()]
        assert labels and all(w.texture is not None for w in labels)
        kept = [w.text[:20] for w in labels if getattr(w._label, "_surface", None) is not None]
        assert kept == []
    finally:
        h.close()
