#!/usr/bin/env node
// Token exchange end-to-end (JUSTIFI_UPSTREAM_AUTH=exchange): the official MCP TypeScript SDK v2
// client, pinned to 2026-07-28, signs in against the test authorization server (auth-server.mjs
// with --resource, standing in for an Auth0 API whose identifier is this server's URL) and calls
// tools on the real justifi-mcp binary, once with plain bearer tokens and once with DPoP-bound
// ones. justifi-mcp exchanges each token (RFC 8693) for a JustiFi API token; the simulator
// accepts only tokens for its own audience, and its record of the JWTs it was shown proves that
// no token the client held ever reached it. Then raw requests for the refusals: a JustiFi token
// presented here, exchanges refused or failing, and DPoP proofs that do not match.
//
// Started by run.sh, with: MCP_URL (http://127.0.0.1:PORT/mcp, also the resource), AS_ISSUER,
// MOCK_URL, AUDIENCE (JustiFi's), CLIENT_DIR (node_modules/@modelcontextprotocol/client),
// EXCHANGE_CLIENT_ID and _SECRET, LOG_FILES (colon-separated logs that must not contain any token).
// Prints PASS/FAIL per case; exits 1 on any failure; stops by itself after 55 s.

import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    authServerControls, challengeParams, check, envReader, http, json, jwtClaims, logFilesFromEnv, logLeaks,
    MemoryOAuthProvider, Report, secrets, startWatchdog, unusedLoopbackPort
} from './common.mjs';

const env = envReader('exchange');
const MCP_URL = env('MCP_URL');
const AS_ISSUER = env('AS_ISSUER');
const MOCK_URL = env('MOCK_URL');
const AUDIENCE = env('AUDIENCE');
const EXCHANGE_CLIENT_ID = env('EXCHANGE_CLIENT_ID');
// The same setup with JUSTIFI_REQUIRE_DPOP=true, at its own URL.
const STRICT_URL = env('STRICT_URL');
const LOG_FILES = logFilesFromEnv();
const sdk = await import(pathToFileURL(join(env('CLIENT_DIR'), 'dist/index.mjs')).href);
const { Client, StreamableHTTPClientTransport, UnauthorizedError, DpopSession } = sdk;

const MODERN = '2026-07-28';
const PRM_URL = `${new URL(MCP_URL).origin}/.well-known/oauth-protected-resource`;
startWatchdog('the exchange run').unref();

// ---------------------------------------------------------------------------------------------
// Reporting and helpers

const report = new Report();
const testCase = (name, body) => report.run(`exchange mode: ${name}`, body, 'timed out after 20 s');

// Secrets seen during the run (common.mjs remembers tokens and codes as they come): none may
// appear in any log.
secrets.add(env('EXCHANGE_CLIENT_SECRET'));
const { control, asLog, mint } = authServerControls(AS_ISSUER);
const mockStats = async () => (await json(`${MOCK_URL}/__mock/stats`, undefined, 'GET')).body;
const b64url = (data) => Buffer.from(data).toString('base64url');

// A 2026-07-28 tools/call, raw: what the client would send, with `authorization` and `dpop` as given.
let rpcId = 1000;
async function modernCall(tool, args, { authorization, dpop, url = MCP_URL, method = 'POST' } = {}) {
    const headers = {
        Accept: 'application/json, text/event-stream',
        'Content-Type': 'application/json',
        'MCP-Protocol-Version': MODERN,
        'Mcp-Method': 'tools/call',
        'Mcp-Name': tool
    };
    if (authorization) headers.Authorization = authorization;
    if (dpop) headers.DPoP = dpop;
    const body = {
        jsonrpc: '2.0', id: ++rpcId, method: 'tools/call',
        params: {
            name: tool, arguments: args,
            _meta: {
                'io.modelcontextprotocol/protocolVersion': MODERN,
                'io.modelcontextprotocol/clientCapabilities': {},
                'io.modelcontextprotocol/clientInfo': { name: 'exchange-e2e-raw', version: '1' }
            }
        }
    };
    const res = await http(url, { method, headers, body: JSON.stringify(body) });
    const text = await res.text();
    let rpc;
    try {
        rpc = JSON.parse(text);
    } catch {
        rpc = undefined;
    }
    return { status: res.status, headers: res.headers, rpc, text };
}
const describe = (res) => `HTTP ${res.status}, WWW-Authenticate: ${res.headers.get('www-authenticate') ?? '(none)'}, ` +
    `body ${res.text.slice(0, 200)}`;

