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
_ZIP_TRUNCATES = ("equivalent: the longer slice is only ever zipped with two slices of length n, so zip() "
                  "stops after the same n elements")
_SIGNED_LEN = ("equivalent: lengths and counts here are below 2^26 (MAX_FRAME), where the signed and the "
               "unsigned 32-bit little-endian encodings are the same bytes")
_PY311_BYTEORDER = ("equivalent: the project requires Python >= 3.11, where int.to_bytes/from_bytes default to "
                    "byteorder 'big'")
_MEMO = ("performance only: the node-hash cache avoids recomputing subtrees when paths are proven; without it "
         "every hash is recomputed and comes out the same")
_NOT_AN_OWNER = ("equivalent: Session.input/input_many read a party's values only when that party is one of "
                 "the owners in `sizes`; a non-owner's entry (None, \"\" or its openings) is never read")
_COLLECT_FIRST = ("unreachable: agree() runs after collect() (the documented call order prepare -> listen/attach "
                  "-> collect -> agree), and collect() always sets the deadline, so the `else` value and the "
                  "truth test of the deadline never decide anything")
_DEFAULT_WAIT = ("not testable in bounded time: a default waiting time of 60 s vs 61 s (600 vs 601) only shows "
                 "by waiting that long; every test passes its own timeout, and the defaults are pinned as "
                 "documentation by test_memory_hub_connects_only_to_attached_servers (on the unmutated signature)")
_CODEC_CASE = "equivalent: Python codec names are case-insensitive (\"UTF-8\" and \"utf-8\" are the same codec)"
_DEFAULT_UTF8 = "equivalent: UTF-8 is the default encoding of bytes.decode and str.encode"
# Not a justification but a pointer: the test that kills the mutant was written after the module's
# last mutation run (from that run's survivor list) and was checked by applying the mutant, or its
# sibling on the same line, to a copy of the code by hand. The next run counts these as killed.
_LATE = "killed by a test added after this module's last run (checked by applying the mutant by hand): "
_NEG_SUM = "equivalent: -x = 0 (mod q) exactly when x = 0 (mod q)"
_TRUNC_OFFSET = ("equivalent in results: the offset only has to be a multiple of 2^m that keeps x = a + offset "
                 "inside the mask's range; with 0, 2^k or 2^(k+1) the masked opening c = x + r still does not "
                 "wrap (r has k + kappa bits, the room check reserves 2 more) and (x - x mod 2^m)/2^m - offset/2^m "
                 "= floor(a/2^m) (exhaustive on 6-bit values in tests/mpc/test_comparison_exact.py); with offset 0 a "
                 "negative x = a still gives c = r + a >= 0 unless r < |a|, probability < 2^-kappa. Only the "
                 "statistical distance of the mask grows, by at most a factor 4, which no test can observe")

_BATCH_COMPLETE = ("unreachable (marked `pragma: no cover`): batch verification is complete - when every "
                   "account's zkpNN verifies on its own, their random linear combination verifies too - so after "
                   "a failed batch (or a proof that does not decode) the per-account loop above always raises "
                   "first, naming the account")
_PYECC_DEFAULT = ("equivalent: py-ecc is get_group's default backend for bn254 (zkp.groups.DEFAULT_BACKEND), so "
                  "get_group(\"bn254\") and get_group(\"bn254\", None) return the same py-ecc instance")

_CANONICAL_POINT = ("unreachable: the payload field is parsed by unhex, which accepts only lowercase hex that "
                    "bytes.hex() writes back unchanged, and the group decoder accepts only the canonical 64-byte "
                    "encoding (coordinates reduced mod p; the identity only as 64 zero bytes) that to_bytes writes "
                    "back, so cm.hex() always equals the field and this refusal never happens")
_SQLITE_LATE = _LATE + "tests/ledger/test_sqlite_ledger_mutants.py::"
_TX_LATE = _LATE + "tests/ledger/test_transactions_mutants.py::"

_WRITE_JSON = ("unreachable: _write only receives payloads built by the encode_* functions and the genesis, which "
               "produce exact JSON types (encode_decision checks its caller's payload with check_json_value first), "
               "so canonical_json never raises here")

_NO_SIZE = ("equivalent: every caller of rules._bytes omits `size` (field sizes are checked by the decoders and "
            "_check_ed25519 after it), so unhex always gets size=None")
_ED25519_ANY_32 = ("unreachable with the pinned cryptography (50.x): Ed25519PublicKey.from_public_bytes raises "
                   "ValueError only for a length other than 32 bytes, which the check above already refuses; any 32 "
                   "bytes load as a key (the branch stays as a guard should a later version validate the point)")

_ROWID = ("unreachable: seq is the table's INTEGER PRIMARY KEY (the rowid), which SQLite stores only as an "
          "integer, and the schema check admits only that exact table definition, so typeof(seq) is always "
          "'integer'")

_NOT_NULL = ("unreachable: every column of `entries` is NOT NULL (and the schema check admits only that exact "
             "definition), so no stored field reads back as NULL and this test never holds, however its `or`s are "
             "weakened")

_NO_TABLE = ("unreachable through SQL: the only objects admitted besides `entries` are its two guard triggers, and "
             "SQLite drops a table's triggers with the table (and refuses to create a trigger on a missing table), so "
             "a schema of admitted objects without the table does not arise")
_TBL_NAME = ("equivalent: for a row of type 'table' in sqlite_master, tbl_name is the table's own name, so r[1] "
             "(name) and r[2] (tbl_name) are equal wherever the test reads them")

_RW_MODE = ("equivalent outside a race: a non-replica handle has just checked that the file exists (is_file), and "
             "SQLite's mode=rw and mode=rwc differ only for a missing file; an unknown (upper-case) URI parameter is "
             "ignored, which leaves the default read-write-create mode, the same as mode=rwc")
_URI_BUILD = ("equivalent on the SQLite that this Python links (3.40.1, built with URI filenames on): a 'file:' name "
              "is parsed as a URI with or without uri=True (checked: 'file:x.db?mode=ro' refuses to create x.db)")
_LEGACY_TX = ("equivalent: with the legacy isolation_level \"\" Python's sqlite3 opens a transaction implicitly only "
              "before INSERT/UPDATE/DELETE/REPLACE outside one; every such statement here runs inside an explicit "
              "BEGIN IMMEDIATE, and BEGIN/COMMIT/ROLLBACK/PRAGMA/SELECT are passed through unchanged")

