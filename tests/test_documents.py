from pathlib import Path

import pytest

from rag.chunking import chunk_document
from rag.documents import BODY, CAPTION, COMMENT, DocumentError, parse_document, read_document
from rag.french import sentence_spans

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def doc(name):
    return read_document(CORPUS / name, name)


def labelled(d, kind=None):
    """The text of each line kept, of one kind or of any."""
    return [d.text[s.start : s.end] for s in d.spans if kind in (None, s.kind)]


def sentences(d):
    """The document's sentences, as a citation quotes them."""
    return [d.text[start:end] for start, end in sentence_spans(d.text)]


def test_reader_comments_are_labelled_and_article_body_is_not():
    d = doc("001_efd88de5e4603431.txt")
    comments = " ".join(labelled(d, COMMENT))
    body = " ".join(labelled(d, BODY))
    assert "APPARAMENT LES RUSSES" in comments
    assert "hollande fait de la gesticulation" in comments
    assert "Au terme d'un dîner de travail" in body
    assert "gesticulation" not in body


def test_repeated_caption_is_indexed_once():
    d = doc("000_379740e1e137f038.txt")
    kept = labelled(d)
    copies = [t for t in kept if t.startswith("François Hollande et Vladimir Poutine à Moscou (Russie)")]
    assert len(copies) == 1
    assert copies[0] in labelled(d, CAPTION)


def test_a_paragraph_opening_on_its_heading_words_is_kept():
    text = "Le marché de Rungis\n\nLe marché de Rungis ouvre à quatre heures du matin.\n"
    d = parse_document(text.encode(), ".txt", "rungis.txt")
    assert "Le marché de Rungis ouvre à quatre heures du matin." in labelled(d, BODY)
    assert any("quatre heures" in chunk.text for chunk in chunk_document(d, 90))


def test_title_is_first_meaningful_line_and_date_is_found():
    d = doc("000_379740e1e137f038.txt")
    assert d.title.startswith("Coalition contre l'Etat islamique")
    assert d.date == "26 novembre 2015"
    assert not doc("002_ed0140e1a063c6cd.txt").title.startswith("Dernière mise à jour")


def test_chunks_point_at_exact_offsets_in_every_shipped_article():
    for path in sorted(CORPUS.iterdir()):
        d = read_document(path, path.name)
        chunks = chunk_document(d, 90)
        assert chunks
        for c in chunks:
            assert d.text[c.start : c.end] == c.text
            # At most 90 words, with the heading that opens it
            assert len(c.text.split("\n", 1)[-1].split()) <= 90 or "." not in c.text


def test_a_paragraph_stays_whole_up_to_its_budget_and_short_lines_are_packed_to_theirs(tmp_path):
    """A question about a paragraph finds all of it; only a paragraph past ``paragraph_words`` is cut,
    at sentence boundaries, and every chunk still points at its exact text."""
    sentences = [f"Le conseil municipal a voté la dépense numéro {n} pour rénover l'école {n}." for n in range(42)]
    medium, long = " ".join(sentences[:12]), " ".join(sentences[12:])  # 156 and 390 words
    short = ["Le maire a inauguré samedi la médiathèque du quartier nord.",
             "La piscine municipale rouvrira ses portes au mois de mars.",
             "Les travaux du tramway ont pris trois semaines de retard."]
    path = tmp_path / "conseil.txt"
    path.write_text("Le budget voté\n\n" + "\n\n".join([medium, *short, long]) + "\n", encoding="utf-8")
    d = read_document(path, "conseil.txt")
    chunks = chunk_document(d, 90, 200)
    assert chunks[0].text == medium
    assert chunks[1].text.startswith(short[0]) and chunks[1].text.endswith(short[2])
    assert len(chunks) == 2 + 5 and all(len(c.text.split()) <= 90 for c in chunks[2:])
    assert all(d.text[c.start : c.end] == c.text for c in chunks)
    assert medium not in [c.text for c in chunk_document(d, 90)]  # without a paragraph budget it is cut too


