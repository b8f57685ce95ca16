"""Telegram adapter (python-telegram-bot v22): wiring, update conversion, sending with retries."""
