// node.mjs: one fresh regtest spectrumd for a test file: start, raw JSON-RPC, stop.
//
// Why it is shaped this way: the interop tests judge the node by what unmodified client
// libraries do against it, so each test file gets its own node on a new data directory (no
// state left over from another file) with its own free loopback ports for HTTP and
// WebSocket, and never any peer: when the binary has p2p options they are switched off, read
// from its -help as the Python functional tests do. The binary is found as the functional
// tests find it: $SPECTRUM_BINDIR (contrib/interop.sh sets it from the build directory), else
// the source root where contrib/setup.sh links the programs.
//
// INTEROP_RPC_URL (and INTEROP_WS_URL) point the tests at a node that is already running
// instead, for example a geth --dev or a hardhat node set up with the regtest chain id and dev
// accounts, to check the tests themselves against another client. INTEROP_KEEP=1 keeps the
// data directory of a passing run.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHAIN_ID = 1397769539n; // 0x53504543, "SPEC" (doc/regtest.md)
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

// A loopback TCP port that was free a moment ago.
export function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

// The spectrumd program the tests run.
export function binaryPath() {
    return path.join(path.resolve(process.env.SPECTRUM_BINDIR || ROOT), 'spectrumd');
}

const helpCache = new Map();
function helpText(binary) {
    if (!helpCache.has(binary)) {
        helpCache.set(binary, spawnSync(binary, ['-help'], { encoding: 'utf8', timeout: 30_000 }).stdout || '');
    }
    return helpCache.get(binary);
}

// Whether the program offers an option (e.g. "-relayer"), from its -help; false when the
// tests run against an external node.
export function hasOption(opt) {
    if (process.env.INTEROP_RPC_URL) return false;
    const help = helpText(binaryPath());
    return help.includes(`\n  ${opt}\n`) || help.includes(`\n  ${opt}=`) || help.includes(`\n  ${opt}[`);
}