def test_chunk_ids_are_stable_and_unique():
    d = doc("001_efd88de5e4603431.txt")
    first, second = chunk_document(d, 90), chunk_document(d, 90)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)


def test_cp1252_file_is_read_with_a_warning(tmp_path, caplog):
    path = tmp_path / "ancien.txt"
    path.write_bytes("Le président français a été reçu à Moscou jeudi soir.".encode("cp1252"))
    d = read_document(path, "ancien.txt")
    assert "président français a été reçu" in d.text
    assert "ancien.txt" in caplog.text and "cp1252" in caplog.text


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("vide.txt", b"   \n\n ", "vide"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binaire"),
        ("tableur.xlsx", b"PK\x03\x04", "format non pris en charge"),
        ("casse.pdf", b"%PDF-1.4 ceci n'est pas un pdf", "PDF illisible"),
        ("scripts.html", b"<html><script>var a = 1;</script><style>p {}</style></html>", "aucun texte visible"),
    ],
)
def test_bad_files_get_a_french_message_naming_the_file(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as err:
        read_document(path, name)
    assert name in str(err.value) and words in str(err.value)


def test_a_pdf_without_text_is_named_as_such_not_as_empty(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()  # a page without text, as a scan without OCR reads
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(DocumentError) as err:
        read_document(path, "scan.pdf")
    assert "scan.pdf" in str(err.value) and "aucun texte extractible" in str(err.value)


def test_a_short_heading_on_the_first_line_is_the_title():
    d = parse_document("Rapport annuel\n\nLa commune a rénové trois écoles et deux gymnases cette année.\n".encode(),
                       ".txt", "rapport.txt")
    assert d.title == "Rapport annuel"
    assert "Rapport annuel" not in " ".join(labelled(d))  # a title, not body text
    plain = parse_document("La commune a rénové trois écoles cette année.\n".encode(), ".txt", "bilan.txt")
    assert plain.title == "La commune a rénové trois écoles cette année."


def test_each_message_of_a_chat_export_is_a_line_of_its_own():
    chat = ("[12/03/2025 19:10] Bernard G.: Présent. Est-ce que Filou peut venir ? il est sage 🐕\n"
            "[12/03/2025 19:13] Sandrine B.: Désolée Bernard, les chiens ne sont pas acceptés dans le refuge\n"
            "12/03/2025 à 19:14 - Bernard G. : Ok, ma fille le prendra\n"
            "[19:20] Karim A.: Pas de voiture en ce moment, je me mets en passager\n")
    d = parse_document(chat.encode(), ".txt", "Discussion WhatsApp.txt")
    assert labelled(d) == chat.splitlines()  # not one paragraph wrapped over four lines
    assert chat.splitlines()[1] in sentences(d)  # the message of its own, with who wrote it
    # an hour opening a wrapped line of a paragraph is no message
    wrapped = parse_document("Le mercredi, le bassin est ouvert de\n10h00 à 12h00 aux seuls clubs.\n".encode(), ".txt",
                             "piscine.txt")
    assert labelled(wrapped) == ["Le mercredi, le bassin est ouvert de 10h00 à 12h00 aux seuls clubs."]


def test_each_line_of_a_price_list_with_dotted_leaders_is_a_sentence_with_its_price():
    prices = ("Les nouveaux tarifs (part salarié) :\n"
              "   Plat du jour ...................... 4,20 € (au lieu de 3,90 €)\n"
              "   Café ou thé ....................... 0,50 €\n"
              "   Formule stagiaires et alternants .. 3,00 €\n")
    d = parse_document(prices.encode(), ".txt", "Le Fil n°38.txt")
    # not « Plat du jour ...... » then « 4,20 € (au lieu de 3,90 €) Café ou thé ...... »: the price apart from its dish
    assert sentences(d)[1:] == [line.strip() for line in prices.splitlines()[1:]]


def test_each_row_of_a_plain_text_table_is_a_sentence_of_its_own():
    # Joined as a wrapped paragraph, the rows made one sentence, cut at « cat. »: « …Classés 3e cat. »
    table = ("  Catégorie            Départ     Tours   Distance\n"
             "  3e cat. et GS        9 h 30     5       62 km\n"
             "  Féminines            9 h 32     4       49,6 km\n")
    d = parse_document(table.encode(), ".txt", "course.txt")
    assert [" ".join(s.split()) for s in sentences(d)] == [
        "Catégorie Départ Tours Distance", "3e cat. et GS 9 h 30 5 62 km", "Féminines 9 h 32 4 49,6 km"]
    # two spaces after a full stop are no table
    typed = parse_document("Le club a gagné.  Bravo à tous les coureurs  et aux bénévoles\nde la course.\n".encode(),
                           ".txt", "mot.txt")
    assert labelled(typed) == ["Le club a gagné.  Bravo à tous les coureurs  et aux bénévoles de la course."]


def test_html_title_and_visible_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Sommet de Moscou</title><script>alert('x')</script></head>"
        "<body><p>Les deux présidents ont parlé de la Syrie pendant trois heures.</p></body></html>",
        encoding="utf-8",
    )
    d = read_document(path, "page.html")
    assert d.title == "Sommet de Moscou"
    assert "alert" not in d.text and "trois heures" in d.text


def test_a_page_menu_is_not_read_as_its_text():
    page = ("<html><body><nav><a href='/'>Accueil</a> | <a href='/billets'>Billetterie</a></nav>"
            "<div role='navigation'><a href='/plan'>Plan du site</a></div>"
            "<h1>Les Nuits du Lac, du 9 au 12 juillet</h1><p>Vingt-deux groupes joueront sur deux scènes.</p>"
            "<footer>Association Les Nuits du Lac, contact@nuitsdulac.fr</footer></body></html>")
    d = parse_document(page.encode(), ".html", "festival.html")
    assert d.title == "Les Nuits du Lac, du 9 au 12 juillet"
    assert "Accueil" not in d.text and "Billetterie" not in d.text and "Plan du site" not in d.text
    assert "Vingt-deux groupes joueront sur deux scènes." in d.text
    assert "contact@nuitsdulac.fr" in d.text  # a footer may answer « Comment joindre l'association ? »


def test_a_cookie_banner_buttons_and_the_copyright_line_are_not_read():
    # The banner and « © … Tous droits réservés » were the quote for « La mutuelle rembourse-t-elle les lentilles ? »
    page = ("<html><body><div id='cookie-banner' class='bandeau'><p>Nous utilisons des cookies pour mesurer "
            "l'audience de notre site et améliorer votre navigation.</p><button>Tout accepter</button></div>"
            "<h1>Questions fréquentes sur vos remboursements</h1><p>Les lunettes sont remboursées jusqu'à 250 euros "
            "tous les deux ans.</p><footer><p>Mentions légales · Politique de confidentialité</p>"
            "<p>© 2024 Mutuelle des Trois Vallées — Tous droits réservés</p><p>Siège social : 12 rue des Tanneurs, "
            "89200 Avallon.</p></footer></body></html>")
    d = parse_document(page.encode(), ".html", "faq.html")
    assert labelled(d, BODY) == ["Questions fréquentes sur vos remboursements",
                                 "Les lunettes sont remboursées jusqu'à 250 euros tous les deux ans.",
                                 "Siège social : 12 rue des Tanneurs, 89200 Avallon."]
    recipe = ("<html><body><article class='recette-cookies'><h1>Cookies aux pépites de chocolat</h1>"
              "<p>Faites fondre 125 grammes de beurre avant de le mélanger au sucre.</p></article></body></html>")
    assert labelled(parse_document(recipe.encode(), ".html", "cookies.html"), BODY) == [
        "Cookies aux pépites de chocolat", "Faites fondre 125 grammes de beurre avant de le mélanger au sucre."]


def test_links_and_emphasis_inside_a_paragraph_keep_its_sentence_whole():
    page = ("<html><body><p>Le président <a href='/macron'>Emmanuel Macron</a> a annoncé <strong>mardi</strong>\n"
            "une réforme.</p><table><tr><th>Ville</th><th>Habitants en 2020</th></tr>"
            "<tr><td>Lyon</td><td>522 000 habitants</td></tr></table></body></html>")
    d = parse_document(page.encode(), ".html", "page.html")
    assert labelled(d, BODY) == ["Le président Emmanuel Macron a annoncé mardi une réforme.",
                                 "Ville | Habitants en 2020", "Lyon | 522 000 habitants"]


def test_markdown_is_read_without_its_markup():
    text = ("# Le budget de la commune\n\nLe budget 2025, **adopté** par 21 voix contre 6, s'élève à "
            "[8,4 millions d'euros](https://example.org/budget).\n")
    d = parse_document(text.encode(), ".md", "budget.md")
    assert d.title == "Le budget de la commune"
    assert labelled(d, BODY)[-1] == "Le budget 2025, adopté par 21 voix contre 6, s'élève à 8,4 millions d'euros."
    assert "#" not in d.text and "**" not in d.text and "https" not in d.text


def test_the_short_last_line_of_a_wrapped_paragraph_is_kept():
    text = ("La pêche en Bretagne a reculé de dix pour cent cette année, selon le comité\n"
            "régional. Les captures de sardines ont été les plus touchées par\n"
            "la chaleur.\n\nFreins\n\nLes freins à disque doivent être purgés une fois par an.\n")
    d = parse_document(text.encode(), ".txt", "peche.txt")
    body = " ".join(labelled(d, BODY))
    assert "touchées par la chaleur." in body  # one sentence, as quoted
    assert "Freins" not in body  # a heading on its own line is not a paragraph's end
    assert any("la chaleur." in c.text for c in chunk_document(d, 90))


def test_a_line_wrapped_after_a_semicolon_goes_on_and_a_list_s_items_do_not():
    text = ("Le Locataire peut demander une contre-expertise dans un délai de 8 jours suivant le procès-verbal ;\n"
            "son coût, soit 180 € TTC, reste à sa charge. Les rayures sont de l'usure normale.\n\n"
            "Pièces à fournir :\n\nune photo d'identité récente en couleur ;\n"
            "un justificatif de domicile de moins de trois mois ;\nun relevé d'identité bancaire à votre nom.\n")
    d = parse_document(text.encode(), ".txt", "contrat.txt")
    assert ("Le Locataire peut demander une contre-expertise dans un délai de 8 jours suivant le procès-verbal ; son "
            "coût, soit 180 € TTC, reste à sa charge.") in sentences(d)
    assert labelled(d)[-3:] == ["une photo d'identité récente en couleur ;",
                                "un justificatif de domicile de moins de trois mois ;",
                                "un relevé d'identité bancaire à votre nom."]


def test_a_pdf_paragraph_cut_into_lines_is_one_paragraph_again():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Le conseil municipal a adopte le budget primitif par vingt et une voix contre six. Il s'eleve "
                         "a huit millions d'euros, dont deux millions pour l'investissement des ecoles.")
    d = parse_document(bytes(pdf.output()), ".pdf", "budget.pdf")
    assert labelled(d, BODY) == [
        "Le conseil municipal a adopte le budget primitif par vingt et une voix contre six. Il s'eleve a huit "
        "millions d'euros, dont deux millions pour l'investissement des ecoles."]
    # pypdf gives the page's lines; the sentence cut at the line's end is quoted whole.
    assert sentences(d) == [
        "Le conseil municipal a adopte le budget primitif par vingt et une voix contre six.",
        "Il s'eleve a huit millions d'euros, dont deux millions pour l'investissement des ecoles."]


