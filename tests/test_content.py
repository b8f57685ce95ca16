"""The NGO-editable content: loads, is sourced and dated, covers every locale, fits a Telegram message,
and a broken file says where and why."""

import shutil
from itertools import product
from pathlib import Path

import pytest

from bot.content import load_content
from bot.content.coverage import coverage
from bot.content.schema import LOCALES, TOPICS, number_type
from bot.present import HTML, render_rights

ROOT = Path(__file__).resolve().parents[1]
DESTINATIONS = ("KZ", "RU", "TR", "AE", "KR")
TELEGRAM_LIMIT = 4096


def test_every_hotline_and_rights_text_has_a_source_and_a_date(content):
    assert content.hotlines
    for h in content.hotlines:
        assert h.source_url.startswith(("http://", "https://")) and h.checked
        assert h.confidence in ("verified", "unverified")
    for country, rights in content.rights.items():
        for topic, t in rights.topics.items():
            assert t.sources and all(s.url.startswith(("http://", "https://")) for s in t.sources), (country, topic)
            assert t.checked, (country, topic)


def test_no_number_is_shown_as_verified_before_an_ngo_called_it(content):
    # Today nothing is verified: a reviewer flips the flag in hotlines.yml after calling.
    assert all(h.confidence == "unverified" for h in content.hotlines)


def test_emergency_numbers_for_every_origin_and_destination(content):
    for country in ("KZ", "UZ", "KG", "TJ", "RU", "TR", "AE", "KR"):
        assert any(h.country == country and "emergency" in h.purpose for h in content.hotlines), country


def test_numbers_are_typed_short_codes_or_valid_e164(content):
    for h in content.hotlines:
        for n in h.typed_numbers():
            assert n["type"] in ("short_code", "e164")
            if n["type"] == "e164":
                assert n["number"].startswith("+")
    assert number_type("1577-0071", "KR") == ("e164", "+8215770071")
    assert number_type("112", "KZ") == ("short_code", "112")
    with pytest.raises(ValueError):
        number_type("+7 000 12", "KZ")


def test_every_locale_resolves_every_topic_for_every_destination(content):
    for country, topic, locale in product(DESTINATIONS, TOPICS, LOCALES):
        t = content.rights_topic(country, topic)
        assert t is not None, (country, topic)
    result, empty = coverage(content)
    assert empty == []
    for locale, cov in result.items():
        assert cov.missing == [], (locale, cov.missing[:5])


def test_every_topic_in_every_locale_fits_one_telegram_message(content):
    for (country, rights), locale in product(content.rights.items(), LOCALES):
        for topic in rights.topics.values():
            text = render_rights(topic, locale, HTML, rights.review)
            assert len(text) <= TELEGRAM_LIMIT, (country, locale)
            assert text.startswith("<b>")


def test_destination_menu_names_in_every_locale(content):
    for code, country in content.countries.countries.items():
        if country.destination:
            assert set(country.display) >= set(LOCALES), code


@pytest.fixture
def content_copy(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def _errors(directory):
    return [str(e) for e in load_content(directory, use_cache=False).errors]


def test_bad_yaml_names_file_and_line(content_copy):
    f = content_copy / "rights" / "KZ.yml"
    lines = f.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5] + ' : : ["unclosed'
    f.write_text("\n".join(lines), encoding="utf-8")
    errors = _errors(content_copy)
    assert any(e.startswith(f"{f}:") and "YAML syntax" in e for e in errors), errors


def test_unknown_field_is_rejected_with_its_line(content_copy):
    f = content_copy / "hotlines.yml"
    f.write_text(f.read_text(encoding="utf-8").replace("    confidence: unverified", "    confidence: unverified\n    colour: red", 1),
                 encoding="utf-8")
    errors = _errors(content_copy)
    assert any(e.startswith(f"{f}:") and "colour" in e and "Extra inputs" in e for e in errors), errors


def test_bad_phone_number_is_rejected(content_copy):
    f = content_copy / "hotlines.yml"
    f.write_text(f.read_text(encoding="utf-8").replace('numbers: ["80060"]', 'numbers: ["+971 12"]'), encoding="utf-8")
    errors = _errors(content_copy)
    assert any("not a valid phone number" in e and e.startswith(f"{f}:") for e in errors), errors


def test_missing_source_is_rejected(content_copy):
    f = content_copy / "rights" / "general.yml"
    text = f.read_text(encoding="utf-8")
    start = text.index("    sources:")
    end = text.index("    checked:", start)
    f.write_text(text[:start] + text[end:], encoding="utf-8")
    errors = _errors(content_copy)
    assert any(e.startswith(f"{f}:") and "sources" in e for e in errors), errors


def test_overlong_text_is_rejected(content_copy):
    f = content_copy / "rights" / "TR.yml"
    text = f.read_text(encoding="utf-8")
    marker = "    text:\n      en: |\n"
    i = text.index(marker) + len(marker)
    f.write_text(text[:i] + "        " + "x" * 950 + "\n" + text[i:], encoding="utf-8")
    errors = _errors(content_copy)
    assert any("one screen is at most 900" in e for e in errors), errors
