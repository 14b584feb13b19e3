import streamlit as st

st.title("No access yet")
st.write("Your account has no role in any organisation. Ask your Haven administrator for a membership.")
