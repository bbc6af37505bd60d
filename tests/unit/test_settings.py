"""Settings: defaults, every TUNEFORGE_* variable, and the URLs derived from the data dir."""

from __future__ import annotations

import dataclasses
import os
import re
import typing
from pathlib import Path

import pytest

from models import settings as settings_module
from models.settings import Settings, available_cores

README = Path(__file__).resolve().parents[2] / "README.md"
FIELDS = [f.name for f in dataclasses.fields(Settings)]
# A text each field's variable can be set to, and the value it gives, by field type.
SAMPLES = {
    int: ("7", 7),
    bool: ("yes", True),
    str: ("set-from-env", "set-from-env"),
    tuple[str, ...]: ("a,b", ("a", "b")),
}

# (variable suffix, attribute, raw value, parsed value) for every integer setting.
INT_VARS = [
    ("PORT", "port", "9001", 9001),
    ("WORKER_CONCURRENCY", "worker_concurrency", "4", 4),
    ("API_WORKERS", "api_workers", "3", 3),
    ("MAX_UPLOAD_MB", "max_upload_mb", "7", 7),
    ("MAX_ROWS", "max_rows", "1234", 1234),
    ("MAX_COLUMNS", "max_columns", "56", 56),
    ("MAX_TRIALS", "max_trials", "78", 78),
    ("MAX_JOB_SECONDS", "max_job_seconds", "600", 600),
    ("LEASE_SECONDS", "lease_seconds", "9", 9),
]
INT_VAR_NAMES = [suffix for suffix, *_ in INT_VARS]

EXPECTED_DEFAULTS = {
    "host": "127.0.0.1",
    "port": 8000,
    "api_workers": 2,
    "api_keys": (),
    "max_upload_mb": 100,
    "max_rows": 1_000_000,
    "max_columns": 2_000,
    "max_trials": 500,
    "max_job_seconds": 6 * 3600,
    "lease_seconds": 30,
    "log_format": "auto",
}


@pytest.fixture
def in_tmp_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from an empty directory, so relative data dirs land in tmp_path."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("attribute", "expected"), sorted(EXPECTED_DEFAULTS.items()))
def test_defaults_match_documented_values(attribute, expected, in_tmp_cwd):
    # given no arguments
    # when settings are built
    settings = Settings()
    # then each field has its documented default
    assert getattr(settings, attribute) == expected


def test_empty_environment_gives_the_same_settings_as_the_defaults(in_tmp_cwd):
    # given an environment without any TUNEFORGE_* variable
    env = {"HOME": "/root", "PATH": "/usr/bin"}
    # when settings are read from it
    settings = Settings.from_env(env)
    # then they equal the dataclass defaults
    assert settings == Settings()


