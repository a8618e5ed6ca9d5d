"""`python -m doctor` runs the same command line as the `llm-doctor` script."""

from doctor.cli import entry

entry()
