"""Imported only by the forkserver process that `support.start_cli` forks its children
from (never by the test process): the reconciler and the children's code imported, and
botocore's models for the clients the CLI builds parsed, once, before any fork."""

from __future__ import annotations

import botocore.loaders

from reconciler.aws import AwsSettings, client
from tests.reliability.support import load_file_once

setattr(botocore.loaders.JSONFileLoader, "load_file", load_file_once)  # noqa: B010 - this process only
for _service in ("sagemaker", "resourcegroupstaggingapi", "dynamodb"):
    client(AwsSettings(endpoint_url="http://127.0.0.1:9", region="us-east-1"), _service)
