// Turns bench/run.sh's measurements into results.md and chart.tsv (the data of chart.png).
// Reads RESULTS/raw.tsv (one line per wrk run) and RESULTS/extra.tsv (key <tab> value: machine,
// memory and stdio figures). Usage: node report.mjs RESULTS_DIR
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
    console.error('usage: node report.mjs RESULTS_DIR');
    process.exit(2);
}

// ---- input ---------------------------------------------------------------------------------
function readTsv(file) {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(l => l.length > 0);
    const header = lines.shift().split('\t');
    return lines.map(line => {
        const cells = line.split('\t');
        return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    });
}
const raw = readTsv(path.join(dir, 'raw.tsv'));
const extra = Object.fromEntries(readTsv(path.join(dir, 'extra.tsv')).map(r => [r.key, r.value]));
const num = x => (x === undefined || x === '' ? NaN : Number(x));
// Targets that are the upstream itself (the simulator, or nginx with recorded answers): their
// "server" and "mock" CPU are the same process.
const direct = target => target === 'ceiling' || target === 'static';

function median(values) {
    const v = values.filter(x => Number.isFinite(x)).sort((a, b) => a - b);
    if (v.length === 0) return NaN;
    const mid = v.length >> 1;
    return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

// One point: the median of each figure over the repeats; invalid when any repeat was.
const metrics = ['rps', 'p50_us', 'p99_us', 'p999_us', 'server_cpu_s', 'mock_cpu_s', 'wrk_cpu_s', 'requests', 'server_rss_kb', 'load1'];
function point(workload, target, concurrency) {
    const runs = raw.filter(r => r.workload === workload && r.target === target && Number(r.concurrency) === concurrency);
    if (runs.length === 0) return null;
    const p = { runs: runs.length, valid: runs.every(r => r.valid === '1'), firstBad: runs.find(r => r.first_bad)?.first_bad ?? '' };
    const socketErrors = runs.reduce((n, r) => n + num(r.socket_errors), 0);
    const badAnswers = runs.reduce((n, r) => n + num(r.bad), 0);
    p.why = [badAnswers > 0 ? `${badAnswers} bad answers, the first: \`${p.firstBad}\`` : '',
        socketErrors > 0 ? `${socketErrors} socket errors (connect, read, write or wrk's 10 s timeout)` : ''].filter(Boolean).join('; ');
    for (const m of metrics) p[m] = median(runs.map(r => num(r[m])));
    p.cpuPerRequest = median(runs.map(r => (num(r.server_cpu_s) / num(r.requests)) * 1e6));
    p.mockCpuPerRequest = median(runs.map(r => (num(r.mock_cpu_s) / num(r.requests)) * 1e6));
    p.wrkCpuPerRequest = median(runs.map(r => (num(r.wrk_cpu_s) / num(r.requests)) * 1e6));
    // Cores the rest of the machine used meanwhile: all busy time less the server, simulator and wrk.
    p.otherCores = median(runs.map(r => {
        const ours = num(r.server_cpu_s) + (direct(target) ? 0 : num(r.mock_cpu_s)) + num(r.wrk_cpu_s);
        return Math.max(0, num(r.machine_busy_s) - ours) / num(r.seconds);
    }));
    return p;
}

const workloads = [...new Set(raw.map(r => r.workload))];
const levels = [...new Set(raw.map(r => Number(r.concurrency)))].sort((a, b) => a - b);
const targets = ['ours', 'peer', 'peer2', 'ceiling', 'ours_static', 'static', 'proxy_static'];
// What each target is, for the tables' legend.
const targetNames = {
    ours: 'ours: justifi-mcp → justifi-mock',
    peer: 'peer: TypeScript SDK v1 → justifi-mock',
    peer2: 'peer2: TypeScript SDK v2 (createMcpHandler) → justifi-mock',
    ceiling: 'ceiling: justifi-mock direct',
    ours_static: 'ours_static: justifi-mcp → nginx with recorded answers',
    static: 'static: nginx direct',
    proxy_static: 'proxy_static: a second nginx passing on justifi-mcp\'s recorded answer from the static nginx (a proxy that does no work)'
};

// ---- formatting ----------------------------------------------------------------------------
const fmtRps = p => (p ? `${Math.round(p.rps).toLocaleString('en-US')}${p.valid ? '' : ' (invalid)'}` : '—');
const fmtMs = us => (Number.isFinite(us) ? (us / 1000 >= 100 ? (us / 1000).toFixed(0) : (us / 1000).toFixed(2)) : '—');
const fmtRatio = x => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '—');
const fmtPct = x => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '—');
const mib = kb => (Number.isFinite(kb) ? (kb / 1024).toFixed(1) : '—');
const fmtUs = x => (Number.isFinite(x) ? x.toFixed(0) : '—');

