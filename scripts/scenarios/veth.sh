#!/bin/sh
# Client (namespace ta) and server (tb) joined by a veth pair; tbf/pfifo qdiscs drop what overflows.
#   sh veth.sh NAME SCENARIO "tc qdisc on a" "tc qdisc on b" "sysctls" CAPTURE_SIDE(ta|tb) [v6]
# Captures go to $OUT (default bench-results/scenarios). Needs root, iproute2, tcpdump and node;
# every namespace it makes (ta, tb, tr) is deleted first and at the end.
set -e
OUT=${OUT:-bench-results/scenarios}; mkdir -p "$OUT"
SCENARIOS=$(dirname "$0"); . "$SCENARIOS/capture.sh"
NAME=$1; SC=$2; TCA=$3; TCB=$4; SYS=$5; SIDE=${6:-tb}; V6=$7
ip netns del ta 2>/dev/null || true; ip netns del tb 2>/dev/null || true
ip netns add ta; ip netns add tb
ip link add va type veth peer name vb
ip link set va netns ta; ip link set vb netns tb
ip -n ta addr add 10.9.0.1/24 dev va; ip -n tb addr add 10.9.0.2/24 dev vb
ip -n ta -6 addr add fd00::1/64 dev va nodad; ip -n tb -6 addr add fd00::2/64 dev vb nodad
for n in ta tb; do ip -n $n link set lo up; done
ip -n ta link set va up; ip -n tb link set vb up
ip netns exec ta sh -c 'ethtool -K va tso off gso off gro off 2>/dev/null || true'
ip netns exec tb sh -c 'ethtool -K vb tso off gso off gro off 2>/dev/null || true'
[ -n "$TCA" ] && ip netns exec ta tc qdisc add dev va root $TCA
[ -n "$TCB" ] && ip netns exec tb tc qdisc add dev vb root $TCB
for s in $SYS; do ip netns exec ta sysctl -qw $s; ip netns exec tb sysctl -qw $s; done
HOST=10.9.0.2; [ -n "$V6" ] && HOST=fd00::2
IF=va; [ "$SIDE" = tb ] && IF=vb
capture $SIDE $IF "tcp port 5001" $HOST
ip netns del ta; ip netns del tb
report
