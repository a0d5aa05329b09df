"""Tests of the indicator expression engine (no Django, no database)."""

import math
import pickle
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giamsat.catalog.engine.expressions import (
    MAX_DEPTH,
    MAX_LENGTH,
    CompiledExpression,
    ExpressionError,
    compile_expression,
    validate_expression,
)
from giamsat.testing.properties import examples

VALUES = {"A": 6, "B": 3, "C": Decimal("2.5"), "Z": 0, "NEG": -4, "N": None, "F": 0.5}
VALUES_COLUMNS = {code: [value] for code, value in VALUES.items()}


def evaluate(text: str, values=VALUES):
    return compile_expression(text).evaluate(values)


def assert_same_value(expected, actual):
    if expected is None:
        assert actual is None
    else:
        assert actual is not None
        assert actual == pytest.approx(expected, rel=1e-12, abs=1e-12)


def assert_columns_match_rows(compiled: CompiledExpression, rows: list[dict], columns: dict) -> None:
    result = compiled.evaluate_columns(columns, len(rows))
    assert result.dtype == np.float64
    assert result.shape == (len(rows),)
    for row, got in zip(rows, result, strict=True):
        expected = compiled.evaluate(row)
        if expected is None:
            assert math.isnan(got), (compiled.text, row, got)
        else:
            assert got == expected, (compiled.text, row, got, expected)


# ---------------------------------------------------------------------------------------------------------------
# Evaluation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # numbers
        ("12", 12),
        ("0.5", 0.5),
        (".5", 0.5),
        ("12.", 12),
        ("1e3", 1000),
        ("2.5E-2", 0.025),
        # operators, precedence and associativity
        ("1 + 2", 3),
        ("5 - 7", -2),
        ("4 * 2.5", 10),
        ("7 / 2", 3.5),
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("10 - (4 - 3)", 9),
        ("64 / 4 / 2", 8),
        ("64 / (4 / 2)", 32),
        ("2 * 3 / 4 * 5", 7.5),
        ("1 + 2 * 3 - 4 / 2", 5),
        ("((((7))))", 7),
        # unary minus and plus
        ("-3", -3),
        ("+3", 3),
        ("--3", 3),
        ("- -3", 3),
        ("-3 * -2", 6),
        ("-(1 + 2)", -3),
        ("2 - -1", 3),
        ("-2 * 3 + 1", -5),
        # references
        ("#{A} + #{B}", 9),
        ("#{A} / #{B} * 100", 200),
        ("#{C} * 2", 5),
        ("#{NEG} * #{F}", -2),
        ("#{A}/#{B}", 2),
        # comparisons
        ("1 < 2", 1),
        ("2 < 2", 0),
        ("2 <= 2", 1),
        ("3 <= 2", 0),
        ("3 > 2", 1),
        ("2 > 3", 0),
        ("2 >= 2", 1),
        ("1 >= 2", 0),
        ("2 == 2.0", 1),
        ("2 == 3", 0),
        ("2 != 3", 1),
        ("2 != 2", 0),
        ("1 + 1 == 2", 1),
        ("-1 < 0", 1),
        ("#{A} > #{B}", 1),
        # logic (case-insensitive keywords, any non-zero value is true)
        ("1 and 1", 1),
        ("1 and 0", 0),
        ("2 and -3", 1),
        ("0 or 0", 0),
        ("0 or 5", 1),
        ("not 0", 1),
        ("not 7", 0),
        ("not not 7", 1),
        ("1 AND 0 Or 1", 1),
        ("NOT 1 < 2", 0),
        ("not (1 < 2)", 0),
        ("1 or 1 and 0", 1),
        ("(1 or 1) and 0", 0),
        ("1 < 2 and 3 < 4", 1),
        ("1 < 2 and 3 > 4", 0),
        ("1 and 1 and 1 and 0", 0),
        ("0 or 0 or 0 or 1", 1),
        ("not(0)", 1),
        # functions (case-insensitive)
        ("min(3, 1, 2)", 1),
        ("min(4)", 4),
        ("MAX(3, 1, 2)", 3),
        ("max(-1, -2)", -1),
        ("abs(-2.5)", 2.5),
        ("Abs(2.5)", 2.5),
        ("if(1, 10, 20)", 10),
        ("if(0, 10, 20)", 20),
        ("if(-0.5, 10, 20)", 10),
        ("IF(#{A} > #{B}, #{A}, #{B})", 6),
        ("coalesce(1, 2)", 1),
        ("coalesce(#{N}, #{A})", 6),
        ("coalesce(#{N}, #{MISSING_CODE}, 3)", 3),
        ("coalesce(#{Z}, 3)", 0),
        ("min(#{A}, max(#{B}, 4)) + abs(#{NEG})", 8),
        ("if(#{B} > 0, round(#{A} / #{B} * 100, 1), 0)", 200),
        # round: half away from zero, not banker's rounding
        ("round(2.5)", 3),
        ("round(3.5)", 4),
        ("round(-2.5)", -3),
        ("round(0.5)", 1),
        ("round(-0.5)", -1),
        ("round(1.5)", 2),
        ("round(2.4)", 2),
        ("round(-2.6)", -3),
        ("round(2.45, 1)", 2.5),
        ("round(2.675, 2)", 2.68),
        ("round(1.005, 2)", 1.01),
        ("round(-1.005, 2)", -1.01),
        ("round(0.125, 2)", 0.13),
        ("round(1234.5678, 2)", 1234.57),
        ("round(1250, -2)", 1300),
        ("round(-1250, -2)", -1300),
        ("round(1249, -2)", 1200),
        ("round(7, 0)", 7),
        ("round(2.5, 2.0)", 2.5),
        ("round(1e300, 2)", 1e300),
        ("round(1.23456789, 22)", 1.23456789),
        ("round(-0.4)", 0),
    ],
)
def test_evaluate(text, expected):
    result = evaluate(text)
    assert isinstance(result, float)
    assert result == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("text", ["-0", "-#{Z}", "round(-0.4)", "0 * -1", "min(-0, 0)", "#{NEG} * 0"])
