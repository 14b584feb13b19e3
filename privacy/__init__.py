"""The privacy guard: faces, locating text and case files, found on this machine (no Streamlit here)."""
import os

# onnxruntime (the text reader's runtime) keeps a device id and an event store under ~/.cache and
# can send usage events; none of that may happen on a machine holding evidence. Set before it loads.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
