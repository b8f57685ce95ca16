"""Registry import benchmark: prints figures, asserts nothing.

Generates a registry workbook as a ministry might publish it (title rows, Russian headers, Excel date cells,
statuses in several languages, 1 % duplicate rows, 0.5 % broken rows, one unique phone per agency), then runs
`saqbol registry import --dry-run` on it in a fresh process, best of N:
  * rows/s and wall time for the whole import (read + normalise + merge + validate + diff),
  * the time openpyxl alone needs to stream the sheet (the floor for any XLSX import),
  * peak RSS of the importing process.
The same rows as a cp1251 CSV are measured too.

Usage: python bench/bench_import.py [--rows 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADERS = ["№ п/п", "Наименование", "БИН", "Номер лицензии", "Дата выдачи", "Статус", "Срок действия", "Телефон",
           "Юридический адрес"]
STATUSES = ["действует"] * 6 + ["Действующая", "приостановлена", "отозвана", "amal qilmoqda", "жарамды", "expired"]
WORDS = "Дала Жумыс Алтын Копир Шанырак Ворк Kadr Servis Global Staff Recruitment Тулпар Байтерек Каспий Астана " \
        "Персонал Консалтинг Trade Line Star Plus".split()


def rows(n: int, seed: int = 7):
    """Synthetic registry rows (name, tax id, licence, issued, status, valid until, phone, address)."""
    rnd = random.Random(seed)
    base = date(2026, 1, 1)
    for i in range(n):
        j = i - 1 if i % 100 == 99 else i  # every 100th row repeats the previous agency (a duplicate to merge)
        name = f'ТОО "{WORDS[j % len(WORDS)]} {WORDS[(j // len(WORDS)) % len(WORDS)]} {j}"'
        valid = base + timedelta(days=rnd.randrange(-400, 1500))
        status = STATUSES[rnd.randrange(len(STATUSES))] if i % 200 != 150 else "???"  # 0.5 % broken statuses
        yield (i + 1, name, f"{190000000000 + j}", f"KZ-TR-{j:06d}", base - timedelta(days=rnd.randrange(3000)),
               status, valid, f"+7 701 {j // 10000:03d} {j % 10000:04d}", f"г. Астана, ул. {j % 97}, {j % 13}")


def write_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Реестр")
    ws.append(["Реестр частных агентств занятости"])
    ws.append([f"по состоянию на {date(2026, 11, 1):%d.%m.%Y}"])
    ws.append([])
    ws.append(HEADERS)
    for r in rows(n):
        ws.append(list(r))
    wb.save(path)


def write_csv(path: Path, n: int) -> None:
    lines = [";".join(HEADERS)]
    for r in rows(n):
        cells = [str(c) if not isinstance(c, date) else f"{c:%d.%m.%Y}" for c in r]
        lines.append(";".join('"' + c.replace('"', '""') + '"' for c in cells))
    path.write_bytes("\r\n".join(lines).encode("cp1251"))


IMPORT = """
import json, resource, sys, time
from pathlib import Path
from bot.content.registry_import import preview_import
t0 = time.perf_counter()
s = preview_import(Path(sys.argv[1]), "KZ", "employment", source_url="https://example.org/bench")
dt = time.perf_counter() - t0
r = s.result
print(json.dumps({"seconds": dt, "read": r.read, "imported": len(r.rows), "merged": len(r.merges),
                  "rejected": len(r.rejects), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
STREAM = """
import json, resource, sys, time
from openpyxl import load_workbook
t0 = time.perf_counter()
wb = load_workbook(sys.argv[1], read_only=True, data_only=True)
n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": n,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        xlsx, csv_path = Path(tmp) / "registry.xlsx", Path(tmp) / "registry.csv"
        t0 = time.perf_counter()
        write_xlsx(xlsx, args.rows)
        write_csv(csv_path, args.rows)
        print(f"generated {args.rows:,} rows as XLSX ({xlsx.stat().st_size / 1e6:.1f} MB) and cp1251 CSV "
              f"({csv_path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
        stream = min((run(STREAM, xlsx) for _ in range(args.runs)), key=lambda r: r["seconds"])
        print(f"openpyxl read-only streaming alone: {stream['seconds']:.2f} s "
              f"({stream['rows'] / stream['seconds']:,.0f} rows/s), peak RSS {stream['rss_mb']:.0f} MB")
        for label, path in (("XLSX", xlsx), ("CSV ", csv_path)):
            results = [run(IMPORT, path) for _ in range(args.runs)]
            best = min(results, key=lambda r: r["seconds"])
            print(f"{label} import (best of {args.runs}): {best['seconds']:.2f} s, "
                  f"{best['read'] / best['seconds']:,.0f} "
                  f"rows/s, peak RSS {max(r['rss_mb'] for r in results):.0f} MB; read {best['read']:,}, imported "
                  f"{best['imported']:,}, merged {best['merged']:,}, rejected {best['rejected']:,}")


if __name__ == "__main__":
    main()
