"""The Docker image, built and run: `make image-test` (``.ci/run`` calls it after `make test`).

No container registry is reachable here, so the base is a stand-in for ``python:3.11-slim``
made from Debian's packages (mmdebstrap, then ``docker import``; kept once made) and passed
as the Dockerfile's ``BASE``. The machine's CA bundle goes in as the build secret ``ca``
(pip behind a TLS-inspecting proxy needs it), and the test checks it never reaches the
image. Then the API, a worker and a webhook worker run from the image, on the host
network, against this machine's PostgreSQL and Redis (a database of the run's own in
each) and a moto S3 server the test starts: each turns healthy with every process as the
image's non-root user, a table is uploaded, a job runs to its model, and the model's bytes
are checked against the result's sha256. Everything the run made is removed at the end,
whether it passed or not; on a failure the containers' logs are printed and the exit
status is 1.

Installs docker.io and mmdebstrap with apt-get when missing, and starts (and afterwards
stops) dockerd when none runs.
"""

from __future__ import annotations

import configparser
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# Debian's docker.io client: it builds with BuildKit itself (DOCKER_BUILDKIT=1), where a
# newer client would want the buildx plugin, which bookworm does not package.
DOCKER = os.environ.get("TUNEFORGE_DOCKER", "/usr/bin/docker")
DOCKERD_LOG = Path("/var/log/tuneforge-image-test-dockerd.log")
BASE = "tuneforge/python-base:3.11-bookworm"
IMAGE = "tuneforge:image-test"
LABEL = "tuneforge.image-test=1"
BASE_PACKAGES = "python3,python3-venv,python-is-python3,ca-certificates"
# As python:3.11-slim does: no manuals, documentation or translations.
SLIM = [
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/locale/*",
    "path-exclude=/usr/share/info/*",
]
DEBIAN = [
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
]
UID = 10001
POSTGRES = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
# Redis databases others use on this machine: 0 (the default), 9 (an outside test), 11
# (bench/small_jobs.py), 13 and 14 (the tests). The run takes another that is empty and
# has no client, and empties it at the end.
REDIS_DBS_TAKEN = {0, 9, 11, 13, 14}
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Written into the CA secret beside the certificates (PEM readers skip text outside the
# blocks): the image must hold no file that contains it.
SECRET_MARKER = "tuneforge-image-test: this build secret must not reach the image"


class Failed(Exception):
    """A step that did not do what it should: the run stops and exits 1."""


def say(message: str) -> None:
    print(f"[image-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(*args: str, check: bool = True, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, text=True, capture_output=True, **kwargs)
    if check and result.returncode != 0:
        raise Failed(
            f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return result


def docker(*args: str, check: bool = True) -> str:
    return run(DOCKER, *args, check=check).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, ready: Callable[[], bool], seconds: float, every: float = 0.5) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise Failed(f"{what}: not within {seconds:.0f} s")
        time.sleep(every)


def mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


# The engine -------------------------------------------------------------------------------


def install_tools() -> None:
    """docker.io (dockerd, containerd, runc and its client) and mmdebstrap, from Debian."""
    missing = [
        package
        for package, program in (("docker.io", "/usr/sbin/dockerd"), ("mmdebstrap", "mmdebstrap"))
        if not shutil.which(program)
    ]
    if not missing:
        return
    say(f"installing {' '.join(missing)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", *missing, env=env)


def docker_answers() -> bool:
    return run(DOCKER, "info", check=False).returncode == 0


def start_dockerd(stack: contextlib.ExitStack) -> None:
    """Start dockerd if none answers, without its bridge and firewall rules (every
    container here uses the host network); stop it at the end if this run started it."""
    if docker_answers():
        return
    say(f"starting dockerd (log: {DOCKERD_LOG})")
    log = DOCKERD_LOG.open("ab")
    daemon = subprocess.Popen(
        ["/usr/sbin/dockerd", "--bridge=none", "--iptables=false"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop() -> None:
        daemon.terminate()
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
        log.close()

    stack.callback(stop)
    wait_for("dockerd answering", lambda: daemon.poll() is None and docker_answers(), 60)


# The base and the build -------------------------------------------------------------------


def base_image() -> None:
    """The stand-in for python:3.11-slim: Debian bookworm's minbase with Python 3.11, made
    once and kept (its tag is the cache)."""
    if run(DOCKER, "image", "inspect", BASE, check=False).returncode != 0:
        say(f"making {BASE} with mmdebstrap (a few minutes, once)")
        options = [f"--dpkgopt={option}" for option in SLIM]
        debootstrap = subprocess.Popen(
            [
                *("mmdebstrap", "--quiet", "--variant=minbase", f"--include={BASE_PACKAGES}"),
                *(*options, "bookworm", "-", *DEBIAN),
            ],
            stdout=subprocess.PIPE,
        )
        imported = run(
            DOCKER,
            "import",
            "--change",
            "ENV LANG=C.UTF-8",
            "--change",
            'CMD ["python3"]',
            "-",
            BASE,
            stdin=debootstrap.stdout,
            check=False,
        )
        if debootstrap.wait() != 0 or imported.returncode != 0:
            raise Failed(f"mmdebstrap or docker import failed: {imported.stderr}")
    version = docker("run", "--rm", "--network", "host", BASE, "python", "--version")
    if not version.startswith("Python 3.11."):
        raise Failed(f"{BASE} has {version}, not Python 3.11")
    say(f"base {BASE}: {version}")


def machine_ca() -> Path | None:
    """The CA bundle this machine's pip trusts, if one is set (a TLS-inspecting proxy's CA
    is added there): the variables pip and requests read, then pip's configuration."""
    for variable in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        if os.environ.get(variable) and Path(os.environ[variable]).is_file():
            return Path(os.environ[variable])
    configured = run(sys.executable, "-m", "pip", "config", "get", "global.cert", check=False)
    if configured.returncode == 0 and Path(configured.stdout.strip()).is_file():
        return Path(configured.stdout.strip())
    for config in (Path("/etc/pip.conf"), Path("/etc/xdg/pip/pip.conf")):
        parser = configparser.ConfigParser()
        with contextlib.suppress(configparser.Error):
            parser.read(config)
        cert = parser.get("global", "cert", fallback="")
        if cert and Path(cert).is_file():
            return Path(cert)
    return None


def pem_blocks(text: str) -> set[str]:
    return set(re.findall(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", text, re.S))


def public_certificates() -> set[str]:
    """The public CAs the image holds anyway: Debian's bundle in the base, and the bundles
    the locked certifi and botocore ship (the same files in this environment)."""
    import botocore
    import certifi

    debian = docker("run", "--rm", BASE, "cat", "/etc/ssl/certs/ca-certificates.crt")
    shipped = [Path(certifi.where()), Path(botocore.__file__).parent / "cacert.pem"]
    return pem_blocks(debian).union(*(pem_blocks(p.read_text()) for p in shipped))


def build(secret: Path) -> None:
    say(f"building {IMAGE} (BASE={BASE}, CA secret from the machine's bundle)")
    started = time.monotonic()
    result = run(
        DOCKER,
        "build",
        "--network",
        "host",
        "--progress",
        "plain",
        "--build-arg",
        f"BASE={BASE}",
        "--secret",
        f"id=ca,src={secret}",
        "--label",
        LABEL,
        "--tag",
        IMAGE,
        str(ROOT),
        check=False,
        env={**os.environ, "DOCKER_BUILDKIT": "1"},
    )
    if result.returncode != 0:
        raise Failed(f"docker build failed:\n{result.stdout[-6000:]}{result.stderr[-6000:]}")
    say(f"built in {time.monotonic() - started:.0f} s")
    # the image this build replaced under IMAGE's tag, if nothing else uses it
    docker("image", "prune", "--force", "--filter", f"label={LABEL}")


def check_secret_is_absent(extra_certs: set[str]) -> None:
    """No file of the image, no line of its history and no setting holds the secret: its
    marker, or any certificate it added to the base's bundle."""
    needles = [SECRET_MARKER.encode()]
    for block in extra_certs:
        lines = block.splitlines()
        needles.append(lines[len(lines) // 2].encode())  # a line of the certificate's body
    metadata = docker("image", "inspect", IMAGE) + docker("history", "--no-trunc", IMAGE)
    found = [n for n in needles if n in metadata.encode()] + (
        ["PIP_CERT"] if "PIP_CERT" in metadata else []
    )
    container = docker("create", IMAGE)
    try:
        export = subprocess.Popen([DOCKER, "export", container], stdout=subprocess.PIPE)
        files = 0
        with tarfile.open(fileobj=export.stdout, mode="r|") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                files += 1
                handle = tar.extractfile(member)
                data = handle.read() if handle else b""
                found += [f"{member.name}" for n in needles if n in data]
        if export.wait() != 0:
            raise Failed("docker export failed")
    finally:
        docker("rm", "--volumes", container)
    if found:
        raise Failed(f"the CA secret reached the image: {found}")
    say(f"the CA secret is in none of the image's {files:,} files, its history or its config")


def report_sizes() -> None:
    """The image, its base, and each layer the project adds (docker history)."""
    image = int(docker("image", "inspect", "--format", "{{.Size}}", IMAGE))
    base = int(docker("image", "inspect", "--format", "{{.Size}}", BASE))
    say(f"image {mib(image)}: base {mib(base)} + tuneforge {mib(image - base)}; its layers:")
    layers = docker("history", "--format", "{{.Size}}\t{{.CreatedBy}}", IMAGE).splitlines()
    base_layers = len(docker("history", "--quiet", BASE).splitlines())
    for line in layers[: len(layers) - base_layers]:
        size, _, created_by = line.partition("\t")
        if size not in ("0B", "0"):
            print(f"    {size:>8}  {created_by[:100]}", flush=True)


def check_imports() -> None:
    """Every module of the service imports in the image: nothing trimmed is needed (not the
    scripts: `__main__`, and the migrations Alembic runs in each container's `db upgrade`)."""
    script = (
        "import pkgutil, importlib\n"
        "names = [m.name for p in ('api', 'models', 'tasks', 'tuneforge')"
        " for m in pkgutil.walk_packages(importlib.import_module(p).__path__, p + '.')"
        " if not m.name.startswith('models.store.migrations.')"
        " and not m.name.endswith('.__main__')]\n"
        "[importlib.import_module(n) for n in names]\n"
        "print(len(names))\n"
    )
    count = docker(
        "run", "--rm", "--network", "host", "--entrypoint", "python", IMAGE, "-c", script
    )
    say(f"all {count} modules of api, models, tasks and the SDK import in the image")


# The backing services ---------------------------------------------------------------------


def fresh_database(stack: contextlib.ExitStack) -> str:
    import psycopg

    name = f"tuneforge_image_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    stack.callback(drop)
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def empty_broker(stack: contextlib.ExitStack) -> str:
    """A Redis database that is empty and that no client uses: the run's own."""
    import redis

    admin = redis.Redis(host="127.0.0.1", port=6379)
    in_use = {int(c["db"]) for c in admin.client_list()} | {
        int(db[2:]) for db in admin.info("keyspace")
    }
    free = [db for db in range(15, 0, -1) if db not in REDIS_DBS_TAKEN | in_use]
    if not free:
        raise Failed(f"no empty Redis database without clients (in use: {sorted(in_use)})")
    url = f"redis://127.0.0.1:6379/{free[0]}"
    stack.callback(redis.Redis.from_url(url).flushdb)
    say(f"broker {url}")
    return url


def moto_server(stack: contextlib.ExitStack, log: Path) -> str:
    """moto's S3 server on a free loopback port, with the bucket for the run."""
    import boto3

    url = f"http://127.0.0.1:{free_port()}"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", url.rsplit(":", 1)[1]],
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def stop() -> None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

    stack.callback(stop)

    def answers() -> bool:
        if server.poll() is not None:
            raise Failed(f"moto's server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return False

    wait_for("moto's server", answers, 30)
    boto3.client("s3", endpoint_url=url, region_name="us-east-1", **lower(S3_ENV)).create_bucket(
        Bucket="tuneforge-image-test"
    )
    return url


def lower(env: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in env.items() if k != "AWS_DEFAULT_REGION"}


# The containers ---------------------------------------------------------------------------


class Containers:
    """The run's containers: their logs on failure, and removed (with their volumes) at
    the end."""

    def __init__(self, stack: contextlib.ExitStack, tag: str) -> None:
        self.tag = tag
        self.names: list[str] = []
        stack.callback(self.remove)

    def start(self, role: str, env: dict[str, str], health: list[str]) -> str:
        name = f"tuneforge-image-test-{role}-{self.tag}"
        self.names.append(name)
        flags = [f"--env={k}={v}" for k, v in env.items()]
        docker("run", "--detach", "--name", name, "--network", "host", *health, *flags, IMAGE, role)
        return name

    def print_logs(self) -> None:
        for name in self.names:
            logs = run(DOCKER, "logs", "--tail", "200", name, check=False)
            print(f"----- docker logs {name} (last 200 lines) -----", file=sys.stderr)
            print(logs.stdout + logs.stderr, file=sys.stderr)

    def remove(self) -> None:
        for name in self.names:
            run(DOCKER, "rm", "--force", "--volumes", name, check=False)


def wait_healthy(name: str, seconds: float = 120) -> None:
    def healthy() -> bool:
        state = json.loads(docker("inspect", "--format", "{{json .State}}", name))
        if not state["Running"]:
            raise Failed(f"{name} exited with {state['ExitCode']}")
        return state["Health"]["Status"] == "healthy"

    wait_for(f"{name} healthy", healthy, seconds, every=1)
    say(f"{name}: healthy")


def check_users(name: str) -> None:
    """Every process in the container runs as the image's user and group, both named in
    the image (Celery takes a group it cannot name for root, and says so), none as root."""
    script = (
        "import grp, os, pwd, re\n"
        "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "    try:\n"
        "        status = open(f'/proc/{pid}/status').read()\n"
        "        cmd = ' '.join(open(f'/proc/{pid}/cmdline').read().split())[:70]\n"
        "    except OSError:\n"
        "        continue\n"
        "    uid, gid = (int(re.search(k + r':\\s+(\\d+)', status)[1]) for k in ('Uid', 'Gid'))\n"
        "    try:\n"
        "        names = f'{pwd.getpwuid(uid).pw_name}:{grp.getgrgid(gid).gr_name}'\n"
        "    except KeyError:\n"
        "        names = 'unnamed'\n"
        "    print(f'{uid}:{gid}', names, cmd)\n"
    )
    # runc's own `runc init` shows for an instant while it starts an exec (a health check)
    # as the user; it is Docker's, not the image's.
    lines = [
        line
        for line in docker("exec", name, "python", "-c", script).splitlines()
        if not line.endswith(" runc init")
    ]
    owners = {" ".join(line.split(" ", 2)[:2]) for line in lines}
    if owners != {f"{UID}:{UID} tuneforge:tuneforge"} or len(lines) < 2:
        raise Failed(
            f"{name}: not every process is {UID}:{UID} tuneforge:tuneforge:\n" + "\n".join(lines)
        )
    say(f"{name}: every process ({len(lines) - 1} and this check) runs as {UID}:{UID} tuneforge")


class Api:
    def __init__(self, port: int, key: str) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.key = key

    def call(self, method: str, path: str, body: bytes | None = None, kind: str = "") -> bytes:
        request = urllib.request.Request(self.url + path, data=body, method=method)
        request.add_header("Authorization", f"Bearer {self.key}")
        if kind:
            request.add_header("Content-Type", kind)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.read()
        except urllib.error.HTTPError as error:
            raise Failed(f"{method} {path}: {error.code} {error.read()[:2000]!r}") from error

    def json(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        return json.loads(self.call(method, path, data, "application/json" if data else ""))


def run_a_job(api: Api) -> None:
    """Upload breast cancer, run a 4-candidate grid to its model, download it."""
    from sklearn.datasets import load_breast_cancer

    table = load_breast_cancer(as_frame=True).frame.to_csv(index=False).encode()
    dataset = json.loads(api.call("POST", "/v1/datasets?name=breast_cancer", table, "text/csv"))
    say(f"uploaded dataset {dataset['id']}: {dataset['n_rows']} rows")
    spec = {
        "dataset_id": dataset["id"],
        "target": "target",
        "estimator": "decision_tree",
        "strategy": "grid",
        "param_space": {"max_depth": [2, 4], "min_samples_leaf": [1, 5]},
        "cv": {"folds": 3},
    }
    job = api.json("POST", "/v1/jobs", spec)
    say(f"submitted job {job['id']}")
    status: dict[str, Any] = {}

    def finished() -> bool:
        status.update(api.json("GET", f"/v1/jobs/{job['id']}"))
        return status["status"] in ("succeeded", "failed", "cancelled")

    wait_for(f"job {job['id']} finished", finished, 300, every=1)
    if status["status"] != "succeeded":
        raise Failed(f"job {job['id']} {status['status']}: {status}")
    result = api.json("GET", f"/v1/jobs/{job['id']}/result")
    model = api.call("GET", f"/v1/jobs/{job['id']}/model")
    digest = hashlib.sha256(model).hexdigest()
    if digest != result["model"]["sha256"]:
        raise Failed(f"model sha256 {digest} != the result's {result['model']['sha256']}")
    say(
        f"job succeeded (best {result['best_score']:.3f} with {result['best_params']}); "
        f"model {len(model):,} bytes, sha256 {digest[:16]}… as the result says"
    )


def run_the_service(stack: contextlib.ExitStack, workdir: Path) -> None:
    key = secrets.token_hex(16)
    port = free_port()
    env = {
        "TUNEFORGE_DATABASE_URL": fresh_database(stack),
        "TUNEFORGE_BROKER_URL": empty_broker(stack),
        "TUNEFORGE_STORAGE_URL": "s3://tuneforge-image-test/artifacts",
        "TUNEFORGE_S3_ENDPOINT_URL": moto_server(stack, workdir / "moto.log"),
        **S3_ENV,
        "TUNEFORGE_API_KEYS": f"image-test:{key}",
        # the host network: listen on loopback only, on a port of the run's own
        "TUNEFORGE_HOST": "127.0.0.1",
        "TUNEFORGE_PORT": str(port),
        "TUNEFORGE_API_WORKERS": "1",
        "TUNEFORGE_WORKER_CONCURRENCY": "1",
    }
    containers = Containers(stack, secrets.token_hex(4))
    try:
        # The image's own HEALTHCHECK for the API, the workers' heartbeat check as compose
        # runs it for the others; every 2 s instead of 30.
        fast = ["--health-interval=2s", "--health-start-period=60s", "--health-timeout=10s"]
        names = [
            containers.start("api", env, fast),
            containers.start("worker", env, [*fast, "--health-cmd=tuneforge worker-health"]),
            containers.start(
                "webhook-worker",
                env,
                [*fast, "--health-cmd=tuneforge worker-health --role webhooks"],
            ),
        ]
        for name in names:
            wait_healthy(name)
        for name in names:
            check_users(name)
        run_a_job(Api(port, key))
    except BaseException:
        containers.print_logs()
        raise


def main() -> int:
    # A stop (make interrupted, CI's deadline) cleans up as a failure does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        try:
            install_tools()
            start_dockerd(stack)
            base_image()
            bundle = machine_ca()
            secret = Path(tmp) / "ca.pem"
            extra: set[str] = set()
            if bundle:
                text = bundle.read_text(encoding="utf-8", errors="replace")
                extra = pem_blocks(text) - public_certificates()
                say(f"machine CA bundle {bundle}: {len(extra)} certificate(s) of its own")
                secret.write_text(text + "\n")
            else:
                say("no CA bundle configured for pip on this machine: building without one")
            with secret.open("a", encoding="utf-8") as out:
                out.write(f"# {SECRET_MARKER}\n")
            build(secret)
            check_secret_is_absent(extra)
            report_sizes()
            check_imports()
            run_the_service(stack, Path(tmp))
        except Failed as failure:
            print(f"[image-test] FAILED: {failure}", file=sys.stderr, flush=True)
            return 1
    say(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
