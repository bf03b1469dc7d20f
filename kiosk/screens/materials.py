"""Materials: the matter's checklist. Per material: capture it with the camera, or answer 带了 / 没有 /
不知道 (不知道 calls a helper). 检查材料 waits until every required material has an answer; the line
above it says how many are left and on which page.

Capturing shows the live preview with the detected page outlined and a plain-words hint ("太暗了",
"有反光", "请把材料放平"); the controller captures automatically when the page is still, and the resident
may also press the shutter. When the camera is lost only the paper / missing marks remain.
"""

from __future__ import annotations

from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import tr
from kiosk.screens.base import KioskScreen
from kiosk.screens.kvload import load_kv
from kiosk.screens.theme import THEME
from kiosk.screens.widgets import nav  # noqa: F401  (NavBar)
from kiosk.screens.widgets.common import fit_pages, text_height


class MaterialRow(BoxLayout):
    """One material: its name, what to bring, and the three choices."""

    material_id = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    status = StringProperty("unset")
    capturable = BooleanProperty(True)
    camera_ok = BooleanProperty(True)
    paper_label = StringProperty("")
    note = StringProperty("")
    screen = ObjectProperty(None)


def row_height(item, width: float, camera_ok: bool) -> float:
    """The height a :class:`MaterialRow` for ``item`` takes at ``width`` (its kv layout, measured)."""
    pad, gap = THEME.pad * (0.5 if THEME.elderly else 0.75), THEME.gap
    inner = width - 2 * pad
    cols = 2 if THEME.elderly else 4
    button_w = (inner - (cols - 1) * gap * 0.6) / cols
    labels = (tr("kiosk.materials.captured_mark"), item.paper_label, tr("kiosk.materials.missing"),
              tr("kiosk.materials.unknown"))
    least = THEME.button_h * (0.85 if THEME.elderly else 1)  # the marks' one height (the row's kv rule)
    mark_h = max(least, *(text_height(t, THEME.font_body, max(10, button_w - 2 * gap)) + 2 * gap for t in labels))
    rows = -(-len(labels) // cols)
    buttons = rows * mark_h + (rows - 1) * gap * 0.6
    note = text_height(item.note, THEME.font_small, inner, bold=True) if item.note else 0
    spacing = 3 if item.note else 2
    title_font = THEME.font_body if THEME.elderly else THEME.font_large  # the row's kv rule
    return (2 * pad + spacing * gap * 0.6 + text_height(item.title, title_font, inner, bold=True)
            + text_height(item.detail, THEME.font_small, inner) + note + buttons)


class MaterialsScreen(KioskScreen):
    step = StringProperty("materials")
    page = NumericProperty(0)
    pages = NumericProperty(1)
    capturing = StringProperty("")  # material id being captured, '' when the list shows
    captured = BooleanProperty(False)  # a capture waits for 用这张 / 重拍
    hint = StringProperty("")
    hint_tone = StringProperty("muted")
    camera_ok = BooleanProperty(True)
    outline = ListProperty([])  # detected page corners in preview pixels, flattened
    summary = StringProperty("")
    left_text = StringProperty("")  # on the disabled 检查材料 button: how many are left, on which pages
    all_answered = BooleanProperty(False)

    def refresh(self) -> None:
        visit = self.controller.visit
        shown = (visit.visit_id, visit.matter.id if visit.matter else None)
        if shown != getattr(self, "_shown", None):  # a new visit or matter starts on its first page
            self._shown, self.page = shown, 0
        self.camera_ok = self.controller.camera_available()
        if self.capturing:
            self.cancel_capture()
        self.render()

    def render(self) -> None:
        rows = self.controller.materials()
        area = self.ids.rows_area
        pages = fit_pages([row_height(r, area.width, self.camera_ok) for r in rows], area.height, THEME.gap,
                          most=THEME.per_page)
        self.pages = len(pages)
        self.page = min(max(0, self.page), self.pages - 1)
        shown = rows[pages[self.page][0]:pages[self.page][1]]
        box = self.ids.rows
        box.clear_widgets()  # the rows are pooled (see _row): their kv bindings stay, they are reused
        for i, item in enumerate(shown):
            box.add_widget(self._row(i, item))
        left = set(self.controller.unanswered())
        self.all_answered = not left
        if left:
            where = [tr("kiosk.materials.unanswered_page", page=n + 1) for n, (a, b) in enumerate(pages)
                     if any(r.id in left for r in rows[a:b])]
            self.summary = (tr("kiosk.materials.unanswered_here", n=len(left)) if len(pages) == 1  # no pager
                            else tr("kiosk.materials.unanswered", n=len(left), where=tr("common.list_sep").join(where)))
            self.left_text = tr("kiosk.materials.left", n=len(left))
        else:
            done = sum(1 for r in rows if r.status != "unset")
            self.summary = tr("kiosk.materials.progress", done=done, total=len(rows))
        self.ids.matter_name.text = self.controller.matter_name()

    def _row(self, index: int, item) -> MaterialRow:
        """The pooled row at ``index`` showing ``item``. Rows are built once (a page holds at most
        ``THEME.per_page``) and only their properties change afterwards, so a label re-renders its
        texture only when its text changed."""
        pool = self.__dict__.setdefault("_pool", [])
        while len(pool) <= index:
            pool.append(MaterialRow(screen=self))
        row = pool[index]
        row.material_id, row.title, row.detail = item.id, item.title, item.detail
        row.status, row.capturable, row.camera_ok = item.status, item.capturable, self.camera_ok
        row.paper_label, row.note = item.paper_label, item.note
        return row

    def prewarm(self) -> None:
        """Builds a page's worth of pooled rows (called while the start screen waits), so the first
        opening of the checklist only fills them in."""
        pool = self.__dict__.setdefault("_pool", [])
        while len(pool) < THEME.per_page:
            pool.append(MaterialRow(screen=self))

    def on_leave(self, *_args) -> None:
        """Leaving the screen drops the camera picture (a document image: personal data, and a
        full-size texture); the pooled rows stay, bounded by a page's rows."""
        self.ids.preview.texture = None

    def area_resized(self) -> None:
        size = (round(self.ids.rows_area.width), round(self.ids.rows_area.height))
        if size != getattr(self, "_area_size", None) and self.controller is not None and not self.capturing:
            self._area_size = size
            if self.controller.visit.matter is not None:
                self.render()

    def turn(self, delta: int) -> None:
        self.page += delta
        self.render()

    def mark(self, material_id: str, status: str) -> None:
        self.controller.mark(material_id, status)
        self.render()

    def check(self) -> None:
        """检查材料: the completeness check, once every required material has an answer."""
        if self.controller.finish():
            self.go("result")
        else:
            self.render()

    # capture --------------------------------------------------------------------------------------
    def capture(self, material_id: str) -> None:
        if not self.camera_ok:
            return
        self.capturing, self.captured = material_id, False
        self.ids.capture_title.text = tr("kiosk.materials.capture_title", name=self.controller.material_title(material_id))
        self._set_hint(tr("kiosk.materials.hint_place"), "muted")
        self.controller.start_capture(material_id)

    def cancel_capture(self) -> None:
        self.controller.stop_capture()
        self.capturing, self.captured, self.outline = "", False, []
        self.render()

    def shutter(self) -> None:
        self.controller.shutter()

    def retake(self) -> None:
        self.captured = False
        self.controller.start_capture(self.capturing)

    def accept(self) -> None:
        self.controller.accept_capture(self.capturing)
        self.capturing, self.captured, self.outline = "", False, []
        self.render()

    def _set_hint(self, text: str, tone: str) -> None:
        self.hint, self.hint_tone = text, tone

    def _show_image(self, rgb: bytes, width: int, height: int) -> None:
        image = self.ids.preview
        tex = image.texture
        if tex is None or tex.size != (width, height):
            tex = Texture.create(size=(width, height), colorfmt="rgb")
            tex.flip_vertical()
        tex.blit_buffer(rgb, colorfmt="rgb", bufferfmt="ubyte")
        image.texture = tex
        image.canvas.ask_update()

    def _outline(self, corners, width: int, height: int) -> None:
        """Maps page corners (image pixels, origin top-left) onto the shown image."""
        image = self.ids.preview
        if not corners:
            self.outline = []
            return
        nw, nh = image.norm_image_size
        ox, oy = image.center_x - nw / 2, image.center_y - nh / 2
        pts: list[float] = []
        for x, y in [*corners, corners[0]]:
            pts += [ox + x / width * nw, oy + (1 - y / height) * nh]
        self.outline = pts

    def on_event(self, event: str, payload) -> None:
        if event == "preview" and self.capturing and not self.captured:
            self._show_image(payload.rgb, payload.width, payload.height)
            self._outline(payload.corners, payload.width, payload.height)
            tone = "ok" if payload.ok else ("warn" if payload.corners else "muted")
            self._set_hint(payload.hint, tone)
        elif event == "captured" and self.capturing:
            self.captured = True
            self._show_image(payload.rgb, payload.width, payload.height)
            self.outline = []
            self._set_hint(tr("kiosk.materials.captured"), "ok")
        elif event == "camera":
            self.camera_ok = bool(payload)
            if not self.camera_ok and self.capturing:
                self.controller.stop_capture()
                self.capturing, self.captured, self.outline = "", False, []
            if self.manager is not None and self.manager.current == self.name:
                self.render()


load_kv(__file__)
