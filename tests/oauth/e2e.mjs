#!/usr/bin/env node
// OAuth end-to-end test: the official MCP TypeScript SDK (Client + StreamableHTTPClientTransport
// with an OAuthClientProvider, as desktop clients use it) against the real justifi-mcp binary,
// the test authorization server (auth-server.mjs, standing in for Auth0) and justifi-mock
// accepting that server's tokens. Then raw HTTP cases for what the SDK does not show: the
// exact challenges for expired, wrong-audience and reduced-scope tokens, a token the simulator
// rejects, and X-Client-Id/X-Client-Secret.
//
// Started by run.sh, which passes everything in the environment:
//   MCP_URL          http://127.0.0.1:PORT/mcp of justifi-mcp
//   AS_ISSUER        issuer of auth-server.mjs (http://127.0.0.1:PORT/)
//   MOCK_URL         http://127.0.0.1:PORT of justifi-mock
//   MOCK_CLIENT_ID, MOCK_CLIENT_SECRET   the client credentials the mock accepts
//   AUDIENCE         the API audience (https://api.justifi.ai)
//   SDK_DIR          node_modules/@modelcontextprotocol/sdk of the pinned node tools
//   CLIENT_SDK       v2: the SDK cases run with the v2 client instead (CLIENT_DIR,
//                    node_modules/@modelcontextprotocol/client), pinned to MCP 2026-07-28;
//                    the raw cases do not use an SDK and run in the v1 pass only
//   LOG_FILES        colon-separated log files that must not contain any token or secret
// Prints PASS/FAIL per case; exits 1 on any failure. Everything is bounded: the whole run
// stops after 55 s.

import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    authServerControls, challengeParams, check, envReader, http, json, jwtClaims, logFilesFromEnv, logLeaks, MemoryOAuthProvider,
    remember, Report, secrets, startWatchdog, STEP_TIMEOUT_MS, unusedLoopbackPort, withJwtSignatures, withTimeout
} from './common.mjs';

const env = envReader('e2e');
const MCP_URL = env('MCP_URL');
const AS_ISSUER = env('AS_ISSUER');
const MOCK_URL = env('MOCK_URL');
const MOCK_CLIENT_ID = env('MOCK_CLIENT_ID');
const MOCK_CLIENT_SECRET = env('MOCK_CLIENT_SECRET');
const AUDIENCE = env('AUDIENCE');
const SDK_DIR = env('SDK_DIR');
const LOG_FILES = logFilesFromEnv();

const V2 = process.env.CLIENT_SDK === 'v2';
const sdk = (path) => import(pathToFileURL(join(SDK_DIR, 'dist/esm', path)).href);
const v2 = V2 ? await import(pathToFileURL(join(env('CLIENT_DIR'), 'dist/index.mjs')).href) : undefined;
const { Client } = V2 ? v2 : await sdk('client/index.js');
const { StreamableHTTPClientTransport } = V2 ? v2 : await sdk('client/streamableHttp.js');
const { UnauthorizedError } = V2 ? v2 : await sdk('client/auth.js');

const PROTOCOL_VERSION = '2025-11-25';
const origin = new URL(MCP_URL).origin;
const PRM_URL = `${origin}/.well-known/oauth-protected-resource`;

const watchdog = startWatchdog('the run');

// ---------------------------------------------------------------------------------------------
// Reporting

const report = new Report();
// Runs one case; a thrown error fails it with its message, and the next case runs.
async function testCase(name, body) {
    if (V2 && /^(raw|authorization server):/.test(name)) return;  // no SDK in them: the v1 pass runs them
    await report.run(V2 ? `v2 2026-07-28 ${name}` : name, body);
}

// Secrets seen during the run (common.mjs remembers tokens and codes as they come): none may
// appear in any log.
secrets.add(MOCK_CLIENT_SECRET);

// ---------------------------------------------------------------------------------------------
// HTTP helpers (common.mjs's http() and json() give every request a deadline)

const { control, asLog, mint } = authServerControls(AS_ISSUER);

