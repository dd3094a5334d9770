"""Use cases a person (the CLI) or a program (the dashboard) calls: plain functions over a wiring, typed results.

Nothing here prints: each function returns what happened, and the caller says it in its own words.
"""
