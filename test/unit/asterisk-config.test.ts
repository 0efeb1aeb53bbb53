import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  mergeConf, parseConf, resolvedEntries, sectionsNamed, valueOf, valuesOf,
} from '../../scripts/lib/asterisk-conf.ts';
import type { ConfFile, ConfSection } from '../../scripts/lib/asterisk-conf.ts';
import { generateSeats } from '../../scripts/gen-seats.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');
const conf = (rel: string): ConfFile => parseConf(read(rel));
const only = (file: ConfFile, name: string): ConfSection => {
  const found = sectionsNamed(file, name);
  expect(found, `[${name}]`).toHaveLength(1);
  return found[0]!;
};
const privileges = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').sort();

describe('parseConf', () => {
  it('when a file has templates, repeated names, includes and comments, then it keeps them all', () => {
    const file = parseConf([
      '; comment', '#include "top.conf"', '[t](!)', 'type = endpoint ; trailing', 'allow = ulaw',
      ';-- block', 'hidden = yes --;', '[a](t)', 'x => 1', 'secret = a\\;b', '[a](+)', '#include inner.conf',
    ].join('\n'));
    expect(file.includes).toEqual(['top.conf']);
    expect(file.sections.map((s) => [s.name, s.isTemplate, s.isAddition, s.templates])).toEqual([
      ['t', true, false, []], ['a', false, false, ['t']], ['a', false, true, []],
    ]);
    expect(resolvedEntries(file, file.sections[1]!).map((e) => `${e.key}=${e.value}`))
      .toEqual(['type=endpoint', 'allow=ulaw', 'x=1', 'secret=a;b']);
    expect(file.sections[2]!.includes).toEqual(['inner.conf']);
  });

  it('when a line is neither a section, a setting nor a directive, then it throws with the line number', () => {
    expect(() => parseConf('[a]\nnonsense')).toThrow(/line 2/);
    expect(() => parseConf('key = value')).toThrow(/before any \[section\]/);
  });
});

describe('config/*.conf', () => {
  const names = readdirSync(join(root, 'config')).filter((f) => f.endsWith('.conf'));

  it('when every config file is parsed, then none has a syntax error', () => {
    expect(names).toEqual(expect.arrayContaining(['pjsip.conf', 'http.conf', 'ari.conf', 'manager.conf', 'musiconhold.conf', 'rtp.conf', 'modules.conf', 'logger.conf']));
    for (const name of names) expect(() => conf(`config/${name}`), name).not.toThrow();
  });

  it('when a config file is read, then it holds no literal password or secret', () => {
    for (const name of names) {
      for (const section of conf(`config/${name}`).sections) {
        for (const e of section.entries) {
          expect(['password', 'secret', 'md5_cred', 'password_digest'], `${name} [${section.name}] ${e.key}`).not.toContain(e.key);
        }
      }
    }
  });
});

