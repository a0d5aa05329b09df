"""Indicator expressions: parse, validate and evaluate formulas over data element values.

An indicator is a formula over data elements, written DHIS2-style, for example::

    #{HH_FIBER} / #{HH_TOTAL} * 100
    if(#{POP} > 0, round(#{CASES} / #{POP} * 1000, 1), coalesce(#{FALLBACK}, 0))

The language
------------
- Numbers: ``12``, ``0.5``, ``.5``, ``12.``, ``1e3``, ``2.5E-2``.
- References: ``#{CODE}`` where CODE is one or more of ``A-Z a-z 0-9 _`` (case-sensitive, nothing else,
  no spaces; the DHIS2 ``#{DE.COC}`` form is refused).
- Arithmetic ``+ - * /`` with the usual precedence, left associativity, unary ``-`` and ``+``, parentheses.
- Comparisons ``< <= > >= == !=`` give 1 or 0. They cannot be chained (``a < b < c`` is refused).
- Logic ``not``, ``and``, ``or`` (case-insensitive keywords, loosest binding, in that order) give 1 or 0;
  any non-zero value is true.
- Functions (case-insensitive names): ``min(a, ...)``, ``max(a, ...)``, ``if(condition, then, else)``,
  ``coalesce(a, ...)``, ``abs(x)``, ``round(x)``, ``round(x, digits)``.
- Whitespace is free. At most 2000 characters and 100 levels of nesting (operators, parentheses, calls).

Missing values ("no value": ``None`` from :meth:`CompiledExpression.evaluate`, NaN from
:meth:`CompiledExpression.evaluate_columns`)
- A missing input makes the result missing, except in ``coalesce`` (which returns its first argument that has a
  value) and in the branch of ``if`` that is not taken. ``min``/``max``/``and``/``or``/``not`` are strict too
  (``0 and #{MISSING}`` has no value: there is no short-circuit).
- Division by zero and any non-finite intermediate result (overflow) give no value.
- ``if`` with a missing condition gives no value.
- Inputs are converted to float. Anything but a real number (text, even ``"12"``, complex, NaN, infinities, values
  too large for a float) is missing; booleans count as 1 and 0.
- ``round`` rounds half away from zero. Halves are recognised within a few units in the last place, so that
  ``round(2.675, 2)`` is 2.68 although 2.675 is stored as 2.67499999...; ``digits`` must be a whole number from
  -22 to 22, otherwise there is no value.
- Results are plain floats (never -0.0); comparisons are exact float comparisons.

Text is parsed with a lark LALR grammar into a small tree of nodes; nothing is ever passed to Python's
eval/exec/compile. Each node evaluates both one row (floats) and whole columns (numpy, vectorised), and both
paths give the same results.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

__all__ = ["CompiledExpression", "ExpressionError", "Message", "compile_expression", "validate_expression"]

MAX_LENGTH = 2000
MAX_DEPTH = 100

_GRAMMAR = r"""
?start: expr
?expr: or_expr
?or_expr: and_expr (OR and_expr)*
?and_expr: not_expr (AND not_expr)*
?not_expr: NOT not_expr -> not_op
         | comparison
?comparison: sum (COMP_OP sum)?
?sum: product (ADD_OP product)*
?product: unary (MUL_OP unary)*
?unary: ADD_OP unary -> sign
      | atom
?atom: NUMBER
     | REF
     | FUNC _LPAR arguments? _RPAR -> call
     | _LPAR expr _RPAR -> paren
arguments: expr (_COMMA expr)*

