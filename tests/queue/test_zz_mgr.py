"""scratch"""
import pytest
from tests.queue.test_console_browser import browser, db_url, server, shots  # noqa: F401
from tests.queue.test_console_phone_look_browser import look
from tests.queue.test_console_phone_work_browser import calls, open_phone

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "height", "lang"), [(360, 740, "zh_CN"), (390, 844, "en")])
def test_mgr(server, world, browser, shots, width, height, lang):  # noqa: F811
    calls(world, server, 3)
    for user in ("mgr", "sup"):
        p = open_phone(browser, server.url, user, width, height, lang)
        p.click("#tab-manage")
        p.wait_for_selector("#manage article")
        problems = look(p, shots, f"{user}_{lang}_requests")
        for seg in ["kiosks", "staff", "figures", "setup"]:
            p.click(f"[data-seg={seg}]")
            p.wait_for_timeout(800)
            problems += look(p, shots, f"{user}_{lang}_{seg}")
            p.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            problems += look(p, shots, f"{user}_{lang}_{seg}_end")
        p.click("#tab-cases")
        p.wait_for_timeout(800)
        problems += look(p, shots, f"{user}_{lang}_cases")
        p.click("#tab-me")
        p.wait_for_timeout(800)
        problems += look(p, shots, f"{user}_{lang}_me")
        p.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        problems += look(p, shots, f"{user}_{lang}_me_end")
        print("\n".join(sorted(set(x.split(": ", 1)[1] + "  @" + x.split(":")[0] for x in problems))))
