"""An empty page: the floor of the page benchmarks (the app's own run: sign-in gate, navigation, sidebar)."""
import streamlit as st

st.caption("Empty page: the floor of the page benchmarks.")
