"""Cluster's validation: SageMaker's rules within one Cluster manifest that the API model
cannot express (``KindInfo.rules`` of :mod:`reconciler.kinds.cluster`).

In:  one Cluster :class:`Manifest` (types were checked against the API model already).
Out: :class:`Problem` s at the line of the field concerned.
"""

from __future__ import annotations

from reconciler.kinds.validation import KindRules, is_int, problem
from reconciler.resources import Manifest, Problem


def cluster_problems(cluster: Manifest) -> list[Problem]:
    """Instance group counts and names."""
    return _min_instance_count_problems(cluster) + _group_name_problems(cluster)


def _min_instance_count_problems(cluster: Manifest) -> list[Problem]:
    """An instance group's MinInstanceCount is at most its InstanceCount.

    Source: ClusterInstanceGroupSpecification (API reference), MinInstanceCount: "the
    minimum number of instances required for an instance group to become InService. If this
    threshold isn't met within 3 hours, the instance group rolls back" — more than the group
    asks for can never be met. Whether CreateCluster refuses it at once or only rolls back
    after 3 hours is unverified; either way the manifest cannot converge.
    """
    problems = []
    groups = cluster.spec.get("InstanceGroups")
    for index, group in enumerate(groups if isinstance(groups, list) else []):
        if not isinstance(group, dict):
            continue
        count, least = group.get("InstanceCount"), group.get("MinInstanceCount")
        if is_int(count) and is_int(least) and least > count:
            problems.append(
                problem(
                    cluster,
                    ("InstanceGroups", index, "MinInstanceCount"),
                    f"must be at most InstanceCount ({count}), got {least}: the group could "
                    "never become InService",
                )
            )
    return problems


def _group_name_problems(cluster: Manifest) -> list[Problem]:
    """Instance group names are a cluster's keys: each may appear once per list.

    Source: UpdateCluster names the groups it changes by InstanceGroupName and deletes them
    by name alone (botocore UpdateClusterRequest.InstanceGroupsToDelete: "Specify the names
    of the instance groups to delete"), so a name identifies one group; our emulator
    refuses a repeated name (clusters._check_groups). No public page states CreateCluster's
    refusal or its wording: unverified, as is whether one name may stand in both lists.
    """
    problems = []
    for field in ("InstanceGroups", "RestrictedInstanceGroups"):
        groups = cluster.spec.get(field)
        seen: dict[str, int] = {}
        for index, group in enumerate(groups if isinstance(groups, list) else []):
            name = group.get("InstanceGroupName") if isinstance(group, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                problems.append(
                    problem(
                        cluster,
                        (field, index, "InstanceGroupName"),
                        f"instance group {name!r} is declared twice "
                        f"(also {field}[{seen[name]}]); group names must be unique",
                    )
                )
            else:
                seen[name] = index
    return problems


RULES = KindRules(document=cluster_problems)
