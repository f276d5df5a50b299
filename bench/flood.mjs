// A bounded "anonymous flood" check of justifi-mcp's HTTP transport, on 127.0.0.1 only. Four
// scenarios, each against its own fresh justifi-mock and justifi-mcp (default settings plus the
// scenario's environment), each bounded in count and time:
//   client_ids     LOG_LEVEL=info. 1000 distinct X-Client-Ids (500 of 12 KiB, 500 test_<16 alnum>),
//                  each with a random X-Client-Secret: initialize, then (on 200 with a session)
//                  notifications/initialized and a tools/call list_payments {"limit":1}
//   streams        MCP_MAX_CONNECTIONS=30: 130 GET /mcp event streams with valid credentials,
//                  /health probes while they are held, then the time until service comes back
//   bodies         60 unauthenticated POST /mcp announcing 1 MiB, half with Expect: 100-continue,
//                  sending 1,000,000 bytes and stalling
//   bearer_tokens  JUSTIFI_OAUTH_VALIDATION=none: 150 distinct random bearer tokens, each with
//                  initialize, notifications/initialized and a tools/call list_payments
// It never assumes an answer: every status that comes back is recorded. Then it judges targets
// from the figures (RSS within 10 MiB of idle, JustiFi calls within the budget of the default
// settings read from the binary's --help, /health past the connection cap, the per-caller stream
// cap, no body read before authentication, log lines of at most 1 KiB): PASS or MISS, which do
// not change the exit status. Writes OUT_MD (markdown, the verdicts first) and the raw figures
// next to it (.json), and prints the tables and the verdicts on stdout; progress on stderr.
// Only node's built-in modules. Normally started by bench/flood.sh.
// Usage: node flood.mjs MCP_BINARY MOCK_BINARY OUT_MD
// Environment: FLOOD_WORK (a scratch directory, else one in /tmp), FLOOD_PIDFILE (every child's
// pid is appended to it, for the wrapper's cleanup), FLOOD_MCP_LABEL / FLOOD_MOCK_LABEL (the
// binaries' names in the report, when the ones run are copies), FLOOD_VERDICTS (a file that gets
// "PASS_COUNT MISS_COUNT").
import net from 'node:net';
import http from 'node:http';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import crypto from 'node:crypto';

const [mcpBin, mockBin, outMd] = process.argv.slice(2);
if (!mcpBin || !mockBin || !outMd) {
    console.error('usage: node flood.mjs MCP_BINARY MOCK_BINARY OUT_MD');
    process.exit(2);
}
const work = process.env.FLOOD_WORK || fs.mkdtempSync('/tmp/flood.');
const pidFile = process.env.FLOOD_PIDFILE || `${work}/pids`;
const mcpLabel = process.env.FLOOD_MCP_LABEL || mcpBin;
const mockLabel = process.env.FLOOD_MOCK_LABEL || mockBin;
const outJson = outMd.endsWith('.md') ? `${outMd.slice(0, -3)}.json` : `${outMd}.json`;

const HOST = '127.0.0.1';
const RUN_DEADLINE_MS = 170_000; // the whole run
const PROTOCOL = '2025-11-25';
const MOCK_ID = 'test_client_id';
const MOCK_SECRET = 'test_client_secret';

