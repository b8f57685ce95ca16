"""Text normalisation that keeps a map back to the original text.

Scam ads are written to slip past filters: "пасп0рт", "Kopeя" (Latin K, o, p, e in a Cyrillic word),
zero-width spaces, four kinds of Uzbek apostrophe. We fold all of that once per message into a lower-case
string whose every character remembers where it came from, so a hit found in the folded text can be
reported as the exact substring the user wrote.

`key()` goes one step further for matching across scripts: a phonetic Latin skeleton in which
"паспорт", "pasport" and "PASPORT" are equal, and Uzbek "o'qish" equals "ўқиш".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

APOSTROPHES = "'ʻʼ‘’`´ʹ′‛"
INVISIBLE = {
    0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E,
    0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066,
    0x2067, 0x2068, 0x2069, 0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0xFEFF, 0xFE0E, 0xFE0F,
}

# Letters that look alike in Latin and Cyrillic (after case folding).
LATIN_TO_CYRILLIC = dict(zip("aeopcxykmthbijs", "аеорсхукмтнвіјѕ"))
CYRILLIC_TO_LATIN = {c: l for l, c in LATIN_TO_CYRILLIC.items()}
# Digits used inside words as letters: "пасп0рт", "ви3а".
DIGIT_AS_CYRILLIC = {"0": "о", "3": "з", "6": "б"}
DIGIT_AS_LATIN = {"0": "o"}

WORD_RE = re.compile(r"[\w']+")


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u052f"


def _is_latin(ch: str) -> bool:
    return "a" <= ch <= "z" or "\u00c0" <= ch <= "\u024f"


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Fold one character: drop invisibles, unify apostrophes, NFKC, case fold."""
    code = ord(ch)
    if code in INVISIBLE:
        return ""
    if ch in APOSTROPHES:
        return "'"
    if ch == "\n":
        return ch
    if ch.isspace():
        return " "
    folded = unicodedata.normalize("NFKC", ch).casefold()
    if unicodedata.category(ch) == "Cc":
        return " "
    return folded


@dataclass(slots=True)
class Folded:
    """A folded text plus, for each folded character, the index of its source character."""

    original: str
    text: str
    origin: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the folded text back to the original text."""
        if start >= end:
            pos = self.origin[start] if start < len(self.origin) else len(self.original)
            return pos, pos
        return self.origin[start], self.origin[end - 1] + 1

    def source(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


def _unify_word(word: list[str]) -> None:
    """Fold look-alike letters of a mixed-script word into the word's dominant script, in place."""
    cyr = lat = 0
    for ch in word:
        if _is_cyrillic(ch):
            cyr += 1 if ch not in CYRILLIC_TO_LATIN else 0
        elif _is_latin(ch):
            lat += 1 if ch not in LATIN_TO_CYRILLIC else 0
    if cyr == lat == 0:
        # Only ambiguous letters: side with whichever script has more of them.
        cyr = sum(_is_cyrillic(ch) for ch in word)
        lat = sum(_is_latin(ch) for ch in word)
        if cyr == 0 or lat == 0:
            return
    to_cyr = cyr > lat
    table = LATIN_TO_CYRILLIC if to_cyr else CYRILLIC_TO_LATIN
    digits = DIGIT_AS_CYRILLIC if to_cyr else DIGIT_AS_LATIN
    n = len(word)
    for i, ch in enumerate(word):
        if ch in table:
            word[i] = table[ch]
        elif ch in digits and 0 < i < n - 1 and word[i - 1].isalpha() and word[i + 1].isalpha():
            word[i] = digits[ch]


