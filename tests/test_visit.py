"""The visit as a state machine: steps, transitions, intents, device failures, idle, help requests."""

import dataclasses
from dataclasses import dataclass, field
from datetime import date

import pytest

from kiosk.visit import (
    BACK,
    TRANSITIONS,
    CallHelper,
    InvalidIdNumber,
    Kind,
    MaterialStatus,
    PrintSlip,
    ReportDevice,
    SiteInfo,
    Step,
    TellHelper,
    TransitionError,
    Visit,
    VisitError,
    VisitReset,
    validate_id_number,
)
from kiosk.visit.tickets import TicketIssuer

ID = "11010519491231002X"
SITE = SiteInfo("zd-qj-01", "421303", "曾都区政务服务中心", "district", "随州市曾都区某路1号", "0722-1234567", "一楼东侧")


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


@dataclass
class Card:  # the fields of kiosk.devices.idcard.card.IdCard that the visit reads
    name: str = "欧阳娜娜"
    id_number: str = ID
    card_type: str = "resident"
    gender: str = "女"
    birth_date: date = date(1949, 12, 31)
    address: str = "湖北省随州市曾都区某街道某号"
    photo_raw: bytearray = field(default_factory=lambda: bytearray(b"WLT" * 400))
    fingerprint_raw: bytearray = field(default_factory=lambda: bytearray(b"\x77" * 64))


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def visit(catalog, clock, tmp_path):
    return Visit(catalog, SITE, tickets=TicketIssuer(tmp_path / "state", "421303", "zd-qj-01"), clock=clock,
                 idle_timeout_s=90, countdown_s=15, capture_dir=tmp_path / "captures")


def to_materials(v, kind="assist", matter="pension-enrol"):
    v.start(kind)
    if kind != "consult":
        v.identify_with_card(Card())
    v.choose_matter(matter)


def answer_all(v, status="missing"):
    for m in v.matter.materials:
        v.mark(m.id, status)


def test_transition_table_is_closed_and_reset_reaches_start():
    assert set(TRANSITIONS) == set(Step)
    assert all(targets <= set(Step) for targets in TRANSITIONS.values())
    assert all(BACK[s] in TRANSITIONS[s] for s in BACK)


def test_assist_path_complete(visit):
    seen = []
    visit.subscribe(lambda v: seen.append(v.step))
    to_materials(visit)
    assert visit.step is Step.MATERIALS and visit.kind is Kind.ASSIST
    # the card read at the reader answers 居民身份证; the rest waits for the resident
    assert visit.statuses["idcard"] is MaterialStatus.PAPER and visit.from_card == {"idcard"}
    assert {visit.statuses[m] for m in visit.statuses if m != "idcard"} == {MaterialStatus.UNSET}
    visit.attach_capture("idcard", bytearray(b"\x01" * 100))
    visit.mark("hukou", "paper")
    intents = visit.finish_materials()
    assert visit.step is Step.RESULT and visit.result.complete
    assert visit.result.ticket.number == "A001"
    assert intents[0] == PrintSlip("ticket")
    call = intents[1]
    assert isinstance(call, CallHelper) and call.reason == "lead" and call.request_id == visit.help_request_id
    assert call.payload["ticket"] == "A001" and call.payload["matter_id"] == "pension-enrol"
    assert call.payload["name_masked"] == "欧阳**" and ID not in str(call.payload)
    assert call.payload["kiosk_id"] == "zd-qj-01" and call.payload["step"] == "result"
    visit.done()
    assert visit.step is Step.DONE and visit.identity is None
    steps = [s for i, s in enumerate(seen) if i == 0 or seen[i - 1] is not s]
    assert steps == [Step.IDENTIFY, Step.MATTER, Step.MATERIALS, Step.RESULT, Step.DONE]
    assert seen.count(Step.MATERIALS) == 3  # the materials screen refreshes on each mark / capture


def test_proxy_complete_prints_authorization_and_calls_for_handover(visit):
    to_materials(visit, "proxy")
    for m in visit.matter.materials:
        visit.mark(m.id, "paper")
    intents = visit.finish_materials()
    assert intents[:2] == [PrintSlip("ticket"), PrintSlip("authorization")]
    assert intents[2].reason == "handover"


