"""Shared fixtures: the real content/ directory, loaded once per test session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content import load_content
from bot.core.verdict import checker_from_content

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 29)


@pytest.fixture(scope="session")
def content():
    c = load_content(ROOT / "content")
    assert c.ok, "\n".join(map(str, c.errors))
    return c


@pytest.fixture(scope="session")
def checker(content):
    return checker_from_content(content)
