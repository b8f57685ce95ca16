import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES, normalize_locale, translator

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = read_po(open(ROOT / "locales" / "messages.pot", "rb"))
IDS = [m.id for m in TEMPLATE if m.id]


@pytest.mark.parametrize("locale", [l for l in LOCALES if l != "en"])
def test_every_interface_string_is_translated_with_its_placeholders(locale):
    _ = translator(locale)
    for msgid in IDS:
        text = _(msgid)
        assert text != msgid, f"{locale}: untranslated: {msgid}"
        assert set(re.findall(r"{\w+}", text)) == set(re.findall(r"{\w+}", msgid)), f"{locale}: {msgid}"


def test_catalogs_cover_the_template():
    for locale in LOCALES:
        po = read_po(open(ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po", "rb"))
        assert {m.id for m in po if m.id} >= set(IDS), locale


@pytest.mark.parametrize("code,expected", [
    ("uz", "uz"), ("uz-Cyrl", "uz_Cyrl"), ("uz_Cyrl_UZ", "uz_Cyrl"), ("en-US", "en"), ("kk", "kk"),
    ("ky-KG", "ky"), ("tg", "tg"), ("tj", "tg"), ("de", "ru"), (None, "ru"), ("", "ru"),
])
def test_telegram_language_codes(code, expected):
    assert normalize_locale(code) == expected
