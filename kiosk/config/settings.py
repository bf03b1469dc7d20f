"""The kiosk's configuration schema and its loading.

One TOML file per kiosk. :func:`load_config` returns a validated :class:`KioskConfig` or raises
:class:`ConfigError` whose ``problems`` are lines of the form ``field.path: what is wrong, what is expected``.
Device sections are in :mod:`kiosk.config.devices`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kiosk.config.access import AccessConfig
from kiosk.config.devices import DevicesConfig
from kiosk.config.tomlfile import TomlFileError, read_toml_file
from kiosk.config.uris import check_http_url

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CATALOG = PACKAGE_DIR / "catalogs" / "zengdu_sample.toml"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class SiteConfig(Strict):
    level: Literal["district", "town", "village"]  # kiosk.config.levels.SITE_LEVELS (a test keeps them equal)
    code: str = Field(min_length=1, max_length=32, description="the hall's code, e.g. 421303 or 421303-101")
    name: str = Field(min_length=1, max_length=64)
    address: str = ""
    phone: str = ""
    parent_code: str | None = Field(None, description="the next level up, for escalation (town → district)")
    help_desk: str = Field("", max_length=80, description="where the hall's 帮办代办 window is, e.g. "
                           "一楼大厅 3 号窗口; told and printed when a help call cannot reach the helpers")
    complaints: str = Field("", max_length=80, description="where to complain (监督电话), printed on the "
                            "一次性告知单; the 12345 hotline when empty")
    windows: dict[str, str] = Field(default_factory=dict, description="this hall's window or area per "
                                    "department, e.g. 区医疗保障局 = \"二楼 B 区 12–15 号窗口\" (shown as where to go)")


class QueuingConfig(Strict):
    type: Literal["none", "simulator"] = Field("none", description="the hall's queuing system (排队叫号): none "
                                               "(not connected: residents take a number at the window) or simulator")
    simulator_served_per_min: float = Field(0.5, gt=0, le=60, description="simulator: people called a minute")


class QueueConfig(Strict):
    url: str = "http://127.0.0.1:8600"
    token: str | None = Field(None, description="this kiosk's token; prefer token_file")
    token_file: Path | None = None
    ca_file: Path | None = Field(None, description="PEM CA to trust for an https:// url (a hall's internal CA)")
    timeout_s: float = Field(5.0, gt=0, le=60)
    heartbeat_interval_s: float = Field(30.0, ge=1, le=3600)
    public_url: str | None = Field(None, description="the queue server's address as residents' phones reach it "
                                   "(its serve --public-url): the slips' 好差评 QR codes link to <public_url>/r/…; "
                                   "unset: url, unless that is a loopback address no phone can open")

    @field_validator("url", "public_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        problem = check_http_url(v)
        if problem:
            raise ValueError(problem)
        return v.rstrip("/")

    def rating_base(self) -> str:
        """Where a slip's 好差评 QR code points (``<this>/r/<token>``); "" when no phone could open it."""
        from urllib.parse import urlsplit

        base = self.public_url or self.url
        host = (urlsplit(base).hostname or "").lower()
        return "" if host in ("localhost", "::1") or host.startswith("127.") else base

    @field_validator("token_file")
    @classmethod
    def _token_file(cls, v: Path | None) -> Path | None:
        if v is not None and not v.is_file():
            raise ValueError(f"file '{v}' does not exist; create it with the token from `kiosk queue add-kiosk`")
        return v

    @field_validator("ca_file")
    @classmethod
    def _ca_file(cls, v: Path | None) -> Path | None:
        if v is not None and not v.is_file():
            raise ValueError(f"file '{v}' does not exist; copy the server's ca.pem (`kiosk queue tls-cert`) here")
        return v


class UiConfig(Strict):
    language: Literal["zh_CN", "en"] = "zh_CN"
    font: Path = Path(DEFAULT_FONT)
    idle_timeout_s: float = Field(90, ge=10, le=3600, description="quiet time before the countdown")
    countdown_s: float = Field(15, ge=3, le=120, description="visible countdown before the reset")
    elderly_mode_default: bool = False
    elderly_timeout_factor: float = Field(2.0, ge=1, le=5)
    fullscreen: bool = True
    width: int = Field(1080, ge=480, le=7680)
    height: int = Field(1920, ge=480, le=7680)
    voice: bool = Field(True, description="spoken guidance in elderly mode")
    voice_volume: int = Field(70, ge=0, le=100, description="starting loudness of the voice, 0-100")
    voice_prompts: Path | None = Field(None, description="a folder of recorded prompts (KEY.wav, e.g. "
                                       "identify.wav) that take precedence over the synthetic voice")
    help_wait_max_s: float = Field(1200, ge=60, le=7200, description="while a helper is on the way the idle "
                                   "reset waits, at most this long after the last touch")
    done_return_s: float = Field(10, ge=3, le=120, description="the thank-you screen returns to the start "
                                 "after this long (times the elderly factor in elderly mode)")

    @field_validator("font")
    @classmethod
    def _font(cls, v: Path) -> Path:
        if not v.is_file():
            raise ValueError(f"font file '{v}' does not exist; install fonts-wqy-microhei or name a CJK .ttf/.ttc")
        return v


