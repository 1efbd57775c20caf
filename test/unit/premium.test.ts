import { describe, expect, it } from 'vitest';
import { premiumFor, type PremiumRule } from '../../src/domain/premium-schedule.ts';
import { chunkByCluster, ClusterChunker } from '../../src/domain/clusters.ts';
import { screenPayers, type Binding, type Person } from '../../src/domain/eligibility.ts';
import { chargeCluster, chargePremium, type Beneficiary, type OrderToCharge } from '../../src/domain/premium.ts';

const AT = '2026-10-01 10:00:00';
const child: Beneficiary = { id: 100, psnNo: 'R1', insutype: '390', admdvs: '510104', status: 'active', residentCategory: 'adult' };

function payer(id: number, psnNo: string, overrides: Partial<Person> = {}): Person {
  return { id, psnNo, insutype: '310', admdvs: '510105', status: 'active', ...overrides };
}
function binding(p: Person, balance: number | null, overrides: Partial<Binding> = {}): Binding {
  return { payer: p, payerBalance: balance, relationship: 'parent', priority: 1, boundAt: '2020-01-01 00:00:00', revokedAt: null, ...overrides };
}
const balancesOf = (bs: Binding[]) => new Map(bs.filter((b) => b.payerBalance !== null).map((b) => [b.payer.id, b.payerBalance!]));

describe('payer screening', () => {
  it('checks the rules in the order of SPEC 3 and reports the first one broken', () => {
    const revokedAndOther = binding(payer(1, 'P1', { status: 'suspended' }), 100, { revokedAt: '2026-10-01 10:00:00', relationship: 'other' });
    const otherAndCross = binding(payer(2, 'P2', { admdvs: '440100' }), 100, { relationship: 'other' });
    const crossAndInactive = binding(payer(3, 'P3', { admdvs: '440100', status: 'terminated' }), 100);
    const inactiveResident = binding(payer(4, 'P4', { status: 'suspended', insutype: '390' }), null);
    const residentNoAccount = binding(payer(5, 'P5', { insutype: '390' }), null);
    const noAccount = binding(payer(6, 'P6'), null);
    const notYet = binding(payer(7, 'P7'), 100, { boundAt: '2026-10-01 10:00:01' });
    const { eligible, refused } = screenPayers(child, [noAccount, residentNoAccount, inactiveResident, crossAndInactive, otherAndCross, revokedAndOther, notYet], AT, 'premium');
    expect(eligible).toEqual([]);
    expect(refused.map((r) => `${r.binding.payer.psnNo}:${r.reason}`)).toEqual([
      'P1:BINDING_INACTIVE', 'P2:NOT_CLOSE_RELATIVE', 'P3:CROSS_PROVINCE', 'P4:PAYER_INACTIVE',
      'P5:PAYER_NOT_EMPLOYEE', 'P6:NO_ACCOUNT', 'P7:BINDING_INACTIVE',
    ]);
  });

  it('refuses a binding without premium consent for premiums only, after every rule of section 1', () => {
    const refusing = binding(payer(1, 'P1'), 100, { premiumConsent: false });
    const noAccountToo = binding(payer(2, 'P2'), null, { premiumConsent: false });
    const consenting = binding(payer(3, 'P3'), 100, { premiumConsent: true });
    const premium = screenPayers(child, [refusing, noAccountToo, consenting], AT, 'premium');
    expect(premium.refused.map((r) => `${r.binding.payer.psnNo}:${r.reason}`)).toEqual(['P1:NO_PREMIUM_CONSENT', 'P2:NO_ACCOUNT']);
    expect(premium.eligible.map((b) => b.payer.psnNo)).toEqual(['P3']);
    expect(screenPayers(child, [refusing, consenting], AT, 'medical').eligible.map((b) => b.payer.psnNo)).toEqual(['P1', 'P3']);
  });

  it('treats a binding as active from bound_at inclusive until revoked_at exclusive', () => {
    const from = binding(payer(1, 'P1'), 0, { boundAt: AT });
    const until = binding(payer(2, 'P2'), 0, { revokedAt: '2026-10-01 10:00:01' });
    expect(screenPayers(child, [from, until], AT, 'premium').eligible).toHaveLength(2);
  });

  it('accepts every one of the eight close relatives and a zero balance', () => {
    const relatives = ['spouse', 'parent', 'child', 'sibling', 'grandparent', 'maternal_grandparent', 'grandchild', 'maternal_grandchild'] as const;
    const bindings = relatives.map((relationship, i) => binding(payer(i + 1, `P${i}`), 0, { relationship }));
    expect(screenPayers(child, bindings, AT, 'premium').eligible).toHaveLength(8);
  });
});

