"""The detectors, from model files inside installed packages (nothing is downloaded).

- Faces: OpenCV's Haar cascades (``cv2.data``, shipped in the opencv-python wheel): frontal and
  profile, the profile one also on the mirrored picture.
- Text: RapidOCR (rapidocr-onnxruntime), whose wheel carries the PP-OCRv4 detection and
  recognition models, run by onnxruntime on the CPU with at most two threads.

The text reader is built once per process, under a lock, however many sessions ask for it at the
same moment; the face cascades are made for each scan (see ``face_cascades``). The text detector
is also run by one caller at a time (``detector_turn``): its working memory grows with the picture
(about 85 MB at 800 pixels, from an arena emptied after each run: ``_ArenaSession``), two uploads at once would need it twice, and one run already keeps
both cores busy.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

_LOCK = threading.Lock()
_BUILT: dict[str, object] = {}
DETECTION_BOX_THRESHOLD = 0.35
# The longest side of the picture the text detector works on (at most 960, see _load_text_engine). Its working
# memory and time grow with the pixels it is given; on the labelled test pictures it reads as well at 640 to
# 800 pixels as at 960 (benchmarks/RESULTS.md). RapidOCR's own default enlarges every picture to at least
# 736 pixels on its *shorter* side (992 × 736 for a photo): 60 % more memory for no more text found.
TEXT_DETECTION_EDGE = 800
MAX_THREADS = 2
detector_turn = threading.Lock()

T = TypeVar("T")


class DetectorMissing(RuntimeError):
    """A detector's package or model file is not installed."""


def threads() -> int:
    """onnxruntime threads per run: the cores this process may use, at most two."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        available = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, available))


def _once(name: str, build: Callable[[], T]) -> T:
    """``build()``'s result, made by the first caller only; later and concurrent callers get the same one."""
    built = _BUILT.get(name)
    if built is None:
        with _LOCK:
            built = _BUILT.get(name)
            if built is None:
                built = _BUILT[name] = build()
    return built  # type: ignore[return-value]


def face_cascades():
    """(frontal, profile) cascade classifiers, new for each scan.

    A cascade keeps the working buffers of the last picture it scanned (about 40 MB each for a 960-pixel
    picture) for as long as it lives, and one cascade must not scan two pictures at once. Loading both
    takes about 35 ms; a cascade made for one scan is dropped with its buffers when the scan ends.
    """
    return _load_cascades()


def text_engine():
    """RapidOCR's detector and recogniser, built from the models inside its wheel."""
    return _once("text", _load_text_engine)


def _load_cascades():
    import cv2

    folder = Path(cv2.data.haarcascades)
    loaded = []
    for name in ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml"):
        cascade = cv2.CascadeClassifier(str(folder / name))
        if cascade.empty():
            raise DetectorMissing(f"the face model {name} is missing from OpenCV's data folder")
        loaded.append(cascade)
    return tuple(loaded)


def _load_text_engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # pragma: no cover - a missing install is reported, not hidden
        raise DetectorMissing("the text reader (rapidocr-onnxruntime) is not installed") from exc
    # A lower box threshold than RapidOCR's 0.5 keeps short, single-character lines (a house number "9").
    # The scan hands the detector a picture of TEXT_DETECTION_EDGE pixels on its longest side; with the "max"
    # limit the detector takes a picture under 960 pixels as it is (only rounded to a multiple of 32).
    engine = RapidOCR(intra_op_num_threads=threads(), inter_op_num_threads=1, use_cls=False,
                      det_box_thresh=DETECTION_BOX_THRESHOLD, det_limit_type="max")
    engine.text_det.infer.session = _ArenaSession(_detector_model_path())
    return engine


def _detector_model_path() -> str:
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, read_yaml, update_model_path

    path = update_model_path(read_yaml(DEFAULT_CFG_PATH))["Det"]["model_path"]
    if not Path(path).is_file():
        raise DetectorMissing(f"the text detection model {Path(path).name} is missing from rapidocr-onnxruntime")
    return path


class _ArenaSession:
    """The text detector's onnxruntime session, allocating from an arena that is emptied after every run.

    RapidOCR's own session allocates each tensor with malloc and plans memory per picture shape: the
    first run at a shape took about 150 MB above resting (later runs 85 MB), the freed pieces scattered
    over the threads' heaps. From an arena that gives everything back when the run ends (onnxruntime's
    arena shrinkage), every run takes about 80-90 MB and keeps nothing.
    """

    def __init__(self, model_path: str) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 4
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads()
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = True
        options.enable_mem_pattern = False  # one arena for every shape, rather than a plan per shape
        provider = ("CPUExecutionProvider", {"arena_extend_strategy": "kSameAsRequested"})
        self._session = onnxruntime.InferenceSession(model_path, sess_options=options, providers=[provider])
        self._run_options = onnxruntime.RunOptions()
        self._run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def run(self, output_names, input_feed, run_options=None):
        return self._session.run(output_names, input_feed, run_options or self._run_options)

    def __getattr__(self, name: str):
        return getattr(self._session, name)


def warm_up() -> None:
    """Load every model now (a long-running app does this once, off the request path)."""
    face_cascades()
    text_engine()
