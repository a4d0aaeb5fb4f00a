// The practice admin's view of the consultations running now (issue 15 item 6): who waits
// how long, and each consultation's call quality over time, charted with uPlot (bundled
// from npm, served from our own origin). Ended consultations stay listed with the quality
// history the server kept (GET /api/v1/admin/quality-history; docs/operations.md
// "Call-quality history"), charted the same way. Only ids, counts, times and link
// figures: the server sends nothing else (GET /api/v1/admin/consultations,
// docs/call-quality.md).
//
// It refreshes every 5 s while the tab is visible, which would keep an unattended
// session alive past the practice's idle logoff: after 10 minutes without a key press or
// pointer movement it stops and offers to resume.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ApiError, apiCall } from '../api';
import { h } from '../dom';
import { t } from '../i18n';

type Level = 'good' | 'fair' | 'poor';

interface QualitySample {
  at: number;
  loss_percent: number;
  rtt_ms: number;
  jitter_ms: number;
  bitrate_bps: number;
  layer: number;
  freeze_count: number;
  score: number;
  quality: Level;
  participants: number;
}

interface LiveConsultation {
  room_id: string;
  participants: number;
  waiting: number;
  waiting_seconds: number[];
  started_at: number | null;
  quality: QualitySample | null;
}

interface KeptHistory {
  room_id: string;
  first_at: number;
  last_at: number;
  samples: number;
  participants: number;
  live: boolean;
}

const REFRESH_MS = 5_000;
// The kept history changes only when a call ends: read it every sixth refresh, and on the
// two refreshes after the number of live consultations changed (an ended call's last
// samples reach the store a moment after it left the live list).
const HISTORY_EVERY = 6;
const HISTORY_AFTER_CHANGE = 2;
const IDLE_STOP_MS = 10 * 60_000;

export class LiveConsultations {
  readonly root: HTMLElement;
  private readonly body = h('tbody');
  private readonly empty = h('p', { class: 'empty' }, t.liveNone);
  private readonly table: HTMLElement;
  private readonly historyBody = h('tbody');
  private readonly historyEmpty = h('p', { class: 'empty' }, t.historyNone);
  private readonly historyTable: HTMLElement;
  private history: KeptHistory[] = [];
  private refreshes = 0;
  private liveCount = -1;
  private historySoon = 0;
  private readonly chartBox = h('figure', { class: 'quality-chart', hidden: true });
  private readonly chartSummary = h('p', { class: 'quality-summary', 'aria-live': 'polite' });
  private readonly paused = h('div', { class: 'live-paused', hidden: true });
  private chart: uPlot | null = null;
  private selected: string | null = null;
  private timer: number | undefined;
  private lastActivity = Date.now();

