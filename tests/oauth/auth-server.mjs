#!/usr/bin/env node
// A test OAuth 2.1 authorization server standing in for JustiFi's Auth0 tenant, for the
// OAuth end-to-end test (tests/oauth/e2e.mjs). Node built-ins only.
//
//   node auth-server.mjs [--port 0] [--host 127.0.0.1] [--audience https://api.justifi.ai]
//                        [--scopes "payments:read payments:write ..."] [--token-ttl 3600] [--sub SUBJECT]
//                        [--resource https://mcp.example/mcp] [--exchange-client ID:SECRET]
//
//   --resource URL          the MCP server's resource identifier (as when an Auth0 API's identifier
//                           is the MCP server URL): access tokens from the authorization_code and
//                           refresh_token grants are then for it (aud = the resource the
//                           authorization request named, or URL when it named none); naming
//                           another resource is invalid_target. Resources compare with scheme and
//                           host lowercased and one trailing slash of the path ignored.
//   --exchange-client ID:SECRET
//                           a pre-registered confidential client (client_secret_basic or
//                           client_secret_post) that may only use the token exchange grant; needs
//                           --resource
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
//                                  permissions), audience = --audience, or the MCP resource with
//                                  --resource. A DPoP proof (RFC 9449 section 5; ES256 or RS256)
//                                  binds the access token (cnf.jkt, token_type "DPoP") and the
//                                  refresh token to its key.
//                                  With --exchange-client, token exchange (RFC 8693): an access
//                                  token for the MCP resource -> one for --audience, same sub and
//                                  scope or a subset, act.sub = the exchange client, never DPoP-bound
//                                  -> {access_token, issued_token_type, token_type: "Bearer",
//                                  expires_in, scope}
// Test controls (JSON, no auth; the server only makes sense on loopback):
//   POST /__control/next-tokens    {expired?, audience?, scope?, count?=1}: the next `count` access
//                                  tokens issued by the authorization_code and refresh_token grants
//                                  are expired / for another audience / carry only that scope
//   POST /__control/mint           {sub?, scope?, audience?, expires_in?, expired?, not_before_in?,
//                                  kid?, issuer?, client_id?, cnf_jkt?, act?} -> {"access_token": "..."}
//   POST /__control/exchange-failures
//                                  {error: "invalid_grant" | "invalid_scope" | "unavailable",
//                                  count?=1}: the next `count` token exchanges fail with that 400
//                                  error, or 503 temporarily_unavailable with Retry-After: 1
//                                  ("unavailable"); count 0 clears
//   GET  /__control/log            what the server saw (no tokens, codes, verifiers or secrets),
//                                  including exchanges (one entry per token exchange request) and
//                                  issued ({jti, grant_type or "mint", aud, sub, cnf_jkt}, the last
//                                  1000 access tokens issued)
//   POST /__control/rotate-key     a new signing key with a new kid; the JWKS serves old and new
// stderr gets one line per request: method, path (never the query) and status.

import { createServer } from 'node:http';
import {
    createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, timingSafeEqual, verify
} from 'node:crypto';
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
        sub: 'auth0|test-user-1',
        resource: null,      // the MCP server's resource identifier (--resource)
        exchangeClient: null // {id, secret} (--exchange-client)
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
            case '--resource':
                options.resource = need();
                if (!checkResource(options.resource)) usage('--resource must be an absolute URI without a fragment');
                break;
            case '--exchange-client': {
                const text = need();
                const colon = text.indexOf(':');
                if (colon <= 0 || colon === text.length - 1) usage('--exchange-client must be ID:SECRET');
                options.exchangeClient = { id: text.slice(0, colon), secret: text.slice(colon + 1) };
                break;
            }
            case '-h':
            case '--help':
                process.stdout.write('usage: auth-server.mjs [--port N] [--host H] [--audience A] [--scopes "s1 s2"] ' +
                    '[--token-ttl S] [--sub SUBJECT] [--resource URL] [--exchange-client ID:SECRET]\n');
                process.exit(0);
                break;
            default: usage(`unknown option ${flag}`);
        }
    }
    // The exchange takes tokens for the MCP resource: without one, no subject token could pass.
    if (options.exchangeClient && !options.resource) usage('--exchange-client needs --resource');
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

