"""The document camera: frames from OpenCV or the simulator, page detection, quality, auto-capture.

Modules (import them directly; this package imports nothing, so the CLI stays light):
``source`` (OpenCvCamera, Frame), ``simulator`` (SimulatedCamera, ScenarioPlayer), ``mjpeg`` (the
simulator as a network camera), ``detect`` (detect_page; with ``levels``, ``quads``, ``support`` and
``refine``), ``warp`` (warp_page onto A4 / ID-1 canvases),
``quality`` (assess, problem codes and messages), ``autocapture`` (AutoCapture, CapturedDocument),
``synth`` (synthetic frames with ground truth for tests, the benchmark and the simulator) and
``synth_hall`` (the harder, hall-like tuning frames and page-less hall desks).
"""