// One JSON-RPC message POSTed to the MCP endpoint; the answer's JSON-RPC message is parsed
// from application/json or from the text/event-stream events.
let rpcId = 100;
async function mcpPost(message, { token, sessionId, headers = {} } = {}) {
    const h = {
        Accept: 'application/json, text/event-stream',
        'Content-Type': 'application/json',
        ...headers
    };
    if (message.method !== 'initialize') h['MCP-Protocol-Version'] = PROTOCOL_VERSION;
    if (token) h.Authorization = `Bearer ${token}`;
    if (sessionId) h['Mcp-Session-Id'] = sessionId;
    const res = await http(MCP_URL, { method: 'POST', headers: h, body: JSON.stringify(message) });
    const text = await res.text();
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    let rpc;
    try {
        if (type === 'application/json' && text) {
            rpc = JSON.parse(text);
        } else if (type === 'text/event-stream') {
            for (const event of text.split(/\r?\n\r?\n/)) {
                const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
                if (!data) continue;
                const msg = JSON.parse(data);
                if (message.id !== undefined && msg.id === message.id) rpc = msg;
            }
        }
    } catch {
        rpc = undefined;
    }
    return { status: res.status, headers: res.headers, rpc, text };
}

const request = (method, params) => ({ jsonrpc: '2.0', id: ++rpcId, method, params });

async function initializeSession(auth) {
    const res = await mcpPost(request('initialize', {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'justifi-mcp-oauth-e2e-raw', version: '1.0.0' }
    }), auth);
    check(res.status === 200, `initialize answered HTTP ${res.status} (${res.headers.get('www-authenticate') ?? res.text.slice(0, 200)})`);
    const sessionId = res.headers.get('mcp-session-id');
    check(sessionId, 'initialize answered no Mcp-Session-Id');
    const note = await mcpPost({ jsonrpc: '2.0', method: 'notifications/initialized' }, { ...auth, sessionId });
    check(note.status === 202, `notifications/initialized answered HTTP ${note.status}`);
    return sessionId;
}

const describe = (res) => `HTTP ${res.status}, WWW-Authenticate: ${res.headers.get('www-authenticate') ?? '(none)'}` +
    (res.status === 200 && res.rpc?.result?.isError ? `, tool error: ${toolText(res.rpc.result).slice(0, 200)}` : '');

// The auth-param `name` of the Bearer challenge in a WWW-Authenticate value.
const bearerParam = (header, name) => challengeParams(header, 'Bearer')?.[name];

function expectInvalidToken(res) {
    const header = res.headers.get('www-authenticate') ?? '';
    check(res.status === 401, `expected HTTP 401 with error="invalid_token", got ${describe(res)}`);
    check(/^Bearer\s/i.test(header), `WWW-Authenticate is not a Bearer challenge: ${header}`);
    check(bearerParam(header, 'error') === 'invalid_token', `WWW-Authenticate has no error="invalid_token": ${header}`);
    check(bearerParam(header, 'resource_metadata') === PRM_URL, `resource_metadata is not ${PRM_URL}: ${header}`);
    return `401 ${header}`;
}

