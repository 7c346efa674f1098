// The analysed model as plain data, for comparing two analyses of one trace field by field (the
// tests and scripts/same-output.mjs): each connection's fields, its flows (records as their index)
// and every segment's getters, found on the prototype, so that a field added later is compared too.

/** A record (a handle on a parse's slot) or anything else, as comparable data. */
export function plain(value) {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value.index === 'number' && 'tcpLine' in value) return { record: value.index };
  if ('seq' in value && 'end' in value && typeof value.seq === 'function') {
    // A flow's sent log: its entries.
    return Array.from({ length: value.length }, (_, i) => [value.seq(i), value.end(i), value.record(i)]);
  }
  const out = {};
  for (const key of Object.keys(value).sort()) out[key] = plain(value[key]);
  return out;
}

/** Every connection of `analysis` (a TraceAnalysis) as plain data; its checkpoints as their count. */
export function modelOf(analysis) {
  return analysis.connections.map((c) => {
    const segments = [];
    for (let k = 0; k < c.segments.length; k++) {
      const s = c.segments.at(k);
      const proto = Object.getPrototypeOf(s);
      const fields = { record: s.record.index };
      for (const key of Object.getOwnPropertyNames(proto).sort()) {
        const d = Object.getOwnPropertyDescriptor(proto, key);
        if (d?.get) fields[key] = plain(s[key]);
      }
      segments.push(fields);
    }
    const { segments: _segments, client, server, checkpoints, ...rest } = c;
    return {
      ...plain(rest),
      client: plain(client),
      server: plain(server),
      checkpoints: checkpoints.length,
      segments,
    };
  });
}
