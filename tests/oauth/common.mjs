// What e2e.mjs and exchange.mjs share (Node.js built-ins only): the environment run.sh passes,
// PASS/FAIL reporting, the secrets a run sees and the log scan for them, HTTP with deadlines,
// the control endpoints of the test authorization server (auth-server.mjs), a WWW-Authenticate
// parser, and the in-memory OAuth client provider the SDK signs in with. Each script runs in its
// own process, so the state kept here (the secrets) belongs to that one run.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const STEP_TIMEOUT_MS = 10_000;
const CASE_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------------
// Environment and watchdog

// A reader of the variables run.sh sets: a missing one ends the run (exit 2) with a hint, as the
// script was then started by hand.
export function envReader(program) {
    return (name) => {
        const v = process.env[name];
        if (!v) {
            console.error(`${program}: ${name} is not set (run tests/oauth/run.sh)`);
            process.exit(2);
        }
        return v;
    };
}

// LOG_FILES: colon-separated logs that must not contain any token or secret.
export const logFilesFromEnv = () => (process.env.LOG_FILES ?? '').split(':').filter(Boolean);

// Ends the run with a FAIL line after 55 s, so that a hang says so before run.sh's `timeout 75`
// kills the script silently. Returns the timer (to clear or unref).
export function startWatchdog(what) {
    return setTimeout(() => {
        console.log(`FAIL ${what} took longer than 55 s`);
        process.exit(1);
    }, 55_000);
}

// ---------------------------------------------------------------------------------------------
// Reporting

export class CheckFailed extends Error {}
export function check(condition, why) {
    if (!condition) throw new CheckFailed(why);
}

// `promise`, or a rejection with Error(message) once `ms` have passed; the timer does not
// outlive the race, so a finished run is not held open.
function deadline(promise, ms, message) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(message)), ms);
        })
    ]).finally(() => clearTimeout(timer));
}
export const withTimeout = (promise, ms, what) => deadline(promise, ms, `timed out after ${ms} ms: ${what}`);

// One PASS/FAIL line a case, and the counts for the summary line.
export class Report {
    passed = 0;
    failed = 0;

