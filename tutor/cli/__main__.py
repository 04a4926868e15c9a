"""Provides `python -m tutor.cli`, the same as the `zerohero` command."""

import sys

from tutor.cli import main

sys.exit(main())