def test_zero_results_are_never_negative(text):
    assert math.copysign(1.0, evaluate(text)) == 1.0
    assert math.copysign(1.0, compile_expression(text).evaluate_columns(VALUES_COLUMNS, length=1)[0]) == 1.0


@pytest.mark.parametrize(
    "text",
    [
        # a missing input gives no value ...
        "#{N}",
        "#{UNKNOWN}",
        "#{N} + 1",
        "1 - #{N}",
        "#{N} * 0",
        "0 / #{N}",
        "-#{N}",
        "#{N} < 1",
        "#{N} == #{N}",
        "#{N} and 0",
        "0 and #{N}",
        "1 or #{N}",
        "not #{N}",
        "min(1, #{N})",
        "max(#{N}, 1)",
        "abs(#{N})",
        "round(#{N})",
        "round(1.5, #{N})",
        "coalesce(#{N}, #{UNKNOWN})",
        "if(#{N}, 1, 2)",
        "if(1, #{N}, 2)",
        "if(0, 1, #{N})",
        # ... as do division by zero and non-finite results
        "1 / 0",
        "0 / 0",
        "#{A} / #{Z}",
        "#{A} / (#{B} - 3)",
        "1 / 0 * 0",
        "1e308 * 10",
        "1e308 + 1e308",
        "-1e308 - 1e308",
        "1e308 * 10 / 1e308",
        "abs(-1e308 * 10)",
        "min(1, 1e308 * 10)",
        "coalesce(1 / 0)",
        # round's digits must be a whole number from -22 to 22
        "round(2.5, 0.5)",
        "round(2.5, 23)",
        "round(2.5, -23)",
    ],
)
def test_evaluate_missing(text):
    assert evaluate(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the branch that is not taken may be missing or divide by zero
        ("if(1, 5, #{N})", 5),
        ("if(0, #{N}, 5)", 5),
        ("if(#{Z}, 1 / #{Z}, 7)", 7),
        ("if(#{Z} != 0, #{A} / #{Z}, 0)", 0),
        ("if(#{B}, #{A} / #{B}, 1 / 0)", 2),
        # coalesce skips missing arguments, including failed divisions, and ignores what follows
        ("coalesce(#{N}, 1 / 0, #{B})", 3),
        ("coalesce(#{A}, #{N})", 6),
        ("coalesce(#{A}, 1 / 0)", 6),
        ("coalesce(#{A} / #{Z}, -1)", -1),
        ("coalesce(#{N}, #{N}, #{N}, 0) + 1", 1),
    ],
)
def test_if_and_coalesce_are_lazy(text, expected):
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4, 8.0),
        (4.5, 9.0),
        (Decimal("4.25"), 8.5),
        (np.int64(4), 8.0),
        (np.float32(0.5), 1.0),
        (True, 2.0),
        (None, None),
        ("4", None),  # text is not a number, even when it looks like one
        (b"4", None),
        ([4], None),
        (object(), None),
        (complex(4, 0), None),
        (float("nan"), None),
        (float("inf"), None),
        (float("-inf"), None),
        (Decimal("NaN"), None),
        (Decimal("sNaN"), None),
        (Decimal("Infinity"), None),
        (Decimal("1e999"), None),
        (10**400, None),
    ],
)
def test_input_values(value, expected):
    assert compile_expression("#{X} * 2").evaluate({"X": value}) == expected


