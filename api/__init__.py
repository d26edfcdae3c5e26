"""HTTP API (FastAPI) over the Gwersi services."""
