"""Building straight-line programs with few additions (common-subexpression elimination).

``greedy_program`` is pairwise elimination (Paar's heuristic): constants other than +-2**k first
become shift-and-add chains (canonical signed digits, one per input and odd constant, counted as
additions); then the signed pair ``u + 2**k * v`` that occurs in the most rows is named and
substituted everywhere, until no pair occurs twice; what is left of each row is summed as a
balanced tree (shallowest operands first). Ties are broken by a deterministic order; ``best_program``
runs several orders and several factorisations of the matrix (stages applied one after the other,
e.g. row-column for Kronecker products) and keeps the fewest additions, then the smallest depth.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from .program import IntegerRows, Operand, Operation, Program, verified_program

Term = tuple[int, int]  # (node, coefficient +-2**k)
PairKey = tuple[int, int, int]  # (base node, other node, ratio +-2**k): base + ratio * other

TIE_BREAK_ORDERS = 8
"""Deterministic tie-break orders: oldest pair first, shallowest first, then seeded shuffles."""
WORK_BUDGET = 40_000
"""Work spent per matrix on candidates and orders: pair work (see ``Stage.pair_work``) plus
``COMPOSE_WORK`` per operation of the stage programs composed; about 0.2 s for SFC-6(6x6,3x3)."""
COMPOSE_WORK = 4
"""Composing (and replicating) a program costs about this much pair work per operation."""
MAX_SEARCH_WORK = 200_000
"""Pair work beyond which a stage is not searched: pairwise elimination grows faster than its pair work
(CRT(8x8,3x3) with moduli x^5-2, x^5-3 has flat 2-D matrices of 1.1 million, 26 s for the programs;
F(14x14,3x3) as SFC-16 took 290 s). Such a stage is summed row by row (``plain_program``); every
algorithm of the catalog stays below it (the largest, SFC-6(4x4,7x7), starts at 63,168)."""


@dataclass(frozen=True)
class Stage:
    """A sparse integer matrix: ``rows[i]`` maps column -> nonzero coefficient; ``columns`` inputs."""

    rows: Sequence[Mapping[int, int]]
    columns: int

    @classmethod
    def dense(cls, rows: IntegerRows, columns: int) -> Stage:
        return cls([{j: c for j, c in enumerate(row) if c} for row in rows], columns)

    @property
    def pair_work(self) -> int:
        """How much work pairwise elimination starts with: the number of term pairs over all rows."""
        return sum(len(row) * (len(row) - 1) // 2 for row in self.rows)

    def after(self, first: AnyStage) -> Stage:
        """The product ``self @ first`` (first applied first)."""
        if isinstance(first, Replicated):
            first = first.stage
        rows = []
        for row in self.rows:
            acc: dict[int, int] = {}
            for k, c in row.items():
                for j, x in first.rows[k].items():
                    acc[j] = acc.get(j, 0) + c * x
            rows.append({j: x for j, x in sorted(acc.items()) if x})
        return Stage(rows, first.columns)


@dataclass(frozen=True)
class Replicated:
    """Copies of one stage side by side, as in a Kronecker product with an identity: ``I_copies (x) factor``
    when ``identity_first`` (copy i reads inputs i * columns + j), else ``factor (x) I_copies`` (copy i
    reads inputs j * copies + i). Its program is the factor's, replicated: found once, not per copy."""

    factor: Stage
    copies: int
    identity_first: bool

    @property
    def pair_work(self) -> int:
        return self.factor.pair_work

    @property
    def columns(self) -> int:
        return self.factor.columns * self.copies

    @cached_property
    def stage(self) -> Stage:
        """The same matrix written out."""
        rows: list[dict[int, int]] = [{} for _ in range(len(self.factor.rows) * self.copies)]
        for i in range(self.copies):
            for t, row in enumerate(self.factor.rows):
                out, place = self._output(t, i), self._input
                rows[out] = {place(j, i): c for j, c in sorted(row.items(), key=lambda jc: place(jc[0], i))}
        return Stage(rows, self.columns)

    def _input(self, j: int, copy: int) -> int:
        return copy * self.factor.columns + j if self.identity_first else j * self.copies + copy

    def _output(self, t: int, copy: int) -> int:
        return copy * len(self.factor.rows) + t if self.identity_first else t * self.copies + copy

    def program(self, factor_program: Program) -> Program:
        """The factor's program applied to every copy."""
        builder = ProgramBuilder(self.columns)
        outputs: list[Operand | None] = [None] * (len(self.factor.rows) * self.copies)
        for i in range(self.copies):
            nodes: list[Operand | None] = [Operand(self._input(j, i)) for j in range(self.factor.columns)]
            for op in factor_program.operations:
                nodes.append(builder.add(_through(nodes, op.first), _through(nodes, op.second)))
            for t, o in enumerate(factor_program.outputs):
                outputs[self._output(t, i)] = None if o is None else _through(nodes, o)
        return builder.program(outputs)


