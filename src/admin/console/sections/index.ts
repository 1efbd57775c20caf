import type { Section } from '../section.ts';
import { auditSection } from './audit.ts';
import { campaignsSection } from './campaigns.ts';
import { failuresSection } from './failures.ts';
import { handoffSection, refundsSection } from './money-back.ts';
import { reconciliationSection } from './reconciliation.ts';

/** The console page, top to bottom. */
export const SECTIONS: Section[] = [campaignsSection, failuresSection, reconciliationSection, refundsSection, handoffSection, auditSection];
