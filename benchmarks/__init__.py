"""Benchmarks: ``make bench`` (``python -m benchmarks``).

Each ``benchmarks/bench_*.py`` module exposes ``TITLE: str``, ``run(quick: bool) -> dict``
returning flat ``{key: number}`` figures, each measured against a baseline in the same run
where the figure is a speed, and optionally ``NOTES: str`` (Markdown) explaining the
figures and targets. Results are merged into ``benchmarks/latest.json`` and written to
``docs/performance.md``.
"""
