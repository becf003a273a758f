"""The API operations the reconciler uses, for tests that inject faults on them or count
them: writes, then reads (GetResources is the tagging API's batched tag read)."""

from __future__ import annotations

HOSTING_WRITES = [
    "CreateModel",
    "CreateEndpointConfig",
    "CreateEndpoint",
    "CreateInferenceComponent",
    "UpdateEndpoint",
    "UpdateInferenceComponent",
    "UpdateInferenceComponentRuntimeConfig",
    "DeleteModel",
    "DeleteEndpointConfig",
    "DeleteEndpoint",
    "DeleteInferenceComponent",
    "AddTags",
    "DeleteTags",
]
HOSTING_READS = [
    "ListModels",
    "ListEndpointConfigs",
    "ListEndpoints",
    "ListInferenceComponents",
    "DescribeEndpoint",
    "DescribeInferenceComponent",
    "DescribeModel",
    "DescribeEndpointConfig",
    "ListTags",
    "GetResources",
]
CLUSTER_WRITES = ["CreateCluster", "UpdateCluster", "DeleteCluster"]
CLUSTER_READS = ["ListClusters", "DescribeCluster"]
