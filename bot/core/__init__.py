"""Pure domain core: normalisation, language, extraction, red flags, registry, verdict.

Nothing here imports Telegram, Redis or network code; everything works on data handed in.
"""
