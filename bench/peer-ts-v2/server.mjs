// The benchmark's second peer: justifi-mcp's list_payments tool on the official MCP TypeScript
// SDK v2, the way its README serves HTTP: one McpServer factory behind createMcpHandler
// (stateless: a fresh instance per request; 2026-07-28 requests on their own _meta, 2025
// requests through its stateless legacy fallback), mounted on node:http with toNodeHandler.
// The tool is the v1 peer's (bench/peer-common.mjs): the same simulator calls, the same answer.
//
// Environment: JUSTIFI_BASE_URL (http://127.0.0.1:PORT of justifi-mock, required),
// JUSTIFI_CLIENT_ID, JUSTIFI_CLIENT_SECRET, PEER_PORT (default 0: a free port).
// Prints {"message":"listening","port":N} on stderr once it accepts connections.
import http from 'node:http';

import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import * as z from 'zod/v4';

import { listPayments, listPaymentsDescription, listPaymentsInputOf } from '../peer-common.mjs';

function newServer() {
    const server = new McpServer({ name: 'justifi-mcp-peer-v2', version: '0.1.0', title: 'JustiFi' }, { capabilities: { logging: {} } });
    server.registerTool('list_payments', { ...listPaymentsDescription, inputSchema: z.object(listPaymentsInputOf(z)) }, listPayments);
    return server;
}

// JSON answers, as justifi-mcp and the v1 peer give for a call that sends no notifications.
const handler = createMcpHandler(newServer, { responseMode: 'json', onerror: (e) => console.error('peer-v2:', e.message) });
const serve = toNodeHandler(handler);

const listener = http.createServer((req, res) => {
    const path = req.url.split('?')[0];
    if (path === '/health' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    } else if (path === '/mcp') {
        serve(req, res).catch((error) => {
            console.error('peer-v2: request failed:', error);
            if (!res.headersSent) res.writeHead(500).end();
        });
    } else {
        res.writeHead(404).end();
    }
});
listener.keepAliveTimeout = 120_000; // like justifi-mcp's idle timeout
listener.headersTimeout = 125_000;
listener.listen(Number(process.env.PEER_PORT ?? 0), '127.0.0.1', () => {
    console.error(JSON.stringify({ message: 'listening', port: listener.address().port, node: process.version }));
});
const stop = () => listener.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
