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
