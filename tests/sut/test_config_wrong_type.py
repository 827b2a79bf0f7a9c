"""The refusal of a value of the wrong type where a strict number or switch is wanted
(``wrong_type_message``), shared by the configuration and the harness's file formats: each
message against its exact text, worked out from the rules it states."""

from __future__ import annotations

import math

import pytest

from system_under_test.config import structural_problems, wrong_type_message

_ONES_70 = "1" * 70  # its repr is 72 characters: shown as its first 45 and its length
_S58, _S59 = "a" * 58, "a" * 59  # reprs of 60 (shown whole) and 61 characters (cut)

_WRONG_TYPE_TABLE: list[tuple[str, object, str | None]] = [
    ("int_type", "48000", "must be a whole number, got the text '48000'; write 48000 without the quotes"),
    ("int_type", " 7 ", "must be a whole number, got the text ' 7 '; write 7 without the quotes"),
    ("int_type", "2.5", "must be a whole number, got the text '2.5'"),
    ("int_type", "inf", "must be a whole number, got the text 'inf'"),
    ("float_type", "2.5", "must be a number, got the text '2.5'; write 2.5 without the quotes"),
    ("float_type", "-3", "must be a number, got the text '-3'; write -3 without the quotes"),
    ("float_type", "nan", "must be a number, got the text 'nan'"),
    ("float_type", "abc", "must be a number, got the text 'abc'"),
    ("bool_type", "true", "must be true or false, got the text 'true'; write true without the quotes"),
    ("bool_type", " false ", "must be true or false, got the text ' false '; write false without the quotes"),
    ("bool_type", "True", "must be true or false, got the text 'True'"),
    ("bool_type", "1", "must be true or false, got the text '1'"),
    ("int_type", 2.5, "must be a whole number, got 2.5; write it without a decimal point"),
    ("int_type", 3.0, "must be a whole number, got 3.0; write it without a decimal point"),
    ("int_type", math.inf, "must be a whole number, got inf (float)"),
    ("float_type", [1], "must be a number, got [1] (list)"),
    ("float_type", 2.5, "must be a number, got 2.5 (float)"),
    ("bool_type", 1.5, "must be true or false, got 1.5 (float)"),
    ("int_type", _ONES_70, "must be a whole number, got the text '" + "1" * 44 + "... (72 chars); write "
     + _ONES_70 + " without the quotes"),
    ("bool_type", _S58, "must be true or false, got the text '" + _S58 + "'"),
    ("bool_type", _S59, "must be true or false, got the text '" + "a" * 44 + "... (61 chars)"),
    ("string_type", "48000", None),
    ("missing", None, None),
    ("greater_than_equal", 0, None),
]


@pytest.mark.parametrize(("kind", "value", "message"), _WRONG_TYPE_TABLE)
def test_a_value_of_the_wrong_type_is_refused_with_its_fix(kind: str, value: object, message: str | None):
    """``wrong_type_message``: a quoted number or switch that would fit without its quotes is told
    to drop them (a whole number only when it is one, a number only when finite, a switch only as
    ``true``/``false``); a float where a whole number is wanted is told to drop its decimal point
    (when finite); anything else is named with its type; a long text is shown by its first 45
    characters and its length; every other kind of error is not this function's (None)."""
    assert wrong_type_message(kind, value) == message


def test_a_configuration_with_quoted_numbers_and_a_switch_as_text_names_each_field_and_its_fix():
    """``structural_problems`` refuses a quoted whole number, a quoted number and a switch written
    as text each at its field, with ``wrong_type_message``'s words for the value it was given."""
    config, problems = structural_problems({"stream": {"sample_rate": "48000", "latency_ms": "20"},
                                            "recovery": {"degrade_on_exhaustion": "yes"}})
    assert config is None
    assert sorted(problems) == [
        ("recovery.degrade_on_exhaustion", "must be true or false, got the text 'yes'"),
        ("stream.latency_ms", "must be a number, got the text '20'; write 20 without the quotes"),
        ("stream.sample_rate", "must be a whole number, got the text '48000'; write 48000 without the quotes"),
    ]
