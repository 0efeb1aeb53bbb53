// A live connection (the desktop's /ws, the wallboard's, the portal's, the review desk's): reconnects with
// capped backoff; every frame is JSON {type, ...}. A socket closed because its session ended (4401), or one
// that can't be opened while the service says the session is gone, is not reopened: the page signs in again.
const SESSION_ENDED = 4401;

/** True when the service answers that this browser has no session (signed out elsewhere, expired). */
async function signedOut() {
  try {
    const res = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store' });
    return res.status === 401;
  } catch {
    return false;   // the service can't be reached: keep trying, as for any other drop
  }
}

export function connectLive({ onFrame, onStatus, path = '/ws', onSignedOut = () => location.reload() }) {
  let socket = null;
  let attempt = 0;
  let timer = null;
  let stopped = false;

  function url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}${path}`;
  }

  function open() {
    if (stopped) return;
    let opened = false;
    socket = new WebSocket(url());
    socket.addEventListener('open', () => {
      opened = true;
      attempt = 0;
      onStatus('online');
    });
    socket.addEventListener('message', (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame && typeof frame.type === 'string') onFrame(frame);
    });
    socket.addEventListener('close', async (event) => {
      onStatus('offline', event.code);
      socket = null;
      if (stopped) return;
      if (event.code === SESSION_ENDED || (!opened && await signedOut())) {
        stopped = true;
        onStatus('signed_out', event.code);
        onSignedOut();
        return;
      }
      const delay = Math.min(10000, 500 * 2 ** attempt) + Math.floor(Math.random() * 250);
      attempt++;
      timer = setTimeout(open, delay);
    });
  }

  open();
  return {
    send(frame) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(frame));
        return true;
      }
      return false;
    },
    close() {
      stopped = true;
      clearTimeout(timer);
      if (socket) socket.close(1000, 'bye');
    },
  };
}