def test_incomplete_prints_the_notice_only(visit):
    to_materials(visit, "assist", "dibao")
    visit.mark("application", "missing")
    visit.mark("hukou", "paper")
    with pytest.raises(VisitError, match="not answered"):  # idcards, authorization: no answer yet
        visit.finish_materials()
    assert visit.step is Step.MATERIALS and visit.unanswered() == ["idcards", "authorization"]
    visit.mark("idcards", "missing")
    visit.mark("authorization", "missing")
    intents = visit.finish_materials()
    assert intents == [PrintSlip("notice")] and visit.result.slips == ("notice",)
    assert visit.result.notice_no == f"421303-{visit.visit_id[:8].upper()}"
    assert not visit.result.complete and visit.result.ticket is None
    assert [m.id for m in visit.result.check.missing] == ["application", "idcards", "authorization"]
    assert visit.help_request_id is None
    assert isinstance(visit.call_helper()[0], CallHelper)  # the resident can still call


def test_consult_skips_identify_and_may_identify_later(visit):
    visit.start(Kind.CONSULT)
    assert visit.step is Step.MATTER and visit.identity is None
    visit.go_identify()
    visit.skip_identify()
    visit.choose_matter("marriage")
    for m in visit.matter.required:
        visit.mark(m.id, "paper")
    assert visit.finish_materials() == [PrintSlip("ticket")]  # consult: no helper unless asked


def test_assist_and_proxy_cannot_skip_identify(visit):
    visit.start("proxy")
    with pytest.raises(VisitError, match="need the resident's identity"):
        visit.skip_identify()


@pytest.mark.parametrize("call", [
    lambda v: v.choose_matter("dibao"),
    lambda v: v.finish_materials(),
    lambda v: v.done(),
    lambda v: v.identify_manually(ID),
    lambda v: v.mark("idcard", "paper"),
    lambda v: v.back(),
])
def test_wrong_transitions_from_start_raise_and_change_nothing(visit, call):
    with pytest.raises(TransitionError):
        call(visit)
    assert visit.step is Step.START and visit.identity is None


def test_wrong_transitions_later(visit):
    to_materials(visit)
    with pytest.raises(TransitionError, match="cannot go from materials to done"):
        visit.done()
    with pytest.raises(TransitionError):
        visit.start("assist")
    with pytest.raises(TransitionError):
        visit.identify_with_card(Card())
    with pytest.raises(VisitError, match="attach_capture"):
        visit.mark("idcard", MaterialStatus.CAPTURED)
    with pytest.raises(KeyError):
        visit.mark("no-such-material", "paper")
    assert visit.step is Step.MATERIALS
    visit.reset()
    with pytest.raises(ValueError):
        visit.start("shopping")
    assert visit.step is Step.START


@pytest.mark.parametrize("steps", range(5))
def test_reset_from_every_step(visit, steps):
    actions = [lambda: visit.start("assist"), lambda: visit.identify_with_card(Card()),
               lambda: (visit.choose_matter("pension-enrol"), answer_all(visit)), visit.finish_materials,
               visit.done]
    for action in actions[:steps]:
        action()
    first_id = visit.visit_id
    out = visit.reset()
    assert out == [VisitReset("manual", None)]
    assert visit.step is Step.START and visit.kind is None and visit.matter is None and visit.result is None
    assert visit.visit_id != first_id and not visit.has_personal_data()


def test_back_keeps_the_ticket_and_the_request(visit):
    to_materials(visit)
    for m in visit.matter.materials:
        visit.mark(m.id, "paper")
    visit.finish_materials()
    ticket, request = visit.result.ticket, visit.help_request_id
    visit.back()
    assert visit.step is Step.MATERIALS and visit.result is None
    intents = visit.finish_materials()
    assert visit.result.ticket == ticket and visit.help_request_id == request
    assert intents[0] == PrintSlip("ticket")  # no second help request, the same one is updated
    assert [type(i) for i in intents] == [PrintSlip, TellHelper] and intents[1].request_id == request
    visit.back()
    visit.back()
    assert visit.step is Step.MATTER
    visit.back()
    assert visit.step is Step.IDENTIFY
    with pytest.raises(TransitionError, match="use reset"):
        visit.back()


def test_consult_back_from_matter_resets(visit):
    visit.start("consult")
    visit.back()
    assert visit.step is Step.START


def test_changing_the_matter_drops_the_captures(visit):
    to_materials(visit)
    image = bytearray(b"\xff" * 32)
    visit.attach_capture("idcard", image)
    visit.back()
    visit.choose_matter("social-card")
    assert visit.captures == {} and image == bytearray(32)
    assert visit.statuses["photo"] is MaterialStatus.UNSET  # a new checklist, not yet answered
    assert visit.statuses["idcard"] is MaterialStatus.PAPER and "idcard" in visit.from_card  # the card read


