"""帮办代办: kiosk terminal, device drivers and the central help queue for government service halls."""

__version__ = "0.1.0"
