// The softphone's words, Simplified Chinese first. The page's t() is asked first (so i18n.js may carry
// or override them); these are used for keys it does not know, in the language the page is shown in.
export const SOFTPHONE_TEXT = {
  zh: {
    'softphone.title': '浏览器话机',
    'softphone.seat': '座席 {seat}',
    'softphone.state.registering': '注册中',
    'softphone.state.registered': '已注册',
    'softphone.state.unregistered': '未注册',
    'softphone.state.failed': '注册失败',
    'softphone.state.off': '未启用',
    'softphone.retry': '{seconds} 秒后重试',
    'softphone.why.connect_failed': '无法连接电话交换系统',
    'softphone.why.connection_lost': '与电话交换系统的连接已断开',
    'softphone.why.connection_closed': '与电话交换系统的连接已关闭',
    'softphone.why.registration_lost': '注册已失效',
    'softphone.why.register_failed': '注册请求未发出',
    'softphone.why.rejected': '电话交换系统拒绝注册（{statusCode} {reasonPhrase}）',
    'softphone.why.credentials': '座席账号或密码不正确（{statusCode} {reasonPhrase}）',
    'softphone.why.load_failed': '话机组件加载失败，请刷新页面',
    'softphone.why.fetch_failed': '无法获取座席话机账号',
    'softphone.why.other_tab': '已在本机其他窗口中使用',
    'softphone.off.disabled': '本系统未启用浏览器话机，请使用座席话机',
    'softphone.off.not_configured': '浏览器话机尚未配置，请联系系统管理员',
    'softphone.off.no_seat': '尚未分配座席',
    'softphone.off.seat_taken': '座席 {seat} 已被其他坐席签入',
    'softphone.off.no_secret': '座席 {seat} 使用硬件话机，未开通浏览器话机',
    'softphone.off.secrets_unreadable': '座席话机账号文件无法读取，请联系系统管理员',
    'softphone.off.secrets_malformed': '座席话机账号文件格式不正确，请联系系统管理员',
    'softphone.incoming': '来电',
    'softphone.talking': '通话中',
    'softphone.connecting': '正在接通…',
    'softphone.answer': '接听',
    'softphone.hangup': '挂断',
    'softphone.mute': '静音',
    'softphone.unmute': '取消静音',
    'softphone.mic_failed': '无法使用麦克风：{message}',
    'softphone.unknown_caller': '未知号码',
  },
  en: {
    'softphone.title': 'Browser phone',
    'softphone.seat': 'Seat {seat}',
    'softphone.state.registering': 'Registering',
    'softphone.state.registered': 'Registered',
    'softphone.state.unregistered': 'Not registered',
    'softphone.state.failed': 'Registration failed',
    'softphone.state.off': 'Off',
    'softphone.retry': 'retrying in {seconds} s',
    'softphone.why.connect_failed': 'Cannot reach the telephone exchange',
    'softphone.why.connection_lost': 'The connection to the telephone exchange was lost',
    'softphone.why.connection_closed': 'The connection to the telephone exchange was closed',
    'softphone.why.registration_lost': 'The registration expired',
    'softphone.why.register_failed': 'The registration could not be sent',
    'softphone.why.rejected': 'The exchange refused the registration ({statusCode} {reasonPhrase})',
    'softphone.why.credentials': 'Wrong seat account or password ({statusCode} {reasonPhrase})',
    'softphone.why.load_failed': 'The phone could not be loaded; reload the page',
    'softphone.why.fetch_failed': 'The seat phone account could not be fetched',
    'softphone.why.other_tab': 'In use in another window on this computer',
    'softphone.off.disabled': 'The browser phone is not enabled; use the desk phone',
    'softphone.off.not_configured': 'The browser phone is not configured; contact the administrator',
    'softphone.off.no_seat': 'No seat assigned',
    'softphone.off.seat_taken': 'Seat {seat} is signed in by another agent',
    'softphone.off.no_secret': 'Seat {seat} uses a desk phone; it has no browser phone',
    'softphone.off.secrets_unreadable': 'The seat phone accounts cannot be read; contact the administrator',
    'softphone.off.secrets_malformed': 'The seat phone accounts file is malformed; contact the administrator',
    'softphone.incoming': 'Incoming call',
    'softphone.talking': 'On a call',
    'softphone.connecting': 'Connecting…',
    'softphone.answer': 'Answer',
    'softphone.hangup': 'Hang up',
    'softphone.mute': 'Mute',
    'softphone.unmute': 'Unmute',
    'softphone.mic_failed': 'The microphone cannot be used: {message}',
    'softphone.unknown_caller': 'Unknown number',
  },
};

/** The page's language as i18n.js sets it on <html lang>. */
export function pageLang() {
  return String(document.documentElement.lang || '').toLowerCase().startsWith('en') ? 'en' : 'zh';
}

/** A translator: the page's t() where it knows the key, else SOFTPHONE_TEXT in the page's language. */
export function softphoneText(t) {
  return (key, vars) => {
    const given = typeof t === 'function' ? t(key, vars) : undefined;
    if (typeof given === 'string' && given !== key) return given;
    const text = SOFTPHONE_TEXT[pageLang()][key] ?? SOFTPHONE_TEXT.zh[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? '')) : text;
  };
}
