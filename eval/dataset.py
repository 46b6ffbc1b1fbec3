"""Gold question sets in JSONL: one JSON object per line (format in eval/README.md)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATASET = Path(__file__).resolve().parent / "datasets" / "gold_fr.jsonl"

REQUIRED = ("id", "question", "answerable")
ALLOWED = {"id", "question", "answer", "sources", "answerable", "history", "facts", "kind", "generated"}


class DatasetError(ValueError):
    """A French message naming the file and the line at fault."""


@dataclass
class GoldItem:
    id: str
    question: str
    answerable: bool
    answer: str = ""
    sources: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    history: list[dict[str, str]] | None = None
    kind: str = ""
    generated: str = ""  # the model that wrote the question (`rag eval generate`); empty when hand-written

    @property
    def gold_facts(self) -> list[str]:
        """The facts to look for in an answer; the gold answer itself when none are listed."""
        return self.facts or ([self.answer] if self.answer else [])


def parse_item(obj: object, where: str) -> GoldItem:
    if not isinstance(obj, dict):
        raise DatasetError(f"{where} : un objet JSON {{…}} est attendu")
    missing = [k for k in REQUIRED if k not in obj]
    if missing:
        raise DatasetError(f"{where} : champ(s) obligatoire(s) manquant(s) : {', '.join(missing)}")
    unknown = sorted(set(obj) - ALLOWED)
    if unknown:
        raise DatasetError(f"{where} : champ(s) inconnu(s) : {', '.join(unknown)} (permis : {', '.join(sorted(ALLOWED))})")
    if not isinstance(obj["id"], str) or not obj["id"].strip():
        raise DatasetError(f"{where} : « id » doit être un texte non vide")
    if not isinstance(obj["question"], str) or not obj["question"].strip():
        raise DatasetError(f"{where} : « question » doit être un texte non vide")
    if not isinstance(obj["answerable"], bool):
        raise DatasetError(f"{where} : « answerable » doit valoir true ou false")
    answer = obj.get("answer", "")
    if not isinstance(answer, str):
        raise DatasetError(f"{where} : « answer » doit être un texte")
    if obj["answerable"] and not answer.strip():
        raise DatasetError(f"{where} : une question à laquelle on peut répondre (answerable) demande une « answer »")
    for key in ("sources", "facts"):
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
            raise DatasetError(f"{where} : « {key} » doit être une liste de textes non vides")
    for key in ("kind", "generated"):
        if not isinstance(obj.get(key, ""), str):
            raise DatasetError(f"{where} : « {key} » doit être un texte")
    history = obj.get("history")
    if history is not None:
        if not isinstance(history, list):
            raise DatasetError(f"{where} : « history » doit être une liste de tours {{role, content}}")
        for turn in history:
            if (
                not isinstance(turn, dict)
                or set(turn) != {"role", "content"}
                or turn["role"] not in ("user", "assistant")
                or not isinstance(turn["content"], str)
            ):
                raise DatasetError(
                    f"{where} : chaque tour de « history » est {{\"role\": \"user\"|\"assistant\", \"content\": texte}}"
                )
    return GoldItem(
        id=obj["id"].strip(),
        question=obj["question"].strip(),
        answerable=obj["answerable"],
        answer=answer.strip(),
        sources=list(obj.get("sources", [])),
        facts=list(obj.get("facts", [])),
        history=history or None,
        kind=obj.get("kind", ""),
        generated=obj.get("generated", ""),
    )


def load_dataset(path: str | Path) -> list[GoldItem]:
    """Read and check a JSONL gold set; blank lines and lines starting with ``#`` are skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise DatasetError(f"{path} : fichier introuvable") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path} : lecture impossible ({exc})") from exc
    items: list[GoldItem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path.name}, ligne {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where} : JSON invalide ({exc.msg})") from exc
        item = parse_item(obj, where)
        if item.id in seen:
            raise DatasetError(f"{where} : identifiant « {item.id} » en double")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DatasetError(f"{path} : aucune question")
    return items
