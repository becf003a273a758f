"""Model's validation: SageMaker's rules within one Model manifest that the API model cannot
express (``KindInfo.rules`` of :mod:`reconciler.kinds.model`).

In:  one Model :class:`Manifest` (types were checked against the API model already).
Out: :class:`Problem` s at the line of the field concerned.
"""

from __future__ import annotations

from reconciler.kinds.validation import KindRules, exactly_one_of
from reconciler.resources import Manifest, Problem


def model_problems(model: Manifest) -> list[Problem]:
    """A Model has one container (PrimaryContainer) or an inference pipeline (Containers):
    exactly one of the two.

    Source: the CreateModel API reference lists both as optional; SageMaker expects "either a
    single primary container, xor a list of container definitions" (aws/amazon-sagemaker-
    operator-for-k8s pull request 164, which made its Model reconciler follow that rule).
    The maximum of 15 Containers is botocore's ContainerDefinitionList ``max`` (checked by
    the API model, with the other list bounds).
    """
    return exactly_one_of(
        model,
        "PrimaryContainer",
        "Containers",
        both="give either PrimaryContainer (one container) or Containers (an inference "
        "pipeline), not both",
        neither="is required: a Model needs PrimaryContainer (one container) or Containers "
        "(an inference pipeline)",
    )


RULES = KindRules(document=model_problems)
