// meshbox_rules.mjs: the rules of doc/meshbox.md written out in JavaScript, independently of
// the contract: the receipt message byte by byte (§3.3), its signature, the weight formula
// (§4), the weighted draw (§5.2), the chi-square statistic the functional test uses (§5.3)
// and the cost of faking a share (§7).
//
// Why it is shaped this way: the tests compare the contract's behaviour with these
// functions, never with values the contract computed itself, and the node side (C) can
// check its draw against the vectors that this file produces (doc/meshbox.md §11). Every
// value is a BigInt where the doc says "256-bit"; nothing here touches the EVM.
import { util as U, secp256k1, keccak_256 } from '../../contrib/contracts/deps.mjs';
import { hexToBytes, bytesToHex } from './harness.mjs';

export const RECEIPT_PREFIX = '\x19Spectrum MeshBox Receipt:\n';
export const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const WEIGHT_SCALE = 1000n;

// ReceiptRefused reasons (doc §3.4).
export const REFUSED = { SELF: 1n, SIGNATURE: 2n, CLIENT: 3n, REPLAY: 4n, CAP: 5n };

const cat = (...parts) => U.concatBytes(...parts);

function fixed(n, bytes) {
    const v = BigInt(n);
    if (v < 0n || v >= 1n << BigInt(8 * bytes)) throw new Error(`value does not fit ${bytes} bytes`);
    return U.setLengthLeft(U.bigIntToBytes(v), bytes);
}

function address20(a) {
    const b = hexToBytes(a);
    if (b.length !== 20) throw new Error('address must be 20 bytes');
    return b;
}

// The 139 bytes a client hashes: prefix(27) ‖ u256 chainId ‖ provider ‖ client ‖ u64 epoch ‖
// u256 units.
export function receiptMessage({ chainId, provider, client, epoch, units }) {
    return cat(new TextEncoder().encode(RECEIPT_PREFIX), fixed(chainId, 32), address20(provider),
               address20(client), fixed(epoch, 8), fixed(units, 32));
}

export function receiptHash(fields) {
    return bytesToHex(keccak_256(receiptMessage(fields)));
}

// {r, s, v} (hex words, v 27/28, low s) of a receipt, signed with key.sk.
export function signReceipt(key, fields) {
    const sig = secp256k1.sign(keccak_256(receiptMessage(fields)), key.sk, { prehash: false, format: 'recovered' });
    // noble's "recovered" format is recovery byte ‖ r ‖ s; noble signs with low s.
    return { r: bytesToHex(sig.slice(1, 33)), s: bytesToHex(sig.slice(33, 65)), v: 27 + sig[0] };
}

// The high-s twin of a signature: the same signer, s' = n − s, v flipped.
export function highSTwin({ r, s, v }) {
    const s2 = CURVE_N - BigInt(s);
    return { r, s: '0x' + s2.toString(16).padStart(64, '0'), v: v === 27 ? 28 : 27 };
}

// §4: w_p = 1 + floor(1000 c_p / C), or 1 for everyone when C = 0.
export function weights(totals) {
    const c = totals.map(BigInt);
    const sum = c.reduce((a, b) => a + b, 0n);
    return c.map((x) => (sum === 0n ? 1n : 1n + (WEIGHT_SCALE * x) / sum));
}

// §5.2: x = keccak256(vrf ‖ u64be(n)), r = x mod W, winner = first i with r < w_0 + … + w_i.
// Returns {r, index}.
export function draw(weightList, vrfHex, n) {
    const w = weightList.map(BigInt);
    if (w.length === 0) throw new Error('draw: no candidates');
    const total = w.reduce((a, b) => a + b, 0n);
    const x = U.bytesToBigInt(keccak_256(cat(fixed(BigInt(vrfHex), 32), fixed(n, 8))));
    const r = x % total;
    let acc = 0n;
    for (let i = 0; i < w.length; i++) {
        acc += w[i];
        if (r < acc) return { r, index: i };
    }
    throw new Error('draw: unreachable');
}

// §5.1: the registry's boxes, in the registry's order, that are in POC's normal list.
export function candidates(boxes, totals, normalList) {
    const normal = new Set(normalList.map((a) => a.toLowerCase()));
    const out = { boxes: [], totals: [] };
    boxes.forEach((b, k) => {
        if (normal.has(b.toLowerCase())) {
            out.boxes.push(b);
            out.totals.push(BigInt(totals[k]));
        }
    });
    return out;
}

// Pearson's statistic sum (observed − expected)² / expected, expected = N · w_i / W.
export function chiSquare(observed, weightList) {
    const w = weightList.map(Number);
    const total = w.reduce((a, b) => a + b, 0);
    const n = observed.reduce((a, b) => a + b, 0);
    return observed.reduce((acc, o, i) => {
        const e = (n * w[i]) / total;
        return acc + ((o - e) * (o - e)) / e;
    }, 0);
}

// Upper 1 % points of the chi-square distribution by degrees of freedom (standard tables).
export const CHI2_1PCT = { 1: 6.635, 2: 9.210, 3: 11.345, 4: 13.277, 5: 15.086 };

// §7: what one box must fake to get share f of the volunteer slots among m eligible boxes
// when the others contribute H units: {a, A, clients, deposit}. Exact rational arithmetic on
// a scaled integer grid (f is given as a fraction num/den).
export function fakeCost({ fNum, fDen, m, honest, unitCap, clientDeposit }) {
    // a = (f (m + 1000) − 1) / 1000 = (fNum (m + 1000) − fDen) / (1000 fDen)
    const aNum = BigInt(fNum) * (BigInt(m) + WEIGHT_SCALE) - BigInt(fDen);
    const aDen = WEIGHT_SCALE * BigInt(fDen);
    if (aNum <= 0n || aNum >= aDen) throw new Error('fakeCost: share out of reach');
    // A = a / (1 − a) · H = aNum H / (aDen − aNum), rounded up
    const A = (aNum * BigInt(honest) + (aDen - aNum) - 1n) / (aDen - aNum);
    const clients = (A + BigInt(unitCap) - 1n) / BigInt(unitCap);
    return { aNum, aDen, A, clients, deposit: clients * BigInt(clientDeposit) };
}
