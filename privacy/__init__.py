"""The privacy guard: faces, locating text and case files, found on this machine (no Streamlit here)."""
