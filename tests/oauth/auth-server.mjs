#!/usr/bin/env node
// A test OAuth 2.1 authorization server standing in for JustiFi's Auth0 tenant, for the
// OAuth end-to-end test (tests/oauth/e2e.mjs). Node built-ins only.
//
//   node auth-server.mjs [--port 0] [--host 127.0.0.1] [--audience https://api.justifi.ai]
//                        [--scopes "payments:read payments:write ..."]
//
// Prints one line on stdout once listening: {"listening":true,"port":N,"issuer":"http://HOST:N/"}.
//
// What it implements, and the RFCs it follows:
//   GET  /.well-known/oauth-authorization-server, /.well-known/openid-configuration  (RFC 8414)
//   GET  /.well-known/jwks.json    RSA 2048 signing keys, RS256
//   POST /register                 dynamic client registration (RFC 7591)
//   GET  /authorize                authorization code + PKCE S256 only (RFC 6749, 7636, OAuth 2.1),
//                                  resource indicators (RFC 8707); the user "logs in and consents"
//                                  at once, as auth0|test-user-1
//   POST /token                    authorization_code and refresh_token (rotated) grants; access
//                                  tokens are RS256 JWTs (RFC 9068 claims plus Auth0's azp and
//                                  permissions), audience = --audience
// Test controls (JSON, no auth; the server only makes sense on loopback):
//   POST /__control/next-tokens    {expired?, audience?, scope?, count?=1}: the next `count` access
//                                  tokens issued by /token are expired / for another audience /
//                                  carry only that scope
//   POST /__control/mint           {sub?, scope?, audience?, expires_in?, expired?, not_before_in?,
//                                  kid?, issuer?, client_id?} -> {"access_token": "..."}
//   GET  /__control/log            what the server saw (no tokens, codes, verifiers or secrets)
//   POST /__control/rotate-key     a new signing key with a new kid; the JWKS serves old and new
// stderr gets one line per request: method, path (never the query) and status.

import { createServer } from 'node:http';
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, timingSafeEqual } from 'node:crypto';
import { URL } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
    const options = {
        port: 0,
        host: '127.0.0.1',
        audience: 'https://api.justifi.ai',
        scopes: [
            'payments:read', 'payments:write', 'payouts:read', 'payouts:write', 'checkouts:read',
            'checkouts:write', 'refunds:read', 'refunds:write', 'disputes:read', 'balances:read',
            'payment_methods:read', 'sub_accounts:read', 'terminals:read', 'proceeds:read'
        ],
        tokenTtl: 3600,
        sub: 'auth0|test-user-1'
    };
    for (let i = 2; i < argv.length; i++) {
        const flag = argv[i];
        const value = argv[i + 1];
        const need = () => {
            if (value === undefined) usage(`${flag} needs a value`);
            i++;
            return value;
        };
        switch (flag) {
            case '--port': {
                const port = Number(need());
                if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be 0-65535');
                options.port = port;
                break;
            }
            case '--host': options.host = need(); break;
            case '--audience': options.audience = need(); break;
            case '--scopes':
                options.scopes = need().split(/[\s,]+/).filter(Boolean);
                if (options.scopes.length === 0) usage('--scopes names no scope');
                break;
            case '--token-ttl': {
                const ttl = Number(need());
                if (!Number.isInteger(ttl) || ttl <= 0) usage('--token-ttl must be a positive number of seconds');
                options.tokenTtl = ttl;
                break;
            }
            case '--sub': options.sub = need(); break;
            case '-h':
            case '--help':
                process.stdout.write('usage: auth-server.mjs [--port N] [--host H] [--audience A] [--scopes "s1 s2"] ' +
                    '[--token-ttl S] [--sub SUBJECT]\n');
                process.exit(0);
                break;
            default: usage(`unknown option ${flag}`);
        }
    }
    return options;
}

function usage(message) {
    process.stderr.write(`auth-server: ${message}\n`);
    process.exit(2);
}

const options = parseOptions(process.argv);
const CODE_TTL_MS = 60_000;
const MAX_BODY_BYTES = 64 * 1024;
let issuer = ''; // set once listening: http://HOST:PORT/

// ---------------------------------------------------------------------------------------------
// Keys and JWTs

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// RFC 7638 thumbprint of an RSA public JWK, used as its kid.
function thumbprint(jwk) {
    return b64url(createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest());
}

