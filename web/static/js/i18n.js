// The dashboard's words, Chinese first, with English beside them. t(key)
// answers in the chosen language, falling back to Chinese, then the key.

const LANG_KEY = 'qilian.lang';

const words = {
  // The working pages.
  navReport: ['上报', 'Report'],
  navUnitCases: ['本单位事项', 'Our cases'],
  navAdmin: ['系统管理', 'Administration'],
  choose: ['请选择', 'Choose'],
  chooseUnit: ['选择单位', 'Choose units'],
  chooseLocality: ['选择区域', 'Choose a locality'],
  wholeCase: ['整个事项', 'The whole case'],
  typeEnter: ['输入后回车', 'Type, then Enter'],
  commaSeparated: ['多项用逗号分隔', 'separate with commas'],
  remove: ['删除', 'Remove'],
  addRow: ['添加一项', 'Add one'],
  tooManyFiles: ['最多 {0} 个文件', 'At most {0} files'],
  tooLarge: ['文件过大（最大 10 MB）', 'Too large (10 MB at most)'],
  done: ['已{0}', '{0}: done'],
  submit: ['提交', 'Submit'],
  confirmAction: ['确认执行此操作？', 'Take this action?'],
  none: ['无', 'None'],
  file: ['文件', 'File'],
  photos: ['现场照片', 'Photos'],
  before: ['处置前（上报）', 'Before (reported)'],
  after: ['处置后（单位）', 'After (the units)'],
  point: ['坐标', 'Point'],
  duplicateOf: ['重复于', 'Duplicate of'],
  noTasks: ['尚未派单', 'Not dispatched yet'],
  extensionAsked: ['申请延期 {0}', 'Extension asked: {0}'],
  timeLeft: ['剩余时间', 'Time left'],
  overdueOnly: ['只看超期', 'Overdue only'],
  open: ['查看', 'Open'],
  unitCasesTitle: ['本单位参与的事项', 'Cases our unit is part of'],
  tabTriage: ['待派单', 'To dispatch'],
  tabVerify: ['待核查', 'To verify'],
  tabFollowUp: ['待回访', 'Follow-up'],
  tabInProgress: ['办理中', 'In progress'],
  tabOverdue: ['已超期', 'Overdue'],
  tabClosed: ['已办结', 'Closed'],
  tabOpen: ['进行中', 'Open'],
  reportTitle: ['上报事项', 'Report a case'],
  caseBasics: ['事项信息', 'The case'],
  openCase: ['新建事项', 'Open a case'],
  place: ['位置', 'Place'],
  grid: ['网格', 'Grid'],
  noGrids: ['本辖区暂无网格边界', 'No grid outlines here yet'],
  myPosition: ['当前位置', 'My position'],
  tapMap: ['点击地图选择位置', 'Tap the map to set the place'],
  outsideGrids: ['该位置不在任何网格内', 'That point is in no grid'],
  noGeolocation: ['此设备不能定位', 'This device cannot tell its position'],
  geolocationFailed: ['定位失败', 'Could not get the position'],
  titleRequired: ['请填写标题', 'A title, please'],
  titleHint: ['一句话说明问题', 'The matter in a line'],
  submitReport: ['提交上报', 'Send the report'],
  sendAgain: ['重新发送', 'Send again'],
  reported: ['已上报', 'Reported'],
  pendingReport: ['有一条上报尚未送达，已保存在本机；网络恢复后会自动重发（同一事项不会重复）。', 'A report has not reached the server yet; it is kept on this phone and goes again when the network is back (it opens one case only).'],
  offlineKept: ['网络不通，上报已保存在本机，网络恢复后自动重发。', 'No network: the report is kept on this phone and goes again when the network is back.'],
  possibleDuplicates: ['附近可能有相同事项', 'Possibly the same matter nearby'],
  seeMine: ['查看我上报的事项', 'See my report'],
  adminTitle: ['系统管理', 'Administration'],
  tabLocalities: ['区域与网格', 'Localities and grids'],
  tabUnits: ['驻区单位', 'Units'],
  tabUsers: ['用户与登录', 'Users and sign-in'],
  tabIndicators: ['考核指标', 'Indicators'],
  tabCalendar: ['工作日历', 'Calendar'],
  addLocality: ['新增区域', 'Add a locality'],
  addUnit: ['新增单位', 'Add a unit'],
  addUser: ['新增用户', 'Add a user'],
  edit: ['修改', 'Edit'],
  saved: ['已保存', 'Saved'],
  outline: ['边界', 'Outline'],
  outlineTitle: ['网格边界', 'Grid outlines'],
  outlineHelp: ['选择区域，上传其边界（GeoJSON 的 Polygon 或 Feature，经纬度顺序为 [经度, 纬度]）。', 'Choose a locality and send its outline (a GeoJSON Polygon or Feature, corners as [lng, lat]).'],
  uploadGeoJSON: ['上传 GeoJSON', 'Send GeoJSON'],
  notGeoJSON: ['文件不是 JSON', 'The file is not JSON'],
  outlineSaved: ['边界已保存', 'Outline saved'],
  setPassword: ['设置一次性密码', 'Set a one-time password'],
  oneTimePasswordHelp: ['用户下次登录时须修改此密码（至少 10 个字符）', 'The user changes it at the next sign-in (at least 10 characters)'],
  tenChars: ['至少 10 个字符', 'At least 10 characters'],
  unlock: ['解除锁定', 'Unlock'],
  endSessions: ['结束会话', 'End sessions'],
  newToken: ['新令牌', 'New token'],
  tokenOnce: ['{0} 的令牌（仅显示这一次）', 'Token of {0} (shown this once only)'],
  subject: ['考核对象', 'Scored'],
  maxPoints: ['满分', 'Max'],
  measure: ['计分方式', 'Measure'],
  calendarSource: ['来源：', 'Source: '],
  holiday: ['节假日', 'Holiday'],
  makeUpDay: ['调休上班', 'Make-up working day'],
  // Field names of the forms (f_<field>).
  f_note: ['备注', 'Note'], f_decided_by: ['处理人', 'Decided by'],
  f_whistles: ['吹哨记录', 'Whistles'], f_blown_by: ['吹哨人', 'Blown by'], f_blown_at: ['吹哨时间', 'Blown at'], f_due: ['报到时限', 'Due'],
  f_reported: ['已报到', 'Reported'], f_missed: ['逾期未报到', 'Missed'], f_meetings: ['联席会议', 'Meetings'], f_attendees: ['参会单位', 'Attendees'], f_minutes: ['会议纪要', 'Minutes'], f_reason: ['原因', 'Reason'], f_result: ['办理结果', 'Result'], f_attachments: ['照片/附件', 'Photos and files'],
  f_pass: ['核查通过', 'Passed'], f_satisfied: ['群众满意', 'Satisfied'], f_extra: ['延长时长（如 2d、4h）', 'Extra time (2d, 4h)'],
  f_unit_id: ['单位', 'Unit'], f_units: ['单位', 'Units'], f_assignments: ['派单单位', 'Assignments'], f_role: ['角色', 'Role'],
  f_required: ['必须完成', 'Required'], f_duty: ['职责', 'Duty'], f_resolution: ['处理方式', 'Resolution'], f_duplicate_of: ['重复于（事项编号）', 'Duplicate of (case ID)'],
  f_option: ['选项', 'Option'], f_participant: ['参与人', 'Participant'], f_post: ['服务岗位', 'Service post'], f_hours: ['服务时长', 'Hours'],
  f_date: ['日期', 'Date'], f_no_follow_up: ['免回访理由', 'Why no follow-up'], f_task_id: ['任务', 'Task'], f_id: ['编号', 'ID'],
  f_name: ['姓名/名称', 'Name'], f_phone: ['电话', 'Phone'], f_title: ['标题', 'Title'], f_description: ['描述', 'Description'],
  f_resource_id: ['资源', 'Resource'], f_owner_unit_id: ['资源所属单位', 'Owning unit'], f_from: ['开始时间', 'From'], f_to: ['结束时间', 'To'],
  f_purpose: ['用途', 'Purpose'], f_question: ['议题', 'Question'], f_options: ['选项', 'Options'], f_participants: ['参与人（用户编号）', 'Participants (user IDs)'],
  f_quorum: ['法定人数', 'Quorum'], f_rule: ['表决规则', 'Rule'], f_deadline: ['截止时间', 'Deadline'], f_capacity: ['名额', 'Capacity'],
  f_starts_at: ['开始时间', 'Starts'], f_ends_at: ['结束时间', 'Ends'], f_venue: ['地点', 'Venue'], f_signed_at: ['报名时间', 'Signed up'], f_home_unit_id: ['所在单位', 'Home unit'],
  f_parent_id: ['上级区域', 'Parent'], f_level: ['层级', 'Level'], f_name_en: ['英文名称', 'English name'], f_type: ['类型', 'Type'],
  f_locality_id: ['所属区域', 'Locality'], f_token_label: ['令牌备注', 'Token note'], f_username: ['登录名', 'User name'], f_password: ['一次性密码', 'One-time password'],
  f_kind: ['类型', 'Kind'], f_category: ['类别', 'Category'], f_grid_id: ['网格', 'Grid'], f_priority: ['优先级', 'Priority'],
  f_reporter: ['反映人', 'Reporter'], f_location: ['位置', 'Place'], f_state: ['状态', 'State'], f_votes: ['投票', 'Votes'], f_sign_ups: ['报名', 'Sign-ups'], f_checked_in_at: ['签到时间', 'Checked in'],
  f_user_id: ['用户', 'User'], f_at: ['时间', 'At'], f_confirmed: ['已确认', 'Confirmed'], f_posts: ['服务岗位', 'Posts'], f_hours_logs: ['服务记录', 'Hours logged'],
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