const runStarted = Date.now();
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const now = () => Number(process.hrtime.bigint() / 1_000_000n);
const log = msg => process.stderr.write(`[flood ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomAlnum(n) {
    let out = '';
    while (out.length < n) {
        for (const b of crypto.randomBytes(n)) {
            if (b < 248 && out.length < n) out += ALNUM[b % 62]; // 248 = 4 * 62: no bias
        }
    }
    return out;
}
const randomBase64url = n => crypto.randomBytes(n).toString('base64url').slice(0, n);

function bump(hist, key, by = 1) {
    hist[key] = (hist[key] ?? 0) + by;
}
function histText(hist) {
    const keys = Object.keys(hist);
    if (keys.length === 0) return '(none)';
    return keys.sort().map(k => `${k}: ${hist[k]}`).join(', ');
}

// ---- child processes -------------------------------------------------------------------------
const children = new Set();

// The environment of a child: this one's without any MCP_*, JUSTIFI_*, LOG_LEVEL or FLOOD_*
// variable (so the product's defaults apply), plus EXTRA.
function childEnv(extra) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!/^(MCP_|JUSTIFI_|FLOOD_|LOG_LEVEL$)/.test(k)) env[k] = v;
    }
    return { ...env, ...extra };
}

// Starts BIN in a fresh empty directory (the server reads a .env from its cwd); stderr is counted
// and scanned for the {"message":"listening",...,"port":N} line.
function startProcess(name, bin, args, env) {
    const cwd = fs.mkdtempSync(`${work}/cwd-${name}-`);
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const proc = {
        name,
        child,
        pid: child.pid,
        stderrBytes: 0,
        tail: '',
        lines: '',
        port: null,
        listening: null,
        exited: null,
        // The longest stderr line (bytes, without its newline) since resetMaxLine, and its start.
        lineLen: 0,
        lineHead: '',
        maxLine: 0,
        maxLineHead: '',
    };
    if (child.pid) fs.appendFileSync(pidFile, `${child.pid}\n`);
    children.add(proc);
    child.stderr.on('data', chunk => {
        proc.stderrBytes += chunk.length;
        const text = chunk.toString('latin1'); // one character per byte
        proc.tail = (proc.tail + text).slice(-4000);
        trackLines(proc, text);
        if (proc.port !== null) return;
        proc.lines = (proc.lines + text).slice(-200_000);
        let nl;
        while ((nl = proc.lines.indexOf('\n')) >= 0) {
            const line = proc.lines.slice(0, nl);
            proc.lines = proc.lines.slice(nl + 1);
            if (!line.includes('"listening"')) continue;
            try {
                const parsed = JSON.parse(line);
                if (parsed.message === 'listening' && Number(parsed.port) > 0) {
                    proc.listening = parsed;
                    proc.port = Number(parsed.port);
                    proc.lines = '';
                    return;
                }
            } catch { /* not JSON */ }
        }
    });
    child.on('exit', (code, signal) => {
        proc.exited = { code, signal };
        children.delete(proc);
    });
    child.on('error', err => {
        proc.exited = { error: err.message };
        children.delete(proc);
    });
    return proc;
}

const LINE_HEAD = 160;
function trackLines(proc, text) {
    let pos = 0;
    while (pos < text.length) {
        const nl = text.indexOf('\n', pos);
        const end = nl < 0 ? text.length : nl;
        if (proc.lineLen < LINE_HEAD) proc.lineHead += text.slice(pos, Math.min(end, pos + LINE_HEAD - proc.lineLen));
        proc.lineLen += end - pos;
        if (nl < 0) return;
        if (proc.lineLen > proc.maxLine) {
            proc.maxLine = proc.lineLen;
            proc.maxLineHead = proc.lineHead;
        }
        proc.lineLen = 0;
        proc.lineHead = '';
        pos = nl + 1;
    }
}
function resetMaxLine(proc) {
    proc.maxLine = 0;
    proc.maxLineHead = '';
}
// The longest line since resetMaxLine, counting an unfinished last line.
function maxLineOf(proc) {
    return proc.lineLen > proc.maxLine ? { bytes: proc.lineLen, head: proc.lineHead } : { bytes: proc.maxLine, head: proc.maxLineHead };
}

// The TCP port PID listens on, from /proc (LOG_LEVEL=warning hides the "listening" line).
function listeningPortFromProc(pid) {
    const inodes = new Set();
    try {
        for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
            try {
                const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
                if (m) inodes.add(m[1]);
            } catch { /* fd closed meanwhile */ }
        }
    } catch {
        return null;
    }
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
        let text;
        try {
            text = fs.readFileSync(file, 'latin1');
        } catch {
            continue;
        }
        for (const line of text.split('\n').slice(1)) {
            const f = line.trim().split(/\s+/);
            if (f.length >= 10 && f[3] === '0A' && inodes.has(f[9])) return parseInt(f[1].split(':')[1], 16);
        }
    }
    return null;
}

async function waitPort(proc, deadlineMs = 10_000) {
    const end = now() + deadlineMs;
    while (now() < end) {
        if (proc.port !== null) return proc.port;
        if (proc.exited) throw new Error(`${proc.name} exited (${JSON.stringify(proc.exited)}): ${proc.tail.slice(-600)}`);
        const port = listeningPortFromProc(proc.pid);
        if (port) {
            proc.port = port;
            return port;
        }
        await sleep(50);
    }
    throw new Error(`${proc.name} listens on no port after ${deadlineMs} ms: ${proc.tail.slice(-600)}`);
}

async function stopProcess(proc, graceMs = 2000) {
    if (!proc || proc.exited) return;
    const exited = new Promise(resolve => proc.child.once('exit', resolve));
    try {
        proc.child.kill('SIGTERM');
    } catch { /* gone */ }
    const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done && !proc.exited) {
        try {
            proc.child.kill('SIGKILL');
        } catch { /* gone */ }
        await Promise.race([exited, sleep(2000)]);
    }
}

function killAll() {
    for (const proc of children) {
        try {
            proc.child.kill('SIGKILL');
        } catch { /* gone */ }
    }
}

// ---- memory ----------------------------------------------------------------------------------
function rssKb(pid) {
    try {
        const m = /^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
        return m ? Number(m[1]) : null;
    } catch {
        return null;
    }
}
const mib = kb => (kb === null || kb === undefined ? null : Math.round(kb / 102.4) / 10);

class PeakSampler {
    constructor(pid) {
        this.pid = pid;
        this.max = null;
        this.timer = setInterval(() => this.sample(), 50);
    }
    sample() {
        const v = rssKb(this.pid);
        if (v !== null && (this.max === null || v > this.max)) this.max = v;
        return v;
    }
    stop() {
        clearInterval(this.timer);
        this.sample();
        return this.max;
    }
}

// ---- HTTP ---------------------------------------------------------------------------------
// One request with node's http (agent false: a fresh connection, closed after). Never rejects:
// {status, headers, body} or {error} (with status when the answer started and then broke);
// `reused` tells whether it went on a kept-alive connection. With UNTIL_RPC, an event-stream
// answer is taken as complete (and its connection dropped) once it holds a JSON-RPC response.
function httpRequestOnce({ port, method = 'POST', path = '/mcp', headers = {}, body = null, agent = false, timeoutMs = 10_000, untilRpc = false }) {
    return new Promise(resolve => {
        let settled = false;
        let timer = null;
        let req;
        const finish = result => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ ...result, reused: Boolean(req?.reusedSocket) });
        };
        const allHeaders = body === null ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) };
        try {
            req = http.request({ host: HOST, port, method, path, headers: allHeaders, agent }, res => {
                const chunks = [];
                let size = 0;
                const sse = untilRpc && /text\/event-stream/i.test(res.headers['content-type'] ?? '');
                const answer = extra => ({
                    status: res.statusCode,
                    headers: res.headers,
                    body: Buffer.concat(chunks).toString('utf8'),
                    ...extra,
                });
                res.on('data', chunk => {
                    if (size < 1 << 20) {
                        chunks.push(chunk);
                        size += chunk.length;
                    }
                    if (sse && chunk.includes(10) && rpcOf(Buffer.concat(chunks).toString('utf8'))) {
                        finish(answer({ sse_cut: true }));
                        res.destroy();
                    }
                });
                res.on('end', () => finish(answer({})));
                res.on('error', err => finish(answer({ error: err.code || err.message })));
                res.on('close', () => finish(answer({ error: 'closed before the end of the body' })));
            });
        } catch (err) {
            finish({ error: err.code || err.message });
            return;
        }
        timer = setTimeout(() => {
            finish({ error: 'timeout' });
            req.destroy();
        }, Math.max(1, timeoutMs));
        req.on('error', err => finish({ error: err.code || err.message }));
        req.end(body === null ? undefined : body);
    });
}
// httpRequestOnce, sent once more on a new connection when a kept-alive one turned out to be
// closed by the server before any answer (the server may close idle or refused connections):
// then `replaced` is true. The retry gets what is left of TIMEOUT_MS.
async function httpRequest(opts) {
    const started = now();
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const r = await httpRequestOnce(opts);
    if (r.status === undefined && r.reused && ['ECONNRESET', 'EPIPE', 'ECONNABORTED'].includes(r.error)) {
        const left = timeoutMs - (now() - started);
        if (left > 0) return { ...(await httpRequestOnce({ ...opts, timeoutMs: left })), replaced: true };
    }
    return r;
}
const outcome = r => (r.status ? String(r.status) : `no answer (${r.error})`);

// A raw connection: records every status line that arrives and whether it closed.
function rawConnect(port) {
    const c = {
        socket: net.connect({ host: HOST, port }),
        statuses: [],
        buf: '',
        connected: false,
        closed: false,
        closedAt: null,
        byUs: false,
        error: null,
        waiters: [],
    };
    const notify = () => {
        for (const w of c.waiters.splice(0)) w();
    };
    c.socket.setNoDelay(true);
    c.socket.on('connect', () => {
        c.connected = true;
    });
    c.socket.on('data', chunk => {
        if (c.buf.length < 65536) {
            c.buf += chunk.toString('latin1');
            c.statuses = [...c.buf.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map(m => Number(m[1]));
        }
        notify();
    });
    c.socket.on('error', err => {
        c.error = c.error || err.code || err.message;
    });
    c.socket.on('close', () => {
        c.closed = true;
        c.closedAt = now();
        notify();
    });
    c.destroy = () => {
        c.byUs = true;
        c.socket.destroy();
    };
    return c;
}
// Resolves true when PRED holds (checked on each event of C), false at the deadline.
function waitFor(c, pred, deadlineMs) {
    return new Promise(resolve => {
        if (pred()) {
            resolve(true);
            return;
        }
        const timer = setTimeout(() => resolve(pred()), Math.max(0, deadlineMs));
        const check = () => {
            if (pred()) {
                clearTimeout(timer);
                resolve(true);
            } else {
                c.waiters.push(check);
            }
        };
        c.waiters.push(check);
    });
}
// What a raw connection got: its first status, else how it ended.
function rawOutcome(c) {
    if (c.statuses.length > 0) return String(c.statuses[0]);
    if (c.closed && !c.byUs) {
        if (c.error === 'ECONNREFUSED') return 'refused';
        if (c.error === 'ECONNRESET') return 'reset';
        return c.error ? `closed (${c.error})` : 'closed';
    }
    return 'nothing';
}

// ---- MCP -------------------------------------------------------------------------------------
const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
const INIT_BODY = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'flood', version: '1' } },
});
const INITIALIZED_BODY = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });
const CALL_BODY = JSON.stringify({
    jsonrpc: '2.0',
    id: 2,
    method: 'tools/call',
    params: { name: 'list_payments', arguments: { limit: 1 } },
});
const sessionHeaders = sid => (sid ? { 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': PROTOCOL } : { 'MCP-Protocol-Version': PROTOCOL });

// The JSON-RPC message of an answer body: plain JSON or an SSE stream of `data:` lines.
function rpcOf(body) {
    try {
        return JSON.parse(body);
    } catch { /* SSE */ }
    for (const line of body.split(/\r?\n/)) {
        if (!line.startsWith('data:')) continue;
        try {
            const msg = JSON.parse(line.slice(5).trim());
            if (msg && (msg.result !== undefined || msg.error !== undefined)) return msg;
        } catch { /* not JSON */ }
    }
    return null;
}

async function mockStats(mockPort) {
    const r = await httpRequest({ port: mockPort, method: 'GET', path: '/__mock/stats', timeoutMs: 5000 });
    if (r.status !== 200) return { error: outcome(r) };
    const stats = JSON.parse(r.body);
    let v1 = 0;
    const v1ByPath = {};
    for (const [key, count] of Object.entries(stats.requests_by_path ?? {})) {
        if (!key.includes('/v1/')) continue;
        v1 += count;
        v1ByPath[key] = count;
    }
    const tokens = Number(stats.token_requests ?? 0);
    return { calls: tokens + v1, token_requests: tokens, v1_requests: v1, v1_by_path: v1ByPath };
}

// Runs TASK(i) for i in [0, COUNT) with at most PARALLEL at once.
async function pool(count, parallel, task) {
    let next = 0;
    const worker = async () => {
        while (next < count) {
            const i = next;
            next += 1;
            await task(i);
        }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}

// ---- scenarios -------------------------------------------------------------------------------
// Per id: initialize; on 200 with an Mcp-Session-Id, notifications/initialized and one tools/call
// list_payments {"limit":1}, all with the same credential headers. New ids stop being started
// after BUDGET_MS; every request ends by HARD_MS after the start.
async function clientIds({ port }) {
    const count = 1000;
    const parallel = 16;
    const BUDGET_MS = 40_000;
    const HARD_MS = 50_000;
    const KINDS = ['12 KiB ids', 'test_ ids'];
    const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
    const per = Object.fromEntries(
        KINDS.map(k => [k, { ids: 0, inits: {}, notes: {}, calls: {}, retryAfter: 0, retryAfterValues: {}, close: 0, errorText: {} }])
    );
    const all = {};
    const retryAfter = { initialize: 0, 'notifications/initialized': 0, 'tools/call': 0 };
    let connections = 0;
    let replaced = 0;
    let sseCut = 0;
    let skipped = 0;
    const started = now();
    const left = () => Math.min(10_000, started + HARD_MS - now());
    await pool(count, parallel, async i => {
        if (now() - started >= BUDGET_MS) {
            skipped += 1;
            return;
        }
        const long = i % 2 === 0; // interleaved: 500 of each
        const k = per[KINDS[long ? 0 : 1]];
        k.ids += 1;
        const creds = { 'X-Client-Id': long ? randomAlnum(12 * 1024) : `test_${randomAlnum(16)}`, 'X-Client-Secret': randomAlnum(32) };
        const send = async (what, body, sid) => {
            const r = await httpRequest({
                port,
                agent,
                body,
                untilRpc: what === 'tools/call',
                timeoutMs: left(),
                headers: { ...MCP_HEADERS, ...creds, ...(sid ? sessionHeaders(sid) : {}) },
            });
            if (!r.reused) connections += 1;
            if (r.replaced) replaced += 1;
            if (r.sse_cut) sseCut += 1;
            bump(all, outcome(r));
            const ra = r.headers?.['retry-after'];
            if (ra !== undefined) {
                retryAfter[what] += 1;
                k.retryAfter += 1;
                bump(k.retryAfterValues, `${what} ${r.status} Retry-After: ${ra}`);
            }
            if (/close/i.test(r.headers?.connection ?? '')) k.close += 1;
            return r;
        };
        const init = await send('initialize', INIT_BODY, null);
        const sid = init.headers?.['mcp-session-id'];
        bump(k.inits, init.status === 200 && !sid ? '200 without Mcp-Session-Id' : outcome(init));
        if (init.status !== 200 || !sid) {
            bump(k.notes, 'not sent');
            bump(k.calls, 'not sent');
            return;
        }
        bump(k.notes, outcome(await send('notifications/initialized', INITIALIZED_BODY, sid)));
        const call = await send('tools/call', CALL_BODY, sid);
        if (call.status === 200) {
            const msg = rpcOf(call.body);
            if (!msg) bump(k.calls, '200, unreadable body');
            else if (msg.error) bump(k.calls, `200, JSON-RPC error ${msg.error.code}`);
            else if (msg.result?.isError === true) {
                bump(k.calls, '200, isError:true');
                const text = String(msg.result.content?.find?.(c => c?.type === 'text')?.text ?? '').slice(0, 200);
                bump(k.errorText, long ? text.replaceAll(creds['X-Client-Id'], '<the 12 KiB id>') : text.replaceAll(creds['X-Client-Id'], '<the id>'));
            } else bump(k.calls, '200, result (isError absent or false)');
        } else {
            bump(k.calls, outcome(call));
        }
    });
    const ms = now() - started;
    agent.destroy();
    const figures = {
        ids: `${count} (started: ${KINDS.map(kind => `${per[kind].ids} ${kind}`).join(', ')}${skipped ? `; ${skipped} not started within the ${BUDGET_MS / 1000} s budget` : ''})`,
        concurrency: `${parallel} (keep-alive agent; ${connections} connections opened, ${replaced} requests resent because the server had closed their kept-alive connection${sseCut ? `, ${sseCut} event streams dropped after their JSON-RPC answer` : ''})`,
    };
    for (const kind of KINDS) figures[`initialize answers, ${kind}`] = histText(per[kind].inits);
    for (const kind of KINDS) figures[`notifications/initialized answers, ${kind}`] = histText(per[kind].notes);
    for (const kind of KINDS) figures[`tools/call list_payments answers, ${kind}`] = histText(per[kind].calls);
    for (const kind of KINDS) {
        const texts = Object.entries(per[kind].errorText).sort((x, y) => y[1] - x[1]);
        if (texts.length) figures[`isError text, ${kind} (${texts.length} distinct; the most common)`] = `${texts[0][1]} × "${texts[0][0]}"`;
    }
    const raTotal = Object.values(retryAfter).reduce((x, y) => x + y, 0);
    figures['answers with Retry-After'] = `${raTotal} (initialize ${retryAfter.initialize}, notifications/initialized ${retryAfter['notifications/initialized']}, tools/call ${retryAfter['tools/call']}; ${KINDS.map(kind => `${kind} ${per[kind].retryAfter}`).join(', ')})`;
    figures['answers with Connection: close'] = KINDS.map(kind => `${kind} ${per[kind].close}`).join(', ');
    figures['duration (ms)'] = ms;
    return {
        statuses: all,
        figures,
        raw: { per_kind: per, retry_after: retryAfter, connections, replaced, sse_cut: sseCut, skipped, budget_ms: BUDGET_MS, hard_ms: HARD_MS, duration_ms: ms },
    };
}

async function streams({ port }) {
    const count = 130;
    const creds = { 'X-Client-Id': MOCK_ID, 'X-Client-Secret': MOCK_SECRET };
    const init = await httpRequest({ port, body: INIT_BODY, headers: { ...MCP_HEADERS, ...creds } });
    const sid = init.headers?.['mcp-session-id'] ?? null;
    const note = await httpRequest({
        port,
        body: INITIALIZED_BODY,
        headers: { ...MCP_HEADERS, ...creds, ...sessionHeaders(sid) },
    });
    await sleep(200); // let the server see those two connections close
    const streamRequest = [
        'GET /mcp HTTP/1.1',
        `Host: ${HOST}:${port}`,
        'Accept: text/event-stream',
        ...(sid ? [`Mcp-Session-Id: ${sid}`] : []),
        `MCP-Protocol-Version: ${PROTOCOL}`,
        `X-Client-Id: ${MOCK_ID}`,
        `X-Client-Secret: ${MOCK_SECRET}`,
        '',
        '',
    ].join('\r\n');
    const openStream = () => {
        const c = rawConnect(port);
        c.socket.on('connect', () => c.socket.write(streamRequest));
        return c;
    };

    const started = now();
    const conns = Array.from({ length: count }, openStream);
    const deadline = started + 5000;
    await Promise.all(conns.map(c => waitFor(c, () => c.statuses.length > 0 || c.closed, deadline - now())));
    const answeredMs = now() - started;
    const hist = {};
    for (const c of conns) bump(hist, rawOutcome(c));
    const held = conns.filter(c => c.statuses[0] === 200 && !c.closed).length;

    // /health while they are held: 5 probes on fresh connections, 100 ms apart, 3 s each.
    const health = {};
    await Promise.all(
        Array.from({ length: 5 }, async (_, i) => {
            await sleep(i * 100);
            const r = await httpRequest({ port, method: 'GET', path: '/health', timeoutMs: 3000 });
            bump(health, outcome(r));
        })
    );
    const stillHeld = conns.filter(c => c.statuses[0] === 200 && !c.closed).length;
    const stillOpen = conns.filter(c => c.connected && !c.closed).length;

    // Destroy them all; then until /health answers 200 and a new stream opens (30 s at most).
    for (const c of conns) c.destroy();
    const t0 = now();
    const end = t0 + 30_000;
    let recoveredMs = null;
    let attempts = 0;
    let lastFailure = '';
    const failures = {};
    while (now() < end) {
        attempts += 1;
        const h = await httpRequest({ port, method: 'GET', path: '/health', timeoutMs: Math.min(2000, Math.max(1, end - now())) });
        if (h.status === 200) {
            const c = openStream();
            await waitFor(c, () => c.statuses.length > 0 || c.closed, Math.min(2000, end - now()));
            const got = rawOutcome(c);
            c.destroy();
            if (got === '200') {
                recoveredMs = now() - t0;
                break;
            }
            lastFailure = `stream ${got}`;
        } else {
            lastFailure = `health ${outcome(h)}`;
        }
        bump(failures, lastFailure);
        await sleep(100);
    }
    return {
        statuses: hist,
        figures: {
            'initialize / notifications/initialized': `${outcome(init)} / ${outcome(note)}${sid ? '' : ' (no Mcp-Session-Id)'}`,
            'streams opened': count,
            'stream answers within 5 s': histText(hist),
            'streams held (200, open)': held,
            'streams still held during the probes': stillHeld,
            'connections of ours still open after the probes': `${stillOpen} of ${count}`,
            'time to all stream answers (ms)': answeredMs,
            '/health while held (5 probes)': histText(health),
            'recovery: /health 200 and a new stream 200': recoveredMs === null ? `not within 30 s (last: ${lastFailure || 'none'})` : `${recoveredMs} ms`,
            'recovery: that is after the streams were opened (ms)': recoveredMs === null ? '-' : t0 - started + recoveredMs,
            'recovery: failed attempts': histText(failures),
        },
        raw: {
            recovered_ms: recoveredMs,
            opened_to_recovered_ms: recoveredMs === null ? null : t0 - started + recoveredMs,
            health,
            health_probes: 5,
            recovery_failures: failures,
            session: Boolean(sid),
            streams_opened: count,
            held,
            still_held: stillHeld,
            open_after_probes: stillOpen,
        },
    };
}

async function bodies({ port, sampler }) {
    const count = 60;
    const announced = 1_048_576;
    const total = 1_000_000;
    const chunkSize = 64 * 1024;
    const prefix = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"');
    const chunk = Buffer.alloc(chunkSize, 'a');
    prefix.copy(chunk);
    const started = now();
    const writeDeadline = started + 10_000;
    const conns = Array.from({ length: count }, (_, i) => {
        const expect = i % 2 === 0;
        const c = rawConnect(port);
        Object.assign(c, { expect, queued: 0, flushed: 0, writing: true, statusIn5s: null, closedIn5s: false });
        const head = [
            'POST /mcp HTTP/1.1',
            `Host: ${HOST}:${port}`,
            'Content-Type: application/json',
            'Accept: application/json, text/event-stream',
            `Content-Length: ${announced}`,
            ...(expect ? ['Expect: 100-continue'] : []),
            '',
            '',
        ].join('\r\n');
        c.socket.on('connect', async () => {
            c.socket.write(head);
            while (c.queued < total && !c.closed && now() < writeDeadline) {
                const n = Math.min(chunkSize, total - c.queued);
                const ok = c.socket.write(n === chunkSize ? chunk : chunk.subarray(0, n), err => {
                    if (!err) c.flushed += n;
                });
                c.queued += n;
                if (!ok) {
                    await new Promise(resolve => {
                        const timer = setTimeout(done, Math.max(0, writeDeadline - now()));
                        function done() {
                            clearTimeout(timer);
                            c.socket.off('drain', done);
                            c.socket.off('close', done);
                            resolve();
                        }
                        c.socket.once('drain', done);
                        c.socket.once('close', done);
                    });
                }
            }
            c.writing = false;
        });
        return c;
    });
    const writesDone = c => c.closed || (!c.writing && (c.flushed >= total || now() >= writeDeadline));
    // The 5 s window for what comes back.
    await sleep(5000);
    for (const c of conns) {
        c.statusIn5s = rawOutcome(c);
        c.closedIn5s = c.closed && !c.byUs;
        c.statusesIn5s = c.statuses.join(',');
    }
    // Held until every connection finished writing (or stalled) or 10 s passed.
    while (now() < writeDeadline && !conns.every(writesDone)) await sleep(50);
    const heldMs = now() - started;
    const rssHeld = sampler.sample();
    const closedByEnd = conns.filter(c => c.closed && !c.byUs).length;
    for (const c of conns) c.statusesAtEnd = c.statuses.join(',');
    for (const c of conns) c.destroy();

    const summary = {};
    for (const kind of ['Expect: 100-continue', 'no Expect']) {
        const mine = conns.filter(c => c.expect === (kind !== 'no Expect'));
        const first = {};
        const seq = {};
        for (const c of mine) {
            bump(first, c.statusIn5s);
            bump(seq, c.statusesIn5s || '-');
        }
        const flushed = mine.map(c => c.flushed);
        summary[kind] = {
            connections: mine.length,
            first: histText(first),
            sequences: histText(seq),
            closedIn5s: mine.filter(c => c.closedIn5s).length,
            fullyFlushed: mine.filter(c => c.flushed >= total).length,
            meanFlushedKiB: Math.round(flushed.reduce((a, b) => a + b, 0) / mine.length / 1024),
        };
    }
    const statuses = {};
    for (const c of conns) bump(statuses, c.statusIn5s);
    const atEnd = {};
    for (const c of conns) bump(atEnd, c.statusesAtEnd || '-');
    const figures = {
        connections: `${count} (each announces ${announced} bytes and sends at most ${total})`,
        'held for (ms)': heldMs,
        'status lines by the end of the stall (all connections)': histText(atEnd),
        'RSS while held (MiB)': mib(rssHeld),
        'closed by the server before we closed': `${closedByEnd} of ${count}`,
    };
    for (const [kind, s] of Object.entries(summary)) {
        figures[`${kind}: first status within 5 s`] = s.first;
        figures[`${kind}: status lines within 5 s`] = s.sequences;
        figures[`${kind}: closed by the server within 5 s`] = `${s.closedIn5s} of ${s.connections}`;
        figures[`${kind}: all 1,000,000 body bytes taken by the socket`] = `${s.fullyFlushed} of ${s.connections} (mean ${s.meanFlushedKiB} KiB written)`;
    }
    return {
        statuses,
        figures,
        raw: {
            rss_held_kb: rssHeld,
            held_ms: heldMs,
            connections: conns.map(c => ({
                expect: c.expect,
                status_in_5s: c.statusIn5s,
                statuses_in_5s: c.statusesIn5s,
                statuses_at_end: c.statusesAtEnd,
                closed_in_5s: c.closedIn5s,
                flushed: c.flushed,
                error: c.error,
            })),
        },
    };
}

async function bearerTokens({ port }) {
    const count = 150;
    const parallel = 8;
    const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
    const all = {};
    const inits = {};
    const notes = {};
    const calls = {};
    let got429 = 0;
    let callsSent = 0;
    let callsRefused = 0;
    const started = now();
    await pool(count, parallel, async () => {
        const auth = { Authorization: `Bearer ${randomBase64url(43)}` };
        const record = (hist, r) => {
            bump(hist, outcome(r));
            bump(all, outcome(r));
            if (r.status === 429) got429 += 1;
        };
        const init = await httpRequest({ port, agent, body: INIT_BODY, headers: { ...MCP_HEADERS, ...auth } });
        record(inits, init);
        const sid = init.headers?.['mcp-session-id'];
        if (init.status !== 200 || !sid) {
            bump(calls, 'not sent (initialize failed)');
            return;
        }
        record(notes, await httpRequest({ port, agent, body: INITIALIZED_BODY, headers: { ...MCP_HEADERS, ...auth, ...sessionHeaders(sid) } }));
        const call = await httpRequest({ port, agent, body: CALL_BODY, headers: { ...MCP_HEADERS, ...auth, ...sessionHeaders(sid) } });
        callsSent += 1;
        if (call.status === 429 || call.status === 503) callsRefused += 1;
        bump(all, outcome(call));
        if (call.status === 429) got429 += 1;
        if (call.status === 200) {
            const msg = rpcOf(call.body);
            if (!msg) bump(calls, '200, unreadable body');
            else if (msg.error) bump(calls, `200, JSON-RPC error ${msg.error.code}`);
            else if (msg.result?.isError === true) bump(calls, '200, isError:true');
            else bump(calls, '200, result');
        } else {
            bump(calls, outcome(call));
        }
    });
    const ms = now() - started;
    agent.destroy();
    return {
        statuses: all,
        figures: {
            tokens: count,
            concurrency: parallel,
            'initialize answers': histText(inits),
            'notifications/initialized answers': histText(notes),
            'tools/call answers': histText(calls),
            'answers 429 (all requests)': got429,
            'duration (ms)': ms,
        },
        raw: { got429, duration_ms: ms, tool_calls_sent: callsSent, tool_calls_refused: callsRefused },
    };
}

const SCENARIOS = [
    {
        name: 'client_ids',
        env: { LOG_LEVEL: 'info' },
        what: "LOG_LEVEL=info (the server's default, so the log figures are what such a flood writes by default). 1000 distinct X-Client-Ids (500 of 12 KiB random alphanumerics, 500 `test_<16 alnum>`, interleaved), each with a random X-Client-Secret; per id: POST /mcp initialize, and when that answers 200 with an Mcp-Session-Id, notifications/initialized and one tools/call list_payments {\"limit\":1} (same credential headers, Mcp-Session-Id, MCP-Protocol-Version: 2025-11-25). 16 ids at once on a keep-alive agent (a connection the server closes is replaced); no new id after 40 s, every request over by 50 s.",
        run: clientIds,
    },
    {
        name: 'streams',
        env: { MCP_MAX_CONNECTIONS: '30' },
        what: 'MCP_MAX_CONNECTIONS=30. initialize + notifications/initialized with the valid client credentials, then 130 GET /mcp event streams at once on separate connections (status line only, 5 s deadline; 200s are held); 5 GET /health probes (3 s each) while held; then all closed and the time until /health answers 200 and a new stream opens (every 100 ms, 30 s at most).',
        run: streams,
    },
    {
        name: 'bodies',
        env: {},
        what: '60 connections send POST /mcp headers without credentials, Content-Length: 1048576 (half with Expect: 100-continue), then 1,000,000 body bytes in 64 KiB writes (only while the socket takes them) and stall. What came back within 5 s; RSS once all writes ended (or 10 s); then all closed.',
        run: bodies,
    },
    {
        name: 'bearer_tokens',
        env: { JUSTIFI_OAUTH_VALIDATION: 'none' },
        what: 'JUSTIFI_OAUTH_VALIDATION=none. 150 distinct random bearer tokens (43 base64url characters), 8 at once; each: initialize, notifications/initialized, tools/call list_payments (the simulator answers 401 to these tokens).',
        run: bearerTokens,
    },
];

async function runScenario(scenario) {
    const result = { name: scenario.name, env: scenario.env, what: scenario.what, log_level: scenario.env.LOG_LEVEL ?? 'warning' };
    const started = now();
    let mock = null;
    let mcp = null;
    let sampler = null;
    try {
        mock = startProcess(`${scenario.name}-mock`, mockBin, ['--host', HOST, '--port', '0'], childEnv({}));
        const mockPort = await waitPort(mock);
        if (!versions.mock_listening && mock.listening) versions.mock_listening = mock.listening;
        mcp = startProcess(
            `${scenario.name}-mcp`,
            mcpBin,
            ['--transport', 'http', '--host', HOST, '--port', '0'],
            childEnv({
                JUSTIFI_BASE_URL: `http://${HOST}:${mockPort}`,
                LOG_LEVEL: 'warning',
                JUSTIFI_OAUTH_ISSUER: 'http://127.0.0.1:9/',
                ...scenario.env,
            })
        );
        const port = await waitPort(mcp);
        const health = await httpRequest({ port, method: 'GET', path: '/health', timeoutMs: 5000 });
        result.first_health = outcome(health);
        await sleep(3000);
        result.rss_idle_kb = rssKb(mcp.pid);
        const logBefore = mcp.stderrBytes;
        resetMaxLine(mcp);
        sampler = new PeakSampler(mcp.pid);
        const out = await scenario.run({ port, mockPort, mcp, sampler });
        result.rss_peak_kb = sampler.stop();
        sampler = null;
        await sleep(3000);
        result.rss_after_kb = rssKb(mcp.pid);
        result.log_bytes = mcp.stderrBytes - logBefore;
        const longest = maxLineOf(mcp);
        result.log_max_line_bytes = longest.bytes;
        result.log_max_line_head = longest.head;
        result.statuses = out.statuses;
        result.figures = out.figures;
        result.raw = out.raw ?? {};
        result.justifi = await mockStats(mockPort);
    } catch (err) {
        result.error = err.stack || String(err);
        log(`${scenario.name}: error: ${err.message}`);
    } finally {
        if (sampler) sampler.stop();
        result.server_exit = mcp?.exited ? JSON.stringify(mcp.exited) : null;
        if (mcp?.exited) result.server_log_tail = mcp.tail.slice(-1500);
        await stopProcess(mcp);
        await stopProcess(mock);
        result.seconds = Math.round((now() - started) / 100) / 10;
    }
    return result;
}

