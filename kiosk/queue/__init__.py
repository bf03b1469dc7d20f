"""The central help queue: server, web console, and the kiosk's outbox client."""
