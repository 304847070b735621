#pragma version ~=0.4.3
#pragma evm-version prague
"""
@title Confidential multi-transaction ledger (seed paper Appendix D.2) on BN254 commitments
@notice Balances are Pedersen commitments x·G + r·H in BN254 G1 (EIP-196 encoding).
        A batch moves committed amounts Cm(φ_i): balance_i ← balance_i − Cm(φ_i).
        The deployment mode is fixed at construction:
          1 ON-CHAIN  every check here, including each account's 64-bit range proof
                      (proveSolvency, one transaction per account, then execute);
          2 ATTESTED  signatures, nonces and the zero-sum proof here; the range proofs
                      are checked off chain by the co-signers, whose signatures cover
                      their hash (`attest`);
          3 WRITER    the writer verified everything off chain (Ed25519 signatures and
                      SHAKE-256 proofs the EVM cannot check); here only the writer's
                      authority, nonces, point validity and the balance arithmetic.
        Python mirror and trust model: protocols/ledger/evm/__init__.py.
        Every check that rejects a submission is tagged `# check: NAME`;
        tests/ledger_evm/test_evm_mutations.py deletes each tagged line and shows
        that the matching rejection test then fails.
"""

MODE_ONCHAIN: constant(uint256) = 1
MODE_ATTESTED: constant(uint256) = 2
MODE_WRITER: constant(uint256) = 3

MAX_TRANSFERS: constant(uint256) = 128
BITS: constant(uint256) = 64
MAX_ID: constant(uint256) = 255
MAX_DECISION: constant(uint256) = 8192
MAX_SIGNED_ROOT: constant(uint256) = 512     # zkp.signatures.SignedRoot.to_bytes(): ids ≤ 255 B each
MAX_OPENING: constant(uint256) = 20480       # issuance.AccountOpening.to_bytes(): SHAKE zkpNN ≈ 18.6 KB

# BN254: base field p, group order q, generators G = (1, 2) and H (hashed onto the curve
# from "mpc-markets/zkp/v1/generator/bn254", see zkp/hash_to_curve.py; a test checks it)
P: constant(uint256) = 21888242871839275222246405745257275088696311157297823662689037894645226208583
Q: constant(uint256) = 21888242871839275222246405745257275088548364400416034343698204186575808495617
TWO256_MOD_Q: constant(uint256) = 6350874878119819312338956282401532410528162663560392320966563075034087161851
HX: constant(uint256) = 7746499381384555527294200483632950103636065994910703723043705404285297987709
HY: constant(uint256) = 2623563397647282628954197712493857423739410716214959440277817242393529470540
# secp256k1 n/2: signatures with a larger s are refused (EIP-2), so each signature has one form
SECP256K1_N_HALF: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

KIND_REGISTER_OPERATOR: constant(uint256) = 1
KIND_PUBLISH_ROOT: constant(uint256) = 2
KIND_OPEN_ACCOUNT: constant(uint256) = 3
KIND_MULTI_TRANSACTION: constant(uint256) = 4
KIND_DECISION: constant(uint256) = 5


struct Transfer:
    account: bytes32       # sha256 of the account id (see evm/encoding.py)
    cm: uint256[2]         # Cm(φ_i): φ_i > 0 pays, φ_i < 0 (mod q) receives
    nonce: uint256         # the account's current nonce


struct Signature:
    v: uint256
    r: uint256
    s: uint256


struct RangeProof:         # zkp/evm_proofs.py, compact form
    c: uint256
    bits: uint256[2][BITS]
    c0: uint256[BITS]
    z0: uint256[BITS]
    z1: uint256[BITS]
    zl: uint256


struct Account:
    owner: address         # modes 1, 2: the secp256k1 key's address (ecrecover); mode 3: empty
    public_key: Bytes[33]  # the account key: compressed secp256k1 (modes 1, 2) or Ed25519 (mode 3)
    cm: uint256[2]
    nonce: uint256
    exists: bool


struct Root:
    signed_root: bytes32   # sha256 of the signed root's bytes (in the RootPublished event); the
                           # operator's Ed25519 signature in it has no precompile: the writer and
                           # every reader verify it against the registered key
    epoch: uint64
    timestamp: uint64


event Entry:
    seq: indexed(uint256)
    kind: uint256
    digest: bytes32
    head: bytes32

event OperatorRegistered:
    operator: indexed(bytes32)
    operator_id: String[MAX_ID]
    public_key: bytes32
    issuer_signature: Bytes[64]