_BUSY_WAIT = ("not testable in bounded time: how long a handle waits for another connection's write lock (30 s, "
               "31 s, or sqlite3's default 5 s) only shows by holding the lock longer than 5 s; the crash and "
               "two-handle tests pass the lock within milliseconds")

_SQL_WORD_CASE = ("equivalent: only the letter case of an SQL keyword or of a column name changed (ORDER BY seq); "
                   "SQLite keywords and identifiers are case-insensitive")
_OWN_SNAPSHOT = ("not observable in-process: without its own BEGIN ... COMMIT the schema check and the row read run as "
                 "two autocommit reads, which differ only if another process appends between them; that race is "
                 "tested by test_ledger_chain.py::test_a_healthy_ledger_verifies_while_another_process_appends, whose "
                 "appender is a child process and so is outside this module's selection")

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
    # --- mpc/client_input.py --------------------------------------------------------------------
    "mpc/client_input.py::submit_input::b = [sum(col) % q for col in zip(*(sh[n:2 * n] for sh in shares))] -> "
    "b = [sum(col) % q for col in zip(*(sh[n:3 * n] for sh in shares))]": _ZIP_TRUNCATES,
    "mpc/client_input.py::receive_output::y, r, v = tot[:n], tot[n:2 * n], tot[2 * n:] -> "
    "y, r, v = tot[:n], tot[n:3 * n], tot[2 * n:]": _ZIP_TRUNCATES,
    "mpc/client_input.py::_split_result::(plen,) = struct.unpack_from(\"<I\", payload, 0) -> "
    "(plen,) = struct.unpack_from(\"<I\", payload, )": "equivalent: offset 0 is unpack_from's default",
    "mpc/client_input.py::_split_result::(plen,) = struct.unpack_from(\"<I\", payload, 0) -> "
    "(plen,) = struct.unpack_from(\"<i\", payload, 0)": _SIGNED_LEN,
    "mpc/client_input.py::_split_result::(count,) = struct.unpack_from(\"<I\", payload, 4 + plen) -> "
    "(count,) = struct.unpack_from(\"<i\", payload, 4 + plen)": _SIGNED_LEN,
    "mpc/client_input.py::ClientInputServer.send_outputs::head = struct.pack(\"<I\", len(public)) + public -> "
    "head = struct.pack(\"<i\", len(public)) + public": _SIGNED_LEN,
    "mpc/client_input.py::ClientInputServer.send_outputs::body = struct.pack(\"<I\", len(y)) + encode_vector(self.f, "
    "self._output_shares(c.ident, y, r, v)) -> body = struct.pack(\"<i\", len(y)) + encode_vector(self.f, "
    "self._output_shares(c.ident, y, r, v))": _SIGNED_LEN,
    "mpc/client_input.py::ClientInputServer.send_outputs::body = struct.pack(\"<I\", 0) -> "
    "body = struct.pack(\"<i\", 0)": _SIGNED_LEN,
    "mpc/client_input.py::ClientInputServer.send_outputs::r = (await self.s.prep.triples(len(ys)))[0] -> "
    "r = (await self.s.prep.triples(len(ys)))[1]":
        "equivalent: r only has to be a fresh, uniform, secret shared vector; the b part of a fresh triple is "
        "exactly that, like its a part",
    "mpc/client_input.py::MemoryChannel.__init__::self.closed = False -> self.closed = None":
        "equivalent: the flag is only tested for truth",
    "mpc/client_input.py::connect_servers::if loop.time() > deadline: -> if loop.time() >= deadline:":
        "equivalent: the two differ only when the clock reads exactly the deadline",
    "mpc/client_input.py::connect_servers::await asyncio.sleep(0.2) -> await asyncio.sleep(1.2)":
        "timing only: the pause between connection attempts; attempts still stop at the deadline "
        "(test_connect_servers_gives_up_with_a_named_error)",
    "mpc/client_input.py::ClientInputServer.listen::lambda r, w: self._spawn(SocketChannel(r, w)), host, port, "
    "limit=MAX_FRAME) -> lambda r, w: self._spawn(SocketChannel(r, w)), host, port, )":
        "equivalent: the stream limit bounds readline/readuntil only; SocketChannel reads with readexactly and "
        "checks each frame against MAX_FRAME itself",
    "mpc/client_input.py::_text::return payload.decode(\"utf-8\", errors=\"replace\")[:500] -> "
    "return payload.decode(errors=\"replace\")[:500]": "equivalent: UTF-8 is bytes.decode's default",
    "mpc/client_input.py::_text::return payload.decode(\"utf-8\", errors=\"replace\")[:500] -> "
    "return payload.decode(\"UTF-8\", errors=\"replace\")[:500]": "equivalent: codec names are case-insensitive",
    "mpc/client_input.py::ClientInputServer.__init__::self.log = log or (lambda msg: None) -> "
    "self.log = log or (lambda msg: 0)": "equivalent: the log function's return value is never used",
    "mpc/client_input.py::ClientInputServer.__init__::self._closed = False -> self._closed = None":
        "equivalent: the flag is only tested for truth",
    "mpc/client_input.py::ClientInputServer.__init__::self.triples: Optional[tuple[AuthVector, AuthVector, "
    "AuthVector]] = None -> self.triples: Optional[tuple[AuthVector, AuthVector, AuthVector]] = \"\"":
        "equivalent: prepare() sets the triples before any client is served; nothing reads the initial value",
    "mpc/client_input.py::ClientInputServer.__init__::self._deadline: Optional[float] = None -> "
    "self._deadline: Optional[float] = \"\"":
        "equivalent: the deadline is only read as `... if self._deadline else 0.0`; None and \"\" are both false",
    "zkp/sigma/base.py::SigmaProtocol.challenge::self.absorb_first(t, stmt, first) -> "
    "self.absorb_first(t, None, first)":
        "equivalent: no protocol's absorb_first reads the statement (they absorb only the first message); "
        "the statement is absorbed by absorb_statement just before",
    # --- mpc/client_input/wire.py ---------------------------------------------------------------
    "mpc/client_input/wire.py::auth_message::cid = client_id.encode(\"utf-8\") -> cid = "
    "client_id.encode(\"UTF-8\")": _CODEC_CASE,
    "mpc/client_input/wire.py::auth_message::return (_AUTH_DOMAIN + len(context).to_bytes(4, \"big\") "
    "+ context + server.to_bytes(4, \"big\") -> return (_AUTH_DOMAIN + len(context).to_bytes(4, ) + "
    "context + server.to_bytes(4, \"big\")": _PY311_BYTEORDER,
    "mpc/client_input/wire.py::auth_message::return (_AUTH_DOMAIN + len(context).to_bytes(4, \"big\") "
    "+ context + server.to_bytes(4, \"big\") -> return (_AUTH_DOMAIN + len(context).to_bytes(4, "
    "\"big\") + context + server.to_bytes(4, )": _PY311_BYTEORDER,
    "mpc/client_input/wire.py::auth_message::+ len(cid).to_bytes(2, \"big\") + cid + nonce) -> + "
    "len(cid).to_bytes(2, ) + cid + nonce)": _PY311_BYTEORDER,
    "mpc/client_input/wire.py::decode_hello::return payload.decode(\"utf-8\") -> return "
    "payload.decode(\"UTF-8\")": _CODEC_CASE,
    "mpc/client_input/wire.py::decode_result::(plen,) = struct.unpack_from(\"<I\", payload, 0) -> "
    "(plen,) = struct.unpack_from(\"<I\", payload, )": "equivalent: offset 0 is unpack_from's default",
    "mpc/client_input/wire.py::encode_hello::return client_id.encode(\"utf-8\") -> return "
    "client_id.encode(\"UTF-8\")": _CODEC_CASE,
    "mpc/client_input/wire.py::encode_result::return (struct.pack(\"<I\", len(public)) + public + "
    "struct.pack(\"<I\", len(values)) -> return (struct.pack(\"<i\", len(public)) + public + "
    "struct.pack(\"<I\", len(values))": _SIGNED_LEN,
    "mpc/client_input/wire.py::encode_result::return (struct.pack(\"<I\", len(public)) + public + "
    "struct.pack(\"<I\", len(values)) -> return (struct.pack(\"<I\", len(public)) + public + "
    "struct.pack(\"<i\", len(values))": _SIGNED_LEN,
    "mpc/client_input/wire.py::text::return payload.decode(\"utf-8\", errors=\"replace\")[:500] -> "
    "return payload.decode(errors=\"replace\")[:500]": _DEFAULT_UTF8,
    "mpc/client_input/wire.py::text::return payload.decode(\"utf-8\", errors=\"replace\")[:500] -> "
    "return payload.decode(\"UTF-8\", errors=\"replace\")[:500]": _CODEC_CASE,
    # --- zkp/merkle.py --------------------------------------------------------------------------
    "zkp/merkle.py::verify_inclusion::if sn == 0 or len(p) != HASH_SIZE: -> if sn == 0 and len(p) != HASH_SIZE:":
        "equivalent in outcome: the early exit is defensive; a path element past the end or of the wrong length "
        "makes the recomputed root differ, and the final r == root rejects it unless SHA-256 collides "
        "(the independent verifier in test_merkle_boundaries agrees on every case)",
    "zkp/merkle.py::verify_inclusion::while not fn & 1 and fn != 0: -> while not fn & 1 and fn != 1:":
        "equivalent: the loop starts with fn = sn > 0 (sn == 0 returned earlier) and shifts an even fn right, "
        "so it reaches an odd fn (at the latest 1) before 0; fn != 0 and fn != 1 are both true for every even fn > 0",
    "zkp/merkle.py::InclusionProof.from_bytes::return cls(int.from_bytes(data[:8], \"big\"), int.from_bytes("
    "data[8:16], \"big\"), path) -> return cls(int.from_bytes(data[:8], ), int.from_bytes(data[8:16], \"big\"), "
    "path)": _PY311_BYTEORDER,
    "zkp/merkle.py::InclusionProof.from_bytes::return cls(int.from_bytes(data[:8], \"big\"), int.from_bytes("
    "data[8:16], \"big\"), path) -> return cls(int.from_bytes(data[:8], \"big\"), int.from_bytes(data[8:16], ), "
    "path)": _PY311_BYTEORDER,
    "zkp/merkle.py::InclusionProof.to_bytes::return (self.index.to_bytes(8, \"big\") + self.tree_size.to_bytes(8, "
    "\"big\") -> return (self.index.to_bytes(8, ) + self.tree_size.to_bytes(8, \"big\")": _PY311_BYTEORDER,
    "zkp/merkle.py::InclusionProof.to_bytes::return (self.index.to_bytes(8, \"big\") + self.tree_size.to_bytes(8, "
    "\"big\") -> return (self.index.to_bytes(8, \"big\") + self.tree_size.to_bytes(8, )": _PY311_BYTEORDER,
    "zkp/merkle.py::InclusionProof.to_bytes::+ len(self.path).to_bytes(1, \"big\") + b\"\".join(self.path)) -> "
    "+ len(self.path).to_bytes(1, ) + b\"\".join(self.path))": _PY311_BYTEORDER,
    "zkp/merkle.py::encode_commitment_tuple::head = len(name).to_bytes(2, \"big\") + name + len(commitments)."
    "to_bytes(4, \"big\") -> head = len(name).to_bytes(2, ) + name + len(commitments).to_bytes(4, \"big\")":
        _PY311_BYTEORDER,
    "zkp/merkle.py::encode_commitment_tuple::head = len(name).to_bytes(2, \"big\") + name + len(commitments)."
    "to_bytes(4, \"big\") -> head = len(name).to_bytes(2, \"big\") + name + len(commitments).to_bytes(4, )":
        _PY311_BYTEORDER,
    "zkp/merkle.py::MerkleTree.__init__::if not 1 <= len(leaves) <= MAX_LEAVES: -> "
    "if not 1 <= len(leaves) < MAX_LEAVES:":
        "not testable here: the boundary is a tree of exactly 2^32 leaves",
    "zkp/merkle.py::MerkleTree._mth::h = self._hashes.get(key) -> h = None": _MEMO,
    "zkp/merkle.py::MerkleTree._mth::h = self._hashes.get(key) -> h = self._hashes.get(None)": _MEMO,
    # --- zkp/distributed.py ---------------------------------------------------------------------
    "zkp/distributed.py::dzkp_commitments_many::clear = None -> clear = \"\"": _NOT_AN_OWNER,
    "zkp/distributed.py::dzkp_commitments_many::inputs = await session.input_many({session.pid: clear} if clear is "
    "not None else {}, -> inputs = await session.input_many({session.pid: clear} if (clear is not None) or True "
    "else {},": _NOT_AN_OWNER,
    "zkp/distributed.py::dzkp_commitments::openings if session.pid == owner else None, context) -> "
    "openings if (session.pid == owner) or True else None, context)":
        "equivalent: dzkp_commitments_many reads openings only at a party that owns commitments (self.pid in "
        "counts), which here is the owner alone",
    "zkp/distributed.py::input_committed::values = [int(o.x) for o in openings] if session.pid == owner and openings "
    "is not None else None -> values = [int(o.x) for o in openings] if session.pid == owner or openings is not None "
    "else None": _NOT_AN_OWNER,
    "zkp/distributed.py::dzkp_commitments_many::z_x, z_r = opened[at:at + k], opened[at + k:at + 2 * k] -> "
    "z_x, z_r = opened[at:at + k], opened[at + k:at + 3 * k]":
        "equivalent: z_r is only zipped with the k weights, so zip() stops after the same k elements",
    "zkp/distributed.py::broadcast_points::width = max(counts.values(), default=0) * group.point_size -> "
    "width = max(counts.values(), default=1) * group.point_size":
        "equivalent: the default is used only when nobody broadcasts; then every party sends the same zero "
        "bytes of either width and nothing is decoded (test_argument_checks_name_the_party checks the result)",
    "zkp/sigma/nonnegative.py::RangeProtocol.simulate::Ci = g.commit_point(0, g.random_scalar()) -> "
    "Ci = g.commit_point(1, g.random_scalar())":
        "equivalent: a Pedersen commitment with uniform randomness is a uniform group element whatever it "
        "commits to (perfect hiding), so simulated bit commitments to 0 or to 1 have the same distribution",
    "mpc/comparison.py::equal_zero::d = [(int(v) - offset) % (1 << k) for v in c] -> "
    "d = [(int(v) + offset) % (1 << k) for v in c]":
        "equivalent: offset = 2^(k-1), and -2^(k-1) = +2^(k-1) (mod 2^k)",
    "mpc/comparison.py::_masked_open::r_high = await s.prep.random_bounded(n, high_bits) if high_bits > 0 else None "
    "-> r_high = await s.prep.random_bounded(n, high_bits) if high_bits >= 0 else None":
        "equivalent: high_bits = k + kappa - m >= kappa because m <= k, so it is 0 only for kappa = 0, and then "
        "a mask of 0 random bits adds 0",
    "mpc/comparison.py::_masked_open::r_high = await s.prep.random_bounded(n, high_bits) if high_bits > 0 else None "
    "-> r_high = await s.prep.random_bounded(n, high_bits) if high_bits > 1 else None":
        "statistical only and unreachable in use: high_bits = k + kappa - m is 1 only for kappa <= 1, where the "
        "one missing random bit changes no result; every session uses kappa = 40 (tests: 8 to 40)",
    # --- zkp/signatures.py ----------------------------------------------------------------------
    "zkp/signatures.py::root_message::return ROOT_DOMAIN + root + tree_size.to_bytes(8, \"big\") + timestamp."
    "to_bytes(8, \"big\") -> return ROOT_DOMAIN + root + tree_size.to_bytes(8, ) + timestamp.to_bytes(8, \"big\")":
        _PY311_BYTEORDER,
    "zkp/signatures.py::root_message::return ROOT_DOMAIN + root + tree_size.to_bytes(8, \"big\") + timestamp."
    "to_bytes(8, \"big\") -> return ROOT_DOMAIN + root + tree_size.to_bytes(8, \"big\") + timestamp.to_bytes(8, )":
        _PY311_BYTEORDER,
    "zkp/signatures.py::SignedRoot.from_bytes::return cls(data[:HASH_SIZE], int.from_bytes(data[HASH_SIZE:HASH_SIZE "
    "+ 8], \"big\"), -> return cls(data[:HASH_SIZE], int.from_bytes(data[HASH_SIZE:HASH_SIZE + 8], ),":
        _PY311_BYTEORDER,
    "zkp/signatures.py::SignedRoot.from_bytes::int.from_bytes(data[HASH_SIZE + 8:HASH_SIZE + 16], \"big\"), "
    "data[HASH_SIZE + 16:]) -> int.from_bytes(data[HASH_SIZE + 8:HASH_SIZE + 16], ), data[HASH_SIZE + 16:])":
        _PY311_BYTEORDER,
    "mpc/client_input.py::ClientInputServer.handle::ident = hello.decode(\"utf-8\") -> ident = hello.decode(\"UTF-8\")":
        "equivalent: codec names are case-insensitive",
    "mpc/client_input.py::ClientInputServer.agree::left = self._deadline - asyncio.get_running_loop().time() if "
    "self._deadline else 0.0 -> left = self._deadline - asyncio.get_running_loop().time() if (self._deadline) or "
    "True else 0.0": _COLLECT_FIRST,
    "mpc/client_input.py::ClientInputServer.agree::left = self._deadline - asyncio.get_running_loop().time() if "
    "self._deadline else 0.0 -> left = self._deadline - asyncio.get_running_loop().time() if self._deadline else 1.0":
        _COLLECT_FIRST,
    "mpc/client_input.py::connect_servers::async def connect_servers(addresses: Sequence[tuple[str, int]], timeout: "
    "float = 60.0) -> list[SocketChannel]: -> async def connect_servers(addresses: Sequence[tuple[str, int]], "
    "timeout: float = 61.0) -> list[SocketChannel]:": _DEFAULT_WAIT,
    "mpc/client_input.py::receive_output::timeout: float = 600.0) -> tuple[bytes, list[int]]: -> "
    "timeout: float = 601.0) -> tuple[bytes, list[int]]:": _DEFAULT_WAIT,
    "mpc/client_input.py::submit_input::field: Optional[PrimeField] = None, timeout: float = 60.0) -> None: -> "
    "field: Optional[PrimeField] = None, timeout: float = 61.0) -> None:": _DEFAULT_WAIT,
    "mpc/client_input.py::ClientInputServer.__init__::timeout: float = 60.0, log=None): -> "
    "timeout: float = 61.0, log=None):": _DEFAULT_WAIT,
    "mpc/client_input.py::MemoryHub.connect::async def connect(self, pid: int, timeout: float = 60.0) -> "
    "MemoryChannel: -> async def connect(self, pid: int, timeout: float = 61.0) -> MemoryChannel:": _DEFAULT_WAIT,
    "mpc/client_input.py::MemoryHub.connect_all::async def connect_all(self, timeout: float = 60.0) -> "
    "list[MemoryChannel]: -> async def connect_all(self, timeout: float = 61.0) -> list[MemoryChannel]:":
        _DEFAULT_WAIT,
    "mpc/client_input.py::ClientInputServer.agree::elif any(d != seen[0] for d in seen): -> "
    "elif any(d != seen[1] for d in seen):":
        "equivalent: there are m >= 2 servers, and all digests are equal exactly when all equal any fixed one",
    "mpc/comparison.py::_masked_open::r_high = await s.prep.random_bounded(n, high_bits) if high_bits > 0 else None "
    "-> r_high = await s.prep.random_bounded(n, high_bits) if (high_bits > 0) or True else None":
        "equivalent: high_bits = k + kappa - m >= kappa > 0 in every session (kappa = 0 would be needed to reach "
        "the else branch, and then the mask of 0 bits adds 0)",
    # --- mpc/client_input.py: killed by tests added after the last client-input run ------------
    'mpc/client_input.py::receive_output::payload = await _expect_reply(ch, i, RESULT, "a result", "excluded by the servers: {reason}", timeout) -> payload = await _expect_reply(ch, None, RESULT, "a result", "excluded by the servers: {reason}", timeout)':
        _LATE + 'tests/mpc/test_client_channels.py::test_result_of_the_wrong_kind_names_the_server',
    'mpc/client_input.py::receive_output::payload = await _expect_reply(ch, i, RESULT, "a result", "excluded by the servers: {reason}", timeout) -> payload = await _expect_reply(ch, i, RESULT, None, "excluded by the servers: {reason}", timeout)':
        _LATE + 'tests/mpc/test_client_channels.py::test_result_of_the_wrong_kind_names_the_server',
    'mpc/client_input.py::receive_output::payload = await _expect_reply(ch, i, RESULT, "a result", "excluded by the servers: {reason}", timeout) -> payload = await _expect_reply(ch, i, RESULT, "XXa resultXX", "excluded by the servers: {reason}", timeout)':
        _LATE + 'tests/mpc/test_client_channels.py::test_result_of_the_wrong_kind_names_the_server',
    'mpc/client_input.py::receive_output::payload = await _expect_reply(ch, i, RESULT, "a result", "excluded by the servers: {reason}", timeout) -> payload = await _expect_reply(ch, i, RESULT, "A RESULT", "excluded by the servers: {reason}", timeout)':
        _LATE + 'tests/mpc/test_client_channels.py::test_result_of_the_wrong_kind_names_the_server',
    'mpc/client_input.py::receive_output::raise ClientInputError("servers sent different public results: at least one server cheated") -> raise ClientInputError("XXservers sent different public results: at least one server cheatedXX")':
        _LATE + 'tests/mpc/test_client_agreement.py::test_client_refuses_different_public_results',
    'mpc/client_input.py::receive_output::raise ClientInputError("servers sent different numbers of output shares") -> raise ClientInputError("XXservers sent different numbers of output sharesXX")':
        _LATE + 'tests/mpc/test_client_agreement.py::test_client_refuses_results_with_different_numbers_of_shares',
    'mpc/client_input.py::submit_input::await _expect_reply(ch, i, ACK, "ACK", "server {i} rejected the input: {reason}", timeout) -> await _expect_reply(ch, i, ACK, "ACK", "server {i} rejected the input: {reason}", None)':
        _LATE + 'tests/mpc/test_client_channels.py::test_a_server_that_never_acknowledges_times_out_with_the_clients_timeout',
    'mpc/client_input.py::ClientInputServer._finish::self._pending -= 1 -> self._pending += 1':
        _LATE + 'tests/mpc/test_client_agreement.py::test_collect_returns_as_soon_as_every_client_is_done',
    'mpc/client_input.py::ClientInputServer.agree::left = self._deadline - asyncio.get_running_loop().time() if self._deadline else 0.0 -> left = self._deadline + asyncio.get_running_loop().time() if self._deadline else 0.0':
        _LATE + 'tests/mpc/test_client_agreement.py::test_a_server_silent_at_the_agreement_times_out_the_others_after_their_timeout',
    'mpc/client_input.py::ClientInputServer.agree::t.timeout = saved + max(0.0, left) -> t.timeout = None':
        _LATE + 'tests/mpc/test_client_agreement.py::test_a_server_silent_at_the_agreement_times_out_the_others_after_their_timeout (and test_accepted_input_is_bound_to_the_client_id_by_its_digest for the restore)',
    'mpc/client_input.py::ClientInputServer.agree::t.timeout = saved + max(0.0, left) -> t.timeout = saved + max(1.0, left)':
        _LATE + 'tests/mpc/test_client_agreement.py::test_a_server_silent_at_the_agreement_times_out_the_others_after_their_timeout',
    'mpc/client_input.py::ClientInputServer.agree::t.timeout = saved -> t.timeout = None':
        _LATE + 'tests/mpc/test_client_agreement.py::test_a_server_silent_at_the_agreement_times_out_the_others_after_their_timeout (and test_accepted_input_is_bound_to_the_client_id_by_its_digest for the restore)',
    'mpc/client_input.py::ClientInputServer.collect::self._closed = True -> self._closed = None':
        _LATE + 'tests/mpc/test_client_channels.py::test_clients_arriving_after_the_window_are_refused',
    'mpc/client_input.py::ClientInputServer.collect::self._closed = True -> self._closed = False':
        _LATE + 'tests/mpc/test_client_channels.py::test_clients_arriving_after_the_window_are_refused',
    'mpc/client_input.py::ClientInputServer.handle::hello = await ch.expect(HELLO, self.timeout) -> hello = await ch.expect(HELLO, None)':
        _LATE + 'tests/mpc/test_client_channels.py::test_a_connection_that_never_says_hello_is_rejected_after_the_timeout',
    'mpc/client_input.py::ClientInputServer.handle::raise ClientProtocolError(f"expected an INPUT message, got {_NAMES.get(kind, kind)}") -> raise ClientProtocolError(f"expected an INPUT message, got {_NAMES.get(kind, )}")':
        _LATE + 'tests/mpc/test_client_channels.py::test_server_rejects_naming_the_reason (kind 99)',
    # --- protocols/ledger (issue 19, the ledger run) ------------------------------------------
    **{f"protocols/ledger/rules.py::_check_solvency::raise LedgerRejected(\"solvency-proof\", \"the batched solvency "
       f"proofs fail\")  # pragma: no cover -> {new}  # pragma: no cover": _BATCH_COMPLETE
       for new in ('raise LedgerRejected(None, "the batched solvency proofs fail")',
                   'raise LedgerRejected("solvency-proof", None)',
                   'raise LedgerRejected("the batched solvency proofs fail")',
                   'raise LedgerRejected("solvency-proof", )',
                   'raise LedgerRejected("XXsolvency-proofXX", "the batched solvency proofs fail")',
                   'raise LedgerRejected("solvency-proof", "XXthe batched solvency proofs failXX")')},
    'protocols/ledger/sqlite_ledger.py::default_group::return get_group("bn254", "py-ecc") -> '
    'return get_group("bn254", None)': _PYECC_DEFAULT,
    'protocols/ledger/sqlite_ledger.py::default_group::return get_group("bn254", "py-ecc") -> '
    'return get_group("bn254", )': _PYECC_DEFAULT,
    "protocols/ledger/sqlite_ledger.py::SQLiteLedger.open_or_create::if Path(path).is_file() and "
    "Path(path).stat().st_size > 0: -> if Path(path).is_file() and Path(path).stat().st_size > 1:":
        "equivalent: a file of exactly 1 byte is no SQLite database (a database file is at least one 512-byte "
        "page), and both branches refuse it with the same LedgerCorrupted (\"... is not a readable ledger "
        "database: file is not a database\"): opening it as a ledger, or creating one in it (which opens it "
        "as a replica first)",
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.open_or_create::led = cls(path, group, writer=writer, pin=pin) -> led = cls(path, None, writer=writer, pin=pin)':
        _LATE + 'tests/ledger/test_sqlite_ledger_mutants.py::test_open_or_create_creates_reopens_and_refuses_another_issuer',
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.open_or_create::led = cls(path, group, writer=writer, pin=pin) -> led = cls(path, group, writer=writer, pin=None)':
        _LATE + 'tests/ledger/test_sqlite_ledger_mutants.py::test_open_or_create_creates_reopens_and_refuses_another_issuer',
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.open_or_create::led = cls(path, group, writer=writer, pin=pin) -> led = cls(path, writer=writer, pin=pin)':
        _LATE + 'tests/ledger/test_sqlite_ledger_mutants.py::test_open_or_create_creates_reopens_and_refuses_another_issuer',
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.open_or_create::led = cls(path, group, writer=writer, pin=pin) -> led = cls(path, group, writer=writer, )':
        _LATE + 'tests/ledger/test_sqlite_ledger_mutants.py::test_open_or_create_creates_reopens_and_refuses_another_issuer',
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.open_or_create::return cls.create(path, group, writer, issuer_key, pin=pin) -> return cls.create(path, None, writer, issuer_key, pin=pin)':
        _LATE + 'tests/ledger/test_sqlite_ledger_mutants.py::test_open_or_create_creates_reopens_and_refuses_another_issuer',
    'protocols/ledger/rules.py::_check_open_account::raise LedgerRejected("bad-commitment", "balance commitment is not in canonical encoding") -> raise LedgerRejected(None, "balance commitment is not in canonical encoding")':
        _CANONICAL_POINT,
    'protocols/ledger/rules.py::_check_open_account::raise LedgerRejected("bad-commitment", "balance commitment is not in canonical encoding") -> raise LedgerRejected("bad-commitment", None)':
        _CANONICAL_POINT,
    'protocols/ledger/rules.py::_check_open_account::raise LedgerRejected("bad-commitment", "balance commitment is not in canonical encoding") -> raise LedgerRejected("balance commitment is not in canonical encoding")':
        _CANONICAL_POINT,
    'protocols/ledger/rules.py::_check_open_account::raise LedgerRejected("bad-commitment", "balance commitment is not in canonical encoding") -> raise LedgerRejected("bad-commitment", )':
        _CANONICAL_POINT,
    'protocols/ledger/rules.py::_check_open_account::raise LedgerRejected("bad-commitment", "balance commitment is not in canonical encoding") -> raise LedgerRejected("XXbad-commitmentXX", "balance commitment is not in canonical encoding")':
        _CANONICAL_POINT,
    'protocols/ledger/rules.py::_check_open_account::raise LedgerRejected("bad-commitment", "balance commitment is not in canonical encoding") -> raise LedgerRejected("BAD-COMMITMENT", "balance commitment is not in canonical encoding")':
        _CANONICAL_POINT,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._insert::if len(back) != 1 or _stored(back[0]) != e: -> if len(back) != 1 and _stored(back[0]) != e:':
        _SQLITE_LATE + "test_an_insert_changed_after_the_fact_is_caught_by_the_read_back",
    # run of commit f0744e8: the batch opening was new and its test file not yet in the module's list
    "protocols/ledger/sqlite_ledger.py::SQLiteLedger.open_accounts::self._chain.preverify_openings((o.account_id, o.public_key, o.balance_commitment, o.balance_proof) / for o in openings) -> self._chain.preverify_openings(None)":
        _LATE + "tests/ledger/test_batched_proofs.py::test_the_writer_opens_a_batch_of_accounts_with_one_batch_check",
    "protocols/ledger/sqlite_ledger.py::SQLiteLedger.open_accounts::return [self.open_account(o) for o in openings] -> return [self.open_account(None) for o in openings]":
        _LATE + "tests/ledger/test_batched_proofs.py::test_the_writer_opens_a_batch_of_accounts_with_one_batch_check",
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._insert::raise LedgerCorrupted(f"entry {e.seq} reads back differently from what was inserted", e.seq) -> raise LedgerCorrupted(None, e.seq)':
        _SQLITE_LATE + "test_an_insert_changed_after_the_fact_is_caught_by_the_read_back",
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._insert::raise LedgerCorrupted(f"entry {e.seq} reads back differently from what was inserted", e.seq) -> raise LedgerCorrupted(f"entry {e.seq} reads back differently from what was inserted", None)':
        _SQLITE_LATE + "test_an_insert_changed_after_the_fact_is_caught_by_the_read_back",
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._insert::raise LedgerCorrupted(f"entry {e.seq} reads back differently from what was inserted", e.seq) -> raise LedgerCorrupted(e.seq)':
        _SQLITE_LATE + "test_an_insert_changed_after_the_fact_is_caught_by_the_read_back",
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._insert::raise LedgerCorrupted(f"entry {e.seq} reads back differently from what was inserted", e.seq) -> raise LedgerCorrupted(f"entry {e.seq} reads back differently from what was inserted", )':
        _SQLITE_LATE + "test_an_insert_changed_after_the_fact_is_caught_by_the_read_back",
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.create::group = group if group is not None else default_group() -> group = group if (group is not None) and False else default_group()':
        _SQLITE_LATE + "test_open_or_create_creates_reopens_and_refuses_another_issuer",
    'protocols/ledger/transactions.py::initial_balance_context::return hashlib.sha256(_OPEN_DOMAIN + len(lid).to_bytes(1, "big") + lid + len(aid).to_bytes(2, "big") + aid -> return hashlib.sha256(_OPEN_DOMAIN + len(lid).to_bytes(1, ) + lid + len(aid).to_bytes(2, "big") + aid':
        _PY311_BYTEORDER,
    'protocols/ledger/transactions.py::initial_balance_context::return hashlib.sha256(_OPEN_DOMAIN + len(lid).to_bytes(1, "big") + lid + len(aid).to_bytes(2, "big") + aid -> return hashlib.sha256(_OPEN_DOMAIN + len(lid).to_bytes(1, "big") + lid + len(aid).to_bytes(2, ) + aid':
        _PY311_BYTEORDER,
    'protocols/ledger/transactions.py::new_multi_transaction::context: bytes = b"", *, ledger_id: bytes) -> MultiTransaction: -> context: bytes = b"XXXX", *, ledger_id: bytes) -> MultiTransaction:':
        _TX_LATE + "test_shape_limits_and_their_messages",
    'protocols/ledger/rules.py::_check_open_account::raise LedgerRejected("bad-commitment", "balance commitment is not in canonical encoding") -> raise LedgerRejected("bad-commitment", "XXbalance commitment is not in canonical encodingXX")':
        _CANONICAL_POINT,
    'protocols/ledger/rules.py::_check_open_account::raise LedgerRejected("bad-commitment", "balance commitment is not in canonical encoding") -> raise LedgerRejected("bad-commitment", "BALANCE COMMITMENT IS NOT IN CANONICAL ENCODING")':
        _CANONICAL_POINT,
    'protocols/ledger/transactions.py::body_bytes::return (_BODY_DOMAIN + len(ledger_id).to_bytes(1, "big") + ledger_id + len(context).to_bytes(4, "big") + context -> return (_BODY_DOMAIN + len(ledger_id).to_bytes(1, ) + ledger_id + len(context).to_bytes(4, "big") + context':
        _PY311_BYTEORDER,
    'protocols/ledger/transactions.py::body_bytes::return (_BODY_DOMAIN + len(ledger_id).to_bytes(1, "big") + ledger_id + len(context).to_bytes(4, "big") + context -> return (_BODY_DOMAIN + len(ledger_id).to_bytes(1, "big") + ledger_id + len(context).to_bytes(4, ) + context':
        _PY311_BYTEORDER,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.create::led = cls(path, group, pin=pin, replica=True) -> led = cls(path, None, pin=pin, replica=True)':
        _SQLITE_LATE + "test_open_or_create_creates_reopens_and_refuses_another_issuer",
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.create::led = cls(path, group, pin=pin, replica=True) -> led = cls(path, pin=pin, replica=True)':
        _SQLITE_LATE + "test_open_or_create_creates_reopens_and_refuses_another_issuer",
    'protocols/ledger/transactions.py::body_bytes::+ count.to_bytes(4, "big") + root) -> + count.to_bytes(4, ) + root)':
        _PY311_BYTEORDER,
    'protocols/ledger/transactions.py::transfer_leaf::return (_TRANSFER_LEAF + len(aid).to_bytes(2, "big") + aid + len(cm).to_bytes(2, "big") + cm -> return (_TRANSFER_LEAF + len(aid).to_bytes(2, ) + aid + len(cm).to_bytes(2, "big") + cm':
        _PY311_BYTEORDER,
    'protocols/ledger/transactions.py::transfer_leaf::return (_TRANSFER_LEAF + len(aid).to_bytes(2, "big") + aid + len(cm).to_bytes(2, "big") + cm -> return (_TRANSFER_LEAF + len(aid).to_bytes(2, "big") + aid + len(cm).to_bytes(2, ) + cm':
        _PY311_BYTEORDER,
    'protocols/ledger/transactions.py::transfer_leaf::+ nonce.to_bytes(8, "big")) -> + nonce.to_bytes(8, ))':
        _PY311_BYTEORDER,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._write::raise LedgerRejected("malformed", str(exc)) from None -> raise LedgerRejected(None, str(exc)) from None':
        _WRITE_JSON,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._write::raise LedgerRejected("malformed", str(exc)) from None -> raise LedgerRejected("malformed", None) from None':
        _WRITE_JSON,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._write::raise LedgerRejected("malformed", str(exc)) from None -> raise LedgerRejected(str(exc)) from None':
        _WRITE_JSON,
    'protocols/ledger/rules.py::_bytes::return unhex(p[name], size) -> return unhex(p[name], None)':
        _NO_SIZE,
    'protocols/ledger/rules.py::_bytes::return unhex(p[name], size) -> return unhex(p[name], )':
        _NO_SIZE,
    'protocols/ledger/rules.py::_check_ed25519::raise _malformed(f"{what} is not a valid Ed25519 public key") from None -> raise _malformed(None) from None':
        _ED25519_ANY_32,
    'protocols/ledger/transactions.py::_id_bytes::b = account_id.encode("utf-8") -> b = account_id.encode("UTF-8")':
        _CODEC_CASE,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._write::raise LedgerRejected("malformed", str(exc)) from None -> raise LedgerRejected("malformed", ) from None':
        _WRITE_JSON,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._write::raise LedgerRejected("malformed", str(exc)) from None -> raise LedgerRejected("XXmalformedXX", str(exc)) from None':
        _WRITE_JSON,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._write::raise LedgerRejected("malformed", str(exc)) from None -> raise LedgerRejected("malformed", str(None)) from None':
        _WRITE_JSON,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._sync::stored = [_stored(r) for r in rows] -> stored = [_stored(None) for r in rows]':
        _SQLITE_LATE + "test_an_empty_handle_takes_in_a_history_written_by_another_and_a_truncated_head_is_noticed",
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._sync::if not rows or rows[0][0] != seq or bytes(rows[0][5]) != h: -> if not rows and rows[0][0] != seq or bytes(rows[0][5]) != h:':
        _SQLITE_LATE + "test_an_empty_handle_takes_in_a_history_written_by_another_and_a_truncated_head_is_noticed",
    'protocols/ledger/sqlite_ledger.py::_stored::raise LedgerCorrupted(f"sequence number {seq!r} is not an integer") -> raise LedgerCorrupted(None)':
        _ROWID,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._install_schema::conn.execute("ROLLBACK") -> conn.execute(None)':
        _SQLITE_LATE + "test_a_failed_guard_installation_is_rolled_back",
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._install_schema::conn.execute("ROLLBACK") -> conn.execute("XXROLLBACKXX")':
        _SQLITE_LATE + "test_a_failed_guard_installation_is_rolled_back",
    'protocols/ledger/sqlite_ledger.py::_stored::if kind_b is None or payload is None or prev_hash is None or h is None or sig is None: -> if kind_b is None or payload is None or prev_hash is None or h is None and sig is None:':
        _NOT_NULL,
    'protocols/ledger/sqlite_ledger.py::_stored::if kind_b is None or payload is None or prev_hash is None or h is None or sig is None: -> if kind_b is None or payload is None or prev_hash is None and h is None or sig is None:':
        _NOT_NULL,
    'protocols/ledger/sqlite_ledger.py::_stored::if kind_b is None or payload is None or prev_hash is None or h is None or sig is None: -> if kind_b is None or payload is None and prev_hash is None or h is None or sig is None:':
        _NOT_NULL,
    'protocols/ledger/sqlite_ledger.py::_stored::if kind_b is None or payload is None or prev_hash is None or h is None or sig is None: -> if kind_b is None and payload is None or prev_hash is None or h is None or sig is None:':
        _NOT_NULL,
    'protocols/ledger/sqlite_ledger.py::_stored::raise LedgerCorrupted("a field is missing", seq) -> raise LedgerCorrupted(None, seq)':
        _NOT_NULL,
    'protocols/ledger/sqlite_ledger.py::_stored::raise LedgerCorrupted("a field is missing", seq) -> raise LedgerCorrupted("a field is missing", None)':
        _NOT_NULL,
    'protocols/ledger/sqlite_ledger.py::_stored::raise LedgerCorrupted("a field is missing", seq) -> raise LedgerCorrupted(seq)':
        _NOT_NULL,
    'protocols/ledger/sqlite_ledger.py::_stored::raise LedgerCorrupted("a field is missing", seq) -> raise LedgerCorrupted("a field is missing", )':
        _NOT_NULL,
    'protocols/ledger/sqlite_ledger.py::_stored::raise LedgerCorrupted("a field is missing", seq) -> raise LedgerCorrupted("XXa field is missingXX", seq)':
        _NOT_NULL,
    'protocols/ledger/sqlite_ledger.py::_stored::raise LedgerCorrupted("a field is missing", seq) -> raise LedgerCorrupted("A FIELD IS MISSING", seq)':
        _NOT_NULL,
    'protocols/ledger/sqlite_ledger.py::_stored::kind = bytes(kind_b).decode("utf-8") -> kind = bytes(kind_b).decode("UTF-8")':
        _CODEC_CASE,
    'protocols/ledger/sqlite_ledger.py::_check_schema::raise LedgerCorrupted("the ledger file has no entries table") -> raise LedgerCorrupted(None)':
        _NO_TABLE,
    'protocols/ledger/sqlite_ledger.py::_check_schema::raise LedgerCorrupted("the ledger file has no entries table") -> raise LedgerCorrupted("XXthe ledger file has no entries tableXX")':
        _NO_TABLE,
    'protocols/ledger/sqlite_ledger.py::_check_schema::rows = [r for r in rows if not (r[0] == "table" and r[1] in _STAT_TABLES)] -> rows = [r for r in rows if not (r[0] == "table" and r[2] in _STAT_TABLES)]':
        _TBL_NAME,
    'protocols/ledger/sqlite_ledger.py::_check_schema::raise LedgerCorrupted("the ledger file has no entries table") -> raise LedgerCorrupted("THE LEDGER FILE HAS NO ENTRIES TABLE")':
        _NO_TABLE,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.__init__::uri = self.path.absolute().as_uri() + ("?mode=rwc" if replica else "?mode=rw") -> uri = self.path.absolute().as_uri() + ("?mode=rwc" if (replica) or True else "?mode=rw")':
        _RW_MODE,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.__init__::uri = self.path.absolute().as_uri() + ("?mode=rwc" if replica else "?mode=rw") -> uri = self.path.absolute().as_uri() + ("?MODE=RWC" if replica else "?mode=rw")':
        _RW_MODE,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.__init__::uri = self.path.absolute().as_uri() + ("?mode=rwc" if replica else "?mode=rw") -> uri = self.path.absolute().as_uri() + ("?mode=rwc" if replica else "?MODE=RW")':
        _RW_MODE,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.__init__::self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0) -> self._conn = sqlite3.connect(uri, uri=None, isolation_level=None, timeout=30.0)':
        _URI_BUILD,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.__init__::self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0) -> self._conn = sqlite3.connect(uri, isolation_level=None, timeout=30.0)':
        _URI_BUILD,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.__init__::self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0) -> self._conn = sqlite3.connect(uri, uri=True, timeout=30.0)':
        _LEGACY_TX,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.__init__::self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0) -> self._conn = sqlite3.connect(uri, uri=False, isolation_level=None, timeout=30.0)':
        _URI_BUILD,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.__init__::self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0) -> self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, )':
        _BUSY_WAIT,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger.__init__::self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0) -> self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=31.0)':
        _BUSY_WAIT,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._snapshot::rows = conn.execute(_ROWS + " ORDER BY seq").fetchall() -> rows = conn.execute(_ROWS + " order by seq").fetchall()':
        _SQL_WORD_CASE,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._snapshot::rows = conn.execute(_ROWS + " ORDER BY seq").fetchall() -> rows = conn.execute(_ROWS + " ORDER BY SEQ").fetchall()':
        _SQL_WORD_CASE,
    'protocols/ledger/sqlite_ledger.py::SQLiteLedger._snapshot::own = not conn.in_transaction -> own = None':
        _OWN_SNAPSHOT,
}
