"""Alembic's script directory: env.py, the revisions (versions/) and what they share (frozen)."""