// A DPoP key of our own and proofs made with it, so that each part of a proof can be got wrong.
function dpopKey() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const thumbprint = b64url(createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest());
    return { jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, privateKey, thumbprint };
}
function proof(key, { htm = 'POST', htu = MCP_URL, token, jti = randomUUID(), iat = Math.floor(Date.now() / 1000), ath } = {}) {
    const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk };
    const payload = { jti, htm, htu, iat };
    payload.ath = ath ?? (token ? b64url(createHash('sha256').update(token).digest()) : undefined);
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
}

// Counts the simulator's calls, so a refusal can be shown to have cost JustiFi nothing.
const upstreamCalls = async () => Object.entries((await mockStats()).requests_by_path ?? {})
    .filter(([label]) => label.includes('/v1/')).reduce((n, [, count]) => n + count, 0);
async function expectNoUpstream(action) {
    const before = await upstreamCalls();
    const outcome = await action();
    const after = await upstreamCalls();
    check(after === before, `JustiFi was called ${after - before} time(s)`);
    return outcome;
}
const exchangesSoFar = async () => (await asLog()).exchanges.length;

// The SDK's OAuth provider, in memory (common.mjs); a case that wants DPoP-bound tokens gives
// its own provider a dpop() method.
const newProvider = (redirectUrl) => new MemoryOAuthProvider(redirectUrl, { clientName: 'exchange e2e', issuer: AS_ISSUER });

// Signs in through the SDK (401 -> metadata -> registration -> PKCE -> token) and calls list_payments.
async function signInAndList(provider) {
    const newTransport = () => new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: provider });
    const newClient = () => new Client({ name: 'exchange-e2e', version: '1.0.0' }, { capabilities: {}, versionNegotiation: { mode: { pin: MODERN } } });
    const transport = newTransport();
    const first = newClient();
    let error;
    try {
        await first.connect(transport);
        await first.listTools();
    } catch (e) {
        error = e;
    }
    await first.close().catch(() => {});
    check(error instanceof UnauthorizedError, `the first use should throw UnauthorizedError, got ${error ? `${error.name}: ${error.message}` : 'a connection'}`);
    check(provider.authorizationCode, 'no authorization code');
    await transport.finishAuth(provider.authorizationCode, provider.authorizationIssuer);
    const client = newClient();
    await client.connect(newTransport());
    const tools = await client.listTools();
    check(tools.tools.some((t) => t.name === 'list_payments'), 'tools/list has no list_payments');
    const result = await client.callTool({ name: 'list_payments', arguments: { limit: 3 } });
    check(!result.isError, `list_payments failed: ${JSON.stringify(result.content).slice(0, 300)}`);
    const again = await client.callTool({ name: 'list_payments', arguments: { limit: 3 } });
    check(!again.isError, 'the second list_payments failed');
    await client.close();
    return result;
}

// What the authorization server and the simulator saw for a client token: it was exchanged, and
// only the exchanged token reached JustiFi.
async function checkOnlyExchangedTokensReachedJustiFi(clientToken, exchangesBefore) {
    const inbound = jwtClaims(clientToken);
    check(inbound.aud === MCP_URL, `the client's token has aud ${JSON.stringify(inbound.aud)}, not ${MCP_URL}`);
    const log = await asLog();
    const ours = log.exchanges.slice(exchangesBefore).filter((e) => e.subject_jti === inbound.jti);
    check(ours.length >= 1 && ours.every((e) => e.outcome === 'ok' && e.client_id === EXCHANGE_CLIENT_ID && e.audience === AUDIENCE),
        `expected successful exchanges of the client's token by ${EXCHANGE_CLIENT_ID} for ${AUDIENCE}: ${JSON.stringify(ours)}`);
    const issued = new Set(ours.map((e) => e.issued_jti));
    const jwts = (await mockStats()).recent_jwts;
    check(!jwts.some((j) => j.jti === inbound.jti), 'the simulator was shown the client\'s own token');
    const accepted = jwts.filter((j) => j.outcome === 'accepted' && issued.has(j.jti));
    check(accepted.length >= 1, `the simulator accepted none of the exchanged tokens: ${JSON.stringify(jwts.slice(-5))}`);
    check(accepted.every((j) => j.aud === AUDIENCE && j.azp === EXCHANGE_CLIENT_ID), `exchanged tokens look wrong: ${JSON.stringify(accepted)}`);
    return { exchanges: ours, scopes: ours.map((e) => e.scope) };
}

