// The jco host's driver: runs one case on a chain transpiled by jco.
//
//   node driver.mjs REQUEST.json RESPONSE.json
//
// The request is the case, already turned into JavaScript's terms by the
// harness (harness/src/host/jco/): the transpiled module, the export to
// call, its arguments as tagged JSON, what the host feeds into each stream
// and future parameter, the presets' parameters and the time limit. The
// response is what the host observed, in the same terms, for the harness to
// compare exactly as it compares wasmtime's. It goes to a file, not stdout:
// the WASI shim writes the guests' stdout to this process's stdout.
//
// One process per case: jco can report a deadlock as an uncaught exception
// from a timer (see /work/shared/notes/jco-1.35.md, "Gotchas"), which must
// end this case only.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation';

const [requestPath, responsePath] = process.argv.slice(2);
const req = JSON.parse(readFileSync(requestPath, 'utf8'));

const events = [];
const handles = [];
let responded = false;

function respond(outcome, again = null) {
  if (responded) return;
  responded = true;
  for (const h of handles) h.finish?.();
  // The call's own streams and futures first, then those the presets made
  // (host-ends), as the wasmtime host lists them.
  const ordered = [...handles.filter((h) => !h.preset), ...handles.filter((h) => h.preset)];
  const out = { outcome, again, events, handles: ordered.map((h) => h.log) };
  writeFileSync(responsePath, JSON.stringify(out, replacer));
  process.exit(0);
}

// JSON has no bigint, no typed arrays and no undefined: tag or widen them
// so the harness can read every value back against its WIT type.
function replacer(_key, v) {
  if (typeof v === 'bigint') return { $big: v.toString() };
  if (ArrayBuffer.isView(v)) return Array.from(v, (x) => (typeof x === 'bigint' ? { $big: x.toString() } : x));
  if (v === undefined) return null;
  return v;
}

function revive(v) {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === 'object') {
    if ('$big' in v) return BigInt(v.$big);
    if ('$bytes' in v) return Uint8Array.from(v.$bytes);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  }
  return v;
}

function errorOf(e, during) {
  const name = e?.constructor?.name ?? typeof e;
  const message = e instanceof Error ? e.message : String(e);
  const payload = e?.payload === undefined ? undefined : e.payload;
  return { error: { name, message, payload, stack: e?.stack ?? null }, during };
}

// Uncaught rejections and exceptions (jco's timer-reported deadlocks) end
// the case as an error of the call.
process.on('uncaughtException', (e) => respond(errorOf(e, 'the call')));
process.on('unhandledRejection', (e) => respond(errorOf(e, 'the call')));

// The presets sleep on real time here. On the virtual clock (the default)
// wasmtime ends a sleep only once nothing else can run; jco's scheduler
// starts subtasks from its own timers, so a short real sleep can end
// before the guests have done what the case orders first when the machine
// is loaded. Stretching virtual sleeps keeps their order against that.
const STRETCH = req.realClock ? 1 : 4;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms * STRETCH));
const camel = (name) => name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

