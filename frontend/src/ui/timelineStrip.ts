// The workbench's time strip: claims per bucket over all of a ring's or a party's claims (the
// server's timeline, not what is drawn), with a brush — drag across it to filter the canvas to
// those days, double-click to clear — and a playback that walks a window of buckets through time.
import type { Timeline } from '../api/types';
import { formatInt, t } from '../i18n';
import { dayStart } from '../graph/model';
import { nextStart } from '../logic/timeline';
import { h, replace } from './dom';

/** Span is a time range in ms (China days), or null for all time. */
export type Span = { from: number; to: number } | null;

const height = 46;

/** bucketSpan returns the first and last millisecond of bucket i of tl. */
export function bucketSpan(tl: Pick<Timeline, 'buckets' | 'bucket'>, i: number): { from: number; to: number } {
  const b = tl.buckets[i]!;
  const from = dayStart(b.start)!;
  return { from, to: dayStart(nextStart(b.start, tl.bucket))! - 1 };
}

/** timelineStrip draws tl and calls brush with the span the user selects (null: all time). */
export function timelineStrip(tl: Timeline, brush: (s: Span) => void): HTMLElement {
  const n = tl.buckets.length;
  const el = h('div', { class: 'tstrip', id: 'time-strip' });
  if (n === 0) return el;
  const max = Math.max(1, ...tl.buckets.map((b) => b.claims));
  const NS = 'http://www.w3.org/2000/svg';
  const svgEl = document.createElementNS(NS, 'svg');
  svgEl.setAttribute('viewBox', `0 0 ${n} ${height}`);
  svgEl.setAttribute('preserveAspectRatio', 'none');
  svgEl.setAttribute('class', 'tstrip-svg');
  svgEl.setAttribute('role', 'img');
  svgEl.setAttribute('aria-label', t('workbench.strip', { n: formatInt(tl.claims), first: tl.first ?? '', last: tl.last ?? '' }));
  tl.buckets.forEach((b, i) => {
    const r = document.createElementNS(NS, 'rect');
    const bh = (b.claims / max) * (height - 4);
    r.setAttribute('x', String(i + 0.08));
    r.setAttribute('width', '0.84');
    r.setAttribute('y', String(height - bh));
    r.setAttribute('height', String(bh));
    r.setAttribute('class', 'tstrip-bar');
    const title = document.createElementNS(NS, 'title');
    title.textContent = `${b.start} · ${b.claims}`;
    r.append(title);
    svgEl.append(r);
  });
  const sel = document.createElementNS(NS, 'rect');
  sel.setAttribute('class', 'tstrip-sel');
  sel.setAttribute('y', '0');
  sel.setAttribute('height', String(height));
  sel.setAttribute('width', '0');
  svgEl.append(sel);

  let lo = -1;
  let hi = -1;
  const show = () => {
    if (lo < 0) {
      sel.setAttribute('width', '0');
      return;
    }
    sel.setAttribute('x', String(Math.min(lo, hi)));
    sel.setAttribute('width', String(Math.abs(hi - lo) + 1));
  };
  const emit = () => {
    if (lo < 0) return brush(null);
    const a = Math.min(lo, hi);
    const b = Math.max(lo, hi);
    brush({ from: bucketSpan(tl, a).from, to: bucketSpan(tl, b).to });
  };
  const at = (e: PointerEvent) => {
    const box = svgEl.getBoundingClientRect();
    return Math.max(0, Math.min(n - 1, Math.floor(((e.clientX - box.left) / Math.max(1, box.width)) * n)));
  };
  let dragging = false;
  svgEl.addEventListener('pointerdown', (e) => {
    stop();
    dragging = true;
    lo = hi = at(e);
    svgEl.setPointerCapture(e.pointerId);
    show();
  });
  svgEl.addEventListener('pointermove', (e) => {
    if (!dragging) return;
    hi = at(e);
    show();
  });
  svgEl.addEventListener('pointerup', () => {
    if (!dragging) return;
    dragging = false;
    emit();
  });
  svgEl.addEventListener('dblclick', () => {
    stop();
    lo = hi = -1;
    show();
    emit();
  });

  // Playback: a window of a few buckets steps through time, the canvas following.
  const win = Math.max(1, Math.min(4, Math.floor(n / 6)));
  let timer: ReturnType<typeof setInterval> | null = null;
  const play = h('button', { type: 'button', class: 'btn', id: 'btn-play', 'aria-pressed': 'false' }, t('workbench.play'));
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
    play.textContent = t('workbench.play');
    play.setAttribute('aria-pressed', 'false');
  };
  play.addEventListener('click', () => {
    if (timer) return stop();
    let i = 0;
    play.textContent = t('workbench.pause');
    play.setAttribute('aria-pressed', 'true');
    const step = () => {
      if (i + win > n) {
        stop();
        return;
      }
      lo = i;
      hi = i + win - 1;
      show();
      emit();
      i++;
    };
    step();
    timer = setInterval(step, 700);
  });
  const caption = h('span', { class: 'muted small tstrip-caption' }, t('workbench.strip', { n: formatInt(tl.claims), first: tl.first ?? '', last: tl.last ?? '' }));
  replace(el, h('div', { class: 'tstrip-head' }, caption, play), svgEl);
  (el as HTMLElement & { stop?: () => void }).stop = stop;
  return el;
}
