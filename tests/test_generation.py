"""Generated answers with the real local model, and through a real OpenAI-compatible server."""
import http.server
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace

import httpx
import pytest

from rag import Assistant, messages
from rag.french import looks_foreign
from rag.generation.models import model_path
from rag.generation.prompts import answer_prompt

TURKEY = "Après que la Turquie a abattu, mardi, un avion militaire russe, les dirigeants des deux pays ont dit vouloir éviter une escalade militaire dans la région."


def test_prompt_shows_question_sentences_under_their_passage_numbers(shipped_index):
    """The model reads a word budget of sentences; each keeps its passage's retrieval number,
    so a [n] it writes points at the passage the citation will show."""
    retrieval = shipped_index.retrieve("Combien de personnes sont mortes dans l'avion russe au-dessus du Sinaï ?")
    prompt = answer_prompt("…", retrieval, word_budget=60)
    shown = [line for line in prompt.splitlines() if line.startswith("[")]
    numbers = [int(line[1 : line.index("]")]) for line in shown]
    assert numbers[:2] == [1, 2] and numbers == sorted(numbers)
    words = 0
    for n, line in zip(numbers, shown):
        chunk = retrieval.passages[n - 1].chunk
        text = line.split(f"({chunk.title}) ", 1)[1]
        assert text in " ".join(chunk.text.split())
        words += len(text.split())
    assert "224" in prompt
    assert words < sum(len(p.chunk.text.split()) for p in retrieval.passages) / 2


@pytest.fixture(scope="module")
def local(shipped_index):
    shipped_index.generator("local")
    return shipped_index


def check_citations(assistant, answer, quoted=False):
    """``quoted``: verbatim sentences, which the support check does not score."""
    numbers = {c.n for c in answer.citations}
    for citation in answer.citations:
        assert assistant.source_text(citation.source)[citation.start : citation.end] == citation.text
    for sentence in answer.sentences:
        if sentence.supported:
            assert sentence.citations and set(sentence.citations) <= numbers
            assert sentence.support is None if quoted else sentence.support >= assistant.settings.min_support
    assert numbers == {n for s in answer.sentences for n in s.citations}


def test_local_answer_is_french_with_checked_citations(local):
    answer = local.ask("Qu'ont convenu Hollande et Poutine ?", generator="local")
    assert answer.answered, answer.sentences
    assert not looks_foreign(answer.text)
    assert "[1]" in answer.text
    check_citations(local, answer)
    assert answer.timings["first_token_ms"] <= answer.timings["total_ms"]


def test_weak_retrieval_is_refused_without_calling_the_model(local):
    answer = local.ask("Quelle est la recette de la tarte Tatin ?", generator="local")
    assert not answer.answered and answer.text == messages.REFUSAL
    assert "generation_ms" not in answer.timings


def test_the_model_reading_the_passages_decides_whether_they_answer(local):
    """Past the retrieval gate, the model's own refusal probability on the answer prompt decides."""
    question = "Qui est le chef de la diplomatie russe ?"
    answered = local.ask(question, generator="local")
    assert answered.answered and "Lavrov" in answered.text
    model = local.generator("local")
    assert answered.timings["answerability"] >= model.min_answerability == local.settings.min_answerability
    model.min_answerability = 1.01
    try:
        refused = local.ask(question, generator="local")
    finally:
        model.min_answerability = local.settings.min_answerability
    assert not refused.answered and "generation_ms" not in refused.timings  # refused before generating
    # Same probe; the second reads part of its prompt from llama.cpp's cache, which moves the float a little.
    assert refused.timings["answerability"] == pytest.approx(answered.timings["answerability"], abs=0.05)
    assert refused.related and refused.related[0].source == answered.citations[0].source
    # Close to the corpus (Hollande agreed things with Poutine, not with Xi Jinping): past the gate, the
    # model reads the passages and says they do not answer.
    close = local.ask("Qu'a convenu François Hollande avec le président chinois Xi Jinping ?", generator="local")
    assert not close.answered and close.related
    assert close.timings["answerability"] < model.min_answerability


