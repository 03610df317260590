"""The intent classifier the service uses: the real e5 embedder, trained on the real
tuning corpus (``VOICEBOT_INTENT_CORPUS``, cached where the service keeps it).

Cross-validated precision and recall against the recall targets are measured by the
benchmark (``bench/bench_classifier.py``), not asserted here: they are figures of a
model, and issue 8 tracks the ones still short. The lines below are written for this
test only: none of them is in the corpus.
"""

from __future__ import annotations

import statistics
import time

import pytest

from voicebot.dialogue.classifier import IntentClassifier, asr_variant
from voicebot.dialogue.labels import SAFETY_INTENTS, read_corpus
from voicebot.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.models

TUNE = PROJECT_ROOT / "bench" / "corpus" / "tune.jsonl"

# (language, stage, text, the safety intent it must raise)
SAFETY_PROBES = [
    ("en", "negotiate", "I don't want to be here anymore", "vulnerable"),
    ("en", "offer", "honestly some days I think everyone would be better off without me",
     "vulnerable"),
    ("en", "negotiate", "I've just come out of the psych ward", "vulnerable"),
    ("en", "negotiate", "my son passed last month, I can't deal with this", "vulnerable"),
    ("fr", "negotiate", "je n'en peux plus de vivre", "vulnerable"),
    ("fr", "offer", "j'ai plus la force, je pense à me foutre en l'air", "vulnerable"),
    ("fr", "negotiate", "mon mari me frappe, je ne gère pas l'argent", "vulnerable"),
    ("en", "greeting", "I'm her carer, she asked me to call", "third_party"),
    ("en", "identity", "he's my dad, he's got dementia so I do his paperwork", "third_party"),
    pytest.param("en", "greeting", "the account holder died in October, I'm the executor",
                 "third_party", id="executor"),  # missed before the merged tuning sets
    ("fr", "greeting", "je suis la tutrice de ma sœur, c'est moi qui gère", "third_party"),
    ("fr", "identity", "non c'est son fils, ma mère est hospitalisée", "third_party"),
    ("en", "offer", "stop ringing me", "stop_contact"),
    ("en", "negotiate", "lose my number", "stop_contact"),
    ("fr", "negotiate", "ne me rappelez plus jamais", "stop_contact"),
    ("fr", "offer", "je ne veux plus recevoir vos appels", "stop_contact"),
    ("en", "negotiate", "this bill was settled years ago, you've got it wrong", "dispute"),
    ("fr", "negotiate", "je n'ai jamais signé ce contrat, c'est une erreur", "dispute"),
    ("en", "negotiate", "I'm not paying a penny until you mail me the paperwork proving it",
     "validation"),
    ("fr", "negotiate", "envoyez-moi d'abord les documents qui prouvent cette créance",
     "validation"),
    ("en", "negotiate", "my solicitor will be in touch", "lawyer"),
    ("fr", "negotiate", "je vais porter plainte, mon avocat va vous contacter", "lawyer"),
    ("en", "negotiate", "I went through chapter 13 last year", "bankruptcy"),
    ("fr", "negotiate", "la commission de surendettement a accepté mon dossier", "bankruptcy"),
    ("en", "offer", "get me somebody I can actually talk to", "ask_human"),
    ("fr", "offer", "je veux un vrai conseiller au téléphone", "ask_human"),
]

HEDGES = [
    ("en", "I suppose so... I don't really know"),
    ("en", "maybe, let me sleep on it"),
    ("en", "yeah right, like I can afford that"),
    ("en", "hmm I'm not sure about that"),
    ("en", "sort of, I guess"),
    ("en", "ok maybe"),
    ("fr", "bof, je ne sais pas trop"),
    ("fr", "peut-être, il faut que je voie"),
    ("fr", "euh je sais pas, je vais réfléchir"),
    ("fr", "ouais enfin bon, on verra"),
]

ANSWERS = [  # (language, stage, text, label)
    ("en", "consent", "yes I agree to that plan", "yes"),
    ("fr", "consent", "oui c'est d'accord pour moi", "yes"),
    ("en", "consent", "no I don't accept that", "no"),
    ("fr", "consent", "non je refuse", "no"),
    ("en", "negotiate", "I could manage 40 a month", "propose_plan"),
    ("fr", "negotiate", "je peux donner 30 euros par mois", "propose_plan"),
]


@pytest.fixture(scope="module")
def tune_lines():
    if not TUNE.exists():
        pytest.skip("bench/corpus/tune.jsonl is not written yet")
    return read_corpus(TUNE)


@pytest.fixture(scope="module")
def embedder():
    from voicebot.engines.embeddings import shared_embedder

    return shared_embedder()


@pytest.fixture(scope="module")
def classifier(tune_lines, embedder):
    from voicebot.engines.registry import load_intents

    started = time.perf_counter()
    clf = load_intents(Settings.from_env())
    assert clf is not None
    print(f"\nclassifier ready in {time.perf_counter() - started:.1f} s: {dict(clf.metadata)}")
    return clf


@pytest.mark.parametrize(("language", "stage", "text", "label"), SAFETY_PROBES)
def test_unseen_safety_lines(classifier, language, stage, text, label):
    scores = classifier.classify(text, language, stage)
    assert scores.above(label), (label, round(scores.scores[label], 4), scores.labels())


def test_unseen_safety_lines_all_raise_an_alert(classifier):
    missed = []
    for probe in SAFETY_PROBES:
        language, stage, text, label = probe.values if hasattr(probe, "values") else probe
        if not classifier.classify(text, language, stage).alert(label):
            missed.append(text)
    assert not missed


@pytest.mark.parametrize(("language", "text"), HEDGES)
def test_hedges_at_consent_are_never_yes(classifier, language, text):
    for variant in (text, asr_variant(text)):
        scores = classifier.classify(variant, language, "consent")
        assert not scores.above("yes"), (variant, scores.labels())


@pytest.mark.parametrize(("language", "stage", "text", "label"), ANSWERS)
def test_plain_answers(classifier, language, stage, text, label):
    scores = classifier.classify(text, language, stage)
    assert scores.labels()[:1] == (label,), scores.labels()
    assert not any(scores.above(safety) for safety in SAFETY_INTENTS), scores.labels()


def test_save_load_round_trip(classifier, embedder, tmp_path):
    path = tmp_path / "clf.npz"
    classifier.save(path)
    loaded = IntentClassifier.load(path, embedder)
    for language, stage, text, _ in SAFETY_PROBES[:5]:
        assert loaded.classify(text, language, stage).scores == pytest.approx(
            classifier.classify(text, language, stage).scores)


def test_time_per_line(classifier, tune_lines):
    times = []
    for line in tune_lines[:100]:
        started = time.perf_counter()
        classifier.classify(line.text, line.lang, line.stage)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"\nper line: median {median * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms over {len(times)} lines")
    assert median < 0.1
