"""Inference for the trained TF-IDF + linear SVM without scikit-learn's per-call overhead.

scikit-learn validates and dispatches on every `decision_function` call (~5 ms for one sentence); the
arithmetic itself is a few dictionary lookups and a 13-column dot product. After training we copy the
vocabularies, IDF weights and coefficients into this small class, which reproduces the pipeline exactly
(tests/test_nlu_embedded.py compares both) and pickles without any scikit-learn objects.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np


def word_ngrams(text: str) -> list[str]:
    """TfidfVectorizer(analyzer="word", token_pattern=r"\\S+", ngram_range=(1, 2)) on lower-case text."""
    tokens = text.split()
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """TfidfVectorizer(analyzer="char_wb", ngram_range=(min_n, max_n)): n-grams inside space-padded words."""
    grams: list[str] = []
    for word in text.split():
        w = f" {word} "
        length = len(w)
        for n in range(min_n, max_n + 1):
            if length <= n:
                grams.append(w)
                break
            grams.extend(w[i:i + n] for i in range(length - n + 1))
    return grams


@dataclass
class Block:
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # (n_features, n_classes)

    def scores(self, grams: list[str]) -> np.ndarray:
        counts = Counter(g for g in grams if g in self.vocabulary)
        if not counts:
            return np.zeros(self.coef.shape[1])
        idx = np.fromiter((self.vocabulary[g] for g in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64, count=len(counts))
        values = tf * self.idf[idx]
        norm = math.sqrt(float(values @ values))
        return (values / norm) @ self.coef[idx] if norm else np.zeros(self.coef.shape[1])


@dataclass
class LinearIntentModel:
    classes: list[str]
    words: Block
    chars: Block
    char_range: tuple[int, int]
    intercept: np.ndarray

    @classmethod
    def from_pipeline(cls, pipeline) -> "LinearIntentModel":
        union = pipeline.named_steps["features"]
        svm = pipeline.named_steps["model"]
        vec = dict(union.transformer_list)
        w, c = vec["words"], vec["chars"]
        n_w = len(w.vocabulary_)
        coef = svm.coef_.T  # (n_features, n_classes), words first then chars, as FeatureUnion stacks them
        if coef.shape[1] == 1:  # binary problems store one column; not our case, but keep it correct
            coef = np.hstack([-coef, coef])
        return cls(
            classes=[str(x) for x in svm.classes_],
            words=Block({k: int(v) for k, v in w.vocabulary_.items()}, np.asarray(w.idf_), np.ascontiguousarray(coef[:n_w])),
            chars=Block({k: int(v) for k, v in c.vocabulary_.items()}, np.asarray(c.idf_), np.ascontiguousarray(coef[n_w:])),
            char_range=tuple(c.ngram_range),
            intercept=np.asarray(svm.intercept_),
        )

    def decision(self, text: str) -> np.ndarray:
        text = " ".join(text.lower().split())
        return (self.words.scores(word_ngrams(text))
                + self.chars.scores(char_wb_ngrams(text, *self.char_range)) + self.intercept)
