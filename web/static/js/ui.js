// The bridge to the component libraries, which index.html loads as
// classic scripts (their UMD builds, vendored from npm): Vue 3's runtime,
// Element Plus for the desk pages, Vant for the phone pages, Leaflet for
// maps. The pages are render functions (h), not templates: templates
// would need Vue's compiler in the page, which evaluates strings as code,
// and the Content-Security-Policy allows no such thing.
import { lang } from './i18n.js';
import vantEnglish from '../vendor/vant/en-US.js';

export const Vue = window.Vue;
export const { h, ref, reactive, computed, watch, onMounted, onBeforeUnmount, nextTick, defineComponent } = Vue;
export const El = window.ElementPlus;
export const Vant = window.vant;
export const L = window.L;

const mounted = [];

// mount draws component into el as a Vue app with both libraries in the
// chosen language; unmountAll (before the next page) takes it down again.
export function mount(el, component, props) {
  const app = Vue.createApp(component, props);
  app.use(El, { locale: lang === 'en' ? window.ElementPlusLocaleEn : window.ElementPlusLocaleZhCn });
  if (lang === 'en') Vant.Locale.use('en-US', vantEnglish);
  else Vant.Locale.use('zh-CN');
  app.config.errorHandler = (err) => console.error(err);
  app.mount(el);
  mounted.push(app);
  return app;
}

export function unmountAll() {
  while (mounted.length) mounted.pop().unmount();
}

// message shows a short note (Element Plus's message, which both kinds of
// page may use).
export function message(text, type = 'success') {
  El.ElMessage({ message: text, type, grouping: true });
}

// errorText is what a refusal says, with the fields it names.
export function errorText(e) {
  const fields = Object.entries(e.fields || {}).map(([k, v]) => k + ': ' + v);
  return [e.message, ...fields].filter(Boolean).join('；');
}

// newKey is an Idempotency-Key: random, so that the same request sent
// again (a lost answer, a retry) is taken once.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// left says how long until (or since) a deadline: "2天3小时", "-4h".
export function left(due, now = Date.now()) {
  if (!due) return '';
  let ms = new Date(due).getTime() - now;
  const late = ms < 0;
  ms = Math.abs(ms);
  const d = Math.floor(ms / 86400000), hr = Math.floor(ms / 3600000) % 24, min = Math.floor(ms / 60000) % 60;
  const zh = lang !== 'en';
  const parts = d ? [d + (zh ? '天' : 'd'), hr + (zh ? '小时' : 'h')] : hr ? [hr + (zh ? '小时' : 'h'), min + (zh ? '分' : 'm')] : [min + (zh ? '分' : 'm')];
  const s = parts.join(zh ? '' : ' ');
  return late ? (zh ? '超期 ' : 'late ') + s : (zh ? '剩余 ' : '') + s + (zh ? '' : ' left');
}

// loading shows Element Plus's loading mask over node while busy.
export function loading(node, busy) {
  return Vue.withDirectives(node, [[El.vLoading, busy]]);
}
