#!/usr/bin/env node
// The official MCP TypeScript SDK v2 client (@modelcontextprotocol/client, pinned) against the
// real justifi-mcp binary and justifi-mock, over Streamable HTTP and over stdio, in its three
// negotiation modes: pinned to 2026-07-28, 'auto' (which must settle on the modern era here)
// and 'legacy' (the 2025 initialize handshake). Each mode lists the tools, calls
// list_payments, and meets a tool error (arguments that do not fit the schema) and a JustiFi
// error (a payment JustiFi does not have). Then the 2026-07-28 multi round-trip: the client's
// own elicitation handler answers the test server's question inside one callTool(). Last, a
// person confirms money movement: a refund confirmed through the client's elicitation handler
// (over HTTP and stdio pinned to 2026-07-28, and over stdio in legacy mode, where the server
// asks with elicitation/create inside the call) reaches the simulator once, in the modern era
// with the Idempotency-Key derived from the sealed requestState;
// a decline sends nothing; a replayed, tampered, expired or another caller's state moves no
// money twice or at all; under JUSTIFI_CONFIRM_WRITES=required a client without elicitation
// gets -32021.
//
// Started by run.sh, which passes everything in the environment:
//   MCP_URL          http://127.0.0.1:PORT/mcp of justifi-mcp (MCP_AUTH=none, the mock's credentials)
//   FIXTURES_URL     the same for justifi-mcp-test-server (the conformance fixture tools)
//   STRICT_URL       justifi-mcp with JUSTIFI_CONFIRM_WRITES=required
//   SESSION_SECRET   MCP_SESSION_SECRET of both justifi-mcp servers (the test forges an expired requestState)
//   MOCK_LOG         justifi-mock's log: its "write" lines, one per write with its Idempotency-Key
//   SERVER_BINARY    justifi-mcp, started by the stdio transport itself
//   MOCK_URL, MOCK_CLIENT_ID, MOCK_CLIENT_SECRET   the simulator and its credentials
//   SERVER_LOG       justifi-mcp's log: which requests the HTTP server saw
//   CLIENT_DIR       node_modules/@modelcontextprotocol/client of the pinned node tools
// Prints PASS/FAIL per case; exits 1 on any failure. Bounded: the run stops after 150 s.

import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const env = (name) => {
    const v = process.env[name];
    if (!v) {
        console.error(`clients: ${name} is not set (run tests/sdk_v2/run.sh)`);
        process.exit(2);
    }
    return v;
};
const MCP_URL = env('MCP_URL');
const FIXTURES_URL = env('FIXTURES_URL');
const SERVER_BINARY = env('SERVER_BINARY');
const MOCK_URL = env('MOCK_URL');
const MOCK_CLIENT_ID = env('MOCK_CLIENT_ID');
const MOCK_CLIENT_SECRET = env('MOCK_CLIENT_SECRET');
const SERVER_LOG = env('SERVER_LOG');
const STRICT_URL = env('STRICT_URL');
const SESSION_SECRET = env('SESSION_SECRET');
const MOCK_LOG = env('MOCK_LOG');
const CLIENT_DIR = env('CLIENT_DIR');

const load = (path) => import(pathToFileURL(join(CLIENT_DIR, 'dist', path)).href);
const { Client, StreamableHTTPClientTransport } = await load('index.mjs');
const { StdioClientTransport } = await load('stdio.mjs');
const pkg = JSON.parse(readFileSync(join(CLIENT_DIR, 'package.json'), 'utf8'));

const watchdog = setTimeout(() => {
    console.log('FAIL the run took longer than 150 s');
    process.exit(1);
}, 150_000);