def test_default_data_dir_is_var_resolved_against_the_working_directory(in_tmp_cwd):
    # given the working directory is an empty folder
    # when settings are built without a data dir
    settings = Settings()
    # then the data dir is the absolute path of ./var
    assert settings.data_dir == in_tmp_cwd.resolve() / "var"
    assert settings.data_dir.is_absolute()


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A machine to set up: the CPUs this process may run on, and a cgroup v2 hierarchy
    (in ``tmp_path``) with this process in ``/app/worker``, no quota anywhere yet."""

    class Machine:
        root = tmp_path / "cgroup"
        own = root / "app" / "worker"

        def cpus(self, count: int) -> None:
            monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(count)))

        def quota(self, folder: Path, cpu_max: str) -> None:
            (folder / "cpu.max").write_text(cpu_max + "\n")

    m = Machine()
    m.own.mkdir(parents=True)
    (tmp_path / "cgroup-of-self").write_text("0::/app/worker\n")
    monkeypatch.setattr(settings_module, "CGROUP_ROOT", m.root)
    monkeypatch.setattr(settings_module, "OWN_CGROUP", tmp_path / "cgroup-of-self")
    return m


def test_worker_concurrency_defaults_to_the_cpus_this_process_may_run_on(machine, in_tmp_cwd):
    # given 6 CPUs to run on (of however many the host has) and no CPU quota
    machine.cpus(6)
    machine.quota(machine.own, "max 100000")
    # when settings are read from an environment that does not set the concurrency
    settings = Settings.from_env({})
    # then there is a worker process per CPU, and a job's default parallelism follows
    assert settings.worker_concurrency == 6
    assert settings.worker_slots == 0  # counted from the workers' beats (models/worker_slots.py)


@pytest.mark.parametrize(
    ("cpus", "own_quota", "parent_quota", "expected"),
    [
        (8, "200000 100000", None, 2),  # docker --cpus=2
        (8, "150000 100000", None, 1),  # a fraction is rounded down
        (8, "50000 100000", None, 1),  # half a CPU: still one slot
        (8, "max 100000", "300000 100000", 3),  # a limit on the parent holds too
        (8, "400000 100000", "300000 100000", 3),  # the tightest of them
        (2, "400000 100000", None, 2),  # fewer CPUs than the quota: the CPUs
    ],
)
def test_a_cgroup_cpu_quota_smaller_than_the_cpus_sets_the_default(
    machine, cpus, own_quota, parent_quota, expected
):
    # given CPUs to run on and a CPU quota on this process's cgroup (or its parent's)
    machine.cpus(cpus)
    machine.quota(machine.own, own_quota)
    if parent_quota:
        machine.quota(machine.own.parent, parent_quota)
    # then the default is the smaller of the two
    assert available_cores() == expected
    assert Settings().worker_concurrency == expected


@pytest.mark.parametrize(
    "cgroup_of_self",
    [
        None,  # no /proc/self/cgroup (not Linux, or /proc not mounted)
        "4:memory:/app\n1:cpu:/app\n",  # cgroup v1 only
        "0::/elsewhere\n",  # a cgroup the hierarchy does not show
    ],
)
def test_without_a_readable_cgroup_v2_quota_the_cpus_decide(machine, tmp_path, cgroup_of_self):
    machine.cpus(3)
    machine.quota(machine.own, "100000 100000")  # not this process's, in these cases
    target = tmp_path / "cgroup-of-self"
    if cgroup_of_self is None:
        target.unlink()
    else:
        target.write_text(cgroup_of_self)
    assert available_cores() == 3


@pytest.mark.parametrize("cpu_max", ["", "garbage", "100000 0", "-1 100000"])
def test_a_malformed_cpu_max_is_no_limit(machine, cpu_max):
    machine.cpus(4)
    machine.quota(machine.own, cpu_max)
    assert available_cores() == 4


def test_a_concurrency_set_in_the_environment_wins_over_the_cpus(machine, in_tmp_cwd):
    machine.cpus(8)
    settings = Settings.from_env({"TUNEFORGE_WORKER_CONCURRENCY": "1"})
    assert settings.worker_concurrency == 1 and settings.worker_slots == 0


def test_settings_are_immutable(in_tmp_cwd):
    # given settings
    settings = Settings()
    # when a field is assigned
    # then the frozen dataclass refuses
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


def test_derived_urls_live_under_the_data_dir(tmp_path):
    # given a data dir and no explicit URLs
    data_dir = tmp_path / "data"
    # when settings are built
    settings = Settings(data_dir=data_dir)
    # then the database and artifact store live inside it, and the broker is embedded there
    assert settings.database_url == f"sqlite:///{data_dir.resolve() / 'tuneforge.db'}"
    assert settings.storage_url == f"file://{data_dir.resolve() / 'artifacts'}"
    assert settings.broker_url == "filesystem://"
    assert settings.broker_is_embedded is True
    assert settings.broker_dir == data_dir.resolve() / "broker"


def test_relative_data_dir_is_made_absolute_before_deriving_urls(in_tmp_cwd):
    # given a relative data dir
    # when settings are built
    settings = Settings(data_dir=Path("rel") / "dir")
    # then the path and every derived URL are absolute
    expected = in_tmp_cwd.resolve() / "rel" / "dir"
    assert settings.data_dir == expected
    assert settings.database_url == f"sqlite:///{expected / 'tuneforge.db'}"
    assert settings.storage_url == f"file://{expected / 'artifacts'}"


def test_data_dir_given_as_a_string_becomes_a_path(tmp_path):
    # given the data dir as a plain string
    # when settings are built
    settings = Settings(data_dir=str(tmp_path))  # type: ignore[arg-type]
    # then it is stored as a resolved Path
    assert settings.data_dir == tmp_path.resolve()
    assert isinstance(settings.data_dir, Path)


def test_explicit_urls_are_kept_as_given(tmp_path):
    # given explicit database, broker and storage URLs
    urls = {
        "database_url": "postgresql://db.example/tuneforge",
        "broker_url": "redis://broker.example:6379/0",
        "storage_url": "file:///srv/artifacts",
    }
    # when settings are built
    settings = Settings(data_dir=tmp_path, **urls)
    # then none of them is replaced by a derived one
    assert {name: getattr(settings, name) for name in urls} == urls
    assert settings.broker_is_embedded is False


def test_max_upload_bytes_converts_megabytes():
    # given a 3 MB upload limit
    settings = Settings(max_upload_mb=3)
    # when the limit is asked for in bytes
    # then it is 3 MiB
    assert settings.max_upload_bytes == 3 * 1024 * 1024


@pytest.mark.parametrize(("suffix", "attribute", "raw", "expected"), INT_VARS, ids=INT_VAR_NAMES)
def test_from_env_parses_each_integer_variable(suffix, attribute, raw, expected, in_tmp_cwd):
    # given one integer variable set
    env = {f"TUNEFORGE_{suffix}": raw}
    # when settings are read
    settings = Settings.from_env(env)
    # then that field has the parsed value and the others keep their defaults
    assert getattr(settings, attribute) == expected
    others = {k: v for k, v in EXPECTED_DEFAULTS.items() if k != attribute}
    assert {k: getattr(settings, k) for k in others} == others


@pytest.mark.parametrize(("suffix", "attribute", "raw", "expected"), INT_VARS, ids=INT_VAR_NAMES)
def test_from_env_ignores_surrounding_whitespace_in_integers(
    suffix, attribute, raw, expected, in_tmp_cwd
):
    # given an integer padded with spaces
    env = {f"TUNEFORGE_{suffix}": f"  {raw} \n"}
    # when settings are read
    # then the padding is ignored
    assert getattr(Settings.from_env(env), attribute) == expected


@pytest.mark.parametrize("suffix", INT_VAR_NAMES)
@pytest.mark.parametrize("blank", ["", "   "])
def test_from_env_treats_blank_integers_as_unset(suffix, blank, in_tmp_cwd):
    # given an integer variable that is set but blank
    env = {f"TUNEFORGE_{suffix}": blank}
    # when settings are read
    # then the default is used
    assert Settings.from_env(env) == Settings()


@pytest.mark.parametrize("suffix", INT_VAR_NAMES)
@pytest.mark.parametrize("raw", ["abc", "1.5", "12MB", "0x10", "1e3"])
def test_from_env_rejects_non_integers_naming_the_variable(suffix, raw, in_tmp_cwd):
    # given an integer variable that is not an integer
    env = {f"TUNEFORGE_{suffix}": raw}
    # when settings are read
    # then a ValueError names the variable and repeats the bad value
    with pytest.raises(ValueError, match=f"TUNEFORGE_{suffix} must be an integer") as info:
        Settings.from_env(env)
    assert repr(raw) in str(info.value)


@pytest.mark.parametrize("suffix", INT_VAR_NAMES)
@pytest.mark.parametrize("raw", ["0", "-1", "-8000"])
def test_from_env_rejects_zero_and_negative_integers_naming_the_variable(suffix, raw, in_tmp_cwd):
    # given an integer variable that is not positive
    env = {f"TUNEFORGE_{suffix}": raw}
    # when settings are read
    # then a ValueError names the variable
    with pytest.raises(ValueError, match=f"TUNEFORGE_{suffix} must be positive, got {raw}"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("suffix", "attribute", "raw"),
    [
        ("HOST", "host", "0.0.0.0"),
        ("DATABASE_URL", "database_url", "postgresql://u@db/tf"),
        ("BROKER_URL", "broker_url", "redis://localhost:6379/1"),
        ("STORAGE_URL", "storage_url", "file:///mnt/artifacts"),
    ],
)
def test_from_env_reads_each_string_variable_verbatim(suffix, attribute, raw, in_tmp_cwd):
    # given one string variable set
    env = {f"TUNEFORGE_{suffix}": raw}
    # when settings are read
    # then the field holds the value as given
    assert getattr(Settings.from_env(env), attribute) == raw


def test_from_env_data_dir_drives_the_derived_urls(tmp_path):
    # given only a data dir in the environment
    env = {"TUNEFORGE_DATA_DIR": str(tmp_path / "state")}
    # when settings are read
    settings = Settings.from_env(env)
    # then the data dir and every derived location follow it
    data_dir = (tmp_path / "state").resolve()
    assert settings.data_dir == data_dir
    assert settings.database_url == f"sqlite:///{data_dir / 'tuneforge.db'}"
    assert settings.storage_url == f"file://{data_dir / 'artifacts'}"
    assert settings.broker_dir == data_dir / "broker"
    assert settings.broker_is_embedded is True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ()),
        ("secret", ("secret",)),
        ("a,b,c", ("a", "b", "c")),
        (" a , b ", ("a", "b")),
        ("a,,b,", ("a", "b")),
        (" , ,", ()),
    ],
    ids=["empty", "one", "three", "padded", "empty-items", "only-separators"],
)
def test_from_env_splits_api_keys_on_commas(raw, expected, in_tmp_cwd):
    # given TUNEFORGE_API_KEYS
    env = {"TUNEFORGE_API_KEYS": raw}
    # when settings are read
    # then the keys are split on commas, stripped, and blanks dropped
    assert Settings.from_env(env).api_keys == expected


def test_from_env_reads_os_environ_by_default(monkeypatch, in_tmp_cwd):
    # given TUNEFORGE_* variables in the process environment
    monkeypatch.setenv("TUNEFORGE_PORT", "8123")
    monkeypatch.setenv("TUNEFORGE_API_KEYS", "k1,k2")
    # when settings are read without an explicit mapping
    settings = Settings.from_env()
    # then the process environment is used
    assert settings.port == 8123
    assert settings.api_keys == ("k1", "k2")


def test_from_env_ignores_variables_without_the_prefix(in_tmp_cwd):
    # given variables that look similar but lack the TUNEFORGE_ prefix
    env = {"PORT": "1", "MAX_TRIALS": "2", "tuneforge_port": "3", "API_KEYS": "x"}
    # when settings are read
    # then none of them is used
    assert Settings.from_env(env) == Settings()


def variable(name: str) -> str:
    return f"TUNEFORGE_{name.upper()}"


def documented_variables() -> set[str]:
    """The variables named in the first column of README's configuration table."""
    section = README.read_text(encoding="utf-8").split("## Configuration", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"TUNEFORGE_[A-Z0-9_]+", row.split("|")[1])}


