// warmpool dashboard: pools view and preset view, refreshed by short polling of the REST API.
import { api, ApiError } from './api.js';
import { ago, clock, countdown, dateTime, duration, plural, shortId, words } from './format.js';
import { poolChart } from './chart.js';

const POLL_MS = 2000;
const DETAIL_EVERY = 2; // the preset view's history is read every second status poll
const HISTORY_HOURS = 6;
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

const state = {
  status: null,
  offset: 0, // server clock minus browser clock, from the last status
  polls: 0,
  route: { view: 'pools' },
  detail: null,
  detailError: null,
  timer: null,
};

const $ = (id) => document.getElementById(id);
const serverNow = () => Date.now() + state.offset;

/** Creates an element: attributes (class, text, on*, data-*, aria-*) and children. */
function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) {
      continue;
    }
    if (k === 'class') {
      e.className = v;
    } else if (k === 'text') {
      e.textContent = v;
    } else if (k.startsWith('on')) {
      e.addEventListener(k.slice(2), v);
    } else {
      e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat()) {
    if (c != null && c !== false) {
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  return e;
}

function setText(e, text) {
  if (e.textContent !== text) {
    e.textContent = text;
  }
}

// ---- status of a preset ---------------------------------------------------------------------------------

function statusOf(p) {
  if (!p.active) {
    return { code: 'inactive', label: 'inactive' };
  }
  if (p.status === 'healthy' && p.backoffUntil && Date.parse(p.backoffUntil) > serverNow()) {
    return { code: 'backoff', label: 'backing off' };
  }
  return { code: p.status, label: words(p.status) };
}

function needsResume(p) {
  return p.active && (p.status !== 'healthy' || (p.backoffUntil && Date.parse(p.backoffUntil) > serverNow()));
}

function countdownText(until) {
  if (!until) {
    return '—';
  }
  const left = Date.parse(until) - serverNow();
  return left > 0 ? countdown(left) : 'retrying…';
}

function presetPath(p) {
  return `/presets/${encodeURIComponent(p.template)}/${encodeURIComponent(p.name)}`;
}

// ---- messages ---------------------------------------------------------------------------------------------

function toast(message, kind = 'ok') {
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×');
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', { text: message }), close);
  close.addEventListener('click', () => item.remove());
  $('toasts').append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 12000 : 6000);
}

function connectionProblem(error) {
  const banner = $('conn-banner');
  if (!error) {
    banner.hidden = true;
    return;
  }
  banner.hidden = false;
  setText(banner, error.status === 401 ? error.message : `${error.message} Retrying every ${POLL_MS / 1000} s.`);
}

// ---- confirmation dialog -------------------------------------------------------------------------------------

/**
 * Asks before an action. `run(owner)` performs it; an error keeps the dialog open with the message.
 * Resolves once the dialog is closed.
 */
