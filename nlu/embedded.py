"""Embedded intent classifier trained from the Rasa YAML in nlu/data — no extra service needed.

Text is folded exactly as bot.core does it (case, look-alike letters, Uzbek apostrophes) and each word is
replaced by its phonetic key, so Uzbek Latin and Cyrillic, and Russian typed in Latin letters, share
features. Features: word uni/bigrams and character 1–4-grams of those keys (TF-IDF); model: a linear SVM
(trains in about two seconds), with a softmax over its scores as the confidence. Two safety rules sit on top of the model:
  * emergency wins whenever its probability is close to the top one, or a word from the `danger` lookup
    table appears (a false alarm costs a message; a missed emergency can cost a life);
  * a long pasted text that looks like an offer (money, contacts, a destination, recruitment words) is
    routed to check_offer even when the model is unsure.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.core import extract as ex
from bot.core.language import detect as detect_language
from bot.core.normalize import fold, tokens
from bot.core.patterns import PatternSet

from . import trainingdata
from .linear import LinearIntentModel

NLU_DIR = Path(__file__).resolve().parent
DATA_DIR = NLU_DIR / "data"
TESTS_DIR = NLU_DIR / "tests"
MODEL_PATH = NLU_DIR / "models" / "embedded.pkl"
MODEL_FORMAT = 7  # bump when features or the pickle layout change
# Chosen by 5-fold cross-validation on nlu/data (never on nlu/tests): best accuracy with emergency recall
# above 0.95. Confidence is a softmax of the SVM scores at this temperature.
TEMPERATURE = 5.0
FALLBACK_THRESHOLD = 0.20
EMERGENCY_MARGIN = 0.8  # emergency wins when p(emergency) >= 0.8 * p(top)
MAX_CHARS = 4000
OFFER_WORDS = [
    "ваканс*", "работ*", "зарплат*", "оклад*", "требу*", "набор*", "приглаш*", "виза*", "визу", "визы", "билет*",
    "vacanc*", "job*", "salary", "hiring", "wage*", "visa*", "ticket*", "ish", "ishga", "oylik*", "maosh*",
    "жұмыс*", "айлық*", "жалақы*", "жумуш*", "айлык*", "эмгек", "кор", "музд*", "маош*", "иш", "ишга", "ойлик*",
    "agency", "агентств*", "агенттік*", "agentlik*", "ширкат*", "замуж*", "невест*", "kelin*", "турмуш*",
]


def features(text: str) -> str:
    """The normalised form the classifier sees: phonetic keys of the folded words, space-separated."""
    f = fold(text[:MAX_CHARS])
    return " ".join(t.key for t in tokens(f)) or "_empty_"


@dataclass
class EntityExtractor:
    """Countries from the shared lexicon; other entities (offer_kind…) from annotated training examples.

    Only the (surface, entity, value) triples are saved with the model; the matcher is compiled at load."""

    surfaces: list[tuple[str, str, str]]

    def __post_init__(self) -> None:
        self.matcher = PatternSet(max_gap=0)
        for surface, entity, value in self.surfaces:
            try:
                self.matcher.add(surface, (entity, value))
            except ValueError:
                pass

    def __getstate__(self) -> dict:
        return {"surfaces": self.surfaces}

    def __setstate__(self, state: dict) -> None:
        self.surfaces = state["surfaces"]
        self.__post_init__()

    @classmethod
    def build(cls, data: trainingdata.TrainingData, countries: dict[str, list[str]]) -> "EntityExtractor":
        surfaces = [(n, "country", code) for code, names in countries.items() for n in names]
        seen: set[tuple[str, str]] = set()
        for ex_ in data.examples:
            for e in ex_.entities:
                if e.entity == "country":
                    continue
                surface = " ".join(re.findall(r"[\w']+", e.text))
                if surface and (e.entity, surface.casefold()) not in seen:
                    seen.add((e.entity, surface.casefold()))
                    surfaces.append((surface, e.entity, e.value))
        return cls(surfaces)

    def extract(self, text: str) -> list[dict[str, Any]]:
        f = fold(text[:MAX_CHARS])
        out, seen = [], set()
        for m in self.matcher.search(tokens(f), f):
            entity, value = m.payload
            if (entity, value) in seen:
                continue
            seen.add((entity, value))
            a, b = f.span(m.start, m.end)
            out.append({"entity": entity, "value": value, "start": a, "end": b, "text": text[a:b]})
        return out


def _country_lexicon() -> dict[str, list[str]]:
    import yaml

    path = NLU_DIR.parent / "content" / "countries.yml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        return {c: list(v["names"]) for c, v in doc["countries"].items()}
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return {}


class EmbeddedNLU:
    """Load (or train) once; `parse` is then a few hundred microseconds."""

    backend = "embedded"

    def __init__(self, model: LinearIntentModel, intents: list[str], extractor: EntityExtractor, data_hash: str,
                 danger_words: list[str] = ()):
        self.model = model
        self.intents = intents
        self.extractor = extractor
        self.data_hash = data_hash
        self.danger_words = list(danger_words)
        self._offer_words = PatternSet(max_gap=0)
        for w in OFFER_WORDS:
            self._offer_words.add(w, "offer")
        self._danger = PatternSet(max_gap=1)
        for w in self.danger_words:
            self._add_danger(w)

    def _add_danger(self, word: str) -> None:
        """Lookup entries are literal for Rasa; here longer words also match their inflected forms."""
        words = word.split()
        if words and len(words[-1]) >= 5 and not words[-1].endswith("*"):
            words[-1] += "*"
        try:
            self._danger.add(" ".join(words), "danger")
        except ValueError:
            pass

    def danger(self, text: str) -> str | None:
        """The first danger word in the text (from the `danger` lookup table), or None."""
        f = fold(text[:MAX_CHARS])
        hits = self._danger.search(tokens(f), f)
        return f.source(hits[0].start, hits[0].end) if hits else None

    # --- training and persistence ---
    @staticmethod
    def data_fingerprint(paths: list[Path]) -> str:
        h = hashlib.sha256(str(MODEL_FORMAT).encode())
        for p in sorted(f for d in paths for f in (sorted(d.glob("*.yml")) if d.is_dir() else [d])):
            h.update(p.name.encode())
            h.update(p.read_bytes())
        countries = NLU_DIR.parent / "content" / "countries.yml"
        if countries.exists():
            h.update(countries.read_bytes())
        return h.hexdigest()[:16]

    @classmethod
    def train(cls, data_paths: list[Path] | None = None) -> "EmbeddedNLU":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion, Pipeline
        from sklearn.svm import LinearSVC

        paths = data_paths or [DATA_DIR]
        data = trainingdata.load(paths)
        if not data.examples:
            raise trainingdata.TrainingDataError("no training examples found in " + ", ".join(map(str, paths)))
        x = [features(e.text) for e in data.examples]
        y = [e.intent for e in data.examples]
        pipeline = Pipeline([
            ("features", FeatureUnion([
                ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"\S+",
                                          sublinear_tf=True, min_df=1)),
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=1,
                                          max_features=60000)),
            ])),
            ("model", LinearSVC(C=1.0, class_weight="balanced")),
        ])
        pipeline.fit(x, y)
        model = LinearIntentModel.from_pipeline(pipeline)
        cls.last_pipeline = pipeline  # kept for tests that compare it with the fast copy
        extractor = EntityExtractor.build(data, _country_lexicon())
        return cls(model, model.classes, extractor, cls.data_fingerprint(paths), data.lookups.get("danger", []))

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump({"format": MODEL_FORMAT, "hash": self.data_hash, "model": self.model,
                         "intents": self.intents, "extractor": self.extractor, "danger": self.danger_words},
                        fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path = MODEL_PATH, data_paths: list[Path] | None = None, train_if_stale: bool = True
             ) -> "EmbeddedNLU":
        """The saved model when it was trained on the current data; otherwise train now (seconds) and save."""
        paths = data_paths or [DATA_DIR]
        want = cls.data_fingerprint(paths)
        try:
            with path.open("rb") as fh:
                saved = pickle.load(fh)
            if saved.get("format") == MODEL_FORMAT and saved.get("hash") == want:
                return cls(saved["model"], saved["intents"], saved["extractor"], want, saved["danger"])
        except Exception:  # missing, corrupt, or written by other library versions: retrain
            pass
        if not train_if_stale:
            raise FileNotFoundError(f"no up-to-date model at {path}; run `saqbol nlu train`")
        model = cls.train(paths)
        try:
            model.save(path)
        except OSError:
            pass  # a read-only checkout still works, it just trains at every start
        return model

    # --- parsing ---
    def looks_like_offer(self, text: str) -> bool:
        """A pasted ad: long enough and with at least two kinds of offer signal."""
        if len(text) < 100:
            return False
        f = fold(text[:MAX_CHARS])
        toks = tokens(f)
        signals = 0
        signals += bool(ex.money(text[:MAX_CHARS]))
        signals += bool(ex.phones(text[:MAX_CHARS]) or ex.telegram(text) or ex.urls(text[:MAX_CHARS]))
        signals += bool(self._offer_words.search(toks, f))
        signals += any(e["entity"] == "country" for e in self.extractor.extract(text))
        return signals >= 2

    def parse(self, text: str) -> dict[str, Any]:
        text = text if isinstance(text, str) else ""
        clipped = text[:MAX_CHARS]
        scores = self.model.decision(features(clipped)) * TEMPERATURE
        scores = np.exp(scores - scores.max())
        probs = scores / scores.sum()
        ranking = sorted(zip(self.intents, (float(p) for p in probs)), key=lambda kv: -kv[1])
        name, confidence = ranking[0]
        p = dict(ranking)
        rule = None
        if name != "emergency" and p.get("emergency", 0.0) >= EMERGENCY_MARGIN * confidence:
            name, confidence, rule = "emergency", p["emergency"], "emergency_margin"
        elif name != "emergency" and self.danger(clipped):
            name, confidence, rule = "emergency", max(p.get("emergency", 0.0), 0.5), "danger_word"
        elif name not in ("check_offer", "emergency") and self.looks_like_offer(clipped):
            name, confidence, rule = "check_offer", max(p.get("check_offer", 0.0), 0.5), "offer_heuristic"
        elif confidence < FALLBACK_THRESHOLD or not clipped.strip():
            name, confidence, rule = "out_of_scope", confidence, "low_confidence"
        return {
            "text": text,
            "intent": {"name": name, "confidence": round(confidence, 4)},
            "intent_ranking": [{"name": n, "confidence": round(c, 4)} for n, c in ranking[:5]],
            "entities": self.extractor.extract(clipped),
            "language": detect_language(clipped),
            "backend": self.backend,
            **({"rule": rule} if rule else {}),
        }


def timed_load(**kwargs: Any) -> tuple[EmbeddedNLU, float]:
    t0 = time.perf_counter()
    model = EmbeddedNLU.load(**kwargs)
    return model, time.perf_counter() - t0