const out = [];
const line = (s = '') => out.push(s);

// ---- targets -------------------------------------------------------------------------------
const at64 = Object.fromEntries(targets.map(t => [t, point('list_payments', t, 64)]));
const modern64 = Object.fromEntries(targets.map(t => [t, point('list_payments_modern', t, 64)]));
const static64 = Object.fromEntries(targets.map(t => [t, point('list_payments_static', t, 64)]));
const checks = [];
function check(name, required, measured, pass, valid = true, ran = true) {
    checks.push({ name, required, measured, verdict: !ran ? 'NOT RUN' : !valid ? 'MISS (invalid run)' : pass ? 'PASS' : 'MISS' });
}
// Throughput and p99 of ours against a peer, in one era, at 64 clients.
function against(era, at, peerKey, peerName) {
    const ours = at.ours;
    const peer = at[peerKey];
    const valid = Boolean(ours?.valid && peer?.valid);
    const ratio = ours && peer ? ours.rps / peer.rps : NaN;
    check(`${era}, 64 clients: throughput vs ${peerName}`, '≥ 5x', `${fmtRatio(ratio)} (${fmtRps(ours)} vs ${fmtRps(peer)} req/s)`, ratio >= 5, valid, Boolean(ours && peer));
    const p99ratio = ours && peer ? ours.p99_us / peer.p99_us : NaN;
    check(`${era}, 64 clients: p99 vs ${peerName}`, '≤ 1/5 (0.20x)', `${fmtRatio(p99ratio)} (${fmtMs(ours?.p99_us)} vs ${fmtMs(peer?.p99_us)} ms)`,
        p99ratio <= 0.2, valid, Boolean(ours && peer));
}
{
    const { ours, ceiling } = at64;
    against('list_payments 2025-11-25 (session)', at64, 'peer', 'TypeScript SDK v1 peer');
    against('list_payments 2025-11-25 (session)', at64, 'peer2', 'TypeScript SDK v2 peer (stateless legacy leg)');
    against('list_payments 2026-07-28 (stateless)', modern64, 'peer2', 'TypeScript SDK v2 peer');
    const stat = static64.ours_static && static64.static ? static64.ours_static.rps / static64.static.rps : NaN;
    const bare = static64.proxy_static && static64.static ? static64.proxy_static.rps / static64.static.rps : NaN;
    check('list_payments against a static upstream, 64 clients: throughput vs the upstream direct', '≥ 30%',
        `${fmtPct(stat)} (${fmtRps(static64.ours_static)} vs ${fmtRps(static64.static)} req/s; ` +
        `a proxy doing no work: ${fmtPct(bare)}, ${fmtRps(static64.proxy_static)} req/s)`, stat >= 0.3,
        Boolean(static64.ours_static?.valid && static64.static?.valid), Boolean(static64.ours_static && static64.static));
    const ceil = ours && ceiling ? ours.rps / ceiling.rps : NaN;
    check(
        'list_payments, 64 clients: throughput vs direct-to-simulator ceiling',
        '≥ 50%',
        `${fmtPct(ceil)} (${fmtRps(ours)} vs ${fmtRps(ceiling)} req/s)`,
        ceil >= 0.5,
        Boolean(ours?.valid && ceiling?.valid),
        Boolean(ours && ceiling)
    );
    const idle = num(extra['rss_kb.ours.idle']);
    check('RSS of justifi-mcp at idle (after start and warm-up)', '≤ 12 MiB', `${mib(idle)} MiB (at start: ${mib(num(extra['rss_kb.ours.start']))} MiB)`, idle <= 12 * 1024);
    const added = num(extra['idle_conns.ours.after_kb']) - num(extra['idle_conns.ours.before_kb']);
    const opened = num(extra['idle_conns.ours.server_established']);
    const wanted = num(extra['idle_conns.count']);
    check(
        `${wanted.toLocaleString('en-US')} idle keep-alive connections: RSS added`,
        '≤ 50 MiB',
        `${mib(added)} MiB (${opened} connections open at the server)`,
        added <= 50 * 1024,
        opened >= wanted
    );
    const stdio = num(extra['stdio.median_ms']);
    check('stdio: spawn to initialize answer (median)', '≤ 20 ms', `${Number.isFinite(stdio) ? stdio.toFixed(1) : '—'} ms (${extra['stdio.runs']} runs)`, stdio <= 20);
}