function confirmAction({ title, body, confirm, danger = false, owner = false, run }) {
  const dialog = $('confirm');
  const form = $('confirm-form');
  const ok = $('confirm-ok');
  const error = $('confirm-error');
  const ownerInput = $('confirm-owner');
  setText($('confirm-title'), title);
  setText($('confirm-body'), body);
  setText(ok, confirm);
  ok.className = danger ? 'btn btn-danger' : 'btn btn-primary';
  ok.disabled = false;
  error.hidden = true;
  $('confirm-owner-row').hidden = !owner;
  ownerInput.value = '';
  ownerInput.removeAttribute('aria-invalid');

  return new Promise((resolve) => {
    const finish = () => {
      form.removeEventListener('submit', onSubmit);
      $('confirm-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('close', onClose);
      resolve();
    };
    const onClose = () => finish();
    const onCancel = () => dialog.close();
    const onSubmit = async (event) => {
      event.preventDefault();
      let value;
      if (owner) {
        value = ownerInput.value.trim();
        if (!NAME.test(value) || value === 'prebuilds') {
          ownerInput.setAttribute('aria-invalid', 'true');
          error.hidden = false;
          setText(error, value === 'prebuilds'
            ? 'The owner "prebuilds" is reserved for the pool itself.'
            : 'Enter an owner: lowercase letters, digits and dashes, starting with a letter or digit.');
          ownerInput.focus();
          return;
        }
      }
      ok.disabled = true;
      error.hidden = true;
      try {
        await run(value);
        dialog.close();
        refreshSoon();
      } catch (e) {
        error.hidden = false;
        setText(error, e instanceof ApiError ? e.message : String(e));
        ok.disabled = false;
      }
    };
    form.addEventListener('submit', onSubmit);
    $('confirm-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    (owner ? ownerInput : $('confirm-cancel')).focus();
  });
}

// ---- actions ----------------------------------------------------------------------------------------------

function pauseOrResume() {
  const paused = state.status && state.status.paused;
  return confirmAction(paused ? {
    title: 'Resume reconciliation?',
    body: 'Passes start again on every replica: pools are refilled, expired and extraneous prebuilds are deleted.',
    confirm: 'Resume reconciliation',
    run: async () => {
      await api('POST', '/reconciliation/resume');
      toast('Reconciliation resumed.');
    },
  } : {
    title: 'Pause reconciliation?',
    body: 'Every replica stops planning: no prebuilds are created or deleted until you resume. Jobs already queued still run and claims are still served.',
    confirm: 'Pause reconciliation',
    danger: true,
    run: async () => {
      await api('POST', '/reconciliation/pause');
      toast('Reconciliation paused.');
    },
  });
}

function claim(p) {
  return confirmAction({
    title: `Claim a prebuild of ${p.preset}?`,
    body: 'The oldest ready prebuild is handed to the owner at once; the pool refills it on the next pass.',
    confirm: 'Claim',
    owner: true,
    run: async (owner) => {
      const ws = await api('POST', `${presetPath(p)}/claims`, { owner });
      toast(`Claimed ${ws.name} (${shortId(ws.id)}) for ${ws.owner}.`);
    },
  });
}

function resume(p) {
  return confirmAction({
    title: `Resume ${p.preset}?`,
    body: `Clears its ${words(p.status)} state and backoff; the failure count (${p.consecutiveFailures}) is kept, so one probe create goes first.`,
    confirm: 'Resume preset',
    run: async () => {
      const r = await api('POST', `${presetPath(p)}/resume`);
      toast(`${r.preset}: ${words(r.from)} → ${words(r.to)}.`);
    },
  });
}

function invalidate(p) {
  return confirmAction({
    title: `Invalidate ${p.preset}?`,
    body: 'Every current prebuild of this preset is replaced by a fresh one. Claimed workspaces are not touched.',
    confirm: 'Invalidate prebuilds',
    danger: true,
    run: async () => {
      await api('POST', `${presetPath(p)}/invalidate`);
      toast(`${p.preset}: prebuilds invalidated; replacements are on their way.`);
    },
  });
}

function release(ws) {
  return confirmAction({
    title: `Release ${ws.name}?`,
    body: `The workspace of ${ws.owner} (${shortId(ws.id)}) is deleted. This cannot be undone.`,
    confirm: 'Release workspace',
    danger: true,
    run: async () => {
      await api('DELETE', `/workspaces/${encodeURIComponent(ws.id)}`);
      toast(`Released ${ws.name}; it is being deleted.`);
    },
  });
}

// ---- header and banner ------------------------------------------------------------------------------------

function renderHeader() {
  const s = state.status;
  const pill = $('state-pill');
  pill.className = `pill ${s.paused ? 'pill-paused' : 'pill-running'}`;
  setText(pill, s.paused ? 'Paused' : 'Reconciling');
  const toggle = $('toggle-pause');
  toggle.disabled = false;
  setText(toggle, s.paused ? 'Resume reconciliation' : 'Pause reconciliation');
  toggle.className = s.paused ? 'btn btn-primary' : 'btn';
  $('paused-banner').hidden = !s.paused;
  document.body.classList.toggle('is-paused', s.paused);
  renderPassInfo();
}

function renderPassInfo() {
  const last = state.status && state.status.lastPass;
  const info = $('pass-info');
  if (!last) {
    setText(info, 'No pass recorded yet');
    return;
  }
  const bits = [`Last pass ${clock(last.startedAt)} (${ago(last.startedAt, serverNow())})`,
    `took ${duration(last.durationMs)}`, plural(last.presets, 'preset')];
  if (last.creates || last.deletes) {
    bits.push(`${last.creates} created, ${last.deletes} deleted`);
  }
  bits.push(`on ${last.replica}`);
  setText(info, bits.join(' · '));
  info.title = `Started ${dateTime(last.startedAt)} by replica ${last.replica}`;
}

// ---- pools view ---------------------------------------------------------------------------------------------

function summaryCard(label, value, note, kind) {
  return h('div', { class: `stat${kind ? ' stat-' + kind : ''}` },
    h('div', { class: 'stat-label', text: label }),
    h('div', { class: 'stat-value', text: value }),
    note ? h('div', { class: 'stat-note', text: note }) : null);
}

function renderSummary() {
  const active = state.status.presets.filter((p) => p.active);
  const sum = (f) => active.reduce((n, p) => n + f(p), 0);
  const eligible = sum((p) => p.eligible);
  const desired = sum((p) => p.desired);
  const failing = active.filter((p) => p.status !== 'healthy' || p.consecutiveFailures > 0).length;
  const limited = active.filter((p) => p.status !== 'healthy').length;
  $('summary').replaceChildren(
    summaryCard('Presets', String(active.length),
      state.status.presets.length > active.length ? `${state.status.presets.length - active.length} inactive version(s) draining` : 'all active'),
    summaryCard('Ready', `${eligible} / ${desired}`, desired ? `${Math.round((100 * eligible) / desired)}% of desired` : 'nothing desired',
      eligible >= desired ? 'ok' : null),
    summaryCard('Starting', String(sum((p) => p.starting)), `${state.status.queuedCreates} queued`
      + (sum((p) => p.provisioned || 0) ? `, ${sum((p) => p.provisioned || 0)} not ready yet` : '')),
    summaryCard('Failing presets', String(failing), limited ? `${limited} stopped (resume needed)` : 'none stopped',
      limited ? 'bad' : failing ? 'warn' : 'ok'));
}

function poolRow(p) {
  const link = h('a', { href: `#${presetPath(p)}`, class: 'preset-link', text: p.preset });
  const claimBtn = h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'claim',
    'aria-label': `Claim a prebuild of ${p.preset}` }, 'Claim…');
  const resumeBtn = h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'resume',
    'aria-label': `Resume ${p.preset}` }, 'Resume…');
  const row = h('tr', { 'data-preset': p.preset, 'data-version': p.version, 'data-active': String(p.active) },
    h('td', { 'data-label': 'Preset' }, link, h('span', { class: 'version', text: p.version })),
    h('td', { 'data-label': 'Status' }, h('span', { class: 'badge', 'data-col': 'status' }),
      h('span', { class: 'blocked small', 'data-col': 'blocked' })),
    h('td', { 'data-label': 'Eligible / desired' },
      h('div', { class: 'pool' },
        h('span', { class: 'pool-count' }, h('span', { 'data-col': 'eligible' }), ' / ', h('span', { 'data-col': 'desired' })),
        h('span', { class: 'meter', 'aria-hidden': 'true' }, h('span', { class: 'meter-fill' })))),
    h('td', { class: 'num', 'data-label': 'Starting', 'data-col': 'starting' }),
    h('td', { class: 'num', 'data-label': 'Failed', 'data-col': 'failed' }),
    h('td', { class: 'num', 'data-label': 'Failures', 'data-col': 'failures' }),
    h('td', { 'data-label': 'Backoff' }, h('span', { class: 'countdown', 'data-col': 'backoff' })),
    h('td', { class: 'actions' }, claimBtn, resumeBtn));
  row._preset = p;
  claimBtn.addEventListener('click', () => claim(row._preset));
  resumeBtn.addEventListener('click', () => resume(row._preset));
  return row;
}

