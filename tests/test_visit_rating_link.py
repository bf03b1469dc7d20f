"""Where a slip's 好差评 QR code points: the queue server's address as phones reach it (``queue.public_url``,
else ``queue.url`` unless that is loopback), and only when the kiosk runs a help-queue client."""

import pytest

from kiosk.config.settings import QueueConfig, parse_config
from kiosk.screens.shots import make_env, shot_config
from kiosk.visit import SiteInfo


@pytest.mark.parametrize("url, public, base", [
    ("http://127.0.0.1:8600", None, ""),  # no phone opens a loopback address
    ("http://localhost:8600", None, ""),
    ("http://10.1.2.3:8600", None, "http://10.1.2.3:8600"),  # the hall's wifi reaches it
    ("http://127.0.0.1:8600", "https://zw.example.gov.cn/", "https://zw.example.gov.cn"),
])
def test_the_rating_base(url, public, base):
    assert QueueConfig(url=url, public_url=public).rating_base() == base


def test_a_public_url_must_be_http():
    with pytest.raises(ValueError, match="public_url"):
        QueueConfig(public_url="ftp://zw.example.gov.cn")


def test_no_queue_client_no_rating_link():
    data = shot_config(make_env()).model_dump(mode="json")
    data["queue"]["public_url"] = "https://zw.example.gov.cn"
    config = parse_config(data, "<test>")
    assert SiteInfo.from_config(config, queue=True).rating_base == "https://zw.example.gov.cn"
    without = SiteInfo.from_config(config)
    assert (without.queue, without.rating_base) == (False, "")
