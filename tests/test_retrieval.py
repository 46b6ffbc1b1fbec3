"""Retrieval on a real index: sentence vectors behind chunks, and the fusion of dense and BM25 scores."""
import numpy as np
import pytest

from rag.retrieval import HybridRetriever


def test_a_chunk_is_as_close_to_a_question_as_its_closest_sentence(shipped_index):
    """Small to big: the question is matched against each sentence, and the whole passage comes back
    with its best sentence's similarity, not a blurred similarity of the whole passage."""
    index = shipped_index.index
    question = "Combien de personnes sont mortes dans l'avion russe au-dessus du Sinaï ?"
    query = index.embedder.get_query_embedding(question)
    for chunk, similarity in index.dense_search(query, 3):
        sentences = np.asarray(index.embedder.get_text_embedding_batch(chunk.sentence_texts))
        assert similarity == pytest.approx(float(np.max(sentences @ np.asarray(query))), abs=2e-3)
        assert len(chunk.sentence_texts) >= 1


def retrieved(tmp_path, name, text, question):
    """The passages found for ``question`` in an index of one document, ``name`` holding ``text``."""
    from rag import Assistant

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / name).write_text(text, encoding="utf-8")
    assistant = Assistant.open(tmp_path / "idx", create=True, generator="extractive")
    assistant.ingest(docs)
    return assistant.retriever.retrieve(question, 5)


def first_quoted(retrieval) -> str:
    """The sentence the extractive answer quotes first."""
    from rag.generation.extractive import ExtractiveGenerator

    return ExtractiveGenerator().sentences(retrieval)[0][0]


def test_of_two_sentences_sharing_the_question_words_the_closer_in_meaning_is_quoted_first(tmp_path):
    from rag.generation.extractive import ExtractiveGenerator

    retrieval = retrieved(tmp_path, "pont.txt",
                          "Un pont repeint\n\nInauguré par le maire en 2019, le pont de Villeneuve a coûté deux "
                          "millions. En juillet, le pont de Villeneuve a été repeint en bleu vif.\n",
                          "De quelle couleur est le pont de Villeneuve ?")
    first = retrieval.passages[0]
    assert len(first.sentence_dense) == len(first.chunk.sentence_texts) == 2
    assert first_quoted(retrieval) == "En juillet, le pont de Villeneuve a été repeint en bleu vif."
    # On words alone the two tie, and the earlier sentence would come first.
    assert ExtractiveGenerator(sentence_dense_weight=0).sentences(retrieval)[0][0].startswith("Inauguré")


def test_a_question_typed_in_chat_shorthand_is_searched_as_written_out(tmp_path):
    retrieval = retrieved(tmp_path, "livret.md",
                          "# Livret d'accueil\n\n## Wi-Fi\n\n- Réseau Wi-Fi : Sorbiers_Invites\n- Mot de passe : "
                          "Tilleul-2026\n\n## Départ\n\nLe départ se fait avant 10 h ; merci de laisser les clés dans "
                          "la boîte.\n", "c koi le mdp du wifi")
    assert retrieval.query == "c'est quoi le mot de passe du wifi"  # « mdp » is in no passage
    assert first_quoted(retrieval) == "Mot de passe : Tilleul-2026"


def test_a_question_typed_without_accents_or_apostrophes_is_searched_as_the_documents_spell_it(tmp_path):
    retrieval = retrieved(tmp_path, "reglement.txt",
                          "Règlement intérieur du collège\n\nLa cantine est ouverte quatre jours par semaine, sauf le "
                          "mercredi. L'infirmière, Mme Agathe Roussel, est présente le lundi, le mardi et le jeudi. "
                          "Les jours de sortie scolaire, les élèves apportent un pique-nique.\n",
                          "linfirmiere elle est la quels jours ?")
    assert retrieval.query == "l'infirmière elle est la quels jours ?"  # « infirmiere » stems unlike « infirmière »
    assert first_quoted(retrieval).startswith("L'infirmière, Mme Agathe Roussel")


def test_a_number_written_in_words_finds_it_written_in_figures(tmp_path):
    retrieval = retrieved(tmp_path, "saison.txt",
                          "Abonnements de la saison\n\nAbonnement Découverte : 3 spectacles au choix pour 66 €, soit "
                          "22 € la place. Abonnement Passion : 6 spectacles au choix pour 120 €, soit 20 € la place."
                          "\n\nLes Veilleurs\n\nSix gardiens veillent sur une ville endormie.\n",
                          "Combien coûte la formule qui permet de voir six spectacles ?")
    assert first_quoted(retrieval).startswith("Abonnement Passion")


