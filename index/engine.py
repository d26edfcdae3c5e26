"""The search engine: BM25 + dense vectors + filters + fusion over a list of passages.

The engine never touches the database: the services layer hands it :class:`PassageRecord` rows
and one stored embedding per passage. Filters become an allowed-id array (``index.filters``)
that both retrievers honour inside their search, so a filtered query still fills its page.

Searching (``search``, ``more_like_this``, ``similar_reviews``) only reads and may run on
several threads at once; ``update`` changes the indexes in place and must not overlap with
anything else (swap in a new engine, or hold a lock).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.concepts import ConceptMatrix, ConceptModel
from index.dense import DenseIndex, DenseKind, HnswStorage
from index.encoder import Encoder
from index.errors import IndexMismatchError, NotIndexedError, QueryError
from index.filters import FilterColumns
from index.fusion import FUSERS, get_fuser
from index.manifest import REBUILD_HINT, IndexManifest, corpus_hash
from index.ranking import DEFAULT_POLICY, UNCLASSIFIED_KINDS, RankingPolicy, fuse_hybrid, section_prior
from index.records import PassageRecord, ReviewGroup, SearchFilters, SearchHit
from index.rerank import PRIOR_CONFIDENCE, CandidatePool, LinearReranker, pool_ids, rank_positions, rerank_order
from index.similarity import ReviewProfiles, SimilarReview, build_profiles, similar_reviews, surface_forms
from index.snippets import highlight
from index.sparse import SparseIndex
from index.text import query_terms
from index.thesaurus import default_thesaurus

MODES = ("hybrid", "bm25", "dense")
MAX_QUERY_CHARS = 1000
MAX_RESULTS = 1000  # offset + k may not exceed this
OVERFETCH = 3  # hybrid fetches this many times offset + k from each retriever ...
MIN_CANDIDATES = 50  # ... and at least this many
ANN_THRESHOLD = 200_000
BUILD_CHUNK = 50_000
EXPANSION_WEIGHT = 0.5
"""Weight of a query's thesaurus expansions in BM25 beside its own terms (1.0). Chosen on the
tunable search corpora (samples, held-out dev and test): 0.3, 0.5 and 1.0 were within 0.004 nDCG@10
of each other, and all above no expansion."""

Ranked = list[tuple[int, float]]


def validate_query(query: str) -> str:
    """The query stripped of surrounding space; :class:`QueryError` if empty or too long."""
    if not isinstance(query, str):
        raise QueryError("the query must be text")
    text = query.strip()
    if not text:
        raise QueryError("the query is empty; type one or more words")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query has {len(text)} characters; the limit is {MAX_QUERY_CHARS}")
    return text


def _validate_page(k: int, offset: int) -> None:
    if k < 1:
        raise QueryError("k (results per page) must be at least 1")
    if offset < 0:
        raise QueryError("offset must not be negative")
    if offset + k > MAX_RESULTS:
        raise QueryError(f"offset + k may not exceed {MAX_RESULTS}")


def keyword_text(record: PassageRecord) -> str:
    """What BM25 indexes for a passage: its section heading, then its text.

    A learning point's title ("Mental capacity was assumed, not assessed") often names the theme
    its paragraphs only describe; searching it beside the text lifted BM25 and hybrid nDCG@10 on
    every tunable corpus (``gwersi eval search``). Snippets still quote the text alone.
    """
    heading = record.section_heading.strip()
    return f"{heading}\n{record.text}" if heading else record.text


def query_expansions(query: str, expand: bool = True) -> tuple[str, ...]:
    """What search adds to ``query`` from the thesaurus (nothing when ``expand`` is off)."""
    return default_thesaurus().expansions(query.strip()) if expand else ()


def _pairs(found: tuple[np.ndarray, np.ndarray]) -> Ranked:
    return list(zip(found[0].tolist(), found[1].tolist(), strict=True))


@dataclass(frozen=True)
class _Retrieved:
    """One query's candidate lists, and what the query was turned into to fetch them."""

    text: str
    extra: tuple[str, ...]
    bm25: Ranked
    dense: Ranked
    concepts: list[int]
    bm25_scores: np.ndarray | None = None
    """Every indexed passage's BM25 score (document order), kept for the reranker's pool."""
    vector: np.ndarray | None = None
    concept_scores: np.ndarray | None = None


