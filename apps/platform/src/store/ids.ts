// Identifiers of stored rows: a readable prefix and 80 random bits, so ids of one kind are
// recognisable in logs and never guessable.
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'mod' | 'ver' | 'pub' | 'reg' | 'fam';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}