describe('pjsip.conf', () => {
  const site = conf('config/pjsip_site.conf.sample');
  const shipped = conf('config/pjsip.conf');
  const pjsip = mergeConf(site, shipped);
  const seats = parseConf(generateSeats({ count: 3 }).conf);
  const webSeats = parseConf(generateSeats({ count: 2, prefix: 'web', webrtc: true }).conf);
  const all = mergeConf(pjsip, seats, webSeats);

  it('when seats are generated, then every template they and pjsip.conf reference exists as a template', () => {
    for (const section of all.sections) {
      for (const name of section.templates) {
        const template = all.sections.find((s) => s.name === name);
        expect(template, `[${section.name}] uses (${name})`).toBeDefined();
        expect(template!.isTemplate, `(${name}) is a template`).toBe(true);
      }
    }
    for (const name of ['seat-template', 'seat-aor-template', 'seat-auth-template', 'webrtc-seat-template']) {
      expect(only(pjsip, name).isTemplate).toBe(true);
    }
  });

  it('when a generated seat is resolved through its templates, then it is a seat endpoint in context seats with the agreed media settings', () => {
    const endpoint = seats.sections[0]!;
    const settings = new Map(resolvedEntries(all, endpoint).map((e) => [e.key, e.value]));
    expect(settings.get('type')).toBe('endpoint');
    expect(settings.get('context')).toBe('seats');
    expect(settings.get('disallow')).toBe('all');
    expect(settings.get('allow')).toBe('ulaw,alaw,g722');
    expect(settings.get('dtmf_mode')).toBe('rfc4733');
    expect(settings.get('direct_media')).toBe('no');
    for (const key of ['rtp_symmetric', 'force_rport', 'rewrite_contact']) expect(settings.get(key), key).toBe('yes');
    const aor = new Map(resolvedEntries(all, seats.sections[1]!).map((e) => [e.key, e.value]));
    expect([aor.get('type'), aor.get('max_contacts'), aor.get('remove_existing'), aor.get('qualify_frequency')]).toEqual(['aor', '1', 'yes', '30']);
    const auth = new Map(resolvedEntries(all, seats.sections[2]!).map((e) => [e.key, e.value]));
    expect([auth.get('type'), auth.get('auth_type')]).toEqual(['auth', 'userpass']);
  });

  it('when a browser seat is resolved, then it is a WebRTC endpoint with DTLS media', () => {
    const settings = new Map(resolvedEntries(all, webSeats.sections[0]!).map((e) => [e.key, e.value]));
    expect(settings.get('context')).toBe('seats');
    expect(settings.get('webrtc')).toBe('yes');
    expect(settings.get('media_encryption')).toBe('dtls');
    expect(settings.get('use_avpf')).toBe('yes');
  });

  it('when pjsip.conf is read, then it has UDP and TCP on 5060, a WSS transport and includes the generated seats', () => {
    const transports = shipped.sections.filter((s) => valueOf(s, 'type') === 'transport');
    const byProtocol = new Map(transports.map((s) => [valueOf(s, 'protocol'), valueOf(s, 'bind')]));
    expect(byProtocol.get('udp')).toBe('0.0.0.0:5060');
    expect(byProtocol.get('tcp')).toBe('0.0.0.0:5060');
    expect(byProtocol.has('wss')).toBe(true);
    const includes = [...shipped.includes, ...shipped.sections.flatMap((s) => s.includes)];
    expect(includes).toContain('pjsip_seats.conf');
  });

  it('when the trunk is resolved with the site template, then it is identified by IP only and its calls enter from-trunk', () => {
    const trunk = sectionsNamed(pjsip, 'trunk');
    const endpoint = trunk.find((s) => valueOf(s, 'type') === 'endpoint')!;
    expect(valueOf(endpoint, 'context')).toBe('from-trunk');
    expect(valueOf(endpoint, 'identify_by')).toBe('ip');
    expect(valuesOf(endpoint, 'auth')).toEqual([]);
    const identify = trunk.find((s) => valueOf(s, 'type') === 'identify')!;
    expect(valueOf(identify, 'endpoint')).toBe('trunk');
    expect(resolvedEntries(pjsip, identify).filter((e) => e.key === 'match').map((e) => e.value)).toEqual(['192.0.2.10']);
    const aor = trunk.find((s) => valueOf(s, 'type') === 'aor')!;
    expect(resolvedEntries(pjsip, aor).filter((e) => e.key === 'contact').map((e) => e.value)).toEqual(['sip:192.0.2.10:5060']);
    expect(pjsip.sections.some((s) => s.name === 'anonymous')).toBe(false);
  });

  it('when pjsip.conf is read, then every site-specific value comes from pjsip_site.conf, which it includes before using its templates', () => {
    const text = read('config/pjsip.conf');
    const include = text.indexOf('#include "pjsip_site.conf"');
    const firstUse = text.search(/^\[[^\]]+\]\(site-/m);
    expect(include).toBeGreaterThan(0);
    expect(include).toBeLessThan(firstUse);
    expect(site.sections.map((s) => [s.name, s.isTemplate])).toEqual([
      ['site-transport', true], ['site-trunk-endpoint', true], ['site-trunk-aor', true], ['site-trunk-identify', true],
    ]);
    for (const key of ['match', 'contact', 'local_net', 'external_media_address', 'external_signaling_address', 'from_user', 'from_domain']) {
      const inShipped = shipped.sections.flatMap((s) => s.entries).filter((e) => e.key === key);
      expect(inShipped, key).toEqual([]);
    }
    const udp = shipped.sections.find((s) => s.name === 'transport-udp')!;
    expect(udp.templates).toEqual(['site-transport']);
  });
});

describe('a clean start without make samples', () => {
  // Asterisk 22 reads these at every start and logs an ERROR or WARNING when one is missing.
  const readAtStart = ['ccss.conf', 'cdr.conf', 'cel.conf', 'features.conf', 'acl.conf', 'udptl.conf', 'indications.conf', 'pjproject.conf', 'websocket_client.conf'];

  it('when the config folder is installed, then every file Asterisk reads at start is there', () => {
    for (const name of readAtStart) expect(() => conf(`config/${name}`), name).not.toThrow();
  });

  it('when modules.conf is read, then the modules whose config files are not shipped are not loaded', () => {
    const noload = valuesOf(only(conf('config/modules.conf'), 'modules'), 'noload');
    for (const m of ['res_pjsip_config_wizard.so', 'res_pjsip_notify.so', 'res_geolocation.so', 'res_pjsip_geolocation.so']) expect(noload).toContain(m);
  });

  it('when indications.conf is read, then the default country is China and its tones are defined', () => {
    const indications = conf('config/indications.conf');
    expect(valueOf(only(indications, 'general'), 'country')).toBe('cn');
    const cn = only(indications, 'cn');
    for (const tone of ['ringcadence', 'dial', 'busy', 'ring', 'congestion']) expect(valueOf(cn, tone), tone).toBeDefined();
  });

  it('when CDR and CEL are read, then both are off: the service records calls itself', () => {
    expect(valueOf(only(conf('config/cdr.conf'), 'general'), 'enable')).toBe('no');
    expect(valueOf(only(conf('config/cel.conf'), 'general'), 'enable')).toBe('no');
  });
});

