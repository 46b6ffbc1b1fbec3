"""French test sets written from any corpus by a language model, each question checked before it is kept.

Small models write poor question/answer pairs when asked for both, so for numbers, dates and names
the answer is picked first, from the sentence, and the model only writes the question; every
question is then answered again by the model from its sentence alone (round trip, as in
Alberti et al. 2019) and kept only if that answer holds the gold fact. Nothing here looks at our
retrieval for answerable questions, so a generated set can rank retrieval systems fairly.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tqdm import tqdm

from rag import messages
from rag.citations import named_facts
from rag.documents import BODY
from rag.french import STOP_WORDS, looks_foreign, sentence_spans, strip_accents, terms

from .metrics import contains_fact

KINDS = ("number", "name", "fact", "why", "paraphrase")  # answerable kinds, asked in turn
UNANSWERABLE_SHARE = 0.2
MAX_ATTEMPTS_PER_QUESTION = 7  # bounds the time when the model keeps failing the checks
DUPLICATE_OVERLAP = 0.7  # share of search terms two questions may have in common
MAX_SAME_ANSWER = 2  # questions kept with one answer: on a corpus about Hollande, he answered 7 of 35
INVENTED_TERMS = 2  # a question with this many words that neither its sentence nor its title holds is dropped
COPIED_SENTENCE = 0.8  # an answer holding this share of its sentence's words asks for no fact
ANSWER_FROM_SENTENCE = 0.5  # an answer the model wrote ("fact") needs this share of its words from its sentence

DROP_REASONS = {
    "form": "forme (pas une question, trop courte ou trop longue)",
    "foreign": "pas en français",
    "not_standalone": "ne se comprend pas seule (« l'extrait », « le texte »…)",
    "answer_missing": "réponse absente de la phrase source",
    "answer_in_question": "réponse déjà dans la question",
    "answer_is_sentence": "la réponse recopie la phrase (la question ne demande aucun fait précis)",
    "invented": "la question ajoute des mots absents de sa phrase (elle demande autre chose)",
    "round_trip": "le modèle, relisant la phrase, ne retrouve pas la réponse",
    "same_as_original": "reformulation identique à l'originale",
    "duplicate": "doublon d'une question gardée",
    "same_answer": f"même réponse que {MAX_SAME_ANSWER} questions gardées (le jeu doit couvrir plusieurs faits)",
    "corpus_answers": "le corpus semble y répondre (question voulue sans réponse)",
}
_REFERS_TO_TEXT = re.compile(
    r"\b(extrait|passage|texte|document|phrase|ci-dessus|mentionn\w*|cit[ée]\w*|cet article|l'article"
    r"|selon l'auteur)\b",
    re.IGNORECASE,
)
_CLOCK_TIME = re.compile(r"^\d{1,2}h\d{2}$")  # a live blog's timestamps are not facts worth asking for
_CLOCK_UNIT = re.compile(r"\s*(h|heures?|minutes?)\b")  # "18 heures 45", "ces dernières 24 heures"
_PERCENT = re.compile(r"\s?(?:%|pour ?cent\b)")  # "100" of "à 100%" made "Quel est le destin du président ?"
_NAME_TAIL = re.compile(r"(?:(?:\s+(?:de|Le|La|al|el|ben|bin)\s+|\s+d['’])[A-ZÀ-ÖØ-Þ][\w’'-]*)+")
_CAUSE = re.compile(  # a clause giving a cause or purpose: "pour" only before a verb ("pour lui" is not one)
    r"\b(?i:parce qu|puisqu|car\b|afin d|afin qu|en raison d|à cause d|grâce à|faute d|suite à|en réponse à"
    r"|pour (?:que|qu['’]|(?:ne (?:pas|plus) )?(?:[lsdmn]['’]|les |la |le |se |y |en |leur )?"
    r"[a-zàâéèêîôûç-]+(?:er|ir|re)\b))"
    r"[^,;:.!?«»\"()]*")
CAUSE_WORDS = (3, 20)  # a cause clause shorter says nothing; longer is not an answer (`check`)
_ASKING_TERMS = frozenset(terms("nom année date jour pays ville personnes groupe événement deux"))

_ASK_FOR_ANSWER = (
    "Extrait d'un article ({title}) :\n« {sentence} »\n\nÉcris une seule question en français dont la réponse est "
    "« {answer} ». La question doit se comprendre sans avoir lu l'extrait (nomme les personnes, les lieux et les "
    "événements) et ne doit pas contenir « {answer} ».\nQuestion :"
)
_ASK_WHY = (  # the sentence without its cause: shown the cause, the model copies it into the question
    "Extrait d'un article ({title}) :\n« {sentence} »\n\nÉcris une seule question en français, commençant par "
    "« Pourquoi », sur l'action principale de cet extrait. La question doit se comprendre sans avoir lu l'extrait "
    "(nomme les personnes, les lieux et les événements).\nQuestion :"
)
_ASK_FREE = (
    "Extrait d'un article ({title}) :\n« {sentence} »\n\nÉcris une seule question en français sur un fait précis de "
    "l'extrait (qui, quoi, où), qui se comprend sans avoir lu l'extrait (nomme les personnes, les lieux et les "
    "événements), puis sa réponse courte, prise dans l'extrait.\nRéponds exactement sous cette forme :\nQuestion : "
    "…\nRéponse : …"
)
_PARAPHRASE = (
    "Réécris cette question avec d'autres mots (synonymes, autre tournure), sans changer son sens ni sa réponse.\n"
    "Question : {question}\nNouvelle question :"
)
_UNANSWERABLE = (
    "Extrait d'un article ({title}) :\n« {sentence} »\n\nÉcris une seule question en français, sur le même sujet, "
    "qui se comprend sans avoir lu l'extrait, mais qui demande un détail que l'extrait ne donne pas (un nombre, "
    "une date, un nom).\nQuestion :"
)
_ROUND_TRIP = ("Phrase : « {sentence} »\n\nRéponds en quelques mots, d'après cette phrase seulement.\n"
               "Question : {question}\nRéponse :")


@dataclass
class Draft:
    """A question in the making, with the sentence it was written from."""

    kind: str
    source: str
    title: str
    sentence: str
    question: str = ""
    answer: str = ""
    facts: list[str] = field(default_factory=list)
    original: str = ""  # a paraphrase's first wording, the one written from the sentence

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"


@dataclass
class GeneratedSet:
    items: list[dict]
    dropped: Counter
    attempts: int
    wanted: int


def generate(assistant, count: int, seed: int = 13, generator: str = "local", progress: bool = True) -> GeneratedSet:
    """``count`` checked questions over the assistant's index: a fifth unanswerable, the rest spread
    over the files and over `KINDS`."""
    model = assistant.generator(generator)
    sentences = _sentences_by_source(assistant.index.all_chunks(), random.Random(seed))
    if not sentences:
        raise ValueError("Aucune phrase assez longue dans le corpus pour en tirer des questions.")
    wanted_unanswerable = round(count * UNANSWERABLE_SHARE)
    plan = ["unanswerable"] * wanted_unanswerable + [KINDS[i % len(KINDS)] for i in range(count - wanted_unanswerable)]
    random.Random(seed).shuffle(plan)
    kept: list[Draft] = []
    dropped: Counter = Counter()
    attempts = 0
    sources = sorted(sentences)
    random.Random(seed).shuffle(sources)  # with many files, the first ones in name order would get every question
    bar = tqdm(total=count, desc="Questions générées", unit="question", disable=not progress)
    while plan and attempts < count * MAX_ATTEMPTS_PER_QUESTION:
        source = sources[attempts % len(sources)]
        pool = sentences[source]
        turn = attempts // len(sources) % len(pool)  # the files take turns, a sentence each
        title, sentence = next((pair for pair in pool[turn:] + pool[:turn]
                                if plan[0] != "why" or cause_clause(pair[1])), pool[turn])
        attempts += 1
        draft = _write(model, Draft(plan[0], source, title, sentence), kept)
        reason = check(draft, kept) if draft else "form"
        if reason is None:
            reason = _model_check(model, assistant, draft)
        if reason:
            dropped[reason] += 1
            plan.append(plan.pop(0))  # a kind the model keeps failing must not hold up the others
            continue
        kept.append(draft)
        plan.pop(0)
        bar.update()
    bar.close()
    items = [_item(n, d, generator) for n, d in enumerate(kept, start=1)]
    return GeneratedSet(items, dropped, attempts, count)


def _sentences_by_source(chunks, rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    """(title, sentence) of the body text of each file, shuffled; reader comments are left out, and so is
    the title where the text repeats it: a headline ("Syrie: Moscou va coopérer avec ses «alliés» français")
    is too terse to ask from."""
    by_source: dict[str, list[tuple[str, str]]] = {}
    for chunk in chunks:
        if chunk.kind != BODY:
            continue
        for start, end in sentence_spans(chunk.text):
            sentence = " ".join(chunk.text[start:end].split())
            if 8 <= len(sentence.split()) <= 60 and set(terms(sentence)) != set(terms(chunk.title)):
                by_source.setdefault(chunk.source, []).append((chunk.title, sentence))
    for pool in by_source.values():
        rng.shuffle(pool)
    return by_source


def _write(model, draft: Draft, kept: list[Draft]) -> Draft | None:
    """Ask the model for the draft's question (and answer); None when its reply has no question and answer.
    The answer is taken from the sentence first (a name, a number, a clause giving a cause) and the model only
    writes the question: asked for both, the 1.5B model invents causes ("Pour prévenir une nouvelle guerre
    mondiale") or answers with the whole sentence. A sentence without what its kind needs is asked a "fact"
    question instead, and so is one whose answers were asked for often enough (`MAX_SAME_ANSWER`)."""
    if draft.kind in ("number", "name", "paraphrase", "why"):
        wanted = {"number": ("number", "date"), "name": ("name",), "paraphrase": ("number", "date", "name")}
        facts = [cause_clause(draft.sentence)] if draft.kind == "why" else answer_candidates(
            draft.sentence, wanted[draft.kind])
        facts = [fact for fact in facts if fact and not _asked_often(fact, kept)]
        if not facts:
            draft.kind = "fact"
            return _write(model, draft, kept)
        draft.answer = max(facts, key=len)
        if draft.kind == "why":
            rest = draft.sentence.replace(draft.answer, "")
            draft.question = _first_line(model.write(_ASK_WHY.format(title=draft.title, sentence=rest), 80))
            draft.facts = free_answer_facts(draft.answer, draft.question, draft.sentence)
        else:
            draft.question = _first_line(model.write(
                _ASK_FOR_ANSWER.format(title=draft.title, sentence=draft.sentence, answer=draft.answer), 80))
            draft.facts = [draft.answer]
        if draft.kind == "paraphrase" and check(draft, []) is None:
            draft.original = draft.question
            draft.question = _first_line(model.write(_PARAPHRASE.format(question=draft.original), 80))
            if _shared_terms(draft.question, draft.original) == 1.0:
                draft.question = ""  # the model copied it: counted as a failed paraphrase
        return draft
    if draft.kind == "unanswerable":
        draft.question = _first_line(model.write(_UNANSWERABLE.format(title=draft.title, sentence=draft.sentence), 80))
        return draft
    reply = model.write(_ASK_FREE.format(title=draft.title, sentence=draft.sentence), 120)
    question = re.search(r"Question\s*:\s*(.+)", reply)
    answer = re.search(r"Réponse\s*:\s*(.+)", reply)
    if not question or not answer:
        return None
    draft.question, draft.answer = question.group(1).strip(), answer.group(1).strip().rstrip(".")
    draft.facts = free_answer_facts(draft.answer, draft.question, draft.sentence)
    return draft


def cause_clause(sentence: str) -> str | None:
    """The sentence's clause that gives a cause or purpose ("pour tenter de concentrer le combat contre l'EI",
    "en raison de l'actuelle menace terroriste"), up to the next comma; the answer to a "why" question."""
    for match in _CAUSE.finditer(sentence):
        clause = match.group().strip()
        if CAUSE_WORDS[0] <= len(clause.split()) <= CAUSE_WORDS[1]:
            return clause
    return None


def answer_candidates(sentence: str, kinds: tuple[str, ...]) -> list[str]:
    """The sentence's numbers, dates and names of ``kinds``, as written, that make a whole answer: a name
    with its particles ("Charles de Gaulle"), never the end of a longer name ("Islamique" of "l'Etat
    Islamique"), a name across a comma ("Défense, Sergueï Choïgou" gives the person) or a time of day. Asked for
    "Charles", "Affaires" or "18", the model wrote questions about something else."""
    found: list[str] = []
    taken = 0  # where the last answer ended: "Gaulle" alone is not another one
    for kind, text in named_facts(sentence):
        if kind not in kinds or len(text) < 2 or _CLOCK_TIME.match(text):
            continue
        words = text.split()
        match = next(filter(None, (re.search(rf"(?<![\w’'-]){re.escape(' '.join(words[i:]))}(?![\w’'-])",
                                             sentence[taken:]) for i in range(len(words)))), None)
        if not match:
            continue
        start, end = taken + match.start(), taken + match.end()
        if sentence[start - 1 : start] == "@":  # a live blog's reply to a reader: "@Arnaud François Hollande"
            start = sentence.find(" ", start) + 1
            if not start or start >= end:
                continue
        if kind == "name":
            before = sentence[:start].split()
            if before and re.sub(r"^\w['’]", "", before[-1])[:1].isupper() and before[-1][-1].isalnum():
                if len(before) > 1 or strip_accents(before[-1].lower()) in STOP_WORDS:
                    continue
                start = 0  # the sentence's first word, which named_facts never counts: "Vladimir Poutine"
            tail = _NAME_TAIL.match(sentence, end)
            end = tail.end() if tail else end
        elif _CLOCK_UNIT.match(sentence, end) or re.search(r"\b(h|heures?)\s*$", sentence[:start]):
            continue
        else:
            percent = _PERCENT.match(sentence, end)
            end = percent.end() if percent else end
        found.append(sentence[start:end])
        taken = end
    return found


def free_answer_facts(answer: str, question: str, sentence: str) -> list[str]:
    """What a written answer must contain: its names and numbers that the question does not give, else
    its three longest words that the sentence holds and the question lacks (a why/how answer is a
    clause the model rewords; its key words still say whether an answer found it)."""
    asked = set(terms(question))
    named = [text for _, text in named_facts(answer, fragment=True) if len(text) > 1 and not set(terms(text)) <= asked]
    if named:
        return named
    words = [w.strip(".,;:!?«»\"'’()") for w in answer.split()]
    kept = [w for w in dict.fromkeys(words) if len(w) >= 5 and terms(w) and not set(terms(w)) <= asked
            and contains_fact(sentence, w)]
    return sorted(kept, key=len, reverse=True)[:3] or [answer]


def check(draft: Draft, kept: list[Draft]) -> str | None:
    """Why the draft must be dropped (a key of `DROP_REASONS`), or None; these checks need no model."""
    question = draft.question.strip()
    if not question:
        return "same_as_original" if draft.kind == "paraphrase" and draft.answer else "form"
    if not question.endswith("?") or not 4 <= len(question.split()) <= 40:
        return "form"
    if looks_foreign(question):
        return "foreign"
    if _REFERS_TO_TEXT.search(question):
        return "not_standalone"
    if draft.answerable:
        sentence_terms = set(terms(draft.sentence))
        answer_terms = set(terms(draft.answer))
        if not draft.answer or len(draft.answer.split()) > 20 or not all(
                contains_fact(draft.sentence, fact) for fact in draft.facts) or (
                len(answer_terms & sentence_terms) < ANSWER_FROM_SENTENCE * len(answer_terms)):
            return "answer_missing"
        if any(contains_fact(question, fact) for fact in draft.facts):
            return "answer_in_question"
        if len(sentence_terms & answer_terms) >= COPIED_SENTENCE * len(sentence_terms):
            return "answer_is_sentence"
        if invented(draft.original or question, f"{draft.title} {draft.sentence}"):
            return "invented"
        if _asked_often(draft.answer, kept):
            return "same_answer"
    if any(_shared_terms(question, other.question) >= DUPLICATE_OVERLAP for other in kept):
        return "duplicate"
    return None


def invented(question: str, sentence: str) -> bool:
    """Whether the question brings words its sentence lacks: the 1.5B model asked for the question whose
    answer is "Hollande" wrote "Quel est le nom du ministre de la Défense qui…", and the round trip,
    which answers from the sentence, still found "Hollande". "Quel jour", "quel pays"… are allowed."""
    return len(set(terms(question)) - set(terms(sentence)) - _ASKING_TERMS) >= INVENTED_TERMS


def _model_check(model, assistant, draft: Draft) -> str | None:
    """Round trip for an answerable question; for an unanswerable one, whether the corpus answers it."""
    if draft.answerable:
        reply = model.write(_ROUND_TRIP.format(sentence=draft.sentence, question=draft.question), 40)
        return None if all(contains_fact(reply, fact) for fact in draft.facts) else "round_trip"
    retrieval = assistant.retrieve(draft.question)
    probability = model.answerability(draft.question, retrieval)
    if probability is None:
        passages = "\n".join(f"[{n}] {p.chunk.text}" for n, p in enumerate(retrieval.passages, start=1))
        prompt = messages.ANSWER_USER_PROMPT.format(passages=passages, question=draft.question)
        reply = model.write(f"{prompt}\n\n{messages.ANSWERABILITY_PROMPT}", 3)
        probability = 1.0 if reply.lower().startswith("oui") else 0.0
    return "corpus_answers" if probability >= 0.5 else None


def _first_line(text: str) -> str:
    lines = [line.strip(" «»\"*") for line in text.strip().splitlines() if line.strip()]
    return re.sub(r"^(Nouvelle question|Question)\s*:\s*", "", lines[0]) if lines else ""


def _asked_often(answer: str, kept: list[Draft]) -> bool:
    """Whether `MAX_SAME_ANSWER` kept questions have this answer ("M. Hollande" is "François Hollande")."""
    mine = _answer_terms(answer)
    theirs = [_answer_terms(d.answer) for d in kept if d.answerable]
    return bool(mine) and sum(mine <= other or other <= mine for other in theirs) >= MAX_SAME_ANSWER


def _answer_terms(answer: str) -> set[str]:
    return {t for t in terms(answer) if len(t) > 1}


def _shared_terms(a: str, b: str) -> float:
    first, second = set(terms(a)), set(terms(b))
    return len(first & second) / len(first | second) if first | second else 1.0


def _item(n: int, draft: Draft, generator: str) -> dict:
    item = {"id": f"g-{n:03d}", "question": draft.question, "answerable": draft.answerable, "kind": draft.kind,
            "generated": generator}
    if draft.answerable:
        item.update(answer=draft.answer, facts=draft.facts, sources=[draft.source])
    return item


def summary(result: GeneratedSet, out: str, seconds: float, on_line: Callable[[str], None] = print) -> None:
    kinds = Counter(item["kind"] for item in result.items)
    sources = Counter(s for item in result.items for s in item.get("sources", []))
    short = (f" sur {result.wanted} demandées : essais épuisés ({MAX_ATTEMPTS_PER_QUESTION} par question)"
             if len(result.items) < result.wanted else "")
    on_line(f"{len(result.items)} questions écrites dans {out}{short}, en {seconds:.0f} s "
            f"({result.attempts} essais) : "
            + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())))
    on_line(f"Réparties sur {len(sources)} fichier(s) : "
            + ", ".join(f"{source} {n}" for source, n in sorted(sources.items())))
    if result.dropped:
        on_line("Écartées :")
        for reason, n in result.dropped.most_common():
            on_line(f"  {n:4d}  {DROP_REASONS[reason]}")
