// ethereumjs_bench.mjs — the @ethereumjs/evm side of the EVM benchmark
// (see README.md; run.sh runs both sides and compares).
//
// For each state-test file given (the format of /work/shared/evm-benchmarks:
// `pre` accounts with code, storage and balances, one `transaction` with
// lists of data/gasLimit/value), and for each data/gas/value combination,
// it builds the pre-state in a SimpleStateManager, then runs the message
// call (evm.runCall: the tx's to, data, value, gas, sender as caller and
// origin, the file's env as block) under the chosen hardfork (Petersburg:
// the rules spectrumd's EVM uses for these programs). Each run starts from
// the same state: a journal checkpoint before, a revert after, outside the
// timed region. Only runCall itself is timed (process.hrtime), after
// warm-up runs that let V8 compile the hot paths.
//
// Output: one JSON line per program, the format run.sh also expects from
// `spectrum-evm bench --json`:
//   {"name": "<test>/<label>", "gas_used": N, "seconds_per_run": S,
//    "mgas_per_s": M, "runs": R, "status": "success"|"revert"|"error",
//    "output_sha256": "<hex>"}
// name: the test's key in the file, "/", then the data label from
//   _info.labels (else the data index); "/g<i>", "/v<i>" are appended only
//   when a file has several gas limits or values.
// gas_used: the transaction's gas, as a receipt counts it: intrinsic gas
//   (21000 + per data byte) + the call's gas − the refund (capped at half
//   the total). "exec_gas" adds the call's gas alone, for information.
// seconds_per_run: the median of the timed runs.
//
// Usage: node ethereumjs_bench.mjs [--fork petersburg] [--warmup 2]
//            [--runs N | --min-time 2.0] [--verbose] FILE.json...
//   --runs N      exactly N timed runs per program;
//   --min-time T  (default) time runs until T seconds are spent, at least 3;
//   --warmup W    untimed runs first (the first also gives gas and output);
//   --verbose     each run's time on stderr.

import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { createHash } from 'node:crypto'

import { Common, Mainnet } from '@ethereumjs/common'
import { createEVM } from '@ethereumjs/evm'
import { SimpleStateManager } from '@ethereumjs/statemanager'
import {
  Account,
  bigIntToBytes,
  bigIntToUnpaddedBytes,
  createAddressFromString,
  hexToBytes,
  setLengthLeft,
} from '@ethereumjs/util'

function usage(msg) {
  if (msg) process.stderr.write(`ethereumjs_bench: ${msg}\n`)
  process.stderr.write(
    'usage: node ethereumjs_bench.mjs [--fork NAME] [--warmup N] [--runs N | --min-time SEC] [--verbose] FILE.json...\n',
  )
  process.exit(2)
}

function parseArgs(argv) {
  const o = { fork: 'petersburg', warmup: 2, runs: 0, minTime: 2.0, verbose: false, files: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--fork') o.fork = next().toLowerCase()
    else if (a === '--warmup') o.warmup = Number(next())
    else if (a === '--runs') o.runs = Number(next())
    else if (a === '--min-time') o.minTime = Number(next())
    else if (a === '-v' || a === '--verbose') o.verbose = true
    else if (a === '-h' || a === '--help') usage()
    else if (a.startsWith('--')) usage(`unknown option ${a}`)
    else o.files.push(a)
  }
  if (!Number.isInteger(o.warmup) || o.warmup < 0) usage('--warmup must be an integer >= 0')
  if (!Number.isInteger(o.runs) || o.runs < 0) usage('--runs must be an integer >= 0')
  if (!(o.minTime > 0)) usage('--min-time must be > 0')
  if (o.files.length === 0) usage('no benchmark files given')
  return o
}

const big = (hex) => BigInt(hex === '0x' || hex === '' ? 0 : hex)
const bytes = (hex) => hexToBytes(hex.startsWith('0x') ? hex : `0x${hex}`)

// The programs of one state-test file: one per data/gas/value combination.
function programs(file) {
  const doc = JSON.parse(readFileSync(file, 'utf8'))
  const out = []
  for (const [testName, t] of Object.entries(doc)) {
    const tx = t.transaction
    const labels = (t._info && t._info.labels) || {}
    for (let d = 0; d < tx.data.length; d++) {
      for (let g = 0; g < tx.gasLimit.length; g++) {
        for (let v = 0; v < tx.value.length; v++) {
          let name = `${testName}/${labels[String(d)] ?? d}`
          if (tx.gasLimit.length > 1) name += `/g${g}`
          if (tx.value.length > 1) name += `/v${v}`
          out.push({
            name,
            file: basename(file),
            pre: t.pre,
            env: t.env,
            to: tx.to,
            sender: tx.sender,
            gasPrice: tx.gasPrice ?? tx.maxFeePerGas ?? '0x0',
            data: tx.data[d],
            gasLimit: big(tx.gasLimit[g]),
            value: big(tx.value[v]),
          })
        }
      }
    }
  }
  return out
}

