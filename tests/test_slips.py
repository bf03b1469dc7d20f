"""The printed slips: what each says, what it must not say, and that it prints and previews cleanly."""

from dataclasses import replace
from datetime import datetime

import pytest

from kiosk import i18n
from kiosk.printing.escpos_render import to_escpos
from kiosk.printing.layout import QR, display_width
from kiosk.printing.preview import render_preview
from kiosk.terminal import slips
from kiosk.visit import CallHelper, SiteInfo, Visit
from kiosk.visit.hours import Away
from kiosk.visit.tickets import LOCAL_TZ, TicketIssuer

NAME = "欧阳娜娜"
SITE = SiteInfo("zd-qj-01", "421303", "曾都区政务服务中心", "district", "湖北省随州市曾都区某某大道88号",
                "0722-3300000", "一楼东侧自助区")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=LOCAL_TZ)


def make(catalog, tmp_path, kind, matter, have=None):
    return make_at(catalog, tmp_path, SITE, kind, matter, have)


def all_text(slip):
    return slip.to_text()


def qr_data(slip):
    return [b.data for b in slip.blocks if isinstance(b, QR)]


def test_ticket(catalog, tmp_path):
    v, _ = make(catalog, tmp_path, "assist", "pension-enrol")
    slip = slips.build("ticket", v)
    text = all_text(slip)
    assert "A001" in text and "城乡居民基本养老保险参保登记" in text
    assert "人社综合窗口" in text and "即办" in text and "2026-03-02 09:30" in text
    assert "曾都区政务服务中心" in text and "一楼东侧自助区" in text and "帮办" in text
    assert "欧阳**" in text and NAME not in text and "11010519491231002X" not in text
    number_block = next(b for b in slip.blocks if getattr(b, "text", None) == "A001")
    assert number_block.size == 4  # large
    assert qr_data(slip) == []  # no queue configured: nothing to rate by QR code, said plainly
    assert "本机没有连接帮办系统，不能扫码评价" in text.replace("\n", "") and "12345" in text


QUEUED = replace(SITE, queue=True, rating_base="https://zw.example.gov.cn")


def make_at(catalog, tmp_path, site, kind, matter, have=None):
    v = Visit(catalog, site, tickets=TicketIssuer(tmp_path, "421303", "zd-qj-01", clock=NOW.timestamp))
    v.start(kind)
    if kind != "consult":
        v.identify_manually("11010519491231002X", NAME)
    v.choose_matter(matter)
    for m in v.matter.materials:
        v.mark(m.id, "paper" if have is None or m.id in have else "missing")
    return v, v.finish_materials()


@pytest.mark.parametrize("kind, slip_kind, have", [("assist", "ticket", None), ("proxy", "authorization", None),
                                                   ("assist", "notice", set())])
def test_the_qr_code_rates_the_visits_help_request_as_the_kiosk_does(catalog, tmp_path, kind, slip_kind, have):
    v, intents = make_at(catalog, tmp_path, QUEUED, kind, "pension-enrol" if kind == "assist" else "property-transfer",
                         have)
    if slip_kind == "notice":
        intents = v.call_helper()
    call = next(i for i in intents if isinstance(i, CallHelper))
    token = call.payload["rating_token"]
    assert token and len(token) >= 32 and token == v.rating_token  # the request carries what the slip prints
    slip = slips.build(slip_kind, v, now=NOW)
    assert qr_data(slip) == [f"https://zw.example.gov.cn/r/{token}"]
    text = slip.to_text().replace("\n", "")
    assert "扫码评价本次服务（好差评）" in text and "没有您的个人信息" in text
    assert v.help_request_id not in str(qr_data(slip))


def test_a_request_with_no_address_phones_reach_is_rated_at_the_kiosk(catalog, tmp_path):
    v, _ = make_at(catalog, tmp_path, replace(QUEUED, rating_base=""), "assist", "pension-enrol")
    slip = slips.build("ticket", v)
    assert v.help_request_id and v.rating_token is None and qr_data(slip) == []
    assert "请在自助终端上评价本次服务" in slip.to_text().replace("\n", "")