// The options that keep the node off the network, among those the binary offers.
function isolationArgs(binary) {
    const help = helpText(binary);
    const want = [];
    for (const [opt, arg] of [['-listen', '-listen=0'], ['-nodiscover', '-nodiscover'],
        ['-discover', '-discover=0'], ['-dnsseed', '-dnsseed=0'], ['-maxpeers', '-maxpeers=0']]) {
        if (help.includes(`\n  ${opt}\n`) || help.includes(`\n  ${opt}=`) || help.includes(`\n  ${opt}[`)) {
            want.push(arg);
        }
    }
    return want;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Node {
    constructor() {
        this.process = null;
        this.exited = null; // {code, signal} once the process is gone
        this.rpcId = 0;
    }

    // Starts a node (or adopts INTEROP_RPC_URL) and resolves once eth_chainId answers.
    static async start(extraArgs = []) {
        const node = new Node();
        if (process.env.INTEROP_RPC_URL) {
            node.url = process.env.INTEROP_RPC_URL;
            node.wsUrl = process.env.INTEROP_WS_URL || null;
            node.external = true;
            return node;
        }
        node.external = false;
        node.binary = binaryPath();
        if (!fs.existsSync(node.binary)) {
            throw new Error(`${node.binary} not found: build first, or set SPECTRUM_BINDIR to the build directory`);
        }
        node.datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'spectrumd-interop-'));
        node.netdir = path.join(node.datadir, 'regtest');
        node.rpcPort = await freePort();
        node.wsPort = await freePort();
        node.url = `http://127.0.0.1:${node.rpcPort}`;
        node.wsUrl = `ws://127.0.0.1:${node.wsPort}`;
        const args = ['-regtest', `-datadir=${node.datadir}`, '-printtoconsole=0',
            `-rpcport=${node.rpcPort}`, `-wsport=${node.wsPort}`,
            ...isolationArgs(node.binary), ...extraArgs];
        const out = fs.openSync(path.join(node.datadir, 'stdout.txt'), 'w');
        const err = fs.openSync(path.join(node.datadir, 'stderr.txt'), 'w');
        node.process = spawn(node.binary, args, { stdio: ['ignore', out, err] });
        fs.closeSync(out);
        fs.closeSync(err);
        node.process.on('exit', (code, signal) => { node.exited = { code, signal }; });
        const deadline = Date.now() + START_TIMEOUT_MS;
        for (;;) {
            if (node.exited) {
                throw new Error(`spectrumd exited during start (${JSON.stringify(node.exited)}): ${node.stderr()}`);
            }
            try {
                const r = await node.call('eth_chainId', []);
                if (r.result) break;
            } catch (e) {
                // not listening yet
            }
            if (Date.now() > deadline) {
                await node.stop().catch(() => {});
                throw new Error('spectrumd did not answer eth_chainId within 60 s');
            }
            await sleep(100);
        }
        return node;
    }

    stderr() {
        try {
            return fs.readFileSync(path.join(this.datadir, 'stderr.txt'), 'utf8').slice(-2000);
        } catch {
            return '';
        }
    }

    // [user, password] from the cookie file (INTEROP_RPC_AUTH="user:password" for an
    // external node), or null.
    credentials() {
        let up = null;
        if (this.external) {
            up = process.env.INTEROP_RPC_AUTH || null;
        } else {
            try {
                up = fs.readFileSync(path.join(this.netdir, '.cookie'), 'utf8').trim();
            } catch {
                up = null;
            }
        }
        if (!up || !up.includes(':')) return null;
        const at = up.indexOf(':');
        return [up.slice(0, at), up.slice(at + 1)];
    }

    // "Basic ..." for credentials(), or null.
    authHeader() {
        const c = this.credentials();
        return c ? 'Basic ' + Buffer.from(c.join(':')).toString('base64') : null;
    }

    // One JSON-RPC call over HTTP; resolves to the whole reply object ({result} or {error}),
    // so that a test can show the exact exchange. auth: send the cookie.
    async call(method, params = [], { auth = false } = {}) {
        const headers = { 'Content-Type': 'application/json' };
        if (auth) {
            const h = this.authHeader();
            if (h) headers.Authorization = h;
        }
        const body = JSON.stringify({ jsonrpc: '2.0', id: ++this.rpcId, method, params });
        const res = await fetch(this.url, { method: 'POST', headers, body });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`HTTP ${res.status} for ${body}: ${text}`);
        return JSON.parse(text);
    }

    // Like call(), but returns the result and throws (with the exchange) on an error reply.
    async rpc(method, params = [], opts = {}) {
        const r = await this.call(method, params, opts);
        if (r.error) {
            const e = new Error(`${method} ${JSON.stringify(params)} -> ${JSON.stringify(r.error)}`);
            e.rpcError = r.error;
            throw e;
        }
        return r.result;
    }

    // Whether a method exists: anything but -32601 "does not exist/is not available" counts.
    async hasMethod(method, params = [], opts = {}) {
        const r = await this.call(method, params, opts);
        return !(r.error && r.error.code === -32601);
    }

    // SIGTERM, then waits for exit code 0; the data directory goes unless INTEROP_KEEP is set
    // (or the stop failed, so that its debug.log can be read).
    async stop() {
        if (this.external || !this.process) return;
        if (!this.exited) this.process.kill('SIGTERM');
        const deadline = Date.now() + STOP_TIMEOUT_MS;
        while (!this.exited && Date.now() < deadline) await sleep(50);
        if (!this.exited) {
            this.process.kill('SIGKILL');
            throw new Error(`spectrumd did not stop within 30 s of SIGTERM; data in ${this.datadir}`);
        }
        if (this.exited.code !== 0) {
            throw new Error(`spectrumd exited with ${JSON.stringify(this.exited)}; data in ${this.datadir}: ${this.stderr()}`);
        }
        if (!process.env.INTEROP_KEEP) fs.rmSync(this.datadir, { recursive: true, force: true });
    }
}
