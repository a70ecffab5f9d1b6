// The dashboard's words, Chinese first, with English beside them. t(key)
// answers in the chosen language, falling back to Chinese, then the key.

const LANG_KEY = 'qilian.lang';

const words = {
  brand: ['督办平台', 'Supervision'],
  switchLang: ['English', '中文'],
  signOut: ['退出', 'Sign out'],
  signIn: ['登录', 'Sign in'],
  signInTitle: ['七联督办平台', 'Qilian supervision'],
  signInHelp: ['请输入用户名和密码。演示环境的账号由 qilian seed --demo 生成。', 'Enter your user name and password. The demo accounts are printed by qilian seed --demo.'],
  username: ['用户名', 'User name'],
  password: ['密码', 'Password'],
  badPassword: ['用户名或密码错误', 'Wrong user name or password'],
  tooMany: ['尝试次数过多，请稍后再试或联系管理员解锁', 'Too many attempts: wait, or ask an admin to unlock you'],
  ssoOr: ['或使用单点登录', 'or use single sign-on'],
  ssoButton: ['单点登录', 'Single sign-on'],
  ssoUnknown: ['此账号未在七联开通，请联系管理员', 'This account has not been set up in Qilian: ask an admin'],
  ssoFailed: ['单点登录未成功，请重试或使用用户名和密码登录', 'Single sign-on did not succeed: try again, or sign in with your user name and password'],
  ssoUnavailable: ['单点登录暂不可用，请稍后再试或使用用户名和密码登录', 'Single sign-on is unavailable for now: try later, or sign in with your user name and password'],
  changePasswordTitle: ['请修改密码', 'Change your password'],
  changePasswordHelp: ['管理员为您设置了一次性密码，请先设置您自己的新密码（至少 10 个字符）。', 'An admin set a one-time password for you: choose your own (at least 10 characters) first.'],
  currentPassword: ['一次性密码', 'One-time password'],
  newPassword: ['新密码', 'New password'],
  newPasswordAgain: ['再次输入新密码', 'New password again'],
  changePassword: ['修改密码', 'Change password'],
  passwordsDiffer: ['两次输入的新密码不一致', 'The two new passwords differ'],
  passwordChanged: ['密码已修改', 'Password changed'],
  navOverdue: ['超期督办', 'Overdue'],
  navDrill: ['分级统计', 'By locality'],
  navScores: ['积分考核', 'Scores'],
  navInbox: ['单位待办', 'Unit inbox'],
  navQueue: ['派单队列', 'Dispatch queue'],
  navCases: ['我的事项', 'My cases'],
  loading: ['加载中…', 'Loading…'],
  empty: ['暂无数据', 'Nothing here'],
  failed: ['加载失败：', 'Could not load: '],
  refresh: ['刷新', 'Refresh'],
  exportCSV: ['导出 CSV', 'Export CSV'],
  exported: ['已导出：', 'Exported: '],
  all: ['全部', 'All'],
  search: ['搜索', 'Search'],
  kind: ['类型', 'Kind'],
  unit: ['责任单位', 'Unit'],
  locality: ['所属区域', 'Locality'],
  level: ['督办等级', 'Escalation'],
  minLevel: ['最低等级', 'At least'],
  lateness: ['超期时长', 'Late by'],
  due: ['截止时间', 'Due'],
  caseTitle: ['事项', 'Case'],
  actions: ['操作', 'Actions'],
  remind: ['催办', 'Remind'],
  notice: ['通报', 'Notice'],
  send: ['发送', 'Send'],
  cancel: ['取消', 'Cancel'],
  notePlaceholder: ['催办/通报内容', 'Text of the reminder or notice'],
  noteRequired: ['请填写通报内容', 'A notice needs its text'],
  reminded: ['已催办', 'Reminder sent'],
  noticed: ['已通报', 'Notice issued'],
  overdueTitle: ['超期督办', 'Overdue board'],
  overdueCount: ['共 {0} 项超期任务', '{0} overdue tasks'],
  shownCount: ['显示 {0} 项', '{0} shown'],
  mostLate200: ['仅列出最严重的 200 项', 'the 200 most late only'],
  days: ['{0}天', '{0}d'], hours: ['{0}小时', '{0}h'], minutes: ['{0}分钟', '{0}m'], seconds: ['{0}秒', '{0}s'],
  lv0: ['未升级', 'none'], lv1: ['催办', 'reminded'], lv2: ['通报', 'notice'], lv3: ['吹哨', 'whistle'], lv4: ['报县级', 'county'],
  caseDetail: ['事项详情', 'Case'],
  back: ['返回', 'Back'],
  state: ['状态', 'State'],
  priority: ['优先级', 'Priority'],
  openedAt: ['登记时间', 'Opened'],
  openedBy: ['登记人', 'Opened by'],
  address: ['地址', 'Address'],
  reporter: ['反映人', 'Reporter'],
  masked: ['（已脱敏）', '(masked)'],
  maskedHelp: ['依《个人信息保护法》最小必要原则，只有开单人、所在地轴心和牵头单位看到完整信息', 'By PIPL\'s rule of the minimum necessary, only the opener, the axis in charge and the lead unit see this in full'],
  reveal: ['查看完整信息', 'Reveal'],
  revealReason: ['查看理由（将记入审计）', 'Why you need it (audited)'],
  revealed: ['已记入审计', 'recorded in the audit'],
  description: ['描述', 'Description'],
  tasks: ['任务', 'Tasks'],
  task: ['任务', 'Task'],
  role: ['角色', 'Role'],
  acceptBy: ['签收时限', 'Accept by'],
  resolveBy: ['办结时限', 'Resolve by'],
  overdue: ['超期', 'Overdue'],
  onTime: ['正常', 'On time'],
  timeline: ['办理过程', 'Timeline'],
  returns: ['退单次数', 'Returns'],
  drillTitle: ['分级统计', 'Cases by locality'],
  cases: ['事项数', 'Cases'],
  overdueN: ['超期数', 'Overdue'],
  byState: ['按状态', 'By state'],
  byKind: ['按类型', 'By kind'],
  children: ['下级区域', 'Below'],
  name: ['名称', 'Name'],
  scoresTitle: ['积分考核', 'Scores'],
  deadlineNear: ['{0}将至', '{0} is near'],
  deadlinePassed: ['已超过{0}', '{0} passed'],
  escalatedTo: ['第{0}级：{1}', 'rung {0}: {1}'],
  provisional: ['暂定', 'provisional'],
  provisionalHelp: ['该期限跨越尚未公布放假安排的年份，按法定节日规则推算（无调休）；官方安排公布后自动重算',
    'This deadline crosses a year whose holiday arrangement is not yet published; it is counted on the statutory rules (no make-up days) and recounted once the official arrangement is in'],
  retimedTo: ['{0}按官方日历重算：{1} → {2}', '{0} recounted on the official calendar: {1} → {2}'],
  period: ['考核期', 'Period'],
  periodHelp: ['如 2026-11、2026-Q4、2026', 'e.g. 2026-11, 2026-Q4, 2026'],
  subjectType: ['对象', 'Subject'],
  typeUnit: ['驻区单位', 'Units'],
  typeLocality: ['区域', 'Localities'],
  load: ['查询', 'Show'],
  total: ['总分', 'Total'],
  standardGrade: ['达标分', 'Standard'],
  demonstrationGrade: ['示范分', 'Demonstration'],
  rateResponse: ['响应率', 'Response rate'],
  rateResolution: ['按时办结率', 'On-time resolution'],
  rateSatisfaction: ['满意率', 'Satisfaction rate'],
  scorecard: ['积分卡', 'Scorecard'],
  byIndicator: ['分项积分', 'Points by indicator'],
  rates: ['三率', 'The three rates'],
  trend: ['趋势', 'Trend'],
  points: ['得分', 'Points'],
  max: ['满分', 'Max'],
  indicator: ['指标', 'Indicator'],
  grade: ['档次', 'Grade'],
  raw: ['原始值', 'Raw'],
  lines: ['明细', 'Lines'],
  source: ['来源', 'Source'],
  at: ['时间', 'At'],
  quantity: ['数量', 'Quantity'],
  scoresUnavailable: ['积分服务暂不可用', 'Scores are not available'],
  inboxTitle: ['单位待办', 'Unit inbox'],
  queueTitle: ['派单队列', 'Dispatch queue'],
  casesTitle: ['我的事项', 'My cases'],
  adminHint: ['管理员请使用 API 或命令行管理区域、单位与用户。', 'Admins manage places, units and users through the API or the command line.'],
  notFound: ['页面不存在', 'No such page'],
  signedOut: ['登录已失效，请重新登录', 'Your sign-in ended; please sign in again'],
  yes: ['是', 'yes'], no: ['否', 'no'],
  whole: ['全案', 'whole case'],
};

