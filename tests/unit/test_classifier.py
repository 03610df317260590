"""The intent classifier's maths and plumbing, with a bag-of-words stand-in for e5.

The real embedder is tested in ``tests/models/test_classifier_model.py``; here the
vectors only need to make words matter, so training, thresholds, the hedge veto, saving
and caching can be checked in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from voicebot.dialogue import training
from voicebot.dialogue.classifier import (
    SEGMENT_LABELS,
    STAGES,
    IntentClassifier,
    IntentScores,
    Recipe,
    asr_variant,
    cache_path,
    load_or_train,
    read_corpora,
    segments,
    select_thresholds,
)
from voicebot.dialogue.labels import (
    INTENTS,
    SAFETY_INTENTS,
    CorpusStage,
    parse_lines,
    read_corpus,
)
from voicebot.dialogue.training import ThresholdRule, TrainConfig
from voicebot.engines.embeddings import VectorCache
from voicebot.errors import ConfigError, ModelError
from voicebot.settings import Settings

LINES = Path(__file__).parent / "data" / "intent_lines.jsonl"
FAST = Recipe(network=TrainConfig(hidden=32, epochs=40, ensemble=1), folds=3)


class BagOfWords:
    """Each word a fixed random direction; a line is the normalised sum of its words."""

    def __init__(self, name: str = "bag-of-words/64", dim: int = 64) -> None:
        self.name = name
        self.dim = dim
        self.calls = 0
        self.texts = 0

    def _word(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).normal(size=self.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            vector = sum((self._word(w) for w in re.findall(r"\w+", text.lower())),
                         np.zeros(self.dim))
            out[row] = vector / max(float(np.linalg.norm(vector)), 1e-9)
        return out


@pytest.fixture(scope="module")
def lines():
    return read_corpus(LINES)


@pytest.fixture(scope="module")
def trained(lines):
    return IntentClassifier.train(lines, BagOfWords(), FAST)


# ---- the corpus schema ----------------------------------------------------------------

def _row(**overrides: object) -> str:
    row = {"id": "en-t-0001", "lang": "en", "stage": "consent", "register": "plain",
           "text": "yes", "intents": ["yes"]}
    row.update(overrides)
    return json.dumps(row)


def test_corpus_lines_become_typed_records(lines):
    assert len(lines) == 72
    first = lines[0]
    assert first.stage is CorpusStage.NEGOTIATE and first.lang == "en"
    assert first.intents == ("vulnerable",) and first.main_intent == "vulnerable"
    slots = parse_lines([_row(amount="50", frequency="monthly")])[0].slots
    assert dict(slots) == {"amount": "50", "frequency": "monthly"}


@pytest.mark.parametrize(("override", "message"), [
    ({"intents": ["yess"]}, "unknown intent"),
    ({"stage": "goodbye"}, "stage 'goodbye'"),
    ({"lang": "de"}, "lang 'de'"),
    ({"register": "shouting"}, "register 'shouting'"),
    ({"intents": []}, "non-empty list"),
    ({"text": "  "}, "non-empty string"),
    ({"intents": ["yes", "yes"]}, "listed twice"),
])
def test_corpus_errors_name_the_line(override, message):
    with pytest.raises(ConfigError, match=message) as info:
        parse_lines(["", _row(**override)], source="tune.jsonl")
    assert "tune.jsonl:2" in str(info.value)


def test_corpus_refuses_missing_fields_and_duplicate_ids():
    with pytest.raises(ConfigError, match="missing field"):
        parse_lines(['{"id": "en-t-0001", "text": "yes"}'])
    with pytest.raises(ConfigError, match="duplicate id"):
        parse_lines([_row(), _row()])
    with pytest.raises(ConfigError, match="not valid JSON"):
        parse_lines(['{"id": '])


# ---- training maths -------------------------------------------------------------------

def _blobs(n: int = 300, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Three labels, each a cluster; label 2 also fires with label 0 half the time."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 10)) * 3
    which = rng.integers(0, 3, n)
    x = centres[which] + rng.normal(size=(n, 10))
    y = np.zeros((n, 3))
    y[np.arange(n), which] = 1
    y[(which == 0) & (rng.random(n) < 0.5), 2] = 1
    return x, y


@pytest.mark.parametrize("hidden", [0, 16])
def test_fit_learns_separable_labels(hidden):
    x, y = _blobs()
    config = TrainConfig(hidden=hidden, epochs=30, ensemble=2, input_dropout=0.1,
                         hidden_dropout=0.1)
    model = training.fit(x[:200], y[:200], config)
    scores = model.predict(x[200:])
    assert scores.shape == (100, 3) and np.all((scores >= 0) & (scores <= 1))
    truth = y[200:]
    assert np.mean((scores[:, :2] > 0.5) == (truth[:, :2] > 0)) > 0.97
    restored = training.Model.from_arrays(model.arrays())
    np.testing.assert_allclose(restored.predict(x[200:]), scores)


def test_positive_weights_favour_rare_labels():
    y = np.zeros((100, 3))
    y[:50, 0] = 1
    y[:4, 1] = 1
    weights = training.positive_weights(y, cap=5.0)
    assert weights[0] == 1.0 and 4.0 < weights[1] <= 5.0 and weights[2] == 5.0


def test_stratified_folds_spread_every_label():
    y = np.zeros((100, 2))
    y[:5, 0] = 1
    y[5:, 1] = 1
    fold = training.stratified_folds(y, 5, seed=3)
    assert sorted(fold[:5]) == [0, 1, 2, 3, 4]
    assert np.bincount(fold).tolist() == [20] * 5


def test_stratified_folds_keep_groups_together():
    y = np.zeros((40, 2))
    y[::2, 0] = 1
    y[1::2, 1] = 1
    groups = np.arange(40) // 2  # pairs with different labels
    fold = training.stratified_folds(y, 4, seed=0, groups=groups)
    assert np.all(fold[::2] == fold[1::2])
    assert np.bincount(fold).tolist() == [10] * 4


def test_out_of_fold_keeps_groups_together(monkeypatch):
    x, y = _blobs(60)
    groups = np.repeat(np.arange(30), 2)
    fold = np.repeat(np.arange(30) % 3, 2)
    seen: list[np.ndarray] = []
    real_fit = training.fit

    def spy(xs, ys, config, weights=None):
        seen.append(xs)
        return real_fit(xs, ys, config, weights)

    monkeypatch.setattr(training, "fit", spy)
    training.out_of_fold(x, y, fold, TrainConfig(hidden=0, epochs=2, ensemble=1),
                         groups=groups)
    assert [len(s) for s in seen] == [40, 40, 40]


def test_recall_threshold_keeps_the_asked_recall():
    scores = np.array([0.9, 0.8, 0.3, 0.05, 0.6, 0.2])
    truth = np.array([1, 1, 1, 1, 0, 0])
    assert training.recall_threshold(scores, truth, 1.0) == 0.05
    assert training.recall_threshold(scores, truth, 0.75) == 0.3
    assert training.recall_threshold(scores, truth, 0.5) == 0.8


def test_fbeta_threshold_picks_the_best_cut():
    scores = np.array([0.95, 0.9, 0.7, 0.4, 0.3, 0.1])
    truth = np.array([1, 1, 1, 0, 1, 0])
    assert training.fbeta_threshold(scores, truth, 1.0) == 0.3
    assert training.fbeta_threshold(scores, truth, 0.25) == 0.7


def test_choose_thresholds_applies_margin_and_bounds():
    scores = np.array([[0.5, 0.99, 0.5], [0.5, 0.98, 0.5], [0.001, 0.97, 0.001]])
    truth = np.array([[1, 1, 1], [1, 1, 1], [0, 1, 0]])
    rules = {"a": ThresholdRule(recall=1.0, margin=np.log(3)),
             "b": ThresholdRule(),
             "c": ThresholdRule(recall=1.0, margin=10.0, floor=0.1)}
    got = training.choose_thresholds(scores, truth, ["a", "b", "c"], rules)
    assert got["a"] == pytest.approx(0.25)  # odds 1:1 lowered to 1:3
    assert got["b"] == 0.9 and got["c"] == 0.1  # the ceiling and the floor
    assert training.lower_by(0.5, 0.0) == pytest.approx(0.5)


def test_counts_precision_and_recall():
    c = training.counts(np.array([1, 1, 0, 0]), np.array([1, 0, 1, 1]))
    assert (c.tp, c.fp, c.fn, c.support) == (1, 1, 2, 3)
    assert c.precision == 0.5 and c.recall == pytest.approx(1 / 3)


# ---- scores, thresholds and the hedge rule ---------------------------------------------

def test_intent_scores_above_and_order():
    scores = IntentScores(scores={"yes": 0.7, "no": 0.2, "dispute": 0.05, "lawyer": 0.01},
                          thresholds={"yes": 0.5, "no": 0.5, "dispute": 0.03, "lawyer": 0.5},
                          alert_thresholds={"dispute": 0.01, "lawyer": 0.005})
    assert scores.above("yes") and not scores.above("no") and scores.above("dispute")
    assert scores.labels() == ("yes", "dispute")
    assert scores.alert("lawyer") and not scores.above("lawyer") and not scores.alert("yes")
    assert scores.alerts() == ("dispute", "lawyer")
    vetoed = IntentScores(scores=scores.scores, thresholds=scores.thresholds,
                          vetoed=frozenset({"yes"}))
    assert not vetoed.above("yes") and vetoed.labels() == ("dispute",)


def test_hedges_the_unsure_threshold_misses_raise_the_yes_threshold():
    labels = list(INTENTS)
    n = 40
    y = np.zeros((n, len(labels)))
    scores = np.full((n, len(labels)), 0.01)
    yes, unsure = labels.index("yes"), labels.index("unsure")
    y[:20, yes] = 1
    scores[:20, yes] = np.linspace(0.6, 0.99, 20)
    y[20:, unsure] = 1
    scores[20:, unsure] = np.linspace(0.5, 0.99, 20)
    scores[20, unsure] = 1e-6  # a hedge even the unsure alert (floored) misses...
    scores[20, yes] = 0.8      # ...which looks like a yes
    decisions, alerts = select_thresholds(scores, y, labels)
    assert decisions["yes"] > 0.8
    assert alerts["unsure"] < 0.5
    assert set(alerts) == {*SAFETY_INTENTS, "unsure"}
    assert all(alerts[label] <= decisions[label] for label in alerts)


def test_a_hedge_vetoes_consent(trained):
    scores = trained.classify("I guess so, maybe, I don't know", "en", "consent")
    assert scores.above("unsure")
    assert not scores.above("yes")
    assert "yes" not in scores.labels()


# ---- the classifier with a stand-in embedder ----------------------------------------------

def test_training_set_words_come_back(trained, lines):
    hits = sum(trained.classify(line.text, line.lang, line.stage).above(line.main_intent)
               for line in lines)
    assert hits >= 0.9 * len(lines)
    assert set(trained.thresholds) == set(INTENTS)
    assert set(trained.alert_thresholds) == {*SAFETY_INTENTS, "unsure"}
    for label in SAFETY_INTENTS:
        assert 0.0 < trained.alert_thresholds[label] <= trained.thresholds[label] <= 0.9


def test_stage_is_a_feature(trained):
    assert trained.classify("yes", "en", "consent").scores != trained.classify(
        "yes", "en", "greeting").scores
    with pytest.raises(ValueError):
        trained.classify("yes", "en", "goodbye")
    assert set(STAGES) == {stage.value for stage in CorpusStage}


def test_batch_equals_one_by_one(trained):
    texts = ["stop calling me", "oui d'accord", "my lawyer"]
    batch = trained.classify_batch(texts, ["en", "fr", "en"], ["offer", "consent", "offer"])
    for text, lang, stage, got in zip(texts, ["en", "fr", "en"], ["offer", "consent", "offer"],
                                      batch, strict=True):
        single = trained.classify(text, lang, stage).scores
        assert got.scores == pytest.approx(single)
    assert trained.classify_batch([], [], []) == []


@pytest.mark.parametrize(("text", "parts"), [
    ("I can pay 80 a month", []),
    ("Yes. Fine. I can do 80 a month.", []),  # pieces under three words are not scored
    ("Sure, I can do eighty a month. But honestly that contract was never mine.",
     ["Sure, I can do eighty a month.", "honestly that contract was never mine."]),
    ("d'accord pour 60 par mois mais arrêtez de m'appeler au travail",
     ["d'accord pour 60 par mois", "arrêtez de m'appeler au travail"]),
    ("ok fine whatever; my brother deals with the post anyway",
     ["ok fine whatever;", "my brother deals with the post"]),
])
def test_segments_of_a_turn(text, parts):
    assert segments(text) == parts


def test_requests_take_the_highest_score_of_the_sentences(trained):
    line = "Sure, I can do eighty a month. But honestly that contract was never mine."
    texts = [line, *segments(line)]
    each = trained.classify_vectors(BagOfWords().embed(texts), ["en"] * 3, ["negotiate"] * 3)
    got = trained.classify(line, "en", "negotiate").scores
    for label in trained.labels:
        expected = (max(e.scores[label] for e in each) if label in SEGMENT_LABELS
                    else each[0].scores[label])
        assert got[label] == pytest.approx(expected)
    # In a batch, each line is merged with its own sentences only.
    batch = trained.classify_batch(["stop calling me", line], ["en", "en"],
                                   ["offer", "negotiate"])
    assert batch[1].scores == pytest.approx(dict(got))
    assert batch[0].scores == pytest.approx(
        dict(trained.classify("stop calling me", "en", "offer").scores))


def test_save_load_round_trip(trained, tmp_path):
    path = tmp_path / "clf.npz"
    trained.save(path)
    loaded = IntentClassifier.load(path, BagOfWords())
    assert loaded.thresholds == trained.thresholds
    assert loaded.alert_thresholds == trained.alert_thresholds
    for text in ["je ne veux plus être appelé", "the first one", "hello?"]:
        assert loaded.classify(text, "en", "offer").scores == pytest.approx(
            trained.classify(text, "en", "offer").scores)
    assert loaded.metadata["lines"] == 72
    with pytest.raises(ModelError, match="trained on bag-of-words/64"):
        IntentClassifier.load(path, BagOfWords(name="other"))
    with np.load(path) as data:
        arrays = {key: data[key] for key in data.files}
    meta = json.loads(str(arrays.pop("meta")))
    meta["recipe"]["retired_knob"] = True
    np.savez(tmp_path / "old.npz", meta=np.array(json.dumps(meta)), **arrays)
    with pytest.raises(ModelError, match="another version"):
        IntentClassifier.load(tmp_path / "old.npz", BagOfWords())
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="cannot read"):
        IntentClassifier.load(tmp_path / "broken.npz", BagOfWords())


def test_load_or_train_caches_by_corpus_and_code(tmp_path):
    corpus = tmp_path / "tune.jsonl"
    corpus.write_bytes(LINES.read_bytes())
    cache = tmp_path / "cache"
    embedder = BagOfWords()
    first = load_or_train(corpus, cache, embedder, FAST)
    trained_calls = embedder.calls
    assert trained_calls > 0 and cache_path(corpus, cache, embedder.name, FAST).exists()
    second = load_or_train(corpus, cache, embedder, FAST)
    assert embedder.calls == trained_calls  # loaded, not retrained
    assert second.thresholds == first.thresholds
    corpus.write_bytes(LINES.read_bytes() + LINES.read_bytes().splitlines(True)[0]
                       .replace(b"en-t-9000", b"en-t-8999"))
    assert not cache_path(corpus, cache, embedder.name, FAST).exists()
    texts_before = embedder.texts
    load_or_train(corpus, cache, embedder, FAST)
    assert cache_path(corpus, cache, embedder.name, FAST).exists()  # retrained
    # The new line repeats an old line's words: its vectors come from the vector cache.
    assert embedder.texts == texts_before
    assert len(list(cache.glob("intent-classifier-*.npz"))) == 2
    assert not list(cache.glob("*.tmp"))
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in cache.glob("*.npz"))


def test_vector_cache_returns_the_embedders_vectors_and_embeds_each_text_once(tmp_path):
    embedder = BagOfWords()
    cache = VectorCache(tmp_path, embedder)
    texts = ["I can pay 50 a month", "stop calling me", "I can pay 50 a month", "oui"]
    first = cache.embed(texts)
    assert np.array_equal(first, embedder.embed(texts))
    assert embedder.texts == 3 + 4  # the duplicate embedded once, then the direct call
    again = VectorCache(tmp_path, embedder).embed(["oui", "a new line", "stop calling me"])
    assert embedder.texts == 7 + 1
    assert np.array_equal(again, embedder.embed(["oui", "a new line", "stop calling me"]))
    other = VectorCache(tmp_path, BagOfWords(name="another/64"))
    assert other.path != cache.path  # vectors of one embedder never serve another


def test_an_unreadable_vector_cache_is_ignored_and_rewritten(tmp_path):
    embedder = BagOfWords()
    cache = VectorCache(tmp_path, embedder)
    cache.path.write_bytes(b"not a zip file")
    vectors = cache.embed(["hello", "bonjour"])
    assert np.array_equal(vectors, embedder.embed(["hello", "bonjour"]))
    calls = embedder.texts
    VectorCache(tmp_path, embedder).embed(["bonjour"])
    assert embedder.texts == calls  # the rewritten cache is read


def test_several_corpus_files_train_one_classifier(tmp_path):
    first, second = tmp_path / "tune.jsonl", tmp_path / "dev.jsonl"
    rows = LINES.read_bytes().splitlines(True)
    first.write_bytes(b"".join(rows[: len(rows) // 2]))
    second.write_bytes(b"".join(rows[len(rows) // 2:]))
    assert len(read_corpora([first, second])) == len(read_corpus(LINES))
    assert cache_path([first, second], tmp_path, "e", FAST) != cache_path(first, tmp_path, "e",
                                                                          FAST)
    second.write_bytes(rows[0])  # the same id in both files
    with pytest.raises(ValueError, match="twice"):
        read_corpora([first, second])


@pytest.mark.parametrize(("value", "files"), [
    ("a.jsonl", ("a.jsonl",)), ("a.jsonl:b.jsonl", ("a.jsonl", "b.jsonl")), ("", ()),
])
def test_the_corpus_setting_lists_files(value, files):
    settings = Settings.from_env({"VOICEBOT_INTENT_CORPUS": value})
    assert settings.intent_corpus == tuple(Path(f) for f in files)


def test_asr_variant():
    assert asr_variant("Yes, I'd say: 50€ a MONTH!") == "yes i'd say 50 a month"
    assert asr_variant("Peut-être… bof.") == "peut-être bof"
