"""Coordinated kindergarten admission: applicant-proposing deferred acceptance.

Pure module: standard library only, no Django (see CONTRIBUTING.md).

Domain (shared/domain/norway.md):

* §1.5 *samordnet opptak*: one process for municipal and private kindergartens. Every applicant
  ranks several kindergartens; every kindergarten ranks its applicants by its own criteria
  (§1.4), and capacity is counted per age group (§1.6, §1.7). Applicant-proposing deferred
  acceptance (Gale-Shapley) gives the stable matching every applicant likes at least as well as
  any other stable matching, and no applicant gains by misreporting the order of their wishes.
* §1.4 priority: each unit's criteria are encoded by the caller as a *priority class* per
  (applicant, unit): a number, lower is better (e.g. 0 for bhl. § 18, 10 for siblings). An
  applicant without a class at a unit gets :data:`DEFAULT_PRIORITY`. Within a class the
  ``tiebreak`` number decides (lower is better; e.g. a lottery draw or a birth-date ordinal),
  and the applicant id breaks any remaining tie so that every unit's order is strict.

At unit ``u`` applicants are therefore ordered by ``(priority.get(u, 100), tiebreak, id)``
ascending. A unit admits an applicant only into the capacity of the applicant's age group; a
unit without capacity for an age group (key missing or 0) admits nobody of that age group.

The result is

* **stable**: no applicant is refused a wish while that (unit, age group) has a free seat or
  admitted someone ranked after them there (no justified envy, no wasted seat);
* **applicant-optimal** among all stable matchings.

Speed (bench/admission.py): applicants are renumbered in (tiebreak, id) order so that the key of
applicant ``i`` at a unit is the single int ``(class_rank << shift) | i``, where ``class_rank``
is the rank of the priority class among all classes used; each (unit, age group) keeps a
max-heap (negated keys, :mod:`heapq`) of the applicants it holds; free applicants wait on a
stack; everything the hot loop reads is a list laid out by rank. Applicants with a priority
somewhere propose first, the rest in rank order, so displacements are rare (without priorities
the run is a serial dictatorship); a seat that refuses one of the rank-order proposers is closed
for the ones after them (see the comment in ``_deferred_acceptance``). The proposal order never
changes the result. The cyclic garbage collector is paused during a run (nothing cyclic is
created; a full collection over a freshly loaded million-object instance costs seconds).
"""

from __future__ import annotations

import gc
import heapq
import math
import operator
from array import array
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, islice
from operator import itemgetter
from typing import Any, Literal, NamedTuple, NoReturn, TypedDict

__all__ = [
    "DEFAULT_PRIORITY",
    "Applicant",
    "Cutoff",
    "InstanceError",
    "MatchResult",
    "Unit",
    "WishExplanation",
    "explain",
    "solve",
    "solve_dicts",
    "validate_instance",
]

Number = int | float

#: Priority class of an applicant at a unit where the applicant has no priority (§1.4: "others").
DEFAULT_PRIORITY: int = 100

_APPLICANT_FIELDS = ("id", "age_group", "choices", "priority", "tiebreak")
_UNIT_FIELDS = ("id", "capacity")


class InstanceError(ValueError):
    """The instance is malformed; the message is one line naming the problem."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A kindergarten (or any admitting unit) with seats per age group, e.g. under3/over3."""

    id: str
    capacity: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Applicant:
    """An applicant with ranked wishes (best first) and priority classes per unit."""

    id: str
    age_group: str
    choices: Sequence[str]
    tiebreak: Number
    priority: Mapping[str, Number] = field(default_factory=dict)

    def key_at(self, unit_id: str) -> tuple[Number, Number, str]:
        """The order key of this applicant at ``unit_id`` (lower is better)."""
        return (self.priority.get(unit_id, DEFAULT_PRIORITY), self.tiebreak, self.id)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Applicant:
        """Build from the plain-data shape used by :func:`solve_dicts` and the CLI."""
        return cls(
            id=data["id"],
            age_group=data["age_group"],
            choices=tuple(data["choices"]),
            tiebreak=data["tiebreak"],
            priority=dict(data["priority"]),
        )