event RootPublished:
    operator: indexed(bytes32)
    epoch: uint64
    timestamp: uint64
    signed_root: Bytes[MAX_SIGNED_ROOT]

event AccountOpened:
    account: indexed(bytes32)
    account_id: String[MAX_ID]
    owner: address
    public_key: Bytes[33]
    cm: uint256[2]
    opening: bytes32       # sha256 of the full opening (signatures, proof) in the calldata

event BatchExecuted:
    digest: indexed(bytes32)
    context: bytes32
    attest: bytes32
    transfers: DynArray[Transfer, MAX_TRANSFERS]

event Solvent:
    key: indexed(bytes32)

event Decision:
    kind: String[100]
    payload: Bytes[MAX_DECISION]


MODE: public(immutable(uint256))
WRITER: public(immutable(address))
ISSUER: public(immutable(bytes32))    # the token issuer's Ed25519 key (verified off chain)
SALT: public(immutable(bytes32))      # random at deployment: two dev chains (same chain id, same
                                      # deployer and nonce, so the same address) still differ
LEDGER_TAG: public(immutable(bytes32))
SUM_T0: immutable(bytes32)
RANGE_T0: immutable(bytes32)

seq: public(uint256)
head: public(bytes32)
operators: public(HashMap[bytes32, bytes32])
root_count: public(HashMap[bytes32, uint256])
latest_root: public(HashMap[bytes32, Root])
accounts: public(HashMap[bytes32, Account])
solvent: public(HashMap[bytes32, bool])
last_decision: public(bytes32)
seen: transient(HashMap[bytes32, bool])


@deploy
def __init__(mode: uint256, writer: address, issuer: bytes32, salt: bytes32):
    assert mode >= MODE_ONCHAIN and mode <= MODE_WRITER, "mode"
    assert issuer != empty(bytes32), "malformed"
    MODE = mode
    WRITER = writer
    ISSUER = issuer
    SALT = salt
    # binds every signature and proof to this chain, this contract, its mode and its keys; its
    # first 16 bytes are the ledger id (Ledger.ledger_id) that issuance and roots name
    LEDGER_TAG = sha256(concat(b"mpc-markets/evm-ledger/v2", convert(chain.id, bytes32),
                               convert(convert(self, uint256), bytes32), convert(mode, bytes32),
                               convert(convert(writer, uint256), bytes32), issuer, salt))
    SUM_T0 = sha256(concat(b"mpc-markets/zkp/sha256-transcript/v1", b"\x00", b"bn254/zkpSum/compact/v1"))
    RANGE_T0 = sha256(concat(b"mpc-markets/zkp/sha256-transcript/v1", b"\x00", b"bn254/zkpNN/compact/v1"))
    self.head = sha256(concat(b"mpc-markets/evm-ledger/genesis/v1", LEDGER_TAG))
    log Entry(seq=0, kind=0, digest=LEDGER_TAG, head=self.head)


# -- curve helpers ------------------------------------------------------------------------------

@internal
@pure
def _on_curve(p: uint256[2]) -> bool:
    # (0, 0) encodes the identity; otherwise y² = x³ + 3 with reduced coordinates.  Checked before
    # any precompile call: a failing precompile would burn all the gas given to it.
    if p[0] == 0 and p[1] == 0:
        return True
    if p[0] >= P or p[1] >= P:
        return False
    return uint256_mulmod(p[1], p[1], P) == uint256_addmod(uint256_mulmod(uint256_mulmod(p[0], p[0], P), p[0], P), 3, P)


@internal
@pure
def _neg(p: uint256[2]) -> uint256[2]:
    if p[0] == 0 and p[1] == 0:
        return p
    return [p[0], P - p[1]]


@internal
@pure
def _challenge(t: bytes32) -> uint256:
    # 512 bits reduced mod q: (hi·2^256 + lo) mod q, as zkp/sha256_transcript.py
    hi: uint256 = convert(sha256(concat(t, b"\x01")), uint256)
    lo: uint256 = convert(sha256(concat(t, b"\x02")), uint256)
    return uint256_addmod(uint256_mulmod(hi, TWO256_MOD_Q, Q), lo, Q)


@internal
@view
def _zero_sum_ok(D: uint256[2], c: uint256, z: uint256, ctx: bytes32) -> bool:
    # compact Schnorr proof that D = ρ·H: A = z·H − c·D, then c must equal H(ctx, D, A)
    if c >= Q or z >= Q:
        return False
    a: uint256[2] = ecadd(ecmul([HX, HY], z), ecmul(D, Q - c))
    t: bytes32 = sha256(concat(SUM_T0, ctx))
    t = sha256(concat(t, convert(D[0], bytes32), convert(D[1], bytes32)))
    t = sha256(concat(t, convert(a[0], bytes32), convert(a[1], bytes32)))
    return self._challenge(t) == c


