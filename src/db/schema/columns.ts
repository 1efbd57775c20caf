import { bigint, customType, datetime } from 'drizzle-orm/mysql-core';

/**
 * Keys (psn_no, setl_id, codes) compare in byte order everywhere, whatever the server's or the
 * database's default collation (MySQL 8 defaults to accent/case-insensitive utf8mb4_0900_ai_ci).
 * psn_no is validated as [0-9A-Za-z] so ascii keeps its index small.
 */
export const asciiKey = (name: string, length: number) =>
  customType<{ data: string; driverData: string }>({
    dataType: () => `varchar(${length}) CHARACTER SET ascii COLLATE ascii_bin`,
  })(name);

/** Free-form keys from institutions (setl_id, mdtrt_id): any text, still compared byte for byte. */
export const textKey = (name: string, length: number) =>
  customType<{ data: string; driverData: string }>({
    dataType: () => `varchar(${length}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
  })(name);

/** Money in integer fen. Read as a JS number: fen totals stay far below 2^53. */
export const fen = (name: string) => bigint(name, { mode: 'number' });

/** Business time, stored as Asia/Shanghai wall-clock text 'YYYY-MM-DD HH:mm:ss' (no zone conversion anywhere). */
export const shanghaiTime = (name: string) => datetime(name, { mode: 'string' });
