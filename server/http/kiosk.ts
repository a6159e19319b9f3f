// Kiosk-facing endpoints beyond the queue (service availability …). Owned by the kiosk issue.
import { Router } from 'express';
import type { HttpContext } from './context.ts';

export function kioskRouter(_ctx: HttpContext): Router {
  return Router();
}
