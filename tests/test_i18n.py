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
    from bot.i18n import ngettext_for

    _ = translator(locale)
    n_ = ngettext_for(locale)
    for msgid in IDS:
        if isinstance(msgid, tuple):  # plural entry: check a few counts
            for n in (1, 2, 5):
                text = n_(msgid[0], msgid[1], n)
                assert text not in msgid, f"{locale}: untranslated plural: {msgid}"
                assert set(re.findall(r"{\w+}", text)) == set(re.findall(r"{\w+}", msgid[0])), f"{locale}: {msgid}"
            continue
        text = _(msgid)
        assert text != msgid, f"{locale}: untranslated: {msgid}"
        assert set(re.findall(r"{\w+}", text)) == set(re.findall(r"{\w+}", msgid)), f"{locale}: {msgid}"


def test_catalogs_cover_the_template():
    for locale in LOCALES:
        po = read_po(open(ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po", "rb"))
        assert {m.id for m in po if m.id} >= set(IDS), locale
        assert not [m.id for m in po if m.id and m.fuzzy], f"{locale}: fuzzy entries are dropped from the catalog"


@pytest.mark.parametrize("code,expected", [
    ("uz", "uz"), ("uz-Cyrl", "uz_Cyrl"), ("uz_Cyrl_UZ", "uz_Cyrl"), ("en-US", "en"), ("kk", "kk"),
    ("ky-KG", "ky"), ("tg", "tg"), ("tj", "tg"), ("de", "ru"), (None, "ru"), ("", "ru"),
])
def test_telegram_language_codes(code, expected):
    assert normalize_locale(code) == expected


def test_russian_plural_forms():
    from bot.i18n import ngettext_for

    n_ = ngettext_for("ru")
    got = [n_("{n} warning sign", "{n} warning signs", n).format(n=n) for n in (1, 2, 5, 11, 21, 22)]
    assert got == ["1 тревожный признак", "2 тревожных признака", "5 тревожных признаков",
                   "11 тревожных признаков", "21 тревожный признак", "22 тревожных признака"]
