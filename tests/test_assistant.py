import pytest

from rag import RagError, messages

# Questions written from the shipped articles, each with the article that answers it best.
RIGHT_ARTICLE_FIRST = [
    ("Qu'ont convenu Hollande et Poutine ?", {"001_efd88de5e4603431.txt", "000_379740e1e137f038.txt"}),
    ("Pourquoi la Russie renforce-t-elle les contrôles sur les produits alimentaires turcs ?", {"000_379740e1e137f038.txt"}),
    ("Combien de personnes sont mortes dans l'attentat contre l'avion de ligne russe ?", {"002_ed0140e1a063c6cd.txt"}),
    ("Avec quel porte-avions français la marine russe doit-elle entrer en contact ?", {"003_88db39ec24d024ab.txt", "004_2be0edee1e7f5a54.txt"}),
    ("Quels bombardiers stratégiques russes ont frappé les provinces de Raqa et Deir Ezzor ?", {"003_88db39ec24d024ab.txt"}),
    ("Quel rôle Barack Obama reconnaît-il à la Russie dans les pourparlers de Vienne ?", {"004_2be0edee1e7f5a54.txt"}),
    ("Que pense Poutine du sort de Bachar al-Assad ?", {"001_efd88de5e4603431.txt"}),
]

UNANSWERABLE = [
    "Quel est le prix du baril de pétrole ?",
    "Qui a gagné la coupe du monde de football ?",
    "Quelle est la recette de la tarte Tatin ?",
    "Combien de soldats français sont morts au Mali ?",
]


@pytest.mark.parametrize("question, articles", RIGHT_ARTICLE_FIRST)
def test_french_questions_retrieve_the_right_article_first(assistant, question, articles):
    assert assistant.search(question)[0].source in articles


@pytest.mark.parametrize("question", [q for q, _ in RIGHT_ARTICLE_FIRST])
def test_every_citation_is_the_exact_slice_of_its_file(assistant, question):
    answer = assistant.ask(question)
    assert answer.answered and answer.citations
    for citation in answer.citations:
        assert assistant.source_text(citation.source)[citation.start : citation.end] == citation.text
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    for sentence in answer.sentences:
        assert sentence.citations and set(sentence.citations) <= set(numbers)
        assert any(sentence.text in " ".join(c.text.split()) for c in answer.citations if c.n in sentence.citations)


def test_hollande_poutine_answer_says_what_they_agreed(assistant):
    answer = assistant.ask("Qu'ont convenu Hollande et Poutine ?")
    assert "convenu" in answer.text and "[1]" in answer.text
    assert any(word in answer.text for word in ("renseignement", "informations", "coordonner"))


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_questions_the_corpus_cannot_answer_are_refused(assistant, question):
    answer = assistant.ask(question)
    assert not answer.answered
    assert answer.text == messages.REFUSAL
    assert answer.citations == []
    assert answer.related and all(r.text for r in answer.related)  # what was found, marked as not answering


def test_reader_comments_stay_out_of_answers_unless_asked(assistant):
    question = "Hollande fait-il de la gesticulation pour monopoliser les médias ?"
    for q in (question, "Poutine a-t-il accepté du bout des lèvres de coordonner les activités aériennes ?"):
        assert all(c.kind != "comment" for c in assistant.ask(q).citations)
        assert all(c.kind != "comment" for c in assistant.search(q, 10))
    with_comments = assistant.search(question, 10, include_comments=True)
    assert any(c.kind == "comment" and "gesticulation" in c.text for c in with_comments)


def test_repeated_captions_do_not_crowd_results(assistant):
    results = assistant.search("François Hollande et Vladimir Poutine à Moscou le 26 novembre 2015", 10)
    texts = [" ".join(c.text.split()) for c in results]
    assert len(texts) == len(set(texts))
    assert sum("à Moscou (Russie), le 26 novembre 2015" in t for t in texts) <= 1


def test_search_can_be_limited_to_some_documents(assistant):
    results = assistant.search("Hollande et Poutine", 5, sources=["002_ed0140e1a063c6cd.txt"])
    assert results and {c.source for c in results} == {"002_ed0140e1a063c6cd.txt"}


@pytest.mark.parametrize(
    "question, words",
    [
        ("", "vide"),
        ("   \n\t ", "vide"),
        (("Pourquoi ? " * 2000)[:20000], "20000 caractères"),
        ("What did Hollande and Putin agree on?", "français"),
    ],
)
def test_bad_questions_get_a_clear_french_error(assistant, question, words):
    with pytest.raises(RagError, match=words):
        assistant.ask(question)


def test_retrieval_knobs_compared_by_the_ablations_change_the_ranking(assistant):
    """`rag eval --ablations` turns these knobs; each must do what its label says."""
    from rag.bm25 import FrenchBM25
    from rag.french import terms
    from rag.retrieval import HybridRetriever

    question = "Quels bombardiers russes ont frappé Raqa ?"
    index = assistant.index
    keywords = [p.chunk.id for p in HybridRetriever(index, mode="bm25").retrieve(question, 5).passages]
    keyword_led = [p.chunk.id for p in HybridRetriever(index, dense_weight=0.0).retrieve(question, 5).passages]
    assert keyword_led == keywords

    from rag.chunking import Chunk

    chunks = [Chunk("a", "a.txt", 0, 27, "Le porte-avions a appareillé.", "Charles de Gaulle en Méditerranée", "body"),
              Chunk("b", "b.txt", 0, 22, "Les marchés ont chuté.", "Bourse de Paris", "body")]
    titled, untitled = FrenchBM25.build(chunks, "t"), FrenchBM25.build(chunks, "u", with_titles=False)
    assert titled.scores(terms("Méditerranée")).tolist()[0] > 0
    assert untitled.scores(terms("Méditerranée")).tolist() == [0.0, 0.0]
