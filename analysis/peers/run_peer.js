// Replays one editing trace through one peer CRDT's own API and prints one JSON line: the replay
// time, whether the document ends at endContent, and the heap the document holds (issue #19).
//
// usage: node --expose-gc run_peer.js PEER TRACE.json.gz [RUNS]   (PEER: json-joy | loro | yjs)
// RUNS (default 3) replays in this process, the best time reported: the first ones warm the JIT,
// as a long-running editor would be warm.
'use strict';
const fs = require('fs');
const zlib = require('zlib');

function loadTrace(path) {
  const raw = fs.readFileSync(path);
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
  return JSON.parse(text.toString('utf8'));
}

// What the process holds once garbage is collected: JavaScript heap plus buffers outside it
// (Loro's WebAssembly memory is an ArrayBuffer, counted in `external`).
function heldBytes() {
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

// --- json-joy: StrNode, the RGA of the `str` type, driven as its own editing-trace benchmark
// drives it (insAt with a timestamp, delete of findInterval's spans).
function jsonJoySequential(trace) {
  const {StrNode} = require('json-joy/lib/json-crdt/nodes/str/StrNode');
  const {ts} = require('json-joy/lib/json-crdt-patch/clock');
  const node = new StrNode(ts(1, 0));
  let time = 1;
  const t0 = process.hrtime.bigint();
  for (const txn of trace.txns) {
    for (const [pos, del, ins] of txn.patches) {
      if (del) node.delete(node.findInterval(pos, del));
      if (ins) {
        node.insAt(pos, ts(1, time), ins);
        time += ins.length;
      }
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return {ms, docs: [node], content: [node.view()]};
}

// Concurrent traces: one StrNode per agent; a txn's ops (insert after an id, delete spans) are
// applied at every other agent before any txn that has it in its past, in trace order.
function jsonJoyConcurrent(trace) {
  const {StrNode} = require('json-joy/lib/json-crdt/nodes/str/StrNode');
  const {ts} = require('json-joy/lib/json-crdt-patch/clock');
  const nodes = [], clocks = [], applied = [];
  for (let a = 0; a < trace.numAgents; ++a) {
    nodes.push(new StrNode(ts(0, 0)));
    clocks.push(1);
    applied.push(new Uint8Array(trace.txns.length));
  }
  const txnOps = [];
  const t0 = process.hrtime.bigint();
  const catchUp = (a, heads) => catchUpCausal(trace, applied[a], heads, (x) => {
    for (const op of txnOps[x]) {
      if (op.ins) {
        nodes[a].ins(op.after, op.id, op.ins);
        // Lamport clock: an insert made later here must sort after what it was inserted next to.
        clocks[a] = Math.max(clocks[a], op.id.time + op.ins.length);
      } else {
        nodes[a].delete(op.spans);
      }
    }
  });
  trace.txns.forEach((txn, t) => {
    const a = txn.agent;
    catchUp(a, txn.parents);
    const ops = [];
    for (const [pos, del, ins] of txn.patches) {
      if (del) {
        const spans = nodes[a].findInterval(pos, del);
        nodes[a].delete(spans);
        ops.push({spans});
      }
      if (ins) {
        const id = ts(a + 1, clocks[a]);
        clocks[a] += ins.length;
        const after = nodes[a].insAt(pos, id, ins);
        ops.push({after, id, ins});
      }
    }
    txnOps.push(ops);
    applied[a][t] = 1;
  });
  const all = trace.txns.map((_, t) => t);
  for (let a = 0; a < nodes.length; ++a) catchUp(a, all);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return {ms, docs: nodes, content: nodes.map((n) => n.view())};
}

// Applies, in index (hence causal) order, every txn in the past of `heads` not yet applied.
function catchUpCausal(trace, applied, heads, apply) {
  const missing = [];
  const stack = [...heads];
  const marked = new Set();
  while (stack.length) {
    const x = stack.pop();
    if (applied[x] || marked.has(x)) continue;
    marked.add(x);
    missing.push(x);
    for (const p of trace.txns[x].parents) stack.push(p);
  }
  missing.sort((a, b) => a - b);
  for (const x of missing) {
    apply(x);
    applied[x] = 1;
  }
}

// --- Loro and Yjs: their text type; in a concurrent trace each txn's changes are exported as an
// update and imported by every other agent before any txn that has it in its past, in trace order.
function textPeer(trace, make) {
  const agents = trace.kind === 'concurrent' ? trace.numAgents : 1;
  const docs = [];
  for (let a = 0; a < agents; ++a) docs.push(make(a));
  const applied = docs.map(() => new Uint8Array(trace.txns.length));
  const updates = [];
  const t0 = process.hrtime.bigint();
  trace.txns.forEach((txn, t) => {
    if (agents === 1) return docs[0].edit(txn.patches);
    const a = txn.agent;
    catchUpCausal(trace, applied[a], txn.parents, (x) => docs[a].importUpdate(updates[x]));
    updates.push(docs[a].edit(txn.patches, true));
    applied[a][t] = 1;
  });
  if (agents > 1) {
    const all = trace.txns.map((_, t) => t);
    for (let a = 0; a < agents; ++a) {
      catchUpCausal(trace, applied[a], all, (x) => docs[a].importUpdate(updates[x]));
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return {ms, docs, content: docs.map((d) => d.content())};
}

function loro(trace) {
  const {LoroDoc} = require('loro-crdt');
  return textPeer(trace, (a) => {
    const doc = new LoroDoc();
    doc.setPeerId(BigInt(a + 1));
    const text = doc.getText('text');
    return {
      doc,
      edit(patches, exportUpdate) {
        const from = exportUpdate ? doc.oplogVersion() : undefined;
        for (const [pos, del, ins] of patches) {
          if (del) text.delete(pos, del);
          if (ins) text.insert(pos, ins);
        }
        doc.commit();
        return exportUpdate ? doc.export({mode: 'update', from}) : undefined;
      },
      importUpdate: (update) => doc.import(update),
      content: () => text.toString(),
    };
  });
}

function yjs(trace) {
  const Y = require('yjs');
  return textPeer(trace, (a) => {
    const doc = new Y.Doc();
    doc.clientID = a + 1;
    const text = doc.getText('text');
    return {
      doc,
      edit(patches, exportUpdate) {
        const from = exportUpdate ? Y.encodeStateVector(doc) : undefined;
        doc.transact(() => {
          for (const [pos, del, ins] of patches) {
            if (del) text.delete(pos, del);
            if (ins) text.insert(pos, ins);
          }
        });
        return exportUpdate ? Y.encodeStateAsUpdate(doc, from) : undefined;
      },
      importUpdate: (update) => Y.applyUpdate(doc, update),
      content: () => text.toString(),
    };
  });
}

function main() {
  const [peer, path, runsArg] = process.argv.slice(2);
  const runs = Number(runsArg || 3);
  const peers = {
    'json-joy': (t) => (t.kind === 'concurrent' ? jsonJoyConcurrent(t) : jsonJoySequential(t)),
    loro,
    yjs,
  };
  if (!peers[peer] || !path) {
    console.error('usage: node --expose-gc run_peer.js json-joy|loro|yjs TRACE.json.gz');
    process.exit(2);
  }
  const trace = loadTrace(path);
  if (trace.kind === 'concurrent') {
    trace.txns.forEach((txn, t) => txn.parents.forEach((p) => {
      if (p >= t) throw new Error(`txns[${t}]: a parent must come earlier`);
    }));
  } else {
    trace.txns.unshift({patches: trace.startContent ? [[0, 0, trace.startContent]] : []});
  }
  let best = Infinity, matches = true, result, before, after;
  for (let k = 0; k < runs; ++k) {
    result = undefined;  // the previous replay's documents become garbage before `before`
    before = heldBytes();
    result = peers[peer](trace);
    after = heldBytes();
    best = Math.min(best, result.ms);
    matches = matches && result.content.every((c) => c === trace.endContent);
  }
  console.log(JSON.stringify({peer, trace: path, replay_ms: best, matches_end_content: matches, runs,
                              memory_bytes: after - before, replicas: result.docs.length}));
  if (!matches) process.exit(1);
}

main();
