// Where an issue is: RFC 6901 JSON pointers for machines, dotted labels for messages, and the
// order in which issues are listed.
import { compareValues } from './order.js';

export type FieldPath = readonly (string | number)[];

/** RFC 6901: `~` becomes `~0` and `/` becomes `~1`; the root is the empty pointer. */
export function toJsonPointer(path: FieldPath): string {
  return path
    .map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** How a message names a field: `execution.entrypoint`, `tags[2]`, `resources.environment["A/B"]`. */
export function toFieldLabel(path: FieldPath): string {
  if (path.length === 0) return 'the manifest';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!IDENTIFIER.test(segment)) return `[${JSON.stringify(segment)}]`;
      return index === 0 ? segment : `.${segment}`;
    })
    .join('');
}

const ARRAY_INDEX = /^(0|[1-9]\d*)$/;

/**
 * Document order for pointers: segment by segment, array indices by value (so `/tags/2` comes
 * before `/tags/10`), other segments by code unit, and a parent before its children.
 */
export function compareJsonPointers(a: string, b: string): number {
  const left = pointerSegments(a);
  const right = pointerSegments(b);
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const x = left[index] ?? '';
    const y = right[index] ?? '';
    if (x === y) continue;
    if (ARRAY_INDEX.test(x) && ARRAY_INDEX.test(y)) return Number(x) - Number(y);
    return compareValues(x, y);
  }
  return left.length - right.length;
}

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/');
}
