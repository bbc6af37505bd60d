"""The deployment files, checked without Docker: compose.yaml against the Compose
Specification's schema and the promises it makes (scalable workers, health checks,
healthy dependencies, the settings it wires), and the Dockerfile's structure."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from api.launcher import main
from models.settings import PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "compose-spec.json"
APP_SERVICES = ("api", "worker", "webhook-worker")
BACKING_SERVICES = ("postgres", "redis", "s3")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # It declares draft 7 as "https://json-schema.org/draft-07/schema", without the "#"
    # jsonschema looks the draft up by, so the validator is named here.
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [line.strip() for line in joined.splitlines() if line.strip()]


def one_shot(compose: dict[str, Any]) -> set[str]:
    """Services others wait to *complete* (a bucket created, then exit)."""
    return {
        name
        for service in compose["services"].values()
        for name, dependency in (service.get("depends_on") or {}).items()
        if dependency.get("condition") == "service_completed_successfully"
    }


# compose.yaml -------------------------------------------------------------------------------


def test_compose_file_follows_the_compose_specification(compose, validator):
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_the_schema_check_would_catch_a_misspelt_key(compose, validator):
    broken = copy.deepcopy(compose)
    broken["services"]["worker"]["healthchek"] = broken["services"]["worker"].pop("healthcheck")
    assert not validator.is_valid(broken)


def test_workers_can_be_scaled(compose):
    worker = compose["services"]["worker"]
    assert "container_name" not in worker, "--scale needs distinct container names"
    assert "ports" not in worker, "--scale cannot publish one host port N times"


def test_every_long_running_service_has_a_health_check(compose):
    long_running = set(compose["services"]) - one_shot(compose)
    assert set(APP_SERVICES + BACKING_SERVICES) <= long_running
    for name in long_running:
        test = compose["services"][name].get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), name
    for name in one_shot(compose):
        assert compose["services"][name].get("restart") == "no", name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_api_and_workers_start_once_their_backing_services_are_healthy(compose, name):
    depends_on = compose["services"][name]["depends_on"]
    for backing in BACKING_SERVICES:
        assert depends_on[backing] == {"condition": "service_healthy"}, backing
    assert depends_on["create-bucket"] == {"condition": "service_completed_successfully"}


def test_state_lives_in_named_volumes(compose):
    declared = set(compose["volumes"])
    mounts = {
        name: [v.split(":")[0] for v in service.get("volumes", [])]
        for name, service in compose["services"].items()
    }
    assert all(source in declared for sources in mounts.values() for source in sources)
    for name in BACKING_SERVICES:
        assert mounts[name], f"{name} keeps its data in a named volume"
    assert mounts["api"] == mounts["worker"] == ["metrics"]


def test_api_and_workers_share_the_production_settings(compose):
    api, worker = (compose["services"][n]["environment"] for n in ("api", "worker"))
    shared = {k: v for k, v in api.items() if k in worker}
    assert shared["TUNEFORGE_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert shared["TUNEFORGE_BROKER_URL"].startswith("redis://redis:")
    assert shared["TUNEFORGE_STORAGE_URL"].startswith("s3://")
    assert shared["TUNEFORGE_S3_ENDPOINT_URL"] == "http://s3:9000"
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(shared)
    # listening on 0.0.0.0: compose refuses to start without keys (${VAR:?message})
    assert re.fullmatch(r"\$\{TUNEFORGE_API_KEYS:\?.+\}", shared["TUNEFORGE_API_KEYS"])
    assert shared["TUNEFORGE_WEBHOOK_SECRET"].startswith("${TUNEFORGE_WEBHOOK_SECRET:?")


def test_redis_keeps_every_message_through_restarts_and_memory_pressure(compose):
    # Celery's queues and unacknowledged messages are ordinary keys: an evicting policy
    # would drop work silently, and a restart without the append-only file would empty them
    command = compose["services"]["redis"]["command"]
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert options["--maxmemory-policy"] == "noeviction"
    assert options["--appendonly"] == "yes" and options["--appendfsync"] == "everysec"


def test_worker_slots_are_counted_not_configured(compose):
    # the API counts the slots the workers report, so scaling the workers needs no setting
    for service in compose["services"].values():
        assert "TUNEFORGE_WORKER_SLOTS" not in (service.get("environment") or {})


def test_every_tuneforge_variable_in_compose_is_a_setting(compose):
    settings = {PREFIX + f.name.upper() for f in dataclasses.fields(Settings)}
    used = {
        key
        for service in compose["services"].values()
        for key in (service.get("environment") or {})
        if key.startswith(PREFIX)
    }
    assert used - settings == set(), "compose.yaml sets variables Settings does not read"


@pytest.mark.parametrize(("name", "role"), [("worker", "search"), ("webhook-worker", "webhooks")])
def test_the_worker_health_check_is_a_real_command_on_the_services_own_role(compose, name, role):
    test = compose["services"][name]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "tuneforge"] and test[2] in main.commands
    command = main.commands[test[2]]
    assert command.make_context(test[2], test[3:]).params == {"role": role}


def test_webhooks_are_delivered_by_a_worker_of_their_own_with_the_same_settings(compose):
    worker, webhooks = (compose["services"][n] for n in ("worker", "webhook-worker"))
    assert worker["command"] == ["worker"] and webhooks["command"] == ["webhook-worker"]
    assert webhooks["command"][0] in main.commands
    shared = {k: v for k, v in worker["environment"].items() if k != "TUNEFORGE_WORKER_CONCURRENCY"}
    assert shared.items() <= webhooks["environment"].items()
    assert "container_name" not in webhooks and "ports" not in webhooks


# Dockerfile ---------------------------------------------------------------------------------


def instructions(dockerfile: list[str], keyword: str) -> list[str]:
    return [line[len(keyword) :].strip() for line in dockerfile if line.startswith(keyword + " ")]


def final_stage(dockerfile: list[str]) -> list[str]:
    last = max(i for i, line in enumerate(dockerfile) if line.startswith("FROM "))
    return dockerfile[last:]


def test_the_image_is_built_in_stages_and_ends_on_slim_python(dockerfile):
    # BASE: python:3.11-slim unless told otherwise (the image test passes a stand-in
    # made from Debian's packages), for the build and the final stage alike.
    assert instructions(dockerfile, "ARG")[0] == "BASE=python:3.11-slim"
    stages = instructions(dockerfile, "FROM")
    assert len(stages) >= 2
    assert stages[0] == "${BASE} AS build" and stages[-1] == "${BASE}"


def test_an_extra_ca_reaches_only_the_install_step_as_a_build_secret(dockerfile):
    (install,) = [line for line in instructions(dockerfile, "RUN") if "pip install" in line]
    assert install.startswith("--mount=type=secret,id=ca ")
    mentions = [line for line in dockerfile if "/run/secrets/ca" in line or "ca.pem" in line]
    assert mentions == ["RUN " + install]
    assert "rm -f /tmp/ca.pem" in install


def test_dependencies_are_installed_from_the_lock_file_with_hashes(dockerfile):
    installs = [line for line in instructions(dockerfile, "RUN") if "pip install" in line]
    assert installs and all("--require-hashes" in line for line in installs)
    assert any("-r /tmp/requirements.lock" in line for line in installs)
    assert any(line.startswith("requirements.lock ") for line in instructions(dockerfile, "COPY"))


def test_the_final_stage_holds_only_the_environment_and_the_code(dockerfile):
    copies = instructions(final_stage(dockerfile), "COPY")
    assert copies == [
        "--from=build /opt/venv /opt/venv",
        "api ./api",
        "models ./models",
        "tasks ./tasks",
        "sdk/python/tuneforge ./tuneforge",
        "sdk/python/tuneforge_client ./tuneforge_client",
    ]


def test_the_service_runs_as_a_user_that_is_not_root(dockerfile):
    (user,) = instructions(final_stage(dockerfile), "USER")
    assert user.split(":")[0] not in ("root", "0")


def test_the_image_health_check_is_the_api_services(dockerfile, compose):
    (healthcheck,) = instructions(dockerfile, "HEALTHCHECK")
    command = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert "/healthz" in command[-1]
    assert compose["services"]["api"]["healthcheck"]["test"] == ["CMD", *command]


def test_the_entry_point_is_the_tuneforge_command_pyproject_declares(dockerfile):
    assert instructions(dockerfile, "ENTRYPOINT") == ['["tuneforge"]']
    assert instructions(dockerfile, "CMD") == ['["api"]']
    script = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, function = script["tuneforge"].split(":")
    assert f"from {module} import {function}" in " ".join(instructions(dockerfile, "RUN"))


def test_the_build_context_is_only_what_the_image_needs():
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    rules = [line for line in ignore if line and not line.startswith("#")]
    assert rules[0] == "*"
    assert {r.rstrip("/") for r in rules if r.startswith("!")} == {
        "!requirements.lock",
        "!api",
        "!models",
        "!tasks",
        "!sdk/python/tuneforge",
        "!sdk/python/tuneforge_client",
    }


def test_the_deployment_guide_is_linked_from_the_readme():
    assert (ROOT / "docs" / "deploy.md").is_file()
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_final_stage_has_the_openmp_runtime_lightgbm_links(dockerfile):
    # LightGBM's wheel links the system's libgomp.so.1 (slim images have none); without it
    # the catalog, and so every role, fails to import.
    import lightgbm

    linked = (Path(lightgbm.__file__).parent / "lib" / "lib_lightgbm.so").read_bytes()
    assert b"libgomp.so.1" in linked
    runs = " ".join(instructions(final_stage(dockerfile), "RUN"))
    assert "apt-get install" in runs and "libgomp1" in runs