def test_a_word_hyphenated_at_a_pdf_line_end_is_read_whole():
    # A word processor's hyphenation: read as « dévelop- pement », the word matched no question's « développement »
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(0, 6, "Le syndicat a voté le dévelop-\npement, du réseau de chaleur et nommé sa porte-\nparole, Mme "
                         "Anne-\nSophie Rivière. Le budget de dépol-\nlution atteint vingt-\ncinq millions d'euros pour "
                         "2024-\n2025. Le chantier commencera-t-\nil en mars ? Il est pré-\nvu.\nLes travaux de "
                         "dépollution dureront trois ans.", align="J")
    d = parse_document(bytes(pdf.output()), ".pdf", "syndicat.pdf")
    assert sentences(d) == [
        "Le syndicat a voté le développement, du réseau de chaleur et nommé sa porte-parole, Mme Anne-Sophie Rivière.",
        "Le budget de dépollution atteint vingt-cinq millions d'euros pour 2024-2025.",
        "Le chantier commencera-t-il en mars ?", "Il est prévu.", "Les travaux de dépollution dureront trois ans."]


def test_a_pdf_paragraph_that_runs_onto_the_next_page_is_one_paragraph_without_the_page_number():
    from fpdf import FPDF

    class Numbered(FPDF):
        def header(self):  # a running header, as most reports have: it would cut the paragraph too
            self.cell(0, 8, "Mairie de Montbrac - compte rendu du conseil", new_x="LMARGIN", new_y="NEXT")

        def footer(self):
            self.set_y(-15)
            self.cell(0, 10, f"Page {self.page_no()}", align="C")

    pdf = Numbered()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Le conseil municipal s'est reuni mardi soir pour examiner le budget de la commune.")
    pdf.set_y(262)
    pdf.multi_cell(0, 6, "Le maire a rappele que la renovation de l'ecole Jules-Ferry, prevue depuis trois ans, commencera "
                         "en juillet et durera quatorze mois. Les eleves seront accueillis dans des batiments modulaires "
                         "installes dans la cour du college voisin pendant toute la duree du chantier.")
    d = parse_document(bytes(pdf.output()), ".pdf", "conseil.pdf")
    assert "Page" not in d.text
    assert d.text.count("Mairie de Montbrac") == 1  # read once, on the first page
    assert ("Les eleves seront accueillis dans des batiments modulaires installes dans la cour du college voisin pendant "
            "toute la duree du chantier.") in sentences(d)