def test_a_consult_with_no_helper_called_has_nothing_to_rate_and_says_so(catalog, tmp_path):
    v, _ = make_at(catalog, tmp_path, QUEUED, "consult", "pension-enrol")
    text = slips.build("ticket", v).to_text().replace("\n", "")
    assert qr_data(slips.build("ticket", v)) == [] and "本次没有呼叫帮办员，不用扫码评价" in text


def test_a_notice_without_a_request_keeps_the_staff_code_and_explains_it(catalog, tmp_path):
    v, _ = make_at(catalog, tmp_path, QUEUED, "consult", "dibao", have=set())
    slip = slips.build("notice", v)
    assert qr_data(slip)[0].startswith("BBDB1|N|421303|dibao|")
    assert "工作人员扫码可看到还缺哪些材料" in slip.to_text().replace("\n", "")


def test_after_hours_the_ticket_says_the_matter_waits_for_the_helpers(catalog, tmp_path):
    v, _ = make_at(catalog, tmp_path, QUEUED, "assist", "pension-enrol")
    v.helpers_away = lambda: Away(datetime(2031, 5, 7, 8, 30), datetime(2031, 5, 6, 19, 0))
    text = slips.build("ticket", v).to_text().replace("\n", "")
    assert "现在是下班时间" in text and "明天 08:30" in text and "赶来" not in text


def test_notice_lists_every_missing_material_with_its_source(catalog, tmp_path):
    v, _ = make(catalog, tmp_path, "assist", "dibao", have={"hukou"})
    slip = slips.build("notice", v, now=NOW)
    text = all_text(slip).replace("\n", "")
    missing = v.result.check.missing
    assert len(missing) == 3
    for m in missing:
        assert m.name in text and m.source in text
    assert "还需补齐以下3项材料" in text.replace(" ", "") and "经帮办员" not in text  # nobody checked: no 经核对
    assert f"告知单编号{v.result.notice_no}" in text.replace(" ", "") and "告知人" not in text
    assert "12345" in text and text.count("（您在终端选择：没有）") == 3
    # what a helper supplies on the spot (the application form) apart from what the resident must fetch
    assert text.index("当场帮您补") < text.index("最低生活保障申请书") < text.index("需要您自己去取") \
        < text.index("共同生活家庭成员")
    assert "30个工作日" in text and "2026年03月02日" in text
    assert SITE.address in text and SITE.phone in text
    assert "张" not in text and "欧阳**" in text and NAME not in text
    assert "户口簿" not in text.split("项材料")[1].split("承诺时限")[0]  # what the resident has is not listed
    assert qr_data(slip) == ["BBDB1|N|421303|dibao|application,idcards,authorization"]


def test_notice_for_a_consult_without_identity(catalog, tmp_path):
    v, _ = make(catalog, tmp_path, "consult", "business-startup", have=set())
    text = all_text(slips.build("notice", v))
    assert "申请人" not in text and "一事联办" in text and "区市场监督管理局牵头" in text


def test_authorization_full_name_masked_number(catalog, tmp_path):
    v, intents = make(catalog, tmp_path, "proxy", "property-transfer")
    slip = slips.build("authorization", v, now=NOW)
    text = all_text(slip).replace("\n", "")
    assert NAME in text  # signed under the full name
    assert "110105********002X" in text and "11010519491231002X" not in text
    assert "核对证件原件" in text and "不动产转移登记（二手房买卖）" in text
    for m in v.matter.materials:
        assert f"□ {m.name}" in text
    assert "委托人签字" in text and "代办员签字" in text and "A001" in text
    assert "预计办结：2026年03月09日前" in text  # 5 working days from Monday 2 March 2026


