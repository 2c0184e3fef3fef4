// How each kind of node is drawn: a colour and a white pictogram per kind (so kinds differ by
// both hue and icon, which survives colour-blindness and greyscale print-outs), and a border
// whose colour and width carry the risk score.
import type { EntityType } from '../api/types';

/** TypeStyle is the look of one node kind. */
export interface TypeStyle {
  color: string;
  icon: string; // SVG path data on a 24×24 grid
  ring: number; // concentric layout ring, 0 = centre
}

// Colours from the Okabe–Ito palette, chosen to stay distinguishable for colour-blind readers.
export const typeStyles: Record<EntityType, TypeStyle> = {
  patient: { color: '#0072B2', ring: 2, icon: 'M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5z' },
  doctor: { color: '#009E73', ring: 1, icon: 'M10 3h4v7h7v4h-7v7h-4v-7H3v-4h7z' },
  institution: { color: '#D55E00', ring: 0, icon: 'M3 21V8l9-5 9 5v13h-6v-6H9v6zm8-14v2H9v2h2v2h2v-2h2V9h-2V7z' },
  pharmacy: { color: '#CC79A7', ring: 0, icon: 'M7.5 3.5a4.6 4.6 0 0 1 6.5 0l6.5 6.5a4.6 4.6 0 0 1-6.5 6.5L7.5 10a4.6 4.6 0 0 1 0-6.5zm1.4 1.4a2.6 2.6 0 0 0 0 3.7l2.6 2.6 3.7-3.7-2.6-2.6a2.6 2.6 0 0 0-3.7 0z' },
  claim: { color: '#8a8f98', ring: 3, icon: 'M6 2h8l5 5v15H6zm7 1.5V8h4.5zM8 12h8v1.6H8zm0 3.5h8v1.6H8z' },
  phone: { color: '#E69F00', ring: 3, icon: 'M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.6 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.6 3.6a1 1 0 0 1-.25 1z' },
  address: { color: '#56B4E9', ring: 3, icon: 'M12 2a7 7 0 0 0-7 7c0 5.25 7 13 7 13s7-7.75 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z' },
  terminal: { color: '#6b4c9a', ring: 1, icon: 'M3 5h18v14H3zm2 2v2h14V7zm0 6v4h6v-4z' },
};

/** riskColor returns the border colour for a risk score: red for high, amber for medium. */
export function riskColor(score: number | undefined): string | null {
  if (score === undefined) return null;
  if (score >= 0.7) return '#C62828';
  if (score >= 0.4) return '#F9A825';
  return null;
}

/** nodeSize grows a node with its risk so the eye lands on the suspicious parties first. */
export function nodeSize(type: EntityType, score: number | undefined): number {
  const base = type === 'claim' || type === 'phone' || type === 'address' || type === 'terminal' ? 5 : type === 'patient' ? 8 : 11;
  return base + (score ?? 0) * 8;
}

const iconCache = new Map<string, string>();

/** iconURL returns a data: URL of the white pictogram for a kind (for sigma's image program). */
export function iconURL(type: EntityType): string {
  let url = iconCache.get(type);
  if (!url) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="64" height="64"><path fill="#ffffff" d="${typeStyles[type].icon}"/></svg>`;
    url = 'data:image/svg+xml;base64,' + btoa(svg);
    iconCache.set(type, url);
  }
  return url;
}

/** iconSVG returns inline SVG markup of a kind's icon on its colour, for the legend and tables. */
export function iconSVG(type: EntityType, size = 18): string {
  const s = typeStyles[type];
  return `<svg aria-hidden="true" viewBox="0 0 28 28" width="${size}" height="${size}"><circle cx="14" cy="14" r="14" fill="${s.color}"/><g transform="translate(4 4) scale(0.8333)"><path fill="#fff" d="${s.icon}"/></g></svg>`;
}
