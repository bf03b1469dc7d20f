"""The kiosk terminal's glue: the Kivy app, the controller between the visit, the devices, the printer and
the help queue, the printed slips, voice, the manager PIN and ``kiosk run`` / ``kiosk demo``."""
