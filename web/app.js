// vellum's dashboard: plain JavaScript, no build step, nothing fetched from elsewhere. It reads
// the node's public API (relative URLs, so it works under a multi-ledger node's /NAME/ too) and
// checks what it shows in the browser: the checkpoint's Ed25519 signature and an entry's RFC 9162
// inclusion proof, with the browser's own crypto API (crypto.subtle).
'use strict';

(() => {
  const POLL_MS = 2000;
  const PAGE = 20;
  const CHART_SAMPLES = 150; // 5 minutes at one sample every 2 s
  const GROUP_COLOURS = ['#3b5b8c', '#b3261e', '#1f7a3d', '#9a6400', '#6a3d9a', '#00796b'];

  const state = { status: null, note: null, samples: [], view: '' };

  // ---- DOM: text only goes in through textContent, never as HTML ----
  const byId = (id) => document.getElementById(id);
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('data-')) node.setAttribute(k, v);
      else if (k === 'href' || k === 'id' || k === 'title' || k === 'type' || k === 'name' ||
               k === 'placeholder' || k === 'value') node.setAttribute(k, v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  // An entry's text with the controls that reorder what is around them (U+202A..U+202E,
  // U+2066..U+2069) shown as \uNNNN: drawn, they make text read as other text.
  const visible = (text) => text.replace(/[\u202a-\u202e\u2066-\u2069]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16));
  const card = (label, value, id, extra) =>
    el('div', { class: 'card' }, el('div', { class: 'label' }, label),
       el('div', { class: 'value mono ' + (extra || ''), id: id || '' }, value));
  // Replaces `section`'s content; arrays are flattened, null and false left out.
  function fill(section, ...children) {
    section.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== false &&
                                                           c !== undefined));
  }
  function showError(message) {
    const box = byId('error');
    box.hidden = !message;
    box.textContent = message || '';
  }

  // ---- HTTP ----
  async function fetchText(path) {
    const r = await fetch(path, { cache: 'no-store' });
    const text = await r.text();
    if (!r.ok) {
      const err = new Error(`${path} answered ${r.status}: ${text.slice(0, 300)}`);
      err.status = r.status;
      throw err;
    }
    return text;
  }
  async function fetchJson(path) {
    return JSON.parse(await fetchText(path));
  }

  // ---- bytes and hashes ----
  const enc = new TextEncoder();
  function hexToBytes(hex) {
    if (hex.length % 2 || /[^0-9a-f]/i.test(hex)) throw new Error('not hex: ' + hex.slice(0, 20));
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
    return out;
  }
  const bytesToHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  function b64ToBytes(s) {
    const bin = atob(s);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  function cryptoAvailable() {
    return typeof crypto !== 'undefined' && crypto.subtle !== undefined;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  }
  const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
  const nodeHash = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

  // ---- C2SP signed notes, checkpoints, keys ----
  const DASH = '\u2014 ';
  function parseNote(note) {
    const split = note.lastIndexOf('\n\n');
    if (split < 0) throw new Error('the checkpoint has no signature lines');
    const text = note.slice(0, split + 1);
    const sigs = note.slice(split + 2).split('\n').filter((l) => l.length)
      .map((line) => {
        if (!line.startsWith(DASH)) throw new Error('malformed signature line');
        const [name, b64] = line.slice(DASH.length).split(' ');
        const raw = b64ToBytes(b64);
        const keyId = new DataView(raw.buffer).getUint32(0);
        return { name, keyId, raw, sig: raw.slice(4) };
      });
    return { text, sigs };
  }
  function parseCheckpoint(text) {
    const lines = text.split('\n');
    if (lines.length < 4 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) {
      throw new Error('malformed checkpoint body');
    }
    return { origin: lines[0], size: BigInt(lines[1]), root: b64ToBytes(lines[2]) };
  }
  async function keyIdOf(name, type, pub) {
    const digest = await sha256(concat(enc.encode(name + '\n'), Uint8Array.of(type), pub));
    return new DataView(digest.buffer).getUint32(0);
  }
  async function parseVkey(text) {
    const t = text.trim();
    const first = t.indexOf('+'), second = t.indexOf('+', first + 1);
    if (first <= 0 || second < 0) throw new Error('a verifier key looks like name+hexid+base64');
    const name = t.slice(0, first), hexId = t.slice(first + 1, second), b64 = t.slice(second + 1);
    const raw = b64ToBytes(b64);
    if (raw.length !== 33 || raw[0] !== 1) throw new Error('not an Ed25519 note key (type 0x01)');
    const pub = raw.slice(1);
    const keyId = parseInt(hexId, 16);
    if ((await keyIdOf(name, 1, pub)) !== keyId) throw new Error('the key id does not match');
    return { name, keyId, pub, text: t };
  }
  async function verifyNoteSignature(note, vkey) {
    const sig = note.sigs.find((s) => s.name === vkey.name && s.keyId === vkey.keyId);
    if (!sig) return { ok: false, why: `no signature by ${vkey.name} on the checkpoint` };
    const key = await crypto.subtle.importKey('raw', vkey.pub, { name: 'Ed25519' }, false,
      ['verify']);
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, sig.sig,
      enc.encode(note.text));
    return { ok, why: ok ? '' : `the signature by ${vkey.name} does not verify` };
  }

  // RFC 9162 §2.1.3.2, with BigInt indexes.
  async function verifyInclusion(leaf, index, size, proof, root) {
    if (index >= size) return false;
    let fn = index, sn = size - 1n, r = leaf;
    for (const p of proof) {
      if (sn === 0n) return false;
      if ((fn & 1n) === 1n || fn === sn) {
        r = await nodeHash(p, r);
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1n; sn >>= 1n;
    }
    return sn === 0n && equal(r, root);
  }

  // The entry bytes that are hashed: a record entry is its time (int64, big-endian ms) then the
  // payload; a raw entry is the payload.
  function entryBytes(format, entry) {
    const payload = hexToBytes(entry.data_hex);
    if (format !== 'record') return payload;
    const time = new Uint8Array(8);
    new DataView(time.buffer).setBigInt64(0, BigInt(entry.time_ms));
    return concat(time, payload);
  }

  // ---- the pinned verifier key ----
  const pinKey = (origin) => 'vellum.vkey.' + origin;
  function trustedKeyText() {
    const pinned = localStorage.getItem(pinKey(state.status.origin));
    return { text: pinned || state.status.verifier_key, pinned: !!pinned };
  }

  // ---- views ----
  function setView(name) {
    for (const s of document.querySelectorAll('main > section')) s.hidden = s.id !== name;
    for (const a of document.querySelectorAll('nav a')) {
      a.classList.toggle('active', a.dataset.view === name ||
                        (name === 'entry' && a.dataset.view === 'entries'));
    }
    state.view = name;
  }

  function shortHex(hex) { return hex ? hex.slice(0, 16) + '\u2026' : ''; }
  function formatTime(ms) { return new Date(Number(ms)).toISOString(); }

  function signatureRows(note) {
    const rows = [];
    for (const s of note.sigs) {
      const cosig = s.raw.length === 4 + 8 + 64 && s.name !== state.status.origin;
      const time = cosig ? new DataView(s.raw.buffer).getBigUint64(4) : null;
      rows.push(el('tr', {},
        el('td', {}, cosig ? 'cosignature' : 'log signature'),
        el('td', { class: 'mono' }, s.name),
        el('td', { class: 'mono' }, s.keyId.toString(16).padStart(8, '0')),
        el('td', {}, time !== null ? formatTime(time * 1000n) : '')));
    }
    return rows;
  }

  function chart() {
    const rates = [];
    for (let i = 1; i < state.samples.length; i++) {
      const a = state.samples[i - 1], b = state.samples[i];
      rates.push(Math.max(0, (b.size - a.size) / ((b.t - a.t) / 1000)));
    }
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('viewBox', `0 0 ${CHART_SAMPLES} 100`);
    svg.setAttribute('preserveAspectRatio', 'none');
    const max = Math.max(1, ...rates);
    const points = rates.map((r, i) =>
      `${CHART_SAMPLES - rates.length + i},${(95 - (r / max) * 90).toFixed(1)}`);
    if (points.length) {
      const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
      line.setAttribute('points', points.join(' '));
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', '#3b5b8c');
      line.setAttribute('stroke-width', '1.5');
      line.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.append(line);
    }
    const now = rates.length ? rates[rates.length - 1] : 0;
    return el('div', {},
      svg,
      el('div', { class: 'muted', id: 'rate' },
        `appends per second since this page opened (${Math.round(state.samples.length * POLL_MS / 60000)} min): ` +
        `now ${now.toFixed(1)}, highest ${rates.length ? Math.max(...rates).toFixed(1) : '0'}`));
  }

  function health(status, network) {
    const problems = [];
    if (status.upstream && !String(status.upstream.state).startsWith('in sync')) {
      problems.push(`upstream: ${status.upstream.state || 'not checked yet'}`);
    }
    for (const p of status.peers || []) {
      if (!/^(in sync|behind|ahead)/.test(p.state)) problems.push(`${p.peer}: ${p.state}`);
    }
    if (network && network.forks && network.forks.length) problems.push('a fork in the network');
    if (status.fork_evidence) problems.push(`${status.fork_evidence} fork evidence kept`);
    if (status.append_failure) problems.push(`appends fail: ${status.append_failure}`);
    return problems;
  }

  // `live`: a poll's refresh, which leaves the key form alone (someone may be typing in it).
  async function renderOverview(live) {
    const s = state.status;
    const network = await fetchJson('v1/network').catch(() => null);
    let note = null, body = null;
    try {
      note = parseNote(state.note);
      body = parseCheckpoint(note.text);
    } catch (e) { note = null; }
    const problems = health(s, network);
    const section = byId('overview');
    const pinned = trustedKeyText();
    const keyForm = el('form', { id: 'pin-form' },
      el('input', { class: 'wide mono', id: 'pin', value: pinned.text, name: 'vkey' }),
      el('button', { type: 'submit' }, 'Trust this key'));
    keyForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = byId('pin').value.trim();
      if (text) localStorage.setItem(pinKey(s.origin), text);
      else localStorage.removeItem(pinKey(s.origin));
      route();
    });
    let liveBox = byId('overview-live'), keyBox = byId('overview-key');
    if (!liveBox || !keyBox) {
      liveBox = el('div', { id: 'overview-live' });
      keyBox = el('div', { id: 'overview-key' });
      fill(section, liveBox, keyBox);
      live = false;
    }
    if (!live) {
      fill(keyBox,
        el('h2', {}, 'The key you trust'),
        el('p', { class: pinned.pinned ? 'ok' : 'warn' }, pinned.pinned
          ? 'Proofs are checked against checkpoints signed with this key, which you pinned.'
          : 'Proofs are checked with the key this node reports. Pin the key you got from the ' +
            'ledger\'s owner, so that a node cannot vouch for itself:'),
        keyForm);
    }
    fill(liveBox,
      el('div', { class: 'grid' },
        card('origin', s.origin, 'ov-origin'),
        card('size', String(s.size), 'size'),
        card('root', s.root, 'root'),
        card('role', s.role || (s.upstream ? 'mirror' : 'writer'), 'role'),
        card('health', problems.length ? problems.join('; ') : 'healthy', 'health',
             problems.length ? 'small bad' : 'ok')),
      el('h2', {}, 'Appends'),
      chart(),
      el('h2', {}, 'Latest checkpoint'),
      body ? el('p', {}, `size ${body.size} with root `, el('span', { class: 'mono' },
        bytesToHex(body.root)),
        s.checkpoint_signed_ms ? `, signed ${formatTime(s.checkpoint_signed_ms)}` : '') :
        el('p', { class: 'warn' }, 'no signed checkpoint yet'),
      note ? el('table', {}, el('tr', {}, el('th', {}, 'kind'), el('th', {}, 'by'),
        el('th', {}, 'key id'), el('th', {}, 'cosigned at')), signatureRows(note)) : null,
      el('pre', { id: 'checkpoint' }, state.note || ''),
      s.cosigners ? el('h2', {}, 'Witnesses this node asks') : null,
      s.cosigners ? el('table', {}, el('tr', {}, el('th', {}, 'witness'), el('th', {}, 'cosigned'),
        el('th', {}, 'requests'), el('th', {}, 'last problem')),
        s.cosigners.map((w) => el('tr', {}, el('td', {}, w.witness), el('td', {}, w.cosigned),
          el('td', {}, w.requests), el('td', { class: w.error ? 'warn' : '' }, w.error)))) : null,
      s.witness ? el('h2', {}, 'As a witness') : null,
      s.witness ? el('p', {}, `${s.witness.cosigned} cosigned, ${s.witness.refused} refused ` +
        `since start; ${s.witness.evidence_kept} refusals kept as evidence`) : null);
  }

  async function renderNetwork() {
    const [network, s] = [await fetchJson('v1/network'), state.status];
    const groupOf = new Map();
    network.sync_groups.forEach((g, i) => g.forEach((name) => groupOf.set(name, i)));
    const stateOf = new Map((s.peers || []).map((p) => [p.peer, p]));
    if (s.upstream) stateOf.set(s.upstream.upstream, { state: s.upstream.state });
    const rows = network.peers.map((p) => {
      const g = groupOf.get(p.peer);
      const peerState = p.peer === 'self' ? 'this node' : (stateOf.get(p.peer) || {}).state || '';
      return el('tr', { 'data-peer': p.peer, 'data-group': g === undefined ? '' : String(g) },
        el('td', { class: 'mono' }, p.peer),
        el('td', {}, g === undefined ? '' :
          el('span', { class: 'group', title: 'sync group' }, String(g + 1))),
        el('td', {}, p.size === undefined ? '' : String(p.size)),
        el('td', { class: 'mono' }, shortHex(p.root)),
        el('td', {}, p.lineage === undefined ? '' : String(p.lineage)),
        el('td', {}, p.lag ? `behind by ${p.lag}` : ''),
        el('td', { class: p.problem ? 'warn' : '' }, p.problem || peerState));
    });
    for (const row of rows) {
      const badge = row.querySelector('.group');
      if (badge) badge.style.background = GROUP_COLOURS[Number(row.dataset.group) % GROUP_COLOURS.length];
    }
    const forks = [];
    for (const f of network.forks) {
      const other = f.a === 'self' ? f.b : f.b === 'self' ? f.a : null;
      const block = el('div', { class: 'fork card', 'data-index': String(f.fork_index) },
        el('p', {}, `${f.a} and ${f.b} part at index `, el('strong', {}, String(f.fork_index))));
      if (other) {
        const ours = await fetchJson(`v1/entries/${f.fork_index}`).catch(() => null);
        const theirs = (stateOf.get(other) || {}).fork_entry;
        block.append(el('div', { class: 'side' },
          entryCard('this node', ours), entryCard(other, theirs)));
      }
      forks.push(block);
    }
    fill(byId('network'),
      el('p', { id: 'summary', class: network.healthy ? 'ok' : 'bad' },
        `${network.synced_nodes} of ${network.total_nodes} nodes in sync ` +
        `(${network.sync_percentage.toFixed(1)}%): network ${network.healthy ? 'healthy' :
          'NOT healthy (needs 80%)'}; ${network.sync_groups.length} sync group(s), ` +
        `${network.lineages.length} lineage(s)`),
      el('table', { id: 'peers' }, el('tr', {}, ['node', 'group', 'size', 'root', 'lineage', 'lag',
        'state'].map((h) => el('th', {}, h))), rows),
      el('h2', {}, 'Forks'),
      forks.length ? forks : el('p', { class: 'muted' }, 'none'));
  }

  function entryCard(title, entry) {
    if (!entry) return el('div', { class: 'card' }, el('div', { class: 'label' }, title), '(unavailable)');
    return el('div', { class: 'card' }, el('div', { class: 'label' }, title),
      entry.time ? el('div', { class: 'muted' }, entry.time) : null,
      el('div', { class: 'value' }, entry.data !== undefined ? visible(entry.data) : '0x' + entry.data_hex),
      el('div', { class: 'mono muted' }, 'leaf ' + shortHex(entry.leaf_hash)));
  }

  async function renderEntries(start) {
    const size = Number(state.status.size);
    const top = start === undefined ? size - 1 : Math.min(start, size - 1);
    const from = Math.max(0, top - PAGE + 1);
    const list = size ? (await fetchJson(`v1/entries?start=${from}&end=${top + 1}`)).entries : [];
    list.reverse();
    const jump = el('form', {}, el('input', { id: 'jump', placeholder: 'index' }),
      el('button', { type: 'submit' }, 'Go to entry'));
    jump.addEventListener('submit', (ev) => {
      ev.preventDefault();
      location.hash = `#entry/${byId('jump').value.trim()}`;
    });
    const find = el('form', {}, el('input', { id: 'find', class: 'wide mono',
      placeholder: 'leaf hash (64 hex digits)' }), el('button', { type: 'submit' }, 'Find'));
    find.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const e = await fetchJson(`v1/lookup/${byId('find').value.trim().toLowerCase()}`);
        location.hash = `#entry/${e.index}`;
      } catch (e) { showError(e.message); }
    });
    const nav = el('p', {},
      top < size - 1 ? el('a', { href: `#entries/${Math.min(size - 1, top + PAGE)}` }, '\u2190 newer') : null,
      ' ', from > 0 ? el('a', { href: `#entries/${from - 1}` }, 'older \u2192') : null);
    fill(byId('entries'), jump, find,
      el('p', { class: 'muted' }, size ? `entries ${from}..${top} of ${size}, newest first` : 'no entries yet'),
      el('table', { id: 'entry-list' }, el('tr', {}, ['index', 'time', 'payload', 'leaf hash']
        .map((h) => el('th', {}, h))),
        list.map((e) => el('tr', {},
          el('td', {}, el('a', { href: `#entry/${e.index}` }, String(e.index))),
          el('td', {}, e.time || ''),
          el('td', {}, e.data !== undefined ? visible(e.data.slice(0, 120)) : '0x' + e.data_hex.slice(0, 64)),
          el('td', { class: 'mono' }, shortHex(e.leaf_hash))))),
      nav);
  }

  async function renderEntry(index) {
    const section = byId('entry');
    const entry = await fetchJson(`v1/entries/${index}`);
    const checks = el('ul', { class: 'checks', id: 'checks' });
    const verdict = el('div', { class: 'verdict', id: 'verdict' }, 'checking\u2026');
    fill(section,
      el('h2', {}, `Entry ${entry.index}`),
      el('table', {},
        el('tr', {}, el('th', {}, 'time'), el('td', {}, entry.time || '(raw entry)')),
        el('tr', {}, el('th', {}, 'payload'), el('td', { id: 'payload' },
          entry.data !== undefined ? visible(entry.data) : '')),
        el('tr', {}, el('th', {}, 'payload (hex)'), el('td', { class: 'mono' }, entry.data_hex)),
        el('tr', {}, el('th', {}, 'leaf hash'), el('td', { class: 'mono' }, entry.leaf_hash))),
      el('h2', {}, 'Checked in this browser'), verdict, checks);
    const say = (ok, text) => checks.append(el('li', { class: ok ? 'ok' : 'bad' },
      (ok ? '\u2713 ' : '\u2717 ') + text));
    const finish = (ok, text) => {
      verdict.textContent = text;
      verdict.className = 'verdict ' + (ok ? 'ok' : 'bad');
      verdict.dataset.result = ok ? 'pass' : 'fail';
    };
    if (!cryptoAvailable()) {
      say(false, 'this browser offers its crypto API only to https:// pages and localhost');
      return finish(false, 'NOT CHECKED');
    }
    try {
      const trusted = trustedKeyText();
      const vkey = await parseVkey(trusted.text);
      const noteText = await fetchText('checkpoint');
      const note = parseNote(noteText);
      const signature = await verifyNoteSignature(note, vkey);
      say(signature.ok, signature.ok
        ? `the checkpoint is signed by ${vkey.name} (${trusted.pinned ? 'the key you pinned' :
            'the key the node reports: pin it on the overview'})`
        : signature.why);
      if (!signature.ok) return finish(false, 'FAILED: the checkpoint is not signed by the key');
      const body = parseCheckpoint(note.text);
      const i = BigInt(entry.index);
      if (i >= body.size) {
        say(false, `the signed checkpoint covers ${body.size} ${body.size === 1n ? 'entry' : 'entries'}: this one is not in it yet`);
        return finish(false, 'NOT YET SIGNED');
      }
      const leaf = await leafHash(entryBytes(state.status.format, entry));
      say(true, `leaf hash computed here from the entry's ${state.status.format === 'record'
        ? 'time and payload' : 'bytes'}: ${bytesToHex(leaf)}`);
      const doc = await fetchJson(`v1/proof/inclusion?index=${entry.index}&size=${body.size}`);
      const proof = doc.proof.map(hexToBytes);
      const included = await verifyInclusion(leaf, i, body.size, proof, body.root);
      say(included, included
        ? `the inclusion proof (${proof.length} hashes) rebuilds the signed root of size ` +
          `${body.size}: ${bytesToHex(body.root)}`
        : `the inclusion proof (${proof.length} hashes) does NOT rebuild the signed root of ` +
          `size ${body.size}`);
      finish(included, included ? 'VERIFIED: this entry is in the signed ledger'
        : 'FAILED: the node\'s proof does not match its signed checkpoint');
    } catch (e) {
      say(false, e.message);
      finish(false, 'FAILED');
    }
  }

  async function renderLedgers() {
    const doc = await fetchJson('v1/ledgers');
    setView('ledgers');
    byId('origin').textContent = `${doc.ledgers.length} ledgers`;
    for (const a of document.querySelectorAll('nav a')) a.hidden = true;
    fill(byId('ledgers'), el('table', { id: 'ledger-list' },
      el('tr', {}, ['ledger', 'origin', 'size', 'root'].map((h) => el('th', {}, h))),
      doc.ledgers.map((l) => el('tr', {},
        el('td', {}, el('a', { href: `.${l.path}/` }, l.path)),
        el('td', {}, l.origin || ''), el('td', {}, String(l.size === undefined ? '' : l.size)),
        el('td', { class: 'mono' }, shortHex(l.root))))));
  }

  // ---- refresh and routing ----
  async function refresh() {
    state.status = await fetchJson('v1/status');
    state.note = await fetchText('checkpoint').catch(() => null);
    state.samples.push({ t: Date.now(), size: Number(state.status.size) });
    if (state.samples.length > CHART_SAMPLES) state.samples.shift();
    byId('origin').textContent = state.status.origin;
    document.title = `vellum: ${state.status.origin}`;
  }

  // Renders the view the URL's hash names. A render started earlier (a poll) that finishes
  // after this one started does not show its view: the newest route wins.
  let routes = 0;
  async function route(live) {
    const hash = location.hash.replace(/^#/, '') || 'overview';
    const [view, arg] = hash.split('/');
    const mine = ++routes;
    const show = (name) => { if (mine === routes) setView(name); };
    try {
      if (!live || !state.status) await refresh();
      if (view === 'network') { await renderNetwork(); show('network'); }
      else if (view === 'entries') { await renderEntries(arg === undefined ? undefined : Number(arg)); show('entries'); }
      else if (view === 'entry') {
        if (live) return; // an entry's checks run once, when it is opened
        if (!/^[0-9]+$/.test(arg || '')) throw new Error('an entry index is a number');
        show('entry');
        await renderEntry(arg);
      } else { await renderOverview(live); show('overview'); }
      if (mine === routes) showError('');
    } catch (e) {
      if (mine === routes) showError(e.message);
    }
  }

  async function start() {
    try {
      const status = await fetchJson('v1/status');
      // A node serving many ledgers has no ledger of its own at its root: list them.
      if (status.node_set) return await renderLedgers();
      await refresh();
    } catch (e) {
      return showError(e.message);
    }
    window.addEventListener('hashchange', () => route(false));
    await route(false);
    setInterval(async () => {
      try {
        await refresh();
      } catch (e) {
        return showError(e.message);
      }
      if (state.view === 'overview' || state.view === 'network') await route(true);
    }, POLL_MS);
  }

  start();
})();
