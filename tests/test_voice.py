"""The voice speaks Mandarin: text → tone-numbered pinyin for espeak-ng's cmn-latn-pinyin (in a child
process, never in the kiosk), hall recordings first, volume, and `kiosk voice say`."""

import io
import shutil
import subprocess
import sys
import wave

import pytest

from kiosk.voice.engine import Voice, scaled_wav
from kiosk.voice.speech import number_words, to_pinyin

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed")


def test_pinyin_with_tones_numbers_read_the_chinese_way_and_pauses():
    assert to_pinyin("请取号") == "qing3 qu3 hao4"
    assert to_pinyin("您的号码是 A037。") == "nin2 de5 hao4 ma3 shi4 A ling2 san1 qi1"
    assert to_pinyin("大约 3 分钟，18 位") == "da4 yue1 san1 fen1 zhong1, shi2 ba1 wei4"
    assert to_pinyin("银行卡") == "yin2 hang2 ka3"  # phrases decide a polyphone
    assert [number_words(n) for n in (0, 10, 15, 105, 2000, 20305)] == ["零", "十", "十五", "一百零五", "两千",
                                                                        "两万零三百零五"]


def test_times_of_day_and_the_hotline_are_said_as_a_hall_says_them():
    """The after-hours lines say when the staff are back and the hotline: 09:00 was read 零九，零零 and
    12345 一万两千三百四十五; a resident hears 九点 and 幺二三四五."""
    assert to_pinyin("明天 09:00上班") == "ming2 tian1 jiu3 dian3 shang4 ban1"
    assert to_pinyin("08:30-12:00") == "ba1 dian3 ban4 dao4 shi2 er4 dian3"
    assert to_pinyin("17:45") == "shi2 qi1 dian3 si4 shi2 wu3 fen1"
    assert to_pinyin("请拨打 12345") == "qing3 bo1 da3 yao1 er4 san1 si4 wu3"
    assert to_pinyin("共 12346 元") == "gong4 yi1 wan4 liang3 qian1 san1 bai3 si4 shi2 liu4 yuan2"  # not a hotline


@needs_espeak
def test_the_mandarin_voice_reads_pinyin_as_mandarin_not_as_english_letters():
    def phonemes(voice, text):
        return subprocess.run([ESPEAK, "-q", "-x", "-v", voice, text], capture_output=True, text=True,
                              timeout=30).stdout

    spelled = phonemes("cmn", "请取号")  # Debian's cmn: "(en)kI55NT…" — spelled in English
    mandarin = phonemes("cmn-latn-pinyin", to_pinyin("请取号"))
    assert "(en)" in spelled and "(en)" not in mandarin
    assert "35" in mandarin and "21" in mandarin and "51" in mandarin  # the three tones of qing3 qu3 hao4


@needs_espeak
def test_kiosk_voice_say_writes_a_wav_without_pypinyin_in_the_kiosk(tmp_path):
    out = tmp_path / "v.wav"
    done = subprocess.run([sys.executable, "-m", "kiosk", "voice", "say", "请取号，您的号码是 A037", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "qing3 qu3 hao4" in done.stdout
    with wave.open(str(out)) as w:
        assert w.getnframes() / w.getframerate() > 1.0  # seconds of speech
    code = ("import sys; from kiosk.voice import Voice; v = Voice.create(); v.say('请取号'); "
            "v._pinyin.convert('请取号'); print('pypinyin' in sys.modules); v.close()")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert loaded.stdout.strip() == "False", loaded.stderr  # the child did the conversion


def test_recorded_prompts_take_precedence_and_follow_the_volume(tmp_path):
    frames = b"".join(int(v).to_bytes(2, "little", signed=True) for v in (1000, -2000, 3000, -4000) * 100)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(frames)
    (tmp_path / "identify.wav").write_bytes(buf.getvalue())
    voice = Voice("/bin/true", volume=50, prompts=tmp_path, player=None)
    try:
        out = tmp_path / "out.wav"
        assert voice.to_wav("请刷身份证", out, key="identify") == "identify.wav"
        with wave.open(str(out)) as w:
            first = int.from_bytes(w.readframes(1), "little", signed=True)
        assert first == 500  # half as loud
        assert voice.prompt_file("nothing") is None
        assert scaled_wav(buf.getvalue(), 100) == buf.getvalue()
        assert [voice.next_level() for _ in range(3)] == [70, 100, 40]
    finally:
        voice.close()


def test_kiosk_voice_say_refuses_a_bad_volume():
    done = subprocess.run([sys.executable, "-m", "kiosk", "voice", "say", "x", "--volume", "300"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "0-100" in done.stderr


def test_a_counted_two_is_said_liang_as_mandarin_speakers_say_it():
    """The voice said 大约 èr 分钟 and 还缺 èr 项材料: Mandarin counts with 两 (two minutes, two items, two
    people); an ordinal, a date, a ticket number or a larger number keeps 二."""
    assert to_pinyin("已通知帮办员，大约\u00a02\u00a0分钟后到") == "yi3 tong1 zhi1 bang1 ban4 yuan2, da4 yue1 liang3 fen1 zhong1 hou4 dao4"
    assert to_pinyin("还缺 2 项材料") == "hai2 que1 liang3 xiang4 cai2 liao4"
    assert to_pinyin("前面还有 2\u00a0人") == "qian2 mian4 hai2 you3 liang3 ren2"
    assert to_pinyin("第 2 页") == "di4 er4 ye4" and to_pinyin("第2项") == "di4 er4 xiang4"
    assert to_pinyin("2 月 3 日") == "er4 yue4 san1 ri4" and to_pinyin("12 项") == "shi2 er4 xiang4"
    assert to_pinyin("您的号码是 A 0 0 2。") == "nin2 de5 hao4 ma3 shi4 A ling2 ling2 er4"
