"""A tiny corpus with known answers, and engines built over it with the hashing encoder."""

from __future__ import annotations

import numpy as np
import pytest

from index.encoder import HashingEncoder
from index.engine import SearchEngine
from index.records import PassageRecord

NW = "North Wales Safeguarding Board"
GWENT = "Gwent Safeguarding Board"

# (passage_id, review_id, text, review_type, board, year, section_kind, agencies, standards)
ROWS = [
    (11, 1, "The health visitor never saw the baby alone during home visits.",
     "CPR", NW, 2019, "analysis", ("Health visiting",), ("S16",)),
    (12, 1, "Police did not share the domestic abuse notification with the school.",
     "CPR", NW, 2019, "analysis", ("Police", "School"), ("S04", "S23")),
    (13, 1, "Strategy meetings were held promptly and agencies shared information well.",
     "CPR", NW, 2019, "good_practice", ("Police", "Children's services"), ("S04", "S23")),
    (21, 2, "Nobody asked the young person what she wanted; her voice was missing from meetings.",
     "APR", GWENT, 2021, "analysis", ("Children's services",), ("S02",)),
    (22, 2, "The care leaver moved into independent living without any transition plan.",
     "APR", GWENT, 2021, "analysis", ("Children's services",), ("S09", "S17")),
    (23, 2, "The school nurse recognised neglect early and made a prompt referral.",
     "APR", GWENT, 2021, "good_practice", ("School nursing",), ("S15", "S16")),
    (31, 3, "Neglect of the children's dental and health needs went unrecognised for years.",
     "CPR", GWENT, 2022, "analysis", ("Health visiting", "Dentistry"), ("S16",)),
    (32, 3, "Caseloads in the social work team were unmanageable after experienced staff left.",
     "CPR", GWENT, 2022, "analysis", ("Children's services",), ("S24",)),
    (41, 4, "Supervision of practitioners rarely reflected on the family history of violence.",
     "DHR", NW, None, "analysis", ("Police",), ("S20",)),
    (42, 4, "Missing episodes of the teenager were never linked to the risk of exploitation.",
     "DHR", NW, None, "analysis", ("Police", "Education"), ("S18",)),
]


def make_records() -> list[PassageRecord]:
    """The tiny corpus as records."""
    return [
        PassageRecord(
            passage_id=pid, review_id=rid, text=text, section_kind=kind, reference=f"REF {rid}",
            title=f"Review {rid}", review_type=rtype, board=board, year=year,
            agencies=agencies, standards=standards,
        )
        for pid, rid, text, rtype, board, year, kind, agencies, standards in ROWS
    ]


@pytest.fixture()
def records() -> list[PassageRecord]:
    return make_records()


@pytest.fixture()
def encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture(params=["flat", "hnsw"])
def engine(
    request: pytest.FixtureRequest, records: list[PassageRecord], encoder: HashingEncoder
) -> SearchEngine:
    """An engine over the tiny corpus, with an exact and with an HNSW dense index."""
    embeddings = encoder.encode([r.text for r in records])
    return SearchEngine.build(
        records, embeddings, encoder, taxonomy_version="test-1", dense_kind=request.param
    )


def unit_rows(count: int, dimension: int, seed: int) -> np.ndarray:
    """Clustered, L2-normalised float32 rows (text-like, unlike uniform noise)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(8, dimension))
    rows = centres[rng.integers(0, 8, count)] + 0.4 * rng.normal(size=(count, dimension))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows.astype(np.float32)
