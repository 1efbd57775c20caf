import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { checkCharacter } from '../domain/id-number.ts';
import { formatYuan } from '../domain/money.ts';
import { LineWriter } from './csv-writer.ts';
import { Random } from './random.ts';

export interface ProvinceOptions {
  /** Families to generate; each has one or two employee payers and one to three residents. */
  families: number;
  dir: string;
  seed?: number;
  /** Two-digit province of the campaign; a few payers live elsewhere. */
  province?: string;
  /** Date of the monthly credit (YYYY-MM-DD). */
  creditDate: string;
}

export interface ProvinceFiles {
  institutions: string;
  persons: string;
  accounts: string;
  bindings: string;
  credits: string;
  /** A later persons file: some residents left resident insurance (their orders become skipped). */
  personsUpdate: string;
  counts: { persons: number; residents: number; employees: number; bindings: number; credits: number };
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '子涵', '梓萱'];

export const DEMO_INSTITUTIONS = 12;

/** Institution codes of the synthetic province: pharmacies P..., hospitals H...; the last one is not designated. */
export function institutionCodes(province = '51'): string[] {
  return Array.from({ length: DEMO_INSTITUTIONS }, (_, i) => `${i % 3 === 2 ? 'H' : 'P'}${province}0104${String(i + 1).padStart(5, '0')}`);
}

/**
 * Writes the import files of a synthetic province: families with shared payers (grandparents who
 * pay for several grandchildren's families), spouses as second payers, revoked, `other` and
 * cross-province bindings, suspended payers, payers without accounts, exempt residents and low
 * balances, so every outcome of a campaign appears. Deterministic for a seed.
 */