  constructor(private readonly fail: (err: unknown) => void) {
    this.table = h(
      'table',
      { class: 'live-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[t.liveRoom, t.liveStarted, t.liveInCall, t.liveWaiting, t.liveLongestWait, t.liveQuality, ''].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      this.body,
    );
    this.historyTable = h(
      'table',
      { class: 'live-table history-table', hidden: true },
      h(
        'thead',
        {},
        h('tr', {}, ...[t.liveRoom, t.historyEnded, t.historyDuration, t.historyParticipants, ''].map((c) => h('th', { scope: 'col' }, c))),
      ),
      this.historyBody,
    );
    const resume = h('button', { type: 'button', class: 'btn secondary' }, t.liveResume);
    resume.addEventListener('click', () => {
      this.lastActivity = Date.now();
      this.paused.hidden = true;
      void this.refresh();
    });
    this.paused.append(h('p', {}, t.livePaused), resume);
    this.root = h(
      'section',
      { class: 'live card', 'aria-labelledby': 'live-title' },
      h('h2', { id: 'live-title' }, t.liveTitle),
      this.paused,
      this.empty,
      this.table,
      h(
        'section',
        { class: 'quality-history', 'aria-labelledby': 'history-title' },
        h('h3', { id: 'history-title' }, t.historyTitle),
        this.historyEmpty,
        this.historyTable,
      ),
      this.chartBox,
    );
    for (const type of ['keydown', 'pointermove', 'pointerdown']) {
      document.addEventListener(type, () => {
        this.lastActivity = Date.now();
      }, { passive: true });
    }
  }

  start(): void {
    void this.refresh();
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    if (Date.now() - this.lastActivity > IDLE_STOP_MS) {
      this.paused.hidden = false;
      return;
    }
    this.timer = window.setTimeout(() => {
      if (document.visibilityState === 'visible') {
        void this.refresh();
      } else {
        this.schedule();
      }
    }, REFRESH_MS);
  }

  private async refresh(): Promise<void> {
    try {
      const res = await apiCall<{ consultations: LiveConsultation[]; now: number }>('GET', '/api/v1/admin/consultations', { session: true });
      this.render(res.consultations, res.now);
      if (res.consultations.length !== this.liveCount) {
        this.historySoon = HISTORY_AFTER_CHANGE;
      }
      if (this.refreshes++ % HISTORY_EVERY === 0 || this.historySoon > 0) {
        this.historySoon = Math.max(0, this.historySoon - 1);
        const kept = await apiCall<{ consultations: KeptHistory[] }>('GET', '/api/v1/admin/quality-history', { session: true });
        this.renderHistory(kept.consultations.filter((c) => !res.consultations.some((l) => l.room_id === c.room_id)));
      }
      this.liveCount = res.consultations.length;
      const known = (id: string) => res.consultations.some((c) => c.room_id === id) || this.history.some((c) => c.room_id === id);
      if (this.selected !== null && !known(this.selected)) {
        this.select(null);
      } else if (this.selected === null) {
        const first = res.consultations[0];
        if (first) {
          this.select(first.room_id);
        }
      }
      if (this.selected !== null) {
        await this.loadChart(this.selected);
      }
    } catch (err) {
      this.fail(err);
    }
    this.schedule();
  }

  private renderHistory(list: KeptHistory[]): void {
    this.history = list;
    this.historyEmpty.hidden = list.length > 0;
    this.historyTable.hidden = list.length === 0;
    this.historyBody.replaceChildren(
      ...list.map((c) => {
        const show = h('button', { type: 'button', class: 'btn secondary', 'aria-label': t.liveShowQuality(c.room_id) }, t.liveQuality);
        show.addEventListener('click', () => {
          this.select(c.room_id);
          void this.loadChart(c.room_id).catch(this.fail);
        });
        return h(
          'tr',
          { 'data-room-id': c.room_id, 'aria-current': c.room_id === this.selected ? 'true' : undefined },
          h('th', { scope: 'row' }, c.room_id),
          h('td', {}, new Date(c.last_at * 1000).toLocaleString()),
          h('td', {}, t.liveSeconds(Math.max(0, c.last_at - c.first_at))),
          h('td', {}, String(c.participants)),
          h('td', {}, show),
        );
      }),
    );
  }

  private render(list: LiveConsultation[], now: number): void {
    this.empty.hidden = list.length > 0;
    this.table.hidden = list.length === 0;
    this.body.replaceChildren(
      ...list.map((c) => {
        const show = h('button', { type: 'button', class: 'btn secondary', 'aria-label': t.liveShowQuality(c.room_id) }, t.liveQuality);
        show.addEventListener('click', () => {
          this.select(c.room_id);
          void this.loadChart(c.room_id);
        });
        const longest = c.waiting_seconds.length > 0 ? t.liveSeconds(Math.max(...c.waiting_seconds)) : '–';
        const started = c.started_at === null ? t.liveNotStarted : t.liveSeconds(Math.max(0, now - c.started_at));
        const quality = c.quality ? t.liveQualityWord(c.quality.quality) : t.liveNoData;
        return h(
          'tr',
          { 'data-room-id': c.room_id, 'aria-current': c.room_id === this.selected ? 'true' : undefined },
          h('th', { scope: 'row' }, c.room_id),
          h('td', {}, started),
          h('td', {}, String(c.participants)),
          h('td', {}, String(c.waiting)),
          h('td', {}, longest),
          h('td', { class: c.quality ? `quality-${c.quality.quality}` : '' }, quality),
          h('td', {}, show),
        );
      }),
    );
  }

  private select(roomId: string | null): void {
    this.selected = roomId;
    for (const row of [...this.body.querySelectorAll('tr'), ...this.historyBody.querySelectorAll('tr')]) {
      if (row.getAttribute('data-room-id') === roomId) {
        row.setAttribute('aria-current', 'true');
      } else {
        row.removeAttribute('aria-current');
      }
    }
    if (roomId === null) {
      this.chart?.destroy();
      this.chart = null;
      this.chartBox.hidden = true;
    }
  }

  private async loadChart(roomId: string): Promise<void> {
    let res: { samples: QualitySample[]; live: boolean };
    try {
      res = await apiCall<{ samples: QualitySample[]; live: boolean }>('GET', `/api/v1/admin/consultations/${encodeURIComponent(roomId)}/quality`, { session: true });
    } catch (err) {
      // A call that just ended: its kept history is written a moment later. Keep what
      // the chart shows until then.
      if (err instanceof ApiError && err.status === 404) {
        return;
      }
      throw err;
    }
    if (this.selected !== roomId) {
      return;
    }
    const s = res.samples;
    const data: uPlot.AlignedData = [
      s.map((x) => x.at),
      s.map((x) => x.loss_percent),
      s.map((x) => x.rtt_ms),
      s.map((x) => Math.round(x.bitrate_bps / 1000)),
      s.map((x) => x.freeze_count),
      s.map((x) => x.layer),
    ];
    this.chartBox.hidden = false;
    this.chartBox.setAttribute('aria-label', t.liveChartLabel(roomId));
    this.chartBox.dataset.roomId = roomId;
    this.chartBox.dataset.points = String(s.length);
    this.chartBox.dataset.live = String(res.live);
    const last = s.at(-1);
    this.chartSummary.textContent = last
      ? t.liveLatest(last.loss_percent.toFixed(1), last.rtt_ms.toFixed(0), (last.bitrate_bps / 1000).toFixed(0), last.layer, last.freeze_count)
      : t.liveNoData;
    if (this.chart && this.chart.root.dataset.roomId === roomId) {
      this.chart.setData(data);
      return;
    }
    this.chart?.destroy();
    this.chartBox.replaceChildren(this.chartSummary);
    this.chart = new uPlot(
      {
        width: Math.min(900, Math.max(320, this.root.clientWidth - 32)),
        height: 260,
        // Loss and counts on their own scales; two axes keep it readable, the legend
        // (and the summary above, for screen readers) gives every value.
        scales: { x: { time: true }, pct: {}, ms: {}, kbps: {}, count: {} },
        series: [
          {},
          { label: t.liveSeries.loss, scale: 'pct', stroke: '#b3261e', width: 2 },
          { label: t.liveSeries.rtt, scale: 'ms', stroke: '#0b57d0', width: 2, dash: [6, 4] },
          { label: t.liveSeries.bitrate, scale: 'kbps', stroke: '#1e7b34', width: 2 },
          { label: t.liveSeries.freezes, scale: 'count', stroke: '#6b3fa0', width: 2, dash: [2, 3] },
          { label: t.liveSeries.layer, scale: 'count', stroke: '#4a4f57', width: 1 },
        ],
        axes: [{}, { scale: 'ms', label: 'ms' }, { scale: 'kbps', side: 1, label: 'kbit/s', grid: { show: false } }],
      },
      data,
      this.chartBox,
    );
    this.chart.root.dataset.roomId = roomId;
  }
}