AnyStage = Stage | Replicated


PlainOperand = tuple[int, int, bool]
"""An operand as a plain tuple (node, shift, negative): what the composition loops pass around."""
OperationKey = tuple[int, int, int, int, bool]
"""An operation up to sign and shift: (first node, its shift, second node, its shift, signs differ)."""


class ProgramBuilder:
    """Operations added one at a time, each distinct sum created once (hash-consed up to sign and shift)."""

    def __init__(self, inputs: int) -> None:
        self.inputs = inputs
        self.depths = [0] * inputs
        self._operations: list[OperationKey] = []  # node inputs + j is _operations[j]
        self._known: dict[OperationKey, int] = {}

    def add(self, first: Operand | None, second: Operand | None) -> Operand | None:
        """An operand for ``first + second``; None stands for zero."""
        if first is None or second is None:
            return second if first is None else first
        f, s = first, second
        return Operand(*self.add_terms(f.node, f.shift, f.negative, s.node, s.shift, s.negative))

    def add_terms(self, a: int, sa: int, na: bool, b: int, sb: int, nb: bool) -> PlainOperand:
        """``add`` on plain tuples: (node, shift, negative) for ``+-(a << sa) +- (b << sb)``."""
        if a > b or (a == b and sa > sb):
            a, sa, na, b, sb, nb = b, sb, nb, a, sa, na
        low = sa if sa < sb else sb
        key = (a, sa - low, b, sb - low, na != nb)
        node = self._known.get(key)
        if node is None:
            node = self.inputs + len(self._operations)
            self._operations.append(key)
            depths = self.depths
            depths.append(1 + max(depths[a], depths[b]))
            self._known[key] = node
        return node, low, na

    def program(self, outputs: Sequence[Operand | None]) -> Program:
        """The program with these outputs, operations nothing reads removed and nodes renumbered."""
        inputs, operations = self.inputs, self._operations
        used = [False] * (inputs + len(operations))
        for o in outputs:
            if o is not None:
                used[o.node] = True
        for index in reversed(range(len(operations))):
            if used[inputs + index]:
                a, _, b, _, _ = operations[index]
                used[a] = used[b] = True
        renumber = list(range(inputs))
        kept = []
        for index, (a, sa, b, sb, negative) in enumerate(operations):
            if used[inputs + index]:
                renumber.append(inputs + len(kept))
                kept.append(Operation(Operand(renumber[a], sa), Operand(renumber[b], sb, negative)))
            else:
                renumber.append(-1)
        return Program(inputs, tuple(kept), tuple(None if o is None else _moved(o, renumber) for o in outputs))


def _moved(operand: Operand, renumber: list[int]) -> Operand:
    return Operand(renumber[operand.node], operand.shift, operand.negative)


def _pair_operand(key: PairKey) -> tuple[Operand, Operand]:
    base, other, ratio = key
    return Operand(base), Operand(other, abs(ratio).bit_length() - 1, ratio < 0)


def signed_digits(value: int) -> list[tuple[int, int]]:
    """Canonical signed-digit (non-adjacent) form of a positive integer: (shift, +-1) pairs, low first."""
    digits = []
    shift = 0
    while value:
        if value & 1:
            digit = 2 - (value & 3)  # +1 or -1
            digits.append((shift, digit))
            value -= digit
        value >>= 1
        shift += 1
    return digits


def _odd_part(value: int) -> tuple[int, int]:
    """|value| = odd << shift."""
    magnitude = abs(value)
    shift = (magnitude & -magnitude).bit_length() - 1
    return magnitude >> shift, shift