function updatePoolRow(row, p) {
  row._preset = p;
  row.dataset.active = String(p.active); // a version stops being active while its row is shown
  const cell = (name) => row.querySelector(`[data-col="${name}"]`);
  const st = statusOf(p);
  const badge = cell('status');
  badge.className = `badge badge-${st.code}`;
  setText(badge, st.label);
  const redundant = !p.blocked || p.blocked.reason === 'backoff' || p.blocked.reason === p.status;
  setText(cell('blocked'), redundant ? '' : `blocked: ${words(p.blocked.reason)}`);
  setText(cell('eligible'), String(p.eligible));
  setText(cell('desired'), String(p.desired));
  const fill = row.querySelector('.meter-fill');
  fill.style.width = `${p.desired ? Math.min(100, (100 * p.eligible) / p.desired) : p.eligible ? 100 : 0}%`;
  fill.classList.toggle('meter-short', p.eligible < p.desired);
  setText(cell('starting'), String(p.starting));
  setText(cell('failed'), String(p.failed));
  setText(cell('failures'), String(p.consecutiveFailures));
  const backoff = cell('backoff');
  if (p.backoffUntil) {
    backoff.dataset.until = p.backoffUntil;
  } else {
    delete backoff.dataset.until;
  }
  setText(backoff, p.status === 'hard_limited' ? 'until resumed' : countdownText(p.backoffUntil));
  row.querySelector('[data-action="claim"]').hidden = !p.active;
  row.querySelector('[data-action="resume"]').hidden = !needsResume(p);
  row.classList.toggle('row-inactive', !p.active);
  row.classList.toggle('row-bad', p.active && p.status !== 'healthy');
}

