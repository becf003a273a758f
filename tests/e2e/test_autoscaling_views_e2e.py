"""What a person sees of autoscaling, end to end against the emulator: ``reconciler
status`` shows the copy count a declared scalable target owns with its bounds, after the
scaler moved it, and how the inference components pack their variant's instances now and
at the target's MaxCapacity; the markdown plan of a new MaxCapacity shows that packing;
a scaled variant's instance count is shown the same way."""

from __future__ import annotations

import json

from tests.support.autoscaling import CHAT, CHURN, COPY_COUNT, INSTANCE_COUNT, target
from tests.support.env import Env

TARGET = target("llama-chat-copies", CHAT, COPY_COUNT, 1, 3)


def test_status_shows_the_scaled_copy_count_with_its_bounds_and_the_packing(env: Env) -> None:
    (env.directory / "shared-gpu" / "llama-chat-copies.yaml").write_text(TARGET)
    run = env.apply()
    assert run.code == 0, run.out + run.err
    # The manifest says 2 copies; the scaler moves them to 1.
    env.control.scale("inference-component/llama-chat", COPY_COUNT, 1)

    run = env.reconciler("status", str(env.directory), "--endpoint-url", env.url)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    row = next(
        i for i, line in enumerate(lines) if line.startswith("InferenceComponent/llama-chat ")
    )
    assert lines[row].split()[1:3] == ["InSync", "Healthy"]
    assert lines[row + 1] == "  copies 1 (scaled 1..3 by ScalableTarget/llama-chat-copies)"
    # The ml.g5.12xlarge has 4 GPUs, 48 vCPUs and 192 GiB; each copy of llama-chat and of
    # mistral-summarize needs 1 GPU, 4 cores, 16 GiB: 1 + 1 copies now, 3 + 1 at max.
    packing = (
        "shared-gpu/AllTraffic ml.g5.12xlarge x1  gpu [####....] 2/4  cpu [#.......] 8/48  "
        "mem [#.......] 32/192G  (at max: gpu 4/4, cpu 16/48, mem 64/192G)"
    )
    assert lines[lines.index("PACKING") + 1 :] == [packing]

    run = env.reconciler("status", str(env.directory), "--endpoint-url", env.url, "--json")
    document = json.loads(run.out)
    (ic,) = [r for r in document["resources"] if r["address"] == "InferenceComponent/llama-chat"]
    assert ic["scaled"] == [
        {
            "path": "RuntimeConfig.CopyCount",
            "what": "copies",
            "live": 1,
            "min": 1,
            "max": 3,
            "by": "ScalableTarget/llama-chat-copies",
        }
    ]
    (variant,) = document["packing"]
    assert variant["now"]["gpu"] == {"used": 2, "available": 4}
    assert variant["at_max"]["gpu"] == {"used": 4, "available": 4}

    # A new MaxCapacity changes only the target, and the markdown plan shows the packing
    # it leads to.
    env.edit("shared-gpu/llama-chat-copies.yaml", "MaxCapacity: 3", "MaxCapacity: 2")
    run = env.reconciler("plan", str(env.directory), "--format", "markdown")
    assert run.code == 0, run.err
    assert "`~` | `ScalableTarget/llama-chat-copies` | update" in run.out
    assert (
        "shared-gpu/AllTraffic ml.g5.12xlarge x1  gpu [####....] 2/4  cpu [#.......] 8/48  "
        "mem [#.......] 32/192G  (at max: gpu 3/4, cpu 12/48, mem 48/192G)"
    ) in run.out.splitlines()


VARIANT_TARGET = target("churn-instances", CHURN, INSTANCE_COUNT, 1, 4)


def test_status_shows_a_scaled_variant_s_live_instance_count_with_its_bounds(env: Env) -> None:
    (env.directory / "classic" / "churn-instances.yaml").write_text(VARIANT_TARGET)
    run = env.apply()
    assert run.code == 0, run.out + run.err
    env.control.scale(
        "endpoint/churn/variant/AllTraffic", "sagemaker:variant:DesiredInstanceCount", 3
    )
    run = env.reconciler("status", str(env.directory), "--endpoint-url", env.url)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("Endpoint/churn "))
    assert lines[row].split()[1:3] == ["InSync", "Healthy"]
    assert (
        lines[row + 1] == "  AllTraffic instances 3 (scaled 1..4 by ScalableTarget/churn-instances)"
    )