// ---------------------------------------------------------------------------------------------
// The run

const redirectUrl = `http://127.0.0.1:${await unusedLoopbackPort()}/callback`;

await testCase('the protected resource metadata names this server as the resource and offers DPoP', async () => {
    const prm = await json(`${PRM_URL}/mcp`, undefined, 'GET');
    check(prm.status === 200, `GET ${PRM_URL}/mcp answered ${prm.status}`);
    check(prm.body.resource === MCP_URL, `resource is ${prm.body.resource}, not ${MCP_URL}`);
    check(JSON.stringify(prm.body.dpop_signing_alg_values_supported) === '["ES256","RS256"]',
        `dpop_signing_alg_values_supported is ${JSON.stringify(prm.body.dpop_signing_alg_values_supported)}`);
    check(prm.body.dpop_bound_access_tokens_required === undefined, 'DPoP is not required here');
    check(!prm.body.scopes_supported.includes('offline_access'), 'offline_access is advertised');
    return `resource ${prm.body.resource}`;
});

await testCase('a call without credentials gets both the Bearer and the DPoP challenge', async () => {
    const res = await modernCall('list_payments', {});
    const header = res.headers.get('www-authenticate') ?? '';
    check(res.status === 401, describe(res));
    const bearer = challengeParams(header, 'Bearer');
    const dpop = challengeParams(header, 'DPoP');
    // The metadata of the endpoint called: its resource is what the token must be issued for.
    check(bearer?.resource_metadata === `${PRM_URL}/mcp` && dpop?.resource_metadata === `${PRM_URL}/mcp`, `challenges: ${header}`);
    check(dpop.algs === 'ES256 RS256', `DPoP challenge without algs: ${header}`);
    return header;
});

await testCase('SDK v2 with bearer tokens: sign-in, list_payments, exchanged token (not the client\'s) reaches JustiFi', async () => {
    const before = await exchangesSoFar();
    const provider = newProvider(redirectUrl);
    await signInAndList(provider);
    const token = provider.tokens().access_token;
    check(provider.tokens().token_type.toLowerCase() === 'bearer', `token_type ${provider.tokens().token_type}`);
    const seen = await checkOnlyExchangedTokensReachedJustiFi(token, before);
    // Two calls of one tool with one token: one exchange (the second came from the cache).
    const listExchanges = seen.exchanges.filter((e) => e.scope === 'payments:read');
    check(listExchanges.length === 1, `list_payments twice exchanged ${listExchanges.length} times`);
    return `exchanged for scopes ${JSON.stringify(seen.scopes)}`;
});

let dpopToken;
await testCase('SDK v2 with DPoP-bound tokens: sign-in, list_payments, exchanged token reaches JustiFi', async () => {
    const before = await exchangesSoFar();
    const session = await DpopSession.create();
    const provider = newProvider(redirectUrl);
    provider.dpop = () => session;  // only this provider offers dpop(): the SDK looks for the method
    await signInAndList(provider);
    dpopToken = provider.tokens().access_token;
    check(provider.tokens().token_type.toLowerCase() === 'dpop', `token_type ${provider.tokens().token_type}, not DPoP`);
    check(typeof jwtClaims(dpopToken).cnf?.jkt === 'string', 'the token is not bound (no cnf.jkt)');
    const log = await asLog();
    check(log.token.some((t) => t.dpop === true && t.jkt === jwtClaims(dpopToken).cnf.jkt), 'the token request carried no DPoP proof');
    await checkOnlyExchangedTokensReachedJustiFi(dpopToken, before);
    return `cnf.jkt ${jwtClaims(dpopToken).cnf.jkt}`;
});

