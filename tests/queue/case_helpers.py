"""Shared helpers for the 代办 case tests: a valid handover body and API shorthands."""

from __future__ import annotations

from tests.queue.conftest import auth

APPLICANT = {"name": "张三丰", "id_number": "11010519491231002X", "phone": "13812345678"}


def handover(**over) -> dict:
    body = {"matter_name": "个体工商户设立登记", "time_limit_days": 5, "applicant": dict(APPLICANT),
            "authorization": {"signed": True, "scanned": True, "note": "原件已留存"},
            "materials": [{"name": "身份证", "form": "original", "count": 1},
                          {"name": "经营场所证明", "form": "copy", "count": 2}]}
    body.update(over)
    return body


class Api:
    """``api.post("li", "/cases", json=…)`` with each user's session token, logged in once."""

    def __init__(self, client, world):
        self.client, self.world, self.tokens = client, world, {}

    def _h(self, user: str) -> dict:
        if user not in self.tokens:
            self.tokens[user] = self.world.token(user)
        return auth(self.tokens[user])

    def get(self, user: str, path: str, **kw):
        return self.client.get("/api/v1" + path, headers=self._h(user), **kw)

    def post(self, user: str, path: str, **kw):
        return self.client.post("/api/v1" + path, headers=self._h(user), **kw)

    def case(self, user: str = "li", **over) -> dict:
        r = self.post(user, "/cases", json=handover(**over))
        assert r.status_code == 201, r.text
        return r.json()


def fill_case_form(page, days: str = "5", first_material: str = "身份证") -> None:
    """The console's 代办 form (open) filled the way a helper registers a case: time limit, the applicant's
    phone, the authorization signed and scanned, the first material named."""
    page.fill("#cf-days", days)
    page.fill("#cf-phone", "13812345678")
    page.check("#cf-signed")
    page.check("#cf-scanned")
    page.fill("#cf-mats .mat:nth-child(1) [name=mname]", first_material)