const otherAll = raw.map(r => {
    const own = num(r.server_cpu_s) + (direct(r.target) ? 0 : num(r.mock_cpu_s)) + num(r.wrk_cpu_s);
    return Math.max(0, num(r.machine_busy_s) - own) / num(r.seconds);
}).filter(Number.isFinite);
const otherMean = otherAll.length ? otherAll.reduce((a, b) => a + b, 0) / otherAll.length : NaN;
const otherMax = otherAll.length ? Math.max(...otherAll) : NaN;
line('# justifi-mcp benchmark');
line();
line(`Generated by \`bench/run.sh\` on ${extra['machine.date']}. ${extra['machine.nproc']} cores (${extra['machine.cpu']}), ` +
    `${extra['machine.memory']}, ${extra['machine.kernel']}. Load average (1/5/15 min) at start ${extra['machine.load_start']}, ` +
    `at end ${extra['machine.load_end']}; the 1-minute load during the points ranged ${extra['machine.load_min']}–${extra['machine.load_max']}` +
    (extra['machine.busy'] ? ` (${extra['machine.busy']})` : '') + '.' +
    (Number.isFinite(otherMean) ? ` Processes other than the benchmark's used ${otherMean.toFixed(2)} of the ${extra['machine.nproc']} cores ` +
        `on average during the points (${otherMax.toFixed(2)} at most), so absolute figures are lower than on an idle machine; ` +
        'the ratios come from runs that alternate and so share that noise.' : '') +
    (extra['machine.quiet_waited'] ? ` Before each point the run waited for the rest of the machine to drop below 0.3 of a core ` +
        `(${extra['machine.quiet_waited']} waited in all).` : ''));
line();
line(`Build: ${extra['build.commit']}, \`${extra['build.binary']}\` (${extra['build.mtime']}). Peer: Node.js ${extra['peer.node']}, ` +
    `@modelcontextprotocol/sdk ${extra['peer.sdk']} (peer), @modelcontextprotocol/server ${extra['peer2.sdk']} (peer2). ` +
    `Static upstream: nginx ${extra['static.nginx']}. Load generator: ${extra['wrk.version']}, \`-t2\` (\`-t1\` for 1 client), ` +
    `connections = clients, ${extra['duration']} per list_payments point, ${extra['other_duration']} for the other workloads, ` +
    `${extra['repeats']} repeat(s) per point (median shown), the order of the targets rotated per repeat.`);
line();
line('Targets: ' + targets.map(t => targetNames[t]).join('; ') + '.');
line();
line('## Targets');
line();
line('| target | required | measured | verdict |');
line('|---|---|---|---|');
for (const c of checks) line(`| ${c.name} | ${c.required} | ${c.measured} | **${c.verdict}** |`);
line();
{
    // The three chains share the cores, so their CPU time per request predicts the ratios.
    const { ours, peer, ceiling } = at64;
    if (ours && peer && ceiling) {
        const chainOurs = ours.cpuPerRequest + ours.mockCpuPerRequest + ours.wrkCpuPerRequest;
        const chainPeer = peer.cpuPerRequest + peer.mockCpuPerRequest + peer.wrkCpuPerRequest;
        const chainCeiling = ceiling.mockCpuPerRequest + ceiling.wrkCpuPerRequest;
        const floor = ours.mockCpuPerRequest + ours.wrkCpuPerRequest;
        line(`CPU budget per list_payments call at 64 clients (server + justifi-mock + wrk, µs): ours ${fmtUs(chainOurs)} ` +
            `(${fmtUs(ours.cpuPerRequest)} + ${fmtUs(ours.mockCpuPerRequest)} + ${fmtUs(ours.wrkCpuPerRequest)}), ` +
            `peer ${fmtUs(chainPeer)} (${fmtUs(peer.cpuPerRequest)} + ${fmtUs(peer.mockCpuPerRequest)} + ${fmtUs(peer.wrkCpuPerRequest)}), ` +
            `ceiling ${fmtUs(chainCeiling)} (${fmtUs(ceiling.mockCpuPerRequest)} + ${fmtUs(ceiling.wrkCpuPerRequest)}). ` +
            `Their ratios predict ours/peer ≈ ${fmtRatio(chainPeer / chainOurs)} and ours/ceiling ≈ ${fmtPct(chainCeiling / chainOurs)} ` +
            `when the cores are the bottleneck. The simulator and wrk alone cost ${fmtUs(floor)} µs per call through a server ` +
            `(wrk reads 87 KB instead of 40 KB), so on this shared machine even a server that cost nothing would reach ` +
            `ours/peer ≈ ${fmtRatio(chainPeer / floor)} and ours/ceiling ≈ ${fmtPct(chainCeiling / floor)}; ` +
            `reaching 50% of the ceiling needs justifi-mcp at ≤ ${fmtUs(Math.max(0, 2 * chainCeiling - floor))} µs of CPU per call.`);
        line();
    }
}

