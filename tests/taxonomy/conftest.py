from __future__ import annotations

import pytest

from taxonomy.standards import Taxonomy, load_taxonomy
from taxonomy.training import LabelledExample, seed_examples, taxonomy_examples
from tests.taxonomy.fakes import FakeEncoder


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="session")
def encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def training(taxonomy: Taxonomy) -> list[LabelledExample]:
    """The packaged training data without sample sources (fast, always present)."""
    return taxonomy_examples(taxonomy) + seed_examples(taxonomy)
