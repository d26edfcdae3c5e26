"""The neighbours member: vote shares of the nearest labelled passages, thresholds from other hands."""

from __future__ import annotations

import numpy as np
import pytest

from taxonomy.models import TagInput
from taxonomy.neighbours import NeighbourTagger, neighbour_group, vote_shares
from taxonomy.standards import Taxonomy
from taxonomy.training import LabelledExample


def _unit(*rows: tuple[float, float]) -> np.ndarray:
    m = np.array(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


@pytest.mark.parametrize(
    ("source", "group"),
    [
        ("heldout:ab:cpr_gwent_2023", "heldout:ab"),  # a writer's reviews stay together
        ("heldout:ab:dhr_nw_2024", "heldout:ab"),
        ("sample:cpr_ctmsb_2020_08", "sample:cpr"),  # samples by review type
        ("panel", "panel"),
        ("learned:board.jsonl", "learned:board.jsonl"),
        ("seed", "seed"),
    ],
)
def test_neighbour_group(source: str, group: str) -> None:
    assert neighbour_group(LabelledExample("text", (), source)) == group


def test_vote_shares_weigh_the_nearest_passages_most() -> None:
    vectors = _unit((1.0, 0.0), (0.9, 0.1), (0.0, 1.0))
    labels = np.array([[1, 0], [1, 1], [0, 1]], dtype=float)
    query = _unit((1.0, 0.02))
    shares = vote_shares(query, vectors, labels, neighbours=2, temperature=0.05)
    # Rows 0 and 1 are the two nearest; row 2 does not vote. Row 0 is nearer, so standard 0 (both
    # carry it) gets everything and standard 1 (row 1 only) less than half.
    assert shares[0, 0] == pytest.approx(1.0)
    assert 0.0 < shares[0, 1] < 0.5
    near_one = vote_shares(query, vectors, labels, neighbours=1)
    assert near_one.tolist() == [[1.0, 0.0]]


def test_vote_shares_skip_excluded_rows_and_empty_inputs() -> None:
    vectors = _unit((1.0, 0.0), (0.0, 1.0))
    labels = np.array([[1, 0], [0, 1]], dtype=float)
    query = _unit((1.0, 0.0))
    hidden = np.array([[True, False]])
    assert vote_shares(query, vectors, labels, hidden, neighbours=1).tolist() == [[0.0, 1.0]]
    assert vote_shares(query, vectors, labels, np.array([[True, True]])).tolist() == [[0.0, 0.0]]
    assert vote_shares(query[:0], vectors, labels).shape == (0, 2)


def _examples(taxonomy: Taxonomy) -> tuple[list[LabelledExample], np.ndarray]:
    """Two writers who both put S18 passages near (1, 0) and S04 passages near (0, 1)."""
    s18, s04 = taxonomy.ids.index("S18"), taxonomy.ids.index("S04")
    assert (s18, s04) != (-1, -1)
    rng = np.random.default_rng(0)
    examples, rows = [], []
    for writer in ("aa", "ab"):
        for n in range(8):
            examples.append(LabelledExample(f"{writer} missing {n}", ("S18",), f"heldout:{writer}:cpr_{n}"))
            rows.append((1.0, 0.05 * rng.random()))
            examples.append(LabelledExample(f"{writer} sharing {n}", ("S04",), f"heldout:{writer}:cpr_{n}"))
            rows.append((0.05 * rng.random(), 1.0))
    dimension = 384
    vectors = np.zeros((len(rows), dimension), dtype=np.float32)
    vectors[:, :2] = _unit(*rows)
    return examples, vectors


def test_fitted_member_scores_a_passage_by_its_neighbours_labels(taxonomy: Taxonomy) -> None:
    examples, vectors = _examples(taxonomy)
    tagger = NeighbourTagger.fit(examples, vectors, taxonomy)
    s18, s04 = taxonomy.ids.index("S18"), taxonomy.ids.index("S04")
    query = np.zeros(384, dtype=np.float32)
    query[0] = 1.0
    scores = tagger.score([TagInput("q", "a child went missing again", query)]).scores[0]
    assert scores[s18] > 0.5 > scores[s04]
    assert tagger.thresholds[s18] < 0.9  # tuned: enough positives, scored by the other writer's passages
    assert tagger.thresholds[taxonomy.ids.index("S01")] == 0.9  # no positives: untuned
    suggestions = tagger.tag([TagInput("q", "a child went missing again", query)])[0]
    assert [s.standard for s in suggestions] == ["S18"]


def test_a_boards_labelled_passage_is_a_neighbour_at_once(taxonomy: Taxonomy) -> None:
    """A passage a panel labelled S23 moves the score of a passage just like it, with no refit of the rest."""
    examples, vectors = _examples(taxonomy)
    board = np.zeros((3, 384), dtype=np.float32)
    board[:, 2] = 1.0  # a third direction none of the writers' passages take
    board_examples = [LabelledExample(f"board {n}", ("S23",), "panel") for n in range(3)]
    before = NeighbourTagger.fit(examples, vectors, taxonomy)
    after = NeighbourTagger.fit(examples + board_examples, np.vstack([vectors, board]), taxonomy)
    query = TagInput("q", "the escalation policy was not used", board[0])
    s23 = taxonomy.ids.index("S23")
    assert before.score([query]).scores[0, s23] < 0.5 < after.score([query]).scores[0, s23]


def test_row_weights_multiply_a_rows_vote() -> None:
    vectors = _unit((1.0, 0.1), (1.0, -0.1))  # equally near the query
    labels = np.array([[1, 0], [0, 1]], dtype=float)
    query = _unit((1.0, 0.0))
    assert vote_shares(query, vectors, labels)[0].tolist() == pytest.approx([0.5, 0.5])
    weighted = vote_shares(query, vectors, labels, row_weights=np.array([1.0, 4.0]))
    assert weighted[0].tolist() == pytest.approx([0.2, 0.8])


def test_a_boards_labels_vote_with_the_board_weight(taxonomy: Taxonomy) -> None:
    from taxonomy.calibration import BOARD_LABEL_WEIGHT, fit_neighbours

    examples, vectors = _examples(taxonomy)
    board = [LabelledExample("panel said", ("S23",), "panel"), LabelledExample("imported", ("S23",), "learned:x.jsonl")]
    member = fit_neighbours(examples + board, np.vstack([vectors, vectors[:2]]), taxonomy)
    assert member.row_weights is not None
    assert member.row_weights.tolist() == [1.0] * len(examples) + [BOARD_LABEL_WEIGHT] * 2
