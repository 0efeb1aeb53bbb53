#!/usr/bin/env bash
# Load a real Asterisk 22 and the hotline service with sipp: N seat phones register and answer, callers
# dial 12345 at a given rate, and the run reports answered, abandoned and setup times.
#
#   scripts/loadtest/run.sh --cps 5 --concurrency 50 --duration 60 --asterisk 127.0.0.1 \
#     [--seats 10] [--seats-csv /var/lib/hotline/seats.csv] [--hold 20] [--ring 1000] [--patience 10] \
#     [--service http://127.0.0.1:8090] [--db ./hotline.sqlite] [--line 12345] [--out test-artifacts/loadtest]
#
# Loopback only: callers send from 127.0.0.1 (the trunk's address in the one-host layout of
# config/README.md), seat phones from 127.0.0.2. Every sipp runs under `timeout`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cps=5 concurrency=50 duration=60 asterisk=127.0.0.1 seats=10 hold=20 ring=1000 patience=10
seats_csv=${ASTERISK_SEATS_CSV:-/var/lib/hotline/seats.csv}
service=http://127.0.0.1:8090 db=${HOTLINE_DB:-$root/hotline.sqlite} line=12345
out=$root/test-artifacts/loadtest/$(date +%Y%m%d-%H%M%S)

usage() { sed -n '2,10p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage
  case $1 in
    --cps) cps=$2 ;; --concurrency) concurrency=$2 ;; --duration) duration=$2 ;; --asterisk) asterisk=$2 ;;
    --seats) seats=$2 ;; --seats-csv) seats_csv=$2 ;; --hold) hold=$2 ;; --ring) ring=$2 ;; --patience) patience=$2 ;;
    --service) service=$2 ;; --db) db=$2 ;; --line) line=$2 ;; --out) out=$2 ;;
    *) usage ;;
  esac
  shift 2
done

die() { echo "loadtest: $*" >&2; exit 1; }
for n in "$cps" "$concurrency" "$duration" "$seats" "$hold" "$ring" "$patience"; do
  [[ "$n" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "not a number: $n"
done
[[ "$asterisk" =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--asterisk must be a loopback address (127.x.x.x)"
[[ "$service" =~ ^http://(127\.[0-9.]+|localhost)(:[0-9]+)?$ ]] || die "--service must be on loopback"
(( seats >= 1 && seats <= 200 )) || die "--seats must be 1..200"
(( duration >= 1 && duration <= 3600 )) || die "--duration must be 1..3600 s"
command -v sipp >/dev/null || die "sipp not found (apt-get install sip-tester)"
[ -r "$seats_csv" ] || die "seats CSV not readable: $seats_csv"
[ -r "$db" ] || die "service database not readable: $db (pass --db, the service's HOTLINE_DB)"
curl_health=$(node -e "fetch('$service/health').then(r=>r.json()).then(b=>console.log(b.ari?'ok':'no-ari'),()=>console.log('down'))")
[ "$curl_health" = ok ] || die "the service at $service is not connected to Asterisk ($curl_health)"

mkdir -p "$out"
total=$(node -e "console.log(Math.max(1, Math.round($cps * $duration)))")
run_secs=$(( duration + hold + patience + 30 ))
since=$(node -e 'console.log(Date.now())')
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$out/tokens" ] && (cd "$root" && npx tsx "$here/agents.ts" teardown --url "$service" --tokens "$out/tokens") || true
  rm -f "$out/tokens"
}
trap cleanup EXIT

sed "s/PATIENCE_MS/$(( patience * 1000 ))/" "$here/caller.xml" > "$out/caller.xml"
sed "s/RING_MS/$ring/g" "$here/agent-phone.xml" > "$out/agent-phone.xml"
cp "$here/agent-register.xml" "$out/agent-register.xml"

echo "registering $seats seat phones from 127.0.0.2"
i=0
while IFS=, read -r seat username secret; do
  [ "$seat" = seat ] && continue
  i=$(( i + 1 )); (( i > seats )) && break
  port=$(( 5200 + i ))
  mkdir -p "$out/seat-$seat"
  ( cd "$out/seat-$seat" && exec timeout $(( run_secs + 30 )) sipp "$asterisk:5060" -sf ../agent-register.xml -oocsf ../agent-phone.xml \
      -i 127.0.0.2 -p "$port" -s "$username" -au "$username" -ap "$secret" -m 1 -d $(( (run_secs + 10) * 1000 )) \
      -nostdin -trace_err >/dev/null 2>&1 ) &
  pids+=("$!")
done < "$seats_csv"
sleep 3

echo "agents: accounts, seats, ready"
(cd "$root" && npx tsx "$here/agents.ts" setup --db "$db" --url "$service" --seats-csv "$seats_csv" --count "$seats" --out "$out/tokens")

echo "calling $line: $cps calls/s, at most $concurrency at once, $total calls, hold ${hold}s"
(
  cd "$out" && timeout "$run_secs" sipp "$asterisk:5060" -sf caller.xml -s "$line" -i 127.0.0.1 -p 5071 \
    -r "$cps" -l "$concurrency" -m "$total" -d $(( hold * 1000 )) -nostdin \
    -trace_stat -stf caller-stat.csv -fd 5 -trace_rtt -rtt_freq 1 -trace_err -trace_screen >/dev/null 2>&1
) || echo "sipp caller exited with $? (failed calls or the time bound; see $out)"

sleep 3
echo
(cd "$root" && npx tsx "$here/agents.ts" report --db "$db" --since "$since" --stat "$out/caller-stat.csv" \
  --rtt "$(ls "$out"/caller_*_rtt.csv 2>/dev/null | head -n 1)") | tee "$out/report.txt"
echo "artifacts: $out"
