"""Benchmarks of the board: ``python -m bench`` (``make bench``) writes docs/PERFORMANCE.md."""
