
function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

const server = http.createServer(async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/api/checkout-session') {
      send(res, 200, 'application/json', JSON.stringify(await createCheckoutSession()));
    } else if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
      send(res, 200, 'text/html; charset=utf-8', await readFile(new URL('./public/index.html', import.meta.url)));
    } else {
      send(res, 404, 'text/plain', 'Not found');
    }
  } catch (error) {
    console.error(error);
    send(res, 502, 'application/json', JSON.stringify({ error: 'Could not start the checkout; see the server log.' }));
  }
});

server.listen(PORT, () => console.log(`Checkout page: http://localhost:${PORT}/`));