let failures = 0;
class CheckFailed extends Error {}
function check(condition, why) {
    if (!condition) throw new CheckFailed(why);
}
async function testCase(name, body) {
    try {
        const detail = await Promise.race([
            body(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 20 s')), 20_000)),
        ]);
        console.log(`PASS ${name}${typeof detail === 'string' ? `: ${detail}` : ''}`);
    } catch (e) {
        failures++;
        console.log(`FAIL ${name}: ${e instanceof CheckFailed ? e.message : e?.stack ?? e}`);
    }
}

const textOf = (result) => (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
// The HTTP server's access lines for one JSON-RPC method.
const served = (method) =>
    readFileSync(SERVER_LOG, 'utf8').split('\n').filter((l) => l.includes('"message":"request"') && l.includes(`"method":"${method}"`)).length;

const modes = {
    pinned: { mode: { pin: '2026-07-28' } },
    auto: { mode: 'auto' },
    legacy: { mode: 'legacy' },
};
const expected = { pinned: ['modern', '2026-07-28'], auto: ['modern', '2026-07-28'], legacy: ['legacy', '2025-11-25'] };

function transportFor(kind) {
    if (kind === 'http') return new StreamableHTTPClientTransport(new URL(MCP_URL));
    return new StdioClientTransport({
        command: SERVER_BINARY,
        args: ['--log-level', 'warning'],
        env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            JUSTIFI_BASE_URL: MOCK_URL,
            JUSTIFI_CLIENT_ID: MOCK_CLIENT_ID,
            JUSTIFI_CLIENT_SECRET: MOCK_CLIENT_SECRET,
        },
        stderr: 'ignore',
    });
}

async function exercise(kind, modeName) {
    const initializesBefore = kind === 'http' ? served('initialize') : 0;
    const client = new Client({ name: `sdk-v2-${modeName}`, version: pkg.version }, { versionNegotiation: modes[modeName] });
    await client.connect(transportFor(kind));
    try {
        const [era, version] = expected[modeName];
        check(client.getProtocolEra() === era, `era ${client.getProtocolEra()}, expected ${era}`);
        check(client.getNegotiatedProtocolVersion() === version,
              `version ${client.getNegotiatedProtocolVersion()}, expected ${version}`);
        check(client.getServerVersion()?.name === 'justifi-mcp', `server ${JSON.stringify(client.getServerVersion())}`);

        const { tools } = await client.listTools();
        const names = tools.map((t) => t.name);
        check(names.includes('list_payments') && names.includes('create_refund'), `tools: ${names.slice(0, 5)}…`);
        check(tools.find((t) => t.name === 'create_refund').annotations?.destructiveHint === true,
              'create_refund is not marked destructive');

        const listed = await client.callTool({ name: 'list_payments', arguments: { limit: 2 } });
        check(!listed.isError, `list_payments failed: ${textOf(listed)}`);
        check(listed.structuredContent?.data?.length === 2, `list_payments gave ${JSON.stringify(listed.structuredContent)?.slice(0, 200)}`);
        check(listed.structuredContent.data[0].id.startsWith('py_'), 'a payment without a py_ id');

        const invalid = await client.callTool({ name: 'list_payments', arguments: { limit: 'ten' } });
        check(invalid.isError === true, 'arguments that do not fit the schema were not a tool error');
        check(/limit/.test(textOf(invalid)), `the tool error does not name limit: ${textOf(invalid)}`);

        const missing = await client.callTool({ name: 'retrieve_payment', arguments: { payment_id: 'py_doesnotexist0000' } });
        check(missing.isError === true, 'a payment JustiFi does not have was not a tool error');
        check(/404|not.?found/i.test(textOf(missing)), `JustiFi's error is not quoted: ${textOf(missing)}`);

        if (kind === 'http') {
            const initializes = served('initialize') - initializesBefore;
            check(era === 'modern' ? initializes === 0 : initializes === 1, `${initializes} initialize requests in ${modeName} mode`);
        }
        return `${era} ${version}, ${tools.length} tools`;
    } finally {
        await client.close();
    }
}

console.log(`@modelcontextprotocol/client ${pkg.version}`);
for (const kind of ['http', 'stdio'])
    for (const modeName of Object.keys(modes)) await testCase(`${kind} ${modeName}`, () => exercise(kind, modeName));

// 2026-07-28 multi round-trip: the server answers input_required; the client's own
// elicitation handler answers it and the SDK retries with the sealed requestState.
await testCase('http pinned: an elicitation inside one callTool (input_required, then the retry)', async () => {
    const client = new Client({ name: 'sdk-v2-mrtr', version: pkg.version },
                              { versionNegotiation: modes.pinned, capabilities: { elicitation: { form: {} } } });
    const asked = [];
    client.setRequestHandler('elicitation/create', async (request) => {
        asked.push(request.params.message);
        return { action: 'accept', content: { name: 'Ada' } };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(FIXTURES_URL)));
    try {
        const result = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} });
        check(asked.length === 1 && asked[0] === 'What is your name?', `asked ${JSON.stringify(asked)}`);
        check(textOf(result) === 'Hello, Ada!', `answered ${textOf(result)}`);
        const stateful = await client.callTool({ name: 'test_input_required_result_request_state', arguments: {} });
        check(textOf(stateful).includes('state-ok'), `the state did not come back: ${textOf(stateful)}`);
        return 'answered by the client handler, state verified';
    } finally {
        await client.close();
    }
});

