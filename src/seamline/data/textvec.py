"""Text vectors with no downloaded model: TF-IDF over character 2-4-grams (no tokenizer, so
Chinese and English alike), reduced by a seeded TruncatedSVD and scaled to unit length, so
dot products are cosines. Shared by the interest embeddings and the content bridge."""

from __future__ import annotations

import numpy as np


def char_ngram_vectors(texts: list[str], dim: int, max_features: int, seed: int) -> np.ndarray:
    """One unit row per text, `min(dim, vocabulary - 1, texts - 1)` columns (0 when the texts
    are too few or too alike to reduce)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) < 2:
        return np.zeros((len(texts), 0), dtype=np.float64)
    tfidf = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 4),
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
    ).fit_transform(texts)
    k = min(dim, tfidf.shape[1] - 1, len(texts) - 1)
    if k < 1:
        return np.zeros((len(texts), 0), dtype=np.float64)
    vectors = TruncatedSVD(n_components=k, random_state=seed).fit_transform(tfidf)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: np.ndarray = vectors / np.where(norms > 0, norms, 1.0)
    return out