const keys = []; // newest last; every key is served, the newest signs
function newSigningKey() {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pub = publicKey.export({ format: 'jwk' });
    const key = { kid: thumbprint(pub), privateKey, jwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid: '', n: pub.n, e: pub.e } };
    key.jwk.kid = key.kid;
    keys.push(key);
    return key;
}
newSigningKey();
const currentKey = () => keys[keys.length - 1];

function signJwt(header, claims, key) {
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), key.privateKey); // RSASSA-PKCS1-v1_5
    return `${input}.${b64url(signature)}`;
}

// An access token as Auth0 issues them for an API, in the RFC 9068 profile.
function makeAccessToken({ sub, clientId, scopes, audience, expiresIn, expired, notBeforeIn, kid, iss }) {
    const now = Math.floor(Date.now() / 1000);
    const ttl = expiresIn ?? options.tokenTtl;
    // Expired well beyond any clock skew a resource server allows (60 s for ours).
    const exp = expired ? now - 600 : now + ttl;
    const iat = expired ? exp - ttl : now;
    const claims = {
        iss: iss ?? issuer,
        sub,
        aud: audience ?? options.audience,
        iat,
        exp,
        jti: randomUUID(),
        scope: scopes.join(' '),
        permissions: [...scopes]
    };
    if (clientId) {
        claims.azp = clientId;
        claims.client_id = clientId;
    }
    if (notBeforeIn !== undefined) claims.nbf = now + notBeforeIn;
    const signingKey = keys.find((k) => k.kid === kid) ?? currentKey();
    // An unknown kid is kept in the header (signed by the current key): the "unknown key" case.
    return { token: signJwt({ alg: 'RS256', typ: 'at+jwt', kid: kid ?? signingKey.kid }, claims, signingKey), ttl };
}

// ---------------------------------------------------------------------------------------------
// State

const clients = new Map();      // client_id -> registered client
const codes = new Map();        // code -> pending authorization (single use)
const refreshTokens = new Map(); // refresh token -> grant
const revokedGrants = new Set(); // grant ids whose refresh tokens stopped working (code replay)
let nextTokens = null;          // {expired, audience, scope, count}
const seen = { metadata: [], jwks_fetches: 0, registrations: [], authorize: [], token: [] };

const secretEquals = (a, b) => {
    const x = Buffer.from(String(a));
    const y = Buffer.from(String(b));
    return x.length === y.length && timingSafeEqual(x, y);
};

// ---------------------------------------------------------------------------------------------
// HTTP helpers

class HttpError extends Error {
    constructor(status, error, description, headers = {}) {
        super(description);
        this.status = status;
        this.error = error;
        this.headers = headers;
    }
}
const oauthError = (status, error, description, headers) => new HttpError(status, error, description, headers);

function sendJson(res, status, body, headers = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
        ...headers
    });
    res.end(text);
}

function sendNoStore(res, status, body, headers = {}) {
    sendJson(res, status, body, { 'Cache-Control': 'no-store', Pragma: 'no-cache', ...headers });
}

function sendPage(res, status, title, text) {
    const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const html = `<!doctype html><html><head><title>${escape(title)}</title></head>` +
        `<body><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>\n`;
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
    res.end(html);
}

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        req.on('data', (chunk) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                reject(oauthError(413, 'invalid_request', `request body over ${MAX_BODY_BYTES} bytes`));
                req.destroy();
                return;
            }
            chunks.push(chunk);
        });
        req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        req.on('error', reject);
    });
}

