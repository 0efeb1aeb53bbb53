import type { Logger } from 'pino';
import { hashPassword } from './passwords.ts';
import type { AuthService } from './auth.service.ts';

export interface DemoUsersOptions {
  agents: number;              // agent001 … agentNNN
  password: string;            // every demo account's password
  /** The seat (SIP endpoint resource) of the n-th agent, 1-based. */
  seatOf?: (n: number) => string;
}

export interface DemoLogin { username: string; role: string }

export const demoAgentUsername = (n: number): string => `agent${String(n).padStart(3, '0')}`;
export const demoSeat = (n: number): string => `seat${String(n).padStart(4, '0')}`;

/** Creates the demo accounts that do not exist yet: agents with their seats, a supervisor, a unit user and an admin. */
export async function seedDemoUsers(auth: AuthService, options: DemoUsersOptions, log?: Logger): Promise<DemoLogin[]> {
  const seatOf = options.seatOf ?? demoSeat;
  const password = { hash: await hashPassword(options.password) };
  const logins: DemoLogin[] = [];
  let created = 0;
  const ensure = async (username: string, role: 'agent' | 'supervisor' | 'unit' | 'admin', displayName: string, agent?: { id: string; seat: string }) => {
    logins.push({ username, role });
    if (auth.findAccountByUsername(username)) return;
    await auth.createUser(agent ? { username, password, role, displayName, agent: { ...agent, name: displayName } } : { username, password, role, displayName });
    created++;
  };
  for (let n = 1; n <= options.agents; n++) {
    const username = demoAgentUsername(n);
    await ensure(username, 'agent', `坐席${String(n).padStart(3, '0')}`, { id: username, seat: seatOf(n) });
  }
  await ensure('supervisor', 'supervisor', '值班长');
  await ensure('unit', 'unit', '承办单位');
  await ensure('admin', 'admin', '系统管理员');
  log?.info({ created, total: logins.length }, 'demo accounts ready');
  return logins;
}