class Cutoff(NamedTuple):
    """Key of the last (worst) applicant admitted at a (unit, age group).

    A tuple, so it serialises to JSON as ``[priority, tiebreak, id]``.
    """

    priority: Number
    tiebreak: Number
    applicant_id: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Outcome of a run.

    ``assignments`` holds every applicant (input order): unit id or ``None``. ``cutoffs`` holds,
    per unit id and age group, the key of the last admitted applicant; only (unit, age group)
    pairs that admitted someone appear, and a unit that admitted nobody does not appear at all.
    """

    assignments: dict[str, str | None]
    cutoffs: dict[str, dict[str, Cutoff]]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready data: ``{"assignments": {...}, "cutoffs": {u: {ag: [p, t, id]}}}``."""
        return {
            "assignments": self.assignments,
            "cutoffs": {
                unit: {ag: list(cut) for ag, cut in per_age.items()}
                for unit, per_age in self.cutoffs.items()
            },
        }


class WishExplanation(TypedDict):
    """Why an applicant did not get a wish ranked above the one offered.

    ``reason`` is ``"full"`` (every seat went to applicants ranked before this applicant; the
    last of them had ``cutoff_priority``/``cutoff_tiebreak``) or ``"no_capacity"`` (the unit has
    no seats for the applicant's age group; the cutoff fields are ``None``). The cutoff
    applicant's id is deliberately left out: it identifies another child.
    """

    rank: int
    unit: str
    reason: Literal["full", "no_capacity"]
    cutoff_priority: Number | None
    cutoff_tiebreak: Number | None
    own_priority: Number
    own_tiebreak: Number


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def solve(units: Sequence[Unit], applicants: Sequence[Applicant]) -> MatchResult:
    """Typed API. Checks references (see :func:`validate_instance`) and runs the algorithm.

    Raises :class:`InstanceError` for duplicate ids, unknown units in choices or priority,
    duplicate choices, negative capacities or non-finite numbers.
    """
    unit_ids = [u.id for u in units]
    capacities = [u.capacity for u in units]
    ids = [a.id for a in applicants]
    age_groups = [a.age_group for a in applicants]
    choices = [a.choices for a in applicants]
    priorities = [a.priority for a in applicants]
    tiebreaks = [a.tiebreak for a in applicants]
    _check_references(unit_ids, capacities, ids, choices, priorities, tiebreaks)
    return _solve_columns(unit_ids, capacities, ids, age_groups, choices, priorities, tiebreaks)


def solve_dicts(
    units: Sequence[Mapping[str, Any]], applicants: Sequence[Mapping[str, Any]]
) -> MatchResult:
    """Fast path over plain data, the shape of the CLI's input file.

    ``units``: ``[{"id": "K1", "capacity": {"under3": 12, "over3": 24}}]``;
    ``applicants``: ``[{"id": "A1", "age_group": "under3", "choices": ["K1", "K7"],
    "priority": {"K1": 0}, "tiebreak": 0.5}]``.

    The input is trusted: call :func:`validate_instance` first on anything from outside.
    """
    unit_ids = list(map(itemgetter("id"), units))
    capacities = list(map(itemgetter("capacity"), units))
    ids = list(map(itemgetter("id"), applicants))
    age_groups = list(map(itemgetter("age_group"), applicants))
    choices = list(map(itemgetter("choices"), applicants))
    priorities = list(map(itemgetter("priority"), applicants))
    tiebreaks = list(map(itemgetter("tiebreak"), applicants))
    return _solve_columns(unit_ids, capacities, ids, age_groups, choices, priorities, tiebreaks)


