"""Registry import: government files (CSV in several encodings, XLSX) -> the canonical registry CSV, with rejects,
merges and a diff. Real files in tmp_path, real openpyxl workbooks, the real registry loader and CLI process."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.content.registry_import import (ImportFailure, load_map, parse_date, parse_table, preview_import,
                                         recognise_header, rejects_path, status_of, write_import)
from bot.content.yamlfile import ContentError
from bot.core.registry import HEADER, load as load_registry, read_csv

ROOT = Path(__file__).resolve().parents[1]
SRC = "https://example.org/registry"
DAY = date(2026, 11, 29)


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], title: str = "Реестр") -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def imported(path: Path, country: str = "KZ", kind: str = "employment", **kw):
    kw.setdefault("source_url", SRC)
    kw.setdefault("retrieved", DAY)
    return parse_table(path, country, kind, **kw)


def by_licence(result) -> dict[str, dict[str, str]]:
    return {r["license_no"]: r for r in result.rows}


def saqbol(*args: str):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    p = subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, cwd=ROOT, env=env, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


RU_HEADER = ["№ п/п", "Наименование", "БИН", "Номер лицензии", "Дата выдачи", "Статус", "Срок действия", "Телефон"]


# --- headers ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header, field", [
    ("Наименование организации", "name"), ("Атауы", "name"), ("Tashkilot nomi", "name"), ("Ташкилот номи", "name"),
    ("Уюмдун аталышы", "name"), ("Номи ташкилот", "name"), ("Company name", "name"),
    ("Номер лицензии", "license_no"), ("Лицензия нөмірі", "license_no"), ("Litsenziya raqami", "license_no"),
    ("Рақами иҷозатнома", "license_no"), ("Licence No.", "license_no"),
    ("БИН/ИИН", "tax_id"), ("STIR", "tax_id"), ("ИНН", "tax_id"), ("ИНН (СТИР)", "tax_id"),
    ("Статус лицензии", "status"), ("Holati", "status"), ("Мәртебесі", "status"), ("Вазъ", "status"),
    ("Срок действия лицензии", "valid_until"), ("Amal qilish muddati", "valid_until"),
    ("Жарамдылық мерзімі", "valid_until"), ("Valid until", "valid_until"),
    ("Тел.", "phones"), ("Телефон рақами", "phones"), ("Юридический адрес", "address"), ("Manzil", "address"),
    ("Веб-сайт", "website"), ("Сокращённое наименование", "aliases"),
    ("Дата выдачи лицензии", "ignore"), ("№ п/п", "ignore"), ("E-mail", "ignore"),
])
def test_common_headers_are_recognised_in_every_language(header, field):
    assert recognise_header(header) == field


def test_odd_headers_via_map_file(tmp_path):
    rows = [["Министерство труда"], [], ["Субъект", "Рег. запись", "Отметка", "Контакт 1", "Контакт 2", "До"],
            ["ТОО «Тулпар Кадр»", "KZ-TR-0001", "дейст.", "+7 701 555 11 11", "8 (7172) 55-51-11", "01.02.2028"],
            ["ТОО «Каспий Персонал»", "KZ-TR-0002", "приост.", "", "+77015552222", "03.04.2027"]]
    src = write_xlsx(tmp_path / "odd.xlsx", rows)
    mapfile = tmp_path / "map.yml"
    mapfile.write_text('columns:\n  name: "Субъект"\n  license_no: "Рег. запись"\n  status: "Отметка"\n'
                       '  phones: ["Контакт 1", "Контакт 2"]\n  valid_until: 6\n'
                       'status_words:\n  "дейст.": active\n  "приост.": suspended\n', encoding="utf-8")
    result = imported(src, mapping=load_map(mapfile))
    assert not result.rejects, result.rejects
    assert result.header.row == 3 and not result.warnings
    rows_ = by_licence(result)
    assert rows_["KZ-TR-0001"]["phones"] == "+77015551111|+77172555111"  # two columns, E.164
    assert rows_["KZ-TR-0001"]["status"] == "active" and rows_["KZ-TR-0001"]["valid_until"] == "2028-02-01"
    assert rows_["KZ-TR-0002"]["status"] == "suspended"
    with pytest.raises(ImportFailure, match="no column with the agency name"):
        imported(src)  # without the map nothing says which column is which
    mapfile.write_text('columns:\n  name: "Субъект хозяйствования"\n', encoding="utf-8")
    with pytest.raises(ImportFailure, match="header named in the map file was not found .*Субъект хозяйствования"):
        imported(src, mapping=load_map(mapfile))


def test_map_file_errors_name_the_line(tmp_path):
    bad = tmp_path / "map.yml"
    bad.write_text("columns:\n  name: Наименование\n  licence: 3\nstatus_words:\n  x: valid\n", encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        load_map(bad)
    assert str(exc.value).startswith(f"{bad}:3: columns.licence: not a registry field")
    bad.write_text("status_words:\n  ok: fine\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r":2: status_words.ok: 'fine' is not one of"):
        load_map(bad)


def test_unrecognised_header_fails_with_a_hint(tmp_path):
    src = write_csv(tmp_path / "x.csv", [["Col A", "Col B"], ["1", "2"]])
    with pytest.raises(ImportFailure, match="no column with the agency name.*'Col A', 'Col B'.*--map"):
        imported(src)


def test_the_registry_sheet_is_found_behind_a_cover_sheet(tmp_path):
    wb = Workbook(write_only=True)
    wb.create_sheet("Пояснения").append(["Реестр публикуется ежемесячно"])
    ws = wb.create_sheet("Лицензии")
    for r in (["Атауы", "Лицензия нөмірі", "Мәртебесі"], ["ЖШС «Дала»", "KZ-7", "жарамды"]):
        ws.append(r)
    wb.save(tmp_path / "two.xlsx")
    result = imported(tmp_path / "two.xlsx")
    assert result.table == "xlsx, sheet 'Лицензии'" and by_licence(result)["KZ-7"]["status"] == "active"


@pytest.mark.parametrize("name, data, message", [
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "not a readable XLSX workbook"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "save the sheet as .xlsx or CSV"),
])
def test_unreadable_workbooks_get_a_clear_message(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ImportFailure, match=message):
        imported(tmp_path / name)


def test_a_damaged_sheet_gets_a_clear_message(tmp_path):
    import zipfile

    good = write_xlsx(tmp_path / "good.xlsx", [["Наименование", "Номер лицензии"]] +
                      [[f"Agency {i}", f"L-{i}"] for i in range(2000)])
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(tmp_path / "damaged.xlsx", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data[:len(data) // 2] if item.filename.startswith("xl/worksheets/") else data)
    with pytest.raises(ImportFailure, match="not a readable XLSX workbook"):
        imported(tmp_path / "damaged.xlsx")


# --- values -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("word, status", [
    ("действует", "active"), ("Действующая", "active"), ("приостановлена", "suspended"), ("отозвана", "revoked"),
    ("Аннулирована", "revoked"), ("Срок действия истёк", "expired"), ("Действие приостановлено", "suspended"),
    ("amal qilmoqda", "active"), ("Амал қилмоқда", "active"), ("bekor qilingan", "revoked"),
    ("бекор қилинган", "revoked"), ("to‘xtatilgan", "suspended"), ("muddati o'tgan", "expired"),
    ("жарамды", "active"), ("Күшінде", "active"), ("Тоқтатылған", "suspended"), ("Кері қайтарылған", "revoked"),
    ("Күчүндө", "active"), ("Жокко чыгарылган", "revoked"), ("Токтотулган", "suspended"),
    ("Эътибор дорад", "active"), ("Боздошта шудааст", "suspended"), ("Бекор карда шуд", "revoked"),
    ("Active", "active"), ("SUSPENDED", "suspended"), ("Revoked", "revoked"), ("expired", "expired"),
])
def test_status_words_in_six_languages(word, status):
    assert status_of(word) == status


@pytest.mark.parametrize("word", ["не действует", "amal qilmaydi", "жарамсыз", "???", "в процессе"])
def test_statuses_that_name_no_single_status_are_not_guessed(word):
    assert status_of(word) is None


@pytest.mark.parametrize("text, expected", [
    ("12.03.2024", date(2024, 3, 12)), ("2024-03-12", date(2024, 3, 12)), ("12/03/2024", date(2024, 3, 12)),
    ("12-03-2024", date(2024, 3, 12)), ("12.03.24", date(2024, 3, 12)), ("12.03.2024 г.", date(2024, 3, 12)),
    ("2024-03-12 00:00:00", date(2024, 3, 12)), ("20240312", date(2024, 3, 12)), ("45363", date(2024, 3, 12)),
    ("12 марта 2024", date(2024, 3, 12)), ("12 марта 2024 г.", date(2024, 3, 12)),
    ("1 сентября 2025 года", date(2025, 9, 1)), ("12 наурыз 2024 ж.", date(2024, 3, 12)),
    ("2024-yil 12-mart", date(2024, 3, 12)), ("12 декабря 2027", date(2027, 12, 12)),
    ("March 12, 2024", date(2024, 3, 12)), ("12 May 2024", date(2024, 5, 12)), ("03/25/2024", date(2024, 3, 25)),
    ("бессрочно", "no end date"), ("мерзімсіз", "no end date"),
    ("31.02.2024", None), ("скоро", None), ("12 2024", None),
])
def test_dates_in_local_formats(text, expected):
    assert parse_date(text) == expected


def test_excel_date_cells_serials_and_numbers(tmp_path):
    rows = [["Наименование", "Номер лицензии", "БИН", "Статус", "Срок действия", "Телефон"],
            ["Agency One", "A-1", 90148159083, "действует", datetime(2028, 6, 30), 77172555101],
            ["Agency Two", "A-2", "", "действует", 46000, ""],
            ["Agency Three", "A-3", "", "действует", "бессрочно", ""]]
    rows_ = by_licence(imported(write_xlsx(tmp_path / "d.xlsx", rows)))
    assert rows_["A-1"]["valid_until"] == "2028-06-30"
    assert rows_["A-1"]["tax_id"] == "090148159083"  # the leading zero Excel dropped is back
    assert rows_["A-1"]["phones"] == "+77172555101"
    assert rows_["A-2"]["valid_until"] == "2025-12-09"  # serial 46000
    assert rows_["A-3"]["valid_until"] == ""


def test_names_licences_and_phones_are_normalised(tmp_path):
    rows = [["Наименование", "Номер лицензии", "Статус", "Телефон", "Другие названия"],
            ["ТОО «Kopeя  Ворк»\u200b", "№ кz–tr–0415", "действует", "+7 (701) 555-01-01 / 8 727 255 52 02; тел. 123",
             "Korea Work Group\nKWG | Корея Ворк"],
            ["Two Lines", "L-2", "действует", "+7 701 555 01 02\n+7 701 555 01 03 +77015550104", ""]]
    result = imported(write_csv(tmp_path / "n.csv", rows))
    row = result.rows[0]
    assert row["name"] == "ТОО «Корея Ворк»"  # Latin look-alikes inside a Cyrillic word, double space, invisible
    assert row["license_no"] == "KZ-TR-0415"  # Cyrillic к in a Latin code, en dash, №
    assert row["aliases"] == "Korea Work Group|KWG"  # one a line or |-separated; the name itself is left out
    assert row["phones"] == "+77015550101|+77272555202"
    assert any("phones: 'тел. 123' is not a phone number" in w for w in result.warnings)
    assert by_licence(result)["L-2"]["phones"] == "+77015550102|+77015550103|+77015550104"


def test_cp1251_semicolon_csv_with_title_rows(tmp_path):
    rows = [["Реестр частных агентств занятости"], ["по состоянию на 01.11.2026"], [], RU_HEADER,
            ["1", 'ТОО "Дала Жумыс Сериктес"', "190148159083", "KZ-TR-0415", "01.02.2020", "Действует", "30.06.2028",
             "+7 (7172) 55-51-01"],
            ["2", 'ТОО "Шанырак Ворк"', "180149935186", "KZ-TR-0118", "01.02.2020", "отозвана", "15.01.2026", ""]]
    src = write_csv(tmp_path / "cp.csv", rows, encoding="cp1251", delimiter=";")
    result = imported(src)
    assert result.table == "csv, cp1251, semicolon-separated"
    assert result.header.row == 4 and result.header.ignored == ["№ п/п", "Дата выдачи"]
    rows_ = by_licence(result)
    assert rows_["KZ-TR-0415"]["name"] == 'ТОО "Дала Жумыс Сериктес"'
    assert rows_["KZ-TR-0118"]["status"] == "revoked"


def test_line_breaks_inside_csv_cells_keep_row_numbers_right(tmp_path):
    src = tmp_path / "ml.csv"
    src.write_text('Реестр\n"Наименование\nагентства";"Номер\nлицензии";"Статус"\n"Агентство\nОдин";A-1;действует\n'
                   '"Агентство Два";A-2;???\n', encoding="utf-8")
    result = imported(src)
    assert result.header.row == 2 and result.rows[0]["name"] == "Агентство Один"
    assert [str(r) for r in result.rejects][0].startswith("ml.csv:7: status:")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "cp866", "koi8_r", "utf-16"])
def test_common_encodings(tmp_path, encoding):
    rows = [["Наименование", "Номер лицензии", "Статус"], ["Агентство Ёлка", "Ё-1", "действует"]]
    result = imported(write_csv(tmp_path / "e.csv", rows, encoding=encoding, delimiter="\t"))
    assert result.rows[0]["name"] == "Агентство Ёлка"


# --- duplicates and rejects ---------------------------------------------------------------------------------

def test_duplicates_are_merged(tmp_path):
    rows = [["Наименование", "Номер лицензии", "БИН", "Статус", "Срок действия", "Телефон"],
            ['ТОО "Алтын Көпір"', "KZ-TR-0233", "190141860911", "действует", "31.12.2027", "+77272555202"],
            ['TOO "Altyn Kopir Kadry"', "kz tr 0233", "", "действует", "31.12.2027", "+77015550202"],  # same licence
            ['ТОО "Байтерек"', "", "190141860922", "действует", "", ""],
            ["Baiterek LLP", "", "190141860922", "действует", "", "+77015550303"],  # same name (other script) + BIN
            ['ТОО "Байтерек"', "", "190141860999", "действует", "", ""],  # same name, other BIN: another agency
            ['ТОО "Алтын Көпір"', "KZ-TR-0999", "190141860911", "действует", "", ""]]  # same company, 2nd licence
    result = imported(write_csv(tmp_path / "dup.csv", rows))
    assert len(result.rows) == 4 and result.read == 6
    assert {"KZ-TR-0233", "KZ-TR-0999"} <= set(by_licence(result))
    assert [(m.kept, m.merged, m.via) for m in result.merges] == [(2, 3, "license_no"), (4, 5, "name+tax_id")]
    altyn = by_licence(result)["KZ-TR-0233"]
    assert altyn["aliases"] == 'TOO "Altyn Kopir Kadry"' and altyn["phones"] == "+77272555202|+77015550202"
    baiterek = next(r for r in result.rows if r["tax_id"] == "190141860922")
    assert baiterek["phones"] == "+77015550303"


def test_duplicates_that_disagree_on_status_keep_the_later_licence(tmp_path):
    rows = [["Наименование", "Номер лицензии", "Статус", "Срок действия"],
            ["Agency", "L-1", "отозвана", "01.01.2025"], ["Agency", "L-1", "действует", "01.01.2028"]]
    result = imported(write_csv(tmp_path / "s.csv", rows))
    assert result.rows[0]["status"] == "active" and result.rows[0]["valid_until"] == "2028-01-01"
    assert "statuses differ (revoked / active): kept active" in result.merges[0].note


def test_rejects_are_listed_with_row_and_reason_and_written_next_to_the_output(tmp_path):
    rows = [["Наименование", "Номер лицензии", "Статус", "Срок действия", "Сайт"],
            ["Good Agency", "G-1", "действует", "01.01.2028", "good.example.kz"],
            ["", "G-2", "действует", "01.01.2028", ""],
            ["Bad Date", "G-3", "действует", "31.02.2028", ""],
            ["Unclear", "G-4", "не действует", "", ""],
            ["г. Алматы", "", "", "", ""],  # a section heading inside the table
            ["Наименование", "Номер лицензии", "Статус", "Срок действия", "Сайт"],  # header repeated on a new page
            ["Good Two", "G-5", "expired", "", ""]]
    src = write_csv(tmp_path / "r.csv", rows)
    result = imported(src)
    assert [str(r) for r in result.rejects] == [
        f"r.csv:3: name: no agency name",
        f"r.csv:4: valid_until: '31.02.2028' is not a date",
        f"r.csv:5: status: 'не действует' names no single status (active, suspended, revoked, expired); say what "
        "it means under status_words in a map file (--map)",
        f"r.csv:6: row: only the name cell is filled ('г. Алматы'): a heading or a note, not an agency"]
    assert len(result.rows) == 2 and result.read == 6
    out = tmp_path / "registries" / "kz_employment.csv"
    rejects_file = write_import(result, out)
    assert rejects_file == rejects_path(out) == tmp_path / "registries" / "rejects" / "kz_employment.rejects.csv"
    lines = list(csv.reader(rejects_file.read_text(encoding="utf-8").splitlines()))
    assert lines[0] == ["file", "row", "field", "reason", "Наименование", "Номер лицензии", "Статус",
                        "Срок действия", "Сайт"]
    assert lines[2][:3] == ["r.csv", "4", "valid_until"] and lines[2][4:] == ["Bad Date", "G-3", "действует",
                                                                               "31.02.2028", ""]
    # the rejects file is not a registry: the loader of registries/*.csv does not see it
    registry, errors = load_registry(sorted(out.parent.glob("*.csv")))
    assert not errors and len(registry) == 2


def test_a_source_url_is_required(tmp_path):
    src = write_csv(tmp_path / "s.csv", [["Наименование"], ["A"]])
    with pytest.raises(ImportFailure, match="source URL is required"):
        parse_table(src, "KZ", "employment")
    with pytest.raises(ImportFailure, match="http"):
        parse_table(src, "KZ", "employment", source_url="example.org")


# --- output and diff ----------------------------------------------------------------------------------------

def test_written_csv_is_canonical_sorted_and_loads(tmp_path):
    rows = [["Tashkilot nomi", "Litsenziya raqami", "STIR", "Holati", "Amal qilish muddati", "Telefon", "Manzil"],
            ["\"Samarqand Xorij Ish\" MChJ", "UZ-XI-0127", "305998877", "amal qilmoqda", "30.09.2027",
             "+998 66 200 55 02", "Samarkand"],
            ["\"Ipak Yo'li Mehnat\" MChJ", "UZ-XI-0312", "305112233", "faol", "2028-02-28", "71 200 55 01",
             "Tashkent"],
            ["\"Navro'z Global Staff\" MChJ", "UZ-XI-0488", "306554433", "to'xtatilgan", "31 may 2027", "", ""]]
    result = imported(write_xlsx(tmp_path / "uz.xlsx", rows), country="UZ")
    out = tmp_path / "uz_employment.csv"
    assert write_import(result, out) is None  # nothing rejected, no rejects file
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(HEADER)
    assert [r["license_no"] for r in result.rows] == ["UZ-XI-0127", "UZ-XI-0312", "UZ-XI-0488"]
    agencies, errors = read_csv(text, str(out))
    assert not errors and len(agencies) == 3
    registry, _ = load_registry([out])
    found = registry.find("Ипак Йўли Меҳнат")
    assert found and found[0].agency.license_no == "UZ-XI-0312" and found[0].agency.phones == ("+998712005501",)
    assert registry.find("UZ-XI-0488")[0].agency.status == "suspended"
    again = imported(write_xlsx(tmp_path / "uz2.xlsx", [rows[0]] + rows[:0:-1]), country="UZ")
    assert again.csv_text() == result.csv_text()  # stable: the source order does not matter


def test_diff_counts_and_examples(tmp_path):
    current = tmp_path / "kz_employment.csv"
    current.write_text(",".join(HEADER) + "\n" + "".join(
        f"KZ,employment,Agency {n},,KZ-{n},,{status},,,,,{SRC},2026-01-01\n"
        for n, status in ((1, "active"), (2, "active"), (3, "active"), (4, "active"))), encoding="utf-8")
    rows = [["Name", "License number", "Status", "Address"],
            ["Agency 1", "KZ-1", "active", ""], ["Agency 2", "KZ-2", "revoked", ""],
            ["Agency 3", "KZ-3", "active", "Astana"], ["Agency 5", "KZ-5", "active", ""]]
    summary = preview_import(write_csv(tmp_path / "new.csv", rows), "KZ", "employment", current=[current],
                             retrieved=DAY)
    assert summary.result.source_url == SRC  # taken over from the current file
    d = summary.diff.to_dict(examples=5)
    assert {k: d[k] for k in ("current", "added", "removed", "status_changed", "updated", "unchanged")} == {
        "current": 4, "added": 1, "removed": 1, "status_changed": 1, "updated": 1, "unchanged": 1}
    assert d["examples"]["added"] == [{"name": "Agency 5", "license_no": "KZ-5", "status": "active"}]
    assert d["examples"]["removed"][0]["license_no"] == "KZ-4"
    assert d["examples"]["status_changed"] == [{"name": "Agency 2", "license_no": "KZ-2", "old": "active",
                                                "new": "revoked"}]
    assert d["examples"]["updated"] == [{"name": "Agency 3", "license_no": "KZ-3", "fields": ["address"]}]


def test_diff_sees_a_renumbered_licence_as_an_update(tmp_path):
    current = ("kz.csv", ",".join(HEADER) + f"\nKZ,employment,Dala,,KZ-1,190148159083,active,,,,,{SRC},2026-01-01\n")
    src = write_csv(tmp_path / "n.csv", [["Name", "License number", "BIN"], ["DALA", "KZ-1-2026", "190148159083"]])
    d = preview_import(src, "KZ", "employment", current=[current]).diff
    assert (len(d.added), len(d.removed), len(d.updated)) == (0, 0, 1)
    assert d.updated[0][2] == ["name", "license_no"]


def test_reimport_keeps_aliases_and_contacts_the_list_does_not_publish(tmp_path):
    current = tmp_path / "kz_employment.csv"
    current.write_text(",".join(HEADER) + "\n" + f'KZ,employment,"ТОО ""Дала Жұмыс""",Dala Jumys|Dala Zhumys,KZ-1,,'
                       f"active,,+77172555101,dala.example.kz,Astana,{SRC},2026-01-01\n", encoding="utf-8")
    src = write_csv(tmp_path / "gov.csv", [["Наименование", "Номер лицензии", "Статус", "Телефон"],
                                           ["ДАЛА ЖҰМЫС ЖШС", "KZ-1", "приостановлена", ""]])
    summary = preview_import(src, "KZ", "employment", current=[current], retrieved=DAY)
    row = summary.result.rows[0]
    assert row["aliases"] == 'ТОО "Дала Жұмыс"|Dala Jumys|Dala Zhumys'  # old name and the NGO's spellings stay
    assert row["website"] == "dala.example.kz" and row["address"] == "Astana"  # columns the list does not have
    assert row["phones"] == ""  # the list has a phone column and it is empty: the list is believed
    assert summary.result.carried == 1
    assert summary.diff.counts()["status_changed"] == 1


