"""What a person sees of autoscaling, end to end against the emulator: ``reconciler
status`` shows the copy count a declared scalable target owns with its bounds, after the
scaler moved it, and how the inference components pack their variant's instances now and
at the target's MaxCapacity."""

from __future__ import annotations

import json

from tests.e2e.test_autoscaling_e2e import AUTOSCALING, COPY_COUNT
from tests.support.env import Env


def test_status_shows_the_scaled_copy_count_with_its_bounds_and_the_packing(env: Env) -> None:
    (env.directory / "shared-gpu" / "llama-chat-autoscaling.yaml").write_text(AUTOSCALING)
    run = env.apply()
    assert run.code == 0, run.out + run.err
    env.control.scale("inference-component/llama-chat", COPY_COUNT, 3)

    run = env.reconciler("status", str(env.directory), "--endpoint-url", env.url)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    row = next(
        i for i, line in enumerate(lines) if line.startswith("InferenceComponent/llama-chat ")
    )
    assert lines[row + 1] == "  copies 3 (scaled 0..6 by ScalableTarget/llama-chat-copies)"
    # The ml.g5.12xlarge has 4 GPUs, 48 vCPUs and 192 GiB: llama-chat's 3 copies and
    # mistral-summarize's 1 use 4 GPUs, 16 cores, 64 GiB; at 6 copies of llama-chat, 7 GPUs.
    assert (
        "shared-gpu/AllTraffic ml.g5.12xlarge x1  gpu [########] 4/4  cpu [###.....] 16/48  "
        "mem [###.....] 64/192G  (at max: gpu 7/4 OVER, cpu 28/48, mem 112/192G)"
    ) in lines

    run = env.reconciler("status", str(env.directory), "--endpoint-url", env.url, "--json")
    document = json.loads(run.out)
    (ic,) = [r for r in document["resources"] if r["address"] == "InferenceComponent/llama-chat"]
    assert ic["scaled"] == [
        {
            "path": "RuntimeConfig.CopyCount",
            "what": "copies",
            "live": 3,
            "min": 0,
            "max": 6,
            "by": "ScalableTarget/llama-chat-copies",
        }
    ]
    (packing,) = document["packing"]
    assert packing["now"]["gpu"] == {"used": 4, "available": 4}
    assert packing["at_max"]["gpu"] == {"used": 7, "available": 4}