@internal
@view
def _range_ok(C: uint256[2], p: RangeProof, ctx: bytes32) -> bool:
    # compact 64-bit zkpNN (zkp/evm_proofs.py): per bit an OR-proof "C_i commits to 0 or 1"
    # (4 ecMul), then the link D = Σ 2^i·C_i − C = ρ·H (Horner: 2 ecAdd per bit, 2 ecMul)
    if p.c >= Q or p.zl >= Q:
        return False
    t: bytes32 = sha256(concat(RANGE_T0, ctx, convert(BITS, bytes32)))
    t = sha256(concat(t, convert(C[0], bytes32), convert(C[1], bytes32)))
    neg_g: uint256[2] = [1, P - 2]
    h: uint256[2] = [HX, HY]
    for i: uint256 in range(BITS):
        ci: uint256[2] = p.bits[i]
        if not self._on_curve(ci):
            return False
        if p.c0[i] >= Q or p.z0[i] >= Q or p.z1[i] >= Q:
            return False
        c1: uint256 = uint256_addmod(p.c, Q - p.c0[i], Q)
        a0: uint256[2] = ecadd(ecmul(h, p.z0[i]), ecmul(ci, Q - p.c0[i]))
        a1: uint256[2] = ecadd(ecmul(h, p.z1[i]), ecmul(ecadd(ci, neg_g), Q - c1))
        t = sha256(concat(t, convert(ci[0], bytes32), convert(ci[1], bytes32), convert(a0[0], bytes32),
                          convert(a0[1], bytes32), convert(a1[0], bytes32), convert(a1[1], bytes32)))
    acc: uint256[2] = [0, 0]
    for j: uint256 in range(BITS):
        acc = ecadd(ecadd(acc, acc), p.bits[BITS - 1 - j])
    d: uint256[2] = ecadd(acc, self._neg(C))
    al: uint256[2] = ecadd(ecmul(h, p.zl), ecmul(d, Q - p.c))
    t = sha256(concat(t, convert(al[0], bytes32), convert(al[1], bytes32)))
    return self._challenge(t) == p.c


# -- the hash chain of entries ------------------------------------------------------------------

@internal
def _append(kind: uint256, digest: bytes32):
    s: uint256 = self.seq + 1
    self.seq = s
    self.head = sha256(concat(self.head, convert(s, bytes32), convert(kind, bytes32), digest))
    log Entry(seq=s, kind=kind, digest=digest, head=self.head)


# -- operators and roots (writer only) ---------------------------------------------------------

@external
def registerOperator(operator: bytes32, operator_id: String[MAX_ID], public_key: bytes32,
                     issuer_signature: Bytes[64]):
    # the issuer's Ed25519 authorisation is checked by the writer and by every reader (no precompile)
    assert msg.sender == WRITER, "writer"  # check: writer
    assert operator == sha256(concat(b"operator\x00", convert(operator_id, Bytes[MAX_ID]))), "malformed"
    assert self.operators[operator] == empty(bytes32), "duplicate-operator"
    assert public_key != empty(bytes32) and len(issuer_signature) == 64, "malformed"
    self.operators[operator] = public_key
    log OperatorRegistered(operator=operator, operator_id=operator_id, public_key=public_key,
                           issuer_signature=issuer_signature)
    self._append(KIND_REGISTER_OPERATOR, sha256(concat(operator, public_key, issuer_signature)))


@external
def publishRoot(operator: bytes32, epoch: uint64, timestamp: uint64, signed_root: Bytes[MAX_SIGNED_ROOT]):
    # epoch and timestamp are the signed root's (the writer and every reader check they match it,
    # and its signature); here: strictly increasing per operator, so an old root stays old
    assert msg.sender == WRITER, "writer"
    assert self.operators[operator] != empty(bytes32), "unknown-operator"
    n: uint256 = self.root_count[operator]
    if n > 0:
        assert epoch > self.latest_root[operator].epoch, "root-epoch"  # check: root-epoch
        assert timestamp > self.latest_root[operator].timestamp, "root-timestamp"
    h: bytes32 = sha256(signed_root)
    self.root_count[operator] = n + 1
    self.latest_root[operator] = Root(signed_root=h, epoch=epoch, timestamp=timestamp)
    log RootPublished(operator=operator, epoch=epoch, timestamp=timestamp, signed_root=signed_root)
    self._append(KIND_PUBLISH_ROOT, sha256(concat(operator, convert(epoch, bytes32), convert(timestamp, bytes32), h)))


