"""The one keypad-typing rule the ID and callback-number screens share (``keypads.type_key``)."""

from types import SimpleNamespace


def screen():
    s = SimpleNamespace(typed="", message="", message_tone="muted", submitted=[])
    s.submit = lambda: s.submitted.append(s.typed)
    return s


def test_id_number_digits_then_x_only_as_the_check_character(window):
    from kiosk.screens.identify import id_character
    from kiosk.screens.widgets.keypads import type_key

    s = screen()
    type_key(s, "X", id_character)  # X is no first character
    assert s.typed == ""
    for ch in "11010519491231002":
        type_key(s, ch, id_character)
    type_key(s, "X", id_character)
    type_key(s, "5", id_character)  # full: nothing more
    assert s.typed == "11010519491231002X"
    type_key(s, "back", id_character)
    assert s.typed == "11010519491231002"
    type_key(s, "enter", id_character)
    assert s.submitted == ["11010519491231002"] and s.typed == "11010519491231002"
    type_key(s, "clear", id_character)
    assert s.typed == ""


def test_an_error_goes_when_the_resident_types_again_other_messages_stay(window):
    from kiosk.screens.widgets.keypads import type_key

    digits = lambda typed, k: k.isdigit() and len(typed) < 12  # noqa: E731
    s = screen()
    s.message, s.message_tone = "号码位数不对", "error"
    type_key(s, "enter", digits)  # submitting again keeps the error the screen shows
    assert (s.message, s.message_tone) == ("号码位数不对", "error")
    type_key(s, "1", digits)
    assert (s.typed, s.message, s.message_tone) == ("1", "", "muted")
    s.message, s.message_tone = "请输入手机号", "warn"
    type_key(s, "back", digits)
    assert (s.typed, s.message, s.message_tone) == ("", "请输入手机号", "warn")
    for ch in "0722123456789":
        type_key(s, ch, digits)
    assert s.typed == "072212345678"  # 12 digits at most