def test_a_pdf_form_table_and_list_are_read_line_by_line():
    # pypdf's plain text ran them together: nine fields made one sentence, a table's rows one line.
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for label, value in [("Duree :", "35 heures (5 jours)"), ("Lieu :", "12 rue des Tanneurs, Angers"),
                         ("Tarif intra :", "7 400 euros par groupe")]:
        pdf.cell(45, 7, label)
        pdf.cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    for row in [("Module", "Duree", "Intervenant"), ("Actualite sociale 2025", "4 h", "Helene Vasseur"),
                ("Cotisations et DSN", "7 h", "Thomas Guerin")]:
        for width, cell in zip((90, 30, 60), row):
            pdf.cell(width, 7, cell)
        pdf.ln(7)
    pdf.ln(5)
    for item in ["plus de 21 jours avant la session : aucun frais ;", "entre 21 et 8 jours avant : 30 % du tarif ;"]:
        pdf.set_x(20)
        pdf.cell(0, 7, "- " + item, new_x="LMARGIN", new_y="NEXT")
    d = parse_document(bytes(pdf.output()), ".pdf", "programme.pdf")
    lines = ["Duree : 35 heures (5 jours)", "Lieu : 12 rue des Tanneurs, Angers",
             "Tarif intra : 7 400 euros par groupe", "Module | Duree | Intervenant",
             "Actualite sociale 2025 | 4 h | Helene Vasseur", "Cotisations et DSN | 7 h | Thomas Guerin",
             "- plus de 21 jours avant la session : aucun frais ;", "- entre 21 et 8 jours avant : 30 % du tarif ;"]
    assert labelled(d, BODY) == lines
    assert sentences(d) == lines  # each quoted alone


