import shutil
import threading
import time

import cv2
import numpy as np
import pytest

from kiosk.devices.base import Backoff, DeviceNotFound, HealthState
from kiosk.devices.camera.simulator import SimulatedCamera
from kiosk.devices.camera.source import OpenCvCamera, parse_source
from kiosk.i18n import say


def _video(path, frames=6, size=(320, 240)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    assert writer.isOpened()
    for i in range(frames):
        img = np.full((size[1], size[0], 3), 30 * i, np.uint8)
        cv2.putText(img, str(i), (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 5)
        writer.write(img)
    writer.release()
    return path


def _wait(predicate, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_sources_are_parsed_like_the_config_names_them():
    assert parse_source("0") == 0 and parse_source(2) == 2
    assert parse_source("file:/tmp/a.mp4") == "/tmp/a.mp4"
    assert parse_source("/dev/video1") == "/dev/video1" and parse_source("rtsp://h/s") == "rtsp://h/s"


def test_a_video_file_plays_and_loops(tmp_path):
    cam = OpenCvCamera(f"file:{_video(tmp_path / 'v.avi')}", loop=True)
    frames = [cam.read() for _ in range(9)]
    assert all(f is not None and f.shape == (240, 320, 3) for f in frames)
    assert abs(int(frames[6].mean()) - int(frames[0].mean())) < 5  # frame 6 is frame 0 again
    assert cam.health().state is HealthState.CONNECTED
    cam.close()


def test_an_image_file_is_a_still_camera_and_passes_the_self_test(tmp_path):
    path = tmp_path / "page.png"
    cv2.imwrite(str(path), np.full((90, 160, 3), 128, np.uint8))
    cam = OpenCvCamera(f"file:{path}")
    result = cam.self_test()
    assert result.ok and "160×90" in result.message
    cam.close()


def test_a_missing_device_is_reported_not_raised():
    cam = OpenCvCamera("/dev/video-none-here")
    assert cam.read() is None
    health = cam.health()
    assert health.state is HealthState.DISCONNECTED and "/dev/video-none-here" in say(health.reason)
    assert not cam.self_test().ok
    with pytest.raises(DeviceNotFound):
        cam.open()


def test_camera_gone_turns_disconnected_and_reconnects_when_it_returns(tmp_path):
    video = _video(tmp_path / "v.avi")
    hidden = tmp_path / "hidden.avi"
    cam = OpenCvCamera(f"file:{video}", loop=False, fps=200, backoff=Backoff(0.01, 0.05))
    states, frames = [], []
    cam.subscribe(lambda h: states.append(h.state))
    shutil.move(video, hidden)  # the device is unplugged before the first open …
    cam.start(frames.append)
    try:
        assert _wait(lambda: HealthState.DISCONNECTED in states)
        assert not frames
        shutil.move(hidden, video)  # … and plugged in again
        assert _wait(lambda: len(frames) >= 6)
        assert HealthState.CONNECTED in states
        shutil.move(video, hidden)  # gone mid-stream: end of file and nothing to reopen
        assert _wait(lambda: states[-1] is HealthState.DISCONNECTED)
        n = len(frames)
        shutil.move(hidden, video)
        assert _wait(lambda: len(frames) > n and cam.health().state is HealthState.CONNECTED)
    finally:
        cam.close()
    assert [f.seq for f in frames] == list(range(1, len(frames) + 1))


def test_the_simulator_loses_the_camera_and_the_driver_reconnects():
    cam = SimulatedCamera("lost", 320, 180, fps=300, lost_after=10, lost_for=2)
    states, frames = [], []
    cam.subscribe(lambda h: states.append(h.state))
    done = threading.Event()

    def on_frame(frame):
        frames.append(frame)
        if len(frames) >= 25:
            done.set()

    cam.start(on_frame)
    try:
        assert done.wait(10)
    finally:
        cam.close()
    transitions = [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]
    assert transitions[:4] == [HealthState.CONNECTED, HealthState.DISCONNECTED] * 2
    assert cam.player.refusals == 0 and cam.player.index > 25


def test_the_registry_builds_both_drivers_from_config(tmp_path):
    from kiosk.config.devices import CameraConfig
    from kiosk.devices import registry

    sim = registry.create("camera", CameraConfig(type="simulator", scenario="glare", width=320, height=180))
    assert isinstance(sim, SimulatedCamera) and sim.read().shape == (180, 320, 3)
    path = tmp_path / "p.png"
    cv2.imwrite(str(path), np.zeros((50, 60, 3), np.uint8))
    real = registry.create("camera", CameraConfig(type="opencv", source=f"file:{path}"))
    assert isinstance(real, OpenCvCamera) and real.read().shape == (50, 60, 3)
    assert registry.create("camera", CameraConfig(type="none")) is None


def test_the_driver_reads_the_simulator_as_a_network_camera_and_survives_its_loss():
    from kiosk.devices.camera.mjpeg import MjpegServer
    from kiosk.devices.camera.simulator import ScenarioPlayer

    server = MjpegServer(ScenarioPlayer("lost", 320, 180, lost_after=8, lost_for=2), fps=100).start()
    cam = OpenCvCamera(server.url, backoff=Backoff(0.02, 0.1))
    states, frames = [], []
    cam.subscribe(lambda h: states.append(h.state))
    cam.start(frames.append)
    try:
        assert _wait(lambda: len(frames) >= 14, timeout=20)
    finally:
        cam.close()
        server.stop()
    assert frames[0].image.shape == (180, 320, 3)
    transitions = [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]
    assert transitions[:3] == [HealthState.CONNECTED, HealthState.DISCONNECTED, HealthState.CONNECTED]


def test_recorded_frames_play_in_name_order_and_loop(tmp_path):
    from kiosk.devices.camera.simulator import check_scenario

    for i, tone in enumerate((10, 120, 240)):
        cv2.imwrite(str(tmp_path / f"rec_{i:02d}.png"), np.full((40, 60, 3), tone, np.uint8))
    (tmp_path / "notes.txt").write_text("ignored")
    cam = SimulatedCamera(f"folder:{tmp_path}", fps=1000)
    tones = [int(cam.read().mean()) for _ in range(4)]
    assert tones == [10, 120, 240, 10]
    with pytest.raises(ValueError, match="does not exist"):
        check_scenario(f"folder:{tmp_path / 'nope'}")
    with pytest.raises(ValueError, match="unknown camera scenario"):
        check_scenario("upside_down")


def test_forget_zeroes_the_last_frame_a_visit_left_behind():
    cam = SimulatedCamera("page", 160, 120, fps=500)
    cam.start()
    try:
        assert cam.wait_frame(0, timeout=5) is not None
    finally:
        cam.stop()
    frame = cam.latest()
    assert frame.image.any()
    cam.forget()
    assert cam.latest() is None and not frame.image.any()
    cam.close()