// The presets, as host/presets.rs defines them from the same case data.
let bazEnters = 0;
let bazExits = 0;
let instance = null;
const scriptName = (bundle) => bundle.split('\n')[0];
const presets = {
  'local:local/baz': {
    async foo(s) {
      events.push(`baz.foo enter ${++bazEnters}`);
      await sleep(req.baz.delayMs);
      events.push(`baz.foo exit ${++bazExits}`);
      return `${s} - entered host - exited host`;
    },
  },
  'local:local/transcript': {
    record(event) {
      events.push(event);
    },
  },
  // Readable ends the host makes: TEXT's bytes then the end, or a future
  // resolved with TEXT (host/presets.rs `host_end`).
  'local:local/host-ends': {
    async streamOf(text) {
      const bytes = Array.from(new TextEncoder().encode(text));
      return streamArg({ name: `stream-of(${text})`, chunks: bytes.length ? [bytes] : [], pending: false }, true);
    },
    async futureOf(text) {
      return futureArg({ name: `future-of(${text})`, value: text, pending: false }, true);
    },
  },
  'local:local/many': {
    async foo(...args) {
      return [`${args[0]} - host`, ...args.slice(1)];
    },
  },
  'local:local/scripted': {
    async run(bundle) {
      const name = scriptName(bundle);
      events.push(`host: run(${name}) enter`);
      let result = name;
      if (req.scripted.reenter) {
        if (req.scripted.delayMs > 0) await sleep(req.scripted.delayMs);
        events.push(`host: run(${name}) calls the root's ${req.scripted.reenter}`);
        result = await instance['local:local/scripted'][camel(req.scripted.reenter)](bundle);
      } else {
        await sleep(req.scripted.delayMs);
      }
      events.push(`host: run(${name}) exit`);
      return result;
    },
    // The same preset as `run`, for the export the guest lifts sync.
    async runLiftedSync(bundle) {
      return presets['local:local/scripted'].run(bundle);
    },
    runSync(bundle) {
      const name = scriptName(bundle);
      events.push(`host: run-sync(${name}) enter`);
      events.push(`host: run-sync(${name}) exit`);
      return name;
    },
    async runWithStream(bundle, end) {
      await end?.return?.();
      events.push(`host: run-with-stream(${scriptName(bundle)}) dropped its end`);
      return scriptName(bundle);
    },
    async runWithFuture(bundle, _end) {
      events.push(`host: run-with-future(${scriptName(bundle)}) dropped its end`);
      return scriptName(bundle);
    },
  },
};

