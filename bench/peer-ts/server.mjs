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
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import * as z from 'zod/v4';

import { listPayments, listPaymentsDescription, listPaymentsInputOf } from '../peer-common.mjs';

const jsonResponse = (process.env.PEER_JSON_RESPONSE ?? 'true') !== 'false';

function newServer() {
    const server = new McpServer({ name: 'justifi-mcp-peer', version: '0.1.0', title: 'JustiFi' }, { capabilities: { logging: {} } });
    server.registerTool(
        'list_payments',
        { ...listPaymentsDescription, inputSchema: listPaymentsInputOf(z) },
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
