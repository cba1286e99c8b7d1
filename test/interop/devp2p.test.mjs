// devp2p.test.mjs: a peer written with @ethereumjs/devp2p (another implementation of RLPx and
// the eth protocol, from npm) against spectrumd's p2p port: the RLPx handshake, Hello, Status
// with our genesis, and answers to GetBlockHeaders and GetBlockBodies that match the blocks
// the node serves over JSON-RPC.
//
// Why it is shaped this way: our own unit tests check the transport against the EIP-8 vectors
// and our own peer; only a foreign implementation shows that the bytes on the wire are the
// ones other clients speak (frame MACs, snappy, capability offsets, message shapes). The node
// listens on 127.0.0.1 only, with discovery off; this peer dials it directly and nothing else
// is contacted.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { RLPx, ETH, EthMessageCodes } from '@ethereumjs/devp2p';
import { createCustomCommon, Mainnet } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { Node, freePort, hasOption } from './lib/node.mjs';

const hex = (b) => '0x' + Buffer.from(b).toString('hex');
const bytes = (h) => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const bigBytes = (n) => (n === 0n ? new Uint8Array() : bytes(n.toString(16).padStart(n.toString(16).length + (n.toString(16).length % 2), '0')));

// Waits for `emitter` to emit `event` (resolves with its arguments), at most ms.
function once(emitter, event, ms, filter = () => true) {
    return new Promise((resolve, reject) => {
        const t = setTimeout(() => { emitter.off(event, on); reject(new Error(`no ${event} within ${ms} ms`)); }, ms);
        function on(...args) {
            if (!filter(...args)) return;
            clearTimeout(t);
            emitter.off(event, on);
            resolve(args);
        }
        emitter.on(event, on);
    });
}

describe('a @ethereumjs/devp2p peer', { skip: !hasOption('-port') && 'spectrumd has no p2p (-port) yet' }, () => {
    let node, port, info, nodeId, rlpx, peer, eth, status;
    const BLOCKS = 12;

    before(async () => {
        port = await freePort();
        node = await Node.start(['-listen=1', `-port=${port}`, '-bind=127.0.0.1', '-nodiscover', '-maxpeers=4']);
        await node.rpc('generate', [BLOCKS], { auth: true });
        info = await node.rpc('admin_nodeInfo', [], { auth: true });
        const chainId = BigInt(await node.rpc('net_version'));
        const common = createCustomCommon({ chainId: Number(chainId) }, Mainnet);
        rlpx = new RLPx(crypto.randomBytes(32), {
            maxPeers: 1, capabilities: [ETH.eth63, ETH.eth62], common, listenPort: null, timeout: 10_000,
        });
        const added = once(rlpx.events, 'peer:added', 15_000);
        // The node id is the public key in the enode URL (admin_nodeInfo.id is its hash).
        const m = /^enode:\/\/([0-9a-f]{128})@/.exec(info.enode);
        assert.ok(m, `admin_nodeInfo.enode: ${info.enode}`);
        nodeId = m[1];
        const id = bytes(nodeId);
        await rlpx.connect({ id, address: '127.0.0.1', tcpPort: port });
        [peer] = await added;
        eth = peer.getProtocols().find((p) => p instanceof ETH);
    });

    after(async () => {
        try { rlpx?.destroy(); } catch { /* already closed */ }
        await node?.stop();
    });

    it('completes the RLPx handshake and Hello, agreeing on eth/63', () => {
        assert.ok(eth, 'no eth protocol negotiated');
        assert.equal(eth.getVersion(), 63);
        const hello = peer._hello;
        assert.equal(hello.protocolVersion, 5);
        assert.match(hello.clientId, /^spectrumd\//);
        assert.deepEqual(hello.capabilities.filter((c) => c.name === 'eth').map((c) => c.version).sort(), [62, 63]);
        assert.equal(hex(hello.id), '0x' + nodeId);
    });

    it('exchanges Status carrying our genesis, network id and head', async () => {
        const genesis = await node.rpc('eth_getBlockByNumber', ['0x0', false]);
        const head = await node.rpc('eth_getBlockByNumber', ['latest', false]);
        const got = once(eth.events, 'status', 10_000);
        eth.sendStatus({ td: bigBytes(BigInt(genesis.totalDifficulty)), bestHash: bytes(genesis.hash), genesisHash: bytes(genesis.hash) });
        [status] = await got;
        assert.equal(hex(status.genesisHash), genesis.hash);
        assert.equal(hex(status.bestHash), head.hash);
        assert.equal(BigInt(hex(status.td)), BigInt(head.totalDifficulty));
    });

    it('answers GetBlockHeaders (by number, skip and reverse) with the served headers', async () => {
        const reply = once(eth.events, 'message', 10_000, (code) => code === EthMessageCodes.BLOCK_HEADERS);
        eth.sendMessage(EthMessageCodes.GET_BLOCK_HEADERS, [bigBytes(2n), bigBytes(4n), bigBytes(1n), bigBytes(0n)]);
        const [, headers] = await reply;
        assert.equal(headers.length, 4);
        const numbers = [2, 4, 6, 8];
        for (let i = 0; i < 4; i++) {
            const want = await node.rpc('eth_getBlockByNumber', ['0x' + numbers[i].toString(16), false]);
            assert.equal(BigInt(hex(headers[i][8])), BigInt(numbers[i]));        // number
            assert.equal(hex(headers[i][0]), want.parentHash);                   // parentHash
            assert.equal(hex(headers[i][3]), want.stateRoot);                    // stateRoot
        }
        const back = once(eth.events, 'message', 10_000, (code) => code === EthMessageCodes.BLOCK_HEADERS);
        const headHash = bytes((await node.rpc('eth_getBlockByNumber', ['latest', false])).hash);
        eth.sendMessage(EthMessageCodes.GET_BLOCK_HEADERS, [headHash, bigBytes(3n), bigBytes(0n), bigBytes(1n)]);
        const [, rev] = await back;
        assert.deepEqual(rev.map((h) => Number(BigInt(hex(h[8])))), [BLOCKS, BLOCKS - 1, BLOCKS - 2]);
    });

    it('answers GetBlockBodies with the blocks\' transactions, unknown hashes skipped', async () => {
        const b = await node.rpc('eth_getBlockByNumber', ['0x5', false]);
        const reply = once(eth.events, 'message', 10_000, (code) => code === EthMessageCodes.BLOCK_BODIES);
        eth.sendMessage(EthMessageCodes.GET_BLOCK_BODIES, [bytes(b.hash), new Uint8Array(32).fill(7)]);
        const [, bodies] = await reply;
        assert.equal(bodies.length, 1);
        const [txs, uncles] = bodies[0];
        assert.equal(uncles.length, 0);
        // The body is the stored block's: compare with the raw block the node serves over
        // RPC (its transactions, the chief update tx of block 5 included).
        const raw = RLP.decode(bytes(await node.rpc('debug_getRawBlock', ['0x5'], { auth: true })));
        assert.ok(txs.length >= 1);
        assert.deepEqual(txs.map((t) => hex(RLP.encode(t))), raw[1].map((t) => hex(RLP.encode(t))));
    });
});
