"""The AWS edge: the one module that holds boto3 clients and sees botocore's errors.

:class:`AwsGateway` is the reconciler's :class:`~reconciler.gateway.Gateway` to AWS.
Everything else — the kinds' calls, the observer, the executor, status, the lease lock —
calls ``aws.call(service, operation, **request)`` or ``aws.pages(...)`` with the botocore
service name and the API's operation name, and gets the answer as a plain dict (without
``ResponseMetadata``) or an :class:`~reconciler.errors.AwsError`, classed once here
(reconciler.errors.classify).

Clients: region and credentials from the standard chain, the endpoint from
``--endpoint-url`` or boto3's own ``AWS_ENDPOINT_URL[_<SERVICE>]``, and botocore's standard
retry mode (throttling and transient errors are retried there, never by loops of ours).
A client per service is made on first use and shared by every thread (boto3 clients are
thread-safe).

A target of the project file (:mod:`reconciler.project`) adds two things here: a role to
assume (STS AssumeRole, credentials refreshed by botocore before they expire), and the
account the credentials must reach — checked with STS GetCallerIdentity before the first
call of a gateway, so that nothing is read from or written to another account.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

from reconciler.errors import PermanentError, classify
from reconciler.resources import JsonDict


@dataclass(frozen=True)
class AwsSettings:
    """endpoint_url: None lets boto3 resolve it (AWS_ENDPOINT_URL..., or AWS itself).
    max_attempts: botocore retry attempts per call (standard mode).
    max_connections: HTTP pool size; at least the number of parallel calls."""

    endpoint_url: str | None = None
    region: str | None = None
    max_attempts: int = 10
    max_connections: int = 20
    # A project target's: the role to assume (None: the ambient credentials), its STS
    # session name and external id, the account the credentials must reach, and the
    # target's name for messages.
    role_arn: str | None = None
    session_name: str = "sagemaker-reconciler"
    external_id: str | None = None
    account_id: str | None = None
    target: str | None = None

    @property
    def region_name(self) -> str | None:
        # AWS_REGION is what the AWS SDKs and Lambda/ECS set; botocore itself reads only
        # AWS_DEFAULT_REGION and profiles, so honour it here before the rest of the chain.
        return self.region or os.environ.get("AWS_REGION") or None


def sagemaker_client(settings: AwsSettings) -> Any:
    return client(settings, "sagemaker")


def client(settings: AwsSettings, service: str, session: Any = None) -> Any:
    """A client of `service` from `session` (default: a session of the standard chain)."""
    config = Config(
        retries={"mode": "standard", "max_attempts": settings.max_attempts},
        max_pool_connections=settings.max_connections,
        user_agent_extra="sagemaker-reconciler",
    )
    if session is None:
        session = boto3.session.Session(region_name=settings.region_name)
    kwargs: dict[str, Any] = {"config": config}
    if settings.endpoint_url:
        kwargs["endpoint_url"] = settings.endpoint_url
    return session.client(service, **kwargs)


def session(settings: AwsSettings) -> Any:
    """The boto3 session the settings' clients share: the standard chain's, or — with a
    role to assume — one whose credentials are the role's, refreshed by botocore shortly
    before they expire (botocore.credentials.RefreshableCredentials)."""
    ambient = boto3.session.Session(region_name=settings.region_name)
    if settings.role_arn is None:
        return ambient
    sts = client(settings, "sts", ambient)
    request: dict[str, Any] = {
        "RoleArn": settings.role_arn,
        "RoleSessionName": settings.session_name,
    }
    if settings.external_id is not None:
        request["ExternalId"] = settings.external_id

    def assume() -> dict[str, str]:
        try:
            answer = sts.assume_role(**request)["Credentials"]
        except (ClientError, BotoCoreError) as err:
            raise classify(err, "AssumeRole", "sts") from err
        return {
            "access_key": answer["AccessKeyId"],
            "secret_key": answer["SecretAccessKey"],
            "token": answer["SessionToken"],
            "expiry_time": answer["Expiration"].isoformat(),
        }

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=assume(), refresh_using=assume, method="sts-assume-role"
    )
    core = botocore.session.get_session()
    # First in the session's provider chain, so that nothing ambient is used instead.
    core.get_component("credential_provider").insert_before("env", _Given(credentials))
    return boto3.session.Session(botocore_session=core, region_name=settings.region_name)


class _Given(CredentialProvider):
    """A credential provider that gives the credentials it was made with."""

    METHOD = "sts-assume-role"
    CANONICAL_NAME = "sagemaker-reconciler-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._given = credentials

    def load(self) -> RefreshableCredentials:
        return self._given


class WrongAccount(PermanentError):
    """The credentials reach another account than the target declares."""


def snake(operation: str) -> str:
    """The boto3 method name of an API operation: ``ListTags`` → ``list_tags``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


