"""为企业办事: the enterprise flow's collaborator (``controller.enterprise``) and the enterprise's line on
help requests and slips. No Kivy here.

The flow: the 统一社会信用代码 (checked, GB 32100) or "being founded" (企业开办, no code yet); a code in the
hall's register (``access.enterprise_directory``) shows the enterprise's name for the 经办人 to confirm (是 /
不是: then a helper checks it against the 营业执照) → one of the
catalogue's matters marked ``enterprise`` (or any other) → 帮办 or 代办, 代办 suggested for matters marked
``proxy_recommended`` → the 经办人's ID card → the chosen matter's checklist. The help request's note and
every slip carry the enterprise (a 个体工商户's name masked on the ticket and the notice).
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from kiosk.i18n import tr
from kiosk.visit.enterprise import Enterprise, InvalidCreditCode, validate_credit_code

log = logging.getLogger(__name__)


def enterprise_line(enterprise: Enterprise, language: str | None = None, masked: bool = False) -> str:
    """``企业：随州某某有限公司（91421303…）`` for slips and notes; ``masked``: a 个体工商户's name masked (for
    paper left on counters; the signed 授权委托书 and the helper's note keep it whole)."""
    label = enterprise.label(tr("access.enterprise.unnamed", language=language),
                             tr("access.enterprise.founding_short", language=language), masked)
    return tr("access.enterprise.line", language=language, label=label)


def load_directory(path: Path | None) -> dict[str, str]:
    """The hall's register of enterprises: ``{code: name}`` from a CSV of ``统一社会信用代码,企业名称`` lines
    (UTF-8, a BOM and a header line allowed). Lines whose code fails its check are skipped (logged)."""
    if path is None:
        return {}
    found: dict[str, str] = {}
    skipped = 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 2 or not row[0].strip() or not row[1].strip():
                continue
            try:
                found[validate_credit_code(row[0])] = row[1].strip()[:60]
            except InvalidCreditCode:
                skipped += 1
    if skipped > 1:  # one is the header line
        log.warning("enterprise directory %s: %d lines without a valid 统一社会信用代码 skipped", path, skipped)
    log.info("enterprise directory %s: %d enterprises", path, len(found))
    return found


def enterprise_note(note: str, enterprise: tuple[str, str] | None) -> str:
    """The help request's note with the enterprise added (``enterprise``: (code, name) from the payload)."""
    if not enterprise:
        return note
    line = enterprise_line(Enterprise(*enterprise), "zh_CN")
    return f"{note}；{line}" if note else line


class EnterpriseFlow:
    def __init__(self, controller):
        self.controller = controller
        self.pending_matter: str | None = None  # chosen before the 经办人 identified; chosen for real after
        self.directory = load_directory(controller.config.access.enterprise_directory)
        controller.visit.subscribe(self._visit_changed)

    def name_of(self, code: str) -> str:
        """The enterprise's name in the hall's register, or "" (not listed, or being founded)."""
        return self.directory.get(code, "") if code else ""

    def check_code(self, text: str) -> tuple[str, str | None]:
        """``(code, problem)``: the normalised code and, when it is not valid, why in plain words."""
        try:
            return validate_credit_code(text), None
        except InvalidCreditCode as err:
            return "".join((text or "").split()).upper(), tr(f"access.enterprise.err.{err.key}")

    def matters(self) -> list:
        """The catalogue's matters for enterprises (marked ``enterprise``), 代办-recommended first."""
        found = [m for m in self.controller.visit.catalog.matters if getattr(m, "enterprise", False)]
        return sorted(found, key=lambda m: not m.proxy_recommended)

    def suggested_kind(self, matter_id: str | None) -> str:
        """``proxy`` for a matter marked ``proxy_recommended`` (企业开办, 建设项目, 一事联办), else ``assist``."""
        if matter_id is None:
            return "assist"
        matter = self.controller.visit.catalog.get(matter_id)
        return "proxy" if matter.proxy_recommended or matter.joint is not None else "assist"

    def start(self, kind: str, code: str, matter_id: str | None, name: str = "") -> None:
        """Starts the visit for the enterprise (``code`` "" while it is being founded; ``name`` the one the
        经办人 confirmed, "" when a helper is to check it)."""
        c = self.controller
        c.start(kind)
        c.visit.enterprise = Enterprise(code=code, name=name)
        self.pending_matter = matter_id
        c.visit.touch()

    def _visit_changed(self, visit) -> None:
        if visit.enterprise is None:
            self.pending_matter = None
            return
        if visit.step.value == "matter" and self.pending_matter:
            matter_id, self.pending_matter = self.pending_matter, None
            visit.choose_matter(matter_id)
