/**
 * CSV as Excel opens it: UTF-8 with a byte-order mark (so Chinese is not garbled), CRLF line ends, cells
 * quoted when needed, and cells a spreadsheet would run as a formula (= + - @, tab, carriage return)
 * prefixed with an apostrophe.
 */
import { shanghaiDateTime } from '../search/dates.ts';
import type { TicketHit } from '../search/search.service.ts';

export const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

const time = (at: number | null) => (at === null ? '' : shanghaiDateTime(at));

/** The columns an export may choose, in their default order, with the header a hotline clerk reads. */
export const TICKET_EXPORT_COLUMNS = {
  number: { header: '工单编号', value: (t: TicketHit) => t.number },
  createdAt: { header: '受理时间', value: (t: TicketHit) => time(t.createdAt) },
  channel: { header: '渠道', value: (t: TicketHit) => t.channel },
  type: { header: '诉求类型', value: (t: TicketHit) => t.type },
  category: { header: '分类', value: (t: TicketHit) => t.category },
  status: { header: '状态', value: (t: TicketHit) => t.status },
  urgency: { header: '紧急程度', value: (t: TicketHit) => t.urgency },
  description: { header: '诉求内容', value: (t: TicketHit) => t.description },
  districtCode: { header: '区', value: (t: TicketHit) => t.districtCode },
  townshipCode: { header: '街道乡镇', value: (t: TicketHit) => t.townshipCode },
  community: { header: '社区', value: (t: TicketHit) => t.community },
  address: { header: '地址', value: (t: TicketHit) => t.address },
  leadUnit: { header: '主办单位', value: (t: TicketHit) => t.leadUnit },
  callerNumber: { header: '来电号码', value: (t: TicketHit) => t.callerNumber },
  contactName: { header: '联系人', value: (t: TicketHit) => t.contactName },
  contactPhone: { header: '联系电话', value: (t: TicketHit) => t.contactPhone },
  confidential: { header: '保密', value: (t: TicketHit) => (t.confidential ? '是' : '否') },
  kbArticleId: { header: '答复知识条目', value: (t: TicketHit) => t.kbArticleId },
  closedAt: { header: '办结时间', value: (t: TicketHit) => time(t.closedAt) },
} as const;

export type TicketExportColumn = keyof typeof TICKET_EXPORT_COLUMNS;

export const DEFAULT_EXPORT_COLUMNS: readonly TicketExportColumn[] = [
  'number', 'createdAt', 'type', 'category', 'status', 'description', 'townshipCode', 'address', 'leadUnit', 'closedAt',
];

export function isExportColumn(name: string): name is TicketExportColumn {
  return Object.hasOwn(TICKET_EXPORT_COLUMNS, name);
}

export function ticketCsvHeader(columns: readonly TicketExportColumn[]): string {
  return BOM + csvLine(columns.map((c) => TICKET_EXPORT_COLUMNS[c].header));
}

export function ticketCsvRow(t: TicketHit, columns: readonly TicketExportColumn[]): string {
  return csvLine(columns.map((c) => TICKET_EXPORT_COLUMNS[c].value(t)));
}