def test_a_pdf_in_two_columns_is_read_column_after_column():
    # Laid out, each line holds half a sentence of each column.
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    left = " ".join(["Le conseil municipal s'est reuni mardi soir pour examiner le budget de la commune."] * 6)
    right = " ".join(["La piscine municipale rouvrira en janvier apres six mois de travaux importants."] * 6)
    with pdf.text_columns(ncols=2, gutter=10) as columns:
        columns.write(text=left)
        columns.new_column()
        columns.write(text=right)
    assert labelled(parse_document(bytes(pdf.output()), ".pdf", "journal.pdf"), BODY) == [left, right]


def test_fields_items_and_numbered_sections_are_lines_of_their_own():
    # Joined, « De : … » to « Objet : … » made one sentence; dropped as too short, « De : Camille Roux » lost who
    # says « je serai sur l'écran jusqu'à 18 h ».
    mail = ("De : Camille Roux\nÀ : Nadia Ferrand\nDate : lundi 3 novembre 2025, 10:47\nObjet : RE: Déménagement\n\n"
            "Le 13, c'est la clôture de la paie, je serai sur l'écran jusqu'à 18 h au moins.\n")
    fields = mail.strip().replace("\n\n", "\n").split("\n")
    assert labelled(parse_document(mail.encode(), ".txt", "mails.txt"), BODY) == fields
    # A PDF's lines without a blank line between: a title, fields, an item, a numbered section and its text.
    quote = ["DEVIS ESTIMATIF — Rénovation de la salle de bains", "Date d'émission : 12 mars 2024",
             "Validité de l'offre : 60 jours", "• Rodolphe Quéré, électricien, sous-traitant pour la partie électrique",
             "1. Description des travaux", "La salle de bains existante comporte une baignoire d'angle."]
    assert labelled(parse_document("\n".join(quote).encode(), ".txt", "devis.txt"), BODY) == quote
    # a lease's fields under a long label: joined, « …installée en 2019 Diagnostic de performance… » hid the year
    lease = ["Chauffage et eau chaude : individuels au gaz, chaudière à condensation installée en 2019",
             "Diagnostic de performance énergétique : classe D (212 kWh/m²/an), émissions classe E"]
    assert labelled(parse_document("\n".join(lease).encode(), ".txt", "bail.txt"), BODY) == lease
    # A council's minutes: each deliberation is a section of its own, not the end of the line above.
    minutes = ["Le conseil passe ensuite aux points inscrits à l'ordre du jour de la séance",
               "Délibération n° 2024-044 — Subventions aux associations"]
    assert labelled(parse_document("\n".join(minutes).encode(), ".txt", "cr.txt"), BODY) == minutes


