"""A new visit's materials start on their first page, even when the visit before left them on another
(elderly mode shows few a page: the resident must not start on page 2 and miss page 1)."""

import pytest


@pytest.fixture
def h(window):
    from kiosk.screens.harness import Harness
    from kiosk.screens.shots import ShotDevices, make_env, shot_config

    harness = Harness(shot_config(make_env(), elderly_mode_default=True), ShotDevices())
    yield harness
    harness.close()


def open_materials(h, matter_id: str):
    h.start("assist")
    h.type_id("11010519491231002X")
    h.choose_matter(matter_id)
    h.pump(6)
    s = h.screen("materials")
    assert h.current == "materials" and s.pages > 1, "the matter needs two pages in elderly mode for this test"
    return s


def test_the_next_visit_opens_the_materials_on_their_first_page(h):
    s = open_materials(h, "pension-enrol")
    h.tap(s.ids.pager.children[0])  # 下一页
    h.pump(4)
    assert s.page == 1
    h.root.go_home()  # the visit ends here (nothing typed is kept)
    h.pump(4)
    s = open_materials(h, "pension-enrol")  # the same matter, a new visit
    assert s.page == 0
    h.root.go_home()
    h.pump(4)
    s = open_materials(h, "pension-claim")  # and another matter: its first page too
    assert s.page == 0
