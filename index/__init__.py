"""Index: the catalogue (SQLAlchemy), the encoder, FAISS and BM25 indexes, and fusion."""