await testCase('concurrent calls with one new token share one exchange (single flight)', async () => {
    const token = await mint({ audience: MCP_URL, scope: 'payments:read' });
    const calls = await Promise.all(Array.from({ length: 6 }, () =>
        modernCall('list_payments', { limit: 2 }, { authorization: `Bearer ${token}` })));
    check(calls.every((c) => c.status === 200 && !c.rpc?.result?.isError), `a call failed: ${calls.map((c) => c.status)}`);
    const exchanges = (await asLog()).exchanges.filter((e) => e.subject_jti === jwtClaims(token).jti);
    check(exchanges.length === 1, `6 concurrent calls made ${exchanges.length} exchanges`);
    return '6 calls, 1 exchange';
});

await testCase('a token issued for the JustiFi API is refused here: 401, no exchange, no JustiFi call', async () => {
    const token = await mint({ audience: AUDIENCE, scope: 'payments:read' });
    const exchanges = await exchangesSoFar();
    const res = await expectNoUpstream(() => modernCall('list_payments', {}, { authorization: `Bearer ${token}` }));
    check(res.status === 401 && challengeParams(res.headers.get('www-authenticate'), 'Bearer')?.error === 'invalid_token', describe(res));
    check(await exchangesSoFar() === exchanges, 'an exchange was attempted');
    return res.headers.get('www-authenticate');
});

for (const [error, status, expected] of [['invalid_grant', 401, 'invalid_token'], ['invalid_scope', 403, 'insufficient_scope'], ['unavailable', 503, null]]) {
    await testCase(`an exchange answered ${error} -> HTTP ${status}${expected ? ` ${expected}` : ' with Retry-After'}, no JustiFi call`, async () => {
        const token = await mint({ audience: MCP_URL, scope: 'payments:read' });
        check((await control('exchange-failures', { error, count: 1 })).status === 200, 'could not arm the failure');
        const res = await expectNoUpstream(() => modernCall('list_payments', {}, { authorization: `Bearer ${token}` }));
        check(res.status === status, describe(res));
        if (expected) {
            const bearer = challengeParams(res.headers.get('www-authenticate'), 'Bearer');
            check(bearer?.error === expected, describe(res));
            if (expected === 'insufficient_scope') check(bearer.scope === 'payments:read', `scope ${bearer.scope}`);
        } else {
            check(Number(res.headers.get('retry-after')) > 0, `no Retry-After: ${describe(res)}`);
        }
        check(res.rpc?.id === rpcId, 'the error answer does not echo the request id');
        const log = await asLog();
        check(log.exchanges.at(-1).subject_jti === jwtClaims(token).jti, 'the exchange was not attempted');
        return `${res.status} ${res.headers.get('www-authenticate') ?? ''}`;
    });
}

await testCase('DPoP proofs that do not match are refused with 401 invalid_dpop_proof, before any JustiFi call', async () => {
    const key = dpopKey();
    const token = await mint({ audience: MCP_URL, scope: 'payments:read', cnf_jkt: key.thumbprint });
    const other = dpopKey();
    const replayed = proof(key, { token });
    const first = await modernCall('list_payments', {}, { authorization: `DPoP ${token}`, dpop: replayed });
    check(first.status === 200 && !first.rpc?.result?.isError, `a good proof was refused: ${describe(first)}`);
    const cases = {
        'wrong htu': proof(key, { token, htu: `${MCP_URL}/other` }),
        'wrong htm': proof(key, { token, htm: 'GET' }),
        'wrong ath': proof(key, { token, ath: b64url(createHash('sha256').update('another token').digest()) }),
        'replayed jti': replayed,
        'a key that does not match cnf': proof(other, { token }),
        'stale iat': proof(key, { token, iat: Math.floor(Date.now() / 1000) - 600 }),
        'no proof': undefined
    };
    const outcomes = [];
    for (const [what, dpop] of Object.entries(cases)) {
        const res = await expectNoUpstream(() => modernCall('list_payments', {}, { authorization: `DPoP ${token}`, dpop }));
        const dpopChallenge = challengeParams(res.headers.get('www-authenticate'), 'DPoP');
        check(res.status === 401 && dpopChallenge?.error === 'invalid_dpop_proof', `${what}: ${describe(res)}`);
        outcomes.push(`${what}: ${dpopChallenge.error_description}`);
    }
    return outcomes.join('; ');
});

