"""Guard: the moto surface the emulator extends is what we built against.

The emulator answers a set of SageMaker operations itself (see
``reconciler.emulator.sagemaker.OPERATIONS``); everything else goes to moto. When a moto
upgrade adds one of the operations moto lacked, or drops one we rely on, these tests fail
so that someone decides, deliberately, whether our extension or moto should answer it.
"""

from __future__ import annotations

import re
from importlib.metadata import version

from moto.sagemaker.responses import SageMakerResponse

from reconciler.emulator.sagemaker import load_all

# Operations moto 5.2 did not have when the emulator was written.
MISSING_FROM_MOTO = {
    "CreateInferenceComponent",
    "DescribeInferenceComponent",
    "UpdateInferenceComponent",
    "UpdateInferenceComponentRuntimeConfig",
    "DeleteInferenceComponent",
    "ListInferenceComponents",
    "UpdateEndpoint",
    "UpdateCluster",
    "BatchDeleteClusterNodes",
    "UpdateClusterSoftware",
    # The model registry is ours (model_packages.py); moto has the rest of it but not these.
    "DeleteModelPackage",
    "DeleteModelPackageGroup",
}


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def test_moto_is_the_line_we_built_against() -> None:
    assert version("moto").startswith("5.2."), "the emulator is built and tested against moto 5.2.x"


def test_moto_still_lacks_what_the_emulator_adds() -> None:
    gained = {op for op in MISSING_FROM_MOTO if hasattr(SageMakerResponse, _snake(op))}
    assert not gained, (
        f"moto now implements {sorted(gained)}: compare its behaviour with ours and decide "
        "which should answer (see reconciler/emulator/sagemaker/)"
    )


def test_every_operation_we_answer_is_accounted_for() -> None:
    ours = set(load_all())
    overridden = {op for op in ours if hasattr(SageMakerResponse, _snake(op))}
    # Everything else we answer must be one moto lacks: nothing slips in unreviewed.
    assert ours - overridden == MISSING_FROM_MOTO
    # moto's own versions of the hosting operations are still there (we shadow them).
    assert {"CreateModel", "CreateEndpointConfig", "CreateEndpoint", "CreateCluster"} <= overridden
    # The model registry we answer ourselves so that CreateModel sees approvals.
    assert {"CreateModelPackage", "ListModelPackages", "UpdateModelPackage"} <= overridden