def test_every_setting_is_documented_in_the_readme_configuration_table():
    # given the README's configuration table
    documented = documented_variables()
    # when it is compared with the Settings fields
    expected = {variable(name) for name in FIELDS}
    # then every field's variable has a row, and every row is a field
    assert expected - documented == set(), "missing from README's configuration table"
    assert documented - expected == set(), "README documents variables Settings does not read"


@pytest.mark.parametrize("name", FIELDS)
def test_from_env_reads_every_field_from_its_own_variable(name, tmp_path, in_tmp_cwd):
    # given only the variable named after one field, set to a sample of the field's type
    if name == "data_dir":
        raw, expected = str(tmp_path / "elsewhere"), (tmp_path / "elsewhere").resolve()
    else:
        raw, expected = SAMPLES[typing.get_type_hints(Settings)[name]]
    # when settings are read
    settings = Settings.from_env({variable(name): raw})
    # then that field has the parsed value
    assert getattr(settings, name) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("TRUE", True), (" yes ", True), ("0", False), ("no", False)],
)
def test_from_env_reads_a_flag_as_1_true_or_yes(raw, expected, in_tmp_cwd):
    env = {"TUNEFORGE_WEBHOOK_ALLOW_PRIVATE": raw}
    assert Settings.from_env(env).webhook_allow_private is expected


@pytest.mark.parametrize("name", FIELDS)
def test_from_env_treats_every_blank_variable_as_unset(name, in_tmp_cwd):
    # given one variable set but blank
    env = {variable(name): "  "}
    # when settings are read
    # then the field keeps its default
    assert Settings.from_env(env) == Settings()
