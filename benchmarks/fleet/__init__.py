"""Fleet benchmarks: ``validate``, ``plan`` and ``apply`` on generated fleets of manifests,
run as separate processes against the local emulator, also a separate process.

    python -m benchmarks.fleet [scenario ...] [--runs N] [--size N] [--keep]

Scenarios (the default set is all but ``plan-10k``, which runs only when named):

    validate         reconciler validate on the IC fleet: wall time, peak RSS
    plan-empty       plan of the IC fleet against an empty account: wall, API calls, RSS
    plan-converged   apply the IC fleet once, then plan (nothing changed): wall, API calls
    plan-one-change  after convergence, one IC's CopyCount changed, plan: API calls
    apply-parallel   20 classic endpoints, transitions seconds:2, apply at --parallelism 10,
                     1 and 20, and a 1-endpoint fleet (the critical path)
    controller       reconciler run on the example manifests: save-to-first-write latency
                     (median of 20 edits) and RSS after 10 and 100 passes
    run-mode         reconciler run on the converged IC fleet: calls and time of a resync
                     pass with nothing changed, and of the pass one edited CopyCount starts
    plan-10k         plan of a 10x IC fleet (10,000 resources by default), empty account

The IC fleet has ``--size`` groups (default 100); a group is one Model, one EndpointConfig
(variant without ModelName, ml.g5.12xlarge), one Endpoint and 7 InferenceComponents on it
that run the group's model: 10 resources a group, so 1,000 resources by default.

Every figure is the median of ``--runs`` runs (default 3). Wall times are measured around the
child process, so they include Python start-up and imports. Peak memory is the child's
maximum resident set size, read from GNU ``/usr/bin/time -f %M`` when that works, else from a
small launcher that records ``getrusage(RUSAGE_SELF).ru_maxrss`` at exit. API calls are read
from the emulator's ``/_emulator/calls`` before and after each step (the difference).

Modules: ``manifests`` (the fleets' YAML, shared with the tests), ``processes`` (children,
the emulator process, peak memory, call counts), ``tables`` (markdown and formats),
``scenarios`` (what each scenario runs and reports), ``__main__`` (the command line).
"""
