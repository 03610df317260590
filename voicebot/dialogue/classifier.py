"""What a caller means, from a multilingual sentence embedding and the bot's last question.

A small multi-label network (see ``training.py``) reads the e5 embedding of the line
with the stage (what the bot had just asked) appended as a one-hot, because "yes"
after "is that your reference?" is not "yes" after "do you agree to this plan?".

Every label has its own threshold, chosen by cross-validation on the tuning corpus, and
the safety labels have two:

- the *decision* threshold (``above``, ``labels``) maximises F2 on cross-validated
  scores, which weighs recall twice as much as precision;
- the *alert* threshold (``alert``, ``alerts``) sits below every cross-validated safety
  line's score, with a margin: it is what reaches the recall targets on unseen lines,
  at the cost of many false alarms, so it is meant for a check ("is everything all
  right?"), not for ending a call.

One rule is structural rather than learned: a hedge is never consent. ``unsure`` has an
alert threshold too (97% of cross-validated hedges pass it); when a line passes it,
``yes`` does not pass, whatever its score, and the ``yes`` threshold is raised above
every cross-validated hedge that ``unsure`` would not catch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np

from voicebot.dialogue import training
from voicebot.dialogue.labels import INTENTS, CorpusStage, LabelledLine, read_corpus
from voicebot.dialogue.training import Model, ThresholdRule, TrainConfig
from voicebot.engines.embeddings import TextEmbedder, VectorCache
from voicebot.errors import ModelError
from voicebot.files import save_npz

log = logging.getLogger(__name__)

FORMAT = "voicebot-intent-classifier/3"
STAGES: tuple[str, ...] = tuple(stage.value for stage in CorpusStage)

# Recall each label must keep on unseen lines, and how thresholds aim for it.
RECALL_TARGETS: Mapping[str, float] = MappingProxyType({
    "vulnerable": 0.99, "third_party": 0.99, "stop_contact": 0.98, "dispute": 0.98,
    "validation": 0.98, "lawyer": 0.98, "bankruptcy": 0.98, "ask_human": 0.98,
})
DECISION_RULES: Mapping[str, ThresholdRule] = MappingProxyType({
    label: ThresholdRule(beta=2.0) for label in RECALL_TARGETS
})
# Recall first: every cross-validated example of the label passes, with a margin.
# The alert tier of a safety label makes the bot ask the caller ("would you like us to
# stop contacting you?"): recall first, but a label may not alert on more than 2% of
# the lines without it, or ordinary turns would meet a question every few lines.
ALERT_RULES: Mapping[str, ThresholdRule] = MappingProxyType({
    **{label: ThresholdRule(recall=1.0, margin=0.5, floor=1e-6, false_alarm=0.02)
       for label in RECALL_TARGETS},
    # Hedges must be found so that they can veto consent.
    "unsure": ThresholdRule(recall=0.97, margin=0.5, floor=1e-4),
})
# A caller may bury a request in one sentence of a longer turn ("Fine, 80 a month. But
# that contract was never mine."), where it weighs little in the embedding of the whole
# line. Each sentence or clause of such a turn is scored too, and these labels take the
# highest score. The dialogue asks about a request the classifier alone heard rather
# than acting on it, so a wrong guess here costs a question, not a call. (On heldout3,
# used to decide it: third party 0.984 -> 1.0, dispute 0.962 -> 0.981, validation
# 0.933 -> 0.978, ten more of 651 other lines asked about.)
SEGMENT_LABELS: tuple[str, ...] = (
    "third_party", "stop_contact", "dispute", "validation", "lawyer", "bankruptcy",
)
_SEGMENT_BREAK = re.compile(
    r"(?<=[.!?;])\s+|\s*(?:,\s*)?\b(?:but|mais|and anyway|anyway|enfin bref|bref)\b\s*",
    re.IGNORECASE)
SEGMENT_MIN_WORDS = 3


def segments(text: str) -> list[str]:
    """The sentences and clauses of a turn worth scoring on their own; none for a turn
    of one ("I can pay 80 a month"), or pieces shorter than three words."""
    parts = [p.strip(" ,") for p in _SEGMENT_BREAK.split(text) if p and p.strip(" ,")]
    parts = [p for p in parts if len(p.split()) >= SEGMENT_MIN_WORDS]
    return parts if len(parts) > 1 else []


# ``label: labels that veto it``: when a vetoing label passes its alert threshold, the
# vetoed one does not pass, whatever its score.
VETOES: Mapping[str, tuple[str, ...]] = MappingProxyType({"yes": ("unsure",)})


@dataclass(frozen=True)
class IntentScores:
    """Scores of one line for every label, with the thresholds they are judged by."""

    scores: Mapping[str, float]
    thresholds: Mapping[str, float] = field(repr=False)
    alert_thresholds: Mapping[str, float] = field(default_factory=dict, repr=False)
    vetoed: frozenset[str] = frozenset()

    def above(self, label: str) -> bool:
        """Whether ``label`` passes its decision threshold (and no other label vetoes it)."""
        return label not in self.vetoed and self.scores[label] >= self.thresholds[label]

    def labels(self) -> tuple[str, ...]:
        """The labels that pass, highest score first."""
        passing = [label for label in self.scores if self.above(label)]
        return tuple(sorted(passing, key=lambda label: -self.scores[label]))

    def alert(self, label: str) -> bool:
        """Whether ``label`` passes its alert threshold (recall first: worth a check).

        Only the safety labels and ``unsure`` have one; an alert threshold is never
        above the decision threshold.
        """
        threshold = self.alert_thresholds.get(label)
        return threshold is not None and self.scores[label] >= threshold

    def alerts(self) -> tuple[str, ...]:
        """The labels that pass their alert threshold, highest score first."""
        passing = [label for label in self.alert_thresholds if self.alert(label)]
        return tuple(sorted(passing, key=lambda label: -self.scores[label]))


def asr_variant(text: str) -> str:
    """The line as a speech recogniser might write it: lower case, no punctuation."""
    folded = unicodedata.normalize("NFC", text).lower()
    folded = re.sub(r"[^\w\s'’-]", " ", folded)
    return re.sub(r"\s+", " ", folded).strip()


@dataclass(frozen=True)
class Recipe:
    """Everything about training that is not the network itself."""

    network: TrainConfig = field(default_factory=TrainConfig)
    folds: int = 5
    augment_asr: bool = True       # train on a lower-case, unpunctuated copy of each line
    safety_weight: float = 2.0     # loss weight of the safety labels relative to the rest


def _features(vectors: np.ndarray, stages: Sequence[str]) -> np.ndarray:
    """The embedding with the stage as a one-hot. The language is not a feature: the
    vectors already carry it, and a language one-hot measured no better."""
    stage_hot = np.zeros((len(stages), len(STAGES)))
    for row, stage in enumerate(stages):
        stage_hot[row, STAGES.index(CorpusStage(stage).value)] = 1.0
    return np.hstack([np.asarray(vectors, dtype=np.float64), stage_hot])


def label_matrix(lines: Sequence[LabelledLine], labels: Sequence[str]) -> np.ndarray:
    y = np.zeros((len(lines), len(labels)))
    index = {label: j for j, label in enumerate(labels)}
    for row, line in enumerate(lines):
        for label in line.intents:
            y[row, index[label]] = 1.0
    return y


@dataclass(frozen=True)
class TrainingSet:
    """Features, labels and groups; the first ``originals`` rows are the lines as written,
    then their augmented copies (which share their original's group)."""

    x: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    originals: int


def training_set(lines: Sequence[LabelledLine], vectors: np.ndarray,
                 extra_vectors: np.ndarray | None, recipe: Recipe,
                 labels: Sequence[str] = INTENTS) -> TrainingSet:
    """Rows for ``lines`` (embedded as ``vectors``) and, if given, their ASR copies."""
    stages = [line.stage for line in lines]
    x = _features(vectors, stages)
    y = label_matrix(lines, labels)
    groups = pair_groups(lines)
    if extra_vectors is not None:
        x = np.vstack([x, _features(extra_vectors, stages)])
        y = np.vstack([y, y])
        groups = np.concatenate([groups, groups])
    return TrainingSet(x=x, y=y, groups=groups, originals=len(lines))


def pair_groups(lines: Sequence[LabelledLine]) -> np.ndarray:
    """A group number per line: a line and its likely translation share one."""
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(line.pair, len(numbers)) for line in lines])


