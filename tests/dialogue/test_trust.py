"""Understanding a debtor can trust, through the real dialogue manager over text.

Each group is a class of problems: distress, third parties, requests that stop
collection, consent, money in spoken shapes, questions, mixed initiative and
wording. The lines are written for these tests (not taken from the corpus), in
both languages, at several stages of the call. Each runs with rules and parsers
alone, and again with the trained intent classifier as calls use it.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.dialogue.conftest import assert_compliant, bot_text, converse

# Every test here runs twice: rules alone, and with the trained classifier.
pytestmark = pytest.mark.usefixtures("reading")

JANE = ["yes", "Jane Doe", "nine four one zero seven"]
MARIE = ["oui", "Marie Dupont", "sept cinq zéro un un"]
JOHN = ["yes", "John Smith", "one zero zero zero one"]
IDENTITY = {"100200": JANE, "300400": MARIE, "500600": JOHN}
MONEY_WORDS = re.compile(r"\d|dollar|euro|balance|solde|pay|paie|règl|plan", re.I)


def careful(dialogue, reading: str) -> bool:
    """The trained classifier heard distress beside what the rules read ("the repayments
    are killing me", "leave my old dad alone"): a person takes the call as a priority,
    flagged as vulnerable, which is the careful path when a line could be either."""
    return (reading == "classifier" and dialogue.handoff == "vulnerability"
            and "vulnerability" in dialogue.flags and dialogue.decision is None)


def after(turns, index: int) -> str:
    """What the bot said from the caller's ``index``-th line on."""
    caller = [i for i, t in enumerate(turns) if t["speaker"] == "caller"]
    return " ".join(t["text"] for t in turns[caller[index]:] if t["speaker"] == "bot")


# -- distress: stop collecting, say something human, a priority hand-off ----------------

DISTRESS = [
    ("100200", "I'm thinking of ending my life"),
    ("100200", "I feel suicidal about all this"),
    ("500600", "honestly I just want to die, I can't take this anymore"),
    ("100200", "my husband passed away two weeks ago and I can't cope"),
    ("500600", "I'm in the hospital, they found a tumour"),
    ("300400", "je suis suicidaire"),
    ("300400", "j'ai envie d'en finir, je n'en peux plus"),
    ("300400", "ma mère est décédée la semaine dernière"),
    ("100200", "I'm only just home after a suicide attempt"),
    ("500600", "last spring I tried to end it, so forgive me if I'm slow"),
    ("300400", "j'ai fait une tentative l'an dernier, je suis encore fragile"),
    ("100200", "sorry I'm in a and e with my mum right now"),
    ("300400", "encore une facture comme ça et je me jette sous un train"),
    ("100200", "I just want everything to be over, not only these calls"),
    ("500600", "I've been hearing voices again since the letters started"),
    ("300400", "j'entends des voix la nuit depuis que j'ai reçu vos lettres"),
    # Less said outright: a suicide attempt abbreviated, money kept from the caller,
    # reading, a protected adult, apostrophes dropped.
    ("300400", "j'ai fait une ts cet été alors votre facture hein"),
    ("300400", "c'est mon mari qui garde ma carte, il me laisse pas un sou"),
    ("100200", "i cant read or write so the letters mean nothing to me"),
    ("300400", "je suis sous protection des majeurs"),
    ("100200", "im in hospital right now"),
    ("500600", "i relapsed last week, drinking again, i cant deal with bills"),
    ("300400", "on a enterré mon frère samedi"),
    ("300400", "jsuis rendu à boutte, j'ai pus le goût de rien"),
    ("500600", "sorry I cant read, my daughter usually does the letters"),
    ("100200", "the bailiffs are changing the locks on monday and we've nowhere to go"),
    ("500600", "they've given me a few months to live, so what's the point"),
    ("100200", "my boyfriend keeps my bank card and hands me ten pounds a week"),
    ("300400", "on vient d'être expulsés, on dort dans la voiture"),
    ("100200", "I'm autistic and this call is a lot, please slow down"),
    ("500600", "i wont be needing any plan where im going"),
    ("100200", "a scammer took all my savings last month"),
    ("300400", "je suis autiste, ça va trop vite pour moi"),
    ("300400", "on m'a arnaquée, j'ai perdu toutes mes économies"),
    ("100200", "i wrote a note last night, i was going to do it"),
    ("300400", "vous voulez que je me foute en l'air, c'est ça ?"),
    ("500600", "my ex took a loan out in my name and he says he'll hurt me"),
    ("300400", "on doit quitter le logement vendredi avec les enfants"),
    # Said in passing: a ward, an attempt in slang, not long to live.
    ("100200", "I'm still on the ward, they only let me have the phone for an hour"),
    ("300400", "je me suis raté en juin, alors allez-y doucement"),
    ("300400", "de toute façon j'en ai plus pour longtemps"),
    ("500600", "I haven't got long left, the doctors were honest with me"),
    ("100200", "maybe I'll just walk off the car park roof, problem solved"),
    ("500600", "I have problems with my memory, I forget whether I paid"),
    ("100200", "I'm phoning from the ward, they lent me the phone"),
    ("500600", "he reads all my post, if he sees this he'll go mad"),
    ("300400", "je suis à l'hosto depuis lundi"),
    ("300400", "dès que j'ai un peu d'argent je le rejoue, c'est plus fort que moi"),
    ("300400", "je sors de désintox la semaine prochaine"),
    ("500600", "I'll be dead before the last payment anyway"),
    # A loss, a ward, a partner's grip, a prognosis: said in passing or misheard.
    ("100200", "my baby was stillborn in october and I can't face the post"),
    ("100200", "they've got me on the psych unit for another week"),
    ("500600", "I can't bloody take any more of these letters"),
    ("100200", "since Margaret passed I've not opened a single bill"),
    ("500600", "there's a restraining order on my ex now, that's why the address changed"),
    ("100200", "he doesn't let me answer the phone when he's home"),
    ("500600", "my dads in a coma since the crash"),
    ("300400", "je sors de l'hp la semaine prochaine"),
    ("300400", "j'attends une greffe du foie depuis un an"),
    ("300400", "ma femme est en soins palliatifs, je dors plus"),
    ("300400", "plus rien ne me retient, vous savez"),
    ("300400", "mon compagnon m'écoute là, je peux pas parler"),
    ("300400", "on m'a donné six mois à vivre"),
    # a rash act threatened, a partner who keeps the card and the door, a loss at sea
    ("300400", "si ça continue je vais faire une connerie, je tiendrai pas"),
    ("300400", "mon copain garde ma carte et il me laisse pas sortir"),
    ("100200", "honestly I'm not in any state to talk about money"),
    ("500600", "his boat went down in march, they never found him"),
    # a caller who may not use the phone, stalked, in the dark, cancer by its nickname,
    # a future they will not see, a psychiatric hospital by its initials
    ("100200", "quick, I'm not allowed on the phone and he gets home at five"),
    ("500600", "my ex tracked down where I live from a letter like yours"),
    ("100200", "it's been really dark lately, I almost didn't pick up"),
    ("300400", "oui oui d'accord, de toute façon le crabe me laisse pas longtemps"),
    ("300400", "faites comme vous voulez, bientôt ça sera plus mon problème"),
    ("300400", "je vous appelle, je suis en HP depuis lundi"),
]


@pytest.mark.parametrize(("reference", "line"), DISTRESS)
@pytest.mark.parametrize("stage", ["greeting", "identity", "negotiation", "consent"])
async def test_distress_stops_collection_at_any_stage(reference, line, stage):
    identity = IDENTITY[reference]
    offer = "je peux payer 60 euros par mois" if reference == "300400" else \
        "I can pay 100 a month"
    before = {"greeting": [], "identity": identity[:1], "negotiation": identity,
              "consent": [*identity, offer]}[stage]
    dialogue, turns = await converse(reference, [*before, line])
    assert dialogue.handoff == "vulnerability"
    assert dialogue.priority and "vulnerability" in dialogue.flags
    reply = turns[-1]["text"]
    assert not re.search(r"\d+ (?:dollars|euros)|how would you like|combien", reply, re.I)
    assert ("sorry" in reply) or ("désolé" in reply)
    if dialogue.language == "fr":
        assert "31 14" in reply and "conseiller" in reply
    else:
        assert ("9 8 8" in reply or "31 14" in reply) and "colleague" in reply
    assert not dialogue.agreed


# -- third parties learn nothing, whatever they know --------------------------------------

THIRD_PARTIES = [
    ("100200", ["I'm calling for Jane Doe", "Jane Doe", "94107"]),
    ("100200", ["yes", "this is her husband, she asked me to sort it", "Jane Doe", "94107"]),
    ("100200", ["yes", "I'm Jane's son, she's in the hospital"]),
    ("500600", ["yes", "it's my dad's account, he's not home", "John Smith", "10001"]),
    ("300400", ["je suis le mari de Marie Dupont", "Marie Dupont", "75011"]),
    ("300400", ["oui", "j'appelle de la part de ma femme", "Marie Dupont", "75011"]),
    ("300400", ["oui", "elle n'est pas là, je suis sa fille", "Marie Dupont"]),
    ("500600", ["yes", "he's in jail right now, I handle his mail", "John Smith", "10001"]),
    ("300400", ["oui", "c'est pas moi, c'est mon coloc, il s'est tiré", "Marie Dupont"]),
    ("100200", ["yes", "the account's in my landlord's name, I only pay it", "Jane Doe"]),
    ("300400", ["oui", "elle ne peut plus parler depuis l'AVC, c'est moi qui gère tout",
                "Marie Dupont", "75011"]),
    ("500600", ["yes", "John doesn't live here, he moved to Texas", "John Smith"]),
    ("100200", ["yes", "wrong number, there's no Jane Doe here", "Jane Doe"]),
    ("300400", ["oui", "vous vous êtes trompés de personne, connais pas cette dame"]),
    ("100200", ["yes", "this came for the previous tenant, I just opened it", "Jane Doe"]),
    ("300400", ["oui", "c'est le courrier de ma copine, je regarde la référence"]),
    ("100200", ["yes", "nobody called Jane on this number any more", "Jane Doe"]),
    ("500600", ["yes", "Mr Smith is no longer living here, we've only just moved in",
                "John Smith"]),
    ("100200", ["yes", "she's in a care home now, I open her post", "Jane Doe", "94107"]),
    ("500600", ["yes", "this number belongs to the firm, I only answer the phones",
                "John Smith"]),
    ("100200", ["yes", "you've reached the dental surgery, can I take a message?",
                "Jane Doe"]),
    ("100200", ["yes", "daddy's at work and I'm not allowed to talk to strangers"]),
    ("500600", ["yes", "hang on, let me ask him, he says his zip is 10001", "John Smith",
                "10001"]),
    ("500600", ["yes", "we moved in a few weeks ago, I don't know any John", "John Smith"]),
    ("300400", ["oui", "agence immobilière du centre bonjour, vous vous êtes trompé",
                "Marie Dupont"]),
    ("300400", ["oui", "madame est en rendez-vous, voulez-vous laisser un message ?"]),
    ("300400", ["oui", "faut voir avec sa curatrice, moi je peux rien dire", "Marie Dupont"]),
    ("500600", ["yes", "I pay the bill for my daughter while she's at college", "John Smith"]),
    ("100200", ["yes", "hold on, I'll ask her... she says yeah, go on", "Jane Doe"]),
    ("500600", ["yes", "I'm his deputy, appointed by the court, he lacks capacity",
                "John Smith", "10001"]),
    ("300400", ["oui", "notre client nous a chargés de ce dossier", "Marie Dupont"]),
    ("300400", ["oui", "mon fils est injoignable, il est en mission", "Marie Dupont"]),
    ("500600", ["yes", "he's offshore for another three weeks, I sort his post",
                "John Smith"]),
    ("100200", ["yes", "it's his phone contract really, I only pay it for him", "Jane Doe"]),
    ("300400", ["oui", "c'est elle la titulaire, je lui en parle ce soir quand elle rentre",
                "Marie Dupont"]),
    ("100200", ["yes", "my mum said to tell you she can pay on friday", "Jane Doe"]),
    ("500600", ["yes", "I handle all his finances since his stroke", "John Smith"]),
    ("100200", ["yes", "I found this letter on the pavement, it's someone's account",
                "Jane Doe"]),
    ("300400", ["oui", "ma mère, elle dit qu'elle peut mettre 30 par mois", "Marie Dupont"]),
    ("300400", ["oui", "je suis le propriétaire, votre client est parti sans payer",
                "Marie Dupont"]),
    ("300400", ["oui", "en tant que tutrice de madame Dupont je vous appelle",
                "Marie Dupont"]),
]


async def test_what_else_a_third_partys_words_say_is_recorded_not_discussed():
    dialogue, turns = await converse("300400", [
        "oui", "c'est mon ex qui a ouvert ce compte avec mon nom", "Marie Dupont", "75011"])
    assert dialogue.flags == ["third_party", "dispute"]
    assert not dialogue.verified and dialogue.decision is None and dialogue.handoff is None
    assert not re.search(r"solde|\d+ euros|recouvrement|contest", bot_text(turns), re.I)
    assert "titulaire" in turns[-1]["text"]


@pytest.mark.parametrize(("reference", "lines"), THIRD_PARTIES)
async def test_a_third_party_learns_nothing_about_the_debt(reference, lines):
    dialogue, turns = await converse(reference, lines)
    said = bot_text(turns)
    assert not dialogue.verified and dialogue.decision is None
    assert "third_party" in dialogue.flags
    assert not re.search(r"balance|solde|\d+ (?:dollars|euros)|debt collector|recouvrement",
                         said, re.I)
    # Told only that this is for the account holder (or, when they say the holder is
    # unwell, passed with care to a person who knows not to discuss the debt).
    assert dialogue.handoff == "vulnerability" or re.search(
        r"account holder|titulaire", turns[-1]["text"])


async def test_a_third_party_unmasked_after_verification_is_told_nothing_more():
    dialogue, turns = await converse("100200", [*JANE, "actually I'm her husband, she's at work"])
    assert "third_party" in dialogue.flags and dialogue.decision is None
    assert not re.search(r"\d+ dollars", after(turns, 3))


async def test_the_account_holder_talking_about_family_is_not_a_third_party():
    dialogue, _ = await converse("100200", [*JANE, "my husband and I can pay 100 a month",
                                            "yes"])
    assert "third_party" not in dialogue.flags
    assert dialogue.agreed


# A holder who says the account is their own while naming family: never a third party.
@pytest.mark.parametrize(("reference", "line"), [
    ("100200", "my husband's name is on the broadband, this one's in my name, 100 a month"),
    ("100200", "my son usually rings for me but it's my own account, 100 a month"),
    ("500600", "I'm the account holder, my wife just reminded me to call. 100 a month"),
    ("300400", "c'est mon contrat à moi, pas celui de mon frère, 100 par mois"),
    ("300400", "je suis bien la titulaire, ma fille m'a juste aidée à trouver le numéro, "
               "100 par mois"),
])
async def test_a_holder_who_says_the_account_is_theirs_is_not_a_third_party(reference, line):
    dialogue, turns = await converse(reference, [*IDENTITY[reference], line])
    assert "third_party" not in dialogue.flags and dialogue.handoff is None
    # The plan goes on: no right-party question, no safety check, no goodbye.
    assert dialogue.stage.name in {"CONSENT", "ACCEPT_OFFER", "CONFIRM_AMOUNT",
                                   "NEGOTIATE"}, turns[-1]["text"]


# -- stop contact, disputes, proof, lawyers, bankruptcy: never ask for money after -------

REQUESTS = [
    ("100200", "don't ever call this number again", "stop_contact", "end"),
    ("100200", "quit calling me", "stop_contact", "end"),
    ("500600", "take me off your list and leave me alone", "stop_contact", "end"),
    ("100200", "send me proof of this debt in writing first", "validation", "end"),
    ("500600", "I want written verification of this before I pay anything", "validation",
     "end"),
    ("100200", "I never had an account with you, this is a mistake", "dispute", "hand_off"),
    ("500600", "my attorney is dealing with this", "lawyer", "hand_off"),
    ("500600", "I filed for chapter 7 last month", "bankruptcy", "hand_off"),
    ("300400", "je ne vous dois rien du tout", "dispute", "hand_off"),
    ("300400", "ne m'appelez plus jamais", "stop_contact", "end"),
    ("300400", "envoyez-moi un justificatif par courrier", "validation", "end"),
    ("300400", "j'ai déposé un dossier de surendettement", "bankruptcy", "hand_off"),
    # the right balance set against theirs
    ("100200", "hang on, I only owe 200, not 900", "dispute", "hand_off"),
    ("300400", "normalement il me reste que 150 euros, pas 600", "dispute", "hand_off"),
    # As speech recognition writes them, apostrophes dropped.
    ("100200", "i dont owe you people anything", "dispute", "hand_off"),
    ("300400", "cest pas ma dette", "dispute", "hand_off"),
    # Said another way: a regional word, another country's procedure.
    ("500600", "legally you're not allowed to be calling me", "stop_contact", "end"),
    ("300400", "appelez-moi pu jamais sur mon cellulaire", "stop_contact", "end"),
    ("300400", "merci de ne plus me joindre au bureau", "stop_contact", "end"),
    ("300400", "ce contrat n'est pas le mien, c'est un faux", "dispute", "hand_off"),
    ("300400", "quelqu'un a imité ma signature pour ouvrir ça", "dispute", "hand_off"),
    ("500600", "I'm under debt review with a counsellor", "bankruptcy", "hand_off"),
    ("300400", "on a un plan conventionnel de redressement", "bankruptcy", "hand_off"),
    ("300400", "par écrit uniquement s'il vous plaît", "stop_contact", "end"),
    ("300400", "jveux plus que vous mappeliez au travail", "stop_contact", "end"),
    ("100200", "those were estimated bills, the meter reading was wrong", "dispute", "hand_off"),
    ("100200", "put it in black and white and post it to me", "validation", "end"),
    ("100200", "you've mixed me up with someone, I never lived at that address", "dispute",
     "hand_off"),
    ("500600", "somebody was posing as me when they opened it", "dispute", "hand_off"),
    ("300400", "vous me confondez avec quelqu'un d'autre", "dispute", "hand_off"),
    ("100200", "no calls at work please, ever", "stop_contact", "end"),
    ("300400", "merci de ne plus rien envoyer à la maison", "stop_contact", "end"),
    ("300400", "j'ai déposé une proposition de consommateur chez un syndic de faillite",
     "bankruptcy", "hand_off"),
    ("100200", "the direct debit came out twice this month", "dispute", "hand_off"),
    ("500600", "two agencies are chasing me for the same debt", "dispute", "hand_off"),
    ("100200", "I cancelled within the cooling-off period", "dispute", "hand_off"),
    ("500600", "I only owe 200, not 700", "dispute", "hand_off"),
    ("500600", "I said I only owe 200, not 700", "dispute", "hand_off"),
    ("300400", "j'ai dit que je dois 100, pas 400", "dispute", "hand_off"),
    ("300400", "le prélèvement est passé deux fois ce mois-ci", "dispute", "hand_off"),
    ("300400", "je me suis rétractée dans les délais", "dispute", "hand_off"),
    ("300400", "voyez ça avec maître Durand", "lawyer", "hand_off"),
    ("500600", "you can't charge me that, it's not legal", "dispute", "hand_off"),
    ("300400", "ce montant sort de nulle part", "dispute", "hand_off"),
    ("100200", "how could I even have a debt with you, I paid by direct debit all along",
     "dispute", "hand_off"),
    ("500600", "the figure on your letter is different from what you just read out",
     "dispute", "hand_off"),
    ("500600", "how can it possibly come to 900, I hardly used it", "dispute", "hand_off"),
    ("100200", "I shut down all my accounts before I moved abroad", "dispute", "hand_off"),
    ("300400", "vous m'avez prélevé encore deux fois ce mois-ci", "dispute", "hand_off"),
    ("300400", "c'est pas le même montant que sur le courrier, y a 80 euros de trop",
     "dispute", "hand_off"),
    ("300400", "l'appartement de Toulouse c'est pas le mien", "dispute", "hand_off"),
    ("100200", "I've already gone to the ombudsman about this bill", "dispute", "hand_off"),
    ("500600", "speak to my brief about it", "lawyer", "hand_off"),
    ("100200", "it was 310 on my last statement and now you say 480", "dispute", "hand_off"),
    ("500600", "your agent told me the account would be written off", "dispute", "hand_off"),
    ("100200", "the line was cut for months, how can there be any charges", "dispute",
     "hand_off"),
    ("500600", "the balance keeps going up every time you call", "dispute", "hand_off"),
    ("300400", "vous continuez à facturer une ligne résiliée", "dispute", "hand_off"),
    ("300400", "y a un zéro de trop sur votre facture", "dispute", "hand_off"),
    ("100200", "please unsubscribe me from all of this", "stop_contact", "end"),
    ("500600", "I want to opt out of these calls", "stop_contact", "end"),
    ("500600", "we represent Mr Smith, please deal with our office", "lawyer", "hand_off"),
    ("100200", "I don't believe I owe all of that, but fine, 30 a month", "dispute", "hand_off"),
    ("100200", "leave my old dad alone, he has nothing to do with it", "stop_contact", "end"),
    ("500600", "that should have been written off with the rest", "dispute", "hand_off"),
    ("300400", "je crois pas vous devoir autant, mais bon, 20 par mois", "dispute", "hand_off"),
    ("300400", "je paierai ce que je dois réellement, pas un centime de plus", "dispute",
     "hand_off"),
    ("300400", "j'ai jamais habité à Paris, moi", "dispute", "hand_off"),
    ("300400", "je veux plus jamais entendre parler de vous", "stop_contact", "end"),
    ("100200", "I settled my final bill the day I moved out", "dispute", "hand_off"),
    ("500600", "I couldn't possibly have used that much, I'm never home", "dispute", "hand_off"),
    ("100200", "no way that's correct, not for a phone line", "dispute", "hand_off"),
    ("500600", "they promised me zero percent when I signed", "dispute", "hand_off"),
    ("100200", "the 480 is wrong, it was nearer 300", "dispute", "hand_off"),
    ("500600", "I agreed a full and final with the last lot in 2021", "dispute", "hand_off"),
    ("100200", "your colleague said it had been written off", "dispute", "hand_off"),
    ("100200", "how would I know you're genuine, anyone can ring up", "validation", "end"),
    ("500600", "are you even licensed to collect debts?", "validation", "end"),
    ("100200", "who was the original creditor on this?", "validation", "end"),
    ("300400", "vous êtes une société agréée ou pas ?", "validation", "end"),
    ("300400", "donnez-moi le nom du créancier d'origine d'abord", "validation", "end"),
    ("300400", "c'est pas la bonne adresse, j'habite au 4 pas au 40", "dispute", "hand_off"),
    # Said by what happened rather than by a word for it.
    ("100200", "why would I pay money I already sent you in March", "dispute", "hand_off"),
    ("500600", "the cheque was cashed weeks ago, check your records", "dispute", "hand_off"),
    ("100200", "my nephew opened that contract, he used my email to sign up", "dispute",
     "hand_off"),
    ("500600", "that's from when I lived in Denver, I closed it all then", "dispute",
     "hand_off"),
    ("100200", "2000 for gas in a studio flat? that's ridiculous", "dispute", "hand_off"),
    ("500600", "I sent the router back the week I got it", "dispute", "hand_off"),
    ("100200", "I'm positive it was all settled last spring", "dispute", "hand_off"),
    ("300400", "mon cousin a ouvert ce compte à mon nom quand il logeait chez moi", "dispute",
     "hand_off"),
    ("300400", "j'ai quitté l'appartement en mai, depuis c'est plus moi", "dispute",
     "hand_off"),
    ("300400", "j'ai tout annulé dans les délais, j'ai le mail", "dispute", "hand_off"),
    ("300400", "cette facture a été entièrement réglée en septembre", "dispute", "hand_off"),
    ("300400", "c'est pas moi qui ai passé ces commandes", "dispute", "hand_off"),
    ("100200", "itemise it, every single charge", "validation", "end"),
    ("500600", "you can't even explain the figure, so no", "validation", "end"),
    ("300400", "je veux le détail des frais avant tout", "validation", "end"),
    ("300400", "arrêtez de m'envoyer vos relances", "stop_contact", "end"),
    ("100200", "I'd rather not be rung at home any more, if that's all right", "stop_contact",
     "end"),
    ("300400", "ne me sonnez plus, s'il vous plaît", "stop_contact", "end"),
    ("300400", "je veux un papier avant de payer quoi que ce soit", "validation", "end"),
    ("100200", "I'm not paying a penny without a bill in my hand", "validation", "end"),
    ("300400", "c'est une dette qui existe même pas", "dispute", "hand_off"),
    ("300400", "voyez ça avec mon baveux", "lawyer", "hand_off"),
    ("500600", "I'm in a PIA now, the practitioner deals with all that", "bankruptcy",
     "hand_off"),
    ("300400", "le service de médiation de dettes gère tout maintenant", "bankruptcy",
     "hand_off"),
    ("100200", "I paid 200 of that in March and it's not showing", "dispute", "hand_off"),
    ("100200", "I already settled that account in the summer", "dispute", "hand_off"),
    ("100200", "my wife paid that off in august", "dispute", "hand_off"),
    ("300400", "le prélèvement est passé le 3, vérifiez", "dispute", "hand_off"),
    ("300400", "sans justificatif je paie rien", "validation", "end"),
    ("100200", "the official receiver has all my accounts now", "bankruptcy", "hand_off"),
    ("100200", "how can it be 600 when my bill was only 35 a month?", "dispute", "hand_off"),
    ("300400", "comment ça peut faire 1200 alors que je payais 30 par mois ?", "dispute",
     "hand_off"),
    ("300400", "c'est un homonyme, vous avez la mauvaise personne", "dispute", "hand_off"),
    ("100200", "is this really the gas board or is it a scam call?", "validation", "end"),
    ("300400", "rien du tout tant que j'ai pas reçu le détail", "validation", "end"),
    ("300400", "c'est qui le créancier d'origine ?", "validation", "end"),
]


# Lines that sound like a request and are not: the negotiation goes on.
LOOK_ALIKES = [
    ("100200", "I work at the county court, can the 80 a month come out on the 30th?"),
    ("100200", "that's murder on the interest, give me something shorter, 100 a month"),
    ("100200", "my son set me up with online banking so I can send it, 80 a month"),
    ("100200", "is the account passed on to you now? anyway, 80 a month"),
    ("100200", "I paid 50 last month on the app, can I do 80 a month from now on"),
    ("300400", "le plus court, 60 par mois, ça me va"),
    ("300400", "j'ai hâte d'en finir avec ces comptes-là, 60 par mois"),
    ("100200", "I'm not bankrupt or anything, I just forgot, 80 a month"),
    ("300400", "je suis mort de fatigue, mais 60 par mois ça ira"),
    ("300400", "mon conseiller bancaire m'a dit 60 par mois maximum"),
    ("100200", "my gran passed years ago and left me a bit, so 80 a month is fine"),
    # a power of attorney is not a lawyer; a hearing aid is not distress
    ("100200", "my hearing aid is playing up, but 80 a month is fine"),
    ("300400", "je travaille au greffe du tribunal, 60 par mois ça ira"),
    # the hospital as a workplace, advice handed on, the debt to be done with
    ("100200", "I work at the hospital, so payday's the 15th, 80 a month from then"),
    ("100200", "I'm in the hospital car park on my break, I'm a porter, 80 a month"),
    ("300400", "je bosse aux urgences de nuit, 60 par mois ça ira"),
    ("100200", "my dad passed on one bit of advice, pay what you owe, so 80 a month"),
    ("300400", "le plus court, je veux en finir vite, 60 par mois"),
]


@pytest.mark.parametrize(("reference", "line"), LOOK_ALIKES)
async def test_a_look_alike_is_not_a_request(reference, line):
    dialogue, turns = await converse(reference, [*IDENTITY[reference], line])
    assert dialogue.flags == [] and dialogue.handoff is None and not dialogue.ended_request
    assert not re.search(r"just to check|juste pour vérifier|proof|justificatif",
                         turns[-1]["text"], re.I)


# Manners on a call: sorry for interrupting, or "stop" meaning "let me speak". Neither is
# a request to stop contact, and neither is asked about as one.
MANNERS = [
    ("100200", "oh sorry, I didn't mean to interrupt you"),
    ("100200", "excuse me for jumping in, I'm calling about my bill"),
    ("500600", "stop, stop, let me get a word in"),
    ("500600", "can you stop talking over me for a second"),
    ("300400", "pardon, je ne voulais pas vous couper"),
    ("300400", "arrêtez, laissez-moi finir ma phrase"),
]


@pytest.mark.parametrize(("reference", "line"), MANNERS)
@pytest.mark.parametrize("stage", ["greeting", "negotiation"])
async def test_manners_are_not_a_request_to_stop_contact(reference, line, stage):
    lines = [line] if stage == "greeting" else [*IDENTITY[reference], line]
    dialogue, turns = await converse(reference, lines)
    assert dialogue.flags == [] and dialogue.handoff is None and not dialogue.ended_request
    assert not re.search(r"stop contacting|ne vous contactions plus",
                         turns[-1]["text"], re.I), turns[-1]["text"]


@pytest.mark.parametrize(("reference", "line", "flag", "action"), REQUESTS)
async def test_requests_are_acknowledged_recorded_and_handled_as_the_policy_says(
        reference, line, flag, action, reading):
    dialogue, turns = await converse(reference, [*IDENTITY[reference], line, "ok",
                                                 "I can pay 50 a month"])
    assert flag in dialogue.flags  # recorded even when distress is heard in it too
    assert dialogue.decision is None and not dialogue.agreed
    said = after(turns, len(IDENTITY[reference]))
    assert not re.search(r"how would you like|afford|combien|comment souhaitez", said, re.I)
    if careful(dialogue, reading):
        return
    if action == "end":
        assert dialogue.handoff is None and ("Goodbye" in said or "Au revoir" in said)
    else:
        assert dialogue.handoff == flag


async def test_a_request_before_identity_goes_to_a_person_without_the_debt():
    dialogue, turns = await converse("100200", ["yes", "stop calling me"])
    assert dialogue.handoff == "stop_contact"
    assert "480" not in bot_text(turns)


# -- consent is explicit ------------------------------------------------------------------

HEDGES_EN = ["I'm not sure", "I guess", "maybe", "yeah right", "I'll think about it",
             "I suppose so", "sure, whatever", "ok but I need to check with my husband",
             "um", "yes if I can change the date later", "probably",
             # as speech recognition writes a "hmm": no reason to doubt who is speaking
             "Him I'm not sure.", "Her, I guess.", "Him. Maybe.",
             # sarcasm: praise after an "oh", or piled up, with no yes in it
             "Oh marvellous, just marvellous.", "oh sure, that'll be easy",
             "Fantastic. Perfect. Exactly what I needed this week."]
HEDGES_FR = ["je ne sais pas", "peut-être", "bof", "je vais réfléchir", "mouais",
             "oui mais je dois en parler à mon mari", "faut voir", "si vous voulez",
             "oh génial, vraiment", "Formidable. Magnifique. Encore des mensualités.",
             "ah ben bravo"]


@pytest.mark.parametrize("hedge", HEDGES_EN)
async def test_a_hedge_at_the_read_back_is_never_consent(hedge):
    dialogue, turns = await converse("100200", [*JANE, "I can pay 100 a month", hedge])
    assert not dialogue.agreed and dialogue.handoff is None
    assert "Do you agree" in turns[-1]["text"] or "Goodbye" in turns[-1]["text"]


@pytest.mark.parametrize("hedge", HEDGES_FR)
async def test_a_french_hedge_is_never_consent(hedge):
    dialogue, _ = await converse("300400", [*MARIE, "je peux payer 60 euros par mois", hedge])
    assert not dialogue.agreed


class _Guesses:
    """A classifier's guesses for given lines, nothing for the others: what a trained one
    says of a line it takes for a request, made certain so the dialogue's part is tested."""

    def __init__(self, guesses: dict[str, tuple[str, ...]],
                 alerts: dict[str, tuple[str, ...]] | None = None):
        self.guesses = guesses
        self._alerts = alerts or {}
        self._line = ""

    def classify(self, text, language, stage):
        self._line = text
        return self

    def labels(self):
        return self.guesses.get(self._line, ())

    def alerts(self):
        return self._alerts.get(self._line, ())


async def _guessed(reference, lines, guesses, alerts=None):
    from tests.dialogue.reading_state import READING

    READING["classifier"] = _Guesses(guesses, alerts)
    try:
        return await converse(reference, lines)
    finally:
        READING["classifier"] = None


async def test_a_request_only_the_classifier_heard_is_asked_about_not_acted_on():
    offer = "the letter says I missed two, anyway I can do 80 a month"
    dialogue, turns = await _guessed("100200", [*JANE, offer], {offer: ("dispute",)})
    assert "debt isn't right" in turns[-1]["text"]
    assert dialogue.flags == [] and dialogue.handoff is None


def test_the_classifier_alone_makes_requests_checks_and_keeps_distress_an_intent():
    from tests.dialogue.conftest import TODAY
    from voicebot.dialogue.intents import Intent
    from voicebot.dialogue.understanding import understand

    heard = understand("I can do 80 a month", "en", TODAY,
                       labels=("vulnerable", "dispute", "validation"), alerts=("lawyer",))
    assert heard.intents == (Intent.VULNERABLE,)
    assert heard.checks == (Intent.DISPUTE, Intent.VALIDATION, Intent.LAWYER)
    ruled = understand("I don't owe you anything", "en", TODAY, labels=("dispute",))
    assert Intent.DISPUTE in ruled.intents and not ruled.checks  # the rules heard it


async def test_no_to_the_check_goes_on_with_what_the_caller_had_said():
    offer = "the letter says I missed two, anyway I can do 80 a month"
    again = "the letter says I missed two"
    dialogue, turns = await _guessed("100200", [*JANE, offer, "no", again],
                                     {offer: ("dispute",), again: ("dispute",)})
    said = after(turns, len(JANE) + 1)
    assert said.startswith("Thank you.") and "80 dollars" in said
    assert dialogue.flags == [] and dialogue.handoff is None
    # Asked once and denied: the same guess is not asked about again in this call.
    assert sum("debt isn't right" in t["text"] for t in turns) == 1


async def test_yes_to_the_check_records_the_request_and_stops():
    offer = "I can do 50 a month but the letter's a joke"
    dialogue, turns = await _guessed("100200", [*JANE, offer, "yes"], {offer: ("dispute",)})
    assert "dispute" in dialogue.flags and dialogue.decision is None
    assert not re.search(r"afford|how would you like", after(turns, len(JANE) + 1), re.I)


# -- what a classifier's guess may not override ---------------------------------------------
# Each case is a guess a trained classifier made on lines written for these tests, made
# certain here so that the dialogue's handling of the class is what is tested.

@pytest.mark.parametrize(("reference", "line", "flag"), [
    ("300400", "je ne dois rien, cette facture n'est pas à moi", "dispute"),
    ("100200", "my lawyer is handling this, speak to her office", "lawyer"),
    ("500600", "please stop ringing my mobile", "stop_contact"),
])
async def test_a_third_party_guess_let_go_does_not_hide_the_request_after_it(
        reference, line, flag):
    dialogue, turns = await _guessed(reference, [*IDENTITY[reference], line],
                                     {line: ("third_party",)})
    assert flag in dialogue.flags and "third_party" not in dialogue.flags
    assert dialogue.decision is None


@pytest.mark.parametrize(("reference", "line", "flags"), [
    ("100200", "stop calling me, I can't go on like this, I want to end it all",
     {"vulnerability", "stop_contact"}),
    ("300400", "je conteste cette facture et franchement j'ai envie d'en finir",
     {"vulnerability", "dispute"}),
])
async def test_a_request_said_in_distress_is_recorded_with_it(reference, line, flags):
    dialogue, _ = await converse(reference, [*IDENTITY[reference], line])
    assert dialogue.handoff == "vulnerability" and flags <= set(dialogue.flags)


@pytest.mark.parametrize(("reference", "line", "answer"), [
    ("100200", "wait, is this an actual human?", "automated assistant"),
    ("300400", "c'est un vrai conseiller ou une machine ?", "assistant automatisé"),
])
async def test_asking_what_the_bot_is_is_not_asking_for_a_person(reference, line, answer):
    dialogue, turns = await _guessed(reference, [*IDENTITY[reference], line],
                                     {line: ("ask_human", "question")})
    assert answer in turns[-1]["text"] and dialogue.handoff is None


async def test_asking_for_a_person_after_the_robot_question_still_is():
    line = "is this a robot? I want to talk to a real person"
    dialogue, _ = await _guessed("100200", [*JANE, line], {line: ("ask_human",)})
    assert dialogue.handoff == "caller_asked_for_human"


@pytest.mark.parametrize(("line", "agreed"), [("sounds good", True),
                                             ("yes please, set it up", True), ("uh", False)])
async def test_an_answer_at_the_read_back_is_not_a_request_for_a_person(line, agreed):
    offer = "I can pay 100 a month"
    dialogue, turns = await _guessed("100200", [*JANE, offer, line], {},
                                     alerts={line: ("ask_human",)})
    assert dialogue.agreed is agreed and dialogue.handoff != "caller_asked_for_human"
    assert "pass you to a colleague?" not in turns[-1]["text"]


@pytest.mark.parametrize("line", ["yes as long as I can move the date", "ok if it can change"])
async def test_a_condition_the_classifier_takes_for_a_question_is_still_a_hedge(line):
    offer = "I can pay 100 a month"
    dialogue, turns = await _guessed("100200", [*JANE, offer, line],
                                     {line: ("question", "unsure")})
    assert not dialogue.agreed and dialogue.handoff is None
    assert "Do you agree" in turns[-1]["text"] or "Goodbye" in turns[-1]["text"]


@pytest.mark.parametrize(("reference", "line", "answer"), [
    ("100200", "what happens if I miss one of the payments?", r"missed"),
    ("100200", "why do you need money up front?", r"10 percent"),
    ("100200", "how come you want a down payment?", r"10 percent"),
])
async def test_a_known_question_is_answered_whatever_move_a_classifier_guessed(
        reference, line, answer):
    dialogue, turns = await _guessed(reference, [*IDENTITY[reference], line],
                                     {line: ("ask_options", "question")})
    assert re.search(answer, turns[-1]["text"]), turns[-1]["text"]


@pytest.mark.parametrize("line", ["I'll clear the lot today", "the whole 480 in one go"])
async def test_the_whole_balance_is_paid_in_full_not_settled(line):
    dialogue, _ = await _guessed("100200", [*JANE, line],
                                 {line: ("pay_in_full", "settlement")})
    decision = dialogue.decision
    assert decision.kind != "settlement" and decision.total == Decimal("480.00")


def test_money_trouble_guessed_beside_a_workplace_or_an_offer_that_suits_is_not_taken():
    from tests.dialogue.conftest import TODAY
    from voicebot.dialogue.intents import Intent
    from voicebot.dialogue.understanding import understand

    for line, language in [("I'm a nurse on the cancer ward, 90 a month works for me", "en"),
                           ("je suis infirmière aux urgences, 50 par mois ça me va", "fr"),
                           ("100 a month would be fine", "en")]:
        heard = understand(line, language, TODAY, labels=("hardship", "propose_plan"))
        assert not heard.has(Intent.HARDSHIP), line
    # Difficulty in the caller's own words still counts.
    said = understand("I lost my job, so 20 a month would be fine", "en", TODAY,
                      labels=("hardship",))
    assert said.has(Intent.HARDSHIP)


async def test_two_hedges_end_the_call_with_nothing_agreed():
    dialogue, turns = await converse("100200", [*JANE, "I can pay 100 a month", "maybe",
                                                "I don't know, I need to think"])
    assert not dialogue.agreed and "Goodbye" in turns[-1]["text"]
    assert ("consent_deferred", "") in dialogue.record.events


# Consent said without "yes" is consent; a refusal or a question in the same words is not.
CONSENT_EN = ["I agree.", "agreed", "I accept", "I do.", "sounds good", "that works for me",
              "go ahead", "let's do it", "that's fine", "perfect", "I'm happy with that",
              "no problem", "no worries", "fine", "deal", "that's acceptable to me",
              "please proceed", "lock it in", "sign me up", "yes, I confirm",
              "yes, I accept these terms", "sorry, yes, that's fine dear",
              "bloody finally, yes, agreed"]
CONSENT_FR = ["j'accepte", "je suis d'accord", "ça me va", "ça marche", "c'est bon",
              "très bien", "ça me convient", "pas de souci", "allez-y", "entendu", "je valide",
              "je confirme", "banco", "je donne mon accord", "vous avez mon consentement",
              "c'est bon pour moi", "vas y validez", "oui c'est ok pour moi"]
NOT_CONSENT_EN = ["I don't agree", "I do not", "do I agree", "is that fine", "not okay",
                  "absolutely not", "of course not", "I can't agree to that",
                  "I agree it's a lot", "I'd agree if it were less", "fine, whatever",
                  "that doesn't work", "that won't work for me", "not fine",
                  "I agree to disagree", "sounds good but I need to check", "no",
                  "I don't consent", "I decline", "no thanks, not interested",
                  "I'm not okay with that"]
NOT_CONSENT_FR = ["je ne suis pas d'accord", "pas d'accord", "ça ne me va pas", "ça me va pas",
                  "je n'accepte pas", "ça ne marche pas", "c'est pas bon", "je refuse",
                  "absolument pas", "est-ce que ça me va", "bien sûr que non", "nan",
                  "je valide pas", "j'accepte pas du tout", "j'accepte rien", "pas question",
                  "hors de question", "je décline", "ouais ouais c'est ça", "jaccepte pas"]


@pytest.mark.parametrize("line", CONSENT_EN)
async def test_consent_without_a_yes_word_is_consent(line):
    dialogue, _ = await converse("100200", [*JANE, "I can pay 100 a month", line])
    assert dialogue.agreed and dialogue.handoff == "payment"


@pytest.mark.parametrize("line", CONSENT_FR)
async def test_french_consent_without_oui_is_consent(line):
    dialogue, _ = await converse("300400", [*MARIE, "je peux payer 60 euros par mois", line])
    assert dialogue.agreed


@pytest.mark.parametrize("line", NOT_CONSENT_EN)
async def test_a_refusal_or_a_question_in_agreeing_words_is_never_consent(line):
    dialogue, _ = await converse("100200", [*JANE, "I can pay 100 a month", line])
    assert not dialogue.agreed and dialogue.handoff is None


@pytest.mark.parametrize("line", NOT_CONSENT_FR)
async def test_a_french_refusal_in_agreeing_words_is_never_consent(line):
    dialogue, _ = await converse("300400", [*MARIE, "je peux payer 60 euros par mois", line])
    assert not dialogue.agreed


@pytest.mark.parametrize(("reference", "first", "correction", "amount"), [
    ("100200", "I can pay 100 a month", "no, that's wrong, I said 80 not 100", "80.00"),
    ("100200", "I can pay 100 a month", "the 100 is wrong, I meant 80", "80.00"),
    ("300400", "je peux payer 60 euros par mois", "non c'est faux, j'ai dit 70 pas 60", "70.00"),
])
async def test_correcting_the_amount_read_back_is_a_new_offer_not_a_dispute(
        reference, first, correction, amount):
    dialogue, turns = await converse(reference, [*IDENTITY[reference], first, correction])
    assert "dispute" not in dialogue.flags and dialogue.handoff is None
    assert dialogue.decision.ask.amount == Decimal(amount), turns[-1]["text"]


@pytest.mark.parametrize(("reference", "line"), [
    ("100200", "yes I agree, and email me the confirmation please"),
    ("100200", "yes, could I have a letter confirming the payments?"),
    ("500600", "yes, and send me a receipt after each payment"),
    ("300400", "oui j'accepte, envoyez-moi la confirmation par mail"),
    ("300400", "d'accord, vous m'envoyez l'échéancier une fois que c'est validé"),
])
async def test_paperwork_about_the_agreed_plan_is_not_a_request_for_proof(reference, line):
    first = "je peux payer 60 euros par mois" if reference == "300400" else "I can pay 100 a month"
    dialogue, _ = await converse(reference, [*IDENTITY[reference], first, line])
    assert "validation" not in dialogue.flags and "dispute" not in dialogue.flags
    # Agreed, or asked for a plain yes: the call goes on either way.
    assert dialogue.handoff in (None, "payment")


async def test_a_clear_yes_after_a_hedge_is_consent():
    dialogue, _ = await converse("100200", [*JANE, "I can pay 100 a month", "I guess",
                                            "yes, I agree"])
    assert dialogue.agreed and dialogue.handoff == "payment"


# -- money heard right ----------------------------------------------------------------------

async def test_two_hundred_in_digits_and_words():
    dialogue, _ = await converse("500600", [*JOHN, "2 hundred a month", "yes"])
    assert dialogue.decision.instalment_amount == Decimal("200.00")
    assert dialogue.agreed


@pytest.mark.parametrize("line", ["pay in full", "I'll pay the whole 480 today",
                                  "I'll just pay the whole thing"])
async def test_paying_in_full_is_one_payment_of_the_balance(line):
    dialogue, _ = await converse("100200", [*JANE, line, "yes"])
    decision = dialogue.decision
    assert decision.count == 1 and decision.total == Decimal("480.00")
    assert_compliant(decision, "100200")


async def test_a_grand_a_month():
    dialogue, _ = await converse("500600", [*JOHN, "a grand a month"])
    assert dialogue.decision.instalment_amount == Decimal("1000.00")


@pytest.mark.parametrize(("line", "amount"), [("seventy-two fifty a month", "72.50"),
                                              ("one fifty a month", "150.00")])
async def test_amounts_said_the_american_way(line, amount):
    dialogue, _ = await converse("500600", [*JOHN, line])
    assert dialogue.decision.ask.amount == Decimal(amount)


async def test_money_up_front_to_close_it_is_a_settlement_offer_not_an_instalment():
    dialogue, turns = await converse("500600", [*JOHN, "I'll give you 1000 right now to close "
                                                       "it"])
    decision = dialogue.decision
    assert decision.kind == "settlement" and decision.count == 1
    assert_compliant(decision, "500600")


async def test_money_up_front_where_there_is_no_settlement():
    dialogue, turns = await converse("100200", [*JANE, "I'll give you 300 right now to close "
                                                       "it"])
    assert "doesn't offer a reduced settlement" in turns[-1]["text"]


@pytest.mark.parametrize("line", [
    "I lost my job, I can only do 20",
    "things are pretty stretched, I'm on universal credit",
    "I'm between contracts at the moment, 15 a month is all I can do",
    "the repayments are killing me, I've got nothing left after rent",
])
async def test_hardship_goes_to_staff_where_the_policy_says_they_handle_it(line, reading):
    dialogue, turns = await converse("100200", [*JANE, line])
    assert careful(dialogue, reading) or (
        dialogue.handoff == "hardship" and dialogue.decision is None)


@pytest.mark.parametrize("line", [
    "je suis à sec ce mois-ci",
    "je touche le RSA, je peux pas faire plus de 20 euros",
    "c'est tendu niveau argent en ce moment, j'ai rien sur le compte",
])
async def test_french_hardship_goes_to_staff_too(line, reading):
    dialogue, turns = await converse("300400", [*MARIE, line])
    assert careful(dialogue, reading) or (
        dialogue.handoff == "hardship" and dialogue.decision is None)


async def test_hardship_gets_the_hardship_variant_where_there_is_one():
    dialogue, _ = await converse("500600", [*JOHN, "I lost my job, I can only do 60 a month",
                                            "yes", "yes"])
    assert dialogue.decision.requires_human and dialogue.handoff == "hardship_approval"


async def test_an_ambiguous_amount_is_checked_before_it_is_used():
    dialogue, turns = await converse("500600", [*JOHN, "two or three hundred a month"])
    assert "Did you mean" in turns[-1]["text"] or "What could you afford" in turns[-1]["text"]
    assert dialogue.decision is None


# -- questions are answered ----------------------------------------------------------------

QUESTIONS = [
    ("100200", "what happens if I miss a payment?", r"missed"),
    ("100200", "am I talking to a robot?", r"automated assistant"),
    ("100200", "why do I need a down payment?", r"10 percent"),
    ("500600", "what's the minimum I can pay?", r"50 dollars"),
    ("500600", "can I just pay by card now?", r"can't take payments myself"),
    ("100200", "how do I dispute this?", r"dispute"),
    ("300400", "je parle à un robot ?", r"assistant automatisé"),
    ("300400", "et si je rate un paiement ?", r"appelez-nous"),
]


@pytest.mark.parametrize(("reference", "line", "answer"), QUESTIONS)
async def test_questions_are_answered_then_the_question_is_asked_again(reference, line,
                                                                          answer):
    dialogue, turns = await converse(reference, [*IDENTITY[reference], line])
    reply = turns[-1]["text"]
    assert re.search(answer, reply), reply
    assert re.search(r"How would you like to pay|Comment souhaitez-vous", reply)
    assert dialogue.handoff is None


async def test_an_unknown_question_offers_a_person():
    dialogue, turns = await converse("100200", [*JANE, "what's your office address?", "yes"])
    assert "can't answer" in turns[-3]["text"]
    assert dialogue.handoff == "caller_asked_for_human"


async def test_the_robot_question_is_answered_truthfully_before_identity_too():
    _, turns = await converse("100200", ["is this a real person?"])
    assert "automated assistant" in turns[-1]["text"]


@pytest.mark.parametrize(("reference", "choice", "count"), [
    ("500600", "the lowest one", 12), ("500600", "the first one", 1),
    ("300400", "le plus bas", 4), ("300400", "la première", 1),
])
async def test_options_can_be_picked_by_position_or_description(reference, choice, count):
    ask = "quelles sont mes options ?" if reference == "300400" else "what are my options?"
    dialogue, turns = await converse(reference, [*IDENTITY[reference], ask, choice])
    assert dialogue.decision.count == count
    assert re.search(r"To confirm|Pour confirmer", turns[-1]["text"])


@pytest.mark.parametrize(("reference", "line"), [
    ("500600", "I can pay on the first"), ("500600", "hold on a second"),
    ("500600", "the first of next month works"), ("300400", "je paierai le premier mars"),
    ("300400", "une seconde"), ("300400", "comme le mois dernier"),
])
async def test_an_ordinal_that_says_when_picks_no_option(reference, line):
    ask = "quelles sont mes options ?" if reference == "300400" else "what are my options?"
    dialogue, _ = await converse(reference, [*IDENTITY[reference], ask, line])
    assert not [d for kind, d in dialogue.record.events if kind == "chosen"]


@pytest.mark.parametrize("line", ["bonjour, je voudrais parler de ma facture",
                                  "j'ai une question sur ma facture", "j ai reçu une lettre"])
async def test_french_on_an_english_only_line_is_answered_in_french(line):
    # "j'ai" is French, not a question about AI.
    dialogue, turns = await converse("100200", [line], known=False)
    assert "anglais" in turns[-1]["text"] and "conseiller" in turns[-1]["text"]
    dialogue, turns = await converse("100200", ["bonjour, je voudrais parler de ma facture",
                                                "oui"], known=False)
    assert dialogue.handoff == "caller_asked_for_human"


async def test_asking_for_french_on_an_english_only_line_offers_a_person():
    dialogue, turns = await converse("100200", [*JANE, "can we speak French?"])
    assert "only speak English" in turns[-1]["text"]
    assert dialogue.language == "en"


# -- mixed initiative ----------------------------------------------------------------------

async def test_name_and_zip_at_the_read_back_are_an_implicit_yes():
    dialogue, turns = await converse("100200", ["Jane Doe, zip code 94107"])
    assert dialogue.verified
    assert "480 dollars" in turns[-1]["text"]


async def test_everything_in_the_first_breath_is_not_asked_again():
    dialogue, turns = await converse("100200", ["Hi, I'm Jane Doe, account 100200, I want to "
                                                "pay 80 a month", "94107", "yes"], known=False)
    said = bot_text(turns)
    assert "account reference" not in after(turns, 0).split("ZIP")[0]
    assert "full name" not in said
    assert dialogue.verified and dialogue.decision.instalment_amount == Decimal("80.00")
    assert dialogue.agreed


async def test_identity_is_still_checked_before_the_debt():
    dialogue, turns = await converse("100200", ["Hi, I'm Jane Doe, account 100200, I want to "
                                                "pay 80 a month"], known=False)
    assert not dialogue.verified and "480" not in bot_text(turns)
    assert "ZIP code" in turns[-1]["text"]


# -- negotiating like a good agent --------------------------------------------------------

async def test_a_counter_offer_says_why():
    _, turns = await converse("100200", [*JANE, "ten dollars a month"])
    assert "smallest monthly payment Acme Telecom accepts is 25 dollars" in turns[-1]["text"]


async def test_a_settlement_is_negotiated_in_steps():
    dialogue, turns = await converse("500600", [*JOHN, "can I settle for 1500", "no", "no"])
    offers = [d for k, d in dialogue.record.events if k == "decision"]
    totals = [Decimal(re.search(r"settlement step \d: .*?(\d+\.\d\d)", o).group(1))
              for o in offers if "settlement step" in o]
    assert len(totals) == 3 and totals[0] > totals[1] > totals[2] == Decimal("2040.00")


async def test_refusing_twice_brings_the_options_not_the_same_question():
    _, turns = await converse("100200", [*JANE, "ten dollars a month", "no", "twelve dollars",
                                         "no"])
    assert "First:" in turns[-1]["text"] and "colleague" in turns[-1]["text"]


# -- wording ------------------------------------------------------------------------------

async def test_french_wording_is_inbound_and_apologises_once():
    dialogue, turns = await converse("300400", ["euh", "heu"])
    said = bot_text(turns)
    assert "vous êtes en relation avec" in turns[0]["text"]
    assert said.count("Pardon") <= 2 and "Pardon, je n'ai pas compris. Pardon" not in said
    _, turns = await converse("300400", MARIE)
    assert "Nous vous appelons" not in bot_text(turns)
    assert "deux cent trente-six euros quarante" in bot_text(turns)


async def test_no_plural_after_one():
    _, turns = await converse("100200", [*JANE, "can I pay it in two goes"])
    assert not re.search(r"\b1 \w+ payments\b", bot_text(turns))


async def test_a_read_back_that_could_not_be_said_is_said_again_then_handed_off():
    dialogue, turns = await converse("100200", [*JANE, "I can pay 100 a month"])
    read_back = turns[-1]["text"]
    assert "To confirm" in read_back
    assert dialogue.on_unheard().text == read_back  # said again...
    again = dialogue.on_unheard()  # ...and failing again, a person takes over
    assert again.handoff == "internal_failure" and not dialogue.agreed
    said_yes = await dialogue.on_caller_text("yes")
    assert not dialogue.agreed and said_yes.handoff is None


async def test_a_digit_run_longer_than_any_reference_is_never_read_back():
    dialogue, turns = await converse("100200", ["four five three two zero one five one one two "
                                                "eight three"], known=False)
    assert "four, five, three" not in turns[-1]["text"]
    assert dialogue.stage.name == "REFERENCE"
