"""Shared basics every room may import: user errors, validated config dataclasses, atomic writes, families.

It imports no room (`methods`, `benchmarks`, `leaderboard`, `clbench`), so the design's arrows stay one-way.
"""
