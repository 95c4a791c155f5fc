#!/usr/bin/env python3
"""Reference vectors of ALARA's shared beacon, version 2 (commit, reveal, recover).

An independent implementation, written from the design text with the Python 3 standard
library only (no code shared with the TypeScript one): the group Z_N^* / {+-1} of the
RSA-2048 challenge modulus, g, h = g^(2^T) with Wesolowski's proof, chiavdf's HashPrime
with Baillie-PSW, a 3-member epoch (commits, digest, weights, A, Y, Omega) and recoveries
of withheld members, and the protobuf encodings of the epoch's Commit, Reveal and Recovery
messages (wire.proto). Writes v2.json beside this file (or to the path given).

    python3 packages/protocol/vectors/v2.py [--quick] [out.json]

Takes a few minutes: h for T = 2^24 is 2^24 squarings, and its proof as many again.
--quick leaves T = 2^24 out (a second): the test that checks this script reproduces
v2.json uses it.
Integers are lowercase hex without 0x; group elements are enc(x), 512 hex digits.
"""

import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

N = int(
    "25195908475657893494027183240048398571429282126204032027777137836043662020707595556264018525880784406918290641249515082189298559149176184502808489120072844992687392807287776735971418347270261896375014971824691165077613379859095700097330459748808428401797429100642458691817195118746121515172654632282216869987549182422433637259085141865462043576798423387184774447920739934236584823824281198163815010674810451660377306056201619676256133844143603833904414952634432190114657544454178424020924616515723350778707749817125772467962926386356373289912154831438167899885040445364023527381951378636564391212010397122822120720357"
)
T_SMALL = 1 << 10
T_DEFAULT = 1 << 24


def sha256(data):
    return hashlib.sha256(data).digest()


# --- layouts (version 1's str, bin, u32, u64; version 2's DST) ---------------------------


def u32(v):
    return v.to_bytes(4, "big")


def u64(v):
    return v.to_bytes(8, "big")


def str_(s):
    b = s.encode("utf-8")
    return len(b).to_bytes(2, "big") + b


def bin_(b):
    return u32(len(b)) + b


def dst(s):
    return b"alara/v2/" + s.encode("ascii") + b"\x00"


# --- the group Z_N^* / {+-1} ---------------------------------------------------------


def norm(x):
    """|x| = min(x mod N, N - x mod N)"""
    x %= N
    return min(x, N - x)


def enc(x):
    return norm(x).to_bytes(256, "big")


def decode(b):
    if len(b) != 256:
        raise ValueError("BAD_ELEMENT")
    x = int.from_bytes(b, "big")
    if not 2 <= x <= (N - 1) // 2:
        raise ValueError("BAD_ELEMENT")
    return x


GID = sha256(N.to_bytes(256, "big"))
assert GID.hex().startswith("6ae9d033") and GID.hex().endswith("eab1a9ce")


def hash_to_g():
    u_bytes = b"".join(sha256(dst("g") + GID + u32(i)) for i in range(9))
    u = int.from_bytes(u_bytes, "big") % N
    return norm(u * u)


G = hash_to_g()

# --- Baillie-PSW and HashPrime ---------------------------------------------------------


def miller_rabin_2(n):
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    x = pow(2, d, n)
    if x in (1, n - 1):
        return True
    for _ in range(s - 1):
        x = x * x % n
        if x == n - 1:
            return True
    return False


def jacobi(a, n):
    assert n > 0 and n % 2 == 1
    a %= n
    t = 1
    while a:
        while a % 2 == 0:
            a //= 2
            if n % 8 in (3, 5):
                t = -t
        a, n = n, a
        if a % 4 == 3 and n % 4 == 3:
            t = -t
        a %= n
    return t if n == 1 else 0


