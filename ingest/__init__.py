"""Ingest: review files (PDF, DOCX, TXT/MD) -> normalised blocks -> a structured ``ParsedReview``.

Public entry point: :func:`ingest.pipeline.parse_file`.
"""