// A stream parameter: the case's chunks, one element per `next()` (jco
// asks when the guest reads), then the end or, when pending, nothing more.
function streamArg(p, preset = false) {
  const items = p.chunks.flat().map(revive);
  const log = { name: p.name, toGuest: true, isStream: true, items: [], end: null };
  let taken = 0;
  const finish = () => {
    if (log.end !== null) return;
    const left = items.length - taken;
    log.end = left === 0 && !p.pending ? 'end' : `reader dropped, ${left} item(s) not taken`;
  };
  handles.push({ log, finish, preset });
  const iterator = {
    async next() {
      if (taken < items.length) {
        const value = items[taken++];
        log.items.push(value);
        return { value, done: false };
      }
      if (p.pending) return new Promise(() => {});
      finish();
      return { value: undefined, done: true };
    },
    async return() {
      finish();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}

// A future parameter: a thenable that resolves when the guest reads it.
function futureArg(p, preset = false) {
  const log = { name: p.name, toGuest: true, isStream: false, items: [], end: null };
  const finish = () => {
    if (p.pending) log.end = 'reader dropped, never resolved';
    else if (log.items.length === 0) log.end = 'never read';
  };
  handles.push({ log, finish, preset });
  return {
    then(resolve) {
      if (p.pending) return;
      const value = revive(p.value);
      log.items.push(value);
      resolve(value);
    },
  };
}

// Read a returned stream or future to its end, logging what crossed it.
async function collect(name, shape, value) {
  if (shape.kind === 'tuple') {
    await Promise.all(shape.items.map((s, i) => collect(`${name}.${i}`, s, value[i])));
    return;
  }
  if (shape.kind === 'stream') {
    const log = { name, toGuest: false, isStream: true, items: [], end: null };
    handles.push({ log });
    for await (const item of value) {
      if (ArrayBuffer.isView(item)) log.items.push(...Array.from(item));
      else log.items.push(item);
    }
    log.end = 'end';
  } else if (shape.kind === 'future') {
    const log = { name, toGuest: false, isStream: false, items: [], end: null };
    handles.push({ log });
    log.items.push(await value);
  }
}

function args() {
  let plain = 0;
  return req.params.map((p) => {
    if (p.kind === 'stream') return streamArg(p);
    if (p.kind === 'future') return futureArg(p);
    return revive(req.args[plain++]);
  });
}

// One call: sync-lifted exports return or throw at once, async ones give a
// Promise. A `result` return comes back as a value or a ComponentError.
async function callOnce(func, params) {
  try {
    const value = await Promise.resolve().then(() => func(...params));
    return { ok: req.resultIsResult ? { tag: 'ok', val: value } : value };
  } catch (e) {
    if (req.resultIsResult && e?.constructor?.name === 'ComponentError' && 'payload' in e) {
      return { ok: { tag: 'err', val: e.payload } };
    }
    return { err: e };
  }
}

async function calls(func) {
  const params = args();
  const all = await Promise.all(Array.from({ length: req.concurrent }, () => callOnce(func, params)));
  const failed = all.find((r) => 'err' in r);
  if (failed) return errorOf(failed.err, 'the call');
  if (req.resultShape) {
    await Promise.all(all.map((r) => collect('result', req.resultShape, r.ok)));
  }
  return { returned: all.map((r) => (req.resultShape ? null : r.ok)) };
}

// An HTTP exchange through preview3-shim's wasi:http@0.3.0 types: the
// request the harness describes, the response read to its end and handed
// back raw (the harness writes the transcript, as for wasmtime).
async function exchange(types) {
  const h = req.http;
  const bytes = (text) => new TextEncoder().encode(text);
  let responded;
  const response = new Promise((resolve) => (responded = resolve));
  async function* body() {
    if (h.sendAfterResponse) await response;
    for (const chunk of h.chunks) yield Uint8Array.from(chunk);
  }
  const trailers = h.trailers && types.Fields.fromList(h.trailers.map(([n, v]) => [n, bytes(v)]));
  const headers = types.Fields.fromList(h.headers.map(([n, v]) => [n, bytes(v)]));
  const [request] = types.Request.new(headers, body(), Promise.resolve({ tag: 'ok', val: trailers ?? undefined }), undefined);
  request.setMethod({ tag: h.method.toLowerCase() });
  request.setPathWithQuery(h.path);
  request.setScheme({ tag: 'HTTP' });
  request.setAuthority('localhost');
  const out = { status: null, headers: [], body: [], trailers: null, error: null, bodyError: null };
  let resp;
  try {
    resp = await instance['wasi:http/handler@0.3.0'].handle(request);
  } catch (e) {
    responded();
    if (e?.payload !== undefined) {
      out.error = e.payload.tag ?? String(e.payload);
      return { http: out };
    }
    return errorOf(e, 'the call');
  }
  responded();
  out.status = resp.getStatusCode();
  out.headers = resp.getHeaders().copyAll().map(([n, v]) => [n, Array.from(v)]);
  const [stream, trailersFuture] = types.Response.consumeBody(resp, Promise.resolve({ tag: 'ok' }));
  try {
    if (stream?.[Symbol.asyncIterator]) {
      for await (const chunk of stream) out.body.push(...chunk);
    } else if (stream) {
      for (let chunk = await stream.read(); chunk !== null; chunk = await stream.read()) out.body.push(...chunk);
    }
    const t = await trailersFuture;
    const fields = t?.tag === 'ok' ? t.val : t?.tag === 'err' ? null : t;
    if (t?.tag === 'err') out.bodyError = t.val?.tag ?? String(t.val);
    else if (fields) out.trailers = fields.copyAll().map(([n, v]) => [n, Array.from(v)]);
  } catch (e) {
    out.bodyError = e?.payload?.tag ?? (e instanceof Error ? e.message : String(e));
  }
  return { http: out };
}

async function main() {
  const module = await import(req.module);
  const dir = dirname(req.module);
  const wasi = new WASIShim({
    sandbox: { preopens: {}, env: {}, args: [], enableNetwork: false },
  }).getImportObject();
  const http = req.http ? await import('@bytecodealliance/preview3-shim/http') : null;
  // The case's limit covers instantiating and running, as on wasmtime;
  // Node's start and loading jco's module (wasmtime's compile) are not in it.
  setTimeout(() => respond({ timeout: true }), req.timeoutMs).unref?.();
  try {
    instance = await module.instantiate((p) => WebAssembly.compile(readFileSync(join(dir, p))), {
      ...wasi,
      ...presets,
      ...(http ? { 'wasi:http/types': http.types } : {}),
    });
  } catch (e) {
    return respond(errorOf(e, 'instantiation'));
  }
  if (req.http) return respond(await exchange(http.types));
  const exported = req.iface ? instance[req.iface] : instance;
  const func = exported?.[camel(req.func)];
  if (typeof func !== 'function') {
    return respond({ error: { name: 'Missing', message: `jco's output exports no ${req.iface ?? ''}#${req.func}` }, during: 'lookup' });
  }
  const first = await calls(func);
  let again = null;
  if (req.again) again = await calls(func);
  respond(first, again);
}

main().catch((e) => respond(errorOf(e, 'the call')));
