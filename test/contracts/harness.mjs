// harness.mjs: a tiny in-process chain for the system-contract tests: an @ethereumjs EVM
// with Byzantium rules (the jump table of Spectrum blocks before SIP004), a block number the
// test sets, funded accounts from fixed keys, the committed artifacts from share/contracts,
// and a small ABI coder of our own.
//
// Why it is shaped this way: the tests must exercise exactly the bytecode that is committed
// (what spectrumd puts in its regtest genesis), so they load share/contracts/*.json rather
// than compiling; and they must run offline under `node --test` in well under a minute, so
// there is no RPC node, no block building and no ABI library: each transaction is one
// EVM.runCall against one block context. The ABI coder covers the types the five contracts
// use (static words, dynamic arrays of static words, string).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evm as E, common as C, util as U, secp256k1, keccak_256 } from '../../contrib/contracts/deps.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');

export const ETHER = 10n ** 18n;

// ---- bytes and hashing ------------------------------------------------------------------

export function hexToBytes(h) {
    return U.hexToBytes(h.startsWith('0x') ? h : '0x' + h);
}

export function bytesToHex(b) {
    return U.bytesToHex(b);
}

export function keccakHex(data) {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    return bytesToHex(keccak_256(bytes));
}

export function selectorOf(signature) {
    return keccakHex(signature).slice(0, 10);
}

export function signatureOf(abiEntry) {
    return `${abiEntry.name}(${abiEntry.inputs.map((i) => i.type).join(',')})`;
}

// ---- keys -------------------------------------------------------------------------------

// A deterministic key: keccak256("spectrumd-contract-test-key:" + label).
export function makeKey(label) {
    const sk = keccak_256(new TextEncoder().encode('spectrumd-contract-test-key:' + label));
    const address = U.createAddressFromPrivateKey(sk).toString();
    return { label, sk, address };
}

// Signs keccak256(address as 20 raw bytes) with key, the node-key signature that POC.deposit
// and Anmap.bind check. Returns v as 27/28, or as 0/1 when rawV is set.
export function signAddress(key, address, rawV = false) {
    const hash = keccak_256(hexToBytes(address));
    const sig = secp256k1.sign(hash, key.sk, { prehash: false, format: 'recovered' });
    // noble's "recovered" format is recovery byte ‖ r ‖ s.
    const rec = sig[0];
    return {
        v: rawV ? rec : 27 + rec,
        r: bytesToHex(sig.slice(1, 33)),
        s: bytesToHex(sig.slice(33, 65)),
    };
}

// Signs a 32-byte hash (hex) with key: {v (27/28), r, s} as hex words, low s.
export function signHash(key, hashHex) {
    const sig = secp256k1.sign(hexToBytes(hashHex), key.sk, { prehash: false, format: 'recovered' });
    return { v: 27 + sig[0], r: bytesToHex(sig.slice(1, 33)), s: bytesToHex(sig.slice(33, 65)) };
}

// ---- ABI coder --------------------------------------------------------------------------

function isDynamic(type) {
    return type.endsWith('[]') || type === 'string' || type === 'bytes';
}

function encodeWord(type, value) {
    let n;
    if (type === 'address') {
        n = BigInt(value);
    } else if (type === 'bool') {
        n = value ? 1n : 0n;
    } else if (/^bytes\d+$/.test(type)) {
        const b = hexToBytes(value);
        const w = new Uint8Array(32);
        w.set(b);
        return w;
    } else if (/^int\d+$/.test(type)) {
        n = BigInt.asUintN(256, BigInt(value));
    } else if (/^uint\d+$/.test(type)) {
        n = BigInt(value);
    } else {
        throw new Error('abi: unsupported type ' + type);
    }
    return U.setLengthLeft(U.bigIntToBytes(n), 32);
}

function decodeWord(type, word) {
    const n = U.bytesToBigInt(word);
    if (type === 'address') return '0x' + n.toString(16).padStart(40, '0');
    if (type === 'bool') return n !== 0n;
    if (/^bytes\d+$/.test(type)) return bytesToHex(word.slice(0, Number(type.slice(5))));
    if (/^int\d+$/.test(type)) return BigInt.asIntN(Number(type.slice(3)), n);
    if (/^uint\d+$/.test(type)) return n;
    throw new Error('abi: unsupported type ' + type);
}

export function abiEncode(types, values) {
    const heads = [];
    const tails = [];
    let tailOffset = 32 * types.length;
    types.forEach((type, k) => {
        const value = values[k];
        if (!isDynamic(type)) {
            heads.push(encodeWord(type, value));
            return;
        }
        heads.push(encodeWord('uint256', tailOffset));
        let tail;
        if (type.endsWith('[]')) {
            const elem = type.slice(0, -2);
            tail = U.concatBytes(encodeWord('uint256', value.length), ...value.map((v) => encodeWord(elem, v)));
        } else {
            const b = type === 'string' ? new TextEncoder().encode(value) : hexToBytes(value);
            const padded = new Uint8Array(Math.ceil(b.length / 32) * 32);
            padded.set(b);
            tail = U.concatBytes(encodeWord('uint256', b.length), padded);
        }
        tails.push(tail);
        tailOffset += tail.length;
    });
    return U.concatBytes(...heads, ...tails);
}

export function abiDecode(types, data) {
    const word = (off) => {
        if (off + 32 > data.length) throw new Error('abi: return data too short');
        return data.slice(off, off + 32);
    };
    return types.map((type, k) => {
        if (!isDynamic(type)) return decodeWord(type, word(32 * k));
        const off = Number(U.bytesToBigInt(word(32 * k)));
        const len = Number(U.bytesToBigInt(word(off)));
        if (type.endsWith('[]')) {
            const elem = type.slice(0, -2);
            const out = [];
            for (let i = 0; i < len; i++) out.push(decodeWord(elem, word(off + 32 + 32 * i)));
            return out;
        }
        const b = data.slice(off + 32, off + 32 + len);
        return type === 'string' ? new TextDecoder().decode(b) : bytesToHex(b);
    });
}

