"""What a person sees of autoscaling (pure): the planner puts the counts a declared
scaler owns on the change, with their live value and the scaler's bounds, and the plan
and status views print them, with the packing of each variant, exactly so."""

from __future__ import annotations

from reconciler.kinds.capacity import Packing, Usage
from reconciler.planning.changes import Action, Change, Plan, Scaled
from reconciler.planning.planner import plan
from reconciler.resources import Kind, Manifest
from reconciler.views import human, markdown
from reconciler.views import packing as packing_view
from reconciler.views import status as status_view
from tests.support.planning import converged, fleet, manifest

COPY_COUNT = "sagemaker:inference-component:DesiredCopyCount"
INSTANCE_COUNT = "sagemaker:variant:DesiredInstanceCount"


def target(resource: str, dimension: str, low: int, high: int, name: str) -> Manifest:
    return manifest(
        Kind.SCALABLE_TARGET,
        name,
        {
            "ServiceNamespace": "sagemaker",
            "ResourceId": resource,
            "ScalableDimension": dimension,
            "MinCapacity": low,
            "MaxCapacity": high,
        },
    )


def by_address(result: Plan) -> dict[str, Change]:
    return {c.address: c for c in result.changes}


# -- the plan data ---------------------------------------------------------------------------


def test_a_scaled_copy_count_is_on_the_change_with_its_live_value_and_bounds() -> None:
    manifests = [
        *fleet(),
        target("inference-component/chat", COPY_COUNT, 0, 8, "chat-copies"),
    ]
    live = converged(manifests)
    ic = live.get(Kind.INFERENCE_COMPONENT, "chat")
    assert ic is not None and ic.description is not None
    ic.description["RuntimeConfig"] = {"DesiredCopyCount": 3, "CurrentCopyCount": 2}
    changes = by_address(plan(manifests, live, owner="default"))
    assert changes["InferenceComponent/chat"].action is Action.NOOP
    assert changes["InferenceComponent/chat"].scaled == [
        Scaled("RuntimeConfig.CopyCount", "copies", 3, 0, 8, "ScalableTarget/chat-copies")
    ]
    # Nothing else is scaled, and the scaled count stays out of plan JSON.
    assert [a for a, c in changes.items() if c.scaled] == ["InferenceComponent/chat"]
    assert "scaled" not in changes["InferenceComponent/chat"].to_json(with_codes=True)


def test_a_scaled_variant_count_is_read_off_the_endpoint_s_variant() -> None:
    manifests = [
        *fleet(),
        target("endpoint/churn/variant/AllTraffic", INSTANCE_COUNT, 1, 4, "churn-instances"),
    ]
    live = converged(manifests)
    endpoint = live.get(Kind.ENDPOINT, "churn")
    assert endpoint is not None and endpoint.description is not None
    endpoint.description["ProductionVariants"] = [
        {"VariantName": "AllTraffic", "CurrentInstanceCount": 2, "DesiredInstanceCount": 2}
    ]
    (scaled,) = by_address(plan(manifests, live, owner="default"))["Endpoint/churn"].scaled
    assert scaled == Scaled(
        "ScaledVariants.AllTraffic.DesiredInstanceCount",
        "AllTraffic instances",
        2,
        1,
        4,
        "ScalableTarget/churn-instances",
    )


def test_a_count_to_be_created_has_no_live_value_yet() -> None:
    manifests = [*fleet(), target("inference-component/chat", COPY_COUNT, 1, 2, "chat-copies")]
    (scaled,) = by_address(plan(manifests, converged([]), owner="default"))[
        "InferenceComponent/chat"
    ].scaled
    assert (scaled.live, scaled.least, scaled.most) == (None, 1, 2)


# -- the views --------------------------------------------------------------------------------

