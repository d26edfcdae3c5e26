"""Streamlit explorer; talks to the API only."""
