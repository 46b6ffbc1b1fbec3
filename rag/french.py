"""French language handling: sentence boundaries, search terms, language check.

Kept in one place so that chunking, BM25 and answer extraction agree on what a
sentence and a word are.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import Stemmer

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {
    "m", "mm", "mme", "mmes", "mlle", "dr", "pr", "me", "st", "ste", "av", "apr", "j.-c", "cf", "gén", "cdt", "lt",
    "pl",
}
# Abbreviations of words that are words too (« vol. 2 », « art. 4 », « le 3 sept. 2025 », « [réf. nécessaire] »,
# « etc. »): before a capital, the period ends the sentence (« …2 jours ouvrés en cas de vol. En cas de perte totale… »
# was one sentence, which the model judged not to say how long one has to report a theft)
_SHORT_OR_WORD = {
    "etc", "p", "pp", "vol", "no", "n°", "art", "chap", "fig", "env", "min", "max", "col", "cat", "réf",
    "janv", "févr", "fév", "avr", "juil", "sept", "oct", "nov", "déc",
}
_NEXT_WORD = re.compile(r"[ \t\u00a0\u202f]*(\S)")
# After a number, a unit ends a sentence (« …de 9 h à 12 h. La procédure… »), not an initial (« M. K. : »)
_UNITS = {"h", "min", "s", "m", "km", "cm", "mm", "g", "kg", "l", "cl", "ml", "t", "ha", "a"}
# A line break ends a sentence, before an indented line too (a PDF's bulleted items, each « … ; »)
# A closing quote ends the sentence it closes, after a space too (« …avec les bornes ? » was cut before its « »)
_SENTENCE_END = re.compile(r"[.!?…]+(?:[ \u00a0\u202f]?[»\"”')\]])*(?=\s+|$)|\n\s*\n|\n[ \t]*(?=\S)")
# A price list's or a contents page's dotted leader (« Plat du jour ....... 4,20 € »): its dots end no sentence
LEADER = re.compile(r"(?:\.{2,}|…+)[ \t\u00a0]*\d")
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’]", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)

STOP_WORDS = frozenset(
    """
    a ai aie aient aies ait as au aucun aussi autre aux avaient avais avait avec avez aviez avions avoir avons ayant
    c ca ce ceci cela celle celles celui ces cet cette ceux chaque ci comme comment d dans de des deja depuis donc dont
    du elle elles en encore est et etaient etais etait etant ete etes etre eu eux fait faut fut ici il ils j je jusqu
    l la le les leur leurs lui m ma mais me meme memes mes moi mon n ne ni nos notre nous on ont ou par pas peu peut
    plus pour pourquoi qu quand que quel quelle quelles quels qui quoi s sa sans se sera serait ses si sien soit sommes
    son sont sous suis sur t ta te tes toi ton tous tout toute toutes tres tu un une unes uns vos votre vous y
    lors apres avant entre selon chez vers contre ainsi alors car dit va vont
    """.split()
)

# Function words that are frequent in a language and rare in French text.
_FOREIGN_WORDS = frozenset(
    """
    the and is are was were what who which when where why how does did do of to in on for with that this
    from have has will would can could should about between agree agreed
    der die das und ist nicht mit wer wie warum haben sind ein eine
    el los las es una por qué cuál cómo dónde están acordaron
    """.split()
)
_FRENCH_HINTS = STOP_WORDS | {"qu", "quoi", "quel", "combien", "où", "ou", "ont", "est", "sont", "été"}
_FRENCH_OPENERS = frozenset(
    "qui que qu quoi quel quelle quels quelles quand où comment pourquoi combien lequel laquelle lesquels "
    "lesquelles est dans par pour avec du des le les".split()
)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# A section's number (« 11. RÉPARTITION DES TÂCHES », « IV. Résultats »; `documents.NUMBERED`): opening its line,
# no sentence of its own, which the quote showed alone (« 11. [3] »); a one-figure number (« 3. Le budget ») already
# reads as an abbreviation.
SECTION_NUMBER = r"(?:\d{1,2}|[IVX]{1,4})"
_ITEM_NUMBER = re.compile(rf"{SECTION_NUMBER}\.")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets in ``text[start:end]``, trimmed of surrounding blanks."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        stop = match.end()
        if LEADER.match(text, match.start()):
            continue
        if match.group().startswith("."):
            before = text[cursor : match.start() + 1]
            word = re.search(r"(\d\s?)?(?<![\w.°-])([\w.°-]+)\.$", before)
            abbreviation = word and not (word.group(1) and word.group(2).lower() in _UNITS) and (
                word.group(2).lower() in _ABBREVIATIONS or len(word.group(2)) == 1
                or _shortens(word.group(2).lower(), _NEXT_WORD.match(text, match.end())))
            if abbreviation or _opens_line_numbered(text, before, cursor):
                continue
        _append_trimmed(text, cursor, stop, spans)
        cursor = stop
    _append_trimmed(text, cursor, end, spans)
    return spans


def _shortens(word: str, following: re.Match | None) -> bool:
    """Whether ``word``, then a period, then ``following`` (the next word) is an abbreviation."""
    return word in _SHORT_OR_WORD and not (following and following.group(1)[:1].isupper())


CLOSING = " »\"”')]"  # what may follow a sentence's last mark


def asks(sentence: str) -> bool:
    """Whether the sentence is a question (« …pouvez-vous me l'amener ? », « « Et les pompiers ? » »)."""
    return sentence.rstrip(CLOSING).endswith("?")


def _opens_line_numbered(text: str, sentence: str, start: int) -> bool:
    """Whether ``sentence``, found at ``start`` in ``text``, is only a section's number opening its line."""
    at = start + len(sentence) - len(sentence.lstrip())
    return bool(_ITEM_NUMBER.fullmatch(sentence.strip())) and not text[text.rfind("\n", 0, at) + 1 : at].strip()


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


# The season, which the past participle « été » (« a été », a stop word) hides: « l'été », « d'été », « cet été »,
# « en été », and « Été » opening a line or a table's cell (« Été (du 1er avril au 30 septembre) | 9 h – 18 h 30 »)
_SEASON = re.compile(r"(?:(?<=\b[ld]['’])|(?<=\bcet )|(?<=\ben )|(?<=[|(] )|(?<=[|(\n])|^)[ée]t[ée]\b")
# and its months: « fermé quand cet été ? » is answered by « du lundi 3 août au vendredi 21 août 2026 »
_SUMMER_MONTH = re.compile(r"\b(juillet|ao[uû]t)\b")


TERMS_VERSION = 5  # bump when `terms` changes: a saved BM25 index of other terms is rebuilt


# A unit as written out and as abbreviated: « combien de kilomètres » finds « 2 292 km », « d'euros » finds « 15 € »
_UNIT_STEMS = {"km": "kilometr", "kms": "kilometr", "kg": "kilo", "kilos": "kilo", "kilogramm": "kilo",
               "min": "minut", "mn": "minut", "euros": "euro"}


def terms(text: str) -> list[str]:
    """Search terms: lower-cased, elisions removed, stop words dropped, a number written in words as its figures
    (« six spectacles » finds « 6 spectacles »), the season « été » as « estival » (as July and August are too),
    stemmed, accents folded, a unit's abbreviation as its word (« km », « € »)."""
    text = _SUMMER_MONTH.sub(r"\1 estival", _SEASON.sub("estival", text.lower())).replace("€", " euros ")
    words = _WORD.findall(_ELISION.sub(" ", text))
    kept = [_SEARCHED_NUMBERS.get(w, w) for w in words if strip_accents(w) not in STOP_WORDS]
    return [_UNIT_STEMS.get(stem, stem) for stem in map(strip_accents, _stemmer().stemWords(kept))]


# Chat shorthand and clipped words a user types (« c koi le mdp du wifi », « le véto »), as documents write them
_SHORTHAND = {
    "mdp": "mot de passe", "rdv": "rendez-vous", "cb": "combien", "cmb": "combien", "num": "numéro", "qd": "quand",
    "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "koi": "quoi", "kel": "quel", "kelle": "quelle",
    "bcp": "beaucoup", "tjrs": "toujours", "tjs": "toujours", "ds": "dans", "pr": "pour", "pdt": "pendant",
    "qqn": "quelqu'un", "qqch": "quelque chose", "pb": "problème", "dispo": "disponible", "dispos": "disponibles",
    "resa": "réservation", "résa": "réservation", "dej": "déjeuner", "déj": "déjeuner", "ptit": "petit",
    "p'tit": "petit", "auj": "aujourd'hui", "ajd": "aujourd'hui", "mtn": "maintenant", "jusqua": "jusqu'à",
    "ya": "il y a", "y'a": "il y a", "dc": "donc", "stp": "", "svp": "", "veto": "vétérinaire", "véto": "vétérinaire",
    "resto": "restaurant", "appart": "appartement", "ado": "adolescent", "ados": "adolescents", "prof": "professeur",
    "profs": "professeurs", "kiné": "kinésithérapeute", "manif": "manifestation", "jai": "j'ai", "cest": "c'est",
    "quil": "qu'il", "quils": "qu'ils", "sil": "s'il", "sils": "s'ils", "nest": "n'est", "jen": "j'en", "jy": "j'y",
    "quest": "qu'est",
}
# Everyday words for what documents name otherwise (« un accrochage » is « un accident » in a rental contract): searched
# so only when no document holds the word itself
_EVERYDAY = {
    "accrochage": "accident", "accrochages": "accidents", "carambolage": "accident", "cambriolage": "vol",
    "cambriolages": "vols", "cambrioler": "voler", "cambriolé": "volé", "cambriolée": "volée", "cambriolés": "volés",
    "cambrioleur": "voleur", "cambrioleurs": "voleurs", "bagnole": "voiture", "toubib": "médecin",
    "boulot": "travail", "fric": "argent", "gamin": "enfant", "gamine": "enfant", "gamins": "enfants",
    "gosse": "enfant", "gosses": "enfants", "môme": "enfant", "mômes": "enfants", "bouffe": "repas", "frigo":
    "réfrigérateur", "télé": "télévision", "ordi": "ordinateur", "proprio": "propriétaire", "coloc": "colocataire",
    "clim": "climatisation", "flic": "policier", "flics": "policiers", "clope": "cigarette", "clopes": "cigarettes",
}
_SHORT_WORD = re.compile(r"(?<![\w'’-])[\w'’]+(?![\w'’-])")
# « c koi… », « C combien… », « …la saison ? c quand », not « C. Dupont »; « g mon permis » (j'ai), not « 500 g »
_OPENING_C = re.compile(r"(?:^|(?<=[?,;]))\s*c(?=\s+\w)", re.IGNORECASE)
_OPENING_G = re.compile(r"^\s*g(?=\s+\w)", re.IGNORECASE)


_LETTERS = re.compile(r"[^\W\d_]+")
# The elisions a user glues to the next word (« lecole », « davoir », « jenvoie »); « m », « s », « t »… open
# too many words (« morale » is no « m'orale »)
_GLUED = re.compile(r"(?:qu|[ldj])(?=[aeiouyhàâéèêëîïôûù])", re.IGNORECASE)
_PLAIN_WORD = re.compile(r"(?<![^\s«(\"])[^\W\d_]+(?![^\s,;:.!?»)\"])")  # a word of its own: not « pre?mière »


def spellings(texts) -> dict[str, str]:
    """Each accented word of ``texts``, lower-cased, under its form without accents; the most frequent wins."""
    counts = Counter(word for text in texts for word in _LETTERS.findall(text.lower()) if not word.isascii())
    found: dict[str, str] = {}
    for word, _ in counts.most_common():
        found.setdefault(strip_accents(word), word)
    return found


def respelled(question: str, accented: dict[str, str], vocabulary) -> str:
    """The question's words that no document holds, written as the documents write them: with their accents
    (« infirmiere » stems to « infirmier », the documents' « infirmière » to « infirmi ») or their elision's
    apostrophe (« linfirmiere », which matched nothing: « linfirmiere elle est la quels jours ? » found the
    canteen's prices), or by the word they use for an everyday one (« un accrochage avec la voiture de location » is
    « un accident »). ``accented`` comes from `spellings`, ``vocabulary`` holds the documents' terms.
    A word the documents hold, or one they do not spell otherwise, stays as typed."""
    def known(word: str) -> bool:
        stems = terms(word)
        return bool(stems) and all(stem in vocabulary for stem in stems)

    def cased(found: str, word: str) -> str:
        return found[0].upper() + found[1:] if word[0].isupper() else found

    def written(word: str) -> str:
        return cased(accented.get(word.lower(), word) if word.isascii() else word, word)

    def respell(match: re.Match) -> str:
        word = match.group()
        if all(stem in vocabulary for stem in terms(word)):  # known, or no search term at all
            return word
        spelled = written(word)
        if known(spelled):
            return spelled
        everyday = _EVERYDAY.get(word.lower(), "")
        if everyday and known(everyday):
            return cased(everyday, word)
        glued = _GLUED.match(word)
        rest = written(word[glued.end():]) if glued else ""
        return f"{word[: glued.end()]}'{rest}" if len(rest) > 3 and known(rest) else word

    return _PLAIN_WORD.sub(respell, question)


def spelled_out(question: str) -> str:
    """The question with chat shorthand written out, as the documents say it: « mdp » matches no passage's words, nor
    does « jusqua » tell that a date is asked. Only lower-case words of their own: « PR », « CB », « tel » (un tel
    accord) are not shorthand."""
    spelled = _SHORT_WORD.sub(lambda m: _SHORTHAND.get(m.group(), m.group()),
                              _OPENING_G.sub("j'ai", _OPENING_C.sub(" c'est", question)))
    return " ".join(spelled.split())


# Words a compound's hyphen follows or precedes (« vingt-cinq », « porte-parole », « peut-être », « dit-elle »): a
# line that ends on them with a hyphen splits the compound at its own hyphen, not a word between two syllables
_COMPOUND_FIRST = frozenset(
    "dix vingt trente quarante cinquante soixante quatre peut au là ci non demi mi semi ex vice sous porte garde "
    "arrière avant après grand grande petit petite beau belle rez chef haut basse bas extra anti néo".split())
_COMPOUND_SECOND = frozenset(
    "il elle ils elles on je tu nous vous moi toi lui leur leurs le la les y en ci là même mêmes être dessus dessous "
    "delà deçà bas".split())


def line_end_word(first: str, rest: str, lowered: str) -> str:
    """The word a hyphen at a line's end splits, as written: « dévelop- » / « pement » is « développement », «
    porte- » / « parole » is « porte-parole ». A PDF keeps a word processor's hyphenation; read as two words, «
    dévelop- pement » matched neither « développement » nor anything else. The document's own use of either form
    decides (``lowered``: its text in lower case), else a list of the words compounds begin or end with; a capital or
    a digit after the hyphen (« Anne- » / « Sophie », « 2024- » / « 2025 ») always keeps it."""
    joined, kept = first + rest, f"{first}-{rest}"
    if not (first[-1:].isalpha() and rest[:1].islower()) or kept.lower() in lowered:
        return kept
    if joined.lower() in lowered:
        return joined
    last = re.split(r"[-'’]", first)[-1].lower()
    return kept if last in _COMPOUND_FIRST or rest.lower() in _COMPOUND_SECOND else joined


def looks_foreign(text: str) -> bool:
    """True when a question is clearly written in another language than French. A French
    question word first wins: "Qui a écrit The Spirit and the Flesh ?" names an English title."""
    words = [w.lower() for w in _WORD.findall(_ELISION.sub(" ", text))]
    if words and words[0] in _FRENCH_OPENERS:
        return False
    foreign = sum(w in _FOREIGN_WORDS for w in words)
    french = sum(w not in _FOREIGN_WORDS and (strip_accents(w) in _FRENCH_HINTS or w in _FRENCH_HINTS) for w in words)
    return foreign >= 2 and foreign > french


TYPE_MISSING_WEIGHT = 0.5  # a sentence without the kind of fact asked for counts half when sentences are ranked
NUMBER_VALUES = {  # a number written in words is a number: "Trois pays" needs "trois" or "3" in its evidence
    "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6", "sept": "7", "huit": "8", "neuf": "9",
    "dix": "10", "onze": "11", "douze": "12", "treize": "13", "quatorze": "14", "quinze": "15", "seize": "16",
    "vingt": "20", "trente": "30", "quarante": "40", "cinquante": "50", "soixante": "60",
}
_SEARCHED_NUMBERS = {word: value for word, value in NUMBER_VALUES.items() if word != "neuf"}  # « un vélo neuf »
_NUMBER_WORDS = frozenset(NUMBER_VALUES) | frozenset(
    "cent cents mille million millions milliard milliards dizaine dizaines douzaine douzaines quinzaine vingtaine "
    "trentaine quarantaine cinquantaine soixantaine centaine centaines millier milliers moitie tiers quart".split()
)
MONTHS = frozenset("janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre".split())
_DATE_WORDS = MONTHS | frozenset(
    "lundi mardi mercredi jeudi vendredi samedi dimanche hier demain veille lendemain matin soir midi minuit "
    "heure heures".split()
)
# « Quand… ? » is also answered by « un mois après », « deux ans plus tard », « au XVIe siècle » (not
# « Quelle année… ? »: there « chaque année » beat « en 1607 »)
_RELATIVE_TIME = frozenset("jour jours semaine semaines mois an ans annee annees siecle siecles epoque printemps ete "
                           "automne hiver".split())
_DURATIONS = frozenset("seconde secondes minute minutes min h heure heures jour jours semaine semaines mois an ans "
                       "annee annees siecle siecles decennie decennies".split())
# « Combien coûte… ? » is answered by a sum (« 12 millions d'euros », « Sa construction a coûté 465 millions »),
# or « gratuit »: not by « 40 % de ses besoins »
_COST_ASKED = frozenset("cout couts coute coutent coutera couteront coutait prix tarif tarifs paie paye paient payer "
                        "payera paiera".split())
# What is a sum by itself: « C'est combien le loyer… ? » asks a price, not the « 17 » of « 17 rue Camille-Desmoulins »
# (not « facture » nor « abonnement »: « Combien de factures… ? » counts them)
_SUM_ASKED = frozenset("loyer loyers montant montants cotisation cotisations frais acompte acomptes salaire salaires "
                       "amende amendes franchise franchises caution somme sommes budget remuneration indemnite "
                       "indemnites".split())
# « Quel pourcentage du salaire… ? » asks a share of a sum, which « 40 % » gives without euros
_SHARE_ASKED = frozenset("pourcentage pourcentages proportion taux".split())
_MONEY = _COST_ASKED | frozenset("euro euros eur dollar dollars centime centimes franc francs livres yen yens rouble "
                                 "roubles cfa".split())
# « Il mesurait combien ? », « Quelle est la hauteur… ? »: a size or a weight, with its unit (« 3,5 cm »), not the
# « 110,00 € » of an invoice's « Échographie abdominale » row
_MEASURE_ASKED = frozenset("mesure mesurait mesuraient mesurent mesurer hauteur longueur largeur profondeur epaisseur "
                           "diametre superficie surface poids pese pesait pesent peser".split())
_MEASURE = re.compile(r"\d\s?(?:[ckm]?m[²³23]?|(?:centi|milli|kilo)?m[èe]tres?|ha|hectares?|kg|g|kilos?|"
                      r"(?:kilo)?grammes?|t|tonnes?|l|litres?)\b", re.IGNORECASE)
_CODE_ASKED = frozenset(("numero", "numeros"))
# four digits or more, maybe in groups (« 04 76 58 21 90 »), or letters and digits around a hyphen (« B3-03 »,
# « L24-117 »); not « 24 C », nor an error code (« E02 »)
_CODE = re.compile(r"\d(?:[ .-]?\d){3,}|\b[A-Z]+\d*-\d+\b")
_DURATION_ASKED = frozenset(("temps", "duree"))  # « Combien de temps… », « Quelle est la durée… »
_CLOCK = re.compile(r"\d{1,2}h(?:\d\d)?", re.IGNORECASE)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_YEARS_ASKED = frozenset("an ans annee annees siecle siecles temps".split())


def dates(word: str, following: str) -> bool:
    """Whether digits date a fact rather than count something: a year (« en 2015 »), a day of the month
    (« le 30 septembre »), a clock time (« 20h45 », « 18 heures »). ``following``: the next word, folded."""
    return (bool(_YEAR.fullmatch(word) or _CLOCK.fullmatch(word))
            or following in MONTHS or following.startswith("heure"))


_BE = r"(?:(?:est|sont|[ée]tait|[ée]taient|sera|seront|serait) (?:la |le |l'|les )?)?"  # « quel est le montant »
# « c'est qui le maître-nageur ? », « c ki qui gère les comptes » ask a name as « qui » does; « A qui… », « Contre
# qui… » do not always (PIAF: « les gestionnaires », « tous les stades » answer them), so those stay open questions
_ASKED = (
    ("number", re.compile(rf"\b(combien|quel(?:le)?s? {_BE}"
                          r"(?:nombre|part|pourcentage|proportion|montant|somme|âge|taux|chiffre|bilan|prix|co[uû]t|"
                          r"budget|distance|dur[ée]e|hauteur|longueur|largeur|superficie|surface|poids|altitude|"
                          r"profondeur|vitesse|temp[ée]rature|diam[èe]tre|masse|volume|num[ée]ros?))\b")),
    ("date", re.compile(rf"\b(quand|quelles? {_BE}(?:dates?|ann[ée]es?|heures?)|quels? {_BE}(?:jours?|mois|soirs?)|"
                        r"depuis quand)\b")),
    ("name", re.compile(rf"^(?:qui|à qui|avec qui|par qui|de qui|pour qui|(?:d'|par |jusqu'|vers )?o[uù])\b|"
                        rf"\bc(?:'est|’est|est)? (?:qui|ki)\b|\bo[uù] ?\?$|\b(?:quel(?:le)?s? {_BE}"
                        r"(?:pays|ville|journal|parti|pr[ée]sident|ministre|chef|dirigeant|groupe|organisation|"
                        r"r[ée]gion|[ée]tat|capitale|nom|personne|homme|femme|entreprise|soci[ée]t[ée]|titre|"
                        r"magazine))\b")),
)


_REFERS_BACK = re.compile(r"^[«\"“]?\s*(?:il|elle|ils|elles|ce dernier|cette derni[èe]re|ces derni(?:ers|[èe]res)|"
                          r"celui-ci|celle-ci|ceux-ci|celles-ci|ce|cet|cette|ces)\b", re.IGNORECASE)


def refers_back(sentence: str) -> bool:
    """Whether the sentence opens on a pronoun or a demonstrative ("Ce dernier tente de reprendre le pouvoir",
    "Cette ville…"): who or what it speaks of is in the sentence before."""
    return bool(_REFERS_BACK.match(sentence))


_WH_WORD = re.compile(r"\b(?:qui|que|qu|quoi|quel|quelle|quels|quelles|lequel|laquelle|lesquels|lesquelles|auquel|"
                      r"auxquels|auxquelles|duquel|desquels|desquelles|o[uù]|quand|comment|pourquoi|combien)\b")
# The question words that stay search terms: a sentence that shares only them with the question is about something else
WH_TERMS = frozenset(terms("combien lequel laquelle lesquels lesquelles"))
_INVERSION = re.compile(r"\w-(?:t-)?(?:il|elle|ils|elles|on|je|tu|nous|vous)\b")
_EST_CE_QUE = re.compile(r"(?:^|[,:;]\s*)est-ce qu")
# A clause, asked by its tone (« on peut manger au bord du bassin ? », « le parking est gratuit ? », « y a un
# parking ? », « Wilfrid Laurier est il opposé… ? »), not a noun phrase (« prix du voile d'hivernage ? »): a subject
# pronoun or a verb
_CLAUSE = re.compile(r"(?:^|\s)(?:on|je|j|tu|nous|vous|il|ils|elle|elles|ça|ca|c|y)(?:['’]|\s)"
                     r"|\b(?:est|sont|peut|peuvent|faut|doit|doivent|ont|va|vont|peux|dois|pourrai|pourra)\b")


def is_closed(question: str) -> bool:
    """Whether the question is answered by oui or non: « Est-ce que… ? », a subject inverted with no
    question word before it (« Les pneus sont-ils couverts ? », not « Pourquoi la piscine est-elle fermée ? »),
    or a clause asked by its tone, as people type in a chat box (« on peut manger au bord du bassin ? »).
    Asked whether an extract « gives what the question asks », the model answers the question itself, and
    refuses an extract that says non."""
    lowered = re.sub(r"^(?:et|mais|alors|donc)\b[\s,]*", "", question.lower().strip())
    asked = _EST_CE_QUE.search(lowered)  # also after what the user says first: « Ma fille a 8 ans, est-ce que… ? »
    if asked and not _WH_WORD.search(lowered[: asked.start()]):
        return True
    inversion = _INVERSION.search(lowered)
    if inversion:
        return not _WH_WORD.search(lowered[: inversion.start()])
    return lowered.endswith("?") and not _WH_WORD.search(lowered) and not lowered.startswith("q") \
        and bool(_CLAUSE.search(lowered))


def asked_type(question: str) -> str | None:
    """What kind of fact the question asks for: "number", "date", "name", or None (why, how, what, oui or non)."""
    lowered = question.lower().strip()
    if is_closed(question):
        return None
    for kind, pattern in _ASKED:
        if pattern.search(lowered):
            return kind
    return None


def gives_asked_number(question: str, answer: list[str]) -> bool:
    """Whether an answer to a "combien" question gives a number (any other question: True). "La Russie
    a tiré des missiles de croisière" is true and cited, yet does not answer "Combien de missiles…"."""
    return asked_type(question) != "number" or any(holds_type(s, "number", question) for s in answer)


def _folded_words(text: str) -> set[str]:
    return {strip_accents(word.lower()) for word in _WORD.findall(text)}


def asks_a_unit(question: str) -> bool:
    """Whether the question asks for a sum or a length of time, which the check on the answer's kind holds to its unit
    (« euros », « semaines »): then a sentence that has it answers even in other words. Not a size: « Quelle est la
    hauteur des pylônes ? » needs a length too, but « Sa travée centrale mesure 856 mètres » is about something else."""
    return asked_type(question) == "number" and bool(_folded_words(question) & (_COST_ASKED | _DURATION_ASKED))


def cost_terms(question: str) -> set[str]:
    """The search terms of « coûte », « prix », « payé » when the question asks a price, and of « temps » in « combien
    de temps »: they say what kind of fact is asked, which the sum or the duration in the answer checks, not what it is
    about. Matched alone, « L'impression coûte 10 centimes » answered « Combien coûte la nouvelle usine ? », and
    « Les légumes : pendant ce temps, épluchez… » « Combien de temps de cuisson… ? »."""
    lowered = question.lower()
    words = [w for w in _WORD.findall(lowered) if strip_accents(w) in _COST_ASKED]
    words += ["temps"] if _HOW_LONG.search(lowered) else []
    return set(terms(" ".join(words))) if asked_type(question) == "number" else set()


_HOW_LONG = re.compile(r"\bcombien de temps\b")


def holds_type(text: str, kind: str | None, question: str = "") -> bool:
    """Whether ``text`` holds a fact of the asked ``kind`` that the question does not already state."""
    if kind is None:
        return True
    asked = _folded_words(question)
    years_asked = bool(asked & _YEARS_ASKED)  # « Depuis combien d'années… » is answered by « depuis 2012 »
    duration_asked = bool(asked & _DURATION_ASKED)  # « Combien de temps… » by « une heure et demie »
    when_asked = "quand" in asked
    words = _WORD.findall(text)
    if kind == "number":
        folded_words = _folded_words(text)
        counted = _COUNTED.search(question)  # « Combien de joueurs les franchises… ? » counts players
        sum_asked = asked & _SUM_ASKED and not duration_asked and not (  # nor « la durée de restitution de la caution »
            counted and strip_accents(counted.group(1).lower()) not in _SUM_ASKED)
        if (asked & _COST_ASKED or sum_asked) and not asked & _SHARE_ASKED:
            if any(word.startswith("gratuit") for word in folded_words):
                return True
            if not folded_words & _MONEY and not re.search(r"[€$£¥]", text):
                return False
        if asked & _MEASURE_ASKED and not (asked & _COST_ASKED or counted) and not _MEASURE.search(text):
            return False
        if asked & _CODE_ASKED:  # « Quel numéro… »: a phone number, a batch's code (« L24-117 »), not « 2 ans »
            return bool(_CODE.search(text))
        if duration_asked and not (folded_words - asked) & _DURATIONS:  # « 8 documents » is no duration
            return any(_YEAR.fullmatch(word) for word in words)  # « Depuis combien de temps… » « depuis 2008 »
    for i, word in enumerate(words):
        folded = strip_accents(word.lower())
        if folded in asked:
            continue
        if kind in ("number", "date") and any(c.isdigit() for c in word):
            following = strip_accents(words[i + 1].lower()) if i + 1 < len(words) else ""
            # « 12 heures » is an hour of the day, unless the question counts hours (« Combien d'heures… »)
            if (kind == "date" or years_asked or not dates(word, following)
                    or terms(following) == [counted_term(question)]):
                return True
        if kind == "number" and (folded in _NUMBER_WORDS or duration_asked and folded in _DURATIONS):
            return True
        if kind == "date" and (folded in _DATE_WORDS or when_asked and folded in _RELATIVE_TIME):
            return True
        if kind == "name" and i > 0 and word[:1].isupper() and folded not in STOP_WORDS:
            return True
    return False


_COUNTED = re.compile(r"\bcombien (?:de |d['’])\s*(?!apr[eè]s\b)(\w+)", re.IGNORECASE)  # not « combien d'après… »


def counted_term(question: str) -> str | None:
    """The search term of what « Combien de groupes… ? » counts: « vingt-deux groupes » answers it."""
    match = _COUNTED.search(question)
    found = terms(match.group(1)) if match else []
    return found[0] if found else None


def counts(sentence: str, term: str) -> bool:
    """Whether a number stands right before ``term`` in the sentence (« 2 900 salariés », « vingt-deux groupes »)."""
    words = _WORD.findall(_ELISION.sub(" ", sentence))
    for word, following in zip(words, words[1:]):
        folded = strip_accents(word.lower())
        if (any(c.isdigit() for c in word) or folded in _NUMBER_WORDS) and terms(following) == [term]:
            return True
    return False


# A quantity the question gives, of a unit tariff grids are laid out by: an age or a sum (« j'ai 22 ans », « notre
# quotient familial est de 620 € »). The row that applies states a bracket holding it (« moins de 26 ans »,
# « 451 à 800 € »), not the value itself.
_GIVEN_UNITS = {"ans": "ans", "an": "ans", "€": "€", "euros": "€", "euro": "€", "eur": "€"}
_AMOUNT = r"(\d{1,3}(?:[  .]\d{3})*(?:,\d+)?|\d+(?:,\d+)?)"
_UNIT = r"(ans?|€|euros?|eur)(?!\w)"
_GIVEN = re.compile(rf"{_AMOUNT}\s?{_UNIT}", re.IGNORECASE)
_BRACKETS = (  # (pattern, the given value's distance to the bracket when it holds it, else None)
    (re.compile(rf"(?:entre\s+{_AMOUNT}\s?(?:{_UNIT}\s?)?et|(?:de\s+)?{_AMOUNT}\s?(?:{_UNIT}\s?)?à)"
                rf"\s+{_AMOUNT}\s?{_UNIT}", re.IGNORECASE), lambda v, a, b: b - a if a <= v <= b else None),
    (re.compile(rf"{_AMOUNT}\s?(?:{_UNIT}\s?)?[-–]\s?{_AMOUNT}\s?{_UNIT}", re.IGNORECASE),
     lambda v, a, b: b - a if a <= v <= b else None),
    (re.compile(rf"(?:moins de|jusqu'à|jusqu'a|inférieure? à|au plus|au maximum)\s+{_AMOUNT}\s?{_UNIT}", re.IGNORECASE),
     lambda v, a: a - v if v <= a else None),
    (re.compile(rf"(?:plus de|à partir de|a partir de|dès|au-delà de|supérieure? à|au moins)\s+{_AMOUNT}\s?{_UNIT}",
                re.IGNORECASE), lambda v, a: v - a if v >= a else None),
    (re.compile(rf"{_AMOUNT}\s?{_UNIT}\s+(?:et plus|ou plus|et au-delà)", re.IGNORECASE),
     lambda v, a: v - a if v >= a else None),
)


def _amount(text: str) -> float:
    return float(re.sub(r"[  .]", "", text).replace(",", "."))


def given_quantities(question: str) -> list[tuple[float, str, str]]:
    """The ages and sums the question states: (value, unit, the value as written)."""
    return [(_amount(value), _GIVEN_UNITS[unit.lower()], value) for value, unit in _GIVEN.findall(question)]


GIVEN_STATED = 2.0  # `fits_given` of a sentence that states the value itself


def fits_given(sentence: str, given: list[tuple[float, str, str]]) -> list[float]:
    """How the sentence stands to each quantity the question gives: 2 when it states that value (« à 8 ans »),
    between 1 and 2 when it states a bracket of its unit that holds it, the closer the bracket the higher (« Plus
    de 65 ans » over « dès 12 ans » for « mon père a 70 ans »), -1 when it states only brackets, or ages, that do
    not (« Senior (65 ans et plus) » for « j'ai 22 ans », « pour une personne de 40 ans » for « une personne de
    65 ans »), 0 when it states none. A sum alone is a price as often as a condition, and never -1."""
    fits = []
    for value, unit, _ in given:
        distances, rest = [], sentence
        for pattern, distance in _BRACKETS:
            for match in pattern.finditer(rest):
                numbers = [g for g in match.groups() if g and g[0].isdigit()]
                units = [g for g in match.groups() if g and not g[0].isdigit()]
                if _GIVEN_UNITS.get(units[-1].lower()) == unit:
                    distances.append(distance(value, *map(_amount, numbers)))
            rest = pattern.sub(" ", rest)
        values = [_amount(v) for v, u in _GIVEN.findall(rest) if _GIVEN_UNITS[u.lower()] == unit]
        holding = [d for d in distances if d is not None]
        fits.append(GIVEN_STATED if value in values else 1 + 1 / (1 + min(holding)) if holding
                    else -1.0 if distances or unit == "ans" and values else 0.0)
    return fits
