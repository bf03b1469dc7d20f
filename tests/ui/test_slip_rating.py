"""The slip's QR code leads to the same 好差评 as the kiosk asks (issue 12, items 13 and 15), with real
touches over the real card reader and printer drivers: the 小票 printed for a 帮办 visit carries
``<queue.public_url>/r/<token>`` and the help request in the outbox carries that token (the server rates
the request by it); the slip says what the code is for."""

import pytest

from kiosk.printing.layout import QR
from tests.ui.kit import ID_NUMBER, close, requests, sim_kiosk, wait

PUBLIC = "https://zw.example.gov.cn"


@pytest.fixture
def h(window, sims, tmp_path):
    harness = sim_kiosk(sims, tmp_path, printer=True, queue={"public_url": PUBLIC + "/"})
    yield harness
    close(harness)


def test_the_ticket_qr_rates_the_request_the_kiosk_sent(h):
    before = len(h.sims["printer"].slips)
    h.to_result()
    h.settle(10)
    assert h.sims["printer"].wait_for_slips(before + 1, 10)
    ticket = h.sims["printer"].slips[before]
    codes = [b.data for b in ticket.blocks if isinstance(b, QR)]
    assert len(codes) == 1 and codes[0].startswith(PUBLIC + "/r/")
    token = codes[0].rsplit("/", 1)[1]
    h.controller.wait_idle()
    wait(h, lambda: len(requests(h)) == 1, 10, "the help request in the outbox")
    assert requests(h)[0].body["rating_token"] == token and len(token) >= 32
    text = "".join(getattr(b, "text", "") for b in ticket.blocks).replace(" ", "")
    assert "扫码评价本次服务" in text and ID_NUMBER not in text
