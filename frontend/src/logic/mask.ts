// Display masking of personal data (names, ID numbers, phones, addresses, diagnoses). The API
// masks per role before anything leaves the server; the UI masks again for roles that must not
// see personal data (defence in depth, e.g. against a server misconfiguration), and never
// un-masks. Values that already carry a mask character are left as they are.
import type { EntityType, Role } from '../api/types';

const maskChar = '*';

function already(v: string): boolean {
  return v.includes(maskChar);
}

/** maskName keeps the surname and the last character: 张三丰 → 张*丰, 张三 → 张*. */
export function maskName(v: string): string {
  if (!v || already(v)) return v;
  const chars = [...v];
  if (chars.length === 1) return maskChar;
  if (chars.length === 2) return chars[0] + maskChar;
  return chars[0] + maskChar.repeat(chars.length - 2) + chars[chars.length - 1];
}

/** maskIDNumber keeps the region code (6) and the last 4 characters of an 18-character ID number. */
export function maskIDNumber(v: string): string {
  if (!v || already(v)) return v;
  if (v.length <= 8) return maskChar.repeat(v.length);
  return v.slice(0, 6) + maskChar.repeat(v.length - 10) + v.slice(-4);
}

/** maskPhone keeps the first 3 and last 4 digits: 13812341234 → 138****1234. */
export function maskPhone(v: string): string {
  if (!v || already(v)) return v;
  if (v.length < 8) return maskChar.repeat(v.length);
  return v.slice(0, 3) + maskChar.repeat(v.length - 7) + v.slice(-4);
}

/** maskAddress keeps the first 6 characters (province, city, district) and hides the rest. */
export function maskAddress(v: string): string {
  if (!v || already(v)) return v;
  const chars = [...v];
  if (chars.length <= 6) return chars[0] + maskChar.repeat(chars.length - 1);
  return chars.slice(0, 6).join('') + maskChar.repeat(4);
}

/** seesPersonalData reports whether a role may see unmasked personal data of parties at all. */
export function seesPersonalData(role: Role): boolean {
  return role === 'investigator' || role === 'supervisor' || role === 'police';
}

const personal: Record<string, (v: string) => string> = {
  name: maskName,
  id_number: maskIDNumber,
  phone: maskPhone,
  address: maskAddress,
  diagnosis_code: () => maskChar.repeat(3),
};

/** maskProps returns the properties of a node as a role may see them. Only patients carry personal data. */
export function maskProps(role: Role, type: EntityType, props: Record<string, string>): Record<string, string> {
  if (seesPersonalData(role) || (type !== 'patient' && type !== 'phone' && type !== 'address')) return props;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    const fn = personal[k];
    out[k] = fn ? fn(v) : v;
  }
  return out;
}

/** maskLabel returns a node label as a role may see it (a patient's label is their name). */
export function maskLabel(role: Role, type: EntityType, label: string, id: string): string {
  if (seesPersonalData(role) || label === id) return label;
  if (type === 'patient') return maskName(label);
  if (type === 'phone') return maskPhone(label);
  if (type === 'address') return maskAddress(label);
  return label;
}
