"""The shapes card data took when it escaped redaction (issue 9), and the package's
structure: a leaf that caches no caller text."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import voicebot.redaction
from voicebot.redaction import Redaction, looks_like_card_data, redact

CARD, CODE, EXPIRY = "card_number", "security_code", "expiry"
PACKAGE = Path(voicebot.redaction.__file__).parent


@pytest.mark.parametrize(
    ("text", "expected", "found"),
    [
        # Whisper's own formats: a dash read as a decimal point let the tail through.
        ("My card is 4532-0151-12830366.", "My card is [card number].", {CARD}),
        ("4532-0151-12830366.", "[card number].", {CARD}),
        ("4,532,015,112,830,366", "[card number]", {CARD}),
        ("It's 4532.0151.12830366, okay?", "It's [card number], okay?", {CARD}),
        ("4111/1111/1111/1111", "[card number]", {CARD}),
        ("4111 / 1111 / 1111 / 1111", "[card number]", {CARD}),
        ("keypad: 4111111111111111#", "keypad: [card number]#", {CARD}),
        # Glued figures go with the card, never beside the placeholder.
        ("card 4111-1111-1111-1111-99", "card [card number]", {CARD}),
        ("card: 4111111111111111.1234567812345678", "card: [card number]", {CARD}),
        # Repeats.
        ("four triple one, quadruple one, quadruple one, quadruple one", "[card number]",
         {CARD}),
        ("quatre triple un quadruple un quadruple un quadruple un", "[card number]", {CARD}),
        # Words between the groups.
        ("my card is 4111 1111 and then 1111 1111",
         "my card is [card number] and then [card number]", {CARD}),
        ("4111 1111, um, sorry, 1111 1111 1111", "[card number], um, sorry, [card number]",
         {CARD}),
        ("four one one one one one one one, okay, one one one one one one one one",
         "[card number], okay, [card number]", {CARD}),
        # Said to be a card, then read on after a few words with a misheard digit.
        ("my card is 4111 1111 and then 1111 1112", "my card is [card number] and then "
         "[card number]", {CARD}),
        # Expiry dates.
        ("good until 12/28", "good until [expiry]", {EXPIRY}),
        ("it's good till twelve twenty-eight", "it's good till [expiry]", {EXPIRY}),
        ("expires end of twenty-eight", "expires end of [expiry]", {EXPIRY}),
        ("it expires end of 2028", "it expires end of [expiry]", {EXPIRY}),
        ("elle expire fin 2028", "elle expire fin [expiry]", {EXPIRY}),
        # Security codes.
        ("the last three are 737", "the last three are [security code]", {CODE}),
        ("the last three digits: seven three seven", "the last three digits: [security code]",
         {CODE}),
        ("the code on the back is 737", "the code on the back is [security code]", {CODE}),
        ("cryptogramme 123", "cryptogramme [security code]", {CODE}),
        ("les trois derniers sont 737", "les trois derniers sont [security code]", {CODE}),
    ],
)
def test_formats_that_escaped(text, expected, found):
    language = "fr" if any(w in text for w in ("quatre", "expire fin", "cryptogramme",
                                              "derniers")) else "en"
    assert redact(text, language) == Redaction(expected, frozenset(found))
    if CARD in found or CODE in found:
        assert looks_like_card_data(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I can pay 1,200 dollars.", "en"),
        ("My reference is 100200 and my zip is 94107.", "en"),
        ("On 2024-12-05 or 12/05/2024, at 10:30.", "en"),
        ("latency=0.30000000000000004 at 1700000000.123456", "en"),
        ("The last three payments were 300 dollars.", "en"),
        ("My last three bills were 120, 130 and 150.", "en"),
        ("The offer expires on December 5th.", "en"),
        ("I have 2 kids, 1 job and that's the one.", "en"),
        ("My reference is 100200, then 94107 is my zip.", "en"),
        ("Je peux payer 1 200 euros, le 5 décembre.", "fr"),
        ("Les trois derniers mois j'ai payé 300 euros.", "fr"),
        ("Ma référence est 100200 et mon code postal 75011.", "fr"),
    ],
)
def test_ordinary_lines_are_kept(text, language):
    assert redact(text, language) == Redaction(text, frozenset())
    assert not looks_like_card_data(text, language)


def test_placeholders_count_as_card_data():
    """Text redacted where it entered still tells the dialogue a card was read."""
    assert looks_like_card_data("my card is [card number]")
    assert looks_like_card_data("cvv [security code]")
    assert not looks_like_card_data("my IBAN is [iban]")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_redaction_is_a_leaf():
    """It reads number words from voicebot.text and imports nothing else of the bot."""
    for path in PACKAGE.glob("*.py"):
        ours = {m for m in _imports(path) if m.startswith("voicebot")}
        assert all(m.startswith(("voicebot.redaction", "voicebot.text")) for m in ours), path
    code = ("import sys, voicebot.redaction; "
            "print([m for m in sys.modules if m.startswith('voicebot.dialogue')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_nothing_caches_caller_text():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = getattr(target, "id", getattr(target, "attr", ""))
                    assert name not in ("lru_cache", "cache"), f"{path.name}: {node.name}"
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                assert name not in ("lru_cache", "cache"), path.name
