"""Build the sample review files from their Markdown sources.

Reads every ``data/sample-sources/<name>.md`` with its ``<name>.truth.json`` and writes
``data/samples/<name>.<format>`` (format from the truth file):

- ``md``: the source copied unchanged;
- ``docx``: python-docx with real Heading 1-3, List Bullet / List Number, Word tables,
  page breaks and the running header ("<header> – Page N of M") in the section header;
- ``pdf``: reportlab platypus, Helvetica, tables that split across pages with the header row
  repeated, running header and footer on every page, Title metadata.

Output is deterministic: rebuilding unchanged sources gives identical bytes.

Usage::

    .venv/bin/python tools/build_samples.py                 # build all
    .venv/bin/python tools/build_samples.py --only NAME     # build one (repeatable)
    .venv/bin/python tools/build_samples.py --check         # validate truth files, build nothing
    .venv/bin/python tools/build_samples.py --check --only NAME
    .venv/bin/python tools/build_samples.py --verify        # snippets survive in built files

``--check`` verifies every truth snippet / recommendation start occurs verbatim (and once) in the
source text, that ids are S01..S26 / L1..L10, metadata values are canonical and the action-plan row
count matches; it exits 1 if any sample has errors (warnings are printed but do not fail).
A source may set its printed footer with a ``<!-- footer: text -->`` line; otherwise PDF/DOCX
samples with a running header get the footer "OFFICIAL – Final version".
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_blocks import MdDocument, parse  # noqa: E402
from sample_check import check  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sample-sources"
OUTPUT = ROOT / "data" / "samples"
DEFAULT_FOOTER = "OFFICIAL – Final version"


def load(name: str) -> tuple[str, MdDocument, dict]:
    """Read one source and its truth file."""
    src = (SOURCES / f"{name}.md").read_text(encoding="utf-8")
    truth_path = SOURCES / f"{name}.truth.json"
    truth = json.loads(truth_path.read_text(encoding="utf-8")) if truth_path.exists() else {}
    return src, parse(src), truth


def build_one(name: str) -> Path:
    """Render one sample to ``data/samples`` and return the written path."""
    src, doc, truth = load(name)
    fmt = truth.get("format", "md")
    header = truth.get("running_header")
    footer = doc.footer or (DEFAULT_FOOTER if header else None)
    author = truth.get("metadata", {}).get("board")
    out = OUTPUT / f"{name}.{fmt}"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        out.write_text(src, encoding="utf-8")
    elif fmt == "pdf":
        from sample_pdf import render_pdf

        out.write_bytes(render_pdf(doc, running_header=header, footer=footer, author=author))
    elif fmt == "docx":
        from sample_docx import render_docx

        out.write_bytes(render_docx(doc, running_header=header, footer=footer, author=author))
    else:
        raise SystemExit(f"{name}: unknown format {fmt!r}")
    return out


def names(only: list[str] | None) -> list[str]:
    """Sample names to process (all sources, or those given with --only)."""
    if only:
        missing = [n for n in only if not (SOURCES / f"{n}.md").exists()]
        if missing:
            raise SystemExit(f"no source for: {', '.join(missing)}")
        return only
    return sorted(p.stem for p in SOURCES.glob("*.md"))


def run_check(selected: list[str]) -> int:
    """Validate sources against truth files; return the number of samples with errors."""
    bad = 0
    for name in selected:
        _, doc, truth = load(name)
        if not truth:
            print(f"FAIL {name}: no truth file")
            bad += 1
            continue
        errors, warnings = check(name, doc, truth)
        status = "FAIL" if errors else "ok  "
        print(f"{status} {name}: {len(truth.get('passage_labels', []))} labels, "
              f"{len(truth.get('recommendations', []))} recs, {len(errors)} errors, {len(warnings)} warnings")
        for e in errors:
            print(f"     error: {e}")
        for w in warnings:
            print(f"     warning: {w}")
        bad += bool(errors)
    return bad


def run_verify(selected: list[str]) -> int:
    """Check truth strings are present in the built files; return the number failing."""
    from sample_verify import verify

    bad = 0
    for name in selected:
        _, _, truth = load(name)
        out = OUTPUT / f"{name}.{truth.get('format', 'md')}"
        if not out.exists():
            print(f"FAIL {name}: {out.relative_to(ROOT)} not built")
            bad += 1
            continue
        missing = verify(out, truth)
        print(f"{'FAIL' if missing else 'ok  '} {name}: {len(missing)} truth strings missing from {out.name}")
        for m in missing:
            print(f"     missing: {m!r}")
        bad += bool(missing)
    return bad


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", metavar="NAME", help="sample name (repeatable)")
    ap.add_argument("--check", action="store_true", help="validate truth files and exit")
    ap.add_argument("--verify", action="store_true", help="check truth strings in built files and exit")
    args = ap.parse_args(argv)
    selected = names(args.only)
    if args.check or args.verify:
        bad = run_check(selected) if args.check else 0
        if args.verify:
            bad += run_verify(selected)
        print(f"{len(selected)} samples checked, {bad} failures")
        return 1 if bad else 0
    for name in selected:
        out = build_one(name)
        print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
