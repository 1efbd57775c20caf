import { payOrders } from '../src/campaign/campaign.service.ts';
import type { JobHandler } from './workers.ts';

export const handlePayOrders: JobHandler<'pay-orders'> = (payload, { app }) => payOrders(app, payload);