class ExplodingMapping(dict):
    def get(self, key, default=None):
        raise RuntimeError("boom")


@pytest.mark.parametrize("values", [{}, ExplodingMapping(A=1), None, [], "A"])
def test_evaluate_never_raises_on_odd_mappings(values):
    assert compile_expression("coalesce(#{A}, 1)").evaluate(values) == 1


@pytest.mark.parametrize(
    ("text", "references"),
    [
        ("1 + 2", set()),
        ("#{A}", {"A"}),
        ("#{A} + #{b_2} * #{A}", {"A", "b_2"}),
        ("if(#{X}, coalesce(#{Y}, 0), min(#{Z}, 1))", {"X", "Y", "Z"}),
        ("#{hh} + #{HH}", {"hh", "HH"}),  # codes are case-sensitive
        ("#{0123}", {"0123"}),
    ],
)
def test_references(text, references):
    compiled = compile_expression(text)
    assert compiled.references == frozenset(references)
    assert isinstance(compiled.references, frozenset)
    assert compiled.text == text


def test_compile_is_cached():
    assert compile_expression("#{A} + 1") is compile_expression("#{A} + 1")


@pytest.mark.parametrize(
    "text",
    [
        " \t#{A}\n+\r\n  #{B} ",
        "#{A}+#{B}",
        "min( #{A} ,#{B} )",
    ],
)
def test_whitespace_anywhere(text):
    assert evaluate(text) in (9, 3)