def test_admin_upload_path_bytes_in_summary_out(tmp_path):
    """What a Telegram admin upload will call: file bytes + the current CSV text, nothing written."""
    data = write_xlsx(tmp_path / "u.xlsx", [["Наименование", "Номер лицензии", "Статус"],
                                            ["Agency 9", "KZ-9", "действует"]]).read_bytes()
    current = ("kz.csv", ",".join(HEADER) + f"\nKZ,employment,Agency 8,,KZ-8,,active,,,,,{SRC},2026-01-01\n"
               f"UZ,employment,Other,,UZ-1,,active,,,,,{SRC},2026-01-01\n")
    summary = preview_import(data, "kz", "employment", current=[current], filename="upload.xlsx")
    report = summary.to_dict()
    assert report["imported"] == 1 and report["current"] == ["kz.csv"]
    assert report["diff"]["added"] == 1 and report["diff"]["removed"] == 1 and report["diff"]["current"] == 1
    assert report["warning_examples"] == []
    json.dumps(report)  # ready to send
    assert not list(tmp_path.glob("*.csv"))


def test_50000_row_xlsx_imports_with_correct_counts(tmp_path):
    n = 50_000
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Реестр")
    ws.append(["Реестр частных агентств занятости"])
    ws.append([])
    ws.append(["№ п/п", "Наименование", "Номер лицензии", "Статус", "Срок действия", "Телефон"])
    statuses = ("действует", "приостановлена", "отозвана", "amal qilmoqda", "жарамды")
    for i in range(n):
        j = i - 1 if i % 100 == 99 else i  # 500 duplicates of the row before
        status = "???" if i % 1000 == 500 else statuses[j % 5]  # 50 unclear statuses
        ws.append([i + 1, f'ТОО "Agency {j}"', f"KZ-{j:06d}", status, datetime(2027, 1 + j % 12, 1),
                   f"+7701555{j % 500:04d}"])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    seen = []
    result = imported(path, progress=lambda done, total: seen.append(done))
    assert result.read == n
    assert len(result.merges) == 500 and len(result.rejects) == 50
    assert len(result.rows) == n - 500 - 50
    assert {r.field for r in result.rejects} == {"status"}
    assert seen and seen[-1] == n + 3  # the progress callback reached the last row
    canonical = ("active", "suspended", "revoked", "active", "active")
    kept = [i for i in range(n) if i % 100 != 99 and i % 1000 != 500]
    assert Counter(r["status"] for r in result.rows) == Counter(canonical[i % 5] for i in kept)
    out = tmp_path / "kz_employment.csv"
    write_import(result, out)
    agencies, errors = read_csv(out.read_text(encoding="utf-8"), str(out))
    assert not errors and len(agencies) == n - 550


