"""Spoken guidance: real Mandarin offline, recorded prompts first, never a word that is not true.

Debian's ``espeak-ng`` voice ``cmn`` reads Chinese characters as spelled-out pinyin in English ("king
three, chew three…"). Its voice ``cmn-latn-pinyin`` speaks Mandarin from tone-numbered pinyin
(``qing3 qu3 hao4``). So a text is first turned into pinyin (:mod:`.speech`, with pypinyin: phrases,
polyphones, numbers read as Chinese), in a child process (:mod:`.child`) so that pypinyin's ~55 MB never
load into the kiosk; then ``espeak-ng -v cmn-latn-pinyin`` speaks it. A hall may record its own prompts:
``ui.voice_prompts/KEY.wav`` (``start.wav``, ``identify.wav`` …) is played instead of the synthetic voice
for the fixed prompt KEY.

Modules: :mod:`.speech` (text → pinyin), :mod:`.child` (the converting child process and its client),
:mod:`.engine` (:class:`Voice`: speaking in the background, volume, 再听一遍, WAV prompts, WAV files),
:mod:`.cli` (``kiosk voice say TEXT [--out FILE.wav]``).
"""

from kiosk.voice.engine import Voice

__all__ = ["Voice"]
