"""A local HTTP server that records what webhooks post, answering like the robots do (or failing on cue)."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Posts to ``/<name>…`` are recorded as ``{name, path, query, headers, body, json, at}``; the answers of
    a path can be queued (``fail(name, status, body)``); otherwise 200 with the robot's success body."""

    def __init__(self):
        self.posts: list[dict] = []
        self.lock = threading.Lock()
        self.scripted: dict[str, list[tuple[int, bytes]]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urllib.parse.urlsplit(self.path)
                name = parts.path.strip("/").split("/")[0]
                with receiver.lock:
                    receiver.posts.append({"name": name, "path": parts.path, "at": time.monotonic(),
                                           "query": dict(urllib.parse.parse_qsl(parts.query)),
                                           "headers": {k.lower(): v for k, v in self.headers.items()},
                                           "body": raw, "json": json.loads(raw or b"null")})
                    queue = receiver.scripted.get(name) or []
                    status, body = queue.pop(0) if queue else (200, b'{"errcode":0,"errmsg":"ok","code":0}')
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def fail(self, name: str, status: int, body: bytes = b"{}", times: int = 1) -> None:
        with self.lock:
            self.scripted.setdefault(name, []).extend([(status, body)] * times)

    def of(self, name: str) -> list[dict]:
        with self.lock:
            return [p for p in self.posts if p["name"] == name]

    def wait(self, name: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.of(name)
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"{name}: {len(self.of(name))} post(s) after {timeout} s, wanted {count}")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
