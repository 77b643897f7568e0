"""`python -m generator` runs the `mlops-new` command."""

from generator.cli import main

main()