# ---------------------------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("text", "position", "reason"),
    [
        # empty and too long
        ("", 0, "empty"),
        ("   \t\n ", 0, "empty"),
        ("1" * (MAX_LENGTH + 1), MAX_LENGTH, "too long"),
        ("1 + " * 600 + "1", MAX_LENGTH, "too long"),
        # too deep
        ("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), MAX_DEPTH, "nested too deeply"),
        ("-" * 500 + "1", MAX_DEPTH, "nested too deeply"),
        ("not " * 300 + "1", 4 * MAX_DEPTH, "nested too deeply"),
        ("abs(" * 300 + "1" + ")" * 300, 4 * MAX_DEPTH, "nested too deeply"),
        ("(" * 1000, 999, "incomplete after '('"),
        ("(" * 1000 + "1", 999, "'(' is never closed"),
        # parentheses
        ("(1 + 2", 0, "'(' is never closed"),
        ("((1 + 2) * 3", 0, "'(' is never closed"),
        ("(1 + (2 * 3)", 0, "'(' is never closed"),
        ("min(1, 2", 3, "'(' is never closed"),
        ("1 + 2)", 5, "unmatched ')'"),
        ("(1))", 3, "unmatched ')'"),
        (")", 0, "unmatched ')'"),
        ("()", 1, "unexpected ')'"),
        # unknown functions and names, Python injection attempts
        ("sum(1, 2)", 0, "unknown function 'sum'"),
        ("1 + minimum(1)", 4, "unknown function 'minimum'"),
        ("avg (1)", 0, "unknown function 'avg'"),
        ("__import__('os')", 0, "unknown function '__import__'"),
        ("__import__('os').system('rm -rf /')", 0, "unknown function '__import__'"),
        ("eval('1')", 0, "unknown function 'eval'"),
        ("os.system('ls')", 0, "unknown name 'os'"),
        ("x + 1", 0, "unknown name 'x'"),
        ("#{A} + HH_TOTAL", 7, "unknown name 'HH_TOTAL'"),
        ("lambda: 1", 0, "unknown name 'lambda'"),
        ("1 if 1 else 2", 2, "unexpected 'if'"),
        ("().__class__", 1, "unexpected ')'"),
        ("[1]", 0, "unexpected character '['"),
        ("'1'", 0, 'unexpected character "\'"'),
        ('"1"', 0, "unexpected character '\"'"),
        ("1 ** 2", 3, "unexpected '*'"),
        # argument counts (at the function name)
        ("min()", 0, "min() takes at least 1 argument, got 0"),
        ("MAX()", 0, "max() takes at least 1 argument, got 0"),
        ("coalesce()", 0, "coalesce() takes at least 1 argument, got 0"),
        ("1 + if(1, 2)", 4, "if() takes exactly 3 arguments, got 2"),
        ("if(1, 2, 3, 4)", 0, "if() takes exactly 3 arguments, got 4"),
        ("abs()", 0, "abs() takes exactly 1 argument, got 0"),
        ("abs(1, 2)", 0, "abs() takes exactly 1 argument, got 2"),
        ("round()", 0, "round() takes 1 or 2 arguments, got 0"),
        ("2 * round(1, 2, 3)", 4, "round() takes 1 or 2 arguments, got 3"),
        ("min(1,)", 6, "unexpected ')'"),
        ("min(,1)", 4, "unexpected ','"),
        ("min 1", 4, "expected '('"),
        ("abs", 0, "incomplete after 'abs'"),
        # bad references
        ("#{}", 0, "empty reference"),
        ("1 + #{}", 4, "empty reference"),
        ("#{A-B}", 3, "invalid character '-' in reference"),
        ("#{A.B}", 3, "invalid character '.' in reference"),
        ("#{ A}", 2, "invalid character ' ' in reference"),
        ("#{HÀ}", 3, "invalid character 'À' in reference"),
        ("#{A", 0, "missing '}'"),
        ("#{A} + #{B", 7, "missing '}'"),
        ("#A", 0, "'#' must start a reference"),
        ("#", 0, "'#' must start a reference"),
        ("{A}", 0, "unexpected character '{'"),
        ("#{A}#{B}", 4, "unexpected reference '#{B}'"),
        # stray characters
        ("$", 0, "unexpected character '$'"),
        ("1 + $A", 4, "unexpected character '$'"),
        ("1;2", 1, "unexpected character ';'"),
        ("1 = 2", 2, "use '=='"),
        ("1 & 2", 2, "use 'and'"),
        ("2 ^ 3", 2, "powers are not supported"),
        ("1 % 2", 2, "unexpected character '%'"),
        ("1\x00", 1, "unexpected character U+0000"),
        # operators in the wrong place
        ("1 +", 2, "incomplete after '+'"),
        ("1 + 2 *  ", 6, "incomplete after '*'"),
        ("#{A} /", 5, "incomplete after '/'"),
        ("1 <", 2, "incomplete after '<'"),
        ("1 and", 2, "incomplete after 'and'"),
        ("not", 0, "incomplete after 'not'"),
        ("* 2", 0, "unexpected '*'"),
        ("1 + * 2", 4, "unexpected '*'"),
        ("and 1", 0, "unexpected 'and'"),
        ("1 not 2", 2, "unexpected 'not'"),
        ("1 + not 2", 4, "unexpected 'not'"),
        ("1 2", 2, "unexpected number '2'"),
        ("1.2.3", 3, "unexpected number '.3'"),
        ("1 < 2 < 3", 6, "comparisons cannot be chained"),
        ("1 == 2 != 3", 7, "comparisons cannot be chained"),
        # numbers
        ("1e999", 0, "too large"),
        ("1 + 1e400", 4, "too large"),
    ],
)
def test_errors(text, position, reason):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    error = info.value
    assert error.position == position, error
    assert reason in error.reason
    assert str(error) == f"{error.reason} (at position {position + 1})"
    assert isinstance(error, ValueError)


