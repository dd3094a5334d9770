"""`python -m oms.cli` runs the `oms` command (for environments without the console script on PATH)."""

from oms.cli import main

main()