// The message of a revert with Error(string), or null.
function revertReason(ret) {
    if (ret.length >= 4 && bytesToHex(ret.slice(0, 4)) === '0x08c379a0') {
        return abiDecode(['string'], ret.slice(4))[0];
    }
    return null;
}

// ---- artifacts --------------------------------------------------------------------------

export function loadArtifact(name) {
    const file = path.join(ROOT, 'share', 'contracts', name + '.json');
    return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// ---- the chain --------------------------------------------------------------------------

export class Chain {
    static async create() {
        const common = new C.Common({ chain: C.Mainnet, hardfork: C.Hardfork.Byzantium });
        const chain = new Chain();
        chain.evm = await E.createEVM({ common });
        chain.number = 1n;
        return chain;
    }

    setBlock(n) {
        this.number = BigInt(n);
    }

    block() {
        return {
            header: {
                number: this.number,
                coinbase: U.createZeroAddress(),
                timestamp: 1_600_000_000n + this.number * 15n,
                difficulty: 1n,
                prevRandao: new Uint8Array(32),
                gasLimit: 40_000_000n,
                baseFeePerGas: undefined,
                slotNumber: 0n,
                getBlobGasPrice: () => undefined,
            },
        };
    }

    async fund(address, amount) {
        const a = U.createAddressFromString(address);
        const acct = (await this.evm.stateManager.getAccount(a)) ?? U.createAccount({});
        acct.balance = BigInt(amount);
        await this.evm.stateManager.putAccount(a, acct);
    }

    async balance(address) {
        const acct = await this.evm.stateManager.getAccount(U.createAddressFromString(address));
        return acct ? acct.balance : 0n;
    }

    async code(address) {
        return bytesToHex(await this.evm.stateManager.getCode(U.createAddressFromString(address)));
    }

    // Runs one message; returns {ok, ret (bytes), reason, logs, gasUsed, createdAddress}.
    async run({ from, to, data, value = 0n, gasLimit = 30_000_000n }) {
        const res = await this.evm.runCall({
            caller: U.createAddressFromString(from),
            origin: U.createAddressFromString(from),
            to: to ? U.createAddressFromString(to) : undefined,
            data,
            value: BigInt(value),
            gasLimit: BigInt(gasLimit),
            block: this.block(),
        });
        const r = res.execResult;
        const ok = !r.exceptionError;
        return {
            ok,
            ret: r.returnValue,
            reason: ok ? null : revertReason(r.returnValue) ?? r.exceptionError.error,
            logs: (r.logs ?? []).map(([addr, topics, logData]) => ({
                address: bytesToHex(addr),
                topics: topics.map(bytesToHex),
                data: logData,
            })),
            gasUsed: r.executionGasUsed,
            createdAddress: res.createdAddress ? res.createdAddress.toString() : null,
        };
    }

    // Deploys artifact `name` from `from` with constructor args; returns a Contract.
    async deploy(name, from, args = []) {
        const art = loadArtifact(name);
        const ctor = art.abi.find((e) => e.type === 'constructor');
        const types = ctor ? ctor.inputs.map((i) => i.type) : [];
        const data = U.concatBytes(hexToBytes(art.bytecode), abiEncode(types, args));
        const res = await this.run({ from, data });
        if (!res.ok) throw new Error(`deploy ${name} failed: ${res.reason}`);
        return new Contract(this, art, res.createdAddress);
    }
}

export class Contract {
    constructor(chain, artifact, address) {
        this.chain = chain;
        this.artifact = artifact;
        this.address = address;
    }

    fn(name) {
        const fns = this.artifact.abi.filter((e) => e.type === 'function' && e.name === name);
        if (fns.length !== 1) throw new Error(`${this.artifact.contractName}: ${fns.length} functions named ${name}`);
        return fns[0];
    }

    // Sends a call as a transaction (state changes are kept when it succeeds). Returns the
    // run result plus `out`, the decoded outputs (array), when it succeeded.
    async send(from, name, args = [], value = 0n) {
        const f = this.fn(name);
        const data = U.concatBytes(hexToBytes(selectorOf(signatureOf(f))),
                                   abiEncode(f.inputs.map((i) => i.type), args));
        const res = await this.chain.run({ from, to: this.address, data, value });
        if (res.ok) res.out = abiDecode(f.outputs.map((o) => o.type), res.ret);
        return res;
    }

    // Like send but throws when the call fails; returns the decoded outputs, unwrapped when
    // there is exactly one.
    async call(from, name, args = [], value = 0n) {
        const res = await this.send(from, name, args, value);
        if (!res.ok) throw new Error(`${this.artifact.contractName}.${name} reverted: ${res.reason}`);
        return res.out.length === 1 ? res.out[0] : res.out;
    }

    // Topic0 of event `name` as the artifact's ABI declares it.
    topic(name) {
        const ev = this.artifact.abi.find((e) => e.type === 'event' && e.name === name);
        return keccakHex(signatureOf(ev));
    }

    // Decodes the logs of res that this contract emitted as event `name`.
    events(res, name) {
        const ev = this.artifact.abi.find((e) => e.type === 'event' && e.name === name);
        const t = keccakHex(signatureOf(ev));
        return res.logs
            .filter((l) => l.address === this.address && l.topics[0] === t)
            .map((l) => abiDecode(ev.inputs.map((i) => i.type), l.data));
    }
}
