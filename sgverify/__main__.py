"""``python -m sgverify`` runs the ``sgverify`` command."""

import sys

from .cli import main

sys.exit(main())
