"""The detectors, loaded once per process from files inside installed packages (nothing is downloaded).

- Faces: OpenCV's Haar cascades (``cv2.data``, shipped in the opencv-python wheel): frontal and
  profile, the profile one also on the mirrored picture.
- Text: RapidOCR (rapidocr-onnxruntime), whose wheel carries the PP-OCRv4 detection and
  recognition models, run by onnxruntime on the CPU.
"""
from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

_LOCK = threading.Lock()
DETECTION_BOX_THRESHOLD = 0.35


class DetectorMissing(RuntimeError):
    """A detector's package or model file is not installed."""


def _threads() -> int:
    return max(1, min(2, os.cpu_count() or 1))


@functools.cache
def face_cascades():
    """(frontal, profile) cascade classifiers."""
    import cv2

    folder = Path(cv2.data.haarcascades)
    loaded = []
    for name in ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml"):
        path = folder / name
        cascade = cv2.CascadeClassifier(str(path))
        if cascade.empty():
            raise DetectorMissing(f"the face model {name} is missing from OpenCV's data folder")
        loaded.append(cascade)
    return tuple(loaded)


@functools.cache
def text_engine():
    """RapidOCR's detector and recogniser, built from the models inside its wheel."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # pragma: no cover - a missing install is reported, not hidden
        raise DetectorMissing("the text reader (rapidocr-onnxruntime) is not installed") from exc
    threads = _threads()
    with _LOCK:
        engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, use_cls=False)
    # A lower box threshold than RapidOCR's 0.5 keeps short, single-character lines (a house number "9").
    engine.text_det.postprocess_op.box_thresh = DETECTION_BOX_THRESHOLD
    return engine


def warm_up() -> None:
    """Load every model now (a long-running app does this once, off the request path)."""
    face_cascades()
    text_engine()