def test_error_names_expected_tokens():
    with pytest.raises(ExpressionError) as info:
        compile_expression("1 2")
    assert info.value.reason == "unexpected number '2', expected an operator or the end of the expression"
    with pytest.raises(ExpressionError) as info:
        compile_expression("min(1 2)")
    assert info.value.reason == "unexpected number '2', expected an operator, ',' or ')'"


def test_error_pickles():
    error = pickle.loads(pickle.dumps(ExpressionError("bad", 3)))
    assert (error.reason, error.position, str(error)) == ("bad", 3, "bad (at position 4)")


def test_non_string_is_a_type_error():
    with pytest.raises(TypeError):
        compile_expression(None)


@pytest.mark.parametrize(
    "text",
    [
        "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH,
        "-" * MAX_DEPTH + "1",
        " + ".join(["#{A}"] * 250),  # long but flat: chains do not nest
        " and ".join(["1"] * 300),
        "min(" + ", ".join(["1"] * 600) + ")",
    ],
)
def test_limits_accept_long_flat_and_moderately_deep_expressions(text):
    assert len(text) <= MAX_LENGTH
    assert compile_expression(text).evaluate(VALUES) is not None


# ---------------------------------------------------------------------------------------------------------------
# validate_expression


@pytest.mark.parametrize(
    ("text", "known", "position", "reason"),
    [
        ("#{A} + #{B}", {"A"}, 7, "unknown data element code 'B'"),
        ("#{X} + #{A} + #{Y} + #{X}", {"A"}, 0, "unknown data element codes 'X', 'Y'"),
        ("min(#{A}, #{a})", {"A"}, 10, "'a'"),
        ("#{A}", set(), 0, "'A'"),
    ],
)
def test_validate_unknown_codes(text, known, position, reason):
    with pytest.raises(ExpressionError) as info:
        validate_expression(text, known)
    assert info.value.position == position
    assert reason in info.value.reason


@pytest.mark.parametrize(
    ("text", "known"),
    [
        ("#{A} + #{B}", {"A", "B", "C"}),
        ("#{A} + #{B}", frozenset({"A", "B"})),
        ("#{ANYTHING}", None),
        ("42", set()),
    ],
)
def test_validate_accepts(text, known):
    compiled = validate_expression(text, known)
    assert compiled is compile_expression(text)


def test_validate_reports_syntax_errors_first():
    with pytest.raises(ExpressionError) as info:
        validate_expression("#{X} +", {"A"})
    assert "incomplete" in info.value.reason


# ---------------------------------------------------------------------------------------------------------------
# evaluate_columns

TABLE = [
    {"A": 6, "B": 3, "C": 0},
    {"A": None, "B": 3, "C": 1},
    {"A": 1.5, "B": 0, "C": None},
    {"A": -2, "B": Decimal("0.5"), "C": 2},
    {"A": float("nan"), "B": None, "C": 0},
    {"A": 2.5, "B": -2.5, "C": "junk"},
    {"A": 0, "B": 0, "C": -1},
    {"A": 1e308, "B": 1e308, "C": 3},
]