def explain(result: MatchResult, applicant: Applicant) -> list[WishExplanation]:
    """For every wish ranked above the one offered (all wishes if none was), the cutoff there.

    Stability guarantees that at each such wish the (unit, age group) is full with applicants
    ranked before this one, so the cutoff key is always better than the applicant's own key.
    """
    offered = result.assignments.get(applicant.id)
    out: list[WishExplanation] = []
    for rank, unit in enumerate(applicant.choices, start=1):
        if unit == offered:
            break
        own_priority = applicant.priority.get(unit, DEFAULT_PRIORITY)
        cut = result.cutoffs.get(unit, {}).get(applicant.age_group)
        if cut is None:
            out.append(
                WishExplanation(
                    rank=rank,
                    unit=unit,
                    reason="no_capacity",
                    cutoff_priority=None,
                    cutoff_tiebreak=None,
                    own_priority=own_priority,
                    own_tiebreak=applicant.tiebreak,
                )
            )
        else:
            out.append(
                WishExplanation(
                    rank=rank,
                    unit=unit,
                    reason="full",
                    cutoff_priority=cut.priority,
                    cutoff_tiebreak=cut.tiebreak,
                    own_priority=own_priority,
                    own_tiebreak=applicant.tiebreak,
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    # bool is a subclass of int but not a number here.
    return (type(value) is int) or (type(value) is float and math.isfinite(value))


def _is_int(value: object) -> bool:
    return type(value) is int


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate_instance(data: object) -> None:
    """Check plain JSON data; raise :class:`InstanceError` with a one-line message.

    Rules (the CLI's contract):

    * top level: object with lists ``units`` and ``applicants``; other keys are ignored;
    * unit: ``id`` non-empty string, unique; ``capacity`` object of age group -> int >= 0
      (``true``/``false`` are not ints);
    * applicant: ``id`` non-empty string, unique; ``age_group`` string (an age group a unit has
      no capacity for simply gets no seat there); ``choices`` list of unit ids, each a known
      unit, no unit twice; ``priority`` object of unit id -> finite number (int or float, not
      bool), each a known unit (an unknown unit is an error: a mistyped id would otherwise
      silently drop a statutory priority, bhl. § 18); ``tiebreak`` finite number;
    * all five applicant fields are required (``priority`` may be ``{}``), extra fields are
      ignored. NaN and infinities are rejected.
    """
    if not isinstance(data, dict):
        raise InstanceError("top level must be a JSON object with 'units' and 'applicants'")
    for name in ("units", "applicants"):
        if name not in data:
            raise InstanceError(f"missing field '{name}' at top level")
        if not isinstance(data[name], list):
            raise InstanceError(f"'{name}' must be a list")
    units: list[Any] = data["units"]
    applicants: list[Any] = data["applicants"]

    known: set[str] = set()
    for pos, unit in enumerate(units):
        where = f"units[{pos}]"
        if not isinstance(unit, dict):
            raise InstanceError(f"{where} must be an object")
        for name in _UNIT_FIELDS:
            if name not in unit:
                raise InstanceError(f"{where}: missing field '{name}'")
        uid = unit["id"]
        if not isinstance(uid, str) or not uid:
            raise InstanceError(f"{where}: id must be a non-empty string, got {_describe(uid)}")
        if uid in known:
            raise InstanceError(f"duplicate unit id '{uid}'")
        known.add(uid)
        cap = unit["capacity"]
        if not isinstance(cap, dict):
            raise InstanceError(f"unit '{uid}': capacity must be an object of age group -> int")
        for ag, seats in cap.items():
            if not isinstance(ag, str):
                raise InstanceError(f"unit '{uid}': capacity keys must be age group strings")
            if not _is_int(seats):
                raise InstanceError(
                    f"unit '{uid}': capacity for '{ag}' must be an int, got {_describe(seats)}"
                )
            if seats < 0:
                raise InstanceError(f"unit '{uid}': negative capacity {seats} for '{ag}'")

    # One fast pass; the first applicant that fails any check is diagnosed precisely.
    seen: set[str] = set()
    seen_add = seen.add
    has_all = frozenset(_APPLICANT_FIELDS).issubset
    issuperset = known.issuperset
    isfinite = math.isfinite
    for pos, app in enumerate(applicants):
        try:
            if type(app) is not dict or not has_all(app):
                raise _Invalid
            aid = app["id"]
            chs = app["choices"]
            prio = app["priority"]
            tb = app["tiebreak"]
            if not (
                type(aid) is str
                and aid
                and aid not in seen
                and type(app["age_group"]) is str
                and type(chs) is list
                and issuperset(chs)  # TypeError for unhashable elements
                and len(set(chs)) == len(chs)
                and type(prio) is dict
                and (type(tb) is int or (type(tb) is float and isfinite(tb)))
            ):
                raise _Invalid
            if prio and not (issuperset(prio) and all(map(_is_number, prio.values()))):
                raise _Invalid
        except (_Invalid, TypeError):
            _diagnose_applicant(pos, app, known, seen)
        seen_add(aid)


class _Invalid(Exception):
    pass


def _diagnose_applicant(pos: int, app: object, known: set[str], seen: set[str]) -> NoReturn:
    """Raise the InstanceError naming the first problem of one applicant."""
    where = f"applicants[{pos}]"
    if not isinstance(app, dict):
        raise InstanceError(f"{where} must be an object")
    for name in _APPLICANT_FIELDS:
        if name not in app:
            raise InstanceError(f"{where}: missing field '{name}'")
    aid = app["id"]
    if not isinstance(aid, str) or not aid:
        raise InstanceError(f"{where}: id must be a non-empty string, got {_describe(aid)}")
    if aid in seen:
        raise InstanceError(f"duplicate applicant id '{aid}'")
    where = f"applicant '{aid}'"
    if not isinstance(app["age_group"], str):
        raise InstanceError(
            f"{where}: age_group must be a string, got {_describe(app['age_group'])}"
        )
    chs = app["choices"]
    if not isinstance(chs, list) or not all(isinstance(c, str) for c in chs):
        raise InstanceError(f"{where}: choices must be a list of unit id strings")
    seen_choices: set[str] = set()
    for c in chs:
        if c not in known:
            raise InstanceError(f"{where}: unknown unit '{c}' in choices")
        if c in seen_choices:
            raise InstanceError(f"{where}: unit '{c}' appears twice in choices")
        seen_choices.add(c)
    prio = app["priority"]
    if not isinstance(prio, dict):
        raise InstanceError(f"{where}: priority must be an object of unit id -> number")
    for unit_id, value in prio.items():
        if not _is_number(value):
            raise InstanceError(
                f"{where}: priority at '{unit_id}' must be a finite number, got {_describe(value)}"
            )
        if unit_id not in known:
            raise InstanceError(f"{where}: unknown unit '{unit_id}' in priority")
    if not _is_number(app["tiebreak"]):
        raise InstanceError(
            f"{where}: tiebreak must be a finite number, got {_describe(app['tiebreak'])}"
        )
    raise InstanceError(f"{where}: invalid")  # pragma: no cover - the fast path agreed


def _check_references(
    unit_ids: Sequence[str],
    capacities: Sequence[Mapping[str, int]],
    ids: Sequence[str],
    choices: Sequence[Sequence[str]],
    priorities: Sequence[Mapping[str, Number]],
    tiebreaks: Sequence[Number],
) -> None:
    known: set[str] = set()
    for uid, cap in zip(unit_ids, capacities, strict=False):
        if uid in known:
            raise InstanceError(f"duplicate unit id '{uid}'")
        known.add(uid)
        for ag, seats in cap.items():
            if seats < 0:
                raise InstanceError(f"unit '{uid}': negative capacity {seats} for '{ag}'")
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for aid in ids:
            if aid in seen:
                raise InstanceError(f"duplicate applicant id '{aid}'")
            seen.add(aid)
    for aid, chs, prio, tb in zip(ids, choices, priorities, tiebreaks, strict=False):
        if not known.issuperset(chs):
            bad = next(c for c in chs if c not in known)
            raise InstanceError(f"applicant '{aid}': unknown unit '{bad}' in choices")
        if len(set(chs)) != len(chs):
            seen_c: set[str] = set()
            for c in chs:
                if c in seen_c:
                    raise InstanceError(f"applicant '{aid}': unit '{c}' appears twice in choices")
                seen_c.add(c)
        if prio:
            if not known.issuperset(prio):
                bad = next(u for u in prio if u not in known)
                raise InstanceError(f"applicant '{aid}': unknown unit '{bad}' in priority")
            for unit_id, value in prio.items():
                if isinstance(value, float) and not math.isfinite(value):
                    raise InstanceError(f"applicant '{aid}': priority at '{unit_id}' not finite")
        if isinstance(tb, float) and not math.isfinite(tb):
            raise InstanceError(f"applicant '{aid}': tiebreak not finite")


# --------------------------------------------------------------------------------------------
# The algorithm
# --------------------------------------------------------------------------------------------


def _global_order(ids: Sequence[str], tiebreaks: Sequence[Number]) -> list[int]:
    """Applicant indices sorted by (tiebreak, id); the position is the applicant's rank."""
    n = len(ids)
    kinds = set(map(type, tiebreaks))
    if kinds <= {float} or (
        kinds <= {float, int} and all(-(2**53) <= t <= 2**53 for t in tiebreaks if type(t) is int)
    ):
        # Exact as doubles: sort fresh, contiguous floats (far fewer cache misses than the
        # scattered originals; about a third faster at a million applicants).
        values: Sequence[Number] = array("d", tiebreaks)
    else:
        values = tiebreaks
    order = sorted(range(n), key=values.__getitem__)
    sorted_values = list(map(values.__getitem__, order))
    if not any(map(operator.eq, sorted_values, islice(sorted_values, 1, None))):
        return order
    # Equal tiebreaks: order each run of equal values by id.
    start = 0
    while start < n:
        end = start + 1
        value = sorted_values[start]
        while end < n and sorted_values[end] == value:
            end += 1
        if end - start > 1:
            order[start:end] = sorted(order[start:end], key=ids.__getitem__)
        start = end
    return order


def _solve_columns(
    unit_ids: Sequence[str],
    capacities: Sequence[Mapping[str, int]],
    ids: Sequence[str],
    age_groups: Sequence[str],
    choices: Sequence[Sequence[str]],
    priorities: Sequence[Mapping[str, Number]],
    tiebreaks: Sequence[Number],
) -> MatchResult:
    # The run creates no reference cycles; a full collection triggered by the (often just
    # loaded) million-object instance would cost seconds, so the collector pauses meanwhile.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _deferred_acceptance(
            unit_ids, capacities, ids, age_groups, choices, priorities, tiebreaks
        )
    finally:
        if gc_was_enabled:
            gc.enable()


def _deferred_acceptance(
    unit_ids: Sequence[str],
    capacities: Sequence[Mapping[str, int]],
    ids: Sequence[str],
    age_groups: Sequence[str],
    choices: Sequence[Sequence[str]],
    priorities: Sequence[Mapping[str, Number]],
    tiebreaks: Sequence[Number],
) -> MatchResult:
    n = len(ids)

    # Seats: one slot per (unit, age group) with capacity > 0.
    slot_unit: list[str] = []
    slot_age: list[str] = []
    caps: list[int] = []
    slot_of_age: dict[str, dict[str, int]] = {}
    for uid, cap in zip(unit_ids, capacities, strict=False):
        for ag, seats in cap.items():
            if seats > 0:
                slot_of_age.setdefault(ag, {})[uid] = len(caps)
                slot_unit.append(uid)
                slot_age.append(ag)
                caps.append(seats)

    # Rank i = position in (tiebreak, id) order; the key at a unit is (class_rank << shift) | i.
    # Everything the hot loop reads is laid out by rank, so it walks the arrays in order.
    order = _global_order(ids, tiebreaks)
    classes: set[Number] = {DEFAULT_PRIORITY}
    for given in priorities:
        if given:
            classes.update(given.values())
    class_rank = {value: r for r, value in enumerate(sorted(classes))}
    shift = max(n, 1).bit_length()
    mask = (1 << shift) - 1
    default_key = class_rank[DEFAULT_PRIORITY] << shift

    wish_lists = list(map(choices.__getitem__, order))
    has_prio = list(map(list(map(bool, priorities)).__getitem__, order))
    prio_of: list[Mapping[str, Number] | None] = [None] * n  # None: no priority anywhere
    for i in compress(range(n), has_prio):
        prio_of[i] = priorities[order[i]]

    # Proposal order (it never changes the result, only the work): applicants with a priority
    # somewhere first, then the others best-first ("main flow"); the stack is popped from the
    # end and a displaced applicant is pushed on top.
    #
    # Closing: a main-flow applicant i is refused by a full slot s only if the worst key held
    # there beats (default, i). Later main-flow applicants have larger ranks and the worst key
    # held at a full slot only improves, so s refuses every one of them too: s is deleted from
    # the main flow's slot map ("open" map) of that age group and costs them one failed dict
    # lookup. Applicants with a priority, and anyone displaced (who may rank before i), look
    # slots up in the full map instead.
    full_by_age = {ag: slot_of_age.get(ag, {}) for ag in set(age_groups)}
    open_by_age = {ag: dict(slots) for ag, slots in full_by_age.items()}
    open_ids = {id(slots) for slots in open_by_age.values()}
    maps_of_age = [open_by_age, full_by_age]
    slot_maps = list(
        map(
            dict.__getitem__,
            map(maps_of_age.__getitem__, has_prio),
            map(age_groups.__getitem__, order),
        )
    )
    stack = list(compress(range(n - 1, -1, -1), map(operator.not_, reversed(has_prio))))
    stack.extend(compress(range(n - 1, -1, -1), reversed(has_prio)))

    heaps: list[list[int]] = [[] for _ in caps]  # negated keys: heap[0] is the worst held
    next_wish = [0] * n
    held_slot = [-1] * n
    push = heapq.heappush
    replace = heapq.heapreplace
    pop = stack.pop
    stack_push = stack.append

    while stack:
        i = pop()
        slot_map = slot_maps[i]
        prio = prio_of[i]
        neg_default = -(default_key | i)
        ptr = next_wish[i]  # 0 unless i was displaced
        for unit in wish_lists[i][ptr:] if ptr else wish_lists[i]:
            ptr += 1
            s = slot_map.get(unit)
            if s is None:
                continue
            neg = -((class_rank[prio[unit]] << shift) | i) if prio and unit in prio else neg_default
            held = heaps[s]
            if len(held) < caps[s]:
                push(held, neg)
                held_slot[i] = s
                next_wish[i] = ptr
                break
            if neg > held[0]:  # better than the worst held: displace it
                j = -replace(held, neg) & mask
                slot_maps[j] = full_by_age[slot_age[s]]
                stack_push(j)
                held_slot[i] = s
                next_wish[i] = ptr
                break
            if id(slot_map) in open_ids:  # a main-flow applicant was refused: close s
                del slot_map[unit]
        else:
            held_slot[i] = -1  # every wish refused

    # Read the result off the heaps.
    unit_of_slot: list[str | None] = [*slot_unit, None]  # held_slot -1 -> None
    assigned_by_rank = list(map(unit_of_slot.__getitem__, held_slot))
    assigned: list[str | None] = [None] * n
    deque(map(assigned.__setitem__, order, assigned_by_rank), maxlen=0)  # scatter to input order
    cutoffs: dict[str, dict[str, Cutoff]] = {}
    for s, held in enumerate(heaps):
        if not held:
            continue
        uid = slot_unit[s]
        j = order[-held[0] & mask]
        prio_j = priorities[j]
        cutoffs.setdefault(uid, {})[slot_age[s]] = Cutoff(
            prio_j.get(uid, DEFAULT_PRIORITY) if prio_j else DEFAULT_PRIORITY,
            tiebreaks[j],
            ids[j],
        )
    return MatchResult(assignments=dict(zip(ids, assigned, strict=False)), cutoffs=cutoffs)