def test_remarking_a_captured_material_zeroes_its_image(visit):
    to_materials(visit)
    image = bytearray(b"\xff" * 32)
    visit.attach_capture("idcard", image)
    visit.mark("idcard", "paper")
    assert image == bytearray(32) and "idcard" not in visit.captures


def test_call_helper_twice_makes_one_request(visit):
    visit.start("assist")
    first = visit.call_helper()
    assert len(first) == 1 and first[0].reason == "resident" and first[0].payload["step"] == "identify"
    assert visit.call_helper() == []
    visit.identify_manually(ID)
    visit.choose_matter("dibao")
    for m in visit.matter.materials:
        visit.mark(m.id, "paper")
    intents = visit.finish_materials()
    assert not any(isinstance(i, CallHelper) for i in intents)  # already called: not a second request
    assert intents[-1] == TellHelper(first[0].request_id, "visit.helper.ready_lead", visit.request_payload())
    out = visit.reset("idle")
    assert out == [VisitReset("idle", first[0].request_id)]  # the controller can cancel it
    assert visit.help_request_id is None and len(visit.call_helper()) == 1


def test_manual_entry_checks_the_id_number(visit):
    visit.start("proxy")
    for bad, key in [("1101051949123100", "visit.id.length"), ("11010519491231002A", "visit.id.chars"),
                     ("110105194913310021", "visit.id.birth"), ("110105194912310021", "visit.id.check")]:
        with pytest.raises(InvalidIdNumber) as info:
            visit.identify_manually(bad)
        assert info.value.key == key
        assert visit.step is Step.IDENTIFY
    visit.identify_manually(" 110105 19491231 002x ", name=" 张三 ")
    assert visit.identity.id_number == ID and visit.identity.name == "张三"
    assert visit.identity.source == "manual" and visit.step is Step.MATTER
    assert "张三" not in repr(visit.identity) and ID not in repr(visit.identity)


def test_validator_accepts_full_width_and_permits():
    assert validate_id_number("１１０１０５１９４９１２３１００２ｘ") == ID
    assert validate_id_number("810000199408230021") == "810000199408230021"  # HK residence permit
    with pytest.raises(InvalidIdNumber) as info:
        validate_id_number("001234199001010013")  # right check digit, no such area: a typo to re-check
    assert info.value.key == "visit.id.check"


def test_card_fields_and_enum_card_type(visit):
    class CardType:
        value = "hk_mo_tw"

    card = Card(card_type=CardType())
    visit.start("assist")
    visit.identify_with_card(card)
    ident = visit.identity
    assert ident.card_type == "hk_mo_tw" and ident.birth_date == "1949-12-31" and ident.gender == "女"
    assert ident.photo == bytearray(b"WLT" * 400) and ident.photo is not card.photo_raw
    # the card's own buffers are zeroed at once: the visit's copy is the only one left
    assert card.photo_raw == bytearray(1200) and card.fingerprint_raw == bytearray(64)


def test_a_kept_card_is_left_alone(visit):
    card = Card()
    visit.start("assist")
    visit.identify_with_card(card, consume=False)
    assert card.photo_raw == bytearray(b"WLT" * 400)
    visit.wipe()
    assert card.photo_raw == bytearray(b"WLT" * 400)


def test_the_card_readers_idcard(visit):
    from kiosk.devices.idcard.identities import IDENTITIES

    sample = IDENTITIES["zhang_san"]
    card = dataclasses.replace(sample, photo_raw=bytearray(sample.photo_raw),
                               fingerprint_raw=bytearray(sample.fingerprint_raw))
    visit.start("proxy")
    visit.identify_with_card(card)
    ident = visit.identity
    assert (ident.name, ident.id_number, ident.card_type) == (sample.name, sample.id_number, "resident")
    assert ident.birth_date == sample.birth_date.isoformat() and ident.address == sample.current_address
    assert bytes(ident.photo) == bytes(sample.photo_raw) and not any(card.photo_raw)
    photo = ident.photo
    visit.reset()
    assert not any(photo)


