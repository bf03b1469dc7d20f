"""One word for one thing: the glossary names each, every resident text uses it, and the jargon and the
second names the issue found (凭条, 排队票, 纸质件, 校验) are gone from the kiosk's texts."""

import re
from pathlib import Path

import pytest

from kiosk import i18n

LOCALE = Path(i18n.__file__).with_name("locale")
AREAS = ("kiosk", "slips", "visit")  # what residents read or hear, and the kiosk's notes to helpers
TERMS = {"zh_CN": ("帮办员", "代办员", "小票", "授权委托书", "帮办代办窗口")}
BANNED = {"zh_CN": ("凭条", "排队票", "纸质件", "校验", "号码校验"), "en": ("check digit", "checksum")}


def texts(language: str, area: str) -> list[tuple[str, str]]:
    out = []

    def walk(node, prefix):
        for k, v in node.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                out.append((prefix + k, v))

    walk(i18n._catalog(language).get(area, {}), f"{area}.")
    return out


@pytest.mark.parametrize("area", AREAS)
def test_the_kiosks_texts_write_the_glossarys_words_as_terms(area):
    raw = (LOCALE / "zh_CN" / f"{area}.toml").read_text(encoding="utf-8")
    body = "\n".join(line.split("#")[0] for line in raw.splitlines())  # comments may name them
    literal = [t for t in TERMS["zh_CN"] if re.search(rf'= ".*{t}', body.replace("告知单编号", ""))]
    assert literal == [], f"write {{=term}} instead of {literal} in {area}.toml"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_no_jargon_and_no_second_names(language):
    found = [(key, word) for area in AREAS for key, text in texts(language, area) for word in BANNED[language]
             if word in text]
    assert found == []


def test_terms_are_put_in_and_both_languages_have_every_term():
    assert i18n.tr("kiosk.header.call_helper") == "呼叫帮办员"
    assert i18n.tr("kiosk.header.call_helper", language="en") == "Call a helper"
    assert set(i18n._catalog("zh_CN")["glossary"]) == set(i18n._catalog("en")["glossary"])
    for language in ("zh_CN", "en"):
        left = [(key, text) for area in AREAS for key, text in texts(language, area) if "{=" in text]
        assert left == []  # every term known


def test_no_call_hint_while_a_helper_is_already_coming():
    from kiosk.catalog import load_catalog
    from kiosk.config.settings import DEFAULT_CATALOG
    from kiosk.terminal.result_view import result_view
    from kiosk.visit import SiteInfo, Visit

    v = Visit(load_catalog(DEFAULT_CATALOG), SiteInfo("zd-qj-01", "421303", "曾都区"), tickets=lambda: None)
    v.start("assist")
    v.identify_manually("11010519491231002X")
    v.choose_matter("pension-enrol")
    v.mark("idcard", "missing")
    v.mark("hukou", "unknown")  # calls a helper
    v.finish_materials()
    text = result_view(v).next_text
    assert "呼叫" not in text and "按右上角" not in text and text == i18n.tr("kiosk.result.next_incomplete_helper")
