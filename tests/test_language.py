import pytest

from bot.core.language import detect

CASES = [
    ("Кореяға жұмыс бар ма? Визаны кім төлейді?", "kk"),
    ("Работа в Корее, оплата визы 500$, звоните", "ru"),
    ("Koreyaga ish bor, viza to'lovi 300$ kerak", "uz"),
    ("Кореяга иш бор, виза тўлови керак", "uz_Cyrl"),
    ("Кореяга жумуш бар, айлык акысы жакшы", "ky"),
    ("Кор дар Русия, музди меҳнат хуб, барои шумо", "tg"),
    ("Job in Korea, only a small visa fee", "en"),
    ("rabota v koree, oplata vizy 300$", "ru"),
    ("Salom, menga yordam kerak", "uz"),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_short_mixed_texts(text, expected):
    assert detect(text) == expected


@pytest.mark.parametrize("text", ["", "😀😀😀", "12345", "\x00\x01\x02"])
def test_no_evidence_gives_the_default(text):
    assert detect(text, default="ru") == "ru"