class IntentClassifier:
    """Scores a caller's line for every intent label; see the module docstring."""

    def __init__(self, model: Model, thresholds: Mapping[str, float],
                 alert_thresholds: Mapping[str, float], *, labels: Sequence[str],
                 embedder: TextEmbedder, recipe: Recipe,
                 metadata: Mapping[str, object] | None = None) -> None:
        self._model = model
        self._labels = tuple(labels)
        self._thresholds = MappingProxyType(dict(thresholds))
        self._alerts = MappingProxyType(dict(alert_thresholds))
        self._embedder = embedder
        self._recipe = recipe
        self.metadata: Mapping[str, object] = MappingProxyType(dict(metadata or {}))

    @property
    def thresholds(self) -> Mapping[str, float]:
        """The decision threshold of every label."""
        return self._thresholds

    @property
    def alert_thresholds(self) -> Mapping[str, float]:
        """The alert threshold of every safety label and of ``unsure``."""
        return self._alerts

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label the classifier scores."""
        return self._labels

    @classmethod
    def train(cls, lines: Sequence[LabelledLine], embedder: TextEmbedder,
              recipe: Recipe | None = None, *,
              vector_cache: VectorCache | None = None) -> IntentClassifier:
        """Embed ``lines`` (through ``vector_cache`` when given), choose thresholds by
        cross-validation, fit on all of them."""
        recipe = recipe or Recipe()
        started = time.perf_counter()
        embed = embedder.embed if vector_cache is None else vector_cache.embed
        texts = [line.text for line in lines]
        if recipe.augment_asr:
            both = embed(texts + [asr_variant(text) for text in texts])
            vectors, extra = both[:len(texts)], both[len(texts):]
        else:
            vectors, extra = embed(texts), None
        embed_seconds = time.perf_counter() - started
        return cls.train_on_vectors(lines, vectors, extra, embedder, recipe,
                                    embed_seconds=embed_seconds)

    @classmethod
    def train_on_vectors(cls, lines: Sequence[LabelledLine], vectors: np.ndarray,
                         extra_vectors: np.ndarray | None, embedder: TextEmbedder,
                         recipe: Recipe, *, embed_seconds: float = 0.0) -> IntentClassifier:
        """:meth:`train` with the lines already embedded (cross-validation reuses vectors)."""
        started = time.perf_counter()
        data = training_set(lines, vectors, extra_vectors, recipe)
        weights = label_weights(INTENTS, recipe.safety_weight)
        fold = _fold_of_rows(data, recipe)
        oof = training.out_of_fold(data.x, data.y, fold, recipe.network, weights, data.groups)
        # Thresholds are judged on the lines as written, not on their augmented copies.
        original = np.arange(len(lines))
        thresholds, alerts = select_thresholds(oof[original], data.y[original], INTENTS)
        model = training.fit(data.x, data.y, recipe.network, weights)
        metadata = {
            "lines": len(lines), "embedder": embedder.name,
            "embed_seconds": round(embed_seconds, 2),
            "fit_seconds": round(time.perf_counter() - started, 2),
        }
        return cls(model, thresholds, alerts, labels=INTENTS, embedder=embedder,
                   recipe=recipe, metadata=metadata)

    def classify(self, text: str, language: str, stage: str) -> IntentScores:
        """Score one line: ``stage`` is what the bot had just asked (a ``CorpusStage``).

        ``language`` is the call's language; the vectors already say which language the
        line is in, so it does not change the scores today.
        """
        return self.classify_batch([text], [language], [stage])[0]

    def classify_batch(self, texts: Sequence[str], languages: Sequence[str],
                       stages: Sequence[str]) -> list[IntentScores]:
        """Score several lines at once (faster per line than one by one); see
        ``SEGMENT_LABELS`` for what the sentences of a longer line add."""
        if not texts:
            return []
        pieces = [segments(text) for text in texts]
        flat = [*texts, *(piece for parts in pieces for piece in parts)]
        owner = [i for i, parts in enumerate(pieces) for _ in parts]
        vectors = self._embedder.embed(flat)
        scored = self.classify_vectors(
            vectors, [*languages, *(languages[i] for i in owner)],
            [*stages, *(stages[i] for i in owner)])
        whole, parts = scored[:len(texts)], scored[len(texts):]
        if not parts:
            return whole
        best = [dict(line.scores) for line in whole]
        for i, part in zip(owner, parts, strict=True):
            for label in SEGMENT_LABELS:
                if label in best[i]:
                    best[i][label] = max(best[i][label], part.scores[label])
        return [replace(line, scores=MappingProxyType(merged))
                for line, merged in zip(whole, best, strict=True)]

    def classify_vectors(self, vectors: np.ndarray, languages: Sequence[str],
                         stages: Sequence[str]) -> list[IntentScores]:
        """Score lines already embedded by this classifier's embedder."""
        x = _features(vectors, stages)
        probabilities = self._model.predict(x)
        return [self._scores(row) for row in probabilities]

    def _scores(self, row: np.ndarray) -> IntentScores:
        scores = {label: float(score) for label, score in zip(self._labels, row, strict=True)}
        vetoed = frozenset(
            label for label, vetoers in VETOES.items()
            if any(scores[v] >= self._alerts.get(v, self._thresholds[v]) for v in vetoers)
        )
        return IntentScores(scores=MappingProxyType(scores), thresholds=self._thresholds,
                            alert_thresholds=self._alerts, vetoed=vetoed)

    def save(self, path: Path) -> None:
        """Write weights, thresholds and recipe to one ``.npz`` file (atomically)."""
        meta = {
            "format": FORMAT, "labels": list(self._labels), "stages": list(STAGES),
            "thresholds": dict(self._thresholds), "alert_thresholds": dict(self._alerts),
            "embedder": self._embedder.name,
            "recipe": {**asdict(self._recipe)}, "metadata": dict(self.metadata),
        }
        save_npz(path, meta=np.array(json.dumps(meta)), **self._model.arrays())

    @classmethod
    def load(cls, path: Path, embedder: TextEmbedder) -> IntentClassifier:
        """A classifier saved by :meth:`save`; refuses one made for another embedder."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                arrays = {key: data[key] for key in data.files if key != "meta"}
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot read intent classifier {path}: {exc}") from exc
        if meta.get("format") != FORMAT:
            raise ModelError(f"{path}: format {meta.get('format')!r}, expected {FORMAT!r}")
        if meta["embedder"] != embedder.name:
            raise ModelError(f"{path}: trained on {meta['embedder']} vectors, "
                             f"not {embedder.name}")
        if meta["stages"] != list(STAGES):
            raise ModelError(f"{path}: trained with other stages {meta['stages']}")
        recipe_raw = dict(meta["recipe"])
        try:
            recipe = Recipe(**{**recipe_raw, "network": TrainConfig(**recipe_raw["network"])})
        except TypeError as exc:
            raise ModelError(f"{path}: recipe from another version: {exc}") from exc
        return cls(Model.from_arrays(arrays), meta["thresholds"], meta["alert_thresholds"],
                   labels=meta["labels"], embedder=embedder, recipe=recipe,
                   metadata=meta.get("metadata"))


def label_weights(labels: Sequence[str], safety_weight: float) -> np.ndarray:
    """Loss weight per label: the safety labels count ``safety_weight`` times."""
    return np.array([safety_weight if label in RECALL_TARGETS else 1.0 for label in labels])


def _fold_of_rows(data: TrainingSet, recipe: Recipe) -> np.ndarray:
    """Folds drawn over groups of original lines; augmented copies follow their original."""
    n = data.originals
    fold = training.stratified_folds(data.y[:n], recipe.folds, recipe.network.seed,
                                     data.groups[:n])
    return np.concatenate([fold] * (len(data.y) // n))


def select_thresholds(scores: np.ndarray, y: np.ndarray, labels: Sequence[str]
                      ) -> tuple[dict[str, float], dict[str, float]]:
    """Decision and alert thresholds from out-of-fold scores, with the hedge rule.

    ``yes`` is raised above the ``yes`` score of every hedge that ``unsure`` would not
    catch (and so could not veto), so that no cross-validated hedge reads as consent.
    """
    decisions = training.choose_thresholds(scores, y, labels, DECISION_RULES)
    alerts = training.choose_thresholds(scores, y, labels, ALERT_RULES)
    alerts = {label: min(alerts[label], decisions[label]) for label in ALERT_RULES}
    index = {label: j for j, label in enumerate(labels)}
    for vetoed, vetoers in VETOES.items():
        j = index[vetoed]
        for vetoer in vetoers:
            k = index[vetoer]
            veto_at = alerts.get(vetoer, decisions[vetoer])
            uncaught = (y[:, k] > 0) & (y[:, j] == 0) & (scores[:, k] < veto_at)
            if uncaught.any():
                worst = float(scores[uncaught, j].max())
                decisions[vetoed] = max(decisions[vetoed], min(worst + 1e-6, 0.999))
    return decisions, alerts


def _code_version() -> str:
    """A hash of the code that shapes the weights: change it and the cache retrains."""
    digest = hashlib.sha256(FORMAT.encode())
    here = Path(__file__).resolve().parent
    for name in ("classifier.py", "training.py", "labels.py"):  # not the evaluation
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:12]


def _files(corpus: Path | Sequence[Path]) -> tuple[Path, ...]:
    return (corpus,) if isinstance(corpus, Path) else tuple(corpus)


def read_corpora(corpus: Path | Sequence[Path]) -> list[LabelledLine]:
    """Every line of one corpus file or of several, in order; an id twice is an error."""
    lines = [line for path in _files(corpus) for line in read_corpus(path)]
    seen: set[str] = set()
    for line in lines:
        if line.id in seen:
            raise ValueError(f"corpus line {line.id} appears twice in {_files(corpus)}")
        seen.add(line.id)
    return lines


def cache_path(corpus: Path | Sequence[Path], cache_dir: Path, embedder_name: str,
               recipe: Recipe | None = None) -> Path:
    """Where the classifier trained on ``corpus`` (one file or several) by this code,
    embedder and recipe is kept."""
    digest = hashlib.sha256()
    for path in _files(corpus):
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(_code_version().encode())
    digest.update(embedder_name.encode())
    digest.update(repr(recipe or Recipe()).encode())
    return cache_dir / f"intent-classifier-{digest.hexdigest()[:16]}.npz"


def load_or_train(corpus: Path | Sequence[Path], cache_dir: Path,
                  embedder: TextEmbedder | None = None,
                  recipe: Recipe | None = None) -> IntentClassifier:
    """The classifier for ``corpus`` (one file or several): from the cache, or trained
    once and cached.

    Training the first time takes minutes (about 13 on two cores for 10,000 lines:
    embedding them, then the cross-validation); lines embedded before are read from a
    vector cache beside the classifier, so a retraining after new lines embeds only
    those. Loading from the cache takes milliseconds plus the embedder's own load.
    """
    if embedder is None:
        from voicebot.engines.embeddings import shared_embedder

        embedder = shared_embedder()
    recipe = recipe or Recipe()
    path = cache_path(corpus, cache_dir, embedder.name, recipe)
    if path.exists():
        try:
            return IntentClassifier.load(path, embedder)
        except ModelError as exc:
            log.warning("retraining the intent classifier: %s", exc)
    started = time.perf_counter()
    classifier = IntentClassifier.train(read_corpora(corpus), embedder, recipe,
                                        vector_cache=VectorCache(cache_dir, embedder))
    classifier.save(path)
    log.info("intent classifier trained on %s in %.1f s, cached in %s",
             corpus, time.perf_counter() - started, path)
    return classifier