describe('premium charging', () => {
  const order = (bindings: Binding[], premium = 40000): OrderToCharge => ({ orderId: 1, beneficiary: child, premium, bindings });

  it('single mode skips a payer who cannot cover it all and takes the next one who can', () => {
    const bs = [binding(payer(1, 'P1'), 39999), binding(payer(2, 'P2'), 40000, { priority: 2 })];
    expect(chargePremium(order(bs), balancesOf(bs), 'single', '51', AT)).toEqual({ orderId: 1, status: 'paid', payments: [{ payerId: 2, payerPsnNo: 'P2', amount: 40000 }] });
  });

  it('split mode with too little in total fails and charges nobody', () => {
    const bs = [binding(payer(1, 'P1'), 20000), binding(payer(2, 'P2'), 19999, { priority: 2 })];
    expect(chargePremium(order(bs), balancesOf(bs), 'split', '51', AT)).toMatchObject({ status: 'failed', code: 'INSUFFICIENT_BALANCE' });
  });

  it('a zero-balance eligible payer gives INSUFFICIENT_BALANCE, not WRONG_PAYEE', () => {
    const bs = [binding(payer(1, 'P1'), 0)];
    expect(chargePremium(order(bs), balancesOf(bs), 'single', '51', AT)).toMatchObject({ status: 'failed', code: 'INSUFFICIENT_BALANCE' });
  });

  it('charges a lapsed (suspended) resident and skips a terminated one', () => {
    const bs = [binding(payer(1, 'P1'), 100000)];
    const lapsed = { ...order(bs), beneficiary: { ...child, status: 'suspended' as const } };
    const terminated = { ...order(bs), beneficiary: { ...child, status: 'terminated' as const } };
    expect(chargePremium(lapsed, balancesOf(bs), 'single', '51', AT)).toMatchObject({ status: 'paid' });
    expect(chargePremium(terminated, balancesOf(bs), 'single', '51', AT)).toMatchObject({ status: 'skipped', code: 'BENEFICIARY_INELIGIBLE' });
  });

  it('skips a beneficiary who moved out of the province or became exempt', () => {
    const bs = [binding(payer(1, 'P1'), 100000)];
    const moved = { ...order(bs), beneficiary: { ...child, admdvs: '440100' } };
    const exempt = { ...order(bs), beneficiary: { ...child, residentCategory: 'exempt' as const } };
    expect(chargePremium(moved, balancesOf(bs), 'single', '51', AT)).toMatchObject({ status: 'skipped', code: 'BENEFICIARY_INELIGIBLE' });
    expect(chargePremium(exempt, balancesOf(bs), 'single', '51', AT)).toMatchObject({ status: 'skipped', code: 'BENEFICIARY_INELIGIBLE' });
  });

  it('charges a cluster in ascending psn_no whatever order the orders come in', () => {
    const shared = payer(1, 'P1');
    const orders = ['R3', 'R10', 'R2'].map((psnNo, i) => ({ orderId: i + 1, beneficiary: { ...child, id: 200 + i, psnNo }, premium: 40000, bindings: [binding(shared, 80000)] }));
    const outcomes = chargeCluster(orders, new Map([[1, 80000]]), 'single', '51', AT);
    // Byte order: "R10" < "R2" < "R3".
    expect(outcomes.map((o) => `${o.orderId}:${o.status}`)).toEqual(['2:paid', '3:paid', '1:failed']);
  });
});

describe('family clusters', () => {
  it('keeps beneficiaries who share a payer, directly or through a chain, in one chunk', () => {
    const orders = [1, 2, 3, 4, 5].map((n) => ({ orderId: n, beneficiaryId: 100 + n }));
    // 101 and 102 share payer 1; 102 and 103 share payer 2; 104 alone; 105 alone.
    const edges: [number, number][] = [[101, 1], [102, 1], [102, 2], [103, 2], [104, 3], [105, 4]];
    expect(chunkByCluster(orders, edges, 2)).toEqual([[1, 2, 3], [4, 5]]);
    expect(chunkByCluster(orders, edges, 1)).toEqual([[1, 2, 3], [4], [5]]);
  });

  it('withholds a cluster while one of its beneficiaries lies in a range not yet planned', () => {
    const chunker = new ClusterChunker(10);
    // Payer 1000 binds beneficiaries 5 and 150 (one cluster across ranges); 7 is alone.
    chunker.addBinding(5, 1000);
    chunker.addBinding(150, 1000);
    chunker.addBinding(7, 2000);
    chunker.addOrder(1, 5);
    chunker.addOrder(2, 7);
    expect(chunker.takeComplete(100)).toEqual([]);
    chunker.addOrder(3, 150);
    expect(chunker.takeComplete(200)).toEqual([]);
    expect(chunker.takeAll()).toEqual([[2, 1, 3]]);
  });
});

describe('premiumFor (SPEC 10 schedules)', () => {
  const premiums = { adult: 40000, minor: 25000, student: 20000, senior: 30000 };
  const rules: PremiumRule[] = [
    { admdvsPrefix: '51', residentCategory: 'adult', subsidyTier: '', premium: 38000 },
    { admdvsPrefix: '5101', residentCategory: 'adult', subsidyTier: '', premium: 36000 },
    { admdvsPrefix: '510104', residentCategory: 'adult', subsidyTier: '', premium: 35050 },
    { admdvsPrefix: '51', residentCategory: 'adult', subsidyTier: 'dibao', premium: 10000 },
    { admdvsPrefix: '5101', residentCategory: 'adult', subsidyTier: 'tekun', premium: 0 },
  ];
  const adult = (admdvs: string, subsidyTier: string | null = null) => premiumFor({ admdvs, residentCategory: 'adult', subsidyTier }, rules, premiums);
  it('takes the longest matching prefix among rules without a tier: province, city, county', () => {
    expect([adult('513301'), adult('510105'), adult('510104')]).toEqual([38000, 36000, 35050]);
  });
  it('a rule naming the tier beats every rule without one, a tier no rule names is priced as none, 0 is fully subsidised', () => {
    expect([adult('510104', 'dibao'), adult('510104', 'xyz'), adult('510104', 'tekun'), adult('513301', 'tekun')]).toEqual([10000, 35050, 0, 38000]);
  });
  it('without a matching rule the category premium applies', () => {
    expect(premiumFor({ admdvs: '510104', residentCategory: 'minor', subsidyTier: 'dibao' }, rules, premiums)).toBe(25000);
    expect(adult('440106')).toBe(40000);
  });
});