def test_build_rejects_wrong_requests(catalog, tmp_path):
    v, _ = make(catalog, tmp_path, "assist", "pension-enrol")
    with pytest.raises(ValueError, match="unknown slip 'receipt'"):
        slips.build("receipt", v)
    with pytest.raises(ValueError, match="only for 代办"):
        slips.build("authorization", v)


@pytest.mark.parametrize("width", [58, 80])
@pytest.mark.parametrize("kind, matter", [("ticket", "construction-permit"), ("notice", "dibao"),
                                          ("authorization", "business-startup")])
def test_every_slip_fits_prints_and_previews(catalog, tmp_path, width, kind, matter):
    v, _ = make_at(catalog, tmp_path, QUEUED, "proxy", matter, have=set() if kind == "notice" else None)
    slip = slips.build(kind, v, paper_width_mm=width)
    for line in slip.lines():
        assert line.startswith("[QR: ") or display_width(line) <= slip.columns, line
    data = to_escpos(slip)
    assert b"\x1d(k" in data  # the QR is native
    preview = render_preview(slip)
    assert preview.image.width == slip.paper.dots and preview.missing_glyphs == ()
    for q in qr_data(slip):
        assert NAME not in q and "1949" not in q


def test_english_slips_exist_for_every_key():
    assert {k for k in i18n.keys("zh_CN") if k.startswith("slips.")} <= i18n.keys("en")
    assert {k for k in i18n.keys("zh_CN") if k.startswith("visit.")} <= i18n.keys("en")


def test_notice_names_the_helper_who_checked_and_a_dont_know(catalog, tmp_path):
    v = Visit(catalog, SITE, tickets=TicketIssuer(tmp_path, "421303", "zd-qj-01", clock=NOW.timestamp))
    v.start("assist")
    v.identify_manually("11010519491231002X", NAME)
    v.choose_matter("pension-enrol")
    v.mark("idcard", "unknown")  # calls a helper
    v.helper_update(60, state="claimed", helper="李四")
    v.mark("idcard", "missing")  # answered with the helper beside the resident
    v.mark("hukou", "unknown")
    v.finish_materials()
    text = all_text(slips.build("notice", v, now=NOW)).replace("\n", "")
    # one item a helper checked, one still 不知道: the intro claims no check, each item says who decided
    assert "经帮办员与您核对" not in text and "根据您在自助终端的回答" in text and "帮办员 李四 已当面核对" in text
    assert "请帮办员当面核对" in text  # hukou: 不知道, nobody has looked yet
    assert "告知人" in text and "李四" in text.split("告知人")[1]


def test_elderly_slips_print_larger(catalog, tmp_path):
    from kiosk.printing.layout import Text as SlipText

    def sizes(elderly):
        v, _ = make(catalog, tmp_path / str(elderly), "assist", "dibao", have={"hukou"})
        v.elderly = elderly
        return [b.size for b in slips.build("notice", v, now=NOW).blocks
                if isinstance(b, SlipText) and "获取途径" in b.text]

    assert set(sizes(False)) == {1} and set(sizes(True)) == {2}


@pytest.mark.parametrize("kind, slip_kind, words", [("assist", "ticket", ("办理事项", "扫码评价")),
                                                    ("proxy", "authorization", ("自愿委托", "扫码评价"))])
def test_elderly_tickets_and_forms_print_their_main_lines_larger(catalog, tmp_path, kind, slip_kind, words):
    from kiosk.printing.layout import Text as SlipText

    def sizes(elderly):
        v, _ = make_at(catalog, tmp_path / str(elderly), QUEUED, kind,
                       "pension-enrol" if kind == "assist" else "property-transfer")
        v.elderly = elderly
        blocks = slips.build(slip_kind, v, now=NOW).blocks
        return [next(b.size for b in blocks if isinstance(b, SlipText) and w in b.text) for w in words]

    assert sizes(False) == [1, 1] and sizes(True) == [2, 2]


