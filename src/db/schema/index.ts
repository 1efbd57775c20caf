export * from './people.ts';
export * from './institutions.ts';
export * from './ledger.ts';
export * from './campaigns.ts';
export * from './settlements.ts';
export * from './operations.ts';
export * from './reconciliation.ts';
export * from './notices.ts';