    // Runs one case under a 20 s deadline; a thrown error fails it with its message (a failed
    // check's own text), and the next case runs. `timedOut` is the message when the deadline passes.
    async run(name, body, timedOut = `timed out after ${CASE_TIMEOUT_MS} ms: ${name}`) {
        try {
            const detail = await deadline(body(), CASE_TIMEOUT_MS, timedOut);
            this.passed++;
            console.log(`PASS ${name}${typeof detail === 'string' && detail ? `: ${detail}` : ''}`);
        } catch (e) {
            this.failed++;
            console.log(`FAIL ${name}: ${e instanceof CheckFailed ? e.message : `${e?.name ?? 'Error'}: ${e?.message ?? e}`}`);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets seen during the run: none may appear in any log.

export const secrets = new Set();
export const remember = (...values) => values.filter((v) => typeof v === 'string' && v.length >= 8).forEach((v) => secrets.add(v));

// The values and also the signature part of each JWT among them on its own: a log line that
// cut a token short could still hold its signature.
export function withJwtSignatures(values) {
    const needles = new Set();
    for (const v of values) {
        needles.add(v);
        const parts = v.split('.');
        if (parts.length === 3 && parts[2].length >= 16) needles.add(parts[2]);
    }
    return needles;
}

// Every { file, needle } where a log contains a needle, file by file; lazy, so a caller that
// wants only the first leak reads no further.
export function* logLeaks(files, needles) {
    for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const needle of needles) if (text.includes(needle)) yield { file, needle };
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers (every request has a deadline)

export const http = (url, init = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(STEP_TIMEOUT_MS) });

// A JSON request (GET without a body); the answer's body parsed, or undefined when it is not JSON.
export async function json(url, body, method = 'POST') {
    const res = await http(url, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await res.text();
    let parsed;
    try {
        parsed = text ? JSON.parse(text) : undefined;
    } catch {
        parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
}

// The test authorization server's /__control endpoints: `control` (GET without a body), `asLog`
// (what it saw: registrations, authorizations, token requests, exchanges) and `mint` (a token
// with the given claims, remembered as a secret).
export function authServerControls(issuer) {
    const control = (path, body) => json(`${issuer}__control/${path}`, body, body === undefined ? 'GET' : 'POST');
    const asLog = async () => (await control('log')).body;
    async function mint(claims = {}) {
        const res = await control('mint', claims);
        check(res.status === 200 && res.body?.access_token, `mint answered ${res.status}`);
        remember(res.body.access_token);
        return res.body.access_token;
    }
    return { control, asLog, mint };
}

export const jwtClaims = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

// The auth-params of the challenge for `scheme` in a WWW-Authenticate value (quoted-string or
// token values), or undefined when it has no such challenge.
export function challengeParams(header, scheme) {
    const at = (header ?? '').search(new RegExp(`(?:^|,\\s*)${scheme}\\s`, 'i'));
    if (at < 0) return undefined;
    const rest = header.slice(at).replace(/^,\s*/, '');
    const params = {};
    const re = /([A-Za-z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(,\s*|$)/gy;
    re.lastIndex = rest.indexOf(' ') + 1;
    for (let m; (m = re.exec(rest));) {
        params[m[1]] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
        if (/^[A-Za-z]+\s/.test(rest.slice(re.lastIndex))) break;  // the next scheme begins
    }
    return params;
}

// A port nothing listens on now, for a redirect URI (a desktop client's loopback listener).
export async function unusedLoopbackPort() {
    return new Promise((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

// ---------------------------------------------------------------------------------------------
// The OAuth client provider: in memory, as a desktop client keeps it in its own store.
// redirectToAuthorization does what the browser would: it opens the authorization URL (the
// test authorization server logs in and consents at once) and reads the code from the
// redirect, which a desktop client would receive on its loopback listener. It offers no dpop():
// the SDK asks for DPoP-bound tokens only when the provider has that method.

export class MemoryOAuthProvider {
    // `issuer`: the one the redirect's iss must name (RFC 9207); `onAuthorizationResponse(url,
    // status)`: sees the authorization endpoint's answer, for a caller that records the flow.
    constructor(redirectUrl, { clientName, issuer, onAuthorizationResponse = () => {} }) {
        this._redirectUrl = redirectUrl;
        this._clientName = clientName;
        this._issuer = issuer;
        this._onAuthorizationResponse = onAuthorizationResponse;
        this._client = undefined;
        this._tokens = undefined;
        this._verifier = undefined;
        this._state = undefined;
        this.authorizationCode = undefined;
        this.authorizationUrls = [];
        this.invalidated = [];
    }

    get redirectUrl() {
        return this._redirectUrl;
    }

    get clientMetadata() {
        return {
            client_name: this._clientName,
            redirect_uris: [this._redirectUrl],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            token_endpoint_auth_method: 'none'
        };
    }

    state() {
        this._state = randomBytes(16).toString('base64url');
        return this._state;
    }

    clientInformation() {
        return this._client;
    }

    saveClientInformation(info) {
        this._client = info; // kept unchanged, issuer stamp included, as the SDK asks
    }

    tokens() {
        return this._tokens;
    }

    saveTokens(tokens) {
        remember(tokens.access_token, tokens.refresh_token);
        this._tokens = tokens;
    }

    saveCodeVerifier(verifier) {
        this._verifier = verifier;
    }

    codeVerifier() {
        if (!this._verifier) throw new Error('no code verifier saved');
        return this._verifier;
    }

    invalidateCredentials(scope) {
        this.invalidated.push(scope);
        if (scope === 'all' || scope === 'client') this._client = undefined;
        if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
        if (scope === 'all' || scope === 'verifier') this._verifier = undefined;
    }

    async redirectToAuthorization(url) {
        this.authorizationUrls.push(new URL(url.href));
        const res = await http(url, { redirect: 'manual' });
        await res.body?.cancel();
        this._onAuthorizationResponse(url, res.status);
        if (res.status !== 302 && res.status !== 303) {
            throw new Error(`the authorization endpoint answered ${res.status}, not a redirect`);
        }
        const location = new URL(res.headers.get('location'));
        const expected = new URL(this._redirectUrl);
        if (location.origin !== expected.origin || location.pathname !== expected.pathname) {
            throw new Error(`redirected to ${location.origin}${location.pathname}, not the redirect URI`);
        }
        const q = location.searchParams;
        if (q.get('state') !== this._state) throw new Error('the redirect carries another state');
        if (q.has('iss') && q.get('iss') !== this._issuer) throw new Error(`the redirect names issuer ${q.get('iss')}`);
        if (q.has('error')) throw new Error(`authorization failed: ${q.get('error')}: ${q.get('error_description')}`);
        const code = q.get('code');
        if (!code) throw new Error('the redirect carries no code');
        remember(code);
        this.authorizationCode = code;
        this.authorizationIssuer = q.get('iss') ?? undefined;  // RFC 9207: the v2 SDK checks it
    }
}