REF: /#\{[A-Za-z0-9_]+\}/
NUMBER: /([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?/
FUNC.2: /(min|max|if|coalesce|abs|round)(?![A-Za-z0-9_])/i
AND.2: /and(?![A-Za-z0-9_])/i
OR.2: /or(?![A-Za-z0-9_])/i
NOT.2: /not(?![A-Za-z0-9_])/i
// Never accepted by the grammar: lexed only so that `x` or `__import__(...)` get a clear error.
NAME: /[A-Za-z_][A-Za-z0-9_]*/
COMP_OP: "<=" | ">=" | "==" | "!=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP: "*" | "/"
_LPAR: "("
_RPAR: ")"
_COMMA: ","
%ignore /\s+/
"""


class _KeepNames:
    """Post-lexer that only exists to keep the otherwise unused NAME terminal in the lexer."""

    always_accept = ("NAME",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        return stream


_PARSER = Lark(
    _GRAMMAR,
    parser="lalr",
    lexer="basic",
    propagate_positions=True,
    maybe_placeholders=False,
    postlex=_KeepNames(),
)

# name: (minimum, maximum or None for unlimited) number of arguments
_ARITY: dict[str, tuple[int, int | None]] = {
    "min": (1, None),
    "max": (1, None),
    "if": (3, 3),
    "coalesce": (1, None),
    "abs": (1, 1),
    "round": (1, 2),
}

_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_OPERATORS = {"ADD_OP", "MUL_OP", "COMP_OP", "AND", "OR"}
_CHAR_HINTS = {
    "=": "use '==' to compare",
    "!": "use 'not' or '!='",
    "&": "use 'and'",
    "|": "use 'or'",
    "^": "powers are not supported",
    "%": "use '/' and '*'",
    "'": "text is not allowed",
    '"': "text is not allowed",
    "{": "references are written #{CODE}",
    "}": "references are written #{CODE}",
}


class Message:
    """An English message template with its parameters, translated by whoever shows it.

    The engine knows nothing of Django: ``render(gettext)`` translates the template (an msgid of the
    project's catalogue) and every parameter that is itself a Message; ``str()`` is the English text.
    A list parameter is a list of Messages joined with ", ".
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params

    def render(self, gettext: Callable[[str], str] = str) -> str:
        text = gettext(self.template)
        if not self.params:
            return text
        return text % {key: _render(value, gettext) for key, value in self.params.items()}

    def __str__(self) -> str:
        return self.render()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.template, self.params) == (other.template, other.params)

    def __hash__(self) -> int:
        return hash(self.template)

    def __reduce__(self):
        return (_message, (self.template, self.params))


def _message(template: str, params: dict[str, Any]) -> Message:
    return Message(template, **params)


def _render(value: Any, gettext: Callable[[str], str]) -> Any:
    if isinstance(value, Message):
        return value.render(gettext)
    if isinstance(value, list):
        return ", ".join(str(_render(item, gettext)) for item in value)
    return value


class ExpressionError(ValueError):
    """An invalid expression, with the 0-based character ``position`` of the problem and a short ``reason``.

    ``reason`` is the English text; ``message`` the translatable Message, shown with ``describe(gettext)``.
    """

    def __init__(self, reason: str | Message, position: int) -> None:
        self.message = reason if isinstance(reason, Message) else Message(reason)
        self.reason = str(reason)
        self.position = position
        super().__init__(f"{self.reason} (at position {position + 1})")

    def describe(self, gettext: Callable[[str], str] = str) -> str:
        """The reason and the 1-based position, translated with ``gettext``."""
        return Message("%(reason)s (at position %(position)s)", reason=self.message, position=self.position + 1).render(
            gettext
        )

    def __reduce__(self):
        return (type(self), (self.message, self.position))


# ---------------------------------------------------------------------------------------------------------------
# Numeric helpers shared by the row and column paths (so both give bit-identical results)

Number = float | None
_NAN = float("nan")
# Powers of ten up to 1e22 are exact in binary64; indexing this table avoids differences between pow implementations.
_POW10 = np.array([10.0**k for k in range(23)])
_POW10_LIST = [float(v) for v in _POW10]
# Ties are recognised within a few units in the last place so that decimal halves written as floats
# (2.675 is stored as 2.67499999...) round away from zero as people expect.
_TIE_TOLERANCE = 2.0**-50
_INTEGRAL = 2.0**52  # from here on every float is a whole number


def _to_float(value: Any) -> Number:
    """A finite float for a real number (int, float, Decimal, bool, numpy scalar...), else None. Never raises."""
    if not isinstance(value, numbers.Real | Decimal | np.bool_):
        return None
    try:
        result = float(value)
    except Exception:  # huge ints, signalling NaN Decimals, odd Real subclasses
        return None
    return result if math.isfinite(result) else None


def _finite(value: float) -> Number:
    return value if math.isfinite(value) else None


def _column_to_floats(name: str, column: Any) -> np.ndarray:
    """A float64 copy of ``column`` (already known to have a length) with NaN for missing values."""
    if isinstance(column, str | bytes | Mapping | AbstractSet):
        raise ValueError(f"column {name!r} must be a sequence or a one-dimensional array")
    if hasattr(column, "__array__"):  # numpy arrays and array-likes such as pandas series
        column = np.asarray(column)
        if column.ndim != 1:
            raise ValueError(f"column {name!r} must be one-dimensional")
        if column.dtype.kind in "biuf":
            result = column.astype(np.float64)
            result[~np.isfinite(result)] = np.nan
            return result
    # Element by element with the row conversion, so that Decimals, None and junk are treated exactly alike.
    return np.fromiter((_NAN if (v := _to_float(x)) is None else v for x in column), np.float64, len(column))


def _round_row(x: float, digits: float) -> Number:
    if digits != math.trunc(digits) or abs(digits) > 22:
        return None
    d = int(digits)
    scale = _POW10_LIST[abs(d)]
    y = x * scale if d >= 0 else x / scale
    if not math.isfinite(y) or abs(y) >= _INTEGRAL:
        return x  # already a whole number at this scale
    r = math.copysign(math.floor(abs(y) + 0.5 + abs(y) * _TIE_TOLERANCE), y)
    return _finite(r / scale if d >= 0 else r * scale)


def _round_columns(x: np.ndarray, digits: np.ndarray) -> np.ndarray:
    valid = ~np.isnan(x) & (digits == np.trunc(digits)) & (np.abs(digits) <= 22)
    d = np.where(valid, digits, 0).astype(np.int64)
    scale = _POW10[np.abs(d)]
    y = np.where(d >= 0, x * scale, x / scale)
    ay = np.abs(y)
    r = np.copysign(np.floor(ay + 0.5 + ay * _TIE_TOLERANCE), y)
    rounded = np.where(d >= 0, r / scale, r * scale)
    rounded = np.where(~np.isfinite(y) | (ay >= _INTEGRAL), x, rounded)
    return np.where(valid, rounded, np.nan)


def _mask(result: np.ndarray, *inputs: np.ndarray) -> np.ndarray:
    """NaN where any input is missing or the result is not finite (inputs hold only finite values or NaN)."""
    bad = ~np.isfinite(result)
    for column in inputs:
        bad |= np.isnan(column)
    return np.where(bad, np.nan, result)


def _bool(value: bool) -> float:
    return 1.0 if value else 0.0


# op: (row function on floats, column function on arrays); missing values are handled by the caller.
_BINARY = {
    "+": (lambda a, b: a + b, np.add),
    "-": (lambda a, b: a - b, np.subtract),
    "*": (lambda a, b: a * b, np.multiply),
    "/": (lambda a, b: a / b if b != 0 else _NAN, lambda a, b: np.where(b != 0, a / b, np.nan)),
    "<": (lambda a, b: _bool(a < b), lambda a, b: (a < b).astype(np.float64)),
    "<=": (lambda a, b: _bool(a <= b), lambda a, b: (a <= b).astype(np.float64)),
    ">": (lambda a, b: _bool(a > b), lambda a, b: (a > b).astype(np.float64)),
    ">=": (lambda a, b: _bool(a >= b), lambda a, b: (a >= b).astype(np.float64)),
    "==": (lambda a, b: _bool(a == b), lambda a, b: (a == b).astype(np.float64)),
    "!=": (lambda a, b: _bool(a != b), lambda a, b: (a != b).astype(np.float64)),
}

# name: (row function on a list of floats, column function on a list of arrays) for functions that are strict
# (any missing argument gives no value).
_STRICT_FUNCTIONS = {
    "min": (min, lambda cols: np.minimum.reduce(cols)),
    "max": (max, lambda cols: np.maximum.reduce(cols)),
    "abs": (lambda args: abs(args[0]), lambda cols: np.abs(cols[0])),
    "round": (
        lambda args: _round_row(args[0], args[1] if len(args) > 1 else 0.0),
        lambda cols: _round_columns(cols[0], cols[1] if len(cols) > 1 else np.zeros_like(cols[0])),
    ),
}


# ---------------------------------------------------------------------------------------------------------------
# Expression tree. eval() gets {code: float | None}; eval_columns() gets {code: float64 array with NaN} and the
# row count. Every node returns finite values or None / NaN.


class _Node:
    def eval(self, values: Mapping[str, Number]) -> Number:
        raise NotImplementedError

    def eval_columns(self, columns: Mapping[str, np.ndarray], length: int) -> np.ndarray:
        raise NotImplementedError


class _Constant(_Node):
    def __init__(self, value: float) -> None:
        self.value = value

    def eval(self, values: Mapping[str, Number]) -> Number:
        return self.value

    def eval_columns(self, columns: Mapping[str, np.ndarray], length: int) -> np.ndarray:
        return np.full(length, self.value)


class _Reference(_Node):
    def __init__(self, code: str) -> None:
        self.code = code

    def eval(self, values: Mapping[str, Number]) -> Number:
        return values[self.code]

    def eval_columns(self, columns: Mapping[str, np.ndarray], length: int) -> np.ndarray:
        return columns[self.code]


class _Unary(_Node):
    def __init__(self, op: str, operand: _Node) -> None:
        self.op = op
        self.operand = operand

    def eval(self, values: Mapping[str, Number]) -> Number:
        x = self.operand.eval(values)
        if x is None:
            return None
        if self.op == "not":
            return _bool(x == 0)
        return -x if self.op == "-" else x

    def eval_columns(self, columns: Mapping[str, np.ndarray], length: int) -> np.ndarray:
        x = self.operand.eval_columns(columns, length)
        if self.op == "not":
            return _mask((x == 0).astype(np.float64), x)
        return -x if self.op == "-" else x


class _Binary(_Node):
    """Arithmetic chains (``a - b + c``, evaluated left to right) and single comparisons."""

    def __init__(self, first: _Node, rest: list[tuple[str, _Node]]) -> None:
        self.first = first
        self.rest = rest

    def eval(self, values: Mapping[str, Number]) -> Number:
        result = self.first.eval(values)
        for op, node in self.rest:
            right = node.eval(values)
            if result is None or right is None:
                return None
            result = _finite(_BINARY[op][0](result, right))
        return result

    def eval_columns(self, columns: Mapping[str, np.ndarray], length: int) -> np.ndarray:
        result = self.first.eval_columns(columns, length)
        for op, node in self.rest:
            right = node.eval_columns(columns, length)
            result = _mask(_BINARY[op][1](result, right), result, right)
        return result


class _Logic(_Node):
    """``a and b and ...`` / ``a or b or ...``: 1 or 0, no value if any operand has none."""

    def __init__(self, op: str, operands: list[_Node]) -> None:
        self.op = op
        self.operands = operands

    def eval(self, values: Mapping[str, Number]) -> Number:
        results = [node.eval(values) for node in self.operands]
        if any(v is None for v in results):
            return None
        truths = [v != 0 for v in results]
        return _bool(all(truths) if self.op == "and" else any(truths))

    def eval_columns(self, columns: Mapping[str, np.ndarray], length: int) -> np.ndarray:
        results = [node.eval_columns(columns, length) for node in self.operands]
        combine = np.logical_and if self.op == "and" else np.logical_or
        truth = combine.reduce([v != 0 for v in results])
        return _mask(truth.astype(np.float64), *results)


class _StrictCall(_Node):
    def __init__(self, name: str, args: list[_Node]) -> None:
        self.row_function, self.column_function = _STRICT_FUNCTIONS[name]
        self.args = args

    def eval(self, values: Mapping[str, Number]) -> Number:
        results = [node.eval(values) for node in self.args]
        if any(v is None for v in results):
            return None
        result = self.row_function(results)
        return None if result is None else _finite(result)

    def eval_columns(self, columns: Mapping[str, np.ndarray], length: int) -> np.ndarray:
        results = [node.eval_columns(columns, length) for node in self.args]
        return _mask(self.column_function(results), *results)


class _If(_Node):
    def __init__(self, condition: _Node, then: _Node, otherwise: _Node) -> None:
        self.condition = condition
        self.then = then
        self.otherwise = otherwise

    def eval(self, values: Mapping[str, Number]) -> Number:
        condition = self.condition.eval(values)
        if condition is None:
            return None
        return self.then.eval(values) if condition != 0 else self.otherwise.eval(values)

    def eval_columns(self, columns: Mapping[str, np.ndarray], length: int) -> np.ndarray:
        # Both branches are computed for every row, but a row only ever sees its own branch's value.
        condition = self.condition.eval_columns(columns, length)
        then = self.then.eval_columns(columns, length)
        otherwise = self.otherwise.eval_columns(columns, length)
        return np.where(np.isnan(condition), np.nan, np.where(condition != 0, then, otherwise))


class _Coalesce(_Node):
    def __init__(self, args: list[_Node]) -> None:
        self.args = args

    def eval(self, values: Mapping[str, Number]) -> Number:
        for node in self.args:
            result = node.eval(values)
            if result is not None:
                return result
        return None

    def eval_columns(self, columns: Mapping[str, np.ndarray], length: int) -> np.ndarray:
        result = self.args[0].eval_columns(columns, length)
        for node in self.args[1:]:
            result = np.where(np.isnan(result), node.eval_columns(columns, length), result)
        return result


# ---------------------------------------------------------------------------------------------------------------
# Compiled expressions


class CompiledExpression:
    """A parsed expression: ``references`` lists the data element codes it uses; evaluate one row or columns."""

    __slots__ = ("text", "references", "_root", "_reference_positions")
    text: str
    references: frozenset[str]

    def __init__(self, text: str, root: _Node, reference_positions: tuple[tuple[str, int], ...]) -> None:
        self.text = text
        self.references = frozenset(code for code, _ in reference_positions)
        self._root = root
        self._reference_positions = reference_positions  # (code, position) in text order

    def __repr__(self) -> str:
        return f"CompiledExpression({self.text!r})"

    def evaluate(self, values: Mapping[str, float | int | Decimal | None]) -> float | None:
        """The value for one row of ``values`` (code -> number), or None when there is no value. Never raises."""
        row = {code: _to_float(_lookup(values, code)) for code in self.references}
        result = self._root.eval(row)
        return None if result is None else result + 0.0  # + 0.0 turns -0.0 into 0.0

    def evaluate_columns(self, columns: Mapping[str, Sequence | np.ndarray], length: int | None = None) -> np.ndarray:
        """The values for whole columns (code -> sequence), as a float64 array with NaN for "no value".

        Codes absent from ``columns`` are all missing. ``length`` is required when no referenced column is given
        (for example for a constant expression). Raises ValueError when the columns' lengths disagree.
        """
        given = {code: columns[code] for code in sorted(self.references) if code in columns}
        lengths = {code: _length(code, column) for code, column in given.items()}
        if length is None:
            if not lengths:
                raise ValueError("length is required when no referenced column is given")
            length = next(iter(lengths.values()))
        if length < 0:
            raise ValueError("length must not be negative")
        for code, n in lengths.items():
            if n != length:
                raise ValueError(f"column {code!r} has {n} values, expected {length}")
        arrays = {code: _column_to_floats(code, column) for code, column in given.items()}
        for code in self.references - arrays.keys():
            arrays[code] = np.full(length, np.nan)
        with np.errstate(all="ignore"):
            return self._root.eval_columns(arrays, length) + 0.0  # a new array, without -0.0


def _lookup(values: Mapping[str, Any], code: str) -> Any:
    try:
        return values.get(code)
    except Exception:  # evaluate never raises, whatever mapping it is given
        return None


def _length(code: str, column: Any) -> int:
    try:
        return len(column)
    except TypeError:
        raise ValueError(f"column {code!r} must be a sequence or a one-dimensional array") from None


def compile_expression(text: str) -> CompiledExpression:
    """Parse ``text`` into a :class:`CompiledExpression` (cached by text). Raises :class:`ExpressionError`."""
    if not isinstance(text, str):
        raise TypeError(f"expression must be a str, not {type(text).__name__}")
    return _compile(text)


def validate_expression(text: str, known_codes: set[str] | frozenset[str] | None = None) -> CompiledExpression:
    """Compile ``text`` and, when ``known_codes`` is given, refuse references to other codes."""
    compiled = compile_expression(text)
    if known_codes is not None:
        unknown = [(code, pos) for code, pos in compiled._reference_positions if code not in known_codes]
        if unknown:
            codes = list(dict.fromkeys(code for code, _ in unknown))
            listed = ", ".join(f"'{code}'" for code in codes)
            template = (
                "unknown data element code %(codes)s" if len(codes) == 1 else "unknown data element codes %(codes)s"
            )
            raise ExpressionError(Message(template, codes=listed), unknown[0][1])
    return compiled


@lru_cache(maxsize=2048)
def _compile(text: str) -> CompiledExpression:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            Message(
                "expression is too long (%(length)s characters, at most %(maximum)s)",
                length=len(text),
                maximum=MAX_LENGTH,
            ),
            MAX_LENGTH,
        )
    if not text.strip():
        raise ExpressionError("expression is empty", 0)
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    _check_depth(tree)
    references: list[tuple[str, int]] = []
    root = _build(tree, references)
    references.sort(key=lambda item: item[1])
    return CompiledExpression(text, root, tuple(references))


def _check_depth(tree: Tree | Token) -> None:
    """Refuse trees nested deeper than MAX_DEPTH, iteratively, before anything recurses over them."""
    stack: list[tuple[Tree | Token, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Tree):
            continue
        if node.data != "arguments":  # a call and its argument list are one level
            depth += 1
        if depth > MAX_DEPTH:
            raise ExpressionError(
                Message("expression is nested too deeply (more than %(depth)s levels)", depth=MAX_DEPTH),
                node.meta.start_pos,
            )
        stack.extend((child, depth) for child in reversed(node.children))


def _build(node: Tree | Token, references: list[tuple[str, int]]) -> _Node:
    """Turn a parse tree (depth already checked) into evaluation nodes, collecting (code, position) references."""
    if isinstance(node, Token):
        if node.type == "REF":
            references.append((node.value[2:-1], node.start_pos))
            return _Reference(node.value[2:-1])
        value = float(node.value)  # NUMBER
        if not math.isfinite(value):
            raise ExpressionError(Message("number %(number)s is too large", number=node.value), node.start_pos)
        return _Constant(value)
    kind, children = node.data, node.children
    if kind == "paren":
        return _build(children[0], references)
    if kind == "sign":
        return _Unary(children[0].value, _build(children[1], references))
    if kind == "not_op":
        return _Unary("not", _build(children[1], references))
    if kind in ("sum", "product", "comparison"):
        first = _build(children[0], references)
        rest = [(children[i].value, _build(children[i + 1], references)) for i in range(1, len(children), 2)]
        return _Binary(first, rest)
    if kind in ("and_expr", "or_expr"):
        return _Logic(kind[:-5], [_build(child, references) for child in children[::2]])
    if kind == "call":
        name_token = children[0]
        name = name_token.value.lower()
        args = [_build(child, references) for child in (children[1].children if len(children) > 1 else [])]
        _check_arity(name, len(args), name_token.start_pos)
        if name == "if":
            return _If(*args)
        if name == "coalesce":
            return _Coalesce(args)
        return _StrictCall(name, args)
    raise AssertionError(f"unexpected parse tree node {kind!r}")  # pragma: no cover - grammar and builder disagree


def _check_arity(name: str, count: int, position: int) -> None:
    low, high = _ARITY[name]
    if low <= count and (high is None or count <= high):
        return
    if low == high:
        expected = Message("exactly 1 argument" if low == 1 else "exactly %(count)s arguments", count=low)
    elif high is None:
        expected = Message("at least 1 argument" if low == 1 else "at least %(count)s arguments", count=low)
    else:
        expected = Message("%(low)s or %(high)s arguments", low=low, high=high)
    raise ExpressionError(
        Message("%(name)s() takes %(expected)s, got %(count)s", name=name, expected=expected, count=count), position
    )


# ---------------------------------------------------------------------------------------------------------------
# Syntax error messages


def _describe_char(char: str) -> str:
    if not char.isprintable():
        return f"U+{ord(char):04X}"
    return f'"{char}"' if char == "'" else f"'{char}'"


def _syntax_error(text: str, exc: UnexpectedInput) -> ExpressionError:
    if isinstance(exc, UnexpectedCharacters):
        return _character_error(text, exc.pos_in_stream)
    if isinstance(exc, UnexpectedToken):
        return _token_error(text, exc.token, set(exc.expected))
    position = getattr(exc, "pos_in_stream", None) or 0  # pragma: no cover - LALR raises only the two above
    return ExpressionError(Message("invalid expression"), position)  # pragma: no cover


def _character_error(text: str, position: int) -> ExpressionError:
    char = text[position]
    if char == "#":
        return _reference_error(text, position)
    if char in _CHAR_HINTS:
        reason = Message(
            "unexpected character %(char)s (%(hint)s)", char=_describe_char(char), hint=Message(_CHAR_HINTS[char])
        )
    else:
        reason = Message("unexpected character %(char)s", char=_describe_char(char))
    return ExpressionError(reason, position)


def _reference_error(text: str, position: int) -> ExpressionError:
    """Explain why the text at ``position`` ('#') is not a valid ``#{CODE}`` reference."""
    if not text.startswith("#{", position):
        return ExpressionError(Message("'#' must start a reference written #{CODE}"), position)
    close = text.find("}", position + 2)
    if close == -1:
        return ExpressionError(Message("reference is not closed: missing '}'"), position)
    if close == position + 2:
        return ExpressionError(Message("empty reference '#{}': a data element code is missing"), position)
    for offset in range(position + 2, close):
        if text[offset] not in _CODE_CHARS:
            return ExpressionError(
                Message(
                    "invalid character %(char)s in reference (codes may contain only letters, digits and '_')",
                    char=_describe_char(text[offset]),
                ),
                offset,
            )
    raise AssertionError("the lexer refused a valid reference")  # pragma: no cover


def _token_error(text: str, token: Token, expected: set[str]) -> ExpressionError:
    position = token.start_pos or 0
    if token.type == "NAME":
        after = text[token.end_pos :].lstrip()
        if after.startswith("("):
            return ExpressionError(Message("unknown function '%(name)s'", name=token.value), position)
        return ExpressionError(
            Message("unknown name '%(name)s' (data element references are written #{CODE})", name=token.value),
            position,
        )
    if token.type == "$END":
        if "_RPAR" in expected and "NUMBER" not in expected:
            return ExpressionError(Message("'(' is never closed"), _unclosed_parenthesis(text))
        last = text[position:].rstrip()  # lark places the end at the last token
        return ExpressionError(Message("expression is incomplete after '%(last)s'", last=last), position)
    if token.type == "_RPAR" and _open_parentheses(text, position) == 0:
        return ExpressionError(Message("unmatched ')'"), position)
    if token.type == "COMP_OP" and "NUMBER" not in expected and "COMP_OP" not in expected:
        return ExpressionError(Message("comparisons cannot be chained; combine them with 'and'"), position)
    # LALR states are shared: ',' and ')' only make sense inside '(', and the end only outside.
    expected -= {"$END"} if _open_parentheses(text, position) else {"_COMMA", "_RPAR"}
    return ExpressionError(
        Message(
            "unexpected %(found)s, expected %(expected)s",
            found=_describe_token(token),
            expected=_describe_expected(expected),
        ),
        position,
    )


def _describe_token(token: Token) -> Message | str:
    if token.type == "NUMBER":
        return Message("number '%(value)s'", value=token.value)
    if token.type == "REF":
        return Message("reference '%(value)s'", value=token.value)
    return f"'{token.value}'"


def _describe_expected(expected: set[str]) -> Message | str:
    parts: list[Message | str] = []
    if "NUMBER" in expected:
        parts.append(Message("a number, a #{CODE} reference, a function or '('"))
    elif "_LPAR" in expected:
        parts.append("'('")
    if expected & _OPERATORS and "NUMBER" not in expected:  # where a value is expected '+'/'-' are signs
        parts.append(Message("an operator"))
    if "_COMMA" in expected:
        parts.append("','")
    if "_RPAR" in expected:
        parts.append("')'")
    if "$END" in expected:
        parts.append(Message("the end of the expression"))
    if not parts:  # pragma: no cover - every parser state expects one of the above
        return Message("something else")
    return parts[0] if len(parts) == 1 else Message("%(first)s or %(last)s", first=parts[:-1], last=parts[-1])


def _open_parentheses(text: str, end: int) -> int:
    """How many '(' are open before ``end`` (the text up to there lexed, so parentheses are real ones)."""
    depth = 0
    for char in text[:end]:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
    return depth


def _unclosed_parenthesis(text: str) -> int:
    opened: list[int] = []
    for position, char in enumerate(text):
        if char == "(":
            opened.append(position)
        elif char == ")" and opened:
            opened.pop()
    return opened[-1] if opened else len(text) - 1


_REFERENCE = re.compile(r"#\{([A-Za-z0-9_]+)\}")


def expression_references(text: str) -> set[str]:
    """The codes an expression refers to (read from the text; the expression need not be valid)."""
    return set(_REFERENCE.findall(text or ""))


def expression_in_words(text: str, names: Mapping[str, str]) -> str:
    """An expression for people who do not read codes: each #{CODE} as [its name] (the code when no
    name is known), * and / as × and ÷."""
    spelled = _REFERENCE.sub(lambda match: f"[{names.get(match.group(1), match.group(1))}]", text or "")
    return spelled.replace("*", "×").replace("/", "÷")