const toolText = (result) => (result?.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');

// The payment ids of a list_payments result: structuredContent, else the JSON in its text.
function paymentIds(result) {
    let envelope = result?.structuredContent;
    if (!envelope) {
        try {
            envelope = JSON.parse(toolText(result));
        } catch {
            envelope = undefined;
        }
    }
    return Array.isArray(envelope?.data) ? envelope.data.map((p) => p.id) : [];
}

// The simulator asked directly, with its own client credentials.
let mockToken;
async function simulatorGet(path) {
    if (!mockToken) {
        const tokenRes = await json(`${MOCK_URL}/oauth/token`, { client_id: MOCK_CLIENT_ID, client_secret: MOCK_CLIENT_SECRET });
        check(tokenRes.status === 200 && tokenRes.body?.access_token, `mock /oauth/token answered ${tokenRes.status}`);
        mockToken = tokenRes.body.access_token;
        remember(mockToken);
    }
    const res = await http(`${MOCK_URL}${path}`, { headers: { Authorization: `Bearer ${mockToken}` } });
    check(res.status === 200, `mock GET ${path} answered ${res.status}`);
    return res.json();
}

// The simulator's newest payments right now (a created payment becomes the newest).
async function simulatorPaymentIds(limit = 5) {
    const ids = (await simulatorGet(`/v1/payments?limit=${limit}`)).data.map((p) => p.id);
    check(ids.length === limit && ids.every((id) => id.startsWith('py_')), `mock payments look wrong: ${ids}`);
    return ids;
}

async function expectSimulatorPayments(result, what) {
    check(result && !result.isError, `${what} is a tool error: ${toolText(result).slice(0, 300)}`);
    const expected = await simulatorPaymentIds(5);
    const ids = paymentIds(result);
    check(JSON.stringify(ids) === JSON.stringify(expected),
        `${what} returned payments ${JSON.stringify(ids)}, the simulator has ${JSON.stringify(expected)}`);
    return `${ids.length} payments (${ids[0]}, ...)`;
}

// Every HTTP exchange of the SDK (and of the "browser"), in order: "METHOD URL-without-query STATUS".
const exchanges = [];
const recordExchange = (method, url, status) => {
    const u = new URL(url);
    exchanges.push(`${method} ${u.origin}${u.pathname} ${status}`);
};
async function recordingFetch(url, init) {
    const res = await fetch(url, init);
    recordExchange(init?.method ?? 'GET', url instanceof Request ? url.url : String(url), res.status);
    return res;
}
const newTransport = () => new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: provider, fetch: recordingFetch });

// `expected` must appear in `actual` in this order (other entries may come between).
function checkInOrder(actual, expected) {
    let i = 0;
    for (const entry of actual) if (i < expected.length && entry === expected[i]) i++;
    check(i === expected.length, `expected in order:\n       ${expected.join('\n       ')}\n     missing from ${expected[i]} on; saw:\n       ${actual.join('\n       ')}`);
}

function newClient() {
    const options = V2 ? { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } } : { capabilities: {} };
    return new Client({ name: 'justifi-mcp-oauth-e2e', version: '1.0.0' }, options);
}

// ---------------------------------------------------------------------------------------------
// The run

let prm;
let redirectUrl;
let subAccountId;
try {
    prm = await json(PRM_URL, undefined, 'GET');
    redirectUrl = `http://127.0.0.1:${await unusedLoopbackPort()}/callback`;
    await simulatorPaymentIds(5);
    subAccountId = (await simulatorGet('/v1/sub_accounts?limit=1')).data[0].id;
} catch (e) {
    console.log(`FAIL setup: ${e?.message ?? e}`);
    process.exit(1);
}
// The OAuth client provider, in memory as a desktop client keeps it (common.mjs); the "browser"'s
// visit to the authorization endpoint joins the recorded exchanges.
const provider = new MemoryOAuthProvider(redirectUrl, {
    clientName: 'justifi-mcp OAuth e2e',
    issuer: AS_ISSUER,
    onAuthorizationResponse: (url, status) => recordExchange('GET', url.href, status)
});
let sdkClient; // connected with OAuth tokens, used by the refresh and step-up cases
let sdkTransport;

await testCase('protected resource metadata names the test authorization server', async () => {
    check(prm.status === 200, `GET ${PRM_URL} answered ${prm.status}`);
    check(JSON.stringify(prm.body.authorization_servers) === JSON.stringify([AS_ISSUER]),
        `authorization_servers is ${JSON.stringify(prm.body.authorization_servers)}, not ["${AS_ISSUER}"]`);
    check(typeof prm.body.resource === 'string', 'no resource');
    return `resource ${prm.body.resource}`;
});

