# Sourced by veth.sh, router.sh and relay.sh once their namespaces are up: captures on interface
# $2 of namespace $1 (tcpdump filter $3) into $OUT/$NAME.pcap while traffic.mjs's server runs in tb
# at $4 and its client in ta runs scenario $SC; then says how many packets it caught.
#   capture NAMESPACE INTERFACE FILTER SERVER_HOST
capture() {
  ip netns exec "$1" tcpdump -i "$2" -s 200 -U -w "$OUT/$NAME.pcap" "$3" 2>/dev/null &
  td=$!
  ip netns exec tb node "$SCENARIOS/traffic.mjs" server "$4" 5001 > /dev/null &
  sv=$!
  sleep 1
  ip netns exec ta timeout 60 node "$SCENARIOS/traffic.mjs" client "$4" 5001 "$SC" || true
  sleep 1
  kill $sv; kill -INT $td; wait $td 2>/dev/null || true
}

# The packets a finished capture holds.
report() {
  echo "$NAME: $(tcpdump -r "$OUT/$NAME.pcap" 2>/dev/null | wc -l) packets"
}
