"""Kiosk configuration: one TOML file per kiosk, validated against :mod:`kiosk.config.settings`."""

from kiosk.config.settings import ConfigError, KioskConfig, load_config

__all__ = ["ConfigError", "KioskConfig", "load_config"]
