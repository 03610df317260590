"""How well the intent classifier's whole recipe does on lines it never saw.

Each fold is predicted by a classifier trained on the other folds, thresholds included
(they come from an inner cross-validation, exactly as in production). Folds keep a line
and its likely translation together: the e5 vectors of a sentence and its translation
are close, and letting one train while the other is tested overstates recall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from voicebot.dialogue import training
from voicebot.dialogue.classifier import (
    ALERT_RULES,
    RECALL_TARGETS,
    IntentClassifier,
    Recipe,
    label_matrix,
    pair_groups,
)
from voicebot.dialogue.labels import INTENTS, LabelledLine
from voicebot.engines.embeddings import TextEmbedder


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-fold predictions of the whole training recipe."""

    lines: tuple[LabelledLine, ...]
    predicted: tuple[tuple[str, ...], ...]     # labels above their decision threshold
    alerted: tuple[tuple[str, ...], ...]       # labels above their alert threshold
    scores: np.ndarray                          # (lines, labels)
    labels: tuple[str, ...]

    def counts(self, *, alerts: bool = False) -> dict[str, training.Counts]:
        """Precision and recall of every label (``alerts``: of the alert tier)."""
        rows = self.alerted if alerts else self.predicted
        y = label_matrix(self.lines, self.labels)
        hits = np.array([[label in row for label in self.labels] for row in rows])
        return {label: training.counts(hits[:, j], y[:, j])
                for j, label in enumerate(self.labels)
                if not alerts or label in ALERT_RULES}

    def false_alarms(self, *, alerts: bool = False) -> float:
        """Share of lines with no safety label on which some safety label fires."""
        rows = self.alerted if alerts else self.predicted
        ordinary = [got for line, got in zip(self.lines, rows, strict=True)
                    if not set(line.intents) & set(RECALL_TARGETS)]
        fired = sum(1 for got in ordinary if set(got) & set(RECALL_TARGETS))
        return fired / max(len(ordinary), 1)

    def hedges_read_as_yes(self) -> list[LabelledLine]:
        """Hedged lines (``unsure``, not ``yes``) that came out as ``yes``."""
        return [line for line, got in zip(self.lines, self.predicted, strict=True)
                if "unsure" in line.intents and "yes" not in line.intents and "yes" in got]

    def missed(self, label: str, *, alerts: bool = False) -> list[tuple[LabelledLine, tuple]]:
        """Lines of ``label`` that the tier missed, with what it said instead."""
        rows = self.alerted if alerts else self.predicted
        return [(line, got) for line, got in zip(self.lines, rows, strict=True)
                if label in line.intents and label not in got]


def cross_validate(lines: Sequence[LabelledLine], vectors: np.ndarray,
                   extra_vectors: np.ndarray | None, embedder: TextEmbedder,
                   recipe: Recipe | None = None, folds: int = 5,
                   fold_of: Sequence[int] | None = None) -> CrossValidation:
    """Train the full recipe on all folds but one and predict that one, for every fold.

    ``vectors`` and ``extra_vectors`` are the lines' embeddings and those of their ASR
    copies (None when the recipe does not augment). ``fold_of`` overrides the folds,
    e.g. one fold per register, to see how the recipe copes with a way of speaking it
    was not trained on.
    """
    recipe = recipe or Recipe()
    y = label_matrix(lines, INTENTS)
    fold = (training.stratified_folds(y, folds, recipe.network.seed + 7, pair_groups(lines))
            if fold_of is None else np.asarray(fold_of))
    predicted: list[tuple[str, ...]] = [()] * len(lines)
    alerted: list[tuple[str, ...]] = [()] * len(lines)
    scores = np.zeros(y.shape)
    for f in np.unique(fold):
        train_rows = np.flatnonzero(fold != f)
        test_rows = np.flatnonzero(fold == f)
        classifier = IntentClassifier.train_on_vectors(
            [lines[i] for i in train_rows], vectors[train_rows],
            None if extra_vectors is None else extra_vectors[train_rows], embedder, recipe)
        results = classifier.classify_vectors(
            vectors[test_rows], [lines[i].lang for i in test_rows],
            [lines[i].stage for i in test_rows])
        for i, result in zip(test_rows, results, strict=True):
            predicted[i] = result.labels()
            alerted[i] = result.alerts()
            scores[i] = [result.scores[label] for label in INTENTS]
    return CrossValidation(lines=tuple(lines), predicted=tuple(predicted),
                           alerted=tuple(alerted), scores=scores, labels=INTENTS)
