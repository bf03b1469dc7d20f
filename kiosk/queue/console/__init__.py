"""The helpers' and managers' web console: static HTML/JS/CSS served by the queue server (no build step).

Wire it into the FastAPI app with :func:`kiosk.queue.console.routes.mount_console`.
"""
