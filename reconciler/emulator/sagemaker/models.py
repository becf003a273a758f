"""CreateModel / DescribeModel / DeleteModel / ListModels.

Models are immutable and synchronous: created and deleted at once, no status.
Fidelity over moto: creating an existing name fails instead of overwriting; DescribeModel
answers with the fields SageMaker fills in (see :func:`described`), each rule citing its
public source.
"""

from __future__ import annotations

import copy
from typing import Any

from reconciler.emulator.errors import already_exists, could_not_find, validation
from reconciler.emulator.sagemaker import Context, model_packages, operation, server_fields, tags
from reconciler.emulator.sagemaker.listing import filter_common, list_response
from reconciler.emulator.state import Model

JsonDict = dict[str, Any]


def find(ctx: Context, name: str) -> Model:
    model = ctx.state.models.get(name)
    if model is None:
        raise could_not_find("model", ctx.state.arn("model", name))
    return model


# botocore MetricsConfig.MetricPublishFrequencyInSeconds and
# MetricsEndpoint.MetricPublishFrequencyInSeconds: "Valid values: 10, 30, 60, 120, 180,
# 240, 300" (the API model has no enum, so botocore lets 45 through). UNVERIFIED: AWS's
# wording of the refusal.
METRIC_PUBLISH_FREQUENCIES = (10, 30, 60, 120, 180, 240, 300)


def check_metric_frequency(value: object, where: str) -> None:
    if value is not None and value not in METRIC_PUBLISH_FREQUENCIES:
        raise validation(
            f"Value '{value}' at '{where}' failed to satisfy constraint: Member must satisfy "
            f"enum value set: [{', '.join(str(v) for v in METRIC_PUBLISH_FREQUENCIES)}]"
        )


def check_container_metrics(container: JsonDict, where: str) -> None:
    metrics = container.get("ContainerMetricsConfig") or {}
    for i, endpoint in enumerate(metrics.get("MetricsEndpoints", [])):
        check_metric_frequency(
            endpoint.get("MetricPublishFrequencyInSeconds"),
            f"{where}.ContainerMetricsConfig.MetricsEndpoints.{i + 1}.MetricPublishFrequencyInSeconds",
        )


@operation("CreateModel")
def create_model(ctx: Context, request: JsonDict) -> JsonDict:
    name = request["ModelName"]
    arn = ctx.state.arn("model", name)
    if ctx.state.models.get(name) is not None:
        raise already_exists("model", arn)
    containers = (
        [("PrimaryContainer", request["PrimaryContainer"])] if "PrimaryContainer" in request else []
    )
    containers += [(f"Containers.{i + 1}", c) for i, c in enumerate(request.get("Containers", []))]
    for where, container in containers:
        check_container_metrics(container, where)
        if container.get("ModelPackageName"):
            # A container may be a model package ("ModelPackageName: The name or Amazon
            # Resource Name (ARN) of the model package to use to create the model",
            # botocore ContainerDefinition); see model_packages.deployable.
            model_packages.deployable(
                ctx, container["ModelPackageName"], f"{where}.ModelPackageName"
            )
    tags.check(request.get("Tags"))
    body = {k: v for k, v in request.items() if k not in ("ModelName", "Tags")}
    ctx.state.models.add(Model(name=name, arn=arn, request=body))
    tags.register(ctx, arn, request.get("Tags"))
    return {"ModelArn": arn}


def described_container_metrics(config: JsonDict) -> JsonDict:
    """A ContainerMetricsConfig (model containers and inference-component containers) with
    the default botocore documents for MetricsEndpoint.MetricPublishFrequencyInSeconds
    ("Defaults to 60"; MetricsEndpointPath is required, so its documented default never
    applies to a request). UNVERIFIED: that Describe echoes the default."""
    shown = copy.deepcopy(config)
    for endpoint in shown.get("MetricsEndpoints", []):
        endpoint.setdefault("MetricPublishFrequencyInSeconds", 60)
    return shown


