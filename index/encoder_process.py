"""An encoder in a process of its own, for a process that has Python work to do while it encodes.

Torch releases the interpreter lock inside each operation, but the model's Python code between
operations needs it back. In a process whose other threads run Python (a batch ingest stores parsed
files and tags passages while it embeds), each of the forward pass's operations waits for the lock
to be handed over: measured here, one-thread encoding fell from about 28 to about 10 passages a
second beside one busy Python thread. A child process has a lock of its own.

:class:`EncoderProcess` starts a child (``spawn``: nothing copied from this process's threads),
builds the encoder there with :func:`~index.encoder.make_encoder`, and answers one batch of texts
per call over a pipe. Its vectors are the encoder's, computed on the same batches. The child leaves
when asked, or when its pipe closes (as a killed parent's does). As with any ``spawn``, a script
that starts one must keep its own work under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from index.encoder import load_now, make_encoder, thread_intra_op_threads
from index.errors import EncoderError

STOP_SECONDS = 10.0
"""How long :meth:`EncoderProcess.close` waits for the child to leave before ending it."""


def _serve(conn: Connection, kind: str, model_path: str | None, threads: int | None) -> None:
    """The child: build the encoder, report, then encode each request until told to stop or the
    parent's end of the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when an interrupted run stops
    try:
        encoder = make_encoder(kind, model_path, threads=threads)
        load_now(encoder)  # so the parent hears of a model that cannot load before any text
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", str(exc)))
        return
    default_threads = thread_intra_op_threads()
    conn.send(("ready", encoder.model_id, int(encoder.dimension)))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the parent has gone
            return
        if request is None:
            return
        texts, batch_size, wanted = request
        try:
            thread_intra_op_threads(wanted if wanted is not None else default_threads)
            conn.send(("ok", np.asarray(encoder.encode(texts, batch_size=batch_size), dtype=np.float32)))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
            conn.send(("error", str(exc)))


class EncoderProcess:
    """The encoder ``kind`` (``model_path``, ``threads`` as :func:`~index.encoder.make_encoder`)
    running in a child process; :meth:`encode` blocks the calling thread only, without the lock.

    Raises :class:`~index.errors.EncoderError` if the model cannot be loaded there, and from
    :meth:`encode` if encoding fails or the child has stopped. Call :meth:`close` when done.
    """

    def __init__(self, kind: str, model_path: str | None = None, *, threads: int | None = None) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process: Any = context.Process(
            target=_serve, args=(child, kind, model_path, threads), name="gwersi-encoder", daemon=True
        )
        self._lock = threading.Lock()
        self._process.start()
        child.close()
        try:
            self.model_id, self.dimension = self._reply()
        except EncoderError:
            self.close()
            raise

    def _reply(self) -> Any:
        try:
            status, *rest = self._conn.recv()
        except (EOFError, OSError):
            self._process.join(STOP_SECONDS)
            raise EncoderError(
                f"the encoder process stopped unexpectedly (exit code {self._process.exitcode})"
            ) from None
        if status == "error":
            raise EncoderError(rest[0])
        return rest[0] if len(rest) == 1 else tuple(rest)

    def encode(self, texts: list[str], batch_size: int = 32, *, threads: int | None = None) -> np.ndarray:
        """Vectors for ``texts`` (as the encoder's ``encode``), with ``threads`` torch threads in the
        child for this call (``None``: the count the encoder was loaded with)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            try:
                self._conn.send((list(texts), batch_size, threads))
            except (BrokenPipeError, OSError):
                raise EncoderError("the encoder process has stopped") from None
            vectors: np.ndarray = self._reply()
        return vectors

    def close(self) -> None:
        """Ask the child to leave, and end it if it does not within :data:`STOP_SECONDS`."""
        with contextlib.suppress(BrokenPipeError, OSError):
            self._conn.send(None)
        self._process.join(STOP_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()
