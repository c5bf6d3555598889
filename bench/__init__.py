"""Benchmarks (print figures; not tests). See docs/benchmarks.md."""