async function setup(p, common) {
  const stateManager = new SimpleStateManager()
  for (const [addrHex, acc] of Object.entries(p.pre)) {
    const addr = createAddressFromString(addrHex)
    await stateManager.putAccount(addr, new Account(big(acc.nonce), big(acc.balance)))
    const code = bytes(acc.code || '0x')
    if (code.length > 0) await stateManager.putCode(addr, code)
    for (const [k, val] of Object.entries(acc.storage || {})) {
      const key = setLengthLeft(bigIntToBytes(big(k)), 32)
      await stateManager.putStorage(addr, key, bigIntToUnpaddedBytes(big(val)))
    }
  }
  const evm = await createEVM({ common, stateManager })
  const e = p.env
  const block = {
    header: {
      number: big(e.currentNumber),
      coinbase: createAddressFromString(e.currentCoinbase),
      timestamp: big(e.currentTimestamp),
      difficulty: big(e.currentDifficulty ?? '0x0'),
      prevRandao: setLengthLeft(bytes(e.currentRandom ?? '0x'), 32),
      gasLimit: big(e.currentGasLimit),
      baseFeePerGas: undefined,
      getBlobGasPrice: () => undefined,
    },
  }
  const caller = createAddressFromString(p.sender)
  const opts = {
    caller,
    origin: caller,
    to: createAddressFromString(p.to),
    data: bytes(p.data),
    value: p.value,
    gasLimit: p.gasLimit,
    gasPrice: big(p.gasPrice),
    block,
  }
  return { evm, opts }
}

// One call from the pre-state; returns [seconds, result].
async function once(evm, opts) {
  await evm.journal.cleanup()
  await evm.journal.checkpoint()
  const t0 = process.hrtime.bigint()
  const res = await evm.runCall(opts)
  const t1 = process.hrtime.bigint()
  await evm.journal.revert()
  return [Number(t1 - t0) / 1e9, res]
}

// The transaction's gas after refunds under `common`'s rules (a call, not
// a create): EIP-2028 made non-zero data bytes 16 from Istanbul, EIP-3529
// capped refunds at 1/5 from London. These tx-level constants live in
// @ethereumjs/tx, not in Common, so they are spelled out here.
function txGasUsed(common, data, execGas, refund) {
  let intrinsic = 21000n
  const nonZero = common.gteHardfork('istanbul') ? 16n : 68n
  for (const b of data) intrinsic += b === 0 ? 4n : nonZero
  const total = intrinsic + execGas
  const quotient = common.gteHardfork('london') ? 5n : 2n
  const cap = total / quotient
  return total - (refund < cap ? refund : cap)
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

async function main() {
  const o = parseArgs(process.argv.slice(2))
  let common
  try {
    common = new Common({ chain: Mainnet, hardfork: o.fork })
  } catch (e) {
    usage(`unknown hardfork ${o.fork}: ${e.message}`)
  }
  let failed = false
  for (const file of o.files) {
    for (const p of programs(file)) {
      const { evm, opts } = await setup(p, common)
      // The first run is the first warm-up and gives the gas and output.
      const [, res] = await once(evm, opts)
      const exec = res.execResult
      const gasUsed = exec.executionGasUsed
      const txGas = txGasUsed(common, opts.data, gasUsed, exec.gasRefund ?? 0n)
      const status = exec.exceptionError
        ? exec.exceptionError.error === 'revert'
          ? 'revert'
          : 'error'
        : 'success'
      if (status === 'error') {
        failed = true
        process.stderr.write(`ethereumjs_bench: ${p.name}: ${exec.exceptionError.error}\n`)
      }
      const outputSha = createHash('sha256').update(exec.returnValue).digest('hex')
      for (let i = 1; i < o.warmup; i++) await once(evm, opts)
      const times = []
      let spent = 0
      while (o.runs ? times.length < o.runs : spent < o.minTime || times.length < 3) {
        const [t, r] = await once(evm, opts)
        if (r.execResult.executionGasUsed !== gasUsed) {
          const g = r.execResult.executionGasUsed
          throw new Error(`${p.name}: gas differs between runs (${g} vs ${gasUsed}): state not reset`)
        }
        times.push(t)
        spent += t
        if (o.verbose) {
          const heap = (process.memoryUsage().heapUsed / 1048576).toFixed(1)
          process.stderr.write(`${p.name}: run ${times.length}: ${t.toFixed(6)} s, heap ${heap} MiB\n`)
        }
      }
      const spr = median(times)
      const line = {
        name: p.name,
        gas_used: Number(txGas),
        seconds_per_run: spr,
        mgas_per_s: Number(txGas) / spr / 1e6,
        exec_gas: Number(gasUsed),
        runs: times.length,
        status,
        output_sha256: outputSha,
      }
      process.stdout.write(`${JSON.stringify(line)}\n`)
    }
  }
  process.exit(failed ? 1 : 0)
}

main().catch((e) => {
  process.stderr.write(`ethereumjs_bench: ${e.stack || e}\n`)
  process.exit(1)
})
