"""Saqbol: a safe-migration assistant."""
