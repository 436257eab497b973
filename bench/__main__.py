"""``python -m bench``: every figure of the suite in one table (bench/suite.py)."""

from bench.suite import main

main()