def test_default_answer_quotes_the_passages_the_model_judged_to_answer(local):
    """The default generator: the passages' own sentences, each cited, once the model has read them
    and found that they give what is asked."""
    from rag.config import Settings

    assert Settings.model_fields["generator"].default == "quote"
    quote = local.generator("quote")
    assert quote.llm is local.generator("local").llm  # switching answer mode does not load the model again
    answer = local.ask("Qui est le chef de la diplomatie russe ?", generator="quote")
    assert answer.answered and "Lavrov" in answer.text
    assert answer.timings["answerability"] >= quote.min_answerability == local.settings.min_quote_answer
    check_citations(local, answer, quoted=True)
    for sentence in answer.sentences:
        cited = {c.n: c.text for c in answer.citations}[sentence.citations[0]]
        assert sentence.text in " ".join(cited.split())  # quoted, not rewritten
    quote.min_answerability = 1.01
    try:
        refused = local.ask("Qui est le chef de la diplomatie russe ?", generator="quote")
    finally:
        quote.min_answerability = local.settings.min_quote_answer
    assert not refused.answered and refused.text == messages.REFUSAL and refused.related


TYPICAL_STANDING = 3.0  # how far the best passage stood out for the median trial question (eval/README.md)


def quote_answerability(assistant, question, text, title=None, standing=TYPICAL_STANDING):
    """The quote's answerability when ``text`` is the one passage found for ``question`` (under ``title`` if given),
    standing out from the other candidates as much as ``standing`` says: the corpus's own standing belongs to the
    passage it found, not to ``text``."""
    retrieval = assistant.retrieve(question)
    passage = retrieval.passages[0]
    chunk = replace(passage.chunk, text=text, title=passage.chunk.title if title is None else title)
    found = replace(retrieval, passages=[replace(passage, chunk=chunk)], standing=standing)
    return assistant.generator("quote").answerability(question, found)


def test_a_quote_the_model_half_believes_is_given_only_from_a_passage_that_stands_out(local):
    """The search's confidence weighs with the model's: the same extract, which the model finds to answer without
    conviction, is quoted when its passage stood far ahead of the other candidates, refused when it barely led."""
    question = "Qui dirige le musée ?"
    extract = "Le musée, rénové en 2019, accueille cette saison Claire Dumas et son équipe."  # P(Oui) 0.35
    quote = local.generator("quote")
    assert (quote_answerability(local, question, extract, standing=5.5) >= quote.min_answerability
            > quote_answerability(local, question, extract, standing=1.5))


@pytest.mark.parametrize("question, gives, misses", [
    ("Combien de passagers sont morts dans l'avion russe au-dessus du Sinaï ?",
     "Les 224 passagers et membres d'équipage de l'avion russe sont morts dans le Sinaï.",
     "Moscou a suspendu ses 70 vols hebdomadaires vers l'Egypte après le crash de l'avion russe dans le Sinaï."),
    ("Qui est le chef de la diplomatie russe ?",
     "Le chef de la diplomatie russe, Sergueï Lavrov, a annulé sa visite à Ankara.",
     "Le chef de la diplomatie turque, Mevlüt Cavusoglu, a rencontré son homologue."),
    # Answered by oui or non: an extract that says non answers it.
    ("Les pneus sont-ils couverts par la garantie ?",
     "La garantie ne couvre pas les pneus ni les dommages causés par une chute.",
     "Le cadre est garanti dix ans, le moteur et la batterie deux ans."),
    ("les pneus sont couverts par la garantie ?",  # asked by its tone, answered as the inverted question
     "La garantie ne couvre pas les pneus ni les dommages causés par une chute.",
     "Le cadre est garanti dix ans, le moteur et la batterie deux ans."),
    ("Sergueï Lavrov a-t-il dit que Moscou ferait la guerre à la Turquie ?",
     "Le chef de la diplomatie russe, Sergueï Lavrov, a souligné que Moscou ne fera pas la guerre à la Turquie.",
     "Le chef de la diplomatie russe, Sergueï Lavrov, a annulé sa visite à Ankara prévue mercredi."),
])
def test_the_model_reading_the_quote_tells_one_that_answers_from_one_that_does_not(local, question, gives, misses):
    quote = local.generator("quote")
    assert quote.llm is local.generator("local").llm  # switching answer mode does not load the model again
    assert (quote_answerability(local, question, gives) >= quote.min_answerability
            > quote_answerability(local, question, misses))