await testCase('http pinned: a client without elicitation gets -32021 naming it', async () => {
    const client = new Client({ name: 'sdk-v2-no-elicitation', version: pkg.version }, { versionNegotiation: modes.pinned });
    await client.connect(new StreamableHTTPClientTransport(new URL(FIXTURES_URL)));
    try {
        let error;
        try {
            await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} });
        } catch (e) {
            error = e;
        }
        check(error !== undefined, 'the call succeeded without the capability');
        check(error.code === -32021, `error ${error.code}: ${error.message}`);
        check(JSON.stringify(error.data ?? {}).includes('elicitation'), `data ${JSON.stringify(error.data)}`);
        return error.message;
    } finally {
        await client.close();
    }
});

// ---- A person confirms money movement.

// The simulator's own record of writes (what JustiFi's dashboard shows), cleared per case.
const mockStats = async () => (await fetch(`${MOCK_URL}/__mock/stats`, { signal: AbortSignal.timeout(5000) })).json();
const clearMockStats = () => fetch(`${MOCK_URL}/__mock/stats`, { method: 'DELETE', signal: AbortSignal.timeout(5000) });
const refundWrites = async () => (await mockStats()).recent_writes.filter((w) => w.request === 'POST /v1/payments/{id}/refunds');

let rawId = 1000;
// One 2026-07-28 request by hand, to see and replay what the SDK keeps to itself (requestState).
async function modern(url, method, params, { capabilities = { elicitation: { form: {} } }, headers = {} } = {}) {
    const body = {
        jsonrpc: '2.0', id: rawId++, method,
        params: {
            ...params,
            _meta: {
                'io.modelcontextprotocol/protocolVersion': '2026-07-28',
                'io.modelcontextprotocol/clientCapabilities': capabilities,
                'io.modelcontextprotocol/clientInfo': { name: 'e2e-raw', version: '1.0.0' },
            },
        },
    };
    const response = await fetch(url, {
        method: 'POST',
        headers: {
            'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
            'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': method,
            ...(params.name ? { 'Mcp-Name': params.name } : {}), ...headers,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const events = text.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)));
    const messages = events.length ? events : [JSON.parse(text)];
    return messages.find((m) => m.id === body.id);
}

// A payment of the simulator with something left to refund (and none of it spent by earlier cases).
const refundable = [];
async function aRefundablePayment() {
    if (!refundable.length) {
        const listed = await modern(MCP_URL, 'tools/call', { name: 'list_payments', arguments: { limit: 100, payment_status: 'succeeded' } });
        for (const p of listed.result.structuredContent.data) if (p.amount_refundable >= 2000 && p.amount_refunded === 0) refundable.push(p);
    }
    check(refundable.length > 0, 'the simulator has no refundable payment left');
    return refundable.shift();
}
const money = (cents) => `$${(cents / 100).toFixed(2)}`;

// The person says yes: one refund reaches JustiFi. Its key is derived from the sealed state in
// the modern era; a legacy client over stdio is asked inside the call, and its write keeps the
// call's own random key.
async function confirmRefund(kind, modeName) {
    const payment = await aRefundablePayment();
    const client = new Client({ name: `sdk-v2-confirm-${kind}-${modeName}`, version: pkg.version },
                              { versionNegotiation: modes[modeName], capabilities: { elicitation: { form: {} } } });
    const asked = [];
    client.setRequestHandler('elicitation/create', async (request) => {
        asked.push(request.params);
        return { action: 'accept', content: { confirm: true } };
    });
    await client.connect(transportFor(kind));
    await clearMockStats();
    try {
        const result = await client.callTool({ name: 'create_refund', arguments: { payment_id: payment.id, amount: 500 } });
        check(!result.isError, `the refund failed: ${textOf(result)}`);
        check(result.structuredContent?.data?.id?.startsWith('re_'), `no refund in ${JSON.stringify(result.structuredContent)?.slice(0, 200)}`);
        check(asked.length === 1, `asked ${asked.length} times`);
        const expected = `Refund $5.00 of the ${money(payment.amount)} payment ${payment.id} (`;
        check(asked[0].message.startsWith(expected), `the person saw "${asked[0].message}", expected it to start "${expected}"`);
        check(asked[0].message.endsWith(`${money(payment.amount_refundable - 500)} will remain refundable.`), `"${asked[0].message}"`);
        check(JSON.stringify(asked[0].requestedSchema.required) === '["confirm"]', `form ${JSON.stringify(asked[0].requestedSchema)}`);
        const writes = await refundWrites();
        check(writes.length === 1, `the simulator saw ${writes.length} refunds: ${JSON.stringify(writes)}`);
        const derived = /^justifi-mcp-confirmed-[0-9a-f]{32}$/.test(writes[0].idempotency_key);
        check(modeName === 'legacy' ? !derived : derived, `key ${writes[0].idempotency_key}`);
        check(writes[0].status === 201 && !writes[0].replayed, JSON.stringify(writes[0]));
        // The simulator's own log says the same: one refund line with this key.
        const logged = readFileSync(MOCK_LOG, 'utf8').split('\n').filter(
            (l) => l.includes('"message":"write"') && l.includes(`"idempotency_key":"${writes[0].idempotency_key}"`));
        check(logged.length === 1 && logged[0].includes('/refunds'), `mock log lines for the key: ${logged.length}`);
        return `"${asked[0].message}" → one refund, Idempotency-Key ${writes[0].idempotency_key}`;
    } finally {
        await client.close();
    }
}