await testCase('unauthenticated call gets 401 with resource_metadata', async () => {
    const res = await mcpPost(request('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'x', version: '1' } }));
    const header = res.headers.get('www-authenticate') ?? '';
    check(res.status === 401, `got ${describe(res)}`);
    check(bearerParam(header, 'resource_metadata') === PRM_URL, `resource_metadata is not ${PRM_URL}: ${header}`);
    check(bearerParam(header, 'error') === undefined, `a request without credentials should carry no error code: ${header}`);
    check(bearerParam(header, 'scope'), `no scope in ${header}`);
    return header;
});

await testCase('SDK: 401 -> metadata -> DCR -> authorization code + PKCE S256 + resource -> token -> list_payments', async () => {
    const transport = newTransport();
    const first = newClient();
    let error;
    try {
        await withTimeout(first.connect(transport), STEP_TIMEOUT_MS, 'first connect');
    } catch (e) {
        error = e;
    }
    await first.close().catch(() => {});
    check(error instanceof UnauthorizedError, `the first connect should throw UnauthorizedError, got ${error ? `${error.name}: ${error.message}` : 'a connection'}`);
    check(provider.authorizationCode, 'redirectToAuthorization got no code');
    await withTimeout(transport.finishAuth(provider.authorizationCode, provider.authorizationIssuer), STEP_TIMEOUT_MS, 'finishAuth');
    check(provider.tokens()?.access_token, 'no access token saved after finishAuth');
    check(provider.tokens()?.refresh_token, 'no refresh token saved after finishAuth');

    sdkClient = newClient();
    sdkTransport = newTransport();
    await withTimeout(sdkClient.connect(sdkTransport), STEP_TIMEOUT_MS, 'connect with the token');
    if (V2) check(sdkClient.getProtocolEra() === 'modern', `the v2 client settled on the ${sdkClient.getProtocolEra()} era`);
    const result = await withTimeout(sdkClient.callTool({ name: 'list_payments', arguments: { limit: 5 } }), STEP_TIMEOUT_MS, 'list_payments');
    const summary = await expectSimulatorPayments(result, 'list_payments');
    const as = AS_ISSUER.replace(/\/$/, '');
    checkInOrder(exchanges, [
        `POST ${MCP_URL} 401`,
        `GET ${PRM_URL} 200`,
        `GET ${as}/.well-known/oauth-authorization-server 200`,
        `POST ${as}/register 201`,
        `GET ${as}/authorize 302`,
        `POST ${as}/token 200`,
        `POST ${MCP_URL} 200`
    ]);
    return summary;
});

await testCase('authorization server saw DCR, PKCE S256 and the resource of the metadata', async () => {
    const log = await asLog();
    const clientId = provider.clientInformation()?.client_id;
    check(clientId, 'the provider holds no client information');
    const reg = log.registrations.filter((r) => r.client_id === clientId);
    check(reg.length === 1, `expected one registration of ${clientId}, saw ${log.registrations.length}`);
    check(JSON.stringify(reg[0].redirect_uris) === JSON.stringify([redirectUrl]), 'registered redirect_uris differ');
    check(reg[0].token_endpoint_auth_method === 'none', `registered as ${reg[0].token_endpoint_auth_method}`);
    check(log.metadata.includes('/.well-known/oauth-authorization-server') || log.metadata.includes('/.well-known/openid-configuration'),
        'the SDK did not fetch the authorization server metadata');
    const authz = log.authorize.filter((a) => a.client_id === clientId);
    check(authz.length === 1, `expected one authorization request, saw ${authz.length}`);
    check(authz[0].code_challenge_method === 'S256', `code_challenge_method ${authz[0].code_challenge_method}`);
    check(authz[0].outcome === 'code', `authorization outcome ${authz[0].outcome}`);
    check(JSON.stringify(authz[0].resource) === JSON.stringify([prm.body.resource]),
        `authorize resource ${JSON.stringify(authz[0].resource)}, the metadata's resource is ${prm.body.resource}`);
    const url = provider.authorizationUrls[0];
    check(url && url.searchParams.get('code_challenge'), 'the authorization URL has no code_challenge');
    const tokens = log.token.filter((t) => t.client_id === clientId && t.grant_type === 'authorization_code');
    check(tokens.length === 1 && tokens[0].outcome === 'ok', `authorization_code grants: ${JSON.stringify(tokens)}`);
    check(JSON.stringify(tokens[0].resource) === JSON.stringify([prm.body.resource]),
        `token request resource ${JSON.stringify(tokens[0].resource)}`);
    const claims = jwtClaims(provider.tokens().access_token);
    check(claims.aud === AUDIENCE && claims.azp === clientId && claims.iss === AS_ISSUER, 'the access token claims are not as issued');
    return `client ${clientId}, resource ${prm.body.resource}, scope "${authz[0].scope}"`;
});

await testCase('SDK refreshes on its own when the access token has expired', async () => {
    check(sdkClient, 'no connected SDK client (the flow above failed)');
    const clientId = provider.clientInformation().client_id;
    const before = provider.tokens();
    const refreshesBefore = (await asLog()).token.filter((t) => t.grant_type === 'refresh_token').length;
    // An hour later: the saved access token has expired; the refresh token is still good.
    provider._tokens = { ...before, access_token: await mint({ expired: true, client_id: clientId }) };
    const result = await withTimeout(sdkClient.callTool({ name: 'list_payments', arguments: { limit: 5 } }), STEP_TIMEOUT_MS, 'list_payments');
    const summary = await expectSimulatorPayments(result, 'list_payments after expiry');
    const refreshes = (await asLog()).token.filter((t) => t.grant_type === 'refresh_token');
    check(refreshes.length === refreshesBefore + 1, `expected one refresh_token grant, saw ${refreshes.length - refreshesBefore}`);
    const last = refreshes[refreshes.length - 1];
    check(last.outcome === 'ok', `the refresh answered ${last.outcome}`);
    check(JSON.stringify(last.resource) === JSON.stringify([prm.body.resource]), `refresh resource ${JSON.stringify(last.resource)}`);
    check(provider.tokens().refresh_token !== before.refresh_token, 'the refresh token was not rotated');
    // Rotation: the old refresh token is dead.
    const replay = await http(`${AS_ISSUER}token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.refresh_token, client_id: clientId })
    });
    const replayBody = await replay.json();
    check(replay.status === 400 && replayBody.error === 'invalid_grant', `the rotated-out refresh token answered ${replay.status} ${replayBody.error}`);
    return summary;
});

await testCase('SDK steps up on 403 insufficient_scope (a reduced-scope token, then a broader one)', async () => {
    check(sdkClient, 'no connected SDK client (the flow above failed)');
    const clientId = provider.clientInformation().client_id;
    // The next token the SDK obtains carries payments:read only.
    await control('next-tokens', { scope: 'payments:read', count: 1 });
    provider._tokens = { ...provider.tokens(), access_token: await mint({ expired: true, client_id: clientId }) };
    let listed;
    try {
        listed = await withTimeout(sdkClient.listTools(), STEP_TIMEOUT_MS, 'tools/list');
    } finally {
        await control('next-tokens', { count: 0 });
    }
    const names = listed.tools.map((t) => t.name);
    check(jwtClaims(provider.tokens().access_token).scope === 'payments:read', 'the SDK is not holding the reduced-scope token');
    check(names.includes('list_payments'), 'tools/list with payments:read lacks list_payments');
    check(!names.includes('create_payment') && !names.includes('create_refund'),
        `tools/list with payments:read offers ${names.filter((n) => /^create_/.test(n)).join(', ')}`);
    const grants = async (type) => (await asLog()).token.filter((t) => t.grant_type === type).length;
    const refreshesBefore = await grants('refresh_token');
    const codesBefore = await grants('authorization_code');
    const createPayment = () => withTimeout(sdkClient.callTool({
        name: 'create_payment',
        arguments: {
            amount: 1050, currency: 'usd', capture_strategy: 'automatic', payment_method: { token: 'pm_test_visa' },
            sub_account_id: subAccountId, description: 'OAuth e2e step-up'
        }
    }), STEP_TIMEOUT_MS, 'create_payment');
    let result;
    if (V2) {
        // The v2 SDK steps up as the spec describes it: a new authorization for the scopes the
        // 403 challenge named (the person consents again), then the application retries.
        const urlsBefore = provider.authorizationUrls.length;
        let error;
        try {
            await createPayment();
        } catch (e) {
            error = e;
        }
        check(error instanceof UnauthorizedError, `the 403 should end in UnauthorizedError, got ${error ? `${error.name}: ${error.message}` : 'a result'}`);
        check(provider.authorizationUrls.length === urlsBefore + 1, 'the 403 did not start a new authorization');
        const asked = provider.authorizationUrls.at(-1).searchParams.get('scope') ?? '';
        check(asked.split(' ').includes('payments:write'), `the new authorization asks for "${asked}", without payments:write`);
        await withTimeout(sdkTransport.finishAuth(provider.authorizationCode, provider.authorizationIssuer), STEP_TIMEOUT_MS, 'finishAuth');
        result = await createPayment();
        check(await grants('authorization_code') === codesBefore + 1, 'expected one more authorization_code grant after the 403');
    } else {
        result = await createPayment();
        check(await grants('refresh_token') === refreshesBefore + 1, 'expected one refresh after the 403');
    }
    check(!result.isError, `create_payment after step-up is a tool error: ${toolText(result).slice(0, 300)}`);
    const created = result.structuredContent?.id ?? JSON.parse(toolText(result)).id;
    check((await simulatorPaymentIds(1))[0] === created, `the created payment ${created} is not the simulator's newest`);
    check(jwtClaims(provider.tokens().access_token).scope.split(' ').includes('payments:write'), 'the new token lacks payments:write');
    return `${names.length} tools with payments:read; create_payment succeeded after ${V2 ? 'a new authorization' : 'the refresh'}`;
});

// --- Raw HTTP cases ------------------------------------------------------------------------

let rawSession;
await testCase('raw: initialize with a valid token', async () => {
    rawSession = await initializeSession({ token: await mint() });
    return 'session established';
});
const listPayments = () => request('tools/call', { name: 'list_payments', arguments: { limit: 5 } });

await testCase('raw: expired token -> 401 invalid_token', async () =>
    expectInvalidToken(await mcpPost(listPayments(), { token: await mint({ expired: true }), sessionId: rawSession })));

await testCase('raw: wrong audience -> 401 invalid_token', async () =>
    expectInvalidToken(await mcpPost(listPayments(), { token: await mint({ audience: 'https://other.example' }), sessionId: rawSession })));

await testCase('raw: wrong issuer -> 401 invalid_token', async () =>
    expectInvalidToken(await mcpPost(listPayments(), { token: await mint({ issuer: 'https://evil.example/' }), sessionId: rawSession })));

// Before the unknown-kid case on purpose: the server re-reads the JWKS on an unknown kid at most
// once per refresh interval (60 s), so a forged kid just before would hide the rotation.
await testCase('raw: key rotation is picked up (token signed by a new kid)', async () => {
    const rotated = await control('rotate-key', {});
    check(rotated.status === 200, `rotate-key answered ${rotated.status}`);
    const token = await mint();
    check(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid === rotated.body.kid, 'minted with the old key');
    const res = await mcpPost(listPayments(), { token, sessionId: rawSession });
    check(res.status === 200, describe(res));
    return await expectSimulatorPayments(res.rpc?.result, 'list_payments');
});

await testCase('raw: unknown kid -> 401 invalid_token', async () =>
    expectInvalidToken(await mcpPost(listPayments(), { token: await mint({ kid: 'no-such-key' }), sessionId: rawSession })));

await testCase('raw: tampered signature -> 401 invalid_token', async () => {
    const [h, p, s] = (await mint()).split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims.scope = `${claims.scope} admin`;
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    remember(forged);
    return expectInvalidToken(await mcpPost(listPayments(), { token: forged, sessionId: rawSession }));
});

await testCase('raw: initialize with an expired token -> 401 invalid_token', async () =>
    expectInvalidToken(await mcpPost(request('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'x', version: '1' } }),
        { token: await mint({ expired: true }) })));

await testCase('raw: reduced scope (payments:read) -> tools/list filtered, list_payments works', async () => {
    const token = await mint({ scope: 'payments:read' });
    const res = await mcpPost(request('tools/list', {}), { token, sessionId: rawSession });
    check(res.status === 200 && res.rpc?.result?.tools, `tools/list: ${describe(res)}`);
    const names = res.rpc.result.tools.map((t) => t.name);
    check(names.includes('list_payments') && names.includes('retrieve_payment'), 'tools/list lacks the payments:read tools');
    const outOfScope = names.filter((n) => ['create_payment', 'create_refund', 'list_payouts', 'list_refunds', 'update_payment'].includes(n));
    check(outOfScope.length === 0, `tools/list offers tools outside payments:read: ${outOfScope.join(', ')}`);
    const call = await mcpPost(listPayments(), { token, sessionId: rawSession });
    check(call.status === 200, `list_payments: ${describe(call)}`);
    await expectSimulatorPayments(call.rpc?.result, 'list_payments with payments:read');
    return `${names.length} tools listed`;
});

await testCase('raw: reduced scope -> create_payment answers 403 insufficient_scope', async () => {
    const token = await mint({ scope: 'payments:read' });
    const res = await mcpPost(request('tools/call', {
        name: 'create_payment',
        arguments: { amount: 1050, currency: 'usd', capture_strategy: 'automatic', payment_method: { token: 'pm_test_visa' }, sub_account_id: subAccountId }
    }), { token, sessionId: rawSession });
    const header = res.headers.get('www-authenticate') ?? '';
    check(res.status === 403, `expected HTTP 403, got ${describe(res)}`);
    const prefix = `Bearer error="insufficient_scope", scope="payments:write payment_methods:read", resource_metadata="${PRM_URL}", error_description="`;
    check(header.startsWith(prefix), `WWW-Authenticate is\n       ${header}\n     expected the prefix\n       ${prefix}`);
    check(/^"(?:[^"\\]|\\.)+"$/.test(header.slice(prefix.length - 1)), `error_description is not one non-empty quoted string: ${header}`);
    return header;
});

await testCase('raw: token the simulator rejects -> 401 invalid_token to the client', async () => {
    const token = await mint();
    const before = (await json(`${MOCK_URL}/__mock/stats`, undefined, 'GET')).body?.faults_injected?.failed ?? 0;
    const set = await json(`${MOCK_URL}/__mock/faults`, { fail_status: 401, fail_first: 1 });
    check(set.status === 200, `POST /__mock/faults answered ${set.status}`);
    let res;
    try {
        res = await mcpPost(listPayments(), { token, sessionId: rawSession });
    } finally {
        await json(`${MOCK_URL}/__mock/faults`, { fail_first: 0, fail_status: 503 });
    }
    const after = (await json(`${MOCK_URL}/__mock/stats`, undefined, 'GET')).body?.faults_injected?.failed ?? 0;
    check(after === before + 1, `the simulator injected ${after - before} failures, expected 1 (did the call reach it?)`);
    return expectInvalidToken(res);
});

await testCase('raw: after the rejection the same kind of token works again', async () => {
    const res = await mcpPost(listPayments(), { token: await mint(), sessionId: rawSession });
    check(res.status === 200, describe(res));
    return await expectSimulatorPayments(res.rpc?.result, 'list_payments');
});

const credentialHeaders = (secret) => ({ headers: { 'X-Client-Id': MOCK_CLIENT_ID, 'X-Client-Secret': secret } });
let credSession;
await testCase('raw: X-Client-Id/X-Client-Secret -> list_payments', async () => {
    credSession = await initializeSession(credentialHeaders(MOCK_CLIENT_SECRET));
    const res = await mcpPost(listPayments(), { ...credentialHeaders(MOCK_CLIENT_SECRET), sessionId: credSession });
    check(res.status === 200, describe(res));
    return await expectSimulatorPayments(res.rpc?.result, 'list_payments');
});

await testCase('raw: a wrong secret for the cached client id fails', async () => {
    const wrong = `wrong-${randomBytes(12).toString('hex')}`;
    remember(wrong);
    const res = await mcpPost(listPayments(), { ...credentialHeaders(wrong), sessionId: credSession });
    if (res.status === 401) return `HTTP 401 ${res.headers.get('www-authenticate') ?? ''}`;
    check(res.status === 200, describe(res));
    const result = res.rpc?.result;
    check(result?.isError === true, `the call succeeded with a wrong secret: ${paymentIds(result).length} payments returned`);
    const text = toolText(result);
    check(/credential|client id|secret/i.test(text) && /reject|not accept|did not (issue|accept)|invalid|wrong/i.test(text),
        `the error does not say the credentials were rejected: ${text}`);
    return `tool error: ${text.slice(0, 140)}`;
});

// --- The test authorization server itself behaves like a real one -----------------------------

await testCase('authorization server: PKCE plain/missing refused, bad redirect_uri not redirected, code single-use', async () => {
    const reg = await json(`${AS_ISSUER}register`, { redirect_uris: [redirectUrl], grant_types: ['authorization_code'] });
    check(reg.status === 201 && reg.body.client_id, `register answered ${reg.status}`);
    const clientId = reg.body.client_id;
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = async (extra) => {
        const url = new URL(`${AS_ISSUER}authorize`);
        for (const [k, v] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: redirectUrl, state: 's1', ...extra })) {
            if (v !== undefined) url.searchParams.set(k, v);
        }
        const res = await http(url, { redirect: 'manual' });
        await res.body?.cancel();
        return { status: res.status, location: res.headers.get('location') ? new URL(res.headers.get('location')) : undefined };
    };
    const missing = await authorize({});
    check(missing.status === 302 && missing.location.searchParams.get('error') === 'invalid_request', 'missing code_challenge was not refused');
    const plain = await authorize({ code_challenge: verifier, code_challenge_method: 'plain' });
    check(plain.status === 302 && plain.location.searchParams.get('error') === 'invalid_request', 'plain PKCE was not refused');
    const badRedirect = await authorize({ code_challenge: challenge, code_challenge_method: 'S256', redirect_uri: 'http://127.0.0.1:1/other' });
    check(badRedirect.status === 400 && !badRedirect.location, `an unregistered redirect_uri answered ${badRedirect.status}`);
    const ok = await authorize({ code_challenge: challenge, code_challenge_method: 'S256', resource: prm.body.resource });
    const code = ok.location?.searchParams.get('code');
    check(ok.status === 302 && code && ok.location.searchParams.get('state') === 's1', 'no code issued');
    remember(code);
    const exchange = async (params) => {
        const r = await http(`${AS_ISSUER}token`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: clientId, redirect_uri: redirectUrl, ...params })
        });
        return { status: r.status, body: await r.json() };
    };
    const wrongVerifier = await exchange({ code_verifier: randomBytes(32).toString('base64url') });
    check(wrongVerifier.status === 400 && wrongVerifier.body.error === 'invalid_grant', `a wrong code_verifier answered ${wrongVerifier.status} ${wrongVerifier.body.error}`);
    // The failed attempt above consumed the code, as a code is single-use.
    const again = await exchange({ code_verifier: verifier });
    check(again.status === 400 && again.body.error === 'invalid_grant', `a used code answered ${again.status} ${again.body.error}`);
    return 'ok';
});

// --- No token or secret in any log -----------------------------------------------------------

if (sdkClient) await sdkClient.close().catch(() => {});

await testCase('no token, code or secret in the server, simulator and authorization server logs', async () => {
    check(LOG_FILES.length > 0, 'LOG_FILES names no log');
    // Full values, and the signature part of each JWT on its own.
    const needles = withJwtSignatures(secrets);
    const leaks = [...logLeaks(LOG_FILES, needles)]
        .map(({ file, needle: n }) => `${file} contains a value of ${n.length} characters starting ${n.slice(0, 6)}...`);
    check(leaks.length === 0, leaks.join('; '));
    return `${needles.size} values checked in ${LOG_FILES.length} logs`;
});

clearTimeout(watchdog);
console.log(`${report.failed === 0 ? 'PASS' : 'FAIL'} oauth e2e: ${report.passed} passed, ${report.failed} failed`);
process.exit(report.failed === 0 ? 0 : 1);