def test_directions_slip_says_where_the_window_is(catalog, tmp_path):
    site = SiteInfo("zd-qj-01", "421303", "曾都区政务服务中心", help_desk="一楼大厅 3 号帮办代办窗口")
    v = Visit(catalog, site, tickets=TicketIssuer(tmp_path, "421303", "zd-qj-01", clock=NOW.timestamp))
    v.start("assist")
    text = all_text(slips.build("directions", v, now=NOW))
    assert "一楼大厅3号帮办代办窗口" in text.replace("\n", "").replace(" ", "") and "网络" in text
    assert len(to_escpos(slips.build("directions", v, now=NOW))) > 100


def test_an_individual_businesss_name_is_masked_on_the_ticket_and_whole_on_the_signed_form(catalog, tmp_path):
    from kiosk.visit.enterprise import Enterprise

    v, _ = make_at(catalog, tmp_path, QUEUED, "proxy", "property-transfer")
    v.enterprise = Enterprise("92421303MA4B1C2D3K", "曾都区张记热干面馆")
    assert "曾都**干面馆" in slips.build("ticket", v).to_text() and "张记" not in slips.build("ticket", v).to_text()
    assert "曾都区张记热干面馆" in slips.build("authorization", v, now=NOW).to_text()
    v.enterprise = Enterprise("91421303MA4AP7TQ54", "湖北随州编钟文化传媒有限公司")  # a company: not personal
    assert "湖北随州编钟文化传媒有限公司" in slips.build("ticket", v).to_text().replace("\n", "")


@pytest.mark.parametrize("url", [None, "https://zw.example.gov.cn/r/abcdefghijklmnopqrstuvwx"])
def test_the_return_slip_says_what_its_qr_code_is_for(url):
    from datetime import date

    from kiosk.printing.case_slips import CaseSlip, return_slip

    case = CaseSlip("DB-421303-0001", 1, "曾都区政务服务中心", "个体工商户设立登记", "张** 110105********002X",
                    "138****5678", "李四", NOW, 5, date(2026, 3, 9), [{"name": "身份证", "form": "original"}],
                    state="returned", rating_url=url)
    text = return_slip(case).to_text().replace("\n", "")
    assert ("扫码评价本次代办服务" in text) == bool(url)
    assert ("工作人员扫码调出本件" in text and "未开通扫码评价" in text and "12345" in text) == (url is None)


def test_the_case_receipt_says_where_to_ask_and_that_its_code_is_for_the_staff():
    """The 代办受理回执 said 凭回执查询进度 without saying where, and 扫码查询受理编号 under a code that shows a
    phone only the string BBDB1|C|…: an elderly resident scanning it at home learnt nothing. It names the
    帮办代办 window and says the code is for the staff to open the case."""
    from datetime import date

    from kiosk.printing.case_slips import CaseSlip, receipt

    case = CaseSlip("DB-421303-0001", 1, "曾都区政务服务中心", "个体工商户设立登记", "张** 110105********002X",
                    "138****5678", "李四", NOW, 5, date(2026, 3, 9), [{"name": "身份证", "form": "original"}])
    text = receipt(case).to_text().replace("\n", "")
    assert "扫码查询" not in text and "工作人员扫码调出本件" in text
    assert "帮办代办窗口查询进度" in text


def test_after_hours_an_english_screen_still_prints_when_helpers_are_back_in_chinese(catalog, tmp_path):
    """The slip goes to Chinese staff and offices: the time helpers are back is worded in the slip's
    language, whatever the resident chose for the screen."""
    from datetime import datetime, timedelta

    from kiosk.i18n import set_language
    from kiosk.terminal.hours import back_words

    now = datetime(2031, 5, 6, 19, 0)
    v, _ = make_at(catalog, tmp_path, QUEUED, "assist", "pension-enrol")
    v.helpers_away = lambda: Away(now + timedelta(hours=13, minutes=30), now)
    set_language("en")
    try:
        assert "tomorrow" in back_words(v)  # the screen's own wording
        text = slips.build("ticket", v).to_text().replace("\n", "")
    finally:
        set_language("zh_CN")
    assert "明天 08:30" in text and "tomorrow" not in text


