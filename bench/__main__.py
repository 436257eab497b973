"""``python -m bench``: every figure of the suite in one table (bench/suite.py)."""

from bench.suite import main

if __name__ == "__main__":  # verify's worker processes import the main module again
    main()
