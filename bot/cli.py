"""`saqbol` command line (DESIGN.md §4). JSON for machines (--json/--jsonl), translated text for people.

Errors go to stderr with exit code 2; no traceback ever reaches the user.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from .config import load_settings
from .content import load_content
from .core.registry import RegistryMatch
from .core.verdict import Checker, check_many, checker_from_content
from .i18n import LOCALES, normalize_locale
from .present import RICH, render_verdict

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Saqbol: check job, marriage, travel and study offers for trafficking red flags.")
registry_app = typer.Typer(no_args_is_help=True, help="Look up licensing registries.")
content_app = typer.Typer(no_args_is_help=True, help="Check the NGO-editable content files.")
app.add_typer(registry_app, name="registry")
nlu_app = typer.Typer(no_args_is_help=True, help="Understand free text: parse, evaluate, train.")
app.add_typer(content_app, name="content")
app.add_typer(nlu_app, name="nlu")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
RISK_STYLE = {"high": "bold red", "medium": "bold dark_orange", "low": "bold green", "unknown": "bold"}
KINDS = ("job", "marriage", "travel", "study")


class UserError(Exception):
    """A problem the user can fix; printed to stderr, exit 2."""


def _fail(message: str) -> None:
    raise UserError(message)


def _load(registries: list[Path], content_dir: Path | None, need_ok: bool = True):
    for p in registries:
        if not p.exists():
            _fail(f"registry file not found: {p}")
    content = load_content(content_dir or load_settings().content_dir, extra_registries=registries)
    if content.errors and need_ok:
        for e in content.errors[:20]:
            err.print(str(e), markup=False)
        _fail(f"{len(content.errors)} content error(s); fix them or run `saqbol content validate`")
    return content


def _checker(registries: list[Path], content_dir: Path | None) -> Checker:
    return checker_from_content(_load(registries, content_dir))


def _read_text(text: Optional[str]) -> str:
    if text is None or text == "-":
        if sys.stdin is None or (text is None and sys.stdin.isatty()):
            _fail("give the offer text as an argument, or '-' to read it from standard input")
        data = sys.stdin.buffer.read()
        return data.decode("utf-8", errors="replace")
    return text


def _valid_options(kind: Optional[str], country: Optional[str], lang: Optional[str]) -> tuple:
    if kind is not None and kind not in KINDS:
        _fail(f"--kind must be one of: {', '.join(KINDS)}")
    if country is not None and not (len(country) == 2 and country.isalpha()):
        _fail("--country must be a two-letter country code, e.g. KZ")
    if lang is not None:
        lang = normalize_locale(lang, default="")
        if lang not in LOCALES:
            _fail(f"--lang must be one of: {', '.join(LOCALES)}")
    return kind, country.upper() if country else None, lang


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


@app.command()
def check(
    text: Optional[str] = typer.Argument(None, help="Offer text, or '-' to read standard input."),
    kind: Optional[str] = typer.Option(None, "--kind", help="job | marriage | travel | study"),
    country: Optional[str] = typer.Option(None, "--country", help="Licensing (origin) country, e.g. KZ."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of the answer: " + " ".join(LOCALES)),
    registry: list[Path] = typer.Option([], "--registry", help="Extra registry CSV (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON verdict."),
    jsonl: bool = typer.Option(False, "--jsonl", help="Read JSON objects one a line from stdin; write one verdict a line."),
    content_dir: Optional[Path] = typer.Option(None, "--content", help="Content directory (default: content/)."),
    today: Optional[str] = typer.Option(None, "--today", help="Date for licence expiry checks (YYYY-MM-DD)."),
) -> None:
    """Check an offer: risk level, the phrases that worry us and why, the registry result, what to do."""
    kind, country, lang = _valid_options(kind, country, lang)
    day = _parse_day(today)
    checker = _checker(registry, content_dir)
    if jsonl:
        _check_jsonl(checker, kind, country, lang, day)
        return
    body = _read_text(text)
    verdict = checker.check(body, kind=kind, country=country, lang=lang, today=day).to_dict()
    if as_json:
        _print_json(verdict)
        return
    _print_verdict(verdict)


def _parse_day(value: Optional[str]) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail("--today must be a date like 2026-11-29")


def _check_jsonl(checker: Checker, kind, country, lang, day) -> None:
    for n, line in enumerate(sys.stdin, 1):
        line = line.strip()
        if not line:
            continue
        item = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('each line must be a JSON object with a "text" string')
            item_kind, item_country, item_lang = _valid_options(item.get("kind"), item.get("country"), item.get("lang"))
            item.update(kind=item_kind, country=item_country, lang=item_lang)
        except (ValueError, UserError) as exc:
            bad = {"error": f"line {n}: {exc}"}
            if isinstance(item, dict) and "id" in item:
                bad = {"id": item["id"], **bad}
            _print_json(bad)
            continue
        verdict = next(iter(check_many(checker, [item], kind=kind, country=country, lang=lang, today=day)))
        _print_json(verdict.to_dict())
        sys.stdout.flush()


def _print_verdict(v: dict[str, Any]) -> None:
    text = render_verdict(v, v["locale"], RICH)
    first, _, rest = text.partition("\n")
    out.print(f"[{RISK_STYLE[v['risk']]}]{first}[/]")
    if rest:
        out.print(rest)


@app.command()
def chat(lang: Optional[str] = typer.Option(None, "--lang", help="Pre-select a language (e.g. kk).")) -> None:
    """Talk to Saqbol in the terminal: the same conversation as the Telegram bot, no token needed."""
    from .chat import main as chat_main

    chat_main(lang)


@app.command()
def run() -> None:
    """Run the Telegram bot (polling; webhook when SAQBOL_WEBHOOK_URL is set). Needs SAQBOL_TELEGRAM_TOKEN."""
    from .telegram.app import run as run_bot

    settings = load_settings()
    if not settings.telegram_token:
        _fail("SAQBOL_TELEGRAM_TOKEN is not set (try `saqbol chat` to talk to the bot without Telegram)")
    run_bot(settings)


@app.command()
def stats(
    days: int = typer.Option(30, "--days", min=1, max=400, help="How many days back, today included."),
    png: Optional[Path] = typer.Option(None, "--png", help="Also draw a chart into this PNG file."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Anonymous daily statistics (checks by risk, kind, destination, locale; flags; handoffs) and the content
    version every running worker serves."""
    import asyncio

    from . import stats as report
    from .storage.base import last_days

    settings = load_settings()
    content = load_content(settings.content_dir, with_registry=False)
    daily: dict[str, dict[str, int]] = {}
    workers: list[dict] = []
    if settings.redis_url:
        from .ops.sync import running_workers
        from .storage.redis_store import RedisStore

        async def read() -> tuple[dict, list]:
            store = RedisStore(settings.redis_url)
            try:
                return await store.stats(days), await running_workers(store.redis)
            finally:
                await store.close()
        try:
            daily, workers = asyncio.run(read())
        except Exception as exc:
            _fail(f"cannot read counters from Redis: {type(exc).__name__}")
    result = {"content_version": content.version, "content_ok": content.ok, "days": days,
              "summary": report.summary(daily), "daily": daily, "workers": workers, "redis": bool(settings.redis_url)}
    if png is not None:
        png.write_bytes(report.chart_png(daily, last_days(days)))
        result["png"] = str(png)
    if as_json:
        _print_json(result)
        return
    out.print(f"content version on disk: {content.version} ({'OK' if content.ok else 'ERRORS'})", markup=False)
    for w in workers:
        out.print(f"worker {w['worker']}: serving {w['version']} (since {w['since']})", markup=False)
    if not settings.redis_url:
        out.print("no SAQBOL_REDIS_URL: counters live only in a running bot's memory", markup=False)
    s = result["summary"]
    table = Table(title=f"last {days} days", show_header=True)
    table.add_column("measure")
    table.add_column("count", justify="right")
    table.add_row("offers checked", str(s["checks"]))
    for group in ("risk", "kind", "destination", "locale", "flags", "screening"):
        for k, v in s[group].items():
            table.add_row(f"{group}: {k}", str(v))
    h = s["handoffs"]
    table.add_row("talks with a person opened / closed", f"{h['opened']} / {h['closed']}")
    table.add_row("average minutes to first staff reply", "—" if h["avg_first_reply_min"] is None
                  else str(h["avg_first_reply_min"]))
    table.add_row("self-checks finished / interrupted by danger", f"{s['screenings']} / {s['screening_danger']}")
    table.add_row("scam reports received", str(s["reports"]))
    out.print(table)
    if png is not None:
        out.print(f"chart written to {png}", markup=False)


