"""CreateModel / DescribeModel / DeleteModel / ListModels.

Models are immutable and synchronous: created and deleted at once, no status.
Fidelity over moto: creating an existing name fails instead of overwriting.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.errors import already_exists, could_not_find
from reconciler.emulator.sagemaker import Context, operation, tags
from reconciler.emulator.sagemaker.listing import filter_common, list_response
from reconciler.emulator.state import Model

JsonDict = dict[str, Any]


def find(ctx: Context, name: str) -> Model:
    model = ctx.state.models.get(name)
    if model is None:
        raise could_not_find("model", ctx.state.arn("model", name))
    return model


@operation("CreateModel")
def create_model(ctx: Context, request: JsonDict) -> JsonDict:
    name = request["ModelName"]
    arn = ctx.state.arn("model", name)
    if ctx.state.models.get(name) is not None:
        raise already_exists("model", arn)
    tags.check(request.get("Tags"))
    body = {k: v for k, v in request.items() if k not in ("ModelName", "Tags")}
    ctx.state.models.add(Model(name=name, arn=arn, request=body))
    tags.register(ctx, arn, request.get("Tags"))
    return {"ModelArn": arn}


@operation("DescribeModel")
def describe_model(ctx: Context, request: JsonDict) -> JsonDict:
    model = find(ctx, request["ModelName"])
    return {
        **model.request,
        "ModelName": model.name,
        "ModelArn": model.arn,
        "CreationTime": model.creation_time,
    }


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