// ---- load tables ---------------------------------------------------------------------------
const titles = {
    list_payments: '`tools/call list_payments` (limit 25), 2025-11-25 (justifi-mcp in a session; the peers stateless)',
    list_payments_modern: '`tools/call list_payments` (limit 25), 2026-07-28 (no session, `_meta` on every request)',
    list_payments_static: '`tools/call list_payments` (limit 25) against a static upstream (nginx with recorded answers)',
    initialize: '`initialize`',
    tools_list: '`tools/list`',
    health: '`GET /health`'
};
for (const w of workloads) {
    const has = Object.fromEntries(targets.map(t => [t, levels.some(c => point(w, t, c))]));
    const shown = targets.filter(t => has[t]);
    line(`## ${titles[w] ?? w}`);
    line();
    line('Throughput (requests/s):');
    line();
    // Ours over each other target of the workload: peers as a factor, upstreams as a share.
    const ratios = [['ours', 'peer'], ['ours', 'peer2'], ['ours', 'ceiling'], ['ours_static', 'static'],
        ['proxy_static', 'static'], ['ours_static', 'proxy_static']].filter(([a, b]) => has[a] && has[b]);
    const fmtOf = b => (direct(b) || b === 'proxy_static' ? fmtPct : fmtRatio);
    line(`| clients | ${shown.join(' | ')} | ${ratios.map(([a, b]) => `${a}/${b}`).join(' | ')} |`);
    line(`|---:|${shown.map(() => '---:').join('|')}|${ratios.map(() => '---:').join('|')}|`);
    for (const c of levels) {
        const p = Object.fromEntries(shown.map(t => [t, point(w, t, c)]));
        const cells = shown.map(t => fmtRps(p[t]));
        const r = ratios.map(([a, b]) => (p[a] && p[b] ? fmtOf(b)(p[a].rps / p[b].rps) : '—'));
        line(`| ${c} | ${cells.join(' | ')} | ${r.join(' | ')} |`);
    }
    line();
    line('Latency (ms), p50 / p99 / p99.9:');
    line();
    const peers = ['peer', 'peer2'].filter(t => has[t] && has.ours);
    line(`| clients | ${shown.join(' | ')} |${peers.map(t => ` ${t} p99 / ours p99 |`).join('')}`);
    line(`|---:|${shown.map(() => '---:').join('|')}|${peers.map(() => '---:|').join('')}`);
    for (const c of levels) {
        const p = Object.fromEntries(shown.map(t => [t, point(w, t, c)]));
        const cells = shown.map(t => (p[t] ? `${fmtMs(p[t].p50_us)} / ${fmtMs(p[t].p99_us)} / ${fmtMs(p[t].p999_us)}` : '—'));
        const r = peers.map(t => (p.ours && p[t] ? fmtRatio(p[t].p99_us / p.ours.p99_us) : '—'));
        line(`| ${c} | ${cells.join(' | ')} |${r.map(x => ` ${x} |`).join('')}`);
    }
    line();
    line('CPU time per request (µs; server process / upstream (justifi-mock, or nginx) / wrk), cores used meanwhile by other processes ' +
        '(during the runs of ' + shown.join(' / ') + '), and server RSS after the point (MiB):');
    line();
    line(`| clients | ${shown.map(t => `${t} CPU`).join(' | ')} | other processes (cores) | ${shown.map(t => `${t} RSS`).join(' | ')} |`);
    line(`|---:|${shown.map(() => '---:').join('|')}|---:|${shown.map(() => '---:').join('|')}|`);
    for (const c of levels) {
        const p = Object.fromEntries(shown.map(t => [t, point(w, t, c)]));
        const cpu = shown.map(t => {
            if (!p[t]) return '—';
            if (direct(t)) return `— / ${fmtUs(p[t].mockCpuPerRequest)} / ${fmtUs(p[t].wrkCpuPerRequest)}`;
            return `${fmtUs(p[t].cpuPerRequest)} / ${fmtUs(p[t].mockCpuPerRequest)} / ${fmtUs(p[t].wrkCpuPerRequest)}`;
        });
        const rss = shown.map(t => (p[t] ? mib(p[t].server_rss_kb) : '—'));
        const others = shown.map(t => (p[t] && Number.isFinite(p[t].otherCores) ? p[t].otherCores.toFixed(2) : '—'));
        line(`| ${c} | ${cpu.join(' | ')} | ${others.join(' / ')} | ${rss.join(' | ')} |`);
    }
    const bad = levels.flatMap(c => shown.map(t => [t, c, point(w, t, c)])).filter(([, , p]) => p && !p.valid);
    if (bad.length > 0) {
        line();
        for (const [t, c, p] of bad) line(`Invalid: ${t} at ${c} clients: ${p.why} (over ${p.runs} run(s)).`);
    }
    line();
}