def described_container(container: JsonDict) -> JsonDict:
    """A ContainerDefinition as DescribeModel shows it."""
    shown = copy.deepcopy(container)
    # Mode defaults to SingleModel: ACK sagemaker-controller pkg/resource/model/custom_delta.go
    # ("Default value of Mode is SingleModel", copied from the live answer before diffing),
    # its recorded DescribeModel answer testdata/sdkapi/describe/success_describe.json, and
    # terraform-provider-aws aws_sagemaker_model (container.mode Default SingleModel).
    shown.setdefault("Mode", "SingleModel")
    # A ModelDataUrl is answered with the ModelDataSource it stands for as well:
    # terraform-provider-aws internal/service/sagemaker/model.go marks
    # (primary_)container.model_data_source Optional+Computed (AWS fills it in when only
    # model_data_url was set), and issue 12 lists "a ModelDataSource derived from
    # ModelDataUrl" among what SageMaker fills in. ModelDataUrl must name a gzip-compressed
    # tar archive (botocore ContainerDefinition.ModelDataUrl), hence S3Object + Gzip.
    # UNVERIFIED: the exact S3DataType/CompressionType AWS derives; no recorded answer found.
    if "ContainerMetricsConfig" in shown:
        shown["ContainerMetricsConfig"] = described_container_metrics(
            shown["ContainerMetricsConfig"]
        )
    url = shown.get("ModelDataUrl")
    if isinstance(url, str) and url.startswith("s3://") and "ModelDataSource" not in shown:
        shown["ModelDataSource"] = {
            "S3DataSource": {"S3Uri": url, "S3DataType": "S3Object", "CompressionType": "Gzip"}
        }
    return shown


def described(model: Model) -> JsonDict:
    """DescribeModel's answer: the create request plus what SageMaker fills in."""
    response: JsonDict = {
        **copy.deepcopy(model.request),
        "ModelName": model.name,
        "ModelArn": model.arn,
        "CreationTime": model.creation_time,
    }
    # EnableNetworkIsolation is answered false when not given: ACK's recorded answers
    # (pkg/resource/model/testdata/sdkapi/describe/*.json, "EnableNetworkIsolation": false)
    # and ACK generator.yaml (Model.EnableNetworkIsolation is late-initialized from AWS).
    response.setdefault("EnableNetworkIsolation", False)
    if "PrimaryContainer" in response:
        response["PrimaryContainer"] = described_container(response["PrimaryContainer"])
    if "Containers" in response:
        response["Containers"] = [described_container(c) for c in response["Containers"]]
        # A multi-container model runs as a Serial pipeline unless told otherwise
        # (developer guide, "Create a multi-container endpoint (Boto 3)",
        # dg/multi-container-create.html: "The default mode is Serial"), and
        # terraform-provider-aws marks inference_execution_config Optional+Computed.
        # ACK's recorded answer for a one-item Containers list has
        # "InferenceExecutionConfig": null, so only two or more containers get it.
        if len(response["Containers"]) > 1:
            response.setdefault("InferenceExecutionConfig", {"Mode": "Serial"})
    return response


@operation("DescribeModel")
def describe_model(ctx: Context, request: JsonDict) -> JsonDict:
    model = find(ctx, request["ModelName"])
    return server_fields.finish(ctx, "Model", described(model))


@operation("DeleteModel")
def delete_model(ctx: Context, request: JsonDict) -> JsonDict:
    model = find(ctx, request["ModelName"])
    ctx.state.models.remove(model.name)
    tags.forget(ctx, model.arn)
    return {}


@operation("ListModels")
def list_models(ctx: Context, request: JsonDict) -> JsonDict:
    items = filter_common(ctx.state.models, request)
    return list_response(
        items,
        request,
        "Models",
        lambda m: {"ModelName": m.name, "ModelArn": m.arn, "CreationTime": m.creation_time},
    )