@registry_app.command("find")
def registry_find(
    query: str = typer.Argument(..., help="Name in any script, licence no., tax id, phone or website."),
    country: Optional[str] = typer.Option(None, "--country", help="Only this licensing country, e.g. KZ."),
    registry: list[Path] = typer.Option([], "--registry", help="Extra registry CSV (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    content_dir: Optional[Path] = typer.Option(None, "--content", help="Content directory (default: content/)."),
    today: Optional[str] = typer.Option(None, "--today", help="Date for licence expiry checks (YYYY-MM-DD)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of the answer."),
) -> None:
    """Find an agency in the licensing registries (best match first)."""
    _, country, lang = _valid_options(None, country, lang)
    day = _parse_day(today) or date.today()
    content = _load(registry, content_dir)
    reg = content.registry
    matches = reg.find(query, country=country)
    result = {"query": query,
              "status": matches[0].agency.effective_status(day) if matches else "not_found",
              "matches": [_match_dict(m, day) for m in matches],
              "similar": [] if matches else [_match_dict(m, day) for m in reg.similar(query, country)]}
    if as_json:
        _print_json(result)
        return
    from .i18n import translator
    from .present import STATUS

    _ = translator(lang or "en")
    if not matches:
        out.print(f"⚪ {_(STATUS['not_found'])}: «{query}»", markup=False)
        out.print(_("Not found in a registry does not mean safe: ask for the licence number and check it."),
                  markup=False)
    for m in result["matches"] + result["similar"]:
        status = _(STATUS[m["status"]])
        out.print(f"• {m['name']} ({m['country']}, {m['kind']}) — {status}; {m['license_no'] or ''} "
                  f"[{m['match']}%, {m['via']}]\n  {m['source_url']} ({m['retrieved']})", markup=False)


def _match_dict(m: RegistryMatch, day: date) -> dict[str, Any]:
    a = m.agency
    return {"name": a.name, "aliases": list(a.aliases), "country": a.country, "kind": a.kind,
            "license_no": a.license_no or None, "tax_id": a.tax_id or None, "status": a.effective_status(day),
            "registry_status": a.status, "valid_until": a.valid_until.isoformat() if a.valid_until else None,
            "phones": list(a.phones), "website": a.website or None, "address": a.address or None,
            "match": m.score, "via": m.via, "source_url": a.source_url, "retrieved": a.retrieved.isoformat()}


# --- registry import (issue #7): logic in bot/content/registry_import.py ---------------------------------------

@registry_app.command("import")
def registry_import(
    file: Path = typer.Argument(..., help="Registry as published: CSV (any usual encoding/delimiter) or XLSX."),
    country: str = typer.Option(..., "--country", help="Licensing country of every row, e.g. KZ."),
    kind: str = typer.Option(..., "--kind", help="employment | travel | marriage | other"),
    map_file: Optional[Path] = typer.Option(None, "--map", help="YAML column map for odd layouts (see README)."),
    source: Optional[str] = typer.Option(None, "--source", help="URL the list was downloaded from."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Canonical CSV to write "
                                            "(default: <content>/registries/<cc>_<kind>.csv)."),
    current: list[Path] = typer.Option([], "--current", help="Registry CSV to diff against (repeatable; default: "
                                       "--out if it exists, else this country/kind in the registries)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the result and the diff; write nothing."),
    force: bool = typer.Option(False, "--force", help="Write even if more than half the current rows would go."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    examples: int = typer.Option(10, "--examples", help="Examples shown per change and rejects listed."),
    retrieved: Optional[str] = typer.Option(None, "--retrieved", help="Date the list was downloaded (default today)."),
    content_dir: Optional[Path] = typer.Option(None, "--content", help="Content directory (default: content/)."),
) -> None:
    """Import a government registry into the canonical CSV: columns recognised, names, licence numbers, phones,
    statuses and dates normalised, duplicates merged, rejects listed, and a diff against the current registry."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    from .content import registry_import as ri
    from .core.registry import registry_files

    for f in (file, *current):
        if not f.is_file():
            _fail(f"file not found: {f}")
    if kind not in ri.KINDS:
        _fail(f"--kind must be one of: {', '.join(ri.KINDS)}")
    country = _valid_options(None, country, None)[1]
    try:
        day = date.fromisoformat(retrieved) if retrieved else None
    except ValueError:
        _fail("--retrieved must be a date like 2026-11-29")
    try:
        mapping = ri.load_map(map_file) if map_file else None
    except ri.ContentError as exc:
        _fail(str(exc))
    reg_dir = (content_dir or load_settings().content_dir) / "registries"
    out_file = out_path or ri.default_output(reg_dir, country, kind)
    others = [p for p in registry_files(out_file.parent) if p.resolve() != out_file.resolve()]
    current = current or ([out_file] if out_file.exists() else others)
    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
             TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(f"importing {file.name}", total=None)
        try:
            summary = ri.preview_import(file, country, kind, current=current, mapping=mapping, source_url=source,
                                        retrieved=day,
                                        progress=lambda done, total: bar.update(task, completed=done, total=total))
        except ri.ImportFailure as exc:
            _fail(f"{file}: {exc}")
    result = summary.result
    overlap = [f"{p} ({n} rows)" for p in others if (n := len(ri.current_rows([p], country, kind)[0]))]
    report = {**summary.to_dict(examples), "out": str(out_file), "dry_run": dry_run, "written": False,
              "rejects_file": None, "also_in": overlap}
    problem = ri.refusal(summary, out_file, force)
    if not dry_run and problem is None:
        try:
            rejects_file = ri.write_import(result, out_file)
        except (ri.ImportFailure, OSError) as exc:
            _fail(f"cannot write {out_file}: {exc}")
        report.update(written=True, rejects_file=str(rejects_file) if rejects_file else None)
    if as_json:
        _print_json({**report, "error": problem})
    else:
        _print_import(report, examples)
    if problem:
        _fail(f"{problem}; nothing written")


def _print_import(r: dict[str, Any], examples: int) -> None:
    from rich.table import Table
    from rich.text import Text

    out.print(f"{r['file']} ({r['table']}, header on row {r['header_row']}): {r['rows_read']} rows read", markup=False)
    out.print("columns: " + "; ".join(f"{f} ← {' + '.join(h)}" for f, h in r["columns"].items()), markup=False)
    if r["ignored_columns"]:
        out.print("ignored columns: " + "; ".join(r["ignored_columns"]), markup=False)
    out.print(f"{r['imported']} agencies, {r['merged']} duplicate rows merged, {r['rejected']} rejected, "
              f"{r['warnings']} values fixed or dropped; source {r['source_url'] or 'per row'}", markup=False)
    if r["carried_over"]:
        out.print(f"{r['carried_over']} rows keep aliases or contacts from the current registry", markup=False)
    for line in r["rejects"] + r["warning_examples"]:
        err.print(f"  {line}", markup=False)
    for line in r["current_errors"]:
        err.print(f"  current registry: {line}", markup=False)
    d = r["diff"]
    table = Table(title=f"Against {', '.join(r['current']) or 'nothing (new registry)'}: {d['current']} rows")
    for col in ("change", "count", f"first {examples}"):
        table.add_column(col)
    ex = d["examples"]
    rows = [("added", d["added"], [f"{e['name']} {e['license_no']} ({e['status']})" for e in ex["added"]]),
            ("removed", d["removed"], [f"{e['name']} {e['license_no']}" for e in ex["removed"]]),
            ("status changed", d["status_changed"],
             [f"{e['name']} {e['license_no']}: {e['old']} → {e['new']}" for e in ex["status_changed"]]),
            ("other fields changed", d["updated"], [f"{e['name']}: {', '.join(e['fields'])}" for e in ex["updated"]]),
            ("unchanged", d["unchanged"], [])]
    for change, count, lines in rows:
        table.add_row(change, str(count), Text("\n".join(lines)))  # Text: names are not rich markup
    out.print(table)
    for also in r["also_in"]:
        out.print(f"note: {also} also lists {r['country']} {r['kind']} agencies; remove them if this list replaces "
                  "them", markup=False)
    if r["written"]:
        out.print(f"wrote {r['out']}" + (f"; rejects in {r['rejects_file']}" if r["rejects_file"] else ""),
                  markup=False)
    elif r["dry_run"]:
        out.print(f"dry run: {r['out']} not written", markup=False)


@content_app.command("validate")
def content_validate(
    directory: Optional[Path] = typer.Argument(None, help="Content directory (default: content/)."),
    registry: list[Path] = typer.Option([], "--registry", help="Extra registry CSV to validate too."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Validate every content file; errors are printed as file:line: field: message (exit 2)."""
    content = load_content(directory or load_settings().content_dir, extra_registries=registry)
    summary = {"ok": content.ok, "version": content.version, "rules": len(content.rules),
               "agencies": len(content.registry), "hotlines": len(content.hotlines),
               "screening_questions": len(content.screening.questions) if content.screening else 0,
               "errors": [str(e) for e in content.errors]}
    if as_json:
        _print_json(summary)
    else:
        for e in content.errors:
            err.print(str(e), markup=False)
        if content.ok:
            out.print(f"content OK (version {content.version}): {len(content.rules)} red-flag rules, "
                      f"{len(content.registry)} registry rows, {len(content.hotlines)} hotlines, "
                      f"{summary['screening_questions']} self-check questions", markup=False)
    if not content.ok:
        raise typer.Exit(2)


@content_app.command("coverage")
def content_coverage(
    directory: Optional[Path] = typer.Argument(None, help="Content directory (default: content/)."),
    details: bool = typer.Option(False, "--details", help="List every fallback and missing text."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Per locale: texts present, falling back (uz_Cyrl -> uz -> ru -> en), missing, and unreviewed drafts.
    Exits 2 when a text is missing in every locale."""
    from .content.coverage import coverage

    content = load_content(directory or load_settings().content_dir, with_registry=False)
    for e in content.errors:
        err.print(str(e), markup=False)
    result, empty = coverage(content)
    if as_json:
        _print_json({"locales": {loc: {"direct": c.direct, "fallback": c.fallback, "missing": c.missing,
                                       "unreviewed": c.unreviewed} for loc, c in result.items()},
                     "missing_everywhere": empty})
    else:
        out.print(f"{'locale':8} {'direct':>7} {'fallback':>9} {'missing':>8} {'unreviewed':>11}", markup=False)
        for loc, c in result.items():
            out.print(f"{loc:8} {c.direct:7} {len(c.fallback):9} {len(c.missing):8} {c.unreviewed:11}", markup=False)
            if details:
                for item in c.fallback:
                    out.print(f"    falls back: {item}", markup=False)
                for item in c.missing:
                    out.print(f"    MISSING: {item}", markup=False)
        for item in empty:
            err.print(f"missing in every locale: {item}", markup=False)
    if empty or content.errors:
        raise typer.Exit(2)


def _nlu_model():
    from nlu.embedded import EmbeddedNLU

    try:
        return EmbeddedNLU.load()
    except Exception as exc:  # bad training data: say which file and why
        _fail(f"cannot load the NLU model: {exc}")


@nlu_app.command("parse")
def nlu_parse(
    text: str = typer.Argument(..., help="Text to understand, or '-' for standard input."),
    as_json: bool = typer.Option(False, "--json"),
    rasa_url: Optional[str] = typer.Option(None, "--rasa", help="Rasa server URL (default: SAQBOL_RASA_URL)."),
) -> None:
    """Intent, confidence, entities and language of one message, and which backend answered."""
    import asyncio

    from nlu.rasa_client import RasaClient
    from nlu.service import NLU

    body = _read_text(text)
    url = rasa_url or load_settings().rasa_url
    service = NLU(_nlu_model(), RasaClient(url) if url else None)

    async def run():
        try:
            return await service.parse(body)
        finally:
            await service.close()

    result = asyncio.run(run())
    result.pop("text", None)
    if as_json:
        _print_json(result)
        return
    ents = ", ".join(f"{e['entity']}={e['value']}" for e in result["entities"]) or "-"
    out.print(f"{result['intent']['name']} ({result['intent']['confidence']:.2f}) · entities: {ents} · "
              f"language: {result['language']} · backend: {result['backend']}", markup=False)


@nlu_app.command("eval")
def nlu_eval(
    file: Path = typer.Argument(..., help="Rasa NLU YAML file (or a directory of them) to evaluate on."),
    as_json: bool = typer.Option(False, "--json"),
    rasa_url: Optional[str] = typer.Option(None, "--rasa", help="Evaluate a Rasa server instead of the embedded model."),
) -> None:
    """Accuracy, macro-F1, per-intent precision/recall/F1 and the most common confusions."""
    from nlu import trainingdata
    from nlu.evaluate import evaluate

    if not file.exists():
        _fail(f"file not found: {file}")
    try:
        data = trainingdata.load(file)
    except trainingdata.TrainingDataError as exc:
        _fail(str(exc))
    if not data.examples:
        _fail(f"no intent examples in {file}")
    if rasa_url:
        import asyncio

        from nlu.rasa_client import RasaClient, RasaUnavailable

        client = RasaClient(rasa_url, timeout=10)

        async def run_all():
            names = []
            try:
                for e in data.examples:
                    names.append((await client.parse(e.text))["intent"]["name"])
            finally:
                await client.close()
            return names

        try:
            names = asyncio.run(run_all())
        except RasaUnavailable as exc:
            _fail(f"Rasa at {rasa_url} did not answer: {exc}")
        it = iter(names)
        result = evaluate(data.examples, lambda _t: next(it))
    else:
        model = _nlu_model()
        result = evaluate(data.examples, lambda t: model.parse(t)["intent"]["name"])
    if as_json:
        _print_json(result)
        return
    out.print(f"accuracy {result['accuracy']:.3f} · macro-F1 {result['macro_f1']:.3f} · {result['examples']} examples",
              markup=False)
    for name, m in result["per_intent"].items():
        out.print(f"  {name:16} P {m['precision']:.2f}  R {m['recall']:.2f}  F1 {m['f1']:.2f}  (n={m['support']})",
                  markup=False)
    for c in result["confusions"][:8]:
        out.print(f"  confused: {c['gold']} -> {c['predicted']} ×{c['count']}", markup=False)


@nlu_app.command("train")
def nlu_train() -> None:
    """Train the embedded model from nlu/data and save it to nlu/models/ (Rasa: `make rasa-train`)."""
    import time

    from nlu.embedded import MODEL_PATH, EmbeddedNLU
    from nlu.trainingdata import TrainingDataError

    t0 = time.perf_counter()
    try:
        model = EmbeddedNLU.train()
    except TrainingDataError as exc:
        _fail(str(exc))
    model.save()
    out.print(f"trained on nlu/data in {time.perf_counter() - t0:.1f} s: {len(model.intents)} intents -> {MODEL_PATH}",
              markup=False)


def main() -> None:
    try:
        rc = app(standalone_mode=False)  # returns the code of typer.Exit instead of raising it
        sys.exit(rc if isinstance(rc, int) else 0)
    except UserError as exc:
        err.print(f"saqbol: {exc}", markup=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("saqbol: aborted", markup=False)
        sys.exit(2)
    except Exception as exc:  # click usage errors and anything unexpected: a message, never a traceback
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click.ClickException (typer may vendor click)
            exc.show()
            sys.exit(2)
        err.print(f"saqbol: internal error ({type(exc).__name__}): {exc}", markup=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
