"""The record of the last apply: which fields and tag keys the manifest declared then.

Comparing only what the manifest declares (DESIGN.md, "What counts as drift") leaves one
question the live resource cannot answer by itself: a live field the manifest does not
declare now — did SageMaker fill it in, or did the manifest declare it at the last apply
and has since dropped it? Only the second is a change. The same goes for tags: keys set
outside git (cost-allocation tooling, the SageMaker SDK's ``sagemaker.amazonaws.com/...``)
are left alone, a key the manifest declared and dropped is removed.

So every create and every update that changes the declared set writes the record as tags
on the resource itself (SageMaker has nowhere else to keep it, and a GitOps pass keeps no
state of its own): ``sagemaker-reconciler/declared`` holds one 5-character code per
declared leaf path (``Specification.Container.Image``, ``InstanceGroups[workers].
InstanceCount``) and per user tag key (``tags.team``); a record too long for one tag value
(256 characters, AWS's limit) continues in ``.../declared-2``, ``.../declared-3``.

A code is the first 30 bits of the path's sha256, in the URL-safe base64 alphabet (all of
it allowed in SageMaker tag values). Asking the record about a path that was never
declared answers "declared" by accident with probability n / 2^30 for a record of n paths
(about 1 in 10 million for 100 paths): a false change at worst, never a lost one. Paths,
not values, are hashed: nothing secret is written.

Pure: tags in, tags out.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.resources import DECLARED_TAG

CODE_LENGTH = 5
MAX_TAG_VALUE = 256
CODES_PER_TAG = MAX_TAG_VALUE // CODE_LENGTH


def _code(path: str) -> str:
    digest = hashlib.sha256(path.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:CODE_LENGTH]


def tag_key(index: int) -> str:
    """``sagemaker-reconciler/declared`` for the first part, ``...-2`` and on for the rest."""
    return DECLARED_TAG if index == 0 else f"{DECLARED_TAG}-{index + 1}"


def is_record_key(key: str) -> bool:
    rest = key.removeprefix(DECLARED_TAG)
    return key.startswith(DECLARED_TAG) and (rest == "" or (rest[:1] == "-" and rest[1:].isdigit()))


def tag_count(paths: Iterable[str]) -> int:
    """How many tags the record of `paths` takes (at least one: an empty record is a
    record too, unlike none at all)."""
    codes = {_code(p) for p in paths}
    return max(1, -(-len(codes) // CODES_PER_TAG))


def record_tags(spec_paths: Iterable[str], tag_keys: Iterable[str]) -> dict[str, str]:
    """The record tags for a resource declared with these spec leaf paths and user tag keys."""
    codes = sorted({_code(p) for p in spec_paths} | {_code(f"tags.{k}") for k in tag_keys})
    parts = [codes[i : i + CODES_PER_TAG] for i in range(0, len(codes), CODES_PER_TAG)] or [[]]
    return {tag_key(i): "".join(part) for i, part in enumerate(parts)}


@dataclass(frozen=True)
class Record:
    """What the last apply declared, as read back from the resource's tags."""

    codes: frozenset[str]

    def declared(self, path: str) -> bool:
        """Was this spec leaf path declared at the last apply?"""
        return _code(path) in self.codes

    def declared_tag(self, key: str) -> bool:
        return _code(f"tags.{key}") in self.codes


def read(tags: dict[str, str]) -> Record | None:
    """The record in a resource's tags; None when it has none (a resource adopted just
    now, or created before records were kept: nothing is known to have been dropped)."""
    values = [v for k, v in tags.items() if is_record_key(k)]
    if not values:
        return None
    codes = {v[i : i + CODE_LENGTH] for v in values for i in range(0, len(v), CODE_LENGTH)}
    return Record(frozenset(codes))
