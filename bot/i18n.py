"""Interface strings through Babel/gettext: one Translations object per locale, never a global `_`.

Catalogs live in locales/<locale>/LC_MESSAGES/messages.po. They are compiled in memory on first use
(fuzzy entries are left out, as `pybabel compile` would), so a fresh checkout needs no build step.
The fallback chain matches content texts: uz_Cyrl -> uz -> ru -> en (English is the msgid itself).
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("en", "ru", "kk", "uz", "uz_Cyrl", "ky", "tg")
LOCALE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша", "uz": "Oʻzbekcha", "uz_Cyrl": "Ўзбекча",
                "ky": "Кыргызча", "tg": "Тоҷикӣ"}
LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
DEFAULT = "ru"


def normalize_locale(code: str | None, default: str = DEFAULT) -> str:
    """Map a Telegram/IETF language code to one of LOCALES ('uz-Cyrl-UZ' -> 'uz_Cyrl', 'en-US' -> 'en')."""
    if not code:
        return default
    c = code.strip().replace("-", "_")
    if c in LOCALES:
        return c
    low = c.lower()
    parts = low.split("_")
    if parts[0] == "uz":
        return "uz_Cyrl" if "cyrl" in parts[1:] else "uz"
    if parts[0] == "tj":  # a common mistake for Tajik
        return "tg"
    for loc in LOCALES:
        if loc.lower() == parts[0]:
            return loc
    return default


def fallback_chain(locale: str) -> tuple[str, ...]:
    return {"uz_Cyrl": ("uz_Cyrl", "uz", "ru"), "en": ("en",), "ru": ("ru",)}.get(locale, (locale, "ru"))


def _compile(locale: str, directory: Path) -> gettext.NullTranslations | None:
    po = directory / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return None
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=None, ignore_obsolete=True)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@lru_cache(maxsize=None)
def translations(locale: str, directory: Path = LOCALES_DIR) -> gettext.NullTranslations:
    """Translations for a locale with its fallbacks chained; English msgids are the last resort."""
    locale = normalize_locale(locale)
    head: gettext.NullTranslations | None = None
    for loc in fallback_chain(locale):
        t = _compile(loc, directory)
        if t is None:
            continue
        if head is None:
            head = t
        else:
            head.add_fallback(t)
    return head or gettext.NullTranslations()


def translator(locale: str):
    """The gettext function for a locale: `_ = translator('kk'); _('High risk')`."""
    return translations(normalize_locale(locale)).gettext


def ngettext_for(locale: str):
    """The plural-aware gettext for a locale: `ngettext_for('ru')('{n} sign', '{n} signs', 5)`."""
    return translations(normalize_locale(locale)).ngettext


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message
