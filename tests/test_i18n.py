from kiosk import i18n


def test_chinese_first_with_english_and_fallback():
    assert i18n.tr("common.call_helper") == "呼叫帮办员"
    assert i18n.tr("common.call_helper", language="en") == "Call a helper"
    assert i18n.tr("no.such.key") == "no.such.key"


def test_every_chinese_text_has_an_english_one():
    assert i18n.keys("zh_CN") - i18n.keys("en") == set()