def test_notice_tells_the_materials_needed_only_in_some_cases_at_once(catalog, tmp_path):
    """一次性告知: the notice listed only the required materials, so a resident whose case needs an
    optional one (社保卡或银行卡 when paying by bank deduction) learnt it on a second trip. It names each
    optional material not answered 带了, when it applies and where to get it; never one they have."""
    v, _ = make(catalog, tmp_path, "assist", "pension-enrol", have={"hukou"})  # ID card and bank card: 没有
    text = all_text(slips.build("notice", v)).replace("\n", "").replace(" ", "")
    bank = catalog.get("pension-enrol").material("bankcard")
    assert "还需补齐以下1项材料" in text  # the optional one is not counted missing
    assert "视情况需要" in text and bank.name in text and bank.note in text and bank.source in text
    v, _ = make(catalog, tmp_path / "2", "assist", "pension-enrol", have={"hukou", "bankcard"})
    text = all_text(slips.build("notice", v)).replace("\n", "").replace(" ", "")
    assert bank.name not in text and "视情况需要" not in text


def test_a_due_date_counted_into_a_year_without_its_schedule_says_it_may_change(catalog, tmp_path,
                                                                               no_holidays_file):
    v, _ = make(catalog, tmp_path, "proxy", "property-transfer")  # 5 working days
    text = all_text(slips.build("authorization", v, now=datetime(2026, 12, 28, 9, 30, tzinfo=LOCAL_TZ)))
    text = text.replace("\n", "")  # Tue 29, Wed 30, Thu 31 Dec; 1 Jan is 元旦; Mon 4, Tue 5 Jan
    assert "预计办结：2027年01月05日前" in text and "节假日安排以本中心公告为准" in text
    text = all_text(slips.build("authorization", v, now=NOW)).replace("\n", "")
    assert "预计办结：2026年03月09日前" in text and "公告为准" not in text  # 2026: the schedule is known


def test_the_case_receipt_says_when_its_promised_date_may_change():
    from datetime import date

    from kiosk.printing.case_slips import CaseSlip, receipt

    case = CaseSlip("DB-421303-0001", 1, "曾都区政务服务中心", "个体工商户设立登记", "张** 110105********002X",
                    "138****5678", "李四", NOW, 30, date(2027, 1, 18), [{"name": "身份证", "form": "original"}])
    assert "公告为准" not in receipt(case).to_text()
    guessed = receipt(replace(case, promised_estimate=True))
    assert "节假日安排以本中心公告为准" in guessed.to_text().replace("\n", "")
    assert "holiday arrangements" in receipt(replace(case, promised_estimate=True), language="en").to_text()

@pytest.mark.parametrize("site, said", [(QUEUED, "代办员办结后即可评价"),
                                        (replace(QUEUED, rating_base=""), "本次代办服务不能扫码评价")])
@pytest.mark.parametrize("slip_kind", ["authorization", "ticket"])
def test_a_proxy_slips_rating_line_names_the_agent_not_a_helper(catalog, tmp_path, site, said, slip_kind):
    """代办: the 代办员 does the errand; the rating line on the 授权委托书 and ticket says so, and promises
    no rating at the kiosk (the kiosk asks only after a 帮办, a 代办 request becomes a case)."""
    v, _ = make_at(catalog, tmp_path, site, "proxy", "property-transfer")
    assert v.help_request_id
    text = slips.build(slip_kind, v, now=NOW).to_text().replace("\n", "").replace(" ", "")
    assert said in text and "帮办员" not in text and "自助终端上评价" not in text
    english = slips.build(slip_kind, v, now=NOW, language="en").to_text().replace("\n", " ")
    assert "helper" not in english and "agent" in english
