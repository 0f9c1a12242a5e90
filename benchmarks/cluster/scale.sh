#!/usr/bin/env bash
# 1 vs N silos on loopback (docs/PERFORMANCE.md "Cluster scale"): starts N Silo processes in cluster mode on a
# throw-away PostgreSQL (tests/postgres.sh), then runs one `bench write` and later one `bench read` per silo gateway at
# once, on one topic, and prints the summed rates. Build first: dotnet build -c Release.
#
#   bash benchmarks/cluster/scale.sh 1 3          # a cluster of 1, then of 3, in one sitting
#
# Environment: RUNFOR (default 10s), SIZE (200), BATCH (200), MEMQ (--mem-queue-size, default 10000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
runfor="${RUNFOR:-10s}"; size="${SIZE:-200}"; batch="${BATCH:-200}"; memq="${MEMQ:-10000}"
silo_dll="$root/Silo/bin/Release/net10.0/OrleansNsq.Silo.dll"
tools_dll="$root/Tools/bin/Release/net10.0/OrleansNsq.Tools.dll"
[ -f "$silo_dll" ] && [ -f "$tools_dll" ] || { echo "build first: dotnet build -c Release" >&2; exit 2; }
source tests/postgres.sh
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; stop_test_postgres; rm -rf "$work"; }
trap cleanup EXIT
start_test_postgres >/dev/null

rate() { grep -oE '[0-9.]+ops/s' "$1" | head -1 | sed 's/ops.s//'; }

for n in "$@"; do
  cluster="scale$n$RANDOM"
  pids=()
  for i in $(seq 1 "$n"); do
    base=$((24000 + 10 * i))
    dotnet "$silo_dll" --cluster postgres --cluster-connection "$ORLEANSNSQ_TEST_POSTGRES" --cluster-id "$cluster" \
      --advertised-ip 127.0.0.1 --broadcast-address 127.0.0.1 --silo-port $((base + 5)) --gateway-port $((base + 6)) \
      --tcp-address 127.0.0.1:$base --http-address 127.0.0.1:$((base + 1)) --lookupd-http-address 127.0.0.1:$((base + 2)) \
      --lookupd-tcp-listen-address 127.0.0.1:$((base + 3)) --admin-http-address 127.0.0.1:$((base + 4)) --mem-queue-size "$memq" >"$work/silo$n-$i.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 300); do [ "$(curl -s 127.0.0.1:$((base + 1))/ping)" = OK ] && break; sleep 0.2; done
  done
  curl -s -X POST "127.0.0.1:24011/topic/create?topic=scale" >/dev/null
  curl -s -X POST "127.0.0.1:24011/channel/create?topic=scale&channel=ch" >/dev/null
  sleep 2
  for phase in write read; do
    bench=()
    for i in $(seq 1 "$n"); do
      base=$((24000 + 10 * i))
      extra=(); [ $phase = write ] && extra=(--batch-size "$batch") || extra=(--rdy 2500 --channel ch)
      dotnet "$tools_dll" bench $phase --nsqd-tcp-address 127.0.0.1:$base --topic scale --runfor "$runfor" --size "$size" "${extra[@]}" \
        >"$work/$phase$n-$i.out" 2>&1 &
      bench+=($!)
    done
    wait "${bench[@]}"
    total=0
    for i in $(seq 1 "$n"); do total=$(python3 -c "print(int($total + float('$(rate "$work/$phase$n-$i.out")' or 0)))"); done
    echo "silos=$n $phase: $total msgs/s (sum of $n bench $phase, one per gateway)"
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
done