describe('manager.conf', () => {
  const manager = conf('config/manager.conf');
  const users = manager.sections.filter((s) => s.name !== 'general');

  it('when AMI is configured, then it listens on loopback only', () => {
    const general = only(manager, 'general');
    expect(valueOf(general, 'enabled')).toBe('yes');
    expect(valueOf(general, 'bindaddr')).toBe('127.0.0.1');
    expect(valueOf(general, 'webenabled') ?? 'no').toBe('no');
  });

  it('when the service user is read, then it may only run system-class actions and read system and call events', () => {
    expect(users.map((u) => u.name)).toEqual(['hotline']);
    const user = users[0]!;
    // PJSIPShowEndpoints / PJSIPShowContacts need write class "system"; CoreSettings accepts it too.
    expect(privileges(valueOf(user, 'write'))).toEqual(['system']);
    // FullyBooted, Shutdown, ContactStatus, PeerStatus are "system"; DeviceStateChange is "call".
    expect(privileges(valueOf(user, 'read'))).toEqual(['call', 'system']);
    expect(user.includes).toEqual(['manager_users.conf']);
  });

  it('when the service user is read, then only loopback is permitted', () => {
    const user = only(manager, 'hotline');
    expect(valuesOf(user, 'deny')).toEqual(['0.0.0.0/0.0.0.0']);
    expect(valuesOf(user, 'permit')).toEqual(['127.0.0.1/255.255.255.255']);
  });
});

describe('ari.conf and http.conf', () => {
  it('when ARI is configured, then the user has no literal password and takes it from ari_users.conf', () => {
    const ari = conf('config/ari.conf');
    const user = only(ari, 'hotline');
    expect(valueOf(user, 'type')).toBe('user');
    expect(valuesOf(user, 'password')).toEqual([]);
    expect(user.includes).toEqual(['ari_users.conf']);
    expect(valueOf(only(ari, 'general'), 'allowed_origins')).toBe('');
    expect(read('config/ari.conf')).not.toMatch(/^\s*password\s*=/m);
  });

  it('when the HTTP server is configured, then it binds 127.0.0.1:8088 and TLS is off', () => {
    const general = only(conf('config/http.conf'), 'general');
    expect(valueOf(general, 'enabled')).toBe('yes');
    expect(valueOf(general, 'bindaddr')).toBe('127.0.0.1');
    expect(valueOf(general, 'bindport')).toBe('8088');
    expect(valueOf(general, 'tlsenable')).toBeUndefined();
  });
});

describe('dialplan and media', () => {
  const dialplan = conf('dialplan/extensions.conf');

  it('when a trunk call arrives, then from-trunk enters Stasis with inbound,${EXTEN} and falls back to hotline-unavailable', () => {
    const lines = valuesOf(only(dialplan, 'from-trunk'), 'exten').concat(valuesOf(only(dialplan, 'from-trunk'), 'same'));
    expect(lines.some((l) => /Stasis\(\$\{HOTLINE_APP\},inbound,\$\{EXTEN\}\)/.test(l))).toBe(true);
    expect(lines.some((l) => /Goto\(hotline-unavailable,/.test(l))).toBe(true);
    expect(valueOf(only(dialplan, 'globals'), 'HOTLINE_APP')).toBe('hotline');
    const unavailable = valuesOf(only(dialplan, 'hotline-unavailable'), 'same').join('\n');
    expect(unavailable).toMatch(/Playback\(hotline\/unavailable\)/);
  });

  it('when seats are generated, then their context exists in the dialplan', () => {
    expect(sectionsNamed(dialplan, 'seats')).toHaveLength(1);
    expect(sectionsNamed(dialplan, 'from-trunk')).toHaveLength(1);
  });

  it('when music on hold is configured, then the default class plays files from moh', () => {
    const def = only(conf('config/musiconhold.conf'), 'default');
    expect(valueOf(def, 'mode')).toBe('files');
    expect(valueOf(def, 'directory')).toBe('moh');
  });

  it('when RTP is configured, then it uses 10000-20000 with strict RTP and ICE', () => {
    const general = only(conf('config/rtp.conf'), 'general');
    expect([valueOf(general, 'rtpstart'), valueOf(general, 'rtpend'), valueOf(general, 'strictrtp'), valueOf(general, 'icesupport')])
      .toEqual(['10000', '20000', 'yes', 'yes']);
  });

  it('when the prompt list is read, then every prompt the dialplan and survey use has pinyin to speak', () => {
    const rows = read('config/sounds/prompts.tsv').split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split('\t'));
    for (const row of rows) {
      expect(row, row[0]).toHaveLength(3);
      expect(row[2], row[0]).toMatch(/^[a-zü\d ,.?:]+$/);
      expect(row[2], row[0]).toMatch(/[1-5]/);
    }
    const names = rows.map((r) => r[0]);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['greeting', 'unavailable', 'q1', 'q2', 'thanks', 'invalid-key', 'no-input', 'survey-intro']) expect(names).toContain(n);
  });
});