// RFC 7638 thumbprint of an RSA or EC public JWK: the kid of our keys, the jkt of a DPoP key.
// The required members only, in lexicographic order, no whitespace (JSON.stringify keeps the order).
function thumbprint(jwk) {
    const members = jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y }
        : { e: jwk.e, kty: 'RSA', n: jwk.n };
    return b64url(createHash('sha256').update(JSON.stringify(members)).digest());
}

const keys = []; // newest last; every key is served, the newest signs
function newSigningKey() {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pub = publicKey.export({ format: 'jwk' });
    const key = { kid: thumbprint(pub), privateKey, publicKey, jwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid: '', n: pub.n, e: pub.e } };
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

// An access token as Auth0 issues them for an API, in the RFC 9068 profile. notAfter (epoch
// seconds) caps exp: an exchanged token outlives not the token it was exchanged for.
function makeAccessToken({ sub, clientId, scopes, audience, expiresIn, expired, notBeforeIn, kid, iss,
    notAfter, cnfJkt, act }) {
    const now = Math.floor(Date.now() / 1000);
    let ttl = expiresIn ?? options.tokenTtl;
    if (!expired && notAfter !== undefined && notAfter < now + ttl) ttl = notAfter - now;
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
    if (act !== undefined) claims.act = act;
    if (cnfJkt !== undefined) claims.cnf = { jkt: cnfJkt }; // RFC 9449 section 6.1
    const signingKey = keys.find((k) => k.kid === kid) ?? currentKey();
    // An unknown kid is kept in the header (signed by the current key): the "unknown key" case.
    return { token: signJwt({ alg: 'RS256', typ: 'at+jwt', kid: kid ?? signingKey.kid }, claims, signingKey), ttl, claims };
}

// The header and payload of a compact JWS, or null when it is not one.
function decodeJws(text) {
    const parts = typeof text === 'string' ? text.split('.') : [];
    // An empty signature is let through to be refused by its alg (none) or by verification.
    if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^[A-Za-z0-9_-]+$/.test(parts[1]) ||
        !/^[A-Za-z0-9_-]*$/.test(parts[2])) return null;
    try {
        const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
        const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
        const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
        if (!isObject(header) || !isObject(payload)) return null;
        return { header, payload, input: Buffer.from(`${parts[0]}.${parts[1]}`), signature: Buffer.from(parts[2], 'base64url') };
    } catch {
        return null;
    }
}

// The claims of a JWT this server signed (with any of its keys, whatever kid it names), or null.
// Checks the signature only; the caller judges the claims.
function verifyOwnJwt(text) {
    const jws = decodeJws(text);
    if (!jws || jws.header.alg !== 'RS256') return null;
    const verifies = (k) => {
        try {
            return verify('sha256', jws.input, k.publicKey, jws.signature);
        } catch {
            return false;
        }
    };
    const signedByUs = keys.some(verifies);
    return signedByUs ? jws.payload : null;
}

// ---------------------------------------------------------------------------------------------
// DPoP proofs at the token endpoint (RFC 9449 sections 4.2, 4.3)

const DPOP_ALGS = ['ES256', 'RS256'];
const DPOP_IAT_WINDOW_S = 60;
const DPOP_JTI_TTL_MS = 120_000; // longer than the iat window: a replay is caught until it is stale anyway
const DPOP_JTI_MAX = 10_000;
const dpopJtis = new Map(); // jti -> time seen (ms), oldest first

// Forget jtis whose proofs are stale by now, and the oldest beyond the cap.
function pruneDpopJtis(now) {
    for (const [jti, at] of dpopJtis) {
        if (now - at <= DPOP_JTI_TTL_MS && dpopJtis.size < DPOP_JTI_MAX) break;
        dpopJtis.delete(jti);
    }
}

