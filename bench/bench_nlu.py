"""NLU benchmark: embedded training time, model load time, parse latency; Rasa /model/parse side by side.

Prints figures, asserts nothing. Rasa is started from the cached sidecar when it is installed and trained
(`make rasa`), or taken from SAQBOL_RASA_URL; otherwise its column says why it is missing.
Also prints accuracy of both backends on nlu/tests (the held-out set).

Usage: python bench/bench_nlu.py [--no-rasa]
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from nlu import rasa_sidecar, trainingdata  # noqa: E402
from nlu.embedded import MODEL_PATH, EmbeddedNLU  # noqa: E402
from nlu.evaluate import report  # noqa: E402
from nlu.rasa_prepare import to_rasa_text  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def start_rasa() -> tuple[str | None, subprocess.Popen | None, str]:
    if os.environ.get("SAQBOL_RASA_URL"):
        return os.environ["SAQBOL_RASA_URL"], None, "external"
    model = rasa_sidecar.model_path()
    if not rasa_sidecar.rasa_bin().exists() or not model.exists():
        return None, None, "sidecar not installed/trained (make rasa)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    proc = subprocess.Popen(rasa_sidecar.serve_command(port, model), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - t0 < 240:
        try:
            if httpx.get(f"{url}/status", timeout=2).status_code == 200:
                return url, proc, f"started in {time.perf_counter() - t0:.0f} s"
        except httpx.HTTPError:
            time.sleep(1)
    proc.kill()
    return None, None, "did not start within 240 s"


def main() -> None:
    tests = trainingdata.load(ROOT / "nlu" / "tests").examples
    texts = [e.text for e in tests]

    t0 = time.perf_counter()
    model = EmbeddedNLU.train()
    train_s = time.perf_counter() - t0
    model.save()
    t0 = time.perf_counter()
    model = EmbeddedNLU.load(MODEL_PATH)
    load_s = time.perf_counter() - t0
    for t in texts[:50]:
        model.parse(t)
    lat = []
    preds = []
    for t in texts:
        s = time.perf_counter()
        preds.append(model.parse(t)["intent"]["name"])
        lat.append((time.perf_counter() - s) * 1000)
    emb = report([e.intent for e in tests], preds)
    emb_p50 = statistics.median(lat)
    print(f"embedded: train {train_s:.1f} s, load {load_s:.2f} s, parse p50 {statistics.median(lat):.2f} ms, "
          f"p99 {pct(lat, 99):.2f} ms; nlu/tests accuracy {emb['accuracy']:.3f}, macro-F1 {emb['macro_f1']:.3f}, "
          f"emergency recall {emb['per_intent']['emergency']['recall']:.3f}")

    if "--no-rasa" in sys.argv:
        return
    url, proc, how = start_rasa()
    if url is None:
        print(f"rasa: not measured — {how}")
        return
    try:
        client = httpx.Client(timeout=30)
        lat, preds = [], []
        for t in texts:
            s = time.perf_counter()
            body = client.post(f"{url}/model/parse", json={"text": to_rasa_text(t)}).json()
            lat.append((time.perf_counter() - s) * 1000)
            name = body["intent"]["name"]
            preds.append("out_of_scope" if name == "nlu_fallback" else name)
        ras = report([e.intent for e in tests], preds)
        p50 = statistics.median(lat)
        print(f"rasa ({how}): /model/parse p50 {p50:.2f} ms, p99 {pct(lat, 99):.2f} ms; nlu/tests accuracy "
              f"{ras['accuracy']:.3f}, macro-F1 {ras['macro_f1']:.3f}, emergency recall "
              f"{ras['per_intent']['emergency']['recall']:.3f} (raw DIET, before Saqbol's safety rules)")
        print(f"ratio: embedded parse is {p50 / emb_p50:.0f}x faster than a Rasa round trip (p50)")
    finally:
        if proc is not None:
            proc.kill()


if __name__ == "__main__":
    main()