def test_a_mail_s_quoted_replies_are_read_without_their_marks():
    # « >>> » alone is a blank line: it glued a whole thread of quoted mails into one sentence.
    thread = (">>> Nous accusons réception de votre réclamation, référence SAV-20417.\n>>>\n"
              ">>> Votre dossier sera examiné sous 72 heures par notre responsable\n>>> relation client.\n>>>\n"
              ">>>> De : Bérénice Cazal\n>>>> Objet : Canapé livré abîmé\n")
    lines = labelled(parse_document(thread.encode(), ".txt", "sav.txt"), BODY)
    assert [" ".join(line.split()) for line in lines] == [
        "Nous accusons réception de votre réclamation, référence SAV-20417.",
        "Votre dossier sera examiné sous 72 heures par notre responsable relation client.",
        "De : Bérénice Cazal", "Objet : Canapé livré abîmé"]


def test_a_short_line_that_gives_a_number_for_a_label_is_text():
    # A price list: each line is short, yet each is the answer to « Combien coûte l'abonnement annuel ? ».
    text = "# Tarifs\n\n- Entrée adulte : 4,50 €\n- Abonnement annuel : 250 €\n- Durée : 3 semaines\n\nPartager\n"
    d = parse_document(text.encode(), ".md", "tarifs.md")
    assert labelled(d, BODY) == ["Entrée adulte : 4,50 €", "Abonnement annuel : 250 €", "Durée : 3 semaines"]


