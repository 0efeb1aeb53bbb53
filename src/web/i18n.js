// Simplified Chinese first, English on request; the choice is remembered in localStorage.
const STORAGE_KEY = 'hl.lang';

export const DICTIONARY = {
  zh: {
    'app.title': '12345 热线坐席工作台',
    'app.brand': '12345 市民服务热线',
    'lang.switch': 'English',
    'login.title': '坐席登录',
    'login.username': '用户名',
    'login.password': '密码',
    'login.submit': '登录',
    'login.failed': '用户名或密码错误',
    'login.busy': '登录中…',
    'session.logout': '退出系统',
    'agent.state': '状态',
    'agent.seat': '座席',
    'agent.since': '持续',
    'agent.signin': '签入',
    'agent.ready': '示闲',
    'agent.pause': '示忙',
    'agent.signout': '签出',
    'agent.api_missing': '坐席状态接口不可用（HTTP {status}），请联系管理员',
    'agent.not_agent': '当前账号不是坐席账号',
    'state.offline': '未签入',
    'state.ready': '空闲',
    'state.ringing': '振铃',
    'state.on_call': '通话中',
    'state.oncall': '通话中',
    'state.wrap_up': '话后整理',
    'state.wrapup': '话后整理',
    'state.paused': '示忙',
    'reason.break': '小休',
    'reason.meal': '就餐',
    'reason.training': '培训',
    'reason.meeting': '会议',
    'reason.other': '其他',
    'ws.online': '实时连接正常',
    'ws.offline': '实时连接中断，正在重连…',
    'pop.waiting': '等待来电…',
    'pop.caller': '来电号码',
    'pop.line': '呼入线路',
    'pop.waited': '排队时长',
    'pop.answered': '接听时间',
    'pop.ended': '通话已结束',
    'pop.live': '通话中',
    'history.title': '近 90 天工单',
    'history.none': '该来电人近 90 天无工单',
    'history.number': '工单号',
    'history.date': '日期',
    'history.type': '类型',
    'history.category': '分类',
    'history.status': '状态',
    'history.description': '诉求摘要',
    'form.title': '受理工单',
    'form.type': '诉求类型',
    'form.category': '分类',
    'form.category.group': '一级分类',
    'form.category.item': '二级分类',
    'form.description': '诉求内容',
    'form.district': '所属区',
    'form.township': '街道/乡镇',
    'form.address': '详细地址',
    'form.contactName': '联系人',
    'form.contactPhone': '联系电话',
    'form.confidential': '是否保密',
    'form.yes': '是',
    'form.no': '否',
    'form.choose': '请选择',
    'form.save': '保存工单',
    'form.saving': '保存中…',
    'form.saved': '工单已保存：{number}',
    'form.failed': '保存失败，请检查标红字段',
    'draft.saved': '草稿已自动保存',
    'draft.saving': '草稿保存中…',
    'draft.restored': '已恢复草稿',
    'draft.failed': '草稿保存失败，将重试',
    'type.consultation': '咨询',
    'type.help': '求助',
    'type.complaint': '投诉',
    'type.report': '举报',
    'type.suggestion': '建议',
    'type.praise': '表扬',
    'ticket.status.open': '待处理',
    'ticket.status.accepted': '已受理',
    'reason.no_answer': '未接来电',
    'reason.login': '刚签入',
    'ticket.status.created': '已受理',
    'ticket.status.dispatched': '已派单',
    'ticket.status.closed': '已办结',
    'error.network': '网络错误，请稍后重试',
  },
  en: {
    'app.title': '12345 Hotline Agent Desktop',
    'app.brand': '12345 Citizen Service Hotline',
    'lang.switch': '中文',
    'login.title': 'Agent sign-in',
    'login.username': 'Username',
    'login.password': 'Password',
    'login.submit': 'Sign in',
    'login.failed': 'Wrong username or password',
    'login.busy': 'Signing in…',
    'session.logout': 'Log out',
    'agent.state': 'State',
    'agent.seat': 'Seat',
    'agent.since': 'For',
    'agent.signin': 'Sign in to seat',
    'agent.ready': 'Ready',
    'agent.pause': 'Pause',
    'agent.signout': 'Sign out',
    'agent.api_missing': 'The agent state API is unavailable (HTTP {status}); contact an administrator',
    'agent.not_agent': 'This account is not an agent',
    'state.offline': 'Offline',
    'state.ready': 'Ready',
    'state.ringing': 'Ringing',
    'state.on_call': 'On call',
    'state.oncall': 'On call',
    'state.wrap_up': 'Wrap-up',
    'state.wrapup': 'Wrap-up',
    'state.paused': 'Paused',
    'reason.break': 'Break',
    'reason.meal': 'Meal',
    'reason.training': 'Training',
    'reason.meeting': 'Meeting',
    'reason.other': 'Other',
    'ws.online': 'Live connection up',
    'ws.offline': 'Live connection lost, reconnecting…',
    'pop.waiting': 'Waiting for a call…',
    'pop.caller': 'Caller',
    'pop.line': 'Line',
    'pop.waited': 'Waited',
    'pop.answered': 'Answered',
    'pop.ended': 'Call ended',
    'pop.live': 'On call',
    'history.title': 'Tickets, last 90 days',
    'history.none': 'No tickets from this caller in the last 90 days',
    'history.number': 'Ticket no.',
    'history.date': 'Date',
    'history.type': 'Type',
    'history.category': 'Category',
    'history.status': 'Status',
    'history.description': 'Summary',
    'form.title': 'New ticket',
    'form.type': 'Type',
    'form.category': 'Category',
    'form.category.group': 'Category',
    'form.category.item': 'Subcategory',
    'form.description': 'Description',
    'form.district': 'District',
    'form.township': 'Street / township',
    'form.address': 'Address',
    'form.contactName': 'Contact name',
    'form.contactPhone': 'Contact phone',
    'form.confidential': 'Confidential',
    'form.yes': 'Yes',
    'form.no': 'No',
    'form.choose': 'Choose',
    'form.save': 'Save ticket',
    'form.saving': 'Saving…',
    'form.saved': 'Ticket saved: {number}',
    'form.failed': 'Not saved: check the fields marked in red',
    'draft.saved': 'Draft saved',
    'draft.saving': 'Saving draft…',
    'draft.restored': 'Draft restored',
    'draft.failed': 'Draft not saved, will retry',
    'type.consultation': 'Consultation',
    'type.help': 'Request for help',
    'type.complaint': 'Complaint',
    'type.report': 'Report',
    'type.suggestion': 'Suggestion',
    'type.praise': 'Praise',
    'ticket.status.open': 'Open',
    'ticket.status.accepted': 'Accepted',
    'reason.no_answer': 'Missed a call',
    'reason.login': 'Just signed in',
    'ticket.status.created': 'Accepted',
    'ticket.status.dispatched': 'Dispatched',
    'ticket.status.closed': 'Closed',
    'error.network': 'Network error, please retry',
  },
};

let lang = readStoredLang();
const listeners = new Set();

function readStoredLang() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return stored === 'en' || stored === 'zh' ? stored : 'zh';
  } catch {
    return 'zh';
  }
}

export function getLang() {
  return lang;
}

export function setLang(next) {
  lang = next === 'en' ? 'en' : 'zh';
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* private mode */ }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The text for key, or the fallback when the dictionary has no such key (a state or reason it does not know yet). */
export function tOr(key, fallback) {
  return DICTIONARY[lang][key] ?? DICTIONARY.zh[key] ?? fallback;
}

export function t(key, vars) {
  const text = DICTIONARY[lang][key] ?? DICTIONARY.zh[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? ''));
}

/** Fills every [data-i18n] element's text and [data-i18n-placeholder] element's placeholder under root. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.getAttribute('data-i18n'));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.getAttribute('data-i18n-placeholder')));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.setAttribute('title', t(el.getAttribute('data-i18n-title')));
  document.title = t('app.title');
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}
