export const ERRORS = {
  ERR_VALIDATION: { status: 400, zh: '请求内容不符合要求', en: 'The request is not valid' },
  ERR_BAD_MESSAGE: { status: 400, zh: '消息格式不正确', en: 'The message is not valid' },
  ERR_UNAUTHENTICATED: { status: 401, zh: '请先登录', en: 'Sign-in required' },
  ERR_FORBIDDEN: { status: 403, zh: '没有权限执行此操作', en: 'Not allowed' },
  ERR_CSRF: { status: 403, zh: '页面已过期，请刷新后重试', en: 'The request token is missing or wrong' },
  ERR_NOT_FOUND: { status: 404, zh: '未找到', en: 'Not found' },
  ERR_NO_SUCH_CALL: { status: 404, zh: '未找到该通话', en: 'No such call' },
  ERR_NO_SUCH_AGENT: { status: 404, zh: '未找到该坐席', en: 'No such agent' },
  ERR_NO_SUCH_TICKET: { status: 404, zh: '未找到该工单', en: 'No such ticket' },
  ERR_NO_SUCH_UNIT: { status: 404, zh: '未找到该承办单位', en: 'No such unit' },
  ERR_CONFLICT: { status: 409, zh: '数据已被他人修改，请刷新后重试', en: 'Conflicting change' },
  ERR_AGENT_STATE: { status: 409, zh: '坐席当前状态不允许此操作', en: 'The agent cannot do that in the current state' },
  ERR_CALL_STATE: { status: 409, zh: '通话当前状态不允许此操作', en: 'The call cannot do that in the current state' },
  ERR_TICKET_STATE: { status: 409, zh: '工单当前状态不允许此操作', en: 'The ticket cannot do that in the current state' },
  ERR_SEAT_TAKEN: { status: 409, zh: '该座席已被占用', en: 'The seat is already taken' },
  ERR_PASSWORD_CHANGE_REQUIRED: { status: 403, zh: '请先修改初始密码后再继续操作', en: 'Change your one-time password first' },
  ERR_NO_SUCH_USER: { status: 404, zh: '未找到该账号', en: 'No such account' },
  ERR_USERNAME_TAKEN: { status: 409, zh: '该用户名已被使用', en: 'The username is already taken' },
  ERR_IMPORT_INVALID: { status: 422, zh: '导入文件有错误，未创建任何账号', en: 'The import file has errors: no account was created' },
  ERR_UNIT_CODE_TAKEN: { status: 409, zh: '该单位编码已被使用', en: 'The unit code is already taken' },
  ERR_UNIT_RETIRED: { status: 409, zh: '该承办单位已撤销，不能向其派单', en: 'The unit is retired: nothing can be dispatched to it' },
  ERR_UNIT_HAS_OPEN_DISPATCHES: { status: 409, zh: '该单位还有未办结的派单，不能撤销；请先办结或改派', en: 'The unit still has open dispatches: close or reassign them before retiring it' },
  ERR_UNIT_HAS_ACTIVE_UNITS: { status: 409, zh: '该区下还有在用的街道、乡镇，不能撤销', en: 'The district still has streets or townships in use: retire them first' },
  ERR_UNIT_STATE: { status: 409, zh: '承办单位当前状态不允许此操作', en: 'The unit cannot do that in its current state' },
  ERR_PAYLOAD_TOO_LARGE: { status: 413, zh: '提交的内容过大', en: 'The request is too large' },
  ERR_RATE_LIMITED: { status: 429, zh: '操作过于频繁，请稍后再试', en: 'Too many requests' },
  ERR_INTERNAL: { status: 500, zh: '系统内部错误', en: 'Internal error' },
  ERR_PBX_UNAVAILABLE: { status: 503, zh: '电话交换系统暂不可用', en: 'The telephone exchange is unavailable' },
  ERR_STORE_BUSY: { status: 503, zh: '数据库繁忙，本次操作未能保存，请稍后重试', en: 'The database is busy: the change could not be saved, try again shortly' },
  ERR_STORE_UNAVAILABLE: { status: 503, zh: '数据库读写出错，本次操作未能保存，请稍后重试', en: 'The database could not be read or written: the change could not be saved, try again shortly' },
  ERR_STORE_FULL: { status: 507, zh: '数据库存储空间已满，本次操作未能保存，请联系系统管理员', en: 'The database storage is full: the change could not be saved, contact the system administrator' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export type ErrorDetails = Readonly<Record<string, unknown>>;

export class HotlineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(ERRORS[code].en, options);
    this.name = 'HotlineError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }

  /** The body an HTTP or websocket reply carries. */
  toJSON(): { code: ErrorCode; message: string; zh: string; details?: ErrorDetails } {
    const body: { code: ErrorCode; message: string; zh: string; details?: ErrorDetails } = {
      code: this.code,
      message: ERRORS[this.code].en,
      zh: ERRORS[this.code].zh,
    };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

export function hotlineError(code: ErrorCode, details?: ErrorDetails, options?: { cause?: unknown }): HotlineError {
  return new HotlineError(code, details, options);
}

export function isHotlineError(value: unknown): value is HotlineError {
  return value instanceof HotlineError;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<E> = { readonly ok: false; readonly error: E };
export type Result<T, E = HotlineError> = Ok<T> | Err<E>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<E = HotlineError>(error: E): Err<E> {
  return { ok: false, error };
}
