"""CP-SAT timetable solver (pure: no Django).

Formulation
-----------
* ``x[a, s]``: activity ``a`` starts in slot ``s`` (one boolean per *feasible* start: starts
  that would cross the end of the day, a break, a not-available slot of a teacher, students
  set or fixed room, or fall outside hard preferred times are never created).
  ``AddExactlyOne`` per activity.
* Clashes: for every teacher, subgroup and fixed room, and every slot, at most one of the
  start literals *covering* the slot (subgroups with identical or dominated activity sets are
  merged).
* Rooms: an activity needs a room only when some room constraint concerns it (FET semantics).
  One candidate room -> the room is just another clash resource. Several -> booleans
  ``y[a, r]`` and per-slot occupancy literals.
* Per teacher/subgroup constraints (gaps, span, early beginnings, resting hours, ...) use per
  slot busy booleans with prefix/suffix "or" chains.
* Soft constraints (weight < 100) add ``weight * violation`` to the objective.
* Redundant, for propagation: compact days (no gaps plus an early start), day-shape tables
  (the busy hours of a day form a shape the daily rules allow) and symmetry breaking among
  interchangeable lessons (ordered in time).

Search (see ``_race``): with two or more workers, the plain model races a *packed* variant
(fully booked teachers and classes busy in every free slot) and, where teachers have hard gap
limits, a *soft gaps* variant searched by large neighbourhood search. The first valid
timetable wins; with ``optimize`` it then seeds the improvement of the soft penalty.

Other features: time limit, seed, workers, warm start (hints), locked activities, repair
mode (minimise moved lessons against a previous timetable), a progress callback and, when
the model is infeasible, an explanation: every hard constraint is guarded by an assumption
literal and CP-SAT's ``SufficientAssumptionsForInfeasibility`` names a conflicting subset,
which is then shrunk by deletion.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise, permutations
from typing import Any, Literal

from ortools.sat.python import cp_model

from .model import (
    Activity,
    BreakTimes,
    Consecutive,
    Constraint,
    EarlyMaxBeginningsAtSecondHour,
    EndsStudentsDay,
    Grouped,
    HomeRooms,
    Instance,
    IntervalMaxDaysPerWeek,
    MaxBuildingChangesPerDay,
    MaxBuildingChangesPerWeek,
    MaxDaysBetween,
    MaxDaysPerWeek,
    MaxGapsPerDay,
    MaxGapsPerWeek,
    MaxHoursContinuously,
    MaxHoursDaily,
    MaxSimultaneous,
    MaxSpanPerDay,
    MinDaysBetween,
    MinDaysPerWeek,
    MinGapsBetween,
    MinGapsBetweenBuildingChanges,
    MinHoursDaily,
    MinRestingHours,
    NotAvailable,
    NotOverlapping,
    OccupyMaxDifferentRooms,
    OccupyMaxTimeSlots,
    Ordered,
    Placement,
    PreferredRooms,
    PreferredStartingTimes,
    PreferredTimeSlots,
    ResourceConstraint,
    Room,
    SameRoomIfConsecutive,
    SameStartingDay,
    SameStartingHour,
    SameStartingTime,
    Solution,
)
from .verify import verify

__all__ = [
    "Progress",
    "SolveOptions",
    "SolveResult",
    "solve",
    "verify",
]

Status = Literal["solved", "unsolved", "infeasible"]

SCALE = 100
"""Objective units per weight-percent unit: penalty = weight * SCALE * amount."""

RELAX_WEIGHT = 10_000_000
"""Objective units per unit of violation of a hard constraint in relaxed mode."""

COMPACT = True
"""Add the redundant "compact day" implications (see ``_Builder._compact_days``)."""

PATTERNS = True
"""Add the redundant day-pattern tables (see ``_Builder._day_patterns``)."""

EXACT_OR = True
"""Make the prefix/suffix "or" chains exact (both directions) rather than lower bounds."""

Lit = cp_model.IntVar
LinExpr = cp_model.LinearExpr | cp_model.IntVar | int


@dataclass(frozen=True)
class Progress:
    solutions: int
    soft_penalty: float | None
    best_bound: float | None
    elapsed: float


@dataclass
class SolveOptions:
    time_limit: float = 60.0
    seed: int = 0
    workers: int = 0
    """0 = all cores."""
    hint: Solution | None = None
    """Warm start: an existing (possibly partial or infeasible) timetable."""
    locked: Mapping[int, Placement] = field(default_factory=dict)
    """Activities that must stay exactly here (room too, when given)."""
    previous: Solution | None = None
    """Repair mode: move as few activities as possible away from this timetable."""
    change_weight: float = 1000.0
    """Repair mode: cost of moving one activity, in weight-percent units."""
    progress: Callable[[Progress], None] | None = None
    optimize: bool = True
    """False: stop at the first timetable that satisfies every hard constraint."""
    explain: bool = True
    """On infeasibility, find the conflicting hard constraints."""
    explain_time_limit: float = 30.0
    log: bool = False
    relax: bool = False
    """Experimental: move hard constraints (except clashes and availability) into the
    objective with a huge weight and search for zero violation (local search friendly; on the
    FET examples it was slower than the default)."""
    symmetry: str = "clauses"
    """Symmetry breaking among interchangeable activities: "clauses" orders them in time
    (on FET's examples it turned DGS-Pro from unsolved in 60 s to about 5 s) or "off"."""


@dataclass
class SolveResult:
    status: Status
    solution: Solution | None
    seconds: float
    first_solution_seconds: float | None = None
    solutions: int = 0
    soft_penalty: float | None = None
    """Soft penalty of the solution according to the verifier."""
    objective: float | None = None
    """The solver's objective (an upper bound of the soft penalty) in the same units."""
    best_bound: float | None = None
    optimal: bool = False
    conflict: list[str] = field(default_factory=list)
    """Names of hard constraints that together cannot be satisfied."""
    message: str = ""


class _Infeasible(Exception):
    def __init__(self, message: str, names: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.names = list(names)


# --------------------------------------------------------------------------- public entry


def solve(instance: Instance, options: SolveOptions | None = None) -> SolveResult:
    """Build and solve the CP-SAT model of ``instance``."""
    opts = options or SolveOptions()
    t0 = time.monotonic()
    try:
        builder = _Builder(instance, opts, explain=False, relax=opts.relax, packed=False)
        builder.build()
    except _Infeasible as exc:
        if exc.names:
            return SolveResult(
                status="infeasible",
                solution=None,
                seconds=time.monotonic() - t0,
                conflict=sorted(exc.names),
                message=str(exc),
            )
        return _explain(instance, opts, t0, str(exc))
    others: list[_Builder] = []
    if _workers(opts) > 1 and not opts.relax:
        wanted = []
        if builder.n_packed:
            wanted.append({"packed": True})
        if any(c.hard and _is_teacher_gaps(c) for c in instance.constraints):
            wanted.append({"soft_gaps": True})
        for kw in wanted:
            try:
                other = _Builder(instance, opts, explain=False, **kw)
                other.build()
            except _Infeasible:  # pragma: no cover - the plain model built fine
                continue
            others.append(other)
    res = _improve(builder, _race(builder, others, t0), t0) if others else builder.run(t0)
    if res.status == "infeasible" and opts.explain:
        return _explain(instance, opts, t0, "the solver proved that no timetable exists")
    if res.solution is not None:
        # the objective's auxiliary variables are only bounded from one side, so report the
        # independent verifier's figure
        res.soft_penalty, res.objective = verify(instance, res.solution)[1], res.soft_penalty
        if res.objective is None:
            res.objective = res.soft_penalty
    return res


def _fits(room: Room, size: int) -> bool:
    return room.capacity is None or room.capacity >= size


def _workers(opts: SolveOptions) -> int:
    return opts.workers or (os.cpu_count() or 1)


def _race(plain: _Builder, others: Sequence[_Builder], t0: float) -> SolveResult:
    """Several CP-SAT searches in threads; the first timetable found wins.

    * ``plain``, the model as stated, keeps CP-SAT's local search (feasibility jump).
    * A *packed* model states that a fully booked teacher or class is busy in *every* free
      slot (exactly one lesson per slot): that helps clause learning on dense schools.
    * A *soft gaps* model (only where teachers have hard gap limits) moves those limits into
      the objective, so large neighbourhood search walks from a timetable with too many gaps
      down to none. It gets the workers, the exact searches one thread each: on FET's
      Germany/secondary-school-1 the exact searches stall while this one finds a timetable in
      12-35 s; on DGS-Pro it is the other way round.

    Timetabling run times are heavy-tailed, so racing them is far more robust than any one.
    """
    opts = plain.opts
    lock = threading.Lock()
    user_progress = opts.progress

    def progress(p: Progress) -> None:
        if user_progress is not None:
            with lock:
                user_progress(p)

    remaining = opts.time_limit - (time.monotonic() - t0)
    runs: list[tuple[_Builder, cp_model.CpSolver, _Callback]] = []
    for b in (plain, *others):
        relaxed = any(o.soft_gaps for o in others)
        workers = _workers(opts) if b.soft_gaps or (b is plain and not relaxed) else 1
        sv = b.make_solver(remaining, workers, True)
        if b.packed:
            sv.parameters.linearization_level = 0  # pure clause learning: fastest when dense
        runs.append((b, sv, _Callback(b, t0, progress, stop_when_feasible=True)))
    status: dict[int, Any] = {}

    def go(i: int) -> None:
        b, sv, cb = runs[i]
        st = sv.solve(b.model, cb)
        status[i] = st
        if cb.first is not None or st == cp_model.INFEASIBLE:
            for j, (_b, other, _cb) in enumerate(runs):
                if j != i:
                    other.stop_search()

    threads = [threading.Thread(target=go, args=(i,), daemon=True) for i in range(len(runs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    candidates = [(cb.first, i) for i, (_b, _s, cb) in enumerate(runs) if cb.first is not None]
    if not candidates:
        # every model is the timetable or a relaxation of it: one proof is enough
        infeasible = cp_model.INFEASIBLE in status.values()
        return plain.result(
            runs[0][1], cp_model.INFEASIBLE if infeasible else cp_model.UNKNOWN, runs[0][2], t0
        )
    _first, wi = min(candidates)
    winner, ws, wcb = runs[wi]
    res = winner.result(ws, status[wi], wcb, t0, wcb.solution)
    res.solutions = sum(cb.count for _b, _s, cb in runs)
    return res


def _improve(plain: _Builder, res: SolveResult, t0: float) -> SolveResult:
    """With ``optimize``, a first timetable from a race seeds the search on the plain model."""
    left = plain.opts.time_limit - (time.monotonic() - t0)
    if plain.opts.optimize and plain.obj and res.solution is not None and left > 0.2:
        plain.set_hint(res.solution)
        better = plain.run(t0)
        if better.solution is not None and better.status == "solved":
            better.first_solution_seconds = res.first_solution_seconds
            better.solutions += res.solutions
            return better
    return res


def _explain(inst: Instance, opts: SolveOptions, t0: float, message: str) -> SolveResult:
    conflict: list[str] = []
    if opts.explain:
        remaining = max(
            1.0, min(opts.explain_time_limit, opts.time_limit - (time.monotonic() - t0))
        )
        conflict = explain_infeasibility(inst, opts, remaining)
    return SolveResult(
        status="infeasible",
        solution=None,
        seconds=time.monotonic() - t0,
        conflict=conflict,
        message=message,
    )


def explain_infeasibility(inst: Instance, opts: SolveOptions, time_limit: float) -> list[str]:
    """Names of hard constraints that conflict (a small, often minimal, subset)."""
    t0 = time.monotonic()
    b = _Builder(inst, opts, explain=True)
    try:
        b.build()
    except _Infeasible as exc:  # pragma: no cover - guarded mode never prunes
        return exc.names
    guards = list(b.guards.items())
    if not guards:
        return []
    names_by_index = {lit.index: name for name, lit in guards}

    def core(active: Sequence[str], limit: float, presolve: bool = False) -> list[str] | None:
        """Solve with only ``active`` guards assumed; the core if infeasible, else None."""
        model = b.model
        model.clear_assumptions()
        lits = [b.guards[n] for n in active]
        model.add_assumptions(lits)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.5, limit)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = opts.seed
        # Without presolve the core comes from the search and is small (a presolve proof
        # of infeasibility would blame every assumption).
        solver.parameters.cp_model_presolve = presolve
        st = solver.solve(model)
        if st != cp_model.INFEASIBLE:
            return None
        idx = solver.sufficient_assumptions_for_infeasibility()
        return [names_by_index[i] for i in idx if i in names_by_index]

    all_names = [n for n, _ in guards]
    found = core(all_names, time_limit * 0.3, presolve=True)
    if found is None:
        return []
    if len(found) > len(all_names) // 2:
        # a presolve proof blames (almost) everything: ask the search for a real core
        left = time_limit - (time.monotonic() - t0)
        better = core(found, left * 0.5) if left > 1 else None
        if better is not None:
            found = better
    current = list(found)
    # Shrink: re-solve with only the core assumed while that keeps getting smaller.
    for _ in range(5):
        left = time_limit - (time.monotonic() - t0)
        if left <= 0.5:
            break
        smaller = core(current, min(left / 2, 5.0))
        if smaller is None or len(smaller) >= len(current):
            break
        current = smaller
    # Deletion filter: drop members that are not needed, while time remains.
    if len(current) <= 60:
        for name in list(current):
            left = time_limit - (time.monotonic() - t0)
            if left <= 0.2:
                break
            trial = [n for n in current if n != name]
            if not trial:
                continue
            sub = core(trial, min(left, 2.0))
            if sub is not None:
                current = [n for n in trial if n in set(sub)] or trial
    return sorted(current)


# --------------------------------------------------------------------------- builder


class _Builder:
    def __init__(
        self,
        inst: Instance,
        opts: SolveOptions,
        explain: bool,
        relax: bool = False,
        packed: bool = False,
        soft_gaps: bool = False,
    ) -> None:
        self.inst = inst
        self.opts = opts
        self.explain = explain
        self.packed = packed
        self.n_packed = 0
        self.relax = relax and not explain
        self.soft_gaps = soft_gaps and not explain and not self.relax
        """Teachers' hard gap limits go into the objective (see ``_race``)."""
        self.hard_viol: list[tuple[LinExpr, int]] = []
        self.mult = 1
        """Copies of the soft constraint being built (see ``_resource``)."""
        self.model = cp_model.CpModel()
        self.H = inst.n_hours
        self.D = inst.n_days
        self.acts = inst.activities
        self.by_id = inst.activity_by_id
        self.guards: dict[str, Lit] = {}
        self.obj: list[tuple[LinExpr, int]] = []
        self.obj_const = 0
        self.subgroups_of = {a.id: inst.activity_subgroups(a) for a in self.acts}
        self._busy_cache: dict[tuple[object, ...], Lit | None] = {}
        self._in_building: dict[tuple[int, int, str], Lit] = {}
        self._prefix_cache: dict[tuple[object, ...], list[Lit | None]] = {}

    # ---- guards / soft helpers

    def guard(self, name: str) -> Lit | None:
        if not self.explain:
            return None
        lit = self.guards.get(name)
        if lit is None:
            lit = self.model.new_bool_var(f"g:{name}"[:200])
            self.guards[name] = lit
        return lit

    def cguard(self, c: Constraint) -> Lit | None:
        return self.guard(c.describe()) if c.hard else None

    def add(self, ct: cp_model.Constraint, g: Lit | None) -> None:
        if g is not None:
            ct.only_enforce_if(g)

    def weight(self, c: Constraint) -> int:
        return max(1, round(c.weight * SCALE))

    def strict(self, c: Constraint) -> bool:
        """Hard and posted as a real constraint (not relaxed into the objective)."""
        if self.soft_gaps and _is_teacher_gaps(c):
            return False
        return c.hard and not self.relax

    def penalize(self, v: LinExpr, c: Constraint, per_unit: int = 1) -> None:
        """Add ``v`` (a violation amount) to the objective with the constraint's weight."""
        per_unit *= self.mult
        if c.hard:
            self.obj.append((v, RELAX_WEIGHT * per_unit))
            self.hard_viol.append((v, per_unit))
        else:
            self.obj.append((v, self.weight(c) * per_unit))

    def viol_bool(self, c: Constraint) -> Lit | None:
        """None for strict constraints, else a new penalised violation boolean."""
        if self.strict(c):
            return None
        v = self.model.new_bool_var("")
        self.penalize(v, c)
        return v

    def le(self, terms: LinExpr, ub: int, c: Constraint, g: Lit | None, vmax: int = 1000) -> None:
        """``terms <= ub``: hard (guarded) or soft with a penalty per unit over."""
        if self.strict(c):
            self.add(self.model.add(terms <= ub), g)
        else:
            v = self.model.new_int_var(0, vmax, "")
            self.model.add(terms <= ub + v)
            self.penalize(v, c)

    def ge(self, terms: LinExpr, lb: int, c: Constraint, g: Lit | None, vmax: int = 1000) -> None:
        if self.strict(c):
            self.add(self.model.add(terms >= lb), g)
        else:
            v = self.model.new_int_var(0, vmax, "")
            self.model.add(terms + v >= lb)
            self.penalize(v, c)

    # ---- build

    def build(self) -> None:
        self._time_domains()
        self._rooms_prepare()
        self._time_vars()
        self._clashes()
        self._rooms_vars()
        for c in self.inst.constraints:
            self._constraint(c)
        self._compact_days()
        self._day_patterns()
        self._symmetry()
        self._repair_and_hints()
        if self.soft_gaps:
            # only the way to a valid timetable counts here; soft rules come afterwards
            self.obj = [(v, RELAX_WEIGHT * k) for v, k in self.hard_viol]
        if self.obj:
            self.model.minimize(
                cp_model.LinearExpr.weighted_sum([e for e, _ in self.obj], [w for _, w in self.obj])
            )

    # ---- time domains

    def _time_domains(self) -> None:
        inst, H, D = self.inst, self.H, self.D
        self.start_cost: dict[int, dict[int, int]] = {a.id: defaultdict(int) for a in self.acts}
        # candidate starts: the activity fits in the day
        allowed: dict[int, set[int]] = {}
        for a in self.acts:
            allowed[a.id] = {d * H + h for d in range(D) for h in range(H - a.duration + 1)}
        # guarded exclusions in explain mode: (guard name, activity, start)
        self.excluded: list[tuple[str, int, int]] = []
        self.domain_blame: dict[int, set[str]] = {}

        def covered(a: Activity, s: int) -> range:
            return range(s, s + a.duration)

        def exclude(
            c: Constraint | None, name: str, a: Activity, bad: Iterable[int], hard: bool, w: int = 0
        ) -> None:
            bad_set = set(bad) & allowed[a.id]
            if not bad_set:
                return
            if hard:
                self.domain_blame.setdefault(a.id, set()).add(name)
                if self.explain:
                    self.excluded.extend((name, a.id, s) for s in bad_set)
                else:
                    allowed[a.id] -= bad_set
            else:
                for s in bad_set:
                    self.start_cost[a.id][s] += w

        teacher_acts: dict[str, list[Activity]] = defaultdict(list)
        subgroup_acts: dict[str, list[Activity]] = defaultdict(list)
        for a in self.acts:
            for t in a.teachers:
                teacher_acts[t].append(a)
            for sg in self.subgroups_of[a.id]:
                subgroup_acts[sg].append(a)
        self.teacher_acts = teacher_acts
        self.subgroup_acts = subgroup_acts

        def slots_idx(slots: Iterable[tuple[int, int]]) -> set[int]:
            return {d * H + h for d, h in slots}

        def overlap_bad(a: Activity, bad_slots: set[int]) -> list[tuple[int, int]]:
            """(start, number of bad slots covered) for starts touching bad slots."""
            out = []
            for s in allowed[a.id]:
                n = sum(1 for t in covered(a, s) if t in bad_slots)
                if n:
                    out.append((s, n))
            return out

        self.break_slots: set[int] = set()
        self.teacher_na: dict[str, set[int]] = defaultdict(set)
        self.subgroup_na: dict[str, set[int]] = defaultdict(set)
        self.room_na: dict[str, list[tuple[Constraint, set[int]]]] = defaultdict(list)
        for c in inst.constraints:
            w = self.weight(c)
            if isinstance(c, BreakTimes):
                bad = slots_idx(c.slots)
                if c.hard:
                    self.break_slots |= bad
                for a in self.acts:
                    for s, n in overlap_bad(a, bad):
                        exclude(c, c.describe(), a, [s], c.hard, w * n)
            elif isinstance(c, NotAvailable):
                bad = slots_idx(c.slots)
                if c.resource_kind == "room":
                    self.room_na[c.resource].append((c, bad))
                    continue
                if c.resource_kind == "teacher":
                    targets = teacher_acts.get(c.resource, [])
                    if c.hard:
                        self.teacher_na[c.resource] |= bad
                    for a in targets:
                        for s, n in overlap_bad(a, bad):
                            exclude(c, c.describe(), a, [s], c.hard, w * n)
                else:
                    sgs = inst.students_sets.get(c.resource, frozenset())
                    if c.hard:
                        for sg in sgs:
                            self.subgroup_na[sg] |= bad
                    for a in self.acts:
                        k = len(self.subgroups_of[a.id] & sgs)
                        if not k:
                            continue
                        for s, n in overlap_bad(a, bad):
                            exclude(c, c.describe(), a, [s], c.hard, w * n * k)
            elif isinstance(c, PreferredStartingTimes):
                ok = slots_idx(c.slots)
                for aid in c.activities:
                    a = self.by_id[aid]
                    exclude(c, c.describe(), a, [s for s in allowed[aid] if s not in ok], c.hard, w)
            elif isinstance(c, PreferredTimeSlots):
                ok = slots_idx(c.slots)
                for aid in c.activities:
                    a = self.by_id[aid]
                    bad_starts = [
                        s for s in allowed[aid] if any(t not in ok for t in covered(a, s))
                    ]
                    exclude(c, c.describe(), a, bad_starts, c.hard, w)
        for aid, p in self.opts.locked.items():
            if aid not in allowed:
                continue
            s = p.day * H + p.hour
            name = f"locked activity {aid}"
            others = [t for t in allowed[aid] if t != s]
            if self.explain:
                self.excluded.extend((name, aid, t) for t in others)
                if s not in allowed[aid]:
                    raise _Infeasible(f"locked activity {aid} cannot be at its slot")
            else:
                if s not in allowed[aid]:
                    raise _Infeasible(
                        f"locked activity {aid} is at a forbidden time",
                        sorted({name} | self.domain_blame.get(aid, set())),
                    )
                allowed[aid] = {s}
                self.domain_blame.setdefault(aid, set()).add(name)
        # hard same-starting-time groups share one domain
        if not self.explain:
            changed = True
            while changed:
                changed = False
                for c in inst.constraints:
                    if isinstance(c, SameStartingTime) and c.hard:
                        common = set.intersection(*(allowed[i] for i in c.activities))
                        blame = {c.describe()}
                        for i in c.activities:
                            blame |= self.domain_blame.get(i, set())
                        for i in c.activities:
                            if allowed[i] != common:
                                allowed[i] = set(common)
                                self.domain_blame[i] = set(blame)
                                changed = True
        for a in self.acts:
            if not allowed[a.id]:
                raise _Infeasible(
                    f"activity {a.id} has no allowed time",
                    sorted(self.domain_blame.get(a.id, set())),
                )
        self.allowed = {aid: sorted(v) for aid, v in allowed.items()}

    def _time_vars(self) -> None:
        m, H = self.model, self.H
        self.x: dict[int, dict[int, Lit]] = {}
        self.cover: dict[int, dict[int, list[Lit]]] = {}
        for a in self.acts:
            xs = {s: m.new_bool_var(f"x{a.id}_{s}") for s in self.allowed[a.id]}
            self.x[a.id] = xs
            m.add_exactly_one(xs.values())
            cov: dict[int, list[Lit]] = defaultdict(list)
            for s, lit in xs.items():
                for t in range(s, s + a.duration):
                    cov[t].append(lit)
            self.cover[a.id] = cov
            costs = self.start_cost[a.id]
            for s, w in costs.items():
                if s in xs and w:
                    self.obj.append((xs[s], w))
        for name, aid, s in self.excluded:
            xl = self.x[aid].get(s)
            if xl is not None:
                g = self.guard(name)
                assert g is not None
                m.add_bool_or([g.negated(), xl.negated()])
        del H

    # ---- helpers on time

    def day_terms(self, aid: int, d: int) -> list[Lit]:
        lo, hi = d * self.H, (d + 1) * self.H
        return [lit for s, lit in self.x[aid].items() if lo <= s < hi]

    def hour_terms(self, aid: int, h: int) -> list[Lit]:
        return [lit for s, lit in self.x[aid].items() if s % self.H == h]

    def cover_terms(self, acts: Iterable[int], t: int) -> list[Lit]:
        out: list[Lit] = []
        for aid in acts:
            out.extend(self.cover[aid].get(t, ()))
        return out

    def busy(self, acts: tuple[int, ...], t: int) -> Lit | None:
        """A boolean true iff one of ``acts`` occupies slot ``t`` (None if impossible)."""
        key = (acts, t)
        if key in self._busy_cache:
            return self._busy_cache[key]
        lits = self.cover_terms(acts, t)
        res: Lit | None
        if not lits:
            res = None
        elif len(lits) == 1:
            res = lits[0]
        else:
            res = self.model.new_bool_var("")
            if self.explain:
                for lit in lits:
                    self.model.add_implication(lit, res)
                self.model.add(res <= sum(lits))
            else:
                self.model.add(res == sum(lits))
        self._busy_cache[key] = res
        return res

    # ---- clashes

    def _clashes(self) -> None:
        m = self.model
        T = self.D * self.H
        groups: list[tuple[str, list[int]]] = []
        for t, acts in self.teacher_acts.items():
            groups.append((f"no clash for teacher {t}", [a.id for a in acts]))
        # subgroups: keep only maximal activity sets
        sets: dict[frozenset[int], str] = {}
        for sg, acts in self.subgroup_acts.items():
            key = frozenset(a.id for a in acts)
            sets.setdefault(key, sg)
        keys = sorted(sets, key=len, reverse=True)
        kept: list[frozenset[int]] = []
        for k in keys:
            if any(k <= big for big in kept):
                continue
            kept.append(k)
        for k in kept:
            groups.append((f"no clash for students {sets[k]}", sorted(k)))
        self.clash_groups = groups
        for name, ids in groups:
            if len(ids) < 2:
                continue
            g = self.guard(name)
            per_slot = [self.cover_terms(ids, t) for t in range(T)]
            usable = sum(1 for lits in per_slot if lits)
            hours = sum(self.by_id[i].duration for i in ids)
            packed = hours == usable
            self.n_packed += packed
            packed = packed and self.packed
            if hours > usable and not self.explain:
                blame = {name}
                for aid in ids:
                    blame |= self.domain_blame.get(aid, set())
                raise _Infeasible(
                    f"{name}: {hours} hours do not fit in {usable} free slots", sorted(blame)
                )
            for lits in per_slot:
                if len(lits) < 2 and not (packed and lits):
                    continue
                if g is None:
                    if packed:
                        m.add_exactly_one(lits)
                    else:
                        m.add_at_most_one(lits)
                else:
                    m.add(sum(lits) <= 1).only_enforce_if(g)

    # ---- rooms

    def _rooms_prepare(self) -> None:
        inst = self.inst
        hard_sets: dict[int, list[tuple[str, set[str]]]] = defaultdict(list)
        soft_sets: dict[int, list[tuple[Constraint, set[str]]]] = defaultdict(list)
        pref_union: dict[int, set[str]] = defaultdict(set)
        for c in inst.constraints:
            if isinstance(c, PreferredRooms):
                for aid in c.activities:
                    pref_union[aid] |= set(c.rooms)
        for c in inst.constraints:
            if isinstance(c, PreferredRooms | HomeRooms):
                for aid in c.activities:
                    rooms = set(c.rooms)
                    if isinstance(c, HomeRooms):
                        rooms |= pref_union[aid]
                    if c.hard:
                        hard_sets[aid].append((c.describe(), rooms))
                    else:
                        soft_sets[aid].append((c, rooms))
        self.room_cands: dict[int, list[str | None]] = {}
        self.room_soft = soft_sets
        self.room_hard_names: dict[int, list[str]] = {}
        self.room_hard_sets = hard_sets
        for a in self.acts:
            hs, ss = hard_sets.get(a.id), soft_sets.get(a.id)
            if not hs and not ss:
                continue
            cands: list[str | None]
            if hs:
                common = set.intersection(*(r for _, r in hs))
                if self.explain:
                    common = set.union(*(r for _, r in hs))
                cands = [*sorted(common)]
                self.room_hard_names[a.id] = [n for n, _ in hs]
            else:
                union: set[str] = set()
                for _, r in ss or []:
                    union |= r
                cands = [*sorted(union), None]
            size = inst.activity_size(a)
            cands = [r for r in cands if r is None or _fits(inst.room_by_name[r], size)]
            if not cands:
                raise _Infeasible(
                    f"activity {a.id} has no room that fits", self.room_hard_names.get(a.id, [])
                )
            self.room_cands[a.id] = cands
        for aid, p in self.opts.locked.items():
            if p.room is None or aid not in self.by_id:
                continue
            name = f"locked activity {aid}"
            room = inst.room_by_name.get(p.room)
            if room is None:
                raise _Infeasible(f"{name} is in unknown room {p.room!r}", [name])
            old = self.room_cands.get(aid)
            if not self.explain and (
                (old is not None and p.room not in old)
                or not _fits(room, inst.activity_size(self.by_id[aid]))
            ):
                raise _Infeasible(
                    f"{name} is in a room it may not use",
                    [name, *self.room_hard_names.get(aid, [])],
                )
            self.room_cands[aid] = [p.room]
        # activities with a single mandatory room: the room is a clash resource
        self.fixed_room: dict[int, str] = {
            aid: c[0] for aid, c in self.room_cands.items() if len(c) == 1 and c[0] is not None
        }
        for aid, room_name in self.fixed_room.items():
            for c, bad in self.room_na.get(room_name, []):
                a = self.by_id[aid]
                w = self.weight(c)
                for s in list(self.allowed[aid]):
                    n = sum(1 for t in range(s, s + a.duration) if t in bad)
                    if not n:
                        continue
                    if c.hard and not self.explain:
                        self.allowed[aid].remove(s)
                    elif c.hard:
                        self.excluded.append((c.describe(), aid, s))
                    else:
                        self.start_cost[aid][s] += w * n
                if not self.allowed[aid]:
                    raise _Infeasible(
                        f"activity {aid} has no time when its room is available", [c.describe()]
                    )

    def _rooms_vars(self) -> None:
        m, T = self.model, self.D * self.H
        self.y: dict[int, dict[str | None, Lit]] = {}
        for aid, cands in self.room_cands.items():
            if aid in self.fixed_room:
                continue
            ys = {r: m.new_bool_var(f"y{aid}_{r}") for r in cands}
            self.y[aid] = ys
            m.add_exactly_one(ys.values())
        if self.explain:
            # hard room sets are unioned in explain mode; guard each membership
            for aid, sets in self.room_hard_sets.items():
                yd = self.y.get(aid)
                if yd is None:
                    continue
                for name, rooms in sets:
                    g = self.guard(name)
                    assert g is not None
                    ok = [lit for rn, lit in yd.items() if rn in rooms]
                    m.add(sum(ok) >= 1).only_enforce_if(g)
        fixed_by_room: dict[str, list[int]] = defaultdict(list)
        for aid, fr in self.fixed_room.items():
            fixed_by_room[fr].append(aid)
        flex_by_room: dict[str, list[int]] = defaultdict(list)
        for aid, yd in self.y.items():
            for rn in yd:
                if rn is not None:
                    flex_by_room[rn].append(aid)
        for room in sorted(set(fixed_by_room) | set(flex_by_room)):
            g = self.guard(f"no clash for room {room}")
            fixed = fixed_by_room.get(room, [])
            flex = flex_by_room.get(room, [])
            for t in range(T):
                lits = self.cover_terms(fixed, t)
                flex_here = [aid for aid in flex if self.cover[aid].get(t)]
                if len(lits) + len(flex_here) < 2:
                    continue
                terms: list[LinExpr] = list(lits)
                for aid in flex_here:
                    wv = m.new_bool_var("")
                    m.add(wv >= sum(self.cover[aid][t]) + self.y[aid][room] - 1)
                    terms.append(wv)
                ct = m.add(sum(terms) <= 1)
                self.add(ct, g)
            # room not available for flexible activities
            for c, bad in self.room_na.get(room, []):
                cg = self.cguard(c)
                for aid in flex:
                    a = self.by_id[aid]
                    yl = self.y[aid][room]
                    for s, xl in self.x[aid].items():
                        n = sum(1 for t in range(s, s + a.duration) if t in bad)
                        if not n:
                            continue
                        if c.hard:
                            ct = m.add(xl + yl <= 1)
                            self.add(ct, cg)
                        else:
                            v = m.new_bool_var("")
                            m.add(xl + yl <= 1 + v)
                            self.obj.append((v, self.weight(c) * n))
        # soft room preferences
        for aid, items in self.room_soft.items():
            for c, rooms in items:
                w = self.weight(c)
                if aid in self.fixed_room:
                    if self.fixed_room[aid] not in rooms:
                        self.obj_const += w
                    continue
                yd = self.y.get(aid)
                if yd is None:
                    continue
                for rn, lit in yd.items():
                    if rn is None or rn not in rooms:
                        self.obj.append((lit, w))

    def room_lit(self, aid: int, room: str) -> Lit | int:
        if aid in self.fixed_room:
            return 1 if self.fixed_room[aid] == room else 0
        ys = self.y.get(aid)
        if ys is None or room not in ys:
            return 0
        return ys[room]

    # ---- constraints

    def _constraint(self, c: Constraint) -> None:
        if isinstance(c, BreakTimes | NotAvailable | PreferredStartingTimes | PreferredTimeSlots):
            return  # handled in the domains
        if isinstance(c, PreferredRooms | HomeRooms):
            return  # handled with the rooms
        g = self.cguard(c)
        if isinstance(c, ResourceConstraint):
            self._resource(c, g)
        elif isinstance(c, MinDaysBetween):
            self._min_days(c, g)
        elif isinstance(c, MaxDaysBetween):
            self._max_days(c, g)
        elif isinstance(c, SameStartingTime | SameStartingDay | SameStartingHour):
            self._same(c, g)
        elif isinstance(c, NotOverlapping):
            for t in range(self.D * self.H):
                lits = self.cover_terms(c.activities, t)
                if len(lits) >= 2:
                    self.le(sum(lits), 1, c, g)
        elif isinstance(c, Consecutive):
            self._consecutive(c.first, c.second, c, g, None)
        elif isinstance(c, Grouped):
            self._grouped(c, g)
        elif isinstance(c, Ordered):
            self._ordered(c, g)
        elif isinstance(c, MinGapsBetween):
            self._min_gaps(c, g)
        elif isinstance(c, EndsStudentsDay):
            self._ends_day(c, g)
        elif isinstance(c, OccupyMaxTimeSlots):
            occ = []
            for d, h in sorted(c.slots):
                t = d * self.H + h
                lits = self.cover_terms(c.activities, t)
                if not lits:
                    continue
                o = self.model.new_bool_var("")
                self.model.add(sum(lits) <= len(lits) * o)
                occ.append(o)
            if len(occ) > c.max_slots:
                self.le(sum(occ), c.max_slots, c, g)
        elif isinstance(c, MaxSimultaneous):
            for d, h in sorted(c.slots):
                lits = self.cover_terms(c.activities, d * self.H + h)
                if len(lits) > c.max_activities:
                    self.le(sum(lits), c.max_activities, c, g)
        elif isinstance(c, OccupyMaxDifferentRooms):
            self._max_rooms(c, g)
        elif isinstance(c, SameRoomIfConsecutive):
            self._same_room(c, g)
        else:  # pragma: no cover
            raise AssertionError(f"solver does not know {c.kind}")

    def _min_days(self, c: MinDaysBetween, g: Lit | None) -> None:
        m, D = self.model, self.D
        k = c.min_days
        if k <= 0:
            return
        day_lits = {aid: [self.day_terms(aid, d) for d in range(D)] for aid in c.activities}
        for d0 in range(D):
            window = range(d0, min(D, d0 + k))
            if d0 + k > D and d0 > 0:
                break  # windows clipped at the end are covered by earlier full windows
            lits = [lit for aid in c.activities for d in window for lit in day_lits[aid][d]]
            if len(lits) < 2:
                continue
            if self.strict(c) and g is None:
                m.add_at_most_one(lits)
            else:
                self.le(sum(lits), 1, c, g, vmax=len(c.activities))
        if c.consecutive_if_same_day and not self.strict(c):
            # FET forces activities of the constraint that share a day to be adjacent.
            for a1, a2 in combinations(c.activities, 2):
                act1, act2 = self.by_id[a1], self.by_id[a2]
                for s, xl in self.x[a1].items():
                    d = s // self.H
                    other_day = self.day_terms(a2, d)
                    if not other_day:
                        continue
                    adj = []
                    if (s + act1.duration) in self.x[a2] and (s + act1.duration) // self.H == d:
                        adj.append(self.x[a2][s + act1.duration])
                    if (s - act2.duration) in self.x[a2] and (s - act2.duration) // self.H == d:
                        adj.append(self.x[a2][s - act2.duration])
                    m.add(xl + sum(other_day) - sum(adj) <= 1)

    def _max_days(self, c: MaxDaysBetween, g: Lit | None) -> None:
        D = self.D
        for a1, a2 in combinations(c.activities, 2):
            for d in range(D):
                far = [
                    lit
                    for d2 in range(D)
                    if abs(d2 - d) > c.max_days
                    for lit in self.day_terms(a2, d2)
                ]
                here = self.day_terms(a1, d)
                if far and here:
                    self.le(sum(here) + sum(far), 1, c, g)

    def _same(self, c: Constraint, g: Lit | None) -> None:
        m = self.model
        acts: tuple[int, ...] = c.activities  # type: ignore[attr-defined]
        first = acts[0]
        if isinstance(c, SameStartingTime):
            keys = sorted({s for a in acts for s in self.x[a]})

            def terms(aid: int, k: int) -> list[Lit]:
                lit = self.x[aid].get(k)
                return [lit] if lit is not None else []
        elif isinstance(c, SameStartingDay):
            keys = list(range(self.D))

            def terms(aid: int, k: int) -> list[Lit]:
                return self.day_terms(aid, k)
        else:
            keys = list(range(self.H))

            def terms(aid: int, k: int) -> list[Lit]:
                return self.hour_terms(aid, k)

        for other in acts[1:]:
            v = self.viol_bool(c)
            for k in keys:
                e1, e2 = sum(terms(first, k)), sum(terms(other, k))
                if isinstance(e1, int) and isinstance(e2, int):
                    continue
                if v is None:
                    self.add(m.add(e1 == e2), g)
                else:
                    m.add(e1 - e2 <= v)
                    m.add(e2 - e1 <= v)

    def _follow_starts(self, first: int, s: int, second: int, strict: bool = False) -> list[int]:
        """Starts of ``second`` right after ``first`` (started at ``s``), breaks between ok."""
        H = self.H
        d = s // H
        end = s + self.by_id[first].duration
        out = []
        t = end
        while t < (d + 1) * H:
            if t in self.x[second]:
                out.append(t)
            if strict or t not in self.break_slots:
                break
            t += 1
        return out

    def _consecutive(
        self, first: int, second: int, c: Constraint, g: Lit | None, sel: Lit | None
    ) -> None:
        """``second`` right after ``first``; with ``sel`` only when ``sel`` is true."""
        m = self.model
        v: Lit | None = None
        if sel is None:
            v = self.viol_bool(c)
        for s, xl in self.x[first].items():
            nxt = [self.x[second][t] for t in self._follow_starts(first, s, second)]
            rhs: LinExpr = sum(nxt)
            if sel is not None:
                rhs = rhs + (1 - sel)
            if v is not None:
                m.add(xl <= rhs + v)
            else:
                self.add(m.add(xl <= rhs), g)

    def _grouped(self, c: Grouped, g: Lit | None) -> None:
        m = self.model
        acts = c.activities
        orders = list(permutations(acts))
        sel = [m.new_bool_var("") for _ in orders]
        v = self.viol_bool(c)
        if v is None:
            self.add(m.add(sum(sel) == 1), g)
        else:
            m.add(sum(sel) + v >= 1)
        hard_like = Constraint(weight=100.0, label=c.label)
        for o, order in zip(sel, orders, strict=True):
            for i in range(len(order) - 1):
                self._consecutive(order[i], order[i + 1], hard_like, None, o)

    def _ordered(self, c: Ordered, g: Lit | None) -> None:
        m, H = self.model, self.H
        a1, a2 = c.first, c.second
        d1 = self.by_id[a1].duration
        if not c.same_day_only:
            t1 = sum(s * lit for s, lit in self.x[a1].items())
            t2 = sum(s * lit for s, lit in self.x[a2].items())
            big = self.D * H
            v = self.viol_bool(c)
            if v is None:
                self.add(m.add(t1 + d1 <= t2), g)
            else:
                m.add(t1 + d1 <= t2 + big * v)
            return
        for s, xl in self.x[a1].items():
            d = s // H
            bad = [lit for s2, lit in self.x[a2].items() if s2 // H == d and s2 < s + d1]
            if bad:
                self.le(xl + sum(bad), 1, c, g)

    def _min_gaps(self, c: MinGapsBetween, g: Lit | None) -> None:
        H, T = self.H, self.D * self.H
        ext: dict[int, list[Lit]] = defaultdict(list)
        for aid in c.activities:
            a = self.by_id[aid]
            for s, lit in self.x[aid].items():
                day_end = (s // H + 1) * H
                for t in range(s, min(day_end, s + a.duration + c.min_gaps)):
                    ext[t].append(lit)
        for t in range(T):
            if len(ext[t]) >= 2:
                self.le(sum(ext[t]), 1, c, g)

    def _ends_day(self, c: EndsStudentsDay, g: Lit | None) -> None:
        m, H = self.model, self.H
        for aid in c.activities:
            a = self.by_id[aid]
            others: set[int] = set()
            for sg in self.subgroups_of[aid]:
                others |= {b.id for b in self.subgroup_acts[sg]}
            others.discard(aid)
            if not others:
                continue
            for s, xl in self.x[aid].items():
                d = s // H
                later = [
                    lit
                    for b in others
                    for s2, lit in self.x[b].items()
                    if s2 // H == d and s2 >= s + a.duration
                ]
                if not later:
                    continue
                v = self.viol_bool(c)
                if v is None:
                    m.add(sum(later) == 0).only_enforce_if([xl] if g is None else [xl, g])
                else:
                    m.add(sum(later) == 0).only_enforce_if([xl, v.negated()])

    def _max_rooms(self, c: OccupyMaxDifferentRooms, g: Lit | None) -> None:
        m = self.model
        rooms: dict[str, list[Lit | int]] = defaultdict(list)
        for aid in c.activities:
            if aid in self.fixed_room:
                rooms[self.fixed_room[aid]].append(1)
            for rn, yl in self.y.get(aid, {}).items():
                if rn is not None:
                    rooms[rn].append(yl)
        used: list[LinExpr] = []
        for lits in rooms.values():
            if any(isinstance(v, int) for v in lits):
                used.append(1)
                continue
            u = m.new_bool_var("")
            for v in lits:
                assert not isinstance(v, int)
                m.add_implication(v, u)
            used.append(u)
        if len(used) > c.max_rooms:
            self.le(sum(used), c.max_rooms, c, g)

    def _same_room(self, c: SameRoomIfConsecutive, g: Lit | None) -> None:
        m = self.model
        for a1, a2 in combinations(c.activities, 2):
            cons = m.new_bool_var("")
            for first, second in ((a1, a2), (a2, a1)):
                for s, xl in self.x[first].items():
                    for t in self._follow_starts(first, s, second, strict=True):
                        m.add(cons >= xl + self.x[second][t] - 1)
            rooms = set(self.room_cands.get(a1, [])) | set(self.room_cands.get(a2, []))
            rooms.discard(None)
            for r in rooms:
                assert r is not None
                l1, l2 = self.room_lit(a1, r), self.room_lit(a2, r)
                self.le(l1 - l2 + cons, 1, c, g)
                self.le(l2 - l1 + cons, 1, c, g)

    # ---- per teacher / subgroup constraints

    def _resource_slots(
        self, kind: str, name: str, tag: str | None = None
    ) -> tuple[tuple[int, ...], frozenset[int]] | None:
        """The activities of a teacher or subgroup (with ``tag`` only, if given) and the slots
        it cannot use (not available, breaks); None when it has no such activities."""
        if kind == "teacher":
            acts = self.teacher_acts.get(name, [])
            na = self.teacher_na.get(name, set())
        else:
            acts = self.subgroup_acts.get(name, [])
            na = self.subgroup_na.get(name, set())
        if tag is not None:
            acts = [a for a in acts if tag in a.tags]
        if not acts:
            return None
        return tuple(sorted(a.id for a in acts)), frozenset(na | self.break_slots)

    def _resource(self, c: ResourceConstraint, g: Lit | None) -> None:
        inst = self.inst
        # Resources with the same activities and free hours get one copy of the constraint;
        # a soft one then costs its weight once per resource, as the verifier (and FET) count.
        copies: dict[tuple[tuple[int, ...], frozenset[int]], int] = {}
        for name in inst.resolve_resources(c):
            key = self._resource_slots(c.resource_kind, name, c.tag)
            if key is not None:
                copies[key] = copies.get(key, 0) + 1
        for (same_ids, same_unavail), n in copies.items():
            self.mult = 1 if c.hard else n
            self._resource_one(c, g, same_ids, same_unavail)
        self.mult = 1

    def _day_hours(self, ids: tuple[int, ...], d: int) -> LinExpr:
        terms = []
        for aid in ids:
            dur = self.by_id[aid].duration
            for lit in self.day_terms(aid, d):
                terms.append(dur * lit)
        return sum(terms)

    def _prefix_or(self, lits: Sequence[Lit | None], reverse: bool = False) -> list[Lit | None]:
        """p[i] = or(lits[j] for j <= i) (j >= i when reverse), as a chain of booleans."""
        m = self.model
        n = len(lits)
        order = range(n - 1, -1, -1) if reverse else range(n)
        out: list[Lit | None] = [None] * n
        prev: Lit | None = None
        for i in order:
            cur = lits[i]
            if prev is None:
                p = cur
            elif cur is None:
                p = prev
            else:
                p = m.new_bool_var("")
                m.add_implication(prev, p)
                m.add_implication(cur, p)
                if EXACT_OR:
                    m.add_bool_or([prev, cur, p.negated()])
            out[i] = p
            prev = p
        return out

    def _resource_one(
        self, c: ResourceConstraint, g: Lit | None, ids: tuple[int, ...], unavail: frozenset[int]
    ) -> None:
        m, H, D = self.model, self.H, self.D
        if isinstance(c, MaxHoursDaily):
            for d in range(D):
                e = self._day_hours(ids, d)
                if not isinstance(e, int):
                    self.le(e, c.max_hours, c, g, vmax=H)
            return
        if isinstance(c, MaxHoursContinuously):
            k = c.max_hours
            for d in range(D):
                for h0 in range(0, H - k):
                    lits = [
                        lit
                        for h in range(h0, h0 + k + 1)
                        for lit in self.cover_terms(ids, d * H + h)
                    ]
                    if len(lits) > k:
                        self.le(sum(lits), k, c, g)
            return
        if isinstance(c, MinHoursDaily | MaxDaysPerWeek | MinDaysPerWeek):
            actives = []
            for d in range(D):
                e = self._day_hours(ids, d)
                if isinstance(e, int):
                    if isinstance(c, MinHoursDaily) and not c.allow_empty_days:
                        self.ge(0, c.min_hours, c, g)
                    continue
                act = m.new_bool_var("")
                if isinstance(c, MinHoursDaily):
                    if c.allow_empty_days:
                        m.add(e <= H * act)
                        self.ge(e - c.min_hours * act, 0, c, g, vmax=H)
                    else:
                        self.ge(e, c.min_hours, c, g, vmax=H)
                elif isinstance(c, MaxDaysPerWeek):
                    for aid in ids:
                        for lit in self.day_terms(aid, d):
                            m.add_implication(lit, act)
                else:
                    m.add(act <= e)
                actives.append(act)
            if isinstance(c, MaxDaysPerWeek) and len(actives) > c.max_days:
                self.le(sum(actives), c.max_days, c, g, vmax=D)
            if isinstance(c, MinDaysPerWeek):
                self.ge(sum(actives), c.min_days, c, g, vmax=D)
            return
        if isinstance(c, IntervalMaxDaysPerWeek):
            actives = []
            for d in range(D):
                lits = [
                    lit
                    for h in range(c.start_hour, min(H, c.end_hour))
                    for lit in self.cover_terms(ids, d * H + h)
                ]
                if not lits:
                    continue
                act = m.new_bool_var("")
                m.add(sum(lits) <= len(lits) * act)
                actives.append(act)
            if len(actives) > c.max_days:
                self.le(sum(actives), c.max_days, c, g, vmax=D)
            return
        if isinstance(
            c, MaxBuildingChangesPerDay | MaxBuildingChangesPerWeek | MinGapsBetweenBuildingChanges
        ):
            self._buildings(c, g, ids)
            return
        # the rest needs busy booleans per hour
        busy = [[self.busy(ids, d * H + h) for h in range(H)] for d in range(D)]
        if isinstance(c, MaxGapsPerWeek | MaxGapsPerDay):
            week_gaps: list[Lit] = []
            for d in range(D):
                avail = [h for h in range(H) if d * H + h not in unavail]
                bl = [busy[d][h] for h in avail]
                if sum(1 for b in bl if b is not None) < 2:
                    continue
                pre = self._prefix_or(bl)
                suf = self._prefix_or(bl, reverse=True)
                day_gaps: list[Lit] = []
                for i in range(1, len(avail) - 1):
                    p, q, b = pre[i - 1], suf[i + 1], bl[i]
                    if p is None or q is None:
                        continue
                    if c.max_gaps == 0:
                        # no gaps at all: p and q imply b
                        self.le(p + q - (b if b is not None else 0), 1, c, g)
                        continue
                    gap = m.new_bool_var("")
                    m.add(gap >= p + q - 1 - (b if b is not None else 0))
                    day_gaps.append(gap)
                if isinstance(c, MaxGapsPerDay) and len(day_gaps) > c.max_gaps:
                    self.le(sum(day_gaps), c.max_gaps, c, g, vmax=H)
                week_gaps.extend(day_gaps)
            if isinstance(c, MaxGapsPerWeek) and len(week_gaps) > c.max_gaps:
                self.le(sum(week_gaps), c.max_gaps, c, g, vmax=D * H)
            return
        if isinstance(c, MaxSpanPerDay):
            k = c.max_span
            if k >= H:
                return
            excs = []
            for d in range(D):
                pre = self._prefix_or(busy[d])
                exc = m.new_bool_var("") if c.allow_one_day_exception else None
                if exc is not None:
                    excs.append(exc)
                for h in range(H - k):
                    p, b = pre[h], busy[d][h + k]
                    if p is None or b is None:
                        continue
                    if exc is not None:
                        self.le(p + b - exc, 1, c, g)
                        if h + k + 1 < H and busy[d][h + k + 1] is not None:
                            self.le(p + busy[d][h + k + 1], 1, c, g)  # type: ignore[operator]
                    else:
                        self.le(p + b, 1, c, g)
            if excs:
                self.le(sum(excs), 1, c, g)
            return
        if isinstance(c, MinRestingHours):
            pairs = [(d, d + 1) for d in range(D - 1)]
            if c.circular and D > 1:
                pairs.append((D - 1, 0))
            for d1, d2 in pairs:
                pre2 = self._prefix_or(busy[d2])
                for h in range(H):
                    b = busy[d1][h]
                    hmax = c.min_hours - (H - 1 - h) - 1
                    if b is None or hmax < 0:
                        continue
                    p = pre2[min(hmax, H - 1)]
                    if p is not None:
                        self.le(b + p, 1, c, g)
            return
        if isinstance(c, EarlyMaxBeginningsAtSecondHour):
            seconds = []
            for d in range(D):
                avail = [h for h in range(H) if d * H + h not in unavail]
                if len(avail) < 2:
                    continue
                b0, b1 = busy[d][avail[0]], busy[d][avail[1]]
                later = [busy[d][h] for h in avail[2:] if busy[d][h] is not None]
                e0: LinExpr = b0 if b0 is not None else 0
                e1: LinExpr = b1 if b1 is not None else 0
                for lb in later:
                    self.le(lb - e0 - e1, 0, c, g)  # type: ignore[operator]
                after = [x for x in [b1, *later] if x is not None]
                if after:
                    sec = m.new_bool_var("")
                    for lb in after:
                        m.add(sec >= lb - e0)
                    seconds.append(sec)
            if len(seconds) > c.max_beginnings:
                self.le(sum(seconds), c.max_beginnings, c, g, vmax=D)
            return
        raise AssertionError(f"solver does not know {c.kind}")  # pragma: no cover

    # ---- symmetry breaking

    def _symmetry(self) -> None:
        """Order interchangeable activities in time (same data and the same constraints)."""
        if self.explain or self.opts.symmetry == "off":
            return
        touched: set[int] = set(self.opts.locked)
        for sol in (self.opts.hint, self.opts.previous):
            if sol is not None:
                touched |= set(sol.placements)
        member: dict[int, list[object]] = defaultdict(list)
        for i, c in enumerate(self.inst.constraints):
            if isinstance(c, PreferredStartingTimes | PreferredTimeSlots):
                continue  # acts on each activity alone: already in its domain and start costs
            acts = _constraint_activities(c)
            if not acts:
                continue
            if len(acts) == 1:
                # unary: its content matters, not its identity
                member[acts[0]].append(_content_key(c))
            else:
                for aid in acts:
                    member[aid].append(("c", i, _position_key(c, aid)))
        classes: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for a in self.acts:
            if a.id in touched or not (a.teachers or self.subgroups_of[a.id]):
                continue  # without a teacher or students two copies may start together
            key = (
                a.duration,
                a.teachers,
                tuple(sorted(a.students)),
                a.subject,
                tuple(sorted(a.tags)),
                a.n_students,
                tuple(sorted(map(repr, member[a.id]))),
                tuple(self.allowed[a.id]),
                tuple(sorted(self.start_cost[a.id].items())),
                tuple(map(str, self.room_cands.get(a.id, []))),
            )
            classes[key].append(a.id)
        m = self.model
        for ids in classes.values():
            if len(ids) < 2:
                continue
            ids.sort()
            for a1, a2 in pairwise(ids):
                # x[a2, s] -> a1 starts before s
                earlier: list[Lit] = []
                for s, lit in sorted(self.x[a2].items()):
                    while len(earlier) < len(self.x[a1]) and sorted(self.x[a1])[len(earlier)] < s:
                        earlier.append(self.x[a1][sorted(self.x[a1])[len(earlier)]])
                    m.add_bool_or([lit.negated(), *earlier])

    # ---- redundant: compact days

    def _compact_days(self) -> None:
        """Where hard constraints demand both no gaps and an early start (at most ``k`` days a
        week at the second hour), a day is one block from the first (or second) available
        hour: busy at an available hour implies busy at the available hour before it. Implied
        by the constraints themselves, but stated directly it propagates far better."""
        if self.explain or self.relax or not COMPACT:
            return
        nogap: dict[tuple[str, str], bool] = {}
        early: dict[tuple[str, str], int] = {}
        for c in self.inst.constraints:
            if not isinstance(c, ResourceConstraint) or not self.strict(c) or c.tag is not None:
                continue
            if isinstance(c, MaxGapsPerWeek | MaxGapsPerDay) and c.max_gaps == 0:
                for r in self.inst.resolve_resources(c):
                    nogap[(c.resource_kind, r)] = True
            elif isinstance(c, EarlyMaxBeginningsAtSecondHour):
                for r in self.inst.resolve_resources(c):
                    key = (c.resource_kind, r)
                    early[key] = min(early.get(key, c.max_beginnings), c.max_beginnings)
        m, H, D = self.model, self.H, self.D
        seen: set[tuple[object, ...]] = set()
        for (kind, name), k in early.items():
            if (kind, name) not in nogap:
                continue
            found = self._resource_slots(kind, name)
            if found is None:
                continue
            ids, unavail = found
            if (ids, unavail, k == 0) in seen:
                continue
            seen.add((ids, unavail, k == 0))
            first = 0 if k == 0 else 1
            lengths: list[LinExpr] = []
            for d in range(D):
                avail = [d * H + h for h in range(H) if d * H + h not in unavail]
                busy = [self.busy(ids, t) for t in avail]
                for i in range(first, len(avail) - 1):
                    later, here = busy[i + 1], busy[i]
                    if later is None:
                        continue
                    if here is None:
                        m.add(later == 0)
                    else:
                        m.add_implication(later, here)
                # the day's length: a free available hour at position i caps it at i
                n = len(avail)
                length = sum(b for b in busy if b is not None)
                if isinstance(length, int):
                    continue
                lengths.append(length)
                for i in range(first, n):
                    b = busy[i]
                    m.add(length <= i + (n - i) * (b if b is not None else 0))
            if lengths:
                total = sum(self.by_id[i].duration for i in ids)
                m.add(sum(lengths) == total)

    # ---- redundant: day patterns

    def _day_patterns(self) -> None:
        """Per teacher or subgroup and day, the busy hours form one of the day shapes its hard
        daily rules allow (gaps, min/max hours, early start), stated as a table constraint.

        The rules hold anyway; the table only propagates far better than the separate
        encodings, because it sees a day whole (like FET, which checks a day's shape at once).
        Weekly sums (gaps per week, second-hour beginnings) are restated over the tables."""
        if self.explain or self.relax or not PATTERNS:
            return
        rules: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)

        def tighten(key: tuple[str, str], name: str, value: int, lower: bool = False) -> None:
            old = rules[key].get(name)
            if old is None:
                rules[key][name] = value
            else:
                rules[key][name] = max(old, value) if lower else min(old, value)

        for c in self.inst.constraints:
            if not isinstance(c, ResourceConstraint) or not self.strict(c) or c.tag is not None:
                continue
            for r in self.inst.resolve_resources(c):
                key = (c.resource_kind, r)
                if isinstance(c, MaxGapsPerDay):
                    tighten(key, "gaps_day", c.max_gaps)
                elif isinstance(c, MaxGapsPerWeek):
                    tighten(key, "gaps_week", c.max_gaps)
                elif isinstance(c, MaxHoursDaily):
                    tighten(key, "max_hours", c.max_hours)
                elif isinstance(c, MinHoursDaily):
                    name = "min_hours" if c.allow_empty_days else "min_hours_every_day"
                    tighten(key, name, c.min_hours, lower=True)
                elif isinstance(c, EarlyMaxBeginningsAtSecondHour):
                    tighten(key, "early", c.max_beginnings)
        m, H, D = self.model, self.H, self.D
        seen: set[tuple[object, ...]] = set()
        for (kind, name), rule in rules.items():
            if not ({"gaps_day", "gaps_week", "early"} & set(rule)):
                continue  # counting rules alone are stated exactly already
            found = self._resource_slots(kind, name)
            if found is None:
                continue
            ids, unavail = found
            shape = (ids, unavail, tuple(sorted(rule.items())))
            if shape in seen:
                continue
            seen.add(shape)
            week_gaps: list[LinExpr] = []
            seconds: list[LinExpr] = []
            for d in range(D):
                avail = [d * H + h for h in range(H) if d * H + h not in unavail]
                busy = [self.busy(ids, t) for t in avail]
                live = [i for i, b in enumerate(busy) if b is not None]
                if not live or len(live) > 14:
                    continue
                table: list[tuple[int, ...]] = []
                for mask in range(1 << len(live)):
                    pos = [live[j] for j in range(len(live)) if mask >> j & 1]
                    cnt = len(pos)
                    gaps = pos[-1] - pos[0] + 1 - cnt if pos else 0
                    first = pos[0] if pos else 0
                    if gaps > rule.get("gaps_day", H) or gaps > rule.get("gaps_week", H):
                        continue
                    if cnt > rule.get("max_hours", H):
                        continue
                    if cnt < rule.get("min_hours_every_day", 0):
                        continue
                    if cnt and cnt < rule.get("min_hours", 0):
                        continue
                    second = int(cnt > 0 and first == 1)
                    if "early" in rule and first > 1:
                        continue
                    if rule.get("early", 1) == 0 and second:
                        continue
                    bits = tuple(mask >> j & 1 for j in range(len(live)))
                    table.append((*bits, gaps, second))
                lits = [busy[i] for i in live]
                gv = m.new_int_var(0, H, "")
                sv = m.new_bool_var("")
                if not table:
                    m.add_bool_or([])  # no allowed shape: the day is impossible
                    continue
                m.add_allowed_assignments([*lits, gv, sv], table)  # type: ignore[list-item]
                week_gaps.append(gv)
                seconds.append(sv)
            if "gaps_week" in rule and week_gaps:
                m.add(sum(week_gaps) <= rule["gaps_week"])
            if "early" in rule and seconds:
                m.add(sum(seconds) <= rule["early"])

    # ---- buildings

    def _building_terms(self, ids: tuple[int, ...], t: int) -> dict[str, list[Lit]]:
        """Per building, literals true iff one of ``ids`` is in that building at slot ``t``."""
        m = self.model
        out: dict[str, list[Lit]] = defaultdict(list)
        for aid in ids:
            cov = self.cover[aid].get(t)
            if not cov:
                continue
            fr = self.fixed_room.get(aid)
            if fr is not None:
                b = self.inst.room_by_name[fr].building
                if b:
                    out[b].extend(cov)
                continue
            yd = self.y.get(aid)
            if yd is None:
                continue
            by_b: dict[str, list[Lit]] = defaultdict(list)
            for rn, yl in yd.items():
                if rn is not None and self.inst.room_by_name[rn].building:
                    by_b[self.inst.room_by_name[rn].building].append(yl)
            for b, yls in by_b.items():
                key = (aid, t, b)
                w = self._in_building.get(key)
                if w is None:
                    # exact product: in building b at t = covers t and a room of b
                    w = m.new_bool_var("")
                    m.add(w <= sum(cov))
                    m.add(w <= sum(yls))
                    m.add(w >= sum(cov) + sum(yls) - 1)
                    self._in_building[key] = w
                out[b].append(w)
        return out

    def _buildings(self, c: ResourceConstraint, g: Lit | None, ids: tuple[int, ...]) -> None:
        m, H, D = self.model, self.H, self.D
        week: list[Lit] = []
        for d in range(D):
            terms = [self._building_terms(ids, d * H + h) for h in range(H)]
            names = sorted({b for tm in terms for b in tm})
            if len(names) < 2:
                continue
            if isinstance(c, MinGapsBetweenBuildingChanges):
                k = c.min_gaps
                for h1 in range(H):
                    for h2 in range(h1 + 1, min(H, h1 + k + 1)):
                        for b1, l1 in terms[h1].items():
                            for b2, l2 in terms[h2].items():
                                if b1 != b2:
                                    self.le(sum(l1) + sum(l2), 1, c, g)
                continue
            # last[b]: the latest lesson with a known building so far was in b (lower bound)
            last: dict[str, Lit | None] = dict.fromkeys(names)
            day: list[Lit] = []
            for h in range(H):
                here = terms[h]
                if not here:
                    continue
                anyh = sum(sum(v) for v in here.values())
                for b, lits in here.items():
                    for b2, prev in last.items():
                        if b2 != b and prev is not None:
                            ch = m.new_bool_var("")
                            m.add(ch >= sum(lits) + prev - 1)
                            day.append(ch)
                new_last: dict[str, Lit | None] = {}
                for b in names:
                    prev = last[b]
                    if b not in here and prev is None:
                        new_last[b] = None
                        continue
                    cur = m.new_bool_var("")
                    if b in here:
                        m.add(cur >= sum(here[b]))
                    if prev is not None:
                        m.add(cur >= prev - anyh)
                    new_last[b] = cur
                last = new_last
            if isinstance(c, MaxBuildingChangesPerDay) and len(day) > c.max_changes:
                self.le(sum(day), c.max_changes, c, g, vmax=H)
            week.extend(day)
        if isinstance(c, MaxBuildingChangesPerWeek) and len(week) > c.max_changes:
            self.le(sum(week), c.max_changes, c, g, vmax=D * H)

    # ---- repair mode and warm start

    def _repair_and_hints(self) -> None:
        H = self.H
        prev = self.opts.previous
        if prev is not None:
            w = max(1, round(self.opts.change_weight * SCALE))
            for aid, p in prev.placements.items():
                xs = self.x.get(aid)
                if xs is None:
                    continue
                lit = xs.get(p.day * H + p.hour)
                self.obj_const += w
                if lit is not None:
                    self.obj.append((lit, -w))
                ys = self.y.get(aid)
                if ys is not None and p.room in ys:
                    self.obj_const += w // 10
                    self.obj.append((ys[p.room], -(w // 10)))
        hint = self.opts.hint or prev
        if hint is not None:
            self.set_hint(hint)

    # ---- solve

    def make_solver(self, time_limit: float, workers: int, first_only: bool) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.max_time_in_seconds = max(0.1, time_limit)
        prm.random_seed = self.opts.seed
        prm.num_workers = workers
        prm.log_search_progress = self.opts.log
        if (first_only or not self.obj) and not (self.relax or self.soft_gaps):
            prm.stop_after_first_solution = True
        return solver

    def run(self, t0: float) -> SolveResult:
        opts = self.opts
        remaining = opts.time_limit - (time.monotonic() - t0)
        solver = self.make_solver(remaining, _workers(opts), not opts.optimize)
        cb = _Callback(self, t0, opts.progress, stop_when_feasible=not opts.optimize)
        status = solver.solve(self.model, cb)
        return self.result(solver, status, cb, t0)

    def result(
        self,
        solver: cp_model.CpSolver,
        status: Any,
        cb: _Callback,
        t0: float,
        found: Solution | None = None,
    ) -> SolveResult:
        seconds = time.monotonic() - t0
        if found is not None and self.soft_gaps:
            # the relaxed model's objective counts violations, not the soft penalty
            return SolveResult(
                status="solved",
                solution=found,
                seconds=seconds,
                first_solution_seconds=cb.first,
                solutions=cb.count,
            )
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            sol = self.decode(solver)
            hv = sum(solver.value(v) * k for v, k in self.hard_viol)
            obj = solver.objective_value + self.obj_const if self.obj else self.obj_const
            bound = solver.best_objective_bound + self.obj_const if self.obj else self.obj_const
            obj -= hv * RELAX_WEIGHT
            return SolveResult(
                status="solved" if hv == 0 else "unsolved",
                solution=sol,
                seconds=seconds,
                first_solution_seconds=cb.first,
                solutions=cb.count,
                soft_penalty=obj / (SCALE * 100),
                best_bound=None if self.relax else max(0.0, bound / (SCALE * 100)),
                optimal=status == cp_model.OPTIMAL and hv == 0,
                message="" if hv == 0 else f"{hv} hard violations left",
            )
        if status == cp_model.INFEASIBLE:
            return SolveResult(
                status="infeasible",
                solution=None,
                seconds=seconds,
                message="the solver proved that no timetable exists",
            )
        return SolveResult(
            status="unsolved",
            solution=None,
            seconds=seconds,
            message="no timetable found within the time limit",
        )

    def set_hint(self, sol: Solution) -> None:
        self.model.clear_hints()
        H = self.H
        for aid, p in sol.placements.items():
            xs = self.x.get(aid)
            if xs is None:
                continue
            s = p.day * H + p.hour
            if s not in xs:
                continue
            for t, lit in xs.items():
                self.model.add_hint(lit, 1 if t == s else 0)
            ys = self.y.get(aid)
            if ys is not None and p.room in ys:
                for r, lit in ys.items():
                    self.model.add_hint(lit, 1 if r == p.room else 0)

    def decode(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> Solution:
        H = self.H
        sol = Solution()
        for a in self.acts:
            start = next(s for s, lit in self.x[a.id].items() if solver.boolean_value(lit))
            room: str | None = self.fixed_room.get(a.id)
            ys = self.y.get(a.id)
            if ys is not None:
                room = next((r for r, lit in ys.items() if solver.boolean_value(lit)), None)
            sol.placements[a.id] = Placement(start // H, start % H, room)
        return sol


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        b: _Builder,
        t0: float,
        progress: Callable[[Progress], None] | None,
        stop_when_feasible: bool = False,
    ) -> None:
        super().__init__()
        self.b = b
        self.t0 = t0
        self.progress = progress
        self.stop_when_feasible = stop_when_feasible
        self.count = 0
        self.first: float | None = None
        self.solution: Solution | None = None
        """The first valid timetable (kept: a relaxed search may report others later)."""

    def on_solution_callback(self) -> None:
        hv = sum(self.value(v) * k for v, k in self.b.hard_viol)
        if hv:
            return  # relaxed mode: hard constraints are still violated
        self.count += 1
        now = time.monotonic() - self.t0
        if self.first is None:
            self.first = now
            self.solution = self.b.decode(self)
        if self.progress is not None:
            has_obj = bool(self.b.obj)
            obj = (self.objective_value + self.b.obj_const) if has_obj else self.b.obj_const
            bound = (self.best_objective_bound + self.b.obj_const) if has_obj else obj
            self.progress(
                Progress(self.count, obj / (SCALE * 100), max(0.0, bound / (SCALE * 100)), now)
            )
        if self.stop_when_feasible:
            self.stop_search()


def _is_teacher_gaps(c: Constraint) -> bool:
    return isinstance(c, MaxGapsPerWeek | MaxGapsPerDay) and c.resource_kind == "teacher"


def _constraint_activities(c: Constraint) -> tuple[int, ...]:
    if isinstance(c, Consecutive | Ordered):
        return (c.first, c.second)
    acts = getattr(c, "activities", None)
    return tuple(acts) if acts is not None else ()


def _position_key(c: Constraint, aid: int) -> object:
    """Role of an activity inside a constraint where order matters."""
    if isinstance(c, Consecutive | Ordered):
        return "first" if aid == c.first else "second"
    if isinstance(c, SameStartingTime | SameStartingDay | SameStartingHour):
        return "anchor" if c.activities[0] == aid else "member"
    return ""


def _content_key(c: Constraint) -> object:
    fields = {k: v for k, v in vars(c).items() if k not in ("activities", "label")}
    return (type(c).__name__, tuple(sorted((k, repr(v)) for k, v in fields.items())))