def test_a_short_table_header_row_is_text():
    # As short as a byline, it says what each column of the rows under it is.
    table = "| Jour | Ouverture |\n|---|---|\n| Samedi | 9 h |\n"
    assert labelled(parse_document(table.encode(), ".md", "horaires.md"), BODY) == ["Jour | Ouverture", "Samedi | 9 h"]


def test_a_pdf_heading_is_the_title_not_joined_to_the_paragraph_under_it():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 6, "Rapport d'activite 2025 des Jardins de Rennes")
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "L'association gere aujourd'hui sept jardins collectifs dans la ville de Rennes, contre cinq "
                         "en 2023. Elle compte 412 adherents, dont 96 nouveaux cette annee.")
    d = parse_document(bytes(pdf.output()), ".pdf", "rapport.pdf")
    assert d.title == "Rapport d'activite 2025 des Jardins de Rennes"
    assert labelled(d, BODY)[-1].startswith("L'association gere")
    # A short first line that stops on a comma is a wrapped sentence, not a heading.
    text = ("Lors du conseil municipal de mardi, le maire,\nJean Dupont, a annonce que la piscine rouvrira en janvier "
            "apres six mois de travaux.\n")
    assert labelled(parse_document(text.encode(), ".txt", "piscine.txt"), BODY) == [
        "Lors du conseil municipal de mardi, le maire, Jean Dupont, a annonce que la piscine rouvrira en janvier apres "
        "six mois de travaux."]


