"""The image, checked without Docker (it does not run on the development machines): the
Dockerfile's instructions, what .dockerignore keeps out of the build context, and the image's
layout rebuilt in a temporary directory by replaying the Dockerfile's COPY steps and its
catalog compilation."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath

import pytest

from bot import i18n
from core.text.languages import LANGUAGES
from tests.support.deployment_files import (
    COMPOSE_SECRETS,
    PREFIX,
    ROOT,
    SERVICE,
    environment,
    secret_settings,
)
from tests.support.docker_build import copies, dockerfile, dockerfile_env_names, ignored, runtime


def test_the_base_images_are_slim() -> None:
    names: set[str] = set()
    for stage in dockerfile():
        assert stage.base in names or "-slim" in stage.base, stage.base
        if stage.name:
            names.add(stage.name)
    assert len(dockerfile()) >= 2, "multi-stage: the runtime image has no build leftovers"


def test_the_service_runs_as_a_fixed_non_root_user() -> None:
    stage = runtime()
    users = stage.all("USER")
    assert users, "no USER: the service would run as root"
    user = users[-1].args.split(":")[0]
    assert user not in ("root", "0")
    assert user.isdigit(), "a numeric uid: Kubernetes' runAsNonRoot can only check those"
    entrypoint = stage.all("ENTRYPOINT")[-1]
    assert users[-1].line < entrypoint.line
    useradd = " ".join(i.args for i in stage.all("RUN"))
    assert f"--uid {user}" in useradd, "the user is created with that uid"


def test_the_entrypoint_is_the_cli_and_the_port_is_exposed() -> None:
    stage = runtime()
    assert stage.all("ENTRYPOINT")[-1].exec_form() == ["signaalpunt"]
    assert stage.all("CMD")[-1].exec_form() == ["run"]
    assert [i.args for i in stage.all("EXPOSE")] == [environment(SERVICE)[PREFIX + "HTTP_PORT"]]


def test_the_image_has_a_healthcheck_without_curl() -> None:
    (healthcheck,) = runtime().all("HEALTHCHECK")
    command = healthcheck.args[healthcheck.args.index("CMD ") + 4 :]
    probe = json.loads(command)
    assert probe[0] == "python"
    assert "/healthz" in probe[-1]


def pybabel_commands() -> list[list[str]]:
    found = [
        words
        for stage in dockerfile()
        for instruction in stage.all("RUN")
        for part in instruction.args.split("&&")
        if (words := shlex.split(part))[:2] == ["pybabel", "compile"]
    ]
    assert found, "the Dockerfile does not compile the catalogs"
    return found


def test_the_catalogs_are_compiled() -> None:
    commands = pybabel_commands()
    domains = {command[command.index("--domain") + 1] for command in commands}
    assert domains == {i18n.DOMAIN, i18n.STAFF_DOMAIN}  # the residents' and staff's
    for command in commands:
        assert command[command.index("--directory") + 1] == "locales"
        assert not any(w.startswith("--use-fuzzy") for w in command), "Babel 2.19 refuses it"


def test_nothing_is_added_from_the_network() -> None:
    for stage in dockerfile():
        for instruction in stage.all("ADD"):
            assert "://" not in instruction.args, "ADD of a URL: unpinned, unverified"
            assert "git@" not in instruction.args


def test_no_secret_is_baked_into_the_image() -> None:
    secrets = secret_settings() | COMPOSE_SECRETS
    for name in dockerfile_env_names():
        assert name not in secrets, name
        assert not re.search(r"KEY|TOKEN|SECRET|PASSWORD", name), name
    copied = [s for stage in dockerfile() for c in copies(stage) for s in c.sources]
    assert not [s for s in copied if ".env" in s or "keys" in s], "secrets are not copied"


def test_every_copied_path_exists_and_is_in_the_build_context() -> None:
    for stage in dockerfile():
        for copy in copies(stage):
            if copy.source_stage is not None:
                continue
            for source in copy.sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
                assert not ignored(source), f"COPY {source}: excluded by .dockerignore"


def packages() -> set[str]:
    """The top-level packages pyproject.toml installs."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        pyproject = tomllib.load(handle)
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    return {str(p).rstrip("*") for p in patterns}


def needed_top_level() -> set[str]:
    """What the image needs from the checkout: the packages (the migrations are in
    storage/, configured in code, so no alembic.ini), the catalogs, and what pip reads."""
    return packages() | {"locales", "pyproject.toml", "README.md"}


def test_everything_the_service_needs_is_copied() -> None:
    builder = dockerfile()[0]
    copied = {
        PurePosixPath(source).parts[0]
        for copy in copies(builder)
        if copy.source_stage is None
        for source in copy.sources
    }
    missing = sorted(needed_top_level() - copied)
    assert not missing, f"the Dockerfile does not COPY {missing}"


