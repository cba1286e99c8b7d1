// common.mjs: what every interop test file shares: the regtest dev keys, a record of the
// JSON-RPC exchanges a client library made, and `step`, which adds that record to a failure.
//
// Why it is shaped this way: when a library call fails against the node, the library's own
// error rarely says which request the node got wrong, and the fix is always in the node. So
// every provider a test makes records its last exchanges (ethers reports them through its
// "debug" event; web3's providers are wrapped), and a failing step prints them: the report
// then shows the exact request and reply to compare with geth's.
import { keccak256, toUtf8Bytes, computeAddress } from 'ethers';
import { it } from 'node:test';

// Dev account i's key is keccak256("spectrumd regtest dev account " ‖ decimal(i))
// (doc/regtest.md; the keys are public, for test use only). Account 0's address is pinned
// here from the table there, so a change of the formula shows at once.
export const DEV_KEYS = Array.from({ length: 10 }, (_, i) => keccak256(toUtf8Bytes(`spectrumd regtest dev account ${i}`)));
export const DEV_ADDRESSES = DEV_KEYS.map((k) => computeAddress(k));
if (DEV_ADDRESSES[0] !== '0x0311aeB8DE32B9385E7cf31AB5C7225894c46645') {
    throw new Error(`dev account 0 derives to ${DEV_ADDRESSES[0]}, not the address of doc/regtest.md`);
}

export const ETHER = 10n ** 18n;
const KEEP = 16;   // exchanges kept
const CUT = 600;   // characters kept of each

// The last exchanges of the providers attached to it, oldest first.
export class Recorder {
    constructor() {
        this.items = [];
        this.sent = new Map();     // JSON-RPC id -> method, for answered()
        this.answers = new Map();  // method -> number of replies seen
    }

    // How many replies (results or errors) to `method` were seen.
    answered(method) {
        return this.answers.get(method) || 0;
    }

    #note(kind, value) {
        for (const m of [value].flat()) {
            if (!m || typeof m !== 'object') continue;
            if (kind === '>' && m.method) this.sent.set(m.id, m.method);
            if (kind !== '>' && this.sent.has(m.id)) {
                const method = this.sent.get(m.id);
                this.answers.set(method, (this.answers.get(method) || 0) + 1);
            }
        }
    }

    add(kind, value) {
        this.#note(kind, value);
        let text = `${kind} ${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
        if (text.length > CUT) text = text.slice(0, CUT) + ` ...(${text.length} chars)`;
        this.items.push(text);
        if (this.items.length > KEEP) this.items.shift();
        if (process.env.INTEROP_TRACE) process.stderr.write(`[rpc] ${this.items[this.items.length - 1]}\n`);
    }

    // Records an ethers provider's exchanges (its "debug" events).
    watchEthers(provider) {
        provider.on('debug', (ev) => {
            if (ev.action === 'sendRpcPayload') this.add('>', ev.payload);
            else if (ev.action === 'receiveRpcResult') this.add('<', ev.result);
            else if (ev.action === 'receiveRpcError') this.add('< error', ev.error?.message || ev.error);
        });
        return provider;
    }

    // Records a web3.js provider's exchanges by wrapping its request().
    watchWeb3(provider) {
        const request = provider.request.bind(provider);
        provider.request = async (payload, ...rest) => {
            this.add('>', payload);
            try {
                const reply = await request(payload, ...rest);
                this.add('<', reply);
                return reply;
            } catch (e) {
                this.add('< thrown', e?.message || String(e));
                throw e;
            }
        };
        return provider;
    }

    // Forgets the exchanges so far (each step starts afresh).
    clear() {
        this.items = [];
    }

    dump() {
        return this.items.length ? 'last JSON-RPC exchanges:\n  ' + this.items.join('\n  ') : '(no JSON-RPC exchange recorded)';
    }
}

// step(rec, name, [opts,] fn): it(name, fn) whose failure message ends with the recorder's
// exchanges of this step. opts.requires: a function that returns why the step cannot run (a state an earlier step
// failed to make), or null; the step then fails at once with that reason.
export function step(rec, name, opts, fn) {
    if (typeof opts === 'function') [opts, fn] = [{}, opts];
    const { requires, ...itOpts } = opts;
    it(name, { timeout: 60_000, ...itOpts }, async (t) => {
        const missing = requires ? requires() : null;
        if (missing) throw new Error(`not run: ${missing}`);
        rec.clear();
        try {
            await fn(t);
        } catch (e) {
            const extra = '\n' + rec.dump();
            try {
                e.message += extra;
            } catch {
                throw new Error(String(e) + extra, { cause: e });
            }
            throw e;
        }
    });
}

// Resolves with the first value `fn` produces that passes `ok`, polling every 100 ms.
export async function waitFor(what, fn, ok = (v) => v, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (ok(v)) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(v)})`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

// Rejects after `ms` unless `promise` settles first.
export function within(ms, what, promise) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
