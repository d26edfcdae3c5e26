"""Synthetic search corpora for benchmarks: varied safeguarding-flavoured text and clustered vectors.

Texts are sentences drawn word by word from a vocabulary whose frequencies follow a Zipf law:
the head is ordinary English function words and safeguarding words, the long tail made-up
names and places, so posting lists have realistic shapes and no two passages are copies.
Vectors are topic centres plus noise, L2-normalised, like sentence embeddings (uniform random
vectors would make HNSW recall meaningless). Every chunk is seeded, so vectors can be
regenerated chunk by chunk for exact ground truth without keeping a second copy.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from index.records import PassageRecord

_FUNCTION_TEXT = """the of and to a in was that for on with by were had not at her his from this be
as it they their she he or which there been has an would when about into no more after also"""

_DOMAIN_TEXT = """child children young person family mother father parent carer baby infant toddler
teenager sibling grandmother stepfather partner household home school nurse teacher health visitor
midwife doctor general practitioner hospital police officer social worker manager team agency agencies
service services safeguarding board review practice learning neglect abuse harm risk domestic violence
coercive control exploitation missing episode strategy meeting conference plan assessment referral
concern concerns information sharing record records recording supervision oversight escalation
threshold thresholds early help support voice wishes feelings advocacy transition care leaver looked
after corporate parenting placement foster residential court housing poverty debt benefits substance
misuse alcohol drug mental wellbeing anxiety depression self injury suicide trauma bereavement
disability autism communication interpreter language culture faith community youth offending probation
education attendance exclusion elective home multi professional relationship trust consent capacity
vulnerable adult older person care home dementia carer's medication pressure injury fall discharge
ambulance emergency department accident injury bruising fracture head unexplained chronic dental
hygiene weight growth development delay speech nursery health board local authority region regional
national framework standard standards recommendation recommendations action actions timescale drift
delay caseload caseloads workload staffing vacancy turnover training induction policy procedure guidance
audit quality assurance performance inspection lead chair panel author chronology findings analysis
professional curiosity challenge disguised compliance engagement non engagement hard to reach resistance
invisible men fathers partners relationship based strengths trauma informed poverty aware rights
participation listening observed unseen alone bedroom conditions unsafe sleeping overlay cot smoke
alarm fire weapon knife county lines cuckooing grooming online sexual criminal gang peer"""
FUNCTION_WORDS = _FUNCTION_TEXT.split()
DOMAIN_WORDS = _DOMAIN_TEXT.split()

SYLLABLES = ("aber", "bryn", "caer", "cwm", "dol", "ffin", "glyn", "llan", "maes", "nant", "pen", "rhos", "tre", "ty",
             "ystrad", "wen", "las", "fawr", "fach")
BOARDS = (
    "North Wales Safeguarding Board",
    "Mid and West Wales Safeguarding Board",
    "West Glamorgan Safeguarding Board",
    "Cwm Taf Morgannwg Safeguarding Board",
    "Cardiff and Vale Regional Safeguarding Board",
    "Gwent Safeguarding Board",
)
REVIEW_TYPES = ("SUSR", "CPR", "APR", "DHR", "MHHR", "OWHR")
SECTION_KINDS = ("analysis", "findings", "recommendations", "good_practice", "background", "chronology")
AGENCIES = ("Police", "Health visiting", "School", "Children's services", "Adult services", "GP", "Housing")
STANDARD_IDS = tuple(f"S{i:02d}" for i in range(1, 27))
PASSAGES_PER_REVIEW = 150


def vocabulary(tail: int = 20_000, seed: int = 7) -> list[str]:
    """Head words first (most frequent under Zipf), then ``tail`` made-up names."""
    rng = np.random.default_rng(seed)
    names: dict[str, None] = {}
    while len(names) < tail:
        parts = rng.choice(SYLLABLES, size=int(rng.integers(2, 4)))
        names["".join(parts) + str(int(rng.integers(0, 90)))] = None
    head = list(dict.fromkeys(FUNCTION_WORDS + DOMAIN_WORDS))
    return head + list(names)


def zipf_probabilities(size: int, exponent: float = 1.07) -> np.ndarray:
    """p(rank) proportional to 1 / rank**exponent."""
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    probabilities: np.ndarray = weights / weights.sum()
    return probabilities


def texts(count: int, *, seed: int = 0, mean_words: int = 60) -> list[str]:
    """``count`` passages of about ``mean_words`` words (3 to 6 sentences each)."""
    vocab = np.asarray(vocabulary(), dtype=object)
    probabilities = zipf_probabilities(len(vocab))
    rng = np.random.default_rng(seed)
    out: list[str] = []
    chunk = 50_000
    for start in range(0, count, chunk):
        n = min(chunk, count - start)
        lengths = np.maximum(8, rng.poisson(mean_words, size=n))
        words = vocab[rng.choice(len(vocab), size=int(lengths.sum()), p=probabilities)]
        cuts = np.cumsum(lengths)[:-1]
        for doc in np.split(words, cuts):
            sentences = np.array_split(doc, max(1, len(doc) // 14))
            out.append(" ".join(" ".join(s).capitalize() + "." for s in sentences))
    return out


def queries(count: int, *, seed: int = 1) -> list[str]:
    """Queries of 2-5 safeguarding words (no function words), biased to common ones."""
    words = list(dict.fromkeys(DOMAIN_WORDS))
    probabilities = zipf_probabilities(len(words), 0.8)
    rng = np.random.default_rng(seed)
    return [
        " ".join(rng.choice(words, size=int(rng.integers(2, 6)), replace=False, p=probabilities))
        for _ in range(count)
    ]


class ClusteredVectors:
    """Deterministic clustered unit vectors: row ``i`` is the same whenever it is generated.

    Two levels, like text embeddings: a topic centre, a sub-topic offset and per-passage noise
    (passages of one sub-topic have cosine about 0.8, of one topic about 0.6).
    """

    def __init__(
        self, dimension: int = 384, topics: int = 300, subtopics: int = 40, seed: int = 3
    ) -> None:
        rng = np.random.default_rng(seed)
        scale = 1.0 / np.sqrt(dimension)
        centres = rng.normal(size=(topics, 1, dimension)) * scale
        offsets = rng.normal(size=(topics, subtopics, dimension)) * (0.55 * scale)
        self.centres = (centres + offsets).reshape(topics * subtopics, dimension).astype(np.float32)
        self.noise = np.float32(0.5 * scale)
        self.dimension = dimension
        self.seed = seed
        self.chunk = 20_000

    def _chunk(self, index: int, rows: int, noise: float = 1.0) -> np.ndarray:
        rng = np.random.default_rng((self.seed, index))
        picked = rng.integers(0, len(self.centres), size=rows)
        matrix = rng.standard_normal((rows, self.dimension), dtype=np.float32)
        matrix *= self.noise * noise  # in place: a chunk costs two arrays, not four
        matrix += self.centres[picked]
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix

    def chunks(self, count: int) -> Iterator[tuple[int, np.ndarray]]:
        """(first row, block of rows) covering rows ``0..count-1``."""
        for index, start in enumerate(range(0, count, self.chunk)):
            yield start, self._chunk(index, min(self.chunk, count - start))

    def queries(self, count: int) -> np.ndarray:
        """Query vectors from the same sub-topics, a little noisier than passages."""
        return self._chunk(1_000_000, count, noise=1.3)  # a chunk number no corpus reaches


def records(passage_texts: list[str], *, seed: int = 5) -> list[PassageRecord]:
    """Passage records with varied filter metadata (shared small tuples keep memory honest)."""
    rng = np.random.default_rng(seed)
    count = len(passage_texts)
    standard_pool = [tuple(sorted(rng.choice(STANDARD_IDS, size=int(rng.integers(0, 4)), replace=False)))
                     for _ in range(500)]
    agency_pool = [tuple(sorted(rng.choice(AGENCIES, size=int(rng.integers(1, 4)), replace=False)))
                   for _ in range(100)]
    standards = rng.integers(0, len(standard_pool), size=count)
    agencies = rng.integers(0, len(agency_pool), size=count)
    kinds = rng.integers(0, len(SECTION_KINDS), size=count)
    out = []
    for i, text in enumerate(passage_texts):
        review = i // PASSAGES_PER_REVIEW
        out.append(
            PassageRecord(
                passage_id=i + 1,
                review_id=review + 1,
                text=text,
                section_kind=SECTION_KINDS[int(kinds[i])],
                reference=None,
                title="",
                review_type=REVIEW_TYPES[review % len(REVIEW_TYPES)],
                board=BOARDS[(review // 7) % len(BOARDS)],
                year=2012 + review % 14,
                agencies=agency_pool[int(agencies[i])],
                standards=standard_pool[int(standards[i])],
            )
        )
    return out
