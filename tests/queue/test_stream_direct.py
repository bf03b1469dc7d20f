"""A console's live writes go straight onto uvicorn's transport as HTTP chunks, and through uvicorn's
``send`` whenever the transport is paused (a slow console) or the client is gone."""

from __future__ import annotations

from types import SimpleNamespace

from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

from kiosk.queue.stream import direct_writer


class Transport:
    def __init__(self):
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)


def cycle(chunked=True, started=True) -> RequestResponseCycle:
    c = object.__new__(RequestResponseCycle)  # the state a streaming response's cycle has, without a socket
    c.transport, c.flow = Transport(), SimpleNamespace(write_paused=False)
    c.chunked_encoding, c.response_started, c.response_complete, c.disconnected = chunked, started, False, False
    return c


def test_a_write_is_one_chunk_on_the_transport():
    c = cycle()
    write = direct_writer(c.send)
    assert write(b"id: 7\r\ndata: {}\r\n\r\n") is True
    assert c.transport.written == [b"13\r\nid: 7\r\ndata: {}\r\n\r\n\r\n"]  # 0x13 = 19 bytes


def test_a_paused_transport_or_a_gone_client_is_left_to_uvicorns_send():
    c = cycle()
    write = direct_writer(c.send)
    c.flow.write_paused = True  # a slow console: send waits for the drain
    assert write(b"x") is False
    c.flow.write_paused, c.disconnected = False, True
    assert write(b"x") is False
    assert c.transport.written == []


def test_anything_but_a_started_chunked_httptools_response_keeps_send():
    assert direct_writer(cycle(chunked=False).send) is None
    assert direct_writer(cycle(started=False).send) is None

    async def other_send(message):  # another server, or a test's ASGI client
        pass

    assert direct_writer(other_send) is None