function renderPools() {
  renderSummary();
  const body = $('pools-body');
  const existing = new Map([...body.children].map((r) => [`${r.dataset.preset}@${r.dataset.version}`, r]));
  const wanted = state.status.presets;
  wanted.forEach((p, i) => {
    const key = `${p.preset}@${p.version}`;
    let row = existing.get(key);
    if (!row) {
      row = poolRow(p);
    }
    existing.delete(key);
    updatePoolRow(row, p);
    if (body.children[i] !== row) {
      body.insertBefore(row, body.children[i] || null);
    }
  });
  existing.forEach((r) => r.remove());
  $('pools-empty').hidden = wanted.length > 0;
  const failures = Object.entries(state.status.failures || {});
  const box = $('plan-failures');
  box.hidden = failures.length === 0;
  if (failures.length) {
    box.replaceChildren(h('h2', { text: 'Presets that could not be planned' }),
      h('ul', {}, failures.map(([id, why]) => h('li', {}, h('code', { text: id }), ` ${why}`))));
  }
  setText($('refreshed'), `Updated ${clock(state.status.at)} · refreshes every ${POLL_MS / 1000} s`);
}

// ---- preset view --------------------------------------------------------------------------------------------

function findPreset(template, name) {
  const all = state.status ? state.status.presets.filter((p) => p.template === template && p.name === name) : [];
  return all.find((p) => p.active) || all[0] || null;
}

function buildPresetView(template, name) {
  const section = $('view-preset');
  const ref = `${template}/${name}`;
  section.replaceChildren(
    h('a', { href: '#/', class: 'back' }, '← All pools'),
    h('div', { class: 'preset-head' },
      h('div', { class: 'preset-title' },
        h('h1', { id: 'preset-title', tabindex: '-1', text: ref }),
        h('span', { class: 'version', id: 'pv-version' }),
        h('span', { class: 'badge', id: 'pv-status' })),
      h('div', { class: 'preset-actions' },
        h('button', { type: 'button', class: 'btn', id: 'pv-claim' }, 'Claim…'),
        h('button', { type: 'button', class: 'btn', id: 'pv-resume' }, 'Resume…'),
        h('button', { type: 'button', class: 'btn btn-danger-outline', id: 'pv-invalidate' }, 'Invalidate…'))),
    h('div', { class: 'summary summary-6', id: 'pv-stats' }),
    h('section', { class: 'card autoscale', id: 'pv-autoscale', 'aria-labelledby': 'pv-autoscale-title', hidden: true },
      h('div', { class: 'card-head' }, h('h2', { id: 'pv-autoscale-title', text: 'Autoscale: why desired is what it is' }),
        h('span', { class: 'muted small', id: 'pv-autoscale-policy' })),
      h('div', { class: 'summary summary-6', id: 'pv-autoscale-facts' }),
      h('p', { class: 'muted small', id: 'pv-autoscale-why' })),
    h('div', { class: 'preset-grid' },
      h('div', { class: 'col' },
        h('section', { class: 'card', 'aria-labelledby': 'pv-chart-title' },
          h('div', { class: 'card-head' }, h('h2', { id: 'pv-chart-title', text: 'Eligible against desired' }),
            h('span', { class: 'legend' },
              h('span', { class: 'key key-eligible' }), 'eligible',
              h('span', { class: 'key key-desired' }), 'desired')),
          h('div', { id: 'pv-chart', class: 'chart-wrap' }),
          h('p', { class: 'muted small', id: 'pv-chart-note' })),
        h('section', { class: 'card', 'aria-labelledby': 'pv-builds-title' },
          h('div', { class: 'card-head' }, h('h2', { id: 'pv-builds-title', text: 'Recent builds' })),
          h('div', { id: 'pv-builds' }))),
      h('div', { class: 'col' },
        h('section', { class: 'card', 'aria-labelledby': 'pv-schedule-title' },
          h('div', { class: 'card-head' }, h('h2', { id: 'pv-schedule-title', text: "Today's schedule" }),
            h('span', { class: 'muted small', id: 'pv-zone' })),
          h('div', { id: 'pv-schedule' })),
        h('section', { class: 'card', 'aria-labelledby': 'pv-claims-title' },
          h('div', { class: 'card-head' }, h('h2', { id: 'pv-claims-title', text: 'Claims in the last hour' })),
          h('div', { id: 'pv-claims', class: 'claims' })),
        h('section', { class: 'card', 'aria-labelledby': 'pv-ws-title' },
          h('div', { class: 'card-head' }, h('h2', { id: 'pv-ws-title', text: 'Claimed workspaces' })),
          h('div', { id: 'pv-workspaces' })))));
  $('pv-claim').addEventListener('click', () => claim(findPreset(template, name)));
  $('pv-resume').addEventListener('click', () => resume(findPreset(template, name)));
  $('pv-invalidate').addEventListener('click', () => invalidate(findPreset(template, name)));
  section.dataset.preset = ref;
}

