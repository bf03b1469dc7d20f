"""The 65+ offer over any screen: a card (or ID number) says the resident is 65 or older, so the kiosk
offers 长辈模式 and priority by itself. Modal: only its three buttons answer."""

from __future__ import annotations

from kivy.properties import NumericProperty

from kiosk.screens.kvload import load_kv
from kiosk.screens.widgets.common import ModalOverlay


class SeniorOffer(ModalOverlay):
    """``on_answer(choice)``: ``elderly`` (长辈模式 and priority), ``priority`` (priority only), ``no``."""

    age = NumericProperty(65)



def show_senior_offer(root, age: int) -> SeniorOffer:
    """Puts the offer over ``root`` (a KioskRoot); answering carries it out and closes it."""
    from kiosk.screens.widgets.common import discard

    offer = SeniorOffer(age=age)

    def answer(_w, choice: str) -> None:
        if choice != "no":
            root.controller.green.accept_senior(choice == "elderly")
        root.remove_widget(offer)
        discard(offer)

    offer.bind(on_answer=answer)
    root.add_widget(offer)
    root.controller.speak(offer.ids.title.text + "。" + offer.ids.body.text)
    return offer


load_kv(__file__)
