"""frontlines: conflict news to sourced, geocoded ACLED-style records."""

__version__ = "0.1.0"