# -- accounts (writer = token issuer only) ------------------------------------------------------

@internal
def _open(account: bytes32, account_id: String[MAX_ID], owner: address, public_key: Bytes[33], cm: uint256[2],
          opening: bytes32):
    assert msg.sender == WRITER, "writer"
    assert account == sha256(concat(b"account\x00", convert(account_id, Bytes[MAX_ID]))), "malformed"
    assert not self.accounts[account].exists, "duplicate-account"
    assert self._on_curve(cm), "bad-commitment"  # check: open-point
    self.accounts[account] = Account(owner=owner, public_key=public_key, cm=cm, nonce=0, exists=True)
    log AccountOpened(account=account, account_id=account_id, owner=owner, public_key=public_key, cm=cm,
                      opening=opening)
    self._append(KIND_OPEN_ACCOUNT, sha256(concat(account, convert(convert(owner, uint256), bytes32),
                                                  sha256(public_key), convert(cm[0], bytes32),
                                                  convert(cm[1], bytes32), opening)))


@internal
@view
def _key_shape_ok(owner: address, public_key: Bytes[33]) -> bool:
    if MODE == MODE_WRITER:
        return owner == empty(address) and len(public_key) == 32
    return owner != empty(address) and len(public_key) == 33


@external
def openAccount(account: bytes32, account_id: String[MAX_ID], owner: address, public_key: Bytes[33],
                cm: uint256[2], opening: Bytes[MAX_OPENING]):
    # modes 2 and 3: the issuer vouches that cm commits to the tokens bought; its signature, the
    # holder's consent and the range proof are in `opening` (issuance.AccountOpening), checked by
    # the writer and by every reader (Ed25519 has no precompile)
    assert MODE != MODE_ONCHAIN, "balance-proof"
    assert self._key_shape_ok(owner, public_key), "malformed"
    self._open(account, account_id, owner, public_key, cm, sha256(opening))


@external
def openAccountProved(account: bytes32, account_id: String[MAX_ID], owner: address, public_key: Bytes[33],
                      cm: uint256[2], proof: RangeProof, opening: Bytes[MAX_OPENING]):
    # mode 1: the opening balance's range proof is checked here too (`opening` carries the
    # signatures, its proof field empty: the proof is the struct above)
    assert MODE == MODE_ONCHAIN, "mode"
    assert self._key_shape_ok(owner, public_key), "malformed"
    assert self._on_curve(cm), "bad-commitment"
    ctx: bytes32 = sha256(concat(LEDGER_TAG, b"open\x00", account, convert(convert(owner, uint256), bytes32),
                                 convert(cm[0], bytes32), convert(cm[1], bytes32)))
    assert self._range_ok(cm, proof, ctx), "balance-proof"
    self._open(account, account_id, owner, public_key, cm, sha256(opening))


# -- batches ------------------------------------------------------------------------------------

@internal
@view
def _digest(transfers: DynArray[Transfer, MAX_TRANSFERS], context: bytes32, attest: bytes32) -> bytes32:
    # what every account holder signs (evm/encoding.py body_digest)
    h: bytes32 = sha256(concat(LEDGER_TAG, b"multi-transaction\x00", context, attest,
                               convert(len(transfers), bytes32)))
    for t: Transfer in transfers:
        h = sha256(concat(h, t.account, convert(t.cm[0], bytes32), convert(t.cm[1], bytes32),
                          convert(t.nonce, bytes32)))
    return h


@internal
@pure
def _solvency_key(digest: bytes32, t: Transfer) -> bytes32:
    return sha256(concat(digest, t.account, convert(t.cm[0], bytes32), convert(t.cm[1], bytes32),
                         convert(t.nonce, bytes32)))


@internal
def _check_shape(transfers: DynArray[Transfer, MAX_TRANSFERS]):
    # accounts exist, appear once, carry their current nonce; amounts are curve points
    assert len(transfers) > 0, "malformed"
    for t: Transfer in transfers:
        assert self.accounts[t.account].exists, "unknown-account"
        assert not self.seen[t.account], "duplicate-transfer"  # check: duplicate
        self.seen[t.account] = True
        assert t.nonce == self.accounts[t.account].nonce, "nonce"  # check: nonce
        assert self._on_curve(t.cm), "bad-commitment"  # check: point


