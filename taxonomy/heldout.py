"""The independent held-out corpus (``data/heldout/<part>/sources``) as labelled passages.

Its truth files (``data/heldout/FORMAT.md``) label paragraphs by ``snippet``: the first 60 characters
of a paragraph (or list item without its number) of the ``.md`` source, where a paragraph is one
source line (or one table cell, for recommendations written as a table). The full paragraph is
the line that starts with the snippet once a leading list number (``3.``, ``a)``) or bullet is
dropped. Section kinds come from the truth file's ``sections``.

``dev/`` (writer a) may be used for tuning; ``test/`` (writers b, c, d) is only ever evaluated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from taxonomy.training import LabelledExample

HELDOUT_PARTS = (
    "dev", "test", "test2", "test3", "test4", "test5", "test6", "test7", "test8", "test9", "test10", "test11", "test12",
)
"""Parts of the independent corpus (``data/heldout/<part>``), in the order they were frozen; scored as
columns here, by ``gwersi eval ingest`` and built by ``tools/build_heldout.py`` (a part with no truth
files is skipped)."""

TRAINING_PARTS = HELDOUT_PARTS[: HELDOUT_PARTS.index("test9") + 1]
"""Parts whose labelled paragraphs are also tagging training data (from 2026-12-06, declared in
``data/heldout/README.md``): thirty-six writers' labels teach the taggers how reviews written apart
from the samples speak to the standards. For tagging and search only the later parts
(:data:`TAGGING_TEST_PARTS`) are out-of-distribution columns; ingest still scores every part."""
TAGGING_TEST_PARTS = HELDOUT_PARTS[len(TRAINING_PARTS) :]
"""Held-out parts never used to train or tune a tagger: the out-of-distribution tagging columns."""

_ITEM_MARKER = re.compile(r"^\s*(?:\d+[.)]\s+|[a-z][.)]\s+|[-*+]\s+)")
_HEADING = re.compile(r"^#{1,3}\s+(.*)$")


@dataclass(frozen=True)
class HeldoutPassage:
    """A labelled held-out paragraph with where it came from."""

    example: LabelledExample
    review: str
    writer: str
    review_type: str


def _lines(markdown: str) -> list[tuple[str, str]]:
    """``(paragraph text, heading above it)`` for every body line outside the cover block."""
    out: list[tuple[str, str]] = []
    heading = ""
    in_cover = False
    for raw in markdown.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if stripped == "<!-- cover -->":
            in_cover = True
            continue
        if stripped == "<!-- /cover -->":
            in_cover = False
            continue
        if in_cover or not stripped or stripped.startswith("<!--"):
            continue
        match = _HEADING.match(stripped)
        if match:
            heading = match.group(1).strip()
            continue
        if stripped.startswith("|"):
            cells = [c.replace("<br>", " ").strip() for c in stripped.strip("|").split("|")]
            out.extend((c, heading) for c in cells if c and not set(c) <= set("-: "))
            continue
        out.append((stripped, heading))
    return out


def find_paragraph(lines: list[tuple[str, str]], snippet: str) -> tuple[str, str] | None:
    """The line (without a leading list number) that starts with ``snippet``, and its heading."""
    snippet = snippet.strip()
    for text, heading in lines:
        if text.startswith(snippet):
            return text, heading
    for text, heading in lines:
        bare = _ITEM_MARKER.sub("", text, count=1)
        if bare.startswith(snippet):
            return bare, heading
    return None


def load_heldout(directory: str | Path) -> tuple[list[HeldoutPassage], list[str]]:
    """Labelled paragraphs of every ``*.truth.json`` in ``directory`` (``.../sources``), and problems.

    A truth file that is not valid JSON yet (being written) or has no ``.md`` beside it is reported
    as a problem and skipped; so is a snippet that matches no line.
    """
    passages: list[HeldoutPassage] = []
    problems: list[str] = []
    for truth_path in sorted(Path(directory).glob("*.truth.json")):
        name = truth_path.name.removesuffix(".truth.json")
        md_path = truth_path.with_name(name + ".md")
        try:
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            markdown = md_path.read_text(encoding="utf-8")
        except (OSError, json.JSONDecodeError) as exc:
            problems.append(f"{truth_path.name}: unreadable ({exc.__class__.__name__})")
            continue
        kinds = {str(s.get("heading", "")).strip(): str(s.get("kind", "")) for s in truth.get("sections") or ()}
        lines = _lines(markdown)
        writer = str(truth.get("writer") or name.rsplit("_", 1)[-1][:1])
        review_type = str((truth.get("metadata") or {}).get("review_type") or name.split("_", 1)[0].upper())
        for n, label in enumerate(truth.get("passage_labels") or ()):
            found = find_paragraph(lines, str(label.get("snippet", "")))
            if found is None:
                problems.append(f"{name}: snippet not found: {label.get('snippet')!r}")
                continue
            text, heading = found
            example = LabelledExample(
                text=text,
                standards=tuple(label.get("standards") or ()),
                source=f"heldout:{writer}:{name}",
                polarity=label.get("polarity"),
                section_kind=kinds.get(heading) or None,
                id=f"{name}#{n}",
            )
            passages.append(HeldoutPassage(example, name, writer, review_type))
    return passages, problems


def heldout_training_examples(heldout_dir: str | Path | None,
                              parts: tuple[str, ...] = TRAINING_PARTS) -> list[LabelledExample]:
    """The labelled paragraphs of the held-out ``parts`` used as training data (none if the folder is
    missing, as in an installed package without the repository's data). Read once per process while
    the files are unchanged (every tagger build asks for them)."""
    if heldout_dir is None or not Path(heldout_dir).is_dir():
        return []
    folders = tuple(Path(heldout_dir) / part / "sources" for part in parts)
    files = [f for folder in folders for f in sorted(folder.glob("*")) if f.suffix in (".json", ".md")]
    stamp = tuple((str(f), (st := f.stat()).st_mtime_ns, st.st_size) for f in files)
    return list(_read_training(folders, stamp))


@lru_cache(maxsize=4)
def _read_training(folders: tuple[Path, ...], _stamp: tuple[tuple[str, int, int], ...]) -> tuple[LabelledExample, ...]:
    return tuple(p.example for folder in folders for p in load_heldout(folder)[0])