// Names of the codes the API sends (kinds, states, actions, events, …)
// come from the server, GET /api/v1/labels: one source, in Go. loadLabels
// fetches them once, before the first screen is drawn.
// Each family is a list in the domain's order; codes holds it by code.
let families = {};
let codes = {};

export async function loadLabels() {
  const res = await fetch('/api/v1/labels', { credentials: 'same-origin' });
  if (!res.ok) throw new Error('labels: ' + res.status);
  families = await res.json();
  codes = Object.fromEntries(Object.entries(families).map(([f, terms]) => [f, Object.fromEntries(terms.map((x) => [x.code, x]))]));
}

export let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh';
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
}

const pick = (pair) => (pair ? pair[lang === 'en' ? 1 : 0] || pair[0] : undefined);

// t translates a key; {0}, {1}… take the arguments.
export function t(key, ...args) {
  const s = pick(words[key]) ?? key;
  return s.replace(/\{(\d+)\}/g, (_, i) => String(args[+i] ?? ''));
}

// code names a code of a family (kind, case_state, …), or shows it as is.
export function code(family, value) {
  const x = codes[family]?.[value];
  if (!x) return value ?? '';
  return (lang === 'en' && x.en) || x.zh;
}

// codesOf lists a family's codes, in the domain's order.
export function codesOf(family) { return (families[family] || []).map((x) => x.code); }

