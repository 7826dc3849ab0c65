"""Deferred acceptance for coordinated admission (oppvekst.admission.engine.matching).

Worked examples, then hypothesis properties against a naive round-based reference and a brute
force over all matchings of tiny instances.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oppvekst.admission.engine.matching import (
    DEFAULT_PRIORITY,
    Applicant,
    Cutoff,
    InstanceError,
    Unit,
    explain,
    solve,
    solve_dicts,
    validate_instance,
)

Instance = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def unit(uid: str, **capacity: int) -> dict[str, Any]:
    return {"id": uid, "capacity": capacity}


def app(
    aid: str,
    choices: list[str],
    tiebreak: float = 0.5,
    priority: dict[str, Any] | None = None,
    age_group: str = "under3",
) -> dict[str, Any]:
    return {
        "id": aid,
        "age_group": age_group,
        "choices": choices,
        "priority": priority or {},
        "tiebreak": tiebreak,
    }


def key(a: dict[str, Any], uid: str) -> tuple[Any, Any, str]:
    return (a["priority"].get(uid, DEFAULT_PRIORITY), a["tiebreak"], a["id"])


# ---------------------------------------------------------------------------------------------
# Reference implementation and checkers (deliberately naive)
# ---------------------------------------------------------------------------------------------


def reference_da(units: list[dict[str, Any]], applicants: list[dict[str, Any]]) -> dict[str, Any]:
    """Round-based deferred acceptance: every free applicant proposes to their next wish, every
    (unit, age group) keeps the best `capacity` of those it holds and the new proposers."""
    capacity = {(u["id"], ag): c for u in units for ag, c in u["capacity"].items()}
    next_wish = {a["id"]: 0 for a in applicants}
    held: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    while True:
        holding = {a["id"] for pool in held.values() for a in pool}
        proposals: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for a in applicants:
            if a["id"] not in holding and next_wish[a["id"]] < len(a["choices"]):
                uid = a["choices"][next_wish[a["id"]]]
                next_wish[a["id"]] += 1
                proposals[(uid, a["age_group"])].append(a)
        if not proposals:
            break
        for slot, new in proposals.items():
            pool = sorted(held[slot] + new, key=lambda a: key(a, slot[0]))
            held[slot] = pool[: capacity.get(slot, 0)]
    assignments: dict[str, str | None] = {a["id"]: None for a in applicants}
    cutoffs: dict[str, dict[str, Cutoff]] = {}
    for (uid, ag), pool in held.items():
        for a in pool:
            assignments[a["id"]] = uid
        if pool:
            cutoffs.setdefault(uid, {})[ag] = Cutoff(*key(pool[-1], uid))
    return {"assignments": assignments, "cutoffs": cutoffs}


def violations(
    units: list[dict[str, Any]],
    applicants: list[dict[str, Any]],
    assignments: dict[str, str | None],
) -> list[str]:
    """Everything that makes a matching infeasible or unstable, as readable strings."""
    capacity = {(u["id"], ag): c for u in units for ag, c in u["capacity"].items()}
    admitted: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    problems = []
    for a in applicants:
        uid = assignments[a["id"]]
        if uid is not None:
            if uid not in a["choices"]:
                problems.append(f"{a['id']} got unwished {uid}")
            admitted[(uid, a["age_group"])].append(a)
    for slot, pool in admitted.items():
        if len(pool) > capacity.get(slot, 0):
            problems.append(f"{slot} over capacity")
    for a in applicants:
        got = assignments[a["id"]]
        for uid in a["choices"]:
            if uid == got:
                break
            slot = (uid, a["age_group"])
            pool = admitted.get(slot, [])
            if len(pool) < capacity.get(slot, 0):
                problems.append(f"wasted seat: {a['id']} wants {slot} which has room")
            for b in pool:
                if key(a, uid) < key(b, uid):
                    problems.append(f"justified envy: {a['id']} over {b['id']} at {slot}")
    return problems


def all_stable_matchings(
    units: list[dict[str, Any]], applicants: list[dict[str, Any]]
) -> list[dict[str, str | None]]:
    options = [[None, *a["choices"]] for a in applicants]
    out = []
    for combo in itertools.product(*options):
        candidate = {a["id"]: uid for a, uid in zip(applicants, combo)}
        if not violations(units, applicants, candidate):
            out.append(candidate)
    return out


def wish_rank(a: dict[str, Any], uid: str | None) -> int:
    return len(a["choices"]) if uid is None else a["choices"].index(uid)


# ---------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------

UNIT_IDS = ["K1", "K2", "K3", "K4", "K10"]
APPLICANT_IDS = ["A1", "A2", "A3", "A9", "A10", "A11", "B", "b", "Å", "A1 ", "Z0", "A01"]
AGE_GROUPS = ["under3", "over3", "school"]  # nobody has seats for "school"
PRIORITIES = [0, 1, 2.5, DEFAULT_PRIORITY, 100.0, 150]
TIEBREAKS = [0.0, 0.25, 0.5, 1, 0.75]  # few values: ties are common, the id must decide


@st.composite
def instances(draw: st.DrawFn, max_units: int = 4, max_applicants: int = 10) -> Instance:
    unit_ids = draw(
        st.lists(st.sampled_from(UNIT_IDS), min_size=1, max_size=max_units, unique=True)
    )
    units = []
    for uid in unit_ids:
        capacity = {}
        for ag in ("under3", "over3"):
            if draw(st.booleans()):
                capacity[ag] = draw(st.integers(0, 3))
        units.append({"id": uid, "capacity": capacity})
    ids = draw(st.lists(st.sampled_from(APPLICANT_IDS), max_size=max_applicants, unique=True))
    applicants = []
    for aid in ids:
        choices = draw(st.lists(st.sampled_from(unit_ids), unique=True, max_size=len(unit_ids)))
        priority_units = draw(st.lists(st.sampled_from(unit_ids), unique=True))
        priority = {u: draw(st.sampled_from(PRIORITIES)) for u in priority_units}
        applicants.append(
            {
                "id": aid,
                "age_group": draw(st.sampled_from(AGE_GROUPS)),
                "choices": choices,
                "priority": priority,
                "tiebreak": draw(st.sampled_from(TIEBREAKS)),
            }
        )
    return units, applicants


def as_typed(units: list[dict[str, Any]], applicants: list[dict[str, Any]]) -> Any:
    return (
        [Unit(u["id"], u["capacity"]) for u in units],
        [Applicant.from_mapping(a) for a in applicants],
    )


# ---------------------------------------------------------------------------------------------
# Worked examples
# ---------------------------------------------------------------------------------------------


def test_priority_class_beats_better_tiebreak() -> None:
    units = [unit("K1", under3=1), unit("K2", under3=1)]
    applicants = [
        app("A1", ["K1", "K2"], tiebreak=0.9, priority={"K1": 0}),
        app("A2", ["K1", "K2"], tiebreak=0.1),
    ]
    result = solve_dicts(units, applicants)
    assert result.assignments == {"A1": "K1", "A2": "K2"}
    assert result.cutoffs == {"K1": {"under3": (0, 0.9, "A1")}, "K2": {"under3": (100, 0.1, "A2")}}


def test_displaced_applicant_moves_down_their_list() -> None:
    # A2 proposes first in any order and holds K1 until A3 (priority at K1) arrives; A2 then
    # takes K2, displacing A1, who is left without a seat.
    units = [unit("K1", over3=1), unit("K2", over3=1)]
    applicants = [
        app("A1", ["K2"], tiebreak=0.5, age_group="over3"),
        app("A2", ["K1", "K2"], tiebreak=0.2, age_group="over3"),
        app("A3", ["K1"], tiebreak=0.9, priority={"K1": 0}, age_group="over3"),
    ]
    result = solve_dicts(units, applicants)
    assert result.assignments == {"A1": None, "A2": "K2", "A3": "K1"}


def test_seats_are_per_age_group() -> None:
    units = [unit("K1", under3=1, over3=0), unit("K2", over3=2)]
    applicants = [
        app("A1", ["K1"], age_group="over3"),  # K1 has no over3 seats
        app("A2", ["K2"], age_group="under3"),  # K2 has no under3 capacity at all
        app("A3", ["K1", "K2"], age_group="under3"),
        app("A4", ["K2"], age_group="toddler"),  # no unit knows this age group
    ]
    result = solve_dicts(units, applicants)
    assert result.assignments == {"A1": None, "A2": None, "A3": "K1", "A4": None}
    assert result.cutoffs == {"K1": {"under3": (100, 0.5, "A3")}}


def test_equal_tiebreak_is_decided_by_id_in_string_order() -> None:
    units = [unit("K1", under3=1)]
    applicants = [app("A9", ["K1"], tiebreak=0.5), app("A10", ["K1"], tiebreak=0.5)]
    result = solve_dicts(units, applicants)
    assert result.assignments == {"A9": None, "A10": "K1"}  # "A10" < "A9"


def test_every_applicant_appears_even_without_choices() -> None:
    result = solve_dicts([unit("K1", under3=5)], [app("A1", []), app("A2", ["K1"])])
    assert result.assignments == {"A1": None, "A2": "K1"}


def test_empty_instance() -> None:
    result = solve_dicts([], [])
    assert result.assignments == {}
    assert result.cutoffs == {}


def test_cutoff_reports_priority_and_tiebreak_as_given() -> None:
    units = [unit("K1", under3=2)]
    applicants = [
        app("A1", ["K1"], tiebreak=1, priority={"K1": 2.5}),
        app("A2", ["K1"], tiebreak=0.25, priority={"K1": 100.0}),
        app("A3", ["K1"], tiebreak=0.75),
    ]
    result = solve_dicts(units, applicants)
    assert result.assignments == {"A1": "K1", "A2": "K1", "A3": None}
    cut = result.cutoffs["K1"]["under3"]
    assert cut == (100.0, 0.25, "A2")
    assert type(cut.priority) is float
    assert result.to_json()["cutoffs"] == {"K1": {"under3": [100.0, 0.25, "A2"]}}


def test_priority_worse_than_default_ranks_after_others() -> None:
    units = [unit("K1", under3=1)]
    applicants = [
        app("A1", ["K1"], tiebreak=0.0, priority={"K1": 150}),
        app("A2", ["K1"], tiebreak=0.9),
    ]
    assert solve_dicts(units, applicants).assignments == {"A1": None, "A2": "K1"}


def test_serial_dictatorship_without_priorities() -> None:
    # No priorities: applicants pick in tiebreak order.
    units = [unit("K1", under3=1), unit("K2", under3=1), unit("K3", under3=1)]
    applicants = [
        app("A1", ["K1", "K2", "K3"], tiebreak=0.3),
        app("A2", ["K1", "K3", "K2"], tiebreak=0.1),
        app("A3", ["K1", "K3"], tiebreak=0.2),
    ]
    assert solve_dicts(units, applicants).assignments == {"A1": "K2", "A2": "K1", "A3": "K3"}


def test_explanation_lists_cutoffs_of_better_wishes() -> None:
    units = [unit("K1", under3=1), unit("K2", over3=3), unit("K3", under3=1)]
    applicants = [
        app("A1", ["K1"], tiebreak=0.7, priority={"K1": 0}),
        app("A2", ["K1", "K2", "K3"], tiebreak=0.1),
    ]
    result = solve_dicts(units, applicants)
    assert result.assignments == {"A1": "K1", "A2": "K3"}
    explanation = explain(result, Applicant.from_mapping(applicants[1]))
    assert explanation == [
        {
            "rank": 1,
            "unit": "K1",
            "reason": "full",
            "cutoff_priority": 0,
            "cutoff_tiebreak": 0.7,
            "own_priority": 100,
            "own_tiebreak": 0.1,
        },
        {
            "rank": 2,
            "unit": "K2",
            "reason": "no_capacity",
            "cutoff_priority": None,
            "cutoff_tiebreak": None,
            "own_priority": 100,
            "own_tiebreak": 0.1,
        },
    ]
    assert explain(result, Applicant.from_mapping(applicants[0])) == []


def test_typed_api_rejects_inconsistent_instances() -> None:
    k1 = Unit("K1", {"under3": 1})
    with pytest.raises(InstanceError, match="duplicate unit id 'K1'"):
        solve([k1, k1], [])
    with pytest.raises(InstanceError, match="unknown unit 'K9' in choices"):
        solve([k1], [Applicant("A1", "under3", ("K9",), 0.5)])
    with pytest.raises(InstanceError, match="unknown unit 'K9' in priority"):
        solve([k1], [Applicant("A1", "under3", ("K1",), 0.5, {"K9": 0})])
    with pytest.raises(InstanceError, match="duplicate applicant id 'A1'"):
        solve([k1], [Applicant("A1", "under3", (), 0.5), Applicant("A1", "over3", (), 0.2)])
    with pytest.raises(InstanceError, match="'K1' appears twice"):
        solve([k1], [Applicant("A1", "under3", ("K1", "K1"), 0.5)])
    with pytest.raises(InstanceError, match="negative capacity"):
        solve([Unit("K1", {"under3": -1})], [])
    with pytest.raises(InstanceError, match="tiebreak not finite"):
        solve([k1], [Applicant("A1", "under3", ("K1",), float("nan"))])


def test_larger_random_instance_matches_reference() -> None:
    rng = random.Random(4)
    units = [
        unit(f"K{u}", under3=rng.randrange(0, 6), over3=rng.randrange(0, 9)) for u in range(30)
    ]
    unit_ids = [u["id"] for u in units]
    weights = [1 / (r + 1) for r in range(len(unit_ids))]
    applicants = []
    for a in range(1500):
        choices: list[str] = []
        while len(choices) < 5:
            pick = rng.choices(unit_ids, weights)[0]
            if pick not in choices:
                choices.append(pick)
        priority = {rng.choice(unit_ids): rng.choice([0, 10])} if rng.random() < 0.15 else {}
        applicants.append(
            app(
                f"A{a}",
                choices,
                tiebreak=rng.randrange(200) / 200,  # many ties
                priority=priority,
                age_group=rng.choice(["under3", "over3"]),
            )
        )
    result = solve_dicts(units, applicants)
    expected = reference_da(units, applicants)
    assert result.assignments == expected["assignments"]
    assert result.cutoffs == expected["cutoffs"]
    assert violations(units, applicants, result.assignments) == []


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@settings(deadline=None)  # timing on a shared CI box is no property
@given(instances())
def test_result_equals_reference_deferred_acceptance(instance: Instance) -> None:
    units, applicants = instance
    result = solve_dicts(units, applicants)
    expected = reference_da(units, applicants)
    assert result.assignments == expected["assignments"]
    assert result.cutoffs == expected["cutoffs"]
    assert list(result.assignments) == [a["id"] for a in applicants]


@settings(deadline=None)  # timing on a shared CI box is no property
@given(instances())
def test_result_is_stable_and_within_capacity(instance: Instance) -> None:
    units, applicants = instance
    result = solve_dicts(units, applicants)
    assert violations(units, applicants, result.assignments) == []


@settings(deadline=None)  # timing on a shared CI box is no property
@given(instances())
def test_cutoff_is_the_worst_admitted_key_per_unit_and_age_group(instance: Instance) -> None:
    units, applicants = instance
    result = solve_dicts(units, applicants)
    admitted: dict[tuple[str, str], list[tuple[Any, Any, str]]] = defaultdict(list)
    for a in applicants:
        uid = result.assignments[a["id"]]
        if uid is not None:
            admitted[(uid, a["age_group"])].append(key(a, uid))
    flat = {(uid, ag): tuple(cut) for uid, per in result.cutoffs.items() for ag, cut in per.items()}
    assert flat == {slot: max(keys) for slot, keys in admitted.items()}
    assert all(per for per in result.cutoffs.values())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_units=3, max_applicants=5))
def test_result_is_applicant_optimal_among_all_stable_matchings(instance: Instance) -> None:
    units, applicants = instance
    result = solve_dicts(units, applicants)
    stable = all_stable_matchings(units, applicants)
    assert result.assignments in stable
    for other in stable:
        for a in applicants:
            assert wish_rank(a, result.assignments[a["id"]]) <= wish_rank(a, other[a["id"]])


@settings(deadline=None)  # timing on a shared CI box is no property
@given(instances(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(instance: Instance, rnd: random.Random) -> None:
    units, applicants = instance
    result = solve_dicts(units, applicants)
    shuffled_units, shuffled_applicants = units[:], applicants[:]
    rnd.shuffle(shuffled_units)
    rnd.shuffle(shuffled_applicants)
    again = solve_dicts(shuffled_units, shuffled_applicants)
    assert again.assignments == result.assignments
    assert again.cutoffs == result.cutoffs


@settings(deadline=None)  # timing on a shared CI box is no property
@given(instances())
def test_typed_api_agrees_with_plain_data_api(instance: Instance) -> None:
    units, applicants = instance
    validate_instance({"units": units, "applicants": applicants})
    typed = solve(*as_typed(units, applicants))
    assert typed == solve_dicts(units, applicants)


@settings(deadline=None)  # timing on a shared CI box is no property
@given(instances())
def test_explanation_shows_a_better_cutoff_for_every_better_wish(instance: Instance) -> None:
    units, applicants = instance
    result = solve_dicts(units, applicants)
    capacity = {(u["id"], ag): c for u in units for ag, c in u["capacity"].items()}
    for a in applicants:
        entries = explain(result, Applicant.from_mapping(a))
        got = result.assignments[a["id"]]
        assert [e["unit"] for e in entries] == a["choices"][: wish_rank(a, got)]
        for e in entries:
            if e["reason"] == "no_capacity":
                assert capacity.get((e["unit"], a["age_group"]), 0) == 0
            else:
                cut = result.cutoffs[e["unit"]][a["age_group"]]
                assert (cut.priority, cut.tiebreak, cut.applicant_id) < key(a, e["unit"])
                assert (e["cutoff_priority"], e["cutoff_tiebreak"]) == (cut.priority, cut.tiebreak)
                assert e["own_priority"] == key(a, e["unit"])[0]


def test_huge_integer_tiebreaks_keep_their_exact_order() -> None:
    # 2**60 and 2**60 + 1 are the same double; the order must still follow the ints.
    units = [unit("K1", under3=1)]
    applicants = [app("A1", ["K1"], tiebreak=2**60 + 1), app("A2", ["K1"], tiebreak=2**60)]
    assert solve_dicts(units, applicants).assignments == {"A1": None, "A2": "K1"}


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["K1", "K2", "A1", "under3", ""]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["K1", "K2", "under3", "x"]), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(deadline=None)  # timing on a shared CI box is no property
@given(instances(max_applicants=4), st.data())
def test_validator_reports_any_corruption_as_instance_error(instance: Instance, data: Any) -> None:
    units, applicants = instance
    doc: dict[str, Any] = {"units": units, "applicants": applicants}
    # Replace one node anywhere in the document with an arbitrary JSON value.
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in list(items):
            paths.append((node, k))
            if isinstance(v, dict | list):
                walk(v)

    walk(doc)
    parent, k = data.draw(st.sampled_from(paths))
    parent[k] = data.draw(JSON_VALUES)
    try:
        validate_instance(doc)
    except InstanceError as exc:
        assert "\n" not in str(exc)
        return
    result = solve_dicts(doc["units"], doc["applicants"])  # valid after all: must solve
    assert violations(doc["units"], doc["applicants"], result.assignments) == []
