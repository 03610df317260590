"""The numerics behind the intent classifier: a small multi-label network in numpy,
cross-validated scores, and per-label thresholds chosen from them.

Nothing here knows about text or files: inputs are feature matrices and 0/1 label
matrices, so the maths is tested on its own with synthetic data.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class TrainConfig:
    """How one network is fitted. ``hidden=0`` makes it a plain logistic regression."""

    hidden: int = 256
    epochs: int = 60
    batch_size: int = 64
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    input_dropout: float = 0.3
    hidden_dropout: float = 0.5
    ensemble: int = 3              # networks with different seeds, scores averaged
    max_positive_weight: float = 8.0
    seed: int = 0


@dataclass(frozen=True)
class Network:
    """One fitted network: ``sigmoid(relu(x W1 + b1) W2 + b2)``, or ``sigmoid(x W2 + b2)``."""

    w1: np.ndarray | None
    b1: np.ndarray | None
    w2: np.ndarray
    b2: np.ndarray

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Raw output before the sigmoid, one column per label."""
        if self.w1 is not None and self.b1 is not None:
            x = np.maximum(x @ self.w1 + self.b1, 0.0)
        return x @ self.w2 + self.b2


@dataclass(frozen=True)
class Model:
    """A standardiser and the networks whose scores are averaged."""

    mean: np.ndarray
    scale: np.ndarray
    networks: tuple[Network, ...]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Scores in [0, 1], shape (n, labels)."""
        z = (x - self.mean) / self.scale
        total = np.zeros((x.shape[0], self.networks[0].b2.shape[0]), dtype=np.float64)
        for net in self.networks:
            total += _sigmoid(net.logits(z))
        return total / len(self.networks)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every parameter by name, for ``np.savez``."""
        out = {"mean": self.mean, "scale": self.scale}
        for i, net in enumerate(self.networks):
            out[f"w2_{i}"], out[f"b2_{i}"] = net.w2, net.b2
            if net.w1 is not None and net.b1 is not None:
                out[f"w1_{i}"], out[f"b1_{i}"] = net.w1, net.b1
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> Model:
        """The inverse of :meth:`arrays`."""
        networks = []
        i = 0
        while f"w2_{i}" in arrays:
            networks.append(Network(w1=arrays.get(f"w1_{i}"), b1=arrays.get(f"b1_{i}"),
                                    w2=arrays[f"w2_{i}"], b2=arrays[f"b2_{i}"]))
            i += 1
        if not networks:
            raise ValueError("no network weights in the arrays")
        return cls(mean=arrays["mean"], scale=arrays["scale"], networks=tuple(networks))


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run numpy's OpenBLAS on one thread for the duration.

    The matrices here are small; on a busy two-core machine OpenBLAS's worker threads
    spin against the other processes, and training took ten times longer with two.
    No-op when numpy's BLAS is not the bundled OpenBLAS.
    """
    setter = getter = None
    try:
        libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
        found = sorted(libs.glob("libscipy_openblas*.so*"))
        if found:
            lib = ctypes.CDLL(str(found[0]))
            setter = lib.scipy_openblas_set_num_threads64_
            getter = lib.scipy_openblas_get_num_threads64_
            getter.restype = ctypes.c_int
    except (OSError, AttributeError):
        setter = getter = None
    if setter is None or getter is None:
        yield
        return
    before = int(getter())
    setter(ctypes.c_int(1))
    try:
        yield
    finally:
        setter(ctypes.c_int(before))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for large |x|


def positive_weights(y: np.ndarray, cap: float) -> np.ndarray:
    """Per-label weight of a positive example: rarer labels count more, up to ``cap``."""
    pos = y.sum(axis=0)
    neg = y.shape[0] - pos
    return np.clip(np.sqrt(neg / np.maximum(pos, 1.0)), 1.0, cap)


def fit(x: np.ndarray, y: np.ndarray, config: TrainConfig,
        label_weights: np.ndarray | None = None) -> Model:
    """Fit ``config.ensemble`` networks on features ``x`` (n, d) and 0/1 labels ``y`` (n, k).

    Weighted binary cross-entropy with Adam on mini-batches, L2 weight decay and dropout.
    ``label_weights`` scales each label's loss (safety labels can count more).
    """
    # float32 halves the time of every product; the scores do not need more.
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + np.float32(1e-6)
    z = (x - mean) / scale
    pos_w = positive_weights(y, config.max_positive_weight).astype(np.float32)
    lab_w = (np.ones(y.shape[1]) if label_weights is None else np.asarray(label_weights)
             ).astype(np.float32)
    with single_blas_thread():
        networks = tuple(
            _fit_one(z, y, config, pos_w, lab_w, np.random.default_rng(config.seed + 1000 * i))
            for i in range(config.ensemble)
        )
    return Model(mean=mean, scale=scale, networks=networks)


def _fit_one(z: np.ndarray, y: np.ndarray, cfg: TrainConfig, pos_w: np.ndarray,
             lab_w: np.ndarray, rng: np.random.Generator) -> Network:
    n, d = z.shape
    k = y.shape[1]
    h = cfg.hidden
    params: dict[str, np.ndarray] = {}
    f32 = np.float32
    if h:
        params["w1"] = rng.normal(0.0, np.sqrt(2.0 / d), (d, h)).astype(f32)
        params["b1"] = np.zeros(h, dtype=f32)
        params["w2"] = rng.normal(0.0, np.sqrt(1.0 / h), (h, k)).astype(f32)
    else:
        params["w2"] = np.zeros((d, k), dtype=f32)
    # Start each output at its label's base rate so early steps are not spent on biases.
    rate = np.clip(y.mean(axis=0), 1e-3, 1 - 1e-3)
    params["b2"] = np.log(rate / (1 - rate)).astype(f32)
    m = {key: np.zeros_like(v) for key, v in params.items()}
    v = {key: np.zeros_like(val) for key, val in params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    step = 0
    for _epoch in range(cfg.epochs):
        order = rng.permutation(n)
        for start in range(0, n, cfg.batch_size):
            idx = order[start:start + cfg.batch_size]
            xb, yb = z[idx], y[idx]
            if cfg.input_dropout:
                keep = rng.random(xb.shape, dtype=f32) >= cfg.input_dropout
                xb = xb * keep / (1 - cfg.input_dropout)
            if h:
                pre = xb @ params["w1"] + params["b1"]
                act = np.maximum(pre, 0.0)
                if cfg.hidden_dropout:
                    hkeep = rng.random(act.shape, dtype=f32) >= cfg.hidden_dropout
                    act = act * hkeep / (1 - cfg.hidden_dropout)
                else:
                    hkeep = None
            else:
                act = xb
            p = _sigmoid(act @ params["w2"] + params["b2"])
            # d(loss)/d(logit) for weighted BCE: w_pos*y*(p-1) + (1-y)*p, per label weight.
            weight = (yb * pos_w + (1 - yb)) * lab_w
            grad_logit = weight * (p - yb) / len(idx)
            grads = {"w2": act.T @ grad_logit, "b2": grad_logit.sum(axis=0)}
            if h:
                grad_act = grad_logit @ params["w2"].T
                if hkeep is not None:
                    grad_act = grad_act * hkeep / (1 - cfg.hidden_dropout)
                grad_pre = grad_act * (pre > 0)
                grads["w1"] = xb.T @ grad_pre
                grads["b1"] = grad_pre.sum(axis=0)
            step += 1
            for key, g in grads.items():
                if key.startswith("w"):
                    g = g + cfg.weight_decay * params[key]
                m[key] = beta1 * m[key] + (1 - beta1) * g
                v[key] = beta2 * v[key] + (1 - beta2) * g * g
                m_hat = m[key] / (1 - beta1 ** step)
                v_hat = v[key] / (1 - beta2 ** step)
                params[key] = params[key] - cfg.learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    return Network(w1=params.get("w1"), b1=params.get("b1"), w2=params["w2"], b2=params["b2"])


def stratified_folds(y: np.ndarray, folds: int, seed: int,
                     groups: np.ndarray | None = None) -> np.ndarray:
    """A fold number per row, spreading each label's examples evenly over the folds.

    Rows are dealt rarest label first, so a label with six examples lands in six folds.
    Rows of one group (a line and its translation, say) always share a fold.
    """
    if groups is None:
        groups = np.arange(y.shape[0])
    ids, row_group = np.unique(groups, return_inverse=True)
    gy = np.zeros((len(ids), y.shape[1]))
    np.maximum.at(gy, row_group, y)
    n, k = gy.shape
    rng = np.random.default_rng(seed)
    counts = gy.sum(axis=0)
    # Each group is stratified by its rarest label (groups without labels by a dummy class).
    rarity = np.where(gy > 0, counts[None, :], np.inf)
    key = np.where(np.isfinite(rarity.min(axis=1)), rarity.argmin(axis=1), k)
    fold = np.empty(n, dtype=np.int64)
    offset = 0
    for label in np.unique(key):
        members = rng.permutation(np.flatnonzero(key == label))
        fold[members] = (np.arange(len(members)) + offset) % folds
        offset += len(members)
    return fold[row_group]


def out_of_fold(x: np.ndarray, y: np.ndarray, fold: np.ndarray, config: TrainConfig,
                label_weights: np.ndarray | None = None,
                groups: np.ndarray | None = None) -> np.ndarray:
    """Each row scored by a model that never saw it (nor any row of its ``group``)."""
    scores = np.zeros(y.shape, dtype=np.float64)
    group = np.arange(len(y)) if groups is None else groups
    for f in np.unique(fold):
        test = fold == f
        # Augmented copies share the group of their original: keep them out together.
        train = ~np.isin(group, group[test])
        model = fit(x[train], y[train], config, label_weights)
        scores[test] = model.predict(x[test])
    return scores


@dataclass(frozen=True)
class ThresholdRule:
    """How a label's threshold is chosen from cross-validated scores.

    ``recall`` set: the highest threshold that keeps that recall, lowered by ``margin``
    (in log-odds) for lines less like the training ones than the cross-validation folds
    are. Otherwise the threshold that maximises F-beta. ``false_alarm`` set: never so
    low that more than that share of the lines without the label pass (recall gives
    way). Never outside [``floor``, ``ceiling``].
    """

    recall: float | None = None
    margin: float = 0.0
    beta: float = 1.0
    floor: float = 0.02
    ceiling: float = 0.9
    false_alarm: float | None = None


def lower_by(threshold: float, margin: float) -> float:
    """``threshold`` moved down by ``margin`` in log-odds."""
    p = min(max(threshold, 1e-9), 1 - 1e-9)
    return float(_sigmoid(np.log(p / (1 - p)) - margin))


def recall_threshold(scores: np.ndarray, truth: np.ndarray, recall: float) -> float:
    """The highest threshold whose recall on these scores is at least ``recall``."""
    positives = np.sort(scores[truth > 0])
    if positives.size == 0:
        return 1.0
    allowed_misses = int(np.floor((1.0 - recall) * positives.size + 1e-9))
    return float(positives[allowed_misses])


def fbeta_threshold(scores: np.ndarray, truth: np.ndarray, beta: float) -> float:
    """The threshold (one of the scores) with the best F-beta."""
    order = np.argsort(-scores)
    s, t = scores[order], truth[order] > 0
    tp = np.cumsum(t)
    predicted = np.arange(1, len(s) + 1)
    positives = max(int(t.sum()), 1)
    precision = tp / predicted
    rec = tp / positives
    b2 = beta * beta
    f = (1 + b2) * precision * rec / np.maximum(b2 * precision + rec, 1e-12)
    # Only cut between distinct scores.
    last_of_tie = np.append(s[1:] != s[:-1], True)
    f = np.where(last_of_tie, f, -1.0)
    return float(s[int(np.argmax(f))])


def choose_thresholds(scores: np.ndarray, y: np.ndarray, labels: Sequence[str],
                      rules: Mapping[str, ThresholdRule]) -> dict[str, float]:
    """A threshold per label from out-of-fold ``scores``."""
    out: dict[str, float] = {}
    for j, label in enumerate(labels):
        rule = rules.get(label, ThresholdRule())
        if rule.recall is not None:
            t = lower_by(recall_threshold(scores[:, j], y[:, j], rule.recall), rule.margin)
        else:
            t = fbeta_threshold(scores[:, j], y[:, j], rule.beta)
        negatives = scores[y[:, j] == 0, j]
        if rule.false_alarm is not None and len(negatives):
            t = max(t, float(np.quantile(negatives, 1 - rule.false_alarm)))
        out[label] = float(np.clip(t, rule.floor, rule.ceiling))
    return out


@dataclass(frozen=True)
class Counts:
    """Precision and recall of one label at one threshold."""

    tp: int
    fp: int
    fn: int
    support: int = field(default=0)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def counts(predicted: np.ndarray, truth: np.ndarray) -> Counts:
    """True/false positives and misses of one label's 0/1 predictions."""
    p, t = predicted > 0, truth > 0
    return Counts(tp=int((p & t).sum()), fp=int((p & ~t).sum()), fn=int((~p & t).sum()),
                  support=int(t.sum()))