// ---- memory and stdio ----------------------------------------------------------------------
line('## Memory (VmRSS, MiB)');
line();
line('| process | at start | idle after warm-up | after the list_payments sweep | peak (VmHWM) |');
line('|---|---:|---:|---:|---:|');
for (const [key, name] of [['ours', 'justifi-mcp'], ['peer', 'TypeScript SDK v1 peer (Node.js)'], ['peer2', 'TypeScript SDK v2 peer (Node.js)'], ['mock', 'justifi-mock']]) {
    line(`| ${name} | ${mib(num(extra[`rss_kb.${key}.start`]))} | ${mib(num(extra[`rss_kb.${key}.idle`]))} | ${mib(num(extra[`rss_kb.${key}.end`]))} | ${mib(num(extra[`hwm_kb.${key}.end`]))} |`);
}
line();
line(`justifi-mcp's RSS by kind: at start ${extra['rss_split.ours.start']}; idle after warm-up ${extra['rss_split.ours.idle']} ` +
    '(RssFile is the mapped binary and shared libraries; RssAnon is heap, stacks and allocator caches). ' +
    `Largest parts at idle after warm-up: ${extra['rss_top.ours.idle']}.`);
line();
line(`Idle keep-alive connections (${extra['idle_conns.count']}, one \`GET /health\` each, then idle; a fresh process each):`);
line();
line('| server | RSS before | RSS with the connections open | added | connections open at the server | client result |');
line('|---|---:|---:|---:|---:|---|');
for (const [key, name] of [['ours', 'justifi-mcp'], ['peer', 'TypeScript SDK v1 peer'], ['peer2', 'TypeScript SDK v2 peer']]) {
    const before = num(extra[`idle_conns.${key}.before_kb`]);
    const after = num(extra[`idle_conns.${key}.after_kb`]);
    if (!Number.isFinite(before)) continue;
    line(`| ${name} | ${mib(before)} | ${mib(after)} | ${mib(after - before)} (${((after - before) / num(extra['idle_conns.count'])).toFixed(1)} KiB each) | ${extra[`idle_conns.${key}.server_established`]} | \`${extra[`idle_conns.${key}.client`]}\` |`);
}
line();
line(`stdio: \`justifi-mcp\` spawned and sent \`initialize\` at once; time to the answer line over ${extra['stdio.runs']} runs: ` +
    `median ${extra['stdio.median_ms']} ms, min ${extra['stdio.min_ms']} ms, max ${extra['stdio.max_ms']} ms.`);
line();
if (extra['perf.file']) {
    line(`Profile under list_payments at 64 clients (a separate run; the whole machine with \`perf record -a\`, then ` +
        `justifi-mcp alone with DWARF call graphs): \`${extra['perf.file']}\`.`);
    line();
}
line('## Notes');
line();
line('- Everything runs on 127.0.0.1 on the same machine: wrk, the server under test and justifi-mock share the cores, so each ' +
    'server\'s chain is also paying for the simulator and the load generator. The ceiling is wrk calling justifi-mock\'s ' +
    '`GET /v1/payments?limit=25` directly (about 40 KB per answer); through an MCP server the answer is about 87 KB ' +
    '(JustiFi\'s JSON as `structuredContent` plus the same JSON as a text block).');
