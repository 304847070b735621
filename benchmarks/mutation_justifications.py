"""Why a mutant that no test kills may stay: the justification table of benchmarks/mutation.py.

Keys are the stable descriptions the runner prints in its JSON (``key``):
``<file>::<function>::<line(s) before> -> <line(s) after>`` — independent of line numbers
and of mutmut's numbering, so an entry survives unrelated edits of the file.  An entry is
for a mutant that is *equivalent* (no input can tell it from the original) or that changes
something no test should pin; the text says which and why.  A survivor without an entry
is a missing test.

``TEXT_RULES`` covers whole functions that only describe a command line to people (argparse
parser builders): there a mutant that changes nothing but text — string contents, or a
help/prog/description argument — is justified by the rule; every other mutant there (a
``required``, ``choices``, ``type`` or ``default``) still needs a test or its own entry.
"""

_HELP_TEXT = ("text only: the wording of the command line's --help (usage, description, option help); "
              "what the program accepts and does is unchanged")

TEXT_RULES: dict[tuple[str, str], str] = {
    ("protocols/auction/dantm.py", "build_parser"): _HELP_TEXT,
}

# Reasons shared by several mutants.
_TOKEN_NONE = ("equivalent: secrets.token_bytes(None) draws secrets.DEFAULT_ENTROPY = 32 bytes, "
               "the same length as the constant it replaces")
_TRANSCRIPT = ("equivalent: the broadcast transcript is a local hash that is only compared with the "
               "other parties' hashes of the same items, computed by the same code; any fixed, "
               "injective framing (domain tag, byte order, width of the party index) gives equal "
               "hashes exactly when the items are equal")
_MAC_LABEL = ("equivalent: the PRG label only selects an independent AES-CTR stream; with any fixed "
              "label the coefficients are uniform, independent of the opened values and the same at "
              "every party (the security argument needs nothing else)")
_UNUSED_INDEX = ("equivalent: `unused` is next_eligible(served[-1][0] + 1, ...), either -1 or a position >= 1 "
                 "(the search starts after a serving seller), so >= 0, > 0 and >= 1 agree")
_NEG_SUM = "equivalent: -x = 0 (mod q) exactly when x = 0 (mod q)"
_TRUNC_OFFSET = ("equivalent in results: the offset only has to be a multiple of 2^m that keeps x = a + offset "
                 "inside the mask's range; with 0, 2^k or 2^(k+1) the masked opening c = x + r still does not "
                 "wrap (r has k + kappa bits, the room check reserves 2 more) and (x - x mod 2^m)/2^m - offset/2^m "
                 "= floor(a/2^m) (exhaustive on 6-bit values in tests/mpc/test_comparison_exact.py); with offset 0 a "
                 "negative x = a still gives c = r + a >= 0 unless r < |a|, probability < 2^-kappa. Only the "
                 "statistical distance of the mask grows, by at most a factor 4, which no test can observe")

