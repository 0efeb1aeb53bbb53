// The seat's browser phone: one sip.js UserAgent over Asterisk's websocket, a Registerer kept registered
// (re-registering with backoff after the socket drops), and at most one call at a time.

/** Registration states shown to the agent. */
export const PHONE_STATES = ['registering', 'registered', 'unregistered', 'failed'];

const RETRY = { firstMs: 1000, maxMs: 30_000 };
const REGISTER_EXPIRES_SECONDS = 300;

/** Delay before retry number `attempt` (0-based): doubling from firstMs, capped at maxMs, ±10 % jitter. */
export function retryDelayMs(attempt, retry = RETRY, random = Math.random) {
  const base = Math.min(retry.maxMs, retry.firstMs * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.9 + 0.2 * random()));
}

/**
 * sip: the sip.js module; account: the GET /api/softphone answer; audio: the <audio> element that plays the
 * other side; on: { state(state, detail), call(view) } where view is null once no call is left.
 */
export function createSeatPhone({ sip, account, audio, on, retry = RETRY }) {
  const { UserAgent, Registerer, RegistererState, SessionState } = sip;
  let stopped = false;
  let attempt = 0;
  let retryTimer = null;
  let registerer = null;
  let call = null; // { session, caller, state: 'ringing' | 'connecting' | 'talking', muted }

  const ua = new UserAgent({
    uri: UserAgent.makeURI(account.uri),
    authorizationUsername: account.authorizationUsername,
    authorizationPassword: account.password,
    transportOptions: { server: account.wssUrl, connectionTimeout: 5, keepAliveInterval: 25 },
    userAgentString: 'hotline12345-softphone',
    logBuiltinEnabled: false,
    logLevel: 'error',
    sessionDescriptionHandlerFactoryOptions: {
      // The seats reach Asterisk directly: no public STUN server is asked.
      peerConnectionConfiguration: { iceServers: [] },
      iceGatheringTimeout: 1000,
    },
    delegate: {
      onConnect: () => register(),
      onDisconnect: (error) => dropped(error),
      onInvite: (invitation) => incoming(invitation),
    },
  });

  function emit(state, detail = {}) {
    if (!stopped) on.state(state, detail);
  }

  function clearRetry() {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  }

  /** Tries again later: a new socket if it is down, else a new registration. */
  function scheduleRetry(state, reason) {
    if (stopped) return;
    clearRetry();
    const delay = retryDelayMs(attempt++, retry);
    emit(state, { reason, retryInMs: delay });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (stopped) return;
      if (ua.isConnected()) register();
      else connect();
    }, delay);
  }

  function connect() {
    emit('registering', {});
    const started = ua.state === 'Started' ? ua.reconnect() : ua.start();
    started.catch(() => scheduleRetry('unregistered', 'connect_failed'));
  }

  function register() {
    if (stopped) return;
    clearRetry();
    if (registerer) registerer.dispose().catch(() => {});
    const current = new Registerer(ua, { expires: REGISTER_EXPIRES_SECONDS });
    registerer = current;
    current.stateChange.addListener((state) => {
      if (registerer !== current || stopped) return;
      if (state === RegistererState.Registered) { attempt = 0; emit('registered', {}); }
      // A refresh that failed: Asterisk no longer has this contact.
      else if (state === RegistererState.Unregistered && ua.isConnected()) scheduleRetry('unregistered', 'registration_lost');
    });
    emit('registering', {});
    current.register({
      requestDelegate: {
        onReject(response) {
          if (registerer !== current) return;
          const { statusCode, reasonPhrase } = response.message;
          // Wrong or rotated credentials do not get better by retrying quickly: the page decides (see softphone.js).
          emit('failed', { reason: 'rejected', statusCode, reasonPhrase });
        },
      },
    }).catch(() => scheduleRetry('unregistered', 'register_failed'));
  }

  function dropped(error) {
    if (stopped) return;
    if (registerer) { registerer.dispose().catch(() => {}); registerer = null; }
    if (call) { call.session.dispose().catch(() => {}); endCall(); }
    scheduleRetry('unregistered', error ? 'connection_lost' : 'connection_closed');
  }

  function view() {
    return call ? { caller: call.caller, state: call.state, muted: call.muted } : null;
  }

  function endCall() {
    call = null;
    audio.srcObject = null;
    on.call(null);
  }

  function callerOf(invitation) {
    const identity = invitation.remoteIdentity;
    const number = identity?.uri?.user || '';
    const name = (identity?.displayName || '').replace(/^"|"$/g, '');
    return { number, name: name && name !== number ? name : '' };
  }

  function incoming(invitation) {
    // One call at a time: the service never offers a busy seat a second call, so this is a stray one.
    if (call || stopped) { invitation.reject({ statusCode: 486 }).catch(() => {}); return; }
    const current = { session: invitation, caller: callerOf(invitation), state: 'ringing', muted: false };
    call = current;
    invitation.stateChange.addListener((state) => {
      if (call !== current) return;
      if (state === SessionState.Establishing) { current.state = 'connecting'; on.call(view()); }
      else if (state === SessionState.Established) {
        current.state = 'talking';
        const handler = invitation.sessionDescriptionHandler;
        if (handler?.remoteMediaStream) {
          audio.srcObject = handler.remoteMediaStream;
          audio.play?.()?.catch?.(() => {});
        }
        on.call(view());
      } else if (state === SessionState.Terminated) endCall();
    });
    on.call(view());
  }

  return {
    start() { connect(); },
    view,
    /** Answers the ringing call with the microphone. */
    async answer() {
      if (!call || call.state !== 'ringing') return;
      await call.session.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
    },
    /** Declines a ringing call (busy), or ends the call in progress. */
    async hangup() {
      if (!call) return;
      const { session } = call;
      if (session.state === SessionState.Initial) await session.reject({ statusCode: 486 });
      else if (session.state === SessionState.Established) await session.bye();
      else await session.dispose();
    },
    /** Mutes or unmutes the microphone; returns the new state. */
    setMuted(muted) {
      if (!call || call.state !== 'talking') return false;
      const pc = call.session.sessionDescriptionHandler?.peerConnection;
      for (const sender of pc?.getSenders() ?? []) if (sender.track) sender.track.enabled = !muted;
      call.muted = muted;
      on.call(view());
      return muted;
    },
    /** Unregisters (the REGISTER with expires 0 leaves before the socket closes) and closes the socket. */
    stop() {
      if (stopped) return;
      stopped = true;
      clearRetry();
      try { if (call) call.session.dispose().catch(() => {}); } catch { /* already gone */ }
      try { if (registerer?.state === RegistererState.Registered) registerer.unregister().catch(() => {}); } catch { /* socket gone */ }
      registerer = null;
      ua.stop().catch(() => {});
    },
  };
}