// ---- verdicts --------------------------------------------------------------------------------
// Each target is judged from the measured figures; the budgets come from the product's default
// settings, read from the binary's --help ("env NAME, default VALUE"), else the numbers below.
// A scenario's own environment (none of them sets these) would take precedence.
const FALLBACK_SETTINGS = {
    JUSTIFI_TOKEN_FETCH_BURST: 20,
    JUSTIFI_TOKEN_FETCHES_PER_SECOND: 10,
    MCP_RATE_LIMIT_BURST: 100,
    MCP_RATE_LIMIT: 20,
    MCP_MAX_STREAMS_PER_CALLER: 4,
};
const RSS_LIMIT_KB = 10 * 1024;
const LOG_LINE_LIMIT = 1024;

// {help: true when --help printed any "env NAME", settings: {NAME: {value, source, in_help}}}.
function readSettings(bin) {
    let text = '';
    let error = null;
    try {
        const r = spawnSync(bin, ['--help'], { cwd: work, env: childEnv({}), timeout: 5000, maxBuffer: 1 << 20 });
        text = `${r.stdout?.toString('utf8') ?? ''}\n${r.stderr?.toString('utf8') ?? ''}`;
        if (r.error) error = r.error.message;
    } catch (err) {
        error = err.message;
    }
    // The help wraps its lines ("env NAME, \n   default VALUE"): whitespace runs are one space.
    const flat = text.replace(/\s+/g, ' ');
    const named = new Set([...flat.matchAll(/\benv ([A-Z][A-Z0-9_]*)\b/g)].map(m => m[1]));
    const defaults = {};
    for (const m of flat.matchAll(/\benv ([A-Z][A-Z0-9_]*), default ([^\s,;)]+)/g)) defaults[m[1]] = m[2];
    const help = named.size > 0;
    const settings = {};
    for (const [name, fallback] of Object.entries(FALLBACK_SETTINGS)) {
        const parsed = defaults[name] !== undefined && /^\d+(\.\d+)?$/.test(defaults[name]) ? Number(defaults[name]) : null;
        settings[name] =
            parsed !== null
                ? { value: parsed, source: '--help', in_help: true }
                : {
                      value: fallback,
                      source: help
                          ? named.has(name)
                              ? `fallback: the --help default "${defaults[name] ?? ''}" is not a number`
                              : "fallback: not in this binary's --help"
                          : `fallback: no --help output${error ? ` (${error})` : ''}`,
                      in_help: named.has(name),
                  };
    }
    return { help, error, settings };
}
let settingsCache = null;
const settingsOf = () => (settingsCache ??= readSettings(mcpBin));
// The value of setting NAME in scenario R: its environment, else the default.
function setting(r, name) {
    const env = r?.env?.[name];
    if (env !== undefined && /^\d+(\.\d+)?$/.test(env)) return { value: Number(env), source: "the scenario's environment" };
    return settingsOf().settings[name];
}

