"""Storage: models, engine/session set-up, repository and Alembic migrations."""