export async function generateProvince(options: ProvinceOptions): Promise<ProvinceFiles> {
  const rnd = new Random(options.seed ?? 20270101);
  const province = options.province ?? '51';
  await mkdir(options.dir, { recursive: true });
  const file = (name: string) => path.join(options.dir, `${name}.csv`);
  const institutions = new LineWriter(file('institutions'), ['fixmedins_code', 'name', 'type', 'admdvs', 'designated']);
  const PERSON_COLUMNS = ['psn_no', 'id_number', 'name', 'insutype', 'admdvs', 'status', 'resident_category', 'subsidy_tier'];
  const persons = new LineWriter(file('persons'), PERSON_COLUMNS);
  const accounts = new LineWriter(file('accounts'), ['psn_no', 'balance']);
  const bindings = new LineWriter(file('bindings'), ['payer_psn_no', 'beneficiary_psn_no', 'relationship', 'priority', 'bound_at', 'revoked_at']);
  const credits = new LineWriter(file('credits'), ['credit_id', 'psn_no', 'amount', 'credited_at']);
  const personsUpdate = new LineWriter(file('persons-update'), PERSON_COLUMNS);
  const counts = { persons: 0, residents: 0, employees: 0, bindings: 0, credits: 0 };

  for (const [i, code] of institutionCodes(province).entries()) {
    const hospital = code.startsWith('H');
    await institutions.row([code, `${hospital ? '第' + (i + 1) + '人民医院' : '康民大药房' + (i + 1) + '店'}`, hospital ? 'hospital' : 'pharmacy', `${province}0104`, i === DEMO_INSTITUTIONS - 1 ? 'false' : 'true']);
  }

  let serial = 0;
  const admdvs = () => `${province}01${String(rnd.int(1, 9)).padStart(2, '0')}`;
  const newPerson = async (insutype: '310' | '390', category: string, options: { admdvs?: string; status?: string } = {}) => {
    serial++;
    const psnNo = `${province}${String(serial).padStart(10, '0')}`;
    const birthYear = category === 'senior' ? rnd.int(1940, 1960) : category === 'minor' || category === 'student' ? rnd.int(2008, 2022) : rnd.int(1965, 2000);
    const first17 = `${province}0104${birthYear}${String(rnd.int(1, 12)).padStart(2, '0')}${String(rnd.int(1, 28)).padStart(2, '0')}${String(serial % 1000).padStart(3, '0')}`;
    // Residents: a third live in a second city (5?02..), one in 20 is subsidised at the dibao tier, one
    // in 50 at tekun, one in 60 has lapsed (suspended). Derived from the serial, not drawn, so the
    // random sequence (and every other figure of the province) stays as it was.
    const resident = insutype === '390';
    const home = options.admdvs ?? admdvs();
    const where = resident && serial % 3 === 0 ? `${home.slice(0, 2)}02${home.slice(4)}` : home;
    const tier = resident && serial % 20 === 3 ? 'dibao' : resident && serial % 50 === 7 ? 'tekun' : '';
    const status = resident && serial % 60 === 11 && options.status === 'active' ? 'suspended' : options.status ?? 'active';
    const row = [psnNo, first17 + checkCharacter(first17), rnd.pick(SURNAMES) + rnd.pick(GIVEN), insutype, where, status, resident ? category : '', tier];
    await persons.row(row);
    // One resident in 40 later joins employee insurance: their premium order is no longer due.
    if (resident && serial % 40 === 0) await personsUpdate.row([...row.slice(0, 3), '310', ...row.slice(4, 6), '', '']);
    counts.persons++;
    return psnNo;
  };
  const bind = async (payer: string, beneficiary: string, relationship: string, priority: number) => {
    const revoked = rnd.chance(0.02);
    await bindings.row([payer, beneficiary, rnd.chance(0.01) ? 'other' : relationship, priority, `20${rnd.int(21, 25)}-0${rnd.int(1, 9)}-1${rnd.int(0, 9)} 09:30:00`, revoked ? '2026-01-01 00:00:00' : '']);
    counts.bindings++;
  };

  let grandparent: string | null = null;
  for (let f = 0; f < options.families; f++) {
    // Employee payers: 3% insured in another province, 2% suspended, 2% without a personal account.
    const payers: string[] = [];
    for (let k = 0; k < (rnd.chance(0.5) ? 2 : 1); k++) {
      const elsewhere = rnd.chance(0.03);
      const psnNo = await newPerson('310', '', { admdvs: elsewhere ? '440106' : undefined, status: rnd.chance(0.02) ? 'suspended' : 'active' });
      counts.employees++;
      payers.push(psnNo);
      if (!rnd.chance(0.02)) {
        // 25% of accounts run low: below one premium, so a monthly credit and a retry matter.
        const balance = rnd.chance(0.25) ? rnd.int(0, 30000) : rnd.int(60000, 600000);
        await accounts.row([psnNo, formatYuan(balance)]);
        await credits.row([`CR${options.creditDate.replaceAll('-', '')}${psnNo}`, psnNo, formatYuan(rnd.int(15000, 45000)), `${options.creditDate} 08:00:00`]);
        counts.credits++;
      }
    }
    const residents = rnd.int(1, 3);
    for (let r = 0; r < residents; r++) {
      const senior = r === 2;
      const category = senior ? 'senior' : rnd.chance(0.05) ? 'exempt' : rnd.pick(['minor', 'student', 'adult']);
      const status = rnd.chance(0.01) ? 'terminated' : 'active';
      const beneficiary = await newPerson('390', category, { status });
      counts.residents++;
      const relationship = senior ? 'parent' : category === 'adult' ? 'sibling' : 'child';
      for (const [k, payer] of payers.entries()) await bind(payer, beneficiary, relationship, k + 1);
      // Every tenth family shares a grandparent payer with the family before: a family cluster.
      if (grandparent && !senior && f % 10 === 0) await bind(grandparent, beneficiary, 'grandchild', 3);
    }
    if (f % 10 === 9) grandparent = payers[0]!;
  }
  await Promise.all([institutions, persons, accounts, bindings, credits, personsUpdate].map((w) => w.close()));
  return { institutions: institutions.path, persons: persons.path, accounts: accounts.path, bindings: bindings.path, credits: credits.path, personsUpdate: personsUpdate.path, counts };
}
