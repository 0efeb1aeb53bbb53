// The portal's words for unit notices, added to the shared dictionary (中文 first, English on the switch).
import { DICTIONARY } from '../i18n.js';

Object.assign(DICTIONARY.zh, {
  'notice.title': '通知',
  'notice.unread': '未读通知',
  'notice.read_all': '全部标为已读',
  'notice.read_one': '标为已读',
  'notice.none': '暂无未读通知',
  'notice.live': '实时通知已连接',
  'notice.offline': '实时通知中断，正在重连…',
});

Object.assign(DICTIONARY.en, {
  'notice.title': 'Notices',
  'notice.unread': 'Unread notices',
  'notice.read_all': 'Mark all read',
  'notice.read_one': 'Mark read',
  'notice.none': 'No unread notices',
  'notice.live': 'Live notices connected',
  'notice.offline': 'Live notices interrupted, reconnecting…',
});