// The public key a DPoP proof header carries, refusing anything private or off-profile.
function dpopPublicKey(jwk, alg) {
    const bad = (description) => oauthError(400, 'invalid_dpop_proof', description);
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) throw bad('the proof header has no jwk object');
    // Private members: a proof that would hand out its private key is refused, not used.
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
        if (member in jwk) throw bad(`the jwk has the private member "${member}"`);
    }
    let clean;
    if (alg === 'ES256') {
        if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
            throw bad('ES256 needs an EC P-256 jwk with x and y');
        }
        clean = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
    } else {
        if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
            throw bad('RS256 needs an RSA jwk with n and e');
        }
        clean = { kty: 'RSA', n: jwk.n, e: jwk.e };
    }
    let key;
    try {
        key = createPublicKey({ key: clean, format: 'jwk' });
    } catch {
        throw bad('the jwk is not a valid public key');
    }
    if (alg === 'RS256' && key.asymmetricKeyDetails.modulusLength < 2048) throw bad('the RSA key is shorter than 2048 bits');
    return { key, jwk: clean };
}

// Verifies the DPoP proof of a token request; returns the thumbprint (jkt) of its key.
function verifyDpopProof(proof) {
    const bad = (description) => oauthError(400, 'invalid_dpop_proof', description);
    const jws = decodeJws(proof);
    if (!jws) throw bad('the proof is not a compact JWS with a JSON header and payload');
    const { header, payload } = jws;
    if (header.typ !== 'dpop+jwt') throw bad('the proof header typ must be "dpop+jwt"');
    if (!DPOP_ALGS.includes(header.alg)) throw bad(`the proof alg must be one of ${DPOP_ALGS.join(', ')}`);
    const { key, jwk } = dpopPublicKey(header.jwk, header.alg);
    // JWS ES256 signatures are r || s (RFC 7518 section 3.4), not DER.
    const verifyKey = header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
    let valid = false;
    try {
        valid = verify('sha256', jws.input, verifyKey, jws.signature);
    } catch {
        valid = false;
    }
    if (!valid) throw bad('the proof signature does not verify with its jwk');

    if (payload.htm !== 'POST') throw bad('the proof htm must be "POST"');
    if (typeof payload.htu !== 'string' || !sameEndpoint(payload.htu, `${issuer}token`)) {
        throw bad('the proof htu is not this token endpoint');
    }
    const now = Date.now();
    if (typeof payload.iat !== 'number' || Math.abs(now / 1000 - payload.iat) > DPOP_IAT_WINDOW_S) {
        throw bad(`the proof iat is missing or more than ${DPOP_IAT_WINDOW_S} s from now`);
    }
    if (typeof payload.jti !== 'string' || payload.jti === '') throw bad('the proof has no jti');
    pruneDpopJtis(now);
    if (dpopJtis.has(payload.jti)) throw bad('the proof jti was already used (replay)');
    dpopJtis.set(payload.jti, now); // only once it verified: a forged proof cannot burn a jti
    return thumbprint(jwk);
}

// htu versus an endpoint URL: without query and fragment, scheme and host case-normalised
// (RFC 9449 section 4.3, RFC 3986 section 6.2.2).
function sameEndpoint(htu, endpoint) {
    let a;
    try {
        a = new URL(htu);
    } catch {
        return false;
    }
    const b = new URL(endpoint);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
}

// ---------------------------------------------------------------------------------------------
// State

const clients = new Map();      // client_id -> registered client
const codes = new Map();        // code -> pending authorization (single use)
const refreshTokens = new Map(); // refresh token -> grant
const revokedGrants = new Set(); // grant ids whose refresh tokens stopped working (code replay)
let nextTokens = null;          // {expired, audience, scope, count}
let exchangeFailures = null;    // {error, count}
const seen = { metadata: [], jwks_fetches: 0, registrations: [], authorize: [], token: [], exchanges: [], issued: [] };
const MAX_ISSUED_SEEN = 1000;