def test_the_runtime_keeps_the_builders_paths() -> None:
    # The venv's scripts and the editable install name their paths: they must not move.
    (builder,) = [s for s in dockerfile() if s.name]
    from_builder = [c for c in copies(runtime()) if c.source_stage == builder.name]
    assert {(tuple(c.sources), c.dest) for c in from_builder} == {
        (("/opt/venv",), "/opt/venv"),
        (("/app",), "/app"),
    }
    assert [c for c in copies(runtime()) if c.source_stage is None] == []
    installs = [i.args for i in builder.all("RUN") if "pip install --no-deps -e ." in i.args]
    assert installs, "the package is installed editable from /app (see the Dockerfile)"
    assert copies(builder)[-1].workdir == "/app"


# --- .dockerignore -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.production",
        "var/signaalpunt.db",
        "var/keys.json",
        "keys.json",
        "deploy/tls/privkey.pem",
        "backups/signaalpunt-2026-05-01.dump",
        "signaalpunt-2026-05-01.dump",
        ".venv/bin/python",
        ".git/config",
        "signaalpunt.egg-info/PKG-INFO",
        "bot/__pycache__/cli.cpython-311.pyc",
        "locales/nl/LC_MESSAGES/signaalpunt.mo",
        "tests/deployment/test_dockerfile.py",
        "test-artifacts/log.txt",
    ],
)
def test_dockerignore_keeps_out(path: str) -> None:
    assert ignored(path)


@pytest.mark.parametrize(
    "path",
    ["bot/i18n.py", "locales/nl/LC_MESSAGES/signaalpunt.po", "pyproject.toml", "README.md"],
)
def test_dockerignore_lets_in(path: str) -> None:
    assert not ignored(path)


# --- the image's layout, rebuilt without Docker --------------------------------------------


def copy_context(source: str, target: Path, *, into: bool) -> None:
    """COPY from the build context as Docker does it: a file to the target (or into it), a
    directory's contents into the target; only what .dockerignore lets in."""
    origin = ROOT / source
    if origin.is_file():
        destination = target / origin.name if into else target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, destination)
        return
    for path in sorted(origin.rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        if path.is_file() and not ignored(relative):
            destination = target / path.relative_to(origin)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def test_the_image_layout_has_compiled_catalogs_where_i18n_looks(tmp_path: Path) -> None:
    builder_root = tmp_path / "builder"
    builder, final = dockerfile()[0], runtime()
    for copy in copies(builder):
        for source in copy.sources:
            copy_context(source, builder_root / copy.dest.lstrip("/"), into=copy.into)
    workdir = builder_root / copies(builder)[-1].workdir.lstrip("/")
    assert not list(workdir.glob("locales/*/LC_MESSAGES/*.mo")), "a .mo from the checkout"
    # The Dockerfile's own commands, with this environment's pybabel.
    pybabel = Path(sys.executable).with_name("pybabel")
    for command in pybabel_commands():
        result = subprocess.run(
            [str(pybabel), *command[1:]], cwd=workdir, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
    runtime_root = tmp_path / "runtime"
    for copy in copies(final):
        for source in copy.sources:
            if source == "/opt/venv":
                continue  # pip's work, not rebuilt here
            shutil.copytree(builder_root / source.lstrip("/"), runtime_root / copy.dest.lstrip("/"))
    # bot/i18n.py looks next to the code's parent directory, wherever the code is.
    i18n_file = runtime_root / "app" / "bot" / "i18n.py"
    assert i18n_file.exists()
    locales = i18n_file.resolve().parent.parent / "locales"
    relative = Path(i18n.__file__).resolve().parent.parent / "locales"
    assert relative == i18n.LOCALES_DIR, "bot/i18n.py no longer finds locales/ this way"
    catalogs = i18n.load_catalogs(locales)
    for language in LANGUAGES:
        mo = locales / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
        assert mo.exists(), f"{language}: not compiled"
        # The compiled catalog is what is loaded, not the .po compiled again at every start.
        staff = [str(mo.with_name(f"{i18n.STAFF_DOMAIN}.mo"))] if language == "nl" else []
        assert catalogs[language].files == [str(mo), *staff]
    # Every file of the packages (the migrations' script.py.mako too), no .pyc of the checkout.
    for package in packages():
        for path in (ROOT / package).rglob("*"):
            name = path.relative_to(ROOT).as_posix()
            if path.is_file() and not ignored(name):
                assert (runtime_root / "app" / name).is_file(), name
    assert not list((runtime_root / "app").rglob("*.pyc")), "bytecode from the checkout"
    assert not (runtime_root / "app" / "tests").exists()
    assert not (runtime_root / "app" / ".env").exists()
