// photon_harness.mjs: what the channel-contract tests (photon.test.mjs) need on top of
// harness.mjs: the signed-message layouts of shared/spec/photon.md §2.6 built byte by byte,
// the channel id (§2.2), the balance hash (§2.3), lock hashes and the lock merkle tree (§3.6),
// sha256 secret hashes, 65-byte r ‖ s ‖ v signatures, event decoding with indexed fields,
// calls by full signature (for overloaded functions), and a deployment of the contracts.
//
// Why it is shaped this way: the tests must pin the byte layouts the hub signs, so every
// message is assembled here from its fields with explicit widths (u256 = 32 bytes, u64 = 8,
// address = 20, bytes32 = 32) and hashed with the prefix and decimal length, independently of
// the contract; a contract that packed one field differently would reject these signatures.
// Nothing here is computed by the contract under test.
import crypto from 'node:crypto';
import { util as U, secp256k1 } from '../../contrib/contracts/deps.mjs';
import {
    Contract, loadArtifact, hexToBytes, bytesToHex, keccakHex, selectorOf, signatureOf, abiEncode,
    abiDecode,
} from './harness.mjs';

export const PREFIX = '\x19Spectrum Signed Message:\n';
export const ZERO_ADDRESS = '0x' + '00'.repeat(20);
export const ZERO32 = '0x' + '00'.repeat(32);
export const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

// ---- packing (Solidity abi.encodePacked widths) -------------------------------------------

export function u256(n) {
    return U.setLengthLeft(U.bigIntToBytes(BigInt(n)), 32);
}

export function u64(n) {
    const v = BigInt(n);
    if (v < 0n || v >= 1n << 64n) throw new Error('u64 out of range');
    return U.setLengthLeft(U.bigIntToBytes(v), 8);
}

export function addr(a) {
    const b = hexToBytes(a);
    if (b.length !== 20) throw new Error('address must be 20 bytes');
    return b;
}

export function b32(h) {
    const b = hexToBytes(h);
    if (b.length !== 32) throw new Error('bytes32 must be 32 bytes');
    return b;
}

export const cat = (...parts) => U.concatBytes(...parts);

export function sha256Hex(bytes) {
    return '0x' + crypto.createHash('sha256').update(bytes).digest('hex');
}

// ---- §2.2, §2.3, §3.6 -----------------------------------------------------------------------

// keccak256(lo ‖ hi ‖ token ‖ tokensNetwork), lo < hi numerically.
export function channelIdentifier(token, a, b, tokensNetwork) {
    const [lo, hi] = BigInt(a) < BigInt(b) ? [a, b] : [b, a];
    return keccakHex(cat(addr(lo), addr(hi), addr(token), addr(tokensNetwork)));
}

// bytes24(keccak256(locksroot ‖ u256 ta)), zero (24 bytes) when both are zero.
export function balanceHash(ta, locksroot) {
    if (BigInt(ta) === 0n && BigInt(locksroot) === 0n) return '0x' + '00'.repeat(24);
    return keccakHex(cat(b32(locksroot), u256(ta))).slice(0, 2 + 48);
}

// keccak256(u256 expiration ‖ u256 amount ‖ secret_hash).
export function lockHash({ expiration, amount, secretHash }) {
    return keccakHex(cat(u256(expiration), u256(amount), b32(secretHash)));
}

// The lock merkle tree: leaves in insertion order, pairs hashed smaller first, an odd last
// element promoted, empty root = 32 zero bytes.
export class MerkleTree {
    constructor(leaves) {
        this.layers = [leaves.slice()];
        while (this.layers[this.layers.length - 1].length > 1) {
            const prev = this.layers[this.layers.length - 1];
            const next = [];
            for (let i = 0; i < prev.length; i += 2) {
                if (i + 1 === prev.length) {
                    next.push(prev[i]);
                    continue;
                }
                const [x, y] = BigInt(prev[i]) <= BigInt(prev[i + 1]) ? [prev[i], prev[i + 1]] : [prev[i + 1], prev[i]];
                next.push(keccakHex(cat(b32(x), b32(y))));
            }
            this.layers.push(next);
        }
    }

    get root() {
        const top = this.layers[this.layers.length - 1];
        return top.length === 0 ? ZERO32 : top[0];
    }

    // Siblings of leaf i, bottom-up (absent ones skipped), concatenated, as 0x hex.
    proof(i) {
        let out = '0x';
        let k = i;
        for (let l = 0; l < this.layers.length - 1; l++) {
            const layer = this.layers[l];
            const sib = k % 2 === 0 ? k + 1 : k - 1;
            if (sib < layer.length) out += layer[sib].slice(2);
            k = Math.floor(k / 2);
        }
        return out;
    }
}

// ---- §2.6 signed messages -------------------------------------------------------------------