class PrivacyConfig(Strict):
    sent_outbox_retention_days: int = Field(7, ge=0, le=365, description="days to keep delivered outbox rows")
    handover_identity_hours: float = Field(
        1.0, gt=0, le=720, description="what the 代办 notice tells residents: hours the queue server keeps their "
        "identity after the request ends (set it to the server's identity_hours)")
    capture_dir: Path | None = Field(None, description="where captured images wait (default: a private temp dir)")
    outbox_key_file: Path | None = Field(
        None, description="the outbox's key, kept apart from it (default: STATE_DIR/keys/outbox.key)")


class ManagerConfig(Strict):
    pin_hash: str | None = Field(None, description="argon2 hash from `kiosk config hash-pin`")
    max_attempts: int = Field(5, ge=1, le=20)
    lockout_s: int = Field(300, ge=10, le=86400)

    @field_validator("pin_hash")
    @classmethod
    def _pin(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("$argon2"):
            raise ValueError("is not an argon2 hash; expected the output of `kiosk config hash-pin`")
        return v


def catalog_version_of(path: Path) -> str | None:
    """The ``[catalog] version`` of a matters file, or None when it is not a readable catalogue."""
    import tomllib

    try:
        with path.open("rb") as fh:
            info = tomllib.load(fh).get("catalog")
    except (OSError, ValueError):
        return None
    return str(info.get("version", "")) if isinstance(info, dict) else None


def find_catalog(catalog: Path, version: str | None) -> Path | None:
    """``catalog`` itself, or the ``*.toml`` beside it whose ``[catalog] version`` is ``version``."""
    if version is None or catalog_version_of(catalog) == version:
        return catalog
    for path in sorted(catalog.parent.glob("*.toml")):
        if path != catalog and catalog_version_of(path) == version:
            return path
    return None


class KioskConfig(Strict):
    kiosk_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    location: str = Field("", description="where the machine stands in the hall, shown to helpers")
    state_dir: Path = Path("state")
    catalog: Path = DEFAULT_CATALOG
    catalog_version: str | None = Field(None, min_length=1, max_length=64, description=(
        "run the catalogue of this version: `catalog` itself or a .toml file beside it whose [catalog] "
        "version is exactly this (set centrally to switch kiosks to a new catalogue once it is copied)"))
    site: SiteConfig
    queue: QueueConfig = QueueConfig()
    queuing: QueuingConfig = QueuingConfig()
    devices: DevicesConfig = DevicesConfig()
    ui: UiConfig = UiConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    manager: ManagerConfig = ManagerConfig()
    access: AccessConfig = AccessConfig()

    @field_validator("catalog")
    @classmethod
    def _catalog(cls, v: Path) -> Path:
        if not v.is_file():
            raise ValueError(f"catalogue file '{v}' does not exist; expected a matters TOML file")
        return v

    @field_validator("catalog_version")
    @classmethod
    def _catalog_version(cls, v: str | None, info) -> str | None:
        catalog = info.data.get("catalog")
        if v is not None and catalog is not None and find_catalog(catalog, v) is None:
            raise ValueError(f"no catalogue of version '{v}' beside '{catalog}': copy the file there first "
                             "(its [catalog] version must be exactly this)")
        return v

    @property
    def catalog_file(self) -> Path:
        """The catalogue to run: ``catalog``, or the one of ``catalog_version`` beside it."""
        return find_catalog(self.catalog, self.catalog_version) or self.catalog


class ConfigError(Exception):
    """The config is unusable. ``problems`` holds one ``field.path: message`` line per problem."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def format_errors(error: ValidationError) -> list[str]:
    lines = []
    for e in error.errors():
        path = ".".join(str(p) for p in e["loc"]) or "(top level)"
        kind = e["type"]
        msg = e["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            msg = "unknown key; remove it or check its spelling (see `kiosk config init`)"
        elif kind == "missing":
            msg = "is missing; this key is required"
        elif kind not in ("value_error", "assertion_error") and "input" in e:
            got = repr(e["input"])
            msg = f"{msg} (got {got if len(got) <= 80 else got[:77] + '…'})"
        lines.append(f"{path}: {msg}")
    return lines


def parse_config(data: dict, source: str = "<config>") -> KioskConfig:
    try:
        return KioskConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(source, format_errors(err)) from None


def load_config(path: str | Path) -> KioskConfig:
    """Reads and validates a kiosk config file. Raises :class:`ConfigError` with every problem found."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(str(p), [f"(file): '{p}' does not exist; create one with `kiosk config init {p}`"])
    try:
        data = read_toml_file(p)
    except TomlFileError as err:
        raise ConfigError(str(p), [f"(file): {err}"]) from None
    return parse_config(data, str(p))
