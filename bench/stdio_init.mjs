// Time from spawning a stdio MCP server to its answer to `initialize`, written to its stdin
// right after the spawn. Runs it RUNS times in a row (plus one unmeasured run that warms the
// page cache) and prints {"runs_ms":[...],"median_ms":M,"min_ms":A,"max_ms":B} on stdout.
// The server inherits this process's environment and working directory.
// Usage: node stdio_init.mjs RUNS BINARY [ARG...]
import { spawn } from 'node:child_process';

const [runsText, binary, ...args] = process.argv.slice(2);
const runs = Number(runsText);
if (!runs || !binary) {
    console.error('usage: node stdio_init.mjs RUNS BINARY [ARG...]');
    process.exit(2);
}

const initialize = `${JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench-stdio', version: '1.0.0' } }
})}\n`;

function once() {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'ignore'] });
        let out = '';
        let answeredAt = null;
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.stdin.on('error', () => {}); // the server may exit before reading everything
        child.stdin.write(initialize);
        child.stdout.on('data', chunk => {
            if (answeredAt !== null) return;
            out += chunk.toString('utf8');
            const line = out.split('\n').find(l => l.includes('"id":1') && l.includes('"result"'));
            if (line) {
                answeredAt = process.hrtime.bigint();
                child.stdin.end(); // end of input: the server exits
                child.kill('SIGTERM');
            }
        });
        child.on('error', reject);
        child.on('exit', () => {
            clearTimeout(timer);
            if (answeredAt === null) reject(new Error(`no initialize answer; stdout: ${out.slice(0, 300)}`));
            else resolve(Number(answeredAt - started) / 1e6);
        });
    });
}

await once();
const samples = [];
for (let i = 0; i < runs; i += 1) samples.push(await once());
const sorted = [...samples].sort((a, b) => a - b);
const mid = sorted.length >> 1;
const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
const round = x => Math.round(x * 100) / 100;
process.stdout.write(
    `${JSON.stringify({ runs_ms: samples.map(round), median_ms: round(median), min_ms: round(sorted[0]), max_ms: round(sorted.at(-1)) })}\n`
);