@pytest.mark.parametrize("question, says_non, elsewhere", [
    ("Le repas de midi est-il compris dans le prix de la formation ?",
     "Les repas ne sont pas compris dans le prix de la formation ; un restaurant voisin propose une formule à 11,50 "
     "euros.",
     "La formation dure cinq jours et coûte 1 890 euros par stagiaire."),
    ("Faut-il payer pour visiter l'usine ?",
     "Des visites guidées gratuites de l'usine sont proposées chaque mercredi à 15 heures, sur réservation.",
     "L'usine emploie 38 salariés et vise 900 000 boîtes la première année."),
])
def test_a_closed_question_is_answered_by_an_extract_that_says_non(local, question, says_non, elsewhere):
    """The model refused both extracts that say non (P(Oui) 0.14 and 0.48); holding the question's words, they
    answer."""
    def score(sentence):
        return quote_answerability(local, question, sentence, title="Infos pratiques")

    assert score(says_non) >= local.generator("quote").min_answerability > score(elsewhere)


def test_the_model_reads_a_quoted_sentence_under_its_document_title(local):
    """« Sa construction… » says what was built only through the title: refused without it."""
    def score(title):
        return quote_answerability(local, "Combien a coûté la construction du pont de Normandie ?",
                                   "Sa construction a coûté environ 465 millions d'euros, financés par la Chambre de "
                                   "commerce.", title=title)

    assert score("Le pont de Normandie") >= local.generator("quote").min_answerability > score("")


def test_a_long_title_is_read_when_only_it_names_the_place_asked_about(local):
    """The minutes name their town only in their title: without it, the model found that « Nadia Ferhat
    (adjointe aux finances) » does not say who handles the finances of Montbrac-sur-Lise."""
    present = ("Présents : Hélène Vasseur (maire), Bernard Chaput (premier adjoint, chargé des travaux), Nadia Ferhat "
               "(adjointe aux finances), Olivier Ménard (adjoint à la jeunesse et aux sports), Claire Aubertin.")
    assert quote_answerability(local, "Qui s'occupe des finances à la mairie de Montbrac-sur-Lise ?", present,
                               title="Compte rendu du conseil municipal de Montbrac-sur-Lise"
                               ) >= local.generator("quote").min_answerability


def test_the_model_reads_a_faq_answer_under_its_question(local):
    """« Le contrat Confort rembourse 300 euros » says it is for glasses only through the FAQ question above it."""
    quote = local.generator("quote")
    faq = ("Les lunettes sont-elles prises en charge ?\n\nOui. Le contrat Essentiel rembourse 150 euros par équipement "
           "tous les deux ans ; le contrat Confort rembourse 300 euros.")

    def score(question, text):
        return quote_answerability(local, question, text, title="Mutuelle : questions fréquentes")

    glasses = "Combien rembourse le contrat Confort pour des lunettes ?"
    assert score(glasses, faq) >= quote.min_answerability > score(glasses, faq.split("\n\n")[1])
    assert score("La mutuelle rembourse-t-elle les appareils auditifs ?", faq) < quote.min_answerability


def test_stream_grows_token_by_token_and_ends_with_the_checked_answer(local):
    parts = list(local.stream("Qui a abattu l'avion militaire russe ?", generator="local"))
    drafts = [p.text for p in parts[:-1]]
    assert len(drafts) > 3
    assert all(later.startswith(earlier) for earlier, later in zip(drafts, drafts[1:]))
    assert all(p.answer is None for p in parts[:-1]) and parts[-1].answer is not None
    final = parts[-1].answer
    # The checked answer is the streamed draft, sentence by sentence, minus what failed the check.
    assert final.sentences and all(s.text in drafts[-1] for s in final.sentences), (drafts[-1], final.sentences)
    kept = [s.text for s in final.sentences if s.supported]
    assert final.answered == bool(kept)
    if final.answered:
        assert all(text in final.text for text in kept)
        check_citations(local, final)


def test_follow_up_is_rewritten_into_a_standalone_question(local):
    history = [
        {"role": "user", "content": "Qu'ont convenu Hollande et Poutine ?"},
        {"role": "assistant", "content": "Ils ont convenu d'échanger davantage de renseignements. [1]"},
    ]
    answer = local.ask("Et sur Bachar al-Assad ?", history=history, generator="local")
    assert "Assad" in answer.query
    carried = ("Hollande", "Poutine", "France", "Russie", "convenu")  # context only the history gives
    assert any(word in answer.query for word in carried), answer.query
    assert local.search(answer.query)[0].source == "001_efd88de5e4603431.txt"