# --- the command --------------------------------------------------------------------------------------------

def test_cli_dry_run_writes_nothing_and_json_reports_everything(tmp_path):
    src = write_csv(tmp_path / "cp.csv", [RU_HEADER, ["1", "Агентство Один", "190148159083", "KZ-TR-1", "", "действует",
                                                      "30.06.2028", ""],
                                          ["2", "", "", "KZ-TR-2", "", "действует", "", ""]],
                    encoding="cp1251", delimiter=";")
    out = tmp_path / "kz_employment.csv"
    code, stdout, stderr = saqbol("registry", "import", str(src), "--country", "kz", "--kind", "employment",
                                  "--source", SRC, "--out", str(out), "--dry-run", "--json")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["imported"] == 1 and report["rejected"] == 1 and report["written"] is False
    assert report["rejects"] == ["cp.csv:3: name: no agency name"]
    assert report["columns"]["license_no"] == ["Номер лицензии"]
    assert report["diff"]["added"] == 1 and report["diff"]["current"] == 0
    assert not out.exists() and not rejects_path(out).exists()


def test_cli_import_writes_a_file_that_content_validate_accepts(tmp_path):
    src = write_xlsx(tmp_path / "kg.xlsx", [["Уюмдун аталышы", "Лицензиянын номери", "ИНН", "Абалы", "Мөөнөтү"],
                                             ["ОсОО «Ала-Тоо Эмгек»", "KG-EA-0061", "02505201910123", "Күчүндө",
                                              "30.11.2027"],
                                             ["ОсОО «Ош Жумуш»", "KG-EA-0062", "", "Жокко чыгарылган", ""]])
    out = tmp_path / "kg_employment.csv"
    code, stdout, stderr = saqbol("registry", "import", str(src), "--country", "KG", "--kind", "employment",
                                  "--source", SRC, "--out", str(out))
    assert code == 0, stderr
    assert "2 agencies, 0 duplicate rows merged, 0 rejected" in stdout and f"wrote {out}" in stdout
    code, stdout, stderr = saqbol("content", "validate", "--registry", str(out))
    assert code == 0, stderr
    code, stdout, _ = saqbol("registry", "find", "Ala-Too Emgek", "--registry", str(out), "--json")
    assert json.loads(stdout)["matches"][0]["license_no"] == "KG-EA-0061"