COLUMN_CASES = [
    "#{A} + #{B}",
    "#{A} - #{B} * #{C}",
    "#{A} / #{B}",
    "-#{A}",
    "#{A} < #{B}",
    "#{A} >= #{B}",
    "#{A} == #{C}",
    "#{A} != #{B}",
    "#{A} and #{B}",
    "#{A} or #{C}",
    "not #{C}",
    "min(#{A}, #{B}, #{C})",
    "max(#{A}, #{B})",
    "abs(#{B})",
    "round(#{A} / 4, 1)",
    "round(#{A} * 10, #{C})",
    "round(#{B})",
    "if(#{C}, #{A}, #{B})",
    "if(#{B} != 0, #{A} / #{B}, -1)",
    "coalesce(#{A}, #{B}, #{C}, 0)",
    "coalesce(#{A} / #{B}, #{C})",
    "#{A} * #{B} * 10",
    "#{MISSING} + 1",
    "coalesce(#{MISSING}, #{A})",
    "1 + 2",
    "if(#{A} > 0 and not #{C} == 0, 1, 2)",
]


@pytest.mark.parametrize("text", COLUMN_CASES)
def test_columns_match_rows(text):
    compiled = compile_expression(text)
    columns = {code: [row[code] for row in TABLE] for code in ("A", "B", "C")}
    assert_columns_match_rows(compiled, TABLE, columns)
    # the same through object arrays, and without passing length when a referenced column gives it
    arrays = {code: np.array(column, dtype=object) for code, column in columns.items()}
    assert_columns_match_rows(compiled, TABLE, arrays)
    if compiled.references & columns.keys():
        np.testing.assert_array_equal(compiled.evaluate_columns(columns), compiled.evaluate_columns(arrays, len(TABLE)))


class ArrayLike:
    """A minimal array-like (as pandas series are): sized, iterable, convertible with np.asarray."""

    def __init__(self, data):
        self.data = data

    def __len__(self):
        return len(self.data)

    def __iter__(self):
        return iter(self.data)

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.data, dtype=dtype)


@pytest.mark.parametrize(
    "column",
    [
        ArrayLike([1.5, None, 3.0]),
        ArrayLike([1.5, 2.0, np.nan]),
        np.array([1.0, np.nan, np.inf, -np.inf, -0.0, 2.5]),
        np.array([1, 2, 3, 0, -5, 2**62], dtype=np.int64),
        np.array([1.0, 2.0, 0.0, 4.0, 5.0, 6.0], dtype=np.float32),
        np.array([True, False, True, False, True, True]),
        [1, None, 2.5, Decimal("1.25"), float("nan"), "7"],
        (1, 2, 3, 4, 5, 6),
    ],
)
def test_column_types(column):
    compiled = compile_expression("coalesce(#{X} * 2, -1)")
    rows = [{"X": value} for value in column]
    assert_columns_match_rows(compiled, rows, {"X": column})


def test_columns_nan_and_none_are_missing():
    compiled = compile_expression("#{A} + #{B}")
    result = compiled.evaluate_columns({"A": np.array([1.0, np.nan, 3.0]), "B": [10, 20, None]})
    np.testing.assert_array_equal(result, [11.0, np.nan, np.nan])


def test_columns_missing_key_is_all_missing():
    compiled = compile_expression("coalesce(#{A}, #{B})")
    np.testing.assert_array_equal(compiled.evaluate_columns({"B": [1, 2]}), [1.0, 2.0])
    np.testing.assert_array_equal(compiled.evaluate_columns({}, length=2), [np.nan, np.nan])


def test_columns_constant_needs_length():
    compiled = compile_expression("round(10 / 4)")
    np.testing.assert_array_equal(compiled.evaluate_columns({}, length=3), [3.0, 3.0, 3.0])
    assert compiled.evaluate_columns({}, length=0).shape == (0,)
    with pytest.raises(ValueError, match="length"):
        compiled.evaluate_columns({"A": [1, 2]})


@pytest.mark.parametrize(
    ("columns", "length"),
    [
        ({"A": [1, 2], "B": [1, 2, 3]}, None),
        ({"A": [1, 2], "B": [1, 2]}, 3),
        ({"A": [1, 2]}, 1),
        ({"A": np.zeros((2, 2)), "B": [1, 2]}, None),
        ({"A": 5, "B": [1]}, None),
        ({"A": "ab", "B": [1, 2]}, None),
        ({"A": {1, 2}, "B": [1, 2]}, None),
        ({"A": {"x": 1, "y": 2}, "B": [1, 2]}, None),
    ],
)
def test_columns_bad_shapes(columns, length):
    with pytest.raises(ValueError):
        compile_expression("#{A} + #{B}").evaluate_columns(columns, length)


