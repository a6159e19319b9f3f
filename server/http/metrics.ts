// GET /api/v1/metrics: how the office box is keeping up, for admins and supervisors.
import { Router } from 'express';
import type { Metrics } from '../metrics.ts';
import { type HttpContext, requireRole } from './context.ts';

export function metricsRouter(ctx: HttpContext, metrics: Metrics): Router {
  const r = Router();
  r.get('/api/v1/metrics', (req, res) => {
    requireRole(ctx, req, ['admin', 'supervisor']);
    res.setHeader('Cache-Control', 'no-store');
    res.json(metrics.sample());
  });
  return r;
}