def test_pdf_text_and_title(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Rapport sur le climat")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 10, "La conférence sur le climat réunit 140 chefs d'Etat au Bourget.")
    path = tmp_path / "rapport.pdf"
    pdf.output(str(path))
    d = read_document(path, "rapport.pdf")
    assert d.title == "Rapport sur le climat"
    assert "140 chefs" in d.text


def test_live_blog_reader_questions_are_comments_even_with_a_hashtag():
    d = doc("000_379740e1e137f038.txt")
    comments = " ".join(labelled(d, COMMENT))
    assert "Sait-on si Abou Bakr al-Baghdadi est visé" in comments
    assert "Des nouvelles de la rencontre de François Hollande" in comments
    assert "La Russie renforce les contrôles" in " ".join(labelled(d, BODY))


def test_a_heading_opens_the_chunk_of_the_text_under_it():
    # Packed at the end of the chunk before, a FAQ's question was searched without its answer.
    sections = {
        "Puis-je avoir un animal de compagnie ?": "Oui, les chats et les petits chiens sont acceptés",
        "Puis-je sous-louer une chambre ?": "Non, la sous-location est interdite par le bail",
        "2.3 Protection hors-gel": "La fonction se déclenche quand l'eau du circuit descend sous 7 °C",
        # a buyer's question under an ad, however long, and the seller's answer
        "Claire D. – 17 avril 2025 : J'habite vers Moulins, pouvez-vous me l'amener si je vous l'achète ?":
            "Réponse de Julien M. : je livre jusqu'à 100 km contre 0,30 € par kilomètre",
    }
    text = "\n\n".join(f"{heading}\n\n" + " ".join(f"{answer}, règle {n} du guide." for n in range(8))
                       for heading, answer in sections.items())
    chunks = [chunk.text for chunk in chunk_document(parse_document(text.encode(), ".md", "faq.md"), 90, 200)]
    assert [chunk.split("\n")[0] for chunk in chunks] == list(sections)
    assert all(chunk.endswith("règle 7 du guide.") for chunk in chunks)


def test_a_running_footer_copied_with_the_text_is_not_read():
    text = ("2.3 Protection hors-gel\nLa fonction hors-gel se déclenche lorsque l'eau du circuit descend sous 7 °C.\n\n"
            "Thermaline - Notice d'utilisation                                 page 4\n\n3. ENTRETIEN\n\n"
            "L'entretien annuel de la chaudière par un professionnel qualifié est obligatoire.\n")
    d = parse_document(text.encode(), ".txt", "notice.txt")
    kept = " ".join(labelled(d))
    assert "7 °C" in kept and "obligatoire" in kept and "page 4" not in kept


def test_a_table_that_does_not_fit_after_the_text_before_it_opens_the_next_chunk_with_its_header_row():
    intro = ("En semaine, la ligne 4 circule toutes les trente minutes aux heures de pointe "
             "et toutes les heures sinon. ") * 4
    header = ["Arrêt", "Premier départ", "Deuxième départ", "Troisième départ", "Dernier départ"]
    rows = "".join(f"<tr><td>Arrêt numéro {n}</td>" + "".join(f"<td>{h}h{n:02d}</td>" for h in (6, 7, 8, 20)) + "</tr>"
                   for n in range(6))
    head = "".join(f"<th>{cell}</th>" for cell in header)
    page = (f"<html><body><h1>Horaires</h1><p>{intro}</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table></body></html>")
    chunks = [c.text for c in chunk_document(parse_document(page.encode(), ".html", "bus.html"), 90, 200)]
    table = next(chunk for chunk in chunks if "Arrêt numéro 5" in chunk)
    assert table.startswith(" | ".join(header)) and "Arrêt numéro 0" in table


def test_a_short_label_over_its_lines_is_text():
    # « Accident : » was dropped as too short to be text: the section's steps lost what they are about
    text = ("6. EN CAS D'ACCIDENT, DE PANNE OU DE VOL\n\nAccident :\n1. Mettez-vous en sécurité.\n"
            "2. Remplissez un constat amiable.\n\nPanne :\n1. Appelez l'assistance.\n")
    kept = labelled(parse_document(text.encode(), ".txt", "reglement.txt"))
    assert "Accident :" in kept and "Panne :" in kept


def test_a_list_that_does_not_fit_opens_the_next_chunk_with_the_line_that_introduces_it():
    # The summer's dates went to the next chunk without « …sera fermé aux dates suivantes… : », which says what they are.
    rules = ("Tout quart d'heure entamé après 18h30 est facturé au double du tarif horaire de la famille. " * 2
             + "\n\nPour l'année 2025-2026, l'établissement sera fermé aux dates suivantes, qui ne sont pas facturées "
             "aux familles :\n\n" + "".join(f"  • du lundi {n} au vendredi {n + 4} {month} inclus ;\n"
                                             for n, month in ((3, "novembre"), (22, "décembre"), (6, "avril"), (3, "août"))))
    chunks = [c.text for c in chunk_document(parse_document(rules.encode(), ".txt", "creche.txt"), 60, 60)]
    summer = next(chunk for chunk in chunks if "août" in chunk)
    assert summer.startswith("Pour l'année 2025-2026") and "novembre" in summer
    assert "18h30" not in summer  # the paragraph before stays in its chunk


def test_a_line_indented_under_another_is_its_item():
    # A manual's code and what to do: passed to the next chunk, « Ouvrir doucement le robinet » lost its code.
    text = ("E02  Pression d'eau insuffisante (inférieure à 0,8 bar).\n"
            "     Ouvrir doucement le robinet jusqu'à 1,2 bar.\n"
            "E03  Surchauffe (au-delà de 95 °C).\n"
            "     Laisser refroidir l'appareil pendant 20 minutes.\n")
    d = parse_document(text.encode(), ".txt", "notice.txt")
    assert [" ".join(line.split()) for line in labelled(d)] == [
        "E02 Pression d'eau insuffisante (inférieure à 0,8 bar). Ouvrir doucement le robinet jusqu'à 1,2 bar.",
        "E03 Surchauffe (au-delà de 95 °C). Laisser refroidir l'appareil pendant 20 minutes."]