def test_reader_missing_and_camera_lost(visit):
    visit.start("assist")
    assert visit.reader_missing("端口无响应") == [ReportDevice("idcard", "端口无响应")]
    assert not visit.reader_available
    visit.identify_manually(ID)
    visit.choose_matter("pension-enrol")
    assert MaterialStatus.CAPTURED in visit.allowed_marks("idcard")
    assert visit.camera_lost() == [ReportDevice("camera", "camera lost")]
    assert visit.allowed_marks("idcard") == (MaterialStatus.PAPER, MaterialStatus.MISSING, MaterialStatus.UNKNOWN)
    with pytest.raises(VisitError, match="mark it paper or missing"):
        visit.attach_capture("idcard", b"img")
    visit.mark("idcard", "paper")
    visit.device_back("camera")
    assert MaterialStatus.CAPTURED in visit.allowed_marks("idcard")


def test_not_capturable_material_offers_paper_or_missing(visit):
    to_materials(visit, "assist", "social-card")
    assert visit.allowed_marks("photo") == (MaterialStatus.PAPER, MaterialStatus.MISSING, MaterialStatus.UNKNOWN)


def test_printer_out_of_paper(visit):
    to_materials(visit)
    for m in visit.matter.materials:
        visit.mark(m.id, "paper")
    visit.finish_materials()
    intents = visit.print_failed("ticket", "out of paper")
    assert intents[0] == ReportDevice("printer", "out of paper")
    assert isinstance(intents[1], TellHelper) and intents[1].request_id == visit.help_request_id
    assert visit.result.show_number_large and visit.result.printed == {"ticket": False}
    assert visit.result.print_failed
    assert not visit.printer_ok


def test_notice_not_printed_shows_no_number(visit):
    to_materials(visit)
    for m in visit.matter.materials:
        visit.mark(m.id, "missing")
    visit.finish_materials()
    intents = visit.print_failed("notice", "out of paper")
    assert visit.result.print_failed and not visit.result.show_number_large
    assert intents[1].reason == "printer" and visit.result.printed == {"notice": False}


def test_printer_failure_without_a_request_calls_a_helper(visit):
    to_materials(visit, "consult")
    for m in visit.matter.materials:
        visit.mark(m.id, "paper")
    visit.finish_materials()
    intents = visit.print_failed("ticket")
    assert intents[1].reason == "printer" and intents[1].payload["ticket"] == "A001"
    visit.print_done("notice")
    assert visit.result.printed["notice"] is True


def test_broken_ticket_store_does_not_strand_the_resident(catalog, clock):
    def broken():
        raise OSError("disk full")

    v = Visit(catalog, SITE, tickets=broken, clock=clock)
    to_materials(v)
    for m in v.matter.materials:
        v.mark(m.id, "paper")
    intents = v.finish_materials()
    assert ReportDevice("storage", "ticket counter failed: disk full") in intents
    assert any(isinstance(i, CallHelper) for i in intents) and PrintSlip("ticket") in intents
    assert v.result.complete and v.result.ticket is None and v.result.no_ticket and v.result.print_failed
    assert not v.result.show_number_large  # no number to show


def test_idle_countdown_and_reset(visit, clock):
    assert visit.idle_status().phase == "active" and visit.tick() == []  # empty start screen never resets
    visit.start("assist")
    clock.t += 80
    status = visit.idle_status()
    assert status.phase == "active" and status.seconds_left == pytest.approx(25)
    assert status.deadline == pytest.approx(1105)
    clock.t += 15
    assert visit.idle_status().phase == "warning" and visit.idle_status().seconds_left == pytest.approx(10)
    visit.touch()
    assert visit.idle_status().phase == "active"
    clock.t += 105
    assert visit.idle_status().phase == "expired"
    assert visit.tick() == [VisitReset("idle", None)] and visit.step is Step.START


def test_elderly_mode_gives_longer_times_and_priority(visit, clock):
    visit.set_elderly(True)
    visit.start("assist")
    assert visit.timeouts == (180, 30)
    clock.t += 150
    assert visit.idle_status().phase == "active"
    assert visit.call_helper()[0].payload["priority"] == "elderly"
    visit.reset()
    assert visit.elderly is False  # back to the kiosk's default for the next resident


def test_core_imports_no_kivy_and_no_network():
    import subprocess
    import sys

    code = ("import sys, kiosk.visit, kiosk.catalog, kiosk.visit.tickets, kiosk.terminal.slips;"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('kivy', 'requests', 'httpx', 'urllib3', 'fastapi', 'cv2', 'numpy', 'sqlalchemy'));"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
