"""Alembic migrations; run them with `python -m bot db upgrade` (see bot.db.migrate)."""