def _constant_terms(builder: ProgramBuilder, rows: Sequence[Mapping[int, int]]) -> list[dict[int, int]]:
    """Rows as {node: +-2**k}: every odd constant q > 1 times input j becomes one shift-and-add node."""
    multiples: dict[tuple[int, int], Operand] = {}
    out = []
    for row in rows:
        terms: dict[int, int] = {}
        for j, c in sorted(row.items()):
            odd, shift = _odd_part(c)
            multiple = Operand(j)
            if odd > 1:
                if (j, odd) not in multiples:
                    value: Operand | None = None
                    for digit_shift, digit in signed_digits(odd):
                        value = builder.add(value, Operand(j, digit_shift, digit < 0))
                    assert value is not None
                    multiples[(j, odd)] = value
                multiple = multiples[(j, odd)]
            terms[multiple.node] = (-1 if c < 0 else 1) * multiple.coefficient << shift
        out.append(terms)
    return out


def _pair_key(u: Term, v: Term) -> tuple[PairKey, int]:
    """The pair as (base, other, ratio) with |ratio| >= 1, and the coefficient the row keeps."""
    a, ca = u
    b, cb = v
    magnitude_a, magnitude_b = abs(ca), abs(cb)
    if magnitude_a > magnitude_b or (magnitude_a == magnitude_b and a > b):
        return (b, a, ca // cb), cb
    return (a, b, cb // ca), ca


def _ranks(order: int, inputs: int) -> list[int]:
    """Tie-break ranks of the inputs for an order: none (by index) for orders 0 and 1, else a seeded shuffle."""
    if order < 2:
        return []
    ranks = list(range(inputs))
    random.Random(order).shuffle(ranks)
    return ranks


def greedy_program(stage: Stage, order: int = 0) -> Program:
    """Pairwise common-subexpression elimination over the whole matrix (see the module docstring).

    Order 0 breaks ties by the oldest nodes, order 1 by the shallowest pair first, higher orders by
    a seeded shuffle of the inputs."""
    builder = ProgramBuilder(stage.columns)
    row_terms = _constant_terms(builder, stage.rows)
    ranks = _ranks(order, stage.columns)
    shuffled = len(ranks)
    depths = builder.depths

    def priority(key: PairKey, count: int) -> tuple[int, int, int, int, int]:
        a, b, ratio = key
        if order == 1:
            return (-count, max(depths[a], depths[b]), a, b, ratio)
        return (-count, 0, ranks[a] if a < shuffled else a, ranks[b] if b < shuffled else b, ratio)

    where: dict[PairKey, set[int]] = {}
    for index, terms in enumerate(row_terms):
        items = sorted(terms.items(), key=lambda term: (abs(term[1]), term[0]))  # the base of a pair comes first
        for i, (a, ca) in enumerate(items):
            for b, cb in items[i + 1 :]:
                where.setdefault((a, b, cb // ca), set()).add(index)
    heap = [(priority(key, len(rs)), key) for key, rs in where.items() if len(rs) > 1]
    heapq.heapify(heap)
    while heap:
        (negative_count, *_), key = heapq.heappop(heap)
        rows_with = where.get(key)
        if rows_with is None or len(rows_with) != -negative_count:
            continue  # stale entry
        base, other, ratio = key
        created = builder.add(*_pair_operand(key))
        assert created is not None
        touched: set[PairKey] = set()
        for index in sorted(rows_with):
            terms = row_terms[index]
            kept = terms.pop(base)
            del terms[other]
            replacement = (created.node, kept * created.coefficient)
            for w in terms.items():
                for old in (_pair_key((base, kept), w)[0], _pair_key((other, kept * ratio), w)[0]):
                    where[old].discard(index)
                    touched.add(old)
                new = _pair_key(replacement, w)[0]
                where.setdefault(new, set()).add(index)
                touched.add(new)
            terms[created.node] = replacement[1]
        del where[key]
        for changed in touched:
            count = len(where[changed])
            if count > 1:
                heapq.heappush(heap, (priority(changed, count), changed))
            elif not count:
                del where[changed]
    return builder.program([_balanced_sum(builder, terms) for terms in row_terms])


def plain_program(stage: Stage) -> Program:
    """Every row summed on its own: constants as shift-and-add chains, then a balanced sum; no search for
    shared pairs, so the cost is linear in the nonzeros (the fallback beyond ``MAX_SEARCH_WORK``)."""
    builder = ProgramBuilder(stage.columns)
    return builder.program([_balanced_sum(builder, terms) for terms in _constant_terms(builder, stage.rows)])


def _balanced_sum(builder: ProgramBuilder, terms: dict[int, int]) -> Operand | None:
    """The row's remaining terms added two shallowest at a time (least adder depth)."""
    queue = [(builder.depths[node], node, coefficient) for node, coefficient in sorted(terms.items())]
    heapq.heapify(queue)
    if not queue:
        return None
    while len(queue) > 1:
        _, a, ca = heapq.heappop(queue)
        _, b, cb = heapq.heappop(queue)
        key, kept = _pair_key((a, ca), (b, cb))
        node = builder.add(*_pair_operand(key))
        assert node is not None
        heapq.heappush(queue, (builder.depths[node.node], node.node, kept * node.coefficient))
    _, node, coefficient = queue[0]
    return Operand(node, abs(coefficient).bit_length() - 1, coefficient < 0)


def compose(stages: Sequence[Program]) -> Program:
    """The stages applied one after the other (stage k reads the outputs of stage k - 1)."""
    builder = ProgramBuilder(stages[0].inputs)
    current: list[Operand | None] = [Operand(j) for j in range(stages[0].inputs)]
    for stage in stages:
        if stage.inputs != len(current):
            raise ValueError("stage sizes do not chain")
        nodes = list(current)
        for op in stage.operations:
            nodes.append(builder.add(_through(nodes, op.first), _through(nodes, op.second)))
        current = [None if o is None else _through(nodes, o) for o in stage.outputs]
    return builder.program(current)


def _compose_stages(stages: Sequence[AnyStage], programs: Sequence[Program]) -> Program:
    """``compose`` of the stages' programs (a replicated stage's program is its factor's), each copy of a
    replicated factor added straight into the composed program: the same additions in the same order
    as ``compose`` of ``Replicated.program`` (whose copies read distinct inputs, so they share nothing
    and it has exactly ``copies`` times the factor's additions), without building that program first."""
    builder = ProgramBuilder(stages[0].columns)
    current: list[PlainOperand | None] = [(j, 0, False) for j in range(builder.inputs)]
    for stage, program in zip(stages, programs, strict=True):
        factor = stage.factor if isinstance(stage, Replicated) else stage
        if stage.columns != len(current) or program.inputs != factor.columns:
            raise ValueError("stage sizes do not chain")
        operations, outputs = _plain(program)
        if not isinstance(stage, Replicated):
            current = _apply(builder, operations, outputs, current)
            continue
        replicated: list[PlainOperand | None] = [None] * (len(factor.rows) * stage.copies)
        for i in range(stage.copies):
            inputs = [current[stage._input(j, i)] for j in range(factor.columns)]
            for t, o in enumerate(_apply(builder, operations, outputs, inputs)):
                replicated[stage._output(t, i)] = o
        current = replicated
    return builder.program([None if o is None else Operand(*o) for o in current])


PlainOperation = tuple[int, int, bool, int, int, bool]


def _plain(program: Program) -> tuple[list[PlainOperation], list[PlainOperand | None]]:
    """A program's operations and outputs as plain tuples."""
    operations = [
        (op.first.node, op.first.shift, op.first.negative, op.second.node, op.second.shift, op.second.negative)
        for op in program.operations
    ]
    return operations, [None if o is None else (o.node, o.shift, o.negative) for o in program.outputs]


def _apply(
    builder: ProgramBuilder,
    operations: list[PlainOperation],
    outputs: list[PlainOperand | None],
    inputs: list[PlainOperand | None],
) -> list[PlainOperand | None]:
    """A program's operations (plain tuples) added to ``builder``, reading ``inputs``; its outputs there.
    Exactly ``builder.add(_through(nodes, first), _through(nodes, second))`` per operation."""
    nodes = list(inputs)
    append, add = nodes.append, builder.add_terms
    for a, sa, na, b, sb, nb in operations:
        x, y = nodes[a], nodes[b]
        if x is None:
            append(None if y is None else (y[0], y[1] + sb, y[2] != nb))
        elif y is None:
            append((x[0], x[1] + sa, x[2] != na))
        else:
            append(add(x[0], x[1] + sa, x[2] != na, y[0], y[1] + sb, y[2] != nb))
    result: list[PlainOperand | None] = []
    for o in outputs:
        x = None if o is None else nodes[o[0]]
        result.append(None if x is None or o is None else (x[0], x[1] + o[1], x[2] != o[2]))
    return result


def _through(nodes: list[Operand | None], operand: Operand) -> Operand | None:
    inner = nodes[operand.node]
    return None if inner is None else inner.scaled(operand.shift, operand.negative)


def best_program(
    matrix: IntegerRows,
    factorisations: Sequence[Sequence[AnyStage]] = (),
    what: str = "a transform",
    budget: int = WORK_BUDGET,
) -> Program:
    """The fewest additions (then least depth) over the flat matrix and each factorisation; verified.

    A factorisation lists stages in the order they are applied: ``matrix == S_k @ ... @ S_1``. Runs
    (one candidate, one tie-break order) are taken cheapest first, first every candidate in order 0,
    then further orders, while the work spent (pair work of the stages optimised, plus the size of
    the programs composed) fits ``budget``; the cheapest candidate always runs. The budget counts
    work, not time, so the result is the same on every machine. A stage
    shared by candidates (or the factor of replicated stages) is optimised once per order. When even
    the cheapest candidate is beyond the search (``searched``), it alone is built, its stages beyond
    ``MAX_SEARCH_WORK`` summed row by row (``search_note`` says so).
    """
    options = _options(matrix, factorisations)
    if not searched(options):
        stages = options[0]
        fallback = [
            plain_program(_base(s)) if s.pair_work > MAX_SEARCH_WORK else greedy_program(_base(s)) for s in stages
        ]
        return verified_program(_compose_stages(stages, fallback), matrix, what)
    spent = 0
    candidates = []
    runs: dict[tuple[int, int], Program] = {}  # (id of a Stage, order) -> its program
    for order in range(TIE_BREAK_ORDERS):
        for stages in options:
            fresh = {id(_base(s)): _base(s) for s in stages if (id(_base(s)), order) not in runs}
            work = sum(s.pair_work for s in fresh.values())
            if candidates and spent + work > budget:
                continue
            for key, stage in fresh.items():
                runs[(key, order)] = greedy_program(stage, order)
            programs = [runs[(id(_base(s)), order)] for s in stages]
            candidates.append(_compose_stages(stages, programs))
            copies = (s.copies if isinstance(s, Replicated) else 1 for s in stages)
            spent += work + COMPOSE_WORK * sum(c * p.additions for c, p in zip(copies, programs, strict=True))
    best = min(candidates, key=lambda p: (p.additions, p.depth))
    return verified_program(best, matrix, what)


def _base(stage: AnyStage) -> Stage:
    return stage.factor if isinstance(stage, Replicated) else stage


def _options(matrix: IntegerRows, factorisations: Sequence[Sequence[AnyStage]]) -> list[Sequence[AnyStage]]:
    """The flat matrix and the factorisations, cheapest (least pair work) first."""
    return sorted(
        [[Stage.dense(matrix, len(matrix[0]) if matrix else 0)], *factorisations],
        key=lambda stages: sum(s.pair_work for s in stages),
    )


def searched(options: Sequence[Sequence[AnyStage]]) -> bool:
    """Whether ``best_program`` searches: False when even the cheapest option has a stage beyond
    ``MAX_SEARCH_WORK``; then that option is taken alone, its large stages summed row by row and the
    others searched in one order."""
    return all(s.pair_work <= MAX_SEARCH_WORK for s in options[0])


def search_note(what: str, matrix: IntegerRows, factorisations: Sequence[Sequence[AnyStage]] = ()) -> str | None:
    """One line saying that ``best_program`` did not search ``what``, None when it did."""
    options = _options(matrix, factorisations)
    if searched(options):
        return None
    work = max(s.pair_work for s in options[0])
    return (
        f"{what}: rows summed without common-subexpression search (pair work {work:,} is beyond the "
        f"optimiser's {MAX_SEARCH_WORK:,}); more additions than a searched program"
    )
