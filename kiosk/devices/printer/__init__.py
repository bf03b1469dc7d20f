"""The ESC/POS ticket printer: ``driver`` (EscposPrinter), ``transports`` (URIs → python-escpos),
``status`` (DLE EOT), ``simulator`` (a network printer that records, answers and previews), ``cli``."""