await testCase('http pinned: a person confirms a refund; JustiFi sees one refund with the derived key',
               () => confirmRefund('http', 'pinned'));
await testCase('stdio pinned: a person confirms a refund; JustiFi sees one refund with the derived key',
               () => confirmRefund('stdio', 'pinned'));
await testCase('stdio legacy: a person confirms a refund asked inside the call (elicitation/create); one refund',
               () => confirmRefund('stdio', 'legacy'));

await testCase('http pinned: a person declines; nothing reaches JustiFi', async () => {
    const payment = await aRefundablePayment();
    const client = new Client({ name: 'sdk-v2-decline', version: pkg.version },
                              { versionNegotiation: modes.pinned, capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler('elicitation/create', async () => ({ action: 'decline' }));
    await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL)));
    await clearMockStats();
    try {
        const result = await client.callTool({ name: 'create_refund', arguments: { payment_id: payment.id, amount: 500 } });
        check(!result.isError, `a decline is not an error: ${textOf(result)}`);
        check(result.structuredContent?.confirmed === false && result.structuredContent?.answer === 'declined',
              JSON.stringify(result.structuredContent));
        check(/declined/.test(textOf(result)), textOf(result));
        const writes = (await mockStats()).recent_writes;
        check(writes.length === 0, `the simulator saw writes: ${JSON.stringify(writes)}`);
        return textOf(result);
    } finally {
        await client.close();
    }
});

// The first call's requestState, and the retry that answers yes.
async function askToRefund(paymentId, amount, url = MCP_URL) {
    const first = await modern(url, 'tools/call', { name: 'create_refund', arguments: { payment_id: paymentId, amount } });
    check(first.result?.resultType === 'input_required', `first call: ${JSON.stringify(first).slice(0, 300)}`);
    const retry = (requestState, options) => modern(url, 'tools/call', {
        name: 'create_refund', arguments: { payment_id: paymentId, amount },
        inputResponses: { confirm: { action: 'accept', content: { confirm: true } } }, requestState,
    }, options);
    return { state: first.result.requestState, retry };
}

await testCase('http pinned: a replayed requestState does not refund twice', async () => {
    const payment = await aRefundablePayment();
    const { state, retry } = await askToRefund(payment.id, 700);
    await clearMockStats();
    const once = await retry(state);
    const again = await retry(state);
    check(once.result?.structuredContent?.data?.id?.startsWith('re_'), `first retry: ${JSON.stringify(once).slice(0, 300)}`);
    check(again.result?.structuredContent?.data?.id === once.result.structuredContent.data.id,
          `the replay answered another refund: ${JSON.stringify(again).slice(0, 300)}`);
    const writes = await refundWrites();
    check(writes.length === 2 && writes[0].idempotency_key === writes[1].idempotency_key, JSON.stringify(writes));
    check(!writes[0].replayed && writes[1].replayed, `JustiFi did not recognise the replay: ${JSON.stringify(writes)}`);
    const after = await modern(MCP_URL, 'tools/call', { name: 'retrieve_payment', arguments: { payment_id: payment.id } });
    check(after.result.structuredContent.data.amount_refunded === 700,
          `amount_refunded ${after.result.structuredContent.data.amount_refunded}, expected 700`);
    return `one refund of $7.00; the replay was JustiFi's idempotent replay of key ${writes[0].idempotency_key}`;
});