def test_judge_prefers_the_true_claim_and_rejects_an_unrelated_one(local):
    judge = local.generator("local").judge
    true = judge("La Turquie a abattu un avion militaire russe.", TURKEY)
    wrong_actor = judge("Moscou a abattu un avion militaire russe.", TURKEY)
    unrelated = judge("La France a envoyé des troupes au Mali.", TURKEY)
    assert true > wrong_actor and true > 0.5
    assert unrelated < 0.2


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(shipped_index):
    port = _free_port()
    model = model_path(shipped_index.settings.local_model, shipped_index.settings.model_cache_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "4096", "--model_alias", "qwen"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("llama.cpp server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def with_server(shipped_index, url, timeout=60.0):
    settings = shipped_index.settings.model_copy(
        update={"openai_base_url": url, "openai_model": "qwen", "openai_timeout": timeout}
    )
    return Assistant(settings, shipped_index.index)


def test_answers_through_an_openai_compatible_server(shipped_index, llama_server):
    assistant = with_server(shipped_index, llama_server)
    answer = assistant.ask("Qu'ont convenu Hollande et Poutine ?", generator="openai")
    assert answer.notice is None
    assert answer.answered and not looks_foreign(answer.text)
    check_citations(assistant, answer)


def test_server_down_gives_a_french_notice_and_the_extractive_answer(shipped_index):
    assistant = with_server(shipped_index, f"http://127.0.0.1:{_free_port()}/v1")
    answer = assistant.ask("Qui a abattu l'avion militaire russe ?", generator="openai")
    assert "ne répond pas" in answer.notice
    assert answer.answered and answer.citations


class _Handler(http.server.BaseHTTPRequestHandler):
    behaviour = "garbage"

    def do_POST(self):
        if self.behaviour == "hang":
            time.sleep(20)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"data: ceci n'est pas du json\n\n")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("behaviour", ["hang", "garbage"])
def test_hanging_or_garbage_server_is_bounded_and_falls_back(shipped_index, behaviour):
    handler = type("Handler", (_Handler,), {"behaviour": behaviour})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assistant = with_server(shipped_index, f"http://127.0.0.1:{server.server_port}/v1", timeout=1.0)
        answer = assistant.ask("Qui a abattu l'avion militaire russe ?", generator="openai")
        assert "ne répond pas" in answer.notice
        assert ("Timeout" in answer.notice) == (behaviour == "hang")  # the 1 s bound, not the server, ended it
        assert answer.answered and answer.citations
    finally:
        server.shutdown()


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    """A well-behaved server that keeps every request body and answers with a fixed sentence."""

    requests: list = []

    def do_POST(self):
        import json

        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append(body)
        reply = "Hollande et Poutine veulent coordonner leurs frappes. [1]"
        self.send_response(200)
        self.end_headers()
        chunk = json.dumps({"choices": [{"delta": {"content": reply}}]}, ensure_ascii=False)
        self.wfile.write(f"data: {chunk}\n\ndata: [DONE]\n\n".encode())

    def log_message(self, *args):
        pass


def test_a_follow_up_reaches_the_model_as_asked_after_the_previous_question(shipped_index):
    """The rewrite is what is searched; the model reads the user's own words and the question
    they follow, so a wrong rewrite cannot make it answer another question."""
    handler = type("Handler", (_RecordingHandler,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assistant = with_server(shipped_index, f"http://127.0.0.1:{server.server_port}/v1")
        history = [{"role": "user", "content": "Qu'ont convenu Hollande et Poutine ?"},
                   {"role": "assistant", "content": "De coordonner leurs frappes. [1]"}]
        assistant.ask("Et sur Bachar al-Assad ?", history=history, generator="openai")
    finally:
        server.shutdown()
    prompt = handler.requests[-1]["messages"][-1]["content"]
    asked = "Question précédente : Qu'ont convenu Hollande et Poutine ?\nQuestion : Et sur Bachar al-Assad ?"
    assert prompt.endswith(asked)
    assert "[1] (" in prompt
