"""Streamlit-only helpers for the pages: cached loading, formatting, errors, charts, plan state."""