function renderPresetStatus() {
  const { template, name } = state.route;
  const p = findPreset(template, name);
  if (!p) {
    $('pv-stats').replaceChildren(h('p', { class: 'empty', text: `There is no preset ${template}/${name}.` }));
    setText($('pv-version'), '');
    $('pv-status').hidden = true;
    $('pv-claim').hidden = true;
    $('pv-invalidate').hidden = true;
    $('pv-resume').hidden = true;
    return;
  }
  $('pv-status').hidden = false;
  const st = statusOf(p);
  setText($('pv-version'), p.version);
  const badge = $('pv-status');
  badge.className = `badge badge-${st.code}`;
  setText(badge, st.label);
  $('pv-claim').hidden = !p.active;
  $('pv-invalidate').hidden = !p.active;
  $('pv-resume').hidden = !needsResume(p);
  const backoff = h('span', { class: 'countdown', 'data-col': 'backoff' });
  if (p.backoffUntil) {
    backoff.dataset.until = p.backoffUntil;
  }
  backoff.textContent = p.status === 'hard_limited' ? 'until resumed' : countdownText(p.backoffUntil);
  const backoffStat = h('div', { class: `stat${p.backoffUntil || p.status !== 'healthy' ? ' stat-warn' : ''}` },
    h('div', { class: 'stat-label', text: 'Backoff' }), h('div', { class: 'stat-value' }, backoff),
    h('div', { class: 'stat-note', text: p.retryNotBefore ? `retry not before ${clock(p.retryNotBefore)}` : 'not backing off' }));
  $('pv-stats').replaceChildren(
    summaryCard('Desired', String(p.desired), !p.active ? 'inactive version'
      : p.autoscale ? 'now, by autoscale (below)' : 'now, by the schedule'),
    summaryCard('Eligible', String(p.eligible), `${p.running} running, ${p.expired} expired`
      + (p.claiming ? `, ${p.claiming} being handed over` : ''), p.eligible >= p.desired ? 'ok' : null),
    summaryCard('Starting', String(p.starting), `${p.queued} queued` + (p.provisioned ? `, ${p.provisioned} not ready yet` : '')),
    summaryCard('Failed', String(p.failed), 'kept for cleanup' + (p.unhealthy ? `, ${p.unhealthy} unhealthy (replacing)` : '')),
    summaryCard('Failures in a row', String(p.consecutiveFailures),
      p.lastFailureAt ? `last at ${clock(p.lastFailureAt)}` : 'no failure', p.consecutiveFailures ? 'warn' : 'ok'),
    backoffStat);
  renderAutoscale(p.autoscale);
}

const pct = (ratio) => `${(100 * ratio).toFixed(2)}%`;

/** Where the forecast came from (API.md AutoscaleView {@code source}), as people read it. */
function forecastSource(a) {
  switch (a.source) {
    case 'hour_of_week': return `${a.historyClaims} claims in ${plural(a.historyHours, 'past ' + a.hourOfWeek + ' hour')}`;
    case 'history_average': return `${a.historyClaims} claims in ${plural(a.historyHours, 'hour')} of history`;
    case 'last_hour': return `the last hour (${a.claimsLastHour} claims; average ${a.historyAverage.toFixed(2)}/h)`;
    case 'no_history': return 'no history yet';
    default: return words(a.source);
  }
}

