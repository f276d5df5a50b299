// What a person's confirmation adds to a money movement, against justifi-mock on loopback:
// sequential 2026-07-28 tools/call requests over keep-alive, CALLS of each kind, percentiles.
//   ask      create_refund's first call: the confirmation read (GET the payment) and the
//            question, answered input_required
//   read     retrieve_payment of the same payment: the same GET without the question
//   confirm  the retry that answers yes: the refund itself, with the derived key
//   direct   create_refund on a server with JUSTIFI_CONFIRM_WRITES=off: the refund alone
// Started by bench/confirmation.sh with AUTO_URL, OFF_URL and CALLS in the environment.
const AUTO_URL = process.env.AUTO_URL;
const OFF_URL = process.env.OFF_URL;
const CALLS = Number(process.env.CALLS ?? 200);

let id = 1;
async function call(url, name, args, extra = {}) {
    const body = {
        jsonrpc: '2.0', id: id++, method: 'tools/call',
        params: {
            name, arguments: args, ...extra,
            _meta: {
                'io.modelcontextprotocol/protocolVersion': '2026-07-28',
                'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
                'io.modelcontextprotocol/clientInfo': { name: 'bench-confirmation', version: '1.0.0' },
            },
        },
    };
    const response = await fetch(url, {
        method: 'POST',
        headers: {
            'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
            'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': name,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
    });
    const answer = await response.json();
    if (answer.error || answer.result?.isError) throw new Error(`${name}: ${JSON.stringify(answer).slice(0, 300)}`);
    return answer.result;
}

async function timed(label, n, once) {
    const micros = [];
    for (let i = 0; i < n; i++) {
        const start = process.hrtime.bigint();
        await once(i);
        micros.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    micros.sort((a, b) => a - b);
    const at = (q) => micros[Math.min(micros.length - 1, Math.floor(q * micros.length))];
    console.log(`${label.padEnd(8)} median ${at(0.5).toFixed(0)} us, p90 ${at(0.9).toFixed(0)} us, p99 ${at(0.99).toFixed(0)} us (${n} calls)`);
    return at(0.5);
}

const listed = await call(AUTO_URL, 'list_payments', { limit: 100, payment_status: 'succeeded' });
const payments = listed.structuredContent.data.filter((p) => p.amount_refundable >= CALLS + 10);
if (payments.length < 2) throw new Error('the simulator has no two payments with enough left to refund');
const [asked, direct] = payments;
const refundOf = (payment) => ({ payment_id: payment.id, amount: 1 });

for (let i = 0; i < 20; i++) await call(AUTO_URL, 'retrieve_payment', { payment_id: asked.id });  // warm: token, pooled connection
const states = [];
const ask = await timed('ask', CALLS, async () => {
    const r = await call(AUTO_URL, 'create_refund', refundOf(asked));
    if (r.resultType !== 'input_required') throw new Error(`not asked: ${JSON.stringify(r).slice(0, 200)}`);
    states.push(r.requestState);
});
const read = await timed('read', CALLS, () => call(AUTO_URL, 'retrieve_payment', { payment_id: asked.id }));
const confirm = await timed('confirm', CALLS, (i) => call(AUTO_URL, 'create_refund', refundOf(asked), {
    inputResponses: { confirm: { action: 'accept', content: { confirm: true } } }, requestState: states[i],
}));
for (let i = 0; i < 5; i++) await call(OFF_URL, 'retrieve_payment', { payment_id: direct.id });
const plain = await timed('direct', CALLS, () => call(OFF_URL, 'create_refund', refundOf(direct)));
console.log(`confirmation read and question: +${ask.toFixed(0)} us median (the same GET alone: ${read.toFixed(0)} us); ` +
            `the confirmed write ${confirm.toFixed(0)} us against ${plain.toFixed(0)} us unconfirmed`);