const signedMib = kb => `${kb >= 0 ? '+' : '−'}${Math.abs(mib(kb))}`;
const num = (x, digits = 1) => (Number.isInteger(x) ? String(x) : x.toFixed(digits));

function computeVerdicts(results) {
    const verdicts = [];
    const add = (scenario, target, pass, measured, note = null) => verdicts.push({ scenario, target, verdict: pass ? 'PASS' : 'MISS', measured, ...(note ? { note } : {}) });
    for (const s of SCENARIOS) {
        const r = results.find(x => x.name === s.name);
        const targets = [];
        // Each entry: [target, () => [pass, measured, note?]].
        targets.push([
            'RSS stays within 10 MiB of idle',
            () => {
                if (r.rss_idle_kb == null || r.rss_peak_kb == null || r.rss_after_kb == null) return [false, 'RSS not measured'];
                const peak = r.rss_peak_kb - r.rss_idle_kb;
                const after = r.rss_after_kb - r.rss_idle_kb;
                return [peak <= RSS_LIMIT_KB && after <= RSS_LIMIT_KB, `peak during − idle ${signedMib(peak)} MiB, after − idle ${signedMib(after)} MiB (limit +10 MiB each; idle ${mib(r.rss_idle_kb)} MiB)`];
            },
        ]);
        const stats = fn => () => {
            const j = r.justifi;
            if (!j || j.error) return [false, `JustiFi calls not measured${j?.error ? ` (simulator stats: ${j.error})` : ''}`];
            return fn(j);
        };
        if (s.name === 'client_ids') {
            targets.push([
                'JustiFi calls stay within the configured budget: token requests',
                stats(j => {
                    const ms = r.raw?.duration_ms;
                    if (typeof ms !== 'number') return [false, `${j.token_requests} token requests; duration not measured`];
                    const d = ms / 1000;
                    const burst = setting(r, 'JUSTIFI_TOKEN_FETCH_BURST').value;
                    const rate = setting(r, 'JUSTIFI_TOKEN_FETCHES_PER_SECOND').value;
                    const budget = burst + rate * d;
                    return [j.token_requests <= budget, `${j.token_requests} token requests; budget JUSTIFI_TOKEN_FETCH_BURST ${burst} + JUSTIFI_TOKEN_FETCHES_PER_SECOND ${rate} × d ${d.toFixed(3)} s = ${num(budget)}`];
                }),
            ]);
            targets.push([
                'JustiFi calls stay within the configured budget: /v1 requests',
                stats(j => [j.v1_requests === 0, `${j.v1_requests} /v1 requests; budget 0 (the ids are made up)`]),
            ]);
            targets.push([
                'log volume bounded (largest single log line ≤ 1024 bytes)',
                () => (r.log_max_line_bytes == null ? [false, 'log not measured'] : [r.log_max_line_bytes <= LOG_LINE_LIMIT, `largest line ${r.log_max_line_bytes} bytes (${r.log_bytes} bytes in all at LOG_LEVEL=${r.log_level})`]),
            ]);
        } else if (s.name === 'streams') {
            targets.push([
                'JustiFi calls stay within the configured budget',
                stats(j => [j.calls <= 1, `${j.calls} JustiFi calls (${j.token_requests} token, ${j.v1_requests} /v1); budget 1 (the token for the valid credentials)`]),
            ]);
            targets.push([
                '/health answers while the MCP endpoint is full',
                () => {
                    const raw = r.raw ?? {};
                    if (!raw.health) return [false, '/health probes not measured'];
                    const probes = raw.health_probes ?? Object.values(raw.health).reduce((a, b) => a + b, 0);
                    const ok = raw.health['200'] ?? 0;
                    const open = raw.open_after_probes !== undefined ? `; ${raw.open_after_probes} of our ${raw.streams_opened} connections still open after the probes, MCP_MAX_CONNECTIONS=${r.env.MCP_MAX_CONNECTIONS}` : '';
                    return [probes > 0 && ok === probes, `${ok} of ${probes} probes 200 (${histText(raw.health)})${open}`];
                },
            ]);
            targets.push([
                'streams per caller capped',
                () => {
                    const held = r.raw?.held;
                    if (typeof held !== 'number') return [false, 'held streams not measured'];
                    const cap = setting(r, 'MCP_MAX_STREAMS_PER_CALLER');
                    const info = settingsOf();
                    if (info.help && !cap.in_help && cap.source !== "the scenario's environment") {
                        return [false, `${held} of ${r.raw.streams_opened} streams held by one caller`, 'this binary has no MCP_MAX_STREAMS_PER_CALLER setting (not in its --help): no per-caller cap to meet'];
                    }
                    return [held <= cap.value, `${held} of ${r.raw.streams_opened} streams held by one caller; cap MCP_MAX_STREAMS_PER_CALLER ${cap.value}${cap.source === '--help' ? '' : ` (${cap.source})`}`];
                },
            ]);
        } else if (s.name === 'bodies') {
            targets.push(['JustiFi calls stay within the configured budget', stats(j => [j.calls === 0, `${j.calls} JustiFi calls (${j.token_requests} token, ${j.v1_requests} /v1); budget 0`])]);
            targets.push([
                'no body read before authentication',
                () => {
                    const conns = r.raw?.connections;
                    if (!Array.isArray(conns) || conns.length === 0) return [false, 'connections not measured'];
                    const lists = conns.map(c => String(c.statuses_at_end ?? '').split(',').filter(Boolean).map(Number));
                    const saw100 = lists.filter(l => l.includes(100)).length;
                    const got4xx = lists.filter(l => l.some(x => x >= 400 && x < 500)).length;
                    const seqs = {};
                    for (const c of conns) bump(seqs, c.statuses_at_end || '-');
                    return [saw100 === 0 && got4xx === conns.length, `${saw100} of ${conns.length} connections saw 100 Continue; ${got4xx} of ${conns.length} got a 4xx by the end of the stall (${r.raw.held_ms} ms; status lines: ${histText(seqs)})`];
                },
            ]);
        } else if (s.name === 'bearer_tokens') {
            targets.push([
                'JustiFi calls stay within the configured budget',
                stats(j => {
                    const raw = r.raw ?? {};
                    if (typeof raw.duration_ms !== 'number') return [false, `${j.v1_requests} /v1 requests; duration not measured`];
                    const d = raw.duration_ms / 1000;
                    const burst = setting(r, 'MCP_RATE_LIMIT_BURST').value;
                    const rate = setting(r, 'MCP_RATE_LIMIT').value;
                    const budget = burst + rate * d;
                    const admitted = raw.tool_calls_sent - raw.tool_calls_refused;
                    const ratio = admitted > 0 ? ` = ${(j.v1_requests / admitted).toFixed(2)}` : '';
                    return [
                        j.v1_requests <= budget,
                        `${j.v1_requests} /v1 requests (${j.token_requests} token); budget MCP_RATE_LIMIT_BURST ${burst} + MCP_RATE_LIMIT ${rate} × d ${d.toFixed(3)} s = ${num(budget)}; observed: ${j.v1_requests} /v1 per ${admitted} tools/call admitted (of ${raw.tool_calls_sent} sent; ${raw.tool_calls_refused} got 429/503)${ratio}`,
                    ];
                }),
            ]);
        }
        for (const [target, judge] of targets) {
            if (!r) {
                add(s.name, target, false, 'not measured', 'the run stopped before this scenario ended');
                continue;
            }
            const [pass, measured, note] = judge();
            if (r.error) add(s.name, target, false, measured, `the scenario failed: ${r.error.split('\n')[0]}`);
            else add(s.name, target, pass, measured, note);
        }
    }
    return verdicts;
}
const countVerdicts = verdicts => ({ pass: verdicts.filter(v => v.verdict === 'PASS').length, miss: verdicts.filter(v => v.verdict === 'MISS').length });

