"""Why a mutant that no test kills may stay: the justification table of benchmarks/mutation.py.

Keys are the stable descriptions the runner prints in its JSON (``key``):
``<file>::<function>::<line(s) before> -> <line(s) after>`` — independent of line numbers
and of mutmut's numbering, so an entry survives unrelated edits of the file.  An entry is
for a mutant that is *equivalent* (no input can tell it from the original) or that changes
something no test should pin (e.g. a default only reached by an unused code path); the text
says which and why.  A survivor without an entry is a missing test.
"""

JUSTIFICATIONS: dict[str, str] = {
}