def test_a_question_about_the_summer_finds_the_summer_and_not_every_past_participle(tmp_path):
    from rag.french import terms

    retrieval = retrieved(tmp_path, "decheterie.txt",
                          "Déchèterie des Quatre-Vents\n\nHiver (du 1er octobre au 31 mars) : ouverte de 9 h à 17 h.\n"
                          "Été (du 1er avril au 30 septembre) : ouverte de 9 h à 18 h 30.\n\n"
                          "Le site a été rénové en 2019 et il a été agrandi en 2022.\n",
                          "La déchèterie est ouverte jusqu'à quelle heure l'été ?")
    assert first_quoted(retrieval).startswith("Été")
    assert set(terms("horaires d'été")) & set(terms("Été | 9 h"))
    assert not set(terms("Il a été élu")) & set(terms("l'été"))


def test_a_question_about_the_summer_finds_its_months(tmp_path):
    retrieval = retrieved(tmp_path, "restaurant.txt",
                          "Le Comptoir de l'Écluse\n\nLe restaurant sera fermé le 1er mai et le 25 décembre.\n\n"
                          "Fermeture annuelle du lundi 4 août au lundi 25 août 2025 inclus.\n",
                          "C'est fermé quand cet été ?")
    assert first_quoted(retrieval).startswith("Fermeture annuelle du lundi 4 août")


def test_an_everyday_word_no_document_holds_is_searched_as_the_documents_name_it(tmp_path):
    retrieval = retrieved(tmp_path, "contrat.txt",
                          "Délais de déclaration\n\nIncendie : déclaration sous 5 jours ouvrés.\n"
                          "Vol : déclaration sous 2 jours ouvrés, après un dépôt de plainte.\n",
                          "Après un cambriolage, j'ai combien de jours pour faire la déclaration ?")
    assert "cambriolage" not in retrieval.query and first_quoted(retrieval).startswith("Vol :")


def test_a_unit_written_out_finds_its_abbreviation(tmp_path):
    # « la voiture de courtoisie » is « le véhicule de prêt » here: only the kilometres tell which sentence answers
    retrieval = retrieved(tmp_path, "facture.txt",
                          "Facture du garage Moreau\n\nLa réparation a été réglée le 12 mars par carte bancaire.\n"
                          "Le véhicule de prêt a été rendu le 12 mars avec 214 km parcourus.\n",
                          "Combien de kilomètres ont été faits avec la voiture de courtoisie ?")
    assert first_quoted(retrieval) == "Le véhicule de prêt a été rendu le 12 mars avec 214 km parcourus."


def test_a_passage_far_ahead_on_keywords_beats_one_a_hair_ahead_on_meaning(shipped_index):
    """Reciprocal ranks tie these two (each first in one list, second in the other); the convex fusion
    keeps the size of the gaps, so the passage that BM25 puts far ahead wins."""
    retriever = HybridRetriever(shipped_index.index, fusion="convex", dense_weight=0.5)
    dense = {"a": 0.901, "b": 0.900, "c": 0.700}
    keyword = {"a": 2.0, "b": 12.0, "c": 1.0}
    fused = retriever._fuse(dense, keyword, retriever._convex(dense, keyword))
    assert max(fused, key=fused.get) == "b"
    rrf = HybridRetriever(shipped_index.index, fusion="rrf")
    tied = rrf._fuse(dense, keyword, rrf._convex(dense, keyword))
    assert tied["a"] == pytest.approx(tied["b"])


def test_each_fusion_returns_real_passages_for_a_corpus_question(shipped_index):
    question = "Qu'ont convenu Hollande et Poutine ?"
    for fusion in ("convex", "rrf"):
        passages = HybridRetriever(shipped_index.index, fusion=fusion).retrieve(question, 5).passages
        assert len(passages) == 5 and len({p.chunk.id for p in passages}) == 5
        assert any("renseignement" in p.chunk.text for p in passages[:3])
    with pytest.raises(ValueError):
        HybridRetriever(shipped_index.index, fusion="moyenne")
