"""``python -m sgverify`` runs the ``sgverify`` command."""

import sys

from .cli import main

__all__: list[str] = []

sys.exit(main())