line('- justifi-mcp runs with `MCP_AUTH=none JUSTIFI_OAUTH_VALIDATION=none LOG_LEVEL=warning MCP_RATE_LIMIT=0` and ' +
    'otherwise default settings (I/O threads: one per usable CPU); `MCP_RATE_LIMIT=0` because its per-caller rate limit ' +
    '(20/s) would answer `429` to a benchmark that is a single caller. justifi-mock runs with `JUSTIFI_MOCK_LOG_LEVEL=warning`.');
line('- Both MCP servers answer with `application/json` (the peer runs `StreamableHTTPServerTransport` with ' +
    '`enableJsonResponse: true`; without it the SDK answers with SSE). The peer is stateless, as in the SDK\'s own example: ' +
    'a fresh `McpServer` and transport per request on `createMcpExpressApp()`, one Node.js process; its tool uses an ' +
    '`http.Agent({keepAlive: true})` and caches the simulator\'s token. justifi-mcp is called with an `Mcp-Session-Id` ' +
    'from one `initialize` and `MCP-Protocol-Version: 2025-11-25`; the peer gets the same headers minus the session.');
line('- `tools/list` is not like with like: justifi-mcp lists its 51 tools (about 63 KB), the peer only `list_payments`. ' +
    '`initialize` on justifi-mcp also signs a session id (HMAC).');
line('- A point is valid when every answer was 2xx and had the expected body (`Content":{` and no `Error":true` ' +
    'for the tool call, `has_previous":` of `page_info` from the simulator, `protocolVersion`, `tools` or `OK` for the others) and wrk saw no socket errors.');
line('- The second peer is the TypeScript SDK v2 (`@modelcontextprotocol/server` with `createMcpHandler`, mounted on ' +
    '`node:http` by `@modelcontextprotocol/node`\'s `toNodeHandler`, `responseMode: \'json\'`): one factory serves both eras, ' +
    'a fresh `McpServer` per request. Its 2025 leg is the SDK\'s stateless legacy fallback, which answers `text/event-stream`. ' +
    'The v1 peer has no 2026-07-28 serving, so the modern workload runs against ours and peer2 only.');
line('- The static upstream is nginx (`master_process off`, one worker, no access log) answering `GET /v1/payments` with ' +
    'the simulator\'s recorded `limit=25` answer and `POST /oauth/token` with a recorded token: it costs next to nothing per ' +
    'call, so `ours_static` against `static` shows what justifi-mcp itself costs. That justifi-mcp runs ' +
    `\`MCP_THREADS=${extra['static.threads'] ?? 1}\` I/O thread(s) (each nginx runs one worker, so with 1 the comparison is per worker). ` +
    '`proxy_static` is a second nginx ' +
    '(one worker) between wrk and the static nginx that does no work: it passes on justifi-mcp\'s own recorded answer ' +
    '(87 KB: the JSON and its text twin), so it shows what moving the bytes costs here, the bound for any server in between.');
line('- CPU per request is the process\'s user+system time over the run (all its threads) divided by the requests served.');
line('- Raw data: `raw.tsv` (one line per wrk run), `extra.tsv` (machine, memory, stdio); chart: `chart.png`.');
fs.writeFileSync(path.join(dir, 'results.md'), `${out.join('\n')}\n`);

// ---- chart data ----------------------------------------------------------------------------
const chart = ['clients\tours_rps\tpeer_rps\tceiling_rps\tours_p99_ms\tpeer_p99_ms\tceiling_p99_ms'];
for (const c of levels) {
    const p = Object.fromEntries(targets.map(t => [t, point('list_payments', t, c)]));
    const v = (t, f) => (p[t] ? String(f(p[t])) : 'NaN');
    chart.push([c, v('ours', x => x.rps), v('peer', x => x.rps), v('ceiling', x => x.rps),
        v('ours', x => x.p99_us / 1000), v('peer', x => x.p99_us / 1000), v('ceiling', x => x.p99_us / 1000)].join('\t'));
}
fs.writeFileSync(path.join(dir, 'chart.tsv'), `${chart.join('\n')}\n`);
for (const c of checks) console.log(`${c.verdict.padEnd(18)} ${c.name}: ${c.measured} (required ${c.required})`);