/** R13: the numbers behind an autoscaled preset's desired count (SPEC R13), or nothing for other presets. */
function renderAutoscale(a) {
  const card = $('pv-autoscale');
  card.hidden = !a;
  if (!a) {
    return;
  }
  setText($('pv-autoscale-policy'), `target ${pct(a.targetHitRate)} · min ${a.min} · max ${a.max} · lookback ${a.lookback}`);
  const fact = (name, label, value, note, kind) => {
    const e = summaryCard(label, value, note, kind);
    e.dataset.fact = name;
    return e;
  };
  const floor = a.windowFloor != null ? `, window floor ${a.windowFloor}` : '';
  $('pv-autoscale-facts').replaceChildren(
    fact('forecast', 'Forecast', `${a.forecastClaimsPerHour.toFixed(2)}/h`,
      `claims for ${a.hourOfWeek} ${a.timezone}, from ${forecastSource(a)}`),
    fact('build-time', 'Build time T', a.buildTime,
      a.buildTimeDefault ? 'default: no build measured yet' : `p90 of the last ${plural(a.buildSamples, 'build')}`),
    fact('load', 'Offered load', a.offeredLoad.toFixed(2), 'forecast × T, in Erlangs'),
    fact('needed', 'N', String(a.needed), a.cappedByMax ? `max ${a.max} is too small for the target`
      : 'smallest pool reaching the target', a.cappedByMax ? 'warn' : null),
    fact('desired', 'Desired', String(a.desired), `N within ${a.min}–${a.max}${floor}`),
    // No claim forecast: nothing is expected to miss (the formula's 0 for a pool of 0 says nothing then).
    a.forecastClaimsPerHour === 0
      ? fact('hit-rate', 'Expected hit rate', '—', `no claims forecast; target ${pct(a.targetHitRate)}`, 'ok')
      : fact('hit-rate', 'Expected hit rate', pct(a.expectedHitRate), `target ${pct(a.targetHitRate)}`,
        a.expectedHitRate >= a.targetHitRate ? 'ok' : 'warn'));
  setText($('pv-autoscale-why'), a.explanation);
}

/**
 * The wall-clock hour and minute of {@code when} in {@code zone}. A zone the browser does not know (an old server
 * sent "Z" for a preset without a timezone) is read as UTC rather than breaking the page: {zone} says which was used.
 */
function wallClock(zone, when) {
  const read = (timeZone) => {
    const parts = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: 'numeric', hour12: false, timeZone })
      .formatToParts(when);
    const part = (type) => Number(parts.find((x) => x.type === type).value);
    return { hour: part('hour') % 24, minute: part('minute'), zone: timeZone };
  };
  if (zone) {
    try {
      return read(zone);
    } catch (e) {
      if (!(e instanceof RangeError)) {
        throw e;
      }
    }
  }
  return read('UTC');
}

function renderSchedule(a) {
  const now = wallClock(a.timezone, new Date(serverNow()));
  const unscheduled = a.schedule.length === 1 && !a.schedule[0].cron;
  setText($('pv-zone'), `${now.zone === a.timezone ? a.timezone : `${a.timezone || 'no timezone'}, read as UTC`} · ${a.today}`);
  const nowHour = now.hour;
  const max = Math.max(1, ...a.schedule.map((s) => s.instances));
  const bar = h('div', { class: 'day-bar', role: 'img',
    'aria-label': a.schedule.map((s) => `${s.from} to ${s.to}: ${s.instances}`).join('; ') });
  for (const s of a.schedule) {
    const from = Number(s.from.slice(0, 2));
    const to = Number(s.to.slice(0, 2));
    const seg = h('div', { class: `day-seg${s.cron ? ' day-window' : ''}`, title: `${s.from}–${s.to}: ${s.instances}${s.cron ? ' (' + s.cron + ')' : ''}` },
      h('span', { text: String(s.instances) }));
    seg.style.flexGrow = String(to - from);
    seg.style.setProperty('--level', String(s.instances / max));
    bar.append(seg);
  }
  const marker = h('div', { class: 'day-now', title: 'now' });
  marker.style.left = `${((nowHour + now.minute / 60) / 24) * 100}%`;
  bar.append(marker);
  const list = h('ul', { class: 'spans' }, a.schedule.map((s) => {
    const from = Number(s.from.slice(0, 2));
    const to = Number(s.to.slice(0, 2));
    const current = nowHour >= from && nowHour < to;
    return h('li', { class: current ? 'span-now' : null },
      h('span', { class: 'span-hours', text: `${s.from}–${s.to}` }),
      h('span', { class: 'span-size', text: plural(s.instances, 'prebuild') }),
      h('span', { class: 'span-why muted', text: s.cron ? `window ${s.cron}` : unscheduled ? 'all day (no schedule)' : 'default size' }),
      current ? h('span', { class: 'tag', text: 'now' }) : null);
  }));
  $('pv-schedule').replaceChildren(
    h('div', { class: 'day-wrap' }, bar,
      h('div', { class: 'day-axis', 'aria-hidden': 'true' }, ['00', '06', '12', '18', '24'].map((t) => h('span', { text: t })))),
    list);
}

