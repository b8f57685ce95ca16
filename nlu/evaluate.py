"""Intent evaluation on any Rasa NLU YAML file: accuracy, macro-F1, per-intent P/R/F1, confusion pairs."""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterable

from .trainingdata import Example


def evaluate(examples: Iterable[Example], predict: Callable[[str], str]) -> dict:
    gold: list[str] = []
    pred: list[str] = []
    for ex in examples:
        gold.append(ex.intent)
        pred.append(predict(ex.text))
    return report(gold, pred)


def report(gold: list[str], pred: list[str]) -> dict:
    labels = sorted(set(gold) | set(pred))
    tp, fp, fn = Counter(), Counter(), Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, pred):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
            confusion[(g, p)] += 1
    per_intent = {}
    for label in labels:
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                             "support": tp[label] + fn[label]}
    gold_labels = sorted(set(gold))
    macro_f1 = sum(per_intent[l]["f1"] for l in gold_labels) / len(gold_labels) if gold_labels else 0.0
    return {
        "accuracy": round(sum(tp.values()) / len(gold), 4) if gold else 0.0,
        "macro_f1": round(macro_f1, 4),
        "examples": len(gold),
        "per_intent": per_intent,
        "confusions": [{"gold": g, "predicted": p, "count": c} for (g, p), c in confusion.most_common(15)],
    }
