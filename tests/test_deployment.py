"""The deployment files: no Docker engine here, so check their structure, and that every command they run is a real
``zeren`` command with valid options (so the same commands run by hand)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from api.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
APP_SERVICES = {"api", "projector", "relay", "worker", "sealer"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def zeren_command(args: list[str]) -> click.Command:
    """The click command ``zeren <args>`` names; its options must parse (nothing runs)."""
    command: click.Command = cli
    path = ["zeren"]
    rest = list(args)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        name = rest.pop(0)
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"`{' '.join(path)} {name}` is not a zeren command"
        command = found
        path.append(name)
    assert not isinstance(command, click.Group), f"`{' '.join(path)}` needs a subcommand"
    command.make_context(" ".join(path), rest)
    return command


def test_compose_runs_postgres_kafka_in_kraft_mode_and_the_zeren_processes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"postgres", "kafka"} | APP_SERVICES <= set(services)

    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])

    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}, "KRaft: no ZooKeeper"
    assert "zookeeper" not in (DOCKER / "compose.yaml").read_text().lower()
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "the relay creates its topic with its partitions"
    assert any(v.endswith(":" + env["KAFKA_LOG_DIRS"]) for v in kafka["volumes"]), "Kafka's data is on a volume"
    assert kafka["healthcheck"]["test"]

    declared = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in declared


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_every_app_service_runs_a_real_zeren_command_from_the_one_image(compose: dict[str, Any], name: str) -> None:
    """``zeren worker`` and ``zeren audit seal`` come from the policy-worker and audit branches."""
    service = compose["services"][name]
    assert service["image"] == "zeren:latest"
    context = (DOCKER / service["build"]["context"]).resolve()
    assert context == ROOT, "the image builds from the repository root"
    assert (context / service["build"]["dockerfile"]).is_file()
    assert service["restart"] == "unless-stopped"
    assert service["env_file"] == "zeren.env"
    assert service["environment"]["ZEREN_KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert service["environment"]["ZEREN_AUDIT_KEY_PATH"].startswith("/run/secrets/")
    assert set(service["secrets"]) <= set(compose["secrets"])
    assert service["depends_on"], f"{name} starts after what it needs"
    for dependency in service["depends_on"].values():
        assert dependency["condition"] in {"service_healthy", "service_completed_successfully"}
    zeren_command(service["command"])
    test = service.get("healthcheck", {}).get("test")
    if test and test[:2] == ["CMD", "zeren"]:
        zeren_command(test[2:])


def test_the_processes_start_in_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["api"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["relay"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    for name in APP_SERVICES - {"api"}:
        assert services[name]["depends_on"]["api"]["condition"] == "service_healthy", (
            f"{name} waits for the api, which creates the schemas")
    assert services["api"]["command"] == ["serve", "--host", "0.0.0.0", "--no-follow"]
    assert services["relay"]["command"] == ["relay"]


def test_the_image_is_slim_non_root_and_checks_its_health() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, flags=re.MULTILINE)
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*urllib\.request.*/healthz", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^EXPOSE 8000$", dockerfile, flags=re.MULTILINE)
    for folder in ("domain", "application", "projections", "infrastructure", "api"):
        assert f"COPY {folder} ./{folder}" in dockerfile


def test_secrets_are_documented_and_never_committed() -> None:
    example = (DOCKER / "zeren.env.example").read_text(encoding="utf-8")
    settings = dict(line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#"))
    assert {"ZEREN_DATABASE_URL", "ZEREN_JWT_SECRET", "ZEREN_MASTER_KEY", "POSTGRES_PASSWORD"} <= set(settings)
    assert settings["ZEREN_JWT_SECRET"] == settings["ZEREN_MASTER_KEY"] == "change-me"
    ignored = subprocess.run(["git", "check-ignore", "docker/zeren.env", "docker/secrets/audit-signing.key"],
                             cwd=ROOT, capture_output=True, text=True)
    assert ignored.stdout.split() == ["docker/zeren.env", "docker/secrets/audit-signing.key"]


def test_the_readme_explains_the_deployment_with_the_same_commands(compose: dict[str, Any]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Production deployment", 1)[1].split("\n## ", 1)[0]
    for name in APP_SERVICES:
        command = " ".join(compose["services"][name]["command"])
        assert f"zeren {command}" in section, f"the README does not show `zeren {command}` ({name})"
