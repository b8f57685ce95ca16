from datetime import date
from pathlib import Path

import pytest

from bot.core.registry import HEADER, Registry, read_csv

ROOT = Path(__file__).resolve().parents[1]
ROW = ('KZ,employment,"ТОО ""Дала Жұмыс Серіктес""",Dala Jumys Seriktes|Dala Zhumys,KZ-TR-0415,190148159083,'
       'active,2028-06-30,+77172555101,dalajumys.example.kz,Astana,https://example.org/x,2026-11-20')


@pytest.fixture(scope="module")
def registry(content):
    return content.registry


@pytest.mark.parametrize("query", [
    "Дала Жұмыс Серіктес", "Dala Jumys Seriktes", "дала жумыс сериктес", "ТОО Дала Жумыс",  # scripts, legal form
    "Dala Jumis", "Dala Zhumys LLP", "Дала Жумыс",  # typo / transliteration variants
    "KZ-TR-0415", "kz tr 0415", "190148159083", "+7 717 255 5101", "87172555101", "dalajumys.example.kz",
    "https://www.dalajumys.example.kz/vacancies",
])
def test_every_way_of_naming_finds_the_row(registry, query):
    found = registry.find(query)
    assert found and found[0].agency.license_no == "KZ-TR-0415", query


@pytest.mark.parametrize("query", ["Ipak Yo‘li Mehnat", "Ипак Йўли Меҳнат", "Ipak Yuli Mehnat MChJ", "ipak yoli mehnat"])
def test_uzbek_apostrophes_and_cyrillic(registry, query):
    assert registry.find(query)[0].agency.license_no == "UZ-XI-0312"


@pytest.mark.parametrize("query", [
    "Dala Jumys Group", "Dala Global", "Altyn Work", "Global Work", "Korea Star", "Сомон Корпорейшн", "Dala",
    "Baiterek Travel", "Ala-Too Tour",
])
def test_look_alike_names_do_not_match(registry, query):
    assert registry.find(query) == [], query


def test_similar_names_are_offered_as_a_warning_not_a_match(registry):
    assert registry.find("Dala Jumys Group") == []
    assert [m.agency.license_no for m in registry.similar("Dala Jumys Group")] == ["KZ-TR-0415"]


def test_statuses_and_expiry(registry):
    today = date(2026, 11, 29)
    assert registry.find("Shanyrak Work")[0].agency.effective_status(today) == "revoked"
    assert registry.find("Steppe Global Recruitment")[0].agency.effective_status(today) == "suspended"
    # active in the file, but valid_until 2025-12-31 has passed
    assert registry.find("Baiterek Personal")[0].agency.effective_status(today) == "expired"
    assert registry.find("Baiterek Personal")[0].agency.effective_status(date(2025, 6, 1)) == "active"


def test_country_filter(registry):
    assert registry.find("Dala Jumys", country="UZ") == []
    assert registry.find("Dala Jumys", country="KZ")


def test_csv_errors_name_file_line_and_field():
    rows, errors = read_csv(",".join(HEADER) + "\n" + ROW + "\n" + ROW.replace(",active,", ",maybe,") + "\n", "r.csv")
    assert len(rows) == 1
    assert str(errors[0]).startswith("r.csv:3: status:")
    rows, errors = read_csv(",".join(HEADER[:-1]) + "\n" + ROW + "\n", "r.csv")
    assert rows == [] and "missing column(s): retrieved" in str(errors[0]) and errors[0].line == 1


def test_bad_dates_phones_and_urls_are_rejected():
    for broken, field in [(ROW.replace("2028-06-30", "30.06.2028"), "valid_until"),
                          (ROW.replace("+77172555101", "call me"), "phones"),
                          (ROW.replace("https://example.org/x", "example.org"), "source_url")]:
        _, errors = read_csv(",".join(HEADER) + "\n" + broken + "\n", "r.csv")
        assert errors and errors[0].field == field


def test_index_build_is_incremental():
    reg = Registry()
    rows, _ = read_csv(",".join(HEADER) + "\n" + ROW + "\n", "r.csv")
    reg.add(rows[0])
    assert reg.find("Dala Jumys")[0].agency is rows[0]


def test_packed_rows_give_back_every_field_exactly(tmp_path):
    """Rows are stored packed, not as objects: what a lookup returns must still be exactly what the CSV said,
    including quotes, commas, several aliases and phones, and a control character in a field."""
    from bot.core.registry import load

    rows = [ROW,
            'UZ,travel,"MChJ ""Yo‘l, Baraka""",Йўл Барака|Yol Baraka|Yo\'l Baraka,UZ-TR-77,,suspended,,'
            '+998901234567|+998 71 200 00 00,yolbaraka.example.uz,"Toshkent, \x1f Chilonzor",https://example.org/y,2026-11-01']
    path = tmp_path / "r.csv"
    path.write_text(",".join(HEADER) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    reg, errors = load([path])
    expected, _ = read_csv(path.read_text(encoding="utf-8"), str(path))
    assert not errors and len(reg) == 2
    assert reg.find("KZ-TR-0415")[0].agency == expected[0]
    assert reg.find("Yol Baraka")[0].agency == expected[1]
    assert reg.find("+998 71 200 00 00")[0].agency.address == "Toshkent, \x1f Chilonzor"


def test_index_cache_gives_the_same_answers_and_follows_edits(tmp_path, monkeypatch):
    from bot.content.registry_cache import load_registry

    monkeypatch.setenv("SAQBOL_CACHE_DIR", str(tmp_path / "cache"))
    lines = [",".join(HEADER)] + [
        f'KZ,employment,"TOO ""Test Agency {i:04d}""",,T-{i:04d},,active,2030-01-01,,,,https://example.org/s,2026-11-01'
        for i in range(1200)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    built, _ = load_registry([path])
    assert list((tmp_path / "cache").glob("*.pickle"))  # written for the next start
    cached, _ = load_registry([path])
    for q in ("T-0007", "Test Agency 0999", "Test Agensy 0999", "Tеst Agency 0500"):
        assert [(m.agency, m.score, m.via) for m in cached.find(q)] == [(m.agency, m.score, m.via) for m in built.find(q)]
    path.write_text("\n".join(lines).replace("T-0007", "T-9999") + "\n", encoding="utf-8")
    edited, _ = load_registry([path])
    assert edited.find("T-0007") == [] and edited.find("T-9999")[0].agency.name == 'TOO "Test Agency 0007"'