// reasonText says why an event happened, in words: the engine records
// codes (which deadline neared or passed, the escalation rung's action, a
// return's reason code); anything else shows as recorded.
export function reasonText(e) {
  const p = e.payload || {};
  switch (e.type) {
    case 'warning': return t('deadlineNear', code('deadline', p.deadline));
    case 'overdue': return t('deadlinePassed', code('deadline', p.deadline));
    case 'escalated': return t('escalatedTo', p.rung ?? '', code('escalation', p.action || e.reason));
    case 'retimed': return t('retimedTo', code('deadline', p.deadline), when(p.old_due), when(p.new_due));
    case 'return': return code('return_reason', e.reason);
  }
  return e.reason || '';
}

// levelName names an escalation level: the last rung climbed.
export function levelName(n) {
  return t('lv' + Math.max(0, Math.min(4, n | 0)));
}

// duration says how long a number of seconds is, in days, hours, minutes.
export function duration(sec) {
  sec = Math.max(0, Math.round(sec));
  const d = Math.floor(sec / 86400), hh = Math.floor((sec % 86400) / 3600), m = Math.floor((sec % 3600) / 60);
  const parts = [];
  if (d) parts.push(t('days', d));
  if (hh) parts.push(t('hours', hh));
  if (m && !d) parts.push(t('minutes', m));
  if (!parts.length) parts.push(t('seconds', sec));
  return parts.join(lang === 'en' ? ' ' : '');
}

// when formats a time in China Standard Time, where the district is.
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(d);
}

// pct shows a rate (0..1, or null when there was nothing to count).
export function pct(r) {
  if (!r || r.value === null || r.value === undefined) return '—';
  return (r.value * 100).toFixed(1) + '%';
}
