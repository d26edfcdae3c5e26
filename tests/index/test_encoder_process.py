"""The encoder in a process of its own: the same vectors as in this process, clear errors when the
model cannot load or the child dies, and a clean stop."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from index.encoder import make_encoder
from index.encoder_process import EncoderProcess
from index.errors import EncoderError

TEXTS = [
    "The school nurse referred the family to children's services after the third missed appointment.",
    "No agency asked who the father figure in the household was.",
    "Return home interviews were not offered after each missing episode.",
]


def test_vectors_match_the_encoder_in_this_process() -> None:
    local = make_encoder("hashing")
    process = EncoderProcess("hashing")
    try:
        assert process.model_id == local.model_id and process.dimension == local.dimension
        got = process.encode(TEXTS, batch_size=2, threads=1)
        np.testing.assert_array_equal(got, local.encode(TEXTS))
        assert got.dtype == np.float32
        assert process.encode([]).shape == (0, local.dimension)
        np.testing.assert_array_equal(process.encode(TEXTS[:1]), local.encode(TEXTS[:1]))  # serves on
    finally:
        process.close()


def test_a_process_started_by_a_thread_that_has_ended_still_serves() -> None:
    started: list[EncoderProcess] = []
    starter = threading.Thread(target=lambda: started.append(EncoderProcess("hashing")))
    starter.start()
    starter.join()  # the pipeline's warm-up thread starts the process, then ends
    try:
        time.sleep(0.2)
        np.testing.assert_array_equal(started[0].encode(TEXTS), make_encoder("hashing").encode(TEXTS))
    finally:
        started[0].close()


def test_a_model_that_cannot_load_is_reported_with_its_reason() -> None:
    with pytest.raises(EncoderError, match="no-such-encoder"):
        EncoderProcess("no-such-encoder")


def test_a_child_that_died_gives_a_clear_error_and_close_still_works() -> None:
    process = EncoderProcess("hashing")
    process._process.kill()
    process._process.join()
    with pytest.raises(EncoderError, match="stopped"):
        process.encode(TEXTS)
    process.close()
    process.close()  # twice is harmless


@pytest.mark.model
def test_the_packaged_model_gives_the_same_vectors_in_its_own_process() -> None:
    local = make_encoder("sentence-transformers")
    process = EncoderProcess("sentence-transformers")
    try:
        assert process.model_id == local.model_id
        np.testing.assert_allclose(process.encode(TEXTS, threads=1), local.encode(TEXTS), atol=1e-5)
    finally:
        process.close()
