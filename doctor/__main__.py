"""`python -m doctor` runs the same command line as the `llm-doctor` script."""

import sys

from doctor.cli import main

sys.exit(main())
