import express from 'express';
import { z } from 'zod';
import type { App } from '../app.ts';
import { formatYuan } from '../domain/money.ts';
import { parseDate } from '../domain/time.ts';
import { formatStatementRow, loadStatement } from '../statements/statement.queries.ts';

const date = z.string().refine((v) => parseDate(v) !== null, 'must be a date YYYY-MM-DD');
const statementQuery = z.object({ from: date.optional(), to: date.optional() });

/** GET /persons/:psn_no/statement: the statement of SPEC 9 as JSON, the person's name and ID number masked; 404 for an unknown person. */
export function statementRoutes(app: App): express.Router {
  const router = express.Router();
  router.get('/persons/:psn_no/statement', async (req, res) => {
    const query = statementQuery.parse(req.query);
    const statement = await loadStatement(app.db.pool, req.params.psn_no, { from: query.from ?? null, to: query.to ?? null });
    if (!statement) {
      res.status(404).json({ error: 'unknown person' });
      return;
    }
    const { person, period } = statement;
    res.json({
      person: { psn_no: person.psnNo, id_number: person.maskedIdNumber, name: person.maskedName },
      from: period.from,
      to: period.to,
      rows: statement.rows.map(formatStatementRow),
      totals: statement.totals.map((t) => ({ ...t, amount: formatYuan(t.amount) })),
    });
  });
  return router;
}