function settingsText() {
    return Object.entries(settingsOf().settings)
        .map(([name, s]) => `${name}=${s.value} (${s.source})`)
        .join(', ');
}

function verdictTable(verdicts) {
    return [
        '| scenario | target | measured | verdict |',
        '|---|---|---|---|',
        ...verdicts.map(v => `| ${cell(v.scenario)} | ${cell(v.target)} | ${cell(v.measured)}${v.note ? ` — ${cell(v.note)}` : ''} | **${v.verdict}** |`),
    ].join('\n');
}

// ---- report ----------------------------------------------------------------------------------
const versions = {};
function versionOf(bin) {
    try {
        return execFileSync(bin, ['--version'], { cwd: work, env: childEnv({}), timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] })
            .toString('utf8')
            .trim()
            .split('\n')[0];
    } catch (err) {
        return null;
    }
}

function cell(v) {
    return String(v ?? '-').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function scenarioTable(r) {
    const rows = [];
    if (r.error) rows.push(['error', r.error.split('\n')[0]]);
    rows.push(['first GET /health', r.first_health]);
    rows.push(['answers (HTTP status: count)', r.statuses ? histText(r.statuses) : '-']);
    for (const [k, v] of Object.entries(r.figures ?? {})) rows.push([k, v]);
    const j = r.justifi;
    if (j && !j.error) {
        const paths = Object.entries(j.v1_by_path).map(([k, v]) => `${k}: ${v}`).join(', ');
        rows.push(['JustiFi calls (token + /v1)', `${j.calls} (${j.token_requests} token, ${j.v1_requests} /v1${paths ? `: ${paths}` : ''})`]);
    } else if (j) {
        rows.push(['JustiFi calls', `stats unavailable: ${j.error}`]);
    }
    const growth = r.rss_after_kb != null && r.rss_idle_kb != null ? ` (${r.rss_after_kb >= r.rss_idle_kb ? '+' : ''}${mib(r.rss_after_kb - r.rss_idle_kb)})` : '';
    rows.push(['RSS idle / peak during / after (MiB)', `${mib(r.rss_idle_kb) ?? '-'} / ${mib(r.rss_peak_kb) ?? '-'} / ${mib(r.rss_after_kb) ?? '-'}${growth}`]);
    rows.push([`server log bytes (stderr, LOG_LEVEL=${r.log_level})`, r.log_bytes]);
    const head = r.log_max_line_head ? ` (starts: ${r.log_max_line_head.slice(0, 100)}${r.log_max_line_bytes > 100 ? '…' : ''})` : '';
    rows.push(['largest single server log line (bytes)', r.log_max_line_bytes === undefined ? '-' : `${r.log_max_line_bytes}${head}`]);
    rows.push(['server exited during the scenario', r.server_exit ?? 'no']);
    rows.push(['scenario wall time (s)', r.seconds]);
    return ['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`)].join('\n');
}

function report(results, complete, verdicts) {
    const cores = (() => {
        try {
            return fs.readFileSync('/proc/cpuinfo', 'latin1').split('\n').filter(l => l.startsWith('processor')).length;
        } catch {
            return '?';
        }
    })();
    const mockVersion = versions.mock ?? (versions.mock_listening ? `${versions.mock_listening.service ?? 'justifi-mock'} ${versions.mock_listening.version} (from its listening line; no --version)` : 'unknown');
    const lines = [
        '# Anonymous flood check',
        '',
        `${new Date(runStarted).toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cores} cores, load average ${fs.readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ')}, node ${process.version}, run time ${Math.round((Date.now() - runStarted) / 1000)} s${complete ? '' : ' — **INCOMPLETE RUN**'}`,
        '',
        `- justifi-mcp: \`${mcpLabel}\`: ${versions.mcp ?? 'no --version output'}`,
        `- justifi-mock: \`${mockLabel}\`: ${mockVersion}`,
        '',
        'Made by `bench/flood.sh`. Every scenario runs against its own fresh `justifi-mock` and `justifi-mcp`',
        '(`--transport http --host 127.0.0.1 --port 0`, cwd an empty directory, `LOG_LEVEL=warning` except',
        '`LOG_LEVEL=info` (the default level) for `client_ids`,',
        '`JUSTIFI_OAUTH_ISSUER=http://127.0.0.1:9/` so that JWKS loading fails at once, no client credentials,',
        'every other setting the default, plus the environment below). RSS is VmRSS: idle = 3 s after one',
        '`GET /health`; peak = highest sample (every 50 ms) during the scenario; after = 3 s after all of the',
        "scenario's sockets closed. JustiFi calls = the simulator's token requests + its /v1 requests.",
        'Server log bytes and the largest log line are counted from the idle RSS sample to the after sample.',
        '',
        '## Verdicts',
        '',
        verdictTable(verdicts),
        '',
        (({ pass, miss }) => `${pass} PASS, ${miss} MISS${complete ? '' : ' (incomplete run)'}. Computed from the figures below; a measurement, not a test (\`flood.sh\` exits 0 whatever the verdicts).`)(countVerdicts(verdicts)),
        'RSS: the peak and after samples against the idle one. Budgets: the settings in force (every scenario runs with their defaults),',
        `read from the binary's \`--help\` ("env NAME, default VALUE") or else the documented default: ${settingsText()}.`,
        "d (`client_ids`, `bearer_tokens`) is the scenario's `duration (ms)` figure: from its first request to its last answer",
        "(the flood part only, without the server's start, the idle wait or the 3 s before the after sample). Token requests",
        'are budgeted by the token fetch bucket (full when the flood starts, so at most the burst plus the rate × d); `/v1` calls',
        'with unverified bearer tokens by the rate bucket that the callers share (one address: at most the burst plus the rate × d',
        'MCP requests are admitted, and each admitted `tools/call` makes at most one `/v1` call, so that bound is loose; the',
        'measured column also gives the observed `/v1` calls per admitted `tools/call`).',
        '',
    ];
    SCENARIOS.forEach((s, i) => lines.push(`${i + 1}. \`${s.name}\`: ${s.what}`));
    results.forEach((r, i) => {
        lines.push('', `## ${i + 1}. ${r.name}${Object.keys(r.env).length ? ` (${Object.entries(r.env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}`, '', scenarioTable(r));
    });
    return `${lines.join('\n')}\n`;
}

function writeOutputs(results, complete) {
    const verdicts = computeVerdicts(results);
    const counts = countVerdicts(verdicts);
    const md = report(results, complete, verdicts);
    fs.writeFileSync(outMd, md);
    if (process.env.FLOOD_VERDICTS) fs.writeFileSync(process.env.FLOOD_VERDICTS, `${counts.pass} ${counts.miss}\n`);
    fs.writeFileSync(
        outJson,
        `${JSON.stringify(
            {
                date: new Date(runStarted).toISOString(),
                complete,
                run_seconds: Math.round((Date.now() - runStarted) / 100) / 10,
                node: process.version,
                mcp: { path: mcpLabel, version: versions.mcp },
                mock: { path: mockLabel, version: versions.mock, listening: versions.mock_listening },
                settings: settingsOf(),
                verdict_counts: counts,
                verdicts,
                scenarios: results,
            },
            null,
            2
        )}\n`
    );
    return { md, verdicts, counts };
}

// ---- main ------------------------------------------------------------------------------------
const results = [];
let finishing = false;
function abort(reason, code) {
    if (finishing) return;
    finishing = true;
    log(`stopping: ${reason}`);
    killAll();
    try {
        writeOutputs(results, false);
        log(`wrote the incomplete ${outMd}`);
    } catch { /* nothing more to do */ }
    process.exit(code);
}
process.on('SIGINT', () => abort('SIGINT', 130));
process.on('SIGTERM', () => abort('SIGTERM', 143));
process.on('SIGHUP', () => abort('SIGHUP', 129));
process.on('uncaughtException', err => abort(`uncaught: ${err.stack || err}`, 1));
process.on('unhandledRejection', err => abort(`unhandled: ${err?.stack || err}`, 1));
process.on('exit', killAll);
setTimeout(() => abort(`the run took more than ${RUN_DEADLINE_MS / 1000} s`, 1), RUN_DEADLINE_MS).unref();

versions.mcp = versionOf(mcpBin);
versions.mock = versionOf(mockBin);
log(`budget settings: ${settingsText()}`);
for (const scenario of SCENARIOS) {
    log(`${scenario.name}: start`);
    const r = await runScenario(scenario);
    results.push(r);
    log(`${scenario.name}: done in ${r.seconds} s${r.error ? ' (with an error)' : ''}`);
}
finishing = true;
const { md, verdicts, counts } = writeOutputs(results, true);
process.stdout.write(md);
process.stdout.write(
    `\nVerdicts (${counts.pass} PASS, ${counts.miss} MISS):\n${verdicts
        .map(v => `  ${v.verdict}  ${v.scenario}: ${v.target}: ${v.measured}${v.note ? ` (${v.note})` : ''}`)
        .join('\n')}\n`
);
log(`wrote ${outMd} and ${outJson}`);
process.exit(results.some(r => r.error) ? 1 : 0);