# Cheap tests that a text may hold a word to unify: both scripts present, or a digit touching a letter.
_LATIN_RE = re.compile(r"[a-z]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_DIGIT_RE = re.compile(r"\d")
_DIGIT_LETTER_RE = re.compile(r"(?<=[^\W\d_])\d|\d(?=[^\W\d_])")
# The only words _unify_word can change: both scripts in one word, or a digit of DIGIT_AS_* among letters.
_LETTER_DIGITS = "".join(sorted({*DIGIT_AS_CYRILLIC, *DIGIT_AS_LATIN}))
_UNIFY_CANDIDATE_RE = re.compile(
    r"(?<![\w'])(?:(?=[\w']*?[a-z\u00c0-\u024f])(?=[\w']*?[\u0400-\u052f])|(?=[\w']*?[" + _LETTER_DIGITS + r"]))[\w']+")
_SIMPLE_TABLE = {ord(a): "'" for a in APOSTROPHES}
_SIMPLE_TABLE.update({c: " " for c in range(0x3001) if chr(c).isspace() and chr(c) not in "\n "})
_NEEDS_TABLE = re.compile("[" + re.escape("".join(chr(c) for c in _SIMPLE_TABLE)) + "]")
_SPECIAL = re.compile("[" + "".join(chr(c) for c in sorted(INVISIBLE)) + "\u0000-\u0008\u000e-\u001f\u007f-\u009f]")


def _needs_unify(word: list[str]) -> bool:
    has_cyr = has_lat = has_digit = False
    for ch in word:
        if _is_cyrillic(ch):
            has_cyr = True
        elif _is_latin(ch):
            has_lat = True
        elif ch.isdigit():
            has_digit = True
    return (has_cyr and has_lat) or (has_digit and (has_cyr or has_lat))


def _may_unify(s: str) -> bool:
    """Whether any word of s may need unifying: both scripts in the text, or a digit touching a letter."""
    if _LATIN_RE.search(s) and _CYRILLIC_RE.search(s):
        return True
    return bool(_DIGIT_RE.search(s) and _DIGIT_LETTER_RE.search(s))


# The same test for one word on its own (a word is never split across lines).
_UNIFY_CANDIDATE_WORD_RE = re.compile(
    r"(?=.*?[a-z\u00c0-\u024f])(?=.*?[\u0400-\u052f])|(?=.*?[" + _LETTER_DIGITS + r"])")


def _unify_one(word: str) -> str:
    if len(word) > 1 and _UNIFY_CANDIDATE_WORD_RE.match(word):
        chars = list(word)
        if _needs_unify(chars):
            _unify_word(chars)
            return "".join(chars)
    return word


def _unify_match(m: re.Match[str]) -> str:
    return _unify_one(m.group())


def _unify_words(s: str) -> str:
    if not _may_unify(s):
        return s
    return _UNIFY_CANDIDATE_RE.sub(_unify_match, s)


def _simple_fold(text: str) -> str | None:
    """The usual case, folded fast: text that is NFKC already, has no invisible or control characters and
    case-folds one character to one. Returns the folded text before look-alike unification, or None."""
    if not _SPECIAL.search(text) and unicodedata.is_normalized("NFKC", text):
        low = text.casefold()
        if len(low) == len(text):
            return low.translate(_SIMPLE_TABLE) if _NEEDS_TABLE.search(low) else low
    return None


def fold(text: str) -> Folded:
    """Fold text for matching; see module docstring. Length may change; `origin` maps back."""
    low = _simple_fold(text)
    if low is not None:  # one folded character per source character
        return Folded(text, _unify_words(low), range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i:j] if j == i + 1 else unicodedata.normalize("NFC", text[i:j])
        for ch in cluster:
            for f in _fold_char(ch):
                chars.append(f)
                origin.append(i)
        i = j
    return Folded(text, _unify_words("".join(chars)), origin)


def fold_text(text: str) -> str:
    """The folded string alone (for patterns, names and dictionary keys)."""
    return fold(text).text


# --- phonetic keys ------------------------------------------------------------------------------------

_CYRILLIC_TO_KEY = str.maketrans({
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "j",
    "з": "z", "и": "i", "й": "i", "і": "i", "ї": "i", "ӣ": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "ў": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ӯ": "u", "ф": "f", "х": "h", "ҳ": "h", "һ": "h", "ц": "s", "ч": "ч", "ш": "ш",
    "щ": "ш", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia", "ҷ": "j", "ј": "j", "ѕ": "s",
    "'": "",
})
_CYRILLIC_TO_KEY = {k: (v.replace("ш", "sh").replace("ч", "ch") if v else v) for k, v in _CYRILLIC_TO_KEY.items()}
# Latin spellings folded to one phonetic form; longest first ("shch" before "sh", "dzh" before "zh").
_LATIN_DIGRAPHS = (("shch", "ш"), ("dzh", "j"), ("sh", "ш"), ("ch", "ч"), ("kh", "h"), ("zh", "j"), ("dj", "j"),
                   ("ts", "s"), ("gh", "g"), ("ph", "f"), ("ng", "n"), ("ck", "k"))
_LATIN_LETTERS = {ord(k): v for k, v in {
    "c": "k", "x": "h", "q": "k", "w": "v", "y": "i", "ç": "ch", "ş": "sh", "ğ": "g", "ı": "i", "ö": "o", "ü": "u",
    "é": "e", "á": "a", "ó": "o", "ú": "u", "ń": "n", "ǵ": "g", "ý": "i"}.items()}
# One pass maps every letter of either script to its key letter(s); Latin digraphs were turned into
# ш/ч placeholders first so that "c" -> "k" cannot touch the "c" of "ch".
_KEY_TABLE = {**_CYRILLIC_TO_KEY, **_LATIN_LETTERS}
_REPEATS = re.compile(r"(.)\1+")
_HAS_LATIN = re.compile(r"[a-zçşğıöüéáóúńǵý]")
# Without an "h" in the word no "h" digraph can apply (none of the replacements brings one in without an "h").
_DIGRAPHS_NO_H = tuple(d for d in _LATIN_DIGRAPHS if "h" not in d[0])


def _word_key(word: str) -> str:
    """Phonetic Latin key of one already-folded word ("паспортыңызды" -> "pasportinizdi")."""
    if _HAS_LATIN.search(word):
        for a, b in (_LATIN_DIGRAPHS if "h" in word else _DIGRAPHS_NO_H):
            if a in word:
                word = word.replace(a, b)
    word = word.translate(_KEY_TABLE)
    return _REPEATS.sub(_first, word) if _REPEATS.search(word) else word


def _first(m: re.Match[str]) -> str:
    return m.group(1)


# Messages repeat their words a lot; the cache is bounded so that a long-running bot's memory stays flat.
word_key = lru_cache(maxsize=65536)(_word_key)


def key(text: str) -> str:
    """Phonetic key of a whole text: folded words keyed and joined by single spaces."""
    return " ".join(word_keys(text))


def word_keys(text: str) -> list[str]:
    """The phonetic keys of a text's words, in order."""
    low = _simple_fold(text)
    if low is None:
        return [word_key(w.strip("'")) for w in WORD_RE.findall(fold_text(text)) if w.strip("'")]
    # Unification works word by word, so each word's key can be cached on its own (agency names and
    # messages repeat their words: "group", "service", "работа", legal forms).
    unify = _may_unify(low)
    return [k for w in WORD_RE.findall(low) if (k := _folded_word_key(w, unify)) is not None]


@lru_cache(maxsize=65536)
def _folded_word_key(word: str, unify: bool) -> str | None:
    """Key of one word of a simply folded text (None for a word of apostrophes only)."""
    word = (_unify_one(word) if unify else word).strip("'")
    return _word_key(word) if word else None


@dataclass(slots=True)
class Token:
    key: str
    start: int  # span in the folded text
    end: int
    clause: int = 0  # clauses are separated by . , ; ! ? and line breaks (not by "2.500" or "1,200")
    sentence: int = 0  # sentences only by . ; ! ? and line breaks


CLAUSE_BREAK = re.compile(r"[!?;\n•]|[.,](?!\d)")  # a match other than "," also ends a sentence


def tokens(folded: Folded) -> list[Token]:
    """Word tokens of a folded text with their phonetic keys and clause numbers."""
    out: list[Token] = []
    text = folded.text
    # Break positions found once; each token then only compares its start with the next break.
    breaks = [(m.start(), m.group() != ",") for m in CLAUSE_BREAK.finditer(text)]
    breaks.append((len(text) + 1, False))
    b = 0
    clause = sentence = 0
    for m in WORD_RE.finditer(text):
        s, e = m.start(), m.end()
        if text[s] == "'" or text[e - 1] == "'":
            while s < e and text[s] == "'":
                s += 1
            while e > s and text[e - 1] == "'":
                e -= 1
            if s >= e:
                continue
        if breaks[b][0] < s:
            hard = False
            while breaks[b][0] < s:
                hard |= breaks[b][1]
                b += 1
            if out:
                clause += 1
                sentence += hard
        out.append(Token(word_key(text[s:e]), s, e, clause, sentence))
    return out
