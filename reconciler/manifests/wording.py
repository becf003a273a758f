"""Message helpers shared by the manifest checks: did-you-mean suggestions and short value
descriptions, worded exactly like :mod:`reconciler.apimodel`'s so that envelope, annotation
and spec problems read alike.

In: a word and the names it may have meant, or any value. Out: a suggestion or a phrase.
"""

from __future__ import annotations

from collections.abc import Sequence

# Worded by apimodel, so that envelope, annotation and spec problems read alike.
from reconciler.apimodel import preview, show_value, suggest


def did_you_mean(word: str, names: Sequence[str], *, cutoff: float = 0.6) -> str | None:
    """The name in `names` that `word` most likely meant (same up to case, ``_`` and ``-``,
    else the closest by difflib above `cutoff`); ``None`` if nothing is close."""
    return suggest(word, names, cutoff)


def show(value: object) -> str:
    """A short description of `value` for messages: ``'text'``, ``5``, ``an object``..."""
    return show_value(value)


def one_of(names: Sequence[str]) -> str:
    """``a, b, c`` (long lists shortened)."""
    return preview(list(names), "values")


def unknown(what: str, word: str, names: Sequence[str], *, cutoff: float = 0.6) -> str:
    """``unknown field 'x'; did you mean 'y'?`` — or the list of names when none is close."""
    text = f"unknown {what} {word!r}"
    suggestion = did_you_mean(word, names, cutoff=cutoff)
    if suggestion is not None:
        return f"{text}; did you mean {suggestion!r}?"
    return f"{text}; expected one of {one_of(names)}"


def quoting_hint(value: object) -> str:
    """For a YAML scalar that was read as a number or boolean where a string was wanted:
    how to make it a string (``""`` otherwise)."""
    if isinstance(value, bool | int | float):
        return " (YAML reads it unquoted as a number or boolean; quote it to make it a string)"
    return ""
