"""Versioned prompt files, one per language, validated when loaded."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from voicebot.errors import ConfigError
from voicebot.handoff.reasons import HandoffReason

# Why a call goes to a person; each the bot says has a ``handoff_<reason>`` template.
HANDOFF_REASONS = tuple(reason.value for reason in HandoffReason if reason.spoken)
# Requests that may end the call instead (policy ``on_request``): ``ended_<request>``.
ENDING_REQUESTS = ("stop_contact", "validation", "dispute", "lawyer", "bankruptcy")
# Questions the prompt files answer: ``answer_<topic>``.
ANSWER_TOPICS = (
    "robot", "who_creditor", "missed_payment", "down_payment_why", "minimum_why",
    "pay_by_card", "how_dispute", "unknown",
)

_NONE: frozenset[str] = frozenset()
_RULE = frozenset({"creditor", "amount", "count", "frequency", "frequencies", "percent", "days"})
# Each template may use only these placeholders.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "greeting": frozenset({"creditor"}),
    "greeting_known_reference": frozenset({"creditor", "digits"}),
    "ask_reference": _NONE,
    "read_back": frozenset({"digits"}),
    "confirm_reference": frozenset({"digits"}),
    "reference_unknown": frozenset({"digits"}),
    "not_understood_reference": _NONE,
    "ask_again": _NONE,
    "ask_name": _NONE,
    "ask_postcode": _NONE,
    "ask_date_of_birth": _NONE,
    "identity_mismatch": _NONE,
    "identity_first": _NONE,
    "retry_name": _NONE,
    "retry_postcode": _NONE,
    "retry_date_of_birth": _NONE,
    "right_party_check": _NONE,
    **{f"check_{intent}": _NONE for intent in (
        "vulnerable", "stop_contact", "dispute", "validation", "lawyer", "bankruptcy")},
    "check_denied": _NONE,
    "third_party": _NONE,
    "disclosure_us_debt_collector_notice": frozenset({"creditor"}),
    "disclosure_fr_debt_collection_notice": frozenset({"creditor"}),
    "balance": frozenset({"name", "creditor", "balance"}),
    "ways_to_pay": frozenset({"max_count", "frequency"}),
    "ask_plan": _NONE,
    "ask_amount": _NONE,
    "options": frozenset({"options"}),
    "ask_choice": _NONE,
    "propose": frozenset({"plan"}),
    "counter_offer": frozenset({"plan", "reason"}),
    "settlement_offer": frozenset({"plan", "discount"}),
    "settlement_counter": frozenset({"plan", "discount", "reason"}),
    "no_settlement": frozenset({"creditor"}),
    "ask_accept": _NONE,
    "hardship_offer": frozenset({"plan"}),
    "confirm_plan": frozenset({"plan", "total"}),
    "ask_consent": _NONE,
    "confirm_amount": frozenset({"amount", "per"}),
    "agreed": _NONE,
    "hardship_agreed": _NONE,
    "rejected_plan": _NONE,
    "refused_twice": _NONE,
    "consent_unsure": _NONE,
    "consent_later": _NONE,
    "reason_min_amount": _RULE,
    "reason_max_count": _RULE,
    "reason_lowest": _RULE,
    "reason_down_payment": _RULE,
    "reason_first_date": _RULE,
    "reason_duration": _RULE,
    "reason_settlement_floor": _RULE,
    **{f"answer_{topic}": _RULE for topic in ANSWER_TOPICS},
    "answer_no_down_payment": _RULE,
    "answer_after_verification": _NONE,
    "offer_person": _NONE,
    "filler": _NONE,
    "not_understood": _NONE,
    "yes_or_no": _NONE,
    "no_input": _NONE,
    "goodbye_no_input": _NONE,
    "language_switched": _NONE,
    "other_language_requested": _NONE,
    "other_language_spoken": _NONE,
    **{f"ended_{request}": _NONE for request in ENDING_REQUESTS},
    **{f"handoff_{reason}": _NONE for reason in HANDOFF_REASONS},
    "handoff_vulnerability": frozenset({"support"}),
}


class _PromptFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    language: str
    system: str
    templates: dict[str, str]


@dataclass(frozen=True)
class Prompts:
    version: str
    language: str
    system: str
    templates: dict[str, str]

    def render(self, template: str, /, **values: str) -> str:
        return self.templates[template].format(**values)


def load_prompts(directory: Path, language: str) -> Prompts:
    path = directory / f"{language}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no prompt file for language {language!r}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    try:
        data = _PromptFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
    if data.language != language:
        raise ConfigError(f"{path}: language is {data.language!r}, expected {language!r}")
    missing = sorted(set(PLACEHOLDERS) - set(data.templates))
    if missing:
        raise ConfigError(f"{path}: templates missing: {', '.join(missing)}")
    for name, text in data.templates.items():
        allowed = PLACEHOLDERS.get(name)
        if allowed is None:
            raise ConfigError(f"{path}: templates.{name}: unknown template")
        used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        if used - allowed:
            unknown = ", ".join(sorted(used - allowed))
            raise ConfigError(f"{path}: templates.{name}: unknown placeholder(s) {unknown}")
    # The system prompt is sent as written (it may show JSON); it is the same on
    # every turn so the model's server keeps it cached.
    if not data.system.strip():
        raise ConfigError(f"{path}: system: the language model's instructions are empty")
    return Prompts(version=data.version, language=language, system=data.system,
                   templates=dict(data.templates))