def is_square(n):
    if n < 0:
        return False
    r = int(n**0.5) if n < 1 << 52 else None
    if r is None:
        # integer Newton for big n
        r = 1 << ((n.bit_length() + 1) // 2)
        while True:
            nr = (r + n // r) // 2
            if nr >= r:
                break
            r = nr
    while r * r > n:
        r -= 1
    while (r + 1) * (r + 1) <= n:
        r += 1
    return r * r == n


def strong_lucas(n):
    # Selfridge method A: D = 5, -7, 9, -11, ... with (D/n) = -1; P = 1, Q = (1 - D) / 4
    D = 5
    while True:
        j = jacobi(D, n)
        if j == -1:
            break
        if j == 0 and abs(D) != n:
            return False
        D = -D - 2 if D > 0 else -D + 2
    P, Q = 1, (1 - D) // 4
    d, s = n + 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    inv2 = (n + 1) // 2  # 1/2 mod n
    U, V, Qk = 0, 2, 1  # U_0, V_0, Q^0
    for bit in bin(d)[2:]:
        # k -> 2k
        U, V, Qk = U * V % n, (V * V - 2 * Qk) % n, Qk * Qk % n
        if bit == "1":
            # k -> k + 1
            U, V = (P * U + V) * inv2 % n, (D * U + P * V) * inv2 % n
            Qk = Qk * Q % n
    if U == 0 or V == 0:
        return True
    for _ in range(s - 1):
        V = (V * V - 2 * Qk) % n
        Qk = Qk * Qk % n
        if V == 0:
            return True
    return False


def bpsw(n):
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    if not miller_rabin_2(n):
        return False
    if is_square(n):
        return False
    return strong_lucas(n)


def hash_prime(seed, bits=264):
    """chiavdf HashPrime(seed, 264, {263}): the seed is a big-endian counter, incremented
    before each SHA-256, digests concatenated up to 33 bytes, bits 263 and 0 set."""
    counter = int.from_bytes(seed, "big")
    size = len(seed)
    want = bits // 8
    while True:
        blob = b""
        while len(blob) < want:
            counter = (counter + 1) % (1 << (8 * size))
            blob += sha256(counter.to_bytes(size, "big"))[: want - len(blob)]
        p = int.from_bytes(blob, "big") | (1 << (bits - 1)) | 1
        if bpsw(p):
            return p


# --- time-lock -------------------------------------------------------------------------


def prime_seed(x, T, y):
    return dst("prime") + GID + u64(T) + enc(x) + enc(y)


def timelock(x, T):
    y = norm(pow(x, 1 << T, N))
    p = hash_prime(prime_seed(x, T, y))
    proof = norm(pow(x, (1 << T) // p, N))
    assert norm(pow(proof, p, N) * pow(x, pow(2, T, p), N)) == y
    return y, proof, p


# --- protobuf (proto3, canonical: fields in number order, zero and empty ones left out) ---

# Python's standard library has no Ed25519: Commit and Reveal encodings carry this
# placeholder where the signature goes, so they fix the encoding, not a signature.
PLACEHOLDER_SIGNATURE = bytes(64)


def pb_varint(v):
    out = bytearray()
    while True:
        low = v & 0x7F
        v >>= 7
        if v:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def pb_uint(no, v):
    return pb_varint(no << 3) + pb_varint(v) if v else b""


def pb_bytes(no, b, repeated=False):
    # an entry of a repeated field is written even when empty
    return pb_varint((no << 3) | 2) + pb_varint(len(b)) + b if b or repeated else b""


def commit_message(network, origin, r, c_bytes, ts, signature):
    return (
        pb_bytes(1, network.encode("utf-8"))
        + pb_bytes(2, origin)
        + pb_uint(3, r)
        + pb_bytes(4, c_bytes)
        + pb_uint(5, ts)
        + pb_bytes(6, signature)
    )


def reveal_message(network, origin, r, alpha, signature):
    return (
        pb_bytes(1, network.encode("utf-8"))
        + pb_bytes(2, origin)
        + pb_uint(3, r)
        + pb_bytes(4, alpha)
        + pb_bytes(5, signature)
    )


def recovery_message(network, r, D, withheld, y, proof):
    return (
        pb_bytes(1, network.encode("utf-8"))
        + pb_uint(2, r)
        + pb_bytes(3, D)
        + b"".join(pb_bytes(4, origin, repeated=True) for origin in sorted(withheld))
        + pb_bytes(5, enc(y))
        + pb_bytes(6, enc(proof))
    )


# --- the epoch -------------------------------------------------------------------------


def commits_digest(network, T, r, commits):
    data = dst("commits") + GID + str_(network) + u64(T) + u64(r) + u32(len(commits))
    for origin, c in sorted(commits):
        data += bin_(origin) + enc(c)
    return sha256(data)


def weight(D, origin, c):
    h = sha256(dst("weight") + D + bin_(origin) + enc(c))
    return int.from_bytes(h[:16], "big") | (1 << 127)


def omega(network, r, D, Y):
    return sha256(dst("beacon") + GID + str_(network) + u64(r) + D + enc(Y))


def commit_signing(network, origin, r, c_bytes, ts):
    return dst("commit") + str_(network) + bin_(origin) + u64(r) + bin_(c_bytes) + u64(ts)


def reveal_signing(network, origin, r, alpha):
    return dst("reveal") + str_(network) + bin_(origin) + u64(r) + bin_(alpha)


def label(text):
    return sha256(("alara v2 vectors: " + text).encode("ascii"))


def epoch_vectors(h_small):
    network, r, T = "default", 352840320, T_SMALL
    members = []
    for i in range(3):
        # an Ed25519 peer id: identity multihash (0x00, 36) of the key's protobuf (type 1, 32 bytes)
        origin = bytes([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]) + label("origin %d" % i)
        alpha = b"".join(label("alpha %d/%d" % (i, j)) for j in range(9))[:272]
        c = norm(pow(G, int.from_bytes(alpha, "big"), N))
        members.append({"origin": origin, "alpha": alpha, "c": c, "ts": 1764000000000 + 17 * i})
    members.sort(key=lambda m: m["origin"])
    D = commits_digest(network, T, r, [(m["origin"], m["c"]) for m in members])
    for m in members:
        m["weight"] = weight(D, m["origin"], m["c"])
    A = sum(m["weight"] * int.from_bytes(m["alpha"], "big") for m in members)
    # the aggregate check the combination makes
    rhs = 1
    for m in members:
        rhs = rhs * pow(m["c"], m["weight"], N) % N
    assert norm(pow(G, A, N)) == norm(rhs)
    Y = norm(pow(h_small, A, N))
    Om = omega(network, r, D, Y)

    recoveries = []
    for withheld in ([1], [0, 2]):
        X = 1
        for j in withheld:
            X = X * pow(members[j]["c"], members[j]["weight"], N) % N
        X = norm(X)
        y, proof, p = timelock(X, T)
        A_rev = sum(
            m["weight"] * int.from_bytes(m["alpha"], "big")
            for j, m in enumerate(members)
            if j not in withheld
        )
        Y_rec = norm(pow(h_small, A_rev, N) * y)
        assert Y_rec == Y and omega(network, r, D, Y_rec) == Om
        withheld_origins = [members[j]["origin"] for j in withheld]
        message = recovery_message(network, r, D, withheld_origins, y, proof)
        recoveries.append(
            {
                "withheld": [origin.hex() for origin in withheld_origins],
                "X": enc(X).hex(),
                "primeSeed": prime_seed(X, T, y).hex(),
                "prime": "%x" % p,
                "y": enc(y).hex(),
                "proof": enc(proof).hex(),
                "revealedA": "%x" % A_rev,
                "Y": enc(Y_rec).hex(),
                "beacon": omega(network, r, D, Y_rec).hex(),
                "recoveryMessage": message.hex(),
                "recoveryMessageId": sha256(message).hex(),
            }
        )

    return {
        "network": network,
        "epoch": r,
        "T": T,
        "members": [
            {
                "origin": m["origin"].hex(),
                "alpha": m["alpha"].hex(),
                "c": enc(m["c"]).hex(),
                "timestampMs": m["ts"],
                "weight": "%x" % m["weight"],
                "commitSigningBytes": commit_signing(network, m["origin"], r, enc(m["c"]), m["ts"]).hex(),
                "revealSigningBytes": reveal_signing(network, m["origin"], r, m["alpha"]).hex(),
                "commitId": sha256(commit_signing(network, m["origin"], r, enc(m["c"]), m["ts"])).hex(),
                "revealId": sha256(reveal_signing(network, m["origin"], r, m["alpha"])).hex(),
                "commitMessage": commit_message(
                    network, m["origin"], r, enc(m["c"]), m["ts"], PLACEHOLDER_SIGNATURE
                ).hex(),
                "revealMessage": reveal_message(network, m["origin"], r, m["alpha"], PLACEHOLDER_SIGNATURE).hex(),
            }
            for m in members
        ],
        "placeholderSignature": PLACEHOLDER_SIGNATURE.hex(),
        "placeholderNote": (
            "commitMessage and revealMessage carry placeholderSignature (64 zero bytes) where the "
            "Ed25519 signature goes: Python's standard library has no Ed25519, so they fix the "
            "encoding of the messages, not a signature"
        ),
        "commitsDigest": D.hex(),
        "commitCount": len(members),
        "voteTail": (bin_(D) + u32(len(members))).hex(),
        "A": "%x" % A,
        "Y": enc(Y).hex(),
        "beacon": Om.hex(),
        "rankKeys": [sha256(dst("rank") + u64(r) + bin_(m["origin"])).hex() for m in members],
        "recoveries": recoveries,
    }


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    args = [a for a in args if a != "--quick"]
    out = args[0] if args else os.path.join(HERE, "v2.json")
    timelocks = []
    for T in (T_SMALL,) if quick else (T_SMALL, T_DEFAULT):
        h, proof, p = timelock(G, T)
        timelocks.append({"T": T, "h": enc(h).hex(), "proof": enc(proof).hex(), "prime": "%x" % p})
        print("T = %d done" % T, file=sys.stderr)
    h_small = int(timelocks[0]["h"], 16)
    prime_seeds = [label("hash prime %d" % i) for i in range(4)]
    doc = {
        "description": "ALARA shared beacon v2 reference vectors, from packages/protocol/vectors/v2.py",
        "N": "%x" % N,
        "gid": GID.hex(),
        "g": enc(G).hex(),
        "dst": {s: dst(s).hex() for s in ("g", "commit", "reveal", "commits", "weight", "prime", "beacon", "rank")},
        "hashPrime": [{"seed": s.hex(), "prime": "%x" % hash_prime(s)} for s in prime_seeds],
        "timelocks": timelocks,
        "epoch": epoch_vectors(h_small),
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
