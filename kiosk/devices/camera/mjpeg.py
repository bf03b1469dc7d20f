"""The simulated camera as a network camera: an MJPEG stream over HTTP (``multipart/x-mixed-replace``).

``kiosk simulate camera --serve`` runs it so that the real :class:`~kiosk.devices.camera.source.OpenCvCamera`
(config ``type = "opencv"``, ``source = "http://127.0.0.1:PORT/stream.mjpg"``) reads the scenario over
the network, as it would read an IP document camera. When the scenario loses the camera, the stream ends
and new connections are refused (HTTP 503) while the camera is away.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2

from kiosk.devices.camera.simulator import ScenarioPlayer

BOUNDARY = b"frame"


class MjpegServer:
    """Streams ``player``'s frames at ``fps`` to every client of ``http://host:port/stream.mjpg``.

    ``port=0`` lets the OS choose (see ``url``). ``frames`` ends each client's stream after that many
    frames (None: endless). ``start()`` serves on a daemon thread; ``stop()`` ends it.
    """

    def __init__(self, player: ScenarioPlayer, host: str = "127.0.0.1", port: int = 0, fps: float = 10.0,
                 frames: int | None = None, jpeg_quality: int = 85):
        self.player, self.fps, self.frames, self.jpeg_quality = player, fps, frames, jpeg_quality
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if self.path.split("?")[0] not in ("/", "/stream.mjpg"):
                    self.send_error(404, "the stream is at /stream.mjpg")
                    return
                server._stream(self)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/stream.mjpg"

    def _stream(self, handler: BaseHTTPRequestHandler) -> None:
        capture = self.player.open()
        if not capture.isOpened():
            handler.send_error(503, "the simulated camera is unplugged; try again shortly")
            return
        handler.send_response(200)
        handler.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY.decode()}")
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()
        sent, next_at = 0, time.monotonic()
        while not self._stopping.is_set() and (self.frames is None or sent < self.frames):
            ok, image = capture.read()
            if not ok or image is None:
                return  # the camera went away: end the stream, the client sees the end
            ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
            part = b"--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % (BOUNDARY, len(buf))
            try:
                handler.wfile.write(part + buf.tobytes() + b"\r\n")
                handler.wfile.flush()
            except OSError:
                return  # the client left
            sent += 1
            next_at += 1.0 / self.fps
            self._stopping.wait(max(0.0, next_at - time.monotonic()))

    def start(self) -> MjpegServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="camera-mjpeg", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()
