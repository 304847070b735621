"""The mutation runner's pure parts: reading a mutant's diff, its stable key, and the rule
that justifies text-only changes in argparse builders (and nothing else)."""
from benchmarks.mutation import MODULES, _changed_lines, justify, mutant_key, text_only

DIFF = """--- mpc/codec.py
+++ mpc/codec.py
@@ -1,7 +1,7 @@
 def f(x):
     a = 1
-    if x < 2:
+    if x <= 2:
         return a
"""


def test_changed_lines_and_key():
    old, new, offset = _changed_lines(DIFF)
    assert (old, new, offset) == (["if x < 2:"], ["if x <= 2:"], 3)
    assert mutant_key("mpc/codec.py", "f", old, new) == "mpc/codec.py::f::if x < 2: -> if x <= 2:"


def test_text_only_accepts_wording_and_refuses_behaviour():
    line = 'parser.add_argument("--json", required=True, help="where to write")'
    assert text_only([line], ['parser.add_argument("--json", required=True, help="XXwhere to writeXX")'])
    assert text_only([line], ['parser.add_argument("--json", required=True, help=None)'])
    assert text_only([line], ['parser.add_argument("--json", required=True, )'])
    assert text_only(['prog="x",'], [])
    assert not text_only([line], ['parser.add_argument("--json", required=False, help="where to write")'])
    assert not text_only([line], ['parser.add_argument("--json", help="where to write")'])
    assert not text_only(["choices=PRICINGS,"], ["choices=None,"])
    assert not text_only(['default=0.1, help="h"'], ['default=1.1, help="h"'])


def test_justify_prefers_the_table_and_applies_rules_only_to_their_function():
    rules = {("m.py", "build_parser"): "text"}
    table = {"m.py::f::a -> b": "why"}
    assert justify("m.py", "f", "m.py::f::a -> b", ["a"], ["b"], table, rules) == "why"
    assert justify("m.py", "build_parser", "k", ['help="a"'], ['help="b"'], table, rules) == "text"
    assert justify("m.py", "main", "k", ['help="a"'], ['help="b"'], table, rules) is None
    assert justify("m.py", "build_parser", "k", ["required=True"], ["required=False"], table, rules) is None


def test_every_module_in_the_mapping_has_tests():
    assert all(tests for tests in MODULES.values())
    assert all(m.endswith(".py") for m in MODULES)


def test_sql_letter_case_is_equivalent_and_nothing_else_is():
    sel = 'row = conn.execute("SELECT a FROM t WHERE b = ?", (b,)).fetchone()'
    assert justify("m.py", "f", "k", [sel], [sel.replace("SELECT a FROM t WHERE", "select a from t where")], {}, {})
    assert justify("m.py", "f", "k", [sel], [sel.replace("SELECT", "XXSELECT")], {}, {}) is None
    assert justify("m.py", "f", "k", ['x = "Abc"'], ['x = "abc"'], {}, {}) is None
    values = '"VALUES (?, ?)", (e.seq, e.kind))'  # a continuation line of an INSERT
    assert justify("m.py", "f", "k", [values], [values.replace("VALUES", "values")], {}, {})