SCALED = Scaled("RuntimeConfig.CopyCount", "copies", 3, 0, 8, "ScalableTarget/llama-chat-copies")
PACKING = Packing(
    endpoint="shared-gpu",
    variant="AllTraffic",
    instance_type="ml.g5.12xlarge",
    instances=1,
    now=(Usage("gpu", 3, 4), Usage("cpu", 12, 48), Usage("mem", 49152, 196608)),
    most_instances=1,
    at_most=(Usage("gpu", 6, 4), Usage("cpu", 24, 48), Usage("mem", 98304, 196608)),
    addresses=("Endpoint/shared-gpu", "EndpointConfig/shared-gpu", "InferenceComponent/llama-chat"),
)
PACKING_LINE = (
    "shared-gpu/AllTraffic ml.g5.12xlarge x1  gpu [######..] 3/4  cpu [##......] 12/48  "
    "mem [##......] 48/192G  (at max: gpu 6/4 OVER, cpu 24/48, mem 96/192G)"
)


def ic_update(scaled: list[Scaled]) -> Change:
    change = Change(
        address="InferenceComponent/llama-chat",
        kind=Kind.INFERENCE_COMPONENT,
        name="llama-chat",
        physical_name="llama-chat",
        action=Action.CREATE,
        operations=["CreateInferenceComponent"],
        reason="not found",
    )
    change.scaled = scaled
    return change


def test_the_plan_prints_a_scaled_count_with_its_bounds() -> None:
    text = human.render(Plan(owner="default", changes=[ic_update([SCALED])]))
    assert text.splitlines()[2:6] == [
        "+ InferenceComponent/llama-chat: create",
        "    why: not found",
        "    calls: CreateInferenceComponent",
        "    copies 3 (scaled 0..8 by ScalableTarget/llama-chat-copies)",
    ]


def test_a_count_not_live_yet_and_an_undeclared_bound_are_marked() -> None:
    text = human.render(
        Plan(owner="default", changes=[ic_update([Scaled("p", "copies", None, None, 4, "T/x")])])
    )
    assert "    copies - (scaled ?..4 by T/x)" in text.splitlines()


def test_the_markdown_plan_shows_the_scaled_count_and_the_packing_its_changes_touch() -> None:
    untouched = Packing("other", "AllTraffic", "ml.g5.2xlarge", 1, (), 1, (), ("Endpoint/other",))
    text = markdown.render(
        Plan(owner="default", changes=[ic_update([SCALED])]), [PACKING, untouched]
    )
    lines = text.splitlines()
    start = lines.index("Packing of the variants these changes touch:")
    assert lines[start + 1 : start + 5] == ["", "```", PACKING_LINE, "```"]
    assert "other/AllTraffic" not in text
    assert "- copies 3 (scaled 0..8 by ScalableTarget/llama-chat-copies)" in lines


def test_status_prints_the_scaled_count_under_its_row_and_the_packing_at_the_end() -> None:
    rows = [
        {
            "address": "InferenceComponent/llama-chat",
            "physical_name": "llama-chat",
            "sync": "InSync",
            "health": "Healthy",
            "status": "InService",
            "scaled": [SCALED.to_json()],
        }
    ]
    assert status_view.render(rows, [PACKING]) == (
        "RESOURCE                       SYNC        HEALTH       STATUS\n"
        "InferenceComponent/llama-chat  InSync      Healthy      InService\n"
        "  copies 3 (scaled 0..8 by ScalableTarget/llama-chat-copies)\n"
        "\n"
        "PACKING\n"
        f"{PACKING_LINE}\n"
    )


def test_a_packing_that_does_not_scale_shows_no_bounds_and_a_larger_fleet_shows_its_count() -> None:
    steady = Packing(
        "e", "v", "ml.m5.xlarge", 2, (Usage("cpu", 2, 8),), 2, (Usage("cpu", 2, 8),), ()
    )
    assert packing_view.line(steady) == "e/v ml.m5.xlarge x2  cpu [##......] 2/8"
    grows = Packing(
        "e", "v", "ml.m5.xlarge", 1, (Usage("cpu", 2, 4),), 3, (Usage("cpu", 6, 12),), ()
    )
    assert (
        packing_view.line(grows) == "e/v ml.m5.xlarge x1  cpu [####....] 2/4  (at max x3: cpu 6/12)"
    )


def test_a_bar_shows_any_use_and_overflow() -> None:
    assert packing_view.bar(0, 4) == "[........]"
    assert packing_view.bar(0.1, 48) == "[#.......]"
    assert packing_view.bar(4, 4) == "[########]"
    assert packing_view.bar(5, 4) == "[!!!!!!!!]"
