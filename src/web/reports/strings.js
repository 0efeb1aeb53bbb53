// The reports page's words for closing a month (关账), added to the shared dictionary (Simplified Chinese first).
import { DICTIONARY } from '../i18n.js';

const zh = {
  'reports.close': '关账',
  'reports.close.title': '确认关账',
  'reports.close.text': '关账后，{month} 的三率和排名将按当前数据发布并冻结，此后到达的回访和签收不再改变已发布的数据。关账不可撤销。',
  'reports.close.confirm': '确定关账',
  'reports.close.cancel': '取消',
  'reports.close.done': '{month} 已关账',
  'reports.closed': '已关账 · {time} · {by}',
  'reports.closed.already': '该月已由他人关账',
};

const en = {
  'reports.close': 'Close month',
  'reports.close.title': 'Close the month?',
  'reports.close.text': 'Closing publishes and freezes the rates and ranking of {month} as they stand; surveys and sign-offs that arrive later no longer change the published figures. This cannot be undone.',
  'reports.close.confirm': 'Close month',
  'reports.close.cancel': 'Cancel',
  'reports.close.done': '{month} is closed',
  'reports.closed': 'Closed · {time} · {by}',
  'reports.closed.already': 'Someone else closed this month already',
};

for (const [key, text] of Object.entries(zh)) DICTIONARY.zh[key] ??= text;
for (const [key, text] of Object.entries(en)) DICTIONARY.en[key] ??= text;