JUSTIFICATIONS: dict[str, str] = {
    # --- mpc/session.py -----------------------------------------------------------------------
    "mpc/session.py::Session.coin_toss::seed, nonce = secrets.token_bytes(32), secrets.token_bytes(_NONCE_LEN) -> "
    "seed, nonce = secrets.token_bytes(None), secrets.token_bytes(_NONCE_LEN)": _TOKEN_NONE,
    "mpc/session.py::Session.coin_toss::seed, nonce = secrets.token_bytes(32), secrets.token_bytes(_NONCE_LEN) -> "
    "seed, nonce = secrets.token_bytes(32), secrets.token_bytes(None)": _TOKEN_NONE,
    "mpc/session.py::Session.mac_check::nonce = secrets.token_bytes(_NONCE_LEN) -> nonce = secrets.token_bytes(None)":
        _TOKEN_NONE,
    "mpc/session.py::Session.__init__::self._transcript = hashlib.sha256(b\"mpc-broadcast-transcript\") -> "
    "self._transcript = hashlib.sha256(b\"XXmpc-broadcast-transcriptXX\")": _TRANSCRIPT,
    "mpc/session.py::Session.__init__::self._transcript = hashlib.sha256(b\"mpc-broadcast-transcript\") -> "
    "self._transcript = hashlib.sha256(b\"MPC-BROADCAST-TRANSCRIPT\")": _TRANSCRIPT,
    "mpc/session.py::Session.broadcast_bytes::self._transcript.update(p.to_bytes(4, \"little\") + data) -> "
    "self._transcript.update(p.to_bytes(4, ) + data)": _TRANSCRIPT,
    "mpc/session.py::Session.broadcast_bytes::self._transcript.update(p.to_bytes(4, \"little\") + data) -> "
    "self._transcript.update(p.to_bytes(5, \"little\") + data)": _TRANSCRIPT,
    "mpc/session.py::Session.input_many::self._transcript.update(b\"in\" + owner.to_bytes(4, \"little\") + "
    "encode_vector(f, diffs)) -> self._transcript.update(b\"XXinXX\" + owner.to_bytes(4, \"little\") + "
    "encode_vector(f, diffs))": _TRANSCRIPT,
    "mpc/session.py::Session.input_many::self._transcript.update(b\"in\" + owner.to_bytes(4, \"little\") + "
    "encode_vector(f, diffs)) -> self._transcript.update(b\"IN\" + owner.to_bytes(4, \"little\") + "
    "encode_vector(f, diffs))": _TRANSCRIPT,
    "mpc/session.py::Session.input_many::self._transcript.update(b\"in\" + owner.to_bytes(4, \"little\") + "
    "encode_vector(f, diffs)) -> self._transcript.update(b\"in\" + owner.to_bytes(4, ) + encode_vector(f, diffs))":
        _TRANSCRIPT,
    "mpc/session.py::Session.input_many::self._transcript.update(b\"in\" + owner.to_bytes(4, \"little\") + "
    "encode_vector(f, diffs)) -> self._transcript.update(b\"in\" + owner.to_bytes(5, \"little\") + "
    "encode_vector(f, diffs))": _TRANSCRIPT,
    "mpc/session.py::Session.open::self._transcript.update(b\"open\" + encode_vector(f, total)) -> "
    "self._transcript.update(b\"XXopenXX\" + encode_vector(f, total))": _TRANSCRIPT,
    "mpc/session.py::Session.open::self._transcript.update(b\"open\" + encode_vector(f, total)) -> "
    "self._transcript.update(b\"OPEN\" + encode_vector(f, total))": _TRANSCRIPT,
    "mpc/session.py::Session.mac_check::coeffs = prg_elements(f, seed, b\"mac-check\", len(values)) -> "
    "coeffs = prg_elements(f, seed, b\"XXmac-checkXX\", len(values))": _MAC_LABEL,
    "mpc/session.py::Session.mac_check::coeffs = prg_elements(f, seed, b\"mac-check\", len(values)) -> "
    "coeffs = prg_elements(f, seed, b\"MAC-CHECK\", len(values))": _MAC_LABEL,
    "mpc/session.py::Session.mac_check::total += decode_vector(f, body_p[:w], 1, p)[0] -> "
    "total -= decode_vector(f, body_p[:w], 1, p)[0]": _NEG_SUM,
    "mpc/session.py::Session.input_many::diffs_out = None -> diffs_out = \"\"":
        "equivalent: diffs_out is only read when this party is an owner, and then it was set to its "
        "masked input; for a non-owner the payload is empty either way (encode_vector of \"\" is b\"\")",
    "mpc/session.py::Session.input_many::payload = encode_vector(f, diffs_out) if diffs_out is not None else b\"\" "
    "-> payload = encode_vector(f, diffs_out) if diffs_out is not None else b\"XXXX\"":
        "equivalent: the payload is sent only by an owner (self.pid in sizes), whose diffs_out is never None; "
        "the else branch is never sent",
    "mpc/session.py::Session.__init__::self.key: Optional[KeyShare] = None -> self.key: Optional[KeyShare] = \"\"":
        "equivalent: start() sets the key before any operation; no code reads it before",
    # --- zkp/sigma/base.py ----------------------------------------------------------------------
    "zkp/sigma/base.py::Prover.__init__::self._answered = False -> self._answered = None":
        "equivalent: the flag is only tested for truth (None and False are both false) and then set to True",
    "zkp/sigma/base.py::Verifier.__init__::self._first: Any = None -> self._first: Any = \"\"":
        "equivalent: verify() refuses before challenge() has stored the first message, so the initial "
        "value is never read",
    # --- protocols/auction/dantm.py -----------------------------------------------------------
    "protocols/auction/dantm.py::build_parser::default=None, -> ":
        "equivalent: None is argparse's default for an option without one",
    # --- mpc/comparison.py ----------------------------------------------------------------------
    "mpc/comparison.py::trunc::offset = 1 << (k - 1) -> offset = 1 >> (k - 1)": _TRUNC_OFFSET,
    "mpc/comparison.py::trunc::offset = 1 << (k - 1) -> offset = 2 << (k - 1)": _TRUNC_OFFSET,
    "mpc/comparison.py::trunc::offset = 1 << (k - 1) -> offset = 1 << (k + 1)": _TRUNC_OFFSET,
    "mpc/comparison.py::divide_public::if d & (d - 1) == 0: -> if d & (d - 2) == 0:":
        "equivalent: for d >= 2 (d = 1 returns earlier), d & (d - 2) == 0 exactly when d is a power of two, "
        "like d & (d - 1) == 0 (odd d: both have bit 0; d = 2^j + e with 0 < e < 2^j even: d - 2 keeps bit j)",
    "mpc/comparison.py::_divide_by_multiplier::ell = (d - 1).bit_length() -> ell = (d - 2).bit_length()":
        "equivalent in results: the two differ only for d = 2^j + 1, where l = j still gives a multiplier with "
        "error below 2^(K+l)/x for every reachable x; checked in plain integers for every k <= 14 and d < 80, "
        "d = 2^j +- 1 up to 2^15 (tests/mpc/test_comparison_exact.py checks the MPC side on all 6-bit values); "
        "the product is one bit narrower, so the field-room check is looser but still sufficient",
    "protocols/auction/dantm.py::run_dantm::book.asks[served[-1][0]], book.asks[unused] if unused >= 0 else None -> "
    "book.asks[served[-1][0]], book.asks[unused] if unused > 0 else None": _UNUSED_INDEX,
    "protocols/auction/dantm.py::run_dantm::book.asks[served[-1][0]], book.asks[unused] if unused >= 0 else None -> "
    "book.asks[served[-1][0]], book.asks[unused] if unused >= 1 else None": _UNUSED_INDEX,
}