def test_columns_does_not_modify_inputs():
    column = np.array([1.0, np.inf, np.nan])
    compile_expression("#{A} * 2").evaluate_columns({"A": column})
    np.testing.assert_array_equal(column, [1.0, np.inf, np.nan])


def test_columns_do_not_warn():
    with np.errstate(all="raise"):
        result = compile_expression("#{A} / #{B} * 1e308").evaluate_columns({"A": [1, 0, 1e10], "B": [0, 0, 1]})
    np.testing.assert_array_equal(result, [np.nan, np.nan, np.nan])


# ---------------------------------------------------------------------------------------------------------------
# Properties

CODES = ["A", "B", "C"]

numbers = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["0", "0.5", ".5", "12.", "1e3", "2.5E-2", "1e308", "1e-320", "0.1"]),
)
references = st.sampled_from([*CODES, "D"]).map(lambda code: f"#{{{code}}}")


def _extend(children):
    def call(names, min_size, max_size):
        return st.tuples(st.sampled_from(names), st.lists(children, min_size=min_size, max_size=max_size)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        )

    pair = st.tuples(children, children)
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(" ".join),
        st.tuples(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), pair).map(
            lambda t: f"({t[1][0]} {t[0]} {t[1][1]})"
        ),
        st.tuples(st.sampled_from(["and", "or", "AND"]), pair).map(lambda t: f"({t[1][0]} {t[0]} {t[1][1]})"),
        st.tuples(st.sampled_from(["-", "+"]), children).map(lambda t: f"{t[0]}({t[1]})"),
        children.map(lambda c: f"(not ({c}))"),
        st.tuples(st.sampled_from(["-", "- "]), children).map("".join),
        children.map(lambda c: f"({c})"),
        call(["min", "max", "MIN", "coalesce", "Coalesce"], 1, 4),
        call(["if", "IF"], 3, 3),
        call(["abs"], 1, 1),
        call(["round", "ROUND"], 1, 2),
    )


expressions = st.recursive(st.one_of(numbers, references), _extend, max_leaves=25)

input_values = st.one_of(
    st.none(),
    st.just(0),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-3, max_value=3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-5, max_value=5),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 10**400, "12", "x", True, complex(1, 1)]),
)
value_maps = st.dictionaries(st.sampled_from([*CODES, "D"]), input_values)

token_soup = st.lists(
    st.sampled_from(
        [
            "#{A}",
            "#{B}",
            "#{",
            "}",
            "#",
            "(",
            ")",
            ",",
            "1",
            ".5",
            "1e",
            "e3",
            "+",
            "-",
            "*",
            "/",
            "<",
            "<=",
            "==",
            "=",
            "!",
            "and",
            "or",
            "not",
            "min",
            "if",
            "round",
            "coalesce",
            "abs",
            "x",
            "_",
            " ",
            "$",
            ";",
            "'",
            "\n",
        ]
    ),
    min_size=1,
    max_size=30,
).map("".join)

PROPERTY_SETTINGS = settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _compile_or_none(text: str) -> CompiledExpression | None:
    try:
        return compile_expression(text)
    except ExpressionError as error:
        assert 0 <= error.position <= max(len(text), MAX_LENGTH)
        assert error.reason
        return None


@PROPERTY_SETTINGS
@given(st.one_of(st.text(max_size=80), token_soup, expressions), value_maps)
def test_property_only_expression_errors(text, values):
    compiled = _compile_or_none(text)
    if compiled is not None:
        result = compiled.evaluate(values)
        assert result is None or (isinstance(result, float) and math.isfinite(result))


@PROPERTY_SETTINGS
@given(expressions, value_maps)
def test_property_well_formed_expressions_compile(text, values):
    compiled = _compile_or_none(text)
    if len(text) <= MAX_LENGTH and text.count("(") < MAX_DEPTH // 2:
        assert compiled is not None, text
    if compiled is not None:
        assert compiled.references <= {*CODES, "D"}
        compiled.evaluate(values)


