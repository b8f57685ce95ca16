"""Language identification for short, mixed text in en, ru, kk, uz (Latin), uz_Cyrl, ky, tg.

Statistical models need more text than "Кореяға жұмыс бар ма?" gives them. The six languages are told
apart well by their own letters (Kazakh ә ғ қ ң ө ұ ү һ і, Kyrgyz ң ө ү, Tajik ҷ ӣ ӯ ҳ, Uzbek ў қ ғ ҳ)
and by a few hundred very common words, so that is what we score.
"""

from __future__ import annotations

import re
from collections import Counter

from .normalize import fold_text

LOCALES = ("en", "ru", "kk", "uz", "uz_Cyrl", "ky", "tg")

# Letter -> {language: score}. Letters shared by several languages split their evidence.
_LETTERS: dict[str, dict[str, float]] = {
    "ә": {"kk": 3}, "ұ": {"kk": 3}, "і": {"kk": 3}, "һ": {"kk": 1},
    "ң": {"kk": 1.5, "ky": 1.5}, "ө": {"kk": 1.2, "ky": 1.8}, "ү": {"kk": 1.2, "ky": 1.8},
    "ғ": {"kk": 1, "uz_Cyrl": 1, "tg": 1}, "қ": {"kk": 1, "uz_Cyrl": 1, "tg": 1},
    "ҳ": {"uz_Cyrl": 1.5, "tg": 1.5}, "ў": {"uz_Cyrl": 3}, "ҷ": {"tg": 3}, "ӣ": {"tg": 3}, "ӯ": {"tg": 3},
    "ы": {"ru": 0.6, "kk": 0.3, "ky": 0.3}, "щ": {"ru": 1}, "э": {"ru": 0.5, "ky": 0.3},
    "ъ": {"ru": 0.6, "uz_Cyrl": 0.6, "tg": 0.3}, "ё": {"ru": 0.5, "ky": 0.3, "tg": 0.2},
}

_WORDS = {
    "en": "the and to for you your we are is of in with job work visa salary no not free apply our "
    "will be this that from per month hour contact agency offer travel company passport only now "
    "please hello hi thanks help need want can how what where my me i it",
    "ru": "и в на с по для вы вас вам мы не нет что это как где работа работу работы зарплата "
    "оплата виза визу паспорт от до без только срочно звоните пишите компания агентство нужны "
    "требуются месяц день час за у я мне меня хочу помогите здравствуйте привет спасибо или есть",
    "kk": "және мен бар жоқ үшін жұмыс жұмысқа айлық жалақы виза төлем төлеу керек сіз сізге біз "
    "бізге емес қалай қайда не неге ғана шетел шетелге тегін сәлем рахмет көмек маған менің "
    "күн ай ақша жол шарт келісімшарт бұл осы тез хабарласыңыз агенттік",
    "uz": "va bilan uchun bor yo'q ish ishga oylik maosh viza to'lov kerak siz sizga biz bizga emas "
    "qanday qayerda nima faqat chet xorij xorijga bepul salom rahmat yordam menga mening kun oy pul "
    "shartnoma bu shu tez qo'ng'iroq agentlik ishlash ishchi kerakmi bo'ladi berasiz",
    "uz_Cyrl": "ва билан учун бор йўқ иш ишга ойлик маош виза тўлов керак сиз сизга биз бизга эмас "
    "қандай қаерда нима фақат чет хориж хорижга бепул салом раҳмат ёрдам менга менинг кун ой пул "
    "шартнома бу шу тез агентлик ишлаш ишчи бўлади берасиз",
    "ky": "жана менен бар жок үчүн иш ишке айлык эмгек акы виза төлөм төлөө керек сиз сизге биз "
    "бизге эмес кантип кайда эмне гана чет өлкө акысыз салам рахмат жардам мага менин күн ай акча "
    "келишим бул ушул тез байланышыңыз агенттик жумуш жумушка",
    "tg": "ва бо барои дар аз ба кор корӣ музд маош виза пардохт лозим шумо шуморо мо ба мо нест "
    "чӣ тавр куҷо танҳо хориҷа хориҷ ройгон салом ташаккур кӯмак ман манро рӯз моҳ пул шартнома "
    "ин зуд тамос агентӣ мехоҳам ҳаст",
}

_WORD_LANGS: dict[str, dict[str, float]] = {}
for _lang, _words in _WORDS.items():
    for _w in _words.split():
        _WORD_LANGS.setdefault(fold_text(_w), {})[_lang] = 1.0
for _w, _langs in _WORD_LANGS.items():  # a word shared by n languages is worth 1/n to each
    for _lang in _langs:
        _langs[_lang] = 1.0 / len(_langs)

# Russian typed in Latin letters ("rabota v koree, oplata vizy") is common on phones without Cyrillic.
_RU_LATIN = set("rabota rabotu raboty zarplata oplata oplatu vizu vizy viza pasport srochno pishite "
                "zvonite bez dlya dlia mesyac mesiac den v na s po ot do i ili ne net eto kak gde "
                "hochu pomogite privet spasibo nuzhny trebuyutsya kompaniya agentstvo".split())

_TOKEN_RE = re.compile(r"[\w']+")
# Uzbek Latin cues: a word ending in o'/g' (with what follows the apostrophe), or an agglutinative ending.
# The word is taken whole at once (possessive) and its end checked by look-behinds: no backtracking per letter.
_UZ_ENDINGS = ("ni", "ga", "da", "dan", "lar", "ning", "miz", "siz")
_UZ_LATIN_CUES = re.compile(r"\b\w++(?:(?<=[og])'\w*|" + "|".join(rf"(?<=\w{e})" for e in _UZ_ENDINGS) + ")")


def detect(text: str, default: str = "ru", folded: str | None = None) -> str:
    """Most likely locale of text; `default` when there is no evidence (emoji, digits, empty).

    Pass `folded` (normalize.fold_text of the same text) when you already have it.
    """
    folded = (folded if folded is not None else fold_text(text[:4000]))[:4000]
    scores: Counter[str] = Counter()
    letters = Counter(folded)
    for ch, weights in _LETTERS.items():
        n = letters.get(ch)
        if n:
            for lang, s in weights.items():
                scores[lang] += s * n
    cyrillic = latin = 0
    for ch, n in letters.items():
        if "\u0400" <= ch <= "\u04ff":
            cyrillic += n
        elif "a" <= ch <= "z":
            latin += n
    words = _TOKEN_RE.findall(folded)
    word_langs = _WORD_LANGS.get
    for word in words:
        langs = word_langs(word)
        if langs:
            for lang, s in langs.items():
                scores[lang] += 2 * s
    if latin > cyrillic:
        # Uzbek Latin: o' / g' and agglutinative endings are strong cues against English.
        scores["uz"] += 1.5 * len(_UZ_LATIN_CUES.findall(folded))
        for lang in ("ru", "kk", "uz_Cyrl", "ky", "tg"):
            scores[lang] *= 0.3
        scores["ru"] += 2 * sum(w in _RU_LATIN for w in words)
    elif cyrillic:
        scores["en"] *= 0.3
        scores["uz"] *= 0.3
        scores["ru"] += 0.5  # Russian is the Cyrillic default when nothing else stands out
    if not scores:
        if latin > cyrillic:
            return "en"
        return default if not cyrillic else "ru"
    return scores.most_common(1)[0][0]
