"""Config sections of the devices. ``type`` picks the driver (see :mod:`kiosk.devices.registry`).

Simulators speak the real protocols, so in a demo or a test the real drivers point at them:
``socket://127.0.0.1:PORT`` for the card reader and the serial button, ``tcp://127.0.0.1:PORT`` for the
printer. Only the camera has an in-process ``simulator`` type (frames have no wire protocol).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kiosk.config.uris import check_printer_uri, check_serial_url


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _serial(v: str) -> str:
    problem = check_serial_url(v)
    if problem:
        raise ValueError(problem)
    return v


class IdCardConfig(Strict):
    type: Literal["sam", "none"] = "sam"
    port: str = "socket://127.0.0.1:7101"
    baud: Literal[9600, 19200, 38400, 57600, 115200] = 115200
    poll_interval_s: float = Field(0.5, ge=0.1, le=5, description="how often to look for a card")
    read_timeout_s: float = Field(3.0, ge=0.5, le=30, description="the module's own time for a read of the card (30 01/30 10/30 03); the reply's "
                                "wire time at the baud is added (1.35 s for 30 01 at 9600 baud)")
    command_timeout_s: float = Field(1.0, ge=0.2, le=10, description="for find, select and the other commands (plus their wire time)")
    read_appended_address: bool = Field(True, description="also read the appended (newer) address, 30 03")
    read_fingerprint: bool = Field(False, description="read with 30 10 (text + photo + fingerprint data)")

    @field_validator("port")
    @classmethod
    def _port(cls, v: str) -> str:
        return _serial(v)


class CameraConfig(Strict):
    type: Literal["opencv", "simulator", "none"] = "simulator"
    source: str = Field("0", description="device index (0), device path, file:PATH, rtsp:// or http:// URL")
    scenario: str = Field("page", description="simulator only: page, no_page, moving, blurred, glare, dark, lost")
    width: int = Field(1280, ge=160, le=8000)
    height: int = Field(720, ge=120, le=8000)
    mjpg: bool = True
    still_frames: int = Field(12, ge=3, le=60, description="frames the page must keep still before auto-capture")
    min_sharpness: float = Field(20.0, ge=0, le=100,
                                 description="steepest edge as % of page contrast per pixel; calibrate per camera")
    min_brightness: float = Field(80.0, ge=0, le=255, description="mean grey of the page below this: too dark")
    max_brightness: float = Field(240.0, ge=0, le=255, description="mean grey of the page above this: too bright")
    max_glare: float = Field(0.01, ge=0, le=1, description="share of saturated page pixels above this: glare")
    max_skew_deg: float = Field(15.0, ge=1, le=60, description="page corner this far from 90°: not flat")

    @field_validator("scenario")
    @classmethod
    def _scenario(cls, v: str) -> str:
        if v in ("page", "no_page", "moving", "blurred", "glare", "dark", "lost"):
            return v
        if v.startswith("folder:"):
            if not Path(v[7:]).is_dir():
                raise ValueError(f"folder '{v[7:]}' does not exist; expected a folder of recorded frames")
            return v
        raise ValueError(f"'{v}' is not a scenario; expected page, no_page, moving, blurred, glare, dark, lost "
                         "or folder:PATH")

    @model_validator(mode="after")
    def _brightness_range(self) -> CameraConfig:
        if self.min_brightness >= self.max_brightness:
            raise ValueError("min_brightness must be below max_brightness, e.g. 80 and 240")
        return self

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if v.isdigit() or v.startswith(("/dev/", "rtsp://", "http://", "https://")):
            return v
        if v.startswith("file:"):
            if not Path(v[5:]).exists():
                raise ValueError(f"file '{v[5:]}' does not exist; expected a video or image file")
            return v
        raise ValueError(f"'{v}' is not a camera source; expected 0, /dev/video0, file:PATH or rtsp://…")


class PrinterConfig(Strict):
    type: Literal["escpos", "none"] = "escpos"
    uri: str = "tcp://127.0.0.1:9100"
    profile: str | None = Field(None, description="python-escpos profile name, e.g. TM-T88V, ZJ-5870")
    paper_width_mm: Literal[58, 80] = 80
    status_timeout_s: float = Field(1.0, gt=0, le=10, description="wait this long for a DLE EOT reply")
    encoding: Literal["gbk", "gb18030", "gb2312"] = Field(
        "gbk", description="Chinese encoding of the printer's font: gbk (most models), gb2312 (models whose "
                           "manual says GB2312) or gb18030; characters outside it print as a raster line")
    four_byte_codes: bool = Field(
        True, description="gb18030 only: false when the printer's GB18030 font holds only the double-byte "
                          "area (then 𠮷 and other four-byte characters print as a raster line)")
    qr_module_sizes: tuple[int, int] | None = Field(
        None, description="the QR module sizes the printer takes, e.g. [2, 5] (default: Epson profiles 1–16, "
                          "others 1–8)")
    monitor_interval_s: float = Field(
        10.0, ge=0, le=3600, description="ask the status this often for health and reconnect; 0 = only when printing")

    @field_validator("uri")
    @classmethod
    def _uri(cls, v: str) -> str:
        problem = check_printer_uri(v)
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("qr_module_sizes")
    @classmethod
    def _qr_sizes(cls, v: tuple[int, int] | None) -> tuple[int, int] | None:
        if v is not None and not 1 <= v[0] <= v[1] <= 16:
            raise ValueError(f"{list(v)} is not a range of module sizes within 1–16; expected e.g. [1, 8] or [2, 5]")
        return v


class ButtonConfig(Strict):
    type: Literal["serial", "serial-contact", "evdev", "keyboard", "none"] = "keyboard"
    port: str | None = Field(None, description="serial types: the port, e.g. /dev/ttyUSB1 or socket://…")
    device: str | None = Field(None, description="evdev: /dev/input/by-id/… of the button")
    key: str = Field("F12", description="keyboard and evdev: the key that counts as a press (evdev: or 'any')")
    baud: Literal[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] = 9600
    press_byte: int | None = Field(None, ge=0, le=255, description="serial: the byte of a press (default: any)")
    line: Literal["cts", "dsr", "cd", "ri"] = Field(
        "cts", description="serial-contact: the input line the contact closes to (DTR is driven high)")
    debounce_ms: int = Field(50, ge=0, le=2000)
    long_press_ms: int = Field(1500, ge=200, le=10000)
    min_interval_s: float = Field(3.0, ge=0, le=600, description="presses closer than this count once")

    @field_validator("port")
    @classmethod
    def _port(cls, v: str | None) -> str | None:
        return None if v is None else _serial(v)

    @model_validator(mode="after")
    def _needs(self) -> ButtonConfig:
        if self.type in ("serial", "serial-contact") and not self.port:
            raise ValueError(f"type '{self.type}' needs port, e.g. port = \"/dev/ttyUSB1\"")
        if self.type == "serial-contact" and self.port and self.port.startswith("socket://"):
            raise ValueError("type 'serial-contact' cannot use socket:// (it carries no modem lines); "
                             "use a device path like /dev/ttyUSB1 or rfc2217://HOST:PORT")
        if self.type == "evdev" and not self.device:
            raise ValueError("type 'evdev' needs device, e.g. device = \"/dev/input/by-id/usb-…-event-kbd\"")
        return self


class DevicesConfig(Strict):
    idcard: IdCardConfig = IdCardConfig()
    camera: CameraConfig = CameraConfig()
    printer: PrinterConfig = PrinterConfig()
    button: ButtonConfig = ButtonConfig()