function renderClaims(a) {
  const { served, missed } = a.claims;
  const total = served + missed;
  $('pv-claims').replaceChildren(
    h('div', { class: 'claim-stat' }, h('span', { class: 'claim-num', 'data-col': 'served', text: String(served) }), h('span', { class: 'muted', text: 'served' })),
    h('div', { class: 'claim-stat' }, h('span', { class: `claim-num${missed ? ' bad' : ''}`, 'data-col': 'missed', text: String(missed) }), h('span', { class: 'muted', text: 'missed' })),
    h('div', { class: 'claim-stat' }, h('span', { class: 'claim-num', text: total ? `${Math.round((100 * served) / total)}%` : '—' }), h('span', { class: 'muted', text: 'hit rate' })));
}

function renderChart(a) {
  const since = Date.parse(a.samples.since);
  // The samples are at most one a minute; the pool as the last status saw it ends the line.
  const points = a.samples.points.slice();
  const live = findPreset(state.route.template, state.route.name);
  const now = Math.max(Date.parse(a.at), state.status ? Date.parse(state.status.at) : 0);
  if (live && live.active && state.status) {
    points.push({ at: state.status.at, desired: live.desired, eligible: live.eligible });
  }
  const width = Math.max(320, Math.min(900, $('pv-chart').clientWidth || 640));
  $('pv-chart').replaceChildren(poolChart(points, since, now, width));
  const n = a.samples.points.length;
  setText($('pv-chart-note'), n
    ? `${plural(n, 'sample')} over the last ${HISTORY_HOURS} hours, one a minute at most, as the passes saw the pool.`
    : 'No samples yet: each pass records the pool at most once a minute.');
}

function renderBuilds(builds) {
  if (!builds.length) {
    $('pv-builds').replaceChildren(h('p', { class: 'empty', text: 'No builds yet.' }));
    return;
  }
  const rows = builds.map((b) => {
    const took = b.startedAt && b.finishedAt ? duration(Date.parse(b.finishedAt) - Date.parse(b.startedAt))
      : b.awaitingCallbackUntil ? `awaiting callback until ${clock(b.awaitingCallbackUntil)}`
        : b.status === 'running' ? 'running' : '—';
    const detail = b.error || b.log;
    const tail = detail ? detail.trim().split('\n').slice(-6).join('\n') : '';
    return h('tr', {},
      h('td', { 'data-label': 'When', text: clock(b.createdAt), title: dateTime(b.createdAt) }),
      h('td', { 'data-label': 'Build', text: b.transition + (b.attempt > 1 ? ` (attempt ${b.attempt})` : '') }),
      h('td', { 'data-label': 'Outcome' }, h('span', { class: `badge badge-build-${b.status}`, text: b.status })),
      h('td', { 'data-label': 'Took', class: 'num', text: took }),
      h('td', { 'data-label': 'Workspace' }, h('code', { text: shortId(b.workspace), title: b.workspace })),
      h('td', { 'data-label': 'Error or log', class: 'build-detail' },
        tail ? h('details', { class: b.error ? 'has-error' : null }, h('summary', { text: (b.errorCode ? `${b.errorCode}: ` : '') + (b.error || 'log').split('\n')[0].slice(0, 80) }),
          h('pre', { text: tail })) : h('span', { class: 'muted', text: '—' })));
  });
  $('pv-builds').replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'builds' },
    h('thead', {}, h('tr', {}, ['When', 'Build', 'Outcome', 'Took', 'Workspace', 'Error or log'].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, rows))));
}

