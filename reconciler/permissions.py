"""The IAM actions the reconciler can call, derived from the code that calls them.

``deploy/iam-policy.json`` must grant exactly :func:`required_actions` (tests/test_deploy.py
holds it to that), so the policy follows the code instead of a list kept by hand:

- the per-kind tables: ``reconciler.kinds.APIS`` (each kind's Create, Describe, Delete and
  List operation and the operations its update-only spec fields belong to, under the
  kind's service, ``KindInfo.service``);
- the call sites that name operations in code rather than in a table: every SageMaker
  operation named in the modules of the kinds (their ``update`` methods, the tag calls of
  :class:`~reconciler.kinds.api.KindApi`), in the observer (``ListTags``) and in the status
  command; the observer's batched tag reads (Resource Groups Tagging API, IAM prefix
  ``tag``); the DynamoDB operations of the lease lock and of the replicas sharing targets
  (``Scan``); and EventBridge's PutEvents of the ``eventbridge`` notification sink. Those
  modules are read with
  :mod:`ast`: a string constant or a client attribute that is an operation of the service
  (``"UpdateEndpoint"``, ``"list_tags"``, ``self.client.put_item``) counts.

Operation names are checked against botocore's service models, so a typo or a removed
operation fails here, not in production with AccessDenied.

``python -m reconciler.permissions`` prints the actions, one a line.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
from collections.abc import Iterable
from types import ModuleType
from typing import Any

import botocore.session
from botocore import xform_name

# Modules that call AWS with operation names written in code (the tables cover the rest),
# by botocore service name; tests/test_deploy.py checks that no other module of the
# package calls a client.
SAGEMAKER_CALL_SITES: tuple[str, ...] = (
    "reconciler.kinds.api",
    "reconciler.observe",
)
OTHER_CALL_SITES: dict[str, tuple[str, ...]] = {
    "dynamodb": ("reconciler.controller.lock", "reconciler.controller.sharing"),
    "resourcegroupstaggingapi": ("reconciler.observe",),
    # Declared checks: InvokeEndpoint, and DescribeAlarms for the bake.
    "sagemaker-runtime": ("reconciler.execution.executor",),
    "cloudwatch": ("reconciler.execution.executor",),
    # Only with an ``eventbridge`` notification sink (README "Notifications").
    "events": ("reconciler.notify.sinks",),
}
# IAM's service prefix where it differs from botocore's service name (SageMaker Runtime's
# InvokeEndpoint is the IAM action sagemaker:InvokeEndpoint on the endpoint's ARN: Service
# Authorization Reference, "Actions defined by Amazon SageMaker AI").
IAM_PREFIX = {"resourcegroupstaggingapi": "tag", "sagemaker-runtime": "sagemaker"}

# What plan and status need: reading the account, nothing else (the lock is apply's).
READ_PREFIXES = ("List", "Describe", "Get")
READ_SERVICES = ("sagemaker", "tag", "application-autoscaling", "cloudwatch")


@functools.cache
def operations(service: str) -> dict[str, str]:
    """Every operation of `service` in botocore's model, by its name and by its boto3
    method name: {"CreateModel": "CreateModel", "create_model": "CreateModel", ...}."""
    model = service_model(service)
    names: dict[str, str] = {}
    for name in model.operation_names:
        names[name] = name
        names[xform_name(name)] = name
    return names


@functools.cache
def service_model(service: str) -> Any:
    """botocore's model of `service` (its operations and their request shapes)."""
    return botocore.session.get_session().get_service_model(service)


def _operation(service: str, name: str) -> str:
    try:
        return operations(service)[name]
    except KeyError:
        raise ValueError(f"{name} is not an operation of {service} in botocore") from None


def _is_client(node: ast.expr) -> bool:
    """`client`, `self.client`, `sagemaker_client`: an expression naming a boto3 client."""
    text = ast.unparse(node)
    return text.rsplit(".", 1)[-1].endswith("client")


def operations_named_in(module: ModuleType, service: str) -> set[str]:
    """Operations of `service` that `module` names: as a string constant (PascalCase or the
    boto3 method name) or as a method called on a client."""
    known = operations(service)
    found: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in known:
                found.add(known[node.value])
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in known
            and node.attr.islower()
            and _is_client(node.value)
        ):
            found.add(known[node.attr])
    return found


def _modules(names: Iterable[str]) -> list[ModuleType]:
    return [importlib.import_module(name) for name in names]


def kind_operations(service: str) -> set[str]:
    """Every operation of `service` the kinds whose calls go to it can call: their Create,
    Describe, Delete and List calls, the operations of their update-only fields, and the
    operations their modules name (their ``update`` methods, status details)."""
    from reconciler.kinds import APIS

    apis = [api for api in APIS.values() if api.info.service == service]
    found: set[str] = set()
    for api in apis:
        info = api.info
        found |= {info.create_operation, info.describe_operation, info.delete_operation}
        found |= {operation for operation, _member in info.update_only.values()}
        found.add(_operation(service, info.list_operation))
    modules = {inspect.getmodule(type(api)) for api in apis}
    for module in modules:
        if module is not None:
            found |= operations_named_in(module, service)
    for operation in found:
        _operation(service, operation)
    return found


def sagemaker_operations() -> set[str]:
    """Every SageMaker operation the reconciler can call (the SageMaker kinds', and the
    generic calls of kinds.api and the observer: ListTags, AddTags, DeleteTags)."""
    found = kind_operations("sagemaker")
    for module in _modules(SAGEMAKER_CALL_SITES):
        found |= operations_named_in(module, "sagemaker")
    return found


def other_operations(service: str) -> set[str]:
    """The operations of `service` named at its call sites (the lease lock's DynamoDB
    calls with ``--lock-table``, the observer's batched tag reads), and those of the kinds
    whose calls go to it."""
    found = kind_operations(service) if service in kind_services() else set()
    for module in _modules(OTHER_CALL_SITES.get(service, ())):
        found |= operations_named_in(module, service)
    return found


def kind_services() -> set[str]:
    from reconciler.kinds import KINDS

    return {info.service for info in KINDS.values()}


def iam_action(service: str, operation: str) -> str:
    return f"{IAM_PREFIX.get(service, service)}:{operation}"


def required_actions() -> set[str]:
    """IAM actions the reconciler needs: ``sagemaker:CreateModel``, ``dynamodb:PutItem``,
    ``tag:GetResources``, ..."""
    actions = {iam_action("sagemaker", op) for op in sagemaker_operations()}
    for service in (set(OTHER_CALL_SITES) | kind_services()) - {"sagemaker"}:
        actions |= {iam_action(service, op) for op in other_operations(service)}
    return actions


def read_only_actions() -> set[str]:
    """What ``plan`` and ``status`` need (List, Describe, ListTags, tag:GetResources): the
    policy of a role for pull requests, which must not be able to change the account."""
    return {
        action
        for action in required_actions()
        if action.split(":")[0] in READ_SERVICES and action.split(":")[1].startswith(READ_PREFIXES)
    }


def main() -> None:
    for action in sorted(required_actions()):
        print(action)


if __name__ == "__main__":
    main()