const mediaType = (req) => (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

async function readJsonObject(req) {
    if (mediaType(req) !== 'application/json') {
        throw oauthError(400, 'invalid_request', 'the body must be application/json');
    }
    const text = await readBody(req);
    let value;
    try {
        value = JSON.parse(text);
    } catch {
        throw oauthError(400, 'invalid_request', 'the body is not valid JSON');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw oauthError(400, 'invalid_request', 'the body must be a JSON object');
    }
    return value;
}

// Form parameters, each name once (RFC 6749 section 3.2), except those allowed to repeat.
function singleParams(searchParams, repeatable = ['resource']) {
    const out = {};
    const multi = {};
    for (const [name, value] of searchParams) {
        if (repeatable.includes(name)) {
            (multi[name] ??= []).push(value);
            continue;
        }
        if (name in out) throw oauthError(400, 'invalid_request', `parameter ${name} is repeated`);
        out[name] = value;
    }
    return { params: out, multi };
}

const isLoopbackHost = (hostname) => hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';

function parseScope(text) {
    return [...new Set(String(text).split(' ').filter(Boolean))];
}

// A resource indicator: an absolute URI without a fragment (RFC 8707 section 2).
function checkResource(value) {
    try {
        new URL(value); // eslint-disable-line no-new
    } catch {
        return false;
    }
    return !value.includes('#');
}

// ---------------------------------------------------------------------------------------------
// Endpoints

function metadata() {
    return {
        issuer,
        authorization_endpoint: `${issuer}authorize`,
        token_endpoint: `${issuer}token`,
        registration_endpoint: `${issuer}register`,
        jwks_uri: `${issuer}.well-known/jwks.json`,
        scopes_supported: options.scopes,
        response_types_supported: ['code'],
        response_modes_supported: ['query'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
        authorization_response_iss_parameter_supported: true,
        // For the openid-configuration document (clients that only know OIDC discovery).
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256']
    };
}

const KNOWN_CLIENT_METADATA = ['client_name', 'client_uri', 'logo_uri', 'scope', 'contacts', 'tos_uri',
    'policy_uri', 'software_id', 'software_version'];
const GRANT_TYPES = ['authorization_code', 'refresh_token'];
const AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'];

async function register(req, res) {
    const body = await readJsonObject(req);
    const bad = (error, description) => oauthError(400, error, description);

    const redirectUris = body.redirect_uris;
    if (!Array.isArray(redirectUris) || redirectUris.length === 0) {
        throw bad('invalid_redirect_uri', 'redirect_uris is required: a non-empty array of absolute URLs');
    }
    for (const uri of redirectUris) {
        let url;
        try {
            url = typeof uri === 'string' ? new URL(uri) : null;
        } catch {
            url = null;
        }
        if (!url) throw bad('invalid_redirect_uri', `redirect URI ${JSON.stringify(uri)} is not an absolute URL`);
        if (url.hash || uri.includes('#')) throw bad('invalid_redirect_uri', `redirect URI ${uri} has a fragment`);
        if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
            throw bad('invalid_redirect_uri', `redirect URI ${uri}: plain http is allowed only for a loopback host`);
        }
        if (['javascript:', 'data:', 'file:', 'vbscript:', 'blob:'].includes(url.protocol)) {
            throw bad('invalid_redirect_uri', `redirect URI ${uri}: the ${url.protocol} scheme is not allowed`);
        }
    }

    const authMethod = body.token_endpoint_auth_method ?? 'none';
    if (!AUTH_METHODS.includes(authMethod)) {
        throw bad('invalid_client_metadata', `token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
    }
    const grantTypes = body.grant_types ?? ['authorization_code'];
    if (!Array.isArray(grantTypes) || grantTypes.length === 0 || grantTypes.some((g) => !GRANT_TYPES.includes(g))) {
        throw bad('invalid_client_metadata', `grant_types may only name ${GRANT_TYPES.join(', ')}`);
    }
    const responseTypes = body.response_types ?? ['code'];
    if (!Array.isArray(responseTypes) || responseTypes.length !== 1 || responseTypes[0] !== 'code') {
        throw bad('invalid_client_metadata', 'response_types must be ["code"]');
    }
    if (!grantTypes.includes('authorization_code')) {
        throw bad('invalid_client_metadata', 'response type "code" needs the authorization_code grant type');
    }
    if (body.scope !== undefined) {
        if (typeof body.scope !== 'string') throw bad('invalid_client_metadata', 'scope must be a string');
        const unknown = parseScope(body.scope).filter((s) => !options.scopes.includes(s));
        if (unknown.length > 0) throw bad('invalid_client_metadata', `unknown scope ${unknown.join(' ')}`);
    }

    const client = {
        client_id: randomBytes(16).toString('base64url'),
        client_id_issued_at: Math.floor(Date.now() / 1000),
        redirect_uris: [...redirectUris],
        grant_types: [...new Set(grantTypes)],
        response_types: ['code'],
        token_endpoint_auth_method: authMethod
    };
    for (const name of KNOWN_CLIENT_METADATA) {
        if (body[name] !== undefined) client[name] = body[name];
    }
    if (authMethod !== 'none') {
        client.client_secret = randomBytes(32).toString('base64url');
        client.client_secret_expires_at = 0;
    }
    clients.set(client.client_id, client);
    seen.registrations.push({
        client_id: client.client_id,
        client_name: client.client_name,
        redirect_uris: client.redirect_uris,
        grant_types: client.grant_types,
        token_endpoint_auth_method: authMethod,
        scope: client.scope
    });
    sendNoStore(res, 201, client);
}

function authorize(req, res, url) {
    const entry = { client_id: null, response_type: null, redirect_uri: null, code_challenge_method: null,
        resource: [], scope: null, state_present: false, outcome: null };
    seen.authorize.push(entry);

    let params;
    let multi;
    try {
        ({ params, multi } = singleParams(url.searchParams));
    } catch (e) {
        entry.outcome = 'invalid_request (page)';
        return sendPage(res, 400, 'Invalid authorization request', e.message);
    }
    entry.client_id = params.client_id ?? null;
    entry.response_type = params.response_type ?? null;
    entry.redirect_uri = params.redirect_uri ?? null;
    entry.code_challenge_method = params.code_challenge_method ?? null;
    entry.resource = multi.resource ?? [];
    entry.scope = params.scope ?? null;
    entry.state_present = params.state !== undefined;

    // Without a known client and one of its exact redirect URIs, nothing is redirected
    // (RFC 6749 section 4.1.2.1): the user agent gets an error page.
    const client = params.client_id ? clients.get(params.client_id) : undefined;
    if (!client) {
        entry.outcome = 'invalid_client (page)';
        return sendPage(res, 400, 'Unknown client', 'client_id is missing or not registered');
    }
    let redirectUri = params.redirect_uri;
    if (redirectUri === undefined) {
        if (client.redirect_uris.length !== 1) {
            entry.outcome = 'invalid_request (page)';
            return sendPage(res, 400, 'Missing redirect_uri', 'the client registered several redirect URIs: name one');
        }
        redirectUri = client.redirect_uris[0];
    } else if (!client.redirect_uris.includes(redirectUri)) {
        entry.outcome = 'invalid_redirect_uri (page)';
        return sendPage(res, 400, 'Unregistered redirect_uri', 'redirect_uri is not one the client registered');
    }

    const redirect = (query) => {
        const target = new URL(redirectUri);
        for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
        if (params.state !== undefined) target.searchParams.set('state', params.state);
        target.searchParams.set('iss', issuer); // RFC 9207
        res.writeHead(302, { Location: target.href, 'Cache-Control': 'no-store' });
        res.end();
    };
    const fail = (error, description) => {
        entry.outcome = error;
        redirect({ error, error_description: description });
    };

    if (params.response_type === undefined) return fail('invalid_request', 'response_type is required');
    if (params.response_type !== 'code') return fail('unsupported_response_type', 'only response_type=code is supported');
    if (params.code_challenge === undefined) {
        return fail('invalid_request', 'code_challenge is required (PKCE with S256)');
    }
    const method = params.code_challenge_method ?? 'plain';
    if (method !== 'S256') return fail('invalid_request', `code_challenge_method ${method} is not supported: use S256`);
    if (!/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge)) {
        return fail('invalid_request', 'code_challenge is not a base64url SHA-256 digest');
    }
    for (const r of entry.resource) {
        if (!checkResource(r)) return fail('invalid_target', 'resource must be an absolute URI without a fragment');
    }
    let scopes = params.scope !== undefined ? parseScope(params.scope) : (client.scope ? parseScope(client.scope) : options.scopes);
    const unknown = scopes.filter((s) => !options.scopes.includes(s));
    if (unknown.length > 0) return fail('invalid_scope', `unknown scope ${unknown.join(' ')}`);
    if (client.scope) {
        const allowed = parseScope(client.scope);
        const extra = scopes.filter((s) => !allowed.includes(s));
        if (extra.length > 0) return fail('invalid_scope', `scope ${extra.join(' ')} was not registered for this client`);
    }
    if (scopes.length === 0) scopes = [...options.scopes];

    // The user logs in and consents to everything asked for.
    const code = randomBytes(32).toString('base64url');
    codes.set(code, {
        clientId: client.client_id,
        redirectUri,
        redirectUriGiven: params.redirect_uri !== undefined,
        codeChallenge: params.code_challenge,
        resource: entry.resource,
        scopes,
        sub: options.sub,
        expiresAt: Date.now() + CODE_TTL_MS,
        grantId: randomUUID(),
        used: false
    });
    entry.outcome = 'code';
    redirect({ code });
}

// Client authentication at the token endpoint: Basic header, secret in the body, or none.
function authenticateClient(req, params) {
    const header = req.headers.authorization;
    let id;
    let secret;
    let method = 'none';
    if (header !== undefined) {
        const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
        if (!m) throw oauthError(401, 'invalid_client', 'unsupported Authorization scheme', { 'WWW-Authenticate': 'Basic realm="token"' });
        const decoded = Buffer.from(m[1], 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) throw oauthError(401, 'invalid_client', 'malformed Basic credentials', { 'WWW-Authenticate': 'Basic realm="token"' });
        try {
            // RFC 6749 section 2.3.1: both parts are form-urlencoded before being joined.
            id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
            secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
        } catch {
            throw oauthError(401, 'invalid_client', 'malformed Basic credentials', { 'WWW-Authenticate': 'Basic realm="token"' });
        }
        method = 'client_secret_basic';
        if (params.client_secret !== undefined) {
            throw oauthError(400, 'invalid_request', 'use one client authentication method, not two');
        }
        if (params.client_id !== undefined && params.client_id !== id) {
            throw oauthError(400, 'invalid_request', 'client_id differs from the authenticated client');
        }
    } else {
        id = params.client_id;
        if (params.client_secret !== undefined) {
            secret = params.client_secret;
            method = 'client_secret_post';
        }
    }
    const challenge = method === 'client_secret_basic' ? { 'WWW-Authenticate': 'Basic realm="token"' } : {};
    if (!id) throw oauthError(401, 'invalid_client', 'client authentication is required (client_id)', challenge);
    const client = clients.get(id);
    if (!client) throw oauthError(401, 'invalid_client', 'unknown client', challenge);
    if (client.token_endpoint_auth_method !== method) {
        throw oauthError(401, 'invalid_client',
            `the client is registered for ${client.token_endpoint_auth_method} client authentication, not ${method}`, challenge);
    }
    if (method !== 'none' && !secretEquals(secret, client.client_secret)) {
        throw oauthError(401, 'invalid_client', 'client authentication failed', challenge);
    }
    return { client, method };
}

function takeNextTokenOverrides() {
    if (!nextTokens) return null;
    const o = nextTokens;
    if (--nextTokens.count <= 0) nextTokens = null;
    return o;
}

function issueTokens(res, { client, sub, scopes, grant }) {
    const o = takeNextTokenOverrides();
    const accessScopes = o?.scope !== undefined ? parseScope(o.scope) : scopes;
    const { token, ttl } = makeAccessToken({
        sub,
        clientId: client.client_id,
        scopes: accessScopes,
        audience: o?.audience,
        expired: o?.expired === true
    });
    const body = { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: accessScopes.join(' ') };
    if (client.grant_types.includes('refresh_token')) {
        const refresh = randomBytes(32).toString('base64url');
        refreshTokens.set(refresh, grant);
        body.refresh_token = refresh;
    }
    sendNoStore(res, 200, body);
}

async function token(req, res) {
    const entry = { grant_type: null, client_id: null, client_auth: null, resource: [], scope: null, outcome: null };
    seen.token.push(entry);
    try {
        if (mediaType(req) !== 'application/x-www-form-urlencoded') {
            throw oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
        }
        const { params, multi } = singleParams(new URLSearchParams(await readBody(req)));
        entry.grant_type = params.grant_type ?? null;
        entry.resource = multi.resource ?? [];
        entry.scope = params.scope ?? null;
        if (!params.grant_type) throw oauthError(400, 'invalid_request', 'grant_type is required');
        if (!GRANT_TYPES.includes(params.grant_type)) {
            throw oauthError(400, 'unsupported_grant_type', `grant_type ${params.grant_type} is not supported`);
        }
        const { client, method } = authenticateClient(req, params);
        entry.client_id = client.client_id;
        entry.client_auth = method;
        if (!client.grant_types.includes(params.grant_type)) {
            throw oauthError(400, 'unauthorized_client', `the client is not registered for the ${params.grant_type} grant`);
        }
        for (const r of entry.resource) {
            if (!checkResource(r)) throw oauthError(400, 'invalid_target', 'resource must be an absolute URI without a fragment');
        }
        if (params.grant_type === 'authorization_code') authorizationCodeGrant(res, client, params, entry.resource);
        else refreshTokenGrant(res, client, params, entry.resource);
        entry.outcome = 'ok';
    } catch (e) {
        entry.outcome = e instanceof HttpError ? e.error : 'server_error';
        throw e;
    }
}

function authorizationCodeGrant(res, client, params, resources) {
    if (!params.code) throw oauthError(400, 'invalid_request', 'code is required');
    if (!params.code_verifier) throw oauthError(400, 'invalid_request', 'code_verifier is required (PKCE)');
    const pending = codes.get(params.code);
    if (!pending) throw oauthError(400, 'invalid_grant', 'the authorization code is unknown, expired or already used');
    if (pending.used) {
        // A replayed code: refuse it and revoke what it gave (RFC 6749 section 4.1.2).
        revokedGrants.add(pending.grantId);
        throw oauthError(400, 'invalid_grant', 'the authorization code was already used');
    }
    if (Date.now() > pending.expiresAt) {
        codes.delete(params.code);
        throw oauthError(400, 'invalid_grant', 'the authorization code expired');
    }
    if (pending.clientId !== client.client_id) {
        throw oauthError(400, 'invalid_grant', 'the authorization code was issued to another client');
    }
    pending.used = true;
    setTimeout(() => codes.delete(params.code), CODE_TTL_MS).unref();
    if (pending.redirectUriGiven || params.redirect_uri !== undefined) {
        if (params.redirect_uri !== pending.redirectUri) {
            throw oauthError(400, 'invalid_grant', 'redirect_uri does not match the authorization request');
        }
    }
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(params.code_verifier)) {
        throw oauthError(400, 'invalid_grant', 'code_verifier must be 43-128 unreserved characters');
    }
    const challenge = b64url(createHash('sha256').update(params.code_verifier, 'ascii').digest());
    if (!secretEquals(challenge, pending.codeChallenge)) {
        throw oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    }
    for (const r of resources) {
        if (!pending.resource.includes(r)) {
            throw oauthError(400, 'invalid_target', 'resource differs from the one in the authorization request');
        }
    }
    let scopes = pending.scopes;
    if (params.scope !== undefined) {
        const asked = parseScope(params.scope);
        if (asked.some((s) => !pending.scopes.includes(s))) {
            throw oauthError(400, 'invalid_scope', 'scope exceeds what was authorized');
        }
        scopes = asked;
    }
    const grant = { grantId: pending.grantId, clientId: client.client_id, sub: pending.sub,
        scopes: pending.scopes, resource: pending.resource };
    issueTokens(res, { client, sub: pending.sub, scopes, grant });
}

function refreshTokenGrant(res, client, params, resources) {
    if (!params.refresh_token) throw oauthError(400, 'invalid_request', 'refresh_token is required');
    const grant = refreshTokens.get(params.refresh_token);
    if (!grant || revokedGrants.has(grant.grantId)) {
        throw oauthError(400, 'invalid_grant', 'the refresh token is unknown, revoked or already used');
    }
    if (grant.clientId !== client.client_id) {
        throw oauthError(400, 'invalid_grant', 'the refresh token was issued to another client');
    }
    for (const r of resources) {
        if (!grant.resource.includes(r)) {
            throw oauthError(400, 'invalid_target', 'resource was not part of the original authorization');
        }
    }
    let scopes = grant.scopes;
    if (params.scope !== undefined) {
        const asked = parseScope(params.scope);
        const wider = asked.filter((s) => !grant.scopes.includes(s));
        if (wider.length > 0) throw oauthError(400, 'invalid_scope', `scope ${wider.join(' ')} was not granted`);
        scopes = asked;
    }
    // Rotation: the presented refresh token stops working; the new one keeps the grant's scope
    // (RFC 6749 section 6).
    refreshTokens.delete(params.refresh_token);
    issueTokens(res, { client, sub: grant.sub, scopes, grant });
}

// ---------------------------------------------------------------------------------------------
// Test controls

async function control(req, res, path) {
    if (path === '/__control/log' && req.method === 'GET') {
        return sendJson(res, 200, seen);
    }
    if (req.method !== 'POST') throw oauthError(405, 'invalid_request', 'use POST', { Allow: 'POST' });
    if (path === '/__control/next-tokens') {
        const body = await readJsonObject(req);
        const count = body.count ?? 1;
        if (!Number.isInteger(count) || count < 0) throw oauthError(400, 'invalid_request', 'count must be a whole number');
        if (body.scope !== undefined && typeof body.scope !== 'string') throw oauthError(400, 'invalid_request', 'scope must be a string');
        nextTokens = count === 0 ? null : { expired: body.expired === true, audience: body.audience, scope: body.scope, count };
        return sendJson(res, 200, { next_tokens: nextTokens });
    }
    if (path === '/__control/mint') {
        const body = await readJsonObject(req);
        const scopes = body.scope !== undefined ? parseScope(body.scope) : [...options.scopes];
        const { token: accessToken, ttl } = makeAccessToken({
            sub: body.sub ?? options.sub,
            clientId: body.client_id,
            scopes,
            audience: body.audience,
            expiresIn: body.expires_in,
            expired: body.expired === true,
            notBeforeIn: body.not_before_in,
            kid: body.kid,
            iss: body.issuer
        });
        return sendNoStore(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: ttl });
    }
    if (path === '/__control/rotate-key') {
        const key = newSigningKey();
        return sendJson(res, 200, { kid: key.kid, kids: keys.map((k) => k.kid) });
    }
    throw oauthError(404, 'not_found', `no control endpoint ${path}`);
}

// ---------------------------------------------------------------------------------------------
// Routing

const routes = {
    '/.well-known/oauth-authorization-server': { GET: (req, res, url) => { seen.metadata.push(url.pathname); sendJson(res, 200, metadata()); } },
    '/.well-known/openid-configuration': { GET: (req, res, url) => { seen.metadata.push(url.pathname); sendJson(res, 200, metadata()); } },
    '/.well-known/jwks.json': { GET: (req, res) => { seen.jwks_fetches++; sendJson(res, 200, { keys: keys.map((k) => k.jwk) }); } },
    '/register': { POST: register },
    '/authorize': { GET: authorize },
    '/token': { POST: token }
};

async function handle(req, res) {
    const url = new URL(req.url, issuer);
    const path = url.pathname;
    if (path.startsWith('/__control/')) return control(req, res, path);
    const route = routes[path];
    if (!route) throw oauthError(404, 'not_found', `no endpoint ${path}`);
    const method = req.method === 'HEAD' && route.GET ? 'GET' : req.method;
    const handler = route[method];
    if (!handler) throw oauthError(405, 'invalid_request', `${req.method} is not allowed here`, { Allow: Object.keys(route).join(', ') });
    return handler(req, res, url);
}

const server = createServer((req, res) => {
    res.on('finish', () => {
        // Path only: the query of /authorize and the redirect carry state and codes.
        const path = (req.url ?? '').split('?')[0];
        process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), method: req.method, path, status: res.statusCode })}\n`);
    });
    Promise.resolve()
        .then(() => handle(req, res))
        .catch((e) => {
            if (res.headersSent) {
                res.destroy();
                return;
            }
            if (e instanceof HttpError) {
                const body = { error: e.error };
                if (e.message) body.error_description = e.message;
                sendNoStore(res, e.status, body, e.headers);
            } else {
                process.stderr.write(`auth-server: internal error: ${e?.stack ?? e}\n`);
                sendNoStore(res, 500, { error: 'server_error', error_description: 'internal error' });
            }
        });
});

server.listen(options.port, options.host, () => {
    const { port } = server.address();
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    issuer = `http://${host}:${port}/`;
    process.stdout.write(`${JSON.stringify({ listening: true, port, issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
        server.close(() => process.exit(0));
        server.closeAllConnections();
        setTimeout(() => process.exit(0), 1000).unref();
    });
}
