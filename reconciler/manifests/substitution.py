"""``${VAR}`` substitution in the rendered documents, as Flux's post-build substitution does.

In:  a located document (:class:`~reconciler.manifests.located.Node`) and the variables (a
     target's, later; any mapping of names to strings, numbers or booleans).
Out: the document with its string values substituted in place; :class:`Problem` s at the
     value's file and line.

The syntax is Flux's (kustomize-controller, ``spec.postBuild.substitute``): ``${NAME}``
(NAME: letters, digits and ``_``, not starting with a digit), ``${NAME:=default}``, and
``$${NAME}`` for a literal ``${NAME}``. A variable that is not set and has no default is an
error (Flux's strict substitution), so that a manifest never reaches SageMaker with a
``${...}`` left in it. Flux substitutes the text before it is read as YAML, so
``InitialInstanceCount: ${COUNT}`` is a number there; here values are substituted after
reading, and the same is kept: a plain (unquoted) scalar that is one reference alone takes
the value as YAML reads it written plain (``3`` a number, ``true`` a boolean), a quoted one
stays a string. Only values are substituted, not mapping keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from reconciler.apimodel import Path, format_path
from reconciler.manifests.located import Node
from reconciler.manifests.yamldoc import plain_scalar
from reconciler.resources import Problem

Variables = Mapping[str, object]

# `$${` (an escaped reference), `${...}` (a reference), or a `${` never closed.
_TOKEN = re.compile(r"\$\$\{|\$\{(?P<body>[^}]*)\}|\$\{")
_BODY = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::=(?P<default>.*))?", re.DOTALL)


def _text(value: object) -> str:
    """A variable's value as text (YAML's spelling of booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(root: Node, variables: Variables, address: str | None) -> list[Problem]:
    """Substitute every string value under `root`; the problems met."""
    problems: list[Problem] = []

    def walk(node: Node, path: Path) -> None:
        if isinstance(node.value, dict):
            for key, child in node.value.items():
                walk(child, (*path, key))
        elif isinstance(node.value, list):
            for index, child in enumerate(node.value):
                walk(child, (*path, index))
        elif isinstance(node.value, str) and "${" in node.value:
            value, messages = substituted(node.value, variables, plain=node.plain)
            node.value = value
            problems.extend(
                Problem(message, node.where, address, format_path(path) or None)
                for message in messages
            )

    walk(root, ())
    return problems


def substituted(
    text: str, variables: Variables, *, plain: bool = False
) -> tuple[object, list[str]]:
    """`text` with its references replaced, and what was wrong (unset variables, malformed
    references). A `plain` scalar that is one reference alone becomes the value as YAML
    reads it unquoted."""
    messages: list[str] = []
    whole = _TOKEN.fullmatch(text)
    parts: list[str] = []
    end = 0
    for match in _TOKEN.finditer(text):
        parts.append(text[end : match.start()])
        end = match.end()
        token = match.group(0)
        if token == "$${":
            parts.append("${")
            continue
        body = match.group("body")
        if body is None:
            # The value itself is not repeated: it may be a secret (an Environment value).
            messages.append(
                "an unclosed ${: write ${NAME} or ${NAME:=default}, or $${ for a literal ${"
            )
            parts.append(token)
            continue
        reference = _BODY.fullmatch(body)
        if reference is None:
            messages.append(
                f"${{{body}}} is not a variable reference: write ${{NAME}} or "
                "${NAME:=default} (NAME: letters, digits and _), or $${ for a literal ${"
            )
            parts.append(token)
            continue
        name, default = reference.group("name"), reference.group("default")
        if name in variables:
            parts.append(_text(variables[name]))
        elif default is not None:
            parts.append(default)
        else:
            messages.append(
                f"variable ${{{name}}} is not set and has no default: set it in the "
                f"target's variables, or write ${{{name}:=default}}"
            )
            parts.append(token)
    parts.append(text[end:])
    result = "".join(parts)
    if whole is not None and whole.group(0) != "$${" and plain and not messages:
        return plain_scalar(result), messages
    return result, messages
