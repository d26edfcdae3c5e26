"""Check that truth snippets survive rendering (``build_samples.py --verify``).

Extracts the text of a built sample (pypdf for PDF, python-docx for DOCX, the file itself for
Markdown) and reports every passage snippet, recommendation start or running header that cannot
be found once whitespace is collapsed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any


def extract_text(path: Path) -> str:
    """Plain text of a built sample."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    if path.suffix == ".docx":
        from docx import Document

        document = Document(str(path))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts.extend(cell.text for row in table.rows for cell in row.cells)
        header = document.sections[0].header._element.xpath(".//w:t/text()")
        parts.append("".join(header))
        return "\n".join(parts)
    return path.read_text(encoding="utf-8")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def verify(path: Path, truth: dict[str, Any]) -> list[str]:
    """Return the truth strings missing from the rendered file."""
    flat = _flat(extract_text(path))
    wanted = [lab["snippet"] for lab in truth.get("passage_labels", [])]
    wanted += [rec["starts_with"] for rec in truth.get("recommendations", [])]
    if truth.get("running_header"):
        wanted.append(truth["running_header"])
    return [w for w in wanted if _flat(w) not in flat]
