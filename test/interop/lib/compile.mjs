// compile.mjs: compiles test/interop/contracts/*.sol with solc from npm (soljson, run by Node
// itself) for the EVM that a regtest spectrumd runs, and checks the opcodes of the result.
//
// Why it is shaped this way: regtest runs Spectrum's SIP004 rules from block 0, which is
// Byzantium plus CHAINID and SELFBALANCE only (spec §6.6). solc 0.8 defaults to a much newer
// EVM and would emit PUSH0, SHL/SHR and MCOPY, which the node rejects as invalid opcodes, so
// evmVersion "byzantium" is not optional, and `forbiddenOpcodes` proves that the compiler kept
// to it (a wrong setting would otherwise show up later as an unexplained revert). Each test file
// compiles for itself: the compile takes about a second and keeps the files independent.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const solc = require('solc');

export const CONTRACTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'contracts');

export const SETTINGS = {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'byzantium',
};

// Opcodes that came after Byzantium and that SIP004 does not add (CHAINID 0x46 and
// SELFBALANCE 0x47 are the two it does add).
export const FORBIDDEN = new Map([
    [0x1b, 'SHL'], [0x1c, 'SHR'], [0x1d, 'SAR'], [0x3f, 'EXTCODEHASH'], [0xf5, 'CREATE2'],
    [0x48, 'BASEFEE'], [0x49, 'BLOBHASH'], [0x4a, 'BLOBBASEFEE'], [0x5c, 'TLOAD'],
    [0x5d, 'TSTORE'], [0x5e, 'MCOPY'], [0x5f, 'PUSH0'],
]);

// solc >= 0.8.26 warns that EVM versions before Constantinople are deprecated. Byzantium is
// still fully supported and is what the chain runs, so that one warning is expected.
const DEPRECATED_EVM = /^Support for EVM versions older than constantinople is deprecated/;

// Compiles one contract file for `evmVersion` (byzantium unless a test asks otherwise);
// returns {abi, bytecode, deployedBytecode, solcVersion} of the contract named like the file.
// Throws with solc's messages on any error or warning (but the one above).
export function compile(name, evmVersion = SETTINGS.evmVersion) {
    const file = name + '.sol';
    const input = {
        language: 'Solidity',
        sources: { [file]: { content: fs.readFileSync(path.join(CONTRACTS_DIR, file), 'utf8') } },
        settings: {
            ...SETTINGS,
            evmVersion,
            outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
        },
    };
    const out = JSON.parse(solc.compile(JSON.stringify(input)));
    const problems = (out.errors || []).filter((e) =>
        e.severity === 'error' || (e.severity === 'warning' && !DEPRECATED_EVM.test(e.message)));
    if (problems.length > 0) {
        throw new Error('solc: ' + problems.map((e) => e.formattedMessage || e.message).join('\n'));
    }
    const c = out.contracts[file][name];
    return {
        abi: c.abi,
        bytecode: '0x' + c.evm.bytecode.object,
        deployedBytecode: '0x' + c.evm.deployedBytecode.object,
        solcVersion: solc.version(),
    };
}

// Runtime code without the CBOR metadata that solc appends (its length is in the last 2 bytes).
export function stripMetadata(hex) {
    const code = Buffer.from(hex.replace(/^0x/, ''), 'hex');
    const len = code.readUInt16BE(code.length - 2);
    if (len + 2 > code.length) throw new Error('code has no CBOR metadata trailer');
    return code.subarray(0, code.length - len - 2);
}

// The names of the forbidden opcodes that `code` (a Buffer, no metadata) executes, walking
// it instruction by instruction so that PUSH data is skipped.
export function forbiddenOpcodes(code) {
    const found = new Set();
    for (let pc = 0; pc < code.length; pc++) {
        const op = code[pc];
        if (FORBIDDEN.has(op)) found.add(FORBIDDEN.get(op));
        if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
    }
    return [...found];
}

// The constructor part of creation code: everything before the runtime code it carries.
export function initCode(artifact) {
    const at = artifact.bytecode.indexOf(artifact.deployedBytecode.slice(2));
    if (at < 2 || at % 2 !== 0) throw new Error('creation code does not contain the runtime code');
    return Buffer.from(artifact.bytecode.slice(2, at), 'hex');
}
