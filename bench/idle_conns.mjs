// Opens COUNT keep-alive connections to http://HOST:PORT, sends one `GET /health` on each,
// reads the whole answer and then leaves the connection idle. Prints one JSON line on stdout
// when every connection has its answer ({"opened":N,"failed":F,"ms":T}) and holds them open
// until it is terminated. Used by bench/run.sh to measure what idle connections cost a server.
// Usage: node idle_conns.mjs HOST PORT COUNT [PARALLEL]
import net from 'node:net';

const [host, portText, countText, parallelText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const parallel = Number(parallelText ?? 200);
if (!host || !port || !count) {
    console.error('usage: node idle_conns.mjs HOST PORT COUNT [PARALLEL]');
    process.exit(2);
}

const request = `GET /health HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: keep-alive\r\n\r\n`;
const open = []; // sockets kept idle after their answer
let failed = 0;

// One connection: resolves once its answer (headers + Content-Length bytes) has arrived.
function connectOne() {
    return new Promise(resolve => {
        const socket = net.connect({ host, port });
        let buffered = Buffer.alloc(0);
        let settled = false;
        const finish = ok => {
            if (settled) return;
            settled = true;
            if (ok) {
                open.push(socket);
            } else {
                failed += 1;
                socket.destroy();
            }
            resolve();
        };
        socket.setNoDelay(true);
        socket.on('connect', () => socket.write(request));
        socket.on('data', chunk => {
            buffered = Buffer.concat([buffered, chunk]);
            const end = buffered.indexOf('\r\n\r\n');
            if (end < 0) return;
            const head = buffered.subarray(0, end).toString('latin1');
            const status = Number(head.split(' ')[1]);
            const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
            if (buffered.length >= end + 4 + length) finish(status === 200);
        });
        socket.on('error', () => finish(false));
        socket.on('close', () => finish(false)); // a close after the answer changes nothing here
    });
}

const started = Date.now();
let next = 0;
async function worker() {
    while (next < count) {
        next += 1;
        await connectOne();
    }
}
await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
process.stdout.write(`${JSON.stringify({ opened: open.length, failed, ms: Date.now() - started })}\n`);

// Stay idle, holding the connections, until bench/run.sh terminates this process.
setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => {
    for (const socket of open) socket.destroy();
    process.exit(0);
});
