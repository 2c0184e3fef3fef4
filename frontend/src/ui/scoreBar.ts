// The score widget: a risk score as a number and a bar coloured by risk level, wherever a score
// is shown (findings list, entity panel, workbench).
import { formatScore } from '../i18n';
import { h } from './dom';

/** scoreBar shows a score as a number and a bar coloured by risk level. */
export function scoreBar(score: number): HTMLElement {
  const level = score >= 0.7 ? 'high' : score >= 0.4 ? 'mid' : 'low';
  return h('span', { class: `score score-${level}` }, h('span', { class: 'bar', style: `width:${Math.round(score * 100)}%` }), h('span', { class: 'val' }, formatScore(score)));
}
