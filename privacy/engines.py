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


class DetectorMissing(RuntimeError):
    """A detector's package or model file is not installed."""


def _threads() -> int:
    return max(1, min(2, os.cpu_count() or 1))


@functools.cache
def face_cascades():
    """(frontal, frontal alternative, profile) cascade classifiers."""
    import cv2

    folder = Path(cv2.data.haarcascades)
    loaded = []
    for name in ("haarcascade_frontalface_default.xml", "haarcascade_frontalface_alt2.xml",
                 "haarcascade_profileface.xml"):
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
    return engine


def warm_up() -> None:
    """Load every model now (a long-running app does this once, off the request path)."""
    face_cascades()
    text_engine()