// Which access token went to which audience: the jti, never the token.
function recordIssued(grantType, claims) {
    seen.issued.push({ jti: claims.jti, grant_type: grantType, aud: claims.aud, sub: claims.sub, cnf_jkt: claims.cnf?.jkt ?? null });
    if (seen.issued.length > MAX_ISSUED_SEEN) seen.issued.splice(0, seen.issued.length - MAX_ISSUED_SEEN);
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

// The exchange client is pre-registered, as it would be in the Auth0 dashboard; it authenticates
// either way, as Auth0 lets a confidential client do.
if (options.exchangeClient) {
    clients.set(options.exchangeClient.id, {
        client_id: options.exchangeClient.id,
        client_secret: options.exchangeClient.secret,
        redirect_uris: [],
        grant_types: [TOKEN_EXCHANGE],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
        token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post']
    });
}

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

// A resource identifier in comparable form: scheme and host lowercased (the URL parser does
// that, and drops a default port), one trailing slash of the path ignored. Null if not a URL.
function normaliseResource(value) {
    let url;
    try {
        url = new URL(value);
    } catch {
        return null;
    }
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}${url.search}`;
}

function sameResource(a, b) {
    const x = normaliseResource(a);
    return x !== null && x === normaliseResource(b);
}

// The audience of the access tokens of a grant that named these resources: with --resource,
// the MCP resource as named (or --resource when none was); otherwise undefined, i.e. --audience.
function grantAudience(resources) {
    if (!options.resource) return undefined;
    const other = resources.find((r) => !sameResource(r, options.resource));
    if (other !== undefined) {
        throw oauthError(400, 'invalid_target', `resource ${other} is not served here: the MCP resource is ${options.resource}`);
    }
    return resources[0] ?? options.resource;
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
        grant_types_supported: tokenGrantTypes(),
        code_challenge_methods_supported: ['S256'],
        dpop_signing_alg_values_supported: DPOP_ALGS,
        token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
        authorization_response_iss_parameter_supported: true,
        // For the openid-configuration document (clients that only know OIDC discovery).
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256']
    };
}

const KNOWN_CLIENT_METADATA = ['client_name', 'client_uri', 'logo_uri', 'scope', 'contacts', 'tos_uri',
    'policy_uri', 'software_id', 'software_version'];
const GRANT_TYPES = ['authorization_code', 'refresh_token']; // what /register accepts
// What /token accepts: token exchange only when there is a client allowed to use it.
const tokenGrantTypes = () => (options.exchangeClient ? [...GRANT_TYPES, TOKEN_EXCHANGE] : [...GRANT_TYPES]);
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
    // With an MCP resource configured, a request for another one is refused here already (RFC 8707
    // section 2), as Auth0 refuses an unknown audience.
    try {
        grantAudience(entry.resource);
    } catch (e) {
        return fail(e.error, e.message);
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
    const accepted = client.token_endpoint_auth_methods ?? [client.token_endpoint_auth_method];
    if (!accepted.includes(method)) {
        throw oauthError(401, 'invalid_client',
            `the client is registered for ${accepted.join(' or ')} client authentication, not ${method}`, challenge);
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

function takeExchangeFailure() {
    if (!exchangeFailures) return null;
    const f = exchangeFailures;
    if (--exchangeFailures.count <= 0) exchangeFailures = null;
    return f;
}

// jkt: the thumbprint of the DPoP proof key of the request, if it had one; the access token is
// then bound to it and is a DPoP token, not a bearer one (RFC 9449 section 5).
function issueTokens(res, { client, sub, scopes, grant, grantType, audience, jkt }) {
    const o = takeNextTokenOverrides();
    const accessScopes = o?.scope !== undefined ? parseScope(o.scope) : scopes;
    const { token, ttl, claims } = makeAccessToken({
        sub,
        clientId: client.client_id,
        scopes: accessScopes,
        audience: o?.audience ?? audience,
        expired: o?.expired === true,
        cnfJkt: jkt ?? undefined
    });
    recordIssued(grantType, claims);
    const body = { access_token: token, token_type: jkt ? 'DPoP' : 'Bearer', expires_in: ttl, scope: accessScopes.join(' ') };
    if (client.grant_types.includes('refresh_token')) {
        const refresh = randomBytes(32).toString('base64url');
        refreshTokens.set(refresh, grant);
        body.refresh_token = refresh;
    }
    sendNoStore(res, 200, body);
}

async function token(req, res) {
    const entry = { grant_type: null, client_id: null, client_auth: null, resource: [], scope: null,
        dpop: false, jkt: null, outcome: null };
    seen.token.push(entry);
    let exchange = null; // the seen.exchanges entry, for a token exchange
    try {
        if (mediaType(req) !== 'application/x-www-form-urlencoded') {
            throw oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
        }
        const { params, multi } = singleParams(new URLSearchParams(await readBody(req)));
        entry.grant_type = params.grant_type ?? null;
        entry.resource = multi.resource ?? [];
        entry.scope = params.scope ?? null;
        if (!params.grant_type) throw oauthError(400, 'invalid_request', 'grant_type is required');
        if (!tokenGrantTypes().includes(params.grant_type)) {
            throw oauthError(400, 'unsupported_grant_type', `grant_type ${params.grant_type} is not supported`);
        }
        if (params.grant_type === TOKEN_EXCHANGE) {
            exchange = { client_id: null, subject_sub: null, subject_jti: null, subject_aud: null,
                audience: params.audience ?? null, scope: params.scope ?? null, issued_jti: null, outcome: null };
            seen.exchanges.push(exchange);
        }
        const { client, method } = authenticateClient(req, params);
        entry.client_id = client.client_id;
        entry.client_auth = method;
        if (exchange) exchange.client_id = client.client_id;
        if (!client.grant_types.includes(params.grant_type)) {
            throw oauthError(400, 'unauthorized_client', `the client is not registered for the ${params.grant_type} grant`);
        }
        for (const r of entry.resource) {
            if (!checkResource(r)) throw oauthError(400, 'invalid_target', 'resource must be an absolute URI without a fragment');
        }
        if (exchange) {
            tokenExchangeGrant(res, client, params, entry.resource, exchange);
        } else {
            // The proof is checked before the grant, so a bad proof spends no code or refresh token.
            const proofs = req.headersDistinct.dpop;
            if (proofs !== undefined) {
                entry.dpop = true;
                if (proofs.length !== 1) throw oauthError(400, 'invalid_dpop_proof', 'send one DPoP header, not several');
                entry.jkt = verifyDpopProof(proofs[0]);
            }
            if (params.grant_type === 'authorization_code') authorizationCodeGrant(res, client, params, entry.resource, entry.jkt);
            else refreshTokenGrant(res, client, params, entry.resource, entry.jkt);
        }
        entry.outcome = 'ok';
    } catch (e) {
        entry.outcome = e instanceof HttpError ? e.error : 'server_error';
        throw e;
    } finally {
        if (exchange) exchange.outcome = entry.outcome;
    }
}

function authorizationCodeGrant(res, client, params, resources, jkt) {
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
    const audience = grantAudience(resources.length > 0 ? resources : pending.resource);
    let scopes = pending.scopes;
    if (params.scope !== undefined) {
        const asked = parseScope(params.scope);
        if (asked.some((s) => !pending.scopes.includes(s))) {
            throw oauthError(400, 'invalid_scope', 'scope exceeds what was authorized');
        }
        scopes = asked;
    }
    // A grant begun with a DPoP proof stays bound to that key: its refresh tokens need it.
    const grant = { grantId: pending.grantId, clientId: client.client_id, sub: pending.sub,
        scopes: pending.scopes, resource: pending.resource, jkt: jkt ?? null };
    issueTokens(res, { client, sub: pending.sub, scopes, grant, grantType: 'authorization_code', audience, jkt });
}

function refreshTokenGrant(res, client, params, resources, jkt) {
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
    if (grant.jkt) {
        if (!jkt) throw oauthError(400, 'invalid_dpop_proof', 'the refresh token is bound to a DPoP key: send a proof made with it');
        if (jkt !== grant.jkt) throw oauthError(400, 'invalid_grant', 'the refresh token is bound to another DPoP key');
    }
    const audience = grantAudience(resources.length > 0 ? resources : grant.resource);
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
    issueTokens(res, { client, sub: grant.sub, scopes, grant, grantType: 'refresh_token', audience, jkt });
}

// RFC 8693: the MCP server trades the user's access token for the MCP resource for one for the
// JustiFi API, acting for the user (act.sub = the exchange client).
function tokenExchangeGrant(res, client, params, resources, seenEntry) {
    const bad = (error, description) => oauthError(400, error, description);
    if (!params.subject_token) throw bad('invalid_request', 'subject_token is required');
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
        throw bad('invalid_request', `subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
    }
    if (params.actor_token !== undefined || params.actor_token_type !== undefined) {
        throw bad('invalid_request', 'actor_token is not supported');
    }
    if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
        throw bad('invalid_request', `requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
    }
    if (params.audience !== options.audience) {
        throw bad('invalid_target', `audience must be ${options.audience}`);
    }
    // A resource adds nothing to the audience; one naming something else is a conflicting target.
    const otherResource = resources.find((r) => r !== options.audience);
    if (otherResource !== undefined) throw bad('invalid_target', `resource ${otherResource} differs from the audience`);

    const subject = verifyOwnJwt(params.subject_token);
    if (!subject) throw bad('invalid_grant', 'the subject token is not a JWT signed by this server');
    seenEntry.subject_sub = subject.sub ?? null;
    seenEntry.subject_jti = subject.jti ?? null;
    seenEntry.subject_aud = subject.aud ?? null;
    const now = Math.floor(Date.now() / 1000);
    if (typeof subject.exp !== 'number' || subject.exp <= now) throw bad('invalid_grant', 'the subject token expired');
    if (typeof subject.nbf === 'number' && subject.nbf > now) throw bad('invalid_grant', 'the subject token is not valid yet');
    if (subject.iss !== issuer) throw bad('invalid_grant', 'the subject token was issued by another issuer');
    const audiences = Array.isArray(subject.aud) ? subject.aud : [subject.aud];
    if (!audiences.some((a) => typeof a === 'string' && sameResource(a, options.resource))) {
        throw bad('invalid_grant', 'the subject token was not issued for the MCP resource');
    }
    if (typeof subject.sub !== 'string' || subject.sub === '') throw bad('invalid_grant', 'the subject token has no sub');

    const subjectScopes = typeof subject.scope === 'string' ? parseScope(subject.scope) : [];
    let scopes = subjectScopes;
    if (params.scope !== undefined && parseScope(params.scope).length > 0) {
        const asked = parseScope(params.scope);
        const extra = asked.filter((s) => !subjectScopes.includes(s));
        if (extra.length > 0) throw bad('invalid_scope', `scope ${extra.join(' ')} exceeds the subject token's scope`);
        scopes = asked;
    }

    // Injected failures come last, so they hit requests that would otherwise have succeeded.
    const failure = takeExchangeFailure();
    if (failure?.error === 'unavailable') {
        throw oauthError(503, 'temporarily_unavailable', 'the token exchange is unavailable (test control)', { 'Retry-After': '1' });
    }
    if (failure) throw bad(failure.error, `the token exchange failed with ${failure.error} (test control)`);

    // Not DPoP-bound even when the subject is: the MCP server presents it as a bearer token.
    const { token: accessToken, ttl, claims } = makeAccessToken({
        sub: subject.sub,
        clientId: client.client_id,
        scopes,
        audience: options.audience,
        notAfter: subject.exp,
        act: { sub: client.client_id }
    });
    recordIssued(TOKEN_EXCHANGE, claims);
    seenEntry.scope = scopes.join(' ');
    seenEntry.issued_jti = claims.jti;
    sendNoStore(res, 200, {
        access_token: accessToken,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
        expires_in: ttl,
        scope: scopes.join(' ')
    });
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
        if (body.cnf_jkt !== undefined && typeof body.cnf_jkt !== 'string') throw oauthError(400, 'invalid_request', 'cnf_jkt must be a string');
        if (body.act !== undefined && (body.act === null || typeof body.act !== 'object' || Array.isArray(body.act))) {
            throw oauthError(400, 'invalid_request', 'act must be an object');
        }
        const { token: accessToken, ttl, claims } = makeAccessToken({
            sub: body.sub ?? options.sub,
            clientId: body.client_id,
            scopes,
            audience: body.audience,
            expiresIn: body.expires_in,
            expired: body.expired === true,
            notBeforeIn: body.not_before_in,
            kid: body.kid,
            iss: body.issuer,
            cnfJkt: body.cnf_jkt,
            act: body.act
        });
        recordIssued('mint', claims);
        return sendNoStore(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: ttl });
    }
    if (path === '/__control/exchange-failures') {
        const body = await readJsonObject(req);
        const count = body.count ?? 1;
        if (!Number.isInteger(count) || count < 0) throw oauthError(400, 'invalid_request', 'count must be a whole number');
        const errors = ['invalid_grant', 'invalid_scope', 'unavailable'];
        if (count > 0 && !errors.includes(body.error)) {
            throw oauthError(400, 'invalid_request', `error must be one of ${errors.join(', ')}`);
        }
        exchangeFailures = count === 0 ? null : { error: body.error, count };
        return sendJson(res, 200, { exchange_failures: exchangeFailures });
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
