"""The benchmark suite: `python -m benchmarks` measures issue 12's goals against the
sandbox and prints each figure beside its reference (see __main__.py)."""