# botocore's default HTTP pool size per client.
DEFAULT_POOL = 10


class AwsGateway:
    """Calls to AWS by service and operation, with AWS's errors as ours.

    settings:   how to make clients (None: only the `clients` given can be used)
    clients:    clients to use as they are, by botocore service name (tests, the emulator)
    instrument: applied to every client once, when it is made or first used (the
                controller's call counter)
    """

    def __init__(
        self,
        settings: AwsSettings | None = None,
        *,
        clients: Mapping[str, Any] | None = None,
        instrument: Callable[[Any], Any] | None = None,
    ) -> None:
        self.settings = settings
        self._given = dict(clients or {})
        self._clients: dict[str, Any] = {}
        self._instrument = instrument
        self._lock = threading.Lock()
        self._session: Any = None
        self._account_checked = settings is None or settings.account_id is None

    def client(self, service: str) -> Any:
        """The boto3 client for `service` (made on first use)."""
        with self._lock:
            found = self._clients.get(service)
            if found is not None:
                return found
            if service in self._given:
                made = self._given[service]
            elif self.settings is not None:
                try:
                    if self._session is None:
                        self._session = session(self.settings)
                    made = client(self.settings, service, self._session)
                except NoRegionError:
                    raise PermanentError("no AWS region: set AWS_REGION or pass --region") from None
            else:
                raise PermanentError(f"no {service} client was configured")
            if self._instrument is not None:
                made = self._instrument(made)
            self._clients[service] = made
            return made

    def has(self, service: str) -> bool:
        """A client for `service` can be had (given, or made from settings)."""
        return service in self._given or self.settings is not None

    def call(self, service: str, operation: str, **request: Any) -> JsonDict:
        """Call `operation` of `service`; its answer without ``ResponseMetadata``. Raises
        :class:`~reconciler.errors.AwsError` (and PermanentError for a missing region)."""
        self._check_account()
        method = getattr(self.client(service), snake(operation))
        try:
            answer: JsonDict = method(**request)
            # A streamed payload (SageMaker Runtime's Body) is read here, at the edge:
            # callers get plain bytes, never a botocore stream. Reading it may fail too
            # (botocore's IncompleteReadError, ReadTimeoutError, ResponseStreamingError:
            # BotoCoreErrors), and is then a failed call like any other.
            for key, value in list(answer.items()):
                if hasattr(value, "read"):
                    answer[key] = value.read()
        except (ClientError, BotoCoreError) as err:
            raise classify(err, operation, service) from err
        answer.pop("ResponseMetadata", None)
        return answer

    def pages(self, service: str, operation: str, **request: Any) -> Iterator[JsonDict]:
        """The pages of a paginated `operation` (botocore's paginator), errors as ``call``'s."""
        self._check_account()
        paginator = self.client(service).get_paginator(snake(operation))
        try:
            for page in paginator.paginate(**request):
                page.pop("ResponseMetadata", None)
                yield page
        except (ClientError, BotoCoreError) as err:
            raise classify(err, operation, service) from err

    def _check_account(self) -> None:
        """Before the first call: the credentials reach the account the settings expect
        (STS GetCallerIdentity, which needs no permission — AWS STS API reference,
        GetCallerIdentity: "No permissions are required"). Raises WrongAccount."""
        if self._account_checked:
            return
        assert self.settings is not None and self.settings.account_id is not None
        sts = self.client("sts")
        try:
            actual = str(sts.get_caller_identity()["Account"])
        except (ClientError, BotoCoreError) as err:
            raise classify(err, "GetCallerIdentity", "sts") from err
        expected = self.settings.account_id
        if actual != expected:
            where = f"target {self.settings.target!r}" if self.settings.target else "the settings"
            raise WrongAccount(
                f"{where} expects AWS account {expected}, but the credentials are for "
                f"account {actual}: nothing was read or written"
            )
        self._account_checked = True

    def pool_size(self, service: str) -> int:
        """The HTTP connection pool size of `service`'s client (botocore's default: 10)."""
        if not self.has(service):
            return DEFAULT_POOL
        config = getattr(getattr(self.client(service), "meta", None), "config", None)
        size = getattr(config, "max_pool_connections", None)
        return size if isinstance(size, int) and size > 0 else DEFAULT_POOL
