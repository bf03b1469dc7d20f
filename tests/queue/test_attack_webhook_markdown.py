"""Markdown smuggled into the hall's staff chat group: 企业微信 and 钉钉 robots get ``msgtype: markdown``, and
the line of a new request carries the matter's name and ticket number as the kiosk sent them. With a stolen
kiosk token, a matter named ``[领取补贴](http://…)`` became a clickable link posted by the hall's own robot
into the helpers' group (phishing under the hall's name), ``![](http://…)`` an image every member's phone
fetches from the attacker, a line break a ``# 通知`` headline, ``<@…>`` a mention. Now the texts a kiosk or a
person wrote go out with the markdown-active characters as their full-width forms (``［］（）＜＞``) and
line breaks as spaces: the words arrive, nothing in them is a link, an image or a heading."""

from __future__ import annotations

import httpx

from tests.queue.conftest import auth
from tests.queue.webhook_receiver import Receiver

MATTER = "[领取补贴](http://evil.example/a)\n# 紧急通知 ![x](http://evil.example/p.png)"


def test_a_kiosks_text_is_no_link_image_or_heading_in_the_robots_markdown(world, live):
    token = world.token("mgr")
    with Receiver() as receiver, httpx.Client(base_url=live.url, timeout=10) as http:
        for kind, url in (("wecom", f"{receiver.base}/wecom/send?key=k"), ("dingtalk", f"{receiver.base}/dingtalk/send")):
            r = http.post("/api/v1/webhooks", json={"site_code": "T1", "kind": kind, "url": url}, headers=auth(token))
            assert r.status_code == 201, r.text
        body = world.request_body(matter_name=MATTER, ticket_no="<@all>")
        assert http.post("/api/v1/requests", json=body, headers=auth(world.kiosk_tokens["k1"])).status_code == 201
        texts = [receiver.wait("wecom", timeout=30)[0]["json"]["markdown"]["content"],
                 receiver.wait("dingtalk", timeout=30)[0]["json"]["markdown"]["text"]]
    for text in texts:
        assert "领取补贴" in text and "【新求助】" in text, text  # the words still arrive
        assert "](" not in text and "![" not in text and "<@" not in text and "\n#" not in text, text
        assert "［领取补贴］（http" in text and "＜@all＞" in text, text