await testCase('a DPoP-bound token sent as Bearer is refused: 401 invalid_token, no JustiFi call', async () => {
    check(dpopToken, 'no DPoP-bound token from the SDK case');
    const res = await expectNoUpstream(() => modernCall('list_payments', {}, { authorization: `Bearer ${dpopToken}` }));
    check(res.status === 401 && challengeParams(res.headers.get('www-authenticate'), 'Bearer')?.error === 'invalid_token', describe(res));
    return challengeParams(res.headers.get('www-authenticate'), 'Bearer').error_description;
});

await testCase('JUSTIFI_REQUIRE_DPOP=true: metadata requires DPoP, challenges offer DPoP alone, Bearer is refused, DPoP passes', async () => {
    const prm = await json(`${new URL(STRICT_URL).origin}/.well-known/oauth-protected-resource/mcp`, undefined, 'GET');
    check(prm.status === 200 && prm.body.dpop_bound_access_tokens_required === true,
        `dpop_bound_access_tokens_required is ${prm.body?.dpop_bound_access_tokens_required}`);
    const anonymous = await modernCall('list_payments', {}, { url: STRICT_URL });
    const header = anonymous.headers.get('www-authenticate') ?? '';
    check(anonymous.status === 401 && /^DPoP\s/.test(header) && !/Bearer/.test(header), `challenge: ${header}`);
    const key = dpopKey();
    const unbound = await mint({ audience: STRICT_URL, scope: 'payments:read' });
    const bearer = await expectNoUpstream(() => modernCall('list_payments', {}, { url: STRICT_URL, authorization: `Bearer ${unbound}` }));
    const refusal = challengeParams(bearer.headers.get('www-authenticate'), 'DPoP');
    check(bearer.status === 401 && refusal?.error === 'invalid_token' && /only DPoP-bound/.test(refusal.error_description),
        describe(bearer));
    // A bound token with a good proof gets past authentication: tools/list needs no exchange.
    const bound = await mint({ audience: STRICT_URL, scope: 'payments:read', cnf_jkt: key.thumbprint });
    const listed = await http(STRICT_URL, {
        method: 'POST',
        headers: { Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json',
            'MCP-Protocol-Version': MODERN, 'Mcp-Method': 'tools/list',
            Authorization: `DPoP ${bound}`, DPoP: proof(key, { token: bound, htu: STRICT_URL }) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {},
            'io.modelcontextprotocol/clientInfo': { name: 'exchange-e2e-raw', version: '1' } } } })
    });
    const tools = await listed.json();
    check(listed.status === 200 && tools.result?.tools?.some((t) => t.name === 'list_payments'), `tools/list: ${listed.status}`);
    return refusal.error_description;
});

await testCase('no token, code or secret in the server, simulator and authorization server logs', async () => {
    check(secrets.size >= 4, `only ${secrets.size} secrets were collected`);
    const [leak] = logLeaks(LOG_FILES, secrets);  // the first one
    check(!leak, `${leak?.file} contains a token or secret`);
    // The exchanged tokens were never seen by this script: no JWT of any kind may be in a log.
    for (const file of LOG_FILES) {
        const jwt = /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}/.exec(readFileSync(file, 'utf8'));
        check(!jwt, `${file} contains a JWT`);
    }
    return `${secrets.size} secrets, ${LOG_FILES.length} logs, no JWT in any`;
});

console.log(report.failed === 0 ? 'exchange e2e: all passed' : `exchange e2e: ${report.failed} failed`);
process.exit(report.failed === 0 ? 0 : 1);
