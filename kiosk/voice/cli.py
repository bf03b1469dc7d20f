"""`kiosk voice say TEXT [--out FILE.wav]`: a technician tests the speaker (or makes a WAV file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("voice", help="语音提示 (spoken guidance: test the speaker)")
    vsub = p.add_subparsers(dest="voice_command", metavar="COMMAND", required=True)
    s = vsub.add_parser("say", help="说一句话 (speak TEXT, or write it to a WAV file)")
    s.add_argument("text", metavar="TEXT", help="what to say, e.g. 请取号")
    s.add_argument("--out", metavar="FILE.wav", help="write a WAV file instead of speaking")
    s.add_argument("--volume", type=int, default=None, help="0-100 (default: ui.voice_volume, else 70)")
    s.add_argument("--key", metavar="KEY", help="a recorded prompt's name (KEY.wav in ui.voice_prompts)")
    s.add_argument("--config", metavar="FILE", help="kiosk config for ui.voice_volume and ui.voice_prompts")
    s.set_defaults(func=_say)


def _say(args: argparse.Namespace) -> int:
    from kiosk.voice import Voice

    volume, prompts = 70, None
    if args.config:
        from kiosk.config.settings import ConfigError, load_config

        try:
            ui = load_config(args.config).ui
        except ConfigError as err:
            print(f"{err.source}: " + "; ".join(err.problems), file=sys.stderr)
            return 1
        volume, prompts = ui.voice_volume, ui.voice_prompts
    if args.volume is not None:
        if not 0 <= args.volume <= 100:
            print(f"kiosk voice say: --volume {args.volume} is out of range; give 0-100", file=sys.stderr)
            return 2
        volume = args.volume
    voice = Voice.create(volume=volume, prompts=prompts)
    if voice is None:
        print("kiosk voice say: espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 3
    try:
        if args.out:
            spoken = voice.to_wav(args.text, Path(args.out), args.key)
            print(f"{args.out}: {spoken}")
        else:
            out = Path(_tmp_wav())
            spoken = voice.to_wav(args.text, out, args.key)
            print(spoken)
            return _play(out)
    finally:
        voice.close()
    return 0


def _tmp_wav() -> str:
    import tempfile

    fd, name = tempfile.mkstemp(suffix=".wav", prefix="kiosk-voice-")
    import os

    os.close(fd)
    return name


def _play(path: Path) -> int:
    """Plays a WAV file with aplay (blocking); says so when there is no player or no sound card."""
    import shutil
    import subprocess

    player = shutil.which("aplay")
    try:
        if player is None:
            print("kiosk voice say: aplay is not installed (apt-get install alsa-utils); "
                  "use --out FILE.wav to listen elsewhere", file=sys.stderr)
            return 3
        done = subprocess.run([player, "-q", str(path)], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            print(f"kiosk voice say: the speaker did not play: {done.stderr.strip().splitlines()[-1:]}",
                  file=sys.stderr)
            return 4
        return 0
    finally:
        path.unlink(missing_ok=True)
