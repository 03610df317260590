"""The service's metrics in Prometheus form (``GET /metrics``).

Aggregates only: stage latencies, barge-in reaction, holes in the bot's speech, calls
in progress, hand-offs by reason, calls ended by reason, errors logged by component,
work queued for the shared engines. No label carries a caller's words, number or
account, so the page can be scraped by monitoring that is not cleared for debtors' data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from voicebot.call.timing import STAGES

# Voice latencies from a few tens of milliseconds to several seconds.
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0,
                   5.0, 10.0)
GAP_BUCKETS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0)
CALL_BUCKETS = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 3600.0)
# Reasons are the service's own words; anything else is counted as "other" so that
# labels stay few whatever a client sends.
_MAX_REASON = 40


def _label(reason: str) -> str:
    safe = "".join(c if c.isalnum() or c in "_:-" else "_" for c in reason)[:_MAX_REASON]
    return safe or "other"


class ServiceMetrics:
    """One registry per service instance (tests run several in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.stage = Histogram("voicebot_turn_stage_seconds",
                               "Time of each stage of a caller turn, from the end of the "
                               "caller's words to the reply's first audio (stage=total)",
                               ["stage"], buckets=LATENCY_BUCKETS, registry=r)
        self.greeting = Histogram("voicebot_greeting_first_audio_seconds",
                                  "From the call's start to the greeting's first audio",
                                  buckets=LATENCY_BUCKETS, registry=r)
        self.barge_in_seconds = Histogram("voicebot_barge_in_seconds",
                                  "From the caller starting to speak over the bot to the "
                                  "carrier being told to stop the bot's audio",
                                  buckets=LATENCY_BUCKETS, registry=r)
        self.gap = Histogram("voicebot_speech_gap_seconds",
                             "Per reply, the longest silence inside it (the line ran dry "
                             "between two of its pieces)", buckets=GAP_BUCKETS, registry=r)
        self.calls = Counter("voicebot_calls_total", "Calls started", ["language"],
                             registry=r)
        self.carrier_calls = Counter("voicebot_carrier_calls_total",
                                     "Calls started, by the carrier adapter they came through",
                                     ["carrier"], registry=r)
        self.refusals = Counter("voicebot_carrier_refusals_total",
                                "Carrier connections refused or cut off, by carrier and why",
                                ["carrier", "reason"], registry=r)
        self.ended = Counter("voicebot_calls_ended_total", "Calls ended, by reason",
                             ["reason"], registry=r)
        self.duration = Histogram("voicebot_call_seconds", "How long calls lasted",
                                  buckets=CALL_BUCKETS, registry=r)
        self.handoffs = Counter("voicebot_handoffs_total", "Hand-offs to a person, by reason",
                                ["reason"], registry=r)
        self.errors = Counter("voicebot_errors_total", "Errors logged, by component",
                              ["component"], registry=r)
        self.active = Gauge("voicebot_active_calls", "Calls in progress", registry=r)
        self.queued = Gauge("voicebot_engine_queue", "Jobs waiting for or running on a "
                            "shared engine", ["engine"], registry=r)
        for stage in STAGES:  # every series exists from the start, at zero
            self.stage.labels(stage)

    def watch(self, active: Callable[[], int], queues: Callable[[], dict[str, int]]) -> None:
        """Read calls in progress and engine queues when scraped."""
        self.active.set_function(lambda: float(active()))
        self._queues = queues

    def carrier_call(self, carrier: str) -> None:
        self.carrier_calls.labels(_label(carrier)).inc()

    def refused(self, carrier: str, reason: str) -> None:
        """A media connection refused (busy, unauthorized...) or ended for breaking its
        protocol; ``reason`` is one of the service's own words."""
        self.refusals.labels(_label(carrier), _label(reason)).inc()

    def render(self) -> tuple[bytes, str]:
        for engine, pending in getattr(self, "_queues", dict)().items():
            self.queued.labels(engine).set(pending)
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    # -- CallObserver -------------------------------------------------------------

    def call_started(self, language: str) -> None:
        self.calls.labels(language if language.isalpha() and len(language) <= 3
                          else "other").inc()

    def turn_answered(self, stages_ms: dict[str, float]) -> None:
        for stage, ms in stages_ms.items():
            if stage in STAGES:
                self.stage.labels(stage).observe(max(0.0, ms) / 1000)

    def greeting_started(self, seconds: float) -> None:
        self.greeting.observe(max(0.0, seconds))

    def barge_in(self, seconds: float) -> None:
        self.barge_in_seconds.observe(max(0.0, seconds))

    def speech_gap(self, seconds: float) -> None:
        self.gap.observe(max(0.0, seconds))

    def handoff(self, reason: str) -> None:
        self.handoffs.labels(_label(reason)).inc()

    def call_ended(self, reason: str, seconds: float) -> None:
        self.ended.labels(_label(reason.split(":", 1)[0])).inc()
        self.duration.observe(max(0.0, seconds))


class ErrorCounter(logging.Handler):
    """Counts every record logged at ERROR or above, by the component that logged it
    (``voicebot.call.session`` counts as ``call``)."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        super().__init__(logging.ERROR)
        self._metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        parts = record.name.split(".")
        component = parts[1] if len(parts) > 1 and parts[0] == "voicebot" else "other"
        self._metrics.errors.labels(component).inc()
