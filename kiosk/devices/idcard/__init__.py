"""Resident ID card reader (SAM module, GA/T 467) over pyserial, and its protocol simulator.

- ``protocol``: frames, the stream parser, protocol errors.   ``errors``: SW3 codes as exceptions.
- ``card``: ``IdCard`` and the photo decoder interface.        ``layout``: text blocks of the 4 card types.
- ``codes``: gender and ethnicity tables.                       ``idnumber``: GB 11643 checks.
- ``reader``: ``SamReader`` (the driver).                       ``cli``: ``kiosk devices read-id``.
- ``simulator`` / ``sim_server`` / ``identities``: ``kiosk simulate idcard``.

Nothing is imported here, so ``import kiosk.devices.idcard.cli`` stays light.
"""