class SearchEngine:
    """Hybrid search over passages. Build it with :meth:`build` or :meth:`load`."""

    def __init__(
        self,
        records: Sequence[PassageRecord],
        dense: DenseIndex,
        sparse: SparseIndex,
        encoder: Encoder,
        *,
        taxonomy_version: str = "",
        concepts: tuple[ConceptModel, ConceptMatrix] | None = None,
        reranker: LinearReranker | None = None,
    ) -> None:
        self.encoder = encoder
        self.taxonomy_version = taxonomy_version
        self._dense = dense
        self._sparse = sparse
        self._concepts = concepts
        if reranker is not None and not reranker.suits(encoder.model_id, concepts is not None):
            raise ValueError(
                f"the reranker was fitted for encoder {reranker.encoder!r} "
                f"{'with' if reranker.concepts else 'without'} the concept list; this engine has "
                f"{encoder.model_id!r} {'with' if concepts is not None else 'without'} it"
            )
        self._reranker = reranker
        self._set_records(records)

    def _set_records(self, records: Iterable[PassageRecord]) -> None:
        self._records = list(records)
        self._by_id = {r.passage_id: r for r in self._records}
        if len(self._by_id) != len(self._records):
            raise ValueError("passage ids must be unique")
        self._columns = FilterColumns(self._records)
        self._profiles: ReviewProfiles | None = None
        self._words: dict[int, int] = {}
        self._heading_terms: dict[str, frozenset[str]] = {}

    @classmethod
    def build(
        cls,
        records: Sequence[PassageRecord],
        embeddings: np.ndarray,
        encoder: Encoder,
        *,
        taxonomy_version: str = "",
        ann_threshold: int = ANN_THRESHOLD,
        dense_kind: DenseKind = "auto",
        hnsw_storage: HnswStorage = "fp16",
        concepts: ConceptModel | None = None,
        concepts_before: ConceptMatrix | None = None,
        reranker: LinearReranker | None = None,
    ) -> SearchEngine:
        """Index ``records``; ``embeddings[i]`` is the normalised vector of ``records[i]``.

        The dense index is exact up to ``ann_threshold`` passages and HNSW above it (or as
        ``dense_kind`` forces); ``hnsw_storage="fp16"`` halves HNSW vector memory. With a
        ``concepts`` model every passage is scored over the standards for the concept list (rows
        of ``concepts_before``, the previous index's, are reused for the passages it holds). A
        ``reranker`` orders hybrid search's candidates (it must suit the encoder and concept list).
        """
        if embeddings.shape != (len(records), encoder.dimension):
            raise ValueError(
                f"embeddings have shape {embeddings.shape}, expected ({len(records)}, {encoder.dimension})"
            )
        ids = np.fromiter((r.passage_id for r in records), dtype=np.int64, count=len(records))
        dense = DenseIndex(
            encoder.dimension,
            kind=dense_kind,
            ann_threshold=ann_threshold,
            hnsw_storage=hnsw_storage,
            size_hint=len(records),
        )
        for start in range(0, len(records), BUILD_CHUNK):  # a memory-mapped array is never copied whole
            dense.add(ids[start : start + BUILD_CHUNK], embeddings[start : start + BUILD_CHUNK])
        sparse = SparseIndex()
        sparse.build(ids, [keyword_text(r) for r in records])
        matrix = None
        if concepts is not None:
            matrix = (
                concepts,
                ConceptMatrix.build(
                    concepts, ids, [r.text for r in records], lambda at: embeddings[at], reuse=concepts_before
                ),
            )
        return cls(
            records, dense, sparse, encoder, taxonomy_version=taxonomy_version, concepts=matrix, reranker=reranker
        )

    # ----------------------------------------------------------------- facts
    def __len__(self) -> int:
        return len(self._records)

    @property
    def concept_model_id(self) -> str | None:
        """The model behind the concept list, or ``None`` when search fuses BM25 and dense only."""
        return self._concepts[0].model_id if self._concepts is not None else None

    @property
    def reranker(self) -> LinearReranker | None:
        """The learned reranker hybrid search orders its candidates with (``None``: RRF alone)."""
        return self._reranker

    @property
    def dense_kind(self) -> str:
        """``flat`` (exact), ``hnsw`` or ``hnsw-fp16`` (approximate)."""
        return self._dense.description

    def record(self, passage_id: int) -> PassageRecord:
        """The record of an indexed passage."""
        try:
            return self._by_id[passage_id]
        except KeyError:
            raise NotIndexedError(f"passage {passage_id} is not in the search index") from None

    def allowed_ids(self, filters: SearchFilters) -> np.ndarray | None:
        """Passage ids passing ``filters`` (``None`` when no filter is set)."""
        return self._columns.allowed_ids(filters)

    # ----------------------------------------------------------------- search
    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: str = "hybrid",
        filters: SearchFilters = SearchFilters(),
        fusion: str = "rrf",
        offset: int = 0,
        policy: RankingPolicy | None = None,
        expand: bool = True,
        rerank: bool = True,
    ) -> list[SearchHit]:
        """One page of results: ranks ``offset + 1`` to ``offset + k``.

        ``mode`` is ``hybrid`` (BM25 and dense lists fused by ``fusion``), ``bm25`` or ``dense``.
        Scores are BM25 scores, cosine similarities or fused scores respectively. Hybrid RRF
        follows ``policy`` (default :data:`index.ranking.DEFAULT_POLICY`): its k, weights and
        confidence-gated section prior; with a reranker (and ``rerank``) the first
        :data:`~index.rerank.POOL_DEPTH` candidates of each list are then ordered by it, and
        deeper ones follow in RRF order. The pure modes apply no prior. With ``expand`` the query is
        widened by the thesaurus (:mod:`index.thesaurus`) in both retrievers, and snippets mark
        the expansions too.
        """
        text = validate_query(query)
        if mode not in MODES:
            raise QueryError(f"unknown search mode {mode!r}; valid: {', '.join(MODES)}")
        if mode == "hybrid" and fusion not in FUSERS:
            raise QueryError(f"unknown fusion {fusion!r}; valid: {', '.join(sorted(FUSERS))}")
        _validate_page(k, offset)
        need = offset + k
        allowed = self._columns.allowed_ids(filters)
        if allowed is not None and not allowed.size:
            return []
        fetch = max(need * OVERFETCH, MIN_CANDIDATES) if mode == "hybrid" else need
        found = self._retrieve(text, mode, fetch, allowed, query_expansions(text, expand))
        bm25, dense, concepts = found.bm25, found.dense, found.concepts
        if mode == "bm25":
            ranked = bm25
        elif mode == "dense":
            ranked = dense
        elif fusion == "rrf":
            ranked = fuse_hybrid(
                [pid for pid, _ in bm25], [pid for pid, _ in dense], policy or DEFAULT_POLICY, self._section_of,
                concepts,
            )
            if rerank and self._reranker is not None:
                pool = self._pool(found)
                ranked = rerank_order(pool, self._reranker.score(pool), ranked)
        else:
            ranked = self._with_section_prior(get_fuser(fusion)([bm25, dense]), policy or DEFAULT_POLICY)
        bm25_ranks = {pid: rank for rank, (pid, _) in enumerate(bm25, start=1)}
        dense_ranks = {pid: rank for rank, (pid, _) in enumerate(dense, start=1)}
        concept_ranks = {pid: rank for rank, pid in enumerate(concepts, start=1)}
        terms = query_terms(" ".join((text, *found.extra)))
        return [
            self._hit(pid, score, terms, bm25_ranks.get(pid), dense_ranks.get(pid), concept_ranks.get(pid))
            for pid, score in ranked[offset:need]
        ]

    def ranked_lists(
        self,
        query: str,
        fetch: int = MIN_CANDIDATES,
        filters: SearchFilters = SearchFilters(),
        *,
        expand: bool = True,
    ) -> tuple[list[int], list[int], list[int]]:
        """The BM25, dense and concept candidate ids for ``query``, best first (what hybrid fuses;
        the concept list is empty when the engine has no concept model).

        The search evaluation fuses these under many policies without searching again.
        """
        lists, _pool = self.candidates(query, fetch, filters, expand=expand, pool=False)
        return lists

    def candidates(
        self,
        query: str,
        fetch: int = MIN_CANDIDATES,
        filters: SearchFilters = SearchFilters(),
        *,
        expand: bool = True,
        pool: bool = True,
    ) -> tuple[tuple[list[int], list[int], list[int]], CandidatePool | None]:
        """:meth:`ranked_lists`, and (with ``pool``) the candidate pool a reranker scores, so the
        search evaluation can fit and replay rerankers without searching again."""
        text = validate_query(query)
        allowed = self._columns.allowed_ids(filters)
        if allowed is not None and not allowed.size:
            return ([], [], []), None
        found = self._retrieve(text, "hybrid", fetch, allowed, query_expansions(text, expand))
        lists = ([pid for pid, _ in found.bm25], [pid for pid, _ in found.dense], found.concepts)
        return lists, self._pool(found) if pool else None

    def _retrieve(
        self, text: str, mode: str, fetch: int, allowed: np.ndarray | None, extra: tuple[str, ...] = ()
    ) -> _Retrieved:
        """BM25, dense and (in hybrid mode, with a concept model) concept candidates; ``extra``
        (thesaurus expansions) joins the BM25 query at :data:`EXPANSION_WEIGHT` and the dense and
        concept query text in brackets."""
        bm25: Ranked = []
        bm25_scores = None
        if mode != "dense":
            bm25_scores = self._sparse.scores(text, " ".join(extra), EXPANSION_WEIGHT)
            bm25 = _pairs(self._sparse.top(bm25_scores, fetch, allowed))
        if mode == "bm25":
            return _Retrieved(text, extra, bm25, [], [], bm25_scores)
        query_text = f"{text} ({'; '.join(extra)})" if extra else text
        vector = self.encoder.encode([query_text])[0]
        dense = _pairs(self._dense.search(vector, fetch, allowed))
        concepts: list[int] = []
        concept_scores = None
        if mode == "hybrid" and self._concepts is not None:
            model, matrix = self._concepts
            concept_scores = model.scores([query_text], vector.reshape(1, -1))[0]
            concepts = matrix.rank(concept_scores, fetch, allowed)
        return _Retrieved(text, extra, bm25, dense, concepts, bm25_scores, vector, concept_scores)

    def _pool(self, found: _Retrieved) -> CandidatePool:
        """What the reranker knows of the first candidates of each list (:mod:`index.rerank`)."""
        bm25 = [pid for pid, _ in found.bm25]
        dense = [pid for pid, _ in found.dense]
        ids = np.array(pool_ids(bm25, dense, found.concepts), dtype=np.int64)
        records = [self._by_id[int(pid)] for pid in ids]
        bm25_scores = (
            self._sparse.scores_of(ids, found.bm25_scores)
            if found.bm25_scores is not None
            else np.zeros(ids.size, dtype=np.float32)
        )
        cosine = (
            self._dense.reconstruct(ids) @ found.vector
            if found.vector is not None and ids.size
            else np.zeros(ids.size, dtype=np.float32)
        )
        concept = (
            self._concepts[1].scores_of(ids, found.concept_scores)
            if self._concepts is not None and found.concept_scores is not None
            else np.zeros(ids.size, dtype=np.float32)
        )
        terms = set(query_terms(found.text))
        facts = [self._facts_for_rerank(r) for r in records]
        return CandidatePool(
            ids=ids,
            bm25_rank=rank_positions(ids, bm25),
            dense_rank=rank_positions(ids, dense),
            concept_rank=rank_positions(ids, found.concepts),
            bm25=bm25_scores,
            cosine=np.asarray(cosine, dtype=np.float32),
            concept=concept,
            review=np.array([r.review_id for r in records], dtype=np.int64),
            prior=np.array(
                [section_prior(r.section_kind, r.section_confidence, min_confidence=PRIOR_CONFIDENCE) for r in records]
            ),
            unclassified=np.array([r.section_kind in UNCLASSIFIED_KINDS for r in records], dtype=bool),
            words=np.array([words for words, _ in facts], dtype=np.int64),
            heading_overlap=np.array([len(terms & heading) / max(1, len(terms)) for _, heading in facts]),
        )

    def _facts_for_rerank(self, record: PassageRecord) -> tuple[int, frozenset[str]]:
        """A passage's word count and its heading's terms, each worked out once per engine (terms
        once per distinct heading)."""
        words = self._words.get(record.passage_id)
        if words is None:
            words = self._words[record.passage_id] = len(record.text.split())
        heading = self._heading_terms.get(record.section_heading)
        if heading is None:
            heading = self._heading_terms[record.section_heading] = frozenset(query_terms(record.section_heading))
        return words, heading

    def _section_of(self, passage_id: int) -> tuple[str, float]:
        record = self._by_id[passage_id]
        return record.section_kind, record.section_confidence

    def _with_section_prior(self, ranked: Ranked, policy: RankingPolicy) -> Ranked:
        """Scores times each passage's confidence-gated section prior, re-sorted (ties by id)."""
        weighted = []
        for pid, score in ranked:
            kind, confidence = self._section_of(pid)
            prior = section_prior(
                kind, confidence, strength=policy.prior_strength, min_confidence=policy.min_confidence
            )
            weighted.append((pid, score * prior))
        return sorted(weighted, key=lambda item: (-item[1], item[0]))

    def _hit(
        self,
        passage_id: int,
        score: float,
        terms: tuple[str, ...],
        bm25_rank: int | None,
        dense_rank: int | None,
        concept_rank: int | None = None,
    ) -> SearchHit:
        record = self._by_id[passage_id]
        snippet, matched = highlight(record.text, terms)
        return SearchHit(
            record=record,
            score=float(score),
            snippet=snippet,
            bm25_rank=bm25_rank,
            dense_rank=dense_rank,
            matched_terms=matched,
            concept_rank=concept_rank,
        )

    def more_like_this(
        self,
        passage_id: int,
        k: int = 10,
        filters: SearchFilters = SearchFilters(),
        *,
        other_reviews_only: bool = False,
    ) -> list[SearchHit]:
        """Passages nearest to an indexed passage (never itself), by cosine of stored vectors."""
        source = self.record(passage_id)
        _validate_page(k, 0)
        mask = self._columns.mask(filters)
        if other_reviews_only:
            other = self._columns.review_ids != source.review_id
            mask = other if mask is None else mask & other
        allowed = None if mask is None else self._columns.ids[mask & (self._columns.ids != passage_id)]
        vector = self._dense.reconstruct([passage_id])[0]
        found = _pairs(self._dense.search(vector, k + 1 if allowed is None else k, allowed))
        found = [(pid, score) for pid, score in found if pid != passage_id][:k]
        return [self._hit(pid, score, (), None, rank) for rank, (pid, score) in enumerate(found, start=1)]

    @staticmethod
    def group_by_review(hits: Sequence[SearchHit]) -> list[ReviewGroup]:
        """Hits grouped by review, groups ordered by their best (first) hit."""
        grouped: dict[int, list[SearchHit]] = {}
        for hit in hits:
            grouped.setdefault(hit.record.review_id, []).append(hit)
        return [
            ReviewGroup(
                review_id=review_id,
                title=group[0].record.title,
                reference=group[0].record.reference,
                best_score=group[0].score,
                hits=tuple(group),
            )
            for review_id, group in grouped.items()
        ]

    def similar_reviews(self, review_id: int, k: int = 5) -> list[SimilarReview]:
        """Reviews most like ``review_id``: (review_id, score, reason), best first."""
        if self._profiles is None:
            columns = self._columns
            reviews, codes = np.unique(columns.review_ids, return_inverse=True)
            self._profiles = build_profiles(
                columns.review_ids,
                [r.standards for r in self._records],
                lambda rows: self._dense.reconstruct(columns.ids[rows]),
                self._sparse.grouped_term_weights(columns.ids, codes, reviews.size),
                self._sparse.vocabulary(),
            )
        try:
            self._profiles.row(review_id)
        except KeyError:
            raise NotIndexedError(f"review {review_id} has no passages in the search index") from None

        def surface(rid: int) -> dict[str, str]:
            rows = self._columns.positions_of_review(rid)
            return surface_forms([self._records[int(i)].text for i in rows])

        return similar_reviews(self._profiles, review_id, k=k, surface=surface)

    # ----------------------------------------------------------------- changes
    def update(
        self,
        added_records: Sequence[PassageRecord],
        added_embeddings: np.ndarray,
        removed_ids: Iterable[int] = (),
    ) -> None:
        """Add (or replace, by passage id) and remove passages.

        The dense index changes in place; BM25 is re-indexed from the texts (bm25s has no
        incremental add) and the filter columns are rebuilt.
        """
        added = list(added_records)
        vectors = np.asarray(added_embeddings, dtype=np.float32).reshape(-1, self.encoder.dimension)
        if vectors.shape[0] != len(added):
            raise ValueError(f"{len(added)} added records but {vectors.shape[0]} embeddings")
        added_ids = np.fromiter((r.passage_id for r in added), dtype=np.int64, count=len(added))
        if np.unique(added_ids).size != added_ids.size:
            raise ValueError("added passage ids must be unique")
        drop = set(int(i) for i in removed_ids) | {int(i) for i in added_ids if int(i) in self._by_id}
        self._dense.remove(np.fromiter(drop, dtype=np.int64, count=len(drop)))
        self._dense.add(added_ids, vectors)
        records = [r for r in self._records if r.passage_id not in drop] + added
        self._sparse.build([r.passage_id for r in records], [keyword_text(r) for r in records])
        self._set_records(records)

    # ----------------------------------------------------------------- files
    def manifest(self) -> IndexManifest:
        """The manifest describing this engine's current contents."""
        return _expected_manifest(self._records, self.encoder, self.taxonomy_version, self._dense.description)

    def save(self, directory: Path | str) -> IndexManifest:
        """Write the dense index, the BM25 index and (last) the manifest into ``directory``."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        self._dense.save(folder)
        self._sparse.save(folder)
        if self._concepts is not None:
            self._concepts[1].save(folder)
        manifest = self.manifest()
        manifest.write(folder)
        return manifest

    @classmethod
    def load(
        cls,
        directory: Path | str,
        records: Sequence[PassageRecord],
        encoder: Encoder,
        *,
        taxonomy_version: str = "",
        ann_threshold: int = ANN_THRESHOLD,
        concepts: ConceptModel | None = None,
        reranker: LinearReranker | None = None,
    ) -> SearchEngine:
        """Open a saved index for ``records`` (any order); refuse it if it does not match them.

        With a ``concepts`` model the saved concept matrix is used if that model made it, else the
        passages are scored again from their stored vectors.
        """
        folder = Path(directory)
        stored = IndexManifest.read(folder)
        stored.check(_expected_manifest(records, encoder, taxonomy_version, stored.index_kind))
        dense = DenseIndex.load(folder, ann_threshold=ann_threshold)
        sparse = SparseIndex.load(folder)
        wanted = np.sort(np.fromiter((r.passage_id for r in records), dtype=np.int64, count=len(records)))
        for name, ids in (("dense", dense.ids()), ("BM25", sparse.ids())):
            if not np.array_equal(np.sort(ids), wanted):
                raise IndexMismatchError(
                    f"the {name} index files in {folder} hold other passages than the manifest "
                    f"describes (an interrupted save?); {REBUILD_HINT}"
                )
        matrix = None
        if concepts is not None:
            ids = np.fromiter((r.passage_id for r in records), dtype=np.int64, count=len(records))
            rows = ConceptMatrix.build(
                concepts,
                ids,
                [r.text for r in records],
                lambda at: dense.reconstruct(ids[at]),
                reuse=ConceptMatrix.read(folder),
            )
            matrix = (concepts, rows)
        return cls(
            records, dense, sparse, encoder, taxonomy_version=taxonomy_version, concepts=matrix, reranker=reranker
        )


def _expected_manifest(
    records: Sequence[PassageRecord], encoder: Encoder, taxonomy_version: str, dense_kind: str
) -> IndexManifest:
    return IndexManifest.create(
        model_id=encoder.model_id,
        dimension=encoder.dimension,
        taxonomy_version=taxonomy_version,
        passage_count=len(records),
        corpus_hash=corpus_hash((r.passage_id for r in records), (keyword_text(r) for r in records)),
        index_kind=dense_kind,
    )