def test_cli_refuses_to_drop_most_of_the_registry_without_force(tmp_path):
    out = tmp_path / "kz_employment.csv"
    out.write_text(",".join(HEADER) + "\n" + "".join(
        f"KZ,employment,Agency {n},,KZ-{n},,active,,,,,{SRC},2026-01-01\n" for n in range(30)), encoding="utf-8")
    before = out.read_bytes()
    src = write_csv(tmp_path / "cut.csv", [["Name", "License number"], ["Agency 1", "KZ-1"]])
    code, _, stderr = saqbol("registry", "import", str(src), "--country", "KZ", "--kind", "employment",
                             "--out", str(out))
    assert code == 2 and "29 of 30 current rows would be removed" in stderr and "nothing written" in stderr
    assert out.read_bytes() == before
    code, stdout, stderr = saqbol("registry", "import", str(src), "--country", "KZ", "--kind", "employment",
                                  "--out", str(out), "--force")
    assert code == 0, stderr
    assert "cut.csv:1: status: no status column: every row is taken as active" in stderr
    assert len(read_csv(out.read_text(encoding="utf-8"), "x")[0]) == 1


def test_cli_never_overwrites_a_file_holding_other_countries(tmp_path):
    shared = tmp_path / "mixed.csv"
    shared.write_text(",".join(HEADER) + f"\nUZ,employment,A,,UZ-1,,active,,,,,{SRC},2026-01-01\n"
                      f"KG,employment,B,,KG-1,,active,,,,,{SRC},2026-01-01\n", encoding="utf-8")
    before = shared.read_bytes()
    src = write_csv(tmp_path / "uz.csv", [["Name", "License number"], ["A", "UZ-1"], ["C", "UZ-2"]])
    code, _, stderr = saqbol("registry", "import", str(src), "--country", "UZ", "--kind", "employment",
                             "--out", str(shared), "--force")
    assert code == 2 and "also holds 1 rows of other countries or kinds" in stderr
    assert shared.read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["missing.csv", "--country", "KZ", "--kind", "employment"], "file not found"),
    (["{src}", "--country", "KAZ", "--kind", "employment"], "two-letter country code"),
    (["{src}", "--country", "KZ", "--kind", "job"], "--kind must be one of: employment"),
    (["{src}", "--country", "KZ", "--kind", "employment", "--map", "{map}"], ":1: columns.nme: not a registry field"),
])
def test_cli_bad_input_gets_a_clear_message(tmp_path, args, message):
    src = write_csv(tmp_path / "a.csv", [["Name"], ["A"]])
    mapfile = tmp_path / "m.yml"
    mapfile.write_text("columns: {nme: 1}\n", encoding="utf-8")
    args = [a.format(src=src, map=mapfile) for a in args]
    code, _, stderr = saqbol("registry", "import", *args, "--source", SRC, "--out", str(tmp_path / "o.csv"))
    assert code == 2 and message in stderr and "Traceback" not in stderr
