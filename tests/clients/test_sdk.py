"""The SageMaker Python SDK v3 against the emulator: an IC-hosting endpoint made with the
sagemaker-core resources and a classic endpoint made with ModelBuilder (see
sdk_hosting.py), then adopted and managed by the reconciler."""

from __future__ import annotations

from pathlib import Path

from tests.clients.conftest import Clients
from tests.clients.flow import adopt_then_manage, export_and_adopt

SCRIPT = Path(__file__).with_name("sdk_hosting.py")


def test_sdk_hosting_is_adopted_then_managed(clients: Clients, tmp_path: Path) -> None:
    made = clients.python(SCRIPT, "chat").json()
    assert made == {
        "Model": ["chat-model", "chat-classic-model"],
        "EndpointConfig": ["chat-config", "chat-classic"],
        "Endpoint": ["chat-endpoint", "chat-classic"],
        "InferenceComponent": ["chat-ic"],
    }
    out = tmp_path / "exported"
    export_and_adopt(clients, out, {(kind, name) for kind, names in made.items() for name in names})
    adopt_then_manage(clients, out, "chat-ic")
