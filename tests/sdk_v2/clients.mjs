#!/usr/bin/env node
// The official MCP TypeScript SDK v2 client (@modelcontextprotocol/client, pinned) against the
// real justifi-mcp binary and justifi-mock, over Streamable HTTP and over stdio, in its three
// negotiation modes: pinned to 2026-07-28, 'auto' (which must settle on the modern era here)
// and 'legacy' (the 2025 initialize handshake). Each mode lists the tools, calls
// list_payments, and meets a tool error (arguments that do not fit the schema) and a JustiFi
// error (a payment JustiFi does not have). Then the 2026-07-28 multi round-trip: the client's
// own elicitation handler answers the test server's question inside one callTool().
//
// Started by run.sh, which passes everything in the environment:
//   MCP_URL          http://127.0.0.1:PORT/mcp of justifi-mcp (MCP_AUTH=none, the mock's credentials)
//   FIXTURES_URL     the same for justifi-mcp-test-server (the conformance fixture tools)
//   SERVER_BINARY    justifi-mcp, started by the stdio transport itself
//   MOCK_URL, MOCK_CLIENT_ID, MOCK_CLIENT_SECRET   the simulator and its credentials
//   SERVER_LOG       justifi-mcp's log: which requests the HTTP server saw
//   CLIENT_DIR       node_modules/@modelcontextprotocol/client of the pinned node tools
// Prints PASS/FAIL per case; exits 1 on any failure. Bounded: the run stops after 80 s.

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
const CLIENT_DIR = env('CLIENT_DIR');

const load = (path) => import(pathToFileURL(join(CLIENT_DIR, 'dist', path)).href);
const { Client, StreamableHTTPClientTransport } = await load('index.mjs');
const { StdioClientTransport } = await load('stdio.mjs');
const pkg = JSON.parse(readFileSync(join(CLIENT_DIR, 'package.json'), 'utf8'));

const watchdog = setTimeout(() => {
    console.log('FAIL the run took longer than 80 s');
    process.exit(1);
}, 80_000);

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

clearTimeout(watchdog);
console.log(failures === 0 ? 'sdk_v2: all cases passed' : `sdk_v2: ${failures} case(s) failed`);
process.exit(failures === 0 ? 0 : 1);
