"""Did-you-mean for claim ids and globs: the closest id, or the section a glob misspells.

Cheap to import (the CLI's fast paths use it before the registry loads).

Examples
--------
>>> ids = ["escape.step-limit", "single-neuron.sg-equals-spm-gradient"]
>>> did_you_mean("single-neuron.sg-equal-spm-gradient", ids)
" (did you mean 'single-neuron.sg-equals-spm-gradient'?)"
>>> did_you_mean("escpe.*", ids)
" (did you mean 'escape.*'?)"
>>> did_you_mean("qqq.zzz", ids)
''
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Sequence

__all__ = ["did_you_mean"]


def _best(text: str, options: Sequence[str], cutoff: float) -> str | None:
    found = difflib.get_close_matches(text, list(options), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(text: str, ids: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the id or glob closest to ``text``, else ``""``.

    A mistyped id gets the closest id; a glob whose section is misspelled (``escpe.*``) gets
    the glob with the section fixed, or the closest id of that section when the fixed glob
    still matches nothing; a bare misspelled section gets ``section.*``.
    """
    close = _best(text, ids, 0.75)
    sections = list(dict.fromkeys(c.split(".", 1)[0] for c in ids))
    if close is None and "." in text:
        sec, rest = text.split(".", 1)
        near = _best(sec, sections, 0.6)
        if near is not None:
            fixed = f"{near}.{rest}"
            if any(fnmatch.fnmatchcase(c, fixed) for c in ids):
                close = fixed
            else:
                close = _best(fixed, [c for c in ids if c.startswith(near + ".")], 0.6)
    elif close is None:
        near = _best(text.rstrip("*"), sections, 0.6)
        close = None if near is None else f"{near}.*"
    return f" (did you mean {close!r}?)" if close else ""
