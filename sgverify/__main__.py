"""``python -m sgverify`` runs the ``sgverify`` command."""

from .cli import console

__all__: list[str] = []

console()
