// What token exchange adds to a tool call, on loopback: sequential 2026-07-28 tools/call
// list_payments requests over keep-alive, CALLS of each kind, percentiles.
//   passthrough  a JustiFi-audience token on a passthrough server: no exchange (the baseline)
//   warm         an MCP-audience token already exchanged: the exchanged token from the cache
//   cold         a new MCP-audience token each call: one RFC 8693 exchange at the test
//                authorization server (Node, RS256 verify and sign) before the JustiFi call
//   AS alone     the same exchange sent straight to the authorization server: its own share of "cold"
// Tokens are minted before each timed call, outside the timing. Started by bench/exchange.sh.
const { EXCHANGE_URL, PASSTHROUGH_URL, AS_ISSUER, AUDIENCE, EXCHANGE_CLIENT, EXCHANGE_SECRET } = process.env;
const CALLS = Number(process.env.CALLS ?? 200);

async function mint(audience) {
    const res = await fetch(`${AS_ISSUER}__control/mint`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ audience, scope: 'payments:read' }), signal: AbortSignal.timeout(10_000),
    });
    return (await res.json()).access_token;
}

let id = 1;
async function listPayments(url, token) {
    const response = await fetch(url, {
        method: 'POST',
        headers: {
            'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', Authorization: `Bearer ${token}`,
            'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'list_payments',
        },
        body: JSON.stringify({
            jsonrpc: '2.0', id: id++, method: 'tools/call',
            params: {
                name: 'list_payments', arguments: { limit: 5 },
                _meta: {
                    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
                    'io.modelcontextprotocol/clientCapabilities': {},
                    'io.modelcontextprotocol/clientInfo': { name: 'bench-exchange', version: '1.0.0' },
                },
            },
        }),
        signal: AbortSignal.timeout(10_000),
    });
    const answer = await response.json();
    if (response.status !== 200 || answer.error || answer.result?.isError)
        throw new Error(`list_payments: HTTP ${response.status} ${JSON.stringify(answer).slice(0, 300)}`);
}

// The three kinds take turns, call by call, so that drift in the machine's load falls on all alike.
async function exchangeDirectly(subject) {
    const res = await fetch(`${AS_ISSUER}token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded',
            Authorization: `Basic ${Buffer.from(`${EXCHANGE_CLIENT}:${EXCHANGE_SECRET}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subject,
            subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', audience: AUDIENCE, scope: 'payments:read' }),
        signal: AbortSignal.timeout(10_000),
    });
    if (res.status !== 200) throw new Error(`exchange: HTTP ${res.status} ${await res.text()}`);
    await res.json();
}

async function timedTogether(kinds) {
    const micros = kinds.map(() => []);
    for (let i = 0; i < CALLS; i++) {
        for (const [k, kind] of kinds.entries()) {
            const input = await kind.prepare();
            const start = process.hrtime.bigint();
            await kind.once(input);
            micros[k].push(Number(process.hrtime.bigint() - start) / 1000);
        }
    }
    return kinds.map((kind, k) => {
        const sorted = micros[k].sort((a, b) => a - b);
        const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
        console.log(`${kind.label.padEnd(12)} median ${at(0.5).toFixed(0)} us, p90 ${at(0.9).toFixed(0)} us, ` +
            `p99 ${at(0.99).toFixed(0)} us (${CALLS} calls)`);
        return at(0.5);
    });
}

const resource = EXCHANGE_URL;
const justifiToken = await mint(AUDIENCE);
const ourToken = await mint(resource);
for (let i = 0; i < 20; i++) {  // warm up: keys, pooled connections, the exchanged token
    await listPayments(PASSTHROUGH_URL, justifiToken);
    await listPayments(EXCHANGE_URL, ourToken);
}
const [base, warm, cold] = await timedTogether([
    { label: 'passthrough', prepare: async () => justifiToken, once: (t) => listPayments(PASSTHROUGH_URL, t) },
    { label: 'warm', prepare: async () => ourToken, once: (t) => listPayments(EXCHANGE_URL, t) },
    { label: 'cold', prepare: () => mint(resource), once: (t) => listPayments(EXCHANGE_URL, t) },
    { label: 'AS alone', prepare: () => mint(resource), once: exchangeDirectly },
]);
console.log(`added by exchange: warm ${(warm - base).toFixed(0)} us, cold ${(cold - base).toFixed(0)} us (medians)`);
