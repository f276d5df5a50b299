
const app = express();

app.post('/api/checkout-session', async (_req, res) => {
  try {
    res.json(await createCheckoutSession());
  } catch (error) {
    console.error(error);
    res.status(502).json({ error: 'Could not start the checkout; see the server log.' });
  }
});

app.use(express.static(path.join(path.dirname(fileURLToPath(import.meta.url)), 'public')));

app.listen(PORT, () => console.log(`Checkout page: http://localhost:${PORT}/`));
