import type { App } from '../../app.ts';
import type { CampaignProgress } from '../../operations/status.service.ts';
import type { Principal } from '../../operations/operator-tokens.ts';
import type { Html } from '../html.ts';

export interface SectionContext {
  app: App;
  principal: Principal;
  csrfToken: string | undefined;
  /** Whether this operator may act (retry); viewers see the same page without working buttons. */
  canAct: boolean;
  /** Every campaign's progress, read once per page for the sections that need it. */
  campaigns(): Promise<CampaignProgress[]>;
}

/**
 * One part of the console page. `render` answers null when the section has nothing to show on this
 * installation (its tables do not exist yet), and the page leaves it out. Adding a section is one
 * file and one line in sections/index.ts.
 */
export interface Section {
  id: string;
  title: string;
  render(ctx: SectionContext): Promise<Html | null>;
}