@internal
def _apply(digest: bytes32, context: bytes32, attest: bytes32, transfers: DynArray[Transfer, MAX_TRANSFERS]):
    for t: Transfer in transfers:
        # field by field: copying the whole Account would also read its key (3 more slots)
        self.accounts[t.account].cm = ecadd(self.accounts[t.account].cm, self._neg(t.cm))
        self.accounts[t.account].nonce = t.nonce + 1   # _check_shape: t.nonce is the stored nonce
    log BatchExecuted(digest=digest, context=context, attest=attest, transfers=transfers)
    self._append(KIND_MULTI_TRANSACTION, digest)


@external
def proveSolvency(transfers: DynArray[Transfer, MAX_TRANSFERS], context: bytes32, index: uint256,
                  proof: RangeProof):
    # mode 1: Cm(balance) − Cm(φ) commits to a value in [0, 2^64) for transfer `index` of this
    # batch.  Anyone may send it; it only records a verified fact, keyed by (batch digest, transfer).
    # The balance cannot change before execute: only execute changes it, and it bumps the nonce
    # that the digest fixes.
    assert MODE == MODE_ONCHAIN, "mode"
    t: Transfer = transfers[index]
    assert self.accounts[t.account].exists, "unknown-account"
    assert t.nonce == self.accounts[t.account].nonce, "nonce"
    assert self._on_curve(t.cm), "bad-commitment"
    digest: bytes32 = self._digest(transfers, context, empty(bytes32))
    key: bytes32 = self._solvency_key(digest, t)
    assert self._range_ok(ecadd(self.accounts[t.account].cm, self._neg(t.cm)), proof, key), "solvency-proof"  # check: range
    self.solvent[key] = True
    log Solvent(key=key)


@external
def execute(transfers: DynArray[Transfer, MAX_TRANSFERS], context: bytes32, attest: bytes32,
            sum_proof: uint256[2], signatures: DynArray[Signature, MAX_TRANSFERS]):
    # modes 1 and 2: signatures (ecrecover), nonces, points, zero sum, and the range proofs
    # (mode 1: each proven by proveSolvency; mode 2: attested by the signatures over `attest`)
    assert MODE != MODE_WRITER, "mode"
    if MODE == MODE_ONCHAIN:
        assert attest == empty(bytes32), "malformed"
    else:
        assert attest != empty(bytes32), "malformed"
    assert len(signatures) == len(transfers), "malformed"
    self._check_shape(transfers)
    digest: bytes32 = self._digest(transfers, context, attest)
    d: uint256[2] = [0, 0]
    for i: uint256 in range(len(transfers), bound=MAX_TRANSFERS):
        t: Transfer = transfers[i]
        sg: Signature = signatures[i]
        assert sg.s <= SECP256K1_N_HALF, "signature"
        signer: address = ecrecover(digest, sg.v, sg.r, sg.s)
        assert signer != empty(address) and signer == self.accounts[t.account].owner, "signature"  # check: signature
        d = ecadd(d, t.cm)
    assert self._zero_sum_ok(d, sum_proof[0], sum_proof[1], digest), "sum-proof"  # check: sum
    if MODE == MODE_ONCHAIN:
        for t: Transfer in transfers:
            key: bytes32 = self._solvency_key(digest, t)
            assert self.solvent[key], "solvency-proof"  # check: solvent-flag
            self.solvent[key] = False
    self._apply(digest, context, attest, transfers)


@external
def executeRelayed(transfers: DynArray[Transfer, MAX_TRANSFERS], context: bytes32, payload_hash: bytes32):
    # mode 3: the writer verified signatures and proofs (Ed25519, SHAKE-256) off chain;
    # `payload_hash` commits to that full payload (evm/encoding.py payload_hash)
    assert MODE == MODE_WRITER, "mode"
    assert msg.sender == WRITER, "writer"
    self._check_shape(transfers)
    self._apply(self._digest(transfers, context, payload_hash), context, payload_hash, transfers)


# -- decisions (writer only) --------------------------------------------------------------------

@external
def recordDecision(kind: String[100], payload: Bytes[MAX_DECISION]):
    assert msg.sender == WRITER, "writer"
    assert len(kind) > 0, "decision"
    digest: bytes32 = sha256(concat(sha256(convert(kind, Bytes[100])), sha256(payload)))
    self.last_decision = digest
    log Decision(kind=kind, payload=payload)
    self._append(KIND_DECISION, digest)
