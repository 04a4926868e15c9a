"""Provides `python -m tutor`, the same as the `zerohero` command."""

import sys

from tutor.cli import main

sys.exit(main())