// requestState's layout (mcp/request_state.cpp): base64url(version '1', expiry as 8 bytes big
// endian, 16-byte nonce, payload) "." base64url(MAC), the MAC an HMAC-SHA256 under a key derived
// from MCP_SESSION_SECRET over the body, the principal, the method, the tool and a digest of the
// canonical arguments. The test forges one with the shared secret to show that expiry is
// enforced on its own: the server must say "expired", not "changed".
function forgeState({ expiresAt, payload, principal, name, canonicalArguments }) {
    const body = Buffer.alloc(25);
    body.write('1', 0);
    body.writeBigUInt64BE(BigInt(expiresAt), 1);
    randomBytes(16).copy(body, 9);
    const full = Buffer.concat([body, Buffer.from(payload)]);
    const key = createHmac('sha256', SESSION_SECRET).update('justifi-mcp request-state key v1').digest();
    const digest = createHash('sha256').update(canonicalArguments).digest();
    const signed = Buffer.concat([full, Buffer.from(`\0${principal}\0tools/call\0${name}\0`), digest]);
    return `${full.toString('base64url')}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}

await testCase('http pinned: tampered, expired and another caller\'s requestState are refused; nothing is sent', async () => {
    const payment = await aRefundablePayment();
    const { state, retry } = await askToRefund(payment.id, 900);
    const payload = Buffer.from(state.split('.')[0], 'base64url').subarray(25).toString();
    await clearMockStats();

    const [body, mac] = state.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[30] ^= 1;  // one bit of the question
    const tampered = await retry(`${flipped.toString('base64url')}.${mac}`);
    check(tampered.error?.code === -32602 && /integrity/.test(tampered.error.message), `tampered: ${JSON.stringify(tampered)}`);

    // Another caller (a bearer token of its own, which the server passes to JustiFi unchecked
    // here) with the first caller's state: refused before anything is sent.
    const stranger = await retry(state, { headers: { Authorization: 'Bearer another-callers-token' } });
    check(stranger.error?.code === -32602 && /integrity|another caller/.test(stranger.error.message),
          `another caller: ${JSON.stringify(stranger)}`);

    const canonicalArguments = JSON.stringify({ amount: 900, payment_id: payment.id });
    const principal = `client:${MOCK_CLIENT_ID}`;
    const now = Math.floor(Date.now() / 1000);
    const expired = await retry(forgeState({ expiresAt: now - 120, payload, principal, name: 'create_refund', canonicalArguments }));
    check(expired.error?.code === -32602 && /expired/.test(expired.error.message), `expired: ${JSON.stringify(expired)}`);
    // The same forgery, unexpired, opens: the expired one was refused for its age alone.
    const fresh = forgeState({ expiresAt: now + 120, payload, principal, name: 'create_refund', canonicalArguments });
    const declined = await modern(MCP_URL, 'tools/call', {
        name: 'create_refund', arguments: { payment_id: payment.id, amount: 900 },
        inputResponses: { confirm: { action: 'decline' } }, requestState: fresh,
    });
    check(declined.result?.structuredContent?.answer === 'declined', `a fresh forgery: ${JSON.stringify(declined).slice(0, 300)}`);

    const writes = (await mockStats()).recent_writes;
    check(writes.length === 0, `the simulator saw writes: ${JSON.stringify(writes)}`);
    return `tampered: "${tampered.error.message}"; expired: "${expired.error.message}"`;
});

await testCase('http pinned, JUSTIFI_CONFIRM_WRITES=required: a client without elicitation gets -32021', async () => {
    const payment = await aRefundablePayment();
    const client = new Client({ name: 'sdk-v2-cannot-confirm', version: pkg.version }, { versionNegotiation: modes.pinned });
    await client.connect(new StreamableHTTPClientTransport(new URL(STRICT_URL)));
    await clearMockStats();
    try {
        let error;
        try {
            await client.callTool({ name: 'create_refund', arguments: { payment_id: payment.id, amount: 500 } });
        } catch (e) {
            error = e;
        }
        check(error !== undefined, 'the refund went ahead without a person');
        check(error.code === -32021, `error ${error.code}: ${error.message}`);
        check(JSON.stringify(error.data ?? {}).includes('elicitation'), `data ${JSON.stringify(error.data)}`);
        const writes = (await mockStats()).recent_writes;
        check(writes.length === 0, `the simulator saw writes: ${JSON.stringify(writes)}`);
        return error.message;
    } finally {
        await client.close();
    }
});

clearTimeout(watchdog);
console.log(failures === 0 ? 'sdk_v2: all cases passed' : `sdk_v2: ${failures} case(s) failed`);
process.exit(failures === 0 ? 0 : 1);
