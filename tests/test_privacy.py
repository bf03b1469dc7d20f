import logging

from kiosk.privacy import RedactingFilter, mask_address, mask_id_number, mask_name, redact_text


def test_masks():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name("ZHANG SAN") == "Z**** S**"
    assert mask_address("湖北省随州市曾都区西城街道100号") == "湖北省随州市****"


def test_redacts_id_numbers_in_text_and_logs(caplog):
    assert "19491231" not in redact_text("card 11010519491231002X read")
    logger = logging.getLogger("test.redact")
    handler = logging.Handler()
    seen = []
    handler.emit = lambda record: seen.append(record.getMessage())
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("read %s ok", "11010519491231002X")
    finally:
        logger.removeHandler(handler)
    assert seen == ["read 110105********002X ok"]
