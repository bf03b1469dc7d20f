"""Running the help-queue server as a service: ``kiosk queue install`` (user, state folder, hardened
systemd unit, TLS or an nginx site), ``tls-cert`` (an internal CA for the hall's Wi-Fi), ``backup`` /
``restore`` (while serving), and ``status``."""
