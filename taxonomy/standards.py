"""The 26 proposed National Standards and 5 multi-agency components, loaded from versioned data."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from taxonomy.errors import TaxonomyError
from taxonomy.models import Component, Standard

TAXONOMY_VERSION = "2026.11-1"
"""Version of ``taxonomy/data/standards.json``; record it wherever a tag is stored."""

STANDARD_COUNT = 26
COMPONENT_COUNT = 5
_STANDARD_ID = re.compile(r"^S\d{2}$")
_COMPONENT_ID = re.compile(r"^C\d$")


@dataclass(frozen=True)
class Taxonomy:
    """The loaded taxonomy: standards in S01..S26 order, components C1..C5, and a lookup by id."""

    version: str
    standards: tuple[Standard, ...]
    components: tuple[Component, ...]
    by_id: Mapping[str, Standard] = field(compare=False, repr=False)

    @property
    def ids(self) -> tuple[str, ...]:
        """Standard ids in order (``S01``..``S26``)."""
        return tuple(s.id for s in self.standards)

    def index_of(self, standard_id: str) -> int:
        """Position of a standard id in :attr:`standards`."""
        try:
            return self.ids.index(standard_id)
        except ValueError as exc:
            raise TaxonomyError(f"unknown standard id {standard_id!r}") from exc

    def component(self, component_id: str) -> Component:
        """The component with this id."""
        for c in self.components:
            if c.id == component_id:
                return c
        raise TaxonomyError(f"unknown component id {component_id!r}")


def _tuple_of_str(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(value)


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}: {key!r} must be a non-empty string")
    return value


def _standard(raw: dict[str, Any]) -> Standard:
    where = f"standard {raw.get('id', '?')}"
    number = raw.get("number")
    if not isinstance(number, int):
        raise TaxonomyError(f"{where}: 'number' must be an integer")
    return Standard(
        id=_text(raw, "id", where),
        number=number,
        slug=_text(raw, "slug", where),
        title=_text(raw, "title", where),
        description=_text(raw, "description", where),
        cue_phrases=_tuple_of_str(raw, "cue_phrases", where),
        examples=_tuple_of_str(raw, "examples", where),
        must_dos=_tuple_of_str(raw, "must_dos", where),
        related=_tuple_of_str(raw, "related", where),
        components=_tuple_of_str(raw, "components", where),
    )


def _component(raw: dict[str, Any]) -> Component:
    where = f"component {raw.get('id', '?')}"
    return Component(
        id=_text(raw, "id", where),
        slug=_text(raw, "slug", where),
        title=_text(raw, "title", where),
        description=_text(raw, "description", where),
    )


def _check(tax: Taxonomy) -> None:
    ids = [s.id for s in tax.standards]
    if len(ids) != STANDARD_COUNT or len(set(ids)) != len(ids):
        raise TaxonomyError(f"expected {STANDARD_COUNT} standards with unique ids, got {ids}")
    if any(not _STANDARD_ID.match(i) for i in ids) or ids != sorted(ids):
        raise TaxonomyError("standard ids must be S01..S26 in order")
    if len({s.slug for s in tax.standards}) != len(ids):
        raise TaxonomyError("standard slugs must be unique")
    comp_ids = [c.id for c in tax.components]
    if len(comp_ids) != COMPONENT_COUNT or len(set(comp_ids)) != len(comp_ids):
        raise TaxonomyError(f"expected {COMPONENT_COUNT} components with unique ids, got {comp_ids}")
    if any(not _COMPONENT_ID.match(i) for i in comp_ids):
        raise TaxonomyError("component ids must be C1..C5")
    for s in tax.standards:
        bad = [r for r in s.related if r not in tax.by_id or r == s.id]
        bad += [c for c in s.components if c not in comp_ids]
        if bad:
            raise TaxonomyError(f"standard {s.id}: unknown or self references {bad}")


def parse_taxonomy(data: dict[str, Any]) -> Taxonomy:
    """Build and validate a :class:`Taxonomy` from the JSON document's dictionary."""
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise TaxonomyError("taxonomy 'version' must be a non-empty string")
    try:
        standards = tuple(_standard(s) for s in data["standards"])
        components = tuple(_component(c) for c in data["components"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise TaxonomyError(f"malformed taxonomy document: {exc}") from exc
    tax = Taxonomy(
        version=version,
        standards=standards,
        components=components,
        by_id=MappingProxyType({s.id: s for s in standards}),
    )
    _check(tax)
    return tax


@lru_cache(maxsize=4)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    """Load the packaged taxonomy (cached), or another standards file when ``path`` is given.

    The packaged file must carry :data:`TAXONOMY_VERSION`.
    """
    try:
        if path is None:
            raw = resources.files("taxonomy").joinpath("data/standards.json").read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        data = json.loads(raw)
    except (OSError, json.JSONDecodeError) as exc:
        raise TaxonomyError(f"cannot read taxonomy data: {exc}") from exc
    tax = parse_taxonomy(data)
    if path is None and tax.version != TAXONOMY_VERSION:
        raise TaxonomyError(f"packaged taxonomy is {tax.version}, code expects {TAXONOMY_VERSION}")
    return tax