@PROPERTY_SETTINGS
@given(expressions, st.lists(value_maps, min_size=1, max_size=8), st.booleans())
def test_property_columns_match_rows(text, rows, as_arrays):
    compiled = _compile_or_none(text)
    if compiled is None:
        return
    rows = [{code: row.get(code) for code in CODES} for row in rows]  # "D" stays absent from the columns
    columns = {code: [row[code] for row in rows] for code in CODES}
    if as_arrays:
        columns = {code: np.array(column, dtype=object) for code, column in columns.items()}
    assert_columns_match_rows(compiled, rows, columns)


@PROPERTY_SETTINGS
@given(expressions, st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=3, max_size=3))
def test_property_float_columns_match_rows(text, cells):
    compiled = _compile_or_none(text)
    if compiled is None:
        return
    column = np.array(cells)
    rows = [dict.fromkeys(CODES, value) for value in cells]
    assert_columns_match_rows(compiled, rows, dict.fromkeys(CODES, column))


def test_messages_are_translatable():
    """Every message the engine can give is an msgid of the catalogue with a Vietnamese translation."""
    import re
    from pathlib import Path

    import polib

    from giamsat.catalog.engine import expressions

    source = Path(expressions.__file__).read_text(encoding="utf-8")
    templates = set(re.findall(r'Message\(\s*"((?:[^"\\]|\\.)*)"', source))
    templates |= set(re.findall(r'else "([^"]*%\([^"]*)"', source))
    templates |= set(re.findall(r'"([^"]*%\([^"]*)" if ', source))
    templates |= set(expressions._CHAR_HINTS.values())
    catalogue = polib.pofile(str(Path(__file__).resolve().parents[3] / "locale/vi/LC_MESSAGES/django.po"))
    translated = {entry.msgid for entry in catalogue.translated_entries() if not entry.obsolete}
    assert len(templates) > 35
    assert sorted(templates - translated) == []


def test_error_described_in_another_language():
    words = {
        "%(reason)s (at position %(position)s)": "%(reason)s (@%(position)s)",
        "reference is not closed: missing '}'": "REF OPEN",
        "unexpected %(found)s, expected %(expected)s": "GOT %(found)s WANT %(expected)s",
        "number '%(value)s'": "NUM %(value)s",
        "an operator": "OP",
        "%(first)s or %(last)s": "%(first)s OR %(last)s",
    }
    with pytest.raises(ExpressionError) as info:
        compile_expression("#{HH_SMART_DEVICE} / #{HH_TOTAL")
    error = info.value
    assert error.describe() == str(error) == "reference is not closed: missing '}' (at position 22)"
    assert error.describe(lambda text: words.get(text, text)) == "REF OPEN (@22)"
    with pytest.raises(ExpressionError) as info:
        compile_expression("round(1 2)")
    described = info.value.describe(lambda text: words.get(text, text))
    assert described == "GOT NUM 2 WANT OP, ',' OR ')' (@9)"
    restored = pickle.loads(pickle.dumps(info.value))
    assert restored.describe(lambda text: words.get(text, text)) == described


@pytest.mark.parametrize(
    "text, names, expected",
    [
        ("#{A} / #{B} * 100", {"A": "Hộ có cáp quang", "B": "Tổng số hộ"}, "[Hộ có cáp quang] ÷ [Tổng số hộ] × 100"),
        ("#{A} + #{UNKNOWN}", {"A": "Số hồ sơ"}, "[Số hồ sơ] + [UNKNOWN]"),  # an unknown code stays as it is
        ("if(#{A} > 0, 1, 0)", {}, "if([A] > 0, 1, 0)"),
        ("", {}, ""),
    ],
)
def test_expression_in_words(text, names, expected):
    from giamsat.catalog.engine.expressions import expression_in_words, expression_references

    assert expression_in_words(text, names) == expected
    assert expression_references("#{A} / #{B} + #{A}") == {"A", "B"}
