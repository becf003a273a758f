"""Manifests: files → desired resources.

In:  a directory of YAML manifests (see DESIGN.md, "Manifest"), or an overlay directory
     (``overlay.yaml``: bases, patches, prefix, tags), and optionally the variables of
     ``${VAR}`` references — :func:`load` ``(directory, variables)``.
Out: :class:`Loaded` — the :class:`~reconciler.resources.Manifest` s, every
     :class:`~reconciler.resources.Problem` with its ``file:line``, the files read — and,
     for the planner, each manifest's references (:meth:`Loaded.references`).

Modules, in the order data flows through them:

- ``files``       find ``*.yaml``/``*.yml`` files, read them as UTF-8 text
- ``yamldoc``     YAML → JSON-like values with the line of every path
- ``overlays``    an overlay directory → the documents it renders from its bases
                  (``located``: values with their file and line through merging;
                  ``patches``: strategic merge; ``substitution``: ``${VAR}``)
- ``envelope``    apiVersion / kind / metadata / spec (pydantic), tags
- ``annotations`` the ``sagemaker-reconciler/...`` policy annotations
- ``names``       SageMaker's name pattern and the room for the hash suffix
- ``spec``        spec against the kind's API shapes (botocore model)
- ``references``  reference fields, resolved to manifests or the account
- ``checks``      duplicates, and each kind's own rules (``KindInfo.rules``: within one
                  manifest, across documents, the capacity preflight)
- ``loader``      :func:`load`, tying the steps together
- ``cli``         ``reconciler validate``
"""

from __future__ import annotations

from reconciler.manifests.checks import preflight_problems
from reconciler.manifests.loader import Loaded, build_manifest, load
from reconciler.manifests.overlays import Rendered, overlay_file, render
from reconciler.manifests.references import ManifestIndex, ResolvedReference, spec_references
from reconciler.manifests.spec import field_path_problem, spec_members

__all__ = [
    "Loaded",
    "ManifestIndex",
    "Rendered",
    "ResolvedReference",
    "build_manifest",
    "field_path_problem",
    "load",
    "overlay_file",
    "preflight_problems",
    "render",
    "spec_members",
    "spec_references",
]
