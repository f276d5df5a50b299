// What both benchmark peers share: the simulator over a keep-alive agent with a cached
// client-credentials token, and justifi-mcp's list_payments tool: its input schema (built with
// the caller's zod) and its answer, the shape justifi-mcp answers (JustiFi's JSON as
// structuredContent plus the same JSON as text).
//
// Environment: JUSTIFI_BASE_URL (http://127.0.0.1:PORT of justifi-mock, required),
// JUSTIFI_CLIENT_ID, JUSTIFI_CLIENT_SECRET.
import http from 'node:http';

const baseUrl = new URL(process.env.JUSTIFI_BASE_URL ?? '');
if (baseUrl.protocol !== 'http:') {
    console.error('peer: JUSTIFI_BASE_URL must be http://127.0.0.1:PORT of justifi-mock');
    process.exit(2);
}
const clientId = process.env.JUSTIFI_CLIENT_ID ?? 'test_client_id';
const clientSecret = process.env.JUSTIFI_CLIENT_SECRET ?? 'test_client_secret';
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

// One HTTP exchange with the simulator over the keep-alive agent; resolves {status, body}.
function upstream(method, path, headers, body) {
    return new Promise((resolve, reject) => {
        const req = http.request(
            { host: baseUrl.hostname, port: baseUrl.port, method, path, headers, agent },
            res => {
                const chunks = [];
                res.on('data', c => chunks.push(c));
                res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
                res.on('error', reject);
            }
        );
        req.on('error', reject);
        req.end(body);
    });
}

// The access token, shared by every call until shortly before it expires (or JustiFi rejects it).
let token = null; // {value, expiresAt} or a pending promise of it
async function accessToken() {
    if (token && !(token instanceof Promise) && Date.now() < token.expiresAt) return token.value;
    if (!(token instanceof Promise)) {
        token = (async () => {
            const body = JSON.stringify({ client_id: clientId, client_secret: clientSecret });
            const res = await upstream('POST', '/oauth/token', { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body);
            if (res.status !== 200) throw new Error(`token request answered ${res.status}`);
            const parsed = JSON.parse(res.body);
            return { value: parsed.access_token, expiresAt: Date.now() + (parsed.expires_in - 60) * 1000 };
        })().then(
            t => (token = t),
            e => {
                token = null;
                throw e;
            }
        );
    }
    return (await token).value;
}

const dateTime = /^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/;
const objectId = /^[A-Za-z0-9_-]{1,128}$/;
export const listPaymentsInputOf = (z) => ({
    payment_status: z.enum(['succeeded', 'failed', 'pending', 'authorized', 'refunded', 'disputed']).optional().describe('Only payments in this status.'),
    payment_method_id: z.string().regex(objectId).optional().describe('Only payments made with this payment method (pm_...).'),
    created_after: z.string().regex(dateTime).optional().describe('Only payments created after this moment. UTC date or date-time.'),
    created_before: z.string().regex(dateTime).optional().describe('Only payments created before this moment. UTC date or date-time.'),
    limit: z.number().int().min(1).max(100).default(25).describe('How many records to return (1-100, default 25).'),
    after_cursor: z.string().min(1).max(1024).optional().describe('Next page: page_info.end_cursor of the previous answer.'),
    before_cursor: z.string().min(1).max(1024).optional().describe('Previous page: page_info.start_cursor of the previous answer.'),
    sub_account_id: z.string().regex(objectId).optional().describe('Sub-Account id (acc_...) the call applies to.')
});

export async function listPayments(args) {
    if (args.after_cursor && args.before_cursor) {
        return { isError: true, content: [{ type: 'text', text: 'Pass after_cursor or before_cursor, not both.' }] };
    }
    const query = new URLSearchParams();
    for (const key of ['limit', 'payment_status', 'payment_method_id', 'created_after', 'created_before', 'after_cursor', 'before_cursor']) {
        if (args[key] !== undefined) query.set(key, String(args[key]));
    }
    const call = async () => {
        const headers = { authorization: `Bearer ${await accessToken()}`, accept: 'application/json' };
        if (args.sub_account_id) headers['sub-account'] = args.sub_account_id;
        return upstream('GET', `/v1/payments?${query}`, headers);
    };
    let res = await call();
    if (res.status === 401) {
        token = null;
        res = await call();
    }
    if (res.status < 200 || res.status >= 300) {
        return { isError: true, content: [{ type: 'text', text: `JustiFi answered ${res.status}: ${res.body}` }] };
    }
    const payload = JSON.parse(res.body);
    return { content: [{ type: 'text', text: JSON.stringify(payload) }], structuredContent: payload };
}


export const listPaymentsDescription = {
    title: 'List payments',
    description:
        "List the account's payments, optionally filtered by status, payment method or creation date. " +
        "Answers JustiFi's list envelope {data: [...], page_info: {...}}. limit is 1-100, default 25.",
    annotations: { title: 'List payments', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }
};
