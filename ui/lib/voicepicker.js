// A voice picker: search presets and voices, adjust rate and pitch, blend
// two variants (a mix), and hear a preview. It edits a voice spec string
// such as "espeak:en-gb-scotland+m3:60+f2:40,rate=170,pitch=40" and calls
// onChange(spec) when the user settles on one.
import { h, toast, set } from './dom.js';
import { api } from './api.js';

// The node's catalogue (GET /api/voices), normalised for the picker:
// voices {spec, name, language, gender}, presets {name, spec,
// description}, variants [name].
let catalogue = null;
export async function voices() {
  if (!catalogue) {
    catalogue = api.get('/api/voices').then((c) => ({
      voices: (c.voices || []).map((v) => ({ spec: `${c.engine || 'espeak'}:${v.lang}`, name: v.name, language: v.lang, gender: v.gender })),
      presets: (c.presets || []).map((p) => ({ name: p.role || p.name, spec: p.spec, description: p.description })),
      variants: (c.variants || []).map((v) => (typeof v === 'string' ? v : v.name)),
    })).catch((e) => { catalogue = null; throw e; });
  }
  return catalogue;
}

// "espeak:en-us+m3:60+f2:40,rate=170" -> {engine, lang, mix:[[v,w]], params}
export function parseSpec(spec) {
  const out = { engine: 'espeak', lang: 'en-us', mix: [], params: {} };
  if (!spec) return out;
  const [head, ...params] = spec.split(',');
  const colon = head.indexOf(':');
  out.engine = colon > 0 ? head.slice(0, colon) : 'espeak';
  const [lang, ...variants] = (colon > 0 ? head.slice(colon + 1) : head).split('+');
  out.lang = lang;
  out.mix = variants.map((v) => { const [n, w] = v.split(':'); return [n, w ? Number(w) : 100]; });
  for (const p of params) { const [k, v] = p.split('='); if (k) out.params[k.trim()] = v; }
  return out;
}

export function formatSpec(p) {
  let s = `${p.engine}:${p.lang}`;
  if (p.mix.length === 1) s += `+${p.mix[0][0]}`;
  else if (p.mix.length > 1) s += p.mix.map(([v, w]) => `+${v}:${w}`).join('');
  for (const [k, v] of Object.entries(p.params)) if (v !== undefined && v !== '') s += `,${k}=${v}`;
  return s;
}

export function voiceLabel(spec, cat) {
  if (!spec) return 'Default voice';
  const preset = cat?.presets?.find((p) => p.spec === spec);
  return preset ? preset.name : spec;
}

// Build a picker. Returns {el, value()}.
export function picker({ value, sample, onChange, label = 'Voice', placeholder = '' }) {
  let spec = value || '';
  const id = `vp-${Math.random().toString(36).slice(2)}`;
  const search = h('input', { type: 'search', placeholder: 'Search voices and presets', 'aria-label': `${label}: search`, autocomplete: 'off' });
  const list = h('select', { size: 6, 'aria-label': label, id });
  const specInput = h('input.spec', { type: 'text', value: spec, placeholder, 'aria-label': `${label}: spec`, spellcheck: 'false' });
  const rate = h('input', { type: 'range', min: 80, max: 450, step: 5, 'aria-label': 'Rate (words per minute)' });
  const pitch = h('input', { type: 'range', min: 0, max: 99, step: 1, 'aria-label': 'Pitch' });
  const mixVariant = h('select', { 'aria-label': 'Blend with variant' }, h('option', { value: '' }, 'no blend'));
  const mixWeight = h('input', { type: 'range', min: 5, max: 95, step: 5, value: 40, 'aria-label': 'Blend weight (%)' });
  const status = h('span.muted', { role: 'status' });

  const commit = (next) => {
    spec = next;
    specInput.value = spec;
    syncControls();
    onChange?.(spec);
  };

  function syncControls() {
    const p = parseSpec(spec);
    rate.value = p.params.rate || 175;
    pitch.value = p.params.pitch || 50;
    const second = p.mix[1];
    mixVariant.value = second ? second[0] : '';
    if (second) mixWeight.value = second[1];
  }

  function fill(cat) {
    const q = search.value.trim().toLowerCase();
    const match = (...t) => !q || t.some((x) => (x || '').toLowerCase().includes(q));
    const presets = cat.presets.filter((p) => match(p.name, p.description, p.spec));
    const vs = cat.voices.filter((v) => match(v.name, v.language, v.description, v.spec, v.gender));
    set(list, 
      presets.length ? h('optgroup', { label: 'Presets' }, presets.map((p) => h('option', { value: p.spec, selected: p.spec === spec }, `${p.name} — ${p.description || p.spec}`))) : null,
      vs.length ? h('optgroup', { label: 'Voices' }, vs.slice(0, 400).map((v) => h('option', { value: v.spec, selected: v.spec === spec }, `${v.name} (${v.language}${v.gender ? `, ${v.gender}` : ''})`))) : null,
    );
    set(mixVariant, h('option', { value: '' }, 'no blend'),
      (cat.variants || []).map((v) => h('option', { value: v }, v)));
    syncControls();
  }

  voices().then(fill).catch((e) => { status.textContent = `Voices unavailable: ${e.message}`; });
  search.addEventListener('input', () => voices().then(fill));
  list.addEventListener('change', () => commit(list.value));
  specInput.addEventListener('change', () => commit(specInput.value.trim()));
  const adjust = () => {
    const p = parseSpec(spec || 'espeak:en-us');
    p.params.rate = rate.value;
    p.params.pitch = pitch.value;
    const base = p.mix[0]?.[0] || 'm1';
    if (mixVariant.value) p.mix = [[base, 100 - Number(mixWeight.value)], [mixVariant.value, Number(mixWeight.value)]];
    else p.mix = p.mix.length ? [[base, 100]] : [];
    commit(formatSpec(p));
  };
  for (const c of [rate, pitch, mixWeight]) c.addEventListener('change', adjust);
  mixVariant.addEventListener('change', adjust);

  const play = h('button', {
    type: 'button', 'aria-label': 'Preview this voice', title: 'Preview',
    onclick: async () => {
      if (!spec) return;
      status.textContent = 'Rendering preview…';
      try {
        const r = await api.post('/api/previews', { voice: spec, text: sample || 'Hello! This is how I sound.' });
        status.textContent = '';
        new Audio(r.audio).play();
      } catch (e) {
        status.textContent = '';
        toast(`Preview failed: ${e.message}`, 'error');
      }
    },
  }, '▶ Preview');

  const el = h('div.picker', search, list,
    h('div.row', specInput, play, status),
    h('details.adjust', h('summary', 'Adjust and blend'),
      h('label', 'Rate ', rate), h('label', 'Pitch ', pitch),
      h('label', 'Blend with ', mixVariant), h('label', 'Blend weight ', mixWeight)));
  return { el, value: () => spec };
}
