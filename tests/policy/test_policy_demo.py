"""Table tests of the engine on the demo creditors shipped in policies/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from policy_oracle import policy_data

from voicebot.policy import Ask, Frequency, QuoteError, decide, load_policies, options, parse_policy
from voicebot.settings import PROJECT_ROOT

TODAY = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def policies():
    return load_policies(PROJECT_ROOT / "policies")


def rows(decision):
    return [(row.due.isoformat(), str(row.amount), row.role) for row in decision.schedule]


def monthly_dates(first: str, count: int) -> list[str]:
    start = dt.date.fromisoformat(first)
    out = []
    for k in range(count):
        month = start.month - 1 + k
        out.append(dt.date(start.year + month // 12, month % 12 + 1, start.day).isoformat())
    return out


def test_demo_policies_are_the_contract(policies):
    acme, north, contoso = (
        policies["acme-telecom"], policies["northwind-energy"], policies["contoso-bank"]
    )
    assert (acme.currency, acme.jurisdiction, acme.languages[0]) == ("USD", "US", "en")
    assert acme.instalments.frequencies == (Frequency.MONTHLY,)
    assert (acme.instalments.max_count, acme.instalments.min_amount) == (6, D("25.00"))
    assert acme.instalments.down_payment.min_percent == 10
    assert acme.instalments.first_payment_within_days == 14
    assert acme.settlement is None and acme.hardship is None
    assert "us_debt_collector_notice" in acme.disclosures
    assert (north.currency, north.jurisdiction, north.languages[0]) == ("EUR", "FR", "fr")
    assert (north.instalments.max_count, north.instalments.min_amount) == (4, D("20.00"))
    assert north.instalments.first_payment_within_days == 10
    assert north.instalments.down_payment is None and north.settlement is None
    assert (contoso.instalments.max_count, contoso.instalments.min_amount) == (12, D("50.00"))
    assert contoso.settlement.max_discount_percent == 15
    assert contoso.settlement.within_days == 30
    assert contoso.rules(hardship=True).max_count == 18
    for policy in policies.values():
        assert policy.identity.factors == ("name", "postcode")
        assert policy.identity.max_attempts == 3
        assert (policy.calling_hours.start, policy.calling_hours.end) == (
            dt.time(8), dt.time(21)
        )


# --------------------------------------------------------------------------- acme-telecom


def test_acme_low_monthly_amount_gets_lowest_plan_with_down_payment(policies):
    d = decide(policies["acme-telecom"], D("480.00"), TODAY, Ask(amount=D("10")))
    assert not d.accepted and not d.requires_human
    assert d.kind == "instalments" and d.frequency is Frequency.MONTHLY
    assert rows(d)[0] == ("2026-11-02", "48.00", "down_payment")
    assert [r[1] for r in rows(d)[1:]] == ["72.00"] * 6
    assert [r[0] for r in rows(d)[1:]] == monthly_dates("2026-12-02", 6)
    assert d.down_payment == D("48.00") and d.instalment_amount == D("72.00")
    assert d.total == D("480.00") == sum(r.amount for r in d.schedule)
    assert any("lowest instalment possible is 72.00 USD" in r for r in d.reasons)
    assert any("down payment of 48.00 USD (10% of the balance)" in r for r in d.reasons)
    assert (d.policy_id, d.policy_version, d.currency) == ("acme-telecom", "2026-11-01", "USD")


def test_acme_too_many_instalments_gets_six(policies):
    d = decide(policies["acme-telecom"], D("480.00"), TODAY, Ask(instalments=12))
    assert not d.accepted
    assert d.instalment_count == 6 and d.count == 7
    assert any("at most 6 instalments" in r for r in d.reasons)


def test_acme_affordable_amount_is_accepted_with_smaller_last(policies):
    d = decide(policies["acme-telecom"], D("480.00"), TODAY, Ask(amount=D("100")))
    assert d.accepted
    assert [r[1] for r in rows(d)] == ["48.00", "100.00", "100.00", "100.00", "100.00", "32.00"]


@pytest.mark.parametrize(
    ("asked", "expected", "accepted"),
    [
        ("104.875", "101.75", False),  # halfway between 101.75 (5 instalments) and 108 (4)
        ("104.88", "108.00", False),
        ("101.75", "101.75", True),
        ("90.005", "90.00", False),  # halfway between two cents: the lower
        ("500", "480.00", False),  # more than the balance: the single payment
        ("480", "480.00", True),
    ],
)
def test_acme_amount_goes_to_the_nearest_possible(policies, asked, expected, accepted):
    d = decide(policies["acme-telecom"], D("480.00"), TODAY, Ask(amount=D(asked)))
    assert str(d.instalment_amount) == expected
    assert d.accepted is accepted


def test_acme_first_date_beyond_window_gets_last_allowed_date(policies):
    ask = Ask(instalments=6, first_date=TODAY + dt.timedelta(days=30))
    d = decide(policies["acme-telecom"], D("480.00"), TODAY, ask)
    assert not d.accepted
    assert d.schedule[0].due == TODAY + dt.timedelta(days=14)
    assert any("within 14 days" in r and "2026-11-16" in r for r in d.reasons)


def test_acme_first_date_in_the_past_gets_today(policies):
    ask = Ask(first_date=TODAY - dt.timedelta(days=3), instalments=2)
    d = decide(policies["acme-telecom"], D("480.00"), TODAY, ask)
    assert d.schedule[0].due == TODAY and not d.accepted


def test_acme_refuses_settlement_and_offers_instalments(policies):
    d = decide(policies["acme-telecom"], D("480.00"), TODAY, Ask(settlement=D("400")))
    assert not d.accepted and d.kind == "instalments"
    assert d.total == D("480.00")
    assert any("does not accept a reduced lump sum" in r for r in d.reasons)


def test_acme_hardship_without_variant_uses_standard_rules(policies):
    d = decide(policies["acme-telecom"], D("480.00"), TODAY, Ask(instalments=6, hardship=True))
    assert d.accepted and not d.requires_human and not d.hardship
    assert any("no hardship arrangement" in r for r in d.reasons)


def test_acme_balance_below_minimum_is_one_payment(policies):
    d = decide(policies["acme-telecom"], D("20.00"), TODAY, Ask(amount=D("5")))
    assert rows(d) == [("2026-11-02", "20.00", "single_payment")]
    assert any("below the minimum instalment" in r for r in d.reasons)


def test_acme_down_payment_leaving_too_little_is_one_payment(policies):
    d = decide(policies["acme-telecom"], D("27.00"), TODAY, Ask(instalments=2))
    assert rows(d) == [("2026-11-02", "27.00", "single_payment")]


@pytest.mark.parametrize("balance", ["0", "0.00", "-5.00", "1.001", "NaN"])
def test_bad_balances_are_clear_errors(policies, balance):
    with pytest.raises(QuoteError, match="balance"):
        decide(policies["acme-telecom"], D(balance), TODAY)


# --------------------------------------------------------------------------- northwind-energy


def test_northwind_four_instalments(policies):
    d = decide(policies["northwind-energy"], D("236.40"), TODAY, Ask(instalments=4))
    assert d.accepted and d.down_payment == 0
    assert [r[1] for r in rows(d)] == ["59.10"] * 4
    assert sum(r.amount for r in d.schedule) == D("236.40")
    assert [r[0] for r in rows(d)] == monthly_dates("2026-11-02", 4)


def test_northwind_rounding_goes_on_the_last_instalment(policies):
    d = decide(policies["northwind-energy"], D("236.41"), TODAY, Ask(instalments=4))
    assert [r[1] for r in rows(d)] == ["59.11", "59.11", "59.11", "59.08"]
    d = decide(policies["northwind-energy"], D("100.00"), TODAY, Ask(instalments=3))
    assert [r[1] for r in rows(d)] == ["33.34", "33.34", "33.32"]
    assert any("last instalment is 33.32 EUR" in r for r in d.reasons)


def test_northwind_caps_instalments_and_window(policies):
    ask = Ask(instalments=12, first_date=TODAY + dt.timedelta(days=20))
    d = decide(policies["northwind-energy"], D("236.40"), TODAY, ask)
    assert d.instalment_count == 4 and d.schedule[0].due == TODAY + dt.timedelta(days=10)
    assert d.currency == "EUR"


def test_northwind_min_amount_limits_count(policies):
    d = decide(policies["northwind-energy"], D("50.00"), TODAY, Ask(instalments=4))
    assert [r[1] for r in rows(d)] == ["25.00", "25.00"]
    assert any("at least 20.00 EUR" in r for r in d.reasons)


# --------------------------------------------------------------------------- contoso-bank


def test_contoso_settlement_within_30_days_is_accepted(policies):
    ask = Ask(settlement=D("2040.00"), first_date=TODAY + dt.timedelta(days=30))
    d = decide(policies["contoso-bank"], D("2400.00"), TODAY, ask)
    assert d.accepted and d.kind == "settlement" and d.frequency is None
    assert rows(d) == [("2026-12-02", "2040.00", "settlement")]
    assert d.discount == D("360.00") and d.valid_until == dt.date(2026, 12, 2)


def test_contoso_settlement_too_low_is_countered_with_smallest(policies):
    d = decide(policies["contoso-bank"], D("2400.00"), TODAY, Ask(settlement=D("1900")))
    assert not d.accepted and d.kind == "settlement"
    assert d.total == D("2040.00")
    assert any("at least 2040.00 USD" in r and "15%" in r for r in d.reasons)


def test_contoso_settlement_too_late_moves_to_deadline(policies):
    ask = Ask(settlement=D("2100"), first_date=TODAY + dt.timedelta(days=45))
    d = decide(policies["contoso-bank"], D("2400.00"), TODAY, ask)
    assert not d.accepted and d.schedule[0].due == TODAY + dt.timedelta(days=30)
    assert d.total == D("2100.00")


def test_contoso_settlement_above_balance_is_the_balance(policies):
    d = decide(policies["contoso-bank"], D("2400.00"), TODAY, Ask(settlement=D("2500")))
    assert d.total == D("2400.00") and d.discount == 0 and not d.accepted


def test_contoso_hardship_eighteen_needs_a_human(policies):
    d = decide(policies["contoso-bank"], D("2400.00"), TODAY, Ask(instalments=18, hardship=True))
    assert d.accepted and d.requires_human and d.hardship
    assert d.count == 18 and sum(r.amount for r in d.schedule) == D("2400.00")
    assert [r[1] for r in rows(d)] == ["133.34"] * 17 + ["133.22"]
    assert any("member of staff must approve" in r for r in d.reasons)


def test_contoso_hardship_within_normal_rules_needs_no_human(policies):
    d = decide(policies["contoso-bank"], D("2400.00"), TODAY, Ask(instalments=12, hardship=True))
    assert d.accepted and not d.requires_human


def test_contoso_hardship_beyond_variant_is_capped(policies):
    d = decide(policies["contoso-bank"], D("2400.00"), TODAY, Ask(instalments=24, hardship=True))
    assert not d.accepted and d.count == 18 and d.requires_human


def test_contoso_without_hardship_caps_at_twelve(policies):
    d = decide(policies["contoso-bank"], D("2400.00"), TODAY, Ask(instalments=18))
    assert not d.accepted and d.count == 12 and not d.requires_human


@pytest.mark.parametrize("day", range(0, 366, 7))
def test_hardship_maximum_fits_from_the_end_of_the_window_all_year(policies, day):
    today = dt.date(2027, 1, 1) + dt.timedelta(days=day)
    for policy, count, hardship in [
        (policies["contoso-bank"], 18, True),
        (policies["contoso-bank"], 12, False),
        (policies["acme-telecom"], 6, False),
        (policies["northwind-energy"], 4, False),
    ]:
        window = policy.rules(hardship).first_payment_within_days
        last = today + dt.timedelta(days=window)
        while last.day > 28:  # the latest allowed day of the window
            last -= dt.timedelta(days=1)
        ask = Ask(instalments=count, first_date=last, hardship=hardship)
        d = decide(policy, D("100000.00"), today, ask)
        assert d.accepted, (policy.id, today, d.reasons)


# --------------------------------------------------------------------------- options & misc


def test_options_menus(policies):
    acme = options(policies["acme-telecom"], D("480.00"), TODAY)
    assert [o.label for o in acme] == ["pay_in_full", "lowest_instalment"]
    assert rows(acme[0]) == [("2026-11-02", "480.00", "single_payment")]
    assert acme[1].instalment_amount == D("72.00")
    contoso = options(policies["contoso-bank"], D("2400.00"), TODAY, hardship=True)
    assert [o.label for o in contoso] == [
        "pay_in_full", "lowest_instalment", "hardship_lowest_instalment", "settlement"
    ]
    assert [o.requires_human for o in contoso] == [False, False, True, False]
    assert contoso[-1].total == D("2040.00")
    for option in acme + contoso:
        assert option.accepted
        again = decide(
            policies[option.policy_id], option.balance, TODAY, option.ask
        )  # the ask reproduces the option
        assert again.schedule == option.schedule


def test_options_for_a_small_balance_is_one_payment(policies):
    menu = options(policies["northwind-energy"], D("15.00"), TODAY)
    assert [o.label for o in menu] == ["pay_in_full"]


def test_nothing_asked_proposes_lowest_plan_and_is_not_accepted(policies):
    d = decide(policies["contoso-bank"], D("2400.00"), TODAY)
    assert not d.accepted and d.count == 12 and d.schedule[0].due == TODAY
    assert d.reasons[0].startswith("Nothing was asked yet")


def test_decisions_are_deterministic_and_frozen(policies):
    ask = Ask(amount=D("33.33"), first_date=TODAY + dt.timedelta(days=5))
    first = decide(policies["acme-telecom"], D("480.00"), TODAY, ask)
    assert first == decide(policies["acme-telecom"], D("480.00"), TODAY, ask)
    with pytest.raises(AttributeError):
        first.accepted = True  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount": D("10"), "instalments": 3},
        {"settlement": D("10"), "amount": D("5")},
        {"amount": D("0")},
        {"instalments": 0},
        {"frequency": "daily"},
        {"amount": "ten"},
        {"first_date": dt.datetime(2026, 1, 1)},
    ],
)
def test_contradictory_or_bad_asks_are_refused(kwargs):
    with pytest.raises(QuoteError):
        Ask(**kwargs)


# --------------------------------------------------------------------------- dates


def test_monthly_dates_clamp_to_month_length_without_drifting():
    policy = parse_policy(
        policy_data(days_of_month=list(range(1, 32)), min_amount="1.00", max_duration_days=400)
    )
    today = dt.date(2027, 1, 31)
    d = decide(policy, D("600.00"), today, Ask(instalments=5))
    assert [r.due.isoformat() for r in d.schedule] == [
        "2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"
    ]


def test_monthly_dates_clamp_to_allowed_days_and_ties_go_earlier():
    policy = parse_policy(
        policy_data(days_of_month=[1, 15, 30], first_payment_within_days=31, min_amount="1.00")
    )
    today = dt.date(2027, 1, 1)
    d = decide(policy, D("300.00"), today, Ask(instalments=3, first_date=dt.date(2027, 1, 30)))
    assert [r.due.isoformat() for r in d.schedule] == ["2027-01-30", "2027-02-15", "2027-03-30"]
    # the 8th is 7 days from the 1st and from the 15th: the earlier wins
    d = decide(policy, D("300.00"), today, Ask(instalments=3, first_date=dt.date(2027, 1, 8)))
    assert d.schedule[0].due == dt.date(2027, 1, 1) and not d.accepted
    assert any("days 1, 15, 30" in r for r in d.reasons)


def test_weekly_and_fortnightly_steps_and_conversion():
    policy = parse_policy(
        policy_data(frequencies=["fortnightly", "weekly"], min_amount="5.00", max_count=10)
    )
    d = decide(policy, D("100.00"), TODAY, Ask(amount=D("20"), frequency="weekly"))
    assert d.accepted and d.frequency is Frequency.WEEKLY
    assert [r.due - TODAY for r in d.schedule] == [dt.timedelta(days=7 * k) for k in range(5)]
    fortnightly = parse_policy(policy_data(frequencies=["fortnightly"], min_amount="5.00"))
    d = decide(fortnightly, D("100.00"), TODAY, Ask(amount=D("100"), frequency="monthly"))
    # 100 a month is 100 * 12 / 26 = 46.1538... a fortnight
    assert d.frequency is Frequency.FORTNIGHTLY and not d.accepted
    assert [str(r.amount) for r in d.schedule] == ["46.15", "46.15", "7.70"]
    assert d.schedule[1].due - d.schedule[0].due == dt.timedelta(days=14)
    assert any("does not offer monthly" in r for r in d.reasons)
    assert any("100.00 USD monthly is about 46.15 USD fortnightly" in r for r in d.reasons)
