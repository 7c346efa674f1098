#!/bin/sh
# Client and server on TAP devices joined by relay.py, which delays (with jitter, so reorders) and drops frames.
#   sh relay.sh NAME SCENARIO DELAY_MS JITTER_MS LOSS SEED CAPTURE_SIDE(ta|tb) ["sysctls"]
# Captures go to $OUT (default bench-results/scenarios). Needs root, iproute2, tcpdump and node;
# every namespace it makes (ta, tb, tr) is deleted first and at the end.
set -e
OUT=${OUT:-bench-results/scenarios}; mkdir -p "$OUT"
SCENARIOS=$(dirname "$0"); . "$SCENARIOS/capture.sh"
NAME=$1; SC=$2; D=$3; J=$4; L=$5; SEED=$6; SIDE=${7:-tb}; SYS=$8
for n in ta tb; do ip netns del $n 2>/dev/null || true; ip netns add $n; ip -n $n link set lo up; done
rm -f "$OUT/.relay.ready"
python3 "$SCENARIOS/relay.py" $D $J $L $SEED "$OUT/.relay.ready" &
RL=$!
while [ ! -f "$OUT/.relay.ready" ]; do sleep 0.1; done
ip link set tapa netns ta; ip link set tapb netns tb
ip -n ta addr add 10.5.0.1/24 dev tapa; ip -n tb addr add 10.5.0.2/24 dev tapb
ip -n ta link set tapa up; ip -n tb link set tapb up
for s in $SYS; do for n in ta tb; do ip netns exec $n sysctl -qw $s; done; done
IF=tapa; [ "$SIDE" = tb ] && IF=tapb
capture $SIDE $IF tcp 10.5.0.2
kill $RL
for n in ta tb; do ip netns del $n; done
report