// Each returns the packed fields (without prefix and length).
export const messages = {
    balanceProof: ({ ta, locksroot, nonce, additionalHash, channelId, openBlock, chainId }) =>
        cat(u256(ta), b32(locksroot), u64(nonce), b32(additionalHash), b32(channelId), u64(openBlock), u256(chainId)),
    balanceProofDelegate: ({ ta, locksroot, nonce, channelId, openBlock, chainId }) =>
        cat(u256(ta), b32(locksroot), u64(nonce), b32(channelId), u64(openBlock), u256(chainId)),
    cooperativeSettle: ({ p1, p1Balance, p2, p2Balance, channelId, openBlock, chainId }) =>
        cat(addr(p1), u256(p1Balance), addr(p2), u256(p2Balance), b32(channelId), u64(openBlock), u256(chainId)),
    withdraw: ({ participant, balance, withdraw, channelId, openBlock, chainId }) =>
        cat(addr(participant), u256(balance), u256(withdraw), b32(channelId), u64(openBlock), u256(chainId)),
    disposedProof: ({ lockhash, channelId, openBlock, chainId, additionalHash }) =>
        cat(b32(lockhash), b32(channelId), u64(openBlock), u256(chainId), b32(additionalHash)),
    unlockDelegate: ({ delegatee, expiration, amount, secretHash, channelId, openBlock, chainId }) =>
        cat(addr(delegatee), u256(expiration), u256(amount), b32(secretHash), b32(channelId), u64(openBlock),
            u256(chainId)),
};

// keccak256(prefix ‖ decimal length of fields ‖ fields), as 0x hex.
export function messageHash(fields, prefix = PREFIX) {
    return keccakHex(cat(new TextEncoder().encode(prefix + String(fields.length)), fields));
}

// 65-byte signature r ‖ s ‖ v (v = 27/28, low s) of a 32-byte hash, as 0x hex.
export function signDigest(key, hashHex) {
    const sig = secp256k1.sign(hexToBytes(hashHex), key.sk, { prehash: false, format: 'recovered' });
    // noble's "recovered" format is recovery byte ‖ r ‖ s.
    return bytesToHex(cat(sig.slice(1, 65), new Uint8Array([27 + sig[0]])));
}

export function signFields(key, fields, prefix = PREFIX) {
    return signDigest(key, messageHash(fields, prefix));
}

// The same signature with s replaced by n − s and v flipped: the high-s twin that
// recovers to the same signer.
export function highSTwin(sigHex) {
    const b = hexToBytes(sigHex);
    const s = U.bytesToBigInt(b.slice(32, 64));
    const v = b[64] === 27 ? 28 : 27;
    return bytesToHex(cat(b.slice(0, 32), u256(CURVE_N - s), new Uint8Array([v])));
}

// The same signature with v as 0/1 instead of 27/28.
export function rawVTwin(sigHex) {
    const b = hexToBytes(sigHex);
    return bytesToHex(cat(b.slice(0, 64), new Uint8Array([b[64] - 27])));
}

// ---- contract calls and events ------------------------------------------------------------

// Calls `signature` (e.g. 'transfer(address,uint256,bytes)') on contract as a transaction.
export async function sendSig(contract, from, signature, args, value = 0n) {
    const f = contract.artifact.abi.find((e) => e.type === 'function' && signatureOf(e) === signature);
    if (!f) throw new Error(`${contract.artifact.contractName}: no ${signature}`);
    const data = cat(hexToBytes(selectorOf(signature)), abiEncode(f.inputs.map((i) => i.type), args));
    const res = await contract.chain.run({ from, to: contract.address, data, value });
    if (res.ok) res.out = abiDecode(f.outputs.map((o) => o.type), res.ret);
    return res;
}

// The logs of res that `contract` emitted as event `name`, decoded into objects keyed by the
// ABI input names (indexed static fields come from the topics).
export function eventsOf(contract, res, name) {
    const ev = contract.artifact.abi.find((e) => e.type === 'event' && e.name === name);
    if (!ev) throw new Error(`${contract.artifact.contractName}: no event ${name}`);
    const topic0 = keccakHex(signatureOf(ev));
    const plain = ev.inputs.filter((i) => !i.indexed);
    return res.logs
        .filter((l) => l.address === contract.address.toLowerCase() && l.topics[0] === topic0)
        .map((l) => {
            const data = abiDecode(plain.map((i) => i.type), l.data);
            const out = {};
            let t = 1;
            let d = 0;
            for (const input of ev.inputs) {
                if (input.indexed) {
                    out[input.name] = abiDecode([input.type], hexToBytes(l.topics[t++]))[0];
                } else {
                    out[input.name] = data[d++];
                }
            }
            return out;
        });
}

// The address CREATE gives for (creator, nonce).
export function createAddress(creator, nonce) {
    return U.createContractAddress(U.createAddressFromString(creator), BigInt(nonce)).toString();
}

// The 96-byte deposit data of tokenFallback / receiveApproval / buyAndTransfer.
export function depositData(participant, partner, settleTimeout) {
    return bytesToHex(abiEncode(['address', 'address', 'uint256'], [participant, partner, settleTimeout]));
}

// Deploys TokensNetwork(chainId) from deployer; returns {tn, sr} (sr = its SecretRegistry).
export async function deployNetwork(chain, deployer, chainId) {
    const tn = await chain.deploy('TokensNetwork', deployer, [chainId]);
    const srAddress = await tn.call(deployer, 'secret_registry');
    const sr = new Contract(chain, loadArtifact('SecretRegistry'), srAddress);
    return { tn, sr };
}
