"""Typed, validated shapes of the NGO-editable files in content/."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..core.patterns import PatternError, parse_pattern

LOCALES = ("en", "ru", "kk", "uz", "uz_Cyrl", "ky", "tg")
PATTERN_LANGS = LOCALES
Locale = Literal["en", "ru", "kk", "uz", "uz_Cyrl", "ky", "tg"]
OfferKind = Literal["job", "marriage", "travel", "study"]
OFFER_KINDS = ("job", "marriage", "travel", "study")
Review = Literal["machine-draft", "reviewed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    title: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://\S+$")
    checked: date | None = None


def _check_patterns(value: dict[str, list[str]]) -> dict[str, list[str]]:
    for lang, patterns in value.items():
        for i, p in enumerate(patterns):
            try:
                parse_pattern(p)
            except PatternError as exc:
                raise ValueError(f"{lang}[{i}] '{p}': {exc}") from None
    return value


Localized = dict[Locale, str]


class RedFlagRule(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kinds: list[OfferKind] = Field(min_length=1)
    severity: Literal["high", "medium", "low"]
    weight: int = Field(ge=1, le=100)
    indicator: str = Field(min_length=3)
    sources: list[Source] = Field(min_length=1)
    legal: Source | None = None
    review: Review = "machine-draft"
    negatable: bool = True
    patterns: dict[Locale, list[str]] = Field(default_factory=dict)
    negations: dict[Locale, list[str]] = Field(default_factory=dict)
    explanation: Localized
    advice: Localized
    # Amounts that are unrealistic on their face, per period and currency: {month: {USD: 2500, ...}}.
    money_min: dict[Literal["month", "week", "day", "hour"], dict[str, float]] = Field(default_factory=dict)
    # An amount with no period ("3000$") counts only after one of these words (salary, oylik…), so that a
    # price or a fee is not read as pay.
    money_context: dict[Locale, list[str]] = Field(default_factory=dict)

    _patterns_ok = field_validator("patterns", "negations", "money_context")(_check_patterns)

    @field_validator("explanation", "advice")
    @classmethod
    def _english_present(cls, value: Localized) -> Localized:
        if "en" not in value and "ru" not in value:
            raise ValueError("needs at least an 'en' or 'ru' text (the fallback for other locales)")
        return value


class KindCues(Strict):
    patterns: dict[Locale, list[str]]
    _patterns_ok = field_validator("patterns")(_check_patterns)


class OfferKinds(Strict):
    review: Review = "machine-draft"
    kinds: dict[OfferKind, KindCues]


class Advice(Strict):
    review: Review = "machine-draft"
    sources: list[Source] = Field(default_factory=list)
    advice: dict[Literal["high", "medium", "low", "unknown", "not_found"], list[Localized]]


TopicId = Literal["passport", "contract", "fees", "wages", "permits", "victims_rights", "trafficking_vs_smuggling",
                  "passport_taken"]
TOPICS = ("passport", "contract", "fees", "wages", "permits", "victims_rights", "trafficking_vs_smuggling",
          "passport_taken")
MAX_SCREEN = 900


class RightsTopic(Strict):
    title: Localized
    text: Localized
    sources: list[Source] = Field(min_length=1)
    checked: date

    @field_validator("text")
    @classmethod
    def _fits_one_screen(cls, value: Localized) -> Localized:
        for loc, text in value.items():
            if len(text) > MAX_SCREEN:
                raise ValueError(f"{loc} text has {len(text)} characters; one screen is at most {MAX_SCREEN}")
        return value


class Rights(Strict):
    country: str = Field(pattern=r"^([A-Z]{2}|GENERAL)$")
    review: Review = "machine-draft"
    checked: date | None = None  # optional file-level date; each topic carries its own
    topics: dict[TopicId, RightsTopic]


class Country(Strict):
    names: list[str] = Field(min_length=1)
    display: Localized = Field(default_factory=dict)
    destination: bool = False  # has its own rights explainer and appears in the destination menu

    @field_validator("names")
    @classmethod
    def _names_ok(cls, value: list[str]) -> list[str]:
        for n in value:
            try:
                parse_pattern(str(n))
            except PatternError as exc:
                raise ValueError(f"'{n}': {exc}") from None
        return value


class Countries(Strict):
    review: Review = "machine-draft"
    countries: dict[str, Country]

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: dict[str, Country]) -> dict[str, Country]:
        bad = [c for c in value if len(c) != 2 or not c.isupper()]
        if bad:
            raise ValueError(f"country codes must be two capital letters: {', '.join(bad)}")
        return value


class Hotline(Strict):
    country: str = Field(pattern=r"^([A-Z]{2}|INT)$")
    name: Localized
    numbers: list[str] = Field(min_length=1)
    purpose: list[Literal["trafficking", "migrant_labour", "women_children", "police", "emergency", "general"]]
    hours: str | None = None
    languages: list[str] = Field(default_factory=list)
    operator: str | None = None
    source_url: str = Field(pattern=r"^https?://\S+$")
    checked: date
    confidence: Literal["verified", "unverified"]
    note: Localized = Field(default_factory=dict)

    @model_validator(mode="after")
    def _numbers_are_numbers(self) -> "Hotline":
        for n in self.numbers:
            number_type(n, None if self.country == "INT" else self.country)
        return self

    def typed_numbers(self) -> list[dict[str, str]]:
        """[{"number": "+903121571112", "display": "+90 312 157 11 12", "type": "e164"|"short_code"}]."""
        region = None if self.country == "INT" else self.country
        return [{"display": n, **dict(zip(("type", "number"), number_type(n, region)))} for n in self.numbers]


def number_type(raw: str, region: str | None) -> tuple[str, str]:
    """("e164", "+7…") for a full number valid in its region, ("short_code", "111") for a local short code;
    ValueError for anything else."""
    import re

    import phonenumbers

    digits = re.sub(r"[\s\-()]", "", raw)
    if re.fullmatch(r"\d{2,6}", digits):
        return "short_code", digits
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValueError(f"'{raw}' is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"'{raw}' is not a valid phone number" + (f" in {region}" if region else ""))
    return "e164", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class Hotlines(Strict):
    review: Review = "machine-draft"
    hotlines: list[Hotline]


class StaffHours(Strict):
    timezone: str
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(min_length=1)
    start: str = Field(pattern=r"^\d{2}:\d{2}$")
    end: str = Field(pattern=r"^\d{2}:\d{2}$")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    def open_at(self, moment) -> bool:
        """Whether staff work at this (timezone-aware) moment."""
        from zoneinfo import ZoneInfo

        local = moment.astimezone(ZoneInfo(self.timezone))
        day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
        return day in self.days and self.start <= local.strftime("%H:%M") < self.end


class Organization(Strict):
    review: Review = "machine-draft"
    name: Localized
    hours: StaffHours | None = None
    reminder_minutes: int = Field(default=15, ge=1, le=1440)


class ReportedItem(Strict):
    """One confirmed user report: a contact or name that appeared in a scam offer."""

    kind: Literal["phone", "domain", "telegram", "agency"]
    value: str = Field(min_length=2, max_length=200)
    reason: str = Field(min_length=3, max_length=300)
    reported: date
    approved: date | None = None

    @model_validator(mode="after")
    def _understood(self) -> "ReportedItem":
        from ..core.warnings import warning_key

        if warning_key(self.kind, self.value) is None:
            raise ValueError(f"cannot read {self.kind} '{self.value}'")
        return self


class Warnings(Strict):
    review: Review = "reviewed"
    warnings: list[ReportedItem] = Field(default_factory=list)


# --- self-screening questionnaire (content/screening.yml) -------------------------------------------------------
# The ILO's 11 indicators of forced labour (2012). Fixed ids: counters and staff summaries rely on them.
INDICATORS = ("abuse_of_vulnerability", "deception", "restriction_of_movement", "isolation", "violence", "threats",
              "retention_of_documents", "withholding_of_wages", "debt_bondage", "abusive_conditions",
              "excessive_overtime")
IndicatorId = Literal["abuse_of_vulnerability", "deception", "restriction_of_movement", "isolation", "violence",
                      "threats", "retention_of_documents", "withholding_of_wages", "debt_bondage",
                      "abusive_conditions", "excessive_overtime"]


def _every_locale(value: Localized) -> Localized:
    """Questionnaire wording is shown as is, with no fallback: a missing locale is an error."""
    missing = [loc for loc in LOCALES if not (value.get(loc) or "").strip()]
    if missing:
        raise ValueError(f"missing text in: {', '.join(missing)} (every locale is required)")
    return value


class DatedSource(Source):
    checked: date  # required here: when someone last looked at the source


class ScreeningIndicator(Strict):
    name: Localized
    explanation: Localized  # plain words: what this sign means for the person
    rights: list[TopicId] = Field(default_factory=list)  # rights topics that say what the law says
    sources: list[DatedSource] = Field(min_length=1)

    _all = field_validator("name", "explanation")(_every_locale)


class ScreeningQuestion(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: Localized
    indicators: list[IndicatorId] = Field(min_length=1)
    ask_if: str | None = None  # asked only when this earlier question was answered "yes"
    danger: bool = False  # "yes" means immediate danger: interrupt with emergency numbers

    _all = field_validator("text")(_every_locale)


class ScreeningTexts(Strict):
    """Every piece of questionnaire wording, per locale, so NGOs can edit it."""

    offer: Localized  # button that offers the self-check elsewhere in the bot
    offer_abroad: Localized  # the same under a high-risk verdict: asks whether the person is already there
    intro: Localized
    where: Localized  # which country are you in now?
    progress: Localized  # "Question {n}"
    yes: Localized
    no: Localized
    skip: Localized  # prefer not to say
    stop: Localized
    hint: Localized  # free text that is not an answer
    stopped: Localized
    danger: Localized
    continue_questions: Localized
    talk_now: Localized
    result_none: Localized
    result_some: Localized
    skipped_note: Localized  # "{n}" questions not answered
    law: Localized
    call: Localized
    share: Localized  # one-tap handoff sharing the list of signs
    no_share: Localized
    sources: Localized

    _all = field_validator("*")(_every_locale)

    @model_validator(mode="after")
    def _placeholders(self) -> "ScreeningTexts":
        for name in ("progress", "skipped_note"):
            for loc, text in getattr(self, name).items():
                if "{n}" not in text:
                    raise ValueError(f"{name}.{loc} must contain {{n}}")
        return self


class Screening(Strict):
    review: Review = "machine-draft"
    texts: ScreeningTexts
    indicators: dict[IndicatorId, ScreeningIndicator]
    questions: list[ScreeningQuestion] = Field(min_length=10, max_length=16)
