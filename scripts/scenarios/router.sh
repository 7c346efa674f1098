#!/bin/sh
# Client and server in namespaces on either side of a router namespace (tr); 10.3.0.0/24 is a blackhole.
#   sh router.sh NAME SCENARIO "tc qdisc toward b" "tc qdisc toward a" "sysctls" CAPTURE(any|ra|rb) [MTU]
# Captures go to $OUT (default bench-results/scenarios). Needs root, iproute2, tcpdump and node;
# every namespace it makes (ta, tb, tr) is deleted first and at the end.
set -e
OUT=${OUT:-bench-results/scenarios}; mkdir -p "$OUT"
SCENARIOS=$(dirname "$0"); . "$SCENARIOS/capture.sh"
NAME=$1; SC=$2; TCB=$3; TCA=$4; SYS=$5; CAP=${6:-any}; MTU=${7:-1500}
for n in ta tb tr; do ip netns del $n 2>/dev/null || true; ip netns add $n; ip -n $n link set lo up; done
ip link add va type veth peer name ra; ip link add vb type veth peer name rb
ip link set va netns ta; ip link set ra netns tr; ip link set vb netns tb; ip link set rb netns tr
ip -n ta addr add 10.1.0.1/24 dev va; ip -n tr addr add 10.1.0.254/24 dev ra
ip -n tb addr add 10.2.0.1/24 dev vb; ip -n tr addr add 10.2.0.254/24 dev rb
for x in "ta va" "tb vb" "tr ra" "tr rb"; do set -- $x; ip -n $1 link set $2 mtu $MTU up; done
ip -n ta route add default via 10.1.0.254; ip -n tb route add default via 10.2.0.254
ip netns exec tr sysctl -qw net.ipv4.ip_forward=1; ip -n tr route add blackhole 10.3.0.0/24
[ -n "$TCB" ] && ip netns exec tr tc qdisc add dev rb root $TCB
[ -n "$TCA" ] && ip netns exec tr tc qdisc add dev ra root $TCA
for s in $SYS; do for n in ta tb; do ip netns exec $n sysctl -qw $s; done; done
IF=$CAP
capture tr $IF tcp 10.2.0.1
for n in ta tb tr; do ip netns del $n; done
report
