"""Create hosting with the SageMaker Python SDK v3, the two ways its docs show.

- an IC-hosting endpoint with the sagemaker-core resources (``Model.create``,
  ``EndpointConfig.create``, ``Endpoint.create`` + ``wait_for_status``,
  ``InferenceComponent.create`` + ``wait_for_status``);
- a classic endpoint with ``ModelBuilder`` (``build()`` then ``deploy()``), from an image
  and model data in S3 (moto's S3 in the emulator), so that no container runs locally.

Run with the clients venv's python (not the project's: the SDK pins its own botocore),
with AWS_ENDPOINT_URL pointing at the emulator. Prints one JSON line: the names made.
"""

from __future__ import annotations

import json
import os
import sys

import boto3
from sagemaker.core.resources import Endpoint, EndpointConfig, InferenceComponent, Model
from sagemaker.core.shapes import (
    ContainerDefinition,
    InferenceComponentComputeResourceRequirements,
    InferenceComponentRuntimeConfig,
    InferenceComponentSpecification,
    ProductionVariant,
    Tag,
)

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecution"
IMAGE = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
    "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"
)


def main(prefix: str) -> None:
    model = Model.create(
        model_name=f"{prefix}-model",
        primary_container=ContainerDefinition(
            image=IMAGE, environment={"HF_MODEL_ID": "meta-llama/Llama-3.1-8B-Instruct"}
        ),
        execution_role_arn=ROLE,
        tags=[Tag(key="project", value="chat")],
    )
    config = EndpointConfig.create(
        endpoint_config_name=f"{prefix}-config",
        execution_role_arn=ROLE,
        production_variants=[
            ProductionVariant(
                variant_name="AllTraffic", instance_type="ml.g5.12xlarge", initial_instance_count=1
            )
        ],
    )
    endpoint = Endpoint.create(
        endpoint_name=f"{prefix}-endpoint", endpoint_config_name=config.endpoint_config_name
    )
    endpoint.wait_for_status("InService", poll=1, timeout=60)
    component = InferenceComponent.create(
        inference_component_name=f"{prefix}-ic",
        endpoint_name=endpoint.endpoint_name,
        variant_name="AllTraffic",
        specification=InferenceComponentSpecification(
            model_name=model.model_name,
            compute_resource_requirements=InferenceComponentComputeResourceRequirements(
                number_of_accelerator_devices_required=1, min_memory_required_in_mb=8192
            ),
        ),
        runtime_config=InferenceComponentRuntimeConfig(copy_count=1),
    )
    component.wait_for_status("InService", poll=1, timeout=60)
    built = model_builder(prefix)
    print(
        json.dumps(
            {
                "Model": [model.model_name, built],
                "EndpointConfig": [config.endpoint_config_name, f"{prefix}-classic"],
                "Endpoint": [endpoint.endpoint_name, f"{prefix}-classic"],
                "InferenceComponent": [component.inference_component_name],
            }
        )
    )


def model_builder(prefix: str) -> str:
    """ModelBuilder's classic deployment; returns the model's name."""
    # The SDK checks the role with iam:SimulatePrincipalPolicy, which moto does not
    # implement; the SDK's documented switch turns that check off.
    os.environ["SAGEMAKER_VALIDATE_ROLE"] = "false"
    from sagemaker.serve.mode.function_pointers import Mode
    from sagemaker.serve.model_builder import ModelBuilder
    from sagemaker.serve.utils.types import ModelServer

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=f"{prefix}-models")
    s3.put_object(Bucket=f"{prefix}-models", Key="xgb/model.tar.gz", Body=b"model")
    builder = ModelBuilder(
        image_uri="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        s3_model_data_url=f"s3://{prefix}-models/xgb/model.tar.gz",
        role_arn=ROLE,
        instance_type="ml.m5.xlarge",
        mode=Mode.SAGEMAKER_ENDPOINT,
        model_server=ModelServer.TORCHSERVE,
    )
    built = builder.build(model_name=f"{prefix}-classic-model")
    # deploy(wait=True) polls every 30 s; the resource's own waiter polls faster.
    builder.deploy(
        endpoint_name=f"{prefix}-classic",
        initial_instance_count=1,
        instance_type="ml.m5.xlarge",
        wait=False,
    )
    Endpoint.get(endpoint_name=f"{prefix}-classic").wait_for_status("InService", poll=1, timeout=60)
    return str(built.model_name)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sdk")
