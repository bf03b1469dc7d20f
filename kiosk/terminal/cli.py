"""`kiosk run`, `kiosk demo`, `kiosk screenshots`: the kiosk terminal itself. Heavy imports happen in
the handlers, never at parser-build time."""

from __future__ import annotations

import argparse
import os
import sys


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Registers the kiosk terminal's commands."""
    p = sub.add_parser("run", help="运行自助终端 (run the kiosk terminal)")
    p.add_argument("--config", metavar="FILE", help="kiosk config (default: $KIOSK_CONFIG or ./kiosk.toml)")
    p.add_argument("--windowed", action="store_true",
                   help="a window instead of full screen, which may be closed (for trying it out)")
    p.set_defaults(func=_run)
    p = sub.add_parser("demo", help="演示：模拟设备+呼叫服务+终端 (everything on this machine, simulated devices)")
    p.add_argument("--out", metavar="DIR", default="demo-out", help="where screens and slips go (demo-out)")
    p.add_argument("--headless", action="store_true", help="run the scripted visit even with a display")
    p.add_argument("--exit", action="store_true",
                   help="stop everything after the scripted visits (default: the help-queue server and the "
                        "simulators keep running until Ctrl-C, so the console can be looked at)")
    p.set_defaults(func=_demo)
    p = sub.add_parser("screenshots", help="把每个界面渲染成 PNG (render every screen to PNG)")
    p.add_argument("--out", metavar="DIR", required=True, help="output folder (normal/ and elderly/ inside)")
    p.add_argument("--mode", choices=("normal", "elderly", "both"), default="both")
    p.add_argument("--only", metavar="TEXT", help="only scenarios whose name contains TEXT")
    p.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN", help="the screens' language")
    p.set_defaults(func=_screenshots)


def _run(args: argparse.Namespace) -> int:
    from kiosk.config.paths import default_config_path
    from kiosk.config.settings import ConfigError, load_config

    path = args.config or default_config_path()
    if not path:
        print("kiosk run: no config; name one with --config FILE or create ./kiosk.toml with "
              "`kiosk config init`", file=sys.stderr)
        return 2
    try:
        config = load_config(path)
    except ConfigError as err:
        print(f"{err.source}: {len(err.problems)} problem(s)", file=sys.stderr)
        for line in err.problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    missing = no_display()
    if missing:
        print(f"kiosk run: {missing}", file=sys.stderr)
        return 2
    from kiosk.deploy.hardening import harden_process, private_state
    from kiosk.terminal.app import run_kiosk

    harden_process()  # before any file is written or any card is read: umask 077, no core dumps
    private_state(config.state_dir, path)
    log_file = config.state_dir / "logs" / "kiosk.log"
    print(f"kiosk run: {config.kiosk_id} ({config.site.name}); log (INFO, ID numbers masked): {log_file}")
    return run_kiosk(config, fullscreen=False if args.windowed else None, log_file=log_file,
                     locked=not args.windowed)


def no_display(environ: dict[str, str] | None = None, platform: str = sys.platform) -> str | None:
    """Why the kiosk window could not be seen here (no X11 or Wayland display and no SDL video driver
    named), with what to do instead; None when there is a display. A video driver named on purpose
    (``SDL_VIDEODRIVER=kmsdrm`` on a bare console, ``offscreen`` for a test) is taken as meant."""
    env = os.environ if environ is None else environ
    if not platform.startswith("linux") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    if env.get("SDL_VIDEODRIVER"):
        return None
    return ("there is no display here (DISPLAY and WAYLAND_DISPLAY are not set), so the kiosk would draw "
            "offscreen where nobody can see or touch it. On the kiosk, start it from its graphical session "
            "(or DISPLAY=:0), or on a bare console with SDL_VIDEODRIVER=kmsdrm (SDL_VIDEODRIVER=offscreen runs "
            "it unseen on purpose). To try it without a display: "
            "`kiosk screenshots --out shots/` renders every screen to PNG, `kiosk demo` runs visits end to "
            "end on simulated devices and saves each screen.")


def _demo(args: argparse.Namespace) -> int:
    from kiosk.terminal.demo import run

    return run(args.out, interactive=False if args.headless else None, keep_up=not args.exit)


def _screenshots(args: argparse.Namespace) -> int:
    import tempfile

    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
    from kiosk.i18n import set_language
    from kiosk.screens.shots import make_env, render_all, shot_config
    from kiosk.terminal.app import prepare_kivy

    set_language(args.lang)
    prepare_kivy(shot_config(make_env()).ui, fullscreen=False, size=(1080, 1920))
    modes = ("normal", "elderly") if args.mode == "both" else (args.mode,)
    paths = render_all(args.out, modes, args.only)
    print(f"{len(paths)} screenshots in {args.out}")
    return 0 if paths else 1
