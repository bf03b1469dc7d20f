import json
import math
import resource
import struct
import subprocess
import sys
import zlib

import cv2
import numpy as np

from kiosk.devices.camera import synth, synth_empty


def _kiosk(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=timeout)


def test_detect_document_json_lines_with_corners_quality_and_errors(tmp_path, write_png):
    page, truth = synth.render(synth.Scene(background="wood", cover=0.3, angle=12, tilt=0.05, seed=21))
    dark, _ = synth.render(synth.Scene(background="grey_texture", cover=0.3, angle=-8, light=0.3, seed=22))
    files = [write_png("page.png", page), write_png("empty.png", synth_empty.no_page("desk", 3)),
             tmp_path / "notes.txt", write_png("dark.png", dark)]
    files[2].write_text("not a photo")
    out = tmp_path / "pages"
    run = _kiosk("devices", "detect-document", *map(str, files), "--json", "--out", str(out))
    assert run.returncode == 2, run.stderr  # one file was not an image …
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["file"] for r in lines] == list(map(str, files))  # … and every other file was still done
    good, empty, bad, dim = lines
    assert good["found"] and good["ok"] and good["problems"] == []
    assert synth.corner_error(np.array(good["corners"]), truth) < 0.02 * math.hypot(720, 1280)
    tl, tr, br, bl = good["corners"]
    assert tl[0] < tr[0] and tl[1] < bl[1] and br[1] > tr[1]
    assert {"sharpness", "brightness", "glare", "ms"} <= good.keys() and good["ms"] > 0
    assert empty["found"] is False and empty["corners"] is None and "no_page" in empty["problems"]
    assert "error" in bad and "not an image" in bad["error"]
    assert dim["found"] and dim["problems"][0] == "too_dark" and dim["ok"] is False
    written = cv2.imread(good["out"])
    assert written.shape[:2] == (1754, 1240) and (out / "dark.page.png").exists()


def _png_header(width: int, height: int, rows: int) -> bytes:
    """A 1-bit grey PNG of width×height whose first ``rows`` rows are present (all black): tiny on disk,
    width×height×3 bytes once OpenCV decodes it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pack = zlib.compressobj(9)
    row = bytes(1 + (width + 7) // 8)
    data = b"".join(pack.compress(row) for _ in range(rows)) + pack.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def _limit_memory():  # 1.5 GB of address space: decoding 20000×20000 as BGR alone needs 1.2 GB more
    resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))


def test_detect_document_refuses_huge_images_from_the_header_and_goes_on(tmp_path, write_png):
    huge = tmp_path / "huge.png"
    huge.write_bytes(_png_header(20000, 20000, rows=20000))  # ~50 KB, a real 20000×20000 image
    claims = tmp_path / "claims.png"
    claims.write_bytes(_png_header(60000, 60000, rows=1))  # a header that lies about its data
    hdr = tmp_path / "claims.hdr"  # a format Pillow does not know: OpenCV's own limit, set to ours, holds
    hdr.write_bytes(b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 60000 +X 60000\n\x02\x02\x00\x00")
    page, _ = synth.render(synth.Scene(background="wood", cover=0.3, angle=5, seed=3))
    files = [str(huge), str(claims), str(hdr), str(write_png("page.png", page))]
    run = subprocess.run([sys.executable, "-m", "kiosk", "devices", "detect-document", *files, "--json"],
                         capture_output=True, text=True, timeout=120, preexec_fn=_limit_memory)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["file"] for r in lines] == files
    assert "20000×20000" in lines[0]["error"] and "60000×60000" in lines[1]["error"]
    assert all("megapixels" in r["error"] for r in lines[:3])
    assert lines[3]["found"] is True
    plain = _kiosk("devices", "detect-document", str(claims), files[3], "--max-megapixels", "0.5")
    assert "claims.png: error: the image is 60000×60000" in plain.stderr
    assert "page.png: error: the image is 1280×720 (1 megapixels), larger than the 0.5" in plain.stderr


def test_detect_document_plain_text_for_people():
    run = _kiosk("devices", "detect-document", "/no/such/photo.jpg")
    assert run.returncode == 2 and "no such file" in run.stderr


def test_simulate_camera_writes_frames_a_technician_can_look_at(tmp_path):
    run = _kiosk("simulate", "camera", "--scenario", "page", "--out", str(tmp_path), "--frames", "40",
                 "--width", "640", "--height", "360")
    assert run.returncode == 0, run.stderr
    assert len(list(tmp_path.glob("frame_*.png"))) == 40
    log = [json.loads(line) for line in (tmp_path / "frames.jsonl").read_text().splitlines()]
    assert {e["state"] for e in log} >= {"looking", "steadying", "captured"}
    assert len(list(tmp_path.glob("captured_*.png"))) == 1
    bad = _kiosk("simulate", "camera", "--scenario", "sideways", "--out", str(tmp_path))
    assert bad.returncode == 2 and "unknown camera scenario" in bad.stderr


def test_camera_texts_exist_in_both_languages():
    from kiosk import i18n

    zh = {k for k in i18n.keys("zh_CN") if k.startswith("camera.")}
    assert len(zh) >= 14 and zh <= i18n.keys("en")


def test_simulate_camera_serves_a_stream_the_opencv_driver_reads():
    from kiosk.devices.camera.source import OpenCvCamera

    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "simulate", "camera", "--scenario", "dark", "--serve",
                             "--port", "0", "--width", "320", "--height", "180", "--fps", "30"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        url = first.split(" at ")[1].strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/stream.mjpg"), first
        cam = OpenCvCamera(url)
        frame = cam.read()
        cam.close()
        assert frame is not None and frame.shape == (180, 320, 3) and frame.mean() < 60
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_simulate_camera_needs_a_place_for_the_frames(tmp_path):
    run = _kiosk("simulate", "camera", "--scenario", "page")
    assert run.returncode == 2 and "--out DIR" in run.stderr


def test_detect_document_odd_inputs_neither_crash_nor_overwrite(tmp_path, write_png):
    """A thumbnail is measured (no page), grey and 4-channel photos work, and two photos with one stem
    (page.png, page.jpg) give two corrected pages instead of one overwriting the other."""
    page, truth = synth.render(synth.Scene(background="wood", cover=0.3, angle=5, seed=31))
    tiny = write_png("tiny.png", cv2.resize(page, (8, 6)))
    grey = write_png("grey.png", cv2.cvtColor(page, cv2.COLOR_BGR2GRAY))
    rgba = write_png("rgba.png", cv2.cvtColor(page, cv2.COLOR_BGR2BGRA))
    png = write_png("page.png", page)
    jpg = tmp_path / "page.jpg"
    cv2.imwrite(str(jpg), page)
    out = tmp_path / "pages"
    run = _kiosk("devices", "detect-document", *map(str, (tiny, grey, rgba, png, jpg)), "--json", "--out", str(out))
    assert run.returncode == 0, run.stderr
    small, *pages = [json.loads(line) for line in run.stdout.splitlines()]
    assert small["found"] is False and small["corners"] is None and small["problems"] == ["no_page"]
    assert set(small) >= {"found", "corners", "sharpness", "brightness", "glare", "ok", "problems", "ms"}
    for record in pages:
        assert record["found"], record
        assert synth.corner_error(np.array(record["corners"]), truth) < 0.02 * math.hypot(720, 1280)
    outs = [record["out"] for record in pages]
    assert len(set(outs)) == 4 and all(cv2.imread(o) is not None for o in outs)
