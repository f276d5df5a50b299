// The benchmark's peer: justifi-mcp's list_payments tool rebuilt on the official MCP
// TypeScript SDK, the way its stateless Streamable HTTP example does it (a fresh McpServer and
// StreamableHTTPServerTransport per request, on the SDK's Express app). The tool calls the same
// justifi-mock over a keep-alive agent with a cached client-credentials token and answers the
// shape justifi-mcp answers: JustiFi's JSON as structuredContent plus the same JSON as text.
//
// Environment: JUSTIFI_BASE_URL (http://127.0.0.1:PORT of justifi-mock, required),
// JUSTIFI_CLIENT_ID, JUSTIFI_CLIENT_SECRET, PEER_PORT (default 0: a free port),
// PEER_JSON_RESPONSE (default "true": application/json answers instead of SSE).
// Prints {"message":"listening","port":N} on stderr once it accepts connections.
import http from 'node:http';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import * as z from 'zod/v4';

const baseUrl = new URL(process.env.JUSTIFI_BASE_URL ?? '');
if (baseUrl.protocol !== 'http:') {
    console.error('peer: JUSTIFI_BASE_URL must be http://127.0.0.1:PORT of justifi-mock');
    process.exit(2);
}
const clientId = process.env.JUSTIFI_CLIENT_ID ?? 'test_client_id';
const clientSecret = process.env.JUSTIFI_CLIENT_SECRET ?? 'test_client_secret';
const jsonResponse = (process.env.PEER_JSON_RESPONSE ?? 'true') !== 'false';
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
const listPaymentsInput = {
    payment_status: z.enum(['succeeded', 'failed', 'pending', 'authorized', 'refunded', 'disputed']).optional().describe('Only payments in this status.'),
    payment_method_id: z.string().regex(objectId).optional().describe('Only payments made with this payment method (pm_...).'),
    created_after: z.string().regex(dateTime).optional().describe('Only payments created after this moment. UTC date or date-time.'),
    created_before: z.string().regex(dateTime).optional().describe('Only payments created before this moment. UTC date or date-time.'),
    limit: z.number().int().min(1).max(100).default(25).describe('How many records to return (1-100, default 25).'),
    after_cursor: z.string().min(1).max(1024).optional().describe('Next page: page_info.end_cursor of the previous answer.'),
    before_cursor: z.string().min(1).max(1024).optional().describe('Previous page: page_info.start_cursor of the previous answer.'),
    sub_account_id: z.string().regex(objectId).optional().describe('Sub-Account id (acc_...) the call applies to.')
};

async function listPayments(args) {
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

function newServer() {
    const server = new McpServer({ name: 'justifi-mcp-peer', version: '0.1.0', title: 'JustiFi' }, { capabilities: { logging: {} } });
    server.registerTool(
        'list_payments',
        {
            title: 'List payments',
            description:
                "List the account's payments, optionally filtered by status, payment method or creation date. " +
                "Answers JustiFi's list envelope {data: [...], page_info: {...}}. limit is 1-100, default 25.",
            inputSchema: listPaymentsInput,
            annotations: { title: 'List payments', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }
        },
        listPayments
    );
    return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
app.get('/health', (_req, res) => {
    res.type('text/plain').send('OK');
});
app.post('/mcp', async (req, res) => {
    const server = newServer();
    try {
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: jsonResponse });
        res.on('close', () => {
            transport.close();
            server.close();
        });
        await server.connect(transport);
        await transport.handleRequest(req, res, req.body);
    } catch (error) {
        console.error('peer: request failed:', error);
        if (!res.headersSent) {
            res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
        }
    }
});
app.all('/mcp', (_req, res) => {
    res.status(405).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null });
});

const listener = app.listen(Number(process.env.PEER_PORT ?? 0), '127.0.0.1', () => {
    console.error(JSON.stringify({ message: 'listening', port: listener.address().port, node: process.version }));
});
listener.keepAliveTimeout = 120_000; // like justifi-mcp's idle timeout
listener.headersTimeout = 125_000;
const stop = () => listener.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