function renderWorkspaces(list) {
  const claimed = list.filter((w) => w.claimed && w.phase !== 'deleted');
  if (!claimed.length) {
    $('pv-workspaces').replaceChildren(h('p', { class: 'empty', text: 'None. Claim a prebuild to try the pool out.' }));
    return;
  }
  $('pv-workspaces').replaceChildren(h('ul', { class: 'workspaces' }, claimed.map((w) => {
    const btn = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Release ${w.name}` }, 'Release…');
    btn.addEventListener('click', () => release(w));
    btn.disabled = w.phase === 'deleting';
    return h('li', { 'data-workspace': w.id },
      h('div', {}, h('strong', { text: w.name }), ' ', h('span', { class: 'muted', text: `for ${w.owner}` }),
        h('div', { class: 'muted small', text: `${w.phase} · claimed ${clock(w.claimedAt)} · ${shortId(w.id)}` })),
      btn);
  })));
}

/** Renders one panel; a bug in one panel shows there (and in the console) instead of blanking the others. */
function panel(id, render) {
  try {
    render();
  } catch (e) {
    console.error(`preset view, ${id}:`, e);
    $(id).replaceChildren(h('p', { class: 'empty', text: `This panel could not be shown: ${e.message}` }));
  }
}

/** Says {@code why} in the chart's panel, and a short "none" in the other panels only an active version has. */
function noHistory(why) {
  setText($('pv-zone'), '');
  setText($('pv-chart-note'), '');
  for (const id of ['pv-chart', 'pv-schedule', 'pv-claims', 'pv-builds', 'pv-workspaces']) {
    $(id).replaceChildren(h('p', { class: 'empty', 'data-why': 'no-active-version',
      text: id === 'pv-chart' ? why : 'None: there is no active version.' }));
  }
}

function noHistoryReason(template, name) {
  const p = findPreset(template, name);
  if (!p) {
    return `There is no preset ${template}/${name}.`;
  }
  return `${p.preset} has no active version: ${p.version} is inactive and its prebuilds are being deleted. `
    + 'Schedule, claims, pool history, builds and workspaces are shown for an active version only.';
}

async function loadDetail() {
  const { template, name } = state.route;
  const ref = `${template}/${name}`;
  const path = `/presets/${encodeURIComponent(template)}/${encodeURIComponent(name)}`;
  // A preset's activity, builds and workspaces are served for its active version only (404 otherwise): when the
  // last status says it has none, say so instead of asking.
  const live = findPreset(template, name);
  if (!live || !live.active) {
    noHistory(noHistoryReason(template, name));
    return;
  }
  const absent = (e) => {
    if (e instanceof ApiError && e.status === 404) {
      return null; // retired since the last status
    }
    throw e;
  };
  try {
    const [activity, builds, workspaces] = await Promise.all([
      api('GET', `${path}/activity?hours=${HISTORY_HOURS}`).catch(absent),
      api('GET', `${path}/builds?limit=12`).catch(absent),
      api('GET', `/workspaces?preset=${encodeURIComponent(ref)}&limit=50`).catch(absent),
    ]);
    if (state.route.view !== 'preset' || state.route.template !== template || state.route.name !== name) {
      return;
    }
    if (!activity || !builds || !workspaces) {
      noHistory(noHistoryReason(template, name));
      return;
    }
    panel('pv-schedule', () => renderSchedule(activity));
    panel('pv-claims', () => renderClaims(activity));
    panel('pv-chart', () => renderChart(activity));
    // The lists are pages ({items, next}); the panels show the first page (the latest builds, the newest workspaces).
    panel('pv-builds', () => renderBuilds(builds.items));
    panel('pv-workspaces', () => renderWorkspaces(workspaces.items));
  } catch (e) {
    if (e.status !== 401) {
      toast(e.message, 'error');
    }
  }
}

// ---- polling, ticking and routing ---------------------------------------------------------------------------

async function poll() {
  clearTimeout(state.timer);
  try {
    const status = await api('GET', '/status');
    state.status = status;
    state.offset = Date.parse(status.at) - Date.now();
    connectionProblem(null);
    render();
    if (state.route.view === 'preset' && state.polls % DETAIL_EVERY === 0) {
      loadDetail();
    }
    state.polls++;
  } catch (e) {
    connectionProblem(e instanceof ApiError ? e : new ApiError(String(e), 0));
  }
  state.timer = setTimeout(poll, POLL_MS);
}

function refreshSoon() {
  state.polls = 0;
  clearTimeout(state.timer);
  state.timer = setTimeout(poll, 150);
}

function render() {
  if (!state.status) {
    return;
  }
  renderHeader();
  if (state.route.view === 'pools') {
    renderPools();
  } else {
    renderPresetStatus();
  }
}

function tick() {
  for (const e of document.querySelectorAll('.countdown[data-until]')) {
    setText(e, countdownText(e.dataset.until));
  }
  renderPassInfo();
}

function route() {
  const m = location.hash.match(/^#\/presets\/([^/]+)\/([^/]+)$/);
  if (m) {
    state.route = { view: 'preset', template: decodeURIComponent(m[1]), name: decodeURIComponent(m[2]) };
    buildPresetView(state.route.template, state.route.name);
    document.title = `${state.route.template}/${state.route.name} · warmpool`;
  } else {
    state.route = { view: 'pools' };
    document.title = 'warmpool';
  }
  $('view-pools').hidden = state.route.view !== 'pools';
  $('view-preset').hidden = state.route.view !== 'preset';
  render();
  if (state.route.view === 'preset') {
    if (state.status) {
      loadDetail(); // otherwise the first status poll loads it, knowing whether the preset has an active version
    }
    $('preset-title').focus({ preventScroll: true });
  }
}

function start() {
  $('toggle-pause').addEventListener('click', pauseOrResume);
  $('banner-resume').addEventListener('click', pauseOrResume);
  window.addEventListener('hashchange', route);
  route();
  poll();
  setInterval(tick, 1000);
}

start();
