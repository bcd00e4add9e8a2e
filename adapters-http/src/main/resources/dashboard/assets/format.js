// Formatting helpers: durations, times and counts as people read them.

const pad = (n) => String(n).padStart(2, '0');

/** "850 ms", "12 s", "2 min 05 s", "1 h 04 min". */
export function duration(ms) {
  if (ms == null || !isFinite(ms)) {
    return '—';
  }
  if (ms < 1000) {
    return `${Math.max(0, Math.round(ms))} ms`;
  }
  const s = Math.round(ms / 1000);
  if (s < 60) {
    return `${s} s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m} min ${pad(s % 60)} s`;
  }
  return `${Math.floor(m / 60)} h ${pad(m % 60)} min`;
}

/** A countdown in whole seconds, rounded up: "45s", "2m 05s", "1h 02m". */
export function countdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  if (total < 60) {
    return `${total}s`;
  }
  const m = Math.floor(total / 60);
  if (m < 60) {
    return `${m}m ${pad(total % 60)}s`;
  }
  return `${Math.floor(m / 60)}h ${pad(m % 60)}m`;
}

/** Local wall-clock time of an ISO instant: "14:03:27". */
export function clock(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local date and time: "2 Mar 14:03". */
export function dateTime(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d.getDate()} ${months[d.getMonth()]} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "12 s ago", "3 min ago", "2 h ago". */
export function ago(iso, nowMs) {
  if (!iso) {
    return 'never';
  }
  const s = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (s < 3) {
    return 'just now';
  }
  if (s < 60) {
    return `${s} s ago`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ago`;
  }
  return `${Math.floor(s / 3600)} h ago`;
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function shortId(id) {
  return id ? id.slice(0, 8) : '—';
}

/** "hard_limited" → "hard limited". */
export function words(code) {
  return code ? code.replace(/_/g, ' ') : '';
}
